"""Dated milestones from the profile, the season calendar and `today` (pure).

Exam timing, score-release lag, attempt limits, ECFMG steps and the Match calendar meet here
in one list, each milestone with its date, its source, and whether that date is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from roadmap.plan import Milestone, MilestoneKind, MilestoneStatus

if TYPE_CHECKING:
    from roadmap.facts import Facts
    from roadmap.profile import Profile, Step1
    from roadmap.seasons import Season, SeasonDate

USMLE_SCORES = "https://www.usmle.org/common-questions/scores"
USMLE_ATTEMPTS = "https://www.usmle.org/common-questions/attempt-limit"
ECFMG_PATHWAYS = (
    "https://www.ecfmg.org/news/2025/08/19/detailed-information-and-online-application-for-2026-pathways-now-available"
)
ECFMG_ERAS = "https://www.ecfmg.org/eras/applicants-faq.html"
NRMP_ECFMG = "https://www.nrmp.org/help/item/what-requirements-for-ecfmg-certification-must-i-complete-to-be-eligible-to-participate-in-the-main-residency-match/"
SEED_TIMING = "seed: Timing Step 2 CK for maximum impact"

# USMLE releases scores on Wednesdays, usually for exams taken 3-4 weeks earlier; plan on 4
# weeks plus one week of buffer for the summer delays usmle.org warns about.
SCORE_LAG = timedelta(weeks=4)
SUMMER_BUFFER = timedelta(weeks=1)
MAX_ATTEMPTS = 4
WEDNESDAY = 2
# Event milestones are things that happen to you; once past they are simply done.
_EVENTS: frozenset[MilestoneKind] = frozenset({"event"})


@dataclass(frozen=True)
class MilestonePlan:
    """The dated milestones of one plan, in date order, and the warnings they raise."""

    milestones: tuple[Milestone, ...]
    warnings: tuple[str, ...]


def _no_release_week(day: date) -> bool:
    """USMLE publishes no scores in the week of July 4 or in the last week of December."""
    july_4 = date(day.year, 7, 4)
    monday = day - timedelta(days=day.weekday())
    return monday <= july_4 < monday + timedelta(days=7) or (day.month == 12 and day.day >= 25)


def score_release(exam: date) -> date:
    """The Wednesday a score is expected: four weeks after the exam, skipping no-release weeks."""
    day = exam + SCORE_LAG
    day += timedelta(days=(WEDNESDAY - day.weekday()) % 7)
    while _no_release_week(day):
        day += timedelta(weeks=1)
    return day


def latest_safe_exam(review: date) -> date:
    """The latest exam date whose score should be out when programs start reviewing."""
    release = review - timedelta(days=(review.weekday() - WEDNESDAY) % 7)
    while _no_release_week(release):
        release -= timedelta(weeks=1)
    return release - SCORE_LAG - SUMMER_BUFFER


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


def earliest_retake(exam: Step1) -> tuple[date | None, int]:
    """The earliest retake the attempt rules allow after a failed attempt, and attempts left.

    At most three attempts in 12 months; a fourth needs 12 months since the first attempt and
    six since the most recent. Only the latest date is known, so the 12-month rule is named in
    the milestone rather than computed.
    """
    used = max(exam.attempts, 1)
    left = max(MAX_ATTEMPTS - used, 0)
    if left == 0 or exam.date is None:
        return None, left
    if used + 1 < MAX_ATTEMPTS:
        return exam.date + timedelta(days=1), left
    return add_months(exam.date, 6), left


@dataclass
class _Draft:
    """A milestone being assembled; `done` is what the profile says, before dates decide status."""

    milestone: Milestone
    done: bool = False


def _draft(
    id: str,
    title: str,
    when: date,
    source: str,
    *,
    kind: MilestoneKind = "task",
    confirmed: bool = True,
    detail: str = "",
    done: bool = False,
) -> _Draft:
    return _Draft(Milestone(id, title, when, confirmed, source, kind, "later", detail), done)


def _from_season(id: str, title: str, field: SeasonDate, kind: MilestoneKind, detail: str = "") -> _Draft:
    return _draft(id, title, field.date, field.source, kind=kind, confirmed=field.confirmed, detail=detail)


def _season_steps(season: Season) -> list[_Draft]:
    return [
        _from_season("eras-opens", "MyERAS opens: start your application", season.eras_opens, "event"),
        _from_season(
            "eras-submit",
            "Applications can be submitted",
            season.eras_submit,
            "deadline",
            "Submit as early as you can: programs see the whole first wave together when review opens.",
        ),
        _from_season("eras-review", "Programs start reviewing applications", season.eras_review, "event"),
        _from_season(
            "nrmp-registration", "Register for the NRMP Main Residency Match", season.nrmp_registration, "task"
        ),
        _from_season("rol-deadline", "Rank order list deadline", season.rol_deadline, "deadline"),
        _from_season("match-day", "Match Day", season.match_day, "event"),
    ]


def _step2ck_steps(profile: Profile, facts: Facts, season: Season, today: date) -> tuple[list[_Draft], list[str]]:
    ck = profile.step2ck
    year = profile.match_year - 1
    safe = latest_safe_exam(season.eras_review.date)
    review_text = f"{season.eras_review.date.isoformat()}" + ("" if season.eras_review.confirmed else ", estimated")
    drafts = [
        _draft(
            "ck-window-start",
            "Step 2 CK window opens: best taken April to July",
            date(year, 4, 1),
            SEED_TIMING,
            detail="Taking Step 2 CK in April to July of the application year puts your score on the application.",
        ),
        _draft("ck-window-end", "Step 2 CK window closes", date(year, 7, 31), SEED_TIMING),
        _draft(
            "ck-latest-safe",
            "Latest Step 2 CK date whose score reaches programs at review",
            safe,
            f"{USMLE_SCORES} (scores out on Wednesdays, 3-4 weeks after the exam)",
            kind="deadline",
            confirmed=season.eras_review.confirmed,
            detail=f"Four weeks for the score and one week of buffer before programs review ({review_text}).",
        ),
    ]
    warnings: list[str] = []
    passed = ck.status == "passed"
    # Once the exam is behind you, the window and the safe date have done their job.
    taken = ck.status in ("passed", "failed") or (ck.date is not None and ck.date <= today)
    for draft in drafts:
        draft.done = taken
    if ck.date is not None and ck.status != "not-taken":
        drafts.append(_draft("ck-exam", "Your Step 2 CK exam", ck.date, "your profile", kind="exam", done=taken))
        if ck.status == "scheduled":
            release = score_release(ck.date)
            drafts.append(
                _draft(
                    "ck-score-expected",
                    "Step 2 CK score expected",
                    release,
                    USMLE_SCORES,
                    kind="event",
                    detail="Usually 3-4 weeks after the exam, on a Wednesday; ask USMLE if none after 8 weeks.",
                )
            )
            if ck.date > safe:
                warnings.append(
                    f"Your Step 2 CK date ({ck.date.isoformat()}) is after {safe.isoformat()}, the latest date "
                    f"whose score should reach programs when they start reviewing ({review_text})."
                )
    if not passed:
        target = ck.date if ck.date is not None and ck.status == "scheduled" else safe
        latest = facts.practice[-1].score if facts.practice else None
        if (latest is not None and latest < 230) or facts.values["practice.trend"] in ("flat", "falling"):
            drafts.append(
                _draft(
                    "ck-decide",
                    "Decide: keep your Step 2 CK date or delay",
                    target - timedelta(weeks=4),
                    SEED_TIMING,
                    kind="checkpoint",
                    detail=f"Your latest practice score is {latest} and the trend is "
                    f"{facts.values['practice.trend']}: weigh a delay against applying broadly.",
                )
            )
        if facts.stage in ("step2ck", "application") or ck.status == "scheduled":
            for number, weeks in enumerate((8, 6, 4, 2), start=1):
                drafts.append(
                    _draft(
                        f"practice-checkpoint-{number}",
                        f"Practice self-assessment {number} of 4",
                        target - timedelta(weeks=weeks),
                        "seed: Designing a high-yield Step 2 CK study plan",
                        kind="checkpoint",
                        detail="A timed NBME form; record the score in your profile.",
                    )
                )
    return drafts, warnings


def _exam_steps(profile: Profile, today: date) -> tuple[list[_Draft], list[str]]:
    drafts: list[_Draft] = []
    warnings: list[str] = []
    step1 = profile.step1
    if step1.date is not None and step1.status != "not-taken":
        taken = step1.status in ("passed", "failed") or step1.date <= today
        drafts.append(_draft("step1-exam", "Your Step 1 exam", step1.date, "your profile", kind="exam", done=taken))
        if step1.status == "scheduled":
            drafts.append(
                _draft(
                    "step1-result-expected",
                    "Step 1 result expected",
                    score_release(step1.date),
                    USMLE_SCORES,
                    kind="event",
                    detail="Step 1 reports pass or fail only.",
                )
            )
    for key, label, exam in (("step1", "Step 1", step1), ("ck", "Step 2 CK", profile.step2ck)):
        if exam.status != "failed":
            continue
        retake, left = earliest_retake(exam)
        if left <= 1:
            warnings.append(f"You have {left} {label} attempt{'s' if left != 1 else ''} left of {MAX_ATTEMPTS}.")
        if retake is not None:
            rule = (
                "the 4th attempt needs 12 months since your first and 6 since your latest"
                if max(exam.attempts, 1) + 1 >= MAX_ATTEMPTS
                else "at most 3 attempts in 12 months"
            )
            drafts.append(
                _draft(
                    f"{key}-retake-earliest",
                    f"Earliest {label} retake the attempt rules allow",
                    retake,
                    f"{USMLE_ATTEMPTS} (spacing rule: check the current USMLE Bulletin)",
                    kind="event",
                    detail=f"{left} of {MAX_ATTEMPTS} attempts left; {rule}. "
                    "Retake only when practice scores are safely above passing.",
                )
            )
    return drafts, warnings


def _ecfmg_steps(profile: Profile, season: Season) -> list[_Draft]:
    if profile.applicant_type not in ("us-img", "non-us-img"):
        return []
    submit, rol = season.eras_submit, season.rol_deadline
    exams_done = profile.step1.status == "passed" and profile.step2ck.status == "passed"
    return [
        _draft(
            "oet",
            "Pass OET Medicine (350 on each subtest, one sitting)",
            submit.date - timedelta(weeks=12),
            ECFMG_PATHWAYS,
            confirmed=submit.confirmed,
            done=profile.ecfmg.oet == "passed",
            detail="Needed for an ECFMG Pathway, whatever your citizenship or first language.",
        ),
        _draft(
            "ecfmg-pathway",
            "Apply for your ECFMG Pathway",
            submit.date - timedelta(weeks=4),
            ECFMG_PATHWAYS,
            confirmed=submit.confirmed,
            done=profile.ecfmg.pathway in ("applied", "met"),
        ),
        _draft(
            "eras-token",
            "Request your ERAS token from ECFMG",
            season.eras_opens.date,
            "https://ecfmg.org/eras/",
            confirmed=season.eras_opens.confirmed,
        ),
        _draft(
            "ecfmg-documents",
            "Upload MSPE, transcript and photo through ECFMG",
            submit.date - timedelta(weeks=2),
            ECFMG_ERAS,
            confirmed=submit.confirmed,
            detail="ECFMG takes up to 5 business days to process documents.",
        ),
        _draft(
            "ecfmg-requirements-by-rol",
            "ECFMG exam and Pathway requirements met",
            rol.date,
            NRMP_ECFMG,
            kind="deadline",
            confirmed=rol.confirmed,
            done=exams_done and profile.ecfmg.pathway == "met",
            detail="Verified by the rank order list deadline, or you are withdrawn from the Match.",
        ),
    ]


def _application_steps(profile: Profile, season: Season) -> list[_Draft]:
    submit = season.eras_submit
    year = profile.match_year - 1
    return [
        _draft(
            "letters-request",
            "Ask for letters (one from a geneticist)",
            submit.date - timedelta(weeks=10),
            "seed: Strategic letters of recommendation",
            confirmed=submit.confirmed,
        ),
        _draft(
            "personal-statement-draft",
            "First draft of your personal statement",
            submit.date - timedelta(weeks=8),
            "seed: Optimize your ERAS application around your scores",
            confirmed=submit.confirmed,
        ),
        _draft(
            "personal-statement-final",
            "Final personal statement and experiences",
            submit.date - timedelta(weeks=2),
            "seed: Optimize your ERAS application around your scores",
            confirmed=submit.confirmed,
        ),
        _draft(
            "signals",
            "Choose your program signals",
            submit.date,
            "AAMC ERAS (signal numbers are set each season)",
            confirmed=submit.confirmed,
            detail="Signals go in with the application; check this season's numbers.",
        ),
        _draft(
            "interviews",
            "Interview season begins",
            date(year, 10, 1),
            "https://www.nrmp.org (interviews run through fall and early winter)",
            kind="event",
            confirmed=False,
        ),
        _draft(
            "rank-order-list",
            "Build your rank order list",
            season.rol_deadline.date - timedelta(weeks=2),
            "https://www.nrmp.org",
            confirmed=season.rol_deadline.confirmed,
        ),
    ]


def compute_milestones(profile: Profile, facts: Facts, season: Season, today: date) -> MilestonePlan:
    """Every dated milestone of the plan, in date order, with its status relative to `today`."""
    ck_drafts, ck_warnings = _step2ck_steps(profile, facts, season, today)
    exam_drafts, exam_warnings = _exam_steps(profile, today)
    drafts = [
        *_season_steps(season),
        *ck_drafts,
        *exam_drafts,
        *_ecfmg_steps(profile, season),
        *_application_steps(profile, season),
    ]
    drafts.sort(key=lambda d: (d.milestone.date, d.milestone.id))
    return MilestonePlan(_with_status(drafts, today), tuple(exam_warnings + ck_warnings))


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
