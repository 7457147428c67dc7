"""The planning rules as data: stages, scores and flags, durations, milestones and the season
fallback rules, read once from content/data/ and validated with file and line.

Every number and date of the domain lives in those files (each with its source, or labelled a
planning assumption); the code that decides a plan only interprets what is loaded here. Each
file is found through the layered content folders, so `--content DIR` overrides it file by file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from roadmap.errors import InputError, Problem
from roadmap.load.bodies import PLACEHOLDER
from roadmap.load.conditions import AllOf, Condition, evaluate, parse_condition, paths_of
from roadmap.load.datareader import ID, MONTH_DAY, DataReader, real_day, shape
from roadmap.load.glossary import GLOSSARY_FILE, Glossary, read_glossary
from roadmap.load.layers import BUILTIN_CONTENT, Layered
from roadmap.load.namespace import BASE_FIELDS, namespace_fields
from roadmap.load.reasons import REASONS_FILE, Phrasebook, read_reasons
from roadmap.load.sources import SOURCES_FILE, SourceRegistry, read_sources
from roadmap.load.yamlsrc import KeyPath, YamlDoc, load_yaml, read_text
from roadmap.vocabulary import MILESTONE_KINDS, MilestoneKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.load.namespace import FieldSpec

STAGES_FILE = "data/stages.yaml"
SCORES_FILE = "data/scores.yaml"
DURATIONS_FILE = "data/durations.yaml"
MILESTONES_FILE = "data/milestones.yaml"
SEASON_RULES_FILE = "data/season_rules.yaml"
# The reader-facing wording files sit beside the rules: the sources cited, the glossary of
# abbreviations and the sentences of "why" lines.
RULE_FILES = (
    STAGES_FILE,
    SCORES_FILE,
    DURATIONS_FILE,
    MILESTONES_FILE,
    SEASON_RULES_FILE,
    SOURCES_FILE,
    GLOSSARY_FILE,
    REASONS_FILE,
)

SEASON_DATES = ("eras_opens", "eras_submit", "eras_review", "nrmp_registration", "rol_deadline", "match_day")
EXAMS = ("step1", "step2ck")
# The dates the code works out (roadmap.decide.milestones), and what their details may print.
RULE_ANCHORS = (
    "latest-safe-exam",
    "ck-target",
    "ck-proposed",
    "ck-window-start",
    "ck-window-end",
    "step1-proposed",
    "step1-result",
    "ck-result",
    "score-resend",
    "retake-target",
    "remediation-plan",
    "pathway-opens",
)
# Rule anchors that give their own source (a published date, or the estimate's wording).
SOURCED_RULES = ("pathway-opens",)
PROFILE_DATES = ("step1.date", "step2ck.date")
DETAIL_VALUES = (
    "review",
    "submit",
    "exam",
    "failed_on",
    "retake_wait",
    "legal_earliest",
    "attempts_left",
    "attempts_max",
    "attempt_rule",
    "block_weeks",
    "window_end",
)
# A stage or flag condition may not read what is decided from it.
_DECIDED = {"stage": ("stage", "flags"), "flag": ("flags",)}


@dataclass(frozen=True)
class Sourced:
    """A number of the domain and where it comes from."""

    value: int
    source: str


@dataclass(frozen=True)
class StageRule:
    id: str
    label: str
    when: Condition | None  # None: the last stage, which takes everyone left
    source: str


@dataclass(frozen=True)
class Band:
    id: str
    low: int
    label: str
    chart_label: str


@dataclass(frozen=True)
class FlagRule:
    id: str
    label: str
    when: Condition


@dataclass(frozen=True)
class Trend:
    window: int
    step: int


@dataclass(frozen=True)
class PassingStandard:
    score: int
    since: date
    source: str


@dataclass(frozen=True)
class ScoreRelease:
    weekday: int
    lag: timedelta
    buffer: timedelta
    no_release_weeks: tuple[tuple[int, int], ...]  # (month, day): the week holding that day
    no_release_from: tuple[tuple[int, int], ...]  # (month, day): from then to the year's end


@dataclass(frozen=True)
class Attempts:
    max: int
    per_window: int
    window_months: int
    gap_months: int


@dataclass(frozen=True)
class PlanningDates:
    """The durations of "Dates and feasibility" (durations.yaml: dates)."""

    ck_window: tuple[tuple[int, int], tuple[int, int]]  # (month, day) start and end, application year
    dedicated_block: timedelta
    step1_prep: timedelta
    full_time: timedelta
    part_time_hours: int
    retake_wait_months: int
    remediation: timedelta
    oet_sitting: timedelta
    oet_result: timedelta
    pathway_review: timedelta


@dataclass(frozen=True)
class Summarized:
    """Topics that a short plan prints as summaries, even in the reader's stage, while `when` holds
    (stages.yaml: summarized), e.g. how to build the application once it is submitted."""

    when: Condition
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Training:
    """Years of each route into medical genetics (durations.yaml: training)."""

    combined: int
    categorical: int
    primary: int
    genetics_residency: int
    genetics_apply_lead: int


TRAINING_KEYS = ("combined", "categorical", "primary", "genetics_residency", "genetics_apply_lead")


@dataclass(frozen=True)
class PathwayOpening:
    """When the ECFMG Pathway application opens (durations.yaml: ecfmg_pathway)."""

    known: Mapping[int, tuple[date, str]]  # by Match year: the published day and its source
    estimate: tuple[int, int]  # (month, day) of the application year, for the other years
    estimate_source: str


@dataclass(frozen=True)
class Anchor:
    kind: str  # season | day | profile | milestone | rule
    name: str  # the season date, "MM-DD", the profile path, the milestone id or the rule name


@dataclass(frozen=True)
class MilestoneRule:
    id: str
    title: str
    anchor: Anchor
    offset: timedelta
    kind: MilestoneKind
    source: str | None  # None: the anchor's season date gives it
    confirmed: bool  # False: always shown as estimated
    detail: str
    when: Condition | None
    done: Condition | None


@dataclass(frozen=True)
class SeasonRule:
    name: str
    wording: str
    month: int = 0
    day: int = 0  # a fixed day, or 0
    weekday: int = -1  # with nth: the nth such weekday of the month
    nth: int = 0
    match_year: bool = False  # the year is match_year, else the application year
    after: str = ""  # a season date this one follows by `offset`
    offset: timedelta = timedelta(0)


@dataclass(frozen=True)
class Rules:
    """Every planning rule of one run."""

    application_year: int  # added to match_year
    season_start_day: tuple[int, int]  # (month, day) of the application year
    overview_label: str
    stages: tuple[StageRule, ...]
    shown_first: tuple[str, ...]  # topics whose sections lead the plan, whatever their stage
    summarized: tuple[Summarized, ...]  # topics a short plan gives as summaries while a condition holds
    target: Sourced
    bands: tuple[Band, ...]
    trend: Trend
    chart_range: tuple[int, int]
    flags: tuple[FlagRule, ...]
    passing: Mapping[str, tuple[PassingStandard, ...]]
    score_release: ScoreRelease
    attempts: Attempts
    study_max_weeks: int
    study_final_phase: int
    dates: PlanningDates
    pathway_opening: PathwayOpening
    training: Training
    milestones: tuple[MilestoneRule, ...]
    season_rules: Mapping[str, SeasonRule]
    fields: Mapping[str, FieldSpec]
    sources: SourceRegistry  # what modules and data files cite, as readers see it
    glossary: Glossary  # abbreviations, spelled out at their first use on each page
    reasons: Phrasebook  # the sentences "why" lines say

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(stage.id for stage in self.stages)

    @property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(flag.id for flag in self.flags)

    @property
    def stage_labels(self) -> Mapping[str, str]:
        """Every stage's label, `overview` (the background modules) first."""
        return MappingProxyType({"overview": self.overview_label, **{s.id: s.label for s in self.stages}})

    @property
    def flag_labels(self) -> Mapping[str, str]:
        return MappingProxyType({flag.id: flag.label for flag in self.flags})

    def season_start(self, match_year: int) -> date:
        month, day = self.season_start_day
        return date(match_year + self.application_year, month, day)

    def stage_for(self, values: Mapping[str, object]) -> str:
        """The first stage whose condition holds (the last one has none)."""
        return next(s.id for s in self.stages if s.when is None or evaluate(s.when, values))

    def flags_for(self, values: Mapping[str, object]) -> tuple[str, ...]:
        return tuple(flag.id for flag in self.flags if evaluate(flag.when, values))

    def passing_score(self, exam: str, on: date) -> int | None:
        """The passing standard of `exam` in force on a day, if one is recorded."""
        found = [s.score for s in self.passing.get(exam, ()) if s.since <= on]
        return found[-1] if found else None


@cache
def builtin_rules() -> Rules:
    """The rules of the built-in content folder (for callers without a --content folder)."""
    return load_rules(Layered(BUILTIN_CONTENT))


def load_rules(content: Layered) -> Rules:
    """Read and validate every rule file; raise InputError listing every problem with its line."""
    problems: list[Problem] = []
    docs: dict[str, YamlDoc] = {}
    for relative in RULE_FILES:
        file = content.find(relative)
        if file is None:
            problems.append(Problem(relative, 1, 1, "", "the rule file is missing"))
            continue
        display = content.display(file)
        try:
            docs[relative] = load_yaml(read_text(file, display), display)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    loader = _Loader(problems)
    rules = loader.load(docs)
    if problems or rules is None:
        raise InputError(problems)
    return rules


class _Loader:
    """Reads the five rule files in the order their references need."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.conditions: list[tuple[DataReader, KeyPath, object, str]] = []  # parsed once the namespace is known

    def load(self, docs: Mapping[str, YamlDoc]) -> Rules | None:
        readers = {name: DataReader(doc, self.problems) for name, doc in docs.items()}
        stages = self._stages(readers[STAGES_FILE])
        scores = self._scores(readers[SCORES_FILE])
        durations = self._durations(readers[DURATIONS_FILE])
        season_rules = self._season_rules(readers[SEASON_RULES_FILE])
        milestones = self._milestones(readers[MILESTONES_FILE])
        if stages is None or scores is None or durations is None:
            return None
        fields = namespace_fields(
            tuple(s["id"] for s in stages["stages"]),
            tuple(f["id"] for f in scores["flags"]),
            tuple(b.id for b in scores["bands"]),
        )
        parsed = [self._condition(reader, at, raw, role, fields) for reader, at, raw, role in self.conditions]
        by_at = {(id(reader), at): cond for (reader, at, _, _), cond in zip(self.conditions, parsed, strict=True)}

        def when(reader: DataReader, at: KeyPath) -> Condition | None:
            return by_at.get((id(reader), at))

        stage_rules = tuple(
            StageRule(s["id"], s["label"], when(readers[STAGES_FILE], s["at"]), s["source"]) for s in stages["stages"]
        )
        flags = tuple(
            FlagRule(f["id"], f["label"], when(readers[SCORES_FILE], f["at"]) or AllOf(())) for f in scores["flags"]
        )
        rules_of_milestones = tuple(
            MilestoneRule(
                **{
                    **m["rule"],
                    "when": when(readers[MILESTONES_FILE], m["when"]),
                    "done": when(readers[MILESTONES_FILE], m["done"]),
                }
            )
            for m in milestones
        )
        return Rules(
            application_year=stages["application_year"],
            season_start_day=stages["season_start"],
            overview_label=stages["overview"],
            stages=stage_rules,
            shown_first=stages["shown_first"],
            summarized=tuple(
                Summarized(when(readers[STAGES_FILE], rule["at"]) or AllOf(()), rule["topics"])
                for rule in stages["summarized"]
            ),
            target=scores["target"],
            bands=scores["bands"],
            trend=scores["trend"],
            chart_range=scores["chart"],
            flags=flags,
            passing=scores["passing"],
            score_release=durations["score_release"],
            attempts=durations["attempts"],
            study_max_weeks=durations["study"][0],
            study_final_phase=durations["study"][1],
            dates=durations["dates"],
            pathway_opening=durations["ecfmg_pathway"],
            training=durations["training"],
            milestones=rules_of_milestones,
            season_rules=season_rules,
            fields=fields,
            sources=read_sources(docs[SOURCES_FILE], self.problems),
            glossary=read_glossary(docs[GLOSSARY_FILE], self.problems),
            reasons=read_reasons(docs[REASONS_FILE], self.problems, fields),
        )

    def _condition(
        self, reader: DataReader, at: KeyPath, raw: object, role: str, fields: Mapping[str, FieldSpec]
    ) -> Condition:
        condition = parse_condition(raw, reader.doc, at, self.problems, fields)
        for path in sorted(paths_of(condition) & set(_DECIDED.get(role, ()))):
            reader.error(at, f"a {role} condition cannot read {path}, which is decided from it", path)
        return condition

    def _later(self, reader: DataReader, at: KeyPath, raw: object, role: str) -> None:
        self.conditions.append((reader, at, raw, role))

    def _stages(self, r: DataReader) -> dict[str, Any] | None:
        top = r.mapping(
            (), r.doc.data, ("application_year", "season_start", "overview", "stages"), ("shown_first", "summarized")
        )
        if top is None:
            return None
        year = r.mapping(("application_year",), top["application_year"], ("years", "source"))
        start = r.mapping(("season_start",), top["season_start"], ("month", "day", "source"))
        overview = r.mapping(("overview",), top["overview"], ("label",))
        result: dict[str, Any] = {"stages": []}
        if year is not None:
            r.text(("application_year", "source"), year["source"])
            result["application_year"] = r.integer(("application_year", "years"), year["years"], -10, 10)
        if start is not None:
            r.text(("season_start", "source"), start["source"])
            month = r.integer(("season_start", "month"), start["month"], 1, 12)
            day = r.integer(("season_start", "day"), start["day"], 1, 31)
            if not real_day(month, day):
                r.error(("season_start", "day"), "must be a real day of that month", start["day"])
            result["season_start"] = (month, day)
        if overview is not None:
            result["overview"] = r.text(("overview", "label"), overview["label"])
        items = r.items(("stages",), top["stages"])
        seen: set[str] = set()
        for index, raw in enumerate(items):
            at: KeyPath = ("stages", index)
            stage = r.mapping(at, raw, ("id", "label", "source"), ("when",))
            if stage is None:
                continue
            stage_id = r.ident((*at, "id"), stage["id"])
            if stage_id in seen or stage_id == "overview":
                r.error((*at, "id"), "duplicate stage id" if stage_id in seen else "overview is not a stage", stage_id)
            seen.add(stage_id)
            last = index == len(items) - 1
            if "when" in stage:
                if last:
                    r.error((*at, "when"), "the last stage takes everyone left, so it has no when:")
                self._later(r, (*at, "when"), stage["when"], "stage")
            elif not last:
                r.error(at, "every stage but the last needs a when:", stage_id)
            result["stages"].append(
                {
                    "id": stage_id,
                    "label": r.text((*at, "label"), stage["label"]),
                    "source": r.text((*at, "source"), stage["source"]),
                    "at": (*at, "when"),
                }
            )
        if set(result) != {"stages", "application_year", "season_start", "overview"}:
            return None
        first = r.items(("shown_first",), top.get("shown_first", []))
        result["shown_first"] = tuple(r.ident(("shown_first", i), topic) for i, topic in enumerate(first))
        result["summarized"] = []
        for index, raw in enumerate(r.items(("summarized",), top.get("summarized", []))):
            at = ("summarized", index)
            rule = r.mapping(at, raw, ("when", "topics", "source"))
            if rule is not None:
                r.text((*at, "source"), rule["source"])
                self._later(r, (*at, "when"), rule["when"], "summarized")
                topics = r.items((*at, "topics"), rule["topics"])
                result["summarized"].append(
                    {"at": (*at, "when"), "topics": tuple(r.ident((*at, "topics", i), t) for i, t in enumerate(topics))}
                )
        return result

    def _scores(self, r: DataReader) -> dict[str, Any] | None:
        top = r.mapping((), r.doc.data, ("target", "bands", "trend", "chart", "flags", "passing"))
        if top is None:
            return None
        result: dict[str, Any] = {}
        target = r.mapping(("target",), top["target"], ("score", "source"))
        if target is not None:
            result["target"] = Sourced(
                r.integer(("target", "score"), target["score"], 1, 300), r.text(("target", "source"), target["source"])
            )
        bands: list[Band] = []
        for index, raw in enumerate(r.items(("bands",), top["bands"])):
            at: KeyPath = ("bands", index)
            band = r.mapping(at, raw, ("id", "from", "label", "chart_label", "source"))
            if band is None:
                continue
            r.text((*at, "source"), band["source"])
            low = r.integer((*at, "from"), band["from"], 1, 300)
            if bands and low >= bands[-1].low:
                r.error((*at, "from"), "bands go from the highest score down", band["from"])
            bands.append(
                Band(
                    r.ident((*at, "id"), band["id"]),
                    low,
                    r.text((*at, "label"), band["label"]),
                    r.text((*at, "chart_label"), band["chart_label"]),
                )
            )
        if bands and bands[-1].low != 1:
            r.error(
                ("bands", len(bands) - 1, "from"),
                "the last band must start at 1, so every score has a band",
                bands[-1].low,
            )
        result["bands"] = tuple(bands)
        trend = r.mapping(("trend",), top["trend"], ("window", "step", "source"))
        if trend is not None:
            r.text(("trend", "source"), trend["source"])
            result["trend"] = Trend(
                r.integer(("trend", "window"), trend["window"], 2, 20),
                r.integer(("trend", "step"), trend["step"], 1, 100),
            )
        chart = r.mapping(("chart",), top["chart"], ("low", "high", "source"))
        if chart is not None:
            r.text(("chart", "source"), chart["source"])
            low, high = (
                r.integer(("chart", "low"), chart["low"], 1, 300),
                r.integer(("chart", "high"), chart["high"], 1, 300),
            )
            if low >= high:
                r.error(("chart", "high"), "must be above low", chart["high"])
            result["chart"] = (low, high)
        result["flags"] = []
        seen: set[str] = set()
        for index, raw in enumerate(r.items(("flags",), top["flags"])):
            at = ("flags", index)
            flag = r.mapping(at, raw, ("id", "label", "when"))
            if flag is None:
                continue
            flag_id = r.ident((*at, "id"), flag["id"])
            if flag_id in seen:
                r.error((*at, "id"), "duplicate flag id", flag_id)
            seen.add(flag_id)
            self._later(r, (*at, "when"), flag["when"], "flag")
            result["flags"].append({"id": flag_id, "label": r.text((*at, "label"), flag["label"]), "at": (*at, "when")})
        result["passing"] = self._passing(r, top["passing"])
        return result if len(result) == 6 else None

    def _passing(self, r: DataReader, raw: object) -> Mapping[str, tuple[PassingStandard, ...]]:
        standards: dict[str, tuple[PassingStandard, ...]] = {}
        if not isinstance(raw, dict):
            r.error(("passing",), "must be a mapping of exams", shape(raw))
            return standards
        for exam, entries in raw.items():
            if exam not in EXAMS:
                r.error(("passing", exam), f"unknown exam (use {', '.join(EXAMS)})", exam, key=True)
                continue
            found: list[PassingStandard] = []
            for index, entry in enumerate(r.items(("passing", exam), entries)):
                at: KeyPath = ("passing", exam, index)
                fields = r.mapping(at, entry, ("score", "since", "source"))
                if fields is None:
                    continue
                since = r.day((*at, "since"), fields["since"])
                if since is None:
                    continue
                if found and since <= found[-1].since:
                    r.error((*at, "since"), "standards go from the oldest to the newest", fields["since"])
                found.append(
                    PassingStandard(
                        r.integer((*at, "score"), fields["score"], 1, 300),
                        since,
                        r.text((*at, "source"), fields["source"]),
                    )
                )
            standards[exam] = tuple(found)
        return MappingProxyType(standards)

    def _durations(self, r: DataReader) -> dict[str, Any] | None:
        top = r.mapping((), r.doc.data, ("score_release", "attempts", "study", "dates", "ecfmg_pathway", "training"))
        if top is None:
            return None
        result: dict[str, Any] = {}
        release = r.mapping(
            ("score_release",), top["score_release"], ("weekday", "lag", "buffer", "no_release", "source")
        )
        if release is not None:
            r.text(("score_release", "source"), release["source"])
            weeks: list[tuple[int, int]] = []
            from_days: list[tuple[int, int]] = []
            for index, raw in enumerate(r.items(("score_release", "no_release"), release["no_release"])):
                at: KeyPath = ("score_release", "no_release", index)
                which = "week_of" if isinstance(raw, dict) and "week_of" in raw else "from"
                entry = r.mapping(at, raw, (which, "source"))
                if entry is not None:
                    r.text((*at, "source"), entry["source"])
                    (weeks if which == "week_of" else from_days).append(r.month_day((*at, which), entry[which]))
            result["score_release"] = ScoreRelease(
                r.weekday(("score_release", "weekday"), release["weekday"]),
                r.duration(("score_release", "lag"), release["lag"], sourced=True),
                r.duration(("score_release", "buffer"), release["buffer"], sourced=True),
                tuple(weeks),
                tuple(from_days),
            )
        attempts = r.mapping(
            ("attempts",), top["attempts"], ("max", "per_window", "window_months", "gap_months", "source")
        )
        if attempts is not None:
            r.text(("attempts", "source"), attempts["source"])
            result["attempts"] = Attempts(
                *(
                    r.integer(("attempts", key), attempts[key], 1, 60)
                    for key in ("max", "per_window", "window_months", "gap_months")
                )
            )
        study = r.mapping(("study",), top["study"], ("max_weeks", "final_phase_weeks", "source"))
        if study is not None:
            r.text(("study", "source"), study["source"])
            result["study"] = (
                r.integer(("study", "max_weeks"), study["max_weeks"], 1, 520),
                r.integer(("study", "final_phase_weeks"), study["final_phase_weeks"], 0, 520),
            )
        dates = self._planning_dates(r, top["dates"])
        if dates is not None:
            result["dates"] = dates
        opening = self._pathway_opening(r, top["ecfmg_pathway"])
        if opening is not None:
            result["ecfmg_pathway"] = opening
        training = r.mapping(("training",), top["training"], TRAINING_KEYS)
        if training is not None:
            years = []
            for key in TRAINING_KEYS:
                entry = r.mapping(("training", key), training[key], ("years", "source"))
                if entry is not None:
                    r.text(("training", key, "source"), entry["source"])
                    years.append(r.integer(("training", key, "years"), entry["years"], 1, 10))
            if len(years) == len(TRAINING_KEYS):
                result["training"] = Training(*years)
        return result if len(result) == 6 else None

    def _planning_dates(self, r: DataReader, raw: object) -> PlanningDates | None:
        spans = (
            "dedicated_block",
            "step1_prep",
            "full_time",
            "remediation",
            "oet_sitting",
            "oet_result",
            "pathway_review",
        )
        fields = r.mapping(("dates",), raw, ("ck_window", "part_time_hours", "retake_wait", *spans))
        if fields is None:
            return None
        window = r.mapping(("dates", "ck_window"), fields["ck_window"], ("start", "end", "source"))
        start, end = (1, 1), (12, 31)
        if window is not None:
            r.text(("dates", "ck_window", "source"), window["source"])
            start = r.month_day(("dates", "ck_window", "start"), window["start"])
            end = r.month_day(("dates", "ck_window", "end"), window["end"])
            if end <= start:
                r.error(("dates", "ck_window", "end"), "must be after start", window["end"])
        counts = {}
        for key, unit, high in (("part_time_hours", "hours", 168), ("retake_wait", "months", 60)):
            entry = r.mapping(("dates", key), fields[key], (unit, "source"))
            if entry is not None:
                r.text(("dates", key, "source"), entry["source"])
                counts[key] = r.integer(("dates", key, unit), entry[unit], 0, high)
        durations = {key: r.duration(("dates", key), fields[key], sourced=True) for key in spans}
        return PlanningDates(
            (start, end),
            part_time_hours=counts.get("part_time_hours", 0),
            retake_wait_months=counts.get("retake_wait", 0),
            **durations,
        )

    def _pathway_opening(self, r: DataReader, raw: object) -> PathwayOpening | None:
        fields = r.mapping(("ecfmg_pathway",), raw, ("opens", "estimate"))
        if fields is None:
            return None
        known: dict[int, tuple[date, str]] = {}
        for index, entry in enumerate(r.items(("ecfmg_pathway", "opens"), fields["opens"])):
            at: KeyPath = ("ecfmg_pathway", "opens", index)
            opening = r.mapping(at, entry, ("match_year", "date", "source"))
            if opening is None:
                continue
            year = r.integer((*at, "match_year"), opening["match_year"], 2000, 2100)
            day = r.day((*at, "date"), opening["date"])
            source = r.text((*at, "source"), opening["source"])
            if day is not None:
                known[year] = (day, source)
        estimate = r.mapping(("ecfmg_pathway", "estimate"), fields["estimate"], ("day", "source"))
        if estimate is None:
            return None
        return PathwayOpening(
            MappingProxyType(known),
            r.month_day(("ecfmg_pathway", "estimate", "day"), estimate["day"]),
            r.text(("ecfmg_pathway", "estimate", "source"), estimate["source"]),
        )

    def _season_rules(self, r: DataReader) -> Mapping[str, SeasonRule]:
        data = r.doc.data
        if not isinstance(data, dict):
            r.error((), "must be a mapping of season dates", shape(data))
            return MappingProxyType({})
        found: dict[str, SeasonRule] = {}
        for name, raw in data.items():
            at: KeyPath = (name,)
            if name not in SEASON_DATES:
                r.error(at, f"unknown season date (use {', '.join(SEASON_DATES)})", name, key=True)
                continue
            if isinstance(raw, dict) and "after" in raw:
                unit = "days" if "days" in raw else "weeks"
                rule = r.mapping(at, raw, ("wording", "after", unit, "source"))
                if rule is None:
                    continue
                after = r.choice((*at, "after"), rule["after"], SEASON_DATES)
                amount = r.integer((*at, unit), rule[unit], -520, 520)
                offset = timedelta(weeks=amount) if unit == "weeks" else timedelta(days=amount)
                found[name] = SeasonRule(name, r.text((*at, "wording"), rule["wording"]), after=after, offset=offset)
            elif isinstance(raw, dict) and "weekday" in raw:
                rule = r.mapping(at, raw, ("wording", "month", "weekday", "nth", "year", "source"))
                if rule is None:
                    continue
                found[name] = SeasonRule(
                    name,
                    r.text((*at, "wording"), rule["wording"]),
                    month=r.integer((*at, "month"), rule["month"], 1, 12),
                    weekday=r.weekday((*at, "weekday"), rule["weekday"]),
                    nth=r.integer((*at, "nth"), rule["nth"], 1, 4),
                    match_year=r.choice((*at, "year"), rule["year"], ("application", "match")) == "match",
                )
            else:
                rule = r.mapping(at, raw, ("wording", "month", "day", "year", "source"))
                if rule is None:
                    continue
                month, day = (
                    r.integer((*at, "month"), rule["month"], 1, 12),
                    r.integer((*at, "day"), rule["day"], 1, 31),
                )
                if not real_day(month, day):
                    r.error((*at, "day"), "must be a real day of that month", rule["day"])
                found[name] = SeasonRule(
                    name,
                    r.text((*at, "wording"), rule["wording"]),
                    month=month,
                    day=day,
                    match_year=r.choice((*at, "year"), rule["year"], ("application", "match")) == "match",
                )
            r.text((*at, "source"), raw["source"])
        for name in SEASON_DATES:
            if name not in data:
                r.error((), f"no rule for {name}: every season date needs one", name)
        for name in found:
            if _cycle(name, {n: rule.after for n, rule in found.items() if rule.after}):
                r.error((name, "after"), "the rules refer to each other in a cycle", found[name].after)
        return MappingProxyType(found)

    def _milestones(self, r: DataReader) -> list[dict[str, Any]]:
        top = r.mapping((), r.doc.data, ("milestones",))
        if top is None:
            return []
        found: list[dict[str, Any]] = []
        ids: dict[str, KeyPath] = {}
        follows: dict[str, str] = {}
        for index, raw in enumerate(r.items(("milestones",), top["milestones"])):
            at: KeyPath = ("milestones", index)
            entry = r.mapping(
                at, raw, ("id", "title", "anchor", "kind"), ("offset", "source", "confirmed", "detail", "when", "done")
            )
            if entry is None:
                continue
            milestone_id = r.ident((*at, "id"), entry["id"])
            if milestone_id in ids:
                r.error((*at, "id"), "duplicate milestone id", milestone_id)
            ids[milestone_id] = at
            anchor = self._anchor(r, (*at, "anchor"), entry["anchor"])
            if anchor.kind == "milestone":
                follows[milestone_id] = anchor.name
            gives_source = anchor.kind == "season" or (anchor.kind == "rule" and anchor.name in SOURCED_RULES)
            if "source" not in entry and not gives_source:
                r.error(at, "'source' is required (only a season: anchor or rule:pathway-opens gives its own)")
            confirmed = entry.get("confirmed", "true")
            if confirmed not in ("true", "false"):
                r.error((*at, "confirmed"), "must be true or false", shape(confirmed))
            detail = "" if "detail" not in entry else r.text((*at, "detail"), entry["detail"])
            for name in PLACEHOLDER.findall(detail):
                if name not in DETAIL_VALUES and name not in BASE_FIELDS:
                    r.error((*at, "detail"), "unknown {{ name }}; see docs/namespace.md and milestones.yaml", name)
            for key in ("when", "done"):
                if key in entry:
                    self._later(r, (*at, key), entry[key], "milestone")
            found.append(
                {
                    "rule": {
                        "id": milestone_id,
                        "title": r.text((*at, "title"), entry["title"]),
                        "anchor": anchor,
                        "offset": r.duration((*at, "offset"), entry["offset"], sourced=False)
                        if "offset" in entry
                        else timedelta(0),
                        "kind": MILESTONE_KINDS[
                            MILESTONE_KINDS.index(r.choice((*at, "kind"), entry["kind"], MILESTONE_KINDS))
                        ],
                        "source": r.text((*at, "source"), entry["source"]) if "source" in entry else None,
                        "confirmed": confirmed != "false",
                        "detail": detail,
                    },
                    "when": (*at, "when"),
                    "done": (*at, "done"),
                }
            )
        for milestone_id, target in follows.items():
            at = ids[milestone_id]
            if target not in ids:
                r.error((*at, "anchor"), "unknown milestone", f"milestone:{target}")
            elif _cycle(milestone_id, follows):
                r.error((*at, "anchor"), "the anchors refer to each other in a cycle", f"milestone:{target}")
        return found

    def _anchor(self, r: DataReader, at: KeyPath, raw: object) -> Anchor:
        kind, _, name = raw.partition(":") if isinstance(raw, str) else ("", "", "")
        valid = {
            "season": name in SEASON_DATES,
            "day": bool(MONTH_DAY.match(name)) and real_day(int(name[:2]), int(name[3:])),
            "profile": name in PROFILE_DATES,
            "milestone": bool(ID.match(name)),
            "rule": name in RULE_ANCHORS,
        }.get(kind, False)
        if not valid:
            r.error(
                at,
                "unknown anchor (use season:NAME, day:MM-DD, profile:step1.date or profile:step2ck.date, "
                f"milestone:ID or rule:{'|'.join(RULE_ANCHORS)})",
                shape(raw),
            )
        return Anchor(kind, name)


def _cycle(start: str, follows: Mapping[str, str]) -> bool:
    """Whether following `follows` from `start` comes back to it."""
    seen, here = set(), follows.get(start)
    while here is not None and here not in seen:
        if here == start:
            return True
        seen.add(here)
        here = follows.get(here)
    return False


def rules_or_builtin(rules: Rules | None) -> Rules:
    """The rules given, else the built-in ones: for callers (and tests) that use no --content folder."""
    return rules if rules is not None else builtin_rules()
