"""Bad profiles: each gets exact `PATH:LINE:COL: field: message (got VALUE)` lines, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.errors import InputError
from roadmap.load.profile import load_profile

GOOD_HEAD = "name: Jordan Rivera\nmatch_year: 2028\n"

CASES = {
    "empty file": ("", ["p.yaml:1:1: (root): the profile is empty; it needs at least name and match_year"]),
    "only a comment": (
        "# nothing here\n",
        ["p.yaml:1:1: (root): the profile is empty; it needs at least name and match_year"],
    ),
    "top level is a list": (
        "- a\n- b\n",
        ["p.yaml:1:1: (root): the top level must be a mapping of fields (got a list)"],
    ),
    "top level is text": ("just words\n", ["p.yaml:1:1: (root): the top level must be a mapping of fields (got text)"]),
    "missing required fields": (
        "pathway: undecided\n",
        [
            "p.yaml:1:1: match_year: is required",
            "p.yaml:1:1: name: is required",
        ],
    ),
    "unknown key with suggestion": (
        GOOD_HEAD + "stpe1:\n  status: passed\n",
        [
            "p.yaml:3:1: stpe1: unknown field; did you mean 'step1'? (got stpe1)",
        ],
    ),
    "nested unknown key": (
        GOOD_HEAD + "step2ck:\n  scroe: 240\n",
        [
            "p.yaml:4:3: step2ck.scroe: unknown field; did you mean 'score'? (got scroe)",
        ],
    ),
    "bad enum with suggestion": (
        GOOD_HEAD + "applicant_type: us_img\n",
        [
            "p.yaml:3:17: applicant_type: must be one of us-img, non-us-img, us-md, us-do; did you mean 'us-img'? (got us_img)",
        ],
    ),
    "score above 300": (
        GOOD_HEAD + "step2ck:\n  status: passed\n  score: 320\n",
        [
            "p.yaml:5:10: step2ck.score: must be a whole number from 1 to 300 (got 320)",
        ],
    ),
    "score zero": (
        GOOD_HEAD + "step2ck:\n  status: passed\n  score: 0\n",
        [
            "p.yaml:5:10: step2ck.score: must be a whole number from 1 to 300 (got 0)",
        ],
    ),
    "huge number": (
        GOOD_HEAD + "step2ck:\n  status: failed\n  score: 99999999999999999999999999999\n",
        [
            "p.yaml:5:10: step2ck.score: must be a whole number (got 99999999999999999999999999999)",
        ],
    ),
    "score missing once passed": (
        GOOD_HEAD + "step2ck:\n  status: passed\n",
        [
            "p.yaml:4:11: step2ck.status: a score is required once Step 2 CK is passed or failed (got passed)",
        ],
    ),
    "score on an exam not taken": (
        GOOD_HEAD + "step2ck:\n  score: 240\n",
        [
            "p.yaml:4:10: step2ck.score: a score belongs to a taken exam; set status to passed or failed (got 240)",
        ],
    ),
    "scheduled without a date": (
        GOOD_HEAD + "step1:\n  status: scheduled\n",
        [
            "p.yaml:4:11: step1.status: a scheduled exam needs its date (add date: YYYY-MM-DD) (got scheduled)",
        ],
    ),
    "not an ISO date": (
        GOOD_HEAD + "step1:\n  status: passed\n  date: 10/02/2026\n",
        [
            "p.yaml:5:9: step1.date: must be a real date written YYYY-MM-DD (got 10/02/2026)",
        ],
    ),
    "impossible date": (
        GOOD_HEAD + "step1:\n  status: passed\n  date: 2026-02-30\n",
        [
            "p.yaml:5:9: step1.date: must be a real date written YYYY-MM-DD (got 2026-02-30)",
        ],
    ),
    "YAML 1.1 sexagesimal in a number field": (
        GOOD_HEAD + "step1:\n  attempts: 1:30\n",
        [
            "p.yaml:4:13: step1.attempts: must be a whole number (got 1:30)",
        ],
    ),
    "text where a number belongs": (
        "name: Jordan\nmatch_year: twenty-28\n",
        [
            "p.yaml:2:13: match_year: must be a whole number (got twenty-28)",
        ],
    ),
    "mapping where text belongs": (
        "name: {first: Jordan}\nmatch_year: 2028\n",
        [
            "p.yaml:1:7: name: must be text (got {'first': 'Jordan'})",
        ],
    ),
    "scalar where a mapping belongs": (
        GOOD_HEAD + "step1: passed\n",
        [
            "p.yaml:3:8: step1: must be a mapping of fields (got passed)",
        ],
    ),
    "scalar where a list belongs": (
        GOOD_HEAD + "experience:\n  advocacy: camp volunteer\n",
        [
            "p.yaml:4:13: experience.advocacy: must be a list (got camp volunteer)",
        ],
    ),
    "empty name": ('name: ""\nmatch_year: 2028\n', ["p.yaml:1:7: name: must not be empty"]),
    "null name": ("name:\nmatch_year: 2028\n", ["p.yaml:1:6: name: must be text (got null)"]),
    "duplicate key": (
        "name: A\nmatch_year: 2028\nname: B\n",
        [
            "p.yaml:3:1: name: duplicate key (first set on line 1) (got name)",
        ],
    ),
    "alias bomb refused at once": (
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n',
        [
            "p.yaml:2:8: (root): YAML aliases (*name) are not allowed",
        ],
    ),
    "deep nesting": (
        "name: " + "[" * 60 + "]" * 60 + "\n",
        [
            "p.yaml:1:30: (root): nested deeper than 24 levels",
        ],
    ),
    "YAML syntax error": (
        "name: Jordan\n  match_year: 2028\n",
        [
            "p.yaml:2:13: (root): invalid YAML: mapping values are not allowed here",
        ],
    ),
    "bad practice entry": (
        GOOD_HEAD + "step2ck:\n  practice:\n    - {form: NBME 13, score: 228}\n",
        [
            "p.yaml:5:7: step2ck.practice[0].date: is required",
        ],
    ),
    "several problems at once": (
        GOOD_HEAD + "step1:\n  status: pased\n  attempts: -1\nexperience:\n  usce_months: lots\n",
        [
            "p.yaml:4:11: step1.status: must be one of not-taken, scheduled, passed, failed; did you mean 'passed'? (got pased)",
            "p.yaml:5:13: step1.attempts: must be a whole number from 0 to 6 (got -1)",
            "p.yaml:7:16: experience.usce_months: must be a whole number (got lots)",
        ],
    ),
}


def _write(tmp_path: Path, text: str | bytes) -> Path:
    file = tmp_path / "p.yaml"
    file.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return file


@pytest.mark.parametrize("text, expected", CASES.values(), ids=list(CASES))
def test_bad_profile_reports_exact_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    file = _write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_profile(file, "p.yaml")
    assert [p.format() for p in caught.value.problems] == sorted(expected)


def test_at_least_fifteen_distinct_bad_profiles() -> None:
    assert len(CASES) >= 15


def test_non_utf8_bytes_name_their_position(tmp_path: Path) -> None:
    file = _write(tmp_path, b"name: J\xe9r\xf4me\nmatch_year: 2028\n")
    with pytest.raises(InputError) as caught:
        load_profile(file, "p.yaml")
    assert [p.format() for p in caught.value.problems] == [
        "p.yaml:1:8: (root): file is not valid UTF-8 (got byte 0xe9)"
    ]


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    file = _write(tmp_path, "\ufeff" + GOOD_HEAD)
    assert load_profile(file, "p.yaml").name == "Jordan Rivera"


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    file = _write(tmp_path, GOOD_HEAD + "# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(InputError) as caught:
        load_profile(file, "p.yaml")
    assert caught.value.problems[0].message == "file is larger than 1048576 bytes"


@pytest.mark.parametrize("raw", ["NO", "0123", "1:30", "yes", "null-ish", "1e3", "~x"])
def test_yaml_11_lookalikes_in_text_fields_stay_as_written(tmp_path: Path, raw: str) -> None:
    file = _write(tmp_path, f"name: {raw}\nmatch_year: 2028\nexperience:\n  advocacy: [{raw}]\n")
    profile = load_profile(file, "p.yaml")
    assert profile.name == raw
    assert profile.experience.advocacy == [raw]


@pytest.mark.parametrize("name", [*sorted(CASES)[:6], "alias bomb refused at once", "deep nesting"])
def test_cli_prints_lines_and_exits_1_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text, expected = CASES[name]
    _write(tmp_path, text)
    result = CliRunner().invoke(main, ["explain", "p.yaml", "--today", "2027-03-01"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == sorted(expected)
    assert "Traceback" not in result.output + result.stderr
