"""What the speed-ups of the PDF and of batch (#21) must not change: two processes build the same
files as one, a PDF is the same bytes each time a warm process renders it, and the print tables
laid out from their heading row still hold every date, status and tier on one line."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.pipeline import Inputs, load_inputs, plan_profile
from roadmap.render.html import make_environment, render_plan_html
from roadmap.render.pdf import render_pdf
from tests.conftest import REPO, TODAY

CREATED = datetime(2027, 3, 1, tzinfo=timezone.utc)
_TODAY = ("--today", TODAY.isoformat())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _batch(folder: Path, out: Path, jobs: int) -> None:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1790000000"}).invoke(
        main,
        [
            "batch",
            str(folder),
            "--out",
            str(out),
            "--format",
            "html,json,ics,pdf",
            "--force",
            "-q",
            *_TODAY,
            "--jobs",
            str(jobs),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.stderr  # the broken profile is reported, the others built
    assert result.stderr.splitlines() == [
        f"{folder}/broken.yaml:2:13: match_year: must be a whole number (got soon)",
    ]


def test_two_processes_build_the_same_files_as_one(tmp_path: Path) -> None:
    folder = tmp_path / "advisees"
    folder.mkdir()
    for name in ("casey-preclinical", "sam-step1-scheduled", "lee-late-step1"):
        shutil.copy(REPO / "profiles" / f"{name}.yaml", folder / f"{name}.yaml")
    (folder / "broken.yaml").write_text("name: Pat\nmatch_year: soon\n")
    one, two = tmp_path / "one", tmp_path / "two"
    _batch(folder, one, 1)
    _batch(folder, two, 2)
    files = _tree(one)
    assert sorted(p for p in files if p.endswith("plan.pdf")) == [
        "casey-nguyen/plan.pdf",
        "lee-haddad/plan.pdf",
        "sam-okafor/plan.pdf",
    ]
    assert files == _tree(two)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs()


def _print_html(profile: str, inputs: Inputs) -> str:
    plan = plan_profile(REPO / "profiles" / f"{profile}.yaml", inputs, TODAY)
    return render_plan_html(make_environment(inputs.templates), plan, for_print=True, created=CREATED)


def test_a_warm_process_renders_the_same_pdf_bytes_again(inputs: Inputs) -> None:
    html = _print_html("sam-step1-scheduled", inputs)
    first = render_pdf(html, inputs.templates)
    assert first.startswith(b"%PDF-")
    assert render_pdf(html, inputs.templates) == first


def _cells(html: str, inputs: Inputs, table: str, columns: tuple[int, ...]) -> list[tuple[str, int, bool]]:
    """(text, lines, fits) of each body cell in `columns` of the print `table`, as WeasyPrint lays
    it out: how many lines it took, and whether its widest line fits inside the cell."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    base = inputs.templates.builtin.resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base).render()
    found: list[tuple[str, int, bool]] = []

    def text_of(box: boxes.Box) -> str:
        if isinstance(box, boxes.TextBox):
            return str(box.text)
        return "".join(text_of(child) for child in getattr(box, "children", ()))

    def visit(box: boxes.Box, inside: bool) -> None:
        if isinstance(box, boxes.TableBox):
            inside = box.element is not None and box.element.get("class") == table
        if inside and isinstance(box, boxes.TableRowBox):
            cells = [cell for cell in box.children if cell.element is not None and cell.element.tag == "td"]
            for cell in (cells[i] for i in columns if i < len(cells)):
                lines = [line for line in cell.children if isinstance(line, boxes.LineBox)]
                widest = max((line.width for line in lines), default=0)
                found.append((text_of(cell).strip(), len(lines), widest <= cell.width + 0.01))
            return
        for child in getattr(box, "children", ()):
            visit(child, inside)

    for page in document.pages:
        visit(page._page_box, False)
    return found


def test_every_date_and_status_of_the_milestone_table_fits_its_column(inputs: Inputs) -> None:
    # Avery's plan has every status: done, past, overdue, next and coming up (the longest).
    cells = _cells(_print_html("avery-low-score-recovery", inputs), inputs, "milestone-table", (1, 3))
    assert {text for text, _, _ in cells if not text[:1].isdigit()} == {"Done", "Past", "Overdue", "Next", "Coming up"}
    assert len(cells) == 2 * 29
    assert [cell for cell in cells if cell[1:] != (1, True)] == []


def test_every_tier_of_the_program_table_fits_its_column(inputs: Inputs) -> None:
    cells = _cells(_print_html("jordan-rivera", inputs), inputs, "program-table", (2,))
    tiers = ["Likely", "Not a fit", "Not a fit", "Not a fit", "Reach", "Reach", "Target", "Target", "Unknown"]
    assert sorted(text for text, _, _ in cells) == tiers
    assert [cell for cell in cells if cell[1:] != (1, True)] == []
