"""What the last site build was made from: the record in the out dir, and the cheap check that
nothing changed since (which imports nothing heavy, so a no-op rebuild costs almost nothing)."""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING

from roadmap import __version__

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from roadmap.load.layers import Layered

STATE_FILE = ".roadmap-site.json"
FINGERPRINT_KEY = "(inputs)"  # the state entry holding the hash of every input file


def inputs_fingerprint(content: Layered, templates: Layered, *, base_url: str, today: date) -> str:
    """A hash of every byte the site is made from, cheap enough to take before loading anything."""
    digest = hashlib.sha256(f"{__version__}\0{base_url}\0{today.isoformat()}".encode())
    for name, layered in (("content", content), ("templates", templates)):
        for relative, file in layered.files().items():
            digest.update(f"\0{name}/{relative}\0".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def read_state(root: Path) -> dict[str, str]:
    """The last build's record: output path -> its line (see `entry`); empty when missing or unreadable.

    Anyone who can write the out dir can write this file: it decides what is skipped, never what
    is deleted without proof (see `OutDir.remove_if_ours`).
    """
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def entry(digest: str, size: int, sha256: str) -> str:
    """A page's line in the record: the hash of its inputs, then the size and sha256 of the file written.

    The size makes the up-to-date check cheap; the sha256 is what proves a file is still the one
    we wrote before a later build deletes it.
    """
    return f"{digest} {size} {sha256}"


def _fields(recorded: str) -> tuple[str, str, str] | None:
    """A record line's input hash, size and sha256; None for a line of any other shape."""
    parts = recorded.split(" ")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def written_sha256(recorded: str) -> str | None:
    """The sha256 of the file a record line says was written (None for a line not of our making)."""
    fields = _fields(recorded)
    return fields[2] if fields else None


def intact(recorded: str | None, digest: str, file: str) -> bool:
    """Whether `file` still holds what the record says it was made from, at its full size.

    Pages are written without an fsync each, so after a power cut a page may be short or empty
    while the record lists it: the size check sends such a page back to be rebuilt.
    """
    fields = None if recorded is None else _fields(recorded)
    return fields is not None and fields[0] == digest and _has_size(file, fields[1])


def _has_size(file: str, size: str) -> bool:
    try:
        return os.path.isfile(file) and os.path.getsize(file) == int(size)
    except (OSError, ValueError):
        return False


def unchanged(root: Path, fingerprint: str) -> int | None:
    """How many outputs are already up to date, or None when something must be rebuilt.

    Sizes only, no hashing: a no-op rebuild must cost almost nothing.
    """
    state = read_state(root)
    if state.pop(FINGERPRINT_KEY, None) != fingerprint:
        return None
    folder = os.fspath(root)
    for path, recorded in state.items():
        fields = _fields(recorded)
        if fields is None or not _has_size(os.path.join(folder, path), fields[1]):
            return None
    return len(state)
