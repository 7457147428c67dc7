"""Issue 22 (hardening, round 2): a run overwrites only output files it can prove it wrote.

`build`, `programs` and each batch profile folder keep `.roadmap-files.json` (path -> sha256 of
the bytes written); a file that is not in it, or no longer holds those bytes, is left alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from roadmap.cli import main
from roadmap.write.output import RECORD_FILE
from tests.conftest import REPO

TODAY = "2027-03-01"
JORDAN = str(REPO / "profiles" / "jordan-rivera.yaml")
NOT_OURS = "--out: not written by roadmap (or changed since); move it away or pass --force-out"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def build(out: Path, *extra: str, today: str = TODAY) -> tuple[int, str, str]:
    return invoke("build", JORDAN, "--out", str(out), "--format", "html,json", "--today", today, "-q", *extra)


def test_a_users_own_index_html_survives_a_build_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "x"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>\n")
    assert build(out) == (1, "", f"{out}/index.html:1:1: {NOT_OURS}\n")
    assert (out / "index.html").read_text() == "<p>my own page</p>\n"
    assert not (out / "plan.json").exists()  # the run stopped at the first file it could not prove ours

    assert build(out, "--force-out") == (0, "", "")
    assert (out / "index.html").read_text().startswith("<!DOCTYPE html>")
    record = json.loads((out / RECORD_FILE).read_text())
    assert record["index.html"] == hashlib.sha256((out / "index.html").read_bytes()).hexdigest()
    assert build(out, today="2027-03-02") == (0, "", "")  # from now on the file is provably ours


def test_a_rebuild_into_our_own_out_dir_works_again_and_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for today in (TODAY, "2027-03-02", "2027-03-03"):  # a new date changes every page
        assert build(out, today=today) == (0, "", "")
        assert json.loads((out / "plan.json").read_text())["today"] == today
    record = json.loads((out / RECORD_FILE).read_text())
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != RECORD_FILE)
    assert sorted(record) == files
    assert all(record[name] == hashlib.sha256((out / name).read_bytes()).hexdigest() for name in files)


def test_a_plan_edited_after_the_build_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out)[0] == 0
    edited = (out / "plan.json").read_text().replace('"schema_version"', '"my_note": "call Dr. B",\n  "schema_version"')
    (out / "plan.json").write_text(edited)
    assert build(out, today="2027-03-02") == (1, "", f"{out}/plan.json:1:1: {NOT_OURS}\n")
    assert (out / "plan.json").read_text() == edited


def test_a_forged_record_does_not_let_a_build_overwrite_a_users_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>\n")
    forged = {"index.html": hashlib.sha256(b"what roadmap might have written").hexdigest()}
    (out / RECORD_FILE).write_text(json.dumps(forged))
    assert build(out) == (1, "", f"{out}/index.html:1:1: {NOT_OURS}\n")
    assert (out / "index.html").read_text() == "<p>my own page</p>\n"


def test_a_garbage_record_is_ignored_with_one_warning_and_proves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out)[0] == 0
    (out / RECORD_FILE).write_text('{"index.html": "trust me"}')  # valid JSON, but no sha256
    code, stdout, stderr = build(out, today="2027-03-02")
    assert (code, stdout) == (1, "")
    assert stderr.splitlines() == [
        f"{out}/{RECORD_FILE}:1:1: --out: warning: ignoring roadmap's record of the files it wrote:"
        " not a mapping of file names to sha256 hashes",
        f"{out}/index.html:1:1: {NOT_OURS}",
    ]
    assert json.loads((out / "plan.json").read_text())["today"] == TODAY


def test_programs_refuses_to_overwrite_a_users_programs_csv(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "programs.csv").write_text("my,own,list\n")
    code, _stdout, stderr = invoke(
        "programs", JORDAN, str(REPO / "profiles" / "example-programs.csv"), "--out", str(out), "--format", "csv"
    )
    assert (code, stderr) == (1, f"{out}/programs.csv:1:1: {NOT_OURS}\n")
    assert (out / "programs.csv").read_text() == "my,own,list\n"


def test_a_batch_folder_holding_a_foreign_plan_is_an_error_row_and_the_others_build(tmp_path: Path) -> None:
    advisees = tmp_path / "advisees"
    advisees.mkdir()
    for name in ("jordan-rivera.yaml", "casey-preclinical.yaml", "example-programs.csv"):
        shutil.copy(REPO / "profiles" / name, advisees)
    out = tmp_path / "out"
    (out / "jordan-rivera").mkdir(parents=True)
    (out / "jordan-rivera" / "plan.json").write_text('{"mine": true}\n')
    args = ["batch", str(advisees), "--out", str(out), "--format", "json", "--jobs", "1", "--today", TODAY]
    code, _stdout, stderr = invoke(*args)
    assert (code, stderr) == (1, f"{out}/jordan-rivera/plan.json:1:1: {NOT_OURS}\n")
    assert (out / "jordan-rivera" / "plan.json").read_text() == '{"mine": true}\n'
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = {row["slug"]: row for row in csv.DictReader(handle)}
    assert rows["jordan-rivera"]["status"] == "error"
    assert rows["jordan-rivera"]["error"] == f"jordan-rivera/plan.json:1:1: {NOT_OURS}"
    assert rows["casey-nguyen"]["status"] == "ok"
    assert json.loads((out / "casey-nguyen" / "plan.json").read_text())["profile"]["slug"] == "casey-nguyen"

    assert invoke(*args, "--force-out")[0] == 0  # the user decides the file may go
    assert json.loads((out / "jordan-rivera" / "plan.json").read_text())["profile"]["slug"] == "jordan-rivera"
    assert invoke(*args, "--today", "2027-03-02")[0] == 0  # and a rebuild with new inputs needs no force
