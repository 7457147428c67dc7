"""plan.ics: parses with two independent parsers, one event per milestone, stable and injection-proof."""

from __future__ import annotations

from datetime import date

import icalendar
import vobject

from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.render.ics import render_ics
from tests.conftest import REPO

TODAY = date(2027, 3, 1)


def _plan():  # type: ignore[no-untyped-def]
    return plan_profile(REPO / "profiles" / "taylor-flat-220s.yaml", load_inputs(), TODAY)


def test_one_event_per_milestone_in_both_parsers() -> None:
    plan = _plan()
    data = render_ics(plan.milestones, slug=plan.profile.slug, name=plan.profile.name, today=TODAY)
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == len(plan.milestones)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids[0] == f"{plan.milestones[0].id}.taylor-brooks@roadmap"
    parsed = vobject.readOne(data.decode("utf-8"))
    assert len(parsed.vevent_list) == len(plan.milestones)
    first = parsed.vevent_list[0]
    assert first.dtstart.value == plan.milestones[0].date
    assert first.summary.value == plan.milestones[0].title


def test_deadlines_and_exams_have_a_reminder_and_estimates_say_so() -> None:
    plan = _plan()
    data = render_ics(plan.milestones, slug="t", name="T", today=TODAY)
    events = {str(e["UID"]).split(".")[0]: e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert events["rol-deadline"].walk("VALARM")
    assert events["ck-exam"].walk("VALARM")
    assert not events["interviews"].walk("VALARM")
    assert "Estimated date" in str(events["eras-submit"]["DESCRIPTION"])


def test_byte_identical_across_builds_and_stamped_with_today() -> None:
    plan = _plan()
    first = render_ics(plan.milestones, slug="t", name="T", today=TODAY)
    second = render_ics(_plan().milestones, slug="t", name="T", today=TODAY)
    assert first == second
    assert b"DTSTAMP:20270301T000000Z" in first


def test_profile_text_cannot_break_lines_or_add_properties() -> None:
    plan = _plan()
    hostile = "Eve\r\nATTENDEE:mailto:evil@example.com\r\nEND:VCALENDAR;,\\"
    data = render_ics(plan.milestones, slug="eve", name=hostile, today=TODAY)
    calendar = icalendar.Calendar.from_ical(data)
    assert "ATTENDEE" not in calendar and not any("ATTENDEE" in e for e in calendar.walk("VEVENT"))
    unfolded = data.replace(b"\r\n ", b"")
    assert (
        b"\r\nX-WR-CALNAME:Residency roadmap: Eve ATTENDEE:mailto:evil@example.com END:VCALENDAR\\;\\,\\\\\r\n"
        in unfolded
    )
    assert data.count(b"END:VCALENDAR") == 1
    assert all(not line.startswith(b"ATTENDEE") for line in data.split(b"\r\n"))
    vobject.readOne(data.decode("utf-8"))
