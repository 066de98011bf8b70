"""The canonical record, its JSON Schema, and the Python API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from pydantic import ValidationError

import timescales
from timescales import ChildRecord, RecordError, check, load_rules
from timescales.records import event_data


def child(*events: tuple[str, ...], **fields: object) -> dict[str, object]:
    """A record of child C1 with ``events`` given as (type, date[, ref]) tuples."""
    return {"child": "C1", **fields, "events": [event_data(*e) for e in events]}


RECORD = child(
    ("became_looked_after", "2023-03-31", "P1"),
    ("lac_review", "2023-05-04", "P1"),
    dob="2012-04-01",
)


def test_strict_record() -> None:
    ChildRecord.model_validate(RECORD)
    for bad in (
        {**RECORD, "extra": 1},
        {**RECORD, "dob": "2012-4-1"},
        {**RECORD, "events": [{"type": "lac_review", "date": "2023-05-04T10:00:00"}]},
        {**RECORD, "events": [{"type": "lac_visit", "date": "2023-05-04", "attrs": {"seen": 1}}]},
        {
            **RECORD,
            "events": [{"type": "lac_visit", "date": "2023-05-04", "attrs": {"seen_alone": "yes"}}],
        },
    ):
        with pytest.raises(ValidationError):
            ChildRecord.model_validate(bad)


def test_schema_lists_event_types_and_is_strict(cli) -> None:
    res = cli("schema")
    schema = json.loads(res.out)
    event = schema["$defs"]["Event"]
    assert "lac_review" in event["properties"]["type"]["enum"]
    assert schema["additionalProperties"] is False
    assert event["additionalProperties"] is False


def test_api_check_returns_immutable_findings() -> None:
    ruleset = load_rules(rules=["LA005"])
    record = ChildRecord.model_validate(RECORD)
    result = ruleset.check(record, as_of=dt.date(2023, 6, 1))
    (finding,) = [f for f in result.findings if f.rule == "LA005"]
    assert finding.status == timescales.Status.LATE
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.status = timescales.Status.MET  # type: ignore[misc]
    assert finding.to_dict()["due"] == "2023-05-03"
    assert check([record], as_of=dt.date(2023, 6, 1), ruleset=ruleset) == list(result.findings)


def test_as_of_is_required_and_a_date() -> None:
    ruleset = load_rules(rules=["LA005"])
    record = ChildRecord.model_validate(RECORD)
    with pytest.raises(TypeError):
        ruleset.check(record)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ruleset.check(record, as_of="2023-06-01")  # type: ignore[arg-type]


def test_out_of_calendar_working_days_reject_the_record() -> None:
    ruleset = load_rules(rules=["LA005"])
    record = ChildRecord.model_validate(
        {"child": "C1", "events": [{"type": "became_looked_after", "date": "2030-12-20"}]}
    )
    # (a period before 2000 is before SI 2010/959 came into force: nothing to count)
    with pytest.raises(RecordError, match="2030-12-31"):
        ruleset.check(record, as_of=dt.date(2031, 3, 1))


def test_finding_id_is_stable() -> None:
    ruleset = load_rules(rules=["LA005"])
    record = ChildRecord.model_validate(RECORD)
    a = ruleset.check(record, as_of=dt.date(2023, 6, 1)).findings[0].id
    b = ruleset.check(record, as_of=dt.date(2024, 6, 1)).findings[0].id
    assert a == b and len(a) == 12


def test_engine_never_reads_the_clock() -> None:
    from pathlib import Path

    root = Path(timescales.__file__).parent
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        for word in ("date.today(", "datetime.now(", "datetime.today(")
        if word in p.read_text()
    ]
    assert offenders == []


def _notes(record: dict, rules: list[str], as_of: dt.date, **kwargs) -> list[str]:
    ruleset = load_rules(rules=rules)
    if "terms" in kwargs:
        ruleset = ruleset.with_terms(kwargs["terms"])
    result = ruleset.check(ChildRecord.model_validate(record), as_of=as_of)
    return [q.code for q in result.quality]


def test_term_dates_running_out_is_noted_not_silent() -> None:
    record = child(
        ("became_looked_after", "2024-01-08"),
        ("pep", "2024-01-15"),
        ("pep", "2024-05-10"),
    )
    terms = [
        (dt.date(2024, 1, 4), dt.date(2024, 3, 28)),
        (dt.date(2024, 4, 15), dt.date(2024, 7, 23)),
    ]
    assert "DATA006" in _notes(record, ["LA012"], dt.date(2025, 6, 1), terms=terms)
    assert load_rules(rules=["LA012"]).inactive.get("LA012", "").startswith("no school term")


def test_missing_dob_for_an_age_limit_is_noted() -> None:
    record = child(
        ("became_looked_after", "2023-01-09"),
        ("health_assessment", "2023-01-20"),
    )
    assert "DATA007" in _notes(record, ["LA010"], dt.date(2024, 6, 1))
    assert "DATA007" not in _notes({**record, "dob": "2020-01-01"}, ["LA010"], dt.date(2024, 6, 1))


def test_duplicate_event_is_counted_once_and_noted() -> None:
    record = child(
        ("became_looked_after", "2023-03-31", "P1"),
        ("lac_review", "2023-05-03", "P1"),
        ("lac_review", "2023-05-03", "P1"),
    )
    ruleset = load_rules(rules=["LA005", "LA006"])
    result = ruleset.check(ChildRecord.model_validate(record), as_of=dt.date(2023, 9, 1))
    assert [q.code for q in result.quality] == ["DATA004"]
    la006 = [f for f in result.findings if f.rule == "LA006"]
    assert la006 and la006[0].anchor == dt.date(2023, 5, 3) and la006[0].done is None


def test_exception_is_shown_and_never_changes_status() -> None:
    record = {
        "child": "C1",
        "events": [
            {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
            {"type": "lac_review", "date": "2023-05-04", "ref": "P1"},
            {
                "type": "exception",
                "date": "2023-05-04",
                "attrs": {"rule": "LA005", "reason": "child in hospital"},
            },
        ],
    }
    ruleset = load_rules(rules=["LA005"])
    (finding,) = [
        f
        for f in ruleset.check(
            ChildRecord.model_validate(record), as_of=dt.date(2023, 6, 1)
        ).findings
        if f.rule == "LA005"
    ]
    assert finding.status == timescales.Status.LATE
    assert finding.exception == "child in hospital"


def test_rules_an_input_cannot_feed_are_not_assessable() -> None:
    ruleset = load_rules()
    kept, why = ruleset.assessable(
        frozenset({"referral", "assessment_completed", "became_looked_after", "lac_review"})
    )
    assert {"AS001", "LA005", "LA006", "LA007"} <= set(kept.ids())
    assert "AS002" in why and "assessment_started" in why["AS002"]
    assert "LA008" in why and "permanence_plan" in why["LA008"]
    kept, why = ruleset.assessable(frozenset({"referral", "assessment_completed"}))
    assert "LA006" in why and "lac_review" in why["LA006"]  # a follower needs its head's events
