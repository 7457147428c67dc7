"""Safe, readable folder names for people: ASCII, no traversal, no reserved device names."""

from __future__ import annotations

import re
import unicodedata

# Names Windows refuses for files and folders, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_LENGTH = 60
# What a slug looks like once made: folder names read back from a file are checked against it.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str, fallback: str = "profile") -> str:
    """Turn a name into `jordan-rivera`: ASCII letters, digits and single hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_LENGTH].strip("-")
    if not slug:
        slug = fallback
    if slug in _RESERVED:
        slug += "-plan"
    return slug
