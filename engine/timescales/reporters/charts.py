"""The report's charts: inline SVG, drawn here and nowhere else (no library, no script).

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (what it
shows and its extremes), so a screen reader reads a sentence, not shapes; its numbers are in a
table beside it in the page. Colours are the Okabe-Ito palette (told apart under the common
colour-vision deficiencies), and no chart relies on colour alone: a rate's red/amber/green is
also a shape and a word (■ red, ▲ amber, ● green), values are written beside the marks.

Text is never smaller than 13 px in a chart's own units, and charts are at most
:data:`WIDTH` (880) units wide and never drawn wider than that: at 760 px of page (an 800 px
window) the smallest text is still 11.2 px. The rule × team heat map is drawn at its natural
size, in a box that scrolls sideways when there are many teams, so its text never shrinks.

Each function returns :class:`markupsafe.Markup`, escaped here, for the Jinja2 templates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe-Ito: a colour-blind-safe categorical palette
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#8C8C8C",
    "#F0E442",
)
STATUS_COLOURS = {
    "met": BLUE,
    "late": ORANGE,
    "overdue": VERMILLION,
    "unmet": PURPLE,
    "pending": GREY,
}

WIDTH = 880  # the widest chart, in its own units (and never drawn wider)
FONT = 13  # the smallest text, in chart units

# red / amber / green: a colour, a shape and a word, so that none is needed alone
RAG = {
    "green": (GREEN, "●"),
    "amber": (ORANGE, "▲"),
    "red": (VERMILLION, "■"),
}
# national thresholds where no council target applies (docs/reports.md)
GREEN_AT = 0.90
AMBER_AT = 0.75
# with a council target: green at or above it, amber within this many points below it
AMBER_BELOW_TARGET = 0.15


def rag(rate: float | None, target: float | None = None) -> str | None:
    """ "green", "amber" or "red" for an on-time rate: against the council's ``target`` where
    one applies (green at or above it, amber up to 15 points below, red further below), else
    against the national thresholds (green ≥ 90%, amber ≥ 75%, else red). None with nothing
    due."""
    if rate is None:
        return None
    green, amber = (
        (target, target - AMBER_BELOW_TARGET) if target is not None else (GREEN_AT, AMBER_AT)
    )
    eps = 1e-9
    if rate >= green - eps:
        return "green"
    if rate >= amber - eps:
        return "amber"
    return "red"


def rag_mark(status: str | None) -> str:
    """The shape and word for a RAG status ("■ red"); empty for none."""
    if status is None:
        return ""
    return f"{RAG[status][1]} {status}"


def pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def count(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum at or above ``value`` and the tick step."""
    if value <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        tick = step * magnitude
        if value / tick <= 5:
            return tick * math.ceil(value / tick - 1e-9), tick
    return value, value


def month_label(month: str, short: bool = False) -> str:
    """ "2024-03" -> "Mar 2024" ("Mar 24" short)."""
    try:
        day = dt.date.fromisoformat(month + "-01")
    except ValueError:
        return month
    return day.strftime("%b %y" if short else "%b %Y")


def _open(ident: str, width: float, height: float, title: str, desc: str, *, fixed: bool) -> str:
    """The svg element: labelled by its title and description; ``fixed`` draws it at its
    natural size (never scaled), else it shrinks to fit but is never drawn wider."""
    style = f"width:{width:.0f}px" if fixed else f"max-width:{width:.0f}px"
    return (
        f'<svg class="chart" id="{ident}" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" style="{style}" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )


def _svg(parts: Sequence[str]) -> Markup:
    """The drawn chart as markup: every text in it went through ``escape`` above."""
    return Markup("".join(parts))  # noqa: S704 (built here from escaped text)


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart of rates: ``label`` in plain words with ``key`` (a rule ID)
    beside it, the rate (None: nothing due), how many were due, its RAG status, and the
    council's target where one applies."""

    label: str
    value: float | None
    due: int
    key: str = ""
    status: str | None = None
    target: float | None = None
    note: str = ""


def rate_bars(ident: str, bars: Sequence[Bar], *, title: str, desc: str) -> Markup:
    """Rates as horizontal bars, one per row with its label on a line above it (so long
    plain-English titles fit), coloured and marked red/amber/green, the rate, its mark and the
    number due written beside each bar; a 0% bar is still a visible stub, and a black tick
    marks a council target."""
    width, row_h, top = WIDTH, 46, 30
    x0, x1 = 4, 560
    span = x1 - x0
    height = top + row_h * max(1, len(bars)) + 4
    parts = [_open(ident, width, height, title, desc, fixed=False)]
    for tick in (0, 25, 50, 75, 100):
        x = x0 + span * tick / 100
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 4}" class="grid"/>'
            f'<text x="{x:.1f}" y="{top - 12}" class="axis" text-anchor="{anchor}">{tick}%</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        key = f'<tspan class="key">{escape(bar.key)}</tspan> ' if bar.key else ""
        parts.append(
            f'<text x="{x0}" y="{y + 14}" class="label">{key}'
            f"{escape(_fit(bar.label, 112))}<title>{escape(bar.label)}</title></text>"
        )
        by = y + 20
        if bar.value is None:
            parts.append(
                f'<text x="{x0}" y="{by + 15}" class="note">nothing due yet'
                f"{escape(' ' + bar.note if bar.note else '')}</text>"
            )
            continue
        colour, shape = RAG[bar.status] if bar.status else (BLUE, "")
        w = max(span * bar.value, 4.0)  # a 0% bar is a stub, not a hairline
        said = f"{pct(bar.value)} on time of {bar.due:,} due"
        if bar.status:
            said += f", {rag_mark(bar.status)}"
        if bar.target is not None:
            said += f" (council target {pct(bar.target)})"
        words = [bar.status or "", f"{bar.due:,} due", bar.note]
        parts.append(
            f'<rect x="{x0}" y="{by}" width="{w:.1f}" height="20" fill="{colour}">'
            f"<title>{escape(bar.key + ' ' if bar.key else '')}{escape(said)}</title></rect>"
            f'<text x="{x1 + 10}" y="{by + 15}" class="value">{escape(shape)} {pct(bar.value)}'
            f'<tspan class="note"> {escape(" · ".join(w for w in words if w))}</tspan></text>'
        )
        if bar.target is not None:
            tx = x0 + span * bar.target
            parts.append(
                f'<line x1="{tx:.1f}" y1="{by - 3}" x2="{tx:.1f}" y2="{by + 23}" '
                f'class="target"><title>council target {pct(bar.target)}</title></line>'
            )
    parts.append("</svg>")
    return _svg(parts)


def _every(n: int, room: float, need: float) -> int:
    """Label every k-th of n slots, so that labels ``need`` wide fit slots ``room`` wide."""
    return max(1, math.ceil(need / max(room, 1.0)))


def _labelled(i: int, n: int, every: int) -> bool:
    """Label every ``every``-th slot counting back from the last (the latest month)."""
    return (n - 1 - i) % every == 0


def line_chart(
    ident: str,
    points: Sequence[tuple[str, float | None, int]],
    *,
    title: str,
    desc: str,
) -> Markup:
    """A rate (0-1) by month: a line with a marker per month (a gap where nothing was due), the
    month and the number due written under the axis."""
    width, height = WIDTH, 300
    x0, x1, y0, y1 = 56, width - 30, 16, height - 62
    parts = [_open(ident, width, height, title, desc, fixed=False)]
    for tick in (0, 25, 50, 75, 100):
        y = y1 - (y1 - y0) * tick / 100
        parts.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{x0 - 8}" y="{y + 5:.1f}" class="axis" text-anchor="end">{tick}%</text>'
        )
    n = len(points)
    step = (x1 - x0) / (n - 1) if n > 1 else 0.0
    every = _every(n, step if n > 1 else x1 - x0, 64)
    parts.append(
        f'<text x="{x0 - 8}" y="{y1 + 40}" class="axis" text-anchor="end">due</text>' if n else ""
    )
    segment: list[str] = []
    segments: list[list[str]] = []
    dots: list[str] = []
    for i, (month, value, due) in enumerate(points):
        x = x0 + step * i if n > 1 else (x0 + x1) / 2
        if _labelled(i, n, every):
            parts.append(
                f'<text x="{x:.1f}" y="{y1 + 20}" class="axis" text-anchor="middle">'
                f"{escape(month_label(month, short=True))}</text>"
                f'<text x="{x:.1f}" y="{y1 + 40}" class="axis n" text-anchor="middle">'
                f"{due:,}</text>"
            )
        if value is None:
            if segment:
                segments.append(segment)
                segment = []
            continue
        y = y1 - (y1 - y0) * value
        segment.append(f"{x:.1f},{y:.1f}")
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BLUE}">'
            f"<title>{escape(month_label(month))}: {pct(value, 1)} on time of {due:,} due"
            "</title></circle>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        )
    parts.extend(dots)
    parts.append("</svg>")
    return _svg(parts)


def stacked_columns(
    ident: str,
    months: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    desc: str,
) -> Markup:
    """Counts by month, stacked by status, the total written above each labelled column and a
    legend written as text."""
    width, height = WIDTH, 320
    x0, x1, y0, y1 = 64, width - 20, 52, height - 40
    totals = [sum(vals[i] for vals in series.values()) for i in range(len(months))]
    top, tick = nice_max(max(totals, default=0) * 1.08)
    if tick < 1:  # counts: whole-number ticks
        top, tick = float(max(1, math.ceil(top))), 1.0
    parts = [_open(ident, width, height, title, desc, fixed=False)]
    t = 0.0
    while t <= top + 1e-9:
        y = y1 - (y1 - y0) * t / top
        parts.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{x0 - 8}" y="{y + 5:.1f}" class="axis" text-anchor="end">{count(t)}</text>'
        )
        t += tick
    lx = x0
    for name in series:
        parts.append(
            f'<rect x="{lx}" y="8" width="14" height="14" fill="{STATUS_COLOURS.get(name, GREY)}"/>'
            f'<text x="{lx + 19}" y="20" class="label">{escape(name)}</text>'
        )
        lx += 34 + 8 * len(name) + 14
    n = max(1, len(months))
    slot = (x1 - x0) / n
    bar = max(2.0, slot * 0.7)
    every = _every(n, slot, 64)  # a month's name ("Feb 24") needs about 64 px
    # each month's number due is written above its column wherever the numbers fit (about
    # 8 px a digit): more often than the month names, which are thinned to every k-th
    every_total = _every(n, slot, 8 * len(f"{max(totals, default=0):,}") + 6)
    for i, month in enumerate(months):
        x = x0 + slot * i + (slot - bar) / 2
        base = float(y1)
        tip = [f"{month_label(month)}: {totals[i]:,} due,"]
        for name, vals in series.items():
            v = vals[i]
            tip.append(f"{v:,} {name}")
            if not v:
                continue
            h = (y1 - y0) * v / top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{STATUS_COLOURS.get(name, GREY)}"/>'
            )
        parts.append(
            f'<rect x="{x:.1f}" y="{y0}" width="{bar:.1f}" height="{y1 - y0}" fill="transparent">'
            f"<title>{escape(' '.join(tip))}</title></rect>"
        )
        if _labelled(i, n, every_total):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - 5:.1f}" class="value n" '
                f'text-anchor="middle">{totals[i]:,}</text>'
            )
        if _labelled(i, n, every):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y1 + 20}" class="axis" text-anchor="middle">'
                f"{escape(month_label(month, short=True))}</text>"
            )
    parts.append("</svg>")
    return _svg(parts)


KEY_CHAR = 9.5  # the widest a character of a rule id is drawn in the heat map's labels (px)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the heat map: the rate, how many were due and its RAG status."""

    value: float | None
    due: int
    status: str | None = None


def heatmap(
    ident: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], Cell],
    *,
    title: str,
    desc: str,
) -> Markup:
    """A rate for each row (a rule: key and plain title) and column (a team): the cell tinted
    red/amber/green, its mark, the rate and the number due written in it; blank where the
    team had nothing of the rule. Drawn at its natural size (its page box scrolls sideways)."""
    cell_w, cell_h, head_h = 104, 40, 34
    # room for the longest rule id (13px bold: about KEY_CHAR px a character), right-aligned
    # 10px before the cells: a council's "LANC001" must not lose its first letter
    label_w = max(72, KEY_CHAR * max((len(key) for key, _ in rows), default=0) + 16)
    width = label_w + cell_w * max(1, len(columns)) + 4
    height = head_h + cell_h * max(1, len(rows)) + 4
    parts = [_open(ident, width, height, title, desc, fixed=True)]
    for j, column in enumerate(columns):
        x = label_w + cell_w * j + cell_w / 2
        parts.append(
            f'<text x="{x:.1f}" y="{head_h - 12}" class="label" text-anchor="middle">'
            f"{escape(_fit(column, 13))}<title>{escape(column)}</title></text>"
        )
    for i, (key, label) in enumerate(rows):
        y = head_h + cell_h * i
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 25}" class="label key" text-anchor="end">'
            f"{escape(key)}<title>{escape(key)} {escape(label)}</title></text>"
        )
        for j, column in enumerate(columns):
            x = label_w + cell_w * j
            cell = cells.get((key, column))
            if cell is None or cell.value is None:
                parts.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                    f'class="empty"><title>{escape(key)}, {escape(column)}: nothing due'
                    "</title></rect>"
                )
                continue
            colour, shape = RAG[cell.status] if cell.status else (BLUE, "")
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{colour}" fill-opacity="0.28"><title>{escape(key)}, {escape(column)}: '
                f"{pct(cell.value, 1)} on time of {cell.due:,} due"
                f"{escape(', ' + rag_mark(cell.status) if cell.status else '')}</title></rect>"
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 18}" class="value" text-anchor="middle">'
                f"{escape(shape)} {pct(cell.value)}</text>"
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 34}" class="note" text-anchor="middle">'
                f"{cell.due:,} due</text>"
            )
    parts.append("</svg>")
    return _svg(parts)


def caseload_chart(
    ident: str,
    rows: Sequence[tuple[str, float, str | None]],
    *,
    low: int | None,
    high: int | None,
    title: str,
    desc: str,
) -> Markup:
    """Children per full-time holder, one column each, against the recommended range: the
    range is a shaded band, columns above it are vermillion and hatched, below it sky blue."""
    width, height = WIDTH, 340
    x0, x1, y0, y1 = 56, width - 20, 44, height - 76
    peak = max([v for _, v, _ in rows] + [float(high or 0) * 1.15, 1.0])
    top, tick = nice_max(peak)
    parts = [
        _open(ident, width, height, title, desc, fixed=False),
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern></defs>',
    ]

    def y(v: float) -> float:
        return y1 - (y1 - y0) * v / top

    if low is not None and high is not None:
        parts.append(
            f'<rect x="{x0}" y="{y(high):.1f}" width="{x1 - x0}" height="{y(low) - y(high):.1f}" '
            f'class="band"><title>recommended range {low}–{high}</title></rect>'
            f'<line x1="{x0}" y1="{y(high):.1f}" x2="{x1}" y2="{y(high):.1f}" class="limit"/>'
        )
        legend = (
            ("band", f"recommended {low}–{high} (dashed line at {high})"),
            (VERMILLION, "above (hatched)"),
            (BLUE, "within"),
            (SKY, "below"),
        )
        lx = x0
        for colour, text in legend:
            fill = (
                'class="band" stroke="#1b1b1b" stroke-dasharray="3 2"'
                if colour == "band"
                else f'fill="{colour}"'
            )
            parts.append(
                f'<rect x="{lx}" y="8" width="14" height="14" {fill}/>'
                f'<text x="{lx + 19}" y="20" class="label">{escape(text)}</text>'
            )
            if colour == VERMILLION:
                parts.append(f'<rect x="{lx}" y="8" width="14" height="14" fill="url(#hatch)"/>')
            lx += 40 + int(7.2 * len(text))
    t = 0.0
    while t <= top + 1e-9:
        parts.append(
            f'<line x1="{x0}" y1="{y(t):.1f}" x2="{x1}" y2="{y(t):.1f}" class="grid"/>'
            f'<text x="{x0 - 8}" y="{y(t) + 5:.1f}" class="axis" text-anchor="end">'
            f"{count(t)}</text>"
        )
        t += tick
    n = max(1, len(rows))
    slot = (x1 - x0) / n
    bar = max(3.0, min(48.0, slot * 0.7))
    every = _every(n, slot, 18)
    for i, (name, value, status) in enumerate(rows):
        x = x0 + slot * i + (slot - bar) / 2
        colour = {"above": VERMILLION, "below": SKY}.get(status or "", BLUE)
        h = y1 - y(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(name)}: {count(value)} children per FTE'
            f"{escape(', ' + status + ' the range' if status else '')}</title></rect>"
        )
        if status == "above":
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="url(#hatch)" opacity="0.5"/>'
            )
        if slot >= 30:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y(value) - 5:.1f}" class="value" '
                f'text-anchor="middle">{count(value)}</text>'
            )
        if (n - 1 - i) % every == 0:
            parts.append(
                f'<text transform="translate({x + bar / 2:.1f},{y1 + 12}) rotate(40)" '
                f'class="axis">{escape(_fit(name, 12))}</text>'
            )
    parts.append("</svg>")
    return _svg(parts)


@dataclass(frozen=True, slots=True)
class Load:
    """One worker's caseload at one date: children per FTE against the range that applied
    then (the newly qualified range while ``newly_qualified``); ``value`` None is "n/a", with
    ``why``."""

    value: float | None
    status: str | None = None  # "above", "within" or "below" the range
    newly_qualified: bool = False
    why: str = ""
    children: int | None = None


@dataclass(frozen=True, slots=True)
class LoadRow:
    """A worker's row of the caseload grid: their loads at each date (None: no figure for that
    date, e.g. not yet in post)."""

    worker: str
    team: str
    loads: Sequence[Load | None]
    note: str = ""  # said on hover over the worker's name (FTE, where it came from)


# a newly qualified worker's cells (and the key's swatch): a dashed border (drawn with
# attributes: the page's stylesheet is the same whether or not it has a workforce section)
_NQ = 'fill="none" stroke="#1b1b1b" stroke-width="1.5" stroke-dasharray="3 2"'
# the grid's tints: a status is also a mark (▲ above, ▼ below) and, above the range, hatching
_LOAD_TINTS = {"above": VERMILLION, "within": BLUE, "below": SKY}
_LOAD_MARKS = {"above": "▲", "below": "▼"}
GRID_MIN_CELL = 48  # the narrowest date column; more dates than fit make the grid scroll
GRID_LABELS = (120, 116)  # the worker's and the team's columns
GRID_HEAD_EVERY = 20  # workers between repeats of the month heads
GRID_HEAD_H = 26  # a repeated head's height


def grid_width(dates: int) -> float:
    """The caseload grid's width for this many dates: above :data:`WIDTH` it is drawn at its
    natural size, for a box that scrolls sideways."""
    return (
        sum(GRID_LABELS)
        + max(float(GRID_MIN_CELL), (WIDTH - sum(GRID_LABELS) - 4) / max(1, dates)) * max(1, dates)
        + 4
    )


def _range_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "no range set"
    return f"{count(low)}–{count(high)}"


def caseload_grid(
    ident: str,
    dates: Sequence[str],
    rows: Sequence[LoadRow],
    *,
    low: float | None,
    high: float | None,
    nq: tuple[float, float] | None = None,
    title: str,
    desc: str,
) -> Markup:
    """Children per FTE for each worker (rows) at each date (columns: month ends, then the
    as-of date), against the range: a scale above the grid shows the range as a band (and the
    newly qualified range, dashed, where there is one); each cell is tinted by where its value
    falls, with ▲ above (and hatched) or ▼ below written beside the number, a dashed border
    while the worker was newly qualified (against their own, lower range), and "n/a" where
    the data cannot tell, with why on hover. At most :data:`WIDTH` wide while the date
    columns fit (:data:`GRID_MIN_CELL`), else drawn at its natural size for a box that
    scrolls sideways."""
    worker_w, team_w = GRID_LABELS
    x0 = worker_w + team_w
    n = max(1, len(dates))
    width = grid_width(n)
    cell_w = (width - x0 - 4) / n
    fixed = width > WIDTH + 0.5
    # the key: what each tint, mark and border says, in lines that fit the chart
    key: list[tuple[str, str]] = (
        [("within", f"within {_range_text(low, high)}"), ("above", "▲ above (hatched)"),
         ("below", "▼ below")]
        if low is not None and high is not None
        else [("none", "no range set: no verdict")]
    )  # fmt: skip
    if nq is not None:
        key.append(("nq", f"newly qualified: {_range_text(*nq)} (dashed)"))
    key.append(("na", "n/a (why on hover)"))
    if any(c is None for r in rows for c in r.loads):
        key.append(("blank", "blank: not in post"))
    placed: list[tuple[str, str, float, float]] = []
    lx, ly = 4.0, 6.0
    for what, text in key:
        need = 32 + 7.4 * len(text)
        if lx > 4 and lx + need - 12 > min(width, WIDTH):
            lx, ly = 4.0, ly + 24
        placed.append((what, text, lx, ly))
        lx += need
    sy = ly + 40  # the scale
    row_h, head_h = 24, int(sy + 58)
    repeats = max(0, len(rows) - 1) // GRID_HEAD_EVERY  # the month heads again, down long grids
    height = head_h + row_h * max(1, len(rows)) + GRID_HEAD_H * repeats + 6
    hatch = f"{ident}-hatch"
    parts = [
        _open(ident, width, height, title, desc, fixed=fixed),
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="{VERMILLION}" '
        'stroke-width="2" stroke-opacity="0.55"/></pattern></defs>',
    ]
    for what, text, lx, ly in placed:
        swatch = f'x="{lx:.1f}" y="{ly:.1f}" width="16" height="16"'
        if what in _LOAD_TINTS:
            parts.append(f'<rect {swatch} fill="{_LOAD_TINTS[what]}" fill-opacity="0.3"/>')
            if what == "above":
                parts.append(f'<rect {swatch} fill="url(#{hatch})"/>')
        elif what == "nq":
            parts.append(f'<rect x="{lx + 1:.1f}" y="{ly + 1:.1f}" width="14" height="14" {_NQ}/>')
        elif what == "none":
            parts.append(f'<rect {swatch} fill="{GREY}" fill-opacity="0.3"/>')
        elif what == "blank":
            parts.append(f'<rect {swatch} fill="none" stroke="#c4c9cc"/>')
        else:
            parts.append(f'<rect {swatch} class="empty"/>')
        parts.append(
            f'<text x="{lx + 21:.1f}" y="{ly + 13:.1f}" class="label">{escape(text)}</text>'
        )
    # the range as a band on a scale of children per FTE
    peaks = [c.value for r in rows for c in r.loads if c is not None and c.value is not None]
    top, tick = nice_max(max([*peaks, float(high or 0) * 1.15, float(nq[1] if nq else 0), 1.0]))
    sx0, sx1 = 150.0, min(width, float(WIDTH)) - 20

    def sx(v: float) -> float:
        return sx0 + (sx1 - sx0) * min(v, top) / top

    parts.append(
        f'<text x="{sx0 - 10:.1f}" y="{sy + 5:.1f}" class="axis" text-anchor="end">'
        "children per FTE</text>"
        f'<line x1="{sx0:.1f}" y1="{sy:.1f}" x2="{sx1:.1f}" y2="{sy:.1f}" class="grid"/>'
    )
    if low is not None and high is not None:
        parts.append(
            f'<rect x="{sx(low):.1f}" y="{sy - 9:.1f}" width="{sx(high) - sx(low):.1f}" '
            f'height="18" class="band" stroke="#1b1b1b"><title>range {_range_text(low, high)}'
            "</title></rect>"
        )
    if nq is not None:
        parts.append(
            f'<rect x="{sx(nq[0]):.1f}" y="{sy - 5:.1f}" width="{sx(nq[1]) - sx(nq[0]):.1f}" '
            f'height="10" {_NQ}><title>newly qualified range {_range_text(*nq)}</title></rect>'
        )
    t = 0.0
    while t <= top + 1e-9:
        parts.append(
            f'<line x1="{sx(t):.1f}" y1="{sy + 9:.1f}" x2="{sx(t):.1f}" y2="{sy + 13:.1f}" '
            f'class="limit"/><text x="{sx(t):.1f}" y="{sy + 27:.1f}" class="axis" '
            f'text-anchor="middle">{count(t)}</text>'
        )
        t += tick

    # the column heads: the month (short), the last the as-of date; again every
    # GRID_HEAD_EVERY workers, so that a long grid can be read without scrolling back
    def heads(hy: float) -> None:
        parts.append(
            f'<text x="4" y="{hy:.0f}" class="label key">Worker</text>'
            f'<text x="{worker_w + 4}" y="{hy:.0f}" class="label key">Team</text>'
        )
        for j, date in enumerate(dates):
            x = x0 + cell_w * j + cell_w / 2
            label = month_label(date[:7], short=True)
            parts.append(
                f'<text x="{x:.1f}" y="{hy:.0f}" class="axis" text-anchor="middle">'
                f"{escape(label)}<title>{escape(date)}</title></text>"
            )

    heads(head_h - 10)
    for i, row in enumerate(rows):
        y = head_h + row_h * i + GRID_HEAD_H * (i // GRID_HEAD_EVERY)
        if i and i % GRID_HEAD_EVERY == 0:
            heads(y - 8)
        nq_row = any(c is not None and c.newly_qualified for c in row.loads)
        name = _fit(row.worker, 13) + (" NQ" if nq_row else "")
        tip = row.worker + (f" ({row.note})" if row.note else "")
        parts.append(
            f'<text x="4" y="{y + 17}" class="label">{escape(name)}<title>{escape(tip)}'
            "</title></text>"
            f'<text x="{worker_w + 4}" y="{y + 17}" class="label">{escape(_fit(row.team, 14))}'
            f"<title>{escape(row.team)}</title></text>"
        )
        for j, date in enumerate(dates):
            cell = row.loads[j] if j < len(row.loads) else None
            x = x0 + cell_w * j
            parts.append(_load_cell(cell, row.worker, date, x, y, cell_w, row_h, hatch, low,
                                    high, nq))  # fmt: skip
    parts.append("</svg>")
    return _svg(parts)


def _load_cell(
    cell: Load | None,
    worker: str,
    date: str,
    x: float,
    y: float,
    w: float,
    h: float,
    hatch: str,
    low: float | None,
    high: float | None,
    nq: tuple[float, float] | None,
) -> str:
    box = f'x="{x + 1:.1f}" y="{y + 1:.1f}" width="{w - 2:.1f}" height="{h - 2:.1f}"'
    cx, ty = x + w / 2, y + 17
    who = f"{worker}, {date}"
    if cell is None:
        return (
            f'<rect {box} fill="none" stroke="#c4c9cc"><title>{escape(who)}: no figure for this '
            "date</title></rect>"
        )
    if cell.value is None:
        why = cell.why or "the data cannot tell"
        return (
            f'<rect {box} class="empty"><title>{escape(who)}: n/a: {escape(why)}</title></rect>'
            f'<text x="{cx:.1f}" y="{ty}" class="note" text-anchor="middle">n/a</text>'
        )
    ranged = _range_text(*nq) if cell.newly_qualified and nq else _range_text(low, high)
    said = f"{who}: {count(cell.value)} children per FTE"
    if cell.children is not None:
        said += f" ({cell.children:,} children)"
    if cell.status:
        said += f", {cell.status} the range {ranged}"
    if cell.newly_qualified:
        said += " (newly qualified)"
    colour = _LOAD_TINTS.get(cell.status or "", GREY)
    out = [f'<rect {box} fill="{colour}" fill-opacity="0.3"><title>{escape(said)}</title></rect>']
    if cell.status == "above":
        out.append(f'<rect {box} fill="url(#{hatch})"/>')
    if cell.newly_qualified:
        out.append(
            f'<rect x="{x + 2.5:.1f}" y="{y + 2.5:.1f}" width="{w - 5:.1f}" height="{h - 5:.1f}" '
            f"{_NQ}/>"
        )
    mark = _LOAD_MARKS.get(cell.status or "", "")
    out.append(
        f'<text x="{cx:.1f}" y="{ty}" class="value" text-anchor="middle">{mark}'
        f"{count(cell.value)}</text>"
    )
    return "".join(out)
