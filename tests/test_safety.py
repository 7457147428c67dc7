"""Profile values are data: hostile names come out as literal text everywhere; content cannot
pull a local file or a URL into any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main

HOSTILE = ["<script>alert(1)</script>", "{{ 7*7 }}", "../../etc/passwd", "**bold** [x](http://evil.example)"]


def _profile(tmp_path: Path, name: str) -> Path:
    file = tmp_path / "p.yaml"
    file.write_text(
        f"name: {json.dumps(name)}\nmatch_year: 2028\nstep1: {{status: passed, attempts: 1, date: 2026-01-10}}\n"
        f"experience:\n  advocacy: [{json.dumps(name)}]\n",
        encoding="utf-8",
    )
    return file


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_name_is_literal_in_html_json_ics(tmp_path: Path, name: str) -> None:
    profile = _profile(tmp_path, name)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", str(profile), "--today", "2027-03-01", "--out", str(out), "--format", "html,json,ics"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "49" not in html.split("<body>")[1].split("Skip")[0]  # {{ 7*7 }} was never evaluated
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in html
    assert 'href="http://evil.example"' not in html
    manifest = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert manifest["profile"]["name"] == name
    assert not (out / "etc").exists() and not Path("/etc/passwd-roadmap").exists()
    assert manifest["profile"]["slug"] in {"script-alert-1-script", "7-7", "etc-passwd", "bold-x-http-evil-example"}


def test_hostile_name_is_literal_in_the_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    profile = _profile(tmp_path, "<script>alert(1)</script> {{ 7*7 }}")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", str(profile), "--today", "2027-03-01", "--out", str(out), "--format", "pdf"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(out / "plan.pdf")
    assert "<script>alert(1)</script> {{ 7*7 }}" in " ".join(reader.pages[0].extract_text().split())
    assert reader.metadata is not None and reader.metadata.author == "<script>alert(1)</script> {{ 7*7 }}"


HOSTILE_MODULE = """---
id: hostile
title: Hostile module
stage: overview
topics: [landscape]
sources: [step-strategy-article]
---
{body}
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("![secret](file:///etc/passwd)", "images are not allowed in modules"),
        ("![x](http://example.com/track.png)", "images are not allowed in modules"),
        ("[open](file:///etc/passwd)", "links must be https, mailto or #anchor"),
        ("[climb](../../../etc/passwd)", "links must be https, mailto or #anchor"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "links must be https, mailto or #anchor"),
        ("<img src=x onerror=alert(1)>", "raw HTML is off and shows as text"),
        ("<iframe src='file:///etc/passwd'></iframe>", "raw HTML is off and shows as text"),
        ("{{ 7*7 }}", "only {{ dotted.path }} can be substituted"),
        ("{{ config.secret }}", "unknown {{ path }}; see docs/namespace.md for the paths a body may print"),
    ],
)
def test_check_rejects_hostile_module_bodies(tmp_path: Path, body: str, message: str) -> None:
    folder = tmp_path / "content" / "overview"
    folder.mkdir(parents=True)
    (folder / "hostile.md").write_text(HOSTILE_MODULE.format(body=body), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "content")])
    assert result.exit_code == 1
    assert f"hostile.md:8:1: body: {message}" in result.stderr


def test_nothing_hostile_reaches_the_outputs_even_unchecked(tmp_path: Path) -> None:
    """Rendering itself is safe, not only `check`: the renderer drops what check reports."""
    from roadmap.load.bodies import render_body

    html = render_body(
        "![s](file:///etc/passwd) [a](file:///etc/passwd) [b](javascript:alert(1)) <script>x</script> {{ name }}",
        lambda path: "<b>{{ 7*7 }}</b>",
    )
    assert 'href="file:' not in html and 'href="javascript:' not in html
    assert "<script>" not in html and "<img" not in html and "src=" not in html
    assert "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;" in html


def test_pdf_fetcher_refuses_files_and_network(tmp_path: Path) -> None:
    """A hostile template override cannot make WeasyPrint read a local file or the network."""
    from roadmap.load.layers import BUILTIN_TEMPLATES, Layered
    from roadmap.render.pdf import render_pdf

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    templates = Layered(BUILTIN_TEMPLATES, tmp_path)
    html = (
        f'<html><body><p>hi</p><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
        '<img src="../../../../etc/passwd"><link rel="stylesheet" href="https://example.com/x.css"></body></html>'
    )
    pdf = render_pdf(html, templates)
    assert b"not for the pdf" not in pdf
    assert pdf.startswith(b"%PDF")
