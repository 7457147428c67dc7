"""A newcomer's first hour (issue 14): `init` asks for what it writes, errors point at the right
place, and messages tell the truth. Each test asserts the exact text the user sees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.starter import COMMENT_COLUMN
from roadmap.decide.programs import load_programs
from roadmap.errors import InputError
from roadmap.load.profile import load_profile
from tests.conftest import REPO


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("roadmap.cli._interactive", lambda: True)


def _init(args: list[str], answers: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["init", *args, "--today", "2027-03-01"], input=answers)
    return result.exit_code, result.stdout, result.stderr


def _without_comments(text: str) -> str:
    return "\n".join(line.split(" #")[0] for line in text.splitlines() if not line.startswith("#"))


# --- roadmap init -------------------------------------------------------------------------------


def test_init_asks_the_date_and_score_of_a_passed_exam(tmp_path: Path, terminal: None) -> None:
    target = tmp_path / "me.yaml"
    answers = "Ana\n2028\nus-img\npassed\n2026-02-10\n\npassed\n2027-06-20\n241\n\n"
    code, stdout, _ = _init([str(target)], answers)
    assert code == 0, stdout
    assert "Step 1 date you sat it (YYYY-MM-DD): " in stdout
    assert "Step 2 CK score: " in stdout
    profile = load_profile(target)
    assert (profile.step1.status, str(profile.step1.date), profile.step1.attempts) == ("passed", "2026-02-10", 1)
    assert (profile.step2ck.status, str(profile.step2ck.date), profile.step2ck.score) == ("passed", "2027-06-20", 241)


def test_init_asks_only_the_date_of_a_scheduled_exam(tmp_path: Path, terminal: None) -> None:
    target = tmp_path / "me.yaml"
    code, stdout, _ = _init([str(target)], "Ana\n2028\nus-md\nscheduled\n2027-01-15\nnot-taken\n")
    assert code == 0, stdout
    assert "Step 1 exam date (YYYY-MM-DD): " in stdout and "score" not in stdout.lower()
    text = _without_comments(target.read_text())
    assert "  date: 2027-01-15" in text
    assert "score:" not in text  # nothing invented
    assert "ecfmg" not in text  # a US MD gets no IMG-only block
    assert load_profile(target).step1.status == "scheduled"


def test_init_invents_no_exam_dates_or_scores(tmp_path: Path) -> None:
    target = tmp_path / "me.yaml"
    code, _, _ = _init([str(target), "--defaults"], "")
    assert code == 0
    text = _without_comments(target.read_text())
    assert "date:" not in text
    assert "score:" not in text


def test_init_comments_line_up(tmp_path: Path, terminal: None) -> None:
    target = tmp_path / "me.yaml"
    _init([str(target)], "Ana\n2028\nus-img\nfailed\n2026-08-20\n2\nscheduled\n2027-06-15\n")
    lines = [line for line in target.read_text().splitlines()[1:] if " # " in line]
    assert len(lines) > 10
    assert {line.index(" # ") + 1 for line in lines} == {COMMENT_COLUMN}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("Ana\ntwenty\n2028\n\n\n\n", "Error: 'twenty' is not a year: type four digits, such as 2028."),
        (
            "Ana\n2028\nus\nus-img\n\n\n",
            "Error: 'us' is not an applicant type: type us-img, non-us-img, us-md or us-do.",
        ),
        ("Ana\n2028\n\npased\n\n\n", "Error: 'pased' is not a status: type not-taken, scheduled, passed or failed."),
        (
            "Ana\n2028\n\nscheduled\n15/06/2027\n2027-06-15\n\n",
            "Error: '15/06/2027' is not a date: type it as year-month-day, such as 2027-06-15.",
        ),
        (
            "Ana\n2028\n\n\npassed\n2027-06-15\n2400\n240\n\n",
            "Error: '2400' is not a score: type the three-digit score from your report, such as 241.",
        ),
    ],
)
def test_init_reasks_a_bad_answer_in_plain_words(tmp_path: Path, terminal: None, answers: str, message: str) -> None:
    target = tmp_path / "me.yaml"
    code, stdout, _ = _init([str(target)], answers)
    assert code == 0, stdout
    assert message in stdout.splitlines()
    assert "is not a valid integer" not in stdout and "is not one of" not in stdout  # Click's own wording
    load_profile(target)


def test_init_dash_writes_the_profile_to_stdout(tmp_path: Path, terminal: None) -> None:
    code, stdout, stderr = _init(["-"], "Ana\n2028\nus-img\n\n\n")
    assert code == 0
    assert stdout.startswith("# roadmap profile, version 1.")
    assert "Your name [Your Name]: " in stderr  # the questions go to stderr, the profile alone to stdout
    (tmp_path / "p.yaml").write_text(stdout)
    assert load_profile(tmp_path / "p.yaml").name == "Ana"
    assert not Path("-").exists()


def test_init_ended_by_end_of_input_is_no_internal_error(tmp_path: Path, terminal: None) -> None:
    code, stdout, stderr = _init([str(tmp_path / "me.yaml")], "Ana\n")
    assert code == 1
    assert "internal error" not in stdout + stderr
    assert not (tmp_path / "me.yaml").exists()


def test_init_into_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    code, _, stderr = _init([str(tmp_path / "no" / "me.yaml"), "--defaults"], "")
    assert code == 1
    assert stderr == f"{tmp_path}/no/me.yaml:1:1: PATH: cannot write: No such file or directory\n"


# --- errors point at the right place ----------------------------------------------------------


def _copied_without_its_list(tmp_path: Path) -> Path:
    profile = tmp_path / "jordan.yaml"
    shutil.copy(REPO / "profiles" / "jordan-rivera.yaml", profile)
    return profile


def _programs_line(profile: Path) -> int:
    return next(n for n, line in enumerate(profile.read_text().splitlines(), 1) if line.startswith("programs:"))


def test_a_missing_program_list_is_a_warning_at_its_line_and_the_plan_still_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _copied_without_its_list(tmp_path)
    monkeypatch.chdir(tmp_path)
    line = _programs_line(profile)
    result = CliRunner().invoke(main, ["build", "jordan.yaml", "--today", "2027-03-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"jordan.yaml:{line}:11: programs: warning: your program list example-programs.csv was not found "
        "next to the profile; the plan is built without it\n"
    )
    manifest = json.loads((tmp_path / "out" / "jordan-rivera" / "plan.json").read_text())
    assert manifest["warnings"][-1] == (
        "Your program list example-programs.csv was not found next to the profile; the plan is built without it."
    )
    assert "programs" not in manifest


def test_check_warns_about_a_missing_program_list_like_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _copied_without_its_list(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "jordan.yaml", "--today", "2027-03-01"])
    assert result.exit_code == 0, result.output
    line = _programs_line(profile)
    assert (
        f"jordan.yaml:{line}:11: programs: warning: your program list example-programs.csv was not found next to "
        "the profile; the plan is built without it"
    ) in result.stderr.splitlines()


def test_check_rejects_a_program_list_that_build_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: `check` used to pass a program file that `build` rejected."""
    profile = _copied_without_its_list(tmp_path)
    (tmp_path / "example-programs.csv").write_text("name,track\nA,nope\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", profile.name, "--today", "2027-03-01"])
    assert result.exit_code == 1
    assert (
        "example-programs.csv:2:2: track: must be one of categorical-mgg, peds-mgg, im-mgg, pediatrics, "
        "internal-medicine, other (got nope)"
    ) in result.stderr.splitlines()


def test_an_unknown_csv_column_gets_a_did_you_mean(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text("name,track,median_step2\nA,other,240\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.csv")
    assert [p.format() for p in caught.value.problems] == [
        "p.csv:1:3: median_step2: unknown column; did you mean 'median_step2ck'? (got median_step2)"
    ]


def test_a_csv_separated_by_semicolons_is_named_in_one_error(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text("name;track;state\nA;other;OH\nB;pediatrics;TX\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.csv")
    assert [p.format() for p in caught.value.problems] == [
        "p.csv:1:1: (root): the columns are separated by semicolons; save the list as CSV with commas "
        "(got name;track;state)"
    ]


# --- messages that tell the truth ---------------------------------------------------------------


def test_check_counts_one_profile_in_the_singular() -> None:
    result = CliRunner().invoke(main, ["check", "profiles/casey-preclinical.yaml", "--today", "2027-03-01"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Checked ")
    assert " and 1 profile: 0 errors, " in result.stdout


def test_a_batch_rerun_says_what_it_skipped(tmp_path: Path) -> None:
    args = ["batch", "profiles/", "--out", str(tmp_path / "b"), "--format", "json", "--today", "2027-03-01"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    count = len(list((REPO / "profiles").glob("*.yaml")))
    assert first.stdout.startswith(f"0 unchanged, {count} built, 0 failed: ")
    assert second.stdout.startswith(f"{count} unchanged, 0 built, 0 failed: ")


def test_programs_lists_the_files_it_wrote_by_their_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    monkeypatch.chdir(tmp_path)
    args = ["programs", "profiles/jordan-rivera.yaml", "profiles/example-programs.csv", "--out", "out/p"]
    result = CliRunner().invoke(main, [*args, "--today", "2027-03-01"])
    assert result.exit_code == 0, result.output
    wrote = result.stdout.split(" Wrote ", 1)[1].strip().split(", ")
    assert wrote == ["out/p/programs.html", "out/p/programs.csv", "out/p/programs.json", "out/p/assets/"]
    assert all((tmp_path / path).exists() for path in wrote)
    assert "not a fit" in result.stdout and "not-a-fit" not in result.stdout
