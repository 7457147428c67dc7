"""Whether what is left still fits this Match year: Step 1, Step 2 CK and ECFMG certification (pure).

From `today`, the chain is: Step 1 (its date, the retake target after a failure, or today plus
the preparation of durations.yaml when unscheduled), its result, Step 2 CK (the applicant's date,
the retake target, or the earliest date in the window that leaves a dedicated block), its score,
and for international graduates the ECFMG requirements by the rank order list deadline. Every
duration is read from durations.yaml; this module only chains them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from roadmap.decide.examdates import add_months, earliest_retake, latest_safe_exam, score_release
from roadmap.load.conditions import show
from roadmap.vocabulary import IMG_TYPES

if TYPE_CHECKING:
    from roadmap.load.profile import Profile, Step1
    from roadmap.load.rules import Rules
    from roadmap.load.seasons import Season, SeasonTable
    from roadmap.vocabulary import FeasibilityStatus, MilestoneOrigin

_EXAM_LABELS = {"step1": "Step 1", "ck": "Step 2 CK"}


@dataclass(frozen=True)
class Planned:
    """An exam date still ahead: the applicant's own (`profile`) or one the plan proposes (`plan`)."""

    date: date
    origin: MilestoneOrigin


@dataclass(frozen=True)
class Retake:
    """The plan after a failed attempt: a written remediation plan, then the retake."""

    exam: str  # step1 | ck
    failed_on: date
    remediation: date
    target: date
    legal: date | None  # the earliest the attempt rules allow (None: the failed date is unknown)


@dataclass(frozen=True)
class Chain:
    """What is left, dated from `today` for one season."""

    season: Season
    window: tuple[date, date]  # the recommended Step 2 CK window of the application year
    safe: date  # the latest Step 2 CK date whose score reaches programs at review
    step1: Planned | None  # None: passed
    step1_result: date | None
    ck: Planned | None  # None: no date (passed without one)
    ck_pending: bool  # the CK score is still to come
    ck_result: date | None
    certified: date | None  # IMGs: the day the ECFMG requirements can all be met
    retake: Retake | None
    no_attempts_left: str | None  # the exam that has no attempt left, if any

    @property
    def ck_proposed(self) -> bool:
        """The CK date is the plan's proposal (no date given, no CK retake)."""
        retaking = self.retake is not None and self.retake.exam == "ck"
        return self.ck is not None and self.ck.origin == "plan" and not retaking

    @property
    def ck_after_window(self) -> bool:
        return self.ck is not None and self.ck.date > self.window[1]


@dataclass(frozen=True)
class CycleDate:
    """One key date of the next cycle, next to the same date of this one."""

    id: str
    title: str
    day: date
    this_cycle: date | None
    origin: MilestoneOrigin
    confirmed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.day.isoformat(),
            "this_cycle": None if self.this_cycle is None else self.this_cycle.isoformat(),
            "origin": self.origin,
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True)
class Feasibility:
    """plan.json `feasibility`."""

    status: FeasibilityStatus
    reasons: tuple[str, ...]
    next_match_year: int | None = None
    next_cycle: tuple[CycleDate, ...] = ()

    def to_json(self) -> dict[str, Any]:
        next_cycle = None
        if self.next_match_year is not None:
            next_cycle = {"match_year": self.next_match_year, "milestones": [d.to_json() for d in self.next_cycle]}
        return {"status": self.status, "reasons": list(self.reasons), "next_cycle": next_cycle}


def ck_window(match_year: int, rules: Rules) -> tuple[date, date]:
    """The recommended Step 2 CK window (durations.yaml: dates.ck_window) of the application year."""
    year = match_year + rules.application_year
    (start_month, start_day), (end_month, end_day) = rules.dates.ck_window
    return date(year, start_month, start_day), date(year, end_month, end_day)


def pathway_opens(match_year: int, rules: Rules) -> tuple[date, bool, str]:
    """The day the ECFMG Pathway application opens for a Match: published, or estimated."""
    opening = rules.pathway_opening
    if match_year in opening.known:
        day, source = opening.known[match_year]
        return day, source.startswith(("http://", "https://")), source
    month, dom = opening.estimate
    return date(match_year + rules.application_year, month, dom), False, f"estimated: {opening.estimate_source}"


def retake_plan(key: str, exam: Step1, today: date, block: date, rules: Rules) -> Retake | None:
    """After a failed attempt: no earlier than the wait of durations.yaml, the attempt rules and
    `block` (today plus the preparation); None when the attempt rules leave no attempt."""
    legal, left = earliest_retake(exam, rules)
    if left == 0:
        return None
    failed_on = exam.date or today
    candidates = [add_months(failed_on, rules.dates.retake_wait_months), block]
    if legal is not None:
        candidates.append(legal)
    remediation = max(failed_on, today) + rules.dates.remediation
    return Retake(key, failed_on, remediation, max(candidates), legal)


def _step1(profile: Profile, today: date, rules: Rules) -> tuple[Planned | None, Retake | None, bool]:
    """Step 1's date still ahead, the retake plan after a failure, and whether no attempt is left."""
    step1 = profile.step1
    if step1.status == "passed":
        return None, None, False
    prepared = today + rules.dates.step1_prep
    if step1.status == "failed":
        retake = retake_plan("step1", step1, today, prepared, rules)
        return (None, None, True) if retake is None else (Planned(retake.target, "plan"), retake, False)
    if step1.date is not None:
        return Planned(step1.date, "profile"), None, False
    return Planned(prepared, "plan"), None, False


def proposed_ck(block_start: date, window: tuple[date, date], rules: Rules) -> date:
    """The earliest day on/after the window's start that leaves the dedicated block from `block_start`."""
    return max(window[0], block_start + rules.dates.dedicated_block)


def chain(profile: Profile, today: date, season: Season, rules: Rules) -> Chain:
    """Date what is left for `season`, from `today`."""
    window = ck_window(season.match_year, rules)
    step1, retake, exhausted = _step1(profile, today, rules)
    step1_result = None if step1 is None else score_release(step1.date, rules)
    no_attempts = "step1" if exhausted else None
    ck = profile.step2ck
    planned: Planned | None
    block_start = max(today, step1_result) if step1_result is not None else today
    if ck.status == "passed":
        planned = None if ck.date is None else Planned(ck.date, "profile")
    elif ck.status == "failed":
        ck_retake = retake_plan("ck", ck, today, block_start + rules.dates.dedicated_block, rules)
        if ck_retake is None:
            planned, no_attempts = None, no_attempts or "ck"
        else:
            planned = Planned(ck_retake.target, "plan")
        retake = retake or ck_retake
    elif ck.date is not None:
        planned = Planned(ck.date, "profile")
    else:
        planned = Planned(proposed_ck(block_start, window, rules), "plan")
    pending = ck.status != "passed" and planned is not None
    ck_result = score_release(planned.date, rules) if pending and planned is not None else None
    certified = None
    if profile.applicant_type in IMG_TYPES:
        certified = _certified(profile, today, season, rules, (step1_result, ck_result))
    return Chain(
        season,
        window,
        latest_safe_exam(season.eras_review.date, rules),
        step1,
        step1_result,
        planned,
        pending,
        ck_result,
        certified,
        retake,
        no_attempts,
    )


def _certified(
    profile: Profile, today: date, season: Season, rules: Rules, results: tuple[date | None, date | None]
) -> date:
    """The day every ECFMG requirement can be met: both exam results and the Pathway."""
    dates = rules.dates
    ecfmg = profile.ecfmg
    oet = {"passed": today, "scheduled": today + dates.oet_result}.get(
        ecfmg.oet, today + dates.oet_sitting + dates.oet_result
    )
    if ecfmg.pathway == "met":
        pathway = today
    elif ecfmg.pathway == "applied":
        pathway = today + dates.pathway_review
    else:
        pathway = max(oet, pathway_opens(season.match_year, rules)[0]) + dates.pathway_review
    return max([today, pathway, *(day for day in results if day is not None)])


def assess(profile: Profile, today: date, seasons: SeasonTable, rules: Rules, this: Chain | None = None) -> Feasibility:
    """The status (vocabulary.FeasibilityStatus) with its reasons in plain sentences; at risk, the next cycle too."""
    if this is None:
        this = chain(profile, today, seasons.season_for(profile.match_year), rules)
    status, reasons = _reasons(this)
    if status != "at-risk":
        return Feasibility(status, reasons)
    following = chain(profile, today, seasons.season_for(profile.match_year + 1), rules)
    return Feasibility(status, reasons, profile.match_year + 1, _side_by_side(this, following, rules))


def _reasons(found: Chain) -> tuple[FeasibilityStatus, tuple[str, ...]]:
    """The status and its reasons: at risk, only what puts the year at risk; else every check."""
    season = found.season
    reasons: dict[FeasibilityStatus, list[str]] = {"at-risk": [], "tight": [], "on-track": []}
    if found.no_attempts_left:
        label = _EXAM_LABELS[found.no_attempts_left]
        reasons["at-risk"].append(f"The attempt rules leave you no {label} attempt for the {season.match_year} Match.")
    review = season.eras_review.date
    ck = found.ck
    if ck is not None and found.ck_pending and found.ck_result is not None:
        step1_note = ""
        if found.step1 is not None and found.step1_result is not None:
            when = "planned for" if found.step1.origin == "plan" else "on"
            step1_note = f"Step 1 {when} {show(found.step1.date)} has its result around {show(found.step1_result)}, so "
        what = "your Step 2 CK date" if ck.origin == "profile" else "the earliest Step 2 CK date that fits"
        what = what if step1_note else what[0].upper() + what[1:]
        if ck.date > found.safe:
            reasons["at-risk"].append(
                f"{step1_note}{what} is {show(ck.date)}, after {show(found.safe)}, the last date whose "
                f"score reliably reaches programs when they start reviewing ({show(review)}); its score is "
                f"expected around {show(found.ck_result)}."
            )
        elif ck.date > found.window[1]:
            reasons["tight"].append(
                f"{step1_note}{what} is {show(ck.date)}, after the April to July window; its score "
                f"(around {show(found.ck_result)}) should still reach programs by review on {show(review)}."
            )
        else:
            reasons["on-track"].append(
                f"{step1_note}{what} is {show(ck.date)}, inside the window; its score (around "
                f"{show(found.ck_result)}) should reach programs before review on {show(review)}."
            )
    rol = season.rol_deadline.date
    if found.certified is not None:
        if found.certified > rol:
            reasons["at-risk"].append(
                f"ECFMG certification (exams, OET and the Pathway) could be complete around "
                f"{show(found.certified)}, after the rank order list deadline ({show(rol)}): "
                "without it you are withdrawn from the Match."
            )
        else:
            reasons["on-track"].append(
                f"ECFMG certification can be complete by the rank order list deadline ({show(rol)})."
            )
    if reasons["at-risk"]:
        return "at-risk", tuple(reasons["at-risk"])
    said = reasons["tight"] + reasons["on-track"]
    if not said:
        said = ["Your exams are behind you and nothing left to date stands in the way of this Match year."]
    return ("tight" if reasons["tight"] else "on-track"), tuple(said)


def _side_by_side(this: Chain, following: Chain, rules: Rules) -> tuple[CycleDate, ...]:
    titles = {m.id: m.title for m in rules.milestones}
    rows: list[CycleDate] = []
    if following.step1 is not None and this.step1 is not None:
        rows.append(CycleDate("step1", "Step 1", following.step1.date, this.step1.date, following.step1.origin, False))
    if following.ck is not None and following.ck_pending:
        this_ck = this.ck.date if this.ck is not None else None
        rows.append(CycleDate("ck-target", "Step 2 CK", following.ck.date, this_ck, following.ck.origin, False))
    for name, milestone_id in (
        ("eras_submit", "eras-submit"),
        ("eras_review", "eras-review"),
        ("rol_deadline", "rol-deadline"),
        ("match_day", "match-day"),
    ):
        entry = getattr(following.season, name)
        this_entry = getattr(this.season, name)
        rows.append(
            CycleDate(
                milestone_id,
                titles.get(milestone_id, milestone_id),
                entry.date,
                this_entry.date,
                "official",
                entry.confirmed,
            )
        )
    return tuple(sorted(rows, key=lambda row: row.day))
