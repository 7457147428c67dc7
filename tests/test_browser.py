"""The site in a real browser (Debian's Chromium driven by Playwright), served under a sub-path:
no console error or failed request on any page, search works, the "apply to me" form agrees with
Python on every test vector, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VECTORS = json.loads((Path(__file__).parent / "vectors" / "apply-form.json").read_text())

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("host")
    result = CliRunner().invoke(
        main,
        ["site", "--out", str(root / "guide"), "--base-url", "/guide/", "--today", "2026-11-25"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    plan = CliRunner().invoke(
        main,
        [
            "build",
            str(REPO / "profiles" / "jordan-rivera.yaml"),
            "--today",
            "2027-03-01",
            "--out",
            str(root / "plan"),
            "--format",
            "html,json",
        ],
        catch_exceptions=False,
    )
    assert plan.exit_code == 0, plan.stderr
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


def test_every_page_loads_without_errors_or_failed_requests(base_url: str, browser: Any, tmp_path: Path) -> None:
    import urllib.request

    sitemap = urllib.request.urlopen(f"{base_url}/guide/sitemap.xml").read().decode()
    paths = [loc.split("</loc>")[0] for loc in sitemap.split("<loc>")[1:]]
    assert len(paths) > 40
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    page.on("response", lambda res: problems.append(f"{res.status}: {res.url}") if res.status >= 400 else None)
    for path in [*paths, "/plan/index.html"]:
        page.goto(base_url + path, wait_until="load")
    assert problems == []


def test_search_finds_a_topic(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/guide/modules/landscape.html")
    page.fill("#search-input", "ECFMG pathway")
    first = page.locator("#search-results li a").first
    assert first.inner_text() == "ECFMG steps for international graduates"
    first.click()
    page.wait_for_url("**/guide/modules/ecfmg-certification.html")
    page.fill("#search-input", "genetics deck")
    assert "Make Step 2 CK study count for genetics too" in page.locator("#search-results").inner_text()


def test_apply_form_agrees_with_python_on_every_vector(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/guide/index.html")
    results = page.evaluate("vectors => vectors.map(v => window.roadmapApply(v.answers, v.today))", VECTORS)
    mismatches = [(v["today"], v["answers"]) for v, got in zip(VECTORS, results, strict=True) if got != v["modules"]]
    assert mismatches == []
    assert len(VECTORS) >= 1000


def test_apply_form_in_the_page(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/guide/index.html")
    page.select_option("#f-stage", "step2ck")
    page.select_option("#f-step1", "passed")
    page.fill("#f-practice", "222")
    page.click("#apply-form button")
    text = page.locator("#apply-results").inner_text()
    assert "Delay the exam, or broaden the list?" in text
    assert "Before Step 1: make the early years count" not in text


def test_axe_finds_no_serious_or_critical_violation(base_url: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page()
    found = {}
    for path in (
        "/guide/index.html",
        "/guide/modules/step2ck-targets.html",
        "/guide/stages/step2ck.html",
        "/guide/calendar.html",
        "/guide/faq.html",
        "/plan/index.html",
    ):
        page.goto(base_url + path)
        result = axe.run(page)
        bad = [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = bad
    assert found == {}


def test_keyboard_reaches_the_skip_link_first(base_url: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/guide/index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_dark_mode_by_preference(base_url: str, browser: Any) -> None:
    page = browser.new_page(color_scheme="dark")
    page.goto(f"{base_url}/guide/index.html")
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(18, 22, 28)"
