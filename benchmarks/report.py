"""Turn results.json into results.md (what was measured and how, targets, tables, noise) and chart.svg.

`python report.py [FOLDER]` writes them again from FOLDER/results.json (default: this folder),
for instance after benchmarks/notes.md changed: that file's text ends results.md as it is.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
from html import escape
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOTES = HERE / "notes.md"
TOOLS = ("roadmap", "roadmap --jobs 1", "plain floor", "pelican", "mkdocs", "hugo")
FLOOR = "plain floor"
PDF_CASE = "plan to PDF"  # profile to plan.pdf, warm: what the PDF target is about
# The plan's cases in the order they read best (results.json keeps its keys sorted).
PLAN_CASES = (
    "html+json",
    PDF_CASE,
    "pdf only (roadmap)",
    "weasyprint alone",
    "pdf untagged (roadmap)",
    "weasyprint alone, untagged",
)
# What roadmap's side does for each page, from roadmap/commands/site.py and the SPEC.
ROADMAP_DOES = (
    "roadmap reads each module (page) and validates its front matter and its body, renders the body "
    "as sanitised Markdown (the same CommonMark, tables and strikethrough), expands abbreviations, "
    "and renders a Jinja page with the site navigation, breadcrumbs and previous/next links. Once for "
    "the whole site it also writes a list page per stage and per topic, the search index, the browser "
    "rules, a sitemap and robots.txt. Every file is written atomically (a temporary file, then a "
    "rename), and a record of what each file was made from lets the next build skip unchanged pages."
)
Row = tuple[str, str, bool | None]  # a target, what was measured, whether it was met (None: not measured)


def _case(results: dict[str, Any], tool: str, pages: int) -> dict[str, Any]:
    case: dict[str, Any] = results["site"].get(f"{tool} @ {pages}", {})
    return case if "full" in case else {}


def _get(results: dict[str, Any], tool: str, pages: int, mode: str = "full") -> float | None:
    case = _case(results, tool, pages)
    return case[mode]["median"] if mode in case else None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def _paired(results: dict[str, Any], tool: str, pages: int) -> float | None:
    """The median of the ratios of a tool's n-th full build to the floor's n-th, taken one after
    the other in the same repetition: less moved by a slow spell than the ratio of two medians."""
    ours, floor = _case(results, tool, pages), _case(results, FLOOR, pages)
    if not ours or not floor:
        return None
    pairs = zip(ours["full"]["samples"], floor["full"]["samples"], strict=True)  # both always run together
    return statistics.median(a / b for a, b in pairs)


def _spread(s: dict[str, Any]) -> float:
    """(max - min) / median of a case's runs."""
    return (s["max"] - s["min"]) / s["median"] if s["median"] else 0.0


def _versus_floor(results: dict[str, Any], tool: str, pages: int, limit: float, name: str) -> Row:
    ours, floor = _get(results, tool, pages), _get(results, FLOOR, pages)
    if ours is None or floor is None:
        return name, "not measured in this run", None
    value = f"{ours / floor:.2f}x ({ours:.2f} s vs {floor:.2f} s; paired {_paired(results, tool, pages):.2f}x)"
    return name, value, ours / floor <= limit


def _memory(results: dict[str, Any], tool: str, name: str) -> Row:
    small, large = _case(results, tool, 1000), _case(results, tool, 5000)
    if not small or not large:
        return name, "not measured in this run", None
    ratio = large["rss_mib"]["median"] / small["rss_mib"]["median"]
    value = f"{ratio:.2f}x ({large['rss_mib']['median']:.0f} vs {small['rss_mib']['median']:.0f} MiB)"
    return name, value, ratio <= 1.3


def site_targets(results: dict[str, Any]) -> list[Row]:
    cpus = results["cpus"]
    rows = [
        _versus_floor(results, "roadmap --jobs 1", 1000, 1.25, "`--jobs 1` at most 1.25x the plain floor, N=1,000"),
        _versus_floor(results, "roadmap --jobs 1", 5000, 1.25, "`--jobs 1` at most 1.25x the plain floor, N=5,000"),
        _versus_floor(results, "roadmap", 1000, 0.75, f"default ({cpus} CPUs) at most 0.75x the plain floor, N=1,000"),
        _versus_floor(results, "roadmap", 200, 1.5, f"default ({cpus} CPUs) at most 1.5x the plain floor, N=200"),
    ]
    edited, full = _get(results, "roadmap", 1000, "one_changed"), _get(results, "roadmap", 1000)
    name = "one page edited at most 0.08x a full (default) build, N=1,000"
    if edited is None or full is None:
        rows.append((name, "not measured in this run", None))
    else:
        rows.append((name, f"{edited / full:.3f}x ({edited:.2f} s vs {full:.2f} s)", edited / full <= 0.08))
    rows.append(_memory(results, "roadmap", "peak memory at N=5,000 at most 1.3x the peak at N=1,000 (default)"))
    rows.append(_memory(results, "roadmap --jobs 1", "the same, `--jobs 1` (one process)"))
    return rows


def plan_targets(results: dict[str, Any]) -> list[Row]:
    plan, pdf, rows = results["plan"], results.get("pdf"), []
    if plan and pdf:
        taken = plan[PDF_CASE]["median"]
        per_page = 1000 * taken / pdf["pages"]
        name = f"PDF of the default plan ({pdf['detail']} detail) at most 1 s warm"
        rows.append((name, f"{taken:.2f} s ({pdf['pages']} pages, {per_page:.0f} ms a page)", taken <= 1.0))
        rows.append(
            ("that PDF is tagged (structure tree, marked content)", "yes" if pdf["tagged"] else "no", pdf["tagged"])
        )
        ratio = plan["pdf only (roadmap)"]["median"] / plan["weasyprint alone"]["median"]
        rows.append(("PDF at most 1.15x WeasyPrint alone (same HTML, warm, tagged)", f"{ratio:.2f}x", ratio <= 1.15))
    one, two = results["batch"].get("html,json,ics,pdf jobs=1"), results["batch"].get("html,json,ics,pdf jobs=2")
    if one and two:
        speedup = one["median"] / two["median"]
        rows.append(
            (
                "batch with PDFs at least 1.8x faster at 2 jobs than at 1, over at least 9 profiles",
                f"{speedup:.2f}x over {one['profiles']} profiles",
                speedup >= 1.8 and one["profiles"] >= 9,
            )
        )
    return rows


def kept_targets(results: dict[str, Any]) -> list[Row]:
    """The targets of earlier rounds, still checked."""
    rows: list[Row] = []
    sizes = sorted({case["pages"] for case in results["site"].values() if "pages" in case})
    for pages in sizes:
        noop, full = _get(results, "roadmap", pages, "noop"), _get(results, "roadmap", pages)
        if noop and full:
            rows.append(
                (f"no-op rebuild under 10% of a full build, N={pages:,}", _ratio(noop, full), noop < 0.1 * full)
            )
    big = max(sizes, default=0)
    noop, hugo = _get(results, "roadmap", big, "noop"), _get(results, "hugo", big)
    if noop and hugo:
        rows.append((f"no-op rebuild faster than Hugo's full build, N={big:,}", _ratio(noop, hugo), noop < hugo))
    start = results["startup"]
    if "mkdocs --help" in start:
        ratio = start["roadmap --help"]["median"] / start["mkdocs --help"]["median"]
        rows.append(("`roadmap --help` at most 0.75x `mkdocs --help`", f"{ratio:.2f}x", ratio <= 0.75))
    return rows


def _target_table(rows: list[Row]) -> list[str]:
    lines = ["| target | measured | met |", "| --- | --- | --- |"]
    for name, value, ok in rows:
        lines.append(f"| {name} | {value} | {'n/a' if ok is None else ('yes' if ok else 'no')} |")
    return lines


def _median_of(case: dict[str, Any], key: str, digits: int) -> str:
    return f"{case[key]['median']:.{digits}f}" if case else "n/a"


def _summary(results: dict[str, Any]) -> list[str]:
    """The site at a glance: one row per size, the two roadmap cases against the floor."""
    lines = [
        "| pages | plain floor s | roadmap s (default) | / floor | roadmap s (`--jobs 1`) | / floor "
        "| one page edited / full | peak MiB (default) | peak MiB (`--jobs 1`) | peak MiB (floor) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for pages in sorted({case["pages"] for case in results["site"].values() if "pages" in case}):
        floor, ours, single = (_case(results, tool, pages) for tool in (FLOOR, "roadmap", "roadmap --jobs 1"))
        seconds = [_median_of(case, "full", 2) for case in (floor, ours, single)]
        peaks = [_median_of(case, "rss_mib", 0) for case in (ours, single, floor)]
        floor_s = _get(results, FLOOR, pages)
        versus = [_ratio(_get(results, tool, pages), floor_s) for tool in ("roadmap", "roadmap --jobs 1")]
        edited = _ratio(_get(results, "roadmap", pages, "one_changed"), _get(results, "roadmap", pages))
        lines.append(
            f"| {pages:,} | {seconds[0]} | {seconds[1]} | {versus[0]} | {seconds[2]} | {versus[1]} | {edited} "
            f"| {' | '.join(peaks)} |"
        )
    return lines


def _floor_does() -> str:
    """The floor's own account of what it does per page: its docstring, without the usage line."""
    tree = ast.parse((HERE / "floor.py").read_text())
    text = ast.get_docstring(tree) or ""
    kept = [part for part in text.split("\n\n") if not part.startswith("Usage:")]
    return " ".join(" ".join(kept).split())


def _corpus(results: dict[str, Any]) -> list[str]:
    page, sizes = results["corpus"]["page"], results["corpus"]["sizes"]

    def median(name: str) -> str:
        return f"{page[name]['median']:g}"

    lines = [
        f"Each page is a different ~{median('words')}-word page (words a reader sees, median of the first "
        f"{page['sample']} pages; min {page['words']['min']}, max {page['words']['max']}; "
        f"{median('source words')} whitespace-separated words of Markdown source): {median('headings')} "
        f"headings, {median('lists')} lists of {median('list items')} items in all, {median('tables')} tables "
        f"({median('table rows')} rows in all), {median('links')} links, {median('bold')} bold, "
        f"{median('italic')} italic and {median('code spans')} code spans, counted in the HTML the floor makes.",
        "roadmap's copy spreads the pages over 5 stages and 10 topics (two topics a page); counted in the "
        "corpus as written:",
        "",
        "| pages | pages per stage | pages per topic |",
        "| --- | --- | --- |",
    ]
    for pages, facts in sorted(sizes.items(), key=lambda item: int(item[0])):
        stages, topics = facts["per_stage"].values(), facts["per_topic"].values()
        lines.append(
            f"| {int(pages):,} | {min(stages)}-{max(stages)} ({len(stages)} stages) "
            f"| {min(topics)}-{max(topics)} ({len(topics)} topics) |"
        )
    return lines


def _method(results: dict[str, Any]) -> list[str]:
    budget = results.get("budget_seconds", 0) / 60
    return [
        "## What was measured, and how",
        "",
        *_corpus(results),
        "",
        f"**The plain floor, per page:** {_floor_does()}",
        "",
        f"**roadmap, per page:** {ROADMAP_DOES} `roadmap` is the default build (one process per CPU); "
        "`roadmap --jobs 1` is the same build in one process.",
        "",
        "**The comparisons:** MkDocs builds the pages with its default theme (navigation included), "
        "Pelican with its default theme and content cache, Hugo with a one-line page layout. They are "
        "measured while the budget allows; no target needs them.",
        "",
        "Every build is a fresh process, started by a small launcher that times the command alone and "
        "reads its peak resident memory from `wait4`. That peak is the largest single process's: for "
        "roadmap's default build with two processes it is the larger one's peak, not their sum (pages "
        "shared between them count in each); `--jobs 1` is one process, so its peak is the whole build's. "
        "Runs are interleaved (every case once, then every case again), so a slow spell falls on all "
        "cases alike, and the n-th runs of roadmap and of the floor form a pair: 'paired' is the median "
        "of those ratios. Figures are medians; the no-op and one-page rebuilds follow each full build, "
        "using each tool's own incremental mode (roadmap's record, `mkdocs build --dirty`, Pelican's "
        f"content cache). The edit changes one line of one page's body, not its title or summary. "
        f"The measurements share a {budget:.0f}-minute budget: a case gets {results['runs_requested']} "
        f"runs when they fit, fewer (never under {results['runs_at_least']}) when they do not, and the "
        "tables give each count.",
    ]


def _noise(results: dict[str, Any]) -> list[str]:
    """How noisy the machine was: the spread of each case's runs, and the load of other work."""
    cases = [(f"site {key}", case["full"]) for key, case in results["site"].items() if "full" in case]
    cases += [(f"plan {key}", s) for key, s in results["plan"].items()]
    cases += [(f"batch {key}", s) for key, s in results["batch"].items()]
    cases += [(f"start-up {key}", s) for key, s in results["startup"].items()]
    spreads = [(_spread(s), name) for name, s in cases if s["runs"] > 1]
    lines = ["## How noisy the machine was", ""]
    if spreads:
        values = sorted(value for value, _ in spreads)
        worst = max(spreads)
        lines.append(
            f"The spread of a case, (max - min) / median of its runs, is in every table. The median spread across "
            f"the {len(values)} cases was {100 * statistics.median(values):.0f}% (quartiles "
            f"{100 * values[len(values) // 4]:.0f}% and {100 * values[3 * len(values) // 4]:.0f}%; the largest, "
            f"{100 * worst[0]:.0f}%, was {worst[1]})."
        )
    load = results.get("load", {})
    if "others_share" in load:
        lines.append(
            f"While it ran, other work kept {100 * load['others_share']:.0f}% of the machine's "
            f"{results['cpus']} CPUs busy on average (the benchmark itself: {100 * load['ours_share']:.0f}%), "
            f"and the hypervisor took {100 * load['steal_share']:.1f}% (steal time, /proc/stat)."
        )
    if load:
        start, end = (", ".join(f"{v:.2f}" for v in load[key]) for key in ("loadavg_start", "loadavg_end"))
        lines.append(f"Load average (1, 5, 15 min) at the start: {start}; at the end: {end}.")
    return lines


def _cell(case: dict[str, Any], mode: str) -> str:
    if mode not in case:
        return case.get("incremental", "full build only")
    s = case[mode]
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})"


def _size_then_tool(item: tuple[str, Any]) -> tuple[int, int]:
    tool, pages = item[0].rsplit(" @ ", 1)
    return int(pages), TOOLS.index(tool) if tool in TOOLS else len(TOOLS)


def _site_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Site build (seconds; each run is a fresh process)",
        "",
        "| tool | pages | full (median, min-max) | spread | no-op rebuild | one page edited | ms per page "
        "| peak MiB | runs | full / plain floor (paired) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, case in sorted(results["site"].items(), key=_size_then_tool):
        tool, pages = key.rsplit(" @ ", 1)
        if "skipped" in case:
            lines.append(f"| {tool} | {int(pages):,} | skipped: {case['skipped']} | | | | | | | |")
            continue
        floor = _get(results, FLOOR, case["pages"])
        paired = _paired(results, tool, case["pages"])
        versus = f"{_ratio(case['full']['median'], floor)} ({paired:.2f}x)" if paired and tool != FLOOR else "1.00x"
        lines.append(
            f"| {tool} | {case['pages']:,} | {_cell(case, 'full')} | {100 * _spread(case['full']):.0f}% "
            f"| {_cell(case, 'noop')} | {_cell(case, 'one_changed')} | {case['ms_per_page']:.2f} "
            f"| {case['rss_mib']['median']:.0f} | {case['full']['runs']} | {versus} |"
        )
    lines += [
        "",
        "'Full build only': the tool has no incremental mode, so a rebuild is a full build. Peak MiB is the "
        "largest single process's peak resident memory (see above).",
    ]
    return lines


def _plan_section(results: dict[str, Any]) -> list[str]:
    pdf = results.get("pdf")
    lines = ["## One personal plan (seconds, warm process)", ""]
    if pdf:
        lines += [
            f"The plan of {pdf['profile']} on {pdf['today']}, at the default detail "
            f"('{pdf['detail']}'), as `roadmap build` makes it. '{PDF_CASE}' is the profile read and planned "
            f"and plan.pdf written; 'pdf only' renders the same print HTML that 'weasyprint alone' gets. "
            f"The PDF has {pdf['pages']} pages ({pdf['bytes_tagged']:,} bytes tagged).",
            "",
        ]
    lines += ["| what | median | min | max | spread | runs |", "| --- | --- | --- | --- | --- | --- |"]
    for name, s in sorted(results["plan"].items(), key=lambda item: PLAN_CASES.index(item[0])):
        lines.append(
            f"| {name} | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} | {100 * _spread(s):.0f}% | {s['runs']} |"
        )
    if pdf and results["plan"]:
        plan = results["plan"]
        cost = plan["pdf only (roadmap)"]["median"] / plan["pdf untagged (roadmap)"]["median"]
        lines += [
            "",
            f"Tagging (PDF/UA-1) costs {cost:.2f}x the untagged time and "
            f"{pdf['bytes_tagged'] / pdf['bytes_untagged']:.2f}x the size "
            f"({pdf['bytes_tagged']:,} vs {pdf['bytes_untagged']:,} bytes).",
        ]
    return lines


def _batch_section(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Batch (fresh process and empty output folder per run, `--force`)",
        "",
        "The HTML batch builds three copies of each example profile; the PDF batch builds distinct example profiles.",
        "",
        "| formats, jobs | profiles | median s | spread | runs | plans per second |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in results["batch"].items():
        lines.append(
            f"| {name} | {s['profiles']} | {s['median']:.2f} | {100 * _spread(s):.0f}% | {s['runs']} "
            f"| {s['plans_per_second']:.2f} |"
        )
    return lines


def _startup_section(results: dict[str, Any]) -> list[str]:
    lines = ["## Start-up (seconds)", "", "| command | median | min | max | runs |", "| --- | --- | --- | --- | --- |"]
    for name, s in results["startup"].items():
        lines.append(f"| `{name}` | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} | {s['runs']} |")
    return lines


def _header(results: dict[str, Any]) -> list[str]:
    v = results["versions"]
    memory = f", {results['memory_gib']} GiB of memory" if results.get("memory_gib") else ""
    return [
        "# Benchmarks",
        "",
        f"Measured by `make bench` in one run of {results.get('seconds', 0):.0f} s on {results['cpus']} CPUs "
        f"({results['cpu_model']}, {results['machine']}{memory}, {results['system']}). Medians of the runs "
        "shown, with min and max; ratios come from the same run.",
        "Versions: " + ", ".join(f"{k} {v[k]}" for k in sorted(v)) + ".",
    ]


def markdown(results: dict[str, Any], notes: str = "") -> str:
    lines = [
        *_header(results),
        "",
        "## Targets (issue 21)",
        "",
        *_target_table(site_targets(results) + plan_targets(results)),
        "",
        "## Earlier targets, still checked",
        "",
        *_target_table(kept_targets(results)),
        "",
        "## The site at a glance",
        "",
        *_summary(results),
        "",
        "![Full site build by tool and size](chart.svg)",
        "",
        *_method(results),
        "",
        *_noise(results),
        "",
        *_site_table(results),
        "",
        *_plan_section(results),
        "",
        *_batch_section(results),
        "",
        *_startup_section(results),
    ]
    text = "\n".join(lines) + "\n"
    return text + "\n" + notes.strip() + "\n" if notes.strip() else text


def chart(results: dict[str, Any]) -> str:
    """Grouped bars: full build time per tool at each size (log scale)."""
    sizes = sorted({c["pages"] for c in results["site"].values() if "pages" in c})
    colors = {
        "roadmap": "#1f5f8b",
        "roadmap --jobs 1": "#5b3f8c",
        "plain floor": "#7aa6c2",
        "pelican": "#c28a3a",
        "mkdocs": "#b3261e",
        "hugo": "#1e6b3a",
    }
    width, height, left, bottom = 760, 320, 60, 270
    values = [v for s in sizes for t in TOOLS if (v := _get(results, t, s))]
    top = max(values) if values else 1
    low = min(values) if values else 0.1

    def y(v: float) -> float:
        return bottom - (bottom - 30) * (math.log10(v) - math.log10(low / 2)) / (
            math.log10(top * 1.2) - math.log10(low / 2)
        )

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' font-family='sans-serif' font-size='11'>",
        "<title>Full site build time by tool and number of pages (log scale)</title>",
    ]
    group = (width - left - 20) / max(len(sizes), 1)
    bar = group / (len(TOOLS) + 1)
    for g, pages in enumerate(sizes):
        x0 = left + g * group
        parts.append(f"<text x='{x0 + group / 2}' y='{bottom + 18}' text-anchor='middle'>{pages:,} pages</text>")
        for t, tool in enumerate(TOOLS):
            value = _get(results, tool, pages)
            if value:
                x = x0 + (t + 0.5) * bar
                parts.append(
                    f"<rect x='{x:.1f}' y='{y(value):.1f}' width='{bar * 0.9:.1f}' height='{bottom - y(value):.1f}' fill='{colors[tool]}'>"
                    f"<title>{escape(tool)}: {value:.2f} s</title></rect>"
                )
                parts.append(
                    f"<text x='{x + bar * 0.45:.1f}' y='{y(value) - 3:.1f}' text-anchor='middle' font-size='9'>{value:.1f}</text>"
                )
    for i, tool in enumerate(TOOLS):
        parts.append(
            f"<rect x='{left + i * 112}' y='6' width='10' height='10' fill='{colors[tool]}'/>"
            f"<text x='{left + i * 112 + 14}' y='15'>{escape(tool)}</text>"
        )
    parts.append(f"<line x1='{left}' x2='{width - 10}' y1='{bottom}' y2='{bottom}' stroke='#333'/>")
    parts.append(f"<text x='12' y='{bottom / 2}' transform='rotate(-90 12 {bottom / 2})'>seconds (log)</text></svg>")
    return "".join(parts) + "\n"


def write(results: dict[str, Any], folder: Path) -> None:
    """results.md (ending with benchmarks/notes.md, when there is one) and chart.svg into `folder`."""
    notes = NOTES.read_text() if NOTES.is_file() else ""
    (folder / "results.md").write_text(markdown(results, notes))
    (folder / "chart.svg").write_text(chart(results))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    write(json.loads((target / "results.json").read_text()), target)
