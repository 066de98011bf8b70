"""Rule kind ``deadline``: X within N of Y, one finding per clock event."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import DataQualityFinding, Finding
from ..rules.model import DeadlineRule
from .context import Context
from .timeline import related


def check_deadline(rule: DeadlineRule, ctx: Context) -> Iterator[Finding]:
    tl = ctx.timeline
    clocks = tl.select(rule.clock)
    if not clocks:
        return
    candidates = tl.select(rule.met_by)
    voids = tl.select(rule.void_by) if rule.void_by else []
    closers = tl.select_any(rule.closed_by) if rule.closed_by else []
    limit = rule.limit[-1]  # deadlines take no conditions on the anchor today
    for clock in clocks:
        if not ctx.applies(rule, clock.date):
            continue
        if any(related(clock, v, rule.match) for v in voids):
            continue
        close = next(
            (c.date for c in closers if c.date >= clock.date and related(clock, c, rule.match)),
            None,
        )
        done = None
        for cand in candidates:
            if not related(clock, cand, rule.match):
                continue
            if cand.date < clock.date:
                if rule.match == "auto" and cand.ref is not None and cand.ref == clock.ref:
                    ctx.note(
                        DataQualityFinding(
                            "DATA001",
                            ctx.child,
                            f"{cand.type} dated before its {clock.type}; it does not count",
                            rule=rule.id,
                            ref=clock.ref,
                            date=cand.date,
                        )
                    )
                continue
            if close is None or cand.date <= close:
                done = cand.date
            break
        due = ctx.due(clock.date, limit)
        finding = ctx.finding(
            rule, ref=clock.ref, anchor=clock.date, due=due, done=done, close=close, limit=limit
        )
        if finding is not None:
            yield finding
