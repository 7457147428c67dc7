"""schema, init, check, help texts and the README's coverage of every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.load.profile import load_profile
from tests.conftest import REPO


def test_schema_is_json_schema_of_the_profile() -> None:
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["required"] == ["name", "match_year"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {
        "name",
        "match_year",
        "applicant_type",
        "step1",
        "step2ck",
        "experience",
        "ecfmg",
    }


def test_init_defaults_writes_a_valid_profile(tmp_path: Path) -> None:
    target = tmp_path / "me.yaml"
    result = CliRunner().invoke(
        main, ["init", str(target), "--defaults", "--today", "2027-03-01"], catch_exceptions=False
    )
    assert result.exit_code == 0
    profile = load_profile(target)
    assert (profile.name, profile.match_year, profile.applicant_type) == ("Your Name", 2029, "us-img")


def test_init_asks_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("roadmap.cli._interactive", lambda: True)
    target = tmp_path / "me.yaml"
    answers = "Ana NO\n2028\nus-md\npassed\n2026-02-10\n1\nscheduled\n2027-06-15\n"
    result = CliRunner().invoke(
        main, ["init", str(target), "--today", "2027-03-01"], input=answers, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    profile = load_profile(target)
    assert (profile.name, profile.applicant_type, profile.step1.status, profile.step2ck.status) == (
        "Ana NO",
        "us-md",
        "passed",
        "scheduled",
    )


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "me.yaml"
    target.write_text("keep me")
    result = CliRunner().invoke(main, ["init", str(target), "--defaults"])
    assert result.exit_code == 2
    assert target.read_text() == "keep me"


def test_check_is_clean_for_the_builtin_content_and_examples() -> None:
    result = CliRunner().invoke(main, ["check", "profiles/", "--today", "2027-03-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "0 errors" in result.stdout


def test_check_reports_every_bad_profile_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: A\nmatch_year: 2028\nstep1: {status: pased}\n")
    (tmp_path / "b.yml").write_text("name: B\n")
    (tmp_path / "ok.yaml").write_text("name: C\nmatch_year: 2028\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--today", "2027-03-01"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "warning" not in line]
    assert lines == [
        f"{tmp_path}/a.yaml:3:17: step1.status: must be one of not-taken, scheduled, passed, failed; did you mean 'passed'? (got pased)",
        f"{tmp_path}/b.yml:1:1: match_year: is required",
    ]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help and "Example" in command.help, name
        assert f"### `roadmap {name}" in readme, name


def test_content_and_templates_work_on_the_group_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--content", str(REPO / "content"), "explain", "profiles/jordan-rivera.yaml", "--today", "2027-03-01"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
