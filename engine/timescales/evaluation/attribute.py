"""Rule kind ``attribute``: each event must itself record something (PF004: seen alone).

One finding per event: anchor = the event's date, due = anchor plus the limit (0 days: the same
visit); done = the event's date when any test holds. Not a deadline: the finding is ``met`` when
a test holds and ``unmet`` otherwise (the event happened, but not as the law requires), never
pending or overdue, and an unmet finding has no days late.
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


def attribute_finding(rule: AttributeRule, ctx: Context, ev: Ev, ok: bool) -> Finding | None:
    """The finding for one event the rule selects, ``ok`` when one of its tests holds (each
    engine finds that its own way); None when the rule does not apply on the event's date."""
    case = Case(ev, None)
    if not ctx.applies(rule, ev.date, case):
        return None
    limit = pick_limit(rule.limit, ev.date, case, ctx.timeline)
    if limit is None:
        return None
    return ctx.finding(
        rule,
        ref=ev.ref,
        anchor=ev.date,
        due=ctx.due(ev.date, limit, rule),
        done=ev.date if ok else None,
        close=None,
        limit=limit,
        attribute=True,
    )


def check_attribute(rule: AttributeRule, ctx: Context) -> Iterator[Finding]:
    for ev in ctx.timeline.select(rule.event):
        ok = any(_passes(test, ev) for test in rule.satisfied_if_any)
        finding = attribute_finding(rule, ctx, ev, ok)
        if finding is not None:
            yield finding
