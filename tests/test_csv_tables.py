"""Every CSV file the tool writes has as many cells in each row as in its header (issue 15: the
batch summary once had an 11-column header and 12-cell rows), and comes from one table."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.batch import SUMMARY, Row
from roadmap.commands.pipeline import PROGRAMS_CSV
from roadmap.decide.programs import COLUMNS as PROGRAM_COLUMNS
from roadmap.write.csvtable import CsvTable
from tests.conftest import REPO

TODAY = "2027-03-01"


def _rows_of(file: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"))))


def _assert_rectangular(file: Path, header: tuple[str, ...]) -> int:
    header_row, *rows = _rows_of(file)
    assert tuple(header_row) == header
    assert rows, f"{file.name} has no rows"
    for number, row in enumerate(rows, start=2):
        assert len(row) == len(header), f"{file.name} line {number}: {len(row)} cells, header has {len(header)}"
    return len(rows)


def test_batch_summary_rows_match_the_header_including_program_tiers(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", profiles)
    (profiles / "broken.yaml").write_text("name: [\n")  # an error row has every cell too
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(profiles), "--out", str(out), "--format", "json", "--jobs", "1", "--today", TODAY, "-q"]
    )
    assert result.exit_code == 1, result.output  # the broken profile
    count = _assert_rectangular(out / "summary.csv", SUMMARY.header)
    assert count == len(list(profiles.glob("*.yaml")))
    by_slug = {row[0]: row for row in _rows_of(out / "summary.csv")[1:]}
    tiers = SUMMARY.header.index("program_tiers")
    assert by_slug["jordan-rivera"][tiers].startswith("likely ")  # the one profile naming a program list
    assert by_slug["broken"][SUMMARY.header.index("status")] == "error"


def test_programs_csv_rows_match_the_header(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "programs",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            str(REPO / "profiles" / "example-programs.csv"),
            "--out",
            str(out),
            "--format",
            "csv",
            "--today",
            TODAY,
        ],
    )
    assert result.exit_code == 0, result.output
    assert PROGRAMS_CSV.header == ("tier", *PROGRAM_COLUMNS, "reasons", "missing")
    _assert_rectangular(out / "programs.csv", PROGRAMS_CSV.header)


def test_the_summary_table_has_a_column_for_every_field_of_a_row_but_its_files_and_facts() -> None:
    fields = set(Row.__dataclass_fields__) - {"files", "facts"}  # facts feed changes.csv, not summary.csv
    assert set(SUMMARY.header) == fields


def test_a_table_neutralises_every_cell() -> None:
    table = CsvTable[str]((("value", lambda v: v), ("twice", lambda v: v + v)))
    assert table.render(["=1", "ok"]) == b"value,twice\n'=1,'=1=1\nok,okok\n"


def test_only_the_csv_table_module_writes_csv() -> None:
    writers = [
        path.name
        for path in sorted((REPO / "roadmap").rglob("*.py"))
        if re.search(r"\bcsv\.(writer|DictWriter)\b", path.read_text(encoding="utf-8"))
    ]
    assert writers == ["csvtable.py"]
