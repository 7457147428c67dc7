"""The application-season calendar: dates per Match year from content/data/seasons.yaml, and
the observed rules that estimate any year or date the file does not have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from roadmap.errors import InputError, Problem
from roadmap.load.profile import IsoDate, yaml_boolean
from roadmap.load.rules import SEASON_DATES as SEASON_DATES  # re-exported: callers name the dates from here
from roadmap.load.rules import rules_or_builtin
from roadmap.load.yamlsrc import KeyPath, YamlDoc, load_yaml, read_text

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from roadmap.load.rules import Rules


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


def estimate(name: str, match_year: int, known: Mapping[str, SeasonDate], rules: Rules) -> date:
    """A season date by its fallback rule (season_rules.yaml); a rule counting from another
    date uses the season file's own date when it has one."""
    rule = rules.season_rules[name]
    if rule.after:
        base = known[rule.after].date if rule.after in known else estimate(rule.after, match_year, known, rules)
        return base + rule.offset
    year = match_year if rule.match_year else match_year + rules.application_year
    if rule.day:
        return date(year, rule.month, rule.day)
    first = date(year, rule.month, 1)
    return first + timedelta(days=(rule.weekday - first.weekday()) % 7, weeks=rule.nth - 1)


@dataclass(frozen=True)
class SeasonTable:
    """Known season dates by Match year, and the rules that estimate the rest."""

    entries: Mapping[int, Mapping[str, SeasonDate]]
    rules: Rules | None = None  # None: the built-in rules

    def season_for(self, match_year: int) -> Season:
        """Every date of a season: from the file where it has one, else estimated."""
        rules = rules_or_builtin(self.rules)
        known = self.entries.get(match_year, {})
        dates = {}
        for name in SEASON_DATES:
            if name in known:
                dates[name] = known[name]
            else:
                wording = rules.season_rules[name].wording
                estimated = estimate(name, match_year, known, rules)
                dates[name] = SeasonDate(estimated, False, f"estimated: {wording}, the pattern of past seasons")
        confirmed = any(entry.confirmed for entry in known.values())
        return Season(match_year=match_year, has_confirmed_entry=confirmed, **dates)


def load_seasons(file: Path, display: str, rules: Rules | None = None) -> SeasonTable:
    """Read the season data file; every problem is reported with its line, including the
    header's promises: a confirmed date cites an http(s) page, and each date falls in its year."""
    doc = load_yaml(read_text(file, display), display)
    if doc.data is None:
        return SeasonTable(MappingProxyType({}), rules)
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
            problems.extend(_promises(doc, where, entry, int(year_text), name, rules_or_builtin(rules)))
            season[name] = SeasonDate(entry.date, entry.confirmed, entry.source)
        entries[int(year_text)] = MappingProxyType(season)
    if problems:
        raise InputError(problems)
    return SeasonTable(MappingProxyType(entries), rules)


def _promises(doc: YamlDoc, where: KeyPath, entry: _Entry, match_year: int, name: str, rules: Rules) -> list[Problem]:
    """What the seasons file header promises `check` enforces for one date."""
    problems = []
    if entry.confirmed and not entry.source.startswith(("http://", "https://")):
        problems.append(doc.problem((*where, "source"), "a confirmed date needs an http(s) source", entry.source))
    # Match Day and the rank order list fall in the Match year, the ERAS dates in the year before.
    in_match_year = rules.season_rules[name].match_year or _follows_match_year(name, rules)
    year = match_year if in_match_year else match_year + rules.application_year
    if entry.date.year != year:
        problems.append(
            doc.problem((*where, "date"), f"must fall in {year} for the {match_year} Match", entry.date.isoformat())
        )
    return problems


def _follows_match_year(name: str, rules: Rules) -> bool:
    after = rules.season_rules[name].after
    return bool(after) and (rules.season_rules[after].match_year or _follows_match_year(after, rules))
