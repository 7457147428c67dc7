"""The exam calendar of USMLE: when a score is out, the latest exam date whose score is out at
review, and the earliest retake the attempt rules allow (pure; numbers from durations.yaml)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.load.rules import rules_or_builtin

if TYPE_CHECKING:
    from roadmap.load.profile import Step1
    from roadmap.load.rules import Rules


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
