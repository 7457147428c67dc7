"""Parse declarative `when:` conditions, evaluate them, and say in plain English why they hold.

A condition is data (YAML), never code: a mapping of namespace paths to a value (equality), a
list (membership) or operators, combined with `all:`, `any:` and `not:`. The same tree gives
the verdict and the "why" lines, so the explanation can never drift from the rule.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from roadmap import vocabulary
from roadmap.errors import Problem
from roadmap.load.namespace import FieldSpec
from roadmap.load.yamlsrc import KeyPath, YamlDoc

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "exists")
_ORDERED = ("int", "date")
_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
# How a comparison that holds is worded, and its negation (used under `not:`).
_PHRASES = {"lt": "below", "le": "at or below", "gt": "above", "ge": "at or above"}
_NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le", "in": "not_in", "not_in": "in"}
# Readable names for the values people see in "why" lines.
VALUE_LABELS = {
    "step1": "Step 1",
    "step2ck": "Step 2 CK",
    "application": "the application year",
    **vocabulary.VALUE_LABELS,
}


@dataclass(frozen=True)
class Leaf:
    """One test of one path, possibly negated by an enclosing `not:`."""

    path: str
    op: str
    value: Any
    negated: bool = False
    # The path's spec in the namespace the condition was parsed against (not part of equality).
    spec: FieldSpec = dataclasses.field(compare=False, kw_only=True)


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Leaf | AllOf | AnyOf


def parse_condition(
    raw: object,
    doc: YamlDoc,
    at: KeyPath,
    problems: list[Problem],
    fields: Mapping[str, FieldSpec],
) -> Condition:
    """Turn YAML data into a Condition over the namespace `fields` (the loaded rules' `fields`);
    add a Problem for every malformed part."""
    return _parse(raw, doc, at, problems, negated=False, fields=fields)


def _parse(
    raw: object, doc: YamlDoc, at: KeyPath, problems: list[Problem], *, negated: bool, fields: Mapping[str, FieldSpec]
) -> Condition:
    if not isinstance(raw, dict) or not raw:
        problems.append(doc.problem(at, "a condition must be a non-empty mapping", _kind(raw)))
        return AllOf(())
    items: list[Condition] = []
    for key, value in raw.items():
        here = (*at, key)
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                problems.append(doc.problem(here, f"'{key}' takes a non-empty list of conditions", _kind(value)))
                continue
            parts = tuple(
                _parse(v, doc, (*here, i), problems, negated=negated, fields=fields) for i, v in enumerate(value)
            )
            # De Morgan: under `not`, all <-> any, with each part negated.
            items.append(AllOf(parts) if (key == "all") != negated else AnyOf(parts))
        elif key == "not":
            items.append(_parse(value, doc, here, problems, negated=not negated, fields=fields))
        else:
            items.extend(_parse_path(key, value, doc, here, problems, negated, fields))
    if len(items) == 1:
        return items[0]
    return AnyOf(tuple(items)) if negated else AllOf(tuple(items))


def _parse_path(
    path: str,
    raw: object,
    doc: YamlDoc,
    at: KeyPath,
    problems: list[Problem],
    negated: bool,
    fields: Mapping[str, FieldSpec],
) -> list[Condition]:
    spec = fields.get(path)
    if spec is None:
        hint = difflib.get_close_matches(path, list(fields), n=1)
        message = "unknown field" + (f"; did you mean '{hint[0]}'?" if hint else "; see docs/namespace.md")
        problems.append(doc.problem(at, message, path, key=True))
        return []
    if isinstance(raw, dict):
        ops = raw
    elif isinstance(raw, list):
        ops = {"in": raw}
    else:
        ops = {"eq": raw}
    leaves: list[Condition] = []
    for op, value in ops.items():
        here = (*at, op) if isinstance(raw, dict) else at
        if op not in OPERATORS:
            hint = difflib.get_close_matches(str(op), OPERATORS, n=1)
            suffix = f"; did you mean '{hint[0]}'?" if hint else f" (use one of {', '.join(OPERATORS)})"
            problems.append(doc.problem(here, "unknown operator" + suffix, op, key=True))
            continue
        typed = _typed_operand(path, spec, op, value, doc, here, problems)
        if typed is not _INVALID:
            leaves.append(Leaf(path, op, typed, negated, spec=spec))
    return leaves


_INVALID = object()


def _typed_operand(
    path: str, spec: FieldSpec, op: str, raw: object, doc: YamlDoc, at: KeyPath, problems: list[Problem]
) -> Any:
    if op == "exists":
        value = _scalar("bool", raw)
        if value is None:
            problems.append(doc.problem(at, "'exists' takes true or false", raw))
            return _INVALID
        return value
    if op in ("lt", "le", "gt", "ge") and spec.kind not in _ORDERED:
        problems.append(doc.problem(at, f"'{op}' compares numbers or dates, and {path} is {spec.kind}", op))
        return _INVALID
    many = op in ("in", "not_in")
    if many and not isinstance(raw, list):
        problems.append(doc.problem(at, f"'{op}' takes a list of values", raw))
        return _INVALID
    if not many and isinstance(raw, list):
        # `lt: []` (or any list) after a one-value operator: found by the property test.
        problems.append(doc.problem(at, f"'{op}' takes one value, not a list", raw))
        return _INVALID
    values = raw if isinstance(raw, list) else [raw]
    kind = "enum" if spec.kind == "list" else spec.kind
    typed = []
    for i, item in enumerate(values):
        here = (*at, i) if many else at
        value = _scalar(kind, item)
        if value is None or (spec.choices and value not in spec.choices):
            problems.append(doc.problem(here, _expected(path, spec), item))
            return _INVALID
        typed.append(value)
    return tuple(typed) if many else typed[0]


def _scalar(kind: str, raw: object) -> Any:
    """Read a YAML text scalar as the field's kind, or None when it is not one."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if kind == "int":
        return int(text) if re.fullmatch(r"-?\d{1,9}", text) else None
    if kind == "bool":
        return {"true": True, "false": False}.get(text.lower())
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return text


def _expected(path: str, spec: FieldSpec) -> str:
    if spec.choices:
        return f"{path} is one of {', '.join(spec.choices)}"
    return {
        "int": f"{path} is a whole number",
        "bool": f"{path} is true or false",
        "date": f"{path} is a date YYYY-MM-DD",
    }.get(spec.kind, f"{path} is text")


def _kind(value: object) -> object:
    """What to show as "got" for a malformed part: the text itself, or the kind of structure."""
    if value is None:
        return "null"
    return value if isinstance(value, str) else {"dict": "a mapping", "list": "a list"}.get(type(value).__name__, value)


def evaluate(condition: Condition, values: Mapping[str, object]) -> bool:
    """Decide whether a condition holds for these namespace values."""
    if isinstance(condition, AllOf):
        return all(evaluate(c, values) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, values) for c in condition.items)
    return _test(condition, values.get(condition.path)) != condition.negated


def _test(leaf: Leaf, actual: object) -> bool:
    op, value = leaf.op, leaf.value
    if op == "exists":
        present = actual is not None and actual != ()
        return present is value
    if isinstance(actual, tuple):  # the `flags` list: equality means "contains"
        members = set(actual)
        wanted = set(value) if isinstance(value, tuple) else {value}
        hit = bool(members & wanted)
        return {"eq": hit, "in": hit, "ne": not hit, "not_in": not hit}[op]
    if actual is None:
        return op in ("ne", "not_in")  # an unknown value equals nothing and is below nothing
    if op == "eq":
        return bool(actual == value)
    if op == "ne":
        return bool(actual != value)
    if op == "in":
        return bool(actual in value)
    if op == "not_in":
        return bool(actual not in value)
    return bool(_COMPARE[op](actual, value))  # type: ignore[arg-type]  # parse_condition typed both sides


class Phrasebook(Protocol):
    """Sentences for "why" lines (roadmap.load.reasons reads them from data/reasons.yaml)."""

    def sentence(self, leaf: Leaf, values: Mapping[str, object]) -> str | None: ...


def explain(condition: Condition, values: Mapping[str, object], phrasebook: Phrasebook | None = None) -> list[str]:
    """Return the plain-English reasons a holding condition holds, quoting the values ([] if it does not).

    A leaf is said in the phrasebook's words when it has a sentence for the path and value
    (content/data/reasons.yaml), else in the generated "label is value" form.
    """
    return _reasons(condition, values, phrasebook) if evaluate(condition, values) else []


def _reasons(condition: Condition, values: Mapping[str, object], phrasebook: Phrasebook | None) -> list[str]:
    if isinstance(condition, AllOf):
        return [line for c in condition.items for line in _reasons(c, values, phrasebook)]
    if isinstance(condition, AnyOf):
        return [line for c in condition.items if evaluate(c, values) for line in _reasons(c, values, phrasebook)]
    said = phrasebook.sentence(condition, values) if phrasebook is not None else None
    return [said or _sentence(condition, values.get(condition.path))]


def holding_op(leaf: Leaf) -> str:
    """The operator that holds when the leaf does: its own, or its opposite under `not:`."""
    return _NEGATED.get(leaf.op, leaf.op) if leaf.negated else leaf.op


def comparison(leaf: Leaf) -> str | None:
    """How a holding comparison is worded ("below" and the value), or None when it compares nothing."""
    op = holding_op(leaf)
    return f"{_PHRASES[op]} {show(leaf.value)}" if op in _PHRASES else None


def _sentence(leaf: Leaf, actual: object) -> str:
    label = leaf.spec.label
    op = holding_op(leaf)
    if leaf.op == "exists":
        present = actual is not None and actual != ()
        return f"{label} is {show(actual)}." if present else f"{label} is not recorded yet."
    if isinstance(actual, tuple):
        wanted = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        if op in ("eq", "in"):
            return f"Your plan is flagged {_either([w for w in wanted if w in actual], 'and')}."
        return f"Your plan is not flagged {_either(list(wanted), 'or')}."
    if actual is None:
        return f"{label} is not recorded yet."
    if isinstance(actual, bool):
        return f"{label}." if actual else f"{label}: no."
    subject = f"{label}: {show(actual)}" if leaf.spec.counted else f"{label} is {show(actual)}"
    compared = comparison(leaf)
    if compared is not None:
        return f"{subject}, {compared}."
    if op in ("ne", "not_in"):
        if show(actual).startswith("not "):  # "is not taken" already says it; ", not passed" would stutter
            return f"{subject}."
        excluded = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        return f"{subject}, not {_either(list(excluded), 'or')}."
    return f"{subject}."


def _either(values: list[Any], word: str) -> str:
    shown = [show(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {word} {shown[-1]}"


def show(value: object) -> str:
    """Format a namespace value for people."""
    if isinstance(value, date):
        return f"{value:%B} {value.day}, {value.year}"
    if isinstance(value, str):
        return VALUE_LABELS.get(value, value)
    if value is None:
        return "not recorded"
    if isinstance(value, tuple):
        return ", ".join(show(v) for v in value) or "none"
    return str(value)


def paths_of(condition: Condition) -> set[str]:
    """Every namespace path a condition reads (for `roadmap check`)."""
    if isinstance(condition, Leaf):
        return {condition.path}
    return {p for c in condition.items for p in paths_of(c)}


def to_json(condition: Condition) -> dict[str, Any]:
    """Export a condition as plain JSON (for the site's in-browser evaluator)."""
    if isinstance(condition, Leaf):
        value = condition.value
        if isinstance(value, tuple):
            value = [v.isoformat() if isinstance(v, date) else v for v in value]
        elif isinstance(value, date):
            value = value.isoformat()
        return {"path": condition.path, "op": condition.op, "value": value, "negated": condition.negated}
    kind = "all" if isinstance(condition, AllOf) else "any"
    return {kind: [to_json(c) for c in condition.items]}


def satisfiable(condition: Condition) -> bool:
    """Whether some combination of values makes the condition hold.

    Each path is tried at every value its tests mention, one either side of each number or
    date, every choice of an enum, and unknown (None): enough to find a witness for any
    condition built from these operators, since each leaf only changes verdict at those points.
    """
    candidates: dict[str, set[Any]] = {}
    for leaf in _leaves(condition):
        spec = leaf.spec
        pool = candidates.setdefault(leaf.path, {None} if spec.nullable else set())
        operands = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        if spec.kind == "list":
            pool.update((choice,) for choice in spec.choices)
            pool.add(())
        elif spec.choices:
            pool.update(spec.choices)
        elif spec.kind == "bool":
            pool.update((True, False))
        elif spec.kind in _ORDERED and leaf.op != "exists":
            step = 1 if spec.kind == "int" else timedelta(days=1)
            for operand in operands:
                pool.update((operand - step, operand, operand + step))
        elif leaf.op != "exists":
            pool.update(operands)
            pool.add("\0other")
    kinds = {leaf.path: leaf.spec.kind for leaf in _leaves(condition)}
    for path, pool in candidates.items():
        if not pool:  # only `exists` was asked of a field that always has a value
            pool.add({"int": 0, "date": date.min, "list": ()}.get(kinds[path], "x"))
    paths = sorted(candidates)
    for combo in itertools.product(*(sorted(candidates[p], key=repr) for p in paths)):
        if evaluate(condition, dict(zip(paths, combo, strict=True))):
            return True
    return False


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    return [leaf for c in condition.items for leaf in _leaves(c)]


def describe(condition: Condition | None, flag_labels: Mapping[str, str] | None = None) -> str:
    """Say in general terms when a condition holds ("your stage is Step 2 CK and ..."), for the site.

    `flag_labels` name the flags as readers know them (a flag's id is never shown)."""
    if condition is None:
        return "every plan"
    if isinstance(condition, Leaf):
        return _general(condition, flag_labels or {})
    if isinstance(condition, AllOf):
        return " and ".join(describe(c, flag_labels) for c in condition.items)
    return "either " + ", or ".join(
        f"({describe(c, flag_labels)})" if isinstance(c, AllOf) else describe(c, flag_labels) for c in condition.items
    )


def _general(leaf: Leaf, flag_labels: Mapping[str, str]) -> str:
    spec = leaf.spec
    label = spec.label[0].lower() + spec.label[1:]
    op = _NEGATED.get(leaf.op, leaf.op) if leaf.negated else leaf.op
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    if leaf.op == "exists":
        present = leaf.value != leaf.negated
        return f"{label} is {'recorded' if present else 'not recorded'}"
    if spec.kind == "bool":
        return label if (leaf.value is True) != leaf.negated else f"not: {label}"
    if leaf.path == "flags":
        verb = "has" if op in ("eq", "in") else "does not have"
        named = [f"“{flag_labels.get(str(v), str(v)).lower()}”" for v in values]
        return f"your plan {verb} the flag {_either(named, 'or')}"
    phrase = {
        "eq": "is",
        "in": "is",
        "ne": "is not",
        "not_in": "is not",
        **{k: f"is {v}" for k, v in _PHRASES.items()},
    }[op]
    return f"{label} {phrase} {_either(list(values), 'or')}"
