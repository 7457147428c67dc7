"""How long the scan of a module body takes when its markers are never closed (issue 22).

The scan `roadmap check` and every build run on each module (roadmap.load.bodies.inspect_body) once
restarted at every unclosed `{{`, `[` or `<a`: 100,000 characters took 48 s. It is linear now,
so ten times the text should take about ten times as long. Module files are capped at 256 KiB
(roadmap.limits.MAX_MODULE_BYTES); the 1 MB body is scanned directly, to show the slope.

Usage: python benchmarks/bench_module_scan.py [--runs N]
Prints the median of N runs (default 5) for each body, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from roadmap.load.bodies import inspect_body

SIZES = {"10 KB": 10_000, "100 KB": 100_000, "1 MB": 1_000_000}
# One unit repeated: every marker opens and none closes. "{{ a " is one placeholder left open,
# "[a " a link text with no "](", "<a " a tag with no ">".
MARKERS = {"{{": "{{ a ", "[": "[a ", "<a": "<a "}


def median_ms(body: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        inspect_body(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per body (the median is shown)")
    runs = parser.parse_args().runs
    print(f"inspect_body, median of {runs} runs, milliseconds")
    print(f"{'unclosed':<10}" + "".join(f"{name:>10}" for name in SIZES))
    for marker, unit in MARKERS.items():
        cells = [median_ms(unit * (size // len(unit)), runs) for size in SIZES.values()]
        print(f"{marker:<10}" + "".join(f"{ms:>10.1f}" for ms in cells))


if __name__ == "__main__":
    main()
