"""The SVG pictures: well-formed, described in words, and escaped."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.load.profile import PracticeScore
from roadmap.render.charts import practice_chart_svg, timeline_svg
from tests.conftest import REPO

NS = "{http://www.w3.org/2000/svg}"


def test_timeline_is_valid_svg_with_title_and_description() -> None:
    plan = plan_profile(REPO / "profiles" / "jordan-rivera.yaml", load_inputs(), date(2027, 3, 1))
    svg = timeline_svg(plan.milestones, plan.today)
    assert svg is not None
    root = ElementTree.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title") is not None
    desc = root.find(f"{NS}desc")
    assert desc is not None and "today is March 1, 2027" in (desc.text or "")
    assert "Rank order list deadline March 1, 2028" in (desc.text or "")


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
    assert {el.get("class") for el in root.iter(f"{NS}rect")} >= {"band band-below-225", "band band-230-239"}


def test_no_practice_no_chart() -> None:
    assert practice_chart_svg((), date(2027, 3, 1)) is None
