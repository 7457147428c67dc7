"""Property tests (Hypothesis): random and mutated input never gives a traceback or a hang, only
a clean error or a plan. 150 examples each by default, 2,000 with --slow or CI=true."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar
import yaml
from hypothesis import given
from hypothesis import strategies as st

from roadmap.decide.facts import FIELDS
from roadmap.decide.plan import Milestone
from roadmap.errors import InputError, Problem
from roadmap.load.bodies import render_body
from roadmap.load.conditions import AllOf, AnyOf, Condition, Leaf, evaluate, explain, parse_condition
from roadmap.load.profile import parse_profile
from roadmap.load.yamlsrc import load_yaml
from roadmap.render.ics import render_ics
from roadmap.slug import slugify
from tests.conftest import PROFILES

EXAMPLES = [p.read_text() for p in PROFILES]
LINE = re.compile(r"^[^:\n]+:\d+:\d+: [^\n]*: [^\n]+$")


def _load(text: str) -> None:
    """The loader's contract: a Profile, or InputError whose problems are one formatted line each."""
    try:
        parse_profile(load_yaml(text, "p.yaml"))
    except InputError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert LINE.match(problem.format()), problem.format()


@given(st.text(max_size=400))
def test_random_text_is_a_profile_or_a_clean_error(text: str) -> None:
    _load(text)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(
            st.sampled_from(
                [
                    ":",
                    "-",
                    " ",
                    "\n",
                    "[",
                    "{",
                    "&a",
                    "*a",
                    "!!python/object",
                    "'",
                    '"',
                    "\t",
                    "~",
                    "NO",
                    "0123",
                    "1:30",
                    "9" * 30,
                    "\ufeff",
                    "\x00",
                    "\x1b",
                ]
            )
        )
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return text


@given(mutated_example())
def test_mutated_examples_are_profiles_or_clean_errors(text: str) -> None:
    _load(text)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=20),
    st.dates(date(1990, 1, 1), date(2100, 1, 1)),
)
KEYS = st.sampled_from(
    [
        "name",
        "match_year",
        "step1",
        "step2ck",
        "status",
        "score",
        "attempts",
        "date",
        "practice",
        "experience",
        "letters",
        "applicant_type",
        "pathway",
        "ecfmg",
        "oet",
        "study",
        "x",
    ]
)
SHAPES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=15
)


@given(st.dictionaries(KEYS, SHAPES, max_size=8))
def test_structured_yaml_is_a_profile_or_a_clean_error(data: dict[str, Any]) -> None:
    _load(yaml.safe_dump(data, allow_unicode=True))


# ---------- conditions ----------


def _operand(path: str, op: str) -> Any:
    spec = FIELDS[path]
    if op == "exists":
        return st.booleans()
    if spec.kind == "int":
        single = st.integers(-5, 300)
    elif spec.kind == "date":
        single = st.dates(date(2020, 1, 1), date(2035, 1, 1))
    elif spec.kind == "bool":
        single = st.booleans()
    elif spec.choices:
        single = st.sampled_from(spec.choices)
    else:
        single = st.text(max_size=5)
    return (
        st.tuples(single).map(tuple) | st.lists(single, min_size=1, max_size=3).map(tuple)
        if op in ("in", "not_in")
        else single
    )


@st.composite
def leaves(draw: st.DrawFn) -> Leaf:
    path = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[path].kind
    ops = ["eq", "ne", "in", "not_in", "exists"] + (["lt", "le", "gt", "ge"] if kind in ("int", "date") else [])
    op = draw(st.sampled_from(ops))
    return Leaf(path, op, draw(_operand(path, op)), draw(st.booleans()), spec=FIELDS[path])


CONDITIONS: st.SearchStrategy[Condition] = st.recursive(
    leaves(),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: AllOf(tuple(xs)))
        | st.lists(inner, min_size=1, max_size=3).map(lambda xs: AnyOf(tuple(xs)))
    ),
    max_leaves=6,
)


@st.composite
def values(draw: st.DrawFn) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for path, spec in FIELDS.items():
        if spec.kind == "list":
            result[path] = tuple(draw(st.lists(st.sampled_from(spec.choices), max_size=3)))
            continue
        strategy = _operand(path, "eq")
        result[path] = draw(st.none() | strategy) if spec.nullable else draw(strategy)
    return result


@given(CONDITIONS, values())
def test_conditions_evaluate_and_explain_without_error(condition: Condition, facts: dict[str, Any]) -> None:
    holds = evaluate(condition, facts)
    reasons = explain(condition, facts)
    assert isinstance(holds, bool)
    if holds:
        assert reasons and all(r.endswith(".") for r in reasons)
    else:
        assert reasons == []


@given(
    st.recursive(
        SCALARS | st.sampled_from(list(FIELDS)),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from([*FIELDS, "all", "any", "not", "lt", "in"]), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_any_when_data_parses_or_reports_problems(raw: Any) -> None:
    doc = load_yaml(yaml.safe_dump({"when": raw}), "m.md")
    problems: list[Problem] = []
    parse_condition(doc.data["when"], doc, ("when",), problems, FIELDS)
    for problem in problems:
        assert LINE.match(problem.format())


# ---------- substitution, slugs, calendar ----------


@given(st.text(max_size=200), st.text(max_size=60))
def test_substitution_is_always_escaped_text(body: str, value: str) -> None:
    from markdown_it.common.utils import escapeHtml

    html = str(render_body(body + " {{ name }}", lambda path: value))
    assert "<script" not in html.lower() and "<img" not in html and "<iframe" not in html
    letter = str(render_body("Dear {{ name }}, welcome.", lambda path: value))
    assert letter.startswith("<p>Dear ") and letter.endswith(", welcome.</p>\n")
    assert "<script" not in letter.lower() and "<a " not in letter and "<img" not in letter
    assert escapeHtml(value) in letter or any(c in value for c in "\r\n")


@given(st.text(max_size=120))
def test_slugs_are_safe(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 65 and ".." not in slug and "/" not in slug
    assert slug.split("-plan")[0] not in ("con", "nul", "aux", "prn") or slug.endswith("-plan")


@given(
    st.lists(
        st.tuples(
            st.text(max_size=40),
            st.text(max_size=60),
            st.booleans(),
            st.sampled_from(["deadline", "exam", "task", "event", "checkpoint"]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.text(max_size=40),
)
def test_calendar_writer_keeps_one_event_per_milestone(items: list[tuple[str, str, bool, Any]], name: str) -> None:
    milestones = tuple(
        Milestone(f"m-{i}", title or "x", date(2027, 1, 1) + timedelta(days=i), confirmed, "src", kind, "later", detail)
        for i, (title, detail, confirmed, kind) in enumerate(items)
    )
    data = render_ics(milestones, slug="s", name=name, today=date(2027, 1, 1))
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == len(milestones)
    assert [str(e["UID"]) for e in events] == [f"m-{i}.s@roadmap" for i in range(len(milestones))]
    unfolded = data.replace(b"\r\n ", b"")
    assert all(line.split(b":")[0].split(b";")[0].isupper() or line == b"" for line in unfolded.split(b"\r\n"))


def test_examples_dir_is_not_empty() -> None:
    assert EXAMPLES and Path(PROFILES[0]).is_file()
