"""Render a Plan to HTML with Jinja (autoescape on, undefined names are errors).

Templates only loop and print: every decision is already in the Plan. A user templates folder
comes first in the search path, so it overrides built-in templates and assets file by file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from roadmap import __version__
from roadmap.decide.selection import GROUP_ORDER
from roadmap.load.bodies import render_body
from roadmap.load.conditions import show
from roadmap.load.rules import rules_or_builtin
from roadmap.render.charts import practice_chart_svg, timeline_svg
from roadmap.render.templating import ThemeEnvironment
from roadmap.vocabulary import TIER_LABELS, TIERS

if TYPE_CHECKING:
    from pathlib import Path

    from roadmap.decide.plan import Plan, Section
    from roadmap.decide.programs import ProgramList
    from roadmap.load.layers import Layered

GROUP_TITLES = {
    "now": "Where you are now",
    "recovery": "Still open from earlier results",
    "background": "Background for every applicant",
    "coming-up": "Coming up",
}
DISCLAIMER = (
    "This is guidance, not official advice. Rules and dates change every season: check them "
    "with the AAMC (ERAS), the NRMP, ECFMG and USMLE before you act on them."
)


@dataclass(frozen=True)
class RenderedSection:
    """A section with its body rendered for one plan."""

    section: Section
    anchor: str
    html: Markup


@dataclass(frozen=True)
class RenderedGroup:
    id: str
    title: str
    sections: tuple[RenderedSection, ...]


def make_environment(templates: Layered) -> ThemeEnvironment:
    """A Jinja environment over the layered template folders (see roadmap.render.templating)."""
    env = ThemeEnvironment(
        templates,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = lambda d: show(d) if isinstance(d, date) else str(d)
    env.filters["show"] = show
    env.filters["basename"] = lambda path: str(path).rsplit("/", 1)[-1]
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
    groups = []
    for group_id in GROUP_ORDER:
        members = tuple(
            RenderedSection(s, f"s-{s.id}", render_body(s.module.body, lookup))
            for s in plan.sections
            if s.group == group_id
        )
        if members:
            groups.append(RenderedGroup(group_id, GROUP_TITLES[group_id], members))
    upcoming = [m for m in plan.milestones if m.status in ("next", "later")]
    return {
        "plan": plan,
        "groups": groups,
        "stage_label": rules.stage_labels[plan.stage],
        "stage_labels": rules.stage_labels,
        "flag_labels": rules.flag_labels,
        "next_milestone": upcoming[0] if upcoming else None,
        "timeline_svg": timeline_svg(plan.milestones, plan.today),
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
    return env.get_template("plan.html").render(
        plan_context(plan, for_print=for_print, created=created, formats=formats)
    )


def render_programs_html(env: Environment, programs: ProgramList, *, name: str, today: date) -> str:
    """The standalone page of `roadmap programs`."""
    return env.get_template("programs.html").render(programs=programs, name=name, today=today, disclaimer=DISCLAIMER)


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
