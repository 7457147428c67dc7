"""Where content and templates come from: the built-in folders, with a user folder in front.

Kept free of heavy imports: the site's "nothing changed" check runs on this module alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILTIN_CONTENT", "BUILTIN_TEMPLATES", "Layered"]


def _package_dir(name: str) -> Path:
    """Find a built-in folder: inside the installed package, else at the top of the checkout."""
    here = Path(__file__).resolve().parent
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

    def files(self, pattern: str) -> dict[str, Path]:
        """Map each relative path matching `pattern` to the file that wins, sorted by path."""
        found: dict[str, Path] = {}
        for root in reversed(self.roots):
            if root.is_dir():
                for file in root.glob(pattern):
                    if file.is_file() and _inside(file, root):
                        found[file.relative_to(root).as_posix()] = file
        return dict(sorted(found.items()))

    def display(self, file: Path) -> str:
        """A short name for messages: relative to the working directory when possible."""
        try:
            return file.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return file.as_posix()


def _inside(file: Path, root: Path) -> bool:
    """Whether a file really lives under its folder: a link pointing elsewhere is ignored."""
    return file.resolve().is_relative_to(root.resolve())
