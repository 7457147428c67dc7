"""Stages, flags and derived values at the SPEC's boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.decide.facts import derive_facts, failed_attempts, months_between, practice_trend, score_band, stage_of
from tests.conftest import make_profile

PASSED = {"status": "passed", "attempts": 1, "date": "2026-02-10"}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 8, 31), "step2ck"),  # the day before September 1 of match_year - 1
        (date(2027, 9, 1), "application"),  # on the day
        (date(2027, 9, 2), "application"),
    ],
)
def test_step2ck_becomes_application_on_september_1(today: date, expected: str) -> None:
    profile = make_profile(step1=PASSED, step2ck={"status": "scheduled", "date": "2027-10-01"})
    assert stage_of(profile, today) == expected


def test_passing_ck_means_application_whatever_the_date() -> None:
    profile = make_profile(step1=PASSED, step2ck={"status": "passed", "score": 240, "date": "2027-01-05"})
    assert stage_of(profile, date(2027, 1, 10)) == "application"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 12, 31), "preclinical"),  # season 2027 is 2 calendar years after 2025
        (date(2026, 1, 1), "step1"),  # only 1 year after 2026
    ],
)
def test_preclinical_needs_the_season_two_calendar_years_away(today: date, expected: str) -> None:
    assert stage_of(make_profile(), today) == expected


def test_a_step1_date_ends_preclinical() -> None:
    profile = make_profile(match_year=2030, step1={"status": "not-taken", "date": "2027-06-01"})
    assert stage_of(profile, date(2027, 3, 1)) == "step1"


@pytest.mark.parametrize("status", ["not-taken", "scheduled", "failed"])
def test_step1_not_passed_is_the_step1_stage(status: str) -> None:
    step1 = {"status": status, "date": "2027-05-01", "attempts": 1 if status == "failed" else 0}
    assert stage_of(make_profile(step1=step1), date(2027, 3, 1)) == "step1"


def test_step1_stage_even_after_september_1_while_not_passed() -> None:
    assert stage_of(make_profile(step1={"status": "failed", "attempts": 2}), date(2027, 10, 1)) == "step1"


@pytest.mark.parametrize(
    ("score", "band", "low"),
    [
        (224, "below-225", True),
        (225, "225-229", True),
        (229, "225-229", True),
        (230, "230-239", False),
        (239, "230-239", False),
        (240, "240-249", False),
        (249, "240-249", False),
        (250, "250-plus", False),
    ],
)
def test_score_bands_and_low_flag(score: int, band: str, low: bool) -> None:
    profile = make_profile(step1=PASSED, step2ck={"status": "passed", "score": score, "date": "2027-02-01"})
    facts = derive_facts(profile, date(2027, 3, 1))
    assert score_band(score) == band
    assert facts.values["step2ck.band"] == band
    assert ("low-step2ck" in facts.flags) is low


@pytest.mark.parametrize(("latest", "flagged"), [(229, True), (230, False)])
def test_practice_below_230_flag(latest: int, flagged: bool) -> None:
    practice = [
        {"form": "NBME 12", "score": 250, "date": "2027-01-01"},
        {"form": "NBME 13", "score": latest, "date": "2027-02-01"},
    ]
    facts = derive_facts(make_profile(step1=PASSED, step2ck={"practice": practice}), date(2027, 3, 1))
    assert facts.values["practice.latest"] == latest
    assert ("practice-below-230" in facts.flags) is flagged


def test_latest_practice_is_by_date_not_by_file_order() -> None:
    practice = [{"form": "B", "score": 240, "date": "2027-02-01"}, {"form": "A", "score": 220, "date": "2027-01-01"}]
    facts = derive_facts(make_profile(step2ck={"practice": practice}), date(2027, 3, 1))
    assert (facts.values["practice.latest"], facts.values["practice.latest_form"]) == (240, "B")
    assert facts.values["practice.best"] == 240


@pytest.mark.parametrize(
    ("scores", "trend"),
    [
        ((), "none"),
        ((228,), "single"),
        ((221, 223, 222), "flat"),
        ((219, 224, 228), "rising"),
        ((240, 236, 235), "falling"),
        ((200, 221, 223, 222), "flat"),
        ((221, 225), "flat"),
        ((221, 226), "rising"),
    ],
)
def test_practice_trend_over_the_last_three(scores: tuple[int, ...], trend: str) -> None:
    assert practice_trend(scores) == trend


@pytest.mark.parametrize(
    ("status", "attempts", "failed"),
    [
        ("not-taken", 0, 0),
        ("scheduled", 0, 0),
        ("scheduled", 1, 1),
        ("passed", 1, 0),
        ("passed", 0, 0),
        ("passed", 3, 2),
        ("failed", 1, 1),
        ("failed", 0, 1),
        ("failed", 2, 2),
    ],
)
def test_failed_attempts(status: str, attempts: int, failed: int) -> None:
    exam = make_profile(step1={"status": status, "attempts": attempts, "date": "2027-01-01"}).step1
    assert failed_attempts(exam) == failed


def test_flags_follow_the_spec() -> None:
    profile = make_profile(
        step1={"status": "passed", "attempts": 2, "date": "2026-01-01"},
        step2ck={"status": "failed", "attempts": 1, "score": 205, "date": "2027-01-10"},
        experience={"usce_months": 0},
    )
    facts = derive_facts(profile, date(2027, 3, 1))
    assert facts.stage == "step2ck"
    assert facts.flags == ("step1-failed", "step2ck-failed", "low-step2ck", "no-genetics-letter", "no-usce")


def test_genetics_letter_clears_the_flag() -> None:
    letters = [{"writer": "Dr. Lee", "specialty": "maternal-fetal-medicine"}]
    profile = make_profile(step1=PASSED, experience={"usce_months": 3, "letters": letters})
    assert derive_facts(profile, date(2027, 3, 1)).flags == ()


def test_no_genetics_letter_is_only_flagged_from_step2ck_on() -> None:
    assert "no-genetics-letter" not in derive_facts(make_profile(), date(2027, 3, 1)).flags


@pytest.mark.parametrize(("exam_day", "pending"), [("2027-02-28", True), ("2027-03-01", True), ("2027-03-02", False)])
def test_score_pending_once_the_exam_day_has_come(exam_day: str, pending: bool) -> None:
    profile = make_profile(step1=PASSED, step2ck={"status": "scheduled", "date": exam_day})
    assert ("score-pending" in derive_facts(profile, date(2027, 3, 1)).flags) is pending


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (date(2027, 3, 1), 6),
        (date(2027, 2, 28), 7),
        (date(2027, 9, 1), 0),
        (date(2027, 10, 5), -1),
        (date(2025, 9, 1), 24),
    ],
)
def test_months_to_season(today: date, months: int) -> None:
    assert months_between(today, date(2027, 9, 1)) == months
