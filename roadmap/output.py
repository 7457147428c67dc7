"""Write files atomically, and only inside one output folder.

Each file goes to a temporary name in its final folder, is flushed to disk, then renamed over
the final name: a killed run leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path, PurePosixPath

from roadmap.errors import InputError, Problem


class OutDir:
    """An output folder that refuses any path that would land outside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._written: set[str] = set()
        self._checked_dirs: set[Path] = set()  # existing folders already proven to lie inside root

    def prepare(self) -> None:
        """Create the folder; a file or unwritable folder in the way is an input error."""
        if self.root.exists() and not self.root.is_dir():
            raise InputError([Problem(str(self.root), 1, 1, "--out", "is a file, not a folder")])
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                [Problem(str(self.root), 1, 1, "--out", f"cannot create folder: {exc.strerror}")]
            ) from None
        if not os.access(self.root, os.W_OK):
            raise InputError([Problem(str(self.root), 1, 1, "--out", "folder is not writable")])
        self.sweep()

    def sweep(self) -> int:
        """Remove temporary files a killed run left behind (ours only: `.<name>.<random>.part`)."""
        removed = 0
        for leftover in self.root.rglob(".*.part"):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
                removed += 1
        return removed

    def target(self, relative: str) -> Path:
        """Resolve `relative` inside the folder, refusing traversal and symlinks that leave it."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the output folder: {relative!r}")
        path = self.root.joinpath(*parts)
        folder = path.parent
        if folder not in self._checked_dirs:
            if not folder.resolve().is_relative_to(self.root.resolve()):
                raise ValueError(f"refusing to write through a link out of the output folder: {relative!r}")
            if folder.is_dir():
                self._checked_dirs.add(folder)
        if path.is_symlink():
            raise ValueError(f"refusing to write through a link out of the output folder: {relative!r}")
        return path

    def write(self, relative: str, data: bytes, *, durable: bool = True) -> Path:
        """Write `data` to `relative` atomically; the same file twice in one run is a bug.

        `durable=False` skips the fsync: for files that can be made again, whose writer checks
        them on the next run (a site page's size is in the site's record).
        """
        if relative in self._written:
            raise ValueError(f"{relative} was already written in this run")
        path = self.target(relative)
        try:
            if path.parent not in self._checked_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.target(relative)  # the folders just made must not have been links out either
            write_atomic(path, data, durable=durable)
        except OSError as exc:
            # A full disk or a read-only folder is the user's to fix, not a bug: say so plainly.
            message = f"cannot write: {exc.strerror or exc}"
            raise InputError([Problem(path.as_posix(), 1, 1, "--out", message)]) from None
        self._written.add(relative)
        return path

    def adopt(self, written: list[str]) -> None:
        """Record files that forked helpers wrote into this folder on this run's behalf."""
        for relative in written:
            if relative in self._written:
                raise ValueError(f"{relative} was already written in this run")
            self._written.add(relative)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so readers see the old file or the new one, never a mix.

    The rename alone is what makes a killed run safe; `durable` also survives a power cut.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
