"""Decide a plan: select the modules whose conditions hold, order them, attach their reasons.

`build_plan` is pure: profile, library, season table and `today` in, a frozen Plan out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from roadmap.decide.facts import derive_facts
from roadmap.decide.milestones import compute_milestones
from roadmap.decide.plan import Group, Plan, ProfileRef, Section
from roadmap.decide.programs import tier_programs
from roadmap.decide.status import next_actions, with_statuses
from roadmap.decide.study import weekly_plan
from roadmap.load.conditions import evaluate, explain
from roadmap.load.rules import rules_or_builtin
from roadmap.slug import slugify

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.decide.programs import Program, TierRules
    from roadmap.load.content import Library, Module
    from roadmap.load.profile import Profile
    from roadmap.load.rules import Rules
    from roadmap.load.seasons import SeasonTable
    from roadmap.vocabulary import Detail

# Reading order of the groups: what to do now, what a past result still calls for, the
# background every plan carries, then the later stages.
GROUP_ORDER: tuple[Group, ...] = ("now", "recovery", "background", "coming-up")
FULL_IN_SHORT: tuple[Group, ...] = ("now", "recovery")


def build_plan(
    profile: Profile,
    library: Library,
    seasons: SeasonTable,
    today: date,
    *,
    source: str,
    programs: tuple[list[Program], str, TierRules] | None = None,
    rules: Rules | None = None,
    detail: Detail = "short",
) -> Plan:
    """Select, order and explain the guidance for `profile` on `today` (and tier its program list)."""
    rules = rules_or_builtin(rules)
    stages = rules.stage_ids
    facts = derive_facts(profile, today, rules, seasons)
    dated = compute_milestones(profile, facts, seasons.season_for(profile.match_year), today, rules)
    values: dict[str, object] = dict(facts.values)
    values.update({f"milestones.{m.id.replace('-', '_')}": m.date for m in dated.milestones})
    milestones = with_statuses(dated.milestones, profile, values, today, rules)
    sections = [
        Section(module, _why(module, values, rules), _group(module.stage, facts.stage, stages))
        for module in library.modules
        if module.when is None or evaluate(module.when, values)
    ]
    # `replaces:` keeps two modules from giving different advice on the same point.
    replaced = {r for s in sections for r in s.module.replaces}
    sections = [s for s in sections if s.id not in replaced]
    # A section on a "shown first" topic (the Match year at risk) leads the plan, whatever its stage.
    first = [replace(s, group="now") for s in sections if set(s.module.topics) & set(rules.shown_first)]
    rest = [s for s in sections if not set(s.module.topics) & set(rules.shown_first)]
    rest.sort(key=lambda s: (GROUP_ORDER.index(s.group), _stage_rank(s.stage, stages), s.module.order, s.id))
    sections = sorted(first, key=lambda s: (s.module.order, s.id)) + rest
    if detail == "short":
        # The reader's stage, what an earlier result still calls for, and anything shown first are
        # printed in full; background and later stages are summaries that point to the full text.
        # So is a topic the rules summarise for now (the season's weight has moved on from it).
        summarized = {t for rule in rules.summarized if evaluate(rule.when, values) for t in rule.topics}
        sections = [
            replace(s, in_full=s.group in FULL_IN_SHORT and not set(s.module.topics) <= summarized) for s in sections
        ]
    return Plan(
        profile=ProfileRef(profile.name, slugify(profile.name), source),
        today=today,
        stage=facts.stage,
        flags=facts.flags,
        sections=tuple(sections),
        milestones=milestones,
        warnings=dated.warnings,
        practice=facts.practice,
        study_weeks=weekly_plan(profile, milestones, today, rules),
        values=values,
        programs=tier_programs(programs[0], values, programs[2], programs[1]) if programs else None,
        rules=rules,
        feasibility=facts.feasibility,
        next_actions=next_actions(milestones, today),
        detail=detail,
    )


def _why(module: Module, values: Mapping[str, object], rules: Rules) -> tuple[str, ...]:
    if module.when is None:
        return (f"Every plan has this section; yours is for the {values['match_year']} Match.",)
    return tuple(dict.fromkeys(explain(module.when, values, rules.reasons)))


def _stage_rank(stage: str, stages: tuple[str, ...]) -> int:
    return stages.index(stage) if stage in stages else -1


def _group(module_stage: str, current: str, stages: tuple[str, ...]) -> Group:
    if module_stage == "overview":
        return "background"
    rank, now = _stage_rank(module_stage, stages), stages.index(current)
    if rank == now:
        return "now"
    return "recovery" if rank < now else "coming-up"
