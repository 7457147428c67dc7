"""The plan PDF is tagged (PDF/UA-1) for every example profile: a marked structure tree, the
language and displayed title, headings in order, alternate text on figures, header cells in tables."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from roadmap.cli import main
from tests.conftest import PROFILES
from tests.pdfstructure import deep_text, elements


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("ua")
    built = {}
    for profile in PROFILES:
        target = out / profile.stem
        result = CliRunner().invoke(
            main,
            ["build", str(profile), "--today", "2027-03-01", "--out", str(target), "--format", "pdf"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.stderr
        built[profile.stem] = target / "plan.pdf"
    return built


@pytest.mark.parametrize("profile", [p.stem for p in PROFILES])
def test_catalog_declares_a_tagged_pdf_ua_document(pdfs: dict[str, Path], profile: str) -> None:
    reader = PdfReader(pdfs[profile])
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert (
        reader.metadata is not None
        and reader.metadata.title
        and reader.metadata.title.startswith("Residency roadmap for ")
    )
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp


@pytest.mark.parametrize("profile", [p.stem for p in PROFILES])
def test_headings_in_order_figures_described_tables_with_headers(pdfs: dict[str, Path], profile: str) -> None:
    items = elements(PdfReader(pdfs[profile]))
    levels = [int(kind[2:]) for _, kind, _, _ in items if re.fullmatch(r"/H[1-6]", kind)]
    assert levels[0] == 1 and levels.count(1) == 1
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, f"heading level skipped: H{previous} then H{current}"
    figures = [attrs for _, kind, _, attrs in items if kind == "/Figure"]
    assert figures and all(str(attrs.get("/Alt", "")).strip() for attrs in figures)
    for index, (depth, kind, _, _) in enumerate(items):
        if kind == "/Table":
            inner = [k for d, k, _, _ in items[index + 1 :] if d > depth][: 10**4]
            assert "/TH" in inner
    assert sum(1 for _, kind, _, _ in items if kind == "/L") >= 3  # checklists and reason lists are real lists


def test_reading_order_follows_the_page(pdfs: dict[str, Path]) -> None:
    items = elements(PdfReader(pdfs["jordan-rivera"]))
    headings = [deep_text(items, i) for i, (_, kind, _, _) in enumerate(items) if re.fullmatch(r"/H[1-3]", kind)]
    assert headings[:6] == [
        "Jordan Rivera",
        "Contents",
        "At a glance",
        "Your next steps",
        "Needs attention",
        "Your dated milestones",
    ]
    assert headings.index("Your program list") < headings.index("Step 1 passed: shift your focus")


def test_untagged_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(PROFILES[0]),
            "--today",
            "2027-03-01",
            "--out",
            str(tmp_path),
            "--format",
            "pdf",
            "--no-pdf-tags",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "/StructTreeRoot" not in PdfReader(tmp_path / "plan.pdf").trailer["/Root"]
