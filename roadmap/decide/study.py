"""A weekly Step 2 CK study plan from today to the exam, paced by the profile's hours (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.decide.plan import StudyWeek
from roadmap.load.rules import rules_or_builtin

if TYPE_CHECKING:
    from roadmap.decide.plan import Milestone
    from roadmap.load.profile import Profile
    from roadmap.load.rules import Rules


def weekly_plan(
    profile: Profile, milestones: tuple[Milestone, ...], today: date, rules: Rules | None = None
) -> tuple[StudyWeek, ...]:
    """Weeks from this one to the Step 2 CK date (or the latest safe date); empty once CK is passed.

    At most `study.max_weeks` rows; the last `study.final_phase_weeks` are timed practice (durations.yaml).
    """
    rules = rules_or_builtin(rules)
    hours = profile.study.hours_per_week
    if hours is None or profile.step2ck.status == "passed" or profile.step1.status != "passed":
        return ()
    by_id = {m.id: m for m in milestones}
    exam = by_id.get("ck-exam") or by_id.get("ck-latest-safe")
    if exam is None or exam.date <= today:
        return ()
    checkpoints = {
        m.date - timedelta(days=m.date.weekday()) for m in milestones if m.id.startswith("practice-checkpoint")
    }
    monday = today - timedelta(days=today.weekday())
    weeks = []
    total = min(((exam.date - monday).days + 6) // 7, rules.study_max_weeks)
    for index in range(total):
        start = monday + timedelta(weeks=index)
        left = total - index
        if left == 1:
            focus = "Exam week: light review of your genetics deck and wrong-answer notes; rest before test day."
        elif left <= rules.study_final_phase:
            focus = "Timed mixed blocks every day, full review of each block, one hour of spaced repetition."
        else:
            focus = "Content review by system with Q-bank blocks; tag genetics questions and add them to your deck."
        weeks.append(StudyWeek(start, hours, focus, start in checkpoints))
    return tuple(weeks)
