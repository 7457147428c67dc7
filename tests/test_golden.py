"""Golden outputs: what every example profile's plan says, stored beside the tests.

A change to the code, the content or the templates that changes any plan shows up here as a
diff of plan.json, the `explain` text, plan.ics, the plan's HTML and the batch summary.csv.
Regenerate after a deliberate change with `make golden` (pytest --update-golden) and read the
diff before committing it: it is what every reader will see change.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import PROFILES, REPO

GOLDEN = REPO / "tests" / "golden"
TODAY = "2027-03-01"  # the Makefile's demo date: the "now" of every example unless named below
# Examples written to be read on a day of their own (their comment says which): the season in
# progress in December, and a late start in June of the year before the Match.
READ_ON = {"noor-season-in-progress": "2026-12-10", "lee-late-step1": "2027-06-15"}


def _compare(produced: dict[str, str], folder: Path, update: bool) -> None:
    if update:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, text in produced.items():
            (folder / name).write_text(text, encoding="utf-8")
        return
    differences = []
    for name, text in produced.items():
        stored = folder / name
        expected = stored.read_text(encoding="utf-8") if stored.exists() else ""
        if text != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), text.splitlines(), f"stored/{name}", f"produced/{name}", lineterm="", n=1
            )
            differences.append("\n".join(list(diff)[:40]))
    assert not differences, "outputs differ from tests/golden (make golden to accept):\n" + "\n".join(differences)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_example_plan_matches_its_golden_output(
    profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(REPO)  # the profile is named relative to the repository, as a user types it
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = profile.relative_to(REPO).as_posix()
    today = READ_ON.get(profile.stem, TODAY)
    out = tmp_path / "plan"
    built = CliRunner().invoke(
        main, ["build", source, "--today", today, "--format", "html,ics,json", "--out", str(out), "-q"]
    )
    assert built.exit_code == 0, built.output
    explained = CliRunner().invoke(main, ["explain", source, "--today", today])
    assert explained.exit_code == 0, explained.output
    produced = {
        "plan.json": (out / "plan.json").read_text(encoding="utf-8"),
        "explain.txt": explained.stdout,
        "plan.ics": (out / "plan.ics").read_text(encoding="utf-8").replace("\r\n", "\n"),
        "index.html": (out / "index.html").read_text(encoding="utf-8"),
    }
    _compare(produced, GOLDEN / profile.stem, update_golden)


def test_the_batch_summary_matches_its_golden_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "batch"
    result = CliRunner().invoke(
        main, ["batch", "profiles/", "--today", TODAY, "--format", "json", "--jobs", "1", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    produced = {"summary.csv": (out / "summary.csv").read_text(encoding="utf-8")}
    _compare(produced, GOLDEN / "batch", update_golden)
