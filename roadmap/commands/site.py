"""Build the static advice site: every module, stage and topic as a page, plus the home page,
FAQ, score bands, season calendar, search index, "apply to me" rules, sitemap, 404 and robots.

It rides on the same pipeline as a plan (load_inputs, render_body, the Jinja environment) and
is incremental: each page records a hash of everything it was made from, an unchanged page is
not rendered again, and files of pages that no longer exist are removed (when they still hold the
bytes we wrote: the record is a claim, never an order).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from roadmap import __version__
from roadmap.decide.facts import FIELDS
from roadmap.errors import Problem, show_value
from roadmap.load.bodies import render_body
from roadmap.load.conditions import describe
from roadmap.load.content import TOPIC_LABELS, TOPICS, Module
from roadmap.load.rules import rules_or_builtin
from roadmap.load.seasons import SEASON_DATES
from roadmap.render.abbreviations import expand_abbreviations
from roadmap.render.applyform import APPLICANT_TYPES, STEP1_STATUSES, browser_rules
from roadmap.render.html import DISCLAIMER, asset_files, make_environment
from roadmap.write.output import NotOurs
from roadmap.write.parallel import Render, write_all
from roadmap.write.sitestate import FINGERPRINT_KEY, STATE_FILE, entry, intact, read_state, written_sha256

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from jinja2 import Environment

    from roadmap.commands.pipeline import Inputs
    from roadmap.load.glossary import Glossary
    from roadmap.load.rules import Rules
    from roadmap.load.sources import Citation
    from roadmap.write.output import OutDir

# What a module body's milestone placeholders say on the site, where there is no one person's plan.
GENERIC_MILESTONES = {
    "eras_opens": "the day MyERAS opens (early June)",
    "eras_submit": "the first day applications can be submitted (early September)",
    "eras_review": "the day programs start reviewing (about three weeks later)",
    "nrmp_registration": "the day NRMP registration opens (September 15)",
    "rol_deadline": "the rank order list deadline (early March)",
    "match_day": "Match Day (the third Friday of March)",
    "ck_window_start": "April 1 of your application year",
    "ck_window_end": "July 31 of your application year",
    "ck_latest_safe": "the latest safe exam date shown in your personal plan (mid-August in recent seasons)",
}
SEASON_LABELS = {
    "eras_opens": "MyERAS opens",
    "eras_submit": "Applications can be submitted",
    "eras_review": "Programs can review applications",
    "nrmp_registration": "NRMP registration opens",
    "rol_deadline": "Rank order list deadline",
    "match_day": "Match Day",
}


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str  # relative to the site root


# What a page is made from: its context, or (for the many module pages) how to make it.
Context = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass
class SitePlan:
    """Every page of the site, decided before anything is written."""

    pages: dict[str, tuple[str, Context]] = field(default_factory=dict)  # path -> (template, context)

    def context(self, path: str) -> dict[str, Any]:
        made = self.pages[path][1]
        return made() if callable(made) else made

    def module_page(self, path: str) -> tuple[Module, str]:
        """A module page's module and its stage's label, without making the page's whole context."""
        recipe = self.pages[path][1]
        assert isinstance(recipe, _ModuleContext), path
        module = recipe.pages.ordered[recipe.index]
        return module, recipe.pages.crumbs[module.stage][1].title


@dataclass(frozen=True)
class _ModulePages:
    """What every module page's context is made from; links, crumbs and citations are made
    once and shared by every page that shows them."""

    common: dict[str, Any]
    ordered: list[Module]
    links: list[Link]  # to each module's page, in `ordered` order (a page's prev and next)
    crumbs: dict[str, tuple[Link, Link]]  # stage -> Home, the stage
    topics: dict[str, Link]
    cite: Callable[[str], Citation]
    flag_labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _ModuleContext:
    pages: _ModulePages
    index: int

    def __call__(self) -> dict[str, Any]:
        pages, index = self.pages, self.index
        module = pages.ordered[index]
        return {
            **pages.common,
            "title": module.title,
            "module": module,
            "body": LazyBody(module),
            "shown_when": describe(module.when, pages.flag_labels),
            "citations": [pages.cite(source) for source in dict.fromkeys(module.sources)],
            "topics": [pages.topics[t] for t in module.topics],
            "crumbs": pages.crumbs[module.stage],
            "prev": pages.links[index - 1] if index else None,
            "next": pages.links[index + 1] if index + 1 < len(pages.ordered) else None,
        }


@dataclass(frozen=True, slots=True)
class ListedModule:
    """What a list page shows of a module: its fingerprint is all a list depends on, so editing
    a module's body rewrites its own page and search part, never the lists that name it."""

    id: str
    title: str
    stage: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """A module as a list page shows it (its repr is its fingerprint: every field shows)."""

    module: ListedModule
    summary: str
    url: str


@dataclass(frozen=True, slots=True)
class LazyBody:
    """A module body rendered only when a page that shows it is actually written."""

    module: Module

    def __html__(self) -> str:
        return str(render_body(self.module.body, generic_lookup))

    def __str__(self) -> str:
        return self.__html__()


# Module pages per part of the search index: an edit rewrites its page and one part.
SEARCH_PART_SIZE = 100
SEARCH_INDEX = "assets/search-index.js"  # lists the parts; site.js loads them
SEARCH_TEXT_LIMIT = 4000  # characters of a page's text in the index
# A part adds its entries to the index the manifest starts (an array, so order is kept).
_PART_START = "window.ROADMAP_SEARCH.push.apply(window.ROADMAP_SEARCH, "
_PART_END = ");\n"

# The search text of each module page this process rendered and whose part it has not yet
# written: the pages of a part and the part itself are written by one process, in that order
# (see `write_all`), so a text lives from its page's rendering to its part's.
_SEARCH_TEXTS: dict[str, str] = {}


def generic_lookup(path: str) -> str:
    """What `{{ path }}` prints on the site: a bracketed description, never a person's data."""
    key = path.removeprefix("profile.")
    if key.startswith("milestones."):
        return GENERIC_MILESTONES.get(key.removeprefix("milestones.").replace("-", "_"), "the date in your plan")
    label = FIELDS[key].label if key in FIELDS else key
    return f"[{label[0].lower() + label[1:]}]"


def _summary(module: Module) -> str:
    return module.summary_text()


def _text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def plan_site(inputs: Inputs, today: date) -> SitePlan:
    """Decide every page and its context (pure, apart from rendering Markdown)."""
    modules = inputs.library.modules
    rules = rules_or_builtin(inputs.rules)
    stage_labels = rules.stage_labels
    site_stages = tuple(stage_labels)  # overview first, then the stages of stages.yaml
    site = SitePlan()
    by_stage = {stage: [m for m in modules if m.stage == stage] for stage in site_stages}
    nav = [Link(stage_labels[s], f"stages/{s}.html") for s in site_stages if by_stage[s]]
    common = {"nav": nav, "disclaimer": DISCLAIMER, "tool_version": __version__}
    # A module page's context is made when it is needed (its fingerprint, its rendering) and
    # then dropped: a site of thousands of pages holds a small recipe per page, not a context.
    ordered = [m for stage in site_stages for m in by_stage[stage]]
    pages = _ModulePages(
        common=common,
        ordered=ordered,
        links=[Link(m.title, f"modules/{m.id}.html") for m in ordered],
        crumbs={
            stage: (Link("Home", "index.html"), Link(stage_labels[stage], f"stages/{stage}.html"))
            for stage in site_stages
        },
        topics={topic: Link(TOPIC_LABELS[topic], f"topics/{topic}.html") for topic in TOPICS},
        cite=functools.cache(rules.sources.cite),
        flag_labels=rules.flag_labels,
    )
    for index, link in enumerate(pages.links):
        site.pages[link.url] = ("site/module.html", _ModuleContext(pages, index))
    cards = {
        m.id: Card(ListedModule(m.id, m.title, m.stage, m.topics), _summary(m), f"modules/{m.id}.html") for m in modules
    }
    for stage in site_stages:
        if by_stage[stage]:
            site.pages[f"stages/{stage}.html"] = (
                "site/list.html",
                {
                    **common,
                    "title": stage_labels[stage],
                    "kind": "Stage",
                    "crumbs": [Link("Home", "index.html")],
                    "items": [cards[m.id] for m in by_stage[stage]],
                },
            )
    for topic in TOPICS:
        members = [cards[m.id] for m in ordered if topic in m.topics]
        if members:
            site.pages[f"topics/{topic}.html"] = (
                "site/list.html",
                {
                    **common,
                    "title": TOPIC_LABELS[topic],
                    "kind": "Topic",
                    "crumbs": [Link("Home", "index.html")],
                    "items": members,
                },
            )
    faq = [m for m in modules if m.id == "faq"]
    bands = [m for m in ordered if "step2ck-targets" in m.topics]
    for path, title, chosen in (
        ("faq.html", "Questions applicants ask", faq),
        ("score-bands.html", "Step 2 CK score bands", bands),
    ):
        if chosen:
            site.pages[path] = (
                "site/collection.html",
                {
                    **common,
                    "title": title,
                    "crumbs": [Link("Home", "index.html")],
                    "modules": [{"module": m, "body": LazyBody(m), "url": f"modules/{m.id}.html"} for m in chosen],
                },
            )
    site.pages["calendar.html"] = (
        "site/calendar.html",
        {
            **common,
            "title": "The application season calendar",
            "crumbs": [Link("Home", "index.html")],
            "seasons": _calendar(inputs, today, rules),
        },
    )
    site.pages["index.html"] = (
        "site/index.html",
        {
            **common,
            "title": "Residency roadmap for medical genetics",
            "crumbs": [],
            "stages": [
                {"link": link, "count": len(by_stage[s]), "stage": s}
                for link, s in zip(nav, [s for s in site_stages if by_stage[s]], strict=True)
            ],
            "stage_choices": site_stages[1:],
            "stage_labels": stage_labels,
            "step1_choices": STEP1_STATUSES,
            "applicant_choices": APPLICANT_TYPES,
            "default_year": first_open_match_year(rules, today),
            "has_faq": bool(faq),
            "has_bands": bool(bands),
        },
    )
    site.pages["404.html"] = (
        "site/404.html",
        {**common, "title": "Page not found", "crumbs": [Link("Home", "index.html")]},
    )
    return site


def first_open_match_year(rules: Rules, today: date) -> int:
    """The first Match year whose application season has not started on `today`: the "apply to
    me" form's default (site.js `defaultMatchYear` computes the same in the browser)."""
    return next(year for year in itertools.count(today.year) if rules.season_start(year) > today)


def _calendar(inputs: Inputs, today: date, rules: Rules) -> list[dict[str, Any]]:
    """The season under way (the first whose Match Day is not past) and the three after it, and
    any later season the data file holds; each date with its source as a citation."""
    table = inputs.seasons
    current = next(year for year in itertools.count(today.year) if table.season_for(year).match_day.date >= today)
    years = sorted(year for year in set(table.entries) | set(range(current, current + 4)) if year >= current)
    seasons = []
    for year in years:
        season = table.season_for(year)
        rows = []
        for name in SEASON_DATES:
            entry = getattr(season, name)
            rows.append({"label": SEASON_LABELS[name], "entry": entry, "source": rules.sources.cite(entry.source)})
        seasons.append({"year": year, "rows": sorted(rows, key=lambda r: r["entry"].date)})
    return seasons


def _hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _fingerprint(value: Any) -> Any:
    """A JSON-able stand-in for a page context, so its hash changes when its output would."""
    if isinstance(value, Module):
        return [
            value.id,
            value.title,
            value.stage,
            value.topics,
            value.order,
            value.sources,
            value.body_sha256,
            describe(value.when),
        ]
    if isinstance(value, dict):
        return {k: _fingerprint(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fingerprint(v) for v in value]
    if isinstance(value, Link):
        return [value.title, value.url]
    if isinstance(value, LazyBody):
        return value.module.body_sha256
    return str(value)


def build_site(
    inputs: Inputs,
    out: OutDir,
    *,
    base_url: str,
    today: date,
    warn: Callable[[Problem], None],
    fingerprint: str = "",
    jobs: int | None = None,
) -> dict[str, int]:
    """Write the site into `out`; return counts of pages rendered, skipped and removed.

    `jobs` caps the processes that render (None: one per CPU; 1 in a process with threads).
    `warn` hears of each file the last record lists that is not removed because it is not
    provably the one roadmap wrote.
    """
    env = make_environment(inputs.templates)
    site = plan_site(inputs, today)
    base = base_url if base_url.endswith("/") else base_url + "/"
    templates = {rel: _hash(path.read_bytes().hex()) for rel, path in inputs.templates.files().items()}
    glossary = rules_or_builtin(inputs.rules).glossary
    shared = _hash(__version__, base, templates, repr(glossary))
    previous = read_state(out.root)
    previous.pop(FINGERPRINT_KEY, None)
    state: dict[str, str] = {}
    counts = {"rendered": 0, "skipped": 0, "removed": 0}
    unchanged: set[str] = set()
    root = os.fspath(out.root)

    def needed(path: str, *inputs_of_page: Any) -> bool:
        """Whether `path` must be written: its inputs changed, or its file is not what we wrote."""
        digest = _hash(shared, *inputs_of_page)
        state[path] = digest
        if intact(previous.get(path), digest, os.path.join(root, path)):
            counts["skipped"] += 1
            unchanged.add(path)
            return False
        return True

    def page(path: str) -> Render:
        return functools.partial(_render_page, env, site, path, base, glossary)

    # A part of the search index follows its pages in one group, so the process that renders
    # them extracts their texts and writes the part: no text crosses processes or waits for all.
    _SEARCH_TEXTS.clear()
    groups: list[list[tuple[str, Render]]] = []
    module_pages = sorted(path for path in site.pages if path.startswith("modules/"))
    parts = [module_pages[at : at + SEARCH_PART_SIZE] for at in range(0, len(module_pages), SEARCH_PART_SIZE)]
    part_names = [_part_name(number) for number in range(1, len(parts) + 1)]
    for name, members in zip(part_names, parts, strict=True):
        group = [(path, page(path)) for path in members if needed(path, *_page_inputs(site, path))]
        if needed(name, [_search_inputs(site, path) for path in members]):
            group.append((name, functools.partial(_search_part, site, members, out.root / name, unchanged)))
        if group:
            groups.append(group)
    for path in sorted(set(site.pages) - set(module_pages)):
        if needed(path, *_page_inputs(site, path)):
            groups.append([(path, page(path))])
    for relative, file in asset_files(inputs.templates).items():
        if not relative.startswith("assets/print"):
            data = file.read_bytes()
            if needed(relative, hashlib.sha256(data).hexdigest()):
                groups.append([(relative, functools.partial(bytes, data))])
    rules = browser_rules(inputs.library, rules_or_builtin(inputs.rules), today)
    listed = sorted(p for p in site.pages if p != "404.html")
    for path, make, inputs_of_file in (
        (SEARCH_INDEX, lambda: _search_manifest(part_names), part_names),
        ("assets/rules.js", lambda: _js("ROADMAP_RULES", rules), rules),
        ("sitemap.xml", lambda: _sitemap(base, listed), listed),
        ("robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode(), listed),
    ):
        if needed(path, inputs_of_file):
            groups.append([(path, make)])
    # Pages can be rebuilt from their inputs: written without an fsync each (see `intact`).
    write_all(out, groups, jobs=jobs)
    counts["rendered"] = sum(len(group) for group in groups)
    counts["removed"] = _remove_stale(out, previous, set(state), warn)
    # Written last: a run killed before this point leaves the old record, so the next run redoes
    # its work. Each line keeps the size written, which catches a page a power cut left short,
    # and its sha256, which a later build checks before it deletes the file.
    record = {
        path: previous[path] if path in unchanged else entry(digest, out.written_size(path), out.written_sha256(path))
        for path, digest in state.items()
    }
    # Compact: without `indent`, json's C encoder writes it in one go (thousands of lines otherwise
    # go through the pure-Python one, in pieces).
    record[FINGERPRINT_KEY] = fingerprint
    saved = json.dumps(record, sort_keys=True, separators=(",", ":"))
    out.write(STATE_FILE, (saved + "\n").encode())
    return counts


def _page_inputs(site: SitePlan, path: str) -> tuple[str, Any]:
    return site.pages[path][0], _fingerprint(site.context(path))


def _search_inputs(site: SitePlan, path: str) -> Any:
    """Everything a page's entry in the search index is made from."""
    module, stage = site.module_page(path)
    return [path, stage, _fingerprint(module)]


def _remove_stale(out: OutDir, previous: dict[str, str], current: set[str], warn: Callable[[Problem], None]) -> int:
    """Delete the files of pages that no longer exist; return how many were removed.

    The record is only a claim (anyone who can write the out dir can forge it): a file goes only
    when it is a plain file still holding the exact bytes we wrote. Any other line is reported
    and ignored, never obeyed.
    """
    removed = 0
    record = (out.root / STATE_FILE).as_posix()
    for stale in sorted(set(previous) - current):
        try:
            if out.remove_if_ours(stale, written_sha256(previous[stale])):
                removed += 1
        except NotOurs as exc:
            warn(Problem(record, 1, 1, show_value(stale), f"warning: not removed: {exc}"))
    return removed


def _render_page(env: Environment, site: SitePlan, path: str, base: str, glossary: Glossary) -> bytes:
    render = _render_module if path.startswith("modules/") else _render
    return render(env, site.pages[path][0], site.context(path), path, base, glossary)


def _render(
    env: Environment, template: str, context: dict[str, Any], path: str, base: str, glossary: Glossary
) -> bytes:
    depth = path.count("/")
    # The 404 page is served at any depth, so it links from the site's base path when known.
    root = urlsplit(base).path if path == "404.html" and base.startswith(("/", "http")) else "../" * depth
    html = env.get_template(template).render(**context, root=root, path=path, canonical=base + path)
    return expand_abbreviations(html, glossary, for_print=False).encode("utf-8")


def _render_module(
    env: Environment, template: str, context: dict[str, Any], path: str, base: str, glossary: Glossary
) -> bytes:
    """A module's page; its text waits in `_SEARCH_TEXTS` for its part of the search index."""
    body = render_body(context["module"].body, generic_lookup)
    _SEARCH_TEXTS[path] = _search_text(body)
    return _render(env, template, {**context, "body": body}, path, base, glossary)


def _search_text(body: Markup) -> str:
    """The first SEARCH_TEXT_LIMIT characters of a body's text.

    Read from the start of the HTML up to the end of a tag (so no tag, entity or word is cut)
    while that is enough: the text of such a prefix is the start of the whole text.
    """
    html = str(body)
    cut = html.rfind(">", 0, 3 * SEARCH_TEXT_LIMIT) + 1
    if 0 < cut < len(html):
        text = _text_of(html[:cut])
        if len(text) > SEARCH_TEXT_LIMIT:
            return text[:SEARCH_TEXT_LIMIT]
    return _text_of(html)[:SEARCH_TEXT_LIMIT]


def _part_name(number: int) -> str:
    return f"assets/search-index-{number:03d}.js"


def _search_part(site: SitePlan, members: list[str], file: Path, unchanged: set[str]) -> bytes:
    """One part of the search index: an entry per module page of `members`.

    A page rendered just before in this process left its text in `_SEARCH_TEXTS`; an unchanged
    page's text is read back from the part as the last build wrote it (rendering every body
    again after a one-page edit is what parts avoid); a body is rendered only when neither has it.
    """
    known = _known_search_texts(file, unchanged) if any(p not in _SEARCH_TEXTS for p in members) else {}
    entries = []
    for path in members:
        module, stage = site.module_page(path)
        text = _SEARCH_TEXTS.pop(path, None) or known.get(path)
        if text is None:
            text = _search_text(render_body(module.body, generic_lookup))
        entries.append(
            {
                "url": path,
                "title": module.title,
                "stage": stage,
                "topics": " ".join(module.topics),
                "text": text,
            }
        )
    return f"{_PART_START}{_json(entries)}{_PART_END}".encode()


def _search_manifest(part_names: list[str]) -> bytes:
    """The file every page loads: the index's parts, which site.js then loads in order."""
    names = [PurePosixPath(name).name for name in part_names]
    return b"window.ROADMAP_SEARCH = [];\n" + _js("ROADMAP_SEARCH_PARTS", names)


def _known_search_texts(file: Path, unchanged: set[str]) -> dict[str, str]:
    """Texts of unchanged module pages, read back from the part of the index the last build wrote.

    A page whose inputs did not change has the same text, and an unreadable part only costs the work.
    """
    if not unchanged:
        return {}
    try:
        script = file.read_text(encoding="utf-8")
        if not (script.startswith(_PART_START) and script.endswith(_PART_END)):
            return {}
        entries = json.loads(script[len(_PART_START) : -len(_PART_END)])
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        entry["url"]: entry["text"]
        for entry in entries
        if isinstance(entry, dict) and entry.get("url") in unchanged and isinstance(entry.get("text"), str)
    }


def _json(data: Any) -> str:
    # JSON inside a script: escape "<" so no "</script>" or "<!--" can end or confuse it.
    return json.dumps(data, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")


def _js(name: str, data: Any) -> bytes:
    return f"window.{name} = {_json(data)};\n".encode()


def _sitemap(base: str, pages: list[str]) -> bytes:
    urls = "".join(f"  <url><loc>{Markup.escape(base + p)}</loc></url>\n" for p in pages)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()
