"""Markdown bodies: parse with raw HTML off, allow only safe links, substitute `{{ path }}`.

Substitution happens on parsed text tokens, never on the Markdown source, so a value such as
`**x**` or `[a](http://evil)` stays literal text and is escaped by the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
LOOSE_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
# Links may point at the web (https/http), an e-mail address or an anchor in the page: never a
# local file, a data: payload or a script. Images are off entirely: nothing is ever fetched.
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)


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

    def blank(match: re.Match[str]) -> str:
        return "\n".join(" " * len(line) for line in match.group(0).split("\n"))

    body = re.sub(r"^(```|~~~).*?^\1[^\n]*$", blank, body, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", blank, body, flags=re.DOTALL)


def inspect_body(body: str) -> tuple[list[tuple[str, int]], list[BodyIssue]]:
    """Return the placeholder paths a body uses, with their lines, and problems found in it.

    A scan of the text rather than a full Markdown parse: loading a library stays cheap, and the
    renderer enforces the same rules anyway (links filtered, images and raw HTML off).
    """
    text = _blank_code(body)
    paths: list[tuple[str, int]] = []
    issues: list[BodyIssue] = []

    def line_of(position: int) -> int:
        return text.count("\n", 0, position)

    for match in LOOSE_PLACEHOLDER.finditer(text):
        strict = PLACEHOLDER.fullmatch(match.group(0))
        if strict:
            paths.append((strict.group(1), line_of(match.start())))
        else:
            issues.append(
                BodyIssue(line_of(match.start()), "only {{ dotted.path }} can be substituted", match.group(0))
            )
    for match in re.finditer(r"!\[[^\]]*\]\(([^)]*)\)", text):
        issues.append(BodyIssue(line_of(match.start()), "images are not allowed in modules", match.group(0)))
    for match in re.finditer(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]*)", text):
        target = match.group(1)
        if target and not _SAFE_LINK.match(target):
            issues.append(BodyIssue(line_of(match.start()), "links must be https, mailto or #anchor", target))
    where = re.search(r"<[A-Za-z/!][^>]*>", text)
    if where:
        issues.append(BodyIssue(line_of(where.start()), "raw HTML is off and shows as text", where.group(0)))
    return paths, issues


def render_body(body: str, lookup: Callable[[str], str]) -> Markup:
    """Render a body to safe HTML, replacing each `{{ path }}` with `lookup(path)` as text."""
    md = _parser()
    tokens = md.parse(body)
    for _block, child in _inline_tokens(tokens):
        if child.type == "text" and "{{" in child.content:
            child.content = PLACEHOLDER.sub(lambda m: lookup(m.group(1)), child.content)
    html = md.renderer.render(tokens, md.options, {})
    # Demote headings by one level: the section title is the h2 the body sits under.
    html = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", html)
    return Markup(html)
