"""`roadmap check`: validate the content library, the templates and any profiles given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from roadmap.commands.batch import find_profiles
from roadmap.commands.pipeline import load_inputs, plan_from_doc
from roadmap.errors import InputError, Problem
from roadmap.load.conditions import satisfiable
from roadmap.load.content import TOPICS
from roadmap.load.profile import parse_profile
from roadmap.load.yamlsrc import load_yaml, read_text

if TYPE_CHECKING:
    from pathlib import Path

    from roadmap.commands.pipeline import Inputs

REQUIRED_TEMPLATES = ("plan.html",)


@dataclass(frozen=True)
class CheckResult:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    modules: int
    profiles: int

    def summary(self) -> str:
        counts = (
            count(self.modules, "module"),
            count(self.profiles, "profile"),
            count(sum(problem.more or 1 for problem in self.errors), "error"),  # "... and N more" counts N
            count(len(self.warnings), "warning"),
        )
        return "Checked {} and {}: {}, {}.".format(*counts)


def count(number: int, noun: str) -> str:
    """`1 profile`, `2 profiles`, `0 errors`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def run_checks(
    paths: tuple[Path, ...], content_dir: Path | None, templates_dir: Path | None, today: date
) -> CheckResult:
    """Collect every error and warning; nothing is written."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    inputs: Inputs | None = None
    try:
        inputs = load_inputs(content_dir, templates_dir)
    except InputError as exc:
        errors.extend(exc.problems)
    if inputs is not None:
        errors.extend(_library_problems(inputs))
    files = find_profiles(paths)
    for file in files:
        try:
            doc = load_yaml(read_text(file, file.as_posix()), file.as_posix())
            profile = parse_profile(doc)
            # The same planning a build does, so check never passes a profile that build rejects.
            if inputs is not None:
                warnings.extend(n.as_warning() for n in plan_from_doc(doc, file, inputs, today).notices)
        except InputError as exc:
            errors.extend(exc.problems)
            continue
        if inputs is not None and not inputs.seasons.season_for(profile.match_year).has_confirmed_entry:
            message = (
                f"warning: no confirmed season dates for the {profile.match_year} Match; "
                "dates are estimated from past seasons"
            )
            warnings.append(doc.problem(("match_year",), message, profile.match_year))
    modules = len(inputs.library.modules) if inputs else 0
    return CheckResult(tuple(errors), tuple(warnings), modules, len(files))


def _library_problems(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    modules = inputs.library.modules
    for module in modules:
        if not module.sources:
            problems.append(
                Problem(module.file, module.line_of("sources"), 1, "sources", "a module must list its sources")
            )
        if module.when is not None and not satisfiable(module.when):
            problems.append(
                Problem(
                    module.file,
                    module.line_of("when"),
                    1,
                    "when",
                    "no profile can meet this condition, so the module is never shown",
                )
            )
    covered = {topic for module in modules for topic in module.topics}
    for topic in TOPICS:
        if topic not in covered:
            problems.append(
                Problem(
                    inputs.library.content.display(inputs.library.content.roots[0]),
                    1,
                    1,
                    "topics",
                    "no module covers this topic",
                    topic,
                )
            )
    for name in REQUIRED_TEMPLATES:
        if inputs.templates.find(name) is None:
            problems.append(Problem(name, 1, 1, "", "template is missing"))
    return problems
