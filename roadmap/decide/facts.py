"""Derive where a person stands (stage, flags, practice trend) from a Profile and `today`.

Pure functions: no I/O and no clock. The result is the flat namespace of dotted paths that
`when:` conditions test and `{{ path }}` substitutions print (see docs/namespace.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from roadmap.decide.feasibility import Chain, Feasibility, assess, chain
from roadmap.load.rules import rules_or_builtin
from roadmap.load.seasons import SeasonTable
from roadmap.vocabulary import GENETICS_LETTER_SPECIALTIES, IMG_TYPES, TAKEN_STATUSES

if TYPE_CHECKING:
    from roadmap.load.namespace import FieldSpec
    from roadmap.load.profile import PracticeScore, Profile, Step1
    from roadmap.load.rules import Rules

# The stages, flags, score bands, trend and season start are data (content/data/stages.yaml and
# scores.yaml, read by roadmap.load.rules); this module only interprets them.
Stage = str
if TYPE_CHECKING:  # served by __getattr__ below
    FIELDS: Mapping[str, FieldSpec]
    STAGES: tuple[str, ...]
    FLAGS: tuple[str, ...]


def __getattr__(name: str) -> object:
    """FIELDS, STAGES and FLAGS of the built-in rules, for callers that need no --content folder."""
    if name in ("FIELDS", "STAGES", "FLAGS"):
        rules = rules_or_builtin(None)
        return {"FIELDS": rules.fields, "STAGES": rules.stage_ids, "FLAGS": rules.flag_ids}[name]
    raise AttributeError(name)


@dataclass(frozen=True)
class Facts:
    """Where a person stands on a given day."""

    stage: Stage
    flags: tuple[str, ...]
    practice: tuple[PracticeScore, ...]  # sorted by date, oldest first
    season_start: date
    values: Mapping[str, object]  # the namespace: dotted path -> value (None when unknown)
    dates: Chain | None = None  # what is left, dated (roadmap.decide.feasibility)
    feasibility: Feasibility | None = None


def season_start(match_year: int, rules: Rules | None = None) -> date:
    """The SPEC's stage boundary (September 1 of match_year - 1, from stages.yaml)."""
    return rules_or_builtin(rules).season_start(match_year)


def failed_attempts(exam: Step1) -> int:
    """Count failed attempts: every attempt that was not the passing one."""
    attempts = exam.attempts
    if exam.status in ("passed", "failed"):
        attempts = max(attempts, 1)  # a taken exam was attempted at least once
    return attempts - 1 if exam.status == "passed" else attempts


def stage_of(profile: Profile, today: date, rules: Rules | None = None) -> Stage:
    """Apply the stage table of stages.yaml."""
    return derive_facts(profile, today, rules).stage


# NBME forms are the yardstick the seed measures readiness by; other self-assessments (UWSA, ...)
# are shown, and drive flags and topics only when the profile has no NBME form.
_YARDSTICK_FORM = "NBME"


def yardstick(practice: tuple[PracticeScore, ...]) -> tuple[PracticeScore, ...]:
    """The practice scores that count for flags and topics: the NBME forms, or all when there are none."""
    nbme = tuple(p for p in practice if p.form.strip().upper().startswith(_YARDSTICK_FORM))
    return nbme or practice


def practice_trend(scores: tuple[int, ...], rules: Rules | None = None) -> str:
    """Name the trend of the last few practice scores."""
    if not scores:
        return "none"
    if len(scores) == 1:
        return "single"
    trend = rules_or_builtin(rules).trend
    window = scores[-trend.window :]
    change = window[-1] - window[0]
    if change >= trend.step:
        return "rising"
    if change <= -trend.step:
        return "falling"
    return "flat"


def score_band(score: int | None, rules: Rules | None = None) -> str | None:
    """Return the Step 2 CK band of a score (scores.yaml)."""
    if score is None:
        return None
    return next(band.id for band in rules_or_builtin(rules).bands if score >= band.low)


def taken(exam: Step1, today: date) -> bool:
    """Whether the exam is behind the person: a result is in, or its day has come."""
    return exam.status in TAKEN_STATUSES or (exam.date is not None and exam.date <= today)


def months_between(today: date, target: date) -> int:
    """The fewest whole months after `today` that reach `target` (<= 0 once it has passed)."""
    months = (target.year - today.year) * 12 + (target.month - today.month)
    # Adding `months` lands in the target's month on today's day; short of the target's day
    # it takes one more month.
    return months + 1 if today.day < target.day else months


def derive_facts(
    profile: Profile, today: date, rules: Rules | None = None, seasons: SeasonTable | None = None
) -> Facts:
    """Compute the stage, flags and every namespace value for `profile` on `today`.

    The dates left (and whether they fit the Match year) come before the flags, which read them;
    without a season table the season dates are the estimates of season_rules.yaml.
    """
    rules = rules_or_builtin(rules)
    seasons = seasons if seasons is not None else SeasonTable(MappingProxyType({}), rules)
    season = seasons.season_for(profile.match_year)
    dates = chain(profile, today, season, rules)
    years = rules.training
    feasibility = assess(profile, today, seasons, rules, dates)
    ck = profile.step2ck
    exp = profile.experience
    practice = tuple(sorted(ck.practice, key=lambda p: p.date))  # stable: ties keep file order
    measured = yardstick(practice)
    scores = tuple(p.score for p in measured)
    latest = measured[-1] if measured else None
    start = rules.season_start(profile.match_year)
    step1_failed = failed_attempts(profile.step1)
    ck_failed = failed_attempts(ck)
    genetics_letters = sum(1 for letter in exp.letters if letter.specialty.lower() in GENETICS_LETTER_SPECIALTIES)
    values: dict[str, object] = {
        "name": profile.name,
        "match_year": profile.match_year,
        "specialty": profile.specialty,
        "applicant_type": profile.applicant_type,
        "is_img": profile.applicant_type in IMG_TYPES,
        "pathway": profile.pathway,
        "graduation": profile.graduation,
        "step1.status": profile.step1.status,
        "step1.attempts": profile.step1.attempts,
        "step1.failed_attempts": step1_failed,
        "step1.date": profile.step1.date,
        "step1.taken": taken(profile.step1, today),
        "step2ck.status": ck.status,
        "step2ck.attempts": ck.attempts,
        "step2ck.failed_attempts": ck_failed,
        "step2ck.date": ck.date,
        "step2ck.taken": taken(ck, today),
        "step2ck.score": ck.score,
        "step2ck.band": score_band(ck.score, rules),
        "step2ck.planned_date": None if dates.ck is None else dates.ck.date,
        "step2ck.after_window": dates.ck_after_window,
        "step2ck.after_submit": dates.ck is not None and dates.ck.date > season.eras_submit.date,
        "feasibility.status": feasibility.status,
        "failed_attempts": step1_failed + ck_failed,
        "practice.latest": latest.score if latest else None,
        "practice.latest_form": latest.form if latest else None,
        "practice.latest_date": latest.date if latest else None,
        "practice.best": max(scores) if scores else None,
        "practice.count": len(practice),
        "practice.trend": practice_trend(scores, rules),
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
        "application.submitted": profile.application.submitted,
        "application.interviews": profile.application.interviews,
        "application.rank_list": profile.application.rank_list,
        "application.outcome": profile.application.outcome,
        "today": today,
        "match_year_begun": today.year >= profile.match_year,
        "season.year": start.year,
        "season.start": start,
        "days_to_season": (start - today).days,
        "months_to_season": months_between(today, start),
        "years_to_season": start.year - today.year,
        "season.review_begun": today >= season.eras_review.date,
        # Each route starts on July 1 of the Match year; a route of N years ends in match_year + N.
        "training.finish_combined": profile.match_year + years.combined,
        "training.finish_categorical": profile.match_year + years.categorical,
        "training.finish_primary_first": profile.match_year + years.primary + years.genetics_residency,
        "training.mgg_start_year": profile.match_year + years.primary,
        "training.mgg_apply_year": profile.match_year + years.primary - years.genetics_apply_lead,
    }
    stage = rules.stage_for(values)
    values["stage"] = stage
    flags = flags_for(profile, values, today, rules)
    values["flags"] = flags
    return Facts(stage, flags, practice, start, MappingProxyType(values), dates, feasibility)


def flags_for(
    profile: Profile, values: Mapping[str, object], today: date, rules: Rules | None = None
) -> tuple[str, ...]:
    """The flags of scores.yaml whose conditions hold for these namespace values (stage included)."""
    return rules_or_builtin(rules).flags_for(values)
