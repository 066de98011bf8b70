"""A child's record built step by step — cases opened, events added, cases closed, as_of moved
— with the engine and the reference model compared after every step (hypothesis's
``RuleBasedStateMachine``). A failure comes back as a short, replayable program of steps."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)
from property_kit import (
    NATIONAL,
    assert_engine_matches_reference,
    breaches_turned_met,
    examples,
)

from timescales import ChildRecord, RecordError
from timescales.testing.strategies import dates, school_terms

# what opens a thing, what may follow it (with attributes), and what closes it
THINGS: dict[str, tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]] = {
    "referral": (
        [("referral_decision", {}), ("assessment_started", {}), ("assessment_completed", {})],
        [("cin_closed", {})],
    ),
    "strategy_discussion": (
        [("s47_started", {}), ("icpc", {}), ("icpc", {"not_required": True})],
        [("cin_closed", {})],
    ),
    "cp_plan_started": (
        [("core_group", {}), ("cp_review", {}), ("cp_visit", {"seen_alone": True})],
        [("cp_plan_ended", {})],
    ),
    "became_looked_after": (
        [
            ("lac_review", {}),
            ("care_plan", {}),
            ("iro_assigned", {"iro": "IRO-A"}),
            ("iro_assigned", {"iro": "IRO-B"}),
            ("health_assessment", {"kind": "review"}),
            ("pep", {}),
            ("permanence_plan", {}),
            ("placement_started", {"permanent": True}),
            ("placement_started", {"permanent": False}),
            ("lac_visit", {"seen_alone": True}),
            ("lac_visit", {"seen_alone": False}),
            ("lac_visit", {}),
            ("needs_assessment", {"in_education": False}),
        ],
        [("ceased_looked_after", {})],
    ),
    "pf_notified": (
        [
            ("pf_visit", {"seen_alone": True}),
            ("pf_visit", {"not_alone_reason": "asleep"}),
            ("pf_visit", {}),
        ],
        [("pf_ended", {})],
    ),
    "missing_returned": (
        [("return_interview", {"offered": True}), ("return_interview", {"offered": False})],
        [],
    ),
    "proceedings_issued": (
        [("proceedings_extended", {"weeks": 4}), ("proceedings_extended", {"weeks": 9})],
        [("proceedings_concluded", {})],
    ),
    "placement_order": ([("adoption_match", {}), ("placed_for_adoption", {})], []),
    "secure_started": ([("secure_order", {})], [("secure_ended", {})]),
    "legal_status_started": ([("epo_extended", {"days": 3})], [("legal_status_ended", {})]),
    "left_care": ([("pa_contact", {})], []),
    "needs_assessment": ([("pathway_plan_review", {})], []),
    "adopter_stage2_started": ([("adopter_approved", {})], []),
}
CODES = ("L1", "L2", "L3", "V3", "V4")


class Thing:
    """Something opened in the record: its type, ref, case, attributes and latest date."""

    def __init__(self, kind: str, ref: str, case: str | None, day: dt.date, attrs: dict[str, Any]):
        self.kind, self.ref, self.case, self.last, self.attrs = kind, ref, case, day, attrs
        self.open = True

    def __repr__(self) -> str:  # steps print as valid Python
        return f"Thing({self.kind!r}, {self.ref!r}, {self.case!r}, {self.last!r}, {self.attrs!r})"


class CaseRecordMachine(RuleBasedStateMachine):
    things = Bundle("things")
    # across a run: comparisons made, findings compared, largest record (for the report)
    tally: ClassVar[dict[str, int]] = {"comparisons": 0, "findings": 0, "most_events": 0}

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.dob: dt.date | None = None
        self.as_of = dt.date(2020, 1, 1)
        self.cursor = self.as_of
        self.ruleset: Any = NATIONAL

    @initialize(
        start=dates(dt.date(2003, 1, 1), dt.date(2024, 12, 31)),
        age_days=st.integers(0, 17 * 365),
        terms=st.booleans(),
        data=st.data(),
    )
    def begin(self, start: dt.date, age_days: int, terms: bool, data: st.DataObject) -> None:
        self.cursor = start
        self.as_of = start
        self.dob = start - dt.timedelta(days=age_days)
        if terms:
            self.ruleset = NATIONAL.with_terms(data.draw(school_terms(first_year=2001, years=29)))

    # -- steps -----------------------------------------------------------------------------------

    def _add(
        self, etype: str, day: dt.date, ref: str | None, case: str | None, attrs: dict[str, Any]
    ) -> None:
        event: dict[str, Any] = {"type": etype, "date": day.isoformat()}
        if ref is not None:
            event["ref"] = ref
        if case is not None:
            event["case"] = case
        if attrs:
            event["attrs"] = dict(attrs)
        self.events.append(event)
        self.cursor = max(self.cursor, day)

    @rule(
        target=things,
        kind=st.sampled_from(sorted(THINGS)),
        gap=st.integers(0, 90),
        ref=st.sampled_from(["T1", "T2", "T3"]),
        case=st.sampled_from([None, "K1", "K2"]),
        code=st.sampled_from(CODES),
    )
    def open_thing(self, kind: str, gap: int, ref: str, case: str | None, code: str) -> Thing:
        day = self.cursor + dt.timedelta(days=gap)
        attrs: dict[str, Any] = {"code": code} if kind.startswith("legal_status") else {}
        if kind in ("needs_assessment", "left_care"):
            attrs = {"in_education": gap % 2 == 0}
        self._add(kind, day, ref, case, attrs)
        return Thing(kind, ref, case, day, attrs)

    @rule(thing=things, which=st.integers(0, 20), gap=st.integers(0, 120))
    def follow_up(self, thing: Thing, which: int, gap: int) -> None:
        options = THINGS[thing.kind][0]
        etype, attrs = options[which % len(options)]
        if etype.startswith("legal_status") or etype == "epo_extended":
            attrs = {**attrs, **({"code": thing.attrs["code"]} if "code" in thing.attrs else {})}
            attrs.pop("code", None) if etype == "epo_extended" else None
        day = thing.last + dt.timedelta(days=gap)
        self._add(etype, day, thing.ref, thing.case, attrs)
        thing.last = day

    @rule(thing=consumes(things), gap=st.integers(0, 200))
    def close_thing(self, thing: Thing, gap: int) -> None:
        closers = THINGS[thing.kind][1]
        if not closers:
            return
        etype, attrs = closers[0]
        if "code" in thing.attrs:
            attrs = {"code": thing.attrs["code"]}
        day = thing.last + dt.timedelta(days=gap)
        self._add(etype, day, thing.ref, thing.case, attrs)
        thing.open = False

    @rule(days=st.integers(1, 500))
    def move_as_of_later(self, days: int) -> None:
        record = self.record()
        before = self._findings(record, self.as_of)
        self.as_of = min(self.as_of + dt.timedelta(days=days), dt.date(2029, 12, 31))
        after = self._findings(record, self.as_of)
        assert not breaches_turned_met(before, after)

    @precondition(lambda self: self.as_of > dt.date(2003, 1, 1))
    @rule(days=st.integers(1, 300))
    def move_as_of_earlier(self, days: int) -> None:
        self.as_of = max(self.as_of - dt.timedelta(days=days), dt.date(2003, 1, 1))

    # -- checks ----------------------------------------------------------------------------------

    def record(self) -> ChildRecord:
        data: dict[str, Any] = {"child": "C1", "events": self.events}
        if self.dob is not None:
            data["dob"] = self.dob.isoformat()
        return ChildRecord.model_validate(data)

    def _findings(self, record: ChildRecord, as_of: dt.date) -> tuple[Any, ...]:
        try:
            return tuple(self.ruleset.check(record, as_of=as_of).findings)
        except RecordError:
            return ()

    @invariant()
    def engine_matches_reference(self) -> None:
        if self.events:
            found = assert_engine_matches_reference(self.ruleset, self.record(), self.as_of)
            self.tally["comparisons"] += 1
            self.tally["findings"] += found
            self.tally["most_events"] = max(self.tally["most_events"], len(self.events))


TestCaseRecords = CaseRecordMachine.TestCase
TestCaseRecords.settings = examples(40, stateful_step_count=40)
