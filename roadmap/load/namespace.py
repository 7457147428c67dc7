"""The namespace that `when:` conditions test and `{{ path }}` substitutions print: each dotted
path, how a reader is told about it, and which values it can take (docs/namespace.md).

It is a schema, not a computation: roadmap.decide.facts fills it in for a profile, and the rule files
(roadmap.load.rules) give `stage`, `flags` and `step2ck.band` their choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from roadmap.vocabulary import (
    APPLICANT_TYPES,
    ECFMG_PATHWAY_STATUSES,
    EXAM_STATUSES,
    FEASIBILITY_STATUSES,
    MATCH_OUTCOMES,
    OET_STATUSES,
    PATHWAYS,
    RANK_LIST_STATUSES,
    SPECIALTIES,
)

Kind = Literal["text", "int", "bool", "date", "enum", "list"]


@dataclass(frozen=True)
class FieldSpec:
    """One path of the namespace: how to phrase it and which values it can take."""

    label: str
    kind: Kind
    choices: tuple[str, ...] = ()
    nullable: bool = False  # may be unknown (None) for some profiles
    counted: bool = False  # a count, worded "Genetics electives on your record: 0, below 1."


_EXAM = EXAM_STATUSES
# The namespace; `stage`, `flags` and `step2ck.band` take their choices from the loaded rules
# (see namespace_fields).
BASE_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "name": FieldSpec("Your name", "text"),
        "match_year": FieldSpec("Your Match year", "int"),
        "specialty": FieldSpec("Your specialty", "enum", SPECIALTIES),
        "applicant_type": FieldSpec("Your applicant type", "enum", APPLICANT_TYPES),
        "is_img": FieldSpec("You apply as an international medical graduate", "bool"),
        "pathway": FieldSpec("Your chosen pathway", "enum", PATHWAYS),
        "graduation": FieldSpec("Your graduation", "text", nullable=True),
        "stage": FieldSpec("Your stage", "enum"),
        "flags": FieldSpec("Your plan's flags", "list"),
        "step1.status": FieldSpec("Your Step 1 status", "enum", _EXAM),
        "step1.attempts": FieldSpec("Step 1 attempts so far", "int", counted=True),
        "step1.failed_attempts": FieldSpec("Failed Step 1 attempts on your record", "int", counted=True),
        "step1.date": FieldSpec("Your Step 1 date", "date", nullable=True),
        "step1.taken": FieldSpec("Your Step 1 exam day has come (or its result is in)", "bool"),
        "step2ck.status": FieldSpec("Your Step 2 CK status", "enum", _EXAM),
        "step2ck.attempts": FieldSpec("Step 2 CK attempts so far", "int", counted=True),
        "step2ck.failed_attempts": FieldSpec("Failed Step 2 CK attempts on your record", "int", counted=True),
        "step2ck.date": FieldSpec("Your Step 2 CK date", "date", nullable=True),
        "step2ck.taken": FieldSpec("Your Step 2 CK exam day has come (or its result is in)", "bool"),
        "step2ck.score": FieldSpec("Your Step 2 CK score", "int", nullable=True),
        "step2ck.band": FieldSpec("Your Step 2 CK score band", "enum", nullable=True),
        # The CK date given, or the one the plan proposes (roadmap.decide.feasibility).
        "step2ck.planned_date": FieldSpec("Your Step 2 CK date (given or proposed)", "date", nullable=True),
        "step2ck.after_window": FieldSpec("Your Step 2 CK date is after the April to July window", "bool"),
        "step2ck.after_submit": FieldSpec(
            "Your Step 2 CK date (given or proposed) is after applications open for submission", "bool"
        ),
        "feasibility.status": FieldSpec("Your timing for this Match year", "enum", FEASIBILITY_STATUSES),
        "failed_attempts": FieldSpec("Failed exam attempts on your record (Step 1 and Step 2 CK)", "int", counted=True),
        # The latest NBME form when the profile has one, otherwise the latest of any kind.
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
        "ecfmg.oet": FieldSpec("Your OET Medicine status", "enum", OET_STATUSES),
        "ecfmg.pathway": FieldSpec("Your ECFMG Pathway status", "enum", ECFMG_PATHWAY_STATUSES),
        "application.submitted": FieldSpec("The day you submitted your application", "date", nullable=True),
        "application.interviews": FieldSpec("Interview offers so far", "int", counted=True),
        "application.rank_list": FieldSpec("Your rank order list", "enum", RANK_LIST_STATUSES),
        "application.outcome": FieldSpec("Your Match outcome", "enum", MATCH_OUTCOMES),
        "today": FieldSpec("The planning date", "date"),
        "match_year_begun": FieldSpec("Your Match year has begun", "bool"),
        "season.year": FieldSpec("Your application year", "int"),
        "season.start": FieldSpec("The application season start", "date"),
        "days_to_season": FieldSpec("Days until September 1 of your application year", "int", counted=True),
        "months_to_season": FieldSpec("Months until September 1 of your application year", "int", counted=True),
        "years_to_season": FieldSpec("Calendar years from this year to your application year", "int", counted=True),
        "season.review_begun": FieldSpec("Programs have begun reviewing applications of your season", "bool"),
        "training.finish_combined": FieldSpec("The year a combined genetics program would end", "int"),
        "training.finish_categorical": FieldSpec("The year a categorical genetics program would end", "int"),
        "training.finish_primary_first": FieldSpec("The year the primary-residency-first route would end", "int"),
        "training.mgg_start_year": FieldSpec("The year the genetics residency would start after a primary one", "int"),
        "training.mgg_apply_year": FieldSpec("The year you would apply for that genetics residency", "int"),
    }
)


def namespace_fields(
    stages: tuple[str, ...], flags: tuple[str, ...], bands: tuple[str, ...]
) -> Mapping[str, FieldSpec]:
    """The namespace of a run: BASE_FIELDS with the choices its rule files define."""
    fields = dict(BASE_FIELDS)
    fields["stage"] = FieldSpec(fields["stage"].label, "enum", stages)
    fields["flags"] = FieldSpec(fields["flags"].label, "list", flags)
    fields["step2ck.band"] = FieldSpec(fields["step2ck.band"].label, "enum", bands, nullable=True)
    return MappingProxyType(fields)
