"""The `roadmap` command line: parse options, call one pipeline function, report, set the exit code.

Imports of the pipeline happen inside the commands, so `roadmap --help` stays fast and never
loads WeasyPrint.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from roadmap import __version__
from roadmap.vocabulary import DETAILS

if TYPE_CHECKING:
    from roadmap.commands.pipeline import Inputs
    from roadmap.decide.plan import Plan
    from roadmap.errors import Problem
    from roadmap.vocabulary import Detail
    from roadmap.write.output import OutDir

F = TypeVar("F", bound=Callable[..., Any])
ALL_FORMATS = "html,pdf,ics,json"
INTERNAL_ERROR = "roadmap: internal error (a bug in roadmap, not in your input)"


def _now() -> date:
    """The real date: the only place roadmap reads the clock (everything else is given `today`)."""
    return date.today()  # noqa: DTZ011 - a calendar date in the user's own time zone is what they mean by "today"


def _interactive() -> bool:
    """Whether someone can answer questions (not a pipe, not CI)."""
    return sys.stdin.isatty()


def _clean(text: str) -> str:
    """Strip terminal control sequences from text that may carry user input."""
    from roadmap.errors import printable  # one rule for the terminal, summary.csv and the dashboard

    return printable(text)


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


class FormatList(click.ParamType):  # type: ignore[type-arg]
    name = "FORMATS"

    def __init__(self, choices: tuple[str, ...] = tuple(ALL_FORMATS.split(","))) -> None:
        self.choices = choices

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in str(value).split(",") if part.strip()))
        unknown = [part for part in chosen if part not in self.choices]
        if unknown or not chosen:
            self.fail(
                f"unknown format {', '.join(unknown) or '(none)'}; choose from {','.join(self.choices)}", param, ctx
            )
        return chosen


class ShardSpec(click.ParamType):  # type: ignore[type-arg]
    name = "K/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split("/")
        if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[0]) <= int(parts[1]):
            return int(parts[0]), int(parts[1])
        self.fail(f"{value!r} is not a shard K/N with 1 <= K <= N", param, ctx)


# The planning date, shared by every command that plans; only the CLI reads the clock.
TODAY_OPTION = click.option("--today", type=IsoDate(), help="Plan as if today were this date (default: the real date).")
DETAIL_OPTION = click.option(
    "--detail",
    type=click.Choice(DETAILS),
    default="short",
    show_default=True,
    help="short: your stage in full and the rest as summaries; full: every section in full.",
)
# Every command that writes an out dir refuses /, the home folder and a project's folder without it.
FORCE_OUT_OPTION = click.option(
    "--force-out",
    is_flag=True,
    help="Write even if --out is /, your home folder or a project's folder (holding pyproject.toml or .git),"
    " and (build, programs, batch) over files there that roadmap cannot prove it wrote.",
)


def claim_out(out_dir: Path, force_out: bool, share: str | None = None, *, record: bool = False) -> OutDir:
    """The command's out dir, made this run's (see OutDir.claim) until the command ends.

    `record`: overwrite only files the folder's record proves we wrote (see OutDir.keep_record);
    the caller saves the record once its files are written.
    """
    from roadmap.write.output import OutDir

    out = OutDir(out_dir)
    click.get_current_context().call_on_close(out.release)
    out.claim(force=force_out, share=share)
    if record:
        out.keep_record(force=force_out, warn=lambda problem: report([problem]))
    return out


def _shared(func: F) -> F:
    """Add the options every command shares (SPEC: --content, --templates, -q, -v)."""
    options = [
        click.option(
            "--content",
            "content_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="A folder whose files override the built-in content, file by file.",
        ),
        click.option(
            "--templates",
            "templates_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="A folder whose files override the built-in templates, file by file.",
        ),
        click.option("-q", "--quiet", is_flag=True, default=None, help="Print only errors."),
        click.option("-v", "--verbose", is_flag=True, default=None, help="Print more."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class Settings:
    """Shared options, taken from the command or else from the group."""

    def __init__(self, ctx: click.Context, **given: Any) -> None:
        group = ctx.find_root().params

        def pick(key: str) -> Any:
            return given[key] if given.get(key) is not None else group.get(key)

        self.content_dir: Path | None = pick("content_dir")
        self.templates_dir: Path | None = pick("templates_dir")
        self.quiet = bool(pick("quiet"))
        self.verbose = bool(pick("verbose"))
        self.detail: Detail = given.get("detail") or "short"

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(_clean(message))

    def inputs(self) -> Inputs:
        from roadmap.commands.pipeline import load_inputs

        return load_inputs(self.content_dir, self.templates_dir, detail=self.detail)


def print_warnings(plan: Plan) -> None:
    """Print a plan's warnings on stderr: at their place in the profile when they have one."""
    located = {notice.sentence() for notice in plan.notices}
    for notice in plan.notices:
        click.echo(_clean(notice.as_warning().format()), err=True)
    for warning in plan.warnings:
        if warning not in located:
            click.echo(_clean(f"warning: {warning}"), err=True)


def report(problems: list[Problem]) -> None:
    """Print one line per problem on stderr."""
    for problem in problems:
        click.echo(_clean(problem.format()), err=True)


def _guarded(func: F) -> F:
    """Catch, once for every command, what went wrong: input errors become their lines and exit 1
    (2 when the out dir is busy); our own bug prints its traceback and asks to be reported, exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from roadmap.errors import InputError
        from roadmap.write.output import OutDirBusy

        try:
            return func(*args, **kwargs)
        except InputError as exc:
            report(exc.problems)
            sys.exit(2 if isinstance(exc, OutDirBusy) else 1)  # busy: nothing is wrong, try again later
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception:  # noqa: BLE001 - the last line of defence for our own bugs
            import traceback  # only ever needed here

            click.echo(_clean(traceback.format_exc()), err=True, nl=False)
            click.echo(f"{INTERNAL_ERROR}; please report it with the traceback above.", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="roadmap")
@_shared
def main(**_: Any) -> None:
    """Turn a medical student's profile into a personal residency-application roadmap.

    \b
    Quick start:
      roadmap init my-profile.yaml          # answer a few questions
      roadmap build my-profile.yaml         # out/<you>/index.html, plan.pdf, plan.ics, plan.json
      roadmap explain my-profile.yaml       # which guidance you get, and why
    """


@main.command()
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder (default out/<slug>/).")
@click.option(
    "--format",
    "formats",
    type=FormatList(),
    default=ALL_FORMATS,
    show_default=True,
    help="Comma-separated outputs: html, pdf, ics, json.",
)
@TODAY_OPTION
@DETAIL_OPTION
@click.option(
    "--pdf-tags/--no-pdf-tags",
    default=True,
    show_default=True,
    help="Tag the PDF for screen readers (PDF/UA-1); turning it off saves a little time and size.",
)
@FORCE_OUT_OPTION
@_shared
@_guarded
def build(
    profile: Path,
    out_dir: Path | None,
    formats: tuple[str, ...],
    today: date | None,
    pdf_tags: bool,
    force_out: bool,
    **shared: Any,
) -> None:
    """Build one personal plan: HTML site, PDF, iCalendar and plan.json.

    \b
    Example:
      roadmap build profiles/taylor-flat-220s.yaml --today 2027-03-01 --out out/taylor
    """
    from roadmap.commands.pipeline import document_date, plan_profile, write_plan

    settings = Settings(click.get_current_context(), **shared)
    inputs = settings.inputs()
    now = today or _now()
    plan = plan_profile(profile, inputs, now, display=profile.as_posix())
    created = document_date(now, os.environ.get("SOURCE_DATE_EPOCH"))
    out = claim_out(out_dir or Path("out") / plan.profile.slug, force_out, record=True)
    try:
        written = write_plan(plan, inputs, out, formats, created=created, pdf_tags=pdf_tags)
    finally:
        out.save_record()  # also after a refusal: the files written before it are ours
    print_warnings(plan)
    settings.say(
        f"Built the plan for {plan.profile.name} ({plan.stage}) in {out.root}/: "
        + ", ".join(p.name for p in written if p.parent == out.root)
    )


@main.command()
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@TODAY_OPTION
@DETAIL_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print plan.json instead of text.")
@_shared
@_guarded
def explain(profile: Path, today: date | None, as_json: bool, **shared: Any) -> None:
    """Show which sections a profile gets and why, without rendering anything.

    \b
    Example:
      roadmap explain profiles/riley-step1-failed.yaml --today 2026-12-01
    """
    from roadmap.commands.pipeline import manifest_bytes, plan_profile
    from roadmap.render.explain import explain_text

    settings = Settings(click.get_current_context(), **shared)
    plan = plan_profile(profile, settings.inputs(), today or _now(), display=profile.as_posix())
    if as_json:
        click.echo(manifest_bytes(plan).decode("utf-8"), nl=False)
    else:
        click.echo(_clean(explain_text(plan)), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--today", type=IsoDate(), help="Check profiles as of this date (default: the real date).")
@_shared
@_guarded
def check(paths: tuple[Path, ...], today: date | None, **shared: Any) -> None:
    """Validate the content library, and any profiles (files or folders) given.

    \b
    Example:
      roadmap check                              # the built-in content
      roadmap check profiles/ --today 2027-03-01   # and every profile in a folder
    """
    from roadmap.commands.checks import run_checks

    settings = Settings(click.get_current_context(), **shared)
    result = run_checks(paths, settings.content_dir, settings.templates_dir, today or _now())
    report(list(result.errors))
    for warning in result.warnings:
        click.echo(_clean(warning.format()), err=True)
    settings.say(result.summary())
    if result.errors:
        sys.exit(1)


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out/site"),
    show_default=True,
    help="Output folder.",
)
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    help="Where the site will live: a full URL or a path such as /guide/ (for the sitemap and canonical links).",
)
@click.option("--today", type=IsoDate(), help="Date the season calendar from this day (default: the real date).")
@click.option("--jobs", type=click.IntRange(1, 256), help="Processes that render pages (default: one per CPU).")
@FORCE_OUT_OPTION
@_shared
@_guarded
def site(out_dir: Path, base_url: str, today: date | None, jobs: int | None, force_out: bool, **shared: Any) -> None:
    """Build the static advice site of all the guidance.

    \b
    Example:
      roadmap site --out public --base-url https://example.org/guide/
    """
    from roadmap.commands.publish import publish

    settings = Settings(click.get_current_context(), **shared)
    out = claim_out(out_dir, force_out)
    done = publish(
        out,
        content_dir=settings.content_dir,
        templates_dir=settings.templates_dir,
        base_url=base_url,
        today=today or _now(),
        jobs=jobs,
        warn=lambda problem: report([problem]),
    )
    if done.up_to_date:
        settings.say(f"The site in {out.root}/ is up to date: {done.unchanged} files unchanged.")
    else:
        settings.say(
            f"Built the site in {out.root}/: {done.written} files written, {done.unchanged} unchanged, "
            f"{done.removed} removed."
        )


@main.command()
@click.argument("profile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out/preview"),
    show_default=True,
    help="Where the preview is built.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (localhost only by default)."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one)."
)
@click.option("--allow-remote", is_flag=True, help="Allow a --host other than localhost.")
@TODAY_OPTION
@FORCE_OUT_OPTION
@_shared
@_guarded
def serve(
    profile: Path | None,
    out_dir: Path,
    host: str,
    port: int,
    allow_remote: bool,
    today: date | None,
    force_out: bool,
    **shared: Any,
) -> None:
    """Preview the site, or a personal plan, rebuilding and reloading on every change.

    \b
    Example:
      roadmap serve                                  # the advice site at http://127.0.0.1:8000/
      roadmap serve profiles/jordan-rivera.yaml --port 8001   # a personal plan
    """
    from roadmap.commands.serve import check_host, preview

    check_host(host, allow_remote)
    settings = Settings(click.get_current_context(), **shared)
    out = claim_out(out_dir, force_out)
    preview(
        profile,
        out.root,
        content_dir=settings.content_dir,
        templates_dir=settings.templates_dir,
        today=today or _now(),
        address=(host, port),
        say=settings.say,
        report=report,
        show_failure=lambda lines: click.echo(_clean("\n".join(lines)), err=True),
        verbose=settings.verbose,
        ready=lambda url: click.echo(f"Serving {url} (Ctrl+C to stop)"),
    )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out/batch"),
    show_default=True,
    help="Output folder: <out>/<slug>/ per profile, summary.csv and index.html.",
)
@click.option("--jobs", type=click.IntRange(1, 256), help="Profiles built at once (default: the number of CPUs).")
@click.option(
    "--format",
    "formats",
    type=FormatList(),
    default=ALL_FORMATS,
    show_default=True,
    help="Comma-separated outputs per profile: html, pdf, ics, json.",
)
@TODAY_OPTION
@DETAIL_OPTION
@click.option("--force", is_flag=True, help="Rebuild every profile, even those whose inputs did not change.")
@click.option(
    "--shard",
    type=ShardSpec(),
    default="1/1",
    show_default=True,
    help="Build only share K of N (deterministic); join the shards with --merge.",
)
@click.option("--merge", is_flag=True, help="Join the rows the shards left in --out into summary.csv and index.html.")
@click.option(
    "--since", type=click.IntRange(1), metavar="RUN", help="Compare with this kept run (see --runs), not the last one."
)
@click.option("--runs", "list_runs", is_flag=True, help="List the runs kept in --out with their dates, and stop.")
@FORCE_OUT_OPTION
@_shared
@_guarded
def batch(
    paths: tuple[Path, ...],
    out_dir: Path,
    jobs: int | None,
    formats: tuple[str, ...],
    today: date | None,
    force: bool,
    shard: tuple[int, int],
    merge: bool,
    force_out: bool,
    since: int | None,
    list_runs: bool,
    **shared: Any,
) -> None:
    """Build the plans of many advisees, with a dashboard and summary.csv.

    Folders are searched recursively for *.yaml and *.yml. One bad profile never stops the
    others: it is listed at the end, and the exit code is 1.

    \b
    Example:
      roadmap batch profiles/ --out out/batch --jobs 2 --today 2027-03-01
      roadmap batch profiles/ --shard 1/2 --out out/shared --today 2027-03-01   # machine 1
      roadmap batch profiles/ --shard 2/2 --out out/shared --today 2027-03-01   # machine 2
      roadmap batch --merge --out out/shared                                   # then, once
    """
    from roadmap.commands import batch as batches
    from roadmap.commands.pipeline import document_date

    settings = Settings(click.get_current_context(), **shared)
    now = today or _now()
    if list_runs:
        from roadmap.commands.changes import kept_runs
        from roadmap.write.output import OutDir

        kept = kept_runs(OutDir(out_dir)) if out_dir.is_dir() else []
        for number, day, count in kept:
            click.echo(f"run {number}  {day}  {count} advisees")
        if not kept:
            click.echo(f"no runs kept in {out_dir}/ yet")
        return
    if merge and paths:
        raise click.UsageError("--merge reads the rows already in --out; give no profiles")
    if not merge and not paths:
        raise click.UsageError("give profiles or folders of profiles (or --merge)")
    # Shards write only their own profiles' folders, so shards of one run may build at once.
    share = f"{batches.ROWS_DIR}/shard-{shard[0]}-of-{shard[1]}.lock" if shard != (1, 1) and not merge else None
    out = claim_out(out_dir, force_out, share)
    if merge:
        if since is not None and since not in _kept(out):
            raise click.UsageError(f"--since {since}: no such run kept in {out.root}/ (see roadmap batch --runs)")
        outcome = batches.merge(out, today, settings.content_dir, settings.templates_dir, since)
        if outcome.missing:
            raise click.UsageError(f"shards not finished yet: {', '.join(outcome.missing)}")
    else:
        if since is not None and since not in _kept(out):
            raise click.UsageError(f"--since {since}: no such run kept in {out.root}/ (see roadmap batch --runs)")
        options = batches.BatchOptions(
            formats, now, jobs or batches.default_jobs(), force, shard, force_out, settings.detail, since
        )
        with contextlib.ExitStack() as bars:

            def start(total: int) -> Callable[[], None]:
                hidden = settings.quiet or not sys.stderr.isatty()
                bar = click.progressbar(length=total, label="Building plans", file=sys.stderr, hidden=hidden)
                return functools.partial(bars.enter_context(bar).update, 1)

            outcome = batches.run(
                paths,
                out,
                options,
                content_dir=settings.content_dir,
                templates_dir=settings.templates_dir,
                created=document_date(now, os.environ.get("SOURCE_DATE_EPOCH")),
                start=start,
            )
    failed = _report_rows(outcome.failed, outcome.shown_errors)
    if shard != (1, 1) and not merge:
        settings.say(
            f"Shard {shard[0]}/{shard[1]}: {len(outcome.rows)} profiles. When every shard is done: "
            f"roadmap batch --merge --out {out.root} --today {now}"
        )
    else:
        good = len(outcome.rows) - failed
        done = f"{good} plans merged" if merge else f"{outcome.unchanged} unchanged, {good - outcome.unchanged} built"
        settings.say(f"{done}, {failed} failed: {out.root}/index.html, {out.root}/summary.csv")
    if failed:
        sys.exit(1)


def _kept(out: OutDir) -> list[int]:
    from roadmap.commands.changes import run_numbers

    return run_numbers(out)


def _report_rows(failed: list[Any], shown_errors: Mapping[str, str]) -> int:
    """Print the problems of every failed profile, one line each; return how many failed.

    `shown_errors` holds, by slug, errors met in this run as the user typed their paths.
    """
    for row in failed:
        for line in (shown_errors.get(row.slug) or row.error).split(" | "):
            click.echo(_clean(line), err=True)
    return len(failed)


@main.command()
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("programs_file", metavar="PROGRAMS", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder (default out/<slug>-programs/).")
@click.option(
    "--format",
    "formats",
    type=FormatList(choices=("html", "csv", "json")),
    default="html,csv,json",
    show_default=True,
    help="Comma-separated outputs: html, csv, json.",
)
@TODAY_OPTION
@FORCE_OUT_OPTION
@_shared
@_guarded
def programs(
    profile: Path,
    programs_file: Path,
    out_dir: Path | None,
    formats: tuple[str, ...],
    today: date | None,
    force_out: bool,
    **shared: Any,
) -> None:
    """Sort your own program list (CSV or YAML) into tiers for your profile, with the reasons.

    \b
    Example:
      roadmap programs profiles/jordan-rivera.yaml profiles/example-programs.csv --out out/programs
    """
    from roadmap.commands.pipeline import plan_profile, public_path, write_program_list
    from roadmap.decide.programs import load_programs, tier_programs
    from roadmap.vocabulary import TIER_LABELS

    settings = Settings(click.get_current_context(), **shared)
    inputs = settings.inputs()
    plan = plan_profile(profile, inputs, today or _now(), display=profile.as_posix())
    rows = load_programs(programs_file, programs_file.as_posix())
    tiered = tier_programs(rows, plan.values, inputs.tier_rules, public_path(programs_file.as_posix()))
    out = claim_out(out_dir or Path("out") / f"{plan.profile.slug}-programs", force_out, record=True)
    try:
        written = write_program_list(tiered, plan, inputs, out, formats)
    finally:
        out.save_record()  # also after a refusal: the files written before it are ours
    counts = ", ".join(f"{TIER_LABELS[tier].lower()} {count}" for tier, count in tiered.counts.items())
    # The files a reader opens, by the path they can open them at; the stylesheets go under assets/.
    files = [p.as_posix() for p in written if p.parent == out.root]
    if any(p.parent != out.root for p in written):
        files.append(f"{out.root.as_posix()}/assets/")
    settings.say(f"{len(tiered.placements)} programs placed ({counts}). Wrote " + ", ".join(files))


@main.command()
def schema() -> None:
    """Print the profile JSON Schema (point your editor's YAML plugin at it).

    \b
    Example:
      roadmap schema > profile.schema.json
    """
    import json

    from roadmap.load.profile import profile_schema

    click.echo(json.dumps(profile_schema(), indent=2))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default="profile.yaml")
@click.option("--defaults", is_flag=True, help="Write the starter profile without asking questions.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--today", type=IsoDate(), help="Suggest dates as if today were this date.")
@_guarded
def init(path: Path, defaults: bool, force: bool, today: date | None) -> None:
    """Write a starter profile, asking a few questions on a terminal.

    PATH is the file to write (default profile.yaml); - prints the profile instead.
    Answering "passed" or "failed" for an exam asks for its date (and Step 2 CK's score);
    "scheduled" asks for the exam date. Nothing is filled in that you did not give.

    \b
    Example:
      roadmap init me.yaml                # asks: name, Match year, applicant type, exams
      roadmap init other.yaml --defaults  # no questions
      roadmap init -                      # print the profile instead of writing a file
    """
    from roadmap.commands.starter import Answers, ask, starter_yaml
    from roadmap.errors import InputError, Problem
    from roadmap.write.output import write_atomic

    to_stdout = str(path) == "-"
    if not to_stdout and path.exists() and not force:
        raise click.UsageError(f"{path} exists; pass --force to overwrite it")
    answers = Answers.defaults(today or _now())
    if not defaults and _interactive():
        answers = ask(answers, err=to_stdout)
    text = starter_yaml(answers)
    if to_stdout:
        click.echo(text, nl=False)
        return
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise InputError([Problem(path.as_posix(), 1, 1, "PATH", f"cannot write: {exc.strerror or exc}")]) from None
    click.echo(f"Wrote {path}. Next: roadmap build {path}")
