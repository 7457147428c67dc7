"""Problems found in user input, and the one exception that carries them to the command line."""

from __future__ import annotations

from dataclasses import dataclass

# A value shown in "(got VALUE)" is cut here so that a 10 MB scalar cannot flood a terminal.
_MAX_GOT = 60


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, pointing at the exact spot."""

    path: str
    line: int
    col: int
    field: str
    message: str
    got: str | None = None

    def format(self) -> str:
        """Render as `PATH:LINE:COL: field.path: what is wrong (got VALUE)`."""
        text = f"{self.path}:{self.line}:{self.col}: {self.field or '(root)'}: {self.message}"
        if self.got is not None:
            text += f" (got {self.got})"
        return text


def show_value(value: object) -> str:
    """Render a user value for an error message: one line, printable, never huge."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(text) > _MAX_GOT:
        text = text[: _MAX_GOT - 1] + "…"
    return text


class InputError(Exception):
    """Raised with every problem of an input at once; the CLI prints them and exits 1."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        # Rebuilt from its problems when it crosses from a helper process to the parent.
        return (InputError, (self.problems,))
