"""Typed, line-accurate reads of a YAML data file of content/data/ (shared by every data loader).

Each mistake becomes one Problem at the line and column of the value, so `roadmap check`
reports every problem in a file at once.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from typing import Any

from roadmap.errors import Problem
from roadmap.load.yamlsrc import KeyPath, YamlDoc

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
INT = re.compile(r"^-?\d{1,6}$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DataReader:
    """Typed reads of one YAML file, adding a Problem at the right line for each mistake."""

    def __init__(self, doc: YamlDoc, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def error(self, at: KeyPath, message: str, got: object = None, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(at, message, got, key=key))

    def mapping(
        self, at: KeyPath, raw: object, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """A mapping with exactly these keys (the optional ones may be left out)."""
        if not isinstance(raw, dict):
            self.error(at, "must be a mapping", shape(raw))
            return None
        allowed = (*required, *optional)
        good = True
        for key in raw:
            if key not in allowed:
                self.error((*at, key), f"unknown key (use {', '.join(allowed)})", key, key=True)
                good = False
        for key in required:
            if key not in raw:
                self.error(
                    at, f"'{key}' is required" + (" (where does this value come from?)" if key == "source" else "")
                )
                good = False
        return raw if good else None

    def items(self, at: KeyPath, raw: object) -> list[Any]:
        if not isinstance(raw, list) or not raw:
            self.error(at, "must be a non-empty list", shape(raw))
            return []
        return raw

    def text(self, at: KeyPath, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            self.error(at, "must be a non-empty text", shape(raw))
            return ""
        return raw

    def ident(self, at: KeyPath, raw: object) -> str:
        if not isinstance(raw, str) or not ID.match(raw):
            self.error(at, "must be lowercase letters, digits and hyphens", shape(raw))
            return ""
        return raw

    def integer(self, at: KeyPath, raw: object, low: int | None = None, high: int | None = None) -> int:
        if not isinstance(raw, str) or not INT.match(raw.strip()):
            self.error(at, "must be a whole number", shape(raw))
            return 0
        value = int(raw)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{low} to {high}" if high is not None else f"{low} or more"
            self.error(at, f"must be {bounds}", raw)
        return value

    def choice(self, at: KeyPath, raw: object, choices: tuple[str, ...]) -> str:  # one of `choices`
        if raw not in choices:
            self.error(at, f"must be one of {', '.join(choices)}", shape(raw))
            return choices[0]
        return str(raw)

    def day(self, at: KeyPath, raw: object) -> date | None:
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):  # a malformed date falls through to the error below
                return date.fromisoformat(raw)
        self.error(at, "must be a real date written YYYY-MM-DD", shape(raw))
        return None

    def month_day(self, at: KeyPath, raw: object) -> tuple[int, int]:
        match = MONTH_DAY.match(raw) if isinstance(raw, str) else None
        if match and real_day(int(match[1]), int(match[2])):
            return int(match[1]), int(match[2])
        self.error(at, "must be a day of the year written MM-DD", shape(raw))
        return 1, 1

    def weekday(self, at: KeyPath, raw: object) -> int:
        return WEEKDAYS.index(self.choice(at, raw, WEEKDAYS))

    def duration(self, at: KeyPath, raw: object, *, sourced: bool) -> timedelta:
        """{weeks: N} or {days: N}, with a source when `sourced`."""
        extra = ("source",) if sourced else ()
        if not isinstance(raw, dict):
            self.error(at, "must be {weeks: N} or {days: N}", shape(raw))
            return timedelta(0)
        units = [unit for unit in ("weeks", "days") if unit in raw]
        if len(units) != 1:
            self.error(at, "must give exactly one of weeks or days", shape(raw))
            return timedelta(0)
        fields = self.mapping(at, raw, (units[0], *extra))
        if fields is None:
            return timedelta(0)
        if sourced:
            self.text((*at, "source"), fields["source"])
        amount = self.integer((*at, units[0]), fields[units[0]], -520, 520)
        return timedelta(weeks=amount) if units[0] == "weeks" else timedelta(days=amount)


def real_day(month: int, day: int) -> bool:
    try:
        date(2000, month, day)  # a leap year: February 29 is a real day of the year
    except ValueError:
        return False
    return True


def shape(value: object) -> object:
    if value is None:
        return "null"
    return value if isinstance(value, str) else {"dict": "a mapping", "list": "a list"}.get(type(value).__name__, value)
