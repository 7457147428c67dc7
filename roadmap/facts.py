"""Derive where a person stands (stage, flags, practice trend) from a Profile and `today`.

Pure functions: no I/O and no clock. The result is the flat namespace of dotted paths that
`when:` conditions test and `{{ path }}` substitutions print (see docs/namespace.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from roadmap.profile import GENETICS_LETTER_SPECIALTIES

if TYPE_CHECKING:
    from roadmap.profile import PracticeScore, Profile, Step1

STAGES = ("preclinical", "step1", "step2ck", "application")
Stage = Literal["preclinical", "step1", "step2ck", "application"]
FLAGS = (
    "step1-failed",
    "step2ck-failed",
    "low-step2ck",
    "practice-below-230",
    "no-genetics-letter",
    "no-usce",
    "score-pending",
)
# Step 2 CK score bands from the seed article, (lowest score, band id), highest first.
SCORE_BANDS = ((250, "250-plus"), (240, "240-249"), (230, "230-239"), (225, "225-229"), (1, "below-225"))
# A practice trend over the last three scores: a move of 5 points or more either way counts.
TREND_WINDOW = 3
TREND_STEP = 5

Kind = Literal["text", "int", "bool", "date", "enum", "list"]


@dataclass(frozen=True)
class FieldSpec:
    """One path of the namespace: how to phrase it and which values it can take."""

    label: str
    kind: Kind
    choices: tuple[str, ...] = ()
    nullable: bool = False  # may be unknown (None) for some profiles
    counted: bool = False  # a count, worded "Genetics electives on your record: 0, below 1."


_EXAM = ("not-taken", "scheduled", "passed", "failed")
FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "name": FieldSpec("Your name", "text"),
        "match_year": FieldSpec("Your Match year", "int"),
        "specialty": FieldSpec("Your specialty", "enum", ("medical-genetics",)),
        "applicant_type": FieldSpec("Your applicant type", "enum", ("us-img", "non-us-img", "us-md", "us-do")),
        "is_img": FieldSpec("You apply as an international medical graduate", "bool"),
        "pathway": FieldSpec(
            "Your chosen pathway", "enum", ("combined-peds", "combined-im", "primary-then-fellowship", "undecided")
        ),
        "graduation": FieldSpec("Your graduation", "text", nullable=True),
        "stage": FieldSpec("Your stage", "enum", STAGES),
        "flags": FieldSpec("Your plan's flags", "list", FLAGS),
        "step1.status": FieldSpec("Your Step 1 status", "enum", _EXAM),
        "step1.attempts": FieldSpec("Step 1 attempts so far", "int", counted=True),
        "step1.failed_attempts": FieldSpec("Failed Step 1 attempts on your record", "int", counted=True),
        "step1.date": FieldSpec("Your Step 1 date", "date", nullable=True),
        "step2ck.status": FieldSpec("Your Step 2 CK status", "enum", _EXAM),
        "step2ck.attempts": FieldSpec("Step 2 CK attempts so far", "int", counted=True),
        "step2ck.failed_attempts": FieldSpec("Failed Step 2 CK attempts on your record", "int", counted=True),
        "step2ck.date": FieldSpec("Your Step 2 CK date", "date", nullable=True),
        "step2ck.score": FieldSpec("Your Step 2 CK score", "int", nullable=True),
        "step2ck.band": FieldSpec("Your Step 2 CK score band", "enum", tuple(b for _, b in SCORE_BANDS), nullable=True),
        "failed_attempts": FieldSpec("Failed exam attempts on your record (Step 1 and Step 2 CK)", "int", counted=True),
        "practice.latest": FieldSpec("Your latest practice score", "int", nullable=True),
        "practice.latest_form": FieldSpec("Your latest practice form", "text", nullable=True),
        "practice.latest_date": FieldSpec("Your latest practice test date", "date", nullable=True),
        "practice.best": FieldSpec("Your best practice score", "int", nullable=True),
        "practice.count": FieldSpec("Practice scores entered", "int", counted=True),
        "practice.trend": FieldSpec(
            "Your practice-score trend", "enum", ("none", "single", "rising", "flat", "falling")
        ),
        "experience.usce_months": FieldSpec("Months of US clinical experience", "int", counted=True),
        "experience.genetics_electives": FieldSpec("Genetics electives on your record", "int", counted=True),
        "experience.research_count": FieldSpec("Research items on your record", "int", counted=True),
        "experience.genetics_research_count": FieldSpec("Genetics research items on your record", "int", counted=True),
        "experience.letters_count": FieldSpec("Letters of recommendation listed", "int", counted=True),
        "experience.genetics_letters": FieldSpec("Letters from genetics writers", "int", counted=True),
        "experience.advocacy_count": FieldSpec("Advocacy activities listed", "int", counted=True),
        "experience.conferences_count": FieldSpec("Conferences listed", "int", counted=True),
        "study.hours_per_week": FieldSpec("Your study hours per week", "int", nullable=True),
        "ecfmg.oet": FieldSpec("Your OET Medicine status", "enum", ("not-taken", "scheduled", "passed")),
        "ecfmg.pathway": FieldSpec("Your ECFMG Pathway status", "enum", ("not-started", "applied", "met")),
        "today": FieldSpec("The planning date", "date"),
        "season.year": FieldSpec("Your application year", "int"),
        "season.start": FieldSpec("The application season start", "date"),
        "days_to_season": FieldSpec("Days until September 1 of your application year", "int", counted=True),
        "months_to_season": FieldSpec("Months until September 1 of your application year", "int", counted=True),
    }
)


@dataclass(frozen=True)
class Facts:
    """Where a person stands on a given day."""

    stage: Stage
    flags: tuple[str, ...]
    practice: tuple[PracticeScore, ...]  # sorted by date, oldest first
    season_start: date
    values: Mapping[str, object]  # the namespace: dotted path -> value (None when unknown)


def season_start(match_year: int) -> date:
    """September 1 of the application year (match_year - 1): the SPEC's stage boundary."""
    return date(match_year - 1, 9, 1)


def failed_attempts(exam: Step1) -> int:
    """Count failed attempts: every attempt that was not the passing one."""
    attempts = exam.attempts
    if exam.status in ("passed", "failed"):
        attempts = max(attempts, 1)  # a taken exam was attempted at least once
    return attempts - 1 if exam.status == "passed" else attempts


def stage_of(profile: Profile, today: date) -> Stage:
    """Apply the SPEC's stage table."""
    step1 = profile.step1
    start = season_start(profile.match_year)
    if step1.status == "not-taken" and step1.date is None and start.year - today.year >= 2:
        return "preclinical"
    if step1.status != "passed":
        return "step1"
    if profile.step2ck.status != "passed" and today < start:
        return "step2ck"
    return "application"


def practice_trend(scores: tuple[int, ...]) -> str:
    """Name the trend of the last few practice scores."""
    if not scores:
        return "none"
    if len(scores) == 1:
        return "single"
    window = scores[-TREND_WINDOW:]
    change = window[-1] - window[0]
    if change >= TREND_STEP:
        return "rising"
    if change <= -TREND_STEP:
        return "falling"
    return "flat"


def score_band(score: int | None) -> str | None:
    """Return the SPEC's Step 2 CK band of a score."""
    if score is None:
        return None
    return next(band for low, band in SCORE_BANDS if score >= low)


def months_between(today: date, target: date) -> int:
    """The fewest whole months after `today` that reach `target` (<= 0 once it has passed)."""
    months = (target.year - today.year) * 12 + (target.month - today.month)
    # Adding `months` lands in the target's month on today's day; short of the target's day
    # it takes one more month.
    return months + 1 if today.day < target.day else months


def derive_facts(profile: Profile, today: date) -> Facts:
    """Compute the stage, flags and every namespace value for `profile` on `today`."""
    ck = profile.step2ck
    exp = profile.experience
    practice = tuple(sorted(ck.practice, key=lambda p: p.date))  # stable: ties keep file order
    scores = tuple(p.score for p in practice)
    latest = practice[-1] if practice else None
    stage = stage_of(profile, today)
    start = season_start(profile.match_year)
    step1_failed = failed_attempts(profile.step1)
    ck_failed = failed_attempts(ck)
    genetics_letters = sum(1 for letter in exp.letters if letter.specialty.lower() in GENETICS_LETTER_SPECIALTIES)
    values: dict[str, object] = {
        "name": profile.name,
        "match_year": profile.match_year,
        "specialty": profile.specialty,
        "applicant_type": profile.applicant_type,
        "is_img": profile.applicant_type in ("us-img", "non-us-img"),
        "pathway": profile.pathway,
        "graduation": profile.graduation,
        "stage": stage,
        "step1.status": profile.step1.status,
        "step1.attempts": profile.step1.attempts,
        "step1.failed_attempts": step1_failed,
        "step1.date": profile.step1.date,
        "step2ck.status": ck.status,
        "step2ck.attempts": ck.attempts,
        "step2ck.failed_attempts": ck_failed,
        "step2ck.date": ck.date,
        "step2ck.score": ck.score,
        "step2ck.band": score_band(ck.score),
        "failed_attempts": step1_failed + ck_failed,
        "practice.latest": latest.score if latest else None,
        "practice.latest_form": latest.form if latest else None,
        "practice.latest_date": latest.date if latest else None,
        "practice.best": max(scores) if scores else None,
        "practice.count": len(scores),
        "practice.trend": practice_trend(scores),
        "experience.usce_months": exp.usce_months,
        "experience.genetics_electives": exp.genetics_electives,
        "experience.research_count": len(exp.research),
        "experience.genetics_research_count": sum(1 for r in exp.research if r.genetics),
        "experience.letters_count": len(exp.letters),
        "experience.genetics_letters": genetics_letters,
        "experience.advocacy_count": len(exp.advocacy),
        "experience.conferences_count": len(exp.conferences),
        "study.hours_per_week": profile.study.hours_per_week,
        "ecfmg.oet": profile.ecfmg.oet,
        "ecfmg.pathway": profile.ecfmg.pathway,
        "today": today,
        "season.year": profile.match_year - 1,
        "season.start": start,
        "days_to_season": (start - today).days,
        "months_to_season": months_between(today, start),
    }
    flags = flags_for(profile, values, today)
    values["flags"] = flags
    return Facts(stage, flags, practice, start, MappingProxyType(values))


def flags_for(profile: Profile, values: Mapping[str, object], today: date) -> tuple[str, ...]:
    """The SPEC's flags, from the profile and its namespace values (stage included)."""
    ck = profile.step2ck
    raised = {
        "step1-failed": values["step1.failed_attempts"] != 0,
        "step2ck-failed": values["step2ck.failed_attempts"] != 0,
        "low-step2ck": ck.score is not None and ck.score < 230,
        "practice-below-230": isinstance(values["practice.latest"], int) and values["practice.latest"] < 230,
        "no-genetics-letter": values["stage"] in ("step2ck", "application")
        and values["experience.genetics_letters"] == 0,
        "no-usce": profile.experience.usce_months == 0,
        # Taken but not yet scored: the exam day has come while the status still says scheduled.
        "score-pending": ck.status == "scheduled" and ck.date is not None and ck.date <= today,
    }
    return tuple(flag for flag in FLAGS if raised[flag])
