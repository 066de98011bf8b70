"""Properties that must hold for every rule and any record (the issue's list)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st
from property_kit import NATIONAL, breaches_turned_met, examples, records, varied

import timescales
from timescales import ChildRecord, Event, Finding
from timescales import calendar as tcal
from timescales.kinds.deadline import DeadlineRule
from timescales.kinds.milestone import MilestoneRule
from timescales.kinds.rolling import RollingRule
from timescales.kinds.schedule import ScheduleRule
from timescales.rules.model import Rule, Selector
from timescales.testing.reference import add_working_days, is_working_day
from timescales.testing.strategies import (
    LAST,
    as_of_dates,
    child_records,
    dates,
    rules,
    school_terms,
)
from timescales.workforce import Workforce

BREACH = ("late", "overdue", "unmet")


def national(draw: st.DrawFn) -> Any:
    """The national pack, with a council's school terms half the time (so LA012 runs)."""
    if draw(st.booleans()):
        return NATIONAL.with_terms(draw(school_terms(first_year=2001, years=29)))
    return NATIONAL


def dicts(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


def breaches(findings: tuple[Finding, ...]) -> int:
    return sum(f.status in BREACH for f in findings)


def record_with(record: ChildRecord, *extra: Event) -> ChildRecord:
    return record.model_copy(update={"events": [*record.events, *extra]})


# -- order ---------------------------------------------------------------------------------------


@examples(150)
@given(data=st.data())
def test_findings_do_not_depend_on_the_order_of_events(data: st.DataObject) -> None:
    ruleset = national(data.draw)
    record = data.draw(records(), label="record")
    shuffled = record.model_copy(
        update={"events": data.draw(st.permutations(record.events), label="shuffled")}
    )
    as_of = data.draw(as_of_dates(record), label="as_of")
    first = ruleset.check(record, as_of=as_of)
    second = ruleset.check(shuffled, as_of=as_of)
    assert dicts(first.findings) == dicts(second.findings)
    assert first.iro == second.iro


@examples(60)
@given(data=st.data())
def test_findings_do_not_depend_on_the_order_of_children(data: st.DataObject) -> None:
    ruleset = national(data.draw)
    many = data.draw(st.lists(records(), min_size=2, max_size=5), label="records")
    many = [r.model_copy(update={"child": f"C{i}"}) for i, r in enumerate(many)]
    as_of = data.draw(as_of_dates(many[0]), label="as_of")
    shuffled = data.draw(st.permutations(many), label="shuffled")

    def run(children: list[ChildRecord]) -> tuple[Counter[str], list[dict[str, Any]]]:
        workforce = Workforce(ruleset, as_of, as_of)
        found = []
        for child in children:
            result = ruleset.check(child, as_of=as_of)
            workforce.add_child(result, child)
            found.extend(dicts(result.findings))
        caseloads = workforce.caseload_sections()
        keyed = Counter(repr(sorted(f.items())) for f in found)
        return keyed, caseloads

    assert run(many) == run(list(shuffled))
    # and the public one-call API agrees with itself
    one = timescales.check(many, as_of=as_of, ruleset=ruleset)
    two = timescales.check(list(shuffled), as_of=as_of, ruleset=ruleset)
    assert Counter(repr(f) for f in one) == Counter(repr(f) for f in two)


def _tie_record(*events: dict[str, Any]) -> ChildRecord:
    return ChildRecord.model_validate({"child": "C1", "dob": "2000-01-02", "events": list(events)})


TIES = {
    "two-openings-on-one-day": (
        ["LA005"],
        _tie_record(
            {"type": "became_looked_after", "date": "2022-01-04"},
            {"type": "became_looked_after", "date": "2022-01-04", "ref": "P1"},
        ),
        dt.date(2022, 1, 10),
    ),
    "one-event-recorded-twice-with-different-attributes": (
        ["CO001"],
        _tie_record(
            {"type": "proceedings_issued", "date": "2022-01-04", "ref": "C1"},
            {
                "type": "proceedings_extended",
                "date": "2022-06-01",
                "ref": "C1",
                "attrs": {"weeks": 8},
            },
            {
                "type": "proceedings_extended",
                "date": "2022-06-01",
                "ref": "C1",
                "attrs": {"weeks": 2},
            },
        ),
        dt.date(2022, 6, 10),
    ),
}


@pytest.mark.parametrize("situation", sorted(TIES))
def test_same_day_ties_do_not_depend_on_input_order(situation: str) -> None:
    """Regression (found by the order property): same-day ties used to be broken by input
    order — the first of two copies of one event was kept, and the last of two same-day
    openings won."""
    ids, record, as_of = TIES[situation]
    ruleset = NATIONAL.select(ids)
    reversed_ = record.model_copy(update={"events": record.events[::-1]})
    assert dicts(ruleset.check(record, as_of=as_of).findings) == dicts(
        ruleset.check(reversed_, as_of=as_of).findings
    )


def test_iro_assigned_twice_on_one_day_does_not_depend_on_input_order() -> None:
    """Regression: two IROs assigned on one day; the caseload went to the one given last."""
    record = _tie_record(
        {"type": "became_looked_after", "date": "2022-01-04", "ref": "P1"},
        {"type": "iro_assigned", "date": "2022-01-05", "ref": "P1", "attrs": {"iro": "IRO-A"}},
        {"type": "iro_assigned", "date": "2022-01-05", "ref": "P2", "attrs": {"iro": "IRO-B"}},
    )
    reversed_ = record.model_copy(update={"events": record.events[::-1]})
    as_of = dt.date(2022, 2, 1)
    assert NATIONAL.check(record, as_of=as_of).iro == NATIONAL.check(reversed_, as_of=as_of).iro


# -- an on-time satisfying event never adds a breach ---------------------------------------------


def _chain_ids(rule: Rule) -> list[str]:
    """The rule and, for a schedule, every rule of its chain (all reported)."""
    if isinstance(rule, ScheduleRule):
        head = rule.follows or rule.id
        return [head, *(r.id for r in NATIONAL.rules if getattr(r, "follows", None) == head)]
    return [rule.id]


def _attrs_meeting(selector: Selector) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in selector.where.items():
        attrs[key] = value[0] if isinstance(value, list) else value
    return attrs


def _opening(
    record: ChildRecord, types: list[str], ref: str | None, before: dt.date
) -> Event | None:
    found = [e for e in record.events if e.type in types and e.ref == ref and e.date <= before]
    return max(found, key=lambda e: e.date, default=None)


def _satisfying_type(rule: Rule) -> str:
    if isinstance(rule, (DeadlineRule, MilestoneRule)):
        return rule.met_by.type
    if isinstance(rule, RollingRule):
        assert rule.met_by is not None
        return rule.met_by.type
    assert isinstance(rule, ScheduleRule)
    head = NATIONAL.by_id[rule.follows or rule.id]
    assert isinstance(head, ScheduleRule) and head.event is not None
    return head.event.type


def satisfying_event(rule: Rule, finding: Finding, record: ChildRecord, day: dt.date) -> Event:
    """An event that meets ``finding``'s instance of ``rule`` on ``day``: of the type that meets
    it, tied to the same thing (its ref, and the case of the event that started it)."""
    case = None
    if isinstance(rule, DeadlineRule):
        selector = rule.met_by
        clock = next(
            (
                e
                for e in record.events
                if rule.clock is not None
                and e.type == rule.clock.type
                and e.date == finding.anchor
                and e.ref == finding.ref
            ),
            None,
        )
        case = clock.case if clock is not None else None
    elif isinstance(rule, (ScheduleRule, MilestoneRule)):
        head = NATIONAL.by_id[
            rule.schedule if isinstance(rule, MilestoneRule) else (rule.follows or rule.id)
        ]
        assert isinstance(head, ScheduleRule) and head.scope is not None and head.event
        selector = rule.met_by if isinstance(rule, MilestoneRule) else head.event
        opening = _opening(record, head.scope.opens, finding.ref, finding.anchor)
        case = opening.case if opening is not None else None
    else:
        assert isinstance(rule, RollingRule) and rule.met_by is not None
        selector = rule.met_by
    return Event(
        type=selector.type,
        date=day,
        ref=finding.ref,
        case=case,
        attrs=_attrs_meeting(selector),
    )


@pytest.mark.parametrize("kind", ("deadline", "schedule", "milestone", "rolling"))
@examples(100)
@given(data=st.data())
def test_adding_an_on_time_satisfying_event_never_adds_a_breach(
    kind: str, data: st.DataObject
) -> None:
    pool = [r for r in NATIONAL.rules if r.kind == kind]
    if kind == "rolling":
        pool = [r for r in pool if isinstance(r, RollingRule) and r.met_by is not None]
    rule = data.draw(st.sampled_from(pool), label="rule")
    ruleset = NATIONAL.select(_chain_ids(rule))
    record = data.draw(child_records(focus=rule), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    before = ruleset.check(record, as_of=as_of).findings
    open_ = [f for f in before if f.rule == rule.id and f.status in ("overdue", "pending")]
    if not open_:
        # nothing left to meet: take away the satisfying events from a drawn day on
        cut = data.draw(st.sampled_from(sorted({e.date for e in record.events})), label="cut")
        kept = [e for e in record.events if e.date < cut or e.type != _satisfying_type(rule)]
        record = record.model_copy(update={"events": kept})
        before = ruleset.check(record, as_of=as_of).findings
        open_ = [f for f in before if f.rule == rule.id and f.status in ("overdue", "pending")]
    assume(open_)
    target = data.draw(st.sampled_from(open_), label="target")
    last = min(target.due, as_of)
    first = target.anchor + dt.timedelta(days=0 if kind in ("deadline", "rolling") else 1)
    assume(first <= last)
    day = data.draw(st.dates(first, last), label="day")
    event = satisfying_event(rule, target, record, day)
    assume(not any((e.type, e.date, e.ref) == (event.type, day, event.ref) for e in record.events))
    after = ruleset.check(record_with(record, event), as_of=as_of).findings
    note(f"added {event!r}")
    assert breaches(after) <= breaches(before), (dicts(before), dicts(after))
    same = [
        f for f in after if (f.rule, f.anchor, f.ref) == (target.rule, target.anchor, target.ref)
    ]
    # (two instances may share rule, anchor and ref: copies of a clock that disagree both count)
    if dict(target.extra).get("resumed") is not None and not same:
        # a duty relaxed to "as soon as reasonably practicable" (SI 2020/445): an event after the
        # usual limit but before it resumed is neither met nor late, and is counted so
        result = ruleset.check(record_with(record, event), as_of=as_of)
        assert any(rule_id == target.rule for (rule_id, _), _n in result.not_assessed)
        return
    assert any(f.status == "met" for f in same), (dicts(before), dicts(after))


# -- moving as_of later --------------------------------------------------------------------------


@examples(150)
@given(data=st.data())
def test_moving_as_of_later_never_turns_a_breach_into_met(data: st.DataObject) -> None:
    ruleset = national(data.draw)
    record = data.draw(records(), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    later = min(as_of + dt.timedelta(days=data.draw(st.integers(1, 800), label="days later")), LAST)
    assume(later > as_of)
    try:
        earlier = ruleset.check(record, as_of=as_of).findings
        afterwards = ruleset.check(record, as_of=later).findings
    except timescales.RecordError:
        return  # a working-day count outside the calendar's years: the record is rejected

    assume(any(f.status in BREACH for f in earlier))
    assert not breaches_turned_met(earlier, afterwards)


# -- working days --------------------------------------------------------------------------------


def _working_day_limit(rule: Rule) -> int | None:
    """N, when every limit of the rule is N working days (N >= 1) and no recorded extension
    (counted in calendar days or weeks) can move its due date; else None."""
    if isinstance(rule, DeadlineRule) and rule.extension is not None:
        return None
    limits = rule.limits()
    values = {lim.value for lim in limits if lim.unit == "working_days"}
    if not limits or any(lim.unit != "working_days" for lim in limits) or len(values) != 1:
        return None
    value = values.pop()
    return value if value >= 1 else None


@st.composite
def working_day_rulesets(draw: st.DrawFn) -> tuple[Any, Rule]:
    """A national rule counted in working days (or a national rule of any kind made to count in
    working days), alone in its rule set with its chain."""
    rule = draw(rules(kinds=["deadline", "schedule", "attribute"]))
    chain = NATIONAL.select(_chain_ids(rule))
    if _working_day_limit(rule) is None or draw(st.booleans()):
        changed = []
        for r in chain.rules:
            if r.kind in ("deadline", "schedule", "attribute"):
                r = varied(draw, r)
                n = draw(st.integers(1, 30))
                limits = [
                    lim.model_copy(update={"unit": "working_days", "value": n, "counting": "after"})
                    for lim in r.limits()
                ]
                r = r.model_copy(update={"limit": limits})
            changed.append(r)
        chain = chain.replace(changed)
        rule = chain.by_id[rule.id]
    return chain, rule


@examples(150)
@given(data=st.data())
def test_a_working_day_due_date_is_the_nth_working_day_after_the_anchor(
    data: st.DataObject,
) -> None:
    """Never a non-working day, never earlier than as many calendar days, and exactly the nth
    working day after the anchor (walked day by day), or after the end of a temporary variation
    the clock started in."""
    ruleset, _ = data.draw(working_day_rulesets(), label="rules")
    record = data.draw(child_records(focus=list(ruleset.rules), pack=list(ruleset.rules)))
    as_of = data.draw(as_of_dates(record), label="as_of")
    try:
        findings = ruleset.check(record, as_of=as_of).findings
    except timescales.RecordError:
        return  # outside the working-day calendar: rejected, nothing to check
    for finding in findings:
        n = _working_day_limit(ruleset.by_id[finding.rule])
        if n is not None:
            assert is_working_day(finding.due), finding.to_dict()
            assert finding.due >= finding.anchor + dt.timedelta(days=n), finding.to_dict()
            # a temporary variation (SI 2020/445) counts the usual limit from the day it ended
            start = dt.date.fromisoformat(dict(finding.extra).get("resumed", str(finding.anchor)))
            assert finding.due == add_working_days(start, n), finding.to_dict()


@examples(300)
@given(anchor=dates(), n=st.integers(1, 60))
def test_working_days_are_never_fewer_than_calendar_days(anchor: dt.date, n: int) -> None:
    """The same property on the arithmetic itself, for every anchor and count."""
    due = tcal.add_working_days(anchor, n)
    assert due >= anchor + dt.timedelta(days=n)
    assert tcal.is_working_day(due)
