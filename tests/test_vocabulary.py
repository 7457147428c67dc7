"""One vocabulary (issue 15): every enumeration is spelled once in roadmap/vocabulary.py, every
value has the label a reader sees, and the models, the namespace and the site's form take their
values from it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from roadmap import vocabulary
from roadmap.decide.facts import FIELDS
from roadmap.decide.programs import PROGRAM_FIELDS, Program
from roadmap.load.conditions import VALUE_LABELS, show
from roadmap.load.profile import profile_schema
from roadmap.render import applyform
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(vocabulary.ENUMERATIONS))
def test_every_value_has_a_label_and_no_label_is_left_over(name: str) -> None:
    values, labels = vocabulary.ENUMERATIONS[name]
    assert values and len(set(values)) == len(values)
    assert list(labels) == list(values)
    assert all(labels[value].strip() for value in values)


def test_every_literal_of_the_vocabulary_is_in_the_table() -> None:
    literals = [
        value for value in vars(vocabulary).values() if isinstance(value, tuple) and value and hasattr(value, "count")
    ]
    listed = {values for values, _ in vocabulary.ENUMERATIONS.values()}
    derived = {vocabulary.IMG_TYPES, vocabulary.TAKEN_STATUSES, vocabulary.ALWAYS_MILESTONES}
    assert set(literals) - derived <= listed


def test_a_value_shown_in_sentences_has_one_label_in_every_enumeration() -> None:
    seen: dict[str, str] = {}
    for values, labels in vocabulary.ENUMERATIONS.values():
        for value in values:
            if value in vocabulary.VALUE_LABELS:
                assert seen.setdefault(value, labels[value]) == labels[value], value
    assert show("us-img") == "US-citizen IMG" and show("not-started") == "not started"
    assert VALUE_LABELS["not-taken"] == "not taken"


def _enum(schema: dict[str, Any], *path: str) -> list[str]:
    node = schema
    for key in path:
        node = node["properties"][key] if "properties" in node else schema["$defs"][node["$ref"].split("/")[-1]]
        if "$ref" in node and key == path[-1]:
            node = schema["$defs"][node["$ref"].split("/")[-1]]
    return list(node["enum"])


def test_the_profile_model_and_the_namespace_take_their_values_from_the_vocabulary() -> None:
    schema = profile_schema()
    assert schema["properties"]["applicant_type"]["enum"] == list(vocabulary.APPLICANT_TYPES)
    assert schema["properties"]["pathway"]["enum"] == list(vocabulary.PATHWAYS)
    assert schema["$defs"]["Step1"]["properties"]["status"]["enum"] == list(vocabulary.EXAM_STATUSES)
    assert schema["$defs"]["Ecfmg"]["properties"]["oet"]["enum"] == list(vocabulary.OET_STATUSES)
    assert schema["$defs"]["Research"]["properties"]["kind"]["enum"] == list(vocabulary.RESEARCH_KINDS)
    assert FIELDS["applicant_type"].choices == vocabulary.APPLICANT_TYPES
    assert FIELDS["step2ck.status"].choices == vocabulary.EXAM_STATUSES
    assert FIELDS["ecfmg.pathway"].choices == vocabulary.ECFMG_PATHWAY_STATUSES
    assert PROGRAM_FIELDS["program.track"].choices == vocabulary.TRACKS
    track = Program.model_json_schema()["properties"]["track"]
    assert track["enum"] == list(vocabulary.TRACKS)


def test_the_sites_form_offers_the_vocabularys_choices() -> None:
    assert applyform.STEP1_STATUSES == vocabulary.EXAM_STATUSES
    assert applyform.APPLICANT_TYPES == vocabulary.APPLICANT_TYPES


@pytest.mark.parametrize("name", sorted(vocabulary.ENUMERATIONS))
def test_no_other_module_spells_an_enumeration_again(name: str) -> None:
    values, _ = vocabulary.ENUMERATIONS[name]
    if len(values) < 2:
        pytest.skip("a single value is a word, not a list")
    # The whole list again, as a tuple, a Literal or a comment spells it (a chosen few are a rule, not a copy).
    quoted = [rf"""["']?{re.escape(value)}["']?""" for value in values]
    spelled = re.compile(r"\s*(?:,|\||or)\s*".join(quoted))
    again = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "roadmap").rglob("*.py"))
        if path.name != "vocabulary.py" and spelled.search(path.read_text(encoding="utf-8"))
    ]
    assert again == []
