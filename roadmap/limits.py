"""How much one input may ask of the tool: every bound in one place, each with the reason for its number.

The inputs are other people's files (an advisee's profile and program list, a contributed
module), so no small file may make the tool do unbounded work. An input over a bound is one
input error in the usual one-line form, pointing at the place; in a batch that profile becomes an
error row and the others go on. SECURITY.md lists each bound with the test that holds it.
"""

from __future__ import annotations

# A profile, a program list or a data file. The largest example profile is under 2 KB; a file
# a thousand times larger is not a profile, and a cap checked before parsing keeps a YAML or CSV
# parser from ever seeing a huge stream.
MAX_INPUT_BYTES = 1024 * 1024

# A Markdown module. The longest built-in module is under 4 KB; 256 KiB is a short book chapter,
# and keeps every later pass over a body (the scan for placeholders, the Markdown parser) short.
MAX_MODULE_BYTES = 256 * 1024

# Programs in one program list. An applicant applies to tens of programs, rarely more than a
# couple of hundred, and every program is a row of the plan with its reasons: 1,000 rows make a
# PDF of about 180 pages in under a minute and 0.5 GB, where 100,000 tiny rows (800 KB) grew a
# build past 11 GB. Far more than anyone applies to, and still a bounded build.
MAX_PROGRAMS = 1_000

# One free-text cell of a program list (`notes`, `state`): a paragraph, not a document. A cell
# longer than this is almost surely a paste gone wrong; refusing it keeps every output cell small.
MAX_CELL_CHARS = 2_000

# Cells in one row of a program list: there are 11 columns, so 100 leaves room for the blank
# columns spreadsheets add while refusing a header of thousands of commas.
MAX_ROW_CELLS = 100

# Keys in one mapping of a profile. The largest mapping (the top level) has fewer than 20 fields;
# past 100 the file is not a profile, and suggesting a spelling for each unknown key would be
# most of the work.
MAX_PROFILE_KEYS = 100

# Problems reported for one file; one more line says how many were left out. Like a compiler's
# error limit (clang stops at 20): past that the rest are mostly echoes of the first few, and a
# batch's error cell and dashboard stay small.
MAX_PROBLEMS_PER_FILE = 20

# YAML nesting. No profile is nested deeper than 4 levels; 24 refuses "[[[[[[…" bombs before the
# parser recurses.
MAX_YAML_DEPTH = 24
