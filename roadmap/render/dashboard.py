"""Write the advisor dashboard (index.html of a batch) and its assets, from rows already ordered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.render.abbreviations import expand_abbreviations
from roadmap.render.html import DISCLAIMER, make_environment

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date

    from roadmap.load.layers import Layered
    from roadmap.load.rules import Rules
    from roadmap.write.output import OutDir

DASHBOARD_ASSETS = ("assets/base.css", "assets/style.css", "assets/theme.js", "assets/dashboard.js")


def write_dashboard(
    out: OutDir,
    rows: Sequence[object],
    counts: Mapping[str, int],
    templates: Layered,
    today: date,
    rules: Rules,
    *,
    changes: Mapping[str, Sequence[object]] | None = None,
) -> None:
    """index.html listing `rows` in their order (the template reads a batch row's fields), with its assets.

    `rules` are the run's (its stages in reading order, flag labels, glossary); `changes`, by
    slug, what changed since the last run (the template reads each change's `text`).
    """
    template = make_environment(templates).get_template("batch/dashboard.html")
    stages = {stage: label for stage, label in rules.stage_labels.items() if stage != "overview"}
    html = template.render(
        rows=rows,
        today=today,
        counts=counts,
        stages=tuple(stages),
        stage_labels=stages,
        flag_labels=rules.flag_labels,
        changes=changes or {},
        disclaimer=DISCLAIMER,
    )
    for asset in DASHBOARD_ASSETS:
        found = templates.find(asset)
        if found is not None:
            out.write(asset, found.read_bytes())
    out.write("index.html", expand_abbreviations(html, rules.glossary, for_print=False).encode("utf-8"))
