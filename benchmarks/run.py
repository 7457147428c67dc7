"""`make bench`: roadmap against the tools people would use instead, measured in one run.

Writes benchmarks/results.json, benchmarks/results.md and benchmarks/chart.svg: medians of 5
runs (fewer only where a single run is so slow that 5 would break the 15-minute budget, which
the results say), min and max, ratios from the same run, the CPU count and tool versions.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RUNS = 5
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "200,1000,5000").split(",")]
SLOW_RUN = 40.0  # seconds: above this, one run is enough
SKIP_ABOVE = 150.0  # seconds predicted for one run: above this, the case is skipped and said so
PY = sys.executable


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def stats(samples: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


def tools(work: Path, pages: int) -> dict[str, dict[str, Any]]:
    """Each tool: its folder, the command for a build, and the page a one-page change edits."""
    roadmap_dir = work / "roadmap"
    corpus.write_roadmap(roadmap_dir / "content", pages)
    plain = corpus.write_plain(work / "plain", pages)
    mk = corpus.write_mkdocs(work / "mkdocs", pages)
    pel = corpus.write_pelican(work / "pelican", pages)
    hugo = corpus.write_hugo(work / "hugo", pages)
    return {
        "roadmap": {
            "cwd": roadmap_dir,
            "cmd": [PY, "-m", "roadmap", "site", "--content", "content", "--out", "out", "--today", "2026-11-25", "-q"],
            "out": roadmap_dir / "out",
            "page": roadmap_dir / "content" / "overview" / "page-00000.md",
        },
        "plain floor": {
            "cwd": plain,
            "cmd": [PY, str(HERE / "floor.py"), str(plain), str(work / "plain-out")],
            "out": work / "plain-out",
            "page": plain / "page-00000.md",
        },
        "mkdocs": {
            "cwd": mk,
            "cmd": [PY, "-m", "mkdocs", "build", "-q"],
            "out": mk / "site",
            "page": mk / "docs" / "page-00000.md",
        },
        "pelican": {
            "cwd": pel,
            "cmd": [PY, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
            "out": pel / "output",
            "page": pel / "content" / "page-00000.md",
        },
        "hugo": {
            "cwd": hugo,
            "cmd": [shutil.which("hugo") or "hugo", "--quiet"],
            "out": hugo / "public",
            "page": hugo / "content" / "posts" / "page-00000.md",
        },
    }


def site_builds(results: dict[str, Any]) -> None:
    previous: dict[str, tuple[int, float]] = {}
    for pages in SIZES:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
        try:
            for name, tool in tools(work, pages).items():
                key = f"{name} @ {pages}"
                if pages == max(SIZES) and name in ("mkdocs", "pelican") and len(SIZES) > 1:
                    results["site"][key] = {
                        "skipped": "not needed by a target; minutes per run (MkDocs grows faster than linearly)"
                    }
                    print(f"  {key}: skipped", flush=True)
                    continue
                if name in previous:  # predict from the last size, growing at least linearly
                    size, seconds = previous[name]
                    predicted = seconds * (pages / size) ** 1.3
                    if predicted > SKIP_ABOVE:
                        results["site"][key] = {"skipped": f"predicted {predicted:.0f} s for one full build"}
                        print(f"  {key}: skipped (predicted {predicted:.0f} s)", flush=True)
                        continue
                full, noop, one = [], [], []
                for attempt in range(RUNS):
                    shutil.rmtree(tool["out"], ignore_errors=True)
                    for cache in (tool["cwd"] / "cache", tool["cwd"] / "__pycache__"):
                        shutil.rmtree(cache, ignore_errors=True)
                    full.append(run(tool["cmd"], tool["cwd"]))
                    noop.append(run(tool["cmd"], tool["cwd"]))
                    corpus.touch_one(tool["page"])
                    one.append(run(tool["cmd"], tool["cwd"]))
                    if full[-1] > SLOW_RUN and attempt == 0:
                        break
                previous[name] = (pages, statistics.median(full))
                results["site"][key] = {
                    "pages": pages,
                    "tool": name,
                    "full": stats(full),
                    "noop": stats(noop),
                    "one_changed": stats(one),
                }
                print(
                    f"  {key}: full {statistics.median(full):.2f}s noop {statistics.median(noop):.2f}s "
                    f"one {statistics.median(one):.2f}s (runs {len(full)})",
                    flush=True,
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)


def personal_plan(results: dict[str, Any]) -> None:
    """One plan in a warm process: HTML+JSON, with PDF, and WeasyPrint alone on the same HTML."""
    from datetime import date, datetime, timezone

    from weasyprint import HTML

    from roadmap.output import OutDir
    from roadmap.pdf import render_pdf
    from roadmap.pipeline import load_inputs, plan_profile, write_plan
    from roadmap.render import make_environment, render_plan_html

    inputs = load_inputs()
    today = date(2027, 3, 1)
    created = datetime(2027, 3, 1, tzinfo=timezone.utc)
    profile = REPO / "profiles" / "jordan-rivera.yaml"
    work = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    timings: dict[str, list[float]] = {
        "html+json": [],
        "html+json+pdf": [],
        "pdf only (roadmap)": [],
        "weasyprint alone": [],
        "pdf untagged (roadmap)": [],
        "weasyprint alone, untagged": [],
    }
    plan = plan_profile(profile, inputs, today)
    html = render_plan_html(make_environment(inputs.templates), plan, for_print=True, created=created)
    base = inputs.templates.builtin.resolve().as_uri() + "/"
    render_pdf(html, inputs.templates)  # warm-up: fonts, CSS parsing caches
    for i in range(RUNS):
        for label, formats in (("html+json", ("html", "json")), ("html+json+pdf", ("html", "json", "pdf"))):
            start = time.perf_counter()
            write_plan(
                plan_profile(profile, inputs, today), inputs, OutDir(work / f"{label}-{i}"), formats, created=created
            )
            timings[label].append(time.perf_counter() - start)
        # The same work on both sides: our fetcher and options against WeasyPrint's own call.
        start = time.perf_counter()
        tagged = render_pdf(html, inputs.templates)
        timings["pdf only (roadmap)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        HTML(string=html, base_url=base).write_pdf(pdf_variant="pdf/ua-1")
        timings["weasyprint alone"].append(time.perf_counter() - start)
        start = time.perf_counter()
        untagged = render_pdf(html, inputs.templates, tagged=False)
        timings["pdf untagged (roadmap)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        HTML(string=html, base_url=base).write_pdf()
        timings["weasyprint alone, untagged"].append(time.perf_counter() - start)
    shutil.rmtree(work, ignore_errors=True)
    results["plan"] = {k: stats(v) for k, v in timings.items()}
    results["pdf_size"] = {"tagged": len(tagged), "untagged": len(untagged)}
    for k, v in results["plan"].items():
        print(f"  plan {k}: {v['median']:.3f}s", flush=True)


def batch(results: dict[str, Any]) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    source = REPO / "profiles"
    profiles = work / "advisees"
    profiles.mkdir()
    count = 0
    for round_ in range(3):
        for file in sorted(source.glob("*.yaml")):
            text = file.read_text().replace("name: ", f"name: Copy{round_} ", 1)
            (profiles / f"{round_}-{file.name}").write_text(text)
            count += 1
    pdf_profiles = work / "advisees-pdf"  # one copy of each example: PDFs take seconds each
    pdf_profiles.mkdir()
    for folder in (profiles, pdf_profiles):  # the demo profile names the example program list
        shutil.copy(source / "example-programs.csv", folder)
    for file in sorted(profiles.glob("0-*.yaml"))[:4]:  # four plans: PDFs take seconds each
        shutil.copy(file, pdf_profiles / file.name)
    for formats, folder in (("html,json,ics", profiles), ("html,json,ics,pdf", pdf_profiles)):
        size = len(list(folder.glob("*.yaml")))
        for jobs in (1, 2):
            samples = []
            for _ in range(RUNS):
                samples.append(
                    run(
                        [
                            PY,
                            "-m",
                            "roadmap",
                            "batch",
                            str(folder),
                            "--out",
                            str(work / "out"),
                            "--format",
                            formats,
                            "--jobs",
                            str(jobs),
                            "--force",
                            "-q",
                            "--today",
                            "2027-03-01",
                        ],
                        REPO,
                    )
                )
            median = statistics.median(samples)
            results["batch"][f"{formats} jobs={jobs}"] = {
                **stats(samples),
                "profiles": size,
                "plans_per_second": size / median,
            }
            print(f"  batch {formats} jobs={jobs}: {size / median:.1f} plans/s", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def startup(results: dict[str, Any]) -> None:
    cases = {
        "python -c pass": [PY, "-c", "pass"],
        "roadmap --help": [PY, "-m", "roadmap", "--help"],
        "roadmap explain": [PY, "-m", "roadmap", "explain", "profiles/jordan-rivera.yaml", "--today", "2027-03-01"],
        "mkdocs --help": [PY, "-m", "mkdocs", "--help"],
    }
    for name, cmd in cases.items():
        run(cmd, REPO)  # warm the file cache
        results["startup"][name] = stats([run(cmd, REPO) for _ in range(RUNS + 2)])
        print(f"  startup {name}: {results['startup'][name]['median']:.3f}s", flush=True)


def versions() -> dict[str, str]:
    import importlib.metadata as meta

    found = {
        name: meta.version(name) for name in ("roadmap", "mkdocs", "pelican", "markdown-it-py", "Jinja2", "weasyprint")
    }
    hugo = subprocess.run(
        [shutil.which("hugo") or "hugo", "version"], capture_output=True, text=True, check=False
    ).stdout.split()
    found["hugo"] = hugo[1] if len(hugo) > 1 else "unknown"
    found["python"] = platform.python_version()
    return found


def main() -> None:
    started = time.perf_counter()
    results: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "versions": versions(),
        "site": {},
        "plan": {},
        "batch": {},
        "startup": {},
    }
    print("Start-up", flush=True)
    startup(results)
    print("One personal plan", flush=True)
    personal_plan(results)
    print("Batch", flush=True)
    batch(results)
    print("Site builds", flush=True)
    site_builds(results)
    results["seconds"] = time.perf_counter() - started
    import report

    (HERE / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    (HERE / "results.md").write_text(report.markdown(results))
    (HERE / "chart.svg").write_text(report.chart(results))
    print(f"Wrote benchmarks/results.md, results.json and chart.svg in {results['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
