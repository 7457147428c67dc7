"""The PDF plan: cover, contents with right page numbers, bookmarks, page numbers, metadata,
and byte-identical output with SOURCE_DATE_EPOCH."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from roadmap.cli import main

TODAY = "2027-03-01"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1790000000"}).invoke(
        main,
        ["build", "profiles/jordan-rivera.yaml", "--today", TODAY, "--out", str(out), "--format", "pdf"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return out / "plan.pdf"


def _texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def test_cover_names_the_person_match_and_stage(built: Path) -> None:
    cover, first_page = _texts(built)[:2]
    for expected in ("Jordan Rivera", "2028", "Step 2 CK", "March 1, 2027", "Contents"):
        assert expected in cover
    assert "guidance, not official advice" not in cover  # said once, first thing after the cover
    assert "guidance, not official advice" in first_page


def test_contents_page_numbers_point_at_their_headings(built: Path) -> None:
    texts = _texts(built)
    assert "Contents" in texts[0].splitlines()  # on the cover, beside who and when
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)(?: \(summaries\))?\s*$", texts[0], flags=re.MULTILINE)
    assert len(entries) >= 5
    for title, page in entries:
        title = title.strip(" .")
        page_text = " ".join(texts[int(page) - 1].split()).lower()
        assert " ".join(title.split())[:40].lower() in page_text, (title, page)


def test_bookmarks_follow_groups_and_sections(built: Path) -> None:
    reader = PdfReader(built)
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    assert titles[:3] == ["Contents", "At a glance", "Your dated milestones"]
    assert "Where you are now" in titles
    assert any(isinstance(item, list) and item for item in reader.outline)  # sections nest under groups


def test_every_page_but_the_cover_says_page_x_of_y(built: Path) -> None:
    texts = _texts(built)
    total = len(texts)
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text


def test_metadata(built: Path) -> None:
    meta = PdfReader(built).metadata
    assert meta is not None
    assert meta.title == "Residency roadmap for Jordan Rivera (2028 Match)"
    assert meta.author == "Jordan Rivera"
    assert meta["/CreationDate"] == "D:20260921141320Z"  # SOURCE_DATE_EPOCH=1790000000


def test_pdf_date_comes_from_today_without_source_date_epoch(tmp_path: Path) -> None:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": None}).invoke(
        main, ["build", "profiles/casey-preclinical.yaml", "--today", TODAY, "--out", str(tmp_path), "--format", "pdf"]
    )
    assert result.exit_code == 0, result.stderr
    meta = PdfReader(tmp_path / "plan.pdf").metadata
    assert meta is not None and meta["/CreationDate"] == "D:20270301000000Z"


def test_same_source_date_epoch_gives_identical_bytes(built: Path, tmp_path: Path) -> None:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1790000000"}).invoke(
        main, ["build", "profiles/jordan-rivera.yaml", "--today", TODAY, "--out", str(tmp_path), "--format", "pdf"]
    )
    assert result.exit_code == 0
    assert (tmp_path / "plan.pdf").read_bytes() == built.read_bytes()


def test_source_date_epoch_never_changes_the_plan(tmp_path: Path) -> None:
    outputs = []
    for epoch in ("0", "1790000000"):
        result = CliRunner(env={"SOURCE_DATE_EPOCH": epoch}).invoke(
            main, ["explain", "profiles/jordan-rivera.yaml", "--today", TODAY, "--json"]
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_as_images(built: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "2", str(built), str(tmp_path / "page")], check=True
    )
    assert len(list(tmp_path.glob("page-*.png"))) == 2
