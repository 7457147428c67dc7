"""One test per threat in SECURITY.md that is not covered elsewhere (the profile-loader threats
are in test_profile_errors.py; escaping in test_safety.py; ICS in test_ics.py; CSV in test_batch.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import REPO

TODAY = "2027-03-01"
PAYLOADS = [
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% include '/etc/passwd' %}",
    "../../etc/passwd",
    "\x1b[31mred\x1b[0m",
]
TEXT_FIELDS = {
    "name": "name: {v}",
    "practice form": "step2ck: {{practice: [{{form: {v}, score: 220, date: 2027-01-01}}]}}",
    "research title": "experience: {{research: [{{title: {v}, kind: poster}}]}}",
    "letter writer": "experience: {{letters: [{{writer: {v}, specialty: {v}}}]}}",
    "advocacy": "experience: {{advocacy: [{v}]}}",
    "conferences": "experience: {{conferences: [{v}]}}",
}


def _build(profile: Path, out: Path, formats: str = "html,json,ics") -> CliRunner.invoke:  # type: ignore[valid-type]
    return CliRunner().invoke(
        main, ["build", str(profile), "--today", TODAY, "--out", str(out), "--format", formats], catch_exceptions=False
    )


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_every_profile_text_field_stays_text(tmp_path: Path, field: str, payload: str) -> None:
    profile = tmp_path / "p.yaml"
    line = TEXT_FIELDS[field].format(v=json.dumps(payload))
    base = "" if field == "name" else "name: Tester\n"
    profile.write_text(f"{base}{line}\nmatch_year: 2028\nstep1: {{status: passed, attempts: 1, date: 2026-01-10}}\n")
    result = _build(profile, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "out" / "index.html").read_text()
    assert "<script>alert" not in html and "\x1b" not in html
    assert "49" not in json.dumps(json.loads((tmp_path / "out" / "plan.json").read_text())["profile"])
    assert "\x1b" not in result.stdout + result.stderr


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_markup_in_module_front_matter_stays_text(tmp_path: Path, payload: str) -> None:
    folder = tmp_path / "content" / "overview"
    folder.mkdir(parents=True)
    (folder / "evil.md").write_text(
        f"---\nid: evil\ntitle: {json.dumps(payload)}\nstage: overview\ntopics: [landscape]\n"
        f"sources: [{json.dumps(payload)}]\nsummary: {json.dumps(payload)}\n---\nBody.\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            "--content",
            str(tmp_path / "content"),
            "--today",
            TODAY,
            "--out",
            str(out),
            "--format",
            "html",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    site = CliRunner().invoke(
        main,
        ["site", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "--today", TODAY],
        catch_exceptions=False,
    )
    assert site.exit_code == 0, site.stderr
    for page in [
        out / "index.html",
        *(tmp_path / "site").rglob("*.html"),
        *(tmp_path / "site" / "assets").glob("search-index*.js"),
    ]:
        text = page.read_text()
        assert "<script>alert" not in text, page
        assert "{% include" not in text or "{%" in payload


@pytest.mark.parametrize(
    "link",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "data:text/html;base64," + "A" * 60_000,  # four times in the body: still under the module size cap
        "../../../../etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_links_images_and_attachments_reach_no_output(tmp_path: Path, link: str) -> None:
    """Such a module is refused when the library loads (build and check alike), and even if its
    body reached the renderer, nothing in it would become a request or an embedded file."""
    from roadmap.load.bodies import render_body

    folder = tmp_path / "content" / "overview"
    folder.mkdir(parents=True)
    body = f'[click]({link}) ![img]({link}) <img src="{link}"> <a href="{link}">a</a>'
    (folder / "links.md").write_text(
        f"---\nid: links\ntitle: Links\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\n{body}\n"
    )
    for command in (
        ["check"],
        ["build", str(REPO / "profiles" / "jordan-rivera.yaml"), "--out", str(tmp_path / "out")],
    ):
        result = CliRunner().invoke(main, [*command, "--content", str(tmp_path / "content")])
        assert result.exit_code == 1
        assert "links.md:8:1: body:" in result.stderr
        assert all(len(line) < 400 for line in result.stderr.splitlines())  # huge payloads are cut
    assert not (tmp_path / "out").exists()
    html = str(render_body(body, lambda path: path))
    assert "<img" not in html and ' src="' not in html  # nothing that a browser or WeasyPrint would fetch
    if not link.startswith("http"):  # plain web links may stay links; nothing else may
        assert f'href="{link}"' not in html


def test_symlinked_profiles_in_a_folder_are_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "advisees"
    folder.mkdir()
    (folder / "real.yaml").write_text("name: Real\nmatch_year: 2028\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("name: Secret\nmatch_year: 2028\n")
    os.symlink(outside / "secret.yaml", folder / "link.yaml")
    os.symlink(outside, folder / "linked-folder")
    result = CliRunner().invoke(
        main,
        ["batch", str(folder), "--out", str(tmp_path / "out"), "--format", "json", "--today", TODAY, "--jobs", "1"],
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir() and not p.name.startswith(".")) == [
        "assets",
        "real",
    ]


def test_symlinked_content_file_pointing_outside_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "overview"
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.md"
    secret.write_text(
        "---\nid: secret\ntitle: Secret\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\nTOP SECRET\n"
    )
    os.symlink(secret, folder / "secret.md")
    result = CliRunner().invoke(
        main,
        [
            "explain",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            "--content",
            str(tmp_path / "content"),
            "--today",
            TODAY,
            "--json",
        ],
        catch_exceptions=False,
    )
    assert "secret" not in result.stdout


def test_output_symlink_out_of_the_out_dir_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "assets")
    result = CliRunner().invoke(
        main, ["build", str(REPO / "profiles" / "jordan-rivera.yaml"), "--out", str(out), "--today", TODAY]
    )
    assert result.exit_code == 1
    assert list(elsewhere.iterdir()) == []


def test_read_only_or_full_out_dir_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from roadmap.write import output

    def refuse(path: Path, data: bytes, **_: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(output, "write_atomic", refuse)
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            "--out",
            str(tmp_path / "out"),
            "--today",
            TODAY,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path}/out/plan.json:1:1: --out: cannot write: Read-only file system\n"


def test_full_disk_mid_batch_keeps_going_then_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from roadmap.write import output

    real = output.write_atomic
    writes = {"count": 0}

    def fill_up(path: Path, data: bytes, **_: object) -> None:
        writes["count"] += 1
        if writes["count"] > 6:
            raise OSError(28, "No space left on device")
        real(path, data)

    folder = tmp_path / "advisees"
    folder.mkdir()
    for name in ("jordan-rivera.yaml", "taylor-flat-220s.yaml", "casey-preclinical.yaml", "example-programs.csv"):
        (folder / name).write_bytes((REPO / "profiles" / name).read_bytes())
    out = tmp_path / "out"
    args = ["batch", str(folder), "--out", str(out), "--format", "json,ics", "--today", TODAY, "--jobs", "1"]
    monkeypatch.setattr(output, "write_atomic", fill_up)
    full = CliRunner().invoke(main, args)
    assert full.exit_code == 1
    assert "No space left on device" in full.stderr
    assert not list(out.rglob("*.part"))
    for file in out.rglob("plan.json"):
        json.loads(file.read_text())  # whatever was written is whole
    monkeypatch.setattr(output, "write_atomic", real)
    recovered = CliRunner().invoke(main, args)
    assert recovered.exit_code == 0, recovered.stderr
    assert len(list(out.glob("*/plan.json"))) == 3


def test_terminal_escapes_are_stripped_from_terminal_output(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text('name: "\\e]0;pwned\\a\\e[2J"\nmatch_year: 2028\nstep1: {status: "\\e[31mbad"}\n')
    result = CliRunner().invoke(main, ["explain", str(profile), "--today", TODAY])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    good = tmp_path / "good.yaml"
    good.write_text('name: "\\e]0;pwned\\a Pat"\nmatch_year: 2028\n')
    shown = CliRunner().invoke(main, ["explain", str(good), "--today", TODAY])
    assert shown.exit_code == 0 and "\x1b" not in shown.stdout and "pwned" in shown.stdout


def test_our_own_bug_prints_its_traceback_and_asks_to_be_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("roadmap.commands.pipeline.plan_profile", boom)
    result = CliRunner().invoke(main, ["explain", str(REPO / "profiles" / "jordan-rivera.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith(
        "RuntimeError: a bug\n"
        "roadmap: internal error (a bug in roadmap, not in your input); please report it with the traceback above.\n"
    )
