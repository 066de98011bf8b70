"""Rule kind ``milestone``: something recorded by the Nth event of a schedule (LA008).

Due = the earlier of the actual Nth event and its scheduled due date (the schedule's own limits,
each counted from the actual previous event, or from the previous due date where that event
never happened). Met by the first ``met_by`` event in the same case on or before due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field

from ..evaluation.context import Context
from ..evaluation.timeline import Case, related
from ..findings import Finding
from ..rules.model import Limit, RuleBase, Selector
from ..rules.registry import Heads, Kind
from ..rules.words import describe_selector, ordinal, plain_selector
from .schedule import (
    Chain,
    ScheduleRule,
    case_finding,
    case_from,
    cases,
    dates_in_case,
    is_head,
    pick_limit,
)


class MilestoneRule(RuleBase):
    """X recorded by the Nth occurrence of a schedule's event (LA008: a permanence plan by the
    second review). Due = the earlier of the actual Nth event and its scheduled due date under
    the schedule's own limits (so moving as_of later never turns a breach into met)."""

    kind: Literal["milestone"]
    schedule: str  # the head of the schedule whose cases and events the milestone counts
    occurrence: int = Field(ge=1)
    met_by: Selector

    def selectors(self) -> list[Selector]:
        return [self.met_by]


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
    limit = Limit(unit="days", value=max((due - opened.date).days, 0))
    return case_finding(ctx, rule, case, (opened.date, due, done), limit)


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


def _head(rule: MilestoneRule, heads: Heads) -> ScheduleRule | None:
    head = heads.get(rule.schedule)
    return head if isinstance(head, ScheduleRule) else None


class MilestoneKind(Kind[MilestoneRule]):
    name = "milestone"
    model = MilestoneRule

    def validate(self, rule: MilestoneRule, by_id: Mapping[str, RuleBase]) -> str | None:
        if is_head(by_id.get(rule.schedule)):
            return None
        return f"rule {rule.id}: 'schedule' must name a schedule head, not {rule.schedule}"

    def depends_on(self, rule: MilestoneRule) -> str | None:
        return rule.schedule

    def needs(self, rule: MilestoneRule, heads: Heads) -> set[str]:
        head = heads[rule.schedule]
        assert isinstance(head, ScheduleRule)
        assert head.scope is not None and head.event is not None
        return {*head.scope.opens, head.event.type, rule.met_by.type}

    def checker(self, rule: MilestoneRule, chains: Mapping[str, Any]) -> Any:
        chain = chains.get(rule.schedule)
        if chain is None:
            return f"its schedule {rule.schedule} is not in the rule set"
        return lambda ctx: check_milestone(rule, chain, ctx)

    def mutations(self, rule: MilestoneRule) -> list[tuple[int, int]] | None:
        return [(0, d) for d in (-1, 1) if rule.occurrence + d >= 1]

    def mutate(self, rule: MilestoneRule, index: int, delta: int) -> MilestoneRule | None:
        return rule.model_copy(update={"occurrence": rule.occurrence + delta})

    def counting(self, rule: MilestoneRule, heads: Heads) -> list[str]:
        head = _head(rule, heads)
        assert head is not None and head.event is not None
        return [
            f"For each case of the {head.id} schedule: {describe_selector(rule.met_by)} must be "
            f"recorded on or before occurrence {rule.occurrence} of `{head.event.type}`.",
            f"Due: the earlier of the actual occurrence {rule.occurrence} and its scheduled due "
            f"date under {head.id}'s schedule (so a late or missing review never moves it later).",
        ]

    def anchor_is(self, rule: MilestoneRule, heads: Heads) -> str:
        head = _head(rule, heads)
        scope = head.scope if head else None
        return f"the case opening ({' or '.join(scope.opens) if scope else 'case opening'})"

    def due_step(
        self, rule: MilestoneRule, heads: Heads, anchor: dt.date, due: dt.date
    ) -> str | None:
        head = _head(rule, heads)
        event = head.event.type if head and head.event else "event"
        days = (due - anchor).days
        return (
            f"Due by {plain_selector(rule.met_by)} being recorded by the "
            f"{ordinal(rule.occurrence)} {event} of the {rule.schedule} schedule: the earlier of "
            "that event's actual date and its scheduled due date "
            f"({days} {'day' if days == 1 else 'days'} after the case opened)."
        )


KIND = MilestoneKind()
