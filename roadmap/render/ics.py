"""Write milestones as an iCalendar file (RFC 5545) with the icalendar library.

Byte-stable: UIDs come from the milestone id and the person's slug, DTSTAMP from `today`, and
nothing reads the clock. The library escapes text, so a name cannot add lines or properties.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from icalendar import Alarm, Calendar, Event, vText

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from roadmap.decide.plan import Milestone

ALARM_BEFORE = timedelta(days=7)
_CONTROL = {code: " " for code in range(32) if code != 10} | {127: " "}
_ALARMED = ("deadline", "exam")


def render_ics(milestones: Iterable[Milestone], *, slug: str, name: str, today: date) -> bytes:
    """One all-day event per milestone; deadlines and exams carry a reminder a week ahead."""
    calendar = Calendar()
    calendar.add("prodid", "-//roadmap//residency roadmap//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # X- properties are untyped in icalendar, so say it is TEXT to get escaping; a name is one line.
    calendar.add("x-wr-calname", vText(" ".join(_text(f"Residency roadmap: {name}").split("\n"))))
    stamp = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
    for milestone in milestones:
        calendar.add_component(_event(milestone, slug, stamp))
    data: bytes = calendar.to_ical()
    return data


def _text(value: str) -> str:
    """Keep text printable: icalendar escapes newlines, but a bare CR or other control byte
    would otherwise reach the output (or make the library refuse the line)."""
    return value.replace("\r\n", "\n").translate(_CONTROL)


def _event(milestone: Milestone, slug: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{milestone.id}.{slug}@roadmap")
    event.add("dtstamp", stamp)
    event.add("dtstart", milestone.date)
    event.add("dtend", milestone.date + timedelta(days=1))
    event.add("summary", _text(milestone.title))
    lines = [milestone.detail] if milestone.detail else []
    if milestone.estimated:
        lines.append("Estimated date: check the official calendar when it is published.")
    lines.append(f"Source: {milestone.source}")
    event.add("description", _text("\n".join(lines)))
    event.add("categories", [milestone.kind])
    event.add("transp", "TRANSPARENT")
    if milestone.kind in _ALARMED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In one week: {milestone.title}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event
