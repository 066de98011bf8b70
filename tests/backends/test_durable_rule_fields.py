"""The durable-rules backend on the newer rule fields, in hand-made cases with the expected
findings written out (the random comparison is test_differential's
``test_rules_with_new_fields_agree``).

Each case runs in the whole national pack with one rule changed: durable-rules 2.0.28 can crash
on a ruleset of one small schedule, which the whole pack does not do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from durable_support import need_durable

from timescales.records import ChildRecord
from timescales.rules.model import Rule
from timescales.ruleset.pack import load_rules
from timescales.ruleset.ruleset import RuleSet


@pytest.fixture(autouse=True)
def _durable_installed() -> None:
    need_durable()


def _pack_with(*changed: Rule) -> RuleSet:
    national = load_rules()
    ids = {r.id for r in changed}
    return national.replace([*(r for r in national.rules if r.id not in ids), *changed])


def _variant(ruleset: RuleSet, rule_id: str, **changes: Any) -> Rule:
    rule = ruleset.by_id[rule_id]
    data = rule.model_dump(by_alias=True, exclude_none=True)
    data.update(changes)
    return type(rule).model_validate(data)


def _both(ruleset: RuleSet, events: list[dict[str, Any]], as_of: dt.date, rule: str) -> list[Any]:
    """The rule's findings, (anchor, due, done, status, ref), once both engines agree."""
    from timescales.backends.durable import DurableRuleSet

    record = ChildRecord.model_validate({"child": "C1", "events": events})
    python = [f.to_dict() for f in ruleset.check(record, as_of=as_of).findings]
    durable = [f.to_dict() for f in DurableRuleSet(ruleset).check(record, as_of).findings]
    assert durable == python
    return [
        (f["anchor"], f["due"], f["done"], f["status"], f["ref"])
        for f in python
        if f["rule"] == rule
    ]


def test_events_before_the_opening_are_read_in_date_order() -> None:
    """Regression (found by the differential test): with ``met_before_opening`` the durable
    engine took the events already recorded before an opening in the order durable-rules
    happened to match them, so a later visit could meet the first step instead of the
    earliest one."""
    national = load_rules()
    early_visits = _variant(national, "LA002", met_before_opening={"weeks": 2})
    events = [
        {"type": "placement_started", "date": "2021-04-01"},
        {"type": "lac_visit", "date": "2021-05-17"},
        {"type": "lac_visit", "date": "2021-05-20"},
        {"type": "placement_started", "date": "2021-05-31"},
    ]
    found = _both(_pack_with(early_visits), events, dt.date(2021, 6, 30), "LA002")
    assert found == [
        ("2021-04-01", "2021-04-08", "2021-05-17", "late", None),
        # the visit of 17 May, two weeks before the second placement, meets its first step
        ("2021-05-31", "2021-06-07", "2021-05-17", "met", None),
    ]


def test_a_deadlines_exclusion_is_read_for_its_own_clock() -> None:
    """Regression: both engines read a deadline's ``excluded_when`` for no case at all."""
    national = load_rules()
    not_permanent = _variant(
        national,
        "LA001",
        clock={"type": "placement_started"},
        closed_by=[],
        excluded_when={"placement_permanent": True},
    )
    events = [
        {
            "type": "placement_started",
            "date": "2022-03-01",
            "ref": "A",
            "attrs": {"permanent": True},
        },
        {
            "type": "placement_started",
            "date": "2022-03-08",
            "ref": "B",
            "attrs": {"permanent": False},
        },
    ]
    found = _both(_pack_with(not_permanent), events, dt.date(2022, 4, 1), "LA001")
    assert found == [("2022-03-08", "2022-03-22", None, "overdue", "B")]
