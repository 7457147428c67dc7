"""The charts as the PDF prints them (issue 19): no chart text under 8 pt, no label cut short, and
each number on the timeline names the milestone with the same number in the table's "#" column.

The sizes are computed from the print HTML that WeasyPrint lays out: a chart's SVG runs the full
text width of a Letter page with 16 mm margins (the assumption is checked against print.css), so
one viewBox unit prints at (215.9 - 2 * 16) mm / viewBox width.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from xml.etree import ElementTree

import pytest

from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.decide.plan import Plan
from roadmap.render.html import make_environment, render_plan_html
from tests.conftest import REPO

NS = "{http://www.w3.org/2000/svg}"
EXAMPLES = ("jordan-rivera", "taylor-flat-220s")
LETTER_WIDTH_MM, MARGIN_MM = 215.9, 16.0
PT_PER_MM = 72 / 25.4
SMALLEST_PT = 8.0
ASSETS = REPO / "templates" / "assets"
LEGEND_WORDS = {"Your date or a planned step", "Estimated date", "Deadline", "Done", "Today"}
MONTH = re.compile(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)( \d\d)?")


def _plan(name: str) -> Plan:
    return plan_profile(REPO / "profiles" / f"{name}.yaml", load_inputs(), date(2027, 3, 1))


def _html(plan: Plan, *, for_print: bool) -> str:
    return render_plan_html(make_environment(load_inputs().templates), plan, for_print=for_print)


def _svgs(html: str) -> dict[str, ElementTree.Element]:
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        root = ElementTree.fromstring(text)
        found[root.get("class", "")] = root
    return found


def _texts(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return list(svg.iter(f"{NS}text"))


def test_print_css_sets_charts_full_width_of_a_letter_page_with_16mm_margins() -> None:
    """The assumption the point sizes below rest on."""
    css = (ASSETS / "print.css").read_text(encoding="utf-8")
    assert "size: Letter;" in css
    assert "margin: 16mm 16mm 16mm 16mm;" in css
    assert "figure.chart svg { width: 100%; max-height: none; }" in css
    # Nothing else caps a chart's height (that would shrink its width with it) or indents it.
    assert not re.search(r"\.chart[^{]*svg\s*\{[^}]*max-height:(?!\s*none)", css)
    base = (ASSETS / "base.css").read_text(encoding="utf-8")
    assert "figure.chart { margin: 1rem 0; overflow-x: auto; }" in base


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_printed_chart_text_is_smaller_than_8_pt(name: str) -> None:
    svgs = _svgs(_html(_plan(name), for_print=True))
    assert set(svgs) == {"timeline-svg", "practice-svg"}
    printed_mm = LETTER_WIDTH_MM - 2 * MARGIN_MM
    for svg in svgs.values():
        width = float((svg.get("viewBox") or "").split()[2])
        points_per_unit = printed_mm * PT_PER_MM / width
        for text in _texts(svg):
            size = float(text.get("font-size") or 0) * points_per_unit
            assert size >= SMALLEST_PT, f"{text.text!r} prints at {size:.1f} pt"


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_chart_label_is_cut_short(name: str) -> None:
    plan = _plan(name)
    svgs = _svgs(_html(plan, for_print=True))
    titles = {m.title for m in plan.milestones}
    for svg in svgs.values():
        for text in _texts(svg):
            words = text.text or ""
            assert not words.endswith(("…", "...")), words
            # The start of a title standing for all of it (longer than any month or legend word).
            assert not (len(words) > 10 and any(t != words and t.startswith(words) for t in titles)), words
    # The timeline holds numbers, month names and its legend: the words are in the table.
    for text in _texts(svgs["timeline-svg"]):
        words = text.text or ""
        assert words.isdigit() or words in LEGEND_WORDS or MONTH.fullmatch(words), words


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("for_print", [False, True], ids=["page", "pdf"])
def test_each_timeline_number_names_the_table_row_with_that_number(name: str, for_print: bool) -> None:
    plan = _plan(name)
    html = _html(plan, for_print=for_print)
    timeline = _svgs(html)["timeline-svg"]
    drawn = {}
    for group in timeline.iter(f"{NS}g"):
        if group.get("class") == "milestone":
            title = group.find(f"{NS}title")
            assert title is not None and title.text
            number, _, rest = title.text.partition(". ")
            drawn[int(number)] = rest.rsplit(", ", 2)[0]  # "Title, Month day, year"
    keys = sorted(int(t.text or "") for t in _texts(timeline) if "key" in (t.get("class") or "").split())
    assert keys == sorted(drawn) == list(range(1, len(drawn) + 1))
    table = html.split('<table class="milestone-table">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col" class="key">#</th>' in table
    rows = re.findall(r'<td class="key">(\d*)</td>.*?<span class="m-title">(.*?)</span>', table, flags=re.DOTALL)
    assert len(rows) == len(plan.milestones)
    numbered = {int(key): unescape(re.sub(r"<[^>]+>", "", title)) for key, title in rows if key}
    assert set(numbered) == set(drawn)
    if not for_print:  # print spells out each abbreviation at its first use, so only its numbers compare
        assert numbered == drawn
    # Milestones done before the timeline starts stay in the table, without a number.
    assert len(rows) - len(numbered) == len(plan.milestones) - len(drawn)
