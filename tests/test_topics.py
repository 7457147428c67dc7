"""Decision table: boundary profiles and the exact topics the built-in library selects for them.

Each expected set is written out by hand from the SPEC's topic table, so this test checks the
content's `when:` conditions against the contract, not against a second copy of the rules.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import pytest

from roadmap.commands.pipeline import Inputs, load_inputs
from roadmap.decide.selection import build_plan
from tests.conftest import make_profile


@lru_cache(maxsize=1)
def _inputs() -> Inputs:
    return load_inputs()


def topics(today: date, **fields: Any) -> set[str]:
    inputs = _inputs()
    plan = build_plan(make_profile(**fields), inputs.library, inputs.seasons, today, source="t.yaml")
    return {topic for section in plan.sections for topic in section.module.topics}


ALWAYS = {"landscape", "networking", "pathway-choice", "genetics-board-path"}
USCE = {"usce-for-imgs"}  # an IMG from the Step 1 stage on, with under 3 months of US clinical experience
CK_OPEN = {"step2ck-targets", "step2ck-study-plan", "step2ck-genetics-integration", "step2ck-timing"}
RECOVERY = {"low-score-recovery", "trajectory-narrative"}
APPLYING = {"letters", "eras-application", "program-selection"}
MARCH_1 = date(2027, 3, 1)  # six months before September 1, 2027 (match_year 2028)
PASSED = {"status": "passed", "attempts": 1, "date": "2026-02-10"}
PASSED_AFTER_FAIL = {"status": "passed", "attempts": 2, "date": "2026-02-10"}


def ck(
    status: str = "not-taken", score: int | None = None, practice: tuple[int, ...] = (), **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, **extra}
    if score is not None:
        data.update(score=score, attempts=1, date="2027-01-20")
    if status == "scheduled":
        data.setdefault("date", "2027-07-15")
    data["practice"] = [
        {"form": f"NBME {i}", "score": s, "date": f"2027-01-{10 + i:02d}"} for i, s in enumerate(practice)
    ]
    return data


def applied(score: int, electives: int = 0, step1: dict[str, Any] = PASSED) -> dict[str, Any]:
    return {"step1": step1, "step2ck": ck("passed", score), "experience": {"genetics_electives": electives}}


CASES: list[tuple[str, date, dict[str, Any], set[str]]] = [
    (
        "preclinical, nothing taken",
        MARCH_1,
        {"match_year": 2030},
        ALWAYS | {"roadmap-preclinical", "step1-prep", "genetics-identity"} | CK_OPEN,
    ),
    (
        "preclinical edge: season exactly two calendar years away",
        date(2026, 12, 31),
        {"match_year": 2029},
        ALWAYS | {"roadmap-preclinical", "step1-prep", "genetics-identity"} | CK_OPEN,
    ),
    (
        "step1 edge: season one calendar year away",
        date(2027, 1, 1),
        {"match_year": 2029},
        ALWAYS | {"step1-prep", "genetics-identity"} | CK_OPEN | USCE,
    ),
    ("step1 not taken", MARCH_1, {}, ALWAYS | {"step1-prep", "genetics-identity"} | CK_OPEN | USCE),
    (
        "step1 scheduled",
        MARCH_1,
        {"match_year": 2029, "step1": {"status": "scheduled", "date": "2027-06-01"}},
        ALWAYS | {"step1-prep", "genetics-identity"} | CK_OPEN | USCE,
    ),
    (
        "step1 failed",
        MARCH_1,
        {"step1": {"status": "failed", "attempts": 1, "date": "2026-10-05"}},
        ALWAYS | {"step1-failure-recovery", "genetics-identity", "pathway-primary-first"} | CK_OPEN | RECOVERY | USCE,
    ),
    (
        "step1 retake scheduled",
        MARCH_1,
        {"step1": {"status": "scheduled", "attempts": 1, "date": "2027-04-05"}},
        ALWAYS
        | {"step1-prep", "step1-failure-recovery", "genetics-identity", "pathway-primary-first"}
        | CK_OPEN
        | RECOVERY
        | USCE,
    ),
    (
        "step1 failed, still step1 stage after September 1",
        date(2027, 9, 2),
        {"step1": {"status": "failed", "attempts": 1}},
        # Step 1 still to pass once the season has begun: this Match year no longer fits.
        ALWAYS
        | {"step1-failure-recovery", "genetics-identity", "pathway-primary-first", "match-year-at-risk"}
        | CK_OPEN
        | RECOVERY
        | USCE
        | {"score-reporting"},
    ),
    (
        "step2ck stage, 7 months to the season",
        date(2027, 2, 28),
        {"step1": PASSED},
        ALWAYS | {"step1-passed-next", "genetics-identity", "letters", "eras-application"} | CK_OPEN | USCE,
    ),
    (
        "step2ck stage, 6 months to the season",
        MARCH_1,
        {"step1": PASSED},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN | USCE,
    ),
    (
        "practice 229",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("scheduled", practice=(240, 229))},
        ALWAYS
        | {
            "step1-passed-next",
            "genetics-identity",
            "step2ck-delay-decision",
            "delay-match-cycle",
            "pathway-primary-first",
        }
        | APPLYING
        | CK_OPEN
        | USCE,
    ),
    (
        "practice 230",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("scheduled", practice=(220, 230))},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN | USCE,
    ),
    (
        "step1 passed after a failure, step2ck stage",
        MARCH_1,
        {"step1": PASSED_AFTER_FAIL},
        ALWAYS
        | {"step1-failure-recovery", "genetics-identity", "pathway-primary-first"}
        | APPLYING
        | CK_OPEN
        | RECOVERY
        | USCE,
    ),
    (
        "step2ck stage, the day before September 1",
        date(2027, 8, 31),
        {"step1": PASSED, "step2ck": ck("scheduled")},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN | USCE,
    ),
    (
        "application stage on September 1, CK not passed",
        date(2027, 9, 1),
        {"step1": PASSED, "step2ck": ck("scheduled")},
        ALWAYS | {"genetics-identity"} | APPLYING | CK_OPEN | USCE | {"score-reporting"},
    ),
    (
        "application stage, CK not passed, practice 225",
        date(2027, 9, 1),
        {"step1": PASSED, "step2ck": ck("scheduled", practice=(225,)), "experience": {"genetics_electives": 1}},
        ALWAYS | {"step2ck-delay-decision", "pathway-primary-first"} | APPLYING | CK_OPEN | USCE | {"score-reporting"},
    ),
    (
        "CK failed 210",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("failed", 210)},
        ALWAYS
        | {"step1-passed-next", "genetics-identity", "pathway-primary-first"}
        | APPLYING
        | CK_OPEN
        | RECOVERY
        | USCE,
    ),
    (
        "CK 224",
        MARCH_1,
        applied(224),
        ALWAYS | {"genetics-identity", "pathway-primary-first"} | APPLYING | RECOVERY | USCE,
    ),
    (
        "CK 225",
        MARCH_1,
        applied(225),
        ALWAYS | {"genetics-identity", "pathway-primary-first"} | APPLYING | RECOVERY | USCE,
    ),
    (
        "CK 229",
        MARCH_1,
        applied(229),
        ALWAYS | {"genetics-identity", "pathway-primary-first"} | APPLYING | RECOVERY | USCE,
    ),
    ("CK 230", MARCH_1, applied(230), ALWAYS | {"genetics-identity", "pathway-primary-first"} | APPLYING | USCE),
    ("CK 239", MARCH_1, applied(239, electives=1), ALWAYS | {"pathway-primary-first"} | APPLYING | USCE),
    ("CK 240", MARCH_1, applied(240), ALWAYS | {"genetics-identity"} | APPLYING | USCE),
    ("CK 249 with a genetics elective", MARCH_1, applied(249, electives=1), ALWAYS | APPLYING | USCE),
    ("CK 250 with two genetics electives", MARCH_1, applied(250, electives=2), ALWAYS | APPLYING | USCE),
    (
        "CK 245 after a Step 1 failure, application stage",
        MARCH_1,
        applied(245, electives=1, step1=PASSED_AFTER_FAIL),
        ALWAYS | {"pathway-primary-first"} | APPLYING | RECOVERY | USCE,
    ),
    (
        "US MD, step2ck stage",
        MARCH_1,
        {"applicant_type": "us-md", "step1": PASSED},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN,
    ),
    (
        "US DO, practice 229",
        MARCH_1,
        {"applicant_type": "us-do", "step1": PASSED, "step2ck": ck("scheduled", practice=(229,))},
        ALWAYS
        | {
            "step1-passed-next",
            "genetics-identity",
            "step2ck-delay-decision",
            "delay-match-cycle",
            "pathway-primary-first",
        }
        | APPLYING
        | CK_OPEN,
    ),
    (
        "non-US IMG, step2ck stage",
        MARCH_1,
        {"applicant_type": "non-us-img", "step1": PASSED},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN | USCE,
    ),
    (
        "CK score pending",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("scheduled", date="2027-02-20")},
        ALWAYS | {"step1-passed-next", "genetics-identity"} | APPLYING | CK_OPEN | USCE,
    ),
]


@pytest.mark.parametrize(("today", "fields", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_topics_chosen(today: date, fields: dict[str, Any], expected: set[str]) -> None:
    assert topics(today, **fields) == expected


def test_at_least_25_boundary_profiles() -> None:
    assert len(CASES) >= 25


# The issue 18 topics at their edges (SPEC topic table): (case, today, profile, topic, selected).
IMG_CK_STAGE = {"step1": PASSED, "step2ck": ck("scheduled")}
EDGES: list[tuple[str, date, dict[str, Any], str, bool]] = [
    ("IMG, 2 months of USCE", MARCH_1, {**IMG_CK_STAGE, "experience": {"usce_months": 2}}, "usce-for-imgs", True),
    ("IMG, 3 months of USCE", MARCH_1, {**IMG_CK_STAGE, "experience": {"usce_months": 3}}, "usce-for-imgs", False),
    ("US MD, no USCE", MARCH_1, {**IMG_CK_STAGE, "applicant_type": "us-md"}, "usce-for-imgs", False),
    ("IMG preclinical", MARCH_1, {"match_year": 2030}, "usce-for-imgs", False),
    (
        "CK booked after submissions open",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("scheduled", date="2027-09-10")},
        "score-reporting",
        True,
    ),
    (
        "CK booked in August, before submissions open",
        MARCH_1,
        {"step1": PASSED, "step2ck": ck("scheduled", date="2027-08-20")},
        "score-reporting",
        False,
    ),
    (
        "CK score pending in the application stage",
        date(2027, 9, 10),
        {"step1": PASSED, "step2ck": {"status": "scheduled", "date": "2027-08-20"}},
        "score-reporting",
        True,
    ),
    (
        "application stage, not submitted, before review",
        date(2027, 9, 10),
        applied(245),
        "interviews-and-ranking",
        False,
    ),
    ("application stage, not submitted, review begun", date(2027, 9, 30), applied(245), "interviews-and-ranking", True),
    (
        "application stage, submitted",
        date(2027, 9, 10),
        {**applied(245), "application": {"submitted": "2027-09-05"}},
        "interviews-and-ranking",
        True,
    ),
    ("application stage, December 31", date(2027, 12, 31), applied(245), "soap-and-unmatched", False),
    ("application stage, January 1 of the Match year", date(2028, 1, 1), applied(245), "soap-and-unmatched", True),
    (
        "unmatched, recorded before January",
        date(2027, 12, 20),
        {**applied(245), "application": {"submitted": "2027-09-05", "outcome": "unmatched"}},
        "soap-and-unmatched",
        True,
    ),
    ("any stage: the genetics path", date(2026, 12, 31), {"match_year": 2031}, "genetics-board-path", True),
]


@pytest.mark.parametrize(("case", "today", "fields", "topic", "selected"), EDGES, ids=[e[0] for e in EDGES])
def test_new_topics_at_their_edges(case: str, today: date, fields: dict[str, Any], topic: str, selected: bool) -> None:
    assert (topic in topics(today, **fields)) is selected
