"""The fixed words of the tool, each spelled once: the values a field can take and how a reader sees them.

The typed literals of the models (profile, programs, plan), the labels in outputs and the choices
of the site's form are all taken from here. Stages, flags and score bands are not here: they are
rules, read from content/data/ (see roadmap.load.rules).

A Literal cannot be built from a tuple for the type checker, so each enumeration is written as
its Literal, and its tuple is taken from it with `get_args`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

ExamStatus = Literal["not-taken", "scheduled", "passed", "failed"]
EXAM_STATUSES: tuple[ExamStatus, ...] = get_args(ExamStatus)
TAKEN_STATUSES: tuple[ExamStatus, ...] = ("passed", "failed")

ApplicantType = Literal["us-img", "non-us-img", "us-md", "us-do"]
APPLICANT_TYPES: tuple[ApplicantType, ...] = get_args(ApplicantType)
# International medical graduates: the applicant types that need ECFMG certification.
IMG_TYPES: tuple[ApplicantType, ...] = ("us-img", "non-us-img")

Pathway = Literal["combined-peds", "combined-im", "primary-then-fellowship", "undecided"]
PATHWAYS: tuple[Pathway, ...] = get_args(Pathway)

Specialty = Literal["medical-genetics"]
SPECIALTIES: tuple[Specialty, ...] = get_args(Specialty)

OetStatus = Literal["not-taken", "scheduled", "passed"]
OET_STATUSES: tuple[OetStatus, ...] = get_args(OetStatus)

EcfmgPathwayStatus = Literal["not-started", "applied", "met"]
ECFMG_PATHWAY_STATUSES: tuple[EcfmgPathwayStatus, ...] = get_args(EcfmgPathwayStatus)

ResearchKind = Literal["case-report", "poster", "abstract", "publication", "chart-review", "qi", "other"]
RESEARCH_KINDS: tuple[ResearchKind, ...] = get_args(ResearchKind)

# A letter from a writer in one of these specialties counts as a genetics letter.
GeneticsLetterSpecialty = Literal["medical-genetics", "maternal-fetal-medicine", "genetic-counseling"]
GENETICS_LETTER_SPECIALTIES: tuple[GeneticsLetterSpecialty, ...] = get_args(GeneticsLetterSpecialty)

MilestoneKind = Literal["deadline", "exam", "task", "event", "checkpoint"]
MILESTONE_KINDS: tuple[MilestoneKind, ...] = get_args(MilestoneKind)

# Where a milestone's date comes from: an official calendar, the person's own profile, or the plan's advice.
MilestoneOrigin = Literal["official", "profile", "plan"]
MILESTONE_ORIGINS: tuple[MilestoneOrigin, ...] = get_args(MilestoneOrigin)

# done: the profile records it; past: an official date gone by that asks nothing of the applicant.
MilestoneStatus = Literal["done", "past", "overdue", "next", "later"]
MILESTONE_STATUSES: tuple[MilestoneStatus, ...] = get_args(MilestoneStatus)

# Whether the rest of the exams and certification still fit this Match year (roadmap.decide.feasibility).
# How much of the guidance a plan prints: the current stage in full and the rest as summaries
# (short, the default), or every selected section in full.
Detail = Literal["short", "full"]
DETAILS: tuple[Detail, ...] = get_args(Detail)

FeasibilityStatus = Literal["on-track", "tight", "at-risk"]
FEASIBILITY_STATUSES: tuple[FeasibilityStatus, ...] = get_args(FeasibilityStatus)

# The season in progress (the profile's `application:` block).
RankListStatus = Literal["not-started", "draft", "certified"]
RANK_LIST_STATUSES: tuple[RankListStatus, ...] = get_args(RankListStatus)

MatchOutcome = Literal["pending", "matched", "unmatched"]
MATCH_OUTCOMES: tuple[MatchOutcome, ...] = get_args(MatchOutcome)

# Milestones every plan has, so module bodies may always print them as {{ milestones.<id> }}.
ALWAYS_MILESTONES = (
    "eras-opens",
    "eras-submit",
    "eras-review",
    "nrmp-registration",
    "rol-deadline",
    "match-day",
    "ck-window-start",
    "ck-window-end",
    "ck-latest-safe",
)

Track = Literal["categorical-mgg", "peds-mgg", "im-mgg", "pediatrics", "internal-medicine", "other"]
TRACKS: tuple[Track, ...] = get_args(Track)

YesNo = Literal["yes", "no"]
YES_NO: tuple[YesNo, ...] = get_args(YesNo)

VisaSponsorship = Literal["none", "j1", "h1b"]
VISA_SPONSORSHIPS: tuple[VisaSponsorship, ...] = get_args(VisaSponsorship)

Signal = Literal["gold", "silver", "none"]
SIGNALS: tuple[Signal, ...] = get_args(Signal)

Tier = Literal["likely", "target", "reach", "not-a-fit", "unknown"]
TIERS: tuple[Tier, ...] = get_args(Tier)


def _labels(labels: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(labels)


# How a reader sees each value, in a sentence ("Your Step 1 status is not taken.").
EXAM_STATUS_LABELS = _labels(
    {"not-taken": "not taken", "scheduled": "scheduled", "passed": "passed", "failed": "failed"}
)
APPLICANT_TYPE_LABELS = _labels(
    {"us-img": "US-citizen IMG", "non-us-img": "non-US IMG", "us-md": "US MD", "us-do": "US DO"}
)
PATHWAY_LABELS = _labels(
    {
        "combined-peds": "combined pediatrics/medical genetics",
        "combined-im": "combined internal medicine/medical genetics",
        "primary-then-fellowship": "primary residency, then medical genetics",
        "undecided": "undecided",
    }
)
SPECIALTY_LABELS = _labels({"medical-genetics": "medical genetics"})
OET_STATUS_LABELS = _labels({"not-taken": "not taken", "scheduled": "scheduled", "passed": "passed"})
ECFMG_PATHWAY_LABELS = _labels({"not-started": "not started", "applied": "applied", "met": "met"})
RESEARCH_KIND_LABELS = _labels(
    {
        "case-report": "case report",
        "poster": "poster",
        "abstract": "abstract",
        "publication": "publication",
        "chart-review": "chart review",
        "qi": "quality improvement project",
        "other": "other",
    }
)
GENETICS_LETTER_LABELS = _labels(
    {
        "medical-genetics": "medical genetics",
        "maternal-fetal-medicine": "maternal-fetal medicine",
        "genetic-counseling": "genetic counseling",
    }
)
MILESTONE_KIND_LABELS = _labels(
    {"deadline": "deadline", "exam": "exam", "task": "task", "event": "event", "checkpoint": "checkpoint"}
)
MILESTONE_ORIGIN_LABELS = _labels(
    {"official": "official calendar", "profile": "your profile", "plan": "planning advice"}
)
MILESTONE_STATUS_LABELS = _labels(
    {"done": "Done", "past": "Past", "overdue": "Overdue", "next": "Next", "later": "Coming up"}
)
RANK_LIST_LABELS = _labels({"not-started": "not started", "draft": "a draft", "certified": "certified"})
MATCH_OUTCOME_LABELS = _labels({"pending": "pending", "matched": "matched", "unmatched": "unmatched"})
FEASIBILITY_LABELS = _labels({"on-track": "on track", "tight": "tight", "at-risk": "at risk"})
TRACK_LABELS = _labels(
    {
        "categorical-mgg": "Medical genetics (categorical)",
        "peds-mgg": "Pediatrics and medical genetics (combined)",
        "im-mgg": "Internal medicine and medical genetics (combined)",
        "pediatrics": "Pediatrics",
        "internal-medicine": "Internal medicine",
        "other": "Other",
    }
)
YES_NO_LABELS = _labels({"yes": "yes", "no": "no"})
VISA_LABELS = _labels({"none": "none", "j1": "J-1", "h1b": "H-1B"})
SIGNAL_LABELS = _labels({"gold": "gold", "silver": "silver", "none": "none"})
TIER_LABELS = _labels(
    {"likely": "Likely", "target": "Target", "reach": "Reach", "not-a-fit": "Not a fit", "unknown": "Unknown"}
)

# The columns of a program list, as a reader sees them.
PROGRAM_COLUMN_LABELS = _labels(
    {
        "name": "name",
        "track": "track",
        "state": "state",
        "img_friendly": "takes international graduates",
        "sponsors_visa": "visa sponsorship",
        "min_step2ck": "minimum Step 2 CK",
        "median_step2ck": "median Step 2 CK",
        "accepts_attempts": "takes a failed attempt",
        "usce_required_months": "months of US clinical experience required",
        "signal": "signal",
        "notes": "notes",
    }
)

DETAIL_LABELS = _labels({"short": "short", "full": "full"})

# Every enumeration with its labels, by name: a test checks that each value has its label.
ENUMERATIONS: Mapping[str, tuple[tuple[str, ...], Mapping[str, str]]] = MappingProxyType(
    {
        "exam status": (EXAM_STATUSES, EXAM_STATUS_LABELS),
        "applicant type": (APPLICANT_TYPES, APPLICANT_TYPE_LABELS),
        "pathway": (PATHWAYS, PATHWAY_LABELS),
        "specialty": (SPECIALTIES, SPECIALTY_LABELS),
        "OET status": (OET_STATUSES, OET_STATUS_LABELS),
        "ECFMG pathway status": (ECFMG_PATHWAY_STATUSES, ECFMG_PATHWAY_LABELS),
        "research kind": (RESEARCH_KINDS, RESEARCH_KIND_LABELS),
        "genetics letter specialty": (GENETICS_LETTER_SPECIALTIES, GENETICS_LETTER_LABELS),
        "milestone kind": (MILESTONE_KINDS, MILESTONE_KIND_LABELS),
        "milestone origin": (MILESTONE_ORIGINS, MILESTONE_ORIGIN_LABELS),
        "milestone status": (MILESTONE_STATUSES, MILESTONE_STATUS_LABELS),
        "feasibility": (FEASIBILITY_STATUSES, FEASIBILITY_LABELS),
        "rank list status": (RANK_LIST_STATUSES, RANK_LIST_LABELS),
        "Match outcome": (MATCH_OUTCOMES, MATCH_OUTCOME_LABELS),
        "program track": (TRACKS, TRACK_LABELS),
        "yes or no": (YES_NO, YES_NO_LABELS),
        "visa sponsorship": (VISA_SPONSORSHIPS, VISA_LABELS),
        "signal": (SIGNALS, SIGNAL_LABELS),
        "tier": (TIERS, TIER_LABELS),
        "plan detail": (DETAILS, DETAIL_LABELS),
    }
)
# The values of the condition namespace, as "why" lines and {{ path }} print them.
VALUE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        **EXAM_STATUS_LABELS,
        **APPLICANT_TYPE_LABELS,
        **PATHWAY_LABELS,
        **SPECIALTY_LABELS,
        **OET_STATUS_LABELS,
        **ECFMG_PATHWAY_LABELS,
        **RANK_LIST_LABELS,
        **MATCH_OUTCOME_LABELS,
        **FEASIBILITY_LABELS,
    }
)


def choices(values: tuple[str, ...]) -> str:
    """The values as a profile's comment or an error lists them: `a | b | c`."""
    return " | ".join(values)
