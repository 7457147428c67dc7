"""Issue 22 (hardening, round 2): a run deletes or overwrites only files it can prove it wrote.

Each test is written as the attack that was found, and shows the safe outcome.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.write.output import OutDir
from tests.conftest import REPO

TODAY = "2027-03-01"
CASEY = str(REPO / "profiles" / "casey-preclinical.yaml")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lock holder's pid is read on Linux")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# 1. Clean-up deletes only our own leftovers, only where this run writes.


def test_a_planted_part_file_below_the_out_dir_survives_a_build(tmp_path: Path) -> None:
    """`mkdir -p h/D; echo x > h/D/.a.part; roadmap build ... --out h` deleted h/D/.a.part."""
    out = tmp_path / "h"
    (out / "D").mkdir(parents=True)
    planted = {
        "D/.a.part": b"x\n",  # the attack: any .*.part anywhere below the out dir
        ".notes.part": b"mine\n",  # in a folder the run writes, but not our pattern
        "D/.plan.json.roadmap-0123abcd.part": b"ours in name, but in a folder this run never writes\n",
    }
    for name, data in planted.items():
        (out / name).write_bytes(data)
    code, _stdout, stderr = invoke("build", CASEY, "--out", str(out), "--format", "json", "--today", TODAY)
    assert code == 0, stderr
    files = _files(out)
    assert {name: files.get(name) for name in planted} == planted
    assert sorted(files) == sorted([*planted, "plan.json", ".roadmap-files.json"])


def test_a_leftover_of_a_killed_run_is_removed_when_its_file_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / ".plan.json.roadmap-0123abcd.part"  # what a SIGKILL during write_atomic leaves
    leftover.write_bytes(b'{"half": ')
    code, _stdout, stderr = invoke("build", CASEY, "--out", str(out), "--format", "json", "--today", TODAY)
    assert code == 0, stderr
    assert not leftover.exists()
    assert json.loads((out / "plan.json").read_text())["profile"]["slug"] == "casey-nguyen"


def test_temporary_files_carry_our_mark_and_vanish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from roadmap.write import output

    seen: list[str] = []
    real = output.os.replace

    def spy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        seen.append(Path(source).name)
        real(source, target)

    monkeypatch.setattr(output.os, "replace", spy)
    OutDir(tmp_path).write("index.html", b"x")
    assert len(seen) == 1 and output.TEMP_NAME.fullmatch(seen[0]) and seen[0].startswith(".index.html.roadmap-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


# 2. A forged or stale site record is a claim, never an order.


def _site(out: Path, *extra: str) -> tuple[int, str, str]:
    return invoke("site", "--out", str(out), "--today", TODAY, "--jobs", "1", *extra)


def _extra_content(root: Path) -> Path:
    folder = root / "content" / "overview"
    folder.mkdir(parents=True)
    (folder / "extra.md").write_text(
        "---\nid: extra\ntitle: Extra\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\nBody.\n"
    )
    return root / "content"


def test_a_forged_record_deletes_nothing_and_says_so(tmp_path: Path) -> None:
    """`echo '{"README.md":"x 1"}' > proj/.roadmap-site.json; roadmap site --out proj` deleted README.md."""
    out = tmp_path / "proj"
    out.mkdir()
    (tmp_path / "victim.txt").write_text("outside\n")
    (out / "README.md").write_text("the user's own file\n")
    (out / "notes.txt").write_text("also theirs\n")
    os.symlink(tmp_path / "victim.txt", out / "link.txt")
    wrong = hashlib.sha256(b"something else").hexdigest()
    record = {
        "README.md": "x 1",  # the attack as found: no hash at all
        "notes.txt": f"x 12 {wrong}",  # a hash, but not of what the file holds
        "link.txt": f"x 8 {hashlib.sha256(b'outside').hexdigest()}",
        "../victim.txt": f"x 8 {hashlib.sha256(b'outside').hexdigest()}",
    }
    (out / ".roadmap-site.json").write_text(json.dumps(record))
    code, stdout, stderr = _site(out)
    assert code == 0, stderr
    shown = (out / ".roadmap-site.json").as_posix()
    assert stderr.splitlines() == [
        f"{shown}:1:1: ../victim.txt: warning: not removed: not a path inside the out dir",
        f"{shown}:1:1: README.md: warning: not removed: the record holds no hash of what roadmap wrote there",
        f"{shown}:1:1: link.txt: warning: not removed: a link is on its path",
        f"{shown}:1:1: notes.txt: warning: not removed: it does not hold what roadmap wrote there",
    ]
    assert "0 removed" in stdout
    assert (out / "README.md").read_text() == "the user's own file\n"
    assert (out / "notes.txt").read_text() == "also theirs\n"
    assert (tmp_path / "victim.txt").read_text() == "outside\n" and (out / "link.txt").is_symlink()


def test_a_stale_page_we_wrote_is_removed_and_one_edited_since_is_kept(tmp_path: Path) -> None:
    content = _extra_content(tmp_path)
    out = tmp_path / "site"
    assert _site(out, "--content", str(content))[0] == 0
    page = out / "modules" / "extra.html"
    line = json.loads((out / ".roadmap-site.json").read_text())["modules/extra.html"]
    assert line.split(" ")[1:] == [str(page.stat().st_size), hashlib.sha256(page.read_bytes()).hexdigest()]
    code, stdout, stderr = _site(out)  # the module is gone from the content: its page is stale
    assert (code, stderr) == (0, "")
    assert "1 removed" in stdout and not page.exists()

    assert _site(out, "--content", str(content))[0] == 0
    page.write_text("<p>my notes on this page</p>")  # the user's edit after we wrote it
    code, stdout, stderr = _site(out)
    assert code == 0
    assert stderr.splitlines() == [
        f"{(out / '.roadmap-site.json').as_posix()}:1:1: modules/extra.html: "
        "warning: not removed: it does not hold what roadmap wrote there"
    ]
    assert page.read_text() == "<p>my notes on this page</p>" and "0 removed" in stdout


# 3. No write follows a link below the out dir.


def _advisees(root: Path) -> Path:
    folder = root / "advisees"
    folder.mkdir()
    for name in ("jordan-rivera.yaml", "casey-preclinical.yaml", "example-programs.csv"):
        shutil.copy(REPO / "profiles" / name, folder)
    return folder


def test_a_profile_folder_that_is_a_link_is_an_error_row_and_its_target_is_untouched(tmp_path: Path) -> None:
    """With out/<slug> a link to ../victim, a batch overwrote victim/plan.json and deleted victim/.keep.part."""
    advisees = _advisees(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "plan.json").write_text("the victim's plan\n")
    (victim / ".keep.part").write_text("keep\n")
    before = _files(victim)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink("../victim", out / "jordan-rivera")
    code, _stdout, stderr = invoke(
        "batch", str(advisees), "--out", str(out), "--format", "json", "--jobs", "1", "--today", TODAY
    )
    assert code == 1
    assert stderr.splitlines() == [f"{out}/jordan-rivera:1:1: --out: is a link; roadmap writes only into real folders"]
    assert _files(victim) == before
    assert (out / "casey-nguyen" / "plan.json").is_file()  # the others still build
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = {row["slug"]: row for row in csv.DictReader(handle)}
    assert rows["jordan-rivera"]["status"] == "error"
    assert (
        rows["jordan-rivera"]["error"] == "jordan-rivera:1:1: --out: is a link; roadmap writes only into real folders"
    )
    assert rows["casey-nguyen"]["status"] == "ok"


def test_a_link_inside_the_out_dir_stops_a_build_with_one_line(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(elsewhere, out / "assets")
    code, _stdout, stderr = invoke("build", CASEY, "--out", str(out), "--format", "html", "--today", TODAY)
    assert code == 1
    assert stderr == f"{out}/assets:1:1: --out: is a link; roadmap writes only into real folders\n"
    assert list(elsewhere.iterdir()) == []


# Out dirs that hold other things than our outputs.


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail rather than write anything, should a refusal ever let a run through."""

    def refuse(self: OutDir) -> None:
        pytest.fail(f"a run went on to prepare {self.root}")

    monkeypatch.setattr(OutDir, "prepare", refuse)


@pytest.mark.usefixtures("no_writes")
def test_the_root_of_the_file_system_is_refused() -> None:
    code, _stdout, stderr = invoke("site", "--out", "/", "--today", TODAY)
    assert code == 1
    assert stderr == "/:1:1: --out: refusing to write into the root of the file system (use --force-out to override)\n"


@pytest.mark.usefixtures("no_writes")
def test_the_home_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, _stdout, stderr = invoke("build", CASEY, "--out", f"{home}/.", "--format", "json", "--today", TODAY)
    assert code == 1
    assert stderr == f"{home}:1:1: --out: refusing to write into your home folder (use --force-out to override)\n"


def _command(name: str, out: Path, advisees: Path) -> list[str]:
    jordan = str(advisees / "jordan-rivera.yaml")
    return {
        "build": ["build", jordan, "--format", "json"],
        "site": ["site"],
        "batch": ["batch", str(advisees), "--format", "json", "--jobs", "1"],
        "programs": ["programs", jordan, str(advisees / "example-programs.csv"), "--format", "json"],
    }[name] + ["--out", str(out), "--today", TODAY]


@pytest.mark.parametrize("marker", ["pyproject.toml", ".git"])
@pytest.mark.parametrize("command", ["build", "site", "batch", "programs"])
def test_a_project_folder_is_refused_unless_forced(tmp_path: Path, command: str, marker: str) -> None:
    advisees = _advisees(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / marker).write_text("")
    code, _stdout, stderr = invoke(*_command(command, project, advisees))
    assert code == 1
    assert stderr == (
        f"{project}:1:1: --out: refusing to write into a project's folder, which holds {marker}"
        " (use --force-out to override)\n"
    )
    assert sorted(p.name for p in project.iterdir()) == [marker]
    if marker == ".git":  # once per command is enough for the slow part
        code, _stdout, stderr = invoke(*_command(command, project, advisees), "--force-out")
        assert code == 0, stderr
        made = {"build": "plan.json", "site": "index.html", "batch": "summary.csv", "programs": "programs.json"}
        assert (project / made[command]).is_file()


# One writer per out dir.


Claim = Callable[[Path, str | None], "subprocess.Popen[str]"]


@pytest.fixture
def claim_elsewhere() -> Iterator[Claim]:
    """Claim an out dir from another process (a second roadmap run, as far as a run can tell)."""
    script = (
        "import sys; from pathlib import Path; from roadmap.write.output import OutDir\n"
        "OutDir(Path(sys.argv[1])).claim(share=sys.argv[2] or None)\n"
        "print('claimed', flush=True); sys.stdin.read()\n"
    )
    started: list[subprocess.Popen[str]] = []

    def claim(out: Path, share: str | None) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(out), share or ""],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None and process.stdout.readline() == "claimed\n"
        return process

    yield claim
    for process in started:
        process.communicate("")  # closing its stdin ends it


@linux_only
def test_a_second_run_into_the_same_out_dir_is_refused(tmp_path: Path, claim_elsewhere: Claim) -> None:
    out = tmp_path / "out"
    first = claim_elsewhere(out, None)
    args = ["build", CASEY, "--out", str(out), "--format", "json", "--today", TODAY]
    code, _stdout, stderr = invoke(*args)
    assert code == 2
    assert stderr == f"{out}:1:1: --out: another roadmap run is writing here (lock held by pid {first.pid})\n"
    assert list(out.iterdir()) == []  # the folder itself is locked: no lock file, nothing written
    first.communicate("")  # the first run ends: the out dir is free again
    code, _stdout, stderr = invoke(*args)
    assert code == 0, stderr


@linux_only
def test_shards_of_one_batch_may_run_at_once_but_nothing_else(tmp_path: Path, claim_elsewhere: Claim) -> None:
    out = tmp_path / "out"
    first = claim_elsewhere(out, ".batch/shard-1-of-2.lock")  # shard 1/2 is building
    busy = f"{out}:1:1: --out: another roadmap run is writing here (lock held by pid {first.pid})\n"
    batch = ["batch", str(_advisees(tmp_path)), "--format", "json", "--jobs", "1", "--today", TODAY, "--out", str(out)]
    for refused in (
        [*batch, "--shard", "1/2"],  # the same shard twice would write the same folders
        batch,
        ["batch", "--merge", "--out", str(out)],
        ["site", "--out", str(out)],
    ):
        assert invoke(*refused)[::2] == (2, busy), refused
    code, stdout, stderr = invoke(*batch, "--shard", "2/2")
    assert code == 0, stderr
    assert "Shard 2/2: 1 profiles" in stdout


# Absolute paths never reach an output.


def test_no_output_of_a_batch_holds_an_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    advisees = _advisees(tmp_path)
    (advisees / "nested").mkdir()
    (advisees / "nested" / "bad.yaml").write_text(
        "name: Pat Bad\nmatch_year: 2028\nstep2ck: {status: passed, score: 400}\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the profiles lie outside the current folder, named by absolute paths
    out = tmp_path / "out"
    code, _stdout, stderr = invoke(
        "batch", str(advisees), "--out", str(out), "--format", "html,json,ics", "--jobs", "1", "--today", TODAY
    )
    assert code == 1
    assert stderr == f"{advisees}/nested/bad.yaml:3:34: step2ck.score: must be a whole number from 1 to 300 (got 400)\n"
    leaks = [name for name, data in _files(out).items() if str(tmp_path).encode() in data]
    assert leaks == []
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = {row["slug"]: row for row in csv.DictReader(handle)}
    assert {slug: row["source"] for slug, row in rows.items()} == {
        "casey-nguyen": "casey-preclinical.yaml",
        "jordan-rivera": "jordan-rivera.yaml",
        "pat-bad": "nested/bad.yaml",
    }
    assert rows["pat-bad"]["error"].startswith("nested/bad.yaml:3:34: step2ck.score:")
    plan = json.loads((out / "jordan-rivera" / "plan.json").read_text())
    assert plan["profile"]["source"] == "jordan-rivera.yaml"
    assert plan["programs"]["source"] == "example-programs.csv"


def test_a_build_names_its_profile_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    advisees = _advisees(tmp_path)
    jordan = str(advisees / "jordan-rivera.yaml")
    for cwd, expected in ((tmp_path, "advisees/jordan-rivera.yaml"), (tmp_path / "out", "jordan-rivera.yaml")):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        out = tmp_path / "plans" / cwd.name
        code, _stdout, stderr = invoke("build", jordan, "--out", str(out), "--format", "json,html", "--today", TODAY)
        assert code == 0, stderr
        plan = json.loads((out / "plan.json").read_text())
        assert (plan["profile"]["source"], plan["programs"]["source"]) == (
            expected,
            expected.replace("jordan-rivera.yaml", "example-programs.csv"),
        )
        assert [name for name, data in _files(out).items() if str(tmp_path).encode() in data] == []
