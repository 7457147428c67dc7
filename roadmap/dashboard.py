"""Write the batch summary: summary.csv and the advisor dashboard (index.html) from the rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.batch import dashboard_rows, summary_csv
from roadmap.facts import STAGES
from roadmap.render import DISCLAIMER, STAGE_LABELS, make_environment

if TYPE_CHECKING:
    from datetime import date

    from roadmap.batch import Row
    from roadmap.layers import Layered
    from roadmap.output import OutDir

DASHBOARD_ASSETS = ("assets/base.css", "assets/style.css", "assets/dashboard.js")


def write_summary(out: OutDir, rows: list[Row], templates: Layered, today: date) -> None:
    """summary.csv and index.html for every row; the dashboard's own assets beside them.

    summary.csv goes first: when the dashboard template of a user's theme fails on these rows
    (an input error naming its line), the table of results is still written.
    """
    out.write("summary.csv", summary_csv(sorted(rows, key=lambda r: (r.source, r.slug))))
    counts = {"attention": sum(1 for r in rows if r.attention), "error": sum(1 for r in rows if r.status == "error")}
    template = make_environment(templates).get_template("batch/dashboard.html")
    ordered = dashboard_rows(rows)
    html = template.render(
        rows=ordered, today=today, counts=counts, stages=STAGES, stage_labels=STAGE_LABELS, disclaimer=DISCLAIMER
    )
    for asset in DASHBOARD_ASSETS:
        found = templates.find(asset)
        if found is not None:
            out.write(asset, found.read_bytes())
    out.write("index.html", html.encode("utf-8"))
