"""The one pipeline every command rides on: load inputs, plan a profile, write its outputs."""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import PurePath
from typing import TYPE_CHECKING, TypeVar

from roadmap.decide.programs import COLUMNS as PROGRAM_COLUMNS
from roadmap.decide.programs import Placement, ProgramList, TierRules, load_programs, load_tier_rules
from roadmap.decide.selection import build_plan
from roadmap.errors import InputError, Problem
from roadmap.load.content import Library, load_library
from roadmap.load.layers import BUILTIN_CONTENT, BUILTIN_TEMPLATES, Layered
from roadmap.load.profile import parse_profile, plan_checks
from roadmap.load.rules import Rules, load_rules, rules_or_builtin
from roadmap.load.seasons import SeasonTable, load_seasons
from roadmap.load.yamlsrc import YamlDoc, load_yaml, read_text
from roadmap.write.csvtable import CsvTable

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from roadmap.decide.plan import Plan
    from roadmap.vocabulary import Detail
    from roadmap.write.output import OutDir

FORMATS = ("html", "pdf", "ics", "json")
SEASONS_FILE = "data/seasons.yaml"
TIERS_FILE = "data/tiers.yaml"
PROGRAM_SUFFIXES = (".csv", ".yaml", ".yml")


def _program_cell(column: str) -> Callable[[Placement], str]:
    def cell(placement: Placement) -> str:
        value = getattr(placement.program, column)
        return "" if value is None else str(value)

    return cell


# programs.csv: the tier, the user's own columns as read, then why and what was missing.
PROGRAMS_CSV = CsvTable[Placement](
    (
        ("tier", lambda p: p.tier),
        *((column, _program_cell(column)) for column in PROGRAM_COLUMNS),
        ("reasons", lambda p: " | ".join(p.reasons)),
        ("missing", lambda p: " ".join(p.missing)),
    )
)


@dataclass(frozen=True)
class Inputs:
    """Everything a plan needs besides the profile, loaded once per run."""

    library: Library
    seasons: SeasonTable
    templates: Layered
    tier_rules: TierRules
    rules: Rules | None = None  # the planning rules of content/data/ (None: the built-in ones)
    detail: Detail = "short"  # how much guidance each plan prints (--detail)


def load_inputs(
    content_dir: Path | None = None,
    templates_dir: Path | None = None,
    *,
    detail: Detail = "short",
    keep_bodies: bool = True,
) -> Inputs:
    """Load the content library and season table, with user folders in front of the built-ins.

    `keep_bodies=False` (the site) holds no module body in memory; see `load_library`.
    """
    content = Layered(BUILTIN_CONTENT, content_dir)
    templates = Layered(BUILTIN_TEMPLATES, templates_dir)
    problems: list[Problem] = []
    planning = load_rules(content)  # the modules and the season file are read against these rules
    library = None
    try:
        library = load_library(content, planning, keep_bodies=keep_bodies)
    except InputError as exc:
        problems.extend(exc.problems)
    seasons = _load_data(
        content, SEASONS_FILE, "the season data file", lambda f, d: load_seasons(f, d, planning), problems
    )
    rules = _load_data(content, TIERS_FILE, "the program tier rules file", load_tier_rules, problems)
    if problems or library is None or seasons is None or rules is None:
        raise InputError(problems)
    return Inputs(library, seasons, templates, rules, planning, detail)


def _load_data(
    content: Layered, relative: str, what: str, loader: Callable[[Path, str], T], problems: list[Problem]
) -> T | None:
    """Load one data file of the content folders, adding its problems (or its absence) to `problems`."""
    file = content.find(relative)
    if file is None:
        problems.append(Problem(relative, 1, 1, "", f"{what} is missing"))
        return None
    try:
        return loader(file, content.display(file))
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def plan_profile(
    profile_file: Path, inputs: Inputs, today: date, *, display: str | None = None, source: str | None = None
) -> Plan:
    """Load one profile and decide its plan.

    `display` names the file in messages (as the user typed it); `source` names it in the outputs
    (default: `public_path` of `display`).
    """
    shown = display if display is not None else profile_file.as_posix()
    return plan_from_doc(load_yaml(read_text(profile_file, shown), shown), profile_file, inputs, today, source=source)


def plan_from_doc(doc: YamlDoc, profile_file: Path, inputs: Inputs, today: date, *, source: str | None = None) -> Plan:
    """Validate a parsed profile and decide its plan; every problem a build would meet is raised here."""
    public = source if source is not None else public_path(doc.display)
    profile = parse_profile(doc)
    programs = None
    notices: list[Problem] = []
    if profile.programs:
        file, shown_file = program_file(profile_file, profile.programs, doc)
        if file is None:
            # A profile copied to another folder without its list still gets its plan (issue 14).
            message = f"your program list {profile.programs} was not found next to the profile; "
            notices.append(doc.problem(("programs",), message + "the plan is built without it"))
        else:
            programs = (load_programs(file, shown_file), beside(public, profile.programs), inputs.tier_rules)
    plan = build_plan(
        profile,
        inputs.library,
        inputs.seasons,
        today,
        source=public,
        programs=programs,
        rules=inputs.rules,
        detail=inputs.detail,
    )
    problems = plan_checks(
        profile,
        doc,
        milestone_ids={milestone.id for milestone in plan.milestones},
        passing=lambda on: rules_or_builtin(inputs.rules).passing_score("step2ck", on),
        match_day=inputs.seasons.season_for(profile.match_year).match_day.date,
        today=today,
    )
    if problems:
        raise InputError(problems)
    if not notices:
        return plan
    return replace(
        plan,
        warnings=(*plan.warnings, *(notice.sentence() for notice in notices)),
        notices=tuple(notices),
    )


def program_file(profile_file: Path, name: str, doc: YamlDoc) -> tuple[Path | None, str]:
    """The program list a profile names, and how to show its path; None when the file is missing.

    It must be a .csv or .yaml file in the profile's own folder (or below): a profile is someone
    else's file, and must not be able to point the tool at /etc/shadow. It is shown relative to
    the profile as the user named it, never as an absolute path.
    """
    folder = profile_file.resolve().parent
    file = (folder / name).resolve()
    if not file.is_relative_to(folder) or file.suffix.lower() not in PROGRAM_SUFFIXES:
        message = "must name a .csv or .yaml file in the profile's folder"
        raise InputError([doc.problem(("programs",), message, name)])
    shown = beside(doc.display, name)
    if not file.exists():
        return None, shown
    return file, shown


def beside(path: str, name: str) -> str:
    """The path of `name` (relative to the file at `path`) as `path` is written."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), name))


def public_path(path: str) -> str:
    """How outputs name an input file: relative to the current folder when inside it, else by its
    name alone; never an absolute path of this machine (SPEC: private by default)."""
    full, here = PurePath(os.path.abspath(path)), PurePath(os.getcwd())
    return full.relative_to(here).as_posix() if full.is_relative_to(here) else full.name


def manifest_bytes(plan: Plan) -> bytes:
    """plan.json, byte-stable: sorted keys are not used so the SPEC's field order reads first."""
    return (json.dumps(plan.to_manifest(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_plan(
    plan: Plan, inputs: Inputs, out: OutDir, formats: tuple[str, ...], *, created: datetime, pdf_tags: bool = True
) -> list[Path]:
    """Write the chosen formats of one plan into `out`; return the files written."""
    from roadmap.render.html import asset_files, make_environment, render_plan_html

    written: list[Path] = []
    env = make_environment(inputs.templates)
    if "html" in formats:
        html = render_plan_html(env, plan, for_print=False, formats=formats)
        written.append(out.write("index.html", html.encode("utf-8")))
        for relative, file in asset_files(inputs.templates).items():
            if not relative.startswith("assets/print"):
                written.append(out.write(relative, file.read_bytes()))
    if "pdf" in formats:
        from roadmap.render.pdf import render_pdf

        html = render_plan_html(env, plan, for_print=True, created=created)
        written.append(out.write("plan.pdf", render_pdf(html, inputs.templates, tagged=pdf_tags)))
    if "ics" in formats:
        from roadmap.render.ics import render_ics

        ics = render_ics(plan.milestones, slug=plan.profile.slug, name=plan.profile.name, today=plan.today)
        written.append(out.write("plan.ics", ics))
    if "json" in formats:
        written.append(out.write("plan.json", manifest_bytes(plan)))
    return written


def write_program_list(
    programs: ProgramList, plan: Plan, inputs: Inputs, out: OutDir, formats: tuple[str, ...]
) -> list[Path]:
    """Write `roadmap programs` outputs: programs.html (+ assets), programs.csv, programs.json."""
    from roadmap.render.html import asset_files, make_environment, render_programs_html

    written: list[Path] = []
    if "html" in formats:
        html = render_programs_html(
            make_environment(inputs.templates), programs, name=plan.profile.name, today=plan.today
        )
        written.append(out.write("programs.html", html.encode("utf-8")))
        for relative, file in asset_files(inputs.templates).items():
            if relative in ("assets/base.css", "assets/style.css"):
                written.append(out.write(relative, file.read_bytes()))
    if "csv" in formats:
        written.append(out.write("programs.csv", PROGRAMS_CSV.render(programs.placements)))
    if "json" in formats:
        data = {
            "schema_version": 1,
            "profile": plan.to_manifest()["profile"],
            "today": plan.today.isoformat(),
            **programs.to_json(),
        }
        written.append(
            out.write("programs.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        )
    return written


def document_date(today: date, source_date_epoch: str | None) -> datetime:
    """The PDF's creation date: SOURCE_DATE_EPOCH when set (reproducible builds), else `today`.

    It only stamps metadata; the planning date is always `today`.
    """
    if source_date_epoch:
        try:
            return datetime.fromtimestamp(int(source_date_epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise InputError(
                [Problem("SOURCE_DATE_EPOCH", 1, 1, "", "must be whole seconds since 1970", source_date_epoch)]
            ) from None
    return datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
