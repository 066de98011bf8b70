"""The engine against the naive reference model on deadlines with ``requires_duration`` (a duty
only for an episode longer than a threshold: LANC003) and ``target`` (due on the child's own
recorded target, capped at the limit: LANC005). Records are built around the thresholds and
targets: returns on the day, the next day and after; targets before, on and after the limit's
due date, unreadable ones, copies that disagree; refs and cases that do and do not tie."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st
from property_kit import NATIONAL, assert_engine_matches_reference, examples

from timescales import ChildRecord
from timescales.kinds.deadline import Lasting, Target
from timescales.rules.model import Selector

START = dt.date(2024, 3, 1)


def _day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


LONGER_THAN = st.sampled_from(
    [{"hours": 24}, {"hours": 25}, {"hours": 48}, {"hours": 0}, {"days": 2}, {"weeks": 1}]
)


@examples(200)
@given(data=st.data())
def test_duration_threshold_matches_reference(data: st.DataObject) -> None:
    longer_than = data.draw(LONGER_THAN, label="longer_than")
    base = NATIONAL.by_id["MI001"]
    rule = base.model_copy(
        update={
            "clock": Selector(type="missing_started"),
            "met_by": Selector(type="return_interview"),
            "requires_duration": Lasting.model_validate(
                {"until": "missing_returned", "longer_than": longer_than}
            ),
        }
    )
    ruleset = NATIONAL.select(["MI001"]).replace([rule])
    refs = st.sampled_from(["M1", "M2", None])
    events: list[dict[str, Any]] = []
    for kind, most in (("missing_started", 2), ("missing_returned", 3), ("return_interview", 2)):
        for _ in range(data.draw(st.integers(0, most), label=f"how many {kind}")):
            offset = data.draw(st.integers(0, 12), label=f"{kind} day")
            ref = data.draw(refs, label=f"{kind} ref")
            event: dict[str, Any] = {"type": kind, "date": _day(offset)}
            if ref is not None:
                event["ref"] = ref
            events.append(event)
    record = ChildRecord.model_validate({"child": "C1", "events": events})
    as_of = START + dt.timedelta(days=data.draw(st.integers(0, 16), label="as_of day"))
    note(f"{longer_than} {record.model_dump_json()} {as_of}")
    assert_engine_matches_reference(ruleset, record, as_of)


@examples(200)
@given(data=st.data())
def test_own_target_matches_reference(data: st.DataObject) -> None:
    # an ``exception`` event (a national type with a string attribute) carries the target
    base = NATIONAL.by_id["AS001"]
    rule = base.model_copy(update={"target": Target(type="exception", attr="reason")})
    ruleset = NATIONAL.select(["AS001"]).replace([rule])
    cases = st.sampled_from(["K1", "K2", None])
    events: list[dict[str, Any]] = []

    def add(kind: str, offset: int, attrs: dict[str, Any] | None = None) -> None:
        event: dict[str, Any] = {"type": kind, "date": _day(offset)}
        case = data.draw(cases, label=f"{kind} case")
        if case is not None:
            event["case"] = case
        if attrs:
            event["attrs"] = attrs
        events.append(event)

    for _ in range(data.draw(st.integers(1, 2), label="referrals")):
        add("referral", data.draw(st.integers(0, 20), label="referral day"))
    for _ in range(data.draw(st.integers(0, 4), label="targets")):
        value = data.draw(
            st.one_of(
                st.integers(-5, 90).map(_day),  # before, within and beyond the 45 working days
                st.sampled_from(["not a date", "2024-02-30", ""]),
            ),
            label="target",
        )
        add("exception", data.draw(st.integers(0, 30), label="target day"), {"reason": value})
    for _ in range(data.draw(st.integers(0, 2), label="completions")):
        add("assessment_completed", data.draw(st.integers(0, 90), label="completed day"))
    if data.draw(st.booleans(), label="closed"):
        add("cin_closed", data.draw(st.integers(0, 90), label="closed day"))
    record = ChildRecord.model_validate({"child": "C1", "events": events})
    as_of = START + dt.timedelta(days=data.draw(st.integers(0, 120), label="as_of day"))
    note(f"{record.model_dump_json()} {as_of}")
    assert_engine_matches_reference(ruleset, record, as_of)
