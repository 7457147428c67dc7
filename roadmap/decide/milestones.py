"""Dated milestones from the profile, the season calendar and `today` (pure).

The milestones are data (content/data/milestones.yaml): each hangs from an anchor date with an
offset. This module interprets the anchors; the ones with real logic (score release, the latest
safe exam date, the retake rules) are worked out here from the numbers of durations.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.decide.plan import Milestone
from roadmap.load.bodies import PLACEHOLDER
from roadmap.load.conditions import evaluate, show
from roadmap.load.rules import rules_or_builtin
from roadmap.vocabulary import MilestoneKind, MilestoneStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.decide.facts import Facts
    from roadmap.load.profile import Profile, Step1
    from roadmap.load.rules import MilestoneRule, Rules
    from roadmap.load.seasons import Season

# Event milestones are things that happen to you; once past they are simply done.
_EVENTS: frozenset[MilestoneKind] = frozenset({"event"})
_EXAM_LABELS = {"step1": "Step 1", "ck": "Step 2 CK"}


@dataclass(frozen=True)
class MilestonePlan:
    """The dated milestones of one plan, in date order, and the warnings they raise."""

    milestones: tuple[Milestone, ...]
    warnings: tuple[str, ...]


def _no_release_week(day: date, rules: Rules) -> bool:
    """Whether USMLE publishes no scores in the week of `day` (durations.yaml: no_release)."""
    release = rules.score_release
    monday = day - timedelta(days=day.weekday())
    for month, dom in release.no_release_weeks:
        held = date(day.year, month, dom)
        if monday <= held < monday + timedelta(days=7):
            return True
    return any((day.month, day.day) >= start for start in release.no_release_from)


def score_release(exam: date, rules: Rules | None = None) -> date:
    """The release day a score is expected: the lag after the exam, skipping no-release weeks."""
    rules = rules_or_builtin(rules)
    weekday = rules.score_release.weekday
    day = exam + rules.score_release.lag
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while _no_release_week(day, rules):
        day += timedelta(weeks=1)
    return day


def latest_safe_exam(review: date, rules: Rules | None = None) -> date:
    """The latest exam date whose score should be out when programs start reviewing."""
    rules = rules_or_builtin(rules)
    release = review - timedelta(days=(review.weekday() - rules.score_release.weekday) % 7)
    while _no_release_week(release, rules):
        release -= timedelta(weeks=1)
    return release - rules.score_release.lag - rules.score_release.buffer


def add_months(day: date, months: int) -> date:
    """Add calendar months, clipping to the month's last day (Aug 31 + 6 months = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for clip in range(4):
        try:
            return date(year, month, day.day - clip)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def earliest_retake(exam: Step1, rules: Rules | None = None) -> tuple[date | None, int]:
    """The earliest retake the attempt rules allow after a failed attempt, and attempts left.

    At most `per_window` attempts in `window_months`; the last allowed attempt needs
    `window_months` since the first and `gap_months` since the most recent. Only the latest date
    is known, so the first-attempt rule is named in the milestone rather than computed.
    """
    attempts = rules_or_builtin(rules).attempts
    used = max(exam.attempts, 1)
    left = max(attempts.max - used, 0)
    if left == 0 or exam.date is None:
        return None, left
    if used + 1 < attempts.max:
        return exam.date + timedelta(days=1), left
    return add_months(exam.date, attempts.gap_months), left


def _attempt_rule(exam: Step1, rules: Rules) -> str:
    attempts = rules.attempts
    if max(exam.attempts, 1) + 1 >= attempts.max:
        return (
            f"the {_ordinal(attempts.max)} attempt needs {attempts.window_months} months since your first "
            f"and {attempts.gap_months} since your latest"
        )
    return f"at most {attempts.per_window} attempts in {attempts.window_months} months"


def _ordinal(number: int) -> str:
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class _Dated:
    """An anchor's date, whether it is confirmed, its source (season dates) and the values its
    milestone's detail may print."""

    date: date
    confirmed: bool
    source: str | None = None
    extras: Mapping[str, str] | None = None


def _rule_dates(profile: Profile, season: Season, rules: Rules) -> dict[str, _Dated | None]:
    """The dates the code works out, by rule name (milestones.yaml: rule:NAME)."""
    ck, step1 = profile.step2ck, profile.step1
    review = season.eras_review
    safe = latest_safe_exam(review.date, rules)
    review_text = review.date.isoformat() + ("" if review.confirmed else ", estimated")
    found: dict[str, _Dated | None] = {
        "latest-safe-exam": _Dated(safe, review.confirmed, extras={"review": review_text}),
        "ck-target": _Dated(ck.date if ck.date is not None and ck.status == "scheduled" else safe, True),
        "step1-result": _Dated(score_release(step1.date, rules), True) if step1.date else None,
        "ck-result": _Dated(score_release(ck.date, rules), True) if ck.date else None,
    }
    for key, exam in (("step1", step1), ("ck", ck)):
        retake, left = earliest_retake(exam, rules)
        extras = {
            "attempts_left": str(left),
            "attempts_max": str(rules.attempts.max),
            "attempt_rule": _attempt_rule(exam, rules),
        }
        found[f"{key}-retake"] = None if retake is None else _Dated(retake, True, extras=extras)
    return found


def _anchor_date(
    rule: MilestoneRule,
    profile: Profile,
    season: Season,
    rules: Rules,
    computed: Mapping[str, _Dated | None],
    placed: Mapping[str, _Dated],
) -> _Dated | None:
    anchor = rule.anchor
    if anchor.kind == "season":
        entry = getattr(season, anchor.name)
        return _Dated(entry.date, entry.confirmed, entry.source)
    if anchor.kind == "day":
        return _Dated(
            date(season.match_year + rules.application_year, int(anchor.name[:2]), int(anchor.name[3:])), True
        )
    if anchor.kind == "profile":
        exam = profile.step1 if anchor.name == "step1.date" else profile.step2ck
        return None if exam.date is None else _Dated(exam.date, True)
    if anchor.kind == "milestone":
        return placed.get(anchor.name)
    return computed[anchor.name]


def _detail(text: str, values: Mapping[str, object], extras: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: extras.get(m[1], show(values.get(m[1]))), text)


@dataclass
class _Draft:
    """A milestone being assembled; `done` is what the profile says, before dates decide status."""

    milestone: Milestone
    done: bool = False


def _warnings(profile: Profile, safe: date, season: Season, rules: Rules) -> list[str]:
    warnings: list[str] = []
    for key, exam in (("step1", profile.step1), ("ck", profile.step2ck)):
        if exam.status == "failed":
            _, left = earliest_retake(exam, rules)
            if left <= 1:
                label = _EXAM_LABELS[key]
                warnings.append(
                    f"You have {left} {label} attempt{'s' if left != 1 else ''} left of {rules.attempts.max}."
                )
    ck = profile.step2ck
    if ck.status == "scheduled" and ck.date is not None and ck.date > safe:
        review = season.eras_review
        review_text = review.date.isoformat() + ("" if review.confirmed else ", estimated")
        warnings.append(
            f"Your Step 2 CK date ({ck.date.isoformat()}) is after {safe.isoformat()}, the latest date "
            f"whose score should reach programs when they start reviewing ({review_text})."
        )
    return warnings


def compute_milestones(
    profile: Profile, facts: Facts, season: Season, today: date, rules: Rules | None = None
) -> MilestonePlan:
    """Every dated milestone of the plan, in date order, with its status relative to `today`."""
    rules = rules_or_builtin(rules)
    values = facts.values
    computed = _rule_dates(profile, season, rules)
    placed: dict[str, _Dated] = {}
    drafts: list[_Draft] = []
    pending = [m for m in rules.milestones if m.when is None or evaluate(m.when, values)]
    # Milestones anchored on another milestone wait for it; the rule file has no cycles.
    while pending:
        waiting = []
        for rule in pending:
            if (
                rule.anchor.kind == "milestone"
                and rule.anchor.name not in placed
                and any(p.id == rule.anchor.name for p in pending)
            ):
                waiting.append(rule)
                continue
            anchored = _anchor_date(rule, profile, season, rules, computed, placed)
            if anchored is None:
                continue
            when = anchored.date + rule.offset
            confirmed = anchored.confirmed and rule.confirmed
            placed[rule.id] = _Dated(when, confirmed)
            source = rule.source or anchored.source or ""
            detail = _detail(rule.detail, values, anchored.extras or {})
            done = rule.done is not None and evaluate(rule.done, values)
            drafts.append(
                _Draft(Milestone(rule.id, rule.title, when, confirmed, source, rule.kind, "later", detail), done)
            )
        if len(waiting) == len(pending):
            break
        pending = waiting
    drafts.sort(key=lambda d: (d.milestone.date, d.milestone.id))
    safe = computed["latest-safe-exam"]
    assert safe is not None  # always worked out
    step1_first = _warnings(profile, safe.date, season, rules)
    return MilestonePlan(_with_status(drafts, today), tuple(step1_first))


def _with_status(drafts: list[_Draft], today: date) -> tuple[Milestone, ...]:
    result = []
    next_found = False
    for draft in drafts:
        milestone = draft.milestone
        status: MilestoneStatus
        if draft.done or (milestone.date < today and milestone.kind in _EVENTS):
            status = "done"
        elif milestone.date < today:
            status = "overdue"
        elif not next_found:
            status, next_found = "next", True
        else:
            status = "later"
        result.append(replace(milestone, status=status))
    return tuple(result)
