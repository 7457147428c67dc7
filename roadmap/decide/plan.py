"""The Plan: everything decided about one person, ready for the writers (frozen, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from roadmap.vocabulary import Detail, MilestoneKind, MilestoneOrigin, MilestoneStatus

if TYPE_CHECKING:
    from roadmap.decide.feasibility import Feasibility
    from roadmap.decide.programs import ProgramList
    from roadmap.errors import Problem
    from roadmap.load.content import Module
    from roadmap.load.profile import PracticeScore
    from roadmap.load.rules import Rules

SCHEMA_VERSION = 1
Group = Literal["now", "recovery", "background", "coming-up"]


@dataclass(frozen=True)
class ProfileRef:
    """Who the plan is for and which file it came from."""

    name: str
    slug: str
    source: str


@dataclass(frozen=True)
class Milestone:
    """One dated step of the plan."""

    id: str
    title: str
    date: date
    confirmed: bool  # True only for an official date read from the published calendar
    source: str
    kind: MilestoneKind = "task"
    status: MilestoneStatus = "later"
    detail: str = ""
    origin: MilestoneOrigin = "plan"  # official (season calendar), profile (your date) or plan (proposed)

    @property
    def estimated(self) -> bool:
        """An official date not yet published (estimated from past seasons): shown as estimated."""
        return self.origin == "official" and not self.confirmed

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat(),
            "origin": self.origin,
            "confirmed": self.confirmed,
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class NextAction:
    """One thing the applicant should do now, with the milestone it serves (roadmap.decide.status)."""

    date: date
    title: str
    why: str
    milestone: str | None
    status: MilestoneStatus

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "title": self.title,
            "why": self.why,
            "milestone": self.milestone,
            "status": self.status,
        }


@dataclass(frozen=True)
class StudyWeek:
    """One week of the study plan."""

    start: date
    hours: int
    focus: str
    self_assessment: bool


@dataclass(frozen=True)
class Section:
    """One selected content module, with the reasons it was selected."""

    module: Module
    why: tuple[str, ...]
    group: Group
    in_full: bool = True  # False: a short plan shows the summary and points to the full text

    @property
    def id(self) -> str:
        return self.module.id

    @property
    def title(self) -> str:
        return self.module.title

    @property
    def stage(self) -> str:
        return self.module.stage

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.module.id,
            "title": self.module.title,
            "stage": self.module.stage,
            "group": self.group,
            "topics": list(self.module.topics),
            "why": list(self.why),
            "shown": "full" if self.in_full else "summary",
            "sources": list(self.module.sources),
        }


@dataclass(frozen=True)
class Plan:
    """A personal plan: stage, flags, sections in reading order, dated milestones."""

    profile: ProfileRef
    today: date
    stage: str
    flags: tuple[str, ...]
    sections: tuple[Section, ...]
    milestones: tuple[Milestone, ...]
    warnings: tuple[str, ...]
    practice: tuple[PracticeScore, ...]
    study_weeks: tuple[StudyWeek, ...]
    values: Mapping[str, object]  # the condition namespace, for {{ path }} and display
    programs: ProgramList | None = None  # the user's own program list, tiered, when the profile names one
    notices: tuple[Problem, ...] = ()  # warnings with their place in the profile, for the terminal only
    rules: Rules | None = None  # the rules it was decided by (labels, score bands); None: built-in
    feasibility: Feasibility | None = None  # whether what is left fits this Match year
    next_actions: tuple[NextAction, ...] = ()  # what to do now: overdue first, then due soon
    detail: Detail = "short"

    def to_manifest(self) -> dict[str, Any]:
        """Return plan.json (schema_version 1); `roadmap explain --json` prints the same."""
        return {
            "schema_version": SCHEMA_VERSION,
            "profile": {"name": self.profile.name, "slug": self.profile.slug, "source": self.profile.source},
            "today": self.today.isoformat(),
            "stage": self.stage,
            "flags": list(self.flags),
            "sections": [section.to_json() for section in self.sections],
            "milestones": [milestone.to_json() for milestone in self.milestones],
            "next_actions": [action.to_json() for action in self.next_actions],
            "warnings": list(self.warnings),
            "detail": self.detail,  # short: background and later stages are summaries ("shown")
            **({"feasibility": self.feasibility.to_json()} if self.feasibility else {}),
            **({"programs": self.programs.to_json()} if self.programs else {}),
            "study_plan": [
                {
                    "week_of": w.start.isoformat(),
                    "hours": w.hours,
                    "focus": w.focus,
                    "self_assessment": w.self_assessment,
                }
                for w in self.study_weeks
            ],
        }
