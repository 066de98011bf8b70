"""The sample CIN census returns (examples/samples/cin-census): two years of a council's
returns as a case system exports them, with the untidiness real exports have (a byte-order
mark and CRLF line ends, blank optional elements, a stray export log, a README, two child
protection plans open at once, an assessment open at one year's end, a date of birth that
differs between the years). The expected counts and findings were worked out by hand from the
XML (the reasoning is beside each one) and then checked against the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared_checks import check_sample, one, pick

from conftest import ROOT

SAMPLE = ROOT / "examples" / "samples" / "cin-census"
AS_OF = "2025-03-31"


def _run(cli, tmp_path: Path) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
    out = check_sample(cli, SAMPLE, AS_OF, tmp_path)
    return out["res"], out["findings"], out["quality"]


def _find(findings: list[dict[str, Any]], rule: str, child: str, anchor: str) -> dict[str, Any]:
    return one(findings, rule, child, anchor=anchor)


def test_summary_counts(cli, tmp_path: Path) -> None:
    res, findings, notes = _run(cli, tmp_path)
    assert res.code == 1  # there are breaches
    # 9 children: S01, S02, S05 only in 2023-24; S04, S06, S09 only in 2024-25; S03, S07, S08
    # in both, merged into one history each. Rows (one per Child, and one per CINdetails,
    # assessment, enquiry and plan): 2023-24 has 6 children and 14 blocks (S01 2, S02 2, S03 4,
    # S05 2, S07 2, S08 2), 2024-25 has 6 children and 16 blocks (S03 2, S04 6, S06 2, S07 2,
    # S08 1, S09 3): 42 rows, none rejected.
    assert "children read 9, checked 9, rejected 0" in res.err
    assert "rows read 42, used 42, rejected 0" in res.err
    assert "files skipped 1" in res.err  # export_log.txt
    assert "notice: " in res.err and "README.md: documentation" in res.err
    # overlapping plans are each assessed: S04's first plan, which ran on past the second's
    # opening, has CP003 met, CP004 late and CP004 pending (test_the_overlapping_plan_that_ran_on)
    assert len(findings) == 28
    statuses = sorted(f["status"] for f in findings)
    assert statuses.count("late") == 4 and statuses.count("overdue") == 2
    # S05's plan began (2022-12-01) before the returns' history (1 April 2023): its first
    # review and its referral's assessment are not in the data, so not assessed
    assert "not assessed: AS001: 1" in res.err and "not assessed: CP003: 1" in res.err
    # DATA009: the engine keeps S04's two plans open, told apart by their refs (no DATA005: no
    # plan is closed by another's opening)
    assert sorted(n["code"] for n in notes) == [
        "DATA009",
        "DATA020",
        "DATA021",
        "DATA028",
        "DATA029",
    ]


def test_findings_checked_by_hand(cli, tmp_path: Path) -> None:
    _, findings, notes = _run(cli, tmp_path)
    # S02: referral Monday 4 Sep 2023; 45 working days (no bank holiday until Christmas) end
    # Monday 6 Nov 2023; authorised 1 Dec 2023: 25 calendar days late
    s02 = _find(findings, "AS001", "S02", "2023-09-04")
    assert pick(s02, "due", "done", "status", "days_late") == (
        "2023-11-06",
        "2023-12-01",
        "late",
        25,
    )
    # S03: enquiry Tue 3 Oct 2023; 15 working days, that day excluded, end Tue 24 Oct; the
    # council's own target (23 Oct) counts the start day: one working day earlier (DATA020)
    s03 = _find(findings, "CP002", "S03", "2023-10-03")
    assert pick(s03, "due", "status") == ("2023-10-24", "met")
    assert any(n["code"] == "DATA020" and n["child"] == "S03" for n in notes)
    # S03's plan runs across both returns: its reviews of both years make one chain. Review
    # 10 Jul 2024 (2024-25 return) -> next due 10 Jan 2025; held 20 Jan 2025: 10 days late
    late = _find(findings, "CP004", "S03", "2024-07-10")
    assert pick(late, "due", "done", "status", "days_late") == (
        "2025-01-10",
        "2025-01-20",
        "late",
        10,
    )
    # ...and the review of 15 Jan 2024 (2023-24 return) anchored the one before it
    assert _find(findings, "CP004", "S03", "2024-01-15")["status"] == "met"
    # S07: the assessment open on 31 March 2024 was authorised on 20 Apr 2024 (next year's
    # return): met, not overdue
    s07 = _find(findings, "AS002", "S07", "2024-03-11")
    assert pick(s07, "done", "status") == ("2024-04-20", "met")
    # S05: the plan's schedule restarts at the first review the data holds (25 May 2023):
    # next due 25 Nov 2023, held 20 Nov 2023
    s05 = _find(findings, "CP004", "S05", "2023-05-25")
    assert pick(s05, "due", "status") == ("2023-11-25", "met")
    # S06 is unborn (blank PersonBirthDate, an expected date): valid; its assessment started
    # 5 Nov 2024 is still open at 31 March 2025, due 10 Jan 2025 (Christmas, Boxing Day and
    # New Year's Day skipped): overdue
    s06 = _find(findings, "AS002", "S06", "2024-11-05")
    assert pick(s06, "due", "status", "days_late") == ("2025-01-10", "overdue", 80)
    # S09's enquiry needed no conference (ICPCnotRequired 1): no CP002 finding
    assert not [f for f in findings if f["child"] == "S09" and f["rule"] == "CP002"]
    # S08's date of birth differs between the years: the later return's is used (DATA029)
    assert any(n["code"] == "DATA029" and n["child"] == "S08" for n in notes)


def test_the_overlapping_plan_that_ran_on(cli, tmp_path: Path) -> None:
    # S04's first plan (25 Apr 2024) is reviewed 22 Jul 2024 (due 25 Jul: met); its next
    # review is due 22 Jan 2025 and was held 3 Mar 2025: 40 days late. Its second plan
    # (3 Jun 2024, reviewed 30 Aug 2024, due 3 Sep: met) ended on 1 Oct 2024.
    _, findings, notes = _run(cli, tmp_path)
    assert any(n["code"] == "DATA028" and n["child"] == "S04" for n in notes)
    first = _find(findings, "CP004", "S04", "2024-07-22")
    assert pick(first, "ref", "due", "status", "days_late") == (
        "CIN1-CPP1",
        "2025-01-22",
        "late",
        40,
    )
