"""Dated milestones from the profile, the season calendar and `today` (pure).

The milestones are data (content/data/milestones.yaml): each hangs from an anchor date with an
offset. This module interprets the anchors; the ones with real logic (score release, the latest
safe exam date, the retake rules) are worked out in roadmap.decide.examdates and
roadmap.decide.feasibility from the numbers of durations.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

# add_months, latest_safe_exam and score_release are re-exported: callers name them from here.
from roadmap.decide.examdates import add_months as add_months
from roadmap.decide.examdates import earliest_retake, score_release
from roadmap.decide.examdates import latest_safe_exam as latest_safe_exam
from roadmap.decide.feasibility import chain as plan_chain
from roadmap.decide.feasibility import pathway_opens
from roadmap.decide.plan import Milestone
from roadmap.load.bodies import PLACEHOLDER
from roadmap.load.conditions import evaluate, show
from roadmap.load.rules import SOURCED_RULES, rules_or_builtin
from roadmap.vocabulary import MilestoneOrigin

if TYPE_CHECKING:
    from collections.abc import Mapping

    from roadmap.decide.facts import Facts
    from roadmap.decide.feasibility import Chain
    from roadmap.load.profile import Profile, Step1
    from roadmap.load.rules import MilestoneRule, Rules
    from roadmap.load.seasons import Season

# Event milestones are things that happen to you; once past they are simply done.
_EXAM_LABELS = {"step1": "Step 1", "ck": "Step 2 CK"}


@dataclass(frozen=True)
class MilestonePlan:
    """The dated milestones of one plan, in date order, and the warnings they raise."""

    milestones: tuple[Milestone, ...]
    warnings: tuple[str, ...]


def _attempt_rule(exam: Step1, rules: Rules) -> str:
    attempts = rules.attempts
    if max(exam.attempts, 1) + 1 >= attempts.max:
        return (
            f"the {_ordinal(attempts.max)} attempt needs {attempts.window_months} months since your first "
            f"and {attempts.gap_months} since your latest"
        )
    return f"at most {attempts.per_window} attempts in {attempts.window_months} months"


def _ordinal(number: int) -> str:
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class _Dated:
    """An anchor's date, where it comes from (origin; confirmed and source for official dates)
    and the values its milestone's detail may print."""

    date: date
    origin: MilestoneOrigin
    confirmed: bool = False
    source: str | None = None
    extras: Mapping[str, str] | None = None


def _retake_dates(chain: Chain, rules: Rules, profile: Profile) -> dict[str, _Dated | None]:
    """remediation-plan and retake-target: planning dates after a failed attempt."""
    retake = chain.retake
    if retake is None:
        return {"retake-target": None, "remediation-plan": None}
    exam = profile.step1 if retake.exam == "step1" else profile.step2ck
    _, left = earliest_retake(exam, rules)
    extras = {
        "exam": _EXAM_LABELS[retake.exam],
        "failed_on": show(retake.failed_on),
        "retake_wait": f"{rules.dates.retake_wait_months} months",
        "legal_earliest": "unknown without the date of that attempt" if retake.legal is None else show(retake.legal),
        "attempts_left": str(left),
        "attempts_max": str(rules.attempts.max),
        "attempt_rule": _attempt_rule(exam, rules),
    }
    return {
        "retake-target": _Dated(retake.target, "plan", extras=extras),
        "remediation-plan": _Dated(retake.remediation, "plan", extras=extras),
    }


def _ck_dates(chain: Chain, season: Season, rules: Rules) -> dict[str, _Dated | None]:
    """The Step 2 CK dates: its window, the planned date, the proposal and the score's re-sending."""
    review, submit = season.eras_review, season.eras_submit
    review_text = show(review.date) + ("" if review.confirmed else ", estimated")
    submit_text = show(submit.date) + ("" if submit.confirmed else ", estimated")
    ck = chain.ck
    planned = None if ck is None else _Dated(ck.date, ck.origin)
    proposed = None
    if ck is not None and chain.ck_proposed:
        extras = {"block_weeks": str(rules.dates.dedicated_block.days // 7), "window_end": show(chain.window[1])}
        proposed = _Dated(ck.date, "plan", extras=extras)
    resend = None
    if chain.ck_result is not None and chain.ck_result > submit.date:
        resend = _Dated(chain.ck_result, "plan", extras={"submit": submit_text, "review": review_text})
    return {
        "latest-safe-exam": _Dated(chain.safe, "plan", extras={"review": review_text}),
        "ck-window-start": _Dated(chain.window[0], "plan"),
        "ck-window-end": _Dated(chain.window[1], "plan"),
        "ck-target": planned,
        "ck-proposed": proposed,
        "score-resend": resend,
    }


def _dates_left(profile: Profile, facts: Facts, season: Season, today: date, rules: Rules) -> Chain:
    """What is left, dated: the facts' chain, unless the caller gives another season."""
    if facts.dates is not None and facts.dates.season == season:
        return facts.dates
    return plan_chain(profile, today, season, rules)


def _rule_dates(profile: Profile, chain: Chain, season: Season, rules: Rules) -> dict[str, _Dated | None]:
    """The dates the code works out, by rule name (milestones.yaml: rule:NAME)."""
    ck, step1 = profile.step2ck, profile.step1
    opens, opens_confirmed, opens_source = pathway_opens(season.match_year, rules)
    return {
        **_ck_dates(chain, season, rules),
        **_retake_dates(chain, rules, profile),
        # Step 1 not booked yet: the date the feasibility chain assumes (today + the preparation block).
        "step1-proposed": _Dated(chain.step1.date, "plan") if chain.step1 and chain.step1.origin == "plan" else None,
        "step1-result": _Dated(score_release(step1.date, rules), "plan") if step1.date else None,
        "ck-result": _Dated(score_release(ck.date, rules), "plan") if ck.date else None,
        "pathway-opens": _Dated(opens, "official", opens_confirmed, opens_source),
    }


def _anchor_date(
    rule: MilestoneRule,
    profile: Profile,
    season: Season,
    rules: Rules,
    computed: Mapping[str, _Dated | None],
    placed: Mapping[str, _Dated],
) -> _Dated | None:
    anchor = rule.anchor
    if anchor.kind == "season":
        entry = getattr(season, anchor.name)
        return _Dated(entry.date, "official", entry.confirmed, entry.source)
    if anchor.kind == "day":
        day = date(season.match_year + rules.application_year, int(anchor.name[:2]), int(anchor.name[3:]))
        return _Dated(day, "plan")
    if anchor.kind == "profile":
        exam = profile.step1 if anchor.name == "step1.date" else profile.step2ck
        return None if exam.date is None else _Dated(exam.date, "profile")
    if anchor.kind == "milestone":
        return placed.get(anchor.name)
    return computed[anchor.name]


def _placed(rule: MilestoneRule, anchored: _Dated) -> _Dated:
    """The milestone's own date: moved off its anchor by an offset, it is a planning date; only an
    official date can be confirmed."""
    origin: MilestoneOrigin = anchored.origin if not rule.offset else "plan"
    confirmed = origin == "official" and anchored.confirmed and rule.confirmed
    return _Dated(anchored.date + rule.offset, origin, confirmed, anchored.source if origin == "official" else None)


def _detail(text: str, values: Mapping[str, object], extras: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: extras.get(m[1], show(values.get(m[1]))), text)


def _warnings(profile: Profile, safe: date, season: Season, rules: Rules, chain: Chain) -> list[str]:
    warnings: list[str] = []
    proposed = chain.ck
    if proposed is not None and chain.ck_proposed and chain.ck_after_window:
        warnings.append(
            f"There is no longer room for {rules.dates.dedicated_block.days // 7} weeks of dedicated study before "
            f"{show(chain.window[1])}: the proposed Step 2 CK date, {show(proposed.date)}, is after the "
            "April to July window."
        )
    for key, exam in (("step1", profile.step1), ("ck", profile.step2ck)):
        if exam.status == "failed":
            _, left = earliest_retake(exam, rules)
            if left <= 1:
                label = _EXAM_LABELS[key]
                warnings.append(
                    f"You have {left} {label} attempt{'s' if left != 1 else ''} left of {rules.attempts.max}."
                )
    ck = profile.step2ck
    if ck.status == "scheduled" and ck.date is not None and ck.date > safe:
        review = season.eras_review
        review_text = show(review.date) + ("" if review.confirmed else ", estimated")
        warnings.append(
            f"Your Step 2 CK date ({show(ck.date)}) is after {show(safe)}, the latest date "
            f"whose score should reach programs when they start reviewing ({review_text})."
        )
    return warnings


def compute_milestones(
    profile: Profile, facts: Facts, season: Season, today: date, rules: Rules | None = None
) -> MilestonePlan:
    """Every dated milestone of the plan, in date order, with its status relative to `today`."""
    rules = rules_or_builtin(rules)
    values = facts.values
    chain = _dates_left(profile, facts, season, today, rules)
    computed = _rule_dates(profile, chain, season, rules)
    placed: dict[str, _Dated] = {}
    drafts: list[Milestone] = []
    pending = [m for m in rules.milestones if m.when is None or evaluate(m.when, values)]
    # Milestones anchored on another milestone wait for it; the rule file has no cycles.
    while pending:
        waiting = []
        for rule in pending:
            if (
                rule.anchor.kind == "milestone"
                and rule.anchor.name not in placed
                and any(p.id == rule.anchor.name for p in pending)
            ):
                waiting.append(rule)
                continue
            anchored = _anchor_date(rule, profile, season, rules, computed, placed)
            if anchored is None:
                continue
            dated = placed[rule.id] = _placed(rule, anchored)
            # A published date names its page; otherwise the rule file's source says why.
            source = (anchored.source if rule.anchor.name in SOURCED_RULES else rule.source) or anchored.source or ""
            source = rules.sources.cite(source).text() if source else ""  # as a reader sees it
            detail = _detail(rule.detail, values, anchored.extras or {})
            milestone = Milestone(
                rule.id, rule.title, dated.date, dated.confirmed, source, rule.kind, "later", detail, dated.origin
            )
            drafts.append(milestone)
        if len(waiting) == len(pending):
            break
        pending = waiting
    drafts.sort(key=lambda m: (m.date, m.id))
    safe = computed["latest-safe-exam"]
    assert safe is not None  # always worked out
    step1_first = _warnings(profile, safe.date, season, rules, chain)
    # Statuses are decided from the whole profile, after this: decide/status.py.
    return MilestonePlan(tuple(drafts), tuple(step1_first))
