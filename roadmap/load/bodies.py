"""Markdown bodies: parse with raw HTML off, allow only safe links, substitute `{{ path }}`.

Substitution happens on parsed text tokens, never on the Markdown source, so a value such as
`**x**` or `[a](http://evil)` stays literal text and is escaped by the renderer.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
# Links may point at the web (https/http), an e-mail address or an anchor in the page: never a
# local file, a data: payload or a script. Images are off entirely: nothing is ever fetched.
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)
# Each used with one match at a known place, never searched for from every position.
_LINK_TARGET = re.compile(r"\(\s*<?([^)\s>]*)")
_TAG_START = re.compile(r"<[A-Za-z/!]")
_BACKTICKS = re.compile(r"`+")
_SINGLE_BACKTICK_SPAN = re.compile(r"`[^`]*`")
_NOT_NEWLINE = re.compile(r"[^\n]")


@dataclass(frozen=True)
class BodyIssue:
    """Something wrong in a body, with its line counted from the body's first line (0-based)."""

    line: int
    message: str
    got: str


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")
    md.use(tasklists_plugin, enabled=False, label=True)
    md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


def _inline_tokens(tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    """Yield (block token with the line map, inline child) pairs."""
    for token in tokens:
        for child in token.children or ():
            yield token, child


def _blank_code(body: str) -> str:
    """Blank out fenced code and code spans (keeping line breaks), where `{{ }}` is literal text."""
    return _blank_code_spans(_blank_fences(body))


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(" ", text) if "\n" in text else " " * len(text)


def _blank_fences(body: str) -> str:
    """Blank each ``` or ~~~ fence with the next line that starts with the same fence."""
    lines = body.split("\n")
    fences = [line[:3] if line.startswith(("```", "~~~")) else "" for line in lines]
    closer: list[int | None] = [None] * len(lines)
    next_at: dict[str, int] = {}
    for index in reversed(range(len(lines))):  # one pass from the end finds every line's closer
        if fences[index]:
            closer[index] = next_at.get(fences[index])
            next_at[fences[index]] = index
    index = 0
    while index < len(lines):
        end = closer[index]
        if end is None:
            index += 1
            continue
        lines[index : end + 1] = [_blank(line) for line in lines[index : end + 1]]
        index = end + 1
    return "\n".join(lines)


def _blank_code_spans(text: str) -> str:
    """Blank each code span: a run of backticks up to the next run of the same length.

    A run with no such partner is plain text, as in CommonMark. Each length keeps a queue of its
    runs, so finding partners is one pass however many runs are left open.
    """
    if "``" not in text:  # the usual case, every run one backtick: each closes at the next one
        return _SINGLE_BACKTICK_SPAN.sub(lambda span: _blank(span[0]), text)
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    queues: dict[int, deque[int]] = {}
    for number, (start, end) in enumerate(runs):
        queues.setdefault(end - start, deque()).append(number)
    pieces: list[str] = []
    done = number = 0
    while number < len(runs):
        start, end = runs[number]
        queue = queues[end - start]
        while queue and queue[0] <= number:
            queue.popleft()
        if not queue:
            number += 1
            continue
        partner = queue.popleft()
        pieces += [text[done:start], _blank(text[start : runs[partner][1]])]
        done, number = runs[partner][1], partner + 1
    return "".join([*pieces, text[done:]])


def inspect_body(body: str) -> tuple[list[tuple[str, int]], list[BodyIssue]]:
    """Return the placeholder paths a body uses, with their lines, and problems found in it.

    A scan of the text rather than a full Markdown parse: loading a library stays cheap, and the
    renderer enforces the same rules anyway (links filtered, images and raw HTML off). Every scan
    is linear: an opening `{{`, `[` or `<` that is never closed is looked for once, not again
    from each later position (a backtracking regex took 48 s on 100,000 such characters).
    """
    text = _blank_code(body)
    paths: list[tuple[str, int]] = []
    issues: list[BodyIssue] = []
    for number, line in enumerate(text.split("\n")):
        for placeholder in _placeholders(line):
            strict = PLACEHOLDER.fullmatch(placeholder)
            if strict:
                paths.append((strict.group(1), number))
            elif placeholder.endswith("}}"):
                issues.append(BodyIssue(number, "only {{ dotted.path }} can be substituted", placeholder))
            else:
                issues.append(BodyIssue(number, "unclosed {{; write {{ dotted.path }} on one line", placeholder))
    line_of = _line_finder(text)
    for at, image in _images(text):
        issues.append(BodyIssue(line_of(at), "images are not allowed in modules", image))
    for at, target in _link_targets(text):
        if target and not _SAFE_LINK.match(target):
            issues.append(BodyIssue(line_of(at), "links must be https, mailto or #anchor", target))
    tag = _first_tag(text)
    if tag:
        issues.append(BodyIssue(line_of(tag[0]), "raw HTML is off and shows as text", tag[1]))
    return paths, issues


def _line_finder(text: str) -> Callable[[int], int]:
    """The 0-based line of a position, by binary search over the line breaks."""
    breaks = [m.start() for m in re.finditer("\n", text)]
    return lambda position: bisect.bisect_left(breaks, position)


def _placeholders(line: str) -> Iterator[str]:
    """Each `{{ ... }}` of a line, as written; an unclosed `{{` is yielded with the rest of the line."""
    start = line.find("{{")
    while start != -1:
        end = line.find("}}", start + 2)
        if end == -1:
            yield line[start:]  # no `}}` further on: no later `{{` on this line closes either
            return
        yield line[start : end + 2]
        start = line.find("{{", end + 2)


def _images(text: str) -> Iterator[tuple[int, str]]:
    """Each `![alt](target)`, where it starts."""
    start = text.find("![")
    while start != -1:
        close = text.find("]", start + 2)
        if close == -1:
            return  # no `]` further on: no later `![` is an image either
        if not text.startswith("(", close + 1):
            start = text.find("![", close + 1)  # every `![` before this `]` ends at it too
            continue
        end = text.find(")", close + 2)
        if end == -1:
            return
        yield start, text[start : end + 1]
        start = text.find("![", end + 1)


def _link_targets(text: str) -> Iterator[tuple[int, str]]:
    """Each `[text](target` that is not an image, where it starts, with its target."""
    start = text.find("[")
    while start != -1:
        if text[start - 1 : start] == "!":  # an image: reported as one
            start = text.find("[", start + 1)
            continue
        close = text.find("]", start + 1)
        if close == -1:
            return
        target = _LINK_TARGET.match(text, close + 1)
        if target is None:
            start = text.find("[", close + 1)  # every `[` before this `]` ends at it too
            continue
        yield start, target.group(1)
        start = text.find("[", target.end())


def _first_tag(text: str) -> tuple[int, str] | None:
    """The first `<tag ...>`, where it starts; an unclosed `<a` makes every later one unclosed too."""
    opening = _TAG_START.search(text)
    if opening is None:
        return None
    end = text.find(">", opening.end())
    return None if end == -1 else (opening.start(), text[opening.start() : end + 1])


def render_body(body: str, lookup: Callable[[str], str]) -> Markup:
    """Render a body to safe HTML, replacing each `{{ path }}` with `lookup(path)` as text."""
    md = _parser()
    tokens = md.parse(body)
    if "{{" in body:  # most bodies have no placeholder: no need to visit every token
        for _block, child in _inline_tokens(tokens):
            if child.type == "text" and "{{" in child.content:
                child.content = PLACEHOLDER.sub(lambda m: lookup(m.group(1)), child.content)
    html = md.renderer.render(tokens, md.options, {})
    # Demote headings by one level: the section title is the h2 the body sits under.
    html = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", html)
    return Markup(html)
