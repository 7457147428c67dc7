"""Render a Plan to HTML with Jinja (autoescape on, undefined names are errors).

Templates only loop and print: every decision is already in the Plan. A user templates folder
comes first in the search path, so it overrides built-in templates and assets file by file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from roadmap import __version__
from roadmap.decide.selection import GROUP_ORDER
from roadmap.load.bodies import render_body
from roadmap.load.conditions import show
from roadmap.load.rules import rules_or_builtin
from roadmap.render.abbreviations import expand_abbreviations
from roadmap.render.charts import milestone_keys, practice_chart_svg, timeline_svg
from roadmap.render.templating import ThemeEnvironment
from roadmap.vocabulary import MILESTONE_STATUS_LABELS, PROGRAM_COLUMN_LABELS, TIER_LABELS, TIERS, TRACK_LABELS

if TYPE_CHECKING:
    from pathlib import Path

    from roadmap.decide.plan import Plan, Section, StudyWeek
    from roadmap.decide.programs import ProgramList
    from roadmap.load.layers import Layered
    from roadmap.load.sources import Citation

GROUP_TITLES = {
    "now": "Where you are now",
    "recovery": "Still open from earlier results",
    "background": "Background for every applicant",
    "coming-up": "Coming up",
}
# One sentence, shown once, at the top (SPEC "First things first").
DISCLAIMER = (
    "This is guidance, not official advice: score bands and program tiers are rules of thumb, "
    "not predictions, and dates and rules change every season, so confirm them with the official "
    "sources before you act."
)
# A short plan in print explains the milestones of the next months; the web page explains all.
PRINT_DETAIL_DAYS = 180
# What a short plan says above the groups it prints as summaries.
SUMMARY_LEDES = {
    False: "In summary; open a section for its full text.",
    True: "In summary; the full text of each is in the web version of this plan (index.html, beside this PDF).",
}


@dataclass(frozen=True)
class RenderedSection:
    """A section with its body rendered for one plan."""

    section: Section
    anchor: str
    html: Markup
    summary: str
    sources: tuple[int, ...]  # numbers in the plan's list of sources


@dataclass(frozen=True)
class RenderedGroup:
    id: str
    title: str
    sections: tuple[RenderedSection, ...]
    lede: str = ""


@dataclass(frozen=True)
class StudyPhase:
    """Consecutive study weeks with the same hours and focus, printed as one row."""

    first: date
    last: date
    weeks: int
    hours: int
    focus: str
    self_assessments: tuple[date, ...]


def study_phases(weeks: tuple[StudyWeek, ...]) -> list[StudyPhase]:
    """Group the weekly plan into phases, so a row says something the row above did not."""
    phases: list[StudyPhase] = []
    for week in weeks:
        last = phases[-1] if phases else None
        marks = (week.start,) if week.self_assessment else ()
        if last is not None and (last.hours, last.focus) == (week.hours, week.focus):
            phases[-1] = replace(
                last, last=week.start, weeks=last.weeks + 1, self_assessments=last.self_assessments + marks
            )
        else:
            phases.append(StudyPhase(week.start, week.start, 1, week.hours, week.focus, marks))
    return phases


def make_environment(templates: Layered) -> ThemeEnvironment:
    """A Jinja environment over the layered template folders (see roadmap.render.templating)."""
    env = ThemeEnvironment(
        templates,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A run reads each template once: no stat of every template file for every page written.
        auto_reload=False,
    )
    env.filters["longdate"] = lambda d: show(d) if isinstance(d, date) else str(d)
    env.filters["show"] = show
    env.filters["basename"] = lambda path: str(path).rsplit("/", 1)[-1]
    env.filters["track_label"] = lambda track: TRACK_LABELS.get(track, track)
    env.filters["column_label"] = lambda column: PROGRAM_COLUMN_LABELS.get(column, column)
    env.globals.update(tiers=TIERS, tier_labels=TIER_LABELS)
    return env


def substitution(plan: Plan) -> Any:
    """The lookup that module bodies use for `{{ path }}`: namespace values, shown for people."""

    def lookup(path: str) -> str:
        key = path.removeprefix("profile.")
        if key.startswith("milestones."):
            key = "milestones." + key.removeprefix("milestones.").replace("-", "_")
        return show(plan.values.get(key))

    return lookup


def plan_context(
    plan: Plan, *, for_print: bool, created: datetime | None = None, formats: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Everything the plan templates print; nothing in it is decided by a template."""
    lookup = substitution(plan)
    rules = rules_or_builtin(plan.rules)
    citations: list[Citation] = []

    def numbers(section: Section) -> tuple[int, ...]:
        # One numbered list of sources for the plan; each section points into it.
        cited = []
        for source in section.module.sources:
            citation = rules.sources.cite(source)
            if citation not in citations:
                citations.append(citation)
            cited.append(citations.index(citation) + 1)
        return tuple(dict.fromkeys(cited))

    groups = []
    for group_id in GROUP_ORDER:
        members = tuple(
            RenderedSection(
                s,
                f"s-{s.id}",
                render_body(s.module.body, lookup),
                s.module.summary_text(),
                # Print carries only the summary of a section not in full, so none of its sources.
                numbers(s) if s.in_full or not for_print else (),
            )
            for s in plan.sections
            if s.group == group_id
        )
        if members:
            summarised = all(not m.section.in_full for m in members)
            lede = SUMMARY_LEDES[for_print] if summarised else ""
            groups.append(RenderedGroup(group_id, GROUP_TITLES[group_id], members, lede))
    upcoming = [m for m in plan.milestones if m.status in ("next", "later")]
    return {
        "plan": plan,
        "groups": groups,
        "stage_label": rules.stage_labels[plan.stage],
        "stage_labels": rules.stage_labels,
        "flag_labels": rules.flag_labels,
        "status_labels": MILESTONE_STATUS_LABELS,
        "citations": citations,
        "explained": {
            m.id
            for m in plan.milestones
            if not for_print or plan.detail == "full" or (m.date - plan.today).days <= PRINT_DETAIL_DAYS
        },
        "study_phases": study_phases(plan.study_weeks),
        "next_milestone": upcoming[0] if upcoming else None,
        "timeline_svg": timeline_svg(plan.milestones, plan.today),
        "milestone_keys": milestone_keys(plan.milestones, plan.today),  # the timeline's numbers
        "practice_svg": practice_chart_svg(plan.practice, plan.today, rules=rules),
        "disclaimer": DISCLAIMER,
        "for_print": for_print,
        "formats": formats,  # the page links only to the outputs that were built
        # PDF metadata dates (dcterms.created/modified): from `today` or SOURCE_DATE_EPOCH.
        "created": (
            created or datetime(plan.today.year, plan.today.month, plan.today.day, tzinfo=timezone.utc)
        ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool_version": __version__,
    }


def render_plan_html(
    env: Environment,
    plan: Plan,
    *,
    for_print: bool = False,
    created: datetime | None = None,
    formats: tuple[str, ...] = (),
) -> str:
    """Render the plan page (the site page, or the print document for the PDF)."""
    html = env.get_template("plan.html").render(
        plan_context(plan, for_print=for_print, created=created, formats=formats)
    )
    return expand_abbreviations(html, rules_or_builtin(plan.rules).glossary, for_print=for_print)


def render_programs_html(env: Environment, programs: ProgramList, *, name: str, today: date) -> str:
    """The standalone page of `roadmap programs`."""
    html = env.get_template("programs.html").render(programs=programs, name=name, today=today, disclaimer=DISCLAIMER)
    return expand_abbreviations(html, rules_or_builtin(None).glossary, for_print=False)


def asset_files(templates: Layered) -> dict[str, Path]:
    """The static files a plan page links to (`assets/...`), user files first."""
    return templates.files("assets")


def __getattr__(name: str) -> object:
    """STAGE_LABELS and FLAG_LABELS of the built-in rules, for pages not tied to one run's rules."""
    if name == "STAGE_LABELS":
        return rules_or_builtin(None).stage_labels
    if name == "FLAG_LABELS":
        return rules_or_builtin(None).flag_labels
    raise AttributeError(name)
