"""Dated milestones: order, status, the latest safe CK date and its warning, retakes, ECFMG steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.decide.facts import derive_facts
from roadmap.decide.milestones import MilestonePlan, add_months, compute_milestones, latest_safe_exam, score_release
from roadmap.decide.status import with_statuses
from roadmap.load.conditions import show
from roadmap.load.layers import BUILTIN_CONTENT
from roadmap.load.rules import builtin_rules
from roadmap.load.seasons import load_seasons
from roadmap.vocabulary import ALWAYS_MILESTONES
from tests.conftest import PROFILES, make_profile

TABLE = load_seasons(BUILTIN_CONTENT / "data" / "seasons.yaml", "seasons.yaml")
TODAY = date(2027, 3, 1)
PASSED = {"status": "passed", "attempts": 1, "date": "2026-02-10"}


def plan_for(today: date = TODAY, **fields: Any) -> MilestonePlan:
    """The dated milestones, with the statuses a plan gives them (decide/status.py)."""
    profile = make_profile(**fields)
    facts = derive_facts(profile, today)
    dated = compute_milestones(profile, facts, TABLE.season_for(profile.match_year), today)
    statused = with_statuses(dated.milestones, profile, facts.values, today, builtin_rules())
    return replace(dated, milestones=statused)


def ids(plan: MilestonePlan) -> list[str]:
    return [m.id for m in plan.milestones]


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_every_example_gets_at_least_8_dated_milestones_in_order(profile: Any) -> None:
    plan = plan_profile(profile, load_inputs(), TODAY)
    dates = [m.date for m in plan.milestones]
    assert len(plan.milestones) >= 8
    assert dates == sorted(dates)
    assert len({m.id for m in plan.milestones}) == len(plan.milestones)
    assert set(ALWAYS_MILESTONES) <= {m.id for m in plan.milestones}
    assert [m.status for m in plan.milestones].count("next") <= 1


def test_status_relative_to_today() -> None:
    plan = plan_for(step1=PASSED, step2ck={"status": "scheduled", "date": "2027-06-15"})
    by_id = {m.id: m for m in plan.milestones}
    assert by_id["step1-exam"].status == "done"
    assert by_id["genetics-elective-apply"].status == "next"  # March 1: book the elective now
    assert by_id["ck-window-start"].status == "later"
    assert by_id["ck-exam"].status == "later"
    late = plan_for(date(2027, 9, 30), step1=PASSED, step2ck={"status": "scheduled", "date": "2027-06-15"})
    late_by_id = {m.id: m for m in late.milestones}
    assert late_by_id["eras-opens"].status == "past"  # an official date gone by: past, never overdue
    assert late_by_id["letters-request"].status == "overdue"  # a past task we cannot see done
    assert late_by_id["ck-exam"].status == "done"  # the exam day has passed
    assert late_by_id["interviews"].status == "next"


def test_score_release_is_a_wednesday_four_weeks_on_skipping_no_release_weeks() -> None:
    assert score_release(date(2027, 6, 15)) == date(2027, 7, 14)
    assert score_release(date(2027, 6, 7)) == date(2027, 7, 7)  # week of July 4, 2027 is skipped
    assert score_release(date(2027, 12, 1)) == date(2028, 1, 5)  # last week of December is skipped
    assert all(score_release(date(2027, 5, d)).weekday() == 2 for d in range(1, 32))


def test_latest_safe_exam_leaves_score_lag_and_buffer() -> None:
    review = TABLE.season_for(2028).eras_review.date
    assert review == date(2027, 9, 22)
    safe = latest_safe_exam(review)
    assert safe == date(2027, 8, 18)
    assert score_release(safe) <= review


def test_ck_after_the_safe_date_warns_with_both_dates() -> None:
    plan = plan_for(step1=PASSED, step2ck={"status": "scheduled", "date": "2027-08-25"})
    assert plan.warnings == (
        "Your Step 2 CK date (August 25, 2027) is after August 18, 2027, the latest date whose score should reach "
        "programs when they start reviewing (September 22, 2027, estimated).",
    )
    on_time = plan_for(step1=PASSED, step2ck={"status": "scheduled", "date": "2027-08-18"})
    assert on_time.warnings == ()


def test_low_practice_sets_a_decision_date_four_weeks_before_the_exam() -> None:
    practice = [{"form": "NBME 12", "score": 222, "date": "2027-02-01"}]
    plan = plan_for(step1=PASSED, step2ck={"status": "scheduled", "date": "2027-06-15", "practice": practice})
    decide = next(m for m in plan.milestones if m.id == "ck-decide")
    assert decide.date == date(2027, 5, 18)
    assert "222" in decide.detail
    checkpoints = [m.date for m in plan.milestones if m.id.startswith("practice-checkpoint")]
    assert checkpoints == [date(2027, 4, 20), date(2027, 5, 4), date(2027, 5, 18), date(2027, 6, 1)]
    assert "ck-decide" not in ids(
        plan_for(
            step1=PASSED,
            step2ck={
                "status": "scheduled",
                "date": "2027-06-15",
                "practice": [{"form": "A", "score": 240, "date": "2027-02-01"}],
            },
        )
    )


@pytest.mark.parametrize(
    ("attempts", "retake", "warning"),
    [
        (1, date(2026, 10, 6), None),
        (2, date(2026, 10, 6), None),
        (3, date(2027, 4, 5), "You have 1 Step 1 attempt left of 4."),  # a 4th attempt: six months on
        (4, None, "You have 0 Step 1 attempts left of 4."),
    ],
)
def test_retake_rules(attempts: int, retake: date | None, warning: str | None) -> None:
    plan = plan_for(step1={"status": "failed", "attempts": attempts, "date": "2026-10-05"})
    # SPEC "After a failed attempt": the legal earliest date is the retake target's detail; the
    # target itself is later (3 months on, and after 8 weeks of preparation from today).
    found = [m for m in plan.milestones if m.id == "retake-target"]
    assert [m.date for m in found] == ([date(2027, 4, 26)] if retake else [])
    assert all(f"The earliest the attempt rules allow is {show(retake)}" in m.detail for m in found if retake)
    assert plan.warnings == ((warning,) if warning else ())


def test_add_months_clips_to_month_end() -> None:
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_imgs_get_the_ecfmg_track_and_us_graduates_do_not() -> None:
    ecfmg = {"oet", "ecfmg-pathway", "eras-token", "ecfmg-documents", "ecfmg-requirements-by-rol"}
    assert ecfmg <= set(ids(plan_for(applicant_type="us-img")))
    assert ecfmg <= set(ids(plan_for(applicant_type="non-us-img")))
    assert not ecfmg & set(ids(plan_for(applicant_type="us-md")))
    done = plan_for(applicant_type="us-img", ecfmg={"oet": "passed", "pathway": "met"})
    statuses = {m.id: m.status for m in done.milestones}
    assert statuses["oet"] == "done" and statuses["ecfmg-pathway"] == "done"
    assert statuses["ecfmg-requirements-by-rol"] != "done"  # the exams are not passed yet


def test_estimated_season_dates_make_derived_dates_estimated() -> None:
    by_id = {m.id: m for m in plan_for().milestones}
    assert by_id["eras-submit"].confirmed is False
    assert by_id["letters-request"].confirmed is False
    # SPEC: `confirmed` only for an official date; the seed's window is planning advice.
    assert (by_id["ck-window-start"].origin, by_id["ck-window-start"].confirmed) == ("plan", False)
    assert by_id["ck-window-start"].estimated is False  # advice, not an estimate of a calendar date
    past = {m.id: m for m in plan_for(date(2025, 1, 10), match_year=2026).milestones}
    assert past["eras-submit"].confirmed is True and past["eras-submit"].date == date(2025, 9, 3)
