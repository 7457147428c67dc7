"""The glossary: each abbreviation a reader may meet and its expansion, read from
content/data/glossary.yaml and validated with file and line (SPEC "Plain words").

The checks word their messages as roadmap.load.rules does for the rule files, but this module
does not import it: the Rules object is meant to carry the glossary, so rules.py will import us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from roadmap.errors import Problem
from roadmap.load.datareader import DataReader, shape

if TYPE_CHECKING:
    from roadmap.load.yamlsrc import KeyPath, YamlDoc

GLOSSARY_FILE = "data/glossary.yaml"

# Letters, digits and inner hyphens, with at least one capital: "ERAS", "H-1B"; not "-ERAS" or "eras".
_ABBR = re.compile(r"(?=[^A-Z]*[A-Z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Term:
    abbr: str
    expansion: str
    source: str | None
    plural: str | None = None  # the expansion's plural: only then is "ABBRs" a use of the term


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    _by_abbr: dict[str, Term] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_abbr", {term.abbr: term for term in self.terms})

    def get(self, abbr: str) -> Term | None:
        """The term of an abbreviation, matched exactly (case counts)."""
        return self._by_abbr.get(abbr)

    def __contains__(self, abbr: object) -> bool:
        return abbr in self._by_abbr


def read_glossary(doc: YamlDoc, problems: list[Problem]) -> Glossary:
    """The valid terms of a parsed glossary file; each mistake adds one Problem at its line."""
    check = DataReader(doc, problems)
    top = check.mapping((), doc.data, ("terms",))
    if top is None:
        return Glossary(())
    raw_terms = top["terms"]
    if not isinstance(raw_terms, list) or not raw_terms:
        check.error(("terms",), "must be a non-empty list", shape(raw_terms))
        return Glossary(())
    terms: list[Term] = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(raw_terms):
        term = _term(check, ("terms", index), raw)
        if term is None:
            continue
        if term.abbr in first_line:
            message = f"duplicate abbreviation (first on line {first_line[term.abbr]})"
            check.error(("terms", index, "abbr"), message, term.abbr)
            continue
        first_line[term.abbr] = doc.mark_of(("terms", index, "abbr")).line
        terms.append(term)
    return Glossary(tuple(terms))


def _term(check: DataReader, at: KeyPath, raw: object) -> Term | None:
    fields = check.mapping(at, raw, ("abbr", "expansion"), ("source", "plural"))
    if fields is None:
        return None
    before = len(check.problems)
    abbr = fields["abbr"]
    if not isinstance(abbr, str) or not _ABBR.fullmatch(abbr):
        check.error((*at, "abbr"), "must be letters, digits and hyphens with at least one capital letter", shape(abbr))
    expansion = check.text((*at, "expansion"), fields["expansion"])
    plural = check.text((*at, "plural"), fields["plural"]) if "plural" in fields else None
    source = fields.get("source")
    if "source" in fields and not _is_link(source):
        check.error((*at, "source"), "must be an http:// or https:// link", shape(source))
    if len(check.problems) > before:
        return None
    return Term(abbr, expansion, source, plural)


def _is_link(value: object) -> bool:
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed "[" of an IPv6 host, for one
        return False
