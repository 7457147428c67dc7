"""Milestone statuses from what the profile records, and the applicant's next actions (pure).

A date of the official calendar (when ERAS opens, when NRMP registration opens, ...) that has
gone by is `past`: it asked nothing of the applicant by that day. Only the applicant's own
actions become `overdue`, and only while the profile does not record them as done.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.decide.plan import NextAction
from roadmap.load.conditions import evaluate

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.decide.plan import Milestone
    from roadmap.load.profile import Profile
    from roadmap.load.rules import MilestoneRule, Rules
    from roadmap.vocabulary import MilestoneStatus

# The shape of plan.json's next_actions, set by the SPEC's contract rather than by a rule of the
# domain: 3 to 7 items, those due within 90 days of today (or the next 3 when fewer fall there).
MIN_ACTIONS = 3
MAX_ACTIONS = 7
WINDOW_DAYS = 90
# The season date an application is submitted on: steps anchored on it (on or before it) are
# parts of the application, done once the profile records the submission.
_SUBMISSION_ANCHOR = "eras_submit"


def is_official(milestone: Milestone) -> bool:
    """Whether the date is one of the official calendar (a season date, no offset of ours)."""
    return milestone.origin == "official"


def is_own_action(milestone: Milestone) -> bool:
    """Whether the milestone asks something of the applicant (not an official date, not an event)."""
    return milestone.kind != "event" and not is_official(milestone)


def with_statuses(
    milestones: tuple[Milestone, ...],
    profile: Profile,
    values: Mapping[str, object],
    today: date,
    rules: Rules,
) -> tuple[Milestone, ...]:
    """Each milestone with its status: done, past, overdue, next (the first upcoming) or later."""
    result = []
    next_found = False
    for milestone in milestones:
        status: MilestoneStatus
        if _recorded_done(milestone, profile, values, rules):
            status = "done"
        elif milestone.date < today:
            status = "overdue" if is_own_action(milestone) else "past"
        elif not next_found:
            status, next_found = "next", True
        else:
            status = "later"
        result.append(replace(milestone, status=status))
    return tuple(result)


def next_actions(milestones: tuple[Milestone, ...], today: date) -> tuple[NextAction, ...]:
    """What to do now: the overdue actions, then those due soon, in date order (3 to 7 items)."""
    own = sorted(
        (m for m in milestones if m.status in ("overdue", "next", "later") and is_own_action(m)),
        key=lambda m: (m.date, m.id),
    )
    overdue = [m for m in own if m.status == "overdue"]
    upcoming = [m for m in own if m.status != "overdue"]
    soon = [m for m in upcoming if m.date <= today + timedelta(days=WINDOW_DAYS)]
    if len(soon) < MIN_ACTIONS:
        soon = upcoming[:MIN_ACTIONS]
    chosen = (overdue + soon)[:MAX_ACTIONS]
    return tuple(NextAction(m.date, m.title, _why(m, today), m.id, m.status) for m in chosen)


def _recorded_done(milestone: Milestone, profile: Profile, values: Mapping[str, object], rules: Rules) -> bool:
    if milestone.id in profile.done:
        return True
    rule = _rule(milestone.id, rules)
    if rule is None:
        return milestone.status == "done"  # a milestone the rule file does not hold keeps its own
    if rule.done is not None:
        return evaluate(rule.done, values)
    return profile.application.submitted is not None and _part_of_application(rule)


def _part_of_application(rule: MilestoneRule) -> bool:
    """A step on or before the submission date with no done-condition of its own: submitting
    the application means it was done."""
    anchor = rule.anchor
    return anchor.kind == "season" and anchor.name == _SUBMISSION_ANCHOR and rule.offset <= timedelta(0)


def _rule(milestone_id: str, rules: Rules) -> MilestoneRule | None:
    return next((rule for rule in rules.milestones if rule.id == milestone_id), None)


def _why(milestone: Milestone, today: date) -> str:
    day = f"{milestone.date:%B} {milestone.date.day}, {milestone.date.year}"
    if milestone.status == "overdue":
        return f"It was due on {day}, and your profile does not record it as done."
    days = (milestone.date - today).days
    # The date is printed beside the action: the why says how soon, then what it asks.
    when = "Due today." if days == 0 else "Due tomorrow." if days == 1 else f"Due in {days} days."
    return f"{when} {milestone.detail}".strip()
