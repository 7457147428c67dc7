"""Turn benchmarks/results.json into results.md (tables, ratios, targets) and chart.svg."""

from __future__ import annotations

from html import escape
from typing import Any

TOOLS = ("roadmap", "plain floor", "pelican", "mkdocs", "hugo")


def _get(results: dict[str, Any], tool: str, pages: int, mode: str = "full") -> float | None:
    case = results["site"].get(f"{tool} @ {pages}", {})
    return case[mode]["median"] if mode in case else None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    sizes = sorted({case["pages"] for case in results["site"].values() if "pages" in case})
    for pages in sizes:
        ours, floor = _get(results, "roadmap", pages), _get(results, "plain floor", pages)
        ok = ours is not None and floor is not None and ours <= 1.5 * floor
        rows.append(
            (f"site build within 1.5x the plain floor, N={pages}", _ratio(ours, floor), ok if ours and floor else None)
        )
        noop = _get(results, "roadmap", pages, "noop")
        rows.append(
            (
                f"no-op rebuild under 10% of a full build, N={pages}",
                _ratio(noop, ours),
                bool(noop and ours and noop < 0.1 * ours),
            )
        )
    ours_cases = [
        results["site"][f"roadmap @ {n}"] for n in sizes if "pages" in results["site"].get(f"roadmap @ {n}", {})
    ]
    if len(ours_cases) > 1:
        # "Flat": going from the middle size to the largest, cost and memory per page do not grow by
        # more than a fifth (the smallest size is dominated by fixed start-up costs, so it is left out).
        middle, largest = ours_cases[-2], ours_cases[-1]
        cost = largest["ms_per_page"] / middle["ms_per_page"]
        rows.append(
            (
                f"cost per page flat: N={largest['pages']} vs N={middle['pages']}",
                f"{largest['ms_per_page']:.2f} vs {middle['ms_per_page']:.2f} ms ({cost:.2f}x)",
                cost <= 1.2,
            )
        )
        per_page = [c["rss_mib"]["median"] / c["pages"] for c in (middle, largest)]
        memory = per_page[1] / per_page[0]
        rows.append(
            (
                f"memory per page flat: N={largest['pages']} vs N={middle['pages']}",
                f"{largest['rss_mib']['median']:.0f} vs {middle['rss_mib']['median']:.0f} MiB ({memory:.2f}x per page)",
                memory <= 1.2,
            )
        )
    big = max(sizes) if sizes else 0
    noop, hugo = _get(results, "roadmap", big, "noop"), _get(results, "hugo", big)
    rows.append(
        (
            f"no-op rebuild faster than Hugo's full build, N={big}",
            _ratio(noop, hugo),
            bool(noop and hugo and noop < hugo),
        )
    )
    plan = results["plan"]
    if plan:
        ratio = plan["pdf only (roadmap)"]["median"] / plan["weasyprint alone"]["median"]
        rows.append(("PDF plan at most 1.15x WeasyPrint alone (same HTML, warm)", f"{ratio:.2f}x", ratio <= 1.15))
    start = results["startup"]
    if start:
        ratio = start["roadmap --help"]["median"] / start["mkdocs --help"]["median"]
        rows.append(("roadmap --help at most 0.75x mkdocs --help", f"{ratio:.2f}x", ratio <= 0.75))
    return rows


def markdown(results: dict[str, Any]) -> str:
    v = results["versions"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` in one run on {results['cpus']} CPUs ({results['machine']}), "
        f"{results.get('seconds', 0):.0f} s in all. Medians of the runs shown, with min and max; ratios come from the same run.",
        "Runs are interleaved (every tool once, then every tool again), so a slow spell on a shared machine",
        "falls on all of them alike. The site corpus has realistic inline markup (bold, links, code spans in",
        "every paragraph) and no two pages alike, so no tool can reuse one page's rendering for another.",
        "Versions: " + ", ".join(f"{k} {v[k]}" for k in sorted(v)) + ".",
        "",
        "![Full site build by tool and size](chart.svg)",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    for name, value, ok in targets(results):
        lines.append(f"| {name} | {value} | {'yes' if ok else ('n/a' if ok is None else 'no')} |")
    lines += [
        "",
        "## Site build (seconds; each run is a fresh process)",
        "",
        "| tool | pages | full (median, min-max) | no-op rebuild | one page changed | ms per page | peak MiB | runs "
        "| full / plain floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_size = sorted(results["site"].items(), key=lambda item: int(item[0].rsplit(" @ ", 1)[1]))
    for key, case in by_size:
        if "skipped" in case:
            lines.append(f"| {key.split(' @ ')[0]} | {key.split(' @ ')[1]} | skipped: {case['skipped']} | | | | | | |")
            continue
        floor = _get(results, "plain floor", case["pages"])

        def cell(mode: str, case: dict[str, Any] = case) -> str:
            if mode not in case:
                return "full build only"
            return f"{case[mode]['median']:.2f} ({case[mode]['min']:.2f}-{case[mode]['max']:.2f})"

        lines.append(
            f"| {case['tool']} | {case['pages']} | {cell('full')} | {cell('noop')} | {cell('one_changed')} | "
            f"{case['ms_per_page']:.2f} | {case['rss_mib']['median']:.0f} | {case['full']['runs']} | "
            f"{_ratio(case['full']['median'], floor)} |"
        )
    lines += [
        "",
        '"Full build only": the tool has no incremental mode, so a rebuild is a full build. The no-op and',
        "one-page rebuilds use each tool's own incremental mode: roadmap's input record, `mkdocs build --dirty`",
        "and Pelican's content cache. Memory is the peak resident set of the build's largest process.",
    ]
    lines += [
        "",
        "## One personal plan (seconds, warm process)",
        "",
        "| what | median | min | max |",
        "| --- | --- | --- | --- |",
    ]
    for name, s in results["plan"].items():
        lines.append(f"| {name} | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} |")
    if "pdf_size" in results:
        size, plan = results["pdf_size"], results["plan"]
        cost = plan["pdf only (roadmap)"]["median"] / plan["pdf untagged (roadmap)"]["median"]
        lines += [
            "",
            f"Tagging (PDF/UA-1) costs {cost:.2f}x the untagged time and "
            f"{size['tagged'] / size['untagged']:.2f}x the size ({size['tagged']:,} vs {size['untagged']:,} bytes).",
        ]
    lines += [
        "",
        "## Batch (fresh process per run, `--force`)",
        "",
        "| formats, jobs | profiles | median s | plans per second |",
        "| --- | --- | --- | --- |",
    ]
    for name, s in results["batch"].items():
        lines.append(f"| {name} | {s['profiles']} | {s['median']:.2f} | {s['plans_per_second']:.1f} |")
    lines += ["", "## Start-up (seconds)", "", "| command | median | min | max |", "| --- | --- | --- | --- |"]
    for name, s in results["startup"].items():
        lines.append(f"| `{name}` | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} |")
    return "\n".join(lines) + "\n"


def chart(results: dict[str, Any]) -> str:
    """Grouped bars: full build time per tool at each size (log scale)."""
    import math

    sizes = sorted({c["pages"] for c in results["site"].values() if "pages" in c})
    colors = {
        "roadmap": "#1f5f8b",
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
        parts.append(f"<text x='{x0 + group / 2}' y='{bottom + 18}' text-anchor='middle'>{pages} pages</text>")
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
            f"<rect x='{left + i * 130}' y='6' width='10' height='10' fill='{colors[tool]}'/>"
            f"<text x='{left + i * 130 + 14}' y='15'>{escape(tool)}</text>"
        )
    parts.append(f"<line x1='{left}' x2='{width - 10}' y1='{bottom}' y2='{bottom}' stroke='#333'/>")
    parts.append(f"<text x='12' y='{bottom / 2}' transform='rotate(-90 12 {bottom / 2})'>seconds (log)</text></svg>")
    return "".join(parts) + "\n"
