"""A weekly Step 2 CK study plan from today to the exam, paced by the profile's hours (pure).

The plan counts down to the applicant's CK date, else the proposed one (`ck-target`) or the
retake target, never to the last-resort `ck-latest-safe`. The profile's hours are full-time
hours: they run only for the last weeks of durations.yaml (dates.full_time); earlier weeks
are part time (dates.part_time_hours, or fewer when the profile gives fewer).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.decide.plan import StudyWeek
from roadmap.load.rules import rules_or_builtin

if TYPE_CHECKING:
    from roadmap.decide.plan import Milestone
    from roadmap.load.profile import Profile
    from roadmap.load.rules import Rules

# The dates a study plan counts down to, first found first: the applicant's, the proposal, the retake.
_EXAM_DATES = ("ck-exam", "ck-target", "retake-target")


def weekly_plan(
    profile: Profile, milestones: tuple[Milestone, ...], today: date, rules: Rules | None = None
) -> tuple[StudyWeek, ...]:
    """Weeks from this one to the Step 2 CK date (given, proposed or the retake target); empty once CK is passed.

    At most `study.max_weeks` rows; the last `study.final_phase_weeks` are timed practice (durations.yaml).
    """
    rules = rules_or_builtin(rules)
    hours = profile.study.hours_per_week
    if hours is None or profile.step2ck.status == "passed" or profile.step1.status != "passed":
        return ()
    by_id = {m.id: m for m in milestones}
    exam = next((by_id[key] for key in _EXAM_DATES if key in by_id and by_id[key].date > today), None)
    if exam is None:
        return ()
    full_time = rules.dates.full_time.days // 7
    part_time = min(hours, rules.dates.part_time_hours)
    checkpoints = {
        m.date - timedelta(days=m.date.weekday()) for m in milestones if m.id.startswith("practice-checkpoint")
    }
    monday = today - timedelta(days=today.weekday())
    weeks = []
    # The last row is the week that holds the exam day.
    total = min((exam.date - monday).days // 7 + 1, rules.study_max_weeks)
    for index in range(total):
        start = monday + timedelta(weeks=index)
        left = total - index
        if left == 1:
            focus = "Exam week: light review of your genetics deck and wrong-answer notes; rest before test day."
        elif left <= rules.study_final_phase:
            focus = "Timed mixed blocks every day, full review of each block, one hour of spaced repetition."
        else:
            focus = "Content review by system with Q-bank blocks; tag genetics questions and add them to your deck."
        weekly = hours if left <= full_time else part_time
        weeks.append(StudyWeek(start, weekly, focus, start in checkpoints))
    return tuple(weeks)
