"""Atomic writes that stay inside the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roadmap.errors import InputError
from roadmap.write.output import OutDir


@pytest.mark.parametrize("relative", ["../x", "/etc/x", "a/../../x", ""])
def test_refuses_paths_outside(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ValueError, match="outside the output folder"):
        OutDir(tmp_path).write(relative, b"x")


def test_refuses_to_write_through_a_symlink_that_leaves(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "assets")
    with pytest.raises(InputError, match=r"/out/assets:1:1: --out: is a link; roadmap writes only"):
        OutDir(out).write("assets/style.css", b"x")
    os.symlink(outside / "target", out / "index.html")
    with pytest.raises(InputError, match=r"/out/index.html:1:1: --out: is a link; roadmap writes only"):
        OutDir(out).write("index.html", b"x")
    assert list(outside.iterdir()) == []


def test_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = OutDir(tmp_path)
    out.write("a/b.txt", b"one")
    OutDir(tmp_path).write("a/b.txt", b"two")
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"two"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.txt"]


def test_same_file_twice_in_one_run_is_a_bug(tmp_path: Path) -> None:
    out = OutDir(tmp_path)
    out.write("x", b"1")
    with pytest.raises(ValueError, match="already written"):
        out.write("x", b"2")


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x").write_bytes(b"old")

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(InputError, match="cannot write: No space left on device"):
        OutDir(tmp_path).write("x", b"new")
    assert (tmp_path / "x").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]
