"""A plain (non-editable) install ships the content and templates and works from any folder;
`roadmap --help` never imports WeasyPrint."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_help_does_not_import_weasyprint() -> None:
    code = "import sys; from roadmap.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit: pass\nprint('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip().endswith("False")


def test_explain_does_not_import_weasyprint() -> None:
    code = (
        "import sys; from roadmap.cli import main\n"
        "try:\n    main(['explain', 'profiles/jordan-rivera.yaml', '--today', '2027-03-01', '--json'])\n"
        "except SystemExit: pass\nprint('weasyprint' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stderr.strip() == "False"


@pytest.mark.slow
def test_wheel_install_works_from_another_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
    )
    wheel = next(wheels.glob("roadmap-*.whl"))
    env_dir = tmp_path / "venv"
    # Issue 14: never `system_site_packages=True`. Inside a virtualenv that means the *base*
    # interpreter's packages, so the test passed only where the dependencies happened to be
    # installed system-wide. The dependencies come from the interpreter running the tests (the
    # venv the README's `make test` installed into), through a .pth file; roadmap itself is
    # installed fresh from the wheel and comes first on sys.path.
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    running = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz-test-dependencies.pth").write_text("\n".join(sorted(running)) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, str(wheel)], check=True
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "me.yaml").write_bytes((REPO / "profiles" / "jordan-rivera.yaml").read_bytes())
    (elsewhere / "example-programs.csv").write_bytes((REPO / "profiles" / "example-programs.csv").read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import roadmap, roadmap.load.layers as c; print(roadmap.__file__); print(c.BUILTIN_CONTENT)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
        env=env,
    ).stdout.splitlines()
    assert where[0].startswith(site), where
    assert where[1].startswith(site) and where[1].endswith("_builtin/content"), where
    result = subprocess.run(
        [str(python), "-m", "roadmap", "build", "me.yaml", "--today", "2027-03-01", "--out", "plan"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (elsewhere / "plan").iterdir()) == [
        ".roadmap-files.json",  # the record of what roadmap wrote there (SECURITY.md)
        "assets",
        "index.html",
        "plan.ics",
        "plan.json",
        "plan.pdf",
    ]
