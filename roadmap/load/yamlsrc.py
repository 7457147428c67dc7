"""Read YAML safely into plain values while keeping the line and column of every key and value.

Plain scalars are kept as the text the user wrote (only `null`, `~` and an empty value become
None): the typed models decide what a value means, so YAML 1.1's surprises (an unquoted `NO`
read as False, `0123` read as octal 83, `1:30` read as 90) never reach a text field, and a
number where text belongs is still text as written. Aliases are refused outright: they are the
whole mechanism of "billion laughs" bombs and a profile never needs them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from roadmap.errors import InputError, Problem, show_value
from roadmap.limits import MAX_INPUT_BYTES, MAX_YAML_DEPTH

_NULL_TAG = "tag:yaml.org,2002:null"
# Opening without blocking: a FIFO opens at once instead of waiting for a writer, and is then
# refused by fstat like any other file that is not a regular file.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_FILE_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)

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
    """A SafeLoader whose composer refuses aliases and deep nesting as soon as it meets them, and
    whose scanner remembers where each open `{` or `[` began, so that one left unclosed is
    reported where it opens rather than where the parser gave up."""

    _depth = 0

    def __init__(self, stream: str) -> None:
        self.open_flows: list[tuple[Any, str]] = []  # (mark, "{" or "[") of each flow still open
        super().__init__(stream)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "YAML aliases (*name) are not allowed")  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Refused(mark, f"nested deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        self.open_flows.append((self.get_mark(), self.peek()))
        super().fetch_flow_collection_start(token_class)

    def fetch_flow_collection_end(self, token_class: Any) -> None:
        if self.open_flows:
            self.open_flows.pop()
        super().fetch_flow_collection_end(token_class)


def read_bytes(file: Path, display: str, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read an input file of at most `max_bytes`; anything else raises InputError at once.

    Only a regular file is read: a FIFO would block forever and /dev/zero would never end, and
    both report a size of 0. The kind is taken from the opened descriptor (no race with a rename),
    and at most one byte past the cap is read, so a file that grows while it is read is refused too.
    """
    try:
        fd = os.open(file, _OPEN_FLAGS)
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(display, 1, 1, "file", "not a regular file", _file_kind(info.st_mode))])
        if info.st_size > max_bytes:
            raise InputError([_too_large(display, max_bytes, info.st_size)])
        raw = _read_at_most(fd, max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        raise InputError([_too_large(display, max_bytes, None)])
    return raw


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    return next((name for test, name in _FILE_KINDS if test(mode)), "special file")


def _too_large(display: str, max_bytes: int, size: int | None) -> Problem:
    return Problem(display, 1, 1, "", f"file is larger than {max_bytes} bytes", None if size is None else str(size))


def read_text(file: Path, display: str, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 input file (a BOM is allowed) with a size limit; problems raise InputError."""
    raw = read_bytes(file, display, max_bytes=max_bytes)
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
        if isinstance(event, yaml.CollectionStartEvent | yaml.ScalarEvent) and depth + 1 > MAX_YAML_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_YAML_DEPTH} levels")
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
        assert loader is not None  # the constructor raises only ReaderError
        raise InputError([_syntax_problem(exc, loader.open_flows, display, line_offset)]) from None
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


# PyYAML's context for an error inside a `{...}` or `[...]` (its mark is the bracket), and for
# a quoted scalar (its mark is the opening quote).
_OPENERS = {"while parsing a flow mapping": "{", "while parsing a flow sequence": "["}
_UNCLOSED_QUOTE = ("while scanning a quoted scalar", "found unexpected end of stream")


def _syntax_problem(exc: yaml.MarkedYAMLError, open_flows: list[tuple[Any, str]], display: str, offset: int) -> Problem:
    """A syntax error, placed where the user must look: an unclosed `{`, `[` or quote is reported
    where it opens (the parser only notices it lines later, or at the end of the file)."""
    problem = exc.problem or ""
    end = exc.problem_mark
    if "<stream end>" in problem and (exc.context in _OPENERS or open_flows):
        mark, bracket = (exc.context_mark, _OPENERS[exc.context]) if exc.context in _OPENERS else open_flows[-1]
        return _at(display, mark, offset, f"invalid YAML: this '{bracket}' is not closed before the end of the file")
    if exc.context in _OPENERS and end is not None:
        message = f"this '{_OPENERS[exc.context]}' is not closed ({problem} on line {end.line + 1 + offset})"
        return _at(display, exc.context_mark, offset, f"invalid YAML: {message}")
    if (exc.context, problem) == _UNCLOSED_QUOTE:
        return _at(display, exc.context_mark, offset, "invalid YAML: this quote is not closed")
    return _at(display, end or exc.context_mark, offset, f"invalid YAML: {problem or exc.context}")


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


def crowded_mappings(doc: YamlDoc, max_keys: int) -> list[Problem]:
    """A problem for each mapping of the document with more than `max_keys` keys, at the mapping."""
    problems: list[Problem] = []

    def visit(value: Any, path: KeyPath) -> None:
        if isinstance(value, dict):
            if len(value) > max_keys:
                problems.append(doc.problem(path, f"has too many fields (at most {max_keys})", len(value)))
            for key, child in value.items():
                visit(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                visit(child, (*path, index))

    visit(doc.data, ())
    return problems


def split_front_matter(text: str, display: str) -> tuple[str, str, int]:
    """Split `---` front matter from a Markdown body; return (front, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise InputError([Problem(display, 1, 1, "", "a module must start with '---' front matter")])
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise InputError([Problem(display, 1, 1, "", "front matter is not closed by a '---' line")])
