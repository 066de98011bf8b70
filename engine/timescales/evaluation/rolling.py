"""Rule kind ``rolling``: time in a state, totalled over any window of consecutive days.

On date-only data a spell from ``start`` to ``end`` occupies the days start .. end-1 (24 hours
each; an open spell runs to as_of). The day on which the total within the window ending that
day first passes the limit is the due date: by then ``met_by`` (e.g. a court order) must be
recorded. One finding per spell that passes it; counting restarts after that spell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .. import calendar
from ..findings import Finding
from ..rules.model import Limit, RollingRule
from .context import BEFORE_KNOWN, Context
from .schedule import pick_limit
from .timeline import Case, Ev, related

# A spell: its start event, its end date (None while open), and the ``met_by`` events tied to
# it, in date order. The Python engine finds them with the timeline, the durable engine with
# durable-rules; both count them with ``count_spells``.
Spell = tuple[Ev, dt.date | None, list[Ev]]


def check_rolling(rule: RollingRule, ctx: Context) -> Iterator[Finding]:
    tl = ctx.timeline
    ends = tl.select(rule.spell.ends)
    orders = tl.select(rule.met_by) if rule.met_by else []
    spells: list[Spell] = []
    for start in tl.select(rule.spell.starts):
        end = next(
            (e.date for e in ends if e.date >= start.date and related(start, e, rule.match)), None
        )
        spells.append((start, end, [o for o in orders if related(start, o, rule.match)]))
    yield from count_spells(rule, ctx, spells)


def _authority(
    rule: RollingRule, ctx: Context, orders: list[Ev], anchor: dt.date, due: dt.date
) -> dt.date | None:
    """The date of the authority that answers the breach (``orders``: those tied to the spell):
    one made on or after the first counted day, or an earlier one still in force on the due
    date (``met_by_lasts``)."""
    for order in orders:
        if order.date >= anchor:
            return order.date
        if rule.met_by_lasts is not None and order.date <= due:
            expires = ctx.due(order.date, rule.met_by_lasts)
            if expires >= due:
                return order.date
    return None


def window_start(day: dt.date, window: Limit) -> dt.date:
    """First day of the window of ``window`` consecutive days (or months) ending on ``day``."""
    if window.unit == "months":
        return calendar.add_days(calendar.add_months(day, -window.value), 1)
    return calendar.add_days(day, 1 - window.value)


def count_spells(rule: RollingRule, ctx: Context, spells: list[Spell]) -> Iterator[Finding]:
    """The findings of a rolling rule over its spells, in date order."""
    if not spells:
        return
    if ctx.timeline.known and any(ctx.known_start(rule.id, start) for start, _, _ in spells):
        # days counted over a moving window, and the count restarted after each breach: any
        # history before the data changes every later count, so none is certain
        ctx.not_assessed(rule, BEFORE_KNOWN)
        return
    first_start = spells[0][0]
    limit = pick_limit(rule.limit, first_start.date, Case(first_start, None), ctx.timeline)
    if limit is None:
        return
    allowed_days = limit.value if limit.unit == "days" else limit.value // 24
    counted: list[dt.date] = []  # occupied days since counting last restarted, each once
    resume = dt.date.min
    for start, end, tied in spells:
        first = start.date
        last = (end - dt.timedelta(days=1)) if end is not None else ctx.as_of
        day = max(first, resume, calendar.add_days(counted[-1], 1) if counted else first)
        while day <= last:
            counted.append(day)  # overlapping spells: a day already counted is not again
            since = window_start(day, rule.window)
            window_days = [d for d in counted if d >= since]
            if len(window_days) > allowed_days:
                due = day
                anchor = window_days[0]
                done = _authority(rule, ctx, tied, anchor, due)
                if ctx.applies(rule, anchor, Case(start, end)):
                    finding = ctx.finding(
                        rule,
                        ref=start.ref,
                        anchor=anchor,
                        due=due,
                        done=done,
                        close=end,
                        limit=Limit(unit="days", value=(due - anchor).days),
                    )
                    if finding is not None:
                        yield finding
                counted = []
                resume = calendar.add_days(last, 1)
                break
            day = calendar.add_days(day, 1)
