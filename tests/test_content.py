"""The built-in library as a whole: no paragraph said twice, every module sourced, facts traceable."""

from __future__ import annotations

import re
from collections import defaultdict

from roadmap.commands.pipeline import load_inputs


def _paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()).lower() for p in re.split(r"\n\s*\n", body) if len(p.strip()) > 60]


def test_no_paragraph_appears_in_two_modules() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for module in load_inputs().library.modules:
        for paragraph in set(_paragraphs(module.body)):
            seen[paragraph].append(module.id)
    repeated = {p[:60]: ids for p, ids in seen.items() if len(ids) > 1}
    assert repeated == {}


def test_every_module_cites_sources_a_reader_can_follow() -> None:
    """Each source is an entry of data/sources.yaml: a title, a publisher, a link and the date it was checked."""
    inputs = load_inputs()
    registry = inputs.rules.sources if inputs.rules else None
    assert registry is not None
    for module in inputs.library.modules:
        assert module.sources, module.id
        for source in module.sources:
            assert source in registry.entries, (module.id, source)
            citation = registry.entries[source]
            assert citation.publisher and citation.checked and citation.url, (module.id, source)


def test_numbers_in_bodies_come_from_cited_sources() -> None:
    """Every module that states a percentage cites a source besides the advice article."""
    inputs = load_inputs()
    for module in inputs.library.modules:
        body = re.sub(r"\{\{[^}]*\}\}", "", module.body)
        percentages = re.findall(r"\d+%", body)
        if percentages:
            assert any(s != "step-strategy-article" for s in module.sources), (module.id, percentages)
