"""Load the guidance library: Markdown modules with validated front matter, from the built-in
content folder and an optional user folder that overrides it file by file."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from roadmap.errors import InputError, Problem, show_value
from roadmap.limits import MAX_MODULE_BYTES
from roadmap.load.bodies import inspect_body
from roadmap.load.conditions import Condition, parse_condition
from roadmap.load.layers import Layered
from roadmap.load.namespace import FieldSpec
from roadmap.load.rules import rules_or_builtin
from roadmap.load.yamlsrc import YamlDoc, load_yaml, read_text, split_front_matter
from roadmap.vocabulary import ALWAYS_MILESTONES

if TYPE_CHECKING:
    from roadmap.load.rules import Rules

# The SPEC's topic table, in its order.
TOPICS = (
    "landscape",
    "roadmap-preclinical",
    "step1-prep",
    "step1-passed-next",
    "step1-failure-recovery",
    "step2ck-targets",
    "step2ck-study-plan",
    "step2ck-genetics-integration",
    "step2ck-timing",
    "step2ck-delay-decision",
    "low-score-recovery",
    "trajectory-narrative",
    "genetics-identity",
    "letters",
    "networking",
    "pathway-choice",
    "pathway-primary-first",
    "eras-application",
    "program-selection",
    "delay-match-cycle",
    "match-year-at-risk",
    "usce-for-imgs",
    "score-reporting",
    "interviews-and-ranking",
    "soap-and-unmatched",
    "genetics-board-path",
)
Topic = Literal[TOPICS]  # type: ignore[valid-type]
# How a reader sees each topic (site pages, links): never the raw id.
TOPIC_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "landscape": "How genetics training works",
        "roadmap-preclinical": "The preclinical years",
        "step1-prep": "Preparing for Step 1",
        "step1-passed-next": "After passing Step 1",
        "step1-failure-recovery": "Recovering from a Step 1 failure",
        "step2ck-targets": "Step 2 CK score targets",
        "step2ck-study-plan": "Studying for Step 2 CK",
        "step2ck-genetics-integration": "Genetics inside Step 2 CK study",
        "step2ck-timing": "When to take Step 2 CK",
        "step2ck-delay-decision": "Delaying Step 2 CK, or not",
        "low-score-recovery": "Recovering from a low score",
        "trajectory-narrative": "Explaining a setback",
        "genetics-identity": "Showing your commitment to genetics",
        "letters": "Letters of recommendation",
        "networking": "Meeting people in genetics",
        "pathway-choice": "Combined program or residency then fellowship",
        "pathway-primary-first": "A primary residency first",
        "eras-application": "Building the application",
        "program-selection": "Choosing programs",
        "delay-match-cycle": "Moving to the next Match cycle",
        "match-year-at-risk": "When this Match year is at risk",
        "usce-for-imgs": "US clinical experience for international graduates",
        "score-reporting": "How your score reaches programs",
        "interviews-and-ranking": "Interviews and the rank order list",
        "soap-and-unmatched": "Match Week, SOAP and not matching",
        "genetics-board-path": "The genetics training path and board certification",
    }
)


class FrontMatter(BaseModel):
    """The validated front matter of a module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")] | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)]
    stage: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")]  # a stage of stages.yaml, or overview
    topics: Annotated[list[Topic], Field(min_length=1)]
    when: Any = None
    order: int = 100
    sources: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    summary: Annotated[str, Field(min_length=1, max_length=400)] | None = None
    # When this module and a listed one are both selected, only this one is shown (SPEC).
    replaces: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")]] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Module:
    """One guidance module, ready to be selected and rendered."""

    id: str
    title: str
    stage: str
    topics: tuple[str, ...]
    when: Condition | None
    order: int
    sources: tuple[str, ...]
    summary: str | None
    replaces: tuple[str, ...]
    kept_body: str | None  # None: not held in memory (a site of thousands), read again when asked
    placeholders: tuple[str, ...]
    file: str  # display path
    body_line: int  # line of the body's first line in the file
    key_lines: Mapping[str, int]  # front-matter key -> its line in the file
    source: str  # the file itself (a str: a Path costs several objects, times every module of a site)
    body_sha256: str  # of the body as loaded and checked: what a page made from it depends on

    @property
    def body(self) -> str:
        """The Markdown body, as loaded and checked (read again when the library did not keep it)."""
        if self.kept_body is not None:
            return self.kept_body
        _, body, _ = split_front_matter(read_text(Path(self.source), self.file, max_bytes=MAX_MODULE_BYTES), self.file)
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != self.body_sha256:
            # Never render a body that was not the one checked: its placeholders and links were not.
            raise InputError(
                [Problem(self.file, self.body_line, 1, "body", "changed while roadmap was running; run again")]
            )
        return body

    def summary_text(self) -> str:
        """The one-paragraph summary lists and short plans show: `summary:`, else the first
        paragraph of plain prose that prints no profile value (no reader sees a blank)."""
        if self.summary:
            return self.summary
        for paragraph in re.split(r"\n\s*\n", self.body):
            text = " ".join(paragraph.split())
            if text and "{{" not in text and not text.startswith(("#", "|", "-", ">", "1.", "*")):
                plain = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", text)
                return plain if len(plain) <= 220 else plain[:217].rsplit(" ", 1)[0] + "…"
        return ""

    def line_of(self, key: str) -> int:
        """The line of a front-matter key, or of the opening `---` when it is absent."""
        return self.key_lines.get(key, 1)


@dataclass(frozen=True)
class Library:
    """Every module, in a stable order, plus where the content came from."""

    modules: tuple[Module, ...]
    content: Layered

    def by_id(self, module_id: str) -> Module:
        return next(m for m in self.modules if m.id == module_id)


def module_files(content: Layered) -> dict[str, Path]:
    """The module files: every `*.md` except READMEs and anything under data/."""
    return {
        rel: path
        for rel, path in content.files(suffix=".md").items()
        if not rel.startswith("data/") and Path(rel).name.lower() != "readme.md"
    }


def load_library(content: Layered, rules: Rules | None = None, *, keep_bodies: bool = True) -> Library:
    """Load and validate every module; raise InputError listing every problem in every file.

    Without `keep_bodies`, a module's body is read again from its file each time it is asked
    for: memory then stays flat however many modules a site has.
    """
    rules = rules_or_builtin(rules)
    stages = tuple(rules.stage_labels)
    modules: list[Module] = []
    problems: list[Problem] = []
    for rel, file in module_files(content).items():
        try:
            display = content.display(file)
            modules.append(load_module(file, display, default_id=Path(rel).stem, rules=rules, keep_body=keep_bodies))
        except InputError as exc:
            problems.extend(exc.problems)
    seen: dict[str, Module] = {}
    for module in modules:
        if module.id in seen:
            other = seen[module.id]
            problems.append(Problem(module.file, 1, 1, "id", f"duplicate id (also in {other.file})", module.id))
        seen[module.id] = module
    for module in modules:
        for replaced in module.replaces:
            if replaced not in seen or replaced == module.id:
                why = "names this module itself" if replaced == module.id else "names no module"
                problems.append(Problem(module.file, module.line_of("replaces"), 1, "replaces", why, replaced))
    if problems:
        raise InputError(problems)
    modules.sort(key=lambda m: (stages.index(m.stage), m.order, m.id))
    return Library(tuple(modules), content)


def load_module(
    file: Path, display: str, *, default_id: str, rules: Rules | None = None, keep_body: bool = True
) -> Module:
    """Read one Markdown module; its front-matter lines count from the top of the file."""
    text = read_text(file, display, max_bytes=MAX_MODULE_BYTES)
    front, body, body_line = split_front_matter(text, display)
    doc = load_yaml(front, display, line_offset=1)
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "front matter must be a mapping of fields")])
    try:
        meta = FrontMatter.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError([_front_problem(doc, e) for e in exc.errors()]) from None
    rules = rules_or_builtin(rules)
    problems: list[Problem] = []
    if meta.stage not in rules.stage_labels:
        stages = ", ".join(rules.stage_labels)
        problems.append(doc.problem(("stage",), f"must be one of {stages} (stages.yaml)", meta.stage))
    when = parse_condition(meta.when, doc, ("when",), problems, rules.fields) if meta.when is not None else None
    for index, source in enumerate(meta.sources):
        if not rules.sources.is_known(source):
            message = "names no source in data/sources.yaml (add it there: title, publisher, url, checked)"
            problems.append(doc.problem(("sources", index), message, source))
    paths, issues = inspect_body(body)
    for path, line in paths:
        if not is_known_path(path, rules.fields):
            message = "unknown {{ path }}; see docs/namespace.md for the paths a body may print"
            problems.append(Problem(display, body_line + line, 1, "body", message, path))
    for issue in issues:
        problems.append(Problem(display, body_line + issue.line, 1, "body", issue.message, show_value(issue.got)))
    if problems:
        raise InputError(problems)
    return Module(
        id=meta.id or default_id,
        title=meta.title,
        stage=sys.intern(meta.stage),  # the same few words in every module: one copy each
        topics=tuple(sys.intern(topic) for topic in dict.fromkeys(meta.topics)),
        when=when,
        order=meta.order,
        sources=tuple(sys.intern(source) for source in meta.sources),
        summary=meta.summary,
        replaces=tuple(dict.fromkeys(meta.replaces)),
        kept_body=body if keep_body else None,
        placeholders=tuple(dict.fromkeys(path for path, _ in paths)),
        file=display,
        body_line=body_line,
        key_lines=MappingProxyType({str(k[0]): m.line for k, m in doc.key_marks.items() if len(k) == 1}),
        source=os.fspath(file),
        body_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


def is_known_path(path: str, fields: Mapping[str, FieldSpec] | None = None) -> bool:
    """Whether a body may print `{{ path }}`: a namespace path, `profile.<path>`, or a milestone."""
    if path.startswith("milestones."):
        return path.removeprefix("milestones.").replace("_", "-") in ALWAYS_MILESTONES
    return path.removeprefix("profile.") in (fields if fields is not None else rules_or_builtin(None).fields)


def _front_problem(doc: YamlDoc, error: Any) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(FrontMatter.model_fields)
        return doc.problem(loc, f"unknown front-matter field (allowed: {allowed})", loc[-1], key=True)
    if kind == "literal_error":
        return doc.problem(loc, f"must be one of {error['ctx']['expected']}", error.get("input"))
    if kind == "missing":
        return doc.problem(loc, "is required")
    if kind == "string_pattern_mismatch":
        return doc.problem(loc, "must be lowercase letters, digits and hyphens", error.get("input"))
    return doc.problem(loc, error["msg"].lower(), error.get("input"))


def iter_topics(modules: tuple[Module, ...]) -> Iterator[str]:
    """Yield each topic once, in SPEC order, that some module covers."""
    covered = {t for m in modules for t in m.topics}
    yield from (t for t in TOPICS if t in covered)
