"""Plans for a whole folder of advisees: parallel, incremental, resumable, shardable.

Every profile rides on the one pipeline (plan_profile, write_plan). One bad profile never stops
the others; it becomes an error row. Each profile's folder records a hash of everything it was
built from and, last of all, its summary row, so a killed run resumes where it stopped and an
unchanged profile is skipped. Shards (--shard K/N) each write their rows; merging them gives
the same summary.csv and dashboard as one unsharded run.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from roadmap import __version__
from roadmap.commands import changes as runs
from roadmap.errors import InputError, Problem, printable, show_value
from roadmap.load.yamlsrc import load_yaml, read_bytes, read_text
from roadmap.slug import SLUG, slugify
from roadmap.write.csvtable import CsvTable
from roadmap.write.output import OutDir
from roadmap.write.parallel import available_cpus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from roadmap.commands.pipeline import Inputs
    from roadmap.decide.plan import Plan
    from roadmap.load.layers import Layered
    from roadmap.load.rules import Rules
    from roadmap.vocabulary import Detail

ROWS_DIR = ".batch"
INPUT_HASH_FILE = ".roadmap-input"
ROW_FILE = ".roadmap-row.json"
# The templates a batch renders: checked once before any plan is built (a broken theme would
# break every plan; one clear error beats a hundred identical rows).
BATCH_TEMPLATES = ("plan.html", "batch/dashboard.html")
SHARD_FILE = re.compile(r"shard-([1-9][0-9]*)-of-([1-9][0-9]*)\.json")  # one name per shard: no leading zeros
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
    display: str  # the path as the user typed it, for messages on the terminal
    slug: str
    name: str  # from the profile when it has one, for error rows too
    position: int  # in the sorted list of all profiles
    public: str  # the path as outputs show it: relative to the folder given, never absolute

    def public_problem(self, problem: Problem, out_root: Path) -> Problem:
        """`problem` as an output shows it: its path relative to the out dir or the folder given."""
        path, typed_folder = problem.path, self.display.removesuffix(self.public)
        out_folder = out_root.as_posix() + "/"
        if path.startswith(out_folder):
            path = path.removeprefix(out_folder)
        elif self.display.endswith(self.public) and path.startswith(typed_folder):
            path = path.removeprefix(typed_folder)
        elif PurePath(path).is_absolute():
            path = PurePath(path).name
        return replace(problem, path=path)


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
    # What the next run compares (changes.facts_of); not a column of summary.csv.
    facts: runs.Facts = ()

    @classmethod
    def from_json(cls, data: object) -> Row:
        """A row read back from a file (a shard's rows, a profile folder's record), checked like
        one we make: a forged file cannot put a link, a script or a control character into the
        dashboard or summary.csv. Raises BadRow."""
        if not isinstance(data, dict):
            raise BadRow("", "must be an object", type(data).__name__)
        names = [f.name for f in fields(cls)]
        for key in data:
            if key not in names:
                raise BadRow(str(key), "unknown field")
        for name in names:
            if name not in data:
                raise BadRow(name, "missing")
            check, message = _ROW_RULES[name]
            if not check(data[name]):
                raise BadRow(name, message, data[name])
        tuples = {name: tuple(data[name]) for name in ("flags", "attention", "files")}
        return cls(**{**data, **tuples, "facts": tuple((what, value) for what, value in data["facts"])})

    def cleaned(self) -> Row:
        """The same row with control characters replaced in every text (see errors.printable)."""
        changes: dict[str, Any] = {name: printable(getattr(self, name)) for name in _TEXT_FIELDS}
        for name in ("flags", "attention"):
            changes[name] = tuple(printable(item) for item in getattr(self, name))
        return replace(self, **changes)


# summary.csv: one line per row; each column beside the cell it takes from the row.
SUMMARY = CsvTable[Row](
    (
        ("slug", lambda r: r.slug),
        ("name", lambda r: r.name),
        ("source", lambda r: r.source),
        ("status", lambda r: r.status),
        ("stage", lambda r: r.stage),
        ("flags", lambda r: " ".join(r.flags)),
        ("next_milestone", lambda r: r.next_milestone),
        ("next_milestone_date", lambda r: r.next_milestone_date),
        ("days_left", lambda r: "" if r.days_left is None else str(r.days_left)),
        ("attention", lambda r: "; ".join(r.attention)),
        ("error", lambda r: r.error),
        ("program_tiers", lambda r: r.program_tiers),
    )
)


class BadRow(ValueError):
    """A row in a file that this tool could not have written."""

    def __init__(self, field: str, message: str, got: object = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.got = None if got is None else show_value(got)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and printable(value) == value


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(_is_text(item) for item in value)


def _is_date_or_empty(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return value == "" or bool(date.fromisoformat(value))
    except ValueError:
        return False


def _is_file_names(value: object) -> bool:
    """Files the batch wrote into a profile's folder: relative paths, no `..`, no scheme."""
    return isinstance(value, list) and all(
        isinstance(item, str) and _FILE.fullmatch(item) is not None and ".." not in item.split("/") for item in value
    )


_FILE = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_TEXT_FIELDS = ("name", "source", "next_milestone", "error", "program_tiers")
_TEXTS = "must be a list of texts without control characters"
# What each field of a row read back from a file must hold, and what to say when it does not.
_ROW_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "slug": (
        lambda v: isinstance(v, str) and SLUG.fullmatch(v) is not None,
        "must be a folder name of a-z, 0-9 and single hyphens",
    ),
    "status": (lambda v: v in ("ok", "error"), "must be ok or error"),
    # Stages are data (a --content folder may add one), so a row's stage is checked by its form.
    "stage": (
        lambda v: v == "" or (isinstance(v, str) and SLUG.fullmatch(v) is not None),
        "must be a stage id of a-z, 0-9 and single hyphens, or empty",
    ),
    "next_milestone_date": (_is_date_or_empty, "must be a date YYYY-MM-DD or empty"),
    "days_left": (lambda v: v is None or type(v) is int, "must be a whole number or null"),
    "flags": (_is_texts, _TEXTS),
    "attention": (_is_texts, _TEXTS),
    "files": (_is_file_names, "must be a list of relative file names"),
    "facts": (runs.is_facts, "must be a list of [what, value] pairs of texts, each what known and once"),
    **dict.fromkeys(_TEXT_FIELDS, (_is_text, "must be a text without control characters")),
}


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


def plan_jobs(files: list[Path], given: Iterable[Path] = ()) -> list[Job]:
    """Give every profile a safe folder name; collisions get -2, -3… in sorted path order.

    `given` are the paths named on the command line: outputs name a profile relative to the
    folder it was found in.
    """
    from roadmap.commands.pipeline import public_path

    folders = [path for path in given if path.is_dir()]
    jobs: list[Job] = []
    taken: set[str] = set()
    for file in files:
        # A file name, or the raw name of a profile that is not valid, is someone else's text: it
        # reaches messages, summary.csv and the dashboard, so control characters go here, once.
        display = printable(file.as_posix())
        name = _name_of(file, display)
        base = slugify(name or file.stem)
        slug, count = base, 1
        while slug in taken or slug == ROWS_DIR.strip("."):
            count += 1
            slug = f"{base}-{count}"
        taken.add(slug)
        folder = next((f for f in folders if file.is_relative_to(f)), None)
        public = printable(file.relative_to(folder).as_posix() if folder else public_path(file.as_posix()))
        jobs.append(Job(file, display, slug, name or "", len(jobs), public))
    return jobs


def _name_of(file: Path, display: str) -> str | None:
    try:
        data = load_yaml(read_text(file, display), display).data
    except InputError:
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return printable(name) if isinstance(name, str) else None


def shard_of(job: Job, count: int) -> int:
    """The shard (1..count) a profile belongs to: round robin over the sorted jobs, so shards are
    balanced and every machine that sees the same files makes the same split."""
    return job.position % count + 1


def input_hash(job: Job, formats: tuple[str, ...], today: date, fingerprint: str) -> str:
    """Everything a profile's outputs depend on: its bytes, the content, templates, tool and date."""
    try:
        # The same guarded read as every input: a FIFO or /dev/zero is refused, never waited on.
        data = read_bytes(job.source, job.display)
    except InputError:
        data = b""  # build_one reports it as this profile's error row
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
        source=job.public,
        status="ok",
        stage=plan.stage,
        flags=plan.flags,
        next_milestone=following.title if following else "",
        days_left=(following.date - plan.today).days if following else None,
        next_milestone_date=following.date.isoformat() if following else "",
        attention=tuple(attention),
        files=files,
        program_tiers=", ".join(f"{tier} {n}" for tier, n in plan.programs.counts.items()) if plan.programs else "",
        facts=runs.facts_of(plan),
    ).cleaned()


_INPUTS: Inputs | None = None  # what build_one builds with, in this process


def _worker_init(content_dir: Path | None, templates_dir: Path | None, detail: Detail = "short") -> None:
    """Load the inputs in a spawned worker (a forked one starts with its parent's)."""
    global _INPUTS
    from roadmap.commands.pipeline import load_inputs

    _INPUTS = load_inputs(content_dir, templates_dir, detail=detail)


@contextlib.contextmanager
def _building_with(inputs: Inputs) -> Iterator[None]:
    """build_one uses `inputs` in this process, and in the processes forked meanwhile."""
    global _INPUTS
    _INPUTS = inputs
    try:
        yield
    finally:
        _INPUTS = None


def _workers(
    count: int, options: BatchOptions, content_dir: Path | None, templates_dir: Path | None
) -> concurrent.futures.ProcessPoolExecutor:
    """`count` processes that build profiles.

    Forked where fork is safe (Linux), so each starts with this process's inputs and, when PDFs
    are wanted, with WeasyPrint imported (about 0.6 s of CPU that each process would spend again,
    at the same time as the others, before its first PDF). Elsewhere each spawned process loads
    the inputs itself.
    """
    if sys.platform.startswith("linux"):
        if "pdf" in options.formats:
            from roadmap.render.pdf import preload

            preload()
        return concurrent.futures.ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    return concurrent.futures.ProcessPoolExecutor(
        count, initializer=_worker_init, initargs=(content_dir, templates_dir, options.detail)
    )


def build_one(
    job: Job, out_root: Path, formats: tuple[str, ...], today: date, digest: str, created: Any, force_out: bool = False
) -> tuple[Row, str]:
    """Build one profile into <out>/<slug>/; any input problem becomes an error row.

    Files there that the folder's record does not prove ours are not overwritten (unless
    `force_out`): the profile becomes an error row instead.

    Returns the row and, for an error row, its error with paths as the user typed them (for
    the terminal; the row itself, an output, never holds an absolute path).
    """
    from roadmap.commands.pipeline import plan_profile, write_plan

    assert _INPUTS is not None, "the worker was not initialised"
    # A subfolder: <out>/<slug> itself must not be a link that sends the plan elsewhere.
    folder = OutDir(out_root).subfolder(job.slug)
    shown = ""
    reusable = True  # an error in the profile stays while its inputs do; one in writing may not
    try:
        plan = plan_profile(job.source, _INPUTS, today, display=job.display, source=job.public)
    except InputError as exc:
        plan, (row, shown) = None, _error_row(job, job.name, exc, out_root)
    try:
        folder.prepare()
        folder.keep_record(force=force_out, warn=_warn)  # before any write, the row's too
        if plan is not None:
            written = write_plan(plan, _INPUTS, folder, formats, created=created)
            row = row_for(plan, job, tuple(sorted(p.relative_to(folder.root).as_posix() for p in written)))
    except InputError as exc:  # the folder, or a file in it, is in the way: the next run tries again
        if plan is not None:  # a profile's own error is the one to show
            row, shown = _error_row(job, job.name, exc, out_root)
        reusable = False
    try:
        folder.prepare()
        folder.save_record()  # before the input hash: a run killed while saving it redoes the profile
        # The row and the input hash go last: until both are written the profile counts as not done.
        folder.write(ROW_FILE, (json.dumps(asdict(row), sort_keys=True) + "\n").encode())
        folder.write(INPUT_HASH_FILE, (digest if reusable else "").encode())  # "": no input matches
    except InputError as exc:  # e.g. a full disk: report it; the next run does this profile again
        if row.status == "ok":
            row, shown = _error_row(job, row.name, exc, out_root)
    return row, shown


def _warn(problem: Problem) -> None:
    """A warning about a profile's folder, on stderr: a worker process has no other way to the terminal."""
    sys.stderr.write(printable(problem.format()) + "\n")
    sys.stderr.flush()


def _error_row(job: Job, name: str, error: InputError, out_root: Path) -> tuple[Row, str]:
    """A profile that could not be built or written: its problems on one line, joined by " | ".

    Returns the row (paths relative, see `Job.public_problem`) and the same line as typed.
    """

    def one_line(problems: Iterable[Problem]) -> str:
        return " | ".join(p.format() for p in problems).replace("\n", " ").replace("\t", " ")

    public = one_line(job.public_problem(p, out_root) for p in error.problems)
    row = Row(job.slug, name, job.public, "error", error=public, facts=runs.UNREADABLE_FACTS).cleaned()
    return row, printable(one_line(error.problems))


def _done_row(job: Job, out_root: Path, digest: str) -> Row | None:
    folder = out_root / job.slug
    if folder.is_symlink():
        return None  # built again, so that the refusal to write through it is reported
    try:
        if (folder / INPUT_HASH_FILE).read_text() != digest:
            return None
        row = Row.from_json(json.loads((folder / ROW_FILE).read_text()))
    except (OSError, ValueError):  # unreadable or not a row we could have written: build it again
        return None
    return row if row.slug == job.slug and all((folder / f).is_file() for f in row.files) else None


@dataclass(frozen=True)
class BatchOptions:
    formats: tuple[str, ...]
    today: date
    jobs: int
    force: bool = False
    shard: tuple[int, int] = (1, 1)
    force_out: bool = False  # overwrite files in profile folders that roadmap cannot prove it wrote
    detail: Detail = "short"  # how much guidance each plan prints
    since: int | None = None  # compare with this kept run instead of the last completed one


def run_batch(
    jobs: list[Job],
    out: OutDir,
    options: BatchOptions,
    *,
    content_dir: Path | None,
    templates_dir: Path | None,
    fingerprint: str,
    created: Any,
    progress: Callable[[Row, bool], None],
    shown_errors: dict[str, str] | None = None,
    inputs: Inputs | None = None,
) -> list[Row]:
    """Build this shard's profiles (in parallel), skipping the unchanged; return its rows in job order.

    `progress(row, built)` hears of every profile as it is done; `built` is False for one skipped as unchanged.
    `shown_errors` gets, by slug, the error of each profile that failed in this run with its
    paths as the user typed them (the rows hold them relative). `inputs`: the content and
    templates already loaded from `content_dir` and `templates_dir` (None: loaded here).
    """
    from roadmap.commands.pipeline import load_inputs

    shown = shown_errors if shown_errors is not None else {}
    check_theme(templates_dir)
    index, count = options.shard
    mine = [job for job in jobs if shard_of(job, count) == index]
    rows: dict[str, Row] = {}
    todo: list[tuple[Job, str]] = []
    for job in mine:
        digest = input_hash(job, options.formats, options.today, fingerprint)
        done = None if options.force else _done_row(job, out.root, digest)
        if done is not None:
            rows[job.slug] = done
            progress(done, False)
        else:
            todo.append((job, digest))
    if todo:
        loaded = inputs if inputs is not None else load_inputs(content_dir, templates_dir, detail=options.detail)
        for row, error in _build(todo, loaded, out.root, options, created, content_dir, templates_dir):
            rows[row.slug], shown[row.slug] = row, error
            progress(row, True)
    result = [rows[job.slug] for job in mine]
    # The date goes with the rows, so that a merge can refuse shards made for different days.
    shard = {"today": options.today.isoformat(), "rows": [asdict(r) for r in result]}
    text = json.dumps(shard, indent=1, sort_keys=True) + "\n"
    out.write(f"{ROWS_DIR}/shard-{index}-of-{count}.json", text.encode())
    return result


def _build(
    todo: list[tuple[Job, str]],
    inputs: Inputs,
    out_root: Path,
    options: BatchOptions,
    created: Any,
    content_dir: Path | None,
    templates_dir: Path | None,
) -> Iterator[tuple[Row, str]]:
    """Build each (job, input hash) of `todo`; yield its row and error as it is done (in any order)."""
    tasks = [(job, out_root, options.formats, options.today, hash_, created, options.force_out) for job, hash_ in todo]
    workers = min(options.jobs, len(tasks))  # a process with nothing to build would only start up
    with _building_with(inputs):
        if workers == 1:
            yield from (build_one(*task) for task in tasks)
            return
        with _workers(workers, options, content_dir, templates_dir) as pool:
            futures = [pool.submit(build_one, *task) for task in tasks]
            yield from (future.result() for future in concurrent.futures.as_completed(futures))


@dataclass(frozen=True)
class Outcome:
    """What one `roadmap batch` did, for the command to report."""

    rows: list[Row]
    today: date  # the date of the plans: a merge takes the shards' date
    unchanged: int = 0  # profiles skipped because their inputs did not change (failed ones not counted)
    shown_errors: Mapping[str, str] = field(default_factory=dict)  # by slug, this run's errors as typed
    missing: tuple[str, ...] = ()  # a merge: the shards not finished yet (nothing was written)

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.status == "error"]


def run(
    paths: tuple[Path, ...],
    out: OutDir,
    options: BatchOptions,
    *,
    content_dir: Path | None,
    templates_dir: Path | None,
    created: Any,
    start: Callable[[int], Callable[[], None]],
) -> Outcome:
    """`roadmap batch PATHS`: build this shard's profiles; unsharded, write summary.csv and the dashboard.

    `start(total)` hears how many profiles this shard builds and returns what to call as each is done.
    """
    from roadmap.commands.pipeline import load_inputs
    from roadmap.load.layers import BUILTIN_CONTENT, BUILTIN_TEMPLATES, Layered
    from roadmap.load.rules import rules_or_builtin
    from roadmap.write.sitestate import inputs_fingerprint

    # Fail early, once, on bad content rather than in every worker.
    inputs = load_inputs(content_dir, templates_dir, detail=options.detail)
    jobs = plan_jobs(find_profiles(paths), paths)
    templates = Layered(BUILTIN_TEMPLATES, templates_dir)
    fingerprint = inputs_fingerprint(Layered(BUILTIN_CONTENT, content_dir), templates, base_url="", today=options.today)
    fingerprint += f":{options.detail}"  # a short and a full plan of the same profile differ
    index, count = options.shard
    tick = start(sum(1 for job in jobs if shard_of(job, count) == index))
    unchanged: set[str] = set()

    def progress(row: Row, built: bool) -> None:
        tick()
        if not built:
            unchanged.add(row.slug)

    shown: dict[str, str] = {}
    rows = run_batch(
        jobs,
        out,
        options,
        content_dir=content_dir,
        templates_dir=templates_dir,
        fingerprint=fingerprint,
        created=created,
        progress=progress,
        shown_errors=shown,
        inputs=inputs,
    )
    if options.shard == (1, 1):
        write_summary(out, rows, templates, options.today, rules_or_builtin(inputs.rules), since=options.since)
    failed = {row.slug for row in rows if row.status == "error"}
    return Outcome(rows, options.today, len(unchanged - failed), shown)


def merge(
    out: OutDir, today: date | None, content_dir: Path | None, templates_dir: Path | None, since: int | None = None
) -> Outcome:
    """`roadmap batch --merge`: join the shards' rows into summary.csv and the dashboard, once all are done."""
    from roadmap.load.layers import BUILTIN_CONTENT, BUILTIN_TEMPLATES, Layered
    from roadmap.load.rules import load_rules

    rows, missing, day = merge_rows(out, today)
    if missing:
        return Outcome(rows, day, missing=tuple(missing))
    rules = load_rules(Layered(BUILTIN_CONTENT, content_dir))
    write_summary(out, rows, Layered(BUILTIN_TEMPLATES, templates_dir), day, rules, since=since)
    return Outcome(rows, day)


def write_summary(
    out: OutDir, rows: list[Row], templates: Layered, today: date, rules: Rules, *, since: int | None = None
) -> None:
    """summary.csv, changes.csv and the dashboard for every row; then this run's snapshot.

    summary.csv goes first: when the dashboard template of a user's theme fails on these rows
    (an input error naming its line), the table of results is still written. The snapshot goes
    last: a run killed before it is not a completed run, and the next compares with the one before.
    """
    from roadmap.render.dashboard import write_dashboard

    snapshot = {row.slug: runs.Advisee(row.name, row.facts) for row in rows}
    before = runs.last_snapshot(out) if since is None else runs.snapshot_of_run(out, since)
    changes = runs.compare(before, snapshot)
    out.write("summary.csv", SUMMARY.render(sorted(rows, key=lambda r: (r.source, r.slug))))
    runs.write_changes(out, changes)
    counts = {
        "attention": sum(1 for r in rows if r.attention),
        "error": sum(1 for r in rows if r.status == "error"),
        "changed": len({c.slug for c in changes if c.what != runs.GONE}),
        "gone": sum(1 for c in changes if c.what == runs.GONE),
    }
    write_dashboard(out, dashboard_rows(rows), counts, templates, today, rules, changes=runs.by_slug(changes))
    runs.write_snapshot(out, snapshot, today)


def check_theme(templates_dir: Path | None) -> None:
    """Find an error in the user's templates once, before any plan is built with them.

    An error that shows only for some profiles (a name undefined for one plan) is met while
    rendering instead, and becomes that profile's error row.
    """
    if templates_dir is None:
        return
    from roadmap.load.layers import BUILTIN_TEMPLATES, Layered
    from roadmap.render.html import make_environment
    from roadmap.render.templating import check_templates

    check_templates(make_environment(Layered(BUILTIN_TEMPLATES, templates_dir)), BATCH_TEMPLATES)


@dataclass(frozen=True)
class Shard:
    """One shard's file: which share it is, the date its plans were made for, and its rows."""

    shown: str
    index: int
    count: int
    today: date
    rows: tuple[Row, ...]


def merge_rows(out: OutDir, today: date | None) -> tuple[list[Row], list[str], date]:
    """Read every shard's rows; return them, the shards still missing, and the date of their plans.

    Shard files may sit on a volume that many machines write to, so they are read as input:
    every row is checked like one we make (Row.from_json), shards must agree on N, on the date
    (and with --today when it is given) and on which profile has which folder, and every problem
    is reported at once. No shard file at all is an error too: an empty dashboard helps nobody.
    """
    folder = out.root / ROWS_DIR
    found = sorted(
        (int(match[2]), int(match[1]), entry)
        for entry in (folder.iterdir() if folder.is_dir() else ())
        if (match := SHARD_FILE.fullmatch(entry.name))
    )
    if not found:
        message = f"no shard files (shard-K-of-N.json); run roadmap batch PROFILES --shard K/N --out {out.root} first"
        raise InputError([Problem(folder.as_posix(), 1, 1, "--merge", message)])
    counts = sorted({count for count, _, _ in found})
    if len(counts) > 1:
        message = "shard files from different --shard N runs are mixed"
        raise InputError([Problem(folder.as_posix(), 1, 1, "shards", message, ", ".join(map(str, counts)))])
    shards: list[Shard] = []
    problems: list[Problem] = []
    for count, index, file in found:
        try:
            shards.append(_read_shard(file, index, count))
        except InputError as exc:
            problems += exc.problems
    problems += _disagreements(shards, today)
    if problems:
        raise InputError(problems)
    present = {shard.index for shard in shards}
    missing = [f"{k}/{counts[0]}" for k in range(1, counts[0] + 1) if k not in present]
    rows = [row for shard in shards for row in shard.rows]
    return sorted(rows, key=lambda r: (r.source, r.slug)), missing, shards[0].today


def _read_shard(file: Path, index: int, count: int) -> Shard:
    shown = file.as_posix()

    def refuse(message: str, line: int = 1, col: int = 1) -> InputError:
        return InputError([Problem(shown, line, col, "(root)", message)])

    if index > count:
        raise refuse(f"names shard {index} of only {count}")
    if file.is_symlink() or not file.is_file():
        raise refuse("is not a file that roadmap wrote (a link, or a folder)")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    if not (
        isinstance(data, dict)
        and sorted(data) == ["rows", "today"]
        and isinstance(data["rows"], list)
        and _is_date_or_empty(data["today"])
        and data["today"]
    ):
        raise refuse('must be {"today": DATE, "rows": [...]} as this version of roadmap writes it; rerun this shard')
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, item in enumerate(data["rows"]):
        try:
            rows.append(Row.from_json(item))
        except BadRow as bad:
            field = f"rows[{number}].{bad.field}" if bad.field else f"rows[{number}]"
            problems.append(Problem(shown, 1, 1, field, bad.message, bad.got))
    if problems:
        raise InputError(problems)
    return Shard(shown, index, count, date.fromisoformat(data["today"]), tuple(rows))


def _disagreements(shards: list[Shard], today: date | None) -> list[Problem]:
    """Shards made for another date than the others (or than --today), and folders claimed twice."""
    problems: list[Problem] = []
    same = "give every shard and the merge the same --today"
    for shard in shards:
        if today is not None and shard.today != today:
            message = f"its plans were made for {shard.today}, not for --today {today}; {same}"
            problems.append(Problem(shard.shown, 1, 1, "today", message))
        elif today is None and shard.today != shards[0].today:
            first = f"shard {shards[0].index}/{shards[0].count}'s for {shards[0].today}"
            message = f"its plans were made for {shard.today}, {first}; {same}"
            problems.append(Problem(shard.shown, 1, 1, "today", message))
    claimed: dict[str, str] = {}
    for shard in shards:
        for number, row in enumerate(shard.rows):
            if row.slug in claimed:
                message = f"is also in {claimed[row.slug]}"
                problems.append(Problem(shard.shown, 1, 1, f"rows[{number}].slug", message, row.slug))
            claimed.setdefault(row.slug, Path(shard.shown).name)
    return problems


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
