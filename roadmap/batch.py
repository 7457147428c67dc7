"""Plans for a whole folder of advisees: parallel, incremental, resumable, shardable.

Every profile rides on the one pipeline (plan_profile, write_plan). One bad profile never stops
the others; it becomes an error row. Each profile's folder records a hash of everything it was
built from and, last of all, its summary row, so a killed run resumes where it stopped and an
unchanged profile is skipped. Shards (--shard K/N) each write their rows; merging them gives
the same summary.csv and dashboard as one unsharded run.
"""

from __future__ import annotations

import concurrent.futures
import csv
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roadmap import __version__
from roadmap.errors import InputError, Problem
from roadmap.output import OutDir
from roadmap.parallel import available_cpus
from roadmap.slug import slugify
from roadmap.yamlsrc import load_yaml, read_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from roadmap.pipeline import Inputs
    from roadmap.plan import Plan

ROWS_DIR = ".batch"
INPUT_HASH_FILE = ".roadmap-input"
ROW_FILE = ".roadmap-row.json"
CSV_COLUMNS = (
    "slug",
    "name",
    "source",
    "status",
    "stage",
    "flags",
    "next_milestone",
    "next_milestone_date",
    "days_left",
    "attention",
    "error",
)
# Flags and warnings that put an advisee at the top of the dashboard.
ATTENTION_FLAGS = {
    "step1-failed": "failed Step 1 attempt",
    "step2ck-failed": "failed Step 2 CK attempt",
    "no-genetics-letter": "no genetics letter",
}


@dataclass(frozen=True)
class Job:
    """One profile to build, with its folder decided up front (the same in every shard)."""

    source: Path
    display: str
    slug: str
    name: str  # from the profile when it has one, for error rows too
    position: int  # in the sorted list of all profiles


@dataclass(frozen=True)
class Row:
    """One line of summary.csv and of the dashboard."""

    slug: str
    name: str
    source: str
    status: str  # ok | error
    stage: str = ""
    flags: tuple[str, ...] = ()
    next_milestone: str = ""
    next_milestone_date: str = ""
    days_left: int | None = None
    attention: tuple[str, ...] = ()
    error: str = ""
    files: tuple[str, ...] = ()
    program_tiers: str = ""  # "likely 1, target 2, ..." when the profile names a program list

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        data = {
            **data,
            "flags": tuple(data["flags"]),
            "attention": tuple(data["attention"]),
            "files": tuple(data["files"]),
        }
        return cls(**data)


def find_profiles(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders searched recursively for *.yaml and *.yml; sorted, each once.

    Inside folders, links are not followed (neither to files nor to folders): a profile folder
    cannot pull in a file from elsewhere. A file named on the command line is taken as given.
    """
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            candidates = []
            for folder, subfolders, names in os.walk(path, followlinks=False):
                subfolders.sort()
                candidates += [Path(folder) / n for n in sorted(names) if n.endswith((".yaml", ".yml"))]
            candidates = [c for c in candidates if c.is_file() and not c.is_symlink()]
        else:
            candidates = [path]
        for candidate in candidates:
            found.setdefault(candidate.resolve().as_posix(), candidate)
    return [found[key] for key in sorted(found)]


def plan_jobs(files: list[Path]) -> list[Job]:
    """Give every profile a safe folder name; collisions get -2, -3… in sorted path order."""
    jobs: list[Job] = []
    taken: set[str] = set()
    for file in files:
        display = file.as_posix()
        name = _name_of(file, display)
        base = slugify(name or file.stem)
        slug, count = base, 1
        while slug in taken or slug == ROWS_DIR.strip("."):
            count += 1
            slug = f"{base}-{count}"
        taken.add(slug)
        jobs.append(Job(file, display, slug, name or "", len(jobs)))
    return jobs


def _name_of(file: Path, display: str) -> str | None:
    try:
        data = load_yaml(read_text(file, display), display).data
    except InputError:
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def shard_of(job: Job, count: int) -> int:
    """The shard (1..count) a profile belongs to: round robin over the sorted jobs, so shards are
    balanced and every machine that sees the same files makes the same split."""
    return job.position % count + 1


def input_hash(job: Job, formats: tuple[str, ...], today: date, fingerprint: str) -> str:
    """Everything a profile's outputs depend on: its bytes, the content, templates, tool and date."""
    try:
        data = job.source.read_bytes()
    except OSError:
        data = b""
    parts = [__version__, today.isoformat(), ",".join(formats), fingerprint, job.slug, job.display]
    return hashlib.sha256("\0".join(parts).encode() + b"\0" + data).hexdigest()


def row_for(plan: Plan, job: Job, files: tuple[str, ...]) -> Row:
    """Summarise a plan for the dashboard."""
    upcoming = [m for m in plan.milestones if m.status in ("next", "later")]
    following = upcoming[0] if upcoming else None
    attention = [ATTENTION_FLAGS[f] for f in plan.flags if f in ATTENTION_FLAGS]
    attention += [f"overdue: {m.title}" for m in plan.milestones if m.status == "overdue"][:3]
    attention += list(plan.warnings)
    return Row(
        slug=job.slug,
        name=plan.profile.name,
        source=job.display,
        status="ok",
        stage=plan.stage,
        flags=plan.flags,
        next_milestone=following.title if following else "",
        days_left=(following.date - plan.today).days if following else None,
        next_milestone_date=following.date.isoformat() if following else "",
        attention=tuple(attention),
        files=files,
        program_tiers=", ".join(f"{tier} {n}" for tier, n in plan.programs.counts.items()) if plan.programs else "",
    )


_INPUTS: Inputs | None = None


def _worker_init(content_dir: Path | None, templates_dir: Path | None) -> None:
    global _INPUTS
    from roadmap.pipeline import load_inputs

    _INPUTS = load_inputs(content_dir, templates_dir)


def build_one(job: Job, out_root: Path, formats: tuple[str, ...], today: date, digest: str, created: Any) -> Row:
    """Build one profile into <out>/<slug>/; any input problem becomes an error row."""
    from roadmap.pipeline import plan_profile, write_plan

    assert _INPUTS is not None, "the worker was not initialised"
    folder = OutDir(out_root / job.slug)
    try:
        plan = plan_profile(job.source, _INPUTS, today, display=job.display)
        folder.prepare()
        written = write_plan(plan, _INPUTS, folder, formats, created=created)
        row = row_for(plan, job, tuple(sorted(p.relative_to(folder.root).as_posix() for p in written)))
    except InputError as exc:
        row = Row(job.slug, job.name, job.display, "error", error=" | ".join(p.format() for p in exc.problems))
    try:
        folder.prepare()
        # The row and the input hash go last: until both are written the profile counts as not done.
        folder.write(ROW_FILE, (json.dumps(asdict(row), sort_keys=True) + "\n").encode())
        folder.write(INPUT_HASH_FILE, digest.encode())
    except InputError as exc:  # e.g. a full disk: report it; the next run does this profile again
        if row.status == "ok":
            row = Row(job.slug, row.name, job.display, "error", error=" | ".join(p.format() for p in exc.problems))
    return row


def _done_row(job: Job, out_root: Path, digest: str) -> Row | None:
    folder = out_root / job.slug
    try:
        if (folder / INPUT_HASH_FILE).read_text() != digest:
            return None
        row = Row.from_json(json.loads((folder / ROW_FILE).read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return row if all((folder / f).is_file() for f in row.files) else None


@dataclass(frozen=True)
class BatchOptions:
    formats: tuple[str, ...]
    today: date
    jobs: int
    force: bool = False
    shard: tuple[int, int] = (1, 1)


def run_batch(
    jobs: list[Job],
    out: OutDir,
    options: BatchOptions,
    *,
    content_dir: Path | None,
    templates_dir: Path | None,
    fingerprint: str,
    created: Any,
    progress: Callable[[Row], None],
) -> list[Row]:
    """Build this shard's profiles (in parallel), skipping the unchanged; return its rows in job order."""
    index, count = options.shard
    mine = [job for job in jobs if shard_of(job, count) == index]
    rows: dict[str, Row] = {}
    todo: list[tuple[Job, str]] = []
    for job in mine:
        digest = input_hash(job, options.formats, options.today, fingerprint)
        done = None if options.force else _done_row(job, out.root, digest)
        if done is not None:
            rows[job.slug] = done
            progress(done)
        else:
            todo.append((job, digest))
    if todo and options.jobs <= 1:
        _worker_init(content_dir, templates_dir)
        for job, digest in todo:
            rows[job.slug] = build_one(job, out.root, options.formats, options.today, digest, created)
            progress(rows[job.slug])
    elif todo:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=options.jobs, initializer=_worker_init, initargs=(content_dir, templates_dir)
        ) as pool:
            futures = {
                pool.submit(build_one, job, out.root, options.formats, options.today, digest, created): job
                for job, digest in todo
            }
            for future in concurrent.futures.as_completed(futures):
                row = future.result()
                rows[row.slug] = row
                progress(row)
    result = [rows[job.slug] for job in mine]
    shard_file = f"{ROWS_DIR}/shard-{index}-of-{count}.json"
    out.write(shard_file, (json.dumps([asdict(r) for r in result], indent=1, sort_keys=True) + "\n").encode())
    return result


def merge_rows(out: OutDir) -> tuple[list[Row], list[str]]:
    """Read every shard's rows; return them and a list of shards still missing."""
    folder = out.root / ROWS_DIR
    files = sorted(folder.glob("shard-*-of-*.json")) if folder.is_dir() else []
    counts = {int(f.stem.rsplit("-", 1)[1]) for f in files}
    if len(counts) > 1:
        raise InputError(
            [
                Problem(
                    str(folder),
                    1,
                    1,
                    "shards",
                    "shard files from different --shard N runs are mixed",
                    ", ".join(sorted(str(c) for c in counts)),
                )
            ]
        )
    missing: list[str] = []
    if counts:
        total = counts.pop()
        present = {int(f.stem.split("-")[1]) for f in files}
        missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in present]
    rows = [Row.from_json(item) for f in files for item in json.loads(f.read_text())]
    return sorted(rows, key=lambda r: (r.source, r.slug)), missing


def summary_csv(rows: list[Row]) -> bytes:
    """summary.csv: one row per profile; cells that a spreadsheet would run as formulas are neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [
            row.slug,
            row.name,
            row.source,
            row.status,
            row.stage,
            " ".join(row.flags),
            row.next_milestone,
            row.next_milestone_date,
            "" if row.days_left is None else str(row.days_left),
            "; ".join(row.attention),
            row.error,
            row.program_tiers,
        ]
        writer.writerow([safe_cell(v) for v in values])
    return buffer.getvalue().encode("utf-8")


def safe_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would treat as a formula (=, +, -, @, tab, CR)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def dashboard_rows(rows: list[Row]) -> list[Row]:
    """Errors and advisees needing attention first, then by the next deadline, then by name."""
    return sorted(
        rows,
        key=lambda r: (
            r.status != "error",
            not r.attention,
            r.days_left if r.days_left is not None else 10**6,
            r.name.lower(),
            r.slug,
        ),
    )


def default_jobs() -> int:
    return available_cpus()
