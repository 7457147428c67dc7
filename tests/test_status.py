"""Milestone statuses, next_actions, the profile's `done:` and `application:` blocks and their
validation, and what a US graduate's plan leaves out (issue 16, SPEC "Dates and feasibility")."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.pipeline import Inputs, load_inputs, plan_profile
from roadmap.decide.facts import derive_facts
from roadmap.decide.plan import Plan
from roadmap.decide.selection import build_plan
from roadmap.decide.status import MAX_ACTIONS, MIN_ACTIONS, is_official, is_own_action
from tests.conftest import PROFILES, make_profile

PASSED = {"status": "passed", "attempts": 1, "date": "2026-02-10"}
CK_PASSED = {"status": "passed", "attempts": 1, "date": "2027-06-01", "score": 241}
# Match 2028: applications open for submission in early September 2027.
SPRING = date(2027, 5, 1)  # before every season date of the application and every step for it
NOV_30 = date(2027, 11, 30)  # the season in progress


@lru_cache(maxsize=1)
def _inputs() -> Inputs:
    return load_inputs()


def plan_for(today: date, **fields: Any) -> Plan:
    inputs = _inputs()
    fields.setdefault("applicant_type", "us-md")  # no ECFMG steps: the cases below are about the season
    fields.setdefault("step1", PASSED)
    fields.setdefault("step2ck", CK_PASSED)
    return build_plan(make_profile(**fields), inputs.library, inputs.seasons, today, source="t.yaml")


def statuses(plan: Plan) -> dict[str, str]:
    return {m.id: m.status for m in plan.milestones}


# (case, today, profile fields, milestone id, expected status)
STATUS_CASES: list[tuple[str, date, dict[str, Any], str, str]] = [
    ("official deadline ahead", SPRING, {}, "eras-submit", "later"),
    ("official deadline gone by", NOV_30, {}, "eras-submit", "past"),
    ("official registration gone by", NOV_30, {}, "nrmp-registration", "past"),
    ("official event gone by", NOV_30, {}, "eras-opens", "past"),
    ("official event ahead", NOV_30, {}, "match-day", "later"),
    ("own action ahead", SPRING, {}, "letters-request", "later"),
    ("own action gone by", NOV_30, {}, "letters-request", "overdue"),
    ("own action gone by, recorded in done:", NOV_30, {"done": ["letters-request"]}, "letters-request", "done"),
    ("own action ahead, recorded in done:", SPRING, {"done": ["letters-request"]}, "letters-request", "done"),
    ("submitted: the submission is done", NOV_30, {"application": {"submitted": "2027-09-24"}}, "eras-submit", "done"),
    (
        "submitted: its parts are done",
        NOV_30,
        {"application": {"submitted": "2027-09-24"}},
        "personal-statement-final",
        "done",
    ),
    ("not submitted: the parts are overdue", NOV_30, {}, "personal-statement-final", "overdue"),
    ("the rank order list, ahead", NOV_30, {}, "rank-order-list", "next"),
]


@pytest.mark.parametrize(
    ("case", "today", "fields", "milestone", "expected"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES]
)
def test_status_of_official_and_own_dates(
    case: str, today: date, fields: dict[str, Any], milestone: str, expected: str
) -> None:
    assert statuses(plan_for(today, **fields))[milestone] == expected


def test_the_season_in_progress_has_no_official_date_overdue() -> None:
    plan = plan_for(NOV_30, application={"submitted": "2027-09-24", "interviews": 4})
    overdue = [m.id for m in plan.milestones if m.status == "overdue"]
    assert not [m for m in overdue if not is_own_action(next(x for x in plan.milestones if x.id == m))]
    assert "eras-submit" not in overdue
    assert "nrmp-registration" not in overdue
    assert overdue == []  # submitted: every part of the application is done


def test_exactly_one_next_and_it_is_the_first_upcoming() -> None:
    plan = plan_for(SPRING)
    upcoming = [m for m in plan.milestones if m.status in ("next", "later")]
    assert [m.status for m in upcoming][:2] == ["next", "later"]
    assert [m.status for m in plan.milestones].count("next") == 1


def test_next_actions_overdue_first_then_due_soon() -> None:
    plan = plan_for(NOV_30)
    actions = plan.next_actions
    overdue = [a for a in actions if a.status == "overdue"]
    assert [a.status for a in actions[: len(overdue)]] == ["overdue"] * len(overdue)
    assert overdue and overdue[0].milestone == "letters-request"
    due = overdue[0].date
    assert (
        overdue[0].why == f"It was due on {due:%B} {due.day}, {due.year}, and your profile does not record it as done."
    )
    assert MIN_ACTIONS <= len(actions) <= MAX_ACTIONS
    assert [a.date for a in overdue] == sorted(a.date for a in overdue)


def test_next_actions_never_hold_an_official_date_alone() -> None:
    plan = plan_for(SPRING)
    by_id = {m.id: m for m in plan.milestones}
    assert plan.next_actions
    for action in plan.next_actions:
        assert action.milestone is not None
        milestone = by_id[action.milestone]
        assert not is_official(milestone)
        assert milestone.kind != "event"


@pytest.mark.parametrize("when", ["golden day", "november of the season"])
@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_every_example_has_3_to_7_own_actions_and_no_official_date_overdue(profile: Path, when: str) -> None:
    today = date(2027, 3, 1)
    if when != "golden day":  # November 30 of the application year, the season in progress
        today = date(int(str(plan_profile(profile, _inputs(), today).values["season.year"])), 11, 30)
    plan = plan_profile(profile, _inputs(), today)
    by_id = {m.id: m for m in plan.milestones}
    assert MIN_ACTIONS <= len(plan.next_actions) <= MAX_ACTIONS
    for action in plan.next_actions:
        assert action.milestone is not None and is_own_action(by_id[action.milestone])
        assert action.status in ("overdue", "next", "later")
        assert action.why.endswith(".")
    for milestone in plan.milestones:
        if milestone.status == "overdue":
            assert is_own_action(milestone), milestone.id
    manifest = plan.to_manifest()
    assert manifest["next_actions"] == [a.to_json() for a in plan.next_actions]
    assert set(manifest["next_actions"][0]) == {"date", "title", "why", "milestone", "status"}


def test_explain_prints_your_next_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text("name: A\nmatch_year: 2028\nstep1: {status: passed, attempts: 1, date: 2026-02-10}\n")
    result = CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-11-30"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("Your next steps:")
    as_json = CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-11-30", "--json"])
    first = json.loads(as_json.output)["next_actions"][0]
    assert first["status"] == "overdue"
    assert lines[start + 1] == f"  {first['date']}  overdue  {first['title']}"
    assert lines[start + 2] == f"      why: {first['why']}"


# --- the profile's new blocks and their validation (exact texts, exit 1) ---------------------

ERROR_CASES = {
    "done id with a typo": (
        "name: A\nmatch_year: 2028\ndone: [leters-request]\n",
        "p.yaml:3:8: done[0]: names no milestone of this plan; did you mean 'letters-request'? (got leters-request)",
    ),
    "done id far from any": (
        "name: A\nmatch_year: 2028\ndone:\n  - zzz\n",
        "p.yaml:4:5: done[0]: names no milestone of this plan (got zzz)",
    ),
    "passed below the standard of its day": (
        "name: A\nmatch_year: 2028\nstep2ck: {status: passed, attempts: 1, date: 2026-01-15, score: 205}\n",
        "p.yaml:3:65: step2ck.score: a passed Step 2 CK score is at least 218, the passing standard on 2026-01-15"
        " (got 205)",
    ),
    "failed at the standard of its day": (
        "name: A\nmatch_year: 2028\nstep2ck: {status: failed, attempts: 1, date: 2022-08-01, score: 214}\n",
        "p.yaml:3:65: step2ck.score: a failed Step 2 CK score is below 214, the passing standard on 2022-08-01"
        " (got 214)",
    ),
    "a Match that is over, outcome pending": (
        "name: A\nmatch_year: 2020\n",
        "p.yaml:2:13: match_year: the 2020 Match is over (Match Day was 2020-03-20); plan for a Match to come,"
        " or record application.outcome (got 2020)",
    ),
    "rank_list misspelt": (
        "name: A\nmatch_year: 2028\napplication: {rank_list: certifed}\n",
        "p.yaml:3:26: application.rank_list: must be one of not-started, draft, certified;"
        " did you mean 'certified'? (got certifed)",
    ),
    "negative interviews": (
        "name: A\nmatch_year: 2028\napplication: {interviews: -1}\n",
        "p.yaml:3:27: application.interviews: must be a whole number from 0 to 500 (got -1)",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_profile_errors_of_this_revision(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text, expected = ERROR_CASES[case]
    Path("p.yaml").write_text(text)
    result = CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-03-01"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("ck_fields", "ok"),
    [
        ({"status": "passed", "date": "2026-01-15", "score": 218}, True),  # at the standard: a pass
        ({"status": "failed", "date": "2026-01-15", "score": 217}, True),  # below it: a failure
        ({"status": "passed", "date": "2025-06-30", "score": 214}, True),  # the day before 218 took effect
    ],
)
def test_scores_that_agree_with_the_standard_are_accepted(
    ck_fields: dict[str, Any], ok: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ck_text = ", ".join(f"{k}: {v}" for k, v in {**ck_fields, "attempts": 1}.items())
    Path("p.yaml").write_text(f"name: A\nmatch_year: 2028\nstep1: {{status: passed}}\nstep2ck: {{{ck_text}}}\n")
    result = CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-03-01"])
    assert (result.exit_code == 0) is ok, result.output


def test_a_match_that_is_over_is_accepted_once_its_outcome_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text("name: A\nmatch_year: 2027\napplication: {outcome: unmatched}\n")
    assert CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-11-30"]).exit_code == 0


# --- flags, topics and the US graduate's plan -------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "today", "flagged"),
    [
        ({"applicant_type": "us-img"}, date(2027, 3, 1), True),  # step2ck stage
        ({"applicant_type": "us-md"}, date(2027, 3, 1), False),
        ({"applicant_type": "us-do"}, date(2027, 3, 1), False),
        ({"applicant_type": "non-us-img", "step1": {"status": "not-taken"}}, date(2024, 3, 1), False),  # early
    ],
)
def test_no_usce_only_for_an_img_near_the_application(fields: dict[str, Any], today: date, flagged: bool) -> None:
    fields = {"step1": PASSED, "experience": {"usce_months": 0}, **fields}
    assert ("no-usce" in derive_facts(make_profile(**fields), today).flags) is flagged


def test_latest_practice_score_is_the_latest_nbme_form_when_there_is_one() -> None:
    practice = [
        {"form": "NBME 12", "score": 221, "date": "2027-01-10"},
        {"form": "UWSA 2", "score": 245, "date": "2027-02-10"},
    ]
    values = derive_facts(make_profile(step2ck={"practice": practice}), date(2027, 3, 1)).values
    assert (values["practice.latest"], values["practice.latest_form"], values["practice.count"]) == (221, "NBME 12", 2)
    only_uwsa = derive_facts(make_profile(step2ck={"practice": practice[1:]}), date(2027, 3, 1)).values
    assert only_uwsa["practice.latest"] == 245


def _topics(plan: Plan) -> set[str]:
    return {topic for section in plan.sections for topic in section.module.topics}


def test_rising_practice_scores_get_no_move_to_the_next_cycle() -> None:
    def practice(*scores: int) -> dict[str, Any]:
        forms = [{"form": f"NBME {i}", "score": s, "date": f"2027-01-{10 + i:02d}"} for i, s in enumerate(scores)]
        return {"status": "scheduled", "date": "2027-07-15", "practice": forms}

    march = date(2027, 3, 1)
    assert "delay-match-cycle" not in _topics(plan_for(march, step2ck=practice(219, 224, 228)))
    assert "delay-match-cycle" in _topics(plan_for(march, step2ck=practice(222, 221, 222)))


IMG_ONLY_MILESTONES = {"oet", "ecfmg-pathway", "eras-token", "ecfmg-documents", "ecfmg-requirements-by-rol"}


@pytest.mark.parametrize("applicant_type", ["us-md", "us-do"])
def test_a_us_graduate_plan_has_nothing_written_only_for_imgs(
    applicant_type: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_for(date(2027, 3, 1), applicant_type=applicant_type, step2ck={}, experience={"usce_months": 0})
    assert not {m.id for m in plan.milestones} & IMG_ONLY_MILESTONES
    assert "no-usce" not in plan.flags
    assert not [s.id for s in plan.sections if "is_img" in str(s.module.when) or "img" in s.id]
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text(f"name: A\nmatch_year: 2028\napplicant_type: {applicant_type}\n")
    out = tmp_path / "out"
    built = CliRunner().invoke(
        main, ["build", "p.yaml", "--today", "2027-03-01", "--format", "html", "--out", str(out)]
    )
    assert built.exit_code == 0, built.output
    html = next(out.rglob("index.html")).read_text()
    for wording in ("Studying from abroad", "The section on ECFMG steps", "Pass OET Medicine", "ECFMG Pathway"):
        assert wording not in html
