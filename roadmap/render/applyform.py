"""The site's "Which of these apply to me?" form, decided in Python exactly as the browser does.

The browser gets the modules' conditions as JSON, the namespace values of an empty profile, and
a small script that overrides the values the form asks for. This module is the reference for
that script: the shared test vectors (tests/vectors/apply-form.json) run through both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from roadmap import vocabulary
from roadmap.decide.facts import derive_facts, flags_for
from roadmap.load.conditions import evaluate, to_json
from roadmap.load.profile import Profile
from roadmap.load.seasons import SeasonTable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.load.content import Library
    from roadmap.load.rules import Rules

# The form's choices (the site's select boxes list them): every Step 1 status and applicant type.
STEP1_STATUSES = vocabulary.EXAM_STATUSES
APPLICANT_TYPES = vocabulary.APPLICANT_TYPES


@dataclass(frozen=True)
class FormAnswers:
    """What a visitor tells the form; blank numbers are None."""

    stage: str
    step1_status: str
    ck_score: int | None
    practice_latest: int | None
    match_year: int
    applicant_type: str = vocabulary.APPLICANT_TYPES[0]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormAnswers:
        return cls(
            stage=data["stage"],
            step1_status=data["step1_status"],
            ck_score=data.get("ck_score"),
            practice_latest=data.get("practice_latest"),
            match_year=data["match_year"],
            applicant_type=data.get("applicant_type", vocabulary.APPLICANT_TYPES[0]),
        )


def form_profile(answers: FormAnswers, today: date) -> Profile:
    """The profile the answers describe: a passed CK when a score is given, one failed Step 1 attempt if failed."""
    step1: dict[str, Any] = {
        "status": answers.step1_status,
        "attempts": 1 if answers.step1_status in vocabulary.TAKEN_STATUSES else 0,
    }
    if answers.step1_status == "scheduled":
        step1["date"] = today.isoformat()
    step2ck: dict[str, Any] = {}
    if answers.ck_score is not None:
        step2ck.update(status="passed", score=str(answers.ck_score), attempts="1")
    if answers.practice_latest is not None:
        step2ck["practice"] = [{"form": "practice", "score": str(answers.practice_latest), "date": today.isoformat()}]
    data = {
        "name": "You",
        "match_year": str(answers.match_year),
        "applicant_type": answers.applicant_type,
        "step1": step1,
        "step2ck": step2ck,
    }
    return Profile.model_validate(data)


def form_values(answers: FormAnswers, today: date, rules: Rules | None = None) -> dict[str, object]:
    """Namespace values for the answers; the chosen stage wins over the one the dates imply."""
    profile = form_profile(answers, today)
    values = dict(derive_facts(profile, today, rules).values)
    values["stage"] = answers.stage
    # The form asks too little to judge whether a Match year still fits: it assumes it does,
    # as the browser does (its defaults say so too).
    values["feasibility.status"] = vocabulary.FEASIBILITY_STATUSES[0]
    # Nor does it ask for a Step 2 CK date: it assumes the exam comes before submission.
    values["step2ck.after_submit"] = False
    values["flags"] = flags_for(profile, values, today, rules)
    return values


def matching_modules(library: Library, answers: FormAnswers, today: date) -> list[str]:
    """The ids of the modules whose conditions hold for the answers, in library order."""
    values = form_values(answers, today)
    return [m.id for m in library.modules if m.when is None or evaluate(m.when, values)]


def rules_json(library: Library) -> list[dict[str, Any]]:
    """Every module's condition as JSON, for the browser."""
    return [{"id": m.id, "when": None if m.when is None else to_json(m.when)} for m in library.modules]


def browser_rules(library: Library, rules: Rules, today: date) -> dict[str, Any]:
    """What the browser's copy of form_values needs: the modules' conditions, an empty profile's
    values, and the rule data (score bands, flag conditions, season start, IMG types), so that
    no threshold is written twice (site.js reads them from here)."""
    month, day = rules.season_start_day
    estimated = SeasonTable(MappingProxyType({}), rules)  # form_values reads no season file either
    return {
        "rules": rules_json(library),
        "defaults": _empty_profile_values(today, rules),
        "titles": {m.id: m.title for m in library.modules},
        "bands": [[band.low, band.id] for band in rules.bands],
        "flags": [{"id": flag.id, "when": to_json(flag.when)} for flag in rules.flags],
        "season": {"years": rules.application_year, "month": month, "day": day},
        # The day programs start reviewing, by Match year, as the form's own facts estimate it.
        "review_begins": {
            str(year): estimated.season_for(year).eras_review.date.isoformat()
            for year in range(today.year - FORM_YEARS_BACK, today.year + FORM_YEARS_AHEAD + 1)
        },
        "img_types": list(vocabulary.IMG_TYPES),
        "default_type": vocabulary.APPLICANT_TYPES[0],
    }


# The Match years the browser knows the review day of (the form's year field takes any year; an
# unknown one reads as "review has not begun").
FORM_YEARS_BACK, FORM_YEARS_AHEAD = 2, 10


def _empty_profile_values(today: date, rules: Rules) -> dict[str, Any]:
    """The namespace values of an empty profile, which the browser form then overrides."""
    profile = Profile.model_validate({"name": "You", "match_year": str(today.year + 1)})
    values = dict(derive_facts(profile, today, rules).values)
    values["feasibility.status"] = vocabulary.FEASIBILITY_STATUSES[0]  # see form_values
    values["step2ck.after_submit"] = False  # see form_values
    return {
        k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v) for k, v in values.items()
    }
