"""The starter profile that `roadmap init` writes, from defaults or a few questions."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

import click

APPLICANT_TYPES = ("us-img", "non-us-img", "us-md", "us-do")
EXAM_STATUSES = ("not-taken", "scheduled", "passed", "failed")


@dataclass(frozen=True)
class Answers:
    name: str
    match_year: int
    applicant_type: str
    step1_status: str
    step2ck_status: str

    @classmethod
    def defaults(cls, today: date) -> Answers:
        # Most people starting a plan are two seasons out: Match in March, two years ahead.
        return cls("Your Name", today.year + 2, "us-img", "not-taken", "not-taken")


def ask(answers: Answers) -> Answers:
    """Ask the questions on a terminal, offering the defaults."""
    return replace(
        answers,
        name=click.prompt("Your name", default=answers.name),
        match_year=click.prompt(
            "Match year (Match Day is in March of it)", default=answers.match_year, type=click.IntRange(2000, 2100)
        ),
        applicant_type=click.prompt(
            "Applicant type", default=answers.applicant_type, type=click.Choice(APPLICANT_TYPES)
        ),
        step1_status=click.prompt("Step 1 status", default=answers.step1_status, type=click.Choice(EXAM_STATUSES)),
        step2ck_status=click.prompt(
            "Step 2 CK status", default=answers.step2ck_status, type=click.Choice(EXAM_STATUSES)
        ),
    )


def starter_yaml(answers: Answers) -> str:
    """A commented profile; strings are written as JSON strings, which YAML reads verbatim."""
    ck_score = (
        "\n  score: 230                   # your three-digit score"
        if answers.step2ck_status in ("passed", "failed")
        else ""
    )
    attempts = 1 if answers.step1_status in ("passed", "failed") else 0
    ck_attempts = 1 if answers.step2ck_status in ("passed", "failed") else 0
    step1_date = (
        "\n  date: 2026-01-15              # latest attempt, or the scheduled date"
        if answers.step1_status != "not-taken"
        else ""
    )
    ck_date = "\n  date: 2027-06-15              # taken or scheduled" if answers.step2ck_status != "not-taken" else ""
    return f"""# roadmap profile, version 1. Run `roadmap schema` for the full schema.
name: {json.dumps(answers.name, ensure_ascii=False)}
match_year: {answers.match_year}               # the Match you enter (Match Day in March)
specialty: medical-genetics
applicant_type: {answers.applicant_type}           # us-img | non-us-img | us-md | us-do
pathway: undecided             # combined-peds | combined-im | primary-then-fellowship | undecided
step1:
  status: {answers.step1_status}            # not-taken | scheduled | passed | failed
  attempts: {attempts}{step1_date}
step2ck:
  status: {answers.step2ck_status}            # not-taken | scheduled | passed | failed
  attempts: {ck_attempts}{ck_date}{ck_score}
  practice: []                 # e.g. - {{form: NBME 13, score: 228, date: 2027-03-01}}
experience:
  usce_months: 0
  genetics_electives: 0
  research: []                 # e.g. - {{title: "Case report", kind: case-report, genetics: true}}
  letters: []                  # e.g. - {{writer: "Dr. Lee", specialty: medical-genetics}}
  advocacy: []
  conferences: []
study:
  hours_per_week: 20
ecfmg:                         # IMGs only
  oet: not-taken               # not-taken | scheduled | passed
  pathway: not-started         # not-started | applied | met
"""
