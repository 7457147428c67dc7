"""Every screen in a real browser (Debian's Chromium driven by Playwright, launched as in
tests/test_browser.py): the plan, the site and the advisor dashboard at 360, 768 and 1280 px, in
light and dark, never scroll sideways, pass axe, and keep chart text and lines readable; the theme
toggle and the checklists remember the reader's choice."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from datetime import date
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.site import first_open_match_year
from roadmap.load.rules import builtin_rules
from tests.conftest import REPO
from tests.test_browser import ARGS, CHROMIUM, _Quiet

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

WIDTHS = (360, 768, 1280)
SCHEMES = ("light", "dark")
PAGES = {
    "plan": "/plan/index.html",
    "site home": "/guide/index.html",
    "module": "/guide/modules/genetics-identity.html",
    "calendar": "/guide/calendar.html",
    "dashboard": "/batch/index.html",
}
ADVISEES = ("jordan-rivera.yaml", "priya-non-us-img.yaml", "riley-step1-failed.yaml")
LIGHT_PAPER, DARK_PAPER = "rgb(255, 255, 255)", "rgb(18, 22, 28)"


def _run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("screens")
    profiles = REPO / "profiles"
    _run("build", str(profiles / "jordan-rivera.yaml"), "--today", "2027-03-01", "--out", str(root / "plan"))
    _run("site", "--out", str(root / "guide"), "--base-url", "/guide/", "--today", "2027-03-01")
    _run(
        "batch",
        *(str(profiles / name) for name in ADVISEES),
        "--out",
        str(root / "batch"),
        "--format",
        "html",
        "--today",
        "2027-03-01",
        "--jobs",
        "1",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


# ---------- WCAG contrast ----------


def _channels(css: str) -> tuple[float, float, float]:
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", css)
    assert found, f"not a computed colour: {css}"
    red, green, blue = (int(part) for part in found.groups())
    return red, green, blue


def _luminance(css: str) -> float:
    def linear(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(css))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_matches_wcag_examples() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 2) == 21.0
    assert round(contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)"), 2) == 4.48
    assert contrast("rgb(18, 22, 28)", "rgb(18, 22, 28)") == 1.0


# Each chart's text (fill) and each line, path or outlined shape (stroke), with the page's colour.
CHART_COLOURS = """() => {
  const page = [document.body, document.documentElement]
    .map(e => getComputedStyle(e).backgroundColor).find(c => c !== "rgba(0, 0, 0, 0)");
  const marks = [];
  for (const el of document.querySelectorAll("figure.chart svg *")) {
    const style = getComputedStyle(el);
    if (el.tagName === "text") marks.push(["text " + el.textContent.trim(), style.fill]);
    else if (style.stroke !== "none") marks.push([el.tagName + "." + el.getAttribute("class"), style.stroke]);
  }
  return {page, marks};
}"""


# ---------- one visit of every page at every size and scheme ----------


@pytest.fixture(scope="module")
def survey(base_url: str, browser: Any) -> dict[tuple[str, int, str], dict[str, Any]]:
    """What each page shows at each (scheme, width): its scroll width, axe's serious problems and
    its chart colours. One context per size and scheme, its page reused for every page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: dict[tuple[str, int, str], dict[str, Any]] = {}
    for scheme in SCHEMES:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(base_url + path)
                violations = axe.run(page).response["violations"]
                found[scheme, width, name] = {
                    "overflow": page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
                    "axe": sorted(v["id"] for v in violations if v["impact"] in ("serious", "critical")),
                    "chart": page.evaluate(CHART_COLOURS),
                }
            context.close()
    return found


def test_no_page_scrolls_sideways(survey: dict[tuple[str, int, str], dict[str, Any]]) -> None:
    sideways = {key: seen["overflow"] for key, seen in survey.items() if seen["overflow"] > 0}
    assert sideways == {}


def test_axe_finds_no_serious_or_critical_violation(survey: dict[tuple[str, int, str], dict[str, Any]]) -> None:
    found = {key: seen["axe"] for key, seen in survey.items() if seen["axe"]}
    assert found == {}


def test_chart_text_and_lines_keep_4_5_to_1_against_the_page(
    survey: dict[tuple[str, int, str], dict[str, Any]],
) -> None:
    charted = {key: seen["chart"] for key, seen in survey.items() if seen["chart"]["marks"]}
    assert {name for _scheme, _width, name in charted} == {"plan"}
    weak = {
        (scheme, what, colour)
        for (scheme, _width, _name), chart in charted.items()
        for what, colour in chart["marks"]
        if contrast(colour, chart["page"]) < 4.5
    }
    assert weak == set()


def test_the_page_background_follows_the_scheme(survey: dict[tuple[str, int, str], dict[str, Any]]) -> None:
    assert {survey["light", 360, "plan"]["chart"]["page"], survey["dark", 360, "plan"]["chart"]["page"]} == {
        LIGHT_PAPER,
        DARK_PAPER,
    }


# ---------- remembered choices ----------


def _paper(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))


def _theme(page: Any) -> str | None:
    value = page.evaluate("document.documentElement.getAttribute('data-theme')")
    return None if value is None else str(value)


@pytest.mark.parametrize("path", [PAGES["module"], PAGES["dashboard"], PAGES["plan"]])
def test_theme_toggle_cycles_and_persists_across_a_reload(base_url: str, browser: Any, path: str) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(base_url + path)
    # Loaded in <head> and not deferred, so a stored choice applies before the first paint.
    assert page.locator("head script[src$='assets/theme.js']:not([defer]):not([async])").count() == 1
    toggle = page.locator("[data-theme-toggle]")
    assert (toggle.inner_text(), _theme(page), _paper(page)) == ("Theme: system", None, LIGHT_PAPER)
    toggle.click()
    assert (toggle.inner_text(), _theme(page)) == ("Theme: light", "light")
    toggle.click()
    assert (toggle.inner_text(), _theme(page), _paper(page)) == ("Theme: dark", "dark", DARK_PAPER)
    page.reload()
    assert (toggle.inner_text(), _theme(page), _paper(page)) == ("Theme: dark", "dark", DARK_PAPER)
    toggle.click()
    page.reload()
    assert (toggle.inner_text(), _theme(page), _paper(page)) == ("Theme: system", None, LIGHT_PAPER)
    context.close()


def test_a_light_choice_overrides_a_dark_system(base_url: str, browser: Any) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(base_url + PAGES["site home"])
    assert _paper(page) == DARK_PAPER
    page.locator("[data-theme-toggle]").click()
    page.goto(base_url + PAGES["calendar"])
    assert (_theme(page), _paper(page)) == ("light", LIGHT_PAPER)
    context.close()


def test_without_javascript_there_is_no_toggle_and_the_system_decides(base_url: str, browser: Any) -> None:
    context = browser.new_context(color_scheme="dark", java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + PAGES["site home"])
    assert (page.locator("[data-theme-toggle]").is_visible(), _paper(page)) == (False, DARK_PAPER)
    context.close()


@pytest.mark.parametrize("path", [PAGES["module"], PAGES["plan"]])
def test_a_ticked_checklist_item_stays_ticked_after_a_reload(base_url: str, browser: Any, path: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + path)
    boxes = page.locator(".task-list-item input[type=checkbox]:visible")  # not those in a closed <details>
    assert boxes.count() >= 3
    assert boxes.nth(1).is_enabled()
    boxes.nth(1).check()
    page.reload()
    assert [boxes.nth(i).is_checked() for i in range(3)] == [False, True, False]
    boxes.nth(1).uncheck()
    page.reload()
    assert boxes.nth(1).is_checked() is False
    context.close()


# ---------- the site and the dashboard ----------


def test_search_results_show_a_snippet_with_the_match_marked(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(base_url + PAGES["site home"])
    page.fill("#search-input", "genetics deck")
    first = page.locator("#search-results li").first
    assert first.locator("a").inner_text() == "Make Step 2 CK study count for genetics too"
    marked = {text.lower() for text in first.locator(".snippet mark").all_inner_texts()}
    assert marked <= {"genetics", "deck"} and marked
    page.close()


def test_the_match_year_defaults_to_the_first_season_not_yet_open(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(base_url + PAGES["site home"])
    rules = builtin_rules()
    days = ("2026-08-31", "2026-09-01", "2026-12-31", "2027-01-01", "2027-03-01", "2027-09-02")
    in_browser = page.evaluate("days => days.map(window.roadmapDefaultYear)", list(days))
    assert in_browser == [first_open_match_year(rules, date.fromisoformat(day)) for day in days]
    assert in_browser == [2027, 2028, 2028, 2028, 2028, 2029]
    # The reader's own day, as the browser sees it, picks the default shown.
    year, month, day = page.evaluate("(d => [d.getFullYear(), d.getMonth() + 1, d.getDate()])(new Date())")
    assert page.input_value("#f-year") == str(first_open_match_year(rules, date(year, month, day)))
    page.close()


def test_the_calendar_starts_at_the_season_under_way_with_linked_sources(base_url: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + PAGES["calendar"])
    assert page.locator("main h2").all_inner_texts() == [
        "The 2027 Match",
        "The 2028 Match",
        "The 2029 Match",
        "The 2030 Match",
    ]
    link = page.locator(".source-cell a").first
    assert link.get_attribute("href", timeout=1000).startswith("https://")
    assert not link.inner_text().startswith("http")
    widths = page.evaluate(
        "[...document.querySelectorAll('.calendar-table')].map(t => [...t.rows[0].cells].map(c => c.offsetWidth))"
    )
    assert len(widths) == 4 and all(row == widths[0] for row in widths)
    page.close()


def test_the_dashboard_claims_no_sort_until_the_reader_picks_one(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(base_url + PAGES["dashboard"])
    sorts = "[...document.querySelectorAll('#advisees th[aria-sort]')].map(th => th.getAttribute('aria-sort'))"
    assert set(page.evaluate(sorts)) == {"none"}
    page.click("button[data-key=days]")
    assert page.locator("th:has(button[data-key=days])").get_attribute("aria-sort") == "ascending"
    page.close()
