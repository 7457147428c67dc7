"""The profile model (version 1) and `load_profile`, which turns a YAML file into a Profile.

Every problem of a file is reported at once, each pointing at its line and column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from roadmap.errors import InputError, Problem
from roadmap.limits import MAX_PROFILE_KEYS
from roadmap.load.yamlsrc import KeyPath, YamlDoc, crowded_mappings, load_yaml, read_text
from roadmap.vocabulary import (
    GENETICS_LETTER_SPECIALTIES,
    ApplicantType,
    EcfmgPathwayStatus,
    ExamStatus,
    MatchOutcome,
    OetStatus,
    Pathway,
    RankListStatus,
    ResearchKind,
    Specialty,
)


def _whole_number(value: Any) -> Any:
    # YAML hands us text; accept plain decimal digits only, so `1:30` (YAML 1.1 base 60),
    # `0x1F`, `1_000` and `2.5` are errors rather than silent conversions.
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d{1,15}", text):
            return int(text)
        raise PydanticCustomError("whole_number", "must be a whole number")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise PydanticCustomError("iso_date", "must be a real date written YYYY-MM-DD")
    return value


def yaml_boolean(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes"):
            return True
        if lowered in ("false", "no"):
            return False
        raise PydanticCustomError("boolean", "must be true or false")
    return value


Whole = Annotated[int, BeforeValidator(_whole_number)]

# Allowed ranges of the numeric fields, by field name (errors quote them).
_RANGES = {
    "score": (1, 300),
    "attempts": (0, 6),
    "usce_months": (0, 240),
    "genetics_electives": (0, 50),
    "hours_per_week": (1, 100),
    "match_year": (2000, 2100),
    "interviews": (0, 500),
}


def _bounds(name: str, description: str | None = None) -> Any:
    low, high = _RANGES[name]
    return Field(ge=low, le=high, description=description)


Attempts = Annotated[int, BeforeValidator(_whole_number), _bounds("attempts", "attempts so far")]


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Boolean = Annotated[bool, BeforeValidator(yaml_boolean)]


def _printable(value: str) -> str:
    # Control characters (terminal escapes, bells, NULs) have no place in a name or a title, and
    # would travel into HTML, PDF, calendar and CSV outputs; drop them, keep tabs and newlines.
    return "".join(ch for ch in value if ch in "\t\n" or unicodedata.category(ch) != "Cc")


Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_printable)]
Score = Annotated[int, BeforeValidator(_whole_number), _bounds("score", "a three-digit score, 1-300")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class PracticeScore(_Model):
    """One self-assessment (NBME, UWSA, ...)."""

    form: Text
    score: Score
    date: IsoDate


class Step1(_Model):
    """A USMLE Step: its status, attempts so far and the latest (or scheduled) date."""

    status: ExamStatus = "not-taken"
    attempts: Attempts = 0
    date: IsoDate | None = None


class Step2CK(Step1):
    """Step 2 CK, which also has a score and practice self-assessments."""

    score: Score | None = None
    practice: list[PracticeScore] = Field(default_factory=list, max_length=100)


class Research(_Model):
    title: Text
    kind: ResearchKind = "other"
    genetics: Boolean = False


class Letter(_Model):
    writer: Text
    specialty: Text = Field(
        default="other",
        description="a genetics letter: "
        + ", ".join(GENETICS_LETTER_SPECIALTIES[:-1])
        + f" or {GENETICS_LETTER_SPECIALTIES[-1]}",
    )


class Experience(_Model):
    usce_months: Annotated[
        int, BeforeValidator(_whole_number), _bounds("usce_months", "US clinical experience, months")
    ] = 0
    genetics_electives: Annotated[int, BeforeValidator(_whole_number), _bounds("genetics_electives")] = 0
    research: list[Research] = Field(default_factory=list, max_length=200)
    letters: list[Letter] = Field(default_factory=list, max_length=50)
    advocacy: list[Text] = Field(default_factory=list, max_length=100)
    conferences: list[Text] = Field(default_factory=list, max_length=100)


class Study(_Model):
    hours_per_week: Annotated[int, BeforeValidator(_whole_number), _bounds("hours_per_week")] | None = None


class Ecfmg(_Model):
    oet: OetStatus = "not-taken"
    pathway: EcfmgPathwayStatus = "not-started"


class Application(_Model):
    """The season in progress: what the applicant has done since submitting."""

    submitted: IsoDate | None = Field(default=None, description="when you submitted in ERAS")
    interviews: Annotated[int, BeforeValidator(_whole_number), _bounds("interviews", "interview offers so far")] = 0
    rank_list: RankListStatus = "not-started"
    outcome: MatchOutcome = "pending"


MilestoneId = Annotated[str, Field(min_length=1, max_length=100)]


class Profile(_Model):
    """A medical student's profile, version 1 (see SPEC.md)."""

    model_config = ConfigDict(title="roadmap profile (version 1)")

    name: Text
    match_year: Annotated[
        int, BeforeValidator(_whole_number), _bounds("match_year", "Match Day is in March of this year")
    ]
    specialty: Specialty = "medical-genetics"
    applicant_type: ApplicantType = "us-img"
    pathway: Pathway = "undecided"
    graduation: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None
    step1: Step1 = Field(default_factory=Step1)
    step2ck: Step2CK = Field(default_factory=Step2CK)
    experience: Experience = Field(default_factory=Experience)
    study: Study = Field(default_factory=Study)
    ecfmg: Ecfmg = Field(default_factory=Ecfmg)
    programs: Text | None = Field(default=None, description="your own program list, relative to this file")
    done: list[MilestoneId] = Field(
        default_factory=list, max_length=100, description="ids of your own milestones that you have finished"
    )
    application: Application = Field(default_factory=Application)


def profile_schema() -> dict[str, Any]:
    """Return the profile's JSON Schema (draft 2020-12), for editors."""
    schema = Profile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def load_profile(file: Path, display: str | None = None) -> Profile:
    """Read and validate a profile; raise InputError with every problem found."""
    shown = display if display is not None else file.as_posix()
    doc = load_yaml(read_text(file, shown), shown)
    return parse_profile(doc)


def parse_profile(doc: YamlDoc) -> Profile:
    """Validate parsed YAML as a Profile."""
    if doc.data is None:
        raise InputError([doc.problem((), "the profile is empty; it needs at least name and match_year")])
    if not isinstance(doc.data, dict):
        shape = "a list" if isinstance(doc.data, list) else "text"
        raise InputError([doc.problem((), "the top level must be a mapping of fields", shape)])
    crowded = crowded_mappings(doc, MAX_PROFILE_KEYS)
    if crowded:  # refused before validation, which would suggest a spelling for every key
        raise InputError(crowded)
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError([_problem(doc, error) for error in exc.errors()]) from None
    problems = _cross_checks(profile, doc)
    if problems:
        raise InputError(problems)
    return profile


def _cross_checks(profile: Profile, doc: YamlDoc) -> list[Problem]:
    """Rules that join fields: a taken exam has a score, a scheduled one a date."""
    problems = []
    for key, exam in (("step1", profile.step1), ("step2ck", profile.step2ck)):
        if exam.status == "scheduled" and exam.date is None:
            problems.append(
                doc.problem((key, "status"), "a scheduled exam needs its date (add date: YYYY-MM-DD)", "scheduled")
            )
    ck = profile.step2ck
    if ck.status in ("passed", "failed") and ck.score is None:
        problems.append(
            doc.problem(("step2ck", "status"), "a score is required once Step 2 CK is passed or failed", ck.status)
        )
    if ck.status in ("not-taken", "scheduled") and ck.score is not None:
        message = "a score belongs to a taken exam; set status to passed or failed"
        problems.append(doc.problem(("step2ck", "score"), message, ck.score))
    return problems


def plan_checks(
    profile: Profile,
    doc: YamlDoc,
    *,
    milestone_ids: Collection[str],
    passing: Callable[[date], int | None],
    match_day: date,
    today: date,
) -> list[Problem]:
    """Rules that need the plan: `done:` ids name its milestones, a Step 2 CK result agrees with
    the passing standard of its day (`passing`), and a pending outcome belongs to a Match to come."""
    problems = [
        _unknown_milestone(doc, index, name, milestone_ids)
        for index, name in enumerate(profile.done)
        if name not in milestone_ids
    ]
    ck = profile.step2ck
    standard = passing(ck.date) if ck.date is not None and ck.score is not None else None
    if standard is not None and ck.score is not None:
        if ck.status == "passed" and ck.score < standard:
            message = f"a passed Step 2 CK score is at least {standard}, the passing standard on {ck.date}"
            problems.append(doc.problem(("step2ck", "score"), message, ck.score))
        if ck.status == "failed" and ck.score >= standard:
            message = f"a failed Step 2 CK score is below {standard}, the passing standard on {ck.date}"
            problems.append(doc.problem(("step2ck", "score"), message, ck.score))
    if match_day < today and profile.application.outcome == "pending":
        message = (
            f"the {profile.match_year} Match is over (Match Day was {match_day.isoformat()}); "
            "plan for a Match to come, or record application.outcome"
        )
        problems.append(doc.problem(("match_year",), message, profile.match_year))
    return problems


def _unknown_milestone(doc: YamlDoc, index: int, name: str, milestone_ids: Collection[str]) -> Problem:
    message = "names no milestone of this plan"
    close = difflib.get_close_matches(name, sorted(milestone_ids), n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{close[0]}'?"
    return doc.problem(("done", index), message, name)


# pydantic error types -> what we tell the user (the rule, never the exception class)
_MESSAGES = {
    "missing": "is required",
    "string_type": "must be text",
    "dict_type": "must be a mapping of fields",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "list_type": "must be a list",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "date_type": "must be a real date written YYYY-MM-DD",
    "string_too_short": "must not be empty",
}


def _problem(doc: YamlDoc, error: Any) -> Problem:
    loc: KeyPath = tuple(error["loc"])
    kind = error["type"]
    got = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(doc, loc)
    if kind == "missing":
        return doc.problem(loc, "is required")
    if kind == "literal_error":
        allowed = literal_choices(error)
        message = f"must be one of {', '.join(allowed)}"
        if isinstance(got, str):
            close = difflib.get_close_matches(got.lower(), allowed, n=1)
            if close:
                message += f"; did you mean '{close[0]}'?"
        return doc.problem(loc, message, got)
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = _RANGES[str(next(p for p in reversed(loc) if isinstance(p, str)))]
        return doc.problem(loc, f"must be a whole number from {low} to {high}", got)
    if kind == "string_too_short":
        return doc.problem(loc, "must not be empty")
    if kind == "string_too_long":
        return doc.problem(loc, f"is too long (at most {error['ctx']['max_length']} characters)", got)
    if kind == "too_long":
        return doc.problem(loc, f"has too many items (at most {error['ctx']['max_length']})", len(got or []))
    if kind == "string_pattern_mismatch":
        return doc.problem(loc, "must be a year and month written YYYY-MM", got)
    message = _MESSAGES.get(kind, error["msg"])
    return doc.problem(loc, message, "null" if got is None else got)


def literal_choices(error: Any) -> list[str]:
    """The allowed values of a pydantic literal_error ("'a', 'b' or 'c'" -> [a, b, c])."""
    expected = str(error["ctx"]["expected"]).replace("'", "")
    return [part.strip() for part in re.split(r",| or ", expected) if part.strip()]


def _unknown_key(doc: YamlDoc, loc: KeyPath) -> Problem:
    key = str(loc[-1])
    model = _model_at(loc[:-1])
    message = "unknown field"
    if model is not None:
        close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
        else:
            message += f" (allowed: {', '.join(model.model_fields)})"
    return doc.problem(loc, message, key, key=True)


def _model_at(loc: KeyPath) -> type[BaseModel] | None:
    """Find the model class that a location inside the profile belongs to."""
    model: type[BaseModel] = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = _first_model(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _first_model(arg)
        if found is not None:
            return found
    return None
