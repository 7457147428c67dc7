"""Where content and templates come from: the built-in folders, with a user folder in front.

Kept free of heavy imports: the site's "nothing changed" check runs on this module alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILTIN_CONTENT", "BUILTIN_TEMPLATES", "Layered"]


def _package_dir(name: str) -> Path:
    """Find a built-in folder: inside the installed package, else at the top of the checkout."""
    here = Path(__file__).resolve().parent.parent  # the package root: roadmap/load/ is one level down
    installed = here / "_builtin" / name
    return installed if installed.is_dir() else here.parent / name


BUILTIN_CONTENT = _package_dir("content")
BUILTIN_TEMPLATES = _package_dir("templates")


@dataclass(frozen=True)
class Layered:
    """A built-in folder with an optional user folder in front of it (user files win)."""

    builtin: Path
    user: Path | None = None

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.user, self.builtin) if self.user else (self.builtin,)

    def find(self, relative: str) -> Path | None:
        """Return the file at `relative` from the first folder that has it."""
        for root in self.roots:
            candidate = root / relative
            if candidate.is_file() and _inside(candidate, root):
                return candidate
        return None

    def files(self, under: str = "", *, suffix: str = "") -> dict[str, Path]:
        """Map each relative path below `under` (ending in `suffix`) to the file that wins, sorted.

        Like glob's `**`, folders reached through a link are not entered; a file that is a link
        counts only when it points inside its folder. Only links are resolved, and directory
        entries answer the other questions without a system call each, so the site's
        "nothing changed" check over thousands of files stays cheap.
        """
        found: dict[str, Path] = {}
        for root in reversed(self.roots):
            start = root / under if under else root
            if start.is_dir():
                prefix = f"{under.strip('/')}/" if under else ""
                for relative, entry in _walk(os.fspath(start), prefix):
                    if not entry.name.endswith(suffix):
                        continue
                    if entry.is_symlink() and not _inside(Path(entry.path), root):
                        continue
                    if entry.is_file():
                        found[relative] = Path(entry.path)
        return dict(sorted(found.items()))

    def display(self, file: Path) -> str:
        """A short name for messages: relative to the working directory when possible."""
        if not file.is_absolute() and ".." not in file.parts:
            return file.as_posix()  # already relative to the working directory
        try:
            return file.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return file.as_posix()


def _walk(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry below `folder` that is not a folder, with its path relative to the walk's start."""
    with os.scandir(folder) as entries:
        listed = list(entries)
    for entry in listed:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


def _inside(file: Path, root: Path) -> bool:
    """Whether a file really lives under its folder: a link pointing elsewhere is ignored."""
    return file.resolve().is_relative_to(root.resolve())
