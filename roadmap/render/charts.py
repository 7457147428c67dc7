"""Inline SVG pictures for the plan: a milestone timeline and a practice-score chart.

Deterministic (fixed sizes, no clock, no external references) and accessible: each SVG has a
title and a description that says in words what it shows; the plan also lists the same data
in a table. Colours come from CSS classes with inline fallbacks, so print and dark mode work.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from roadmap.load.conditions import show
from roadmap.load.rules import rules_or_builtin

if TYPE_CHECKING:
    from collections.abc import Sequence

    from roadmap.decide.plan import Milestone
    from roadmap.load.profile import PracticeScore
    from roadmap.load.rules import Rules

WIDTH = 960
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
_LABEL_PX = 6.1  # average glyph width at 11px, for placing labels without overlap
_LABELLED = ("deadline", "exam", "event")
MARGIN_DAYS = 15  # the timeline starts half a month before its first open milestone
# Band fills from the lowest band up (scores.yaml defines the bands; more bands reuse the last).
BAND_FILLS = ("#f6d5d5", "#fbe3c8", "#fdf3c4", "#dcefd9", "#cfe6f5")


def _x(day: date, start: date, end: date, left: float, right: float) -> float:
    span = max((end - start).days, 1)
    return round(left + (right - left) * (day - start).days / span, 1)


def _month_starts(start: date, end: date) -> list[date]:
    months, day = [], date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _short(title: str, limit: int = 30) -> str:
    title = title.split(":")[0]
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def timeline_svg(milestones: Sequence[Milestone], today: date) -> Markup | None:
    """A horizontal timeline of the milestones, months ticked, today marked."""
    if not milestones:
        return None
    # Start at the earliest milestone still open (or today): finished ones stay in the table.
    open_dates = [m.date for m in milestones if m.status != "done"]
    first = min([*open_dates, today]) - timedelta(days=MARGIN_DAYS)
    last = max(max(m.date for m in milestones), today)
    shown = [m for m in milestones if m.date >= first]
    start = date(first.year, first.month, 1)
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1) - timedelta(days=1)
    left, right, axis = 20.0, WIDTH - 20.0, 185.0
    rows_end: dict[int, float] = {}
    parts: list[str] = []
    labels: list[str] = []
    months = _month_starts(start, end)
    every = max(1, len(months) // 12)
    for index, month in enumerate(months):
        x = _x(month, start, end, left, right)
        parts.append(f"<line class='tick' x1='{x}' x2='{x}' y1='{axis - 4}' y2='{axis + 4}' stroke='#8593a3'/>")
        if index % every == 0:
            parts.append(
                f"<text class='month' x='{x}' y='{axis + 20}' font-size='10' text-anchor='middle' fill='#4f5b6b'>"
                f"{month:%b} {month:%y}</text>"
            )
    for milestone in shown:
        x = _x(milestone.date, start, end, left, right)
        css = f"m-{milestone.kind} m-{milestone.status}" + (" m-estimated" if milestone.estimated else "")
        fill = "#ffffff" if milestone.estimated else ("#9aa5b1" if milestone.status == "done" else "#1f5f8b")
        stroke = "#b3261e" if milestone.kind == "deadline" else "#1f5f8b"
        if milestone.kind == "deadline":
            parts.append(
                f"<rect class='{css}' x='{x - 5}' y='{axis - 5}' width='10' height='10' transform='rotate(45 {x} {axis})' "
                f"fill='{fill}' stroke='{stroke}' stroke-width='2'/>"
            )
        else:
            parts.append(
                f"<circle class='{css}' cx='{x}' cy='{axis}' r='5' fill='{fill}' stroke='{stroke}' stroke-width='2'/>"
            )
        if milestone.kind in _LABELLED:
            text = _short(milestone.title)
            width = len(text) * _LABEL_PX + 8
            # Near the right edge the label runs leftwards from its marker.
            x0, anchor, text_x = (x - width, "end", x - 3) if x + width > right else (x, "start", x + 3)
            for row in range(8):
                if rows_end.get(row, -1e9) < x0:
                    rows_end[row] = x0 + width
                    y = axis - 22 - row * 18
                    labels.append(
                        f"<line x1='{x}' x2='{x}' y1='{y + 3}' y2='{axis - 7}' stroke='#c3ccd6' stroke-width='1'/>"
                        f"<text x='{text_x}' y='{y}' font-size='11' text-anchor='{anchor}' fill='#1c2430'>"
                        f"{escape(text)}</text>"
                    )
                    break
    tx = _x(today, start, end, left, right)
    parts.append(
        f"<line class='today' x1='{tx}' x2='{tx}' y1='18' y2='{axis + 26}' stroke='#b3261e' stroke-dasharray='4 3'/>"
        f"<text x='{tx + 4}' y='{axis + 38}' font-size='11' font-weight='bold' fill='#b3261e'>Today</text>"
    )
    estimated = sum(1 for m in milestones if m.estimated)
    desc = (
        f"{len(milestones)} milestones from {show(milestones[0].date)} to {show(milestones[-1].date)}; today is "
        f"{show(today)}. {estimated} dates are estimated (hollow markers); deadlines are diamonds. Key dates: "
        + "; ".join(f"{m.title} {show(m.date)}" for m in milestones if m.kind in ("deadline", "exam"))
        + "."
    )
    body = "".join(
        [
            f"<line x1='{left}' x2='{right}' y1='{axis}' y2='{axis}' stroke='#1c2430' stroke-width='1.5'/>",
            *parts,
            *labels,
        ]
    )
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' class='timeline-svg' viewBox='0 0 {WIDTH} 235' role='img' "
        f"aria-labelledby='timeline-title timeline-desc' {FONT}><title id='timeline-title'>Timeline of your milestones</title>"
        f"<desc id='timeline-desc'>{escape(desc)}</desc>{body}</svg>"
    )


def practice_chart_svg(
    practice: Sequence[PracticeScore], today: date, target: int | None = None, rules: Rules | None = None
) -> Markup | None:
    """Practice scores over time against the Step 2 CK score bands, with the recent trend."""
    if not practice:
        return None
    rules = rules_or_builtin(rules)
    line = rules.target.value
    scores = [p.score for p in practice]
    low = min(rules.chart_range[0], min(scores) - 5)
    high = max(rules.chart_range[1], max(scores) + 5)
    left, right, top, bottom = 60.0, WIDTH - 110.0, 20.0, 280.0
    first, last = practice[0].date, max(practice[-1].date, today)
    start, end = first - timedelta(days=7), last + timedelta(days=7)

    def y(score: float) -> float:
        return round(bottom - (bottom - top) * (score - low) / (high - low), 1)

    parts: list[str] = []
    upper = high
    for rank, band in enumerate(rules.bands):
        lower = max(band.low, low)
        if lower >= upper:
            continue
        fill = BAND_FILLS[min(len(rules.bands) - 1 - rank, len(BAND_FILLS) - 1)]
        label = band.chart_label
        parts.append(
            f"<rect class='band band-{band.id}' x='{left}' y='{y(upper)}' width='{right - left}' "
            f"height='{round(y(lower) - y(upper), 1)}' fill='{fill}'/>"
            f"<text x='{right + 8}' y='{round((y(upper) + y(lower)) / 2 + 4, 1)}' font-size='11' fill='#4f5b6b'>{label}</text>"
        )
        upper = lower
    for tick in range((low // 10 + 1) * 10, high + 1, 10):
        parts.append(
            f"<text x='{left - 8}' y='{y(tick) + 4}' font-size='10' text-anchor='end' fill='#4f5b6b'>{tick}</text>"
        )
    parts.append(
        f"<line class='line-{line}' x1='{left}' x2='{right}' y1='{y(line)}' y2='{y(line)}' stroke='#8a4b00' "
        f"stroke-width='2' stroke-dasharray='6 4'/><text x='{left + 4}' y='{y(line) - 5}' font-size='10' "
        f"fill='#8a4b00'>{line}</text>"
    )
    if target is not None:
        parts.append(
            f"<line x1='{left}' x2='{right}' y1='{y(target)}' y2='{y(target)}' stroke='#1e6b3a' stroke-width='1.5'/>"
        )
    points = [(_x(p.date, start, end, left, right), y(p.score), p) for p in practice]
    window = points[-rules.trend.window :]
    if len(window) >= 2:
        parts.append(
            f"<line class='trend' x1='{window[0][0]}' y1='{window[0][1]}' x2='{window[-1][0]}' y2='{window[-1][1]}' "
            "stroke='#1f5f8b' stroke-width='2.5' stroke-opacity='0.45'/>"
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{px},{py}" for i, (px, py, _) in enumerate(points))
    parts.append(f"<path d='{path}' fill='none' stroke='#1f5f8b' stroke-width='1.5'/>")
    for px, py, item in points:
        parts.append(
            f"<circle cx='{px}' cy='{py}' r='5' fill='#1f5f8b'/>"
            f"<text x='{px}' y='{py - 10}' font-size='11' text-anchor='middle' fill='#1c2430'>{item.score}</text>"
            f"<text x='{px}' y='{bottom + 16}' font-size='10' text-anchor='middle' fill='#4f5b6b'>{item.date:%b} {item.date.day}</text>"
        )
    tx = _x(today, start, end, left, right)
    parts.append(
        f"<line x1='{tx}' x2='{tx}' y1='{top}' y2='{bottom}' stroke='#b3261e' stroke-dasharray='4 3'/>"
        f"<text x='{tx - 4}' y='{bottom - 6}' font-size='11' text-anchor='end' fill='#b3261e'>Today</text>"
    )
    desc = (
        "Practice scores by date: "
        + "; ".join(f"{p.form} {p.score} on {show(p.date)}" for p in practice)
        + f". Bands: {', '.join(band.label for band in reversed(rules.bands))}; the dashed line marks {line}."
    )
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' class='practice-svg' viewBox='0 0 {WIDTH} 300' role='img' "
        f"aria-labelledby='practice-title practice-desc' {FONT}><title id='practice-title'>Your practice scores against the "
        f"Step 2 CK score bands</title><desc id='practice-desc'>{escape(desc)}</desc>{''.join(parts)}</svg>"
    )
