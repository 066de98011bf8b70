"""Ofsted Annex A importer: workbooks and CSV exports written by the tests in the real layout.

Every CLI run here is checked for the same things: no traceback, and rows read = used + rejected
(with one reject line per rejected row).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from annex_workbooks import HEADERS, Sheet, write_csv, write_workbook
from openpyxl import Workbook
from shared_checks import check_sample

from timescales.importers import ImportContext
from timescales.importers.annex_a import (
    IMPORTER,
    QUALITY_CODES,
    SUPPLIES,
    normalise,
    parse_date,
    parse_flag,
)
from timescales.records import NATIONAL_EVENT_TYPES

D = dt.date
SUPPORT = "Was the child assessed as requiring LA children's social care support?"
CURLY_SUPPORT = SUPPORT.replace("'", "’")
AS_OF = "2024-06-28"


# --- helpers -------------------------------------------------------------------------------------
def run_check(
    cli: Any,
    tmp_path: Path,
    *paths: Path,
    fmt: str = "annex-a",
    as_of: str = AS_OF,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    out = check_sample(cli, paths, as_of, tmp_path, "--input-format", fmt, *extra)
    res, findings, reject_rows, notes = out["res"], out["findings"], out["rejects"], out["quality"]
    rows = re.search(r"rows read (\d+), used (\d+), rejected (\d+)", res.err)
    assert rows, res.err
    read, used, rejected = map(int, rows.groups())
    assert read == used + rejected, res.err
    children = re.search(r"children read (\d+), checked (\d+), rejected (\d+)", res.err)
    assert children, res.err
    # one --rejects row per rejected row, per rejected child, per skipped file or sheet (E407)
    # and per table rejected whole (E408: all its rows, counted rejected, said once)
    skipped = re.search(r"files skipped (\d+)", res.err)
    tables = [r for r in reject_rows if r["code"] == "E408"]
    table_rows = sum(int(re.findall(r"all (\d+) rows rejected", r["reason"])[0]) for r in tables)
    assert len([r for r in reject_rows if r["code"] == "E407"]) == int(skipped[1] if skipped else 0)
    assert len(reject_rows) == (
        rejected - table_rows + len(tables) + int(skipped[1] if skipped else 0) + int(children[3])
    )
    return {
        "res": res,
        "findings": findings,
        "rejects": reject_rows,
        "quality": notes,
        "rows": (read, used, rejected),
        "not_assessable": dict(re.findall(r"not assessable: (\w+): (.*)", res.err)),
        "skipped": int(skipped[1]) if skipped else 0,
    }


def read_items(path: Path) -> tuple[list[Any], ImportContext]:
    context = ImportContext()
    items = list(IMPORTER.read(path, context))
    for stats in context.stats:
        assert stats.reconciles(), stats
    row_rejects = [i for i in items if i.row]
    assert len(row_rejects) == sum(s.rows_rejected for s in context.stats)
    return items, context


def records(items: list[Any]) -> dict[str, Any]:
    return {i.record.child: i.record for i in items if i.record is not None}


def by(findings: list[dict[str, Any]], rule: str, child: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule and f["child"] == child]


def one(findings: list[dict[str, Any]], rule: str, child: str) -> dict[str, Any]:
    (found,) = by(findings, rule, child)
    return found


# --- the workbook: every list, renamed sheets, drifted headers, every date form ------------------
def full_workbook(path: Path) -> Path:
    id_ = "Child Unique ID"
    a_start, a_auth = (
        "Continuous Assessment Start Date",
        "Continuous Assessment Date of Authorisation",
    )
    s47, unneeded = (
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
    )
    icpc = "Date of Initial Child Protection Conference"
    cp_start, cp_visit, cp_alone, cp_review, cp_end = (
        "Child Protection Plan Start Date",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
    )
    la_start, la_review, la_ceased = (
        "Date Started to be Looked After",
        "Date of Latest Statutory Review",
        "Date Ceased to be Looked After",
    )
    decision, order, match, adopted, no_longer = (
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
    )
    sheets = [
        Sheet("Contacts", 1, [{id_: "K1", "Date of Contact": D(2024, 1, 3)}]),
        Sheet("EH", 2, [{id_: "K2", "Assessment start date": D(2024, 1, 3)}]),
        Sheet(
            "Referrals 23-24",
            3,
            [
                {id_: "A1", "Date of referral": D(2024, 1, 5), "Allocated Team": "Front door"},
                {id_: "K3", "Date of referral": "04/01/2024"},
            ],
        ),
        Sheet(
            "Assessments",
            4,
            [
                {
                    id_: "A1",
                    "Date of Birth": D(2015, 5, 1),
                    a_start: D(2024, 1, 8),
                    a_auth: D(2024, 2, 20),
                    "Allocated Team": "Assessment 1",
                },
                {id_: "A2", a_start: 45300, a_auth: "12 March 2024"},  # Excel serial; text
                {id_: "A3", a_start: "15/01/2024", a_auth: "2024-04-02"},
                {id_: "A4", a_start: "01-02-2024"},
                {id_: "A5", a_start: "2024-06-03"},
                {id_: "A6", a_start: "05/02/24", a_auth: "5 Apr 2024"},
                {id_: "L5", a_start: D(2024, 5, 1), a_auth: D(2024, 5, 20)},
            ],
            rename={
                id_: "Child ID",
                a_start: "  CONTINUOUS assessment start-date ",
                a_auth: "Continuous Assessment Date of Authorization",
                SUPPORT: CURLY_SUPPORT,
            },
            title_rows=["Annex A – List 4: Assessments", "Period 01/04/2023 to 31/03/2024"],
        ),
        Sheet(
            "S47",
            5,
            [
                {id_: "S1", s47: D(2024, 2, 1), unneeded: "No", icpc: D(2024, 2, 20)},
                {id_: "S2", s47: D(2024, 3, 1), unneeded: "b) No", icpc: D(2024, 4, 10)},
                {id_: "S3", s47: D(2024, 4, 1), unneeded: "a) Yes"},
                {id_: "S4", s47: D(2024, 5, 1)},
            ],
            rename={unneeded: "Was an Initial Child Protection Conference deemed unnecessary"},
        ),
        Sheet("CIN", 6, [{id_: "K4", "CIN Start Date": D(2024, 1, 3)}]),
        Sheet(
            "CP plans",
            7,
            [
                {id_: "P1", cp_start: D(2024, 1, 10), cp_visit: D(2024, 6, 20), cp_alone: "Yes"},
                {id_: "P2", cp_start: D(2024, 2, 1), cp_review: D(2024, 4, 25)},
                {id_: "P3", cp_start: D(2023, 6, 1), cp_review: D(2024, 3, 1)},
                {
                    id_: "P4",
                    cp_start: D(2023, 9, 1),
                    cp_review: D(2023, 11, 20),
                    cp_end: D(2023, 12, 15),
                },
            ],
            rename={cp_review: "Date of Latest Review Conference", cp_alone: "Child seen alone"},
        ),
        Sheet(
            "LAC",
            8,
            [
                {id_: "L1", la_start: D(2024, 1, 2)},
                {id_: "L2", la_start: D(2024, 2, 5), la_review: D(2024, 2, 28)},
                {id_: "L3", la_start: D(2022, 5, 3), la_review: D(2024, 3, 15)},
                {id_: "L4", la_start: D(2024, 3, 1), la_ceased: D(2024, 3, 10)},
                {id_: "L5", la_start: D(2024, 6, 10)},
            ],
            rename={
                "Child's Legal Status": "Child’s Legal Status",
                la_start: "Date started to be looked after\n(current period)",
            },
        ),
        Sheet(
            "Care leavers",
            9,
            [
                {
                    id_: "CL1",
                    "Latest Pathway Plan Review Date": D(2024, 1, 1),
                    "Latest Date of Contact": D(2024, 6, 1),
                }
            ],
        ),
        Sheet(
            "Adoption",
            10,
            [
                {id_: "AD1", decision: D(2023, 6, 1), order: D(2023, 9, 1), match: D(2023, 11, 15)},
                {id_: "AD2", decision: D(2023, 10, 1), order: D(2023, 11, 1)},
                {
                    id_: "AD3",
                    decision: D(2023, 5, 1),
                    order: D(2023, 6, 1),
                    no_longer: D(2023, 9, 1),
                },
                {
                    id_: "AD4",
                    decision: D(2023, 1, 1),
                    order: D(2023, 2, 1),
                    match: D(2023, 9, 1),
                    adopted: D(2024, 2, 1),
                },
            ],
        ),
        Sheet(
            "Adopters",
            11,
            [
                {"Individual adopter identifier": "AP1", "Date enquiry received": D(2023, 1, 1)},
                {"Individual adopter identifier": "AP2", "Date enquiry received": D(2023, 2, 1)},
            ],
        ),
    ]
    return write_workbook(path, sheets)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return full_workbook(tmp_path / "annex_a.xlsx")


def test_full_workbook_through_the_cli(cli: Any, tmp_path: Path, workbook: Path) -> None:
    out = run_check(cli, tmp_path, workbook)
    findings = out["findings"]
    assert out["res"].code == 1  # breaches
    # List 11 (adopters) is skipped with a notice, not counted as 2 rejected rows
    assert out["rows"] == (30, 30, 0)
    assert "#Adopters:1: List 11 (prospective adopters) is about adults" in out["res"].err
    assert out["skipped"] == 0 and out["rejects"] == []

    # List 4: one AS002 per row, every date form read
    a1 = one(findings, "AS002", "A1")
    assert (a1["ref"], a1["anchor"], a1["due"], a1["status"]) == (
        "L4:2024-01-08",
        "2024-01-08",
        "2024-03-11",
        "met",
    )
    a2 = one(findings, "AS002", "A2")  # serial 45300 = 9 Jan 2024; "12 March 2024"
    assert (a2["anchor"], a2["done"], a2["status"]) == ("2024-01-09", "2024-03-12", "met")
    a3 = one(findings, "AS002", "A3")
    assert (a3["anchor"], a3["done"], a3["status"]) == ("2024-01-15", "2024-04-02", "late")
    assert one(findings, "AS002", "A4")["anchor"] == "2024-02-01"
    assert one(findings, "AS002", "A4")["status"] == "overdue"
    assert one(findings, "AS002", "A5")["status"] == "pending"
    a6 = one(findings, "AS002", "A6")  # 05/02/24 (two-digit year) and "5 Apr 2024"
    assert (a6["anchor"], a6["done"]) == ("2024-02-05", "2024-04-05")
    assert a1["team"] == "Front door"  # the first list naming a team wins
    assert "partial_history" not in a1
    assert len([f for f in findings if f["rule"] == "AS002"]) == 7

    # AS001 cannot be assessed from Annex A, nor the rules it has no events for
    na = out["not_assessable"]
    assert "AS001" in na and "referral" in na["AS001"]
    for rule in ("AD001", "AD003", "LA002", "LA003", "LA004", "LA008", "LA020", "CP001", "CP005"):
        assert rule in na
    for rule in ("AS002", "CP002", "CP003", "CP004", "LA005", "LA006", "LA007", "AD002"):
        assert rule not in na
    assert not [f for f in findings if f["rule"] == "AS001"]

    # List 5: CP002 from the enquiry's start; "deemed unnecessary" voids it
    assert one(findings, "CP002", "S1")["status"] == "met"
    assert one(findings, "CP002", "S2")["status"] == "late"
    assert not by(findings, "CP002", "S3")
    assert one(findings, "CP002", "S4")["status"] == "overdue"

    # List 7, end to end with the engine reading known_from. P1 has no review yet (blank: none
    # held, a whole history): CP003 overdue from the plan's start. P2, P3 and P4 carry a latest
    # review: their review history begins there, so CP003 (its clock, the plan's start, falls
    # before it) is not assessed, and the gap after the latest review is (CP004: 6 months).
    # P3's review came after its first was due: it used to be dropped whole (DATA030).
    p1 = one(findings, "CP003", "P1")
    assert (p1["status"], p1["due"]) == ("overdue", "2024-04-10")
    assert not by(findings, "CP003", "P2") and not by(findings, "CP003", "P3")
    p2 = one(findings, "CP004", "P2")
    assert (p2["anchor"], p2["due"], p2["status"]) == ("2024-04-25", "2024-10-25", "pending")
    p3 = one(findings, "CP004", "P3")
    assert (p3["anchor"], p3["due"], p3["status"]) == ("2024-03-01", "2024-09-01", "pending")
    assert not [f for f in findings if f["child"] == "P4"]  # ended before the next was due
    assert "not assessed: CP003: 3 not assessed (clock before the history the data holds)" in (
        out["res"].err
    )

    # List 8 likewise. L1 (no review): LA005 overdue. L2 and L3: the first review is not
    # assessed, and the gap after the latest one is not a certain breach at 28 June (3 months
    # under LA006 if it was the first review, 6 under LA007 if not: the engine cannot tell, so
    # nothing is reported). L3 was dropped whole before (DATA030).
    assert one(findings, "LA005", "L1")["status"] == "overdue"
    assert not [f for f in findings if f["child"] in ("L2", "L3", "L4")]
    assert one(findings, "LA005", "L5")["status"] == "pending"
    assert "not assessed: LA005: 2 not assessed" in out["res"].err

    # List 10: AD002
    assert one(findings, "AD002", "AD1")["status"] == "met"
    assert one(findings, "AD002", "AD2")["status"] == "overdue"
    assert not by(findings, "AD002", "AD3")
    assert one(findings, "AD002", "AD4")["status"] == "late"

    # no record-wide partial_history: a list's history is said per case (known_from), and the
    # engine marks only the findings that rest on it
    assert not any(f.get("partial_history") and f["rule"] == "AS002" for f in findings)

    codes = {(n["code"], n["child"]) for n in out["quality"]}
    assert ("DATA034", "AD3") in codes
    assert not any(code in ("DATA030", "DATA037") for code, _ in codes)  # no gating any more


def test_auto_detects_annex_a(cli: Any, tmp_path: Path, workbook: Path) -> None:
    out = run_check(cli, tmp_path, workbook, fmt="auto")
    assert f"input: {workbook} read as annex-a" in out["res"].err
    assert IMPORTER.sniff(workbook)


def test_records_merge_a_child_across_lists(tmp_path: Path, workbook: Path) -> None:
    items, context = read_items(workbook)
    recs = records(items)
    assert len(recs) == len(items)  # one record per child; List 11 is skipped, not rejected
    l5 = recs["L5"]
    assert not l5.partial_history and l5.known_from == ()  # no review yet: a whole history
    assert {e.type for e in l5.events} == {
        "assessment_started",
        "assessment_completed",
        "became_looked_after",
    }
    a1 = recs["A1"]
    assert a1.dob == D(2015, 5, 1) and not a1.partial_history
    assert {e.type for r in recs.values() for e in r.events} <= SUPPLIES
    assert set(NATIONAL_EVENT_TYPES) >= SUPPLIES
    sources = {s.source.rsplit("#", 1)[1]: s for s in context.stats}
    assert sources["Assessments"].rows_read == 7  # the title rows and header are not data
    assert "Adopters" not in sources
    (adopters,) = context.skipped
    assert adopters.documentation and adopters.location.source.endswith("#Adopters")
    cp1 = recs["P1"]
    visit = next(e for e in cp1.events if e.type == "cp_visit")
    assert visit.attrs == {"seen_alone": True} and visit.ref == "L7:2024-01-10"


def _known(record: Any) -> list[tuple[str, str | None, tuple[str, ...] | None]]:
    return [(k.from_.isoformat(), k.case, k.events) for k in record.known_from]


def test_latest_only_lists_set_known_from(tmp_path: Path, workbook: Path) -> None:
    """Lists 7, 8 and 9 hold each thing's latest event only: the importer says where that
    history begins (per plan or period, per event type) and emits every plan and period; it no
    longer gates them (DATA030) nor counts a due date of its own."""
    recs = records(read_items(workbook)[0])
    # P3: a plan from June 2023 whose latest review (March 2024) came after the first was due:
    # emitted whole, the review history known from that review on
    p3 = recs["P3"]
    assert [(e.type, e.date.isoformat()) for e in p3.events] == [
        ("cp_plan_started", "2023-06-01"),
        ("cp_review", "2024-03-01"),
    ]
    assert _known(p3) == [("2024-03-01", "L7:2023-06-01", ("cp_review",))]
    # L3 likewise for a period of care
    l3 = recs["L3"]
    assert [e.type for e in l3.events] == ["became_looked_after", "lac_review"]
    assert _known(l3) == [("2024-03-15", "L8:2022-05-03", ("lac_review",))]
    # a latest review that may be the first (L2) is said the same way: the engine decides
    assert _known(recs["L2"]) == [("2024-02-28", "L8:2024-02-05", ("lac_review",))]
    # the latest statutory visit of a plan (P1), and the care leaver's latest review and contact
    assert _known(recs["P1"]) == [("2024-06-20", "L7:2024-01-10", ("cp_visit",))]
    assert _known(recs["CL1"]) == [
        ("2024-01-01", None, ("pathway_plan_review",)),
        ("2024-06-01", None, ("pa_contact",)),
    ]
    # no review yet: nothing before it is missing
    assert _known(recs["L1"]) == [] and _known(recs["P2"]) == [
        ("2024-04-25", "L7:2024-02-01", ("cp_review",))
    ]
    assert not any(r.partial_history for r in recs.values())


def test_convert_writes_canonical_records_with_known_from(
    cli: Any, tmp_path: Path, workbook: Path
) -> None:
    res = cli("convert", "--input-format", "annex-a", str(workbook))
    assert res.code == 0, res.err
    out = {r["child"]: r for r in map(json.loads, res.out.splitlines())}
    assert "partial_history" not in out["L2"]
    assert out["L2"]["events"] == [
        {"type": "became_looked_after", "date": "2024-02-05", "ref": "L8:2024-02-05"},
        {"type": "lac_review", "date": "2024-02-28", "ref": "L8:2024-02-05"},
    ]
    assert out["L2"]["known_from"] == [
        {"from": "2024-02-28", "case": "L8:2024-02-05", "events": ["lac_review"]}
    ]
    assert "known_from" not in out["A3"]


# --- formulas, blanks, bad values ----------------------------------------------------------------
def assessments(rows: list[dict[str, Any]], **kw: Any) -> Sheet:
    return Sheet("Assessments", 4, rows, **kw)


def test_formula_cells_are_reported_not_evaluated(cli: Any, tmp_path: Path) -> None:
    start = "Continuous Assessment Start Date"
    rows = [
        {"Child Unique ID": "F1", start: "=DATE(2024,1,8)"},
        {
            "Child Unique ID": "F2",
            start: D(2024, 1, 8),
            "Age of Child (Years)": '=DATEDIF(D3,TODAY(),"y")',
        },
        {"Child Unique ID": "F3", start: D(2024, 1, 8), "Allocated Worker": "=VLOOKUP(A4,X!A:B,2)"},
        {"Age of Child (Years)": '=DATEDIF(D5,TODAY(),"y")'},  # template residue, not a row
    ]
    path = write_workbook(tmp_path / "f.xlsx", [assessments(rows)])
    out = run_check(cli, tmp_path, path)
    assert out["rows"] == (3, 2, 1)
    (reject,) = out["rejects"]
    column = HEADERS[4].index(start) + 1
    assert reject["pointer"] == f"Assessments!{chr(64 + column)}2"
    assert reject["field"] == start and reject["line"] == "2"
    assert "formula" in reject["reason"] and "not evaluated" in reject["reason"]
    assert {f["child"] for f in out["findings"]} == {"F2", "F3"}
    assert all(f["worker"] is None for f in out["findings"])


def test_blank_required_fields_and_bad_values_are_row_rejects(cli: Any, tmp_path: Path) -> None:
    start, auth = "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"
    rows = [
        {start: D(2024, 1, 8), "Allocated Team": "T"},  # no child ID
        {"Child Unique ID": "B2"},  # no start
        {"Child Unique ID": "B3", start: "31/02/2024"},  # no such day
        {"Child Unique ID": "B4", start: D(2024, 1, 8), auth: "TBC"},
        {"Child Unique ID": "B5", start: "02/13/2024"},  # month first: not guessed
        {"Child Unique ID": "B6", start: D(2024, 1, 8), "Date of Birth": "31/02/2015"},
        {"Child Unique ID": "B7", start: True},
        {"Child Unique ID": "B8", start: D(2024, 1, 8), auth: "N/A"},  # a blank
    ]
    s47 = "Strategy discussion initiating Section 47 Enquiry Start Date"
    flag = "Was an Initial Child Protection Conference deemed unnecessary?"
    sheets = [
        assessments(rows),
        Sheet("S47", 5, [{"Child Unique ID": "B9", s47: D(2024, 1, 8), flag: "maybe"}]),
    ]
    out = run_check(cli, tmp_path, write_workbook(tmp_path / "b.xlsx", sheets))
    # only a required field (the child, the clock's date) rejects a row: B4's authorisation
    # "TBC" and B9's "maybe" are optional fields, unknown with a note (decisions.md)
    assert out["rows"] == (9, 4, 5)
    reasons = {(r["pointer"], r["field"]): r["reason"] for r in out["rejects"]}
    col = {h: chr(65 + i) for i, h in enumerate(HEADERS[4])}
    assert reasons[(f"Assessments!{col['Child Unique ID']}2", "Child Unique ID")] == (
        "Child Unique ID is blank"
    )
    assert reasons[(f"Assessments!{col[start]}3", start)] == f"{start} is blank"
    assert "not a real calendar date" in reasons[(f"Assessments!{col[start]}4", start)]
    assert "not a real calendar date" in reasons[(f"Assessments!{col[start]}6", start)]
    assert "true/false" in reasons[(f"Assessments!{col[start]}8", start)]
    assert len(reasons) == 5
    unknown = {n["child"]: n for n in out["quality"] if n["code"] == "DATA038"}
    assert set(unknown) == {"B4", "B9"}
    assert (
        f"cell Assessments!{col[auth]}5 ({auth}) is unreadable: not a date (an Excel date"
        in (unknown["B4"]["message"])
    )
    assert "Yes, No or Unknown" in unknown["B9"]["message"]
    # the values themselves are never echoed (they may be personal data)
    text = json.dumps(out["rejects"]) + json.dumps(out["quality"]) + out["res"].err
    for value in ("31/02/2024", "TBC", "02/13/2024", "31/02/2015", "maybe"):
        assert value not in text
    (dob,) = [n for n in out["quality"] if n["code"] == "DATA035"]
    assert dob["child"] == "B6"
    # the rows are used, but B4's completion and B9's "no conference needed" are unknown, not
    # blank: their assessment and enquiry are not checked (DATA039), never reported overdue
    assert {f["child"] for f in out["findings"]} == {"B6", "B8"}
    assert {n["child"] for n in out["quality"] if n["code"] == "DATA039"} == {"B4", "B9"}


def test_unknown_lists_and_missing_columns(cli: Any, tmp_path: Path) -> None:
    start = "Continuous Assessment Start Date"
    sheets = [
        assessments([{"Child Unique ID": "U1", start: D(2024, 1, 8)}]),
        Sheet("Notes", None, [{"Note": "Prepared by the performance team"}], headers=["Note"]),
        Sheet(
            "List 12",  # a council's own list: a child ID but no Annex A list's columns
            None,
            [{"Child Unique ID": "U2", "Private fostering notification": "01/02/2024"}],
            headers=["Child Unique ID", "Private fostering notification"],
        ),
        Sheet(
            "Assessments (old)",  # List 4 without its start date column
            None,
            [{"Child Unique ID": "U3", "Child Seen During Continuous Assessment": "Yes"}],
            headers=["Child Unique ID", "Child Seen During Continuous Assessment"],
        ),
    ]
    out = run_check(cli, tmp_path, write_workbook(tmp_path / "u.xlsx", sheets))
    # the notes sheet: one notice; the council's own list: skipped (E407, counted); List 4
    # without its start date: rejected whole (E408, its row counted rejected), said once
    assert out["rows"] == (2, 1, 1)
    assert out["skipped"] == 1
    err = out["res"].err
    assert "u.xlsx#Notes: documentation (a cover, notes or guidance" in err
    reasons = {r["source"]: r for r in out["rejects"]}
    twelve = reasons[f"{tmp_path / 'u.xlsx'}#List 12"]
    assert twelve["code"] == "E407" and "not an Annex A list" in twelve["reason"]
    old = reasons[f"{tmp_path / 'u.xlsx'}#Assessments (old)"]
    assert old["code"] == "E408" and f"no {start!r} column" in old["reason"]
    assert "all 1 rows rejected" in old["reason"]
    assert "files skipped 1; tables rejected 1" in err


def test_header_after_the_scanned_rows_is_not_found(cli: Any, tmp_path: Path) -> None:
    start = "Continuous Assessment Start Date"
    late = assessments(
        [{"Child Unique ID": "H1", start: D(2024, 1, 8)}],
        title_rows=[f"title {i}" for i in range(10)],
    )
    ok = Sheet(
        "CLA", 8, [{"Child Unique ID": "H2", "Date Started to be Looked After": D(2024, 1, 8)}]
    )
    out = run_check(cli, tmp_path, write_workbook(tmp_path / "h.xlsx", [late, ok]))
    # the sheet whose header is below the scanned rows holds no list as far as the importer
    # can tell: skipped whole (one warning), never 12 rejected rows
    assert out["rows"] == (1, 1, 0)
    assert out["skipped"] == 1


# --- CSV exports ---------------------------------------------------------------------------------
def test_csv_export_with_windows_encoding_and_title_row(cli: Any, tmp_path: Path) -> None:
    start, auth = "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"
    spec = assessments(
        [
            {"Child Unique ID": "V1", start: "08/01/2024", auth: "20/02/2024"},
            {"Child Unique ID": "V2", start: "8 January 2024"},
            {"Child Unique ID": "", start: "08/01/2024"},
        ],
        rename={SUPPORT: CURLY_SUPPORT},
        title_rows=["List 4 – assessments"],
    )
    path = write_csv(tmp_path / "list4.csv", spec, encoding="cp1252", delimiter=";")
    out = run_check(cli, tmp_path, path, fmt="auto")
    assert f"{path} read as annex-a" in out["res"].err
    assert out["rows"] == (3, 2, 1)
    assert out["rejects"][0]["pointer"] == "A5" and out["rejects"][0]["line"] == "5"
    assert one(out["findings"], "AS002", "V1")["status"] == "met"
    assert one(out["findings"], "AS002", "V2")["status"] == "overdue"


def test_directory_of_csv_exports_merges_children(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_csv(
        folder / "list4.csv",
        assessments([{"Child Unique ID": "M1", "Continuous Assessment Start Date": "08/01/2024"}]),
    )
    write_csv(
        folder / "list8.csv",
        Sheet(
            "LAC", 8, [{"Child Unique ID": "M1", "Date Started to be Looked After": "02/01/2024"}]
        ),
    )
    (folder / "README.txt").write_text("not data")
    (folder / "extract.log").write_text("ran at 09:00")
    out = run_check(cli, tmp_path, folder, fmt="auto")
    assert f"{folder} read as annex-a" in out["res"].err
    assert not [n for n in out["quality"] if n["code"] == "DATA002"]
    assert {f["rule"] for f in out["findings"]} == {"AS002", "LA005"}
    # the README: a notice; the log: skipped (a warning, a --rejects row, counted)
    assert f"{folder / 'README.txt'}: documentation" in out["res"].err
    (log,) = out["rejects"]
    assert (log["source"], log["code"]) == (str(folder / "extract.log"), "E407")


# --- untrusted workbooks -------------------------------------------------------------------------
def test_zip_bomb_by_ratio_is_refused(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * (1024 * 1024)
            for _ in range(24):
                member.write(block)
    res = cli("check", "--input-format", "annex-a", str(path), "--as-of", AS_OF)
    assert res.code == 2 and "Traceback" not in res.err
    assert "refusing the workbook" in res.err and "expands" in res.err
    res = cli("check", str(path), "--as-of", AS_OF)  # auto: claimed, then refused with the reason
    assert res.code == 2 and "refusing the workbook" in res.err


def test_zip_declaring_a_huge_sheet_is_refused_before_opening(cli: Any, tmp_path: Path) -> None:
    path = full_workbook(tmp_path / "declared.xlsx")
    data = bytearray(path.read_bytes())
    # raise the uncompressed size the central directory declares for every part to ~3.9 GB
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, 0xF0000000)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    res = cli("check", "--input-format", "annex-a", str(path), "--as-of", AS_OF)
    assert res.code == 2 and "Traceback" not in res.err
    assert "would expand to" in res.err and "limit 512 MiB" in res.err


def test_empty_workbook_and_non_workbooks(cli: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    assert not IMPORTER.sniff(empty)
    res = cli("check", "--input-format", "annex-a", str(empty), "--as-of", AS_OF)
    assert res.code == 2 and "no Annex A list found" in res.err and "Traceback" not in res.err
    res = cli("check", str(empty), "--as-of", AS_OF)
    assert res.code == 2 and "cannot tell the input format" in res.err

    text = tmp_path / "text.xlsx"
    text.write_text("Child Unique ID,Continuous Assessment Start Date\n")
    res = cli("check", "--input-format", "annex-a", str(text), "--as-of", AS_OF)
    assert res.code == 2 and "not an xlsx workbook" in res.err

    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    res = cli("check", "--input-format", "annex-a", str(old), "--as-of", AS_OF)
    assert res.code == 2 and "old .xls workbook" in res.err

    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(full_workbook(tmp_path / "ok.xlsx").read_bytes()[:3000])
    res = cli("check", "--input-format", "annex-a", str(damaged), "--as-of", AS_OF)
    assert res.code == 2 and "Traceback" not in res.err


def test_sniff_leaves_other_files_alone(tmp_path: Path) -> None:
    other = tmp_path / "budget.xlsx"
    wb = Workbook()
    wb.active.append(["Cost centre", "Amount"])
    wb.save(other)
    assert not IMPORTER.sniff(other)
    episodes = tmp_path / "episodes.csv"
    episodes.write_text("CHILD,DECOM,RNE,LS,CIN,PLACE\n1,01/01/2020,S,C2,N1,U1\n")
    assert not IMPORTER.sniff(episodes)
    list8 = write_csv(tmp_path / "l8.csv", Sheet("x", 8, []))
    assert IMPORTER.sniff(list8) and IMPORTER.sniff(tmp_path)


# --- the latest-event lists, one by one: no gate, where the history begins ---------------------
def _one_record(path: Path) -> tuple[Any, list[str]]:
    items, _ = read_items(path)
    (record,) = records(items).values()
    return record, [n.code for i in items for n in i.quality]


@pytest.mark.parametrize(
    ("review", "ceased", "events", "known"),
    [
        # no review at all: the period's history is whole (the engine assesses LA005)
        (None, None, ["became_looked_after"], []),
        # a latest review: its history begins at that review, whether it was the first or not
        (D(2024, 1, 25), None, ["became_looked_after", "lac_review"], ["2024-01-25"]),
        (D(2024, 1, 31), None, ["became_looked_after", "lac_review"], ["2024-01-31"]),
        (D(2025, 3, 3), None, ["became_looked_after", "lac_review"], ["2025-03-03"]),
        # before the period: contradictory (DATA031), nothing emitted
        (D(2023, 12, 1), None, [], []),
        (None, D(2024, 1, 20), ["became_looked_after", "ceased_looked_after"], []),
    ],
)
def test_list8_latest_review(
    tmp_path: Path,
    review: dt.date | None,
    ceased: dt.date | None,
    events: list[str],
    known: list[str],
) -> None:
    row = {
        "Child Unique ID": "G1",
        "Date Started to be Looked After": D(2024, 1, 2),
        "Date of Latest Statutory Review": review,
        "Date Ceased to be Looked After": ceased,
    }
    record, codes = _one_record(write_workbook(tmp_path / "g.xlsx", [Sheet("CLA", 8, [row])]))
    assert [e.type for e in record.events] == events
    assert [k.from_.isoformat() for k in record.known_from] == known
    assert all(k.case == "L8:2024-01-02" and k.events == ("lac_review",) for k in record.known_from)
    assert not record.partial_history
    assert codes == (["DATA031"] if not events else [])


@pytest.mark.parametrize(
    ("review", "known"),
    [(None, []), (D(2024, 4, 10), ["2024-04-10"]), (D(2024, 9, 11), ["2024-09-11"])],
)
def test_list7_latest_review(tmp_path: Path, review: dt.date | None, known: list[str]) -> None:
    row = {
        "Child Unique ID": "G2",
        "Child Protection Plan Start Date": D(2024, 1, 10),
        "Date of latest review conference": review,
    }
    record, codes = _one_record(write_workbook(tmp_path / "g.xlsx", [Sheet("CP", 7, [row])]))
    assert record.events[0].type == "cp_plan_started"
    assert [k.from_.isoformat() for k in record.known_from] == known
    assert all(k.case == "L7:2024-01-10" and k.events == ("cp_review",) for k in record.known_from)
    assert codes == []


def test_rows_of_one_period_disagreeing_are_merged_with_a_note(tmp_path: Path) -> None:
    start, review = "Date Started to be Looked After", "Date of Latest Statutory Review"
    rows = [
        {"Child Unique ID": "R1", start: D(2024, 1, 2), review: D(2024, 1, 10)},
        {"Child Unique ID": "R1", start: D(2024, 1, 2), review: D(2024, 1, 20)},
    ]
    items, _ = read_items(write_workbook(tmp_path / "r.xlsx", [Sheet("CLA", 8, rows)]))
    (item,) = items
    reviews = [e.date for e in item.record.events if e.type == "lac_review"]
    assert reviews == [D(2024, 1, 20)]  # the latest
    assert [n.code for n in item.quality] == ["DATA032"]


# --- values --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2024, 3, 12, 0, 0), D(2024, 3, 12)),  # noqa: DTZ001
        (D(2024, 3, 12), D(2024, 3, 12)),
        ("12/03/2024", D(2024, 3, 12)),
        ("12-03-2024", D(2024, 3, 12)),
        ("12.03.2024", D(2024, 3, 12)),
        ("1/3/2024", D(2024, 3, 1)),
        ("2024-03-12", D(2024, 3, 12)),
        ("2024-03-12 00:00:00", D(2024, 3, 12)),
        ("12/03/2024 14:30", D(2024, 3, 12)),
        ("12/03/24", D(2024, 3, 12)),
        ("12/03/68", D(2068, 3, 12)),  # the pivot: 00-68 -> 20xx
        ("12/03/69", D(1969, 3, 12)),  # 69-99 -> 19xx
        ("12 March 2024", D(2024, 3, 12)),
        ("12th March 2024", D(2024, 3, 12)),
        ("12 Mar 2024", D(2024, 3, 12)),
        ("12-Mar-24", D(2024, 3, 12)),
        ("1 Sept. 2024", D(2024, 9, 1)),
        (" 12  march  2024 ", D(2024, 3, 12)),
        ("", None),
        ("N/A", None),
        ("-", None),
        (None, None),
    ],
)
def test_parse_date_forms(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


def test_parse_date_serials_follow_the_workbook_epoch() -> None:
    windows = dt.datetime(1899, 12, 30)  # noqa: DTZ001
    mac = dt.datetime(1904, 1, 1)  # noqa: DTZ001
    assert parse_date(45363, windows) == D(2024, 3, 12)
    assert parse_date(45363.0, windows) == D(2024, 3, 12)
    assert parse_date(43901, mac) == D(2024, 3, 12)
    with pytest.raises(ValueError, match="a number, not a date"):
        parse_date(45363)  # a number in a CSV has no epoch


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2024",
        "13/13/2024",
        "02/13/2024",
        "TBC",
        "2024",
        "12/03/0024",
        "12 Smarch 2024",
        True,
        0,
        -5,
        10**9,
        float("nan"),
        dt.time(12, 0),
    ],
)
def test_parse_date_refuses(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date(value, dt.datetime(1899, 12, 30))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Yes", True),
        ("a) Yes", True),
        ("Y", True),
        ("b) No", False),
        ("n", False),
        ("c) Unknown", None),
        ("", None),
        (None, None),
        (1, True),
    ],
)
def test_parse_flag(value: object, expected: bool | None) -> None:
    assert parse_flag(value) is expected


def test_header_normalisation() -> None:
    assert (
        normalise("Child’s  Legal STATUS ")
        == normalise("Child's Legal Status")
        == ("childs legal status")
    )
    assert normalise("Date started to be looked after\n(current period)") == (
        "date started to be looked after"
    )
    assert normalise("Referral NFA?") == "referral nfa"
    assert normalise("Date of Last IRO Visit / Contact to the Child") == (
        "date of last iro visit contact to the child"
    )


def test_quality_codes_are_in_the_importers_range() -> None:
    assert set(QUALITY_CODES) <= {f"DATA{n:03}" for n in range(30, 40)}


# --- speed ---------------------------------------------------------------------------------------
def big_workbook(path: Path, rows: int) -> Path:
    start, auth = "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"
    quarter = rows // 4
    base = D(2023, 4, 3)
    a_rows = [
        {
            "Child Unique ID": f"C{i:06}",
            "Date of Birth": D(2010, 1, 1) + dt.timedelta(days=i % 3000),
            start: base + dt.timedelta(days=i % 300),
            auth: (base + dt.timedelta(days=i % 300 + 30 + i % 40)) if i % 7 else None,
            "Allocated Team": f"Team {i % 12}",
            "Allocated Worker": f"Worker {i % 90}",
        }
        for i in range(2 * quarter)
    ]
    l_rows = [
        {
            "Child Unique ID": f"C{i:06}",
            "Date Started to be Looked After": base + dt.timedelta(days=i % 360),
            "Date of Latest Statutory Review": (base + dt.timedelta(days=i % 360 + i % 50))
            if i % 3
            else None,
            "Date of Last Social Work Visit": "01/05/2024",
            "Placement Type": "U4",
        }
        for i in range(0, 2 * quarter, 2)
    ]
    c_rows = [
        {
            "Child Unique ID": f"C{i:06}",
            "Child Protection Plan Start Date": base + dt.timedelta(days=i % 360),
            "Date of latest review conference": (base + dt.timedelta(days=i % 360 + i % 120))
            if i % 2
            else None,
            "Date of the Last Statutory Visit": "12/06/2024",
            "Was the Child Seen Alone?": "a) Yes",
        }
        for i in range(1, 2 * quarter + 1, 2)
    ]
    sheets = [Sheet("List 4", 4, a_rows), Sheet("List 8", 8, l_rows), Sheet("List 7", 7, c_rows)]
    return write_workbook(path, sheets)


def test_ten_thousand_rows_import_whole(cli: Any, tmp_path: Path, capsys: Any) -> None:
    path = big_workbook(tmp_path / "big.xlsx", 10_000)
    began = time.perf_counter()
    items, context = read_items(path)
    seconds = time.perf_counter() - began
    read = sum(s.rows_read for s in context.stats)
    used = sum(s.rows_used for s in context.stats)
    assert read == 10_000 and used == 10_000
    assert len(records(items)) == 5_000
    rate = read / seconds
    with capsys.disabled():
        print(f"\nannex-a import: {read} rows in {seconds:.2f} s = {rate:,.0f} rows/s")


def test_error_cells_and_out_of_range_date_serials(cli: Any, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Assessments"
    ws.append(["Child Unique ID", "Continuous Assessment Start Date"])
    ws.append(["E1", 10**8])  # formatted as a date but past any date: openpyxl makes it #VALUE!
    ws["B2"].number_format = "dd/mm/yyyy"
    ws.append(["E2", -5])  # before 1900
    ws["B3"].number_format = "dd/mm/yyyy"
    ws.append(["E3", 45300])
    ws["B4"].number_format = "dd/mm/yyyy"
    path = tmp_path / "e.xlsx"
    wb.save(path)
    out = run_check(cli, tmp_path, path)
    assert out["rows"] == (3, 1, 2)
    reasons = {r["pointer"]: r["reason"] for r in out["rejects"]}
    assert "Excel error value" in reasons["Assessments!B2"]
    assert "outside 1900-2099" in reasons["Assessments!B3"]
    assert "100000000" not in out["res"].err and "Warning" not in out["res"].err


def test_the_docs_name_every_column_alias_and_quality_code() -> None:
    from timescales.importers.annex_a import COMMON, LISTS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "importers" / "annex-a.md").read_text(
        encoding="utf-8"
    )
    docs = " ".join(docs.split())
    for column in (*COMMON, *(c for spec in LISTS for c in spec.columns)):
        if column.kind == "known" and not column.aliases:
            continue
        for name in (column.label, *column.aliases):
            assert name in docs, name
    for code in QUALITY_CODES:
        assert f"| {code} |" in docs, code
    assert set(SUPPLIES) <= set(re.findall(r"`(\w+)`", docs))


def test_data_quality_notes(cli: Any, tmp_path: Path) -> None:
    start, dob = "Continuous Assessment Start Date", "Date of Birth"
    s47, unneeded, icpc = (
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
    )
    sheets = [
        assessments(
            [
                {"Child Unique ID": "Q1", dob: D(2015, 1, 1), start: D(2024, 1, 8)},
                {"Child Unique ID": "Q2", dob: "=TODAY()", start: D(2024, 1, 8)},
            ]
        ),
        Sheet(
            "S47",
            5,
            [
                {
                    "Child Unique ID": "Q1",
                    dob: D(2015, 1, 2),
                    s47: D(2024, 2, 1),
                    unneeded: "Yes",
                    icpc: D(2024, 2, 10),
                }
            ],
        ),
        Sheet(
            "CP",
            7,
            [
                {
                    "Child Unique ID": "Q3",
                    "Child Protection Plan Start Date": D(2024, 3, 1),
                    "Child Protection Plan End Date": D(2024, 2, 1),
                }
            ],
        ),
        Sheet(
            "CLA",
            8,
            [{"Child Unique ID": "Q4", "Date Started to be Looked After": D(2030, 12, 20)}],
        ),
        Sheet(
            "CL",
            9,
            [
                {
                    "Child Unique ID": "Q5",
                    "Latest Pathway Plan Review Date": "01/02/2024",
                    "Latest Date of Contact": "01/06/2024",
                }
            ],
        ),
    ]
    path = write_workbook(tmp_path / "q.xlsx", sheets)
    out = run_check(cli, tmp_path, path)
    codes = {(n["code"], n["child"]) for n in out["quality"]}
    assert {
        ("DATA036", "Q1"),
        ("DATA033", "Q1"),
        ("DATA035", "Q2"),
        ("DATA031", "Q3"),
    } <= codes
    assert one(out["findings"], "CP002", "Q1")["done"] == "2024-02-10"
    items, _ = read_items(path)
    recs = records(items)
    assert recs["Q1"].dob == D(2015, 1, 1)  # the first list's
    assert [e.type for e in recs["Q5"].events] == ["pathway_plan_review", "pa_contact"]
    assert not recs["Q3"].events
    # no due date is counted by the importer any more (DATA037 is gone): a period far ahead is
    # emitted as it is, and the engine says what it can
    assert [e.type for e in recs["Q4"].events] == ["became_looked_after"]
    assert [k.events for k in recs["Q5"].known_from] == [("pathway_plan_review",), ("pa_contact",)]


def test_damaged_and_hostile_sheet_xml(cli: Any, tmp_path: Path) -> None:
    good = full_workbook(tmp_path / "good.xlsx")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    for name, body in (("broken", "<worksheet><sheetData><row>"), ("laughs", laughs)):
        path = tmp_path / f"{name}.xlsx"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "xl/worksheets/sheet4.xml":
                    data = body.encode()
                dst.writestr(info, data)
        res = cli("check", "--input-format", "annex-a", str(path), "--as-of", AS_OF)
        assert res.code == 2 and "Traceback" not in res.err, res.err
        assert "cannot read" in res.err
        assert "lollol" not in res.err


def test_limits_on_parts_and_csv_size(cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import timescales.importers.annex_a as annex_a

    path = full_workbook(tmp_path / "parts.xlsx")
    monkeypatch.setattr(annex_a, "MAX_MEMBERS", 5)
    res = cli("check", "--input-format", "annex-a", str(path), "--as-of", AS_OF)
    assert res.code == 2 and "more than 5 parts" in res.err
    csv_path = write_csv(tmp_path / "l4.csv", assessments([]))
    monkeypatch.setattr(annex_a, "MAX_CSV_BYTES", 10)
    res = cli("check", "--input-format", "annex-a", str(csv_path), "--as-of", AS_OF)
    assert res.code == 2 and "refusing the CSV" in res.err


def test_csv_that_breaks_the_csv_reader(cli: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "l4.csv",
        assessments(
            [
                {
                    "Child Unique ID": "W1",
                    "Continuous Assessment Start Date": "08/01/2024",
                    "Allocated Team": "x" * 200_000,
                }
            ]
        ),
    )  # past the csv module's field limit
    res = cli("check", "--input-format", "annex-a", str(path), "--as-of", AS_OF)
    assert res.code == 2 and "not a readable CSV file" in res.err and "Traceback" not in res.err


def test_directory_without_lists(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    assert not IMPORTER.sniff(folder)
    res = cli("check", "--input-format", "annex-a", str(folder), "--as-of", AS_OF)
    assert res.code == 2 and "no Annex A list found" in res.err
    (folder / "notes.txt").unlink()
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    res = cli("check", "--input-format", "annex-a", str(folder), "--as-of", AS_OF)
    assert res.code == 2 and "no .xlsx or .csv files" in res.err


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1001, "1001"), (1001.0, "1001"), ("  A-7 ", "A-7"), ("", None), (None, None)],
)
def test_parse_id(value: object, expected: str | None) -> None:
    from timescales.importers.annex_a import parse_id

    assert parse_id(value) == expected


@pytest.mark.parametrize("value", [1001.5, True, D(2024, 1, 1), "x" * 201, float("inf")])
def test_parse_id_refuses(value: object) -> None:
    from timescales.importers.annex_a import parse_id

    with pytest.raises(ValueError):
        parse_id(value)
