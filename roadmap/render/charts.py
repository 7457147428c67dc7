"""Inline SVG pictures for the plan: a milestone timeline and a practice-score chart.

Deterministic (fixed sizes, no clock, no external references) and accessible: each SVG has a
title and a description that says in words what it shows; the plan also lists the same data
in a table. The timeline carries numbers, never words: the milestone table has a "#" column with
the same numbers, so no label is ever cut short. Each chart draws its own legend.

Colours: every element has a paint class (`t-ink`, `s-today`, `band-1`, ...) that base.css maps
to the page's theme variables, so the browser follows light and dark mode. WeasyPrint does not
apply the page's CSS inside an SVG, so each element also carries the light colour as a
presentation attribute (PAINT), which any CSS rule overrides.

Sizes: the PDF sets the 960-unit viewBox full width, about 184 mm, so 1 unit is about 0.54 pt and
FONT_SIZE (15 units) is about 8.1 pt, the smallest text a printed chart may have.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from roadmap.load.conditions import show
from roadmap.load.rules import rules_or_builtin

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from roadmap.decide.plan import Milestone
    from roadmap.load.profile import PracticeScore
    from roadmap.load.rules import Rules

WIDTH = 960
PLOT_HEIGHT = 2 * 120  # the score chart's plotting area, in user units (not a score)
FONT_SIZE = 15
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
# Average advance of a glyph, in ems, in DejaVu Sans (the widest face named): an overestimate
# for Arial, so labels placed apart by these widths stay apart in every face.
DIGIT_EM = 0.64
TEXT_EM = 0.62
ASCENT, DESCENT = 11.0, 4.0  # the box of a line of text around its baseline, in units
GAP = 6.0  # the least space between two labels
MARGIN_DAYS = 15  # the timeline starts half a month before its first open milestone
# Light-theme colours, one per paint class, named after the CSS variable base.css gives them
# (tests/test_charts.py checks they agree). Bands run from the lowest score band up.
PAINT = {
    "ink": "#1c2430",  # --chart-ink
    "muted": "#4f5b6b",  # --chart-muted
    "today": "#b3261e",  # --chart-today
    "target": "#8a4b00",  # --chart-target
    "accent": "#1f5f8b",  # --accent
    "good": "#1e6b3a",  # --good
    "paper": "#ffffff",  # --paper
    "band-1": "#f6d5d5",
    "band-2": "#fbe3c8",
    "band-3": "#fdf3c4",
    "band-4": "#dcefd9",
    "band-5": "#cfe6f5",
}
BANDS = 5  # band colours defined; more bands reuse the last


def _num(value: float) -> str:
    return f"{round(value, 1):g}"


def _text(
    x: float, y: float, text: str, paint: str, *, anchor: str = "start", css: str = "", bold: bool = False
) -> str:
    classes = f"{css} t-{paint}".strip()
    weight = " font-weight='bold'" if bold else ""
    return (
        f"<text class='{classes}' x='{_num(x)}' y='{_num(y)}' font-size='{FONT_SIZE}' text-anchor='{anchor}'"
        f"{weight} fill='{PAINT[paint]}'>{escape(text)}</text>"
    )


def _line(
    x1: float, y1: float, x2: float, y2: float, paint: str, *, width: float = 1, dash: str = "", css: str = ""
) -> str:
    classes = f"{css} s-{paint}".strip()
    dashes = f" stroke-dasharray='{dash}'" if dash else ""
    return (
        f"<line class='{classes}' x1='{_num(x1)}' y1='{_num(y1)}' x2='{_num(x2)}' y2='{_num(y2)}' "
        f"stroke='{PAINT[paint]}' stroke-width='{_num(width)}'{dashes}/>"
    )


def _text_width(text: str, *, bold: bool = False) -> float:
    em = DIGIT_EM if text.isdigit() else TEXT_EM
    return len(text) * em * FONT_SIZE * (1.12 if bold else 1)


def _x(day: date, start: date, end: date, left: float, right: float) -> float:
    span = max((end - start).days, 1)
    return round(left + (right - left) * (day - start).days / span, 1)


def _month_starts(start: date, end: date) -> list[date]:
    months, day = [], date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _spread(wanted: Sequence[float], widths: Sequence[float], low: float, high: float) -> list[float]:
    """Centres for labels on one line, kept in order and apart, each as near its wanted centre as
    the others allow (a block of touching labels sits at the mean of its members' wishes), all
    between low and high when they fit there."""
    offsets = [0.0]  # each label's centre from the first label's centre, packed tight
    for before, after in itertools.pairwise(widths):
        offsets.append(offsets[-1] + (before + after) / 2)
    blocks: list[tuple[int, int, float]] = []  # (first label, last label, centre of the first)

    def placed(first: int, last: int) -> tuple[int, int, float]:
        centre = sum(wanted[i] - offsets[i] + offsets[first] for i in range(first, last + 1)) / (last - first + 1)
        lowest = low + widths[first] / 2
        highest = high - widths[last] / 2 - (offsets[last] - offsets[first])
        return first, last, max(lowest, min(centre, highest)) if lowest <= highest else lowest

    for index in range(len(wanted)):
        block = placed(index, index)
        while blocks:
            first, last, centre = blocks[-1]
            end = centre + offsets[last] - offsets[first] + widths[last] / 2
            if end <= block[2] - widths[block[0]] / 2:
                break
            blocks.pop()
            block = placed(first, block[1])
        blocks.append(block)
    return [centre + offsets[i] - offsets[first] for first, last, centre in blocks for i in range(first, last + 1)]


@dataclass(frozen=True)
class _Key:
    """One symbol and its words in a legend."""

    symbol: str  # SVG drawn in a 24 x 16 box whose top left is (0, 0)
    words: str


def _legend(keys: Iterable[_Key], top: float, left: float) -> tuple[list[str], float]:
    """The legend as rows of symbol + words from `top`; returns its parts and its bottom."""
    parts, x, baseline = ["<g class='legend'>"], left, top + ASCENT
    for key in keys:
        width = 30 + _text_width(key.words) + 24
        if x > left and x + width > WIDTH - left:
            x, baseline = left, baseline + ASCENT + DESCENT + 8
        parts.append(f"<g transform='translate({_num(x)} {_num(baseline - 12)})'>{key.symbol}</g>")
        parts.append(_text(x + 30, baseline, key.words, "ink"))
        x += width
    parts.append("</g>")
    return parts, baseline + DESCENT


def _marker(milestone: Milestone, x: float, y: float) -> str:
    """A filled circle (a date set), hollow (estimated), grey (done); deadlines are diamonds."""
    fill = "paper" if milestone.estimated else ("muted" if milestone.status == "done" else "accent")
    stroke = "muted" if milestone.status == "done" else "accent"
    css = f"marker m-{milestone.kind} m-{milestone.status} f-{fill} s-{stroke}" + (
        " m-estimated" if milestone.estimated else ""
    )
    paint = f"fill='{PAINT[fill]}' stroke='{PAINT[stroke]}' stroke-width='2'"
    if milestone.kind == "deadline":
        d = 8
        return f"<path class='{css}' d='M{_num(x)},{_num(y - d)} l{d},{d} l-{d},{d} l-{d},-{d} z' {paint}/>"
    return f"<circle class='{css}' cx='{_num(x)}' cy='{_num(y)}' r='6' {paint}/>"


def _symbol_marker(fill: str, stroke: str, *, diamond: bool = False) -> str:
    paint = f"class='f-{fill} s-{stroke}' fill='{PAINT[fill]}' stroke='{PAINT[stroke]}' stroke-width='2'"
    if diamond:
        return f"<path {paint} d='M12,1 l7,7 l-7,7 l-7,-7 z'/>"
    return f"<circle {paint} cx='12' cy='8' r='6'/>"


def _symbol_line(paint: str, *, width: float = 2, dash: str = "", vertical: bool = False) -> str:
    return (
        _line(12, 0, 12, 16, paint, width=width, dash=dash)
        if vertical
        else _line(0, 8, 24, 8, paint, width=width, dash=dash)
    )


@dataclass(frozen=True)
class _Window:
    """The stretch of time the timeline draws, and the milestones in it."""

    start: date
    end: date
    shown: tuple[Milestone, ...]


def _window(milestones: Sequence[Milestone], today: date) -> _Window:
    # Start at the earliest milestone still open (or today): finished ones stay in the table.
    open_dates = [m.date for m in milestones if m.status != "done"]
    first = min([*open_dates, today]) - timedelta(days=MARGIN_DAYS)
    last = max(max(m.date for m in milestones), today)
    start = date(first.year, first.month, 1)
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1) - timedelta(days=1)
    return _Window(start, end, tuple(m for m in milestones if m.date >= first))


def milestone_keys(milestones: Sequence[Milestone], today: date) -> dict[str, int]:
    """Each drawn milestone's number on the timeline (its place among those drawn), by id: the
    milestone table prints the same number in its "#" column."""
    if not milestones:
        return {}
    return {m.id: number for number, m in enumerate(_window(milestones, today).shown, 1)}


def _timeline_legend(shown: Sequence[Milestone]) -> list[_Key]:
    keys = [
        _Key(_symbol_marker("accent", "accent"), "Your date or a planned step"),
        _Key(_symbol_marker("paper", "accent"), "Estimated date"),
        _Key(_symbol_marker("accent", "accent", diamond=True), "Deadline"),
    ]
    if any(m.status == "done" for m in shown):
        keys.append(_Key(_symbol_marker("muted", "muted"), "Done"))
    keys.append(_Key(_symbol_line("today", width=2, dash="4 3", vertical=True), "Today"))
    return keys


def timeline_svg(milestones: Sequence[Milestone], today: date) -> Markup | None:
    """A horizontal timeline: a numbered marker per milestone, months ticked, today marked."""
    if not milestones:
        return None
    window = _window(milestones, today)
    start, end = window.start, window.end
    left, right = 40.0, WIDTH - 40.0
    legend, legend_bottom = _legend(_timeline_legend(window.shown), 8, left)
    tx = _x(today, start, end, left, right)
    # The labels: one number per milestone and "Today", in date order, spread along rows.
    xs = [_x(m.date, start, end, left, right) for m in window.shown]
    labels = [str(number) for number in range(1, len(xs) + 1)]
    at = sum(1 for m in window.shown if m.date <= today)
    labels.insert(at, "Today")
    xs.insert(at, tx)
    widths = [_text_width(label, bold=label == "Today") + GAP for label in labels]
    rows = max(1, math.ceil(sum(widths) / (right - left)))
    row_height = ASCENT + DESCENT + 8
    top_baseline = legend_bottom + 16 + ASCENT
    # Room under the labels for the leaders to fan out to their markers.
    axis = top_baseline + (rows - 1) * row_height + DESCENT + 58
    centres = [0.0] * len(labels)
    for row in range(rows):
        members = range(row, len(labels), rows)
        for index, centre in zip(
            members, _spread([xs[i] for i in members], [widths[i] for i in members], left - 20, right + 20), strict=True
        ):
            centres[index] = centre
    connectors, texts = [], []
    for index, (label, x, centre) in enumerate(zip(labels, xs, centres, strict=True)):
        baseline = top_baseline + (rows - 1 - index % rows) * row_height
        bend = axis - 20
        if label == "Today":
            path = f"M{_num(centre)},{_num(baseline + DESCENT + 2)} L{_num(x)},{_num(bend)} L{_num(x)},{_num(axis)}"
            connectors.append(
                f"<path class='today s-today' d='{path}' fill='none' stroke='{PAINT['today']}' "
                "stroke-width='2' stroke-dasharray='4 3'/>"
            )
            texts.append(_text(centre, baseline, label, "today", anchor="middle", css="today-label", bold=True))
            continue
        path = f"M{_num(centre)},{_num(baseline + DESCENT + 2)} L{_num(x)},{_num(bend)} L{_num(x)},{_num(axis - 9)}"
        connectors.append(
            f"<path class='leader s-muted' d='{path}' fill='none' stroke='{PAINT['muted']}' stroke-width='1'/>"
        )
        texts.append(_text(centre, baseline, label, "ink", anchor="middle", css="key"))
    parts = [_line(left, axis, right, axis, "ink", width=1.5, css="axis")]
    months = _month_starts(start, end)
    # A month is named by its short name, and by its year too where the year begins or changes.
    spacing = (_text_width("Mar 27") + _text_width("Mar")) / 2 + 2 * GAP
    every = max(1, math.ceil(len(months) * spacing / (right - left)))
    year = 0
    for index, month in enumerate(months):
        x = _x(month, start, end, left, right)
        # Ticks hang below the axis, so the today line (above it) never runs through one.
        parts.append(_line(x, axis + 1, x, axis + 8, "muted", css="tick"))
        if index % every == 0:
            name = f"{month:%b}" if month.year == year else f"{month:%b} {month:%y}"
            year = month.year
            parts.append(_text(x, axis + 8 + ASCENT + 6, name, "muted", anchor="middle", css="month"))
    markers = [
        f"<g class='milestone'><title>{number}. {escape(m.title)}, {show(m.date)}</title>"
        f"{_marker(m, _x(m.date, start, end, left, right), axis)}</g>"
        for number, m in enumerate(window.shown, 1)
    ]
    height = axis + 8 + ASCENT + 6 + DESCENT + 6
    estimated = sum(1 for m in window.shown if m.estimated)
    desc = (
        f"{len(window.shown)} numbered milestones from {show(window.shown[0].date)} to {show(window.shown[-1].date)}"
        f"; today is {show(today)}. {estimated} dates are estimated (hollow markers); deadlines are diamonds. "
        + "; ".join(
            f"{number}: {m.title}, {show(m.date)}" + (" (estimated)" if m.estimated else "")
            for number, m in enumerate(window.shown, 1)
        )
        + "."
    )
    body = "".join([*legend, *parts, *connectors, *markers, *texts])
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' class='timeline-svg' viewBox='0 0 {WIDTH} {_num(height)}' role='img' "
        f"aria-labelledby='timeline-title timeline-desc' {FONT}><title id='timeline-title'>Timeline of your milestones"
        f"</title><desc id='timeline-desc'>{escape(desc)}</desc>{body}</svg>"
    )


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_box(x: float, baseline: float, text: str, anchor: str) -> Box:
    """The box a label of FONT_SIZE text takes, by the widths the charts place labels with."""
    width = _text_width(text)
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return x0, baseline - ASCENT, x0 + width, baseline + DESCENT


@dataclass(frozen=True)
class _Plot:
    left: float
    top: float
    right: float
    bottom: float


def _score_label(px: float, py: float, text: str, plot: _Plot, lines: Sequence[Box], taken: list[Box]) -> str:
    """The score above its point, else below, right, left or at a corner: the first place that
    crosses no line (target, today), no other label or point and stays in the plot; failing that,
    the first that crosses no line. The same inputs always choose the same place."""
    candidates = [
        (px, py - 10, "middle"),
        (px, py + 10 + ASCENT, "middle"),
        (px + 10, py + 5, "start"),
        (px - 10, py + 5, "end"),
        # The corners clear a point that sits where the target and today lines cross.
        (px + 8, py - 8, "start"),
        (px - 8, py - 8, "end"),
        (px + 8, py + 8 + ASCENT, "start"),
        (px - 8, py + 8 + ASCENT, "end"),
    ]
    inside: Box = (plot.left, plot.top, plot.right, plot.bottom)

    def fits(box: Box) -> bool:
        return inside[0] <= box[0] and box[2] <= inside[2] and inside[1] <= box[1] and box[3] <= inside[3]

    boxes = [_label_box(x, y, text, anchor) for x, y, anchor in candidates]
    clear = [i for i, box in enumerate(boxes) if fits(box) and not any(_overlaps(box, line) for line in lines)]
    free = [i for i in clear if not any(_overlaps(boxes[i], other) for other in taken)]
    choice = (free or clear or [0])[0]
    taken.append(boxes[choice])
    x, y, anchor = candidates[choice]
    return _text(x, y, text, "ink", anchor=anchor, css="score")


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
    keys = [
        _Key(
            _line(0, 8, 24, 8, "accent", width=2) + "<circle class='f-accent' cx='12' cy='8' r='4' "
            f"fill='{PAINT['accent']}'/>",
            "Your scores",
        ),
        _Key(_symbol_line("muted", width=3, dash="2 4"), "Recent trend"),
        _Key(_symbol_line("target", dash="6 4"), f"{line}: the target score"),
    ]
    if target is not None:
        keys.append(_Key(_symbol_line("good", width=1.5), f"{target}: your goal"))
    keys.append(_Key(_symbol_line("today", dash="4 3", vertical=True), "Today"))
    legend, legend_bottom = _legend(keys, 8, 16)
    band_labels = [band.chart_label for band in rules.bands]
    label_room = max(_text_width(label) for label in band_labels) + 12
    tick_room = _text_width(str(rules.chart_range[1] + 10)) + 10  # the widest score on the axis
    plot = _Plot(12 + tick_room, legend_bottom + 14, WIDTH - 16 - label_room, legend_bottom + 14 + PLOT_HEIGHT)
    first, last = practice[0].date, max(practice[-1].date, today)
    start, end = first - timedelta(days=7), last + timedelta(days=7)

    def y(score: float) -> float:
        return round(plot.bottom - (plot.bottom - plot.top) * (score - low) / (high - low), 1)

    parts: list[str] = []
    names: list[tuple[float, str]] = []
    upper = high
    for rank, band in enumerate(rules.bands):
        lower = max(band.low, low)
        if lower >= upper:
            continue
        fill = f"band-{min(len(rules.bands) - rank, BANDS)}"
        parts.append(
            f"<rect class='band band-{band.id} {fill}' x='{_num(plot.left)}' y='{_num(y(upper))}' "
            f"width='{_num(plot.right - plot.left)}' height='{_num(y(lower) - y(upper))}' fill='{PAINT[fill]}'/>"
        )
        names.append(((y(upper) + y(lower)) / 2, band.chart_label))
        upper = lower
    # Band names sit beside their bands, nudged apart when a band is thinner than a line of text.
    middles = _spread([mid for mid, _ in names], [ASCENT + DESCENT + 2] * len(names), plot.top - 6, plot.bottom + 6)
    for middle, (_, name) in zip(middles, names, strict=True):
        parts.append(_text(plot.right + 10, middle + ASCENT / 2, name, "muted", css="band-name"))
    step = 10 if (plot.bottom - plot.top) * 10 / (high - low) >= ASCENT + DESCENT + 4 else 20
    for tick in range((low // step + 1) * step, high + 1, step):
        parts.append(_text(plot.left - 8, y(tick) + 5, str(tick), "muted", anchor="end", css="y-tick"))
    lines: list[Box] = [(plot.left, y(line) - 2, plot.right, y(line) + 2)]
    parts.append(
        _line(plot.left, y(line), plot.right, y(line), "target", width=2, dash="6 4", css=f"target line-{line}")
    )
    if target is not None:
        lines.append((plot.left, y(target) - 2, plot.right, y(target) + 2))
        parts.append(_line(plot.left, y(target), plot.right, y(target), "good", width=1.5, css="goal"))
    tx = _x(today, start, end, plot.left, plot.right)
    lines.append((tx - 2, plot.top, tx + 2, plot.bottom))
    parts.append(_line(tx, plot.top, tx, plot.bottom, "today", width=2, dash="4 3", css="today"))
    points = [(_x(p.date, start, end, plot.left, plot.right), y(p.score), p) for p in practice]
    window = points[-rules.trend.window :]
    if len(window) >= 2:
        parts.append(
            _line(window[0][0], window[0][1], window[-1][0], window[-1][1], "muted", width=3, dash="2 4", css="trend")
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{_num(px)},{_num(py)}" for i, (px, py, _) in enumerate(points))
    parts.append(f"<path class='scores s-accent' d='{path}' fill='none' stroke='{PAINT['accent']}' stroke-width='2'/>")
    taken: list[Box] = [(px - 6, py - 6, px + 6, py + 6) for px, py, _ in points]
    for px, py, _ in points:
        parts.append(f"<circle class='point f-accent' cx='{_num(px)}' cy='{_num(py)}' r='5' fill='{PAINT['accent']}'/>")
    for px, py, item in points:
        parts.append(_score_label(px, py, str(item.score), plot, lines, taken))
    days = [f"{p.date:%b} {p.date.day}" for p in practice]
    day_widths = [_text_width(day) + GAP for day in days]
    for centre, day in zip(_spread([px for px, _, _ in points], day_widths, 0, WIDTH), days, strict=True):
        parts.append(_text(centre, plot.bottom + 8 + ASCENT, day, "muted", anchor="middle", css="day"))
    height = plot.bottom + 8 + ASCENT + DESCENT + 6
    desc = (
        "Practice scores by date: "
        + "; ".join(f"{p.form} {p.score} on {show(p.date)}" for p in practice)
        + f". Bands: {', '.join(band.label for band in reversed(rules.bands))}; the dashed line marks {line}."
    )
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' class='practice-svg' viewBox='0 0 {WIDTH} {_num(height)}' role='img' "
        f"aria-labelledby='practice-title practice-desc' {FONT}><title id='practice-title'>Your practice scores against the "
        f"Step 2 CK score bands</title><desc id='practice-desc'>{escape(desc)}</desc>{''.join([*legend, *parts])}</svg>"
    )
