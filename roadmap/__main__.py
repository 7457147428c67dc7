"""`python -m roadmap` runs the command line."""

from roadmap.cli import main

main()
