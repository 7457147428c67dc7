"""The starter profile that `roadmap init` writes, from defaults or a few questions.

Nothing is invented: a date or a score appears in the file only when the person gave it. The
questions re-ask on a bad answer with a message in our words, and the YAML's comments line up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

import click

from roadmap.vocabulary import (
    APPLICANT_TYPES,
    ECFMG_PATHWAY_STATUSES,
    EXAM_STATUSES,
    IMG_TYPES,
    OET_STATUSES,
    PATHWAYS,
    choices,
)

COMMENT_COLUMN = 32  # every `# comment` of the starter file starts in this column

T = TypeVar("T")


@dataclass(frozen=True)
class Exam:
    """What the person said about one exam; `date` and `score` only when they gave them."""

    status: str = "not-taken"
    date: date | None = None
    score: int | None = None
    attempts: int = 0


@dataclass(frozen=True)
class Answers:
    name: str
    match_year: int
    applicant_type: str
    step1: Exam
    step2ck: Exam

    @classmethod
    def defaults(cls, today: date) -> Answers:
        # Most people starting a plan are two seasons out: Match in March, two years ahead.
        return cls("Your Name", today.year + 2, "us-img", Exam(), Exam())


class Asker:
    """Asks one question at a time; a bad answer is explained plainly and the question asked again."""

    def __init__(self, *, err: bool = False) -> None:
        self.err = err  # with `init -` the profile goes to stdout, so the questions go to stderr

    def ask(self, question: str, parse: Callable[[str], T], default: str | None = None) -> T:
        def value_proc(text: str) -> T:
            try:
                return parse(text.strip())
            except ValueError as exc:
                # click.prompt prints "Error: <message>" and asks again.
                raise click.UsageError(str(exc)) from None

        result: T = click.prompt(question, default=default, value_proc=value_proc, err=self.err)
        return result


def parse_name(text: str) -> str:
    if not text:
        raise ValueError("Please type your name (any text).")
    return text


def parse_year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise ValueError(f"{text!r} is not a year: type four digits, such as 2028.")
    return int(text)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: type it as year-month-day, such as 2027-06-15.") from None


def parse_score(text: str) -> int:
    if not (text.isdigit() and 1 <= int(text) <= 300):
        raise ValueError(f"{text!r} is not a score: type the three-digit score from your report, such as 241.")
    return int(text)


def parse_attempts(text: str) -> int:
    if not (text.isdigit() and 1 <= int(text) <= 6):
        raise ValueError(f"{text!r} is not a number of attempts: type a whole number from 1 to 6.")
    return int(text)


def choice(kind: str, options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() in options:
            return text.lower()
        listed = ", ".join(options[:-1]) + " or " + options[-1]
        raise ValueError(f"{text!r} is not {kind}: type {listed}.")

    return parse


def ask_exam(asker: Asker, label: str, *, has_score: bool) -> Exam:
    """The status, then only what that status needs: a date, a score, the attempts so far."""
    status = asker.ask(f"{label} status ({', '.join(EXAM_STATUSES)})", choice("a status", EXAM_STATUSES), "not-taken")
    if status == "not-taken":
        return Exam()
    if status == "scheduled":
        return Exam(status, asker.ask(f"{label} exam date (YYYY-MM-DD)", parse_date))
    taken = asker.ask(f"{label} date you sat it (YYYY-MM-DD)", parse_date)
    score = asker.ask(f"{label} score", parse_score) if has_score else None
    attempts = asker.ask(f"{label} attempts so far, this one included", parse_attempts, "1")
    return Exam(status, taken, score, attempts)


def ask(answers: Answers, *, err: bool = False) -> Answers:
    """Ask the questions on a terminal, offering the defaults."""
    asker = Asker(err=err)
    return replace(
        answers,
        name=asker.ask("Your name", parse_name, answers.name),
        match_year=asker.ask("Match year (Match Day is in March of it)", parse_year, str(answers.match_year)),
        applicant_type=asker.ask(
            f"Applicant type ({', '.join(APPLICANT_TYPES)})",
            choice("an applicant type", APPLICANT_TYPES),
            answers.applicant_type,
        ),
        step1=ask_exam(asker, "Step 1", has_score=False),
        step2ck=ask_exam(asker, "Step 2 CK", has_score=True),
    )


def _line(text: str, comment: str = "") -> str:
    """One YAML line, its comment (if any) starting at COMMENT_COLUMN."""
    if not comment:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}"


def _exam_lines(key: str, exam: Exam) -> list[str]:
    lines = [
        _line(f"{key}:"),
        _line(f"  status: {exam.status}", choices(EXAM_STATUSES)),
        _line(f"  attempts: {exam.attempts}", "attempts so far"),
    ]
    if exam.date is not None:
        what = "the scheduled date" if exam.status == "scheduled" else "your latest attempt"
        lines.append(_line(f"  date: {exam.date.isoformat()}", what))
    if exam.score is not None:
        lines.append(_line(f"  score: {exam.score}", "your three-digit score"))
    return lines


def starter_yaml(answers: Answers) -> str:
    """A commented profile; strings are written as JSON strings, which YAML reads verbatim."""
    lines = [
        "# roadmap profile, version 1. Run `roadmap schema` for the full schema.",
        _line(f"name: {json.dumps(answers.name, ensure_ascii=False)}", "required"),
        _line(f"match_year: {answers.match_year}", "the Match you enter (Match Day in March)"),
        _line("specialty: medical-genetics"),
        _line(f"applicant_type: {answers.applicant_type}", choices(APPLICANT_TYPES)),
        _line("pathway: undecided", choices(PATHWAYS)),
        *_exam_lines("step1", answers.step1),
        *_exam_lines("step2ck", answers.step2ck),
        _line("  practice: []", "e.g. - {form: NBME 13, score: 228, date: 2027-03-01}"),
        _line("experience:"),
        _line("  usce_months: 0", "US clinical experience, months"),
        _line("  genetics_electives: 0", "rotations in genetics clinics"),
        _line("  research: []", 'e.g. - {title: "Case report", kind: case-report, genetics: true}'),
        _line("  letters: []", 'e.g. - {writer: "Dr. Lee", specialty: medical-genetics}'),
        _line("  advocacy: []"),
        _line("  conferences: []"),
        _line("study:"),
        _line("  hours_per_week: 20", "hours you can study in a normal week"),
    ]
    if answers.applicant_type in IMG_TYPES:
        lines += [
            _line("ecfmg:", "the ECFMG's clinical and communication-skills requirement"),
            _line("  oet: not-taken", choices(OET_STATUSES)),
            _line("  pathway: not-started", choices(ECFMG_PATHWAY_STATUSES)),
        ]
    return "\n".join(lines) + "\n"
