"""The site renders on every CPU: helpers must produce exactly what one process does, and fail cleanly."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands import site
from roadmap.errors import InputError, Problem
from roadmap.write import output, parallel
from tests.test_site import search_index

TODAY = "2026-11-25"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers are forked on Linux only")


def _content(root: Path, count: int) -> Path:
    folder = root / "content" / "overview"
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"extra-{i:03d}.md").write_text(
            f"---\nid: extra-{i:03d}\ntitle: Extra module {i}\nstage: overview\ntopics: [landscape]\n"
            f"sources: [step-strategy-article]\n---\nBody **{i}** with a [link](https://example.org/{i}) and `code {i}`.\n"
        )
    return root / "content"


def _site(out: Path, content: Path, jobs: int) -> str:
    args = ["site", "--out", str(out), "--today", TODAY, "--content", str(content), "--jobs", str(jobs)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_processes_follow_the_amount_of_work() -> None:
    if not sys.platform.startswith("linux"):
        assert parallel.processes_for(10_000, 4) == 1
        return
    assert parallel.processes_for(parallel.MIN_FILES_PER_PROCESS * 2 - 1, 4) == 1
    assert parallel.processes_for(parallel.MIN_FILES_PER_PROCESS * 2, 4) == 2
    assert parallel.processes_for(10_000, 1) == 1
    assert parallel.processes_for(10_000, 3) == 3
    assert parallel.processes_for(10_000, None) == min(parallel.available_cpus(), 10_000 // 64)


@linux_only
def test_helpers_write_exactly_what_one_process_writes(tmp_path: Path) -> None:
    content = _content(tmp_path, 200)
    _site(tmp_path / "serial", content, jobs=1)
    summary = _site(tmp_path / "parallel", content, jobs=2)
    assert _tree(tmp_path / "parallel") == _tree(tmp_path / "serial")
    assert "0 unchanged" in summary
    # the search index holds every module, whichever process rendered its body and its part
    index = search_index(tmp_path / "parallel")
    assert all(f"Body 1{i:02d} with a link" in index for i in range(100))
    assert len(list((tmp_path / "parallel" / "assets").glob("search-index-*.js"))) > 1


@linux_only
def test_a_helper_that_fails_is_reported_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _content(tmp_path, 200)
    parent = os.getpid()
    real = output.write_atomic

    def full_in_helpers(path: Path, data: bytes, **options: bool) -> None:
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        real(path, data, **options)

    monkeypatch.setattr(output, "write_atomic", full_in_helpers)
    out = tmp_path / "out"
    args = ["site", "--out", str(out), "--today", TODAY, "--content", str(content), "--jobs", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].endswith(": --out: cannot write: No space left on device"), result.stderr
    assert "Traceback" not in result.output
    assert not list(out.rglob("*.part"))
    assert not (out / ".roadmap-site.json").exists()  # no record claims pages that were never written
    monkeypatch.setattr(output, "write_atomic", real)
    _site(out, content, jobs=2)
    clean = tmp_path / "clean"
    _site(clean, content, jobs=1)
    assert _tree(out) == _tree(clean)


def test_an_input_error_keeps_its_problems_across_processes() -> None:
    error = InputError([Problem("out/a.html", 1, 1, "--out", "cannot write: No space left on device")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)


def test_a_page_a_power_cut_left_short_is_rebuilt(tmp_path: Path) -> None:
    # Pages are written without an fsync each; the record keeps each page's size instead.
    content = _content(tmp_path, 5)
    out = tmp_path / "out"
    _site(out, content, jobs=1)
    page = out / "modules" / "extra-003.html"
    whole = page.read_bytes()
    page.write_bytes(b"")  # what a crash before the data reached the disk can leave
    assert "1 files written" in _site(out, content, jobs=1)
    assert page.read_bytes() == whole
    assert "is up to date" in _site(out, content, jobs=1)


def test_a_one_page_edit_renders_one_body(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _content(tmp_path, 40)
    out = tmp_path / "out"
    _site(out, content, jobs=1)
    edited = content / "overview" / "extra-007.md"
    edited.write_text(edited.read_text().replace("Body **7**", "Edited body **7**"))
    rendered: list[str] = []
    real = site.render_body
    monkeypatch.setattr(site, "render_body", lambda body, lookup: rendered.append(body) or real(body, lookup))
    _site(out, content, jobs=1)
    assert [body for body in rendered if "Edited body" in body] and len(rendered) == 1
    monkeypatch.setattr(site, "render_body", real)
    clean = tmp_path / "clean"
    _site(clean, content, jobs=1)
    assert _tree(out) == _tree(clean)  # the search index reused the other texts, and they are right
