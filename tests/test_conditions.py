"""The `when:` evaluator: operators, combinators, unknown values, the why text, and its errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from roadmap.decide.facts import FIELDS
from roadmap.errors import Problem
from roadmap.load.conditions import Condition, evaluate, explain, parse_condition, satisfiable
from roadmap.load.yamlsrc import load_yaml


def cond(text: str) -> Condition:
    doc = load_yaml(text, "m.md", line_offset=1)
    problems: list[Problem] = []
    parsed = parse_condition(doc.data, doc, (), problems, FIELDS)
    assert problems == []
    return parsed


def problems_of(text: str) -> list[str]:
    doc = load_yaml(text, "m.md", line_offset=1)
    problems: list[Problem] = []
    parse_condition(doc.data, doc, (), problems, FIELDS)
    return [p.format() for p in problems]


VALUES: dict[str, Any] = {
    "stage": "step2ck",
    "step2ck.status": "scheduled",
    "step2ck.score": None,
    "practice.latest": 222,
    "failed_attempts": 0,
    "flags": ("practice-below-230", "no-usce"),
    "is_img": True,
    "step2ck.date": date(2027, 6, 15),
}


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("stage: step2ck", True),
        ("stage: [step1, step2ck]", True),
        ("stage: {ne: step2ck}", False),
        ("practice.latest: {lt: 230}", True),
        ("practice.latest: {lt: 222}", False),
        ("practice.latest: {le: 222}", True),
        ("practice.latest: {gt: 221, lt: 223}", True),
        ("practice.latest: {ge: 223}", False),
        ("step2ck.status: {not_in: [passed, failed]}", True),
        ("step2ck.status: {in: [passed]}", False),
        ("step2ck.score: {lt: 230}", False),  # unknown is below nothing
        ("step2ck.score: {ge: 230}", False),
        ("step2ck.score: {ne: 230}", True),
        ("step2ck.score: {exists: false}", True),
        ("practice.latest: {exists: true}", True),
        ("flags: no-usce", True),
        ("flags: low-step2ck", False),
        ("flags: {not_in: [low-step2ck, step1-failed]}", True),
        ("is_img: true", True),
        ("step2ck.date: {lt: 2027-07-01}", True),
        ("any: [{stage: step1}, {practice.latest: {lt: 230}}]", True),
        ("all: [{stage: step2ck}, {failed_attempts: {gt: 0}}]", False),
        ("not: {stage: step2ck}", False),
        ("not: {step2ck.score: {lt: 230}}", True),  # negation of an unknown comparison holds
        ("not: {any: [{stage: step1}, {failed_attempts: {gt: 0}}]}", True),
        ("not: {all: [{stage: step2ck}, {failed_attempts: {gt: 0}}]}", True),
    ],
)
def test_evaluate(text: str, holds: bool) -> None:
    assert evaluate(cond(text), VALUES) is holds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("practice.latest: {lt: 230}", ["Your latest practice score is 222, below 230."]),
        ("step2ck.status: {ne: passed}", ["Your Step 2 CK status is scheduled, not passed."]),
        ("stage: [step2ck, application]", ["Your stage is Step 2 CK."]),
        (
            "any: [{stage: step1}, {practice.latest: {lt: 230}}, {failed_attempts: {gt: 0}}]",
            ["Your latest practice score is 222, below 230."],
        ),
        ("not: {step2ck.score: {lt: 230}}", ["Your Step 2 CK score is not recorded yet."]),
        ("not: {practice.latest: {ge: 230}}", ["Your latest practice score is 222, below 230."]),
        ("flags: practice-below-230", ["Your plan is flagged practice-below-230."]),
        ("step2ck.date: {ge: 2027-06-01}", ["Your Step 2 CK date is June 15, 2027, at or above June 1, 2027."]),
    ],
)
def test_why_quotes_the_values_that_made_it_hold(text: str, why: list[str]) -> None:
    assert explain(cond(text), VALUES) == why


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "practice.lates: {lt: 230}",
            "m.md:2:1: practice.lates: unknown field; did you mean 'practice.latest'? (got practice.lates)",
        ),
        (
            "practice.latest: {below: 230}",
            "m.md:2:19: practice.latest.below: unknown operator (use one of eq, ne, lt, le, gt, ge, in, not_in, exists) (got below)",
        ),
        ("practice.latest: {lt: low}", "m.md:2:23: practice.latest.lt: practice.latest is a whole number (got low)"),
        ("stage: step3", "m.md:2:8: stage: stage is one of preclinical, step1, step2ck, application (got step3)"),
        ("stage: {lt: step2ck}", "m.md:2:13: stage.lt: 'lt' compares numbers or dates, and stage is enum (got lt)"),
        ("stage: {in: step1}", "m.md:2:13: stage.in: 'in' takes a list of values (got step1)"),
        # Found by test_properties at 2,000 examples: a list after a one-value operator crashed.
        ("match_year: {lt: []}", "m.md:2:18: match_year.lt: 'lt' takes one value, not a list (got [])"),
        ("any: stage", "m.md:2:6: any: 'any' takes a non-empty list of conditions (got stage)"),
        (
            "flags: not-a-flag",
            "m.md:2:8: flags: flags is one of step1-failed, step2ck-failed, low-step2ck, practice-below-230, no-genetics-letter, no-usce, score-pending, match-year-at-risk, ck-after-window (got not-a-flag)",
        ),
    ],
)
def test_malformed_conditions_name_their_line(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize(
    ("text", "possible"),
    [
        ("practice.latest: {lt: 230}", True),
        ("practice.latest: {lt: 230, gt: 240}", False),
        ("all: [{stage: step1}, {stage: step2ck}]", False),
        ("any: [{stage: step1}, {stage: step2ck}]", True),
        ("step2ck.score: {exists: false, lt: 200}", False),
        ("not: {stage: [preclinical, step1, step2ck, application]}", False),
        ("flags: {in: [no-usce]}", True),
    ],
)
def test_satisfiable(text: str, possible: bool) -> None:
    assert satisfiable(cond(text)) is possible
