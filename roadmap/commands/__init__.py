"""Commands: the work of each CLI command, riding on one pipeline (load -> decide -> render -> write)."""
