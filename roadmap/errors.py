"""Problems found in user input, and the one exception that carries them to the command line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

from roadmap.limits import MAX_PROBLEMS_PER_FILE

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
    # On the "... and N more problems" line that ends a file's capped list: the N it stands for.
    more: int = dataclasses.field(default=0, compare=False)

    def sentence(self) -> str:
        """The message alone as a sentence, for a reader who does not need the place (plan.json)."""
        return f"{self.message[:1].upper()}{self.message[1:]}."

    def as_warning(self) -> Problem:
        """The same problem, reported as a warning: it does not stop the run."""
        return replace(self, message=f"warning: {self.message}")

    def format(self) -> str:
        """Render as `PATH:LINE:COL: field.path: what is wrong (got VALUE)`."""
        # A field path holds the user's keys, which may be long or hold a line break.
        field = show_value(self.field) if self.field else "(root)"
        text = f"{self.path}:{self.line}:{self.col}: {field}: {self.message}"
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


def printable(text: str) -> str:
    """Replace control characters (terminal escapes, bells, CR) with `?`; keep tabs and newlines.

    For text that may carry someone else's input on its way to a terminal or a spreadsheet.
    """
    return "".join(ch if ch.isprintable() or ch in "\t\n" else "?" for ch in text)


class InputError(Exception):
    """Raised with every problem of an input at once; the CLI prints them and exits 1."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = capped(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        # Rebuilt from its problems when it crosses from a helper process to the parent.
        return (InputError, (self.problems,))


def capped(problems: list[Problem]) -> list[Problem]:
    """Sorted, with at most MAX_PROBLEMS_PER_FILE problems of each file, then one line saying how
    many more there are. Capping again (problems gathered from several errors) keeps the count."""
    by_file: dict[str, list[Problem]] = {}
    for problem in sorted(problems):
        by_file.setdefault(problem.path, []).append(problem)
    kept: list[Problem] = []
    for path, found in by_file.items():
        real = [p for p in found if not p.more]
        left_out = real[MAX_PROBLEMS_PER_FILE:]
        more = len(left_out) + sum(p.more for p in found)
        kept += real[:MAX_PROBLEMS_PER_FILE]
        if more:
            at = left_out[0] if left_out else next(p for p in found if p.more)
            noun = "problem" if more == 1 else "problems"
            kept.append(Problem(path, at.line, at.col, "", f"... and {more} more {noun}", more=more))
    return kept
