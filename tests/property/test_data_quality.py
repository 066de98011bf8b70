"""Data-quality problems are reported apart from breaches, with their codes, and can never turn a
late event into an on-time one: dirtying a record (events out of order, impossible dates,
duplicates, conflicting duplicates, events after as_of) never makes one of its breaches "met"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st
from property_kit import NATIONAL, examples, records

import timescales
from timescales import ChildRecord, Event
from timescales.testing.reference import compare_with_engine
from timescales.testing.strategies import as_of_dates

BREACH = ("late", "overdue", "unmet")


def dirty(draw: st.DrawFn, record: ChildRecord, as_of: dt.date) -> tuple[ChildRecord, str | None]:
    """The record with one kind of bad data added, and the data-quality code it must raise."""
    event = draw(st.sampled_from(record.events), label="copied event")
    how = draw(
        st.sampled_from(["duplicate", "ancient", "before birth", "after as_of", "conflicting"]),
        label="dirt",
    )
    if how == "before birth" and (record.dob is None or record.dob.year <= 1901):
        how = "ancient"
    if how == "duplicate":  # the same event twice: counted once
        extra, code = event, "DATA004"
    elif how == "ancient":  # a date before any clock could start: out of order, implausible
        extra, code = event.model_copy(update={"date": dt.date(1985, 1, 1)}), "DATA003"
    elif how == "before birth" and record.dob is not None:
        day = record.dob - dt.timedelta(days=draw(st.integers(1, 400)))
        extra = event.model_copy(update={"date": min(day, event.date)})
        code = "DATA003" if extra.date < record.dob else None
    elif how == "after as_of":  # a future event: ignored (and counted) as of this date
        day = as_of + dt.timedelta(days=draw(st.integers(1, 400)))
        extra, code = event.model_copy(update={"date": day}), None
    else:
        # the same event twice, contradicting itself (a yes/no flag the other way round): both
        # copies are kept (DATA008), so the copy that says "no" still breaches. (A copy that
        # only adds what the other left blank is the same event with more detail: merged, and
        # counted once, DATA004, by design.)
        attrs = {k: (not v if isinstance(v, bool) else v) for k, v in event.attrs.items()}
        code = "DATA008" if attrs != event.attrs else "DATA004"
        extra = event.model_copy(update={"attrs": attrs})
    note(f"added: {how}")
    if extra.date > as_of:
        code = None  # events after as_of are ignored (and counted), not examined
    return record.model_copy(update={"events": [*record.events, extra]}), code


@st.composite
def dirty_cases(draw: st.DrawFn) -> tuple[ChildRecord, dt.date, ChildRecord, str | None]:
    """(record, as_of, the record dirtied, the data-quality code the dirt must raise)."""
    record = draw(records())
    assume(record.events)
    as_of = draw(as_of_dates(record))
    spoiled, code = dirty(draw, record, as_of)
    return record, as_of, spoiled, code


def breaches_turned_met(before: Any, after: Any) -> list[str]:
    """Each breach (rule, anchor, ref) that is met afterwards with no breach left beside it.
    (A contradicting copy of an event, DATA008, is counted as well, so it may add a "met"
    beside the breach: the breach is still reported. A spurious clock event dated long ago
    may move a clock's anchor: the breach is then reported at the new anchor, not met.)"""

    def keys(findings: Any, statuses: tuple[str, ...]) -> set[tuple[Any, ...]]:
        return {(f.rule, f.anchor, f.ref) for f in findings if f.status in statuses}

    met, still = keys(after, ("met",)), keys(after, BREACH)
    return [f"{key}: was a breach, now met" for key in keys(before, BREACH) - still if key in met]


@examples(300)
@given(data=st.data())
def test_bad_data_never_turns_a_breach_into_met(data: st.DataObject) -> None:
    record, as_of, spoiled, code = data.draw(dirty_cases(), label="case")
    try:
        clean = NATIONAL.check(record, as_of=as_of)
        result = NATIONAL.check(spoiled, as_of=as_of)
    except timescales.RecordError:
        return  # a working-day count outside the calendar's years: the record is rejected
    assert not breaches_turned_met(clean.findings, result.findings)
    if code is not None:
        assert code in {q.code for q in result.quality}, (code, result.quality)
    # data-quality notes are values of their own: never findings, never breaches
    assert all(q.code.startswith("DATA") for q in result.quality)
    assert not any(f.rule.startswith("DATA") for f in result.findings)


@examples(150)
@given(data=st.data())
def test_an_exact_duplicate_changes_no_finding(data: st.DataObject) -> None:
    record = data.draw(records(), label="record")
    assume(record.events)
    as_of = data.draw(as_of_dates(record), label="as_of")
    event: Event = data.draw(st.sampled_from(record.events), label="duplicated")
    assume(event.date <= as_of)
    twice = record.model_copy(update={"events": [*record.events, event]})
    try:
        clean = NATIONAL.check(record, as_of=as_of)
        result = NATIONAL.check(twice, as_of=as_of)
    except timescales.RecordError:
        return
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in clean.findings]
    assert "DATA004" in {q.code for q in result.quality}


@examples(200)
@given(data=st.data())
def test_the_reference_model_reads_bad_data_alike(data: st.DataObject) -> None:
    """The independent reference model takes contradicting copies, impossible dates and
    duplicates the same way as the engine (DISPUTED details, copies kept apart where the detail
    starts an obligation, early events from 1990 and birth only)."""
    _, as_of, spoiled, _ = data.draw(dirty_cases(), label="case")
    assert compare_with_engine(NATIONAL, spoiled, as_of=as_of) == []


def test_contradicting_copies_examples() -> None:
    """Pinned cases: what each kind of contradiction does."""
    interview = {"type": "return_interview", "date": "2023-01-12", "ref": "M1"}
    missing = [
        {"type": "missing_started", "date": "2023-01-05", "ref": "M1"},
        {"type": "missing_returned", "date": "2023-01-06", "ref": "M1"},
    ]

    def statuses(events: list[dict[str, Any]], rule: str) -> list[str]:
        record = ChildRecord.model_validate({"child": "C", "events": events})
        result = NATIONAL.check(record, as_of=dt.date(2023, 3, 1))
        return [f.status for f in result.findings if f.rule == rule]

    offered = {**interview, "attrs": {"offered": True}, "date": "2023-01-08"}
    refused = {**offered, "attrs": {"offered": False}}
    assert statuses([*missing, offered], "MI001") == ["met"]
    # offered and not offered on the same day: unknown, so not met (the breach stands)
    assert statuses([*missing, offered, refused], "MI001") == ["overdue"]
    # a second copy that only adds a detail is the same interview
    assert statuses([*missing, offered, {**offered, "attrs": {}}], "MI001") == ["met"]
    # legal status L1 and L2 starting on one day (same ref): both clocks run
    both = [
        {"type": "legal_status_started", "date": "2023-01-05", "ref": "E1", "attrs": {"code": c}}
        for c in ("L1", "L2")
    ]
    assert statuses(both, "LS001") and statuses(both, "LS002")


def test_a_disputed_in_education_keeps_a_care_leavers_case_open_to_25() -> None:
    """CL002 runs to 21, or 25 in education: copies of the needs assessment that disagree
    about education keep the later age (a contradiction never ends an obligation early)."""

    def reviews_due_after_21(*flags: bool) -> int:
        events = [
            {"type": "needs_assessment", "date": "2020-01-06", "ref": "P1",
             "attrs": {"in_education": flag}}
            for flag in flags
        ] + [
            {"type": "pathway_plan_review", "date": day, "ref": "P1"}
            for day in ("2020-06-01", "2020-11-01", "2021-04-01", "2021-09-01", "2022-02-01",
                        "2022-07-01", "2022-12-01")
        ]  # fmt: skip
        record = ChildRecord.model_validate({"child": "C", "dob": "2002-03-01", "events": events})
        result = NATIONAL.check(record, as_of=dt.date(2026, 6, 1))
        return sum(f.rule == "CL002" and f.due > dt.date(2023, 3, 1) for f in result.findings)

    assert reviews_due_after_21(False) == 0
    assert reviews_due_after_21(True) > 0
    assert reviews_due_after_21(True, False) == reviews_due_after_21(True)


@examples(100)
@given(data=st.data())
def test_the_durable_engine_reads_bad_data_alike(data: st.DataObject) -> None:
    from timescales.backends import durable_available

    if not durable_available():
        pytest.skip("durable-rules is not installed (the 'durable' extra)")
    _, as_of, spoiled, _ = data.draw(dirty_cases(), label="case")
    try:
        python = NATIONAL.check(spoiled, as_of=as_of)
    except timescales.RecordError:
        return
    durable = _durable().check(spoiled, as_of)
    assert [f.to_dict() for f in durable.findings] == [f.to_dict() for f in python.findings]
    assert sorted(map(repr, durable.quality)) == sorted(map(repr, python.quality))


_ENGINES: list[Any] = []


def _durable() -> Any:
    from timescales.backends.durable import DurableRuleSet

    if not _ENGINES:
        _ENGINES.append(DurableRuleSet(NATIONAL))
    return _ENGINES[0]
