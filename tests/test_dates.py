"""Dates a worried applicant can trust (SPEC "Dates and feasibility"): a decision table at the edges.

The proposed Step 2 CK date for `today` before, inside and after the April-July window; the
remediation plan and retake target after a failure 2 weeks, 3 months and 7 months ago; the
feasibility chain with Step 1 unscheduled 14, 9 and 3 months before the season; an IMG without
OET in January of the Match year; and where each date comes from (origin, confirmed).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest

from roadmap.commands.pipeline import Inputs, load_inputs
from roadmap.decide.selection import build_plan
from roadmap.load.conditions import show
from tests.conftest import make_profile

if TYPE_CHECKING:
    from roadmap.decide.plan import Milestone, Plan

PASSED = {"status": "passed", "attempts": 1, "date": "2026-02-10"}
CK_PASSED = {"status": "passed", "attempts": 1, "date": "2027-06-15", "score": 241}


@cache
def _inputs() -> Inputs:
    return load_inputs()


def plan(today: date, **fields: Any) -> Plan:
    inputs = _inputs()
    return build_plan(
        make_profile(**fields), inputs.library, inputs.seasons, today, source="t.yaml", rules=inputs.rules
    )


def milestone(found: Plan, milestone_id: str) -> Milestone:
    return next(m for m in found.milestones if m.id == milestone_id)


def has(found: Plan, milestone_id: str) -> bool:
    return any(m.id == milestone_id for m in found.milestones)


# The 2028 Match: window 2027-04-01 to 2027-07-31; a proposal leaves 8 weeks (56 days) from today.
CK_PROPOSALS = [
    ("before the window", date(2026, 12, 1), date(2027, 4, 1), False),
    ("8 weeks before April 1 exactly", date(2027, 2, 4), date(2027, 4, 1), False),
    ("one day later: the block ends April 2", date(2027, 2, 5), date(2027, 4, 2), False),
    ("inside the window", date(2027, 3, 1), date(2027, 4, 26), False),
    ("the block ends on July 31", date(2027, 6, 5), date(2027, 7, 31), False),
    ("the block ends August 1: after the window", date(2027, 6, 6), date(2027, 8, 1), True),
    ("after the window", date(2027, 7, 1), date(2027, 8, 26), True),
]


@pytest.mark.parametrize(("case", "today", "proposed", "after"), CK_PROPOSALS, ids=[c[0] for c in CK_PROPOSALS])
def test_the_proposed_ck_date_is_the_earliest_in_the_window_that_leaves_a_dedicated_block(
    case: str, today: date, proposed: date, after: bool
) -> None:
    found = plan(today, step1=PASSED)
    target = milestone(found, "ck-target")
    assert (target.date, target.origin, target.confirmed, target.kind) == (proposed, "plan", False, "exam")
    assert ("ck-after-window" in found.flags) is after
    warning = (
        "There is no longer room for 8 weeks of dedicated study before July 31, 2027: the proposed Step 2 CK "
        f"date, {show(proposed)}, is after the April to July window."
    )
    assert (warning in found.warnings) is after
    # ck-latest-safe stays, as the labelled last resort, and is never the proposal.
    safe = milestone(found, "ck-latest-safe")
    assert safe.date == date(2027, 8, 18) and safe.title.startswith("Last resort:")
    assert "you submit and choose programs and signals without the score, and must send it" in safe.detail


def test_a_given_ck_date_is_used_and_no_date_is_proposed() -> None:
    found = plan(date(2027, 3, 1), step1=PASSED, step2ck={"status": "scheduled", "date": "2027-06-15"})
    assert not has(found, "ck-target")
    exam = milestone(found, "ck-exam")
    assert (exam.date, exam.origin, exam.confirmed) == (date(2027, 6, 15), "profile", False)
    assert found.values["step2ck.planned_date"] == date(2027, 6, 15)


@pytest.mark.parametrize(
    ("ck_date", "resend"),
    [("2027-06-15", None), ("2027-08-04", date(2027, 9, 1)), ("2027-08-16", date(2027, 9, 15))],
)
def test_score_resend_when_the_ck_score_comes_after_submission(ck_date: str, resend: date | None) -> None:
    # The 2028 Match's submission opens 2027-09-01 (estimated); a score that day is already in.
    found = plan(date(2027, 3, 1), step1=PASSED, step2ck={"status": "scheduled", "date": ck_date})
    dates = [m.date for m in found.milestones if m.id == "score-resend"]
    assert dates == ([resend] if resend and resend > date(2027, 9, 1) else [])


def test_the_study_plan_counts_down_to_the_proposal_full_time_only_at_the_end() -> None:
    found = plan(date(2027, 1, 4), step1=PASSED, study={"hours_per_week": 45})
    target = milestone(found, "ck-target").date
    weeks = found.study_weeks
    assert target == date(2027, 4, 1)
    assert weeks[-1].start <= target < weeks[-1].start.fromordinal(weeks[-1].start.toordinal() + 7)
    assert [w.hours for w in weeks].count(45) == 12
    assert {w.hours for w in weeks[:-12]} == {15}


def test_the_study_plan_never_counts_down_to_the_latest_safe_date() -> None:
    found = plan(date(2027, 7, 1), step1=PASSED, study={"hours_per_week": 40})
    assert found.study_weeks[-1].start == date(2027, 8, 23)  # the week of the proposal, 2027-08-26
    assert milestone(found, "ck-latest-safe").date < found.study_weeks[-1].start


TODAY = date(2027, 3, 1)
# After a failed Step 1: a remediation plan within a week, a retake target no earlier than 3 months
# after the failure, than 8 weeks of preparation from today (2027-04-26) and than the attempt rules.
FAILURES = [
    ("2 weeks ago", "2027-02-15", 1, date(2027, 3, 8), date(2027, 5, 15), "2027-02-16"),
    ("3 months ago", "2026-12-01", 1, date(2027, 3, 8), date(2027, 4, 26), "2026-12-02"),
    ("7 months ago", "2026-08-01", 1, date(2027, 3, 8), date(2027, 4, 26), "2026-08-02"),
    ("2 weeks ago, a 4th attempt: 6 months on", "2027-02-15", 3, date(2027, 3, 8), date(2027, 8, 15), "2027-08-15"),
]


@pytest.mark.parametrize(
    ("case", "failed_on", "attempts", "remediation", "target", "legal"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_after_a_failure_a_remediation_plan_then_a_retake_target(
    case: str, failed_on: str, attempts: int, remediation: date, target: date, legal: str
) -> None:
    found = plan(TODAY, step1={"status": "failed", "attempts": attempts, "date": failed_on})
    plan_step, retake = milestone(found, "remediation-plan"), milestone(found, "retake-target")
    assert (plan_step.date, plan_step.origin, plan_step.kind) == (remediation, "plan", "task")
    assert (retake.date, retake.origin, retake.confirmed) == (target, "plan", False)
    assert f"The earliest the attempt rules allow is {show(date.fromisoformat(legal))}" in retake.detail
    assert f"at least 3 months after your failed attempt of {show(date.fromisoformat(failed_on))}" in retake.detail
    assert not has(found, "step1-retake-earliest")


def test_a_retake_is_not_done_the_day_after_the_failure() -> None:
    found = plan(date(2026, 8, 21), step1={"status": "failed", "attempts": 1, "date": "2026-08-20"})
    retake = milestone(found, "retake-target")
    assert retake.status != "done"
    assert retake.date == date(2026, 11, 20)


def test_a_ck_failure_gets_its_own_retake_target_and_study_plan() -> None:
    ck = {"status": "failed", "attempts": 1, "date": "2027-01-20", "score": 205}
    found = plan(TODAY, step1=PASSED, step2ck=ck, study={"hours_per_week": 40})
    retake = milestone(found, "retake-target")
    assert retake.date == date(2027, 4, 26) and retake.detail.startswith("Step 2 CK:")
    assert found.study_weeks[-1].start == date(2027, 4, 26)


SEASON = date(2027, 9, 1)  # September 1 of match_year - 1 for the 2028 Match
# Step 1 unscheduled (today + 8 weeks), its result (4 weeks, on a Wednesday), then 8 weeks of CK study.
UNSCHEDULED = [
    ("14 months before", date(2026, 7, 1), "on-track", date(2027, 4, 1)),
    ("9 months before", date(2026, 12, 1), "on-track", date(2027, 4, 21)),
    ("3 months before", date(2027, 6, 1), "at-risk", date(2027, 10, 20)),
]


@pytest.mark.parametrize(("case", "today", "status", "ck"), UNSCHEDULED, ids=[u[0] for u in UNSCHEDULED])
def test_feasibility_with_step1_unscheduled(case: str, today: date, status: str, ck: date) -> None:
    found = plan(today, applicant_type="us-md")
    assert found.feasibility is not None
    assert found.feasibility.status == status
    assert found.values["step2ck.planned_date"] == ck
    assert ("match-year-at-risk" in found.flags) is (status == "at-risk")
    manifest = found.to_manifest()["feasibility"]
    if status != "at-risk":
        assert manifest["next_cycle"] is None
        return
    assert manifest["reasons"] == [
        "Step 1 planned for July 27, 2027 has its result around August 25, 2027, so the earliest Step 2 CK date "
        "that fits is October 20, 2027, after August 18, 2027, the last date whose score reliably reaches programs "
        "when they start reviewing (September 22, 2027); its score is expected around November 17, 2027."
    ]
    following = {row["id"]: row for row in manifest["next_cycle"]["milestones"]}
    assert manifest["next_cycle"]["match_year"] == 2029
    assert following["ck-target"]["date"] == "2028-04-01"
    assert following["ck-target"]["this_cycle"] == "2027-10-20"
    assert following["eras-review"] == {
        "id": "eras-review",
        "title": "Programs start reviewing applications",
        "date": "2028-09-27",
        "this_cycle": "2027-09-22",
        "origin": "official",
        "confirmed": False,
    }


def test_tight_when_the_ck_date_is_after_the_window_but_the_score_reaches_review() -> None:
    found = plan(date(2027, 3, 1), step1=PASSED, step2ck={"status": "scheduled", "date": "2027-08-10"})
    assert found.feasibility is not None and found.feasibility.status == "tight"
    assert found.flags.count("ck-after-window") == 1 and "match-year-at-risk" not in found.flags


@pytest.mark.parametrize(
    ("ecfmg", "status"),
    [
        ({"oet": "not-taken", "pathway": "not-started"}, "at-risk"),
        # durations.yaml plans 8 weeks of Pathway review: applied in mid-January is past March 1.
        ({"oet": "passed", "pathway": "applied"}, "at-risk"),
        ({"oet": "passed", "pathway": "met"}, "on-track"),
    ],
)
def test_an_img_without_oet_in_january_of_the_match_year_is_at_risk(ecfmg: dict[str, str], status: str) -> None:
    found = plan(date(2028, 1, 15), applicant_type="non-us-img", step1=PASSED, step2ck=CK_PASSED, ecfmg=ecfmg)
    assert found.feasibility is not None and found.feasibility.status == status
    if ecfmg["oet"] == "not-taken":
        assert found.feasibility.reasons == (
            "ECFMG certification (exams, OET and the Pathway) could be complete around May 27, 2028, after the rank "
            "order list deadline (March 1, 2028): without it you are withdrawn from the Match.",
        )
        assert "match-year-at-risk" in found.flags


def test_origin_and_confirmed_of_official_profile_and_plan_dates() -> None:
    published = plan(
        date(2025, 1, 10), match_year=2026, step1=PASSED, step2ck={"status": "scheduled", "date": "2025-06-10"}
    )
    submit = milestone(published, "eras-submit")
    assert (submit.origin, submit.confirmed, submit.date) == ("official", True, date(2025, 9, 3))
    assert submit.source.startswith("https://students-residents.aamc.org/")
    pathway = milestone(published, "ecfmg-pathway")
    assert (pathway.origin, pathway.confirmed, pathway.date) == ("official", True, date(2025, 8, 19))
    assert "https://www.ecfmg.org/news/2025/08/19/" in pathway.source  # the reader's citation names the page
    exam = milestone(published, "ck-exam")
    assert (exam.origin, exam.confirmed) == ("profile", False)
    for planned in ("letters-request", "ck-window-start", "ck-latest-safe", "personal-statement-final"):
        assert (milestone(published, planned).origin, milestone(published, planned).confirmed) == ("plan", False)
    estimated = plan(date(2027, 3, 1), step1=PASSED)
    pathway = milestone(estimated, "ecfmg-pathway")
    assert (pathway.origin, pathway.confirmed, pathway.date) == ("official", False, date(2027, 8, 19))
    assert pathway.source.startswith("Estimated: ") and pathway.estimated
    target = milestone(estimated, "ck-target")
    assert (target.origin, target.confirmed, target.estimated) == ("plan", False, False)
    row = next(m for m in estimated.to_manifest()["milestones"] if m["id"] == "ck-target")
    assert (row["origin"], row["confirmed"]) == ("plan", False)
