"""Issue 22, "Hardening, round 2": bounded work from small inputs, linear scans, special files.

Each test is written as the attack it stops. The bounds live in roadmap/limits.py; the time a
scan takes is measured in benchmarks/bench_module_scan.py, never asserted here.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.decide.programs import load_programs
from roadmap.errors import InputError
from roadmap.limits import MAX_PROGRAMS
from roadmap.load.bodies import inspect_body
from roadmap.load.yamlsrc import read_bytes
from tests.conftest import REPO

TODAY = "2027-03-01"
HEADER = "name,track,notes\n"
GOOD_PROFILE = (REPO / "profiles" / "jordan-rivera.yaml").read_text()


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    return result.exit_code, result.stderr


def _roadmap(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a FIFO that were opened for reading would block it forever, and
    /dev/zero would fill its memory, so a timeout and a memory cap keep a regression from hanging
    or sinking the test run."""

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    return subprocess.run(
        [sys.executable, "-m", "roadmap", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap_memory,
        check=False,
    )


def _profile_with_programs(folder: Path, programs: str, list_name: str = "programs.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "p.yaml"
    profile.write_text(GOOD_PROFILE.replace("programs: example-programs.csv", f"programs: {list_name}"))
    (folder / list_name).write_text(programs)
    return profile


# ---------- attack 5: unbounded work from small inputs ----------


def test_a_program_list_of_100000_tiny_rows_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 rows (800 KB, under the 1 MiB cap) once grew a PDF build past 11 GB."""
    monkeypatch.chdir(tmp_path)
    rows = "x,other\n" * 100_000
    _profile_with_programs(Path("adv"), HEADER + rows)
    assert os.path.getsize("adv/programs.csv") < 1024 * 1024
    code, stderr = _invoke("build", "adv/p.yaml", "--out", "out", "--today", TODAY, "--format", "html,pdf")
    assert code == 1
    assert stderr == "adv/programs.csv:1002:1: (root): has too many programs (at most 1000) (got 100000)\n"
    assert not Path("out").exists()


def test_a_list_of_exactly_the_maximum_is_read(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text(HEADER + "".join(f"P{i},other,\n\n" for i in range(MAX_PROGRAMS)))  # blank lines do not count
    assert len(load_programs(file, "p.csv")) == MAX_PROGRAMS


def test_a_yaml_program_list_over_the_maximum_points_at_the_first_program_too_many(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text("programs:\n" + "".join(f"  - {{name: P{i}, track: other}}\n" for i in range(MAX_PROGRAMS + 5)))
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.yaml")
    assert [p.format() for p in caught.value.problems] == [
        "p.yaml:1002:5: programs: has too many programs (at most 1000) (got 1005)"
    ]


def test_one_200_kb_cell_is_an_input_error_not_an_internal_one(tmp_path: Path) -> None:
    """The csv module's own cell limit (128 KiB) used to escape as "internal error"."""
    file = tmp_path / "p.csv"
    file.write_text(HEADER + "A,other,ok\nB,other," + "x" * 200_000 + "\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.csv")
    assert [p.format() for p in caught.value.problems] == [
        "p.csv:3:1: (root): invalid CSV: a cell is longer than 2000 characters"
    ]


def test_a_cell_over_the_text_limit_is_refused_where_it_is(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text(HEADER + 'A,other,"line one\nline two"\nB,other,' + "y" * 2001 + "\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.csv")
    assert [p.format() for p in caught.value.problems] == [
        f"p.csv:4:3: notes: is too long (at most 2000 characters) (got {'y' * 59}…)"
    ]


def test_a_yaml_note_over_the_text_limit_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text("- {name: A, track: other, notes: " + "z" * 2001 + "}\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.yaml")
    assert [p.format() for p in caught.value.problems] == [
        f"p.yaml:1:34: [0].notes: is too long (at most 2000 characters) (got {'z' * 59}…)"
    ]


def test_a_header_of_thousands_of_commas_is_one_error(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text("name,track" + "," * 100_000 + "\nA,other\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.csv")
    assert [p.format() for p in caught.value.problems] == [
        "p.csv:1:101: (root): has too many cells (at most 100) (got 100002)"
    ]


@pytest.mark.parametrize(
    ("field", "line"),
    [
        ("name", "name: {v}\nmatch_year: 2028\n"),
        ("experience.research[0].title", "name: N\nmatch_year: 2028\nexperience: {{research: [{{title: {v}}}]}}\n"),
    ],
)
def test_profile_text_fields_are_bounded(tmp_path: Path, field: str, line: str) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(line.format(v="w" * 501))
    code, stderr = _invoke("check", str(profile), "--today", TODAY)
    assert code == 1
    assert f": {field}: is too long (at most 500 characters) (got {'w' * 59}…)\n" in stderr


def test_a_1_mb_profile_of_100000_unknown_keys_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It once gave a 19 MB dashboard and a 19 MB CSV cell."""
    monkeypatch.chdir(tmp_path)
    Path("adv").mkdir()
    Path("adv/big.yaml").write_text("name: Big\nmatch_year: 2028\n" + "".join(f"k{i}: 1\n" for i in range(100_000)))
    Path("adv/good.yaml").write_text("name: Good\nmatch_year: 2028\n")
    assert 900_000 < os.path.getsize("adv/big.yaml") < 1024 * 1024
    message = "adv/big.yaml:1:1: (root): has too many fields (at most 100) (got 100002)"

    code, stderr = _invoke("check", "adv/big.yaml", "--today", TODAY)
    assert (code, stderr) == (1, message + "\n")

    code, _ = _invoke("batch", "adv", "--out", "out", "--jobs", "1", "--format", "json", "--today", TODAY)
    assert code == 1
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(Path("out/summary.csv").read_text()))}
    assert rows["Big"]["status"] == "error" and rows["Big"]["error"].endswith(message.removeprefix("adv/"))
    assert rows["Good"]["status"] == "ok"  # the batch went on
    assert os.path.getsize("out/summary.csv") < 2_000
    assert os.path.getsize("out/index.html") < 200_000


def test_many_problems_in_one_file_end_with_one_line_counting_the_rest(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("name: N\nmatch_year: 2028\n" + "".join(f"zz{i:02}: 1\n" for i in range(30)))
    code, stderr = _invoke("check", str(profile), "--today", TODAY)
    assert code == 1
    lines = [line.removeprefix(f"{profile}:") for line in stderr.splitlines()]
    assert len(lines) == 21
    assert lines[0].startswith("3:1: zz00: unknown field (allowed: name, match_year")
    assert lines[19].startswith("22:1: zz19: unknown field")
    assert lines[20] == "23:1: (root): ... and 10 more problems"


def test_an_unknown_key_too_long_to_show_is_cut_to_one_short_line(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text('name: N\nmatch_year: 2028\n? "' + "k\\n" * 5000 + '"\n: 1\n')
    code, stderr = _invoke("check", str(profile), "--today", TODAY)
    assert code == 1
    assert len(stderr.splitlines()) == 1 and len(stderr) < 400


def test_a_huge_cell_in_one_advisees_list_is_that_advisees_error_row(tmp_path: Path) -> None:
    """One 200 KB cell used to abort the whole batch with "internal error", on every rerun."""
    adv = tmp_path / "adv"
    _profile_with_programs(adv / "bad", HEADER + "A,other," + "x" * 200_000 + "\n")
    shutil.copy(REPO / "profiles" / "taylor-flat-220s.yaml", adv / "taylor.yaml")
    for _ in range(2):
        code, _ = _invoke(
            "batch", str(adv), "--out", str(tmp_path / "out"), "--jobs", "1", "--format", "json", "--today", TODAY
        )
        assert code == 1
        summary = list(csv.DictReader(io.StringIO((tmp_path / "out" / "summary.csv").read_text())))
        assert {row["status"] for row in summary} == {"ok", "error"}
        (error,) = [row["error"] for row in summary if row["status"] == "error"]
        assert error.endswith("programs.csv:2:1: (root): invalid CSV: a cell is longer than 2000 characters")


# ---------- attack 6: a quadratic scan of module bodies ----------

MEGABYTE = 1024 * 1024


_LINK = "links must be https, mailto or #anchor"
_HTML = "raw HTML is off and shows as text"
_TAIL = "\n{{ profile.name }} [x](file:///etc/passwd) <b>\n"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (
            "{{ a ",
            [
                (0, "unclosed {{; write {{ dotted.path }} on one line", "{{ a {{ a "),
                (1, _LINK, "file:///etc/p"),
                (1, _HTML, "<b>"),
            ],
        ),
        ("[a ", [(0, _LINK, "file:///etc/p"), (1, _HTML, "<b>")]),  # `[...]` may span lines, as in Markdown
        ("<a ", [(1, _LINK, "file:///etc/p"), (0, _HTML, "<a <a <a <a ")]),  # closed by the `>` of `<b>`
        (
            "![a ",
            [(0, "images are not allowed in modules", "![a ![a ![a "), (1, _LINK, "file:///etc/p"), (1, _HTML, "<b>")],
        ),
        ("[a](", [(0, _LINK, "[a]([a]([a]("), (1, _LINK, "file:///etc/p"), (1, _HTML, "<b>")]),
        ("``a` ", [(1, _LINK, "file:///etc/p"), (1, _HTML, "<b>")]),
    ],
)
def test_a_1_mb_body_of_unclosed_markers_is_scanned_correctly(unit: str, expected: list[tuple[int, str, str]]) -> None:
    """Every scan once restarted at each unclosed `{{`, `[` or `<a`: 48 s for 100,000 characters.
    The markers fill one line of 1 MB; what follows them must still be found."""
    paths, issues = inspect_body(unit * (MEGABYTE // len(unit)) + _TAIL)
    assert paths == [("profile.name", 1)]
    assert [(issue.line, issue.message) for issue in issues] == [(line, message) for line, message, _ in expected]
    assert all(issue.got.startswith(got) for issue, (_, _, got) in zip(issues, expected, strict=True))


def test_code_spans_are_found_as_commonmark_finds_them() -> None:
    paths, issues = inspect_body("``` `{{ 7*7 }}` ``` and `` {{ x }} ``")
    assert (paths, issues) == ([], [])
    # ``` has no partner and `` has none either: both are plain text, and so is the placeholder.
    paths, issues = inspect_body("``` {{ profile.name }} ``")
    assert (paths, issues) == ([("profile.name", 0)], [])


MODULE = "---\nid: m\ntitle: M\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\n{body}\n"


def _content(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "content" / "overview"
    folder.mkdir(parents=True)
    (folder / "m.md").write_text(MODULE.format(body=body))
    return folder / "m.md"


def test_an_unclosed_placeholder_is_an_error_at_its_line(tmp_path: Path) -> None:
    """A 150 KB module once took 108 s in `check`, which then reported 0 errors."""
    module = _content(tmp_path, "Fine line.\n\nHello {{ profile.name\n\nbye")
    code, stderr = _invoke("check", "--content", str(tmp_path / "content"))
    assert code == 1
    assert (
        f"{module}:10:1: body: unclosed {{{{; write {{{{ dotted.path }}}} on one line (got {{{{ profile.name)\n"
        in stderr
    )


def test_a_module_over_256_kib_is_refused_before_it_is_scanned(tmp_path: Path) -> None:
    module = _content(tmp_path, "{{ a " * 60_000)
    code, stderr = _invoke("check", "--content", str(tmp_path / "content"))
    assert code == 1
    size = module.stat().st_size
    assert f"{module}:1:1: (root): file is larger than 262144 bytes (got {size})\n" in stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: N\nmatch_year: 2028\nstep1: {status: passed,\n  attempts: 1\nstudy:\n  hours_per_week: 40\n",
            "p.yaml:3:8: (root): invalid YAML: this '{' is not closed (expected ',' or '}', but got ':' on line 5)",
        ),
        (
            "name: N\nmatch_year: 2028\nstep2ck:\n  practice:\n    - {form: NBME 13, score: 228\n",
            "p.yaml:5:7: (root): invalid YAML: this '{' is not closed before the end of the file",
        ),
        (
            "name: N\nmatch_year: 2028\nexperience: {advocacy: [a, b, ",
            "p.yaml:3:24: (root): invalid YAML: this '[' is not closed before the end of the file",
        ),
        ('name: "N\nmatch_year: 2028\n', "p.yaml:1:7: (root): invalid YAML: this quote is not closed"),
    ],
)
def test_an_unclosed_flow_mapping_is_reported_where_it_opens(tmp_path: Path, text: str, expected: str) -> None:
    """Issue 14: "An unclosed `{` is reported at the line where it opens"."""
    (tmp_path / "p.yaml").write_text(text)
    code, stderr = _invoke("check", str(tmp_path / "p.yaml"), "--today", TODAY)
    assert code == 1
    assert stderr == f"{tmp_path}/{expected}\n"


# ---------- attack 7: special files ----------


@pytest.mark.parametrize(
    "command",
    [["build", "fifo.yaml", "--out", "out"], ["explain", "fifo.yaml"], ["check", "fifo.yaml"]],
)
def test_a_fifo_as_profile_is_refused_at_once(tmp_path: Path, command: list[str]) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    result = _roadmap(tmp_path, *command, "--today", TODAY)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["fifo.yaml:1:1: file: not a regular file (got fifo)"]


def test_a_fifo_in_a_batch_is_an_error_row(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    shutil.copy(REPO / "profiles" / "taylor-flat-220s.yaml", tmp_path / "taylor.yaml")
    try:
        result = _roadmap(
            tmp_path, "batch", "taylor.yaml", "fifo.yaml", "--out", "out", "--jobs", "1", "--format", "json", timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("batch hangs on a FIFO")
    assert result.returncode == 1
    assert "fifo.yaml:1:1: file: not a regular file (got fifo)" in (tmp_path / "out" / "summary.csv").read_text()


def test_a_fifo_as_program_list_is_refused_at_once(tmp_path: Path) -> None:
    _profile_with_programs(tmp_path, "")
    (tmp_path / "programs.csv").unlink()
    os.mkfifo(tmp_path / "programs.csv")
    result = _roadmap(tmp_path, "build", "p.yaml", "--out", "out", "--format", "json", "--today", TODAY)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["programs.csv:1:1: file: not a regular file (got fifo)"]


@pytest.mark.parametrize("command", ["explain", "check"])
def test_a_link_to_dev_zero_is_refused(tmp_path: Path, command: str) -> None:
    """Its size reads as 0, so the size check let it through to be read until memory ran out."""
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = _roadmap(tmp_path, command, "zero.yaml", "--today", TODAY)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["zero.yaml:1:1: file: not a regular file (got character device)"]


def test_a_folder_given_as_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(tmp_path, "dir")
    assert [p.format() for p in caught.value.problems] == ["dir:1:1: file: not a regular file (got directory)"]


def test_no_more_than_the_cap_is_read_whatever_size_the_file_reports() -> None:
    """/proc files are regular files that report a size of 0: only the bytes read can tell."""
    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size != 0:
        pytest.skip("needs Linux /proc")
    with pytest.raises(InputError) as caught:
        read_bytes(status, "status", max_bytes=100)
    assert [p.format() for p in caught.value.problems] == ["status:1:1: (root): file is larger than 100 bytes"]


def test_code_spans_of_single_backticks_blank_as_the_general_scan_does() -> None:
    """The fast path for bodies whose backtick runs are all single (issue 21) pairs each with the
    next, as the general scan does; a longer run after the text changes nothing before it."""
    import random

    from roadmap.load.bodies import _blank_code_spans

    rng = random.Random(21)
    for _ in range(5000):
        text = "".join(rng.choice("ab `\n{") for _ in range(rng.randint(0, 30)))
        while "``" in text:
            text = text.replace("``", "`a`")
        fast = _blank_code_spans(text)
        general = _blank_code_spans(text + "\n``")[: len(text)]  # a double run: the general scan
        assert fast == general, text
        assert len(fast) == len(text) and [i for i, c in enumerate(fast) if c == "\n"] == [
            i for i, c in enumerate(text) if c == "\n"
        ]
