"""Render and write many files on every CPU: this process takes one share, forked helpers the rest.

Forking (not spawning) means a helper starts with everything already loaded (templates, content,
the list of pages) and nothing is pickled but the list of paths it wrote. Where fork is not the
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
    from roadmap.write.output import OutDir

Render = Callable[[], bytes]
# Below this many files per process, starting a helper costs more than it saves.
MIN_FILES_PER_PROCESS = 64

_shared: tuple[OutDir, Sequence[tuple[str, Render]], int, int, Callable[[], object] | None] | None = None


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


def write_all(
    out: OutDir,
    pending: Sequence[tuple[str, Render]],
    *,
    jobs: int | None = None,
    share_back: Callable[[], object] | None = None,
    receive: Callable[[object], None] | None = None,
) -> None:
    """Render and write each (path, render) pair into `out`, without an fsync per file.

    `share_back` runs in each helper after its share, and `receive` gets what it returned here:
    how work a helper did (such as rendered bodies) reaches this process without being redone.
    """
    processes = processes_for(len(pending), jobs)
    if processes == 1:
        for path, render in pending:
            out.write(path, render(), durable=False)
        return
    global _shared
    _shared = (out, pending, processes, os.getpid(), share_back)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(processes - 1, mp_context=context) as helpers:
            futures = [helpers.submit(_write_share, share) for share in range(1, processes)]
            _write_share(0)  # this process's share, written through `out` itself
            results = [future.result() for future in futures]
    finally:
        _shared = None
    for written, shared in results:
        out.adopt(written)
        if receive is not None:
            receive(shared)


def _write_share(share: int) -> tuple[list[str], object]:
    """Write every `processes`-th file starting at `share` (interleaved, so shares cost the same)."""
    assert _shared is not None
    out, pending, processes, parent, share_back = _shared
    written = []
    for path, render in pending[share::processes]:
        if share and os.getppid() != parent:
            os._exit(1)  # the build was killed: a helper must not go on writing behind its back
        out.write(path, render(), durable=False)
        written.append(path)
    return written, (share_back() if share and share_back is not None else None)
