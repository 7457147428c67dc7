"""Render and write many files on every CPU: this process takes one share, forked helpers the rest.

Forking (not spawning) means a helper starts with everything already loaded (templates, content,
the list of pages) and nothing is pickled but what it wrote (paths, sizes, hashes). Where fork is not the
safe choice (macOS, Windows) the work stays in this process.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap.write.output import OutDir, Written

Render = Callable[[], bytes]
# Files written in order by one process: a file may use what the files before it left behind
# (a part of the site's search index, the texts of the pages rendered just before it).
Group = Sequence[tuple[str, Render]]
# Below this many files per process, starting a helper costs more than it saves.
MIN_FILES_PER_PROCESS = 64

_shared: tuple[OutDir, Sequence[Group], int, int] | None = None


def available_cpus() -> int:
    """CPUs this process may run on (a container's or `taskset`'s limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def processes_for(count: int, jobs: int | None) -> int:
    """How many processes to use for `count` files when asked for `jobs` (None: one per CPU)."""
    if not sys.platform.startswith("linux"):
        return 1
    wanted = jobs if jobs else available_cpus()
    return max(1, min(wanted, count // MIN_FILES_PER_PROCESS))


def write_all(out: OutDir, groups: Sequence[Group], *, jobs: int | None = None) -> None:
    """Render and write the files of every group into `out`, without an fsync per file.

    Each group is written by one process, in order; groups go to processes in turn, so shares
    cost about the same when groups do. Helpers send back only what they wrote (see `_write_share`).
    """
    processes = processes_for(sum(len(group) for group in groups), jobs)
    if processes == 1:
        for group in groups:
            for path, render in group:
                out.write(path, render(), durable=False)
        return
    global _shared
    _shared = (out, groups, processes, os.getpid())
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(processes - 1, mp_context=context) as helpers:
            futures = [helpers.submit(_write_share, share) for share in range(1, processes)]
            _write_share(0)  # this process's share, written through `out` itself
            results = [future.result() for future in futures]
    finally:
        _shared = None
    for written in results:
        out.adopt(written)


def _write_share(share: int) -> dict[str, Written]:
    """Write every `processes`-th group starting at `share`.

    A helper sends back what it wrote (each file's sha256 and size), so this process never
    reads a page back to record it.
    """
    assert _shared is not None
    out, groups, processes, parent = _shared
    before = out.written_count()
    for group in groups[share::processes]:
        for path, render in group:
            if share and os.getppid() != parent:
                os._exit(1)  # the build was killed: a helper must not go on writing behind its back
            out.write(path, render(), durable=False)
    return out.written_since(before) if share else {}
