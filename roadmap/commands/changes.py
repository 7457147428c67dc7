"""What changed since the last batch run: each advisee's comparable facts, kept per run, compared.

A completed run (unsharded, or a merge) writes a snapshot of every advisee's facts into
`<out>/.runs/run-N.json`, after summary.csv, changes.csv and the dashboard: a run killed before
that leaves no snapshot, so the next run compares with the last run that completed. The facts
are labels as a reader sees them (never raw ids), so a change reads as `what: before → after`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from roadmap.errors import printable
from roadmap.slug import SLUG
from roadmap.vocabulary import EXAM_STATUS_LABELS, FEASIBILITY_LABELS, TIER_LABELS
from roadmap.write.csvtable import CsvTable

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from roadmap.decide.plan import Plan
    from roadmap.write.output import OutDir

RUNS_DIR = ".runs"
KEEP_RUNS = 10  # snapshots kept in <out>/.runs; older ones are removed
RUN_FILE = re.compile(r"run-([1-9][0-9]{0,8})\.json")  # one name per run: no leading zeros
NEW = "New advisee"
GONE = "No longer in the folder"
PROFILE = "Profile"
BUILT, UNREADABLE = "plan built", "could not be read"
# Every `what` a change can name, in the order changes.csv and the dashboard list them.
WHATS = (
    NEW,
    GONE,
    "Name",
    PROFILE,
    "Stage",
    "Flags",
    "Next milestone",
    "Feasibility",
    "Step 1 status",
    "Step 1 attempts",
    "Step 2 CK status",
    "Step 2 CK score",
    "Step 2 CK date",
    "Failed attempts",
    "Latest practice score",
    "Overdue actions",
    "Program tiers",
)
_ORDER = {what: number for number, what in enumerate(WHATS)}
MAX_TEXT = 2000  # a fact read back from a snapshot longer than this is not one we wrote

Facts = tuple[tuple[str, str], ...]  # (what, value as a reader sees it), in WHATS order


@dataclass(frozen=True)
class Change:
    """One line of changes.csv: one thing about one advisee that differs from the last run."""

    slug: str
    name: str
    what: str
    before: str
    after: str

    @property
    def text(self) -> str:
        """As the dashboard lists it: a list-valued fact by what was added and removed."""
        if self.what in (NEW, GONE):
            return self.what
        if self.what in LISTS:
            was, now = _items(self.before), _items(self.after)
            added = [f"added {item}" for item in now if item not in was]
            removed = [f"removed {item}" for item in was if item not in now]
            return f"{self.what}: {'; '.join(added + removed)}"
        return f"{self.what}: {self.before or '(none)'} → {self.after or '(none)'}"


# Facts that are lists joined by "; " (changes.csv keeps them whole; the dashboard shows the difference).
LISTS = ("Flags", "Overdue actions")


def _items(value: str) -> list[str]:
    return [item for item in value.split("; ") if item]


CHANGES = CsvTable[Change](
    (
        ("slug", lambda c: c.slug),
        ("name", lambda c: c.name),
        ("what", lambda c: c.what),
        ("before", lambda c: c.before),
        ("after", lambda c: c.after),
    )
)


@dataclass(frozen=True)
class Advisee:
    """One advisee in a snapshot."""

    name: str
    facts: Facts


Snapshot = dict[str, Advisee]  # by slug


def facts_of(plan: Plan) -> Facts:
    """The facts of a plan that an advisor compares from one run to the next, as labels."""
    from roadmap.load.rules import rules_or_builtin

    rules = rules_or_builtin(plan.rules)
    values = plan.values
    upcoming = [m for m in plan.milestones if m.status in ("next", "later")]
    latest = plan.practice[-1] if plan.practice else None
    failed = sum(_whole(values.get(f"{exam}.failed_attempts")) for exam in ("step1", "step2ck"))
    facts = {
        PROFILE: BUILT,
        "Stage": rules.stage_labels.get(plan.stage, plan.stage),
        "Flags": "; ".join(rules.flag_labels.get(flag, flag) for flag in plan.flags),
        "Next milestone": f"{upcoming[0].title} ({upcoming[0].date.isoformat()})" if upcoming else "",
        "Feasibility": FEASIBILITY_LABELS[plan.feasibility.status] if plan.feasibility else "",
        "Step 1 status": _label(values.get("step1.status")),
        "Step 1 attempts": str(_whole(values.get("step1.attempts"))),
        "Step 2 CK status": _label(values.get("step2ck.status")),
        "Step 2 CK score": _text(values.get("step2ck.score")),
        "Step 2 CK date": _text(values.get("step2ck.date")),
        "Failed attempts": str(failed),
        "Latest practice score": f"{latest.score} ({latest.form}, {latest.date.isoformat()})" if latest else "",
        "Overdue actions": "; ".join(m.title for m in plan.milestones if m.status == "overdue"),
        "Program tiers": ", ".join(f"{TIER_LABELS.get(t, t)} {n}" for t, n in plan.programs.counts.items())
        if plan.programs
        else "",
    }
    return tuple((what, printable(value)) for what, value in facts.items())


UNREADABLE_FACTS: Facts = ((PROFILE, UNREADABLE),)


def _label(value: object) -> str:
    return EXAM_STATUS_LABELS.get(value, value) if isinstance(value, str) else ""


def _text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _whole(value: object) -> int:
    return value if type(value) is int else 0


def is_facts(value: object) -> bool:
    """Facts read back from a file: [what, value] pairs of known `what`s, each once, short texts."""
    if not isinstance(value, list):
        return False
    whats = [pair[0] for pair in value if isinstance(pair, list) and len(pair) == 2]
    return (
        len(whats) == len(value)
        and len(set(whats)) == len(whats)
        and all(what in _ORDER and what not in (NEW, GONE) for what in whats)
        and all(_is_short_text(pair[1]) for pair in value)
    )


def _is_short_text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT and printable(value) == value


def compare(before: Snapshot | None, after: Snapshot) -> list[Change]:
    """Every change from `before` (None: the first run, nothing to compare) to `after`.

    Ordered by slug, then by WHATS. While a profile cannot be read on either side, only that
    (and its name) is compared: its other facts are unknown, not gone.
    """
    if before is None:
        return []
    changes: list[Change] = []
    for slug in sorted(before.keys() | after.keys()):
        old, new = before.get(slug), after.get(slug)
        if old is None and new is not None:
            changes.append(Change(slug, new.name, NEW, "", ""))
        elif new is None and old is not None:
            changes.append(Change(slug, old.name, GONE, "", ""))
        elif old is not None and new is not None:
            changes += _differences(slug, old, new)
    return changes


def _differences(slug: str, old: Advisee, new: Advisee) -> list[Change]:
    was, now = dict(old.facts), dict(new.facts)
    was["Name"], now["Name"] = old.name, new.name
    whats = sorted(was.keys() | now.keys(), key=_ORDER.__getitem__)
    if UNREADABLE in (was.get(PROFILE), now.get(PROFILE)):
        whats = [what for what in whats if what in ("Name", PROFILE)]
    return [
        Change(slug, new.name, what, was.get(what, ""), now.get(what, ""))
        for what in whats
        if was.get(what, "") != now.get(what, "")
    ]


def by_slug(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """The changes of each advisee, for the dashboard."""
    found: dict[str, list[Change]] = {}
    for change in changes:
        found.setdefault(change.slug, []).append(change)
    return found


def snapshot_json(snapshot: Snapshot, today: date) -> bytes:
    advisees = {slug: {"name": a.name, "facts": [list(pair) for pair in a.facts]} for slug, a in snapshot.items()}
    data = {"today": today.isoformat(), "advisees": dict(sorted(advisees.items()))}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def read_snapshot(data: bytes) -> Snapshot | None:
    """A snapshot read back from `.runs`; None when it is not one this tool could have written."""
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not (isinstance(loaded, dict) and sorted(loaded) == ["advisees", "today"]):
        return None
    advisees = loaded["advisees"]
    if not isinstance(advisees, dict):
        return None
    snapshot: Snapshot = {}
    for slug, item in advisees.items():
        if not (
            SLUG.fullmatch(slug)
            and isinstance(item, dict)
            and sorted(item) == ["facts", "name"]
            and _is_short_text(item["name"])
            and is_facts(item["facts"])
        ):
            return None
        snapshot[slug] = Advisee(item["name"], tuple((what, value) for what, value in item["facts"]))
    return snapshot


def run_numbers(out: OutDir) -> list[int]:
    """The numbers of the runs recorded in `<out>/.runs`, oldest first (plain files only)."""
    folder = out.root / RUNS_DIR
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(
        int(match[1])
        for entry in folder.iterdir()
        if (match := RUN_FILE.fullmatch(entry.name)) and entry.is_file() and not entry.is_symlink()
    )


def last_snapshot(out: OutDir) -> Snapshot | None:
    """The snapshot of the last completed run: the newest readable one (None: the first run)."""
    for number in reversed(run_numbers(out)):
        try:
            found = read_snapshot((out.root / RUNS_DIR / f"run-{number}.json").read_bytes())
        except OSError:
            continue
        if found is not None:
            return found
    return None


def snapshot_of_run(out: OutDir, number: int) -> Snapshot | None:
    """The snapshot of kept run `number` (None when it is not kept or not readable)."""
    if number not in run_numbers(out):
        return None
    try:
        return read_snapshot((out.root / RUNS_DIR / f"run-{number}.json").read_bytes())
    except OSError:
        return None


def kept_runs(out: OutDir) -> list[tuple[int, str, int]]:
    """The kept runs, oldest first: (number, the run's date, advisees); unreadable ones are left out."""
    found = []
    for number in run_numbers(out):
        try:
            data = (out.root / RUNS_DIR / f"run-{number}.json").read_bytes()
        except OSError:
            continue
        snapshot = read_snapshot(data)
        if snapshot is not None:
            day = json.loads(data.decode("utf-8"))["today"]
            found.append((number, day if isinstance(day, str) else "", len(snapshot)))
    return found


def write_snapshot(out: OutDir, snapshot: Snapshot, today: date) -> None:
    """Record this completed run, then remove the records older than the last KEEP_RUNS."""
    numbers = run_numbers(out)
    number = (numbers[-1] if numbers else 0) + 1
    out.write(f"{RUNS_DIR}/run-{number}.json", snapshot_json(snapshot, today))
    for old in [*numbers, number][:-KEEP_RUNS]:
        # Only names of our exact pattern, plain files inside the out dir (target refuses links).
        path = out.target(f"{RUNS_DIR}/run-{old}.json")
        if path.is_file() and not path.is_symlink():
            path.unlink()


def write_changes(out: OutDir, changes: Sequence[Change]) -> None:
    out.write("changes.csv", CHANGES.render(changes))
