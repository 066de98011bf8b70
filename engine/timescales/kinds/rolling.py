"""Rule kind ``rolling``: time in a state, totalled over any window of consecutive days.

On date-only data a spell from ``start`` to ``end`` occupies the days start .. end-1 (24 hours
each; an open spell runs to as_of). The day on which the total within the window ending that
day first passes the limit is the due date: by then ``met_by`` (e.g. a court order) must be
recorded. One finding per spell that passes it; counting restarts after that spell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import model_validator

from .. import calendar
from ..evaluation.context import BEFORE_KNOWN, Context
from ..evaluation.timeline import Case, Ev, related
from ..findings import Finding
from ..rules.model import Limit, Limits, RuleBase, Selector, Strict
from ..rules.registry import Heads, Kind
from ..rules.words import describe_limits, describe_selector, long_day
from .schedule import pick_limit


class Spell(Strict):
    starts: Selector
    ends: Selector


class RollingRule(RuleBase):
    """Time in a state (``spell``) totalled over any ``window`` of consecutive days must not pass
    ``limit`` unless ``met_by`` is recorded by the day it would. On date-only data a day in the
    state counts from its start date up to (not including) its end date: 24 hours a day."""

    kind: Literal["rolling"]
    spell: Spell
    window: Limit
    limit: Limits
    met_by: Selector | None = None
    # how long a ``met_by`` authority stays in force: one made before the spell counts while it
    # still covers the due date (SA001: a court order authorises up to three months at first)
    met_by_lasts: Limit | None = None

    @model_validator(mode="after")
    def _units(self) -> RollingRule:
        if self.window.unit not in ("days", "months") or any(
            limit.unit not in ("days", "hours") for limit in self.limit
        ):
            raise ValueError("a rolling rule totals days or hours over a window of days or months")
        return self

    def selectors(self) -> list[Selector]:
        return [self.spell.starts, self.spell.ends, *([self.met_by] if self.met_by else [])]

    def starting(self) -> list[Selector]:
        return [self.spell.starts]

    def limits(self) -> list[Limit]:
        return list(self.limit)


# A spell: its start event, its end date (None while open), and the ``met_by`` events tied to
# it, in date order. The Python engine finds them with the timeline, the durable engine with
# durable-rules; both count them with ``count_spells``.
SpellEvents = tuple[Ev, dt.date | None, list[Ev]]


def check_rolling(rule: RollingRule, ctx: Context) -> Iterator[Finding]:
    tl = ctx.timeline
    ends = tl.select(rule.spell.ends)
    orders = tl.select(rule.met_by) if rule.met_by else []
    spells: list[SpellEvents] = []
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


def count_spells(rule: RollingRule, ctx: Context, spells: list[SpellEvents]) -> Iterator[Finding]:
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


def _counting(rule: RollingRule) -> list[str]:
    """``rules show``: how time in the state is totalled."""
    lines = [
        f"Time from {describe_selector(rule.spell.starts)} to "
        f"{describe_selector(rule.spell.ends)} is totalled over any "
        f"{rule.window.describe()} in a row; at most {describe_limits(rule.limit)}.",
        "On date-only data each day from the start up to the end counts 24 hours.",
    ]
    if rule.met_by:
        lines.append(
            f"Beyond that {describe_selector(rule.met_by)} must be recorded by the day the "
            "limit is passed (the due date)."
        )
        if rule.met_by_lasts:
            lines.append(
                f"One made earlier counts while in force ({rule.met_by_lasts.describe()})."
            )
    else:
        lines.append("Passing the limit is a breach; nothing can authorise it.")
    return lines


class RollingKind(Kind[RollingRule]):
    name = "rolling"
    model = RollingRule

    def needs(self, rule: RollingRule, heads: Heads) -> set[str]:
        met = {rule.met_by.type} if rule.met_by else set()
        return {rule.spell.starts.type, rule.spell.ends.type} | met

    def checker(self, rule: RollingRule, chains: Mapping[str, Any]) -> Any:
        return lambda ctx: check_rolling(rule, ctx)

    def counting(self, rule: RollingRule, heads: Heads) -> list[str]:
        return _counting(rule)

    def hours_text(self, rule: RollingRule) -> str:
        return "Hours on date-only data: each day in the state counts 24 hours."

    def example(self, rule: RollingRule) -> list[str] | None:
        return ["See the fixtures under tests/rules/" + rule.id + " for worked cases."]

    def anchor_is(self, rule: RollingRule, heads: Heads) -> str:
        return f"the first counted day in {rule.spell.starts.type}"

    def due_step(self, rule: RollingRule, heads: Heads, anchor: dt.date, due: dt.date) -> str:
        return (
            f"At most {rule.limit[-1].describe()} in {rule.spell.starts.type} in any "
            f"{rule.window.describe()}: counting from {long_day(anchor)}, the total passed the "
            f"limit on {long_day(due)}"
            + (
                f"; by then {rule.met_by.type} had to be recorded."
                if rule.met_by
                else "; nothing can authorise that."
            )
        )

    def durable_compile(self, rule: RollingRule, backend: Any) -> None:
        main, rid = backend.main_builder, rule.id
        starts = main.use(rule.spell.starts)
        main.select(f"spell:{rid}", starts)
        main.first(f"end:{rid}", starts, main.use(rule.spell.ends), rule.match)
        if rule.met_by is not None:
            main.pairs(f"order:{rid}", starts, main.use(rule.met_by), rule.match, None)

    def durable_findings(self, rule: RollingRule, backend: Any, run: Any) -> Any:
        links, events = run.links, run.events
        ends = links.first.get(f"end:{rule.id}", {})
        orders = links.pairs.get(f"order:{rule.id}", {})
        spells: list[SpellEvents] = [
            (
                events[n],
                events[ends[n]].date if n in ends else None,
                [events[i] for i in run.order(set(orders.get(n, [])))],
            )
            for n in run.order(links.selected.get(f"spell:{rule.id}", set()))
        ]
        return count_spells(rule, run.ctx, spells)


KIND = RollingKind()
