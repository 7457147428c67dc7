"""Every CSV file the tool writes: one table of (column, cell of a row) gives the header and every row.

A column and its cell are written side by side, so the header cannot drift from the rows, and
every cell passes `safe_cell` on its way out: a spreadsheet shows it as text, never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from roadmap.errors import printable

R = TypeVar("R")


@dataclass(frozen=True)
class CsvTable(Generic[R]):
    """The columns of one CSV file: each a name and the function that gives a row's cell."""

    columns: tuple[tuple[str, Callable[[R], str]], ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def render(self, rows: Iterable[R]) -> bytes:
        """The file: the header, then one line per row, every cell neutralised."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.header)
        for row in rows:
            writer.writerow([safe_cell(cell(row)) for _, cell in self.columns])
        return buffer.getvalue().encode("utf-8")


def safe_cell(value: str) -> str:
    """One CSV cell as a spreadsheet should show it: text. Every CSV writer passes every cell here.

    Control characters are replaced (see errors.printable; a CR-LF line break stays a line
    break), and a quote goes before text that a spreadsheet would run as a formula: `=`, `+`, `-`
    or `@` first, also after spaces or line breaks (spreadsheets skip those before a formula), or
    a tab first.
    """
    text = printable(value.replace("\r\n", "\n"))
    return "'" + text if text.lstrip()[:1] in ("=", "+", "-", "@") or text[:1] == "\t" else text
