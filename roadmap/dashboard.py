"""Write the advisor dashboard (index.html of a batch) and its assets, from rows already ordered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.facts import STAGES
from roadmap.render import DISCLAIMER, STAGE_LABELS, make_environment

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date

    from roadmap.layers import Layered
    from roadmap.output import OutDir

DASHBOARD_ASSETS = ("assets/base.css", "assets/style.css", "assets/dashboard.js")


def write_dashboard(
    out: OutDir, rows: Sequence[object], counts: Mapping[str, int], templates: Layered, today: date
) -> None:
    """index.html listing `rows` in their order (the template reads a batch row's fields), with its assets."""
    template = make_environment(templates).get_template("batch/dashboard.html")
    html = template.render(
        rows=rows, today=today, counts=counts, stages=STAGES, stage_labels=STAGE_LABELS, disclaimer=DISCLAIMER
    )
    for asset in DASHBOARD_ASSETS:
        found = templates.find(asset)
        if found is not None:
            out.write(asset, found.read_bytes())
    out.write("index.html", html.encode("utf-8"))
