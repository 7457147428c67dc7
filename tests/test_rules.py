"""The planning rules are data (content/data/*.yaml): no domain number in the code, every broken
rule file rejected by `check` at its line, and a new stage and milestone added from --content."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.load.layers import BUILTIN_CONTENT
from roadmap.load.seasons import load_seasons
from tests.conftest import REPO

CODE = sorted((REPO / "roadmap").rglob("*.py"))
# The domain's numbers: the 230 target, the score bands, the passing standards.
DOMAIN_NUMBERS = {209, 214, 218, 225, 230, 240, 250}
_IN_TEXT = re.compile(r"(?<![\w#])(?:209|214|218|225|230|240|250)(?![\w])")


def _bound_lines(file: Path) -> set[int]:
    """Lines of input bounds, which say how much a file may ask of the tool, not a rule of the
    domain: all of limits.py, and any table named `*_RANGES` (profile.py's field ranges)."""
    text = file.read_text()
    if file.name == "limits.py":
        return set(range(1, text.count("\n") + 2))
    lines: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.endswith("_RANGES") for t in node.targets
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _numbers(file: Path) -> list[str]:
    """Number literals of the domain and domain numbers written inside strings, with their line.

    Strings that are only CSS colours (#rrggbb) or chart geometry are not text a reader sees as
    a rule, and they never match: the pattern refuses digits glued to a `#` or a word.
    """
    found = []
    bounds = _bound_lines(file)
    for token in tokenize.generate_tokens(io.StringIO(file.read_text()).readline):
        if token.start[0] in bounds:
            continue
        if token.type == tokenize.NUMBER and token.string.isdigit() and int(token.string) in DOMAIN_NUMBERS:
            found.append(f"{file.name}:{token.start[0]}: {token.string}")
        elif token.type == tokenize.STRING and _IN_TEXT.search(token.string):
            found.append(f"{file.name}:{token.start[0]}: {token.string[:60]}")
    return found


def _calendar_calls(file: Path) -> list[str]:
    """`date(..., M, D)` with a literal month, and `timedelta(weeks=N)`/`(days=N)` with a literal N
    other than 0, 1 and 7 (a day, and the week every weekday calculation steps by)."""
    found = []
    for node in ast.walk(ast.parse(file.read_text())):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id == "date" and len(node.args) == 3 and isinstance(node.args[1], ast.Constant):
            found.append(f"{file.name}:{node.lineno}: {ast.unparse(node)}")
        if node.func.id == "timedelta":
            literal = [a for a in node.args if isinstance(a, ast.Constant)]
            literal += [k.value for k in node.keywords if isinstance(k.value, ast.Constant)]
            literal += [
                k.value.operand
                for k in node.keywords
                if isinstance(k.value, ast.UnaryOp) and isinstance(k.value.operand, ast.Constant)
            ]
            if any(c.value not in (0, 1, 7) for c in literal if isinstance(c, ast.Constant)):
                found.append(f"{file.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_domain_number_or_date_is_written_in_the_code() -> None:
    assert [hit for file in CODE for hit in _numbers(file)] == []
    assert [hit for file in CODE for hit in _calendar_calls(file)] == []


def test_the_detector_finds_what_the_code_used_to_hold(tmp_path: Path) -> None:
    file = tmp_path / "old.py"
    file.write_text(
        "from datetime import date, timedelta\n"
        "low = score < 230\n"
        "label = 'Step 2 CK score below 230'\n"
        "end = date(year, 7, 31)\n"
        "oet = submit - timedelta(weeks=12)\n"
        "rol = match - timedelta(days=16)\n"
        "fill = '#f6d5d5'\n"
    )
    assert _numbers(file) == ["old.py:2: 230", "old.py:3: 'Step 2 CK score below 230'"]
    assert _calendar_calls(file) == [
        "old.py:4: date(year, 7, 31)",
        "old.py:5: timedelta(weeks=12)",
        "old.py:6: timedelta(days=16)",
    ]


def _content_with(tmp_path: Path, relative: str, text: str) -> Path:
    folder = tmp_path / "content"
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    (folder / relative).write_text(text)
    return folder


def _check(content: Path) -> list[str]:
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--today", "2027-03-01"])
    assert result.exit_code == 1, result.output
    return [line for line in result.output.splitlines() if ": " in line and not line.startswith("Checked")]


def _builtin(relative: str) -> str:
    return (BUILTIN_CONTENT / relative).read_text()


BROKEN = [
    (
        "data/scores.yaml",
        ("target: {score: 230, source: x}", "target: {score: 230, sauce: x}"),
        "content/data/scores.yaml:20:22: target.sauce: unknown key (use score, source) (got sauce)",
    ),
    (
        "data/scores.yaml",
        ("target: {score: 230, source: x}", "target: {score: high, source: x}"),
        "content/data/scores.yaml:20:17: target.score: must be a whole number (got high)",
    ),
    (
        "data/milestones.yaml",
        ('anchor: "season:eras_opens", kind: event}', 'anchor: "season:eras_open", kind: event}'),
        "content/data/milestones.yaml:44:77: milestones[0].anchor: unknown anchor",
    ),
    (
        "data/milestones.yaml",
        (
            '    anchor: "rule:ck-target"\n    offset: {weeks: -4}\n    kind: checkpoint\n    source: "seed: Timing',
            '    anchor: "milestone:ck-decide"\n    offset: {weeks: -4}\n    kind: checkpoint\n    source: "seed: Timing',
        ),
        "content/data/milestones.yaml:113:13: milestones[14].anchor: the anchors refer to each other in a cycle (got milestone:ck-decide)",
    ),
    (
        "data/milestones.yaml",
        ("    when: {step2ck.status: scheduled}\n", "    when: {step2ck.status: {below: 3}}\n"),
        "content/data/milestones.yaml:96:29: milestones[11].when.step2ck.status.below: unknown operator",
    ),
    (
        "data/stages.yaml",
        ("      years_to_season: {ge: 2}", "      years_to_seasons: {ge: 2}"),
        "stages[0].when.years_to_seasons: unknown field; did you mean 'years_to_season'? (got years_to_seasons)",
    ),
    (
        "data/stages.yaml",
        ("      step1.status: {ne: passed}", "      stage: {ne: step1}"),
        "stages[1].when: a stage condition cannot read stage, which is decided from it (got stage)",
    ),
    (
        "data/durations.yaml",
        (
            '  buffer: {weeks: 1, source: "planning assumption: one week for the summer delays usmle.org warns about"}',
            "  buffer: {weeks: 1}",
        ),
        "data/durations.yaml:24:11: score_release.buffer: 'source' is required (where does this value come from?)",
    ),
    (
        "data/season_rules.yaml",
        ("after: match_day, days: -16", "after: rol_deadline, days: -16"),
        "rol_deadline.after: the rules refer to each other in a cycle (got rol_deadline)",
    ),
]


@pytest.mark.parametrize(("relative", "change", "expected"), BROKEN, ids=[b[2].split(": ")[1] for b in BROKEN])
def test_check_rejects_a_broken_rule_file_at_its_line(
    tmp_path: Path, relative: str, change: tuple[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _builtin(relative)
    old, new = change
    if old.startswith("target:"):
        text = re.sub(r"target: \{score: 230, source: [^}]*\}", old, text)
    assert old in text
    _content_with(tmp_path, relative, text.replace(old, new, 1))
    monkeypatch.chdir(tmp_path)
    lines = _check(Path("content"))
    assert any(expected in line for line in lines), lines
    assert all(re.match(r"^content/data/\w+\.yaml:\d+:\d+: ", line) for line in lines), lines


def test_check_holds_the_seasons_file_to_its_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _content_with(
        tmp_path, "data/seasons.yaml", '2030:\n  eras_submit: {date: 2011-09-12, confirmed: true, source: "a blog"}\n'
    )
    monkeypatch.chdir(tmp_path)
    assert _check(Path("content")) == [
        "content/data/seasons.yaml:2:23: 2030.eras_submit.date: must fall in 2029 for the 2030 Match (got 2011-09-12)",
        "content/data/seasons.yaml:2:60: 2030.eras_submit.source: a confirmed date needs an http(s) source (got a blog)",
    ]


def test_fallback_rules_count_from_the_files_own_dates(tmp_path: Path) -> None:
    file = tmp_path / "seasons.yaml"
    file.write_text(
        "2030:\n"
        "  eras_submit: {date: 2029-09-12, confirmed: false, source: x}\n"
        "  match_day: {date: 2030-03-22, confirmed: false, source: x}\n"
    )
    season = load_seasons(file, "seasons.yaml").season_for(2030)
    assert season.eras_review.date == date(2029, 10, 3)  # three weeks after the file's submission day
    assert season.rol_deadline.date == date(2030, 3, 6)  # 16 days before the file's Match Day
    assert season.eras_review.source == (
        "estimated: three weeks after submissions open (four in 2022), the pattern of past seasons"
    )


NEW_STAGE = """  - id: research-year
    label: "Research year"
    source: "planning assumption: a test stage"
    when:
      step1.status: passed
      step2ck.status: passed
      years_to_season: {ge: 1}
"""
NEW_MILESTONE = """  - id: research-abstract
    title: "Submit your research abstract"
    anchor: "milestone:letters-request"
    offset: {weeks: -3}
    kind: deadline
    source: "planning assumption: a test milestone"
    when: {stage: research-year}
"""
NEW_MODULE = """---
title: Make the most of a research year
stage: research-year
topics: [networking]
when: {stage: research-year}
sources: ["planning assumption: a test module"]
---

Spend the year on one genetics project and present it.
"""


def test_a_new_stage_and_milestone_come_from_a_content_folder_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = _builtin("data/stages.yaml").replace("  - id: step2ck\n", NEW_STAGE + "  - id: step2ck\n")
    milestones = _builtin("data/milestones.yaml") + NEW_MILESTONE
    _content_with(tmp_path, "data/stages.yaml", stages)
    _content_with(tmp_path, "data/milestones.yaml", milestones)
    _content_with(tmp_path, "research/research-year.md", NEW_MODULE)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Robin\nmatch_year: 2029\nspecialty: medical-genetics\napplicant_type: us-img\n"
        "pathway: undecided\nstep1: {status: passed, attempts: 1}\n"
        "step2ck: {status: passed, attempts: 1, score: 245}\n"
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "plan"
    built = CliRunner().invoke(
        main,
        [
            "build",
            "p.yaml",
            "--content",
            "content",
            "--today",
            "2027-03-01",
            "--out",
            str(out),
            "-q",
            "--format",
            "html,ics,json",
        ],
    )
    assert built.exit_code == 0, built.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["stage"] == "research-year"
    assert [s["id"] for s in plan["sections"] if s["group"] == "now"] == ["research-year"]
    abstract = next(m for m in plan["milestones"] if m["id"] == "research-abstract")
    letters = next(m for m in plan["milestones"] if m["id"] == "letters-request")
    assert (date.fromisoformat(letters["date"]) - date.fromisoformat(abstract["date"])).days == 21
    html = (out / "index.html").read_text()
    assert "Research year" in html and "Submit your research abstract" in html
    assert "SUMMARY:Submit your research abstract" in (out / "plan.ics").read_text()
    site = tmp_path / "site"
    made = CliRunner().invoke(main, ["site", "--content", "content", "--today", "2027-03-01", "--out", str(site), "-q"])
    assert made.exit_code == 0, made.output
    page = (site / "stages" / "research-year.html").read_text()
    assert "Research year" in page and "Make the most of a research year" in page
    # The batch takes the new stage too: its rows are read back on a rerun (and by --merge), and
    # the dashboard offers the stage by its label.
    advisees = tmp_path / "advisees"
    advisees.mkdir()
    (advisees / "p.yaml").write_bytes(profile.read_bytes())
    batch = ["batch", "advisees", "--content", "content", "--today", "2027-03-01", "--format", "json", "--jobs", "1"]
    first = CliRunner().invoke(main, [*batch, "--out", "batch"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, [*batch, "--out", "batch"])
    assert again.stdout.startswith("1 unchanged, 0 built, 0 failed"), again.output
    dashboard = (tmp_path / "batch" / "index.html").read_text()
    assert '<option value="research-year">Research year</option>' in dashboard
    assert ",ok,research-year," in (tmp_path / "batch" / "summary.csv").read_text()
