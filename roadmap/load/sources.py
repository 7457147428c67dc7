"""The sources the guidance cites, as a reader sees them: title, publisher, link, date checked.

Modules and data files name a source by its id in `data/sources.yaml`. Older free-text forms
still work (the SPEC's `"seed: <section>"`, or `"https://… (what it backs; notes)"`): they are
turned into the same citation, and the maintainers' notes in them (FACTS.md, confidence labels,
"seed:") never reach a reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from roadmap.load.conditions import show

if TYPE_CHECKING:
    from roadmap.errors import Problem
    from roadmap.load.yamlsrc import YamlDoc

SOURCES_FILE = "data/sources.yaml"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
# The article the guidance is drawn from, when a module still cites it as "seed: <section>".
ARTICLE_ID = "step-strategy-article"
CONFIDENCE = ("high", "medium-high", "medium", "low")
_URL = re.compile(r"^(https?://\S+?)[.,;]?(?:\s+\((.*)\))?\s*$", re.DOTALL)
# Maintainers' notes inside a free-text source: never shown to a reader.
_INTERNAL = re.compile(
    r"FACTS\.md|\bSPEC\b|\bseed\b|^\s*(?:high|med(?:ium)?(?:-high)?|low)\b|^\s*checked\b", re.IGNORECASE
)
_CHECKED = re.compile(r"checked (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Citation:
    """One source as a reader sees it."""

    title: str
    publisher: str | None = None
    url: str | None = None
    checked: date | None = None

    def text(self) -> str:
        """The citation as one line of plain text (calendar entries, plan.json)."""
        parts = [self.title]
        if self.publisher and self.publisher != self.title:
            parts.append(self.publisher)
        if self.url and self.url != self.title:
            parts.append(self.url)
        line = ". ".join(part.rstrip(".") for part in parts)
        return f"{line} (checked {show(self.checked)})." if self.checked else f"{line}."


@dataclass(frozen=True)
class SourceRegistry:
    """Every source of the content folders, by id."""

    entries: Mapping[str, Citation]

    def is_known(self, source: str) -> bool:
        """Whether a module's source entry can be cited: a registry id, or a free-text form."""
        return source in self.entries or not SOURCE_ID.match(source)

    def cite(self, source: str) -> Citation:
        """The citation for a source entry as a module or data file writes it."""
        if source in self.entries:
            return self.entries[source]
        if source.startswith("seed:"):
            return self.entries.get(ARTICLE_ID) or Citation("The advice article this guidance is based on")
        checked = _CHECKED.search(source)
        day = date.fromisoformat(checked.group(1)) if checked else None
        found = _URL.match(source)
        if found:
            url, note = found.group(1), _reader_note(found.group(2) or "")
            known = next((c for c in self.entries.values() if c.url and _same_url(c.url, url)), None)
            if known is not None:
                return known
            return Citation(note or url, None, url, day)
        return Citation(_reader_note(source) or source.strip(), None, None, day)


def _reader_note(note: str) -> str:
    """A free-text note without the maintainers' parts ("FACTS.md: High; checked …")."""
    note = re.sub(r"\s*\([^)]*(?:FACTS\.md|SPEC)[^)]*\)", "", note)
    kept = [part.strip() for part in note.split(";") if part.strip() and not _INTERNAL.search(part)]
    text = "; ".join(kept)
    return text[:1].upper() + text[1:] if text else ""


def _host(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).split("/", 1)[0]


def _same_url(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", url).replace(".org./", ".org/").rstrip("/")

    return norm(a) == norm(b)


def read_sources(doc: YamlDoc, problems: list[Problem]) -> SourceRegistry:
    """Validate `data/sources.yaml`: one Problem per mistake, at its line; keep what is valid."""
    entries: dict[str, Citation] = {}
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        problems.append(doc.problem((), "must be a mapping with `sources:`, a mapping of source ids"))
        return SourceRegistry(MappingProxyType(entries))
    allowed = ("title", "publisher", "url", "checked", "confidence", "supports")
    for key, raw in data["sources"].items():
        at = ("sources", key)
        if not SOURCE_ID.match(str(key)):
            problems.append(doc.problem(at, "a source id is lowercase letters, digits and hyphens", key, key=True))
            continue
        if not isinstance(raw, dict):
            problems.append(doc.problem(at, "must be a mapping with title, publisher, url, checked", raw))
            continue
        for extra in sorted(set(raw) - set(allowed)):
            message = f"unknown field (allowed: {', '.join(allowed)})"
            problems.append(doc.problem((*at, extra), message, extra, key=True))
        citation = _citation(doc, at, raw, problems)
        if citation is not None:
            entries[str(key)] = citation
    return SourceRegistry(MappingProxyType(entries))


def _citation(doc: YamlDoc, at: tuple[str, ...], raw: dict[str, object], problems: list[Problem]) -> Citation | None:
    before = len(problems)
    texts = {}
    for name in ("title", "publisher"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem((*at, name), "is required: the text a reader sees", value))
        else:
            texts[name] = value.strip()
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not re.match(r"^https?://[^\s/]+\.[^\s]+$", url)):
        problems.append(doc.problem((*at, "url"), "must be an http(s):// link", url))
    checked = raw.get("checked")
    day = None
    try:
        day = date.fromisoformat(str(checked)) if checked is not None else None
    except ValueError:
        problems.append(doc.problem((*at, "checked"), "must be a date, YYYY-MM-DD", checked))
    if day is None and checked is None:
        problems.append(doc.problem((*at, "checked"), "is required: the date the source was last checked"))
    confidence = raw.get("confidence")
    if confidence is not None and confidence not in CONFIDENCE:
        problems.append(doc.problem((*at, "confidence"), f"must be one of {', '.join(CONFIDENCE)}", confidence))
    if len(problems) > before:
        return None
    return Citation(texts["title"], texts["publisher"], url if isinstance(url, str) else None, day)
