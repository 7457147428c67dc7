"""Spell out each abbreviation at its first use on a page (SPEC "Plain words"), and check that a
finished page does.

Works on HTML that we generated (well-formed): the page is split into tags and text, and only
text changes; attribute values never do. Text a reader does not read as prose is left alone:
the head, code, pre, svg, scripts and styles, form fields, text already inside an <abbr>, and any
element marked `data-no-abbr`. A URL written out in the text is never changed either.

In HTML the first use becomes `<abbr title="Electronic Residency Application Service">ERAS</abbr>`;
for print (the PDF shows no tooltips) it becomes "Electronic Residency Application Service (ERAS)".
Text that already reads "Electronic Residency Application Service (ERAS)" counts as spelled out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from html import escape, unescape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from roadmap.load.glossary import Glossary, Term

__all__ = ["expand_abbreviations", "unexpanded_first_uses"]


class _Where(IntEnum):
    """Where a text node sits; a child is at least as far down this list as its parent."""

    PROSE = 0
    ABBR = 1  # inside an <abbr> without a title
    TITLED_ABBR = 2  # inside an <abbr title="...">: spelled out on screen, not in print
    HIDDEN = 3  # not prose: never changed, never checked


_HIDDEN = frozenset({"head", "title", "script", "style", "svg", "math", "code", "pre", "kbd", "samp", "textarea"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Elements whose content is raw text: a "<" inside them starts no tag, so we jump to their end tag.
_RAW = {name: re.compile(rf"</{name}[\s>/]", re.IGNORECASE) for name in ("script", "style", "textarea", "title")}
_TAG = re.compile(
    r"""<!--.*?(?:-->|\Z)
      | <[!?][^>]*>
      | <(?P<end>/)?(?P<name>[A-Za-z][^\s/>]*)(?P<attrs>(?:"[^"]*"|'[^']*'|[^'">])*)>""",
    re.DOTALL | re.VERBOSE,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
# Whitespace, hyphens and soft hyphens are dropped when comparing text with an expansion, so a
# line break or a hyphenation anywhere (a PDF's text wraps where it likes) does not matter.
_IGNORED = re.compile(r"[\s\-\u00ad\u2010\u2011]+")


@dataclass(frozen=True)
class _Matcher:
    """Every form of every term in one regex, and what each matched form stands for."""

    pattern: re.Pattern[str]
    forms: dict[str, tuple[Term, str]]  # matched text -> its term, and the expansion of that form
    window: int  # how much text before a use to read for an expansion already written out


@lru_cache(maxsize=16)
def _matcher(glossary: Glossary) -> _Matcher:
    forms: dict[str, tuple[Term, str]] = {}
    for term in glossary.terms:
        forms[term.abbr] = (term, term.expansion)
        if term.plural:
            forms[f"{term.abbr}s"] = (term, term.plural)
    # Longest first, so that "IMGs" is tried before "IMG". A whole word: no letter, digit or
    # underscore on either side ("MyERAS" is not ERAS), and no "&" before (an entity's name).
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=lambda f: (-len(f), f)))
    pattern = re.compile(rf"(?P<url>(?:https?://|www\.)[^\s<>\"]+)|(?<![\w&])(?P<abbr>{alternatives})(?!\w)")
    longest = max((len(expansion) for _, expansion in forms.values()), default=0)
    return _Matcher(pattern, forms, 4 * longest + 64)


def expand_abbreviations(html: str, glossary: Glossary, *, for_print: bool) -> str:
    """Spell out the first use on the page of each term of `glossary` (see the module's doc)."""
    if not glossary.terms:
        return html
    matcher = _matcher(glossary)
    out: list[str] = []
    copied = 0  # html[:copied] is in `out`
    seen: set[str] = set()
    before = _Before(matcher.window)
    for start, end, where in _text_nodes(html):
        if len(seen) == len(glossary.terms):
            break
        text = html[start:end]
        if where is _Where.PROSE or (where is _Where.TITLED_ABBR and not for_print):
            pieces, cursor = _expand_text(
                text, matcher, seen, before, for_print=for_print, change=where is _Where.PROSE
            )
            if pieces:
                out += [html[copied:start], *pieces, text[cursor:]]
                copied = end
        before.add(text)
    out.append(html[copied:])
    return "".join(out)


def _expand_text(
    text: str, matcher: _Matcher, seen: set[str], before: _Before, *, for_print: bool, change: bool
) -> tuple[list[str], int]:
    """The pieces of `text` up to `cursor` with first uses spelled out (none when unchanged);
    every term used is added to `seen`. With `change` false, uses are only recorded."""
    pieces: list[str] = []
    cursor = 0
    for found in matcher.pattern.finditer(text):
        form = found["abbr"]
        if form is None:  # a URL
            continue
        term, expansion = matcher.forms[form]
        if term.abbr in seen:
            continue
        seen.add(term.abbr)
        if not change:
            continue
        if not for_print:  # wrapped even when the text spells it out: the <abbr> does no harm
            replacement = f'<abbr title="{escape(expansion, quote=True)}">{form}</abbr>'
        elif _spelled_out(before.context(text, found.start()), expansion, unescaped=True):
            continue
        else:
            replacement = f"{escape(expansion, quote=False)} ({form})"
        pieces += [text[cursor : found.start()], replacement]
        cursor = found.end()
    return pieces, cursor


def unexpanded_first_uses(html_or_text: str, glossary: Glossary, *, for_print: bool) -> list[str]:
    """The abbreviations, in page order, whose first use on the page is not spelled out.

    On screen (`for_print` false) the input is HTML, and a use inside `<abbr title>` or right
    after "expansion (" is spelled out. For print the input is the page's HTML (when it starts
    with "<") or its plain text, such as a PDF's text from pdftotext, and only "expansion (ABBR"
    counts, whatever the line breaks and hyphenation in between.
    """
    if not glossary.terms:
        return []
    is_html = not for_print or html_or_text.lstrip().startswith("<")
    nodes = _text_nodes(html_or_text) if is_html else iter([(0, len(html_or_text), _Where.PROSE)])
    matcher = _matcher(glossary)
    seen: set[str] = set()
    missing: list[str] = []
    before = _Before(matcher.window)
    for start, end, where in nodes:
        text = html_or_text[start:end]
        for found in matcher.pattern.finditer(text):
            form = found["abbr"]
            if form is None:
                continue
            term, expansion = matcher.forms[form]
            if term.abbr in seen:
                continue
            seen.add(term.abbr)
            on_screen = where is _Where.TITLED_ABBR and not for_print
            if not on_screen and not _spelled_out(before.context(text, found.start()), expansion, unescaped=is_html):
                missing.append(term.abbr)
        before.add(text)
    return missing


class _Before:
    """The last few hundred characters of prose read so far, across text nodes."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.tail = ""

    def add(self, text: str) -> None:
        self.tail = (self.tail + text[-self.window :])[-self.window :]

    def context(self, text: str, at: int) -> str:
        """The text just before position `at` of the current node `text`."""
        here = text[max(0, at - self.window) : at]
        return here if at >= self.window else (self.tail + here)[-self.window :]


def _spelled_out(context: str, expansion: str, *, unescaped: bool) -> bool:
    """Whether `context` ends with "expansion (", ignoring case, spacing and hyphenation."""
    plain = unescape(context) if unescaped else context
    return _squash(plain).endswith(_squash(f"{expansion}("))


def _squash(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _text_nodes(html: str) -> Iterator[tuple[int, int, _Where]]:
    """(start, end, where) of each text node of `html` in document order, except hidden ones."""
    stack: list[tuple[str, _Where]] = []
    where = _Where.PROSE
    pos = 0
    while True:
        tag = _TAG.search(html, pos)
        stop = tag.start() if tag else len(html)
        if stop > pos and where is not _Where.HIDDEN:
            yield pos, stop, where
        if tag is None:
            return
        pos = tag.end()
        name = (tag["name"] or "").lower()
        if not name:  # a comment, doctype or processing instruction
            continue
        if tag["end"]:
            _close(stack, name)
            where = stack[-1][1] if stack else _Where.PROSE
            continue
        if name in _RAW:  # hidden, and its content is text up to its end tag: "<" opens no tag there
            close = _RAW[name].search(html, pos)
            pos = close.start() if close else len(html)
            continue
        attrs = tag["attrs"]
        if name not in _VOID and not attrs.endswith("/"):
            where = where if where is _Where.HIDDEN else max(where, _own_place(name, attrs))
            stack.append((name, where))


def _close(stack: list[tuple[str, _Where]], name: str) -> None:
    """Close the innermost open `name` and whatever is still open inside it; a stray end tag
    closes nothing."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index][0] == name:
            del stack[index:]
            return


def _own_place(name: str, attrs: str) -> _Where:
    if name in _HIDDEN:
        return _Where.HIDDEN
    if name != "abbr" and "data-no-abbr" not in attrs.lower():  # most tags: no need to read attributes
        return _Where.PROSE
    found = {key.lower(): value for key, value in _ATTR.findall(attrs)}
    if "data-no-abbr" in found:
        return _Where.HIDDEN
    if name == "abbr":
        return _Where.TITLED_ABBR if "title" in found and found["title"].strip("\"' \t\n") else _Where.ABBR
    return _Where.PROSE
