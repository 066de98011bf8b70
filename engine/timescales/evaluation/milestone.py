"""Rule kind ``milestone``: something recorded by the Nth event of a schedule (LA008).

Due = the earlier of the actual Nth event and its scheduled due date (the schedule's own limits,
each counted from the actual previous event, or from the previous due date where that event
never happened). Met by the first ``met_by`` event in the same case on or before due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..rules.model import Limit, MilestoneRule, ScheduleRule
from .context import Context
from .schedule import Chain, case_from, cases, dates_in_case, pick_limit
from .timeline import Case, related


def check_milestone(rule: MilestoneRule, chain: Chain, ctx: Context) -> Iterator[Finding]:
    head = chain.head
    assert head.event is not None
    tl = ctx.timeline
    events = tl.select(head.event)
    plans = tl.select(rule.met_by)
    for case in cases(tl, head):
        opened = case.opened
        in_case = dates_in_case(events, case, head.match, case_from(head, case, tl.dob))
        done = next(
            (
                p.date
                for p in plans
                if p.date >= opened.date
                and (case.close is None or p.date <= case.close)
                and related(opened, p, rule.match)
            ),
            None,
        )
        finding = milestone_finding(rule, chain, ctx, case, in_case, done)
        if finding is not None:
            yield finding


def milestone_finding(
    rule: MilestoneRule,
    chain: Chain,
    ctx: Context,
    case: Case,
    in_case: list[dt.date],
    done: dt.date | None,
) -> Finding | None:
    """One case's finding, given the dates of the schedule's events in the case and the date the
    milestone was recorded (if in the case), however they were found (both engines)."""
    opened = case.opened
    due = _scheduled_due(rule, chain, ctx, case, in_case)
    if due is None or not ctx.applies(rule, opened.date, case):
        return None
    # the nth event may come before the opening where the head counts one from before it
    # (``met_before_opening``): the due date is then before the anchor, never a negative limit
    return ctx.finding(
        rule,
        ref=opened.ref,
        anchor=opened.date,
        due=due,
        done=done,
        close=case.close,
        limit=Limit(unit="days", value=max((due - opened.date).days, 0)),
    )


def _scheduled_due(
    rule: MilestoneRule, chain: Chain, ctx: Context, case: Case, in_case: list[dt.date]
) -> dt.date | None:
    anchor = case.opened.date
    schedule_rule: ScheduleRule | None = chain.head
    due = anchor
    for occurrence in range(1, rule.occurrence + 1):
        if schedule_rule is None:
            return None
        limit = pick_limit(schedule_rule.limit, anchor, case, ctx.timeline)
        if limit is None:
            return None
        due = ctx.due(anchor, limit, schedule_rule)
        after = in_case if occurrence == 1 else [d for d in in_case if d > anchor]
        actual = after[0] if after else None
        if occurrence == rule.occurrence:
            return min(actual, due) if actual is not None else due
        anchor = actual if actual is not None else due
        schedule_rule = chain.rule_for(occurrence + 1, anchor, case, ctx.timeline)
    return due
