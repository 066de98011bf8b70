"""The engine against the naive reference model, rule kind by rule kind.

Each test draws records built around one rule (its clocks, what meets it, closes, voids,
extensions; dated on, beside and far from each due date), an as_of near them, and sometimes a
council's school terms, and requires the engine's findings to equal the reference model's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from property_kit import (
    NATIONAL,
    assert_engine_matches_reference,
    examples,
    maybe_terms,
    varied,
)

from timescales import ChildRecord
from timescales.generate import generate
from timescales.rules.model import Condition, Limit
from timescales.testing.reference import ReferenceModel, compare_with_engine, engine_findings
from timescales.testing.strategies import (
    as_of_dates,
    child_records,
    rules,
)
from timescales.workforce import Workforce

PER_CHILD_KINDS = ("deadline", "schedule", "milestone", "attribute", "rolling")


@pytest.mark.parametrize("kind", PER_CHILD_KINDS)
@examples(300)
@given(data=st.data())
def test_engine_matches_reference(kind: str, data: st.DataObject) -> None:
    rule = data.draw(rules(kinds=[kind]), label="rule")
    ruleset = NATIONAL.select([rule.id])
    terms = maybe_terms(data.draw)
    if terms:
        ruleset = ruleset.with_terms(terms)
    record = data.draw(child_records(focus=rule), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    assert_engine_matches_reference(ruleset, record, as_of)


@pytest.mark.parametrize("kind", ("deadline", "schedule", "attribute", "rolling", "milestone"))
@examples(100)
@given(data=st.data())
def test_engine_matches_reference_on_varied_rules(kind: str, data: st.DataObject) -> None:
    """National rules with other limits (units, values, "beginning with" counting) and
    matching: the same arithmetic in every kind."""
    rule = data.draw(rules(kinds=[kind]), label="rule")
    chain = NATIONAL.select([rule.id])
    changed = [varied(data.draw, r) for r in chain.rules]
    note(f"varied rules: {[(r.id, [lim.describe() for lim in r.limits()]) for r in changed]}")
    ruleset = chain.replace(changed)
    terms = maybe_terms(data.draw)
    if terms:
        ruleset = ruleset.with_terms(terms)
    record = data.draw(child_records(focus=changed, pack=changed), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    assert_engine_matches_reference(ruleset, record, as_of)


@examples(100)
@given(data=st.data())
def test_engine_matches_reference_on_life_courses(data: st.DataObject) -> None:
    """The whole national pack on realistic life courses."""
    ruleset = NATIONAL
    terms = maybe_terms(data.draw)
    if terms:
        ruleset = ruleset.with_terms(terms)
    record = data.draw(child_records(), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    assert_engine_matches_reference(ruleset, record, as_of)


@examples(25)
@given(seed=st.integers(0, 2**32 - 1), lateness=st.sampled_from([0.0, 0.15, 0.5, 1.0]))
def test_engine_matches_reference_on_generated_records(seed: int, lateness: float) -> None:
    """Records from ``timescales generate`` (the synthetic data generator)."""
    as_of = dt.date(2024, 3, 31)
    for data in generate(4, seed=seed, lateness=lateness, as_of=as_of):
        record = ChildRecord.model_validate(data)
        assert_engine_matches_reference(NATIONAL, record, as_of)


@examples(100)
@given(data=st.data())
def test_caseloads_match_reference(data: st.DataObject) -> None:
    """IR001 (a worker caseload counted from the children): each child's IRO at as_of and on an
    earlier day, and the count per IRO."""
    records = data.draw(
        st.lists(child_records(lateness=0.2), min_size=1, max_size=6), label="records"
    )
    as_of = data.draw(as_of_dates(records[0]), label="as_of")
    earlier = as_of - dt.timedelta(days=data.draw(st.integers(0, 400), label="days before"))
    model = ReferenceModel(NATIONAL.rules)
    workforce = Workforce(NATIONAL, as_of, as_of)
    expected: dict[str, int] = {}
    for record in records:
        result = NATIONAL.check(record, as_of=as_of)
        iro = result.iro
        assert iro == model.iro(record, as_of=as_of), record.model_dump_json(exclude_defaults=True)
        assert result.iros is not None
        if record.known_until is None:  # judged as of the day itself
            assert result.iros.on(earlier) == model.iro(record, as_of=earlier)
        workforce.add_child(result, record)
        if iro is not None:
            expected[iro] = expected.get(iro, 0) + 1
    # the caseload is measured at as_of, under the guidance then in force (IR001 from 2011)
    if not any(rule.in_force(as_of) for rule in NATIONAL.workforce):
        expected = {}
    (section,) = workforce.caseload_sections()
    got = {
        row["worker"]: row["values"][-1]["children"]
        for row in section["rows"]
        if row["values"][-1]["status"] is not None
    }
    assert got == expected


# -- engine bugs the comparison found, now fixed: their minimal reproducers stay as tests ----


def test_overlapping_spells_are_not_counted_twice() -> None:
    """Regression (found by the comparison): overlapping spells of a rolling rule counted their
    shared days twice."""
    # In secure accommodation from 1 January to 4 January 2002 (3 days = 72 hours): a second
    # secure_started on 2 January (a move between units) does not add a day.
    record = ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "secure_started", "date": "2002-01-01"},
                {"type": "secure_started", "date": "2002-01-02"},
                {"type": "secure_ended", "date": "2002-01-04"},
            ],
        }
    )
    ruleset = NATIONAL.select(["SA001"])
    as_of = dt.date(2002, 1, 8)
    assert ReferenceModel.like(ruleset).check(record, as_of=as_of) == []
    # the engine reported SA001 overdue, due 2002-01-02 (a fourth day counted on 2 January)
    assert engine_findings(ruleset, record, as_of=as_of) == []


def test_conditional_limits_apply_to_attribute_rules() -> None:
    """Regression (found by the comparison on varied rules): attribute and rolling rules took
    their last limit and ignored the 'when' of conditional limits."""
    # docs/writing-rules.md "Limits": conditional limits are a list, the first whose 'when'
    # holds applies. A council variant of PF004 giving under-18s a week to record it:
    rule = NATIONAL.by_id["PF004"]
    week_for_children = rule.model_copy(
        update={
            "limit": [
                Limit(unit="days", value=7, when=Condition(age_under_at_anchor=18)),
                Limit(unit="days", value=0),
            ]
        }
    )
    ruleset = NATIONAL.select(["PF004"]).replace([week_for_children])
    record = ChildRecord.model_validate(
        {
            "child": "C1",
            "dob": "2015-01-01",
            "events": [{"type": "pf_visit", "date": "2023-03-01", "attrs": {"seen_alone": False}}],
        }
    )
    as_of = dt.date(2023, 3, 3)
    # expected: PF004 due 2023-03-08 (then pending, now unmet); the engine said due 2023-03-01
    assert compare_with_engine(ruleset, record, as_of=as_of) == []
