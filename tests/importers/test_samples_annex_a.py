"""The Annex A sample return (examples/samples/annex-a/, built by make.py) through ``check``.

The counts and findings below were worked out by hand from the workbook's rows (make.py); the
comments say how. Working days skip weekends and England's bank holidays (25, 26 December 2024
and 1 January 2025 fall in these windows).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
from shared_checks import check_sample, load_make, one, pick

from conftest import ROOT
from timescales.importers import ImportContext
from timescales.importers.annex_a import IMPORTER

SAMPLE = ROOT / "examples" / "samples" / "annex-a"
WORKBOOK = SAMPLE / "annex_a.xlsx"
AS_OF = "2025-03-31"


def test_the_committed_workbook_is_what_make_py_writes(tmp_path: Path) -> None:
    """The committed file is the generator's output (cell for cell), so make.py documents it."""
    fresh = load_make(SAMPLE).build(tmp_path / "annex_a.xlsx")

    def cells(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
        wb = openpyxl.load_workbook(path)
        return [
            (ws.title, [tuple((c.value, c.data_type) for c in row) for row in ws.iter_rows()])
            for ws in wb.worksheets
        ]

    assert cells(fresh) == cells(WORKBOOK)


def test_summary_counts(cli: Any, tmp_path: Path) -> None:
    out = check_sample(cli, WORKBOOK, AS_OF, tmp_path)
    err = out["res"].err
    # rows: List 4 six (AA05's start is #REF!: rejected), List 5 three, List 7 two, List 8
    # three = 14 read, 13 used; "L4 old export" (start column renamed) two rows read and
    # rejected whole. Cover, Guidance and Adopters (List 11) are notices; Pivot is skipped.
    assert "rows read 16, used 13, rejected 3" in err
    assert "files skipped 1; tables rejected 1" in err
    assert "children read 13, checked 13, rejected 0" in err
    assert err.count("notice: ") == 3
    assert sorted((r["code"], r["source"].rsplit("#", 1)[-1]) for r in out["rejects"]) == [
        ("E310", str(WORKBOOK)),
        ("E407", "Pivot"),
        ("E408", "L4 old export"),
    ]
    (cell,) = [r for r in out["rejects"] if r["code"] == "E310"]
    assert cell["pointer"] == "L4 Assessments!G7" and "Excel error value" in cell["reason"]
    notes = sorted(pick(n, "code", "child") for n in out["quality"])
    # AA03's worker is #N/A (used, unknown); AA04's authorisation is #N/A: unknown, so that
    # assessment is not checked (an overdue would be a guess)
    assert notes == [("DATA038", "AA03"), ("DATA038", "AA04"), ("DATA039", "AA04")]


def test_findings_checked_by_hand(cli: Any, tmp_path: Path) -> None:
    findings = check_sample(cli, WORKBOOK, AS_OF, tmp_path)["findings"]
    # AA01: started Mon 4 Nov 2024; 45 working days: 19 left in November, 15 in December up to
    # the 24th, then 27, 30, 31 Dec (37-39), 2, 3, 6, 7, 8, 9 Jan: due Thu 9 Jan 2025; authorised
    # 20 Dec 2024: met.
    aa01 = one(findings, "AS002", "AA01")
    assert pick(aa01, "due", "done", "status") == ("2025-01-09", "2024-12-20", "met")
    assert aa01["team"] == "Assessment East" and aa01["worker"] == "SW01"
    # AA02: the start is the General-format serial 45600: 45292 is 1 Jan 2024, + 305 days is
    # 1 Nov, so 45600 is Mon 4 Nov 2024, due 9 Jan as AA01; never authorised: overdue by
    # 22 + 28 + 31 = 81 days at 31 March.
    aa02 = one(findings, "AS002", "AA02")
    assert pick(aa02, "anchor", "status", "days_late") == ("2024-11-04", "overdue", 81)
    # AA03: its worker cell is #N/A: the row is used (no worker); the authorisation is the
    # serial 45695 = 45600 + 95 days = 7 Feb 2025, within 45 working days of 6 Jan: met.
    aa03 = one(findings, "AS002", "AA03")
    assert pick(aa03, "done", "status", "worker") == ("2025-02-07", "met", None)
    assert not [f for f in findings if f["child"] in ("AA04", "AA05", "AA07", "AA08")]
    # AA06: the start is text, 3 Feb 2025; 45 working days reach 7 April: pending at 31 March.
    assert one(findings, "AS002", "AA06")["status"] == "pending"
    # SA02: the strategy discussion Mon 3 Feb 2025; 15 working days: 4 (4-7 Feb) + 5 + 5 + 1 =
    # Mon 24 Feb; the conference on Fri 28 Feb: 4 days late.
    sa02 = one(findings, "CP002", "SA02")
    assert pick(sa02, "due", "status", "days_late") == ("2025-02-24", "late", 4)
    assert one(findings, "CP002", "SA01")["status"] == "met"  # 24 Jan, due 27 Jan
    assert not [f for f in findings if f["child"] == "SA03"]  # conference deemed unnecessary
    # LA02: looked after from Mon 6 Jan 2025, no review yet (blank: none held); 20 working days
    # reach Mon 3 Feb; overdue by 25 + 31 = 56 days at 31 March.
    la02 = one(findings, "LA005", "LA02")
    assert pick(la02, "due", "status", "days_late") == ("2025-02-03", "overdue", 56)
    # PA02: a plan from 3 Feb 2025 with no review yet: the first is due 3 months on, 3 May.
    pa02 = one(findings, "CP003", "PA02")
    assert pick(pa02, "due", "status") == ("2025-05-03", "pending")
    for f in findings:
        if f["child"] in ("AA01", "AA02", "AA03", "AA06", "SA01", "SA02", "LA02", "PA02"):
            assert not f.get("partial_history"), f  # whole histories: nothing is inferred


def test_latest_only_lists_say_where_their_history_begins() -> None:
    """PA01 (a plan from June 2024, latest review 15 Jan 2025) and LA01 (in care since April
    2022, latest review 20 Jan 2025): Annex A holds only those latest reviews, so the review
    history is known from them on; the engine (not the importer) decides what that allows."""
    items = list(IMPORTER.read(WORKBOOK, ImportContext()))
    recs = {i.record.child: i.record for i in items if i.record is not None}
    known = {
        c: [(k.from_, k.case, k.events) for k in r.known_from]
        for c, r in recs.items()
        if r.known_from
    }
    assert known == {
        "PA01": [
            (dt.date(2025, 3, 20), "L7:2024-06-03", ("cp_visit",)),
            (dt.date(2025, 1, 15), "L7:2024-06-03", ("cp_review",)),
        ],
        "PA02": [(dt.date(2025, 3, 24), "L7:2025-02-03", ("cp_visit",))],
        "LA01": [(dt.date(2025, 1, 20), "L8:2022-04-04", ("lac_review",))],
        "LA03": [(dt.date(2024, 12, 18), "L8:2024-12-02", ("lac_review",))],
    }
    assert not any(r.partial_history for r in recs.values())
    assert re.fullmatch(r"[A-Z]{2}\d{2}", next(iter(recs)))  # synthetic ids only


def test_latest_only_reviews_end_to_end(cli: Any, tmp_path: Path) -> None:
    """What the engine makes of the latest-only lists' known_from."""
    out = check_sample(cli, WORKBOOK, AS_OF, tmp_path)
    findings, err = out["findings"], out["res"].err
    # PA01: a plan since Mon 3 Jun 2024; Annex A holds its latest review, 15 Jan 2025. The first
    # review (CP003, counted from the plan's start) is before the known history: not assessed.
    # The next review is due 6 months after the latest (CP004): 15 Jul 2025, pending.
    assert not [f for f in findings if f["rule"] == "CP003" and f["child"] == "PA01"]
    pa01 = one(findings, "CP004", "PA01")
    assert pick(pa01, "anchor", "due", "status") == ("2025-01-15", "2025-07-15", "pending")
    # LA01: in care since 4 Apr 2022, latest review 20 Jan 2025. Nothing before it is assessed;
    # after it the next review is due 20 Apr (3 months, had it been the first) or 20 Jul (6):
    # neither has passed at 31 March, so nothing is reported. LA03 (in care 2 Dec 2024, latest
    # review the serial 45644 = 18 Dec): the same, but 18 Mar has passed and 18 Jun has not, so
    # which limit applies decides: not assessed, never "overdue".
    assert not [f for f in findings if f["child"] in ("LA01", "LA03")]
    assert "not assessed: CP003: 1 not assessed (clock before the history the data holds)" in err
    assert "not assessed: LA005: 2 not assessed (clock before the history the data holds)" in err
    assert "not assessed: LA007: 2 not assessed" in err
