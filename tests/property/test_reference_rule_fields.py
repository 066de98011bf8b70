"""The engine against the naive reference model on rules that use the newer rule fields:
conditions on the placement and legal statuses in force and "before the first review",
``any``/``none_of``, ``excluded_when``, temporary ``variations``, ``effective`` dates on
followers, ``met_before_opening``, ``requires_time_in`` and ``counts_from_status``.

The national rules of each kind are given those fields at random (``with_new_fields``), or one
field at a time wherever it applies (``only=``), and records are built around them (with the
placements, legal statuses and reviews their conditions read).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from property_kit import NATIONAL, assert_engine_matches_reference, examples, maybe_terms

from timescales.kinds.deadline import DeadlineRule
from timescales.kinds.schedule import ScheduleRule
from timescales.rules.model import Rule
from timescales.testing.strategies import (
    CONDITION_KINDS,
    NEW_FIELDS,
    as_of_dates,
    child_records,
    rules,
    with_new_fields,
)

KINDS = ("deadline", "schedule", "milestone", "attribute", "rolling")


_PROSE = {"title", "summary", "rationale", "references", "notes", "seeds", "name", "family"}


def _show(ruleset: Any) -> None:
    for rule in ruleset.rules:
        note(rule.model_dump_json(exclude_none=True, exclude=_PROSE))


def _compare(data: st.DataObject, ruleset: Any) -> None:
    _show(ruleset)
    terms = maybe_terms(data.draw)
    if terms:
        ruleset = ruleset.with_terms(terms)
    focus = list(ruleset.rules)
    record = data.draw(child_records(focus=focus, pack=focus), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    assert_engine_matches_reference(ruleset, record, as_of)


@pytest.mark.parametrize("kind", KINDS)
@examples(300)
@given(data=st.data())
def test_engine_matches_reference_with_new_fields(kind: str, data: st.DataObject) -> None:
    """A national rule (with its schedule) of each kind, its rules sometimes given each of
    the newer fields."""
    rule = data.draw(rules(kinds=[kind]), label="rule")
    ruleset = data.draw(with_new_fields(NATIONAL.select([rule.id])), label="rules")
    _compare(data, ruleset)


def _has_followers(rule: Rule) -> bool:
    chain = NATIONAL.select([rule.id])
    return any(isinstance(r, ScheduleRule) and r.follows for r in chain.rules)


def _has_head(rule: Rule) -> bool:
    chain = NATIONAL.select([rule.id])
    return any(isinstance(r, ScheduleRule) and r.follows is None for r in chain.rules)


# which national rules each field can be given to
_WHERE: dict[str, Any] = {
    "follower_split": _has_followers,
    "effective": _has_followers,
    "met_before_opening": _has_head,
    "requires_time_in": lambda r: isinstance(r, DeadlineRule) and r.during is not None,
    "counts_from_status": lambda r: isinstance(r, DeadlineRule),
}


def _pool(field: str) -> list[Rule]:
    wanted = _WHERE.get(field, lambda r: r.kind in KINDS)
    return [r for r in NATIONAL.rules if r.kind in KINDS and wanted(r)]


@pytest.mark.parametrize("field", NEW_FIELDS)
@examples(150)
@given(data=st.data())
def test_engine_matches_reference_on_each_new_field(field: str, data: st.DataObject) -> None:
    """One newer field at a time, wherever it applies in a national rule's chain (a kind of
    condition: in a limit's ``when``, a follower's ``when`` or ``excluded_when``)."""
    rule = data.draw(st.sampled_from(_pool(field)), label="rule")
    ruleset = data.draw(with_new_fields(NATIONAL.select([rule.id]), only=field), label="rules")
    # the strategy did give the field (else the comparison would say nothing about it)
    assert _uses(field, ruleset)
    _compare(data, ruleset)


def _uses(field: str, ruleset: Any) -> bool:
    for rule in ruleset.rules:
        if field in CONDITION_KINDS:
            if any(getattr(c, field) is not None for c in rule.conditions()):
                return True
        elif field == "follower_split":
            if rule.id[-3] == "9":  # the later half's ID
                return True
        elif field == "variations":
            if rule.variations:
                return True
        elif getattr(rule, field, None) is not None:
            return True
    return False
