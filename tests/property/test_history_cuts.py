"""History the input does not hold (decisions.md): a record cut as a partial input would cut it,
saying so in ``known_from``, against the full record and against the reference model.

The promise to a council: a finding is reported only when it is certain from the data
supplied. So every finding on the cut record must be one the full history agrees with: an
ordinary finding exactly, and one made after a restart (``partial_history``) in its verdict
on the same event (a breach stays a breach, met stays met).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import assume, given, note
from hypothesis import strategies as st
from property_kit import NATIONAL, assert_engine_matches_reference, examples, records

from timescales.errors import RecordError
from timescales.findings import BREACHES, Status
from timescales.kinds.deadline import DeadlineRule
from timescales.testing.strategies import as_of_dates, history_cuts

PARTIAL = ("partial_history", True)


@examples(300)
@given(data=st.data())
def test_engine_matches_reference_on_cut_records(data: st.DataObject) -> None:
    _, cut = data.draw(history_cuts(records()), label="full, cut")
    as_of = data.draw(as_of_dates(cut), label="as_of")
    assert_engine_matches_reference(NATIONAL, cut, as_of)


def _voids_tied(full: Any, cut: Any) -> bool:
    """The precondition of the engine's reading of voids (docs/history.md, 7): a record that
    gives a rule's clocks refs gives its voids refs too, as every importer does, so a void the
    data do not hold cannot be a loose one that voids every clock whatever its date; and a clock
    with a ref is voided only by events the data hold: an input that holds a clock of a ref
    holds that ref's voids (a census or return carries the whole enquiry), so the cut keeps
    them."""
    kept = {(e.type, e.date, e.ref) for e in cut.events}
    for rule in NATIONAL.rules:
        if isinstance(rule, DeadlineRule) and rule.void_by is not None and rule.clock is not None:
            clocks = [e for e in full.events if e.type == rule.clock.type]
            voids = [e for e in full.events if e.type == rule.void_by.type]
            if any(e.ref for e in clocks) and any(v.ref is None for v in voids):
                return False
            refs = {e.ref for e in cut.events if e.type == rule.clock.type and e.ref}
            if any(v.ref in refs and (v.type, v.date, v.ref) not in kept for v in voids):
                return False
    return True


def _key(f: Any) -> tuple[Any, ...]:
    return (f.rule, f.anchor, f.ref, f.due, f.done, f.status, f.days_late)


@examples(300)
@given(data=st.data())
def test_a_cut_record_reports_nothing_the_full_history_contradicts(data: st.DataObject) -> None:
    full, cut = data.draw(history_cuts(records()), label="full, cut")
    assume(_voids_tied(full, cut))
    as_of = data.draw(as_of_dates(full), label="as_of")
    try:
        whole = NATIONAL.check(full, as_of=as_of).findings
        part = NATIONAL.check(cut, as_of=as_of).findings
    except RecordError:
        return  # outside the calendar's years: rejected either way
    exact = {_key(f) for f in whole}
    verdicts = {(f.ref, f.done, f.status in BREACHES, f.status is Status.MET) for f in whole}
    for f in part:
        note(f"cut finding: {f.to_dict()}")
        if PARTIAL not in f.extra:
            assert _key(f) in exact, f"{f.rule} on the cut record is not in the full history's"
        elif f.status in BREACHES:
            assert (f.ref, f.done, True, False) in verdicts, f"{f.rule}: a breach not certain"
        else:
            assert f.status is Status.MET
            assert (f.ref, f.done, False, True) in verdicts, f"{f.rule}: met but not certain"


def test_the_cut_strategy_cuts() -> None:
    """The strategy gives cut records of every kind (so the properties above test something)."""
    seen: set[str] = set()

    @given(history_cuts(records()))
    def collect(pair: Any) -> None:
        full, cut = pair
        for entry in cut.known_from:
            seen.add("began" if entry.began else "types" if entry.events else "all")
            assert len(cut.events) <= len(full.events)

    collect()
    assert seen == {"all", "types", "began"}
    assert dt.date  # keep the import honest for type checkers
