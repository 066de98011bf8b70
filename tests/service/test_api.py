"""The embedding API: the same findings as the CLI, safe from many threads, typed errors, and
explanations that count again to the very due date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec

import pytest
from servicekit import AS_OF, EXAMPLES, ROOT, children, expected, ruleset

import timescales
from timescales.api import check_stream, parse_record
from timescales.service.models import FindingModel

DAY = dt.date.fromisoformat(AS_OF)


def test_api_gives_the_cli_findings_for_the_examples() -> None:
    rules = ruleset()
    found = []
    for data in children():
        record = parse_record(data, ruleset=rules)
        found.extend(f.to_dict() for f in rules.check(record, as_of=DAY).findings)
    assert found == expected()


def test_check_stream_gives_the_cli_findings_and_reads_lazily() -> None:
    lines = (EXAMPLES / "children.jsonl").read_text().splitlines()
    consumed = []

    def source():
        for line in lines:
            consumed.append(line)
            yield line

    stream = check_stream(source(), ruleset=ruleset(), as_of=DAY)
    first = next(stream)
    assert len(consumed) == 1 and first.index == 0 and first.error is None
    rest = list(stream)
    found = [f.to_dict() for item in [first, *rest] for f in item.result.findings]
    assert found == expected()


def test_many_threads_on_one_ruleset_give_identical_results() -> None:
    rules = ruleset()
    records = [parse_record(data, ruleset=rules) for data in children()]
    serial = [rules.check(r, as_of=DAY) for r in records]
    jobs = records * 40  # 600 checks over 16 threads, interleaved
    with ThreadPoolExecutor(max_workers=16) as pool:
        parallel = list(pool.map(lambda r: rules.check(r, as_of=DAY), jobs))
    for index, result in enumerate(parallel):
        assert result == serial[index % len(records)]
    # and explanations from many threads at once
    findings = [f for result in serial for f in result.findings]
    with ThreadPoolExecutor(max_workers=8) as pool:
        explained = list(pool.map(lambda f: timescales.explain(f, rules), findings * 3))
    assert explained[: len(findings)] == explained[len(findings) : 2 * len(findings)]


def test_findings_are_immutable_values() -> None:
    rules = ruleset()
    finding = rules.check(parse_record(children()[0], ruleset=rules), as_of=DAY).findings[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.due = DAY  # type: ignore[misc]
    explanation = timescales.explain(finding, rules)
    with pytest.raises(ValueError, match="frozen"):
        explanation.due = DAY  # type: ignore[misc]


def test_service_finding_model_matches_to_dict() -> None:
    for data in expected():
        model = FindingModel.model_validate(data)
        assert model.model_dump(mode="json", exclude_unset=True) == data


def test_parse_record_errors_carry_location_and_field_never_the_value() -> None:
    bad = {"child": "Jane Smith", "dob": "12/04/2015", "events": []}
    with pytest.raises(timescales.RecordError) as info:
        parse_record(bad, location=timescales.Location("crm", 7))
    err = info.value
    assert err.code == "E307"  # a value of the wrong form
    assert err.value_class == "date DD/MM/YYYY"  # the kind of value, never the value
    assert err.as_dict()["value_class"] == "date DD/MM/YYYY"
    assert "12/04/2015" not in str(err.as_dict()) and "Jane" not in str(err.as_dict())
    assert err.field == "dob"
    assert err.location is not None and err.location.line == 7
    assert err.location.pointer == "/dob"
    assert "12/04/2015" not in str(err) and "Jane" not in str(err)
    with pytest.raises(timescales.RecordError, match="not valid JSON") as info:
        parse_record("{nope")
    assert info.value.code == "E301"
    with pytest.raises(timescales.RecordError, match="JSON object") as info:
        parse_record("[1, 2]")
    assert info.value.code == "E302" and info.value.value_class == "list (2 items)"


def test_check_stream_rejects_and_goes_on() -> None:
    good = {"child": "G", "events": [{"type": "referral", "date": "2024-01-02"}]}
    items = [
        good,
        {"child": "X", "events": [{"type": "no_such_event", "date": "2024-01-01"}]},
        "not json",
        # a referral whose 45-working-day assessment falls past 2030, the calendar's end (one
        # before 2000 no longer counts: no rule was in force then, so nothing is computed)
        {"child": "Y", "events": [{"type": "referral", "date": "2030-12-20"}]},
        {"child": "Z", "events": [{"type": "referral", "date": "2024-01-01"}] * 3},
        good,
    ]
    late = dt.date(2030, 12, 31)
    out = list(check_stream(items, ruleset=ruleset(), as_of=late, source="batch", max_events=2))
    assert [i.error is None for i in out] == [True, False, False, False, False, True]
    assert out[1].error is not None and out[1].error.location is not None
    assert str(out[1].error.location) == "batch:2 /events/0/type"
    assert out[1].error.field == "type"
    assert "not valid JSON" in out[2].error.message  # type: ignore[union-attr]
    assert "cannot be checked" in out[3].error.message  # type: ignore[union-attr]
    assert "more than 2 events" in out[4].error.message  # type: ignore[union-attr]


def test_every_example_finding_is_explained_by_counting_again() -> None:
    rules = ruleset()
    for data in children():
        result = rules.check(parse_record(data, ruleset=rules), as_of=DAY)
        for finding in result.findings:
            explanation = timescales.explain(finding, rules)
            assert explanation.reproduced, finding.to_dict()
            assert explanation.due == finding.due
            assert explanation.steps[-1] or explanation.steps
            json.dumps(explanation.to_dict())


def _finding(rules, record, rule: str):
    result = rules.check(parse_record(record, ruleset=rules), as_of=DAY)
    return next(f for f in result.findings if f.rule == rule)


def _explained(rules, rule: str, *events: tuple[str, str]):
    """The explanation of ``rule``'s first finding for one child with ``events`` (type, date),
    all of one case (ref P1)."""
    record = {"child": "C1", "events": [{"type": t, "date": d, "ref": "P1"} for t, d in events]}
    return timescales.explain(_finding(rules, record, rule), rules)


def test_explain_working_days_names_the_bank_holidays() -> None:
    rules = ruleset()
    finding = _finding(rules, children()[0], "PF001")  # notified 20 Dec 2023, 7 working days
    e = timescales.explain(finding, rules)
    assert (e.anchor, e.due, e.limit, e.unit) == (
        dt.date(2023, 12, 20),
        dt.date(2024, 1, 3),
        "7 working days",
        "working_days",
    )
    assert e.weekend_days == 4
    assert [(h.date.isoformat(), h.reason, h.kind) for h in e.holidays] == [
        ("2023-12-25", "Christmas Day", "bank_holiday"),
        ("2023-12-26", "Boxing Day", "bank_holiday"),
        ("2024-01-01", "New Year's Day", "bank_holiday"),
    ]
    assert e.calendar == "England" and e.month_end is None
    text = e.text()
    assert "Christmas Day" in text and "late by 2 days" in text and "Wed 3 Jan 2024" in text


def test_explain_month_end_clamping() -> None:
    rules = ruleset()
    e = _explained(rules, "CP003", ("cp_plan_started", "2023-11-30"), ("cp_review", "2024-02-29"))
    assert e.limit == "3 months" and e.due == dt.date(2024, 2, 29)
    assert e.month_end is not None
    assert (e.month_end.day, e.month_end.month) == (30, "2024-02")
    assert "2024-02 has no day 30" in e.text()
    assert e.skipped == () and e.weekend_days == 0


def test_explain_branch_extension_and_beginning_with() -> None:
    rules = ruleset()
    by_rule = {}
    for data in children():
        for f in rules.check(parse_record(data, ruleset=rules), as_of=DAY).findings:
            by_rule.setdefault(f.rule, f)
    adoption = timescales.explain(by_rule["AD001"], rules)
    assert adoption.branch is not None and "applied" in adoption.text()
    court = timescales.explain(by_rule["CO001"], rules)
    assert court.counting == "beginning_with" and court.extension == "8 weeks"
    assert "Recorded extensions moved it by 8 weeks" in court.text()
    missing = timescales.explain(by_rule["MI001"], rules)
    assert "3 whole days" in missing.text()


def test_explain_refuses_a_finding_from_another_rule_set() -> None:
    rules = ruleset()
    finding = _finding(rules, children()[0], "PF001")
    narrow = timescales.load_rules(rules=["AS001"])
    with pytest.raises(timescales.UsageError, match="PF001"):
        timescales.explain(finding, narrow)


@pytest.mark.skipif(find_spec("timescales_example_borough") is None, reason="plugin not installed")
def test_explain_council_closure_days_and_override() -> None:
    rules = timescales.load_rules(la="example-borough")
    e = _explained(
        rules,
        "EXB001",
        ("lac_visit", "2023-12-22"),
        ("example-borough.case_note", "2024-01-04"),
    )
    assert e.due == dt.date(2024, 1, 4) and e.reproduced
    closures = [h.date.isoformat() for h in e.holidays if h.kind == "closure"]
    assert closures == ["2023-12-27", "2023-12-28", "2023-12-29"]
    assert "council closure day" in e.text()
    e = _explained(
        rules,
        "LA002",
        ("became_looked_after", "2024-01-08"),
        ("placement_started", "2024-01-08"),
        ("lac_visit", "2024-01-12"),
    )
    assert e.override is not None and e.override.limit == "5 days"
    assert e.override.national_limit == "1 week"
    assert e.override.national_due == dt.date(2024, 1, 15)
    assert e.due == dt.date(2024, 1, 13) and e.reproduced
    # with the council's school terms, term-based rules are explained too
    units = set()
    for data in children():
        for finding in rules.check(parse_record(data, ruleset=rules), as_of=DAY).findings:
            explanation = timescales.explain(finding, rules)
            assert explanation.reproduced, finding.to_dict()
            units.add(explanation.unit)
    assert "terms" in units


@pytest.mark.skipif(find_spec("timescales_lancashire") is None, reason="plugin not installed")
def test_explanations_reproduce_for_the_lancashire_examples() -> None:
    rules = timescales.load_rules(la="lancashire")
    overridden = 0
    for line in (EXAMPLES / "lancashire.jsonl").read_text().splitlines():
        record = parse_record(line, ruleset=rules)  # the council's own event types
        for finding in rules.check(record, as_of=DAY).findings:
            e = timescales.explain(finding, rules)
            assert e.reproduced, finding.to_dict()
            overridden += e.override is not None
    assert overridden >= 1


@pytest.mark.parametrize("script", ["check_one.py", "check_many.py"])
def test_embedding_examples_run(script: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "embedding" / script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    if script == "check_one.py":
        assert "PF001 late" in proc.stdout and "Christmas Day" in proc.stdout
    else:
        assert "threads: 15 children" in proc.stdout
        assert "stream: checked 15, rejected 0" in proc.stdout
