"""The SVG pictures: well-formed, described in words, and escaped."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.load.profile import PracticeScore
from roadmap.render.charts import PAINT, practice_chart_svg, timeline_svg
from tests.conftest import REPO

NS = "{http://www.w3.org/2000/svg}"
ASSETS = REPO / "templates" / "assets"
LIGHT_PAGE, DARK_PAGE = "#ffffff", "#12161c"
# The CSS variable each paint class of the charts is drawn with (base.css).
PAINT_VARIABLES = {
    "ink": "--chart-ink",
    "muted": "--chart-muted",
    "today": "--chart-today",
    "target": "--chart-target",
    "accent": "--accent",
    "good": "--good",
    "paper": "--paper",
    **{f"band-{n}": f"--band-{n}" for n in range(1, 6)},
}
# Text and lines: 4.5:1 on the page (SPEC "Every screen"); the rest are fills under them.
DRAWN_ON_THE_PAGE = ("--chart-ink", "--chart-muted", "--chart-today", "--chart-target", "--accent", "--good")


def test_timeline_is_valid_svg_with_title_and_description() -> None:
    plan = plan_profile(REPO / "profiles" / "jordan-rivera.yaml", load_inputs(), date(2027, 3, 1))
    svg = timeline_svg(plan.milestones, plan.today)
    assert svg is not None
    root = ElementTree.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title") is not None
    desc = root.find(f"{NS}desc")
    assert desc is not None and "today is March 1, 2027" in (desc.text or "")
    assert "Rank order list deadline, March 1, 2028 (estimated)" in (desc.text or "")


def test_practice_chart_escapes_form_names_and_lists_scores() -> None:
    practice = (
        PracticeScore(form="<script>alert(1)</script>", score=221, date=date(2027, 1, 10)),
        PracticeScore(form="NBME 12", score=223, date=date(2027, 2, 1)),
    )
    svg = practice_chart_svg(practice, date(2027, 3, 1))
    assert svg is not None and "<script>" not in str(svg)
    root = ElementTree.fromstring(str(svg))
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text == (
        "Practice scores by date: <script>alert(1)</script> 221 on January 10, 2027; NBME 12 223 on "
        "February 1, 2027. Bands: below 225, 225-229, 230-239, 240-249, 250 and above; the dashed line marks 230."
    )
    assert {el.get("class") for el in root.iter(f"{NS}rect")} >= {
        "band band-below-225 band-1",
        "band band-230-239 band-3",
    }


def test_no_practice_no_chart() -> None:
    assert practice_chart_svg((), date(2027, 3, 1)) is None


def _variables(css: str) -> dict[str, str]:
    return dict(re.findall(r"(--[a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", css))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _root_block(css: str) -> str:
    return css.split(":root {", 1)[1].split("}", 1)[0]


def test_print_colours_are_the_light_theme_of_base_css() -> None:
    """WeasyPrint draws the presentation attributes; browsers draw base.css: the two agree."""
    light = _variables(_root_block((ASSETS / "base.css").read_text(encoding="utf-8")))
    assert {paint: light[variable] for paint, variable in PAINT_VARIABLES.items()} == PAINT


def test_chart_text_and_lines_keep_4_5_to_1_on_the_light_page() -> None:
    light = _variables(_root_block((ASSETS / "base.css").read_text(encoding="utf-8")))
    assert light["--paper"] == LIGHT_PAGE
    for variable in DRAWN_ON_THE_PAGE:
        assert _contrast(light[variable], LIGHT_PAGE) >= 4.5, variable


def test_chart_text_and_lines_keep_4_5_to_1_on_the_dark_page() -> None:
    css = (ASSETS / "style.css").read_text(encoding="utf-8")
    dark = _variables(css.split("prefers-color-scheme: dark", 1)[1].split("}", 1)[0])
    if "--chart-ink" not in dark:
        pytest.skip("style.css has no dark chart colours yet (the theme's helper adds them)")
    assert dark["--paper"] == DARK_PAGE
    for variable in DRAWN_ON_THE_PAGE:
        assert _contrast(dark[variable], DARK_PAGE) >= 4.5, variable


def _legend(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    legend = next(g for g in root.iter(f"{NS}g") if g.get("class") == "legend")
    return [t.text or "" for t in legend.iter(f"{NS}text")]


def test_timeline_has_a_legend_for_each_marker_and_today() -> None:
    plan = plan_profile(REPO / "profiles" / "jordan-rivera.yaml", load_inputs(), date(2027, 3, 1))
    svg = timeline_svg(plan.milestones, plan.today)
    assert svg is not None
    assert _legend(str(svg)) == ["Your date or a planned step", "Estimated date", "Deadline", "Done", "Today"]
    root = ElementTree.fromstring(str(svg))
    estimated = [el for el in root.iter() if "m-estimated" in (el.get("class") or "")]
    assert estimated and all(el.get("fill") == PAINT["paper"] for el in estimated)  # hollow
    assert {el.tag for el in root.iter() if "m-deadline" in (el.get("class") or "")} == {f"{NS}path"}  # diamonds


def test_practice_chart_has_a_legend_and_names_its_bands() -> None:
    practice = (PracticeScore(form="NBME 12", score=223, date=date(2027, 2, 1)),)
    svg = practice_chart_svg(practice, date(2027, 3, 1))
    assert svg is not None
    assert _legend(str(svg)) == ["Your scores", "Recent trend", "230: the target score", "Today"]
    root = ElementTree.fromstring(str(svg))
    names = [t.text for t in root.iter(f"{NS}text") if t.get("class", "").startswith("band-name")]
    assert names == ["250+", "240-249", "230-239", "225-229", "below 225"]


def _box(text: ElementTree.Element) -> tuple[float, float, float, float]:
    """A generous box of a label: 0.7 em a digit, 0.8 em above the baseline and 0.25 em below."""
    size, x, y = float(text.get("font-size") or 0), float(text.get("x") or 0), float(text.get("y") or 0)
    width = 0.7 * size * len(text.text or "")
    left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor") or "start"]
    return left, y - 0.8 * size, left + width, y + 0.25 * size


@pytest.mark.parametrize(
    ("latest", "on"),
    [(228, date(2027, 3, 1)), (230, date(2027, 3, 1)), (231, date(2027, 2, 27)), (229, date(2027, 3, 2))],
    ids=["just-under-230-today", "on-230-today", "just-over-230-yesterday", "tomorrow"],
)
def test_latest_score_label_crosses_neither_the_target_line_nor_today(latest: int, on: date) -> None:
    practice = (
        PracticeScore(form="NBME 11", score=219, date=date(2027, 1, 18)),
        PracticeScore(form="NBME 12", score=224, date=date(2027, 2, 8)),
        PracticeScore(form="NBME 13", score=latest, date=on),
    )
    svg = practice_chart_svg(practice, date(2027, 3, 1))
    assert svg is not None
    root = ElementTree.fromstring(str(svg))
    [target] = [el for el in root.iter(f"{NS}line") if "target" in (el.get("class") or "").split()]
    [today] = [el for el in root.iter(f"{NS}line") if "today" in (el.get("class") or "").split()]
    label = [t for t in root.iter(f"{NS}text") if "score" in (t.get("class") or "").split()][-1]
    assert label.text == str(latest)
    left, top, right, bottom = _box(label)
    assert not top <= float(target.get("y1") or 0) <= bottom
    assert not left <= float(today.get("x1") or 0) <= right
