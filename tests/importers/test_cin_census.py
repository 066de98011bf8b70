"""The CIN census XML importer: real DfE layouts (with and without the namespace, 2021-2026
variations), the mapping onto canonical events, data-quality notes, rejects with element paths,
broken and hostile files, and speed. Every test checks that counts reconcile."""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from cin_xml import DFE_NS, assessment, census, child, cin, plan, pretty, section47, write
from shared_checks import reconciled

from conftest import run_module
from timescales.errors import InputError
from timescales.importers import ImportContext, Item, detect
from timescales.importers.cin_census import (
    IMPORTER,
    MAX_BYTES_ENV,
    QUALITY_CODES,
    SUPPLIES,
    CinCensusImporter,
    TargetTally,
    target_summary,
)
from timescales.records import NATIONAL_EVENT_TYPES

AS_OF = "2024-08-01"

# one child with every block: referral, assessment, s47 with its ICPC, a plan with two reviews
FULL = child(
    "C1",
    cin(
        "2023-09-01",
        assessments=[assessment("2023-09-04", "2023-11-20", review="2023-10-01")],
        s47=[section47("2023-09-05", "2023-09-29", target="2023-09-26")],
        plans=[plan("2023-09-29", reviews=["2023-12-15", "2024-07-01"])],
        icpc="2023-09-20",  # CINdetails' own DateOfInitialCPC: not the one CP002 uses
    ),
)
FULL_EVENTS = [
    ("referral", "2023-09-01", "CIN1", "CIN1"),
    ("assessment_started", "2023-09-04", "CIN1-A1", "CIN1"),
    ("assessment_completed", "2023-11-20", "CIN1-A1", "CIN1"),
    ("s47_started", "2023-09-05", "CIN1-S47-1", "CIN1"),
    ("icpc", "2023-09-29", "CIN1-S47-1", "CIN1"),
    ("cp_plan_started", "2023-09-29", "CIN1-CPP1", "CIN1"),
    ("cp_review", "2023-12-15", "CIN1-CPP1", "CIN1"),
    ("cp_review", "2024-07-01", "CIN1-CPP1", "CIN1"),
]
FULL_FINDINGS = [
    ("AS001", "CIN1", "2023-09-01", "2023-11-03", "late"),
    ("AS002", "CIN1-A1", "2023-09-04", "2023-11-06", "late"),
    ("CP002", "CIN1-S47-1", "2023-09-05", "2023-09-26", "late"),
    ("CP003", "CIN1-CPP1", "2023-09-29", "2023-12-29", "met"),
    ("CP004", "CIN1-CPP1", "2023-12-15", "2024-06-15", "late"),
    ("CP004", "CIN1-CPP1", "2024-07-01", "2025-01-01", "pending"),
]


# ----------------------------------------------------------------------------- helpers


def read(path: Path, importer: CinCensusImporter = IMPORTER) -> tuple[list[Item], ImportContext]:
    """Import through the API and check the reconciliation every importer owes."""
    context = ImportContext()
    items = list(importer.read(path, context))
    assert context.stats, "rows are counted"
    for stats in context.stats:
        assert stats.reconciles(), stats
    children = [s for s in context.stats if not s.source.endswith("[CIN elements]")]
    child_items = [i for i in items if not i.row]
    assert sum(s.rows_read for s in children) == len(child_items)  # one per Child element
    assert sum(s.rows_used for s in children) == sum(1 for i in child_items if i.record)
    return items, context


def records(items: list[Item]) -> list[Any]:
    return [i.record for i in items if i.record is not None]


def events(record: Any) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.type, e.date.isoformat(), e.ref, e.case) for e in record.events]


def rejects(items: list[Item]) -> list[Item]:
    return [i for i in items if i.error is not None]


def quality(items: list[Item]) -> list[Any]:
    return [q for i in items for q in i.quality]


def findings(out: str) -> list[tuple[str, str | None, str, str, str]]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [(f["rule"], f["ref"], f["anchor"], f["due"], f["status"]) for f in rows]


# ----------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize("namespace", ["default", "prefixed", "none"])
def test_full_child_maps_onto_canonical_events(tmp_path: Path, namespace: str) -> None:
    path = write(tmp_path / "cin.xml", census([FULL], namespace=namespace))
    items, _ = read(path)
    (record,) = records(items)
    assert record.child == "C1" and record.dob.isoformat() == "2015-03-27"
    assert events(record) == FULL_EVENTS
    assert not rejects(items)
    assert {e.type for e in record.events} <= SUPPLIES <= set(NATIONAL_EVENT_TYPES)


def test_cli_check_gives_as_and_cp_findings_and_cp001_not_assessable(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "cin.xml", census([FULL]))
    res = cli("check", str(path), "--input-format", "cin-census", "--as-of", AS_OF,
              "--format", "jsonl")  # fmt: skip
    assert res.code == 1  # late findings are breaches
    assert findings(res.out) == FULL_FINDINGS
    assert re.search(r"not assessable: CP001: .*strategy_discussion", res.err)
    assert re.search(r"not assessable: CP005: .*core_group", res.err)
    assert "read as" not in res.err  # only said under auto
    counts = reconciled(res.err)
    assert counts == {"read": 1, "checked": 1, "rejected": 0, "rows": 5, "rows_used": 5,
                      "rows_rejected": 0}  # fmt: skip


@pytest.mark.parametrize("namespace", ["default", "none"])
def test_auto_detects_the_census_and_says_so(tmp_path: Path, namespace: str) -> None:
    # a subprocess: the real entry point, stderr checked for tracebacks
    path = write(tmp_path / "return_2024", census([FULL], namespace=namespace))  # no suffix
    res = run_module(["check", str(path), "--input-format", "auto", "--as-of", AS_OF,
                      "--format", "jsonl"])  # fmt: skip
    assert res.code == 1, res.err
    assert f"input: {path} read as cin-census" in res.err
    assert findings(res.out) == FULL_FINDINGS
    assert "not assessable: CP001" in res.err
    reconciled(res.err)


def test_sniff(tmp_path: Path) -> None:
    assert IMPORTER.sniff(write(tmp_path / "a.xml", census([FULL])))
    assert IMPORTER.sniff(write(tmp_path / "b.xml", census([FULL], namespace="prefixed")))
    long_header = census([FULL]).replace("<Header>", "<Header><!--" + "x" * 8000 + "-->")
    assert IMPORTER.sniff(write(tmp_path / "c.xml", long_header))
    empty = census([])
    assert IMPORTER.sniff(write(tmp_path / "empty.xml", empty))  # a whole (small) census
    assert not IMPORTER.sniff(write(tmp_path / "903.xml", "<EXPSSDA903><Children/></EXPSSDA903>"))
    assert not IMPORTER.sniff(write(tmp_path / "other.xml", "<Message><Body/></Message>"))
    assert not IMPORTER.sniff(write(tmp_path / "x.jsonl", '{"child": "C1"}\n'))
    assert IMPORTER.sniff(tmp_path)  # a directory holding returns (several years)
    others = tmp_path / "others"
    others.mkdir()
    write(others / "other.xml", "<Message><Body/></Message>")
    assert not IMPORTER.sniff(others)  # ... but not one without any
    assert detect(tmp_path / "a.xml").name == "cin-census"
    utf16 = census([FULL]).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    (tmp_path / "u16.xml").write_text(utf16, encoding="utf-16")
    assert IMPORTER.sniff(tmp_path / "u16.xml")
    items, _ = read(tmp_path / "u16.xml")
    assert events(records(items)[0]) == FULL_EVENTS


def test_year_variations_give_the_same_events(tmp_path: Path) -> None:
    """2025/26 files say <Sex> (earlier <GenderCurrent>) and add a pre-proceedings block; some
    exports nest <Assessment>/<ChildProtectionPlan> in one wrapper and split <Reviews>."""
    nested = (
        FULL.replace("GenderCurrent", "Sex")
        .replace("<Assessments>", "<Assessments><Assessment>", 1)
        .replace("</Assessments>", "</Assessment></Assessments>", 1)
        .replace("<ChildProtectionPlans>", "<ChildProtectionPlans><ChildProtectionPlan>", 1)
        .replace("</ChildProtectionPlans>", "</ChildProtectionPlan></ChildProtectionPlans>", 1)
        .replace(
            "</CPPreviewDate><CPPreviewDate>", "</CPPreviewDate></Reviews><Reviews><CPPreviewDate>"
        )
        .replace(
            "</CINdetails>",
            "<PreProceedingsandFGDM><PPStartDate>2024-01-09</PPStartDate><PPOutcome>A"
            "</PPOutcome></PreProceedingsandFGDM></CINdetails>",
        )
    )
    assert "<Reviews>" in nested and nested.count("<Reviews>") == 2
    items, _ = read(write(tmp_path / "cin2026.xml", census([nested], year=2026)))
    (record,) = records(items)
    assert events(record) == FULL_EVENTS
    # several assessments in one wrapper become several refs
    two = child("C2", cin("2023-01-02", assessments=[
        "<Assessments><Assessment><AssessmentActualStartDate>2023-01-03"
        "</AssessmentActualStartDate></Assessment><Assessment><AssessmentActualStartDate>"
        "2023-02-01</AssessmentActualStartDate></Assessment></Assessments>"]))  # fmt: skip
    items, context = read(write(tmp_path / "nested.xml", census([two])))
    (record,) = records(items)
    assert [e[2] for e in events(record) if e[0] == "assessment_started"] == [
        "CIN1-A1",
        "CIN1-A2",
    ]
    assert context.stats[1].rows_read == 3  # CINdetails + two assessments


def test_several_episodes_and_closure(tmp_path: Path) -> None:
    xml = child(
        "C3",
        cin("2022-01-04", "2022-02-01", nfa="true"),
        cin("2023-05-02", "2023-08-01", assessments=[assessment("2023-05-03", "2023-06-01")]),
    )
    items, _ = read(write(tmp_path / "cin.xml", census([xml])))
    (record,) = records(items)
    assert events(record) == [
        ("referral", "2022-01-04", "CIN1", "CIN1"),
        ("cin_closed", "2022-02-01", None, "CIN1"),
        ("referral", "2023-05-02", "CIN2", "CIN2"),
        ("cin_closed", "2023-08-01", None, "CIN2"),
        ("assessment_started", "2023-05-03", "CIN2-A1", "CIN2"),
        ("assessment_completed", "2023-06-01", "CIN2-A1", "CIN2"),
    ]
    assert not quality(items)


def test_closure_closes_the_assessment_clock(cli, tmp_path: Path) -> None:
    """cin_closed carries the case only, so it closes AS002's per-assessment clock too: an
    episode closed before the due date with the assessment never authorised has no finding."""
    xml = child("C4", cin("2023-05-02", "2023-05-20", assessments=[assessment("2023-05-03")]))
    path = write(tmp_path / "cin.xml", census([xml]))
    res = cli("check", str(path), "--input-format", "cin-census", "--as-of", AS_OF,
              "--format", "jsonl")  # fmt: skip
    assert res.code == 0 and findings(res.out) == []
    reconciled(res.err)


def test_unborn_child_is_valid(cli, tmp_path: Path) -> None:
    unborn = child("U1", cin("2024-01-08", assessments=[assessment("2024-01-09", "2024-02-01")]),
                   dob=None, expected="2024-05-01")  # fmt: skip
    items, _ = read(write(tmp_path / "cin.xml", census([unborn])))
    (record,) = records(items)
    assert record.dob is None and record.expected_dob.isoformat() == "2024-05-01"
    assert not quality(items) and not rejects(items)
    res = cli("check", str(tmp_path / "cin.xml"), "--as-of", AS_OF, "--format", "jsonl")
    assert res.code == 0
    assert {f[0] for f in findings(res.out)} == {"AS001", "AS002"}
    reconciled(res.err)


def test_no_birth_date_at_all_is_a_quality_note(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "cin.xml", census([child("N1", cin("2024-01-08"), dob=None)])))
    (record,) = records(items)
    assert [q.code for q in quality(items)] == ["DATA023"]
    assert record.dob is None and record.expected_dob is None


@pytest.mark.parametrize("flag", ["true", "1", "TRUE"])
def test_icpc_not_required_voids_cp002(cli, tmp_path: Path, flag: str) -> None:
    xml = child("C5", cin("2023-09-01", s47=[section47("2023-09-05", not_required=flag)]))
    path = write(tmp_path / "cin.xml", census([xml]))
    items, _ = read(path)
    (record,) = records(items)
    icpc = [e for e in record.events if e.type == "icpc"]
    assert [(e.date.isoformat(), e.ref, e.attrs) for e in icpc] == [
        ("2023-09-05", "CIN1-S47-1", {"not_required": True})
    ]
    res = cli("check", str(path), "--input-format", "cin-census", "--as-of", AS_OF,
              "--format", "jsonl", "--rules", "CP002")  # fmt: skip
    assert res.code == 0 and findings(res.out) == []
    reconciled(res.err)


def test_icpc_flag_variants(tmp_path: Path) -> None:
    xml = child(
        "C6",
        cin(
            "2023-09-01",
            s47=[
                section47("2023-09-05", "2023-09-20", not_required="true"),  # contradictory
                section47("2023-10-02", "2023-10-20", not_required=None),  # flag missing
                section47("2023-11-01", not_required="Y"),  # not a yes/no value
            ],
        ),
    )
    items, context = read(write(tmp_path / "cin.xml", census([xml])))
    (record,) = records(items)
    assert [(e.type, e.date.isoformat(), e.attrs) for e in record.events if e.type == "icpc"] == [
        ("icpc", "2023-09-20", {"not_required": True}),
        ("icpc", "2023-10-20", {}),
    ]
    # a value that is not a yes/no is unknown (issue 18's one policy): a note, the enquiry is
    # used and, as for a blank flag, a conference is taken as required
    notes = sorted((q.code, q.source.rsplit(" ", 1)[-1]) for q in quality(items))
    base = "Message/Children/Child[1]/CINdetails[1]/Section47"
    assert notes == [
        ("DATA024", f"{base}[1]/ICPCnotRequired"),
        ("DATA027", f"{base}[2]/ICPCnotRequired"),
        ("DATA027", f"{base}[3]/ICPCnotRequired"),
    ]
    assert "not true/false/1/0" in [q.message for q in quality(items)][-1]
    assert not rejects(items)
    assert [e.date.isoformat() for e in record.events if e.type == "s47_started"] == [
        "2023-09-05", "2023-10-02", "2023-11-01"]  # fmt: skip
    assert (context.stats[1].rows_used, context.stats[1].rows_rejected) == (4, 0)


def test_review_before_plan_start_is_ignored_and_reported(cli, tmp_path: Path) -> None:
    xml = child("C7", cin("2023-09-01", plans=[
        plan("2023-09-29", reviews=["2023-09-01", "2023-12-20"])]))  # fmt: skip
    path = write(tmp_path / "cin.xml", pretty(census([xml])))
    items, _ = read(path)
    (record,) = records(items)
    assert [e.date.isoformat() for e in record.events if e.type == "cp_review"] == ["2023-12-20"]
    (note,) = quality(items)
    assert note.code == "DATA022" and note.ref == "CIN1-CPP1"
    assert note.source.endswith(
        "Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[1]/Reviews[1]"
        "/CPPreviewDate[1]"
    )
    line = int(note.source.split(":")[1].split()[0])
    assert path.read_text().splitlines()[line - 1] == "<CPPreviewDate>2023-09-01</CPPreviewDate>"
    res = cli("check", str(path), "--as-of", AS_OF, "--format", "jsonl",
              "--data-quality", str(tmp_path / "dq.jsonl"))  # fmt: skip
    assert ("CP003", "CIN1-CPP1", "2023-09-29", "2023-12-29", "met") in findings(res.out)
    dq = [json.loads(x) for x in (tmp_path / "dq.jsonl").read_text().splitlines()]
    assert [d["code"] for d in dq] == ["DATA022"]
    reconciled(res.err)


# ----------------------------------------------------------------------------- InitialCPCtarget


def test_target_one_working_day_early_inclusive_counting(cli, tmp_path: Path) -> None:
    """14 of 15 enquiries carry a target one working day before ours (the validator's inclusive
    count), one agrees: one note per row, one summary for the file."""
    starts = ["2023-09-05", "2023-12-11", "2022-09-05"]  # the last: the state funeral 19 Sep
    ours = {"2023-09-05": "2023-09-26", "2023-12-11": "2024-01-04", "2022-09-05": "2022-09-27"}
    theirs = {"2023-09-05": "2023-09-25", "2023-12-11": "2024-01-03", "2022-09-05": "2022-09-26"}
    kids = []
    for n in range(15):
        start = starts[n % 3]
        target = ours[start] if n == 0 else theirs[start]
        kids.append(child(f"T{n}", cin("2022-09-01", s47=[section47(start, target=target)])))
    path = write(tmp_path / "cin.xml", census(kids))
    dq_path = tmp_path / "dq.jsonl"
    res = cli("check", str(path), "--as-of", "2024-03-31", "--format", "jsonl",
              "--rules", "CP002", "--data-quality", str(dq_path))  # fmt: skip
    assert "Traceback" not in res.err
    reconciled(res.err)
    dq = [json.loads(x) for x in dq_path.read_text().splitlines()]
    rows = [d for d in dq if d["code"] == "DATA020"]
    assert len(rows) == 14
    assert all("one working day earlier" in d["message"] for d in rows)
    assert all("inclusive counting" in d["message"] for d in rows)
    assert {d["ref"] for d in rows} == {"CIN1-S47-1"}
    (summary,) = [d for d in dq if d["code"] == "DATA021"]
    assert summary["child"] == "(file)" and summary["source"] == str(path)
    assert "14 of 15" in summary["message"]
    assert "one working day earlier in 93% of rows: inclusive counting" in summary["message"]
    # the disagreement is data quality, never a finding's status
    assert {f[4] for f in findings(res.out)} <= {"met", "late", "overdue", "pending"}


def test_target_summary_text() -> None:
    assert target_summary(TargetTally(compared=5)) is None
    tally = TargetTally(compared=10)
    tally.differences.update({-1: 7, 2: 1})
    tally.off_day = 1
    text = target_summary(tally)
    assert text is not None
    assert "9 of 10" in text and "one working day earlier in 70% of rows" in text
    assert "otherwise 2 working days later in 1, on a non-working day in 1" in text


def test_bad_target_is_noted_not_rejected(tmp_path: Path) -> None:
    xml = child("C8", cin("2023-09-01", s47=[section47("2023-09-05", "2023-09-20",
                                                        target="25/09/2023")]))  # fmt: skip
    items, _ = read(write(tmp_path / "cin.xml", census([xml])))
    assert len(records(items)) == 1 and not rejects(items)
    (note,) = quality(items)
    assert note.code == "DATA025" and "25/09/2023" not in note.message


# ----------------------------------------------------------------------------- broken values


def test_wrong_date_formats_reject_the_smallest_unit(cli, tmp_path: Path) -> None:
    kids = [
        FULL,
        # authorisation in dd/mm/yyyy: that assessment only
        child("W1", cin("2023-09-01", assessments=[assessment("2023-09-04", "20/11/2023"),
                                                   assessment("2023-10-02", "2023-10-30")])),
        # a date that does not exist: that plan only
        child("W2", cin("2023-09-01", plans=[plan("2023-02-30")])),
        # a bad referral date: the episode with everything in it
        child("W3", cin("1/9/2023", assessments=[assessment("2023-09-04")],
                        s47=[section47("2023-09-05")]), cin("2023-11-01")),
        # a bad date of birth: the whole child (and the value is never echoed)
        child("W4", cin("2023-09-01"), dob="27/03/2015"),
        # a date-time where a date belongs
        child("W5", cin("2023-09-01", s47=[section47("2023-09-05T10:00:00")])),
        # a bad review date: that plan
        child("W6", cin("2023-09-01", plans=[plan("2023-09-29", reviews=["2023-13-01"])])),
    ]  # fmt: skip
    path = write(tmp_path / "cin.xml", pretty(census(kids)))
    items, context = read(path)
    # W4's unreadable date of birth is unknown (a note), the child is used (issue 18's policy:
    # only a required value rejects; no census rule depends on the child's age)
    assert [r.child for r in records(items)] == ["C1", "W1", "W2", "W3", "W4", "W5", "W6"]
    (w4,) = [q for q in quality(items) if q.child == "W4"]
    assert w4.code == "DATA023" and w4.source.endswith(
        f"{'Message/Children/Child'}[5]/ChildIdentifiers/PersonBirthDate"
    )
    assert "27/03/2015" not in w4.message and records(items)[4].dob is None
    got = [(i.row, i.error.location.pointer, i.error.field) for i in rejects(items)]
    base = "Message/Children/Child"
    assert got == [
        (True, f"{base}[2]/CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate",
         "AssessmentAuthorisationDate"),
        (True, f"{base}[3]/CINdetails[1]/ChildProtectionPlans[1]/CPPstartDate", "CPPstartDate"),
        (True, f"{base}[4]/CINdetails[1]/CINreferralDate", "CINreferralDate"),
        (True, f"{base}[6]/CINdetails[1]/Section47[1]/S47ActualStartDate", "S47ActualStartDate"),
        (True, f"{base}[7]/CINdetails[1]/ChildProtectionPlans[1]/Reviews[1]/CPPreviewDate[1]",
         "CPPreviewDate"),
    ]  # fmt: skip
    text = path.read_text().splitlines()
    for item in rejects(items):
        err = item.error
        assert err.location.source == str(path)
        assert text[err.location.line - 1].startswith(f"<{err.field}")  # the element's own line
        assert "27/03/2015" not in err.message and "20/11/2023" not in err.message
    messages = [i.error.message for i in rejects(items)]
    assert "not a date YYYY-MM-DD" in messages[0]
    assert "not a real calendar date" in messages[1]
    assert "with the 2 assessment, enquiry and plan element(s) inside it" in messages[2]
    w1 = records(items)[1]
    # the blocks used are numbered in date order (a rejected one has no date to place it by)
    assert [e.ref for e in w1.events if e.type.startswith("assessment")] == ["CIN1-A1"] * 2
    w3 = records(items)[3]
    assert events(w3) == [("referral", "2023-11-01", "CIN1", "CIN1")]
    children, elements = context.stats
    assert (children.rows_read, children.rows_used, children.rows_rejected) == (7, 7, 0)
    # elements read: C1 4, W1 3, W2 2, W3 4 (3 in the bad episode), W4 1, W5 2, W6 2;
    # rejected: W1's assessment, W2's plan, W3's episode with its 2, W5's s47, W6's plan
    assert (elements.rows_read, elements.rows_used, elements.rows_rejected) == (18, 11, 7)
    # through the CLI: the rejects CSV carries file, line, element path, field and reason
    rej = tmp_path / "rejects.csv"
    res = cli("check", str(path), "--as-of", AS_OF, "--format", "jsonl", "--rejects", str(rej))
    counts = reconciled(res.err)
    assert counts["read"] == 7 and counts["rejected"] == 0 and counts["rows_rejected"] == 7
    rows = list(csv.DictReader(rej.open(encoding="utf-8")))
    assert len(rows) == 5
    assert rows[0]["pointer"].endswith("Assessments[1]/AssessmentAuthorisationDate")
    assert int(rows[0]["line"]) > 0 and rows[0]["field"] == "AssessmentAuthorisationDate"
    assert "27/03/2015" not in rej.read_text() and "2015-03-27" not in res.err


def test_blank_required_fields(tmp_path: Path) -> None:
    kids = [
        child("", cin("2023-09-01")),  # blank LAchildID: the child
        child(None, cin("2023-09-01")),  # missing LAchildID: the child
        child("B1", cin("", assessments=[assessment("2023-09-04")])),  # blank referral date
        child("B2", cin("2023-09-01", assessments=[assessment("")])),  # blank start
        child("B3", cin("2023-09-01", s47=[section47(None, "2023-09-20")])),  # missing start
        child("B4", cin("2023-09-01", plans=[plan(None, reviews=["2023-12-01"])])),
        child("B5", cin("2023-09-01", closure="", plans=[plan("2023-09-29", end="")])),
    ]
    items, context = read(write(tmp_path / "cin.xml", census(kids)))
    assert [r.child for r in records(items)] == ["B1", "B2", "B3", "B4", "B5"]
    reasons = [(i.row, i.error.field, i.error.message) for i in rejects(items)]
    assert reasons[0][:2] == (False, "LAchildID") and "LAchildID is blank" in reasons[0][2]
    assert reasons[1][:2] == (False, "LAchildID") and "LAchildID is missing" in reasons[1][2]
    assert [r[1] for r in reasons[2:]] == [
        "CINreferralDate",
        "AssessmentActualStartDate",
        "S47ActualStartDate",
        "CPPstartDate",
    ]
    assert all("(required)" in r[2] for r in reasons)
    # blank optional dates are simply absent: B5's episode and plan are open
    b5 = records(items)[-1]
    assert [e.type for e in b5.events] == ["referral", "cp_plan_started"]
    assert context.stats[0].rows_rejected == 2


def test_duplicate_child_elements(cli, tmp_path: Path) -> None:
    other = FULL.replace("2023-11-20", "2023-11-21")
    kids = [FULL, child("C2", cin("2023-09-01")), FULL, other]
    path = write(tmp_path / "cin.xml", census(kids))
    items, context = read(path)
    assert [r.child for r in records(items)] == ["C1", "C2"]
    dup = [i.error for i in rejects(items)]
    assert [e.location.pointer for e in dup] == [
        "Message/Children/Child[3]/ChildIdentifiers/LAchildID",
        "Message/Children/Child[4]/ChildIdentifiers/LAchildID",
    ]
    assert "already given by Child[1] (identical)" in dup[0].message
    assert "already given by Child[1] (with different content)" in dup[1].message
    assert context.stats[1].rows_rejected == 8  # the duplicates' elements go with them
    res = cli("check", str(path), "--as-of", AS_OF, "--format", "jsonl",
              "--data-quality", str(tmp_path / "dq.jsonl"))  # fmt: skip
    assert findings(res.out).count(FULL_FINDINGS[0]) == 1  # not double counted
    assert "DATA002" not in (tmp_path / "dq.jsonl").read_text()
    counts = reconciled(res.err)
    assert (counts["read"], counts["checked"], counts["rejected"]) == (4, 2, 2)


# ----------------------------------------------------------------------------- broken files


def test_truncated_file_keeps_children_before_the_break(cli, tmp_path: Path) -> None:
    kids = [child(f"K{n}", cin("2023-09-01", assessments=[assessment("2023-09-04", "2023-10-02")]))
            for n in range(5)]  # fmt: skip
    text = pretty(census(kids))
    cut = text.index("<AssessmentAuthorisationDate>", text.index("<LAchildID>K3<"))
    path = write(tmp_path / "cin.xml", text[:cut])
    items, context = read(path)
    assert [r.child for r in records(items)] == ["K0", "K1", "K2"]
    (broken,) = rejects(items)
    err = broken.error
    assert not broken.row
    assert err.location.pointer == "Message/Children/Child[4]/CINdetails[1]/Assessments[1]"
    assert err.location.line == text[:cut].count("\n") + 1
    assert "truncated or not well-formed" in err.message and err.message.startswith("LAchildID K3")
    children, elements = context.stats
    assert (children.rows_read, children.rows_used, children.rows_rejected) == (4, 3, 1)
    assert (elements.rows_read, elements.rows_rejected) == (8, 2)
    res = run_module(["check", str(path), "--as-of", AS_OF, "--format", "jsonl"])
    assert res.code == 0, res.err
    assert "read as cin-census" in res.err
    assert "rejected: " in res.err and "Child[4]" in res.err
    counts = reconciled(res.err)
    assert (counts["read"], counts["checked"], counts["rejected"]) == (4, 3, 1)
    assert len([f for f in findings(res.out) if f[0] == "AS002"]) == 3


def test_break_between_children_and_not_well_formed(tmp_path: Path) -> None:
    kids = [child(f"K{n}", cin("2023-09-01")) for n in range(3)]
    text = census(kids)
    cut = text.index("<Child>", text.index("<LAchildID>K1<"))
    items, context = read(write(tmp_path / "between.xml", text[:cut]))
    assert [r.child for r in records(items)] == ["K0", "K1"]
    (broken,) = rejects(items)
    assert broken.row and broken.error.location.pointer == "Message/Children"
    assert context.stats[0].rows_read == 2
    # a mismatched tag, as in a hand-edited 2026 file: children before it are used
    second = text.index("<LAchildID>K1<")
    bad = text[:second] + text[second:].replace(
        "<ReferralSource>1A</ReferralSource>", "<ReferralSource>1A</<ReferralSource>", 1
    )
    items, context = read(write(tmp_path / "mismatch.xml", bad))
    assert [r.child for r in records(items)] == ["K0"]
    (broken,) = rejects(items)
    assert "not well-formed" in broken.error.message
    assert broken.error.location.pointer.startswith("Message/Children/Child[2]/CINdetails[1]")


def test_empty_and_foreign_files(cli, tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "empty.xml", ""))
    assert [i.row for i in items] == [True]  # reported, nothing to count
    res = cli("check", str(tmp_path / "empty.xml"), "--input-format", "cin-census",
              "--as-of", AS_OF)  # fmt: skip
    assert res.code == 2 and "nothing could be checked" in res.err
    with pytest.raises(InputError, match="root element is 'EXPSSDA903'"):
        read(write(tmp_path / "903.xml", "<EXPSSDA903><Header/></EXPSSDA903>"))
    # a directory is read as returns of several years; this one holds none (the foreign XML
    # files are skipped, each said once)
    context = ImportContext()
    with pytest.raises(InputError, match="no CIN census return"):
        list(IMPORTER.read(tmp_path, context))
    assert sorted(Path(s.location.source).name for s in context.skipped) == ["903.xml", "empty.xml"]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<Message><Header/><Children><Child><ChildIdentifiers><LAchildID>&f;</LAchildID>
<PersonBirthDate>2015-03-27</PersonBirthDate></ChildIdentifiers>
<CINdetails><CINreferralDate>2023-09-01</CINreferralDate></CINdetails></Child></Children></Message>
"""


def test_xml_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.xml", BOMB)
    with pytest.raises(InputError, match="refused: the file contains a DOCTYPE") as exc:
        read(path)
    assert "entities are never expanded" in exc.value.message
    external = (
        census([FULL])
        .replace(
            "<Message", '<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Message', 1
        )
        .replace("<LAchildID>C1<", "<LAchildID>&x;<")
    )
    with pytest.raises(InputError, match="refused"):
        read(write(tmp_path / "xxe.xml", external))
    # through the CLI under auto: detected, refused with a message, exit 2, no traceback
    res = run_module(["check", str(path), "--as-of", AS_OF, "--format", "jsonl"])
    assert res.code == 2 and "refused" in res.err and "Traceback" not in res.err
    assert "aaaa" not in res.out


def test_size_limit(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "cin.xml", census([FULL] * 3))
    with pytest.raises(InputError, match="over the 100-byte limit"):
        read(path, CinCensusImporter(max_bytes=100))
    monkeypatch.setenv(MAX_BYTES_ENV, "1000")
    res = cli("check", str(path), "--input-format", "cin-census", "--as-of", AS_OF)
    assert res.code == 2 and f"set {MAX_BYTES_ENV} to raise it" in res.err
    monkeypatch.setenv(MAX_BYTES_ENV, "lots")
    res = cli("check", str(path), "--input-format", "cin-census", "--as-of", AS_OF)
    assert res.code == 2 and "must be a number of bytes" in res.err
    monkeypatch.delenv(MAX_BYTES_ENV)
    items, _ = read(path)
    assert len(records(items)) == 1 and len(rejects(items)) == 2  # the duplicates


def test_quality_codes_are_this_importers_range() -> None:
    assert all(re.fullmatch(r"DATA02\d", code) for code in QUALITY_CODES)
    assert DFE_NS.startswith("http://www.dfe.gov.uk/")


# ----------------------------------------------------------------------------- speed


def test_ten_thousand_children_import_speed(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:  # fmt: skip
    n = 10_000
    kids = []
    for i in range(n):
        month = 1 + i % 12
        kids.append(
            child(
                f"S{i:05d}",
                cin(
                    f"2023-{month:02d}-02",
                    f"2024-{month:02d}-20" if i % 3 == 0 else None,
                    assessments=[assessment(f"2023-{month:02d}-03", f"2023-{month:02d}-27")],
                    s47=[section47(f"2023-{month:02d}-04", f"2023-{month:02d}-21",
                                   target=f"2023-{month:02d}-24")] if i % 4 == 0 else [],
                    plans=[plan(f"2023-{month:02d}-21", reviews=[f"2023-{month:02d}-28"])]
                    if i % 4 == 0 else [],
                ),
            )
        )  # fmt: skip
    path = write(tmp_path / "big.xml", pretty(census(kids)))
    started = time.perf_counter()
    items, context = read(path)
    elapsed = time.perf_counter() - started
    assert len(records(items)) == n and not rejects(items)
    children, elements = context.stats
    assert (children.rows_read, children.rows_used) == (n, n)
    rate = n / elapsed
    with capsys.disabled():
        print(
            f"\nCIN census import: {n} children ({path.stat().st_size / 1e6:.1f} MB, "
            f"{elements.rows_read} elements) in {elapsed:.2f} s = {rate:,.0f} children/s"
        )
