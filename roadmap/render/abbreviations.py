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


# Shapes of word a form may have, narrowest first. When every form of every term has one, finding
# the words of that shape and looking each up beats trying the forms' alternation at every position.
_WORD_SHAPES = (re.compile(r"[A-Z][A-Z0-9]+s?"), re.compile(r"[A-Z]\w*"))
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")


@dataclass(frozen=True)
class _Matcher:
    """Every form of every term in one regex, and what each matched form stands for."""

    pattern: re.Pattern[str]
    forms: dict[str, tuple[Term, str]]  # matched text -> its term, and the expansion of that form
    window: int  # how much text before a use to read for an expansion already written out
    shape: re.Pattern[str] | None  # of `_WORD_SHAPES`, the first every form has (None: "H-1B" has none)


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
    pattern = re.compile(rf"(?P<url>{_URL.pattern})|(?<![\w&])(?P<abbr>{alternatives})(?!\w)")
    longest = max((len(expansion) for _, expansion in forms.values()), default=0)
    shape = next((shape for shape in _WORD_SHAPES if all(shape.fullmatch(form) for form in forms)), None)
    return _Matcher(pattern, forms, 4 * longest + 64, shape)


def expand_abbreviations(html: str, glossary: Glossary, *, for_print: bool) -> str:
    """Spell out the first use on the page of each term of `glossary` (see the module's doc)."""
    if not glossary.terms:
        return html
    matcher = _matcher(glossary)
    if not for_print:
        return _expand_on_screen(html, matcher, len(glossary.terms))
    return _expand_walking(html, matcher, len(glossary.terms), for_print=for_print)


def _expand_walking(html: str, matcher: _Matcher, terms: int, *, for_print: bool) -> str:
    """`expand_abbreviations` by a walk over every text node, keeping the text before each use:
    print needs it, to leave alone a use whose expansion the text already spells out."""
    out: list[str] = []
    copied = 0  # html[:copied] is in `out`
    seen: set[str] = set()
    before = _Before(matcher.window)
    for start, end, where in _text_nodes(html):
        if len(seen) == terms:
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


def _expand_on_screen(html: str, matcher: _Matcher, terms: int) -> str:
    """`expand_abbreviations` for a screen, where no text before a use is read: only the uses
    are visited, and only the tags that change where text sits (see `_Places`), so a site page
    costs a few regex scans rather than a walk over its every tag."""
    places = _Places(html)
    out: list[str] = []
    copied = 0
    seen: set[str] = set()
    for start, form in _uses(html, matcher):
        term, expansion = matcher.forms[form]
        if term.abbr in seen:
            continue
        where = places.at(start)
        if where is _Where.PROSE:
            out += [html[copied:start], f'<abbr title="{escape(expansion, quote=True)}">{form}</abbr>']
            copied = start + len(form)
        elif where is not _Where.TITLED_ABBR:
            continue
        seen.add(term.abbr)
        if len(seen) == terms:
            break
    out.append(html[copied:])
    return "".join(out)


def _uses(html: str, matcher: _Matcher) -> Iterator[tuple[int, str]]:
    """(position, form) of each use in `html` that `matcher.pattern` finds, tags and all."""
    if matcher.shape is None:
        yield from ((found.start(), found["abbr"]) for found in matcher.pattern.finditer(html) if found["abbr"])
        return
    urls = [(url.start(), url.end()) for url in _URL.finditer(html)]
    next_url = 0
    for word in matcher.shape.finditer(html):
        form, start, end = word[0], word.start(), word.end()
        if form not in matcher.forms or (start and (html[start - 1].isalnum() or html[start - 1] in "_&")):
            continue
        if end < len(html) and (html[end].isalnum() or html[end] == "_"):
            continue  # part of a longer word
        while next_url < len(urls) and urls[next_url][1] <= start:
            next_url += 1
        if next_url < len(urls) and urls[next_url][0] <= start:
            continue  # written inside a URL
        yield start, form


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


# The only tags that change where text sits in well-formed HTML: elements hidden from the check,
# <abbr>, anything marked `data-no-abbr` (confirmed by `_own_place`), and comments.
# Case is ignored only in the tag names: a pattern-wide IGNORECASE makes every scan three times slower.
_PLACE_TAG_NAMED = r"""<(?:!--.*?(?:-->|\Z)
      | (?P<end>/)?(?P<name>(?i:head|title|script|style|svg|math|code|pre|kbd|samp|textarea|abbr))(?=[\s/>])
        (?P<attrs>(?:"[^"]*"|'[^']*'|[^'">])*)>"""
_PLACE_TAG = re.compile(
    _PLACE_TAG_NAMED
    + r"""| (?P<marked>[A-Za-z][^\s/>]*)
        (?P<marked_attrs>(?:"[^"]*"|'[^']*'|[^'">])*?(?i:data-no-abbr)(?:"[^"]*"|'[^']*'|[^'">])*)>)""",
    re.DOTALL | re.VERBOSE,
)
# The same without the `data-no-abbr` search, which costs a scan of every tag: for the pages
# (most of them) that never say it.
_PLACE_TAG_UNMARKED = re.compile(_PLACE_TAG_NAMED + "|(?P<marked>(?!))(?P<marked_attrs>))", re.DOTALL | re.VERBOSE)


class _Places:
    """Where text sits at given positions of `html`, asked in increasing order.

    The same answer `_text_nodes` gives for well-formed HTML, found by reading only the tags
    listed in `_PLACE_TAG`: an ordinary tag never changes the place of the text inside it, and a
    hidden element is skipped whole, up to its matching end tag. A position inside a tag or a
    comment is not text, and counts as hidden.
    """

    def __init__(self, html: str) -> None:
        self.html = html
        self.pos = 0  # html[:pos] is read; positions before it are hidden (a skipped element)
        self.pending: re.Match[str] | None = None  # the next place tag, found but not yet read
        self.stack: list[tuple[str, _Where]] = []  # open <abbr> elements (nothing else changes the place)
        self.where = _Where.PROSE
        # A case-blind search is slow in `re`; lowering a copy is not.
        self.tags = _PLACE_TAG if "data-no-abbr" in html.lower() else _PLACE_TAG_UNMARKED

    def at(self, position: int) -> _Where:
        html = self.html
        while position >= self.pos:
            tag = self.pending or self.tags.search(html, self.pos)
            if tag is None or tag.start() > position:
                self.pending = tag
                return _Where.HIDDEN if _inside_tag(html, position) else self.where
            if tag.end() > position:
                self.pending = tag
                return _Where.HIDDEN  # inside this tag or comment
            self.pending = None
            self._read(tag)
        return _Where.HIDDEN

    def _read(self, tag: re.Match[str]) -> None:
        self.pos = tag.end()
        name = (tag["name"] or tag["marked"] or "").lower()
        if not name:  # a comment
            return
        if tag["end"]:
            _close(self.stack, name)
            self.where = self.stack[-1][1] if self.stack else _Where.PROSE
            return
        attrs = tag["attrs"] if tag["name"] else tag["marked_attrs"]
        if name in _RAW:  # hidden, and "<" opens no tag inside: skip to its end tag
            close = _RAW[name].search(self.html, self.pos)
            self.pos = close.start() if close else len(self.html)
            return
        if name in _VOID or attrs.endswith("/"):
            return
        place = max(self.where, _own_place(name, attrs))
        if place is _Where.HIDDEN:
            self.pos = _element_end(self.html, name, self.pos)
        elif place is not _Where.PROSE:
            self.where = place
            self.stack.append((name, place))


def _inside_tag(html: str, position: int) -> bool:
    """Whether `position` is inside an ordinary tag (in an attribute, say) rather than in text.

    Text holds no bare "<" (it is escaped), so the tag to test is the one that opens at the
    last "<" before `position` that starts a tag.
    """
    start = html.rfind("<", 0, position)
    while start != -1:
        tag = _TAG.match(html, start)
        if tag is not None:
            return tag.end() > position
        start = html.rfind("<", 0, start)
    return False


@lru_cache(maxsize=64)
def _nesting(name: str) -> re.Pattern[str]:
    """Opening and closing tags of `name`, with comments and raw-text elements to step over."""
    raw = "|".join(_RAW)
    return re.compile(
        rf"<(?:!--.*?(?:-->|\Z)|(?P<raw>(?i:{raw}))(?=[\s/>])[^>]*>|(?P<end>/)?(?i:{re.escape(name)})(?=[\s/>])(?P<attrs>[^>]*)>)",
        re.DOTALL,
    )


def _element_end(html: str, name: str, pos: int) -> int:
    """Where the element `name` opened just before `pos` ends: after its matching end tag."""
    end_tag = html.find(f"</{name}>", pos)
    if end_tag != -1 and html.find("<", pos, end_tag) == -1:  # the usual `<code>text</code>`: nothing nested
        return end_tag + len(name) + 3
    depth = 1
    pattern = _nesting(name)
    while (tag := pattern.search(html, pos)) is not None:
        pos = tag.end()
        if tag["raw"]:
            close = _RAW[tag["raw"].lower()].search(html, pos)
            pos = close.start() if close else len(html)
        elif tag["end"]:
            depth -= 1
            if depth == 0:
                return pos
        elif tag["attrs"] is not None and not tag["attrs"].endswith("/"):
            depth += 1
    return len(html)


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
