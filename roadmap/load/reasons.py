"""The phrasebook: the sentences "why" lines say, read from content/data/reasons.yaml.

A sentence is chosen by the field's actual value, most specific first: the exact value, then a
`below N` / `above N` case, then `default` (`unknown` when the field has no value). The file is
data; this module only validates it, with file and line, and fills in its `{placeholders}`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from roadmap.errors import Problem
from roadmap.load.conditions import Leaf, _expected, _scalar, comparison, holding_op, show
from roadmap.load.datareader import DataReader, shape
from roadmap.load.namespace import FieldSpec
from roadmap.load.yamlsrc import KeyPath, YamlDoc

REASONS_FILE = "data/reasons.yaml"
# Placeholders that speak of the field itself; any other {name} is a namespace path.
OWN_PLACEHOLDERS = ("value", "count", "times", "compared")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_RANGE = re.compile(r"^(below|above) (-?\d{1,9})$")
_TIMES = {1: "once", 2: "twice"}


@dataclass(frozen=True)
class Phrases:
    """The sentences of one namespace path."""

    exact: Mapping[object, str]  # by the typed value (0, "passed", True, a flag id)
    ranges: tuple[tuple[str, int, str], ...] = ()  # ("below" or "above", N, sentence), in file order
    default: str | None = None
    unknown: str | None = None

    def candidates(self, leaf: Leaf, actual: object) -> list[str]:
        """The sentences that describe `actual`, most specific first."""
        if actual is None:
            return [self.unknown] if self.unknown else []
        if isinstance(actual, tuple):  # `flags`: the members the holding condition found
            named = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            found = [m for m in named if m in actual] if holding_op(leaf) in ("eq", "in") else []
            return [self.exact[m] for m in found if m in self.exact]
        found = [self.exact[actual]] if actual in self.exact else []
        if isinstance(actual, int) and not isinstance(actual, bool):
            found += [
                text for side, bound, text in self.ranges if (actual < bound if side == "below" else actual > bound)
            ]
        return found + ([self.default] if self.default else [])


@dataclass(frozen=True)
class Phrasebook:
    """The sentences of every path reasons.yaml names; other paths keep the generated wording."""

    paths: Mapping[str, Phrases]

    def sentence(self, leaf: Leaf, values: Mapping[str, object]) -> str | None:
        """Say why `leaf` holds for these values, or None when no sentence fits."""
        phrases = self.paths.get(leaf.path)
        if phrases is None:
            return None
        actual = values.get(leaf.path)
        for text in phrases.candidates(leaf, actual):
            filled = _fill(text, leaf, actual, values)
            if filled is not None:
                return filled
        return None


def _fill(text: str, leaf: Leaf, actual: object, values: Mapping[str, object]) -> str | None:
    """The sentence with its placeholders filled in; None when one of them has no value."""
    shown: dict[str, str] = {}
    for name in _PLACEHOLDER.findall(text):
        said = _placeholder(name, leaf, actual, values)
        if said is None:
            return None
        shown[name] = said
    return _PLACEHOLDER.sub(lambda match: shown[match[1]], text)


def _placeholder(name: str, leaf: Leaf, actual: object, values: Mapping[str, object]) -> str | None:
    count = actual if isinstance(actual, int) and not isinstance(actual, bool) else None
    if name == "value":
        return show(actual)
    if name == "count":
        return None if count is None else str(count)
    if name == "times":
        return None if count is None or count < 0 else _TIMES.get(count, f"{count} times")
    if name == "compared":
        return comparison(leaf)
    value = values.get(name)
    return None if value is None else show(value)


def read_reasons(doc: YamlDoc, problems: list[Problem], fields: Mapping[str, FieldSpec]) -> Phrasebook:
    """Read a reasons document; add a Problem at its line for each mistake."""
    r = DataReader(doc, problems)
    top = r.mapping((), doc.data, ("reasons",))
    if top is None:
        return Phrasebook(MappingProxyType({}))
    raw = top["reasons"]
    if not isinstance(raw, dict) or not raw:
        r.error(("reasons",), "must be a mapping of namespace paths to their sentences", shape(raw))
        return Phrasebook(MappingProxyType({}))
    paths: dict[str, Phrases] = {}
    for path, cases in raw.items():
        at: KeyPath = ("reasons", path)
        spec = fields.get(path)
        if spec is None:
            hint = difflib.get_close_matches(path, list(fields), n=1)
            message = "unknown field" + (f"; did you mean '{hint[0]}'?" if hint else "; see docs/namespace.md")
            r.error(at, message, path, key=True)
        elif not isinstance(cases, dict) or not cases:
            r.error(at, "must be a mapping of values to sentences", shape(cases))
        else:
            paths[path] = _phrases(r, at, spec, cases, fields)
    return Phrasebook(MappingProxyType(paths))


def _phrases(
    r: DataReader, at: KeyPath, spec: FieldSpec, cases: dict[str, object], fields: Mapping[str, FieldSpec]
) -> Phrases:
    path = str(at[-1])
    exact: dict[object, str] = {}
    ranges: list[tuple[str, int, str]] = []
    default = unknown = None
    for key, raw in cases.items():
        here: KeyPath = (*at, key)
        text = _sentence(r, here, raw, path, spec, fields)
        in_range = _RANGE.match(key)
        if key == "default":
            default = text
        elif key == "unknown":
            if not spec.nullable:
                r.error(here, f"{path} always has a value, so it is never unknown", key, key=True)
            unknown = text
        elif in_range:
            if spec.kind != "int":
                r.error(here, f"'{in_range[1]} N' compares whole numbers, and {path} is {spec.kind}", key, key=True)
            ranges.append((in_range[1], int(in_range[2]), text))
        else:
            value = _scalar("enum" if spec.kind == "list" else spec.kind, key)
            if value is None or (spec.choices and value not in spec.choices):
                r.error(here, f"a value {path} never takes: {_expected(path, spec)}", key, key=True)
            elif value in exact:
                r.error(here, "this value already has a sentence above", key, key=True)
            else:
                exact[value] = text
    return Phrases(MappingProxyType(exact), tuple(ranges), default, unknown)


def _sentence(
    r: DataReader, at: KeyPath, raw: object, path: str, spec: FieldSpec, fields: Mapping[str, FieldSpec]
) -> str:
    """A sentence with known placeholders, each fit for the field it speaks of."""
    text = r.text(at, raw)
    if not text:
        return ""
    if not (text[0].isupper() and text.rstrip().endswith(".")):
        r.error(at, "a reason is a sentence: it starts with a capital letter and ends with '.'", text)
    for name in _PLACEHOLDER.findall(text):
        if name in ("count", "times") and spec.kind != "int":
            r.error(at, f"{{{name}}} is for a whole number, and {path} is {spec.kind}", f"{{{name}}}")
        elif name == "compared" and spec.kind not in ("int", "date"):
            r.error(at, f"{{compared}} is for a number or a date, and {path} is {spec.kind}", "{compared}")
        elif name not in OWN_PLACEHOLDERS and name not in fields:
            message = f"unknown {{placeholder}} (use {', '.join(OWN_PLACEHOLDERS)} or a path of docs/namespace.md)"
            r.error(at, message, f"{{{name}}}")
    return text
