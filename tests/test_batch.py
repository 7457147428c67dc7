"""Batch: good, bad and duplicate-name profiles; shards then merge equal one run; SIGKILL then
resume equals an uninterrupted run."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.batch import plan_jobs, shard_of
from roadmap.write.csvtable import safe_cell
from tests.conftest import REPO

TODAY = "2027-03-01"


@pytest.fixture
def advisees(tmp_path: Path) -> Path:
    folder = tmp_path / "advisees"
    (folder / "nested").mkdir(parents=True)
    for profile in (
        "jordan-rivera",
        "taylor-flat-220s",
        "riley-step1-failed",
        "morgan-strong-248",
        "casey-preclinical",
    ):
        shutil.copy(REPO / "profiles" / f"{profile}.yaml", folder / f"{profile}.yaml")
    shutil.copy(REPO / "profiles" / "jordan-rivera.yaml", folder / "nested" / "another-jordan.yml")
    for place in (folder, folder / "nested"):  # Jordan's profile names the example program list
        shutil.copy(REPO / "profiles" / "example-programs.csv", place)
    (folder / "bad-score.yaml").write_text("name: Pat Bad\nmatch_year: 2028\nstep2ck: {status: passed, score: 400}\n")
    (folder / "empty.yaml").write_text("")
    (folder / "formula.yaml").write_text("name: \"=cmd|' /C calc'!A0\"\nmatch_year: 2028\n")
    (folder / "notes.txt").write_text("not a profile")
    return folder


def run_batch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["batch", *args, "--today", TODAY], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".batch" not in p.parts
    }


def test_folder_with_good_bad_and_duplicate_names(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _stdout, stderr = run_batch(str(advisees), "--out", str(out), "--format", "html,json", "--jobs", "2")
    assert code == 1
    assert stderr.splitlines() == [
        f"{advisees}/bad-score.yaml:3:34: step2ck.score: must be a whole number from 1 to 300 (got 400)",
        f"{advisees}/empty.yaml:1:1: (root): the profile is empty; it needs at least name and match_year",
    ]
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["jordan-rivera"]["source"].endswith("jordan-rivera.yaml")
    assert by_slug["jordan-rivera-2"]["source"].endswith("another-jordan.yml")  # collision: sorted path order
    assert by_slug["pat-bad"]["status"] == "error" and "got 400" in by_slug["pat-bad"]["error"]
    assert by_slug["empty"]["status"] == "error"
    assert by_slug["cmd-c-calc-a0"]["name"] == "'=cmd|' /C calc'!A0"  # neutralised for spreadsheets
    for slug, row in by_slug.items():
        if row["status"] == "ok":
            assert (out / slug / "index.html").is_file() and (out / slug / "plan.json").is_file()
    dashboard = (out / "index.html").read_text()
    assert dashboard.index("Pat Bad") < dashboard.index("Riley Chen") < dashboard.index("Casey Nguyen")
    assert "9 advisees" in dashboard


def test_second_run_skips_unchanged_profiles_and_force_rebuilds(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(str(advisees), "--out", str(out), "--format", "json", "--jobs", "1")
    stamp = (out / "jordan-rivera" / "plan.json").stat().st_mtime_ns
    time.sleep(0.01)
    run_batch(str(advisees), "--out", str(out), "--format", "json", "--jobs", "1")
    assert (out / "jordan-rivera" / "plan.json").stat().st_mtime_ns == stamp
    run_batch(str(advisees), "--out", str(out), "--format", "json", "--jobs", "1", "--force")
    assert (out / "jordan-rivera" / "plan.json").stat().st_mtime_ns != stamp


def test_shards_then_merge_equal_one_run(advisees: Path, tmp_path: Path) -> None:
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    run_batch(str(advisees), "--out", str(whole), "--format", "html,json,ics", "--jobs", "2")
    for k in (1, 2, 3):
        code, _, _ = run_batch(
            str(advisees), "--out", str(sharded), "--format", "html,json,ics", "--shard", f"{k}/3", "--jobs", "1"
        )
        assert code == 0 or code == 1
        if k < 3:
            merged = CliRunner().invoke(main, ["batch", "--merge", "--out", str(sharded)])
            assert merged.exit_code == 2 and "shards not finished yet" in merged.stderr
    merged = CliRunner().invoke(main, ["batch", "--merge", "--out", str(sharded), "--today", TODAY])
    assert merged.exit_code == 1  # the bad profiles are still reported
    assert _tree(whole) == _tree(sharded)


def test_shards_split_the_profiles_deterministically(advisees: Path) -> None:
    from roadmap.commands.batch import find_profiles

    jobs = plan_jobs(find_profiles([advisees]))
    shares = [shard_of(job, 3) for job in jobs]
    assert shares == [shard_of(job, 3) for job in plan_jobs(find_profiles([advisees]))]
    assert shares == [1, 2, 3, 1, 2, 3, 1, 2, 3]


def test_killed_run_resumes_to_the_same_output(advisees: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [
        sys.executable,
        "-m",
        "roadmap",
        "batch",
        str(advisees),
        "--format",
        "html,pdf,json",
        "--jobs",
        "1",
        "--today",
        TODAY,
        "-q",
    ]
    clean, resumed = tmp_path / "clean", tmp_path / "resumed"
    subprocess.run([*args, "--out", str(clean)], cwd=REPO, env=env, capture_output=True, check=False)
    process = subprocess.Popen(
        [*args, "--out", str(resumed)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(resumed.glob("*/plan.pdf"))) < 2:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (
        not (resumed / "summary.csv").exists()
        or (resumed / "summary.csv").read_bytes() != (clean / "summary.csv").read_bytes()
    )
    finished = subprocess.run([*args, "--out", str(resumed)], cwd=REPO, env=env, capture_output=True, check=False)
    assert finished.returncode == 1
    assert _tree(resumed) == _tree(clean)


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM", "\tx", "ok", "")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM",
        "'\tx",
        "ok",
        "",
    ]
