"""`roadmap serve`: rebuilds and signals a reload after a content change; localhost only unless told."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import REPO

MODULE = "---\nid: preview-test\ntitle: Preview test\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\n{text}\n"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _wait_for(url: str, needle: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            body = _get(url)
            if needle in body:
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared at {url}")


@pytest.mark.parametrize("profile", [None, "profiles/jordan-rivera.yaml"])
def test_serve_rebuilds_after_a_content_change(tmp_path: Path, profile: str | None) -> None:
    content = tmp_path / "content" / "overview"
    content.mkdir(parents=True)
    module = content / "preview-test.md"
    module.write_text(MODULE.format(text="First words."))
    args = [
        sys.executable,
        "-m",
        "roadmap",
        "serve",
        "--port",
        "0",
        "--out",
        str(tmp_path / "out"),
        "--content",
        str(tmp_path / "content"),
        "--today",
        "2027-03-01",
    ]
    if profile:
        args.insert(4, str(REPO / profile))
    process = subprocess.Popen(
        args,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = ""
        while "Serving" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, process.stderr.read() if process.stderr else ""
        url = line.split()[1]
        page = url + ("index.html" if profile else "modules/preview-test.html")
        first = _wait_for(page, "First words." if not profile else "Jordan Rivera")
        assert "/__roadmap__/version" in first  # the reload script is injected
        version = _get(url + "__roadmap__/version")
        time.sleep(1.1)  # make sure the file's modification time moves
        module.write_text(MODULE.format(text="Second words, after an edit."))
        # The version moves once the rebuild is complete; the open page then reloads itself.
        _wait_for(url + "__roadmap__/version", str(int(version) + 1))
        if not profile:
            assert "Second words, after an edit." in _get(page)
    finally:
        process.terminate()
        process.communicate(timeout=10)  # also closes the pipes


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_serve_refuses_anything_but_localhost(host: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", host, "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"--host:1:1: host: serve listens on localhost only; pass --allow-remote to expose the "
        f"preview on the network (got {host})\n"
    )
