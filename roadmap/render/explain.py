"""Say in plain text which sections a plan holds and why (`roadmap explain`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.decide.selection import GROUP_ORDER
from roadmap.load.rules import rules_or_builtin
from roadmap.render.html import GROUP_TITLES

if TYPE_CHECKING:
    from roadmap.decide.plan import Plan


def explain_text(plan: Plan) -> str:
    """Render the plan's decisions as indented text."""
    rules = rules_or_builtin(plan.rules)
    lines = [
        f"{plan.profile.name}: Match {plan.values['match_year']}, stage {plan.stage} "
        f"({rules.stage_labels[plan.stage]}), as of {plan.today.isoformat()}",
        "Flags: " + (", ".join(f"{flag} ({rules.flag_labels[flag]})" for flag in plan.flags) or "none"),
    ]
    for group in GROUP_ORDER:
        sections = [s for s in plan.sections if s.group == group]
        if not sections:
            continue
        lines += ["", f"{GROUP_TITLES[group]}:"]
        for section in sections:
            lines.append(f"  {section.id}: {section.title}  [{', '.join(section.module.topics)}]")
            lines += [f"      why: {reason}" for reason in section.why]
    if plan.next_actions:
        lines += ["", "Your next steps:"]
        for action in plan.next_actions:
            lines.append(f"  {action.date.isoformat()}  {action.status:<7}  {action.title}")
            lines.append(f"      why: {action.why}")
    lines += ["", "Milestones:"]
    for milestone in plan.milestones:
        estimated = "  (estimated)" if milestone.estimated else ""
        lines.append(f"  {milestone.date.isoformat()}  {milestone.status:<7}  {milestone.title}{estimated}")
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  {warning}" for warning in plan.warnings]
    return "\n".join(lines) + "\n"
