"""The application-season calendar: dates per Match year from content/data/seasons.yaml, and
the observed rules that estimate any year or date the file does not have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from roadmap.errors import InputError, Problem
from roadmap.profile import IsoDate, yaml_boolean
from roadmap.yamlsrc import load_yaml, read_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

SEASON_DATES = ("eras_opens", "eras_submit", "eras_review", "nrmp_registration", "rol_deadline", "match_day")
WEDNESDAY, FRIDAY = 2, 4


@dataclass(frozen=True)
class SeasonDate:
    """One season date, with where it comes from."""

    date: date
    confirmed: bool
    source: str


@dataclass(frozen=True)
class Season:
    """The six dates of one Match season."""

    match_year: int
    eras_opens: SeasonDate
    eras_submit: SeasonDate
    eras_review: SeasonDate
    nrmp_registration: SeasonDate
    rol_deadline: SeasonDate
    match_day: SeasonDate
    has_confirmed_entry: bool  # the data file confirms at least one date of this season


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: IsoDate
    confirmed: Annotated[bool, BeforeValidator(yaml_boolean)]
    source: Annotated[str, Field(min_length=1)]


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _third_friday_of_march(year: int) -> date:
    return _weekday_on_or_after(date(year, 3, 1), FRIDAY) + timedelta(weeks=2)


# The observed rules (FACTS.md, our inference from the 2024-2026 seasons), each with its wording.
_RULES: Mapping[str, tuple[str, Callable[[int], date]]] = MappingProxyType(
    {
        "eras_opens": ("first Wednesday of June", lambda y: _weekday_on_or_after(date(y - 1, 6, 1), WEDNESDAY)),
        "eras_submit": ("first Wednesday of September", lambda y: _weekday_on_or_after(date(y - 1, 9, 1), WEDNESDAY)),
        "eras_review": (
            "three weeks after submissions open",
            lambda y: _weekday_on_or_after(date(y - 1, 9, 1), WEDNESDAY) + timedelta(weeks=3),
        ),
        "nrmp_registration": ("NRMP registration opens September 15", lambda y: date(y - 1, 9, 15)),
        "rol_deadline": ("16 days before Match Day", lambda y: _third_friday_of_march(y) - timedelta(days=16)),
        "match_day": ("third Friday of March", _third_friday_of_march),
    }
)


@dataclass(frozen=True)
class SeasonTable:
    """Known season dates by Match year."""

    entries: Mapping[int, Mapping[str, SeasonDate]]

    def season_for(self, match_year: int) -> Season:
        """Every date of a season: from the file where it has one, else estimated."""
        known = self.entries.get(match_year, {})
        dates = {}
        for name in SEASON_DATES:
            if name in known:
                dates[name] = known[name]
            else:
                rule, compute = _RULES[name]
                dates[name] = SeasonDate(compute(match_year), False, f"estimated: {rule}, the pattern of past seasons")
        confirmed = any(entry.confirmed for entry in known.values())
        return Season(match_year=match_year, has_confirmed_entry=confirmed, **dates)


def load_seasons(file: Path, display: str) -> SeasonTable:
    """Read the season data file; every problem is reported with its line."""
    doc = load_yaml(read_text(file, display), display)
    if doc.data is None:
        return SeasonTable(MappingProxyType({}))
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "must be a mapping of Match years")])
    problems: list[Problem] = []
    entries: dict[int, Mapping[str, SeasonDate]] = {}
    for year_text, dates in doc.data.items():
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            problems.append(doc.problem((year_text,), "must be a Match year such as 2028", year_text, key=True))
            continue
        if not isinstance(dates, dict):
            problems.append(doc.problem((year_text,), "must be a mapping of season dates"))
            continue
        season: dict[str, SeasonDate] = {}
        for name, raw in dates.items():
            where = (year_text, name)
            if name not in SEASON_DATES:
                problems.append(
                    doc.problem(where, f"unknown season date (use {', '.join(SEASON_DATES)})", name, key=True)
                )
                continue
            try:
                entry = _Entry.model_validate(raw)
            except ValidationError as exc:
                for error in exc.errors():
                    message = error["msg"][0].lower() + error["msg"][1:]
                    problems.append(doc.problem((*where, *error["loc"]), message, error.get("input")))
                continue
            season[name] = SeasonDate(entry.date, entry.confirmed, entry.source)
        entries[int(year_text)] = MappingProxyType(season)
    if problems:
        raise InputError(problems)
    return SeasonTable(MappingProxyType(entries))
