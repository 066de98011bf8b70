"""History the input does not hold (decisions.md): ``known_from`` on a record.

A step whose clock falls before the known history is not assessed (and counted); a case that
began before the data is taken as open where its history begins; a schedule restarts at the
first known event, and each step whose rule cannot be told is reported only when certain.
Every expected value below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from timescales import ChildRecord, load_rules
from timescales.backends import durable_available
from timescales.evaluation.context import (
    BEFORE_KNOWN,
    BEGAN_BEFORE,
    CIRCUMSTANCES_UNKNOWN,
    POSITION_UNKNOWN,
)
from timescales.findings import Status

NATIONAL = load_rules(autoload=False)
REVIEWS = NATIONAL.select(["LA001", "LA005", "LA006", "LA007", "LA008", "LA009"])
AS_OF = dt.date(2024, 9, 30)


def record(
    known: Any, *events: tuple[str, str], start: str | None = None, status: str | None = None
) -> ChildRecord:
    """A looked-after child (period P1) with reviews on the dates given."""
    evs: list[dict[str, Any]] = []
    if start is not None:
        evs.append({"type": "became_looked_after", "date": start, "ref": "P1"})
    evs += [{"type": t, "date": d, "ref": "P1"} for t, d in events]
    if status is not None:
        # the legal status in force (a 903 return's first episode has one): whether reg 48's
        # short-breaks regime applies instead is then told by the data
        evs.append(
            {"type": "legal_status_started", "date": status, "ref": "LS1", "attrs": {"code": "C2"}}
        )
    data: dict[str, Any] = {"child": "C1", "dob": "2010-01-01", "events": evs}
    if known is not None:
        data["known_from"] = known
    return ChildRecord.model_validate(data)


def rows(result: Any) -> list[tuple[str, str, str, str | None, str, bool]]:
    return [
        (
            f.rule,
            f.anchor.isoformat(),
            f.due.isoformat(),
            f.done.isoformat() if f.done else None,
            f.status.value,
            ("partial_history", True) in f.extra,
        )
        for f in result.findings
    ]


BEGAN = [{"from": "2023-06-01", "case": "P1", "began": ["became_looked_after"]}]


def test_a_period_that_began_before_the_data_restarts_at_its_first_known_review() -> None:
    rec = record(
        BEGAN,
        ("lac_review", "2023-09-01"),
        ("lac_review", "2024-06-01"),
        ("lac_review", "2024-08-01"),
        status="2023-06-01",
    )
    result = REVIEWS.check(rec, as_of=AS_OF)
    assert rows(result) == [
        # 2023-06-01 .. 2023-09-01: inside any limit that could apply: no finding.
        # 2023-09-01 -> 2024-06-01: the second review (3 months: LA006) or a later one (6
        # months: LA007); 9 months is late under either: reported under the lenient LA007
        ("LA007", "2023-09-01", "2024-03-01", "2024-06-01", "late", True),
        # from the third known review on, the step is told: LA007 (occurrence 3 or later)
        ("LA007", "2024-06-01", "2024-12-01", "2024-08-01", "met", False),
        ("LA007", "2024-08-01", "2025-02-01", None, "pending", False),
    ]
    # every rule counted from the period's start is not assessed, and counted, once
    assert dict(result.not_assessed) == {
        ("LA001", BEGAN_BEFORE): 1,
        ("LA005", BEGAN_BEFORE): 1,
        ("LA008", BEGAN_BEFORE): 1,
        ("LA009", BEGAN_BEFORE): 1,
    }


def test_a_review_table_that_covers_one_year_hides_the_reviews_before_it() -> None:
    known = [{"from": "2023-04-01", "events": ["lac_review"]}]
    events = (("lac_review", "2023-12-20"), ("lac_review", "2024-03-01"))
    result = REVIEWS.check(record(known, *events, start="2022-01-10"), as_of=AS_OF)
    assert rows(result) == [
        # LA001/LA009 read no review: the review table's coverage says nothing about them
        ("LA001", "2022-01-10", "2022-01-24", None, "overdue", False),
        # no review is known from 2023-04-01 to 2023-12-20: the latest the unknown last
        # review can have been is 2023-03-31, so the next was due by 2023-10-01 at the latest
        # (LA007's six months from 2023-04-01): certainly late
        ("LA007", "2023-04-01", "2023-10-01", "2023-12-20", "late", True),
        # 2023-12-20 -> 2024-03-01 is within even LA006's three months: met for certain
        ("LA007", "2023-12-20", "2024-06-20", "2024-03-01", "met", True),
        ("LA007", "2024-03-01", "2024-09-01", None, "overdue", False),
        ("LA009", "2022-01-10", "2022-02-07", None, "overdue", False),
    ]
    assert dict(result.not_assessed) == {("LA005", BEFORE_KNOWN): 1, ("LA008", BEFORE_KNOWN): 1}


def test_without_known_from_the_same_record_is_scored_from_its_start() -> None:
    events = (("lac_review", "2023-12-20"), ("lac_review", "2024-03-01"))
    result = REVIEWS.check(record(None, *events, start="2022-01-10"), as_of=AS_OF)
    assert [r[0] for r in rows(result)] == ["LA001", "LA005", "LA006", "LA007", "LA008", "LA009"]
    assert not result.not_assessed


def test_a_step_between_the_strictest_and_the_most_lenient_limit_is_not_assessed() -> None:
    # known 2023-09-01 -> 2024-01-15: four and a half months: late if it was the second
    # review (LA006, 3 months), on time if a later one (LA007, 6 months): cannot be told
    rec = record(
        BEGAN, ("lac_review", "2023-09-01"), ("lac_review", "2024-01-15"), status="2023-06-01"
    )
    result = REVIEWS.check(rec, as_of=dt.date(2024, 3, 1))
    assert rows(result) == [("LA007", "2024-01-15", "2024-07-15", None, "pending", False)]
    assert dict(result.not_assessed)[("LA007", POSITION_UNKNOWN)] == 1


def test_an_open_gap_after_the_latest_known_review_is_overdue_only_past_every_limit() -> None:
    known = [{"from": "2023-09-01", "case": "P1", "events": ["lac_review"]}]
    rec = record(known, ("lac_review", "2023-09-01"), start="2021-05-01")
    # 2024-01-15: past LA006's due (2023-12-01), inside LA007's (2024-03-01): not assessed
    early = REVIEWS.check(rec, as_of=dt.date(2024, 1, 15))
    assert [r for r in rows(early) if r[0] in ("LA006", "LA007")] == []
    # 2024-04-01: past every limit: certainly overdue, under the lenient rule
    late = REVIEWS.check(rec, as_of=dt.date(2024, 4, 1))
    assert [r for r in rows(late) if r[0] in ("LA006", "LA007")] == [
        ("LA007", "2023-09-01", "2024-03-01", None, "overdue", True)
    ]


def test_a_clock_inside_the_known_history_is_assessed_as_usual() -> None:
    known = [{"from": "2023-04-01", "events": ["lac_review"]}]
    events = (("lac_review", "2023-06-20"),)
    with_known = REVIEWS.check(record(known, *events, start="2023-05-02"), as_of=AS_OF)
    without = REVIEWS.check(record(None, *events, start="2023-05-02"), as_of=AS_OF)
    assert rows(with_known) == rows(without)
    assert not with_known.not_assessed


def test_moving_the_known_history_earlier_never_loses_a_certain_breach() -> None:
    """Knowing more can only add findings that were not certain before, never turn a certain
    breach into met: each breach found with less history is still a breach with more."""
    events = (("lac_review", "2023-12-20"), ("lac_review", "2024-09-01"))
    less = REVIEWS.check(
        record([{"from": "2023-04-01", "events": ["lac_review"]}], *events, start="2022-01-10"),
        as_of=AS_OF,
    )
    more = REVIEWS.check(record(None, *events, start="2022-01-10"), as_of=AS_OF)
    breached = {(f.rule[:3], f.done) for f in more.findings if f.status is not Status.MET}
    for f in less.findings:
        if f.status in (Status.LATE, Status.OVERDUE):
            assert ("LA0", f.done) in breached


@pytest.mark.skipif(not durable_available(), reason="durable-rules not installed")
def test_the_durable_engine_agrees() -> None:
    from timescales.backends.durable import DurableRuleSet

    engine = DurableRuleSet(REVIEWS)
    for rec in (
        record(
            BEGAN, ("lac_review", "2023-09-01"), ("lac_review", "2024-06-01"), status="2023-06-01"
        ),
        record(
            [{"from": "2023-04-01", "events": ["lac_review"]}],
            ("lac_review", "2023-12-20"),
            start="2022-01-10",
        ),
    ):
        assert engine.check(rec, as_of=AS_OF) == REVIEWS.check(rec, as_of=AS_OF)


def test_circumstances_that_began_before_the_data_leave_a_step_unjudged() -> None:
    """Reviews are excluded under reg 48 (short breaks): with no legal status in the data for
    a period that began before it, whether that exclusion applies is not known, so no review
    step is judged; each is counted instead. With the status the data hold, they are judged."""
    events = (("lac_review", "2023-09-01"), ("lac_review", "2024-06-01"))
    unknown = REVIEWS.check(record(BEGAN, *events), as_of=AS_OF)
    assert rows(unknown) == []
    assert dict(unknown.not_assessed)[("LA005", CIRCUMSTANCES_UNKNOWN)] >= 1  # (the chain's head)
    told = REVIEWS.check(record(BEGAN, *events, status="2023-06-01"), as_of=AS_OF)
    assert [r[0] for r in rows(told)] == ["LA007", "LA007"]


def test_known_from_is_validated() -> None:
    with pytest.raises(ValueError, match="needs the 'case'"):
        record([{"from": "2023-04-01", "began": ["became_looked_after"]}])
    with pytest.raises(ValueError, match="unknown event type"):
        record([{"from": "2023-04-01", "events": ["no_such_event"]}])
    short = record("2023-04-01")
    assert short.known_from[0].from_ == dt.date(2023, 4, 1)


def test_a_record_is_judged_as_of_the_last_day_its_data_hold() -> None:
    """A return's data end with its collection year: checked later, its reviews due after
    31 March would be "overdue" for lack of data that cannot be in it. ``known_until`` judges
    the record as of that day instead: a review due in May is pending, not overdue."""
    events = (("lac_review", "2023-05-02"), ("lac_review", "2023-11-20"))
    data = record(None, *events, start="2023-04-10").model_dump(mode="json", by_alias=True)
    bounded = ChildRecord.model_validate({**data, "known_until": "2024-03-31"})
    later = REVIEWS.check(bounded, as_of=dt.date(2024, 9, 30))
    at_end = REVIEWS.check(bounded, as_of=dt.date(2024, 3, 31))
    unbounded = REVIEWS.check(record(None, *events, start="2023-04-10"), as_of=AS_OF)
    assert rows(later) == rows(at_end)
    # 2023-11-20 + 6 months = 2024-05-20: after the data end, so pending, not overdue
    assert ("LA007", "2023-11-20", "2024-05-20", None, "pending", False) in rows(later)
    assert ("LA007", "2023-11-20", "2024-05-20", None, "overdue", False) in rows(unbounded)
