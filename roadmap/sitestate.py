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

    from roadmap.layers import Layered

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
    """The last build's record: output path -> hash of its inputs (empty when missing or unreadable)."""
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def entry(digest: str, size: int) -> str:
    """A page's line in the record: the hash of its inputs and the size of the file written."""
    return f"{digest} {size}"


def intact(recorded: str | None, digest: str, file: str) -> bool:
    """Whether `file` still holds what the record says it was made from, at its full size.

    Pages are written without an fsync each, so after a power cut a page may be short or empty
    while the record lists it: the size check sends such a page back to be rebuilt.
    """
    if recorded is None:
        return False
    recorded_digest, _, size = recorded.rpartition(" ")
    return recorded_digest == digest and _has_size(file, size)


def _has_size(file: str, size: str) -> bool:
    try:
        return os.path.isfile(file) and os.path.getsize(file) == int(size)
    except (OSError, ValueError):
        return False


def unchanged(root: Path, fingerprint: str) -> int | None:
    """How many outputs are already up to date, or None when something must be rebuilt."""
    state = read_state(root)
    if state.pop(FINGERPRINT_KEY, None) != fingerprint:
        return None
    folder = os.fspath(root)
    intact_files = all(
        _has_size(os.path.join(folder, path), recorded.rpartition(" ")[2]) for path, recorded in state.items()
    )
    return len(state) if intact_files else None
