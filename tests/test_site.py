"""The static site: pages, links and anchors, incremental rebuilds equal to clean builds, and the
"apply to me" vectors in Python (the browser runs the same vectors in test_browser.py)."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.pipeline import load_inputs
from roadmap.load.conditions import paths_of
from roadmap.load.rules import builtin_rules
from roadmap.render.applyform import APPLICANT_TYPES, STEP1_STATUSES, FormAnswers, matching_modules
from tests.conftest import REPO

VECTORS = Path(__file__).parent / "vectors" / "apply-form.json"
TODAY = "2026-11-25"


def build(out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["site", "--out", str(out), "--today", TODAY, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(out, "--base-url", "https://example.org/guide/")
    return out


def test_site_has_every_page_kind(site: Path) -> None:
    inputs = load_inputs()
    for module in inputs.library.modules:
        assert (site / "modules" / f"{module.id}.html").is_file()
    for page in (
        "index.html",
        "faq.html",
        "score-bands.html",
        "calendar.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "stages/step2ck.html",
        "topics/step2ck-timing.html",
        "assets/search-index.js",
        "assets/rules.js",
    ):
        assert (site / page).is_file(), page
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/guide/modules/landscape.html</loc>" in sitemap
    assert "404.html" not in sitemap
    assert (site / "robots.txt").read_text().endswith("Sitemap: https://example.org/guide/sitemap.xml\n")
    assert 'href="/guide/index.html"' in (site / "404.html").read_text()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for key in ("href", "src"):
            value = found.get(key)
            if value and not (tag == "link" and found.get("rel") == "canonical"):
                self.links.append(value)


def _parse(file: Path) -> _Links:
    parser = _Links()
    parser.feed(file.read_text(encoding="utf-8"))
    return parser


def test_no_broken_internal_link_or_anchor(site: Path) -> None:
    pages = {p: _parse(p) for p in site.rglob("*.html") if p.name != "404.html"}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append((page.relative_to(site), link))
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append((page.relative_to(site), link))
    assert broken == []


def test_pages_use_relative_links_so_any_sub_path_and_disk_work(site: Path) -> None:
    html = (site / "modules" / "landscape.html").read_text()
    assert 'href="../assets/style.css"' in html
    assert 'href="/' not in html.replace('href="https://', "")


def test_nothing_is_loaded_from_elsewhere(site: Path) -> None:
    """Outbound links in prose are fine; scripts, images and stylesheets are all local."""
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r'<(script|img|iframe)[^>]+src="(https?:)?//', text), page
        assert not re.search(r'<link rel="stylesheet" href="(https?:)?//', text), page


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_incremental_rebuild_equals_a_clean_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    templates = tmp_path / "templates"
    (content / "overview").mkdir(parents=True)
    (templates / "site").mkdir(parents=True)
    out = tmp_path / "out"
    first = build(out, "--content", str(content), "--templates", str(templates))
    assert "0 unchanged" in first
    assert "is up to date: " in build(out, "--content", str(content), "--templates", str(templates))
    # add a module, edit one (override), delete... by shadowing, change a template
    (content / "overview" / "new-module.md").write_text(
        "---\nid: new-module\ntitle: A brand new module\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n---\nFresh words.\n"
    )
    landscape = (REPO / "content" / "overview" / "landscape.md").read_text()
    (content / "overview" / "landscape.md").write_text(
        landscape.replace("There is more than one door", "Edited opening")
    )
    shutil.copy(REPO / "templates" / "site" / "404.html", templates / "site" / "404.html")
    (templates / "site" / "404.html").write_text(
        (templates / "site" / "404.html").read_text().replace("Page not found", "Lost?")
    )
    build(out, "--content", str(content), "--templates", str(templates))
    # then delete the new module again: its page and its search entry must go
    (content / "overview" / "new-module.md").unlink()
    (content / "overview" / "other.md").write_text(
        "---\nid: other\ntitle: Another module\nstage: overview\ntopics: [networking]\nsources: [step-strategy-article]\n---\nOther words.\n"
    )
    build(out, "--content", str(content), "--templates", str(templates))
    clean = tmp_path / "clean"
    build(clean, "--content", str(content), "--templates", str(templates))
    assert _tree(out) == _tree(clean)
    assert not (out / "modules" / "new-module.html").exists()
    assert "Edited opening" in (out / "modules" / "landscape.html").read_text()
    assert "A brand new module" not in search_index(out)
    assert "Another module" in search_index(out)


def search_index(site: Path) -> str:
    """The search index as a browser gets it: the parts search-index.js lists, in order."""
    manifest = (site / "assets" / "search-index.js").read_text()
    parts = json.loads(manifest.split("window.ROADMAP_SEARCH_PARTS = ", 1)[1].rstrip().removesuffix(";"))
    assert parts and all(re.fullmatch(r"search-index-\d{3}\.js", part) for part in parts)
    return "".join((site / "assets" / part).read_text() for part in parts)


# ---------- "apply to me" vectors ----------


def _vector_answers() -> list[dict[str, object]]:
    answers = []
    combos = itertools.product(
        builtin_rules().stage_ids, STEP1_STATUSES, (None, 224, 229, 239, 240), (None, 229, 230), (2027, 2028, 2030)
    )
    for index, (stage, step1, ck, practice, year) in enumerate(combos):
        answers.append(
            {
                "stage": stage,
                "step1_status": step1,
                "ck_score": ck,
                "practice_latest": practice,
                "match_year": year,
                "applicant_type": APPLICANT_TYPES[index % len(APPLICANT_TYPES)],
            }
        )
    return answers


def compute_vectors() -> list[dict[str, object]]:
    library = load_inputs().library
    vectors = []
    for today in ("2027-02-28", "2027-03-01"):
        for answers in _vector_answers():
            expected = matching_modules(library, FormAnswers.from_json(answers), date.fromisoformat(today))
            vectors.append({"today": today, "answers": answers, "modules": expected})
    return vectors


def test_apply_form_vectors_match_python(update_golden: bool) -> None:
    vectors = compute_vectors()
    if update_golden or not VECTORS.exists():
        VECTORS.write_text(json.dumps(vectors, indent=0, sort_keys=True) + "\n")
    stored = json.loads(VECTORS.read_text())
    assert len(stored) >= 1000
    assert stored == vectors


def test_vectors_cover_every_module() -> None:
    """Every module the form can select is selected by some vector. The form cannot judge whether
    a Match year still fits, nor when Step 2 CK falls (it assumes the year fits and the exam comes
    before submission), so a module that needs those judgements is out of its reach, and only such a module."""
    seen = {m for v in json.loads(VECTORS.read_text()) for m in v["modules"]}
    modules = load_inputs().library.modules
    assumed = {"feasibility.status", "step2ck.after_submit"}
    beyond_the_form = {m.id for m in modules if m.when is not None and paths_of(m.when) & assumed}
    assert beyond_the_form == {"match-year-at-risk", "score-reporting"}
    assert seen == {m.id for m in modules} - beyond_the_form


def test_a_site_library_reads_bodies_again_and_refuses_one_changed_since_it_was_checked(tmp_path: Path) -> None:
    """The site holds no body in memory (issue 21): each is read again when a page needs it,
    and one that changed after loading is never rendered unchecked."""
    from roadmap.errors import InputError

    content = tmp_path / "content" / "overview"
    content.mkdir(parents=True)
    module = content / "lazy.md"
    module.write_text(
        "---\nid: lazy\ntitle: Lazy\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n"
        "---\nFirst words.\n"
    )
    inputs = load_inputs(tmp_path / "content", keep_bodies=False)
    lazy = inputs.library.by_id("lazy")
    assert lazy.kept_body is None
    assert lazy.body == "First words.\n"
    assert load_inputs(tmp_path / "content").library.by_id("lazy").kept_body == "First words.\n"
    module.write_text(module.read_text().replace("First words.", "[Unchecked](javascript:alert(1))"))
    with pytest.raises(InputError) as raised:
        _ = lazy.body
    assert [p.format() for p in raised.value.problems] == [
        f"{lazy.file}:8:1: body: changed while roadmap was running; run again"
    ]


def test_an_edited_body_rewrites_its_page_and_its_search_part_and_nothing_else(tmp_path: Path) -> None:
    """Issue 21: lists show titles and summaries, so a body edit leaves them alone; a title edit
    rewrites every page that shows the title; either way the result is a clean build's."""
    content = tmp_path / "content" / "overview"
    content.mkdir(parents=True)
    module = content / "edited.md"
    front = "---\nid: edited\ntitle: {title}\nstage: overview\ntopics: [landscape]\nsources: [step-strategy-article]\n"
    module.write_text(front.format(title="Before") + 'summary: "Kept."\n---\nOld body words.\n')
    out = tmp_path / "out"
    build(out, "--content", str(tmp_path / "content"))
    before = _tree(out)

    module.write_text(front.format(title="Before") + 'summary: "Kept."\n---\nNew body words.\n')
    assert "2 files written" in build(out, "--content", str(tmp_path / "content"))
    changed = {path for path, data in _tree(out).items() if before.get(path) != data}
    assert changed == {"modules/edited.html", "assets/search-index-001.js", ".roadmap-site.json"}
    assert "New body words" in search_index(out)

    module.write_text(front.format(title="After") + 'summary: "Kept."\n---\nNew body words.\n')
    build(out, "--content", str(tmp_path / "content"))
    assert "After" in (out / "stages" / "overview.html").read_text()
    assert "After" in (out / "topics" / "landscape.html").read_text()
    clean = tmp_path / "clean"
    build(clean, "--content", str(tmp_path / "content"))
    assert _tree(out) == _tree(clean)


def test_a_search_text_read_from_the_start_of_a_body_is_the_start_of_its_whole_text() -> None:
    """The index keeps the first SEARCH_TEXT_LIMIT characters of a body's text, read from a
    prefix of its HTML that ends a tag (issue 21): the same as from the whole body."""
    import random

    from markupsafe import Markup

    from roadmap.commands.site import SEARCH_TEXT_LIMIT, _search_text, _text_of

    rng = random.Random(21)
    pieces = ("word ", "<b>bold</b>", "&amp;", "\n", "<p>", "</p>", "<a href='https://x.org/a'>link</a> ")
    for _ in range(300):
        words = [rng.choice((*pieces, "x" * rng.randint(1, 60))) for _ in range(rng.randint(100, 2500))]
        html = Markup("".join(words))
        assert _search_text(html) == _text_of(str(html))[:SEARCH_TEXT_LIMIT]
