"""Read YAML safely into plain values while keeping the line and column of every key and value.

Plain scalars are kept as the text the user wrote (only `null`, `~` and an empty value become
None): the typed models decide what a value means, so YAML 1.1's surprises (an unquoted `NO`
read as False, `0123` read as octal 83, `1:30` read as 90) never reach a text field, and a
number where text belongs is still text as written. Aliases are refused outright: they are the
whole mechanism of "billion laughs" bombs and a profile never needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from roadmap.errors import InputError, Problem, show_value

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 24
_NULL_TAG = "tag:yaml.org,2002:null"

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    col: int


@dataclass
class YamlDoc:
    """Parsed YAML: plain values plus where each one came from."""

    display: str
    data: Any
    value_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)

    def mark_of(self, path: KeyPath, *, key: bool = False) -> Mark:
        """Return the position of `path`, or of its nearest ancestor that exists."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while probe:
            if probe in marks:
                return marks[probe]
            if probe in self.value_marks:
                return self.value_marks[probe]
            probe = probe[:-1]
        return self.value_marks.get((), Mark(1, 1))

    def problem(self, path: KeyPath, message: str, got: object = None, *, key: bool = False) -> Problem:
        """Build a Problem located at `path`."""
        mark = self.mark_of(path, key=key)
        shown = None if got is None else show_value(got)
        return Problem(self.display, mark.line, mark.col, dotted(path), message, shown)


def dotted(path: KeyPath) -> str:
    """Render a key path as `experience.letters[0].writer`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:  # a PyYAML or a libyaml mark: both have line, column
        self.mark = mark
        self.message = message


class _Loader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses aliases and deep nesting as soon as it meets them."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "YAML aliases (*name) are not allowed")  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Refused(mark, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_text(file: Path, display: str, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file (a BOM is allowed) with a size limit; problems raise InputError."""
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError([Problem(display, 1, 1, "", f"file is larger than {max_bytes} bytes", str(size))])
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputError([Problem(display, line, col, "", "file is not valid UTF-8", f"byte 0x{bad}")]) from None


def _compose_fast(text: str) -> Node | None:
    """Compose with libyaml when present, after a scan of its events that refuses aliases and
    deep nesting exactly where the pure-Python composer would. Errors take the slow path so that
    every message and position is the same with or without libyaml."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, "YAML aliases (*name) are not allowed")
        if isinstance(event, yaml.CollectionStartEvent | yaml.ScalarEvent) and depth + 1 > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    node: Node | None = yaml.compose(text, Loader=yaml.CSafeLoader)
    return node


def load_yaml(text: str, display: str, *, line_offset: int = 0) -> YamlDoc:
    """Parse one YAML document; `line_offset` shifts marks (front matter inside a Markdown file)."""
    if yaml.__with_libyaml__:
        try:
            return _document(_compose_fast(text), display, line_offset)
        except _Refused as exc:
            raise InputError([_at(display, exc.mark, line_offset, exc.message)]) from None
        except (yaml.YAMLError, RecursionError):
            pass  # the pure-Python parser below reports it in its own words
    loader = None
    try:
        loader = _Loader(text)  # the reader checks every character here already
        node = loader.get_single_node()
    except _Refused as exc:
        raise InputError([_at(display, exc.mark, line_offset, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        raise InputError([_at(display, mark, line_offset, message)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        got = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        problem = Problem(display, line + line_offset, col, "", "invalid YAML: character not allowed", got)
        raise InputError([problem]) from None
    except RecursionError:
        raise InputError([Problem(display, 1 + line_offset, 1, "", "YAML nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return _document(node, display, line_offset)


def _document(node: Node | None, display: str, line_offset: int) -> YamlDoc:
    doc = YamlDoc(display, None)
    if node is None:
        return doc
    problems: list[Problem] = []
    doc.data = _build(node, (), doc, problems, line_offset)
    if problems:
        raise InputError(problems)
    return doc


def _at(display: str, mark: Any, offset: int, message: str) -> Problem:
    if mark is None:
        return Problem(display, 1 + offset, 1, "", message)
    return Problem(display, mark.line + 1 + offset, mark.column + 1, "", message)


def _mark(node: Node, offset: int) -> Mark:
    return Mark(node.start_mark.line + 1 + offset, node.start_mark.column + 1)


def _build(node: Node, path: KeyPath, doc: YamlDoc, problems: list[Problem], offset: int) -> Any:
    doc.value_marks[path] = _mark(node, offset)
    if isinstance(node, ScalarNode):
        if not node.style and node.tag == _NULL_TAG:  # plain style: None in PyYAML, "" in libyaml
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), doc, problems, offset) for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_mark = _mark(key_node, offset)
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem(doc.display, key_mark.line, key_mark.col, dotted(path), "a key must be plain text"))
            continue
        key = key_node.value
        child = (*path, key)
        if key in mapping:
            first = doc.key_marks[child]
            message = f"duplicate key (first set on line {first.line})"
            problems.append(Problem(doc.display, key_mark.line, key_mark.col, dotted(child), message, key))
            continue
        doc.key_marks[child] = key_mark
        mapping[key] = _build(value_node, child, doc, problems, offset)
    return mapping


def split_front_matter(text: str, display: str) -> tuple[str, str, int]:
    """Split `---` front matter from a Markdown body; return (front, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise InputError([Problem(display, 1, 1, "", "a module must start with '---' front matter")])
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise InputError([Problem(display, 1, 1, "", "front matter is not closed by a '---' line")])
