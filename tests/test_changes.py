"""What changed since the last batch run: changes.csv after an edit, an added and a removed
advisee, a killed run then resumed, shards then merge; and the dashboard's "Only changed" filter
in Chromium."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from roadmap.cli import main
from roadmap.commands import changes
from tests.conftest import REPO

TODAY = "2027-03-01"
HEADER = ["slug", "name", "what", "before", "after"]
# Jordan moves Step 2 CK past the safe date (2027-08-18) and logs a new practice score.
JORDAN_EDITED = [
    ["jordan-rivera", "Jordan Rivera", "Flags",
     "Latest practice score below 230; No letter from a genetics writer yet",
     "Latest practice score below 230; No letter from a genetics writer yet; This Match year is at risk; "
     "Step 2 CK date after the April to July window"],
    ["jordan-rivera", "Jordan Rivera", "Feasibility", "on track", "at risk"],
    ["jordan-rivera", "Jordan Rivera", "Step 2 CK date", "2027-06-15", "2027-09-01"],
    ["jordan-rivera", "Jordan Rivera", "Latest practice score", "228 (NBME 13, 2027-03-01)", "235 (UWSA 2, 2027-03-01)"],
]  # fmt: skip


@pytest.fixture
def advisees(tmp_path: Path) -> Path:
    folder = tmp_path / "advisees"
    folder.mkdir()
    for profile in ("jordan-rivera", "casey-preclinical", "morgan-strong-248"):
        shutil.copy(REPO / "profiles" / f"{profile}.yaml", folder)
    shutil.copy(REPO / "profiles" / "example-programs.csv", folder)  # Jordan's program list
    return folder


def _batch(*args: str, catch: bool = False) -> Result:
    return CliRunner().invoke(
        main, ["batch", *args, "--format", "json", "--today", TODAY, "--jobs", "1"], catch_exceptions=catch
    )


def _run(folder: Path, out: Path) -> Result:
    result = _batch(str(folder), "--out", str(out))
    assert result.exit_code == 0, result.output
    return result


def _sharded(folder: Path, out: Path) -> None:
    for shard in ("1/2", "2/2"):
        assert _batch(str(folder), "--out", str(out), "--shard", shard).exit_code == 0
    assert _batch("--merge", "--out", str(out)).exit_code == 0


def _changes(out: Path) -> list[list[str]]:
    with (out / "changes.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER
    return rows[1:]


def _edit_jordan(folder: Path) -> None:
    path = folder / "jordan-rivera.yaml"
    text = path.read_text()
    text = text.replace("  date: 2027-06-15\n", "  date: 2027-09-01\n")
    latest = "    - {form: NBME 13, score: 228, date: 2027-03-01}\n"
    text = text.replace(latest, latest + "    - {form: UWSA 2, score: 235, date: 2027-03-01}\n")
    path.write_text(text)


def _add_and_remove(folder: Path) -> None:
    (folder / "casey-preclinical.yaml").unlink()
    shutil.copy(REPO / "profiles" / "drew-us-md.yaml", folder)


def test_first_run_writes_the_header_only_and_a_snapshot(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(advisees, out)
    assert _changes(out) == []
    assert sorted(p.name for p in (out / changes.RUNS_DIR).iterdir()) == ["run-1.json"]
    summary = (out / "summary.csv").read_text().splitlines()[0]
    assert "facts" not in summary  # the snapshot's facts are no column of summary.csv


def test_an_edited_profile_gives_exactly_its_changes_as_labels(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(advisees, out)
    _edit_jordan(advisees)
    _run(advisees, out)
    assert _changes(out) == JORDAN_EDITED
    _run(advisees, out)  # nothing moved since
    assert _changes(out) == []


def test_an_added_and_a_removed_advisee_are_one_row_each(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(advisees, out)
    _add_and_remove(advisees)
    _run(advisees, out)
    assert _changes(out) == [
        ["casey-nguyen", "Casey Nguyen", "No longer in the folder", "", ""],
        ["drew-kowalski", "Drew Kowalski", "New advisee", "", ""],
    ]


def test_a_killed_run_then_resumed_compares_with_the_last_completed_run(
    advisees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "reference"
    _run(advisees, reference)
    out = tmp_path / "out"
    _run(advisees, out)
    _edit_jordan(advisees)
    _add_and_remove(advisees)
    _run(advisees, reference)

    def killed(*args: Any) -> None:
        raise RuntimeError("killed before the snapshot")

    with monkeypatch.context() as patch:
        patch.setattr(changes, "write_snapshot", killed)
        assert _batch(str(advisees), "--out", str(out), catch=True).exit_code == 1
    assert sorted(p.name for p in (out / changes.RUNS_DIR).iterdir()) == ["run-1.json"]
    _run(advisees, out)  # every profile is reused from the killed run: the rows carry the facts
    assert (
        _changes(out)
        == _changes(reference)
        == [
            ["casey-nguyen", "Casey Nguyen", "No longer in the folder", "", ""],
            ["drew-kowalski", "Drew Kowalski", "New advisee", "", ""],
            *JORDAN_EDITED,
        ]
    )


def test_shards_write_no_changes_and_the_merge_equals_one_run(advisees: Path, tmp_path: Path) -> None:
    one, sharded = tmp_path / "one", tmp_path / "sharded"
    _run(advisees, one)
    _sharded(advisees, sharded)
    assert _changes(sharded) == []
    _edit_jordan(advisees)
    _add_and_remove(advisees)
    _run(advisees, one)
    for shard in ("1/2", "2/2"):
        assert _batch(str(advisees), "--out", str(sharded), "--shard", shard).exit_code == 0
    assert _changes(sharded) == []  # still the first merge's: shards compare nothing
    assert sorted(p.name for p in (sharded / changes.RUNS_DIR).iterdir()) == ["run-1.json"]
    assert _batch("--merge", "--out", str(sharded)).exit_code == 0
    assert (sharded / "changes.csv").read_bytes() == (one / "changes.csv").read_bytes()
    assert len(_changes(one)) == 2 + len(JORDAN_EDITED)


def test_only_the_last_runs_are_kept_and_a_forged_snapshot_is_ignored(
    advisees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "KEEP_RUNS", 2)
    out = tmp_path / "out"
    for _ in range(3):
        _run(advisees, out)
    assert sorted(p.name for p in (out / changes.RUNS_DIR).iterdir()) == ["run-2.json", "run-3.json"]
    forged = '{"today": "2027-03-01", "advisees": {"x": {"name": "<script>", "facts": [["Stage", "\\u001b[31m"]]}}}'
    (out / changes.RUNS_DIR / "run-4.json").write_text(forged)
    _run(advisees, out)  # compares with run 3, the last snapshot this tool could have written
    assert _changes(out) == []
    assert "<script>" not in (out / "index.html").read_text()


def test_the_dashboard_lists_changes_and_filters_on_them_in_chromium(advisees: Path, tmp_path: Path) -> None:
    from tests.test_browser import ARGS, CHROMIUM

    out = tmp_path / "out"
    _run(advisees, out)
    _edit_jordan(advisees)
    _run(advisees, out)
    html = (out / "index.html").read_text()
    assert "Feasibility: on track → at risk" in html
    assert "on-track" not in html and "at-risk" not in html  # labels, never raw ids
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})
            page.goto((out / "index.html").as_uri())
            visible = "#advisees tbody tr:not([hidden])"
            assert page.locator(visible).count() == 3
            page.check("#filter-changed")
            assert page.locator(visible).count() == 1
            cell = page.locator(f'{visible} td[data-label="Changed since last run"]')
            assert cell.inner_text().startswith("4 changes")
            assert "Step 2 CK date: 2027-06-15 → 2027-09-01" in cell.inner_text()
            assert cell.is_visible()
            page.uncheck("#filter-changed")
            assert page.locator(visible).count() == 3
        finally:
            browser.close()


def test_since_compares_with_an_older_kept_run_and_runs_lists_them(advisees: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(advisees, out)  # run 1
    _edit_jordan(advisees)
    _run(advisees, out)  # run 2: Jordan's changes
    _run(advisees, out)  # run 3: nothing new since run 2
    assert _changes(out) == []
    since = _batch(str(advisees), "--out", str(out), "--since", "1")  # run 4, against run 1
    assert since.exit_code == 0, since.output
    assert _changes(out) == JORDAN_EDITED
    listed = CliRunner().invoke(main, ["batch", "--runs", "--out", str(out)])
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [f"run {n}  {TODAY}  3 advisees" for n in (1, 2, 3, 4)]
    missing = _batch(str(advisees), "--out", str(out), "--since", "9")
    assert missing.exit_code == 2
    assert f"--since 9: no such run kept in {out}/ (see roadmap batch --runs)" in missing.output
    assert CliRunner().invoke(main, ["batch", "--runs", "--out", str(tmp_path / "none")]).output == (
        f"no runs kept in {tmp_path / 'none'}/ yet\n"
    )
