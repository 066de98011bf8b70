"""Property tests for Example Council's rules, written with the timescales test kit.

The fixtures ``timescales_ruleset`` (the national pack plus ``rules/``) and
``timescales_strategies`` come from the timescales pytest plugin; the reference model is the
naive evaluator every engine result is compared with.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from timescales import ChildRecord, calendar
from timescales.testing import load_cases, uncaught_mutations
from timescales.testing.profiles import examples
from timescales.testing.reference import compare_with_engine

LOCAL = ("EXC001", "EXC002")
FIXTURES = Path(__file__).parent / "rules"


@examples(200)
@given(data=st.data())
def test_engine_agrees_with_the_reference_model(
    data: st.DataObject, timescales_ruleset: Any, timescales_strategies: Any
) -> None:
    """Records built around each local rule (visits on, before and after each due date, plans
    ending early, refs that do and do not match) give the same findings from the engine as from
    the naive reference model."""
    rule = data.draw(st.sampled_from([timescales_ruleset.by_id[i] for i in LOCAL]), label="rule")
    ruleset = timescales_ruleset.select([rule.id])
    record = data.draw(timescales_strategies.child_records(focus=rule), label="record")
    as_of = data.draw(timescales_strategies.as_of_dates(record), label="as_of")
    problems = compare_with_engine(ruleset, record, as_of=as_of)
    assert not problems, "\n".join(problems)


@examples(100)
@given(data=st.data())
def test_a_visit_on_every_tenth_working_day_is_never_late(
    data: st.DataObject, timescales_ruleset: Any, timescales_strategies: Any
) -> None:
    """Our own property: visiting exactly on each due date keeps the plan in order, whatever
    bank holidays fall in between."""
    start = data.draw(timescales_strategies.dates(dt.date(2005, 1, 1), dt.date(2028, 1, 1)))
    visits = []
    day = start
    for _ in range(data.draw(st.integers(1, 12))):
        day = calendar.add_working_days(day, 10)
        visits.append(day)
    record = ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "cp_plan_started", "date": start.isoformat(), "ref": "CP1"},
                *(
                    {
                        "type": "cp_visit",
                        "date": v.isoformat(),
                        "ref": "CP1",
                        "attrs": {"seen_alone": True},
                    }
                    for v in visits
                ),
            ],
        }
    )
    as_of = visits[-1]
    findings = timescales_ruleset.select(list(LOCAL)).check(record, as_of=as_of).findings
    assert findings and all(f.status in ("met", "pending") for f in findings)


def test_fixtures_notice_a_limit_one_unit_off(timescales_ruleset: Any) -> None:
    """Move each limit one unit either way: some fixture of the rule must fail."""
    cases = list(load_cases(FIXTURES))
    missed = {i: uncaught_mutations(timescales_ruleset, cases, i) for i in LOCAL}
    assert missed == {i: [] for i in LOCAL}
