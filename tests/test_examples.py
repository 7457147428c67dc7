"""Every command example a reader is shown runs as written from a fresh clone (issue 14).

The examples come from the shell blocks of README.md and docs/*.md, and from the "Example:" and
"Quick start:" blocks of `roadmap --help` and of each command's --help. Each source's examples run
in order, in a scratch folder laid out like a fresh clone (the example profiles), with the
installed `roadmap` on PATH and no terminal. `roadmap serve` runs until it serves its first page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import REPO

SHELL_BLOCK = re.compile(r"^```(?:bash|sh|shell|console)\n(.*?)^```", re.M | re.S)
HELP_BLOCK = re.compile(r"^ *(?:Example|Examples|Quick start):\n((?: {4,}.*\n?)+)", re.M)


def _commands(text: str) -> list[str]:
    """The `roadmap ...` lines of a block, without prompts or trailing comments."""
    found = []
    for raw in text.splitlines():
        line = raw.strip().removeprefix("$ ")
        if line.startswith("roadmap "):
            found.append(re.sub(r"\s+#.*$", "", line))
    return found


def _doc_examples() -> dict[str, list[str]]:
    examples = {}
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md"))]:
        blocks = SHELL_BLOCK.findall(doc.read_text(encoding="utf-8"))
        commands = [command for block in blocks for command in _commands(block)]
        if commands:
            examples[doc.relative_to(REPO).as_posix()] = commands
    return examples


def _help_examples() -> dict[str, list[str]]:
    examples = {}
    for name in ["", *sorted(main.commands)]:
        args = [name, "--help"] if name else ["--help"]
        result = CliRunner().invoke(main, args, terminal_width=200)
        assert result.exit_code == 0, result.output
        commands = [command for block in HELP_BLOCK.findall(result.output) for command in _commands(block)]
        examples[f"roadmap {name} --help".replace("  ", " ")] = commands
    return examples


DOC_EXAMPLES = _doc_examples()
HELP_EXAMPLES = _help_examples()


def test_every_command_and_the_readme_show_examples() -> None:
    """Each command's help has at least one example, and the README shows the everyday ones."""
    assert all(HELP_EXAMPLES.values()), [name for name, commands in HELP_EXAMPLES.items() if not commands]
    readme = " ".join(DOC_EXAMPLES["README.md"])
    for command in ("init", "build", "explain", "batch", "programs", "site"):
        assert f"roadmap {command} " in readme


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """A scratch folder holding what a fresh clone has at hand for the examples."""
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    return tmp_path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _serve(command: str, cwd: Path) -> None:
    """Run a serve example until its first page answers, then stop it."""
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"Serving (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        assert url, f"{command}: never said where it serves"
        with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
            assert response.status == 200
            assert b"<html" in response.read(4096).lower()
    finally:
        process.terminate()
        process.communicate(timeout=30)  # also closes the pipe


def _run_examples(commands: list[str], cwd: Path) -> None:
    for command in commands:
        if command.startswith("roadmap serve"):
            _serve(command, cwd)
            continue
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(DOC_EXAMPLES))
def test_doc_examples_run_as_written(source: str, fresh_clone: Path) -> None:
    _run_examples(DOC_EXAMPLES[source], fresh_clone)


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(HELP_EXAMPLES))
def test_help_examples_run_as_written(source: str, fresh_clone: Path) -> None:
    _run_examples(HELP_EXAMPLES[source], fresh_clone)
