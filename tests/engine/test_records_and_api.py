"""The canonical record, its JSON Schema, and the Python API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from pydantic import ValidationError

import timescales
from timescales import ChildRecord, RecordError, check, load_rules

RECORD = {
    "child": "C1",
    "dob": "2012-04-01",
    "events": [
        {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
        {"type": "lac_review", "date": "2023-05-04", "ref": "P1"},
    ],
}


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
        {"child": "C1", "events": [{"type": "became_looked_after", "date": "1999-12-20"}]}
    )
    with pytest.raises(RecordError, match="2000-01-01"):
        ruleset.check(record, as_of=dt.date(2000, 3, 1))


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
