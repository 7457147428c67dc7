"""Your program list: read the user's own CSV or YAML, place each program in a tier by the rules
in content/data/tiers.yaml, and say exactly why. The tool ships no program data of its own."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from roadmap.decide.facts import FIELDS
from roadmap.errors import InputError, Problem, show_value
from roadmap.limits import MAX_CELL_CHARS, MAX_PROGRAMS, MAX_ROW_CELLS
from roadmap.load.conditions import Condition, evaluate, parse_condition, show
from roadmap.load.namespace import FieldSpec
from roadmap.load.profile import Text, _bounds, _whole_number, literal_choices
from roadmap.load.yamlsrc import KeyPath, YamlDoc, dotted, load_yaml, read_text
from roadmap.vocabulary import (
    SIGNALS,
    TIERS,
    TRACKS,
    VISA_SPONSORSHIPS,
    YES_NO,
    Signal,
    Track,
    VisaSponsorship,
    YesNo,
)

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = (
    "name",
    "track",
    "state",
    "img_friendly",
    "sponsors_visa",
    "min_step2ck",
    "median_step2ck",
    "accepts_attempts",
    "usce_required_months",
    "signal",
    "notes",
)
PROGRAM_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        **FIELDS,
        "program.track": FieldSpec("This program's track", "enum", TRACKS),
        "program.state": FieldSpec("This program's state", "text", nullable=True),
        "program.img_friendly": FieldSpec(
            "Whether this program takes international graduates", "enum", YES_NO, nullable=True
        ),
        "program.sponsors_visa": FieldSpec("This program's visa sponsorship", "enum", VISA_SPONSORSHIPS, nullable=True),
        "program.min_step2ck": FieldSpec("This program's stated minimum Step 2 CK", "int", nullable=True),
        "program.median_step2ck": FieldSpec("This program's stated median Step 2 CK", "int", nullable=True),
        "program.accepts_attempts": FieldSpec(
            "Whether this program takes a failed attempt", "enum", YES_NO, nullable=True
        ),
        "program.usce_required_months": FieldSpec("This program's required US clinical months", "int", nullable=True),
        "program.signal": FieldSpec("Your signal for this program", "enum", SIGNALS, nullable=True),
        "program.median_gap": FieldSpec("Points above this program's median", "int", nullable=True),
        "program.min_gap": FieldSpec("Points above this program's minimum", "int", nullable=True),
        "program.usce_gap": FieldSpec("US clinical months beyond this program's requirement", "int", nullable=True),
        "score": FieldSpec("Your score used for tiers", "int", nullable=True),
        "score_source": FieldSpec("Where your score comes from", "enum", ("ck", "practice"), nullable=True),
    }
)


def _blank_is_none(value: Any) -> Any:
    return (
        None
        if isinstance(value, str) and not value.strip()
        else (value.strip().lower() if isinstance(value, str) else value)
    )


Choice = BeforeValidator(_blank_is_none)
Number = BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else _whole_number(v))
FreeText = Field(max_length=MAX_CELL_CHARS)


class Program(BaseModel):
    """One row of the user's program list; blank cells are unknown (None)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    track: Annotated[Track, Choice]
    state: Annotated[
        Annotated[str, FreeText] | None, BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else v)
    ] = None
    img_friendly: Annotated[YesNo | None, Choice] = None
    sponsors_visa: Annotated[VisaSponsorship | None, Choice] = None
    min_step2ck: Annotated[Annotated[int, _bounds("score")] | None, Number] = None
    median_step2ck: Annotated[Annotated[int, _bounds("score")] | None, Number] = None
    accepts_attempts: Annotated[YesNo | None, Choice] = None
    usce_required_months: Annotated[Annotated[int, _bounds("usce_months")] | None, Number] = None
    signal: Annotated[Signal | None, Choice] = None
    notes: Annotated[str, FreeText] | None = None


@dataclass(frozen=True)
class TierRule:
    tier: str | None  # None: a note that adds a reason without deciding
    when: Condition
    reason: str


@dataclass(frozen=True)
class TierRules:
    rules: tuple[TierRule, ...]
    advice: tuple[tuple[Condition | None, str], ...]
    signals: str


@dataclass(frozen=True)
class Placement:
    program: Program
    tier: str
    reasons: tuple[str, ...]
    missing: tuple[str, ...]  # columns left blank that would sharpen the placement


@dataclass(frozen=True)
class ProgramList:
    source: str
    placements: tuple[Placement, ...]
    counts: Mapping[str, int]
    advice: str
    signals: str

    @property
    def shared_reasons(self) -> tuple[str, ...]:
        """Reasons every placement gives (with two or more programs): said once above the table."""
        if len(self.placements) < 2:
            return ()
        first, *rest = (p.reasons for p in self.placements)
        return tuple(r for r in first if all(r in other for other in rest))

    def own_reasons(self, placement: Placement) -> tuple[str, ...]:
        """A placement's reasons without the ones every program shares."""
        shared = self.shared_reasons
        return tuple(r for r in placement.reasons if r not in shared)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "counts": dict(self.counts),
            "advice": self.advice,
            "signals": self.signals,
            "programs": [
                {**p.program.model_dump(), "tier": p.tier, "reasons": list(p.reasons), "missing": list(p.missing)}
                for p in self.placements
            ],
        }


# ---------- reading the user's file ----------


def load_programs(file: Path, display: str) -> list[Program]:
    """Read a CSV or YAML program list; every bad cell is reported with its row and column."""
    text = read_text(file, display)
    if file.suffix.lower() in (".yaml", ".yml"):
        return _from_yaml(load_yaml(text, display))
    return _from_csv(text, display)


def _from_csv(text: str, display: str) -> list[Program]:
    rows = _csv_rows(text, display)
    if not rows:
        raise InputError(
            [Problem(display, 1, 1, "", "the program list is empty; it needs a header with name and track")]
        )
    header = [cell.strip().lower() for cell in rows[0][1]]
    problems = _header_problems(header, display)
    if problems:
        raise InputError(problems)
    programs = []
    for line, cells in rows[1:]:
        data = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        try:
            programs.append(Program.model_validate(data))
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else ""
                col = header.index(column) + 1 if column in header else 1
                problems.append(Problem(display, line, col, column, _message(error), _got(error)))
    if problems:
        raise InputError(problems)
    return programs


def _csv_rows(text: str, display: str) -> list[tuple[int, list[str]]]:
    """The header and the non-blank rows of a CSV list, each with the line it starts on.

    The bounds of roadmap.limits are checked here, before any cell is validated: a list with too
    many programs is one error, and so is each row or cell too long to be a program's.
    """
    reader = csv.reader(io.StringIO(text, newline=""))  # newline="": a lone CR ends a line, as csv expects
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    start, extra, first_extra = 1, 0, 0
    try:
        for cells in reader:
            if rows and not any(cell.strip() for cell in cells):
                pass  # a blank line between programs
            elif len(rows) <= MAX_PROGRAMS:  # the header and up to MAX_PROGRAMS programs
                rows.append((start, cells))
                problems += _cell_problems(cells, start, rows[0][1], display)
            else:  # only counted, for the error
                extra += 1
                first_extra = first_extra or start
            start = reader.line_num + 1
    except csv.Error as exc:
        # The csv module stops at a cell over its own limit (128 KiB), far past ours.
        message = f"a cell is longer than {MAX_CELL_CHARS} characters" if "field limit" in str(exc) else str(exc)
        raise InputError([Problem(display, reader.line_num, 1, "", f"invalid CSV: {message}")]) from None
    if extra:
        raise InputError([_too_many(display, first_extra, 1, "", MAX_PROGRAMS + extra)])
    if problems:
        raise InputError(problems)
    return rows


def _cell_problems(cells: list[str], line: int, header: list[str], display: str) -> list[Problem]:
    """A row with more cells than any list needs, or each cell longer than a program's text may be."""
    if len(cells) > MAX_ROW_CELLS:
        message = f"has too many cells (at most {MAX_ROW_CELLS})"
        return [Problem(display, line, MAX_ROW_CELLS + 1, "", message, str(len(cells)))]
    message = f"is too long (at most {MAX_CELL_CHARS} characters)"
    return [
        Problem(display, line, col + 1, _column(header, col), message, show_value(cell))
        for col, cell in enumerate(cells)
        if len(cell) > MAX_CELL_CHARS
    ]


def _column(header: list[str], col: int) -> str:
    return header[col].strip().lower() if col < len(header) else ""


def _too_many(display: str, line: int, col: int, field: str, count: int) -> Problem:
    return Problem(display, line, col, field, f"has too many programs (at most {MAX_PROGRAMS})", str(count))


def _header_problems(header: list[str], display: str) -> list[Problem]:
    """What is wrong with a CSV header: another separator, unknown columns, required ones missing."""
    if len(header) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in header[0] and {cell.strip() for cell in header[0].split(separator)} & set(COLUMNS):
                # Spreadsheets in many locales save "CSV" with semicolons: one error says it all.
                message = f"the columns are separated by {name}; save the list as CSV with commas"
                return [Problem(display, 1, 1, "", message, header[0])]
    problems = []
    for col, name in enumerate(header):
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use {', '.join(COLUMNS)}"
            problems.append(Problem(display, 1, col + 1, name, f"unknown column; {hint}", name))
    problems += [
        Problem(display, 1, 1, name, "required column is missing") for name in ("name", "track") if name not in header
    ]
    return problems


def _from_yaml(doc: YamlDoc) -> list[Program]:
    data = doc.data.get("programs") if isinstance(doc.data, dict) else doc.data
    if not isinstance(data, list):
        raise InputError([doc.problem((), "a program list must be a list of programs (or programs: [...])")])
    base: KeyPath = ("programs",) if isinstance(doc.data, dict) else ()
    if len(data) > MAX_PROGRAMS:
        first_extra = doc.mark_of((*base, MAX_PROGRAMS))
        raise InputError([_too_many(doc.display, first_extra.line, first_extra.col, dotted(base), len(data))])
    programs, problems = [], []
    for index, item in enumerate(data):
        try:
            programs.append(Program.model_validate(item))
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(doc.problem((*base, index, *error["loc"]), _message(error), _got(error)))
    if problems:
        raise InputError(problems)
    return programs


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "literal_error":
        return "must be one of " + ", ".join(literal_choices(error))
    if kind in ("greater_than_equal", "less_than_equal"):
        return "must be a whole number from 1 to 300" if "step2ck" in str(error["loc"]) else "is out of range"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("string_type", "string_too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {error['ctx']['max_length']} characters)"
    return str(error["msg"])


def _got(error: Any) -> str | None:
    value = error.get("input")
    return None if value is None or value == "" or isinstance(value, dict) else show_value(value)


# ---------- the rules ----------


def load_tier_rules(file: Path, display: str) -> TierRules:
    """Read tiers.yaml; a bad rule is reported with its line."""
    doc = load_yaml(read_text(file, display), display)
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Problem] = []
    rules = []
    for index, raw in enumerate(data.get("tiers") or []):
        at = ("tiers", index)
        if not isinstance(raw, dict) or "when" not in raw or "reason" not in raw:
            problems.append(doc.problem(at, "a rule needs when: and reason:"))
            continue
        tier = raw.get("tier")
        if tier is not None and tier not in TIERS:
            problems.append(doc.problem((*at, "tier"), f"must be one of {', '.join(TIERS)}", tier))
        rules.append(
            TierRule(
                tier, parse_condition(raw["when"], doc, (*at, "when"), problems, PROGRAM_FIELDS), str(raw["reason"])
            )
        )
    advice = []
    for index, raw in enumerate(data.get("advice") or []):
        when = raw.get("when") if isinstance(raw, dict) else None
        condition = (
            parse_condition(when, doc, ("advice", index, "when"), problems, PROGRAM_FIELDS)
            if when is not None
            else None
        )
        advice.append((condition, " ".join(str(raw.get("text", "")).split()) if isinstance(raw, dict) else ""))
    if problems:
        raise InputError(problems)
    return TierRules(tuple(rules), tuple(advice), " ".join(str(data.get("signals", "")).split()))


def _program_values(program: Program, values: Mapping[str, object]) -> dict[str, object]:
    ck, practice = values.get("step2ck.score"), values.get("practice.latest")
    score = ck if isinstance(ck, int) else practice if isinstance(practice, int) else None
    usce = values.get("experience.usce_months")

    def gap(mine: object, theirs: int | None) -> int | None:
        return mine - theirs if isinstance(mine, int) and theirs is not None else None

    result = dict(values)
    result.update({f"program.{name}": getattr(program, name) for name in COLUMNS if name not in ("name", "notes")})
    result.update(
        {
            "score": score,
            "score_source": "ck" if isinstance(ck, int) else "practice" if score is not None else None,
            "score_label": "Step 2 CK score" if isinstance(ck, int) else "latest practice score",
            "program.median_gap": gap(score, program.median_step2ck),
            "program.min_gap": gap(score, program.min_step2ck),
            "program.usce_gap": gap(usce, program.usce_required_months),
        }
    )
    return result


def _fill(text: str, values: Mapping[str, object]) -> str:
    return re.sub(r"\{([a-z0-9_.]+)\}", lambda m: show(values.get(m.group(1))), text)


def place(program: Program, values: Mapping[str, object], rules: TierRules) -> Placement:
    """The tier of one program for this profile, with every reason that decided it."""
    here = _program_values(program, values)
    blocking = [_fill(r.reason, here) for r in rules.rules if r.tier == "not-a-fit" and evaluate(r.when, here)]
    if blocking:
        tier, reasons = "not-a-fit", blocking
    else:
        deciding = next((r for r in rules.rules if r.tier not in (None, "not-a-fit") and evaluate(r.when, here)), None)
        tier = deciding.tier if deciding and deciding.tier else "unknown"
        reasons = [_fill(deciding.reason, here)] if deciding else ["No rule could place this program."]
    reasons += [_fill(r.reason, here) for r in rules.rules if r.tier is None and evaluate(r.when, here)]
    missing = tuple(
        c
        for c in ("median_step2ck", "min_step2ck", "img_friendly", "sponsors_visa", "accepts_attempts")
        if getattr(program, c) is None
    )
    return Placement(program, tier, tuple(reasons), missing)


def tier_programs(programs: list[Program], values: Mapping[str, object], rules: TierRules, source: str) -> ProgramList:
    """Place every program; group by tier (likely first), then by name."""
    placements = sorted(
        (place(p, values, rules) for p in programs), key=lambda p: (TIERS.index(p.tier), p.program.name.lower())
    )
    counts: dict[str, int] = {tier: sum(1 for p in placements if p.tier == tier) for tier in TIERS}
    advice = next((text for condition, text in rules.advice if condition is None or evaluate(condition, values)), "")
    return ProgramList(source, tuple(placements), MappingProxyType(counts), advice, rules.signals)
