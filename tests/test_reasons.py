"""The phrasebook (issue 17): "why" lines are sentences a person would say, never raw identifiers."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from roadmap.commands.pipeline import Inputs, load_inputs
from roadmap.commands.pipeline import plan_profile as build_profile_plan
from roadmap.decide.facts import FIELDS, FLAGS
from roadmap.errors import InputError, Problem
from roadmap.load.conditions import explain, paths_of
from roadmap.load.layers import BUILTIN_CONTENT, Layered
from roadmap.load.reasons import Phrasebook, read_reasons
from roadmap.load.rules import builtin_rules, load_rules
from roadmap.load.yamlsrc import load_yaml
from tests.conftest import PROFILES, TODAY
from tests.test_conditions import cond
from tests.test_golden import READ_ON

BOOK = builtin_rules().reasons
# An identifier left in a sentence: hyphenated or dotted lowercase ("not-taken", "step2ck.status"),
# or a word with a digit in it ("step1").
_ID_LIKE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+|[a-z]+\d\w*")
# The machine form this issue replaces: "Genetics electives on your record: 0, below 1."
_COUNTED = re.compile(r":\s*-?\d+,\s*(?:at or )?(?:above|below)\b")


def why(text: str, **values: Any) -> list[str]:
    return explain(cond(text), values, BOOK)


@functools.cache
def inputs() -> Inputs:
    return load_inputs()


def raw_ids(line: str) -> list[str]:
    """The words of `line` that are identifiers of the tool, not English ("letters" is both: English)."""
    ids = {*FLAGS, *(topic for module in inputs().library.modules for topic in module.topics), *FIELDS}
    words = [word.strip(".,") for word in line.split()]
    return [word for word in words if (word in ids and not word.isalpha()) or _ID_LIKE.fullmatch(word)]


def test_the_checks_catch_the_wording_this_issue_replaces() -> None:
    assert raw_ids("Your Step 2 CK status is not-taken.") == ["not-taken"]
    assert raw_ids("Your plan is flagged practice-below-230.") == ["practice-below-230"]
    assert raw_ids("Your stage is step2ck.") == ["step2ck"]
    assert _COUNTED.search("Genetics electives on your record: 0, below 1.")
    assert _COUNTED.search("Months until September 1 of your application year: 6, at or below 6.")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_why_line_of_every_example_is_a_sentence_a_person_would_say(profile: Path) -> None:
    today = date.fromisoformat(READ_ON[profile.stem]) if profile.stem in READ_ON else TODAY
    plan = build_profile_plan(profile, inputs(), today)
    checked = 0
    for section in plan.sections:
        if section.module.when is None:
            continue
        said = explain(section.module.when, plan.values, BOOK)
        generated = explain(section.module.when, plan.values)
        assert said, section.id  # a selected module's condition holds, so it has a reason
        for line in said:
            assert line[0].isupper(), line
            assert line.endswith("."), line
            assert raw_ids(line) == [], line
            assert not _COUNTED.search(line), line
            # Every line is in the phrasebook's words, none in the generated "label is value" form.
            assert line not in generated, line
            checked += 1
    assert checked > 0


def test_every_path_a_module_or_stage_tests_has_sentences() -> None:
    tested = {path for module in inputs().library.modules if module.when for path in paths_of(module.when)}
    tested |= {path for stage in builtin_rules().stages if stage.when for path in paths_of(stage.when)}
    assert sorted(tested - set(BOOK.paths)) == []


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("failed_attempts: {gt: 0}", {"failed_attempts": 1}, "You have one failed attempt on Step 1 or Step 2 CK."),
        ("step1.failed_attempts: {gt: 0}", {"step1.failed_attempts": 1}, "You failed Step 1 once."),
        ("step1.failed_attempts: 0", {"step1.failed_attempts": 0}, "You have no failed attempt on Step 1."),
        (
            "experience.genetics_electives: {lt: 1}",
            {"experience.genetics_electives": 0},
            "You have not done a genetics elective yet.",
        ),
        ("months_to_season: {le: 6}", {"months_to_season": 6}, "Applications open for submission in 6 months."),
        ("step2ck.status: {ne: passed}", {"step2ck.status": "not-taken"}, "You have not taken Step 2 CK yet."),
        (
            "step2ck.status: {ne: passed}",
            {"step2ck.status": "scheduled", "step2ck.date": date(2027, 6, 15)},
            "Your Step 2 CK is booked for June 15, 2027.",
        ),
        ("practice.trend: {ne: rising}", {"practice.trend": "flat"}, "Your practice scores have been flat."),
        (
            "applicant_type: non-us-img",
            {"applicant_type": "non-us-img"},
            "You are applying as an international medical graduate from outside the US.",
        ),
        ("stage: {ne: application}", {"stage": "step1"}, "You are at the Step 1 stage."),
        ("stage: [step2ck, application]", {"stage": "application"}, "You are in the application year."),
        # {compared} says what the condition compared with, so the same sentence serves 230 and 240.
        ("step2ck.score: {lt: 230}", {"step2ck.score": 226}, "Your Step 2 CK score of 226 is below 230."),
        ("step2ck.score: {lt: 240}", {"step2ck.score": 238}, "Your Step 2 CK score of 238 is below 240."),
        (
            "not: {practice.latest: {ge: 230}}",
            {"practice.latest": 222},
            "Your latest practice score of 222 is below 230.",
        ),
        ("not: {step2ck.score: {lt: 230}}", {"step2ck.score": None}, "You do not have a Step 2 CK score yet."),
        ("is_img: true", {"is_img": True}, "You are applying as an international medical graduate."),
        ("step1.date: {exists: false}", {"step1.date": None}, "You have not booked a Step 1 date yet."),
        (
            "flags: practice-below-230",
            {"flags": ("no-usce", "practice-below-230")},
            "Your latest practice score is below 230.",
        ),
    ],
)
def test_why_lines_say_what_a_person_would(text: str, values: dict[str, Any], expected: str) -> None:
    assert why(text, **values) == [expected]


@pytest.mark.parametrize(
    ("text", "path", "counts"),
    [
        (
            "step1.failed_attempts: {gt: 0}",
            "step1.failed_attempts",
            {1: "You failed Step 1 once.", 2: "You failed Step 1 twice.", 3: "You failed Step 1 3 times."},
        ),
        (
            "experience.genetics_electives: {ge: 0}",
            "experience.genetics_electives",
            {
                0: "You have not done a genetics elective yet.",
                1: "You have done one genetics elective.",
                2: "You have done 2 genetics electives.",
            },
        ),
        (
            "failed_attempts: {gt: 0}",
            "failed_attempts",
            {
                1: "You have one failed attempt on Step 1 or Step 2 CK.",
                4: "You have 4 failed attempts on Step 1 and Step 2 CK.",
            },
        ),
        (
            "application.interviews: {ge: 0}",
            "application.interviews",
            {
                0: "You have no interview offers yet.",
                1: "You have one interview offer.",
                12: "You have 12 interview offers.",
            },
        ),
    ],
)
def test_counts_are_singular_or_plural(text: str, path: str, counts: dict[int, str]) -> None:
    assert {n: why(text, **{path: n}) for n in counts} == {n: [line] for n, line in counts.items()}


def test_a_number_below_a_bound_has_its_own_sentence() -> None:
    """Once the season has begun the months to it are 0 or fewer: no "in -3 months"."""
    start = date(2026, 9, 1)
    text = "months_to_season: {le: 6}"
    assert why(text, months_to_season=-3, **{"season.start": start}) == [
        "The application season began on September 1, 2026."
    ]
    assert why(text, months_to_season=0, **{"season.start": start}) == [
        "The application season began on September 1, 2026."
    ]
    assert why(text, months_to_season=1) == ["Applications open for submission next month."]


def test_without_a_fitting_sentence_the_generated_one_is_kept() -> None:
    # No phrasebook: every caller that passes none reads exactly what it read before.
    assert explain(cond("practice.trend: {ne: rising}"), {"practice.trend": "flat"}) == [
        "Your practice-score trend is flat, not rising."
    ]
    # A path the phrasebook does not name.
    assert why("study.hours_per_week: {lt: 20}", **{"study.hours_per_week": 10}) == [
        "Your study hours per week is 10, below 20."
    ]
    # A sentence whose {path} has no value is skipped: a scheduled exam without a date.
    assert why("step2ck.status: scheduled", **{"step2ck.status": "scheduled", "step2ck.date": None}) == [
        "Your Step 2 CK status is scheduled."
    ]
    # {compared} needs a comparison: an equality on a score keeps the generated sentence.
    assert why("step2ck.score: 230", **{"step2ck.score": 230}) == ["Your Step 2 CK score is 230."]
    # An empty phrasebook changes nothing.
    assert explain(cond("stage: step1"), {"stage": "step1"}, Phrasebook({})) == ["Your stage is Step 1."]


BAD = """\
reasons:
  step1.failed_atempts:
    default: You failed Step 1 {times}.
  step2ck.status:
    not-booked: You have not booked Step 2 CK.
    scheduled: Your Step 2 CK is booked for {step2ck.day}.
    passed: you passed
  stage:
    default: You are at the {value} stage, {times}.
    below 2: Early on.
    research: You are researching.
  failed_attempts:
    unknown: Nobody knows.
    "0": You have none.
    "00": You have none at all.
    many: You have many.
  practice.trend: flat
"""


def test_a_bad_reasons_file_names_every_mistake_at_its_line() -> None:
    doc = load_yaml(BAD, "content/data/reasons.yaml")
    problems: list[Problem] = []
    book = read_reasons(doc, problems, FIELDS)
    assert [p.format() for p in problems] == [
        "content/data/reasons.yaml:2:3: reasons.step1.failed_atempts: unknown field; did you mean 'step1.failed_attempts'? (got step1.failed_atempts)",
        "content/data/reasons.yaml:5:5: reasons.step2ck.status.not-booked: a value step2ck.status never takes: step2ck.status is one of not-taken, scheduled, passed, failed (got not-booked)",
        "content/data/reasons.yaml:6:16: reasons.step2ck.status.scheduled: unknown {placeholder} (use value, count, times, compared or a path of docs/namespace.md) (got {step2ck.day})",
        "content/data/reasons.yaml:7:13: reasons.step2ck.status.passed: a reason is a sentence: it starts with a capital letter and ends with '.' (got you passed)",
        "content/data/reasons.yaml:9:14: reasons.stage.default: {times} is for a whole number, and stage is enum (got {times})",
        "content/data/reasons.yaml:10:5: reasons.stage.below 2: 'below N' compares whole numbers, and stage is enum (got below 2)",
        "content/data/reasons.yaml:11:5: reasons.stage.research: a value stage never takes: stage is one of preclinical, step1, step2ck, application (got research)",
        "content/data/reasons.yaml:13:5: reasons.failed_attempts.unknown: failed_attempts always has a value, so it is never unknown (got unknown)",
        "content/data/reasons.yaml:15:5: reasons.failed_attempts.00: this value already has a sentence above (got 00)",
        "content/data/reasons.yaml:16:5: reasons.failed_attempts.many: a value failed_attempts never takes: failed_attempts is a whole number (got many)",
        "content/data/reasons.yaml:17:19: reasons.practice.trend: must be a mapping of values to sentences (got flat)",
    ]
    # What is sound is still read.
    assert book.paths["failed_attempts"].exact == {0: "You have none."}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reasons: []\n", "r.yaml:1:10: reasons: must be a mapping of namespace paths to their sentences (got a list)"),
        ("why: {}\n", "r.yaml:1:1: why: unknown key (use reasons) (got why)"),
    ],
)
def test_a_reasons_file_of_the_wrong_shape_is_refused(text: str, expected: str) -> None:
    problems: list[Problem] = []
    read_reasons(load_yaml(text, "r.yaml"), problems, FIELDS)
    assert [p.format() for p in problems][:1] == [expected]


def test_a_user_content_folder_overrides_the_reasons_file_and_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "reasons.yaml").write_text("reasons:\n  stage:\n    step1: Step 1 is where you are.\n")
    book = load_rules(Layered(BUILTIN_CONTENT, tmp_path)).reasons
    assert explain(cond("stage: step1"), {"stage": "step1"}, book) == ["Step 1 is where you are."]
    (tmp_path / "data" / "reasons.yaml").write_text("reasons:\n  stage:\n    step1: Step {count}.\n")
    with pytest.raises(InputError) as raised:
        load_rules(Layered(BUILTIN_CONTENT, tmp_path))
    assert str(raised.value) == (
        "data/reasons.yaml:3:12: reasons.stage.step1: {count} is for a whole number, and stage is enum (got {count})"
    )
