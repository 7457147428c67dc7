"""End to end: every example profile builds; explain --json equals plan.json; outputs are stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import PROFILES

TODAY = "2027-03-01"


def run(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout, result.stderr


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_explain_json_equals_built_manifest(tmp_path: Path, profile: Path) -> None:
    run("build", str(profile), "--today", TODAY, "--out", str(tmp_path), "--format", "json,ics", "-q")
    explained, _ = run("explain", str(profile), "--today", TODAY, "--json")
    assert explained == (tmp_path / "plan.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_every_section_says_why_with_the_profiles_values(profile: Path) -> None:
    manifest = json.loads(run("explain", str(profile), "--today", TODAY, "--json")[0])
    assert manifest["schema_version"] == 1
    assert manifest["sections"], "a plan without sections"
    name = manifest["profile"]["name"]
    for section in manifest["sections"]:
        assert section["why"], section["id"]
        assert all(line.strip().endswith(".") for line in section["why"])
        # Each reason is a sentence about this profile (its numbers, statuses, stage or year).
        assert any(any(ch.isdigit() for ch in line) or line.startswith(("You ", "Your ")) for line in section["why"]), (
            name,
            section,
        )


def test_manifest_shape_follows_the_spec() -> None:
    manifest = json.loads(run("explain", "profiles/jordan-rivera.yaml", "--today", TODAY, "--json")[0])
    assert list(manifest)[:7] == ["schema_version", "profile", "today", "stage", "flags", "sections", "milestones"]
    assert manifest["profile"] == {
        "name": "Jordan Rivera",
        "slug": "jordan-rivera",
        "source": "profiles/jordan-rivera.yaml",
    }
    assert manifest["today"] == TODAY
    assert manifest["stage"] == "step2ck"
    assert manifest["flags"] == ["practice-below-230", "no-genetics-letter"]
    section = manifest["sections"][0]
    assert set(section) >= {"id", "title", "stage", "topics", "why"}
    milestone = manifest["milestones"][0]
    assert set(milestone) >= {"id", "title", "date"}


def test_html_json_and_ics_are_byte_identical_across_builds(tmp_path: Path) -> None:
    for out in ("a", "b"):
        run(
            "build",
            "profiles/taylor-flat-220s.yaml",
            "--today",
            TODAY,
            "--out",
            str(tmp_path / out),
            "--format",
            "html,ics,json",
            "-q",
        )
    for name in ("index.html", "plan.json", "plan.ics", "assets/style.css"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_default_out_dir_is_out_slug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = Path("profiles/jordan-rivera.yaml").resolve()
    monkeypatch.chdir(tmp_path)
    run("build", str(profile), "--today", TODAY, "--format", "json")
    assert (tmp_path / "out" / "jordan-rivera" / "plan.json").is_file()
    files = sorted(p.name for p in (tmp_path / "out" / "jordan-rivera").iterdir())
    assert files == [".roadmap-files.json", "plan.json"]  # the plan, and the record that it is ours


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["build", "profiles/jordan-rivera.yaml", "--format", "html,docx"])
    assert result.exit_code == 2
    assert "unknown format docx" in result.stderr


def test_bad_today_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["explain", "profiles/jordan-rivera.yaml", "--today", "03/01/2027"])
    assert result.exit_code == 2
    assert "'03/01/2027' is not a date written YYYY-MM-DD" in result.stderr


def test_explain_text_lists_sections_and_reasons() -> None:
    text, _ = run("explain", "profiles/taylor-flat-220s.yaml", "--today", TODAY)
    assert text.startswith("Taylor Brooks: Match 2028, stage step2ck (Step 2 CK), as of 2027-03-01\n")
    assert "why: Your latest practice score of 222 is below 230." in text
    assert "Milestones:" in text


def test_out_dir_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "plan"
    blocker.write_text("x")
    result = CliRunner().invoke(
        main, ["build", "profiles/jordan-rivera.yaml", "--out", str(blocker), "--format", "json"]
    )
    assert result.exit_code == 1
    assert result.stderr == f"{blocker}:1:1: --out: is a file, not a folder\n"
