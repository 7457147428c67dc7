"""What a reader sees (SPEC "What a reader sees"): every example plan, the site and the dashboard,
built as a user would, read for length, internal notes, raw ids, private paths, the disclaimer's
place, blank substitutions and text copied from the source article.

The outputs are built once per module, from a folder outside the repository, with absolute paths
to the profiles: the case where a careless tool would print the machine's paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from roadmap.cli import main
from roadmap.load.content import TOPICS
from roadmap.load.rules import builtin_rules
from roadmap.render.abbreviations import unexpanded_first_uses
from roadmap.vocabulary import ENUMERATIONS
from tests.conftest import PROFILES, REPO
from tests.seed_overlap import shared_runs
from tests.test_golden import READ_ON, TODAY

MAX_PAGES = 12  # SPEC: every example profile's default PDF
INTERNAL_NOTES = re.compile(
    r"FACTS\.md|\bSPEC\b|\bseed:|\b(?:confidence|Med-High)\b|\bHigh; checked|roadmap SPEC", re.IGNORECASE
)


def _raw_ids() -> set[str]:
    """Identifiers a reader must never see: flags, topics and enumeration values made of more than
    one word (a one-word id such as `letters` is also an ordinary word)."""
    values = {v for values, _ in ENUMERATIONS.values() for v in values}
    ids = set(builtin_rules().flag_ids) | set(TOPICS) | values
    return {i for i in ids if "-" in i or any(c.isdigit() for c in i)}


RAW_ID = re.compile(
    r"(?<![\w/.#-])(" + "|".join(sorted(map(re.escape, _raw_ids()), key=len, reverse=True)) + r")(?![\w-])"
)


def visible_text(html: str) -> str:
    """The text a browser shows as prose: no head, scripts, styles, attributes or links' addresses,
    and no code spans (they quote what a user types, such as a column name of a program list)."""
    html = re.sub(r"(?is)<(head|script|style|code)\b.*?</\1>", " ", html)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return " ".join(re.sub(r"https?://\S+", " ", text).split())


def reader_problems(text: str, *, private: tuple[str, ...]) -> list[str]:
    found = [f"internal note {m.group(0)!r}" for m in INTERNAL_NOTES.finditer(text)]
    found += [
        f"raw id {m.group(1)!r} in …{text[max(0, m.start() - 40) : m.end() + 20]}…" for m in RAW_ID.finditer(text)
    ]
    found += [f"private path {p!r}" for p in private if p in text]
    return found


@dataclass
class Built:
    folder: Path
    private: tuple[str, ...]
    plans: dict[str, Path] = field(default_factory=dict)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every example's default plan (all formats), the site and a batch dashboard."""
    work = tmp_path_factory.mktemp("reader")
    runner = CliRunner()
    result = Built(work, (str(work), str(REPO), str(Path.home())))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        for profile in PROFILES:
            out = work / "plans" / profile.stem
            today = READ_ON.get(profile.stem, TODAY)
            run = runner.invoke(main, ["build", str(profile), "--today", today, "--out", str(out), "-q"])
            assert run.exit_code == 0, run.output
            result.plans[profile.stem] = out
        run = runner.invoke(main, ["site", "--out", str(work / "site"), "--today", TODAY, "-q"])
        assert run.exit_code == 0, run.output
        run = runner.invoke(
            main,
            ["batch", str(REPO / "profiles"), "--out", str(work / "batch"), "--format", "json", "--today", TODAY, "-q"],
        )
        assert run.exit_code == 0, run.output
    return result


def site_and_dashboard_pages(built: Built) -> list[Path]:
    return [*sorted((built.folder / "site").rglob("*.html")), built.folder / "batch" / "index.html"]


def pdf_pages(file: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(file).pages]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_example_plan_prints_in_at_most_twelve_pages(built: Built, profile: Path) -> None:
    pages = len(PdfReader(built.plans[profile.stem] / "plan.pdf").pages)
    assert pages <= MAX_PAGES, f"{profile.stem}: {pages} pages"


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_no_plan_output_shows_internal_notes_raw_ids_or_private_paths(built: Built, profile: Path) -> None:
    out = built.plans[profile.stem]
    manifest = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    reader_json = " ".join(
        [s["title"] for s in manifest["sections"]]
        + [w for s in manifest["sections"] for w in s["why"]]
        + [m["title"] for m in manifest["milestones"]]
        + [a["why"] for a in manifest["next_actions"]]
        + [a["title"] for a in manifest["next_actions"]]
    )
    outputs = {
        "index.html": visible_text((out / "index.html").read_text(encoding="utf-8")),
        # A link wraps across lines in print: drop every token with a slash (no id has one).
        "plan.pdf": re.sub(r"\S*/\S*", " ", re.sub(r"-[ \t]*\n\s*", "-", "\n".join(pdf_pages(out / "plan.pdf")))),
        "plan.ics": re.sub(r"https?://\S+", " ", (out / "plan.ics").read_text(encoding="utf-8")),
        "plan.json": reader_json,
    }
    problems = {name: reader_problems(text, private=built.private) for name, text in outputs.items()}
    assert not {name: found for name, found in problems.items() if found}
    # No output names the machine's folders at all, not even in an attribute or a link.
    for name in ("index.html", "plan.ics", "plan.json"):
        raw = (out / name).read_text(encoding="utf-8")
        assert not [p for p in built.private if p in raw], name


def test_the_site_and_the_dashboard_show_no_internal_notes_raw_ids_or_private_paths(built: Built) -> None:
    pages = site_and_dashboard_pages(built)
    problems = {}
    for page in pages:
        found = reader_problems(visible_text(page.read_text(encoding="utf-8")), private=built.private)
        if found:
            problems[page.relative_to(built.folder).as_posix()] = found[:3]
    assert not problems


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_the_disclaimer_comes_first_once(built: Built, profile: Path) -> None:
    out = built.plans[profile.stem]
    text = visible_text((out / "index.html").read_text(encoding="utf-8"))
    first_section = text.index("At a glance")
    assert text.count("guidance, not official advice") == 1
    assert text.index("guidance, not official advice") < first_section
    pages = pdf_pages(out / "plan.pdf")
    flat = [" ".join(page.split()) for page in pages]
    assert "guidance, not official advice" in flat[1]  # the first page after the cover
    assert flat[1].index("guidance, not official advice") < flat[1].index("At a glance")
    assert sum(page.count("guidance, not official advice") for page in flat) == 1


def test_no_site_page_leaves_a_substitution_blank(built: Built) -> None:
    blank = re.compile(r"\{\{|\}\}|…\s*(?:on|is|and|,|\.)\s|\[\s*\]|\bNone\b|not recorded")
    problems = {}
    for page in sorted((built.folder / "site").rglob("*.html")):
        text = visible_text(page.read_text(encoding="utf-8"))
        found = [m.group(0) for m in blank.finditer(text)]
        if found:
            problems[page.name] = found[:3]
    assert not problems


def test_no_sentence_of_the_site_copies_ten_words_of_the_source_article(built: Built) -> None:
    copied = {}
    for page in sorted((built.folder / "site").rglob("*.html")):
        runs = shared_runs(visible_text(page.read_text(encoding="utf-8")))
        if runs:
            copied[page.relative_to(built.folder).as_posix()] = runs[:2]
    assert not copied


def test_full_detail_prints_every_section_and_short_only_the_current_stage(tmp_path: Path) -> None:
    profile = REPO / "profiles" / "jordan-rivera.yaml"
    runner = CliRunner()
    short = json.loads(runner.invoke(main, ["explain", str(profile), "--today", TODAY, "--json"]).output)
    full = json.loads(
        runner.invoke(main, ["explain", str(profile), "--today", TODAY, "--json", "--detail", "full"]).output
    )
    assert [s["id"] for s in short["sections"]] == [s["id"] for s in full["sections"]]
    assert {s["shown"] for s in full["sections"]} == {"full"}
    shown = {s["id"]: s["shown"] for s in short["sections"]}
    assert {s["group"] for s in short["sections"] if shown[s["id"]] == "full"} <= {"now", "recovery"}
    assert {shown[s["id"]] for s in short["sections"] if s["group"] in ("background", "coming-up")} == {"summary"}
    out = tmp_path / "full"
    run = runner.invoke(
        main, ["build", str(profile), "--today", TODAY, "--format", "html", "--detail", "full", "--out", str(out), "-q"]
    )
    assert run.exit_code == 0, run.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "summary-only" not in html
    assert all(f'id="s-{s["id"]}"' in html for s in full["sections"])


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_abbreviation_is_spelled_out_at_its_first_use_in_each_plan(built: Built, profile: Path) -> None:
    glossary = builtin_rules().glossary
    out = built.plans[profile.stem]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert unexpanded_first_uses(html, glossary, for_print=False) == []
    assert unexpanded_first_uses("\n".join(pdf_pages(out / "plan.pdf")), glossary, for_print=True) == []


def test_every_abbreviation_is_spelled_out_at_its_first_use_on_each_site_page_and_the_dashboard(built: Built) -> None:
    glossary = builtin_rules().glossary
    pages = site_and_dashboard_pages(built)
    missed = {}
    for page in pages:
        found = unexpanded_first_uses(page.read_text(encoding="utf-8"), glossary, for_print=False)
        if found:
            missed[page.relative_to(built.folder).as_posix()] = found
    assert not missed


def _module(folder: Path, name: str, front: str) -> None:
    text = f"---\ntitle: {name}\nstage: overview\ntopics: [networking]\nsources: [step-strategy-article]\n{front}---\nBody of {name}.\n"
    (folder / "overview" / f"{name}.md").write_text(text, encoding="utf-8")


def test_a_module_that_replaces_another_is_shown_alone(tmp_path: Path) -> None:
    content = tmp_path / "mine"
    (content / "overview").mkdir(parents=True)
    _module(content, "meet-people", "")
    _module(content, "meet-geneticists", "replaces: [meet-people]\n")
    runner = CliRunner()
    profile = str(REPO / "profiles" / "jordan-rivera.yaml")
    plan = json.loads(
        runner.invoke(main, ["explain", profile, "--today", TODAY, "--json", "--content", str(content)]).output
    )
    ids = [s["id"] for s in plan["sections"]]
    assert "meet-geneticists" in ids
    assert "meet-people" not in ids


def test_replaces_must_name_another_module(tmp_path: Path) -> None:
    content = tmp_path / "mine"
    (content / "overview").mkdir(parents=True)
    _module(content, "meet-geneticists", "replaces: [no-such-module, meet-geneticists]\n")
    run = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert run.exit_code == 1
    display = (content / "overview" / "meet-geneticists.md").as_posix()
    assert f"{display}:6:1: replaces: names no module (got no-such-module)" in run.output
    assert f"{display}:6:1: replaces: names this module itself (got meet-geneticists)" in run.output
