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
from dataclasses import dataclass, field
from datetime import date
from html import unescape
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
from roadmap.write.parallel import write_all
from roadmap.write.sitestate import FINGERPRINT_KEY, STATE_FILE, entry, intact, read_state, written_sha256

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from jinja2 import Environment

    from roadmap.commands.pipeline import Inputs
    from roadmap.load.glossary import Glossary
    from roadmap.load.rules import Rules
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


@dataclass(frozen=True)
class Link:
    title: str
    url: str  # relative to the site root


@dataclass
class SitePlan:
    """Every page of the site, decided before anything is written."""

    pages: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # path -> (template, context)


@dataclass(frozen=True)
class LazyBody:
    """A module body rendered only when a page that shows it is actually written."""

    module: Module

    def __html__(self) -> str:
        return str(_site_body(self.module.body))

    def __str__(self) -> str:
        return self.__html__()


# Body text -> HTML for the build under way: a page and the search index share one rendering,
# and helper processes send theirs back (see `write_all`), so no body is rendered twice.
_BODY_HTML: dict[str, Markup] = {}


def _site_body(body: str) -> Markup:
    html = _BODY_HTML.get(body)
    if html is None:
        html = _BODY_HTML[body] = render_body(body, generic_lookup)
    return html


def _receive_bodies(rendered: object) -> None:
    assert isinstance(rendered, dict)
    _BODY_HTML.update(rendered)


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
    bodies = {m.id: LazyBody(m) for m in modules}
    ordered = [m for stage in site_stages for m in by_stage[stage]]
    for index, module in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        site.pages[f"modules/{module.id}.html"] = (
            "site/module.html",
            {
                **common,
                "title": module.title,
                "module": module,
                "body": bodies[module.id],
                "shown_when": describe(module.when, rules.flag_labels),
                "citations": [rules.sources.cite(source) for source in dict.fromkeys(module.sources)],
                "topics": [Link(TOPIC_LABELS[t], f"topics/{t}.html") for t in module.topics],
                "crumbs": [Link("Home", "index.html"), Link(stage_labels[module.stage], f"stages/{module.stage}.html")],
                "prev": Link(previous.title, f"modules/{previous.id}.html") if previous else None,
                "next": Link(following.title, f"modules/{following.id}.html") if following else None,
            },
        )
    cards = {m.id: {"module": m, "summary": _summary(m), "url": f"modules/{m.id}.html"} for m in modules}
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
                    "modules": [{"module": m, "body": bodies[m.id], "url": f"modules/{m.id}.html"} for m in chosen],
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
            value.body,
            describe(value.when),
        ]
    if isinstance(value, dict):
        return {k: _fingerprint(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fingerprint(v) for v in value]
    if isinstance(value, Link):
        return [value.title, value.url]
    if isinstance(value, LazyBody):
        return value.module.body
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
    _BODY_HTML.clear()  # bodies render with this build's rules and values
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
    pending: list[tuple[str, Callable[[], bytes]]] = []
    unchanged: set[str] = set()
    root = os.fspath(out.root)

    def emit(path: str, make: Callable[[], bytes], *inputs_of_page: Any) -> None:
        digest = _hash(shared, *inputs_of_page)
        state[path] = digest
        if intact(previous.get(path), digest, os.path.join(root, path)):
            counts["skipped"] += 1
            unchanged.add(path)
        else:
            pending.append((path, make))

    for path, (template, context) in sorted(site.pages.items()):
        page = functools.partial(_render, env, template, context, path, base, glossary)
        emit(path, page, template, _fingerprint(context))
    for relative, file in asset_files(inputs.templates).items():
        if not relative.startswith("assets/print"):
            data = file.read_bytes()
            emit(relative, functools.partial(bytes, data), hashlib.sha256(data).hexdigest())
    # Pages can be rebuilt from their inputs: written without an fsync each (see `intact`).
    write_all(out, pending, jobs=jobs, share_back=lambda: _BODY_HTML, receive=_receive_bodies)
    counts["rendered"] += len(pending)
    pending.clear()
    # Files made from every page come after them, here, where every rendered body is at hand.
    searchable = [
        _fingerprint(context["module"])
        for path, (_t, context) in sorted(site.pages.items())
        if path.startswith("modules/")
    ]
    known = _known_search_texts(out.root, unchanged)
    emit("assets/search-index.js", lambda: _js("ROADMAP_SEARCH", _search_index(site, known)), searchable)
    rules = browser_rules(inputs.library, rules_or_builtin(inputs.rules), today)
    emit("assets/rules.js", lambda: _js("ROADMAP_RULES", rules), rules)
    pages = sorted(p for p in site.pages if p != "404.html")
    emit("sitemap.xml", lambda: _sitemap(base, pages), pages)
    emit("robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode(), pages)
    write_all(out, pending, jobs=1)
    counts["rendered"] += len(pending)
    counts["removed"] = _remove_stale(out, previous, set(state), warn)
    # Written last: a run killed before this point leaves the old record, so the next run redoes
    # its work. Each line keeps the size written, which catches a page a power cut left short,
    # and its sha256, which a later build checks before it deletes the file.
    record = {
        path: previous[path]
        if path in unchanged
        else entry(digest, os.path.getsize(os.path.join(root, path)), out.written_sha256(path))
        for path, digest in state.items()
    }
    out.write(
        STATE_FILE, (json.dumps({**record, FINGERPRINT_KEY: fingerprint}, indent=1, sort_keys=True) + "\n").encode()
    )
    return counts


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


def _render(
    env: Environment, template: str, context: dict[str, Any], path: str, base: str, glossary: Glossary
) -> bytes:
    depth = path.count("/")
    # The 404 page is served at any depth, so it links from the site's base path when known.
    root = urlsplit(base).path if path == "404.html" and base.startswith(("/", "http")) else "../" * depth
    html = env.get_template(template).render(**context, root=root, path=path, canonical=base + path)
    return expand_abbreviations(html, glossary, for_print=False).encode("utf-8")


def _search_index(site: SitePlan, known: dict[str, str]) -> list[dict[str, str]]:
    """One entry per module page; `known` gives texts already extracted for unchanged pages."""
    entries = []
    for path, (_template, context) in sorted(site.pages.items()):
        if path.startswith("modules/"):
            module = context["module"]
            text = known.get(path)
            if text is None:
                text = _text_of(str(context["body"]))
            entries.append(
                {
                    "url": path,
                    "title": module.title,
                    "stage": context["crumbs"][1].title,
                    "topics": " ".join(module.topics),
                    "text": text[:4000],
                }
            )
    return entries


def _known_search_texts(root: Path, unchanged: set[str]) -> dict[str, str]:
    """Texts of unchanged module pages, read back from the last build's search index.

    Rebuilding the index must not mean rendering every body again after a one-page edit. A page
    whose inputs did not change has the same text, and an unreadable index only costs the work.
    """
    if not unchanged:
        return {}
    try:
        script = (root / "assets" / "search-index.js").read_text(encoding="utf-8")
        entries = json.loads(script.removeprefix("window.ROADMAP_SEARCH = ").rstrip().removesuffix(";"))
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        entry["url"]: entry["text"]
        for entry in entries
        if isinstance(entry, dict) and entry.get("url") in unchanged and isinstance(entry.get("text"), str)
    }


def _js(name: str, data: Any) -> bytes:
    # JSON inside a script: escape "<" so no "</script>" or "<!--" can end or confuse it.
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")
    return f"window.{name} = {payload};\n".encode()


def _sitemap(base: str, pages: list[str]) -> bytes:
    urls = "".join(f"  <url><loc>{Markup.escape(base + p)}</loc></url>\n" for p in pages)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()
