"""Rule kind ``attribute``: each event must itself record something (PF004: seen alone).

One finding per event: anchor = the event's date, due = anchor plus the limit (0 days: the same
visit); done = the event's date when any test holds, else nothing (overdue once past due).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from ..rules.model import AttributeRule, AttrTest
from .context import Context
from .schedule import pick_limit
from .timeline import DISPUTED, Case, Ev


def _passes(test: AttrTest, ev: Ev) -> bool:
    value = ev.attrs.get(test.attr)
    if value is DISPUTED:  # two copies of the visit disagree: not shown either way
        return False
    if test.present is not None:
        given = value is not None and value != ""
        return given == test.present
    return value == test.equals


def check_attribute(rule: AttributeRule, ctx: Context) -> Iterator[Finding]:
    for ev in ctx.timeline.select(rule.event):
        case = Case(ev, None)
        if not ctx.applies(rule, ev.date, case):
            continue
        limit = pick_limit(rule.limit, ev.date, case, ctx.timeline)
        if limit is None:
            continue
        ok = any(_passes(test, ev) for test in rule.satisfied_if_any)
        finding = ctx.finding(
            rule,
            ref=ev.ref,
            anchor=ev.date,
            due=ctx.due(ev.date, limit, rule),
            done=ev.date if ok else None,
            close=None,
            limit=limit,
        )
        if finding is not None:
            yield finding
