"""SIGKILL at random moments during build, site and batch never leaves a partial file under a
final name, and the next run completes to exactly what an uninterrupted run writes."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roadmap.commands.changes import RUNS_DIR as RUNS
from tests.conftest import REPO

TODAY = "2027-03-01"
KILLS_PER_COMMAND = 7  # 21 kills in all


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _command(kind: str, out: Path, advisees: Path) -> list[str]:
    base = [sys.executable, "-m", "roadmap"]
    if kind == "build":
        return [
            *base,
            "build",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            "--out",
            str(out),
            "--today",
            TODAY,
            "-q",
        ]
    if kind == "site":
        return [*base, "site", "--out", str(out), "--today", TODAY, "-q"]
    return [
        *base,
        "batch",
        str(advisees),
        "--out",
        str(out),
        "--today",
        TODAY,
        "--format",
        "html,pdf,json",
        "--jobs",
        "1",
        "-q",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["build", "site", "batch"])
def test_kill_loop_leaves_only_whole_files_and_resumes(kind: str, tmp_path: Path) -> None:
    advisees = tmp_path / "advisees"
    advisees.mkdir()
    for name in (
        "jordan-rivera.yaml",
        "taylor-flat-220s.yaml",
        "riley-step1-failed.yaml",
        "casey-preclinical.yaml",
        "example-programs.csv",
    ):
        shutil.copy(REPO / "profiles" / name, advisees)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    started = time.monotonic()
    subprocess.run(_command(kind, clean_dir, advisees), cwd=REPO, env=env, check=True)
    duration = time.monotonic() - started
    clean = _tree(clean_dir)
    rng = random.Random(f"roadmap-{kind}")  # reproducible kill moments
    for _ in range(KILLS_PER_COMMAND):
        process = subprocess.Popen(
            _command(kind, killed_dir, advisees),
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, duration * 0.9))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name, data in _tree(killed_dir).items() if killed_dir.exists() else []:
            if name.endswith(".part"):
                continue  # a temporary file, never a final name; the next run sweeps it
            # Each completed run adds its own record (.runs/run-N.json): whole, and the same as the clean run's.
            expected = clean[f"{RUNS}/run-1.json"] if name.startswith(f"{RUNS}/") else clean[name]
            assert data == expected, f"{name} differs from a clean run after a kill"
    subprocess.run(_command(kind, killed_dir, advisees), cwd=REPO, env=env, check=False)
    assert _without_runs(_tree(killed_dir)) == _without_runs(clean)


def _without_runs(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in tree.items() if not name.startswith(f"{RUNS}/")}
