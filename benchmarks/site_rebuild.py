"""Time a full site build against a no-op rebuild and a one-page rebuild, on a generated corpus.

Usage: python benchmarks/site_rebuild.py [N ...]   (default N = 200 1000)
Prints medians of 5 runs each, with min and max, and the ratios measured in the same run.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from roadmap.commands.site import update_site
from roadmap.write.output import OutDir

RUNS = 5
PARAGRAPH = (
    "Plan your **Step 2 CK** date against the [ERAS calendar](https://www.aamc.org/) and keep a `genetics deck` "
    "of inheritance patterns; review *every* explanation, and record self-assessment scores in your profile."
)


def corpus(root: Path, pages: int) -> None:
    """Write `pages` modules with realistic inline markup into a content override folder."""
    folder = root / "overview"
    folder.mkdir(parents=True)
    for index in range(pages):
        body = "\n\n".join([f"## Part {part}\n\n{PARAGRAPH}" for part in range(1, 4)])
        (folder / f"generated-{index:05d}.md").write_text(
            f"---\nid: generated-{index:05d}\ntitle: Generated module {index}\nstage: overview\n"
            f'topics: [landscape]\norder: {index}\nsources: ["benchmark"]\n---\n{body}\n'
        )


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(pages: int) -> dict[str, list[float]]:
    from datetime import date

    work = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    try:
        corpus(work / "content", pages)
        today = date(2026, 11, 25)
        results: dict[str, list[float]] = {"full": [], "noop": [], "one_changed": []}
        for run in range(RUNS):
            out = work / f"out-{run}"

            def full(out: Path = out) -> None:
                update_site(work / "content", None, OutDir(out), base_url="/", today=today)

            results["full"].append(timed(full))
            results["noop"].append(timed(full))
            page = work / "content" / "overview" / "generated-00000.md"
            page.write_text(page.read_text().replace("Part 1", f"Part 1 (edit {run})"))
            results["one_changed"].append(timed(full))
        return results
    finally:
        shutil.rmtree(work)


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [200, 1000]
    for pages in sizes:
        results = measure(pages)
        medians = {k: statistics.median(v) for k, v in results.items()}
        print(f"N={pages} pages (+ built-in modules), {RUNS} runs:")
        for name, values in results.items():
            print(f"  {name:12s} median {medians[name]:.3f}s  min {min(values):.3f}s  max {max(values):.3f}s")
        print(
            f"  no-op / full = {medians['noop'] / medians['full']:.3f}; one-changed / full = "
            f"{medians['one_changed'] / medians['full']:.3f}"
        )


if __name__ == "__main__":
    main()
