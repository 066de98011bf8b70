"""Attribute rules (LA020, PF004) are not deadlines: each finding is met or unmet, never pending
or overdue, and an unmet one has no days late (decisions.md "Findings and outputs")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from timescales import ChildRecord, load_rules
from timescales.backends import durable_available
from timescales.calendar import ENGLAND
from timescales.evaluation.outcome import attribute_outcome, outcome
from timescales.findings import BREACHES, Status
from timescales.testing.reference import ReferenceModel, compare_with_engine

NATIONAL = load_rules(autoload=False)
LA020 = NATIONAL.select(["LA020"])
VISIT = dt.date(2023, 4, 5)


def record(*attrs: dict[str, Any]) -> ChildRecord:
    """A looked-after child with one visit on VISIT per ``attrs`` (copies of one visit)."""
    return ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
                *(
                    {"type": "lac_visit", "date": VISIT.isoformat(), "ref": "P1", "attrs": a}
                    for a in attrs
                ),
            ],
        }
    )


def test_unmet_is_a_breach_without_lateness() -> None:
    assert Status.UNMET.value == "unmet"
    assert {Status.LATE, Status.OVERDUE, Status.UNMET} == BREACHES
    unmet = attribute_outcome(None)
    assert (unmet.status, unmet.days_late, unmet.working_days_late) == (Status.UNMET, None, None)
    met = attribute_outcome(VISIT)
    assert (met.status, met.days_late, met.working_days_late) == (Status.MET, 0, 0)
    # the deadline outcome never says unmet
    for as_of in (VISIT, VISIT + dt.timedelta(days=300)):
        late = outcome(due=VISIT, done=None, close=None, as_of=as_of, cal=ENGLAND, working=False)
        assert late is not None and late.status is not Status.UNMET


@pytest.mark.parametrize(
    "attrs",
    [
        {},  # nothing recorded
        {"seen_alone": False},
        {"seen_alone": False, "not_alone_reason": ""},  # an empty reason is no reason
    ],
)
@pytest.mark.parametrize("days_after", [0, 1, 208])
def test_a_visit_not_seen_alone_is_unmet_whatever_the_as_of(
    attrs: dict[str, Any], days_after: int
) -> None:
    as_of = VISIT + dt.timedelta(days=days_after)
    (finding,) = LA020.check(record(attrs), as_of=as_of).findings
    assert finding.status is Status.UNMET and finding.is_breach
    assert finding.anchor == finding.due == VISIT and finding.done is None
    assert finding.days_late is None and finding.working_days_late is None
    data = finding.to_dict()
    assert data["status"] == "unmet" and data["days_late"] is None
    assert data["working_days_late"] is None and data["done"] is None


@pytest.mark.parametrize(
    "attrs", [{"seen_alone": True}, {"seen_alone": False, "not_alone_reason": "child refused"}]
)
def test_a_visit_seen_alone_or_with_a_reason_is_met(attrs: dict[str, Any]) -> None:
    (finding,) = LA020.check(record(attrs), as_of=VISIT).findings
    assert finding.status is Status.MET and finding.done == VISIT
    assert (finding.days_late, finding.working_days_late) == (0, 0)


def test_copies_that_disagree_are_unmet_not_met() -> None:
    """Seen alone in one copy of the visit and not in the other: unknown, so not shown (DATA008),
    and the finding is unmet (a breach), never overdue."""
    result = LA020.check(record({"seen_alone": True}, {"seen_alone": False}), as_of=VISIT)
    (finding,) = result.findings
    assert finding.status is Status.UNMET and finding.days_late is None
    assert any(q.code == "DATA008" for q in result.quality)


def test_the_reference_model_says_unmet_independently() -> None:
    as_of = VISIT + dt.timedelta(days=30)
    (ref,) = ReferenceModel.like(LA020).check(record({"seen_alone": False}), as_of=as_of)
    assert (ref.status, ref.done, ref.days_late, ref.working_days_late) == (
        "unmet",
        None,
        None,
        None,
    )
    for attrs in ({}, {"seen_alone": True}, {"seen_alone": False}):
        assert compare_with_engine(LA020, record(attrs), as_of=as_of) == []


def test_a_council_override_keeps_the_finding_unmet() -> None:
    """An attribute rule with a limit of days (a council's own variant) still never goes
    pending or overdue: the due date moves, the status is what the visit recorded."""
    rule = NATIONAL.by_id["PF004"]
    week = rule.model_copy(update={"limit": [rule.limit[0].model_copy(update={"value": 7})]})
    ruleset = NATIONAL.select(["PF004"]).replace([week])
    visit = ChildRecord.model_validate(
        {"child": "C1", "events": [{"type": "pf_visit", "date": "2023-03-01", "ref": "F1"}]}
    )
    for as_of in (dt.date(2023, 3, 1), dt.date(2023, 3, 20)):
        (finding,) = ruleset.check(visit, as_of=as_of).findings
        assert finding.status is Status.UNMET and finding.due == dt.date(2023, 3, 8)
        assert finding.days_late is None


@pytest.mark.skipif(not durable_available(), reason="durable-rules is not installed")
def test_the_durable_engine_says_unmet_too() -> None:
    from timescales.backends.durable import DurableRuleSet

    durable = DurableRuleSet(LA020)
    for attrs in ({}, {"seen_alone": True}, {"seen_alone": False, "not_alone_reason": ""}):
        rec = record(attrs)
        as_of = VISIT + dt.timedelta(days=90)
        python = [f.to_dict() for f in LA020.check(rec, as_of=as_of).findings]
        assert [f.to_dict() for f in durable.check(rec, as_of, None).findings] == python
    (finding,) = durable.check(record({}), VISIT, None).findings
    assert finding.status is Status.UNMET and finding.days_late is None
