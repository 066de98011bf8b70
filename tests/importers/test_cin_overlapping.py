"""Overlapping child protection plans in a CIN census return (issue 18, "overlapping cases").

A census return nests each plan's reviews inside the plan, so two plans open at once (DfE
validation 8940 flags them, and real returns still hold them) can be told apart: decisions.md
says each is then assessed, with a data-quality note. The importer gives each plan its own ref
and writes the note (DATA028); the engine's case walk (``kinds/schedule.py`` ``cases_of``,
which the durable engine shares) keeps both plans open, each with its own reviews, and notes
DATA009, so a late review of the plan that ran on is reported."""

from __future__ import annotations

import json
from pathlib import Path

from cin_xml import census, child, cin, plan, section47, write

from timescales.importers import ImportContext
from timescales.importers.cin_census import IMPORTER

AS_OF = "2024-03-31"

# plan 1 from 2023-04-03: reviews on time (3 months, then 6), then one 2 months late;
# plan 2 opens 2023-05-15 while plan 1 runs on, and ends 2023-09-01
OVERLAP = child(
    "O1",
    cin(
        "2023-03-20",
        s47=[section47("2023-03-21", "2023-04-03"), section47("2023-05-02", "2023-05-15")],
        plans=[
            plan("2023-04-03", reviews=["2023-06-30", "2023-12-20"]),
            plan("2023-05-15", "2023-09-01", reviews=["2023-08-10"]),
        ],
    ),
)


def _findings(out: str) -> list[tuple[str, str, str, str, str]]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return sorted(
        (f["rule"], f["ref"], f["anchor"], f["due"], f["status"])
        for f in rows
        if f["rule"] in ("CP003", "CP004")
    )


def test_each_plan_has_its_own_ref_and_the_overlap_is_noted(tmp_path: Path) -> None:
    items = list(IMPORTER.read(write(tmp_path / "cin.xml", census([OVERLAP])), ImportContext()))
    (record,) = [i.record for i in items if i.record is not None]
    plans = [(e.type, e.date.isoformat(), e.ref) for e in record.events if e.type.startswith("cp_")]
    assert plans == [
        ("cp_plan_started", "2023-04-03", "CIN1-CPP1"),
        ("cp_review", "2023-06-30", "CIN1-CPP1"),
        ("cp_review", "2023-12-20", "CIN1-CPP1"),
        ("cp_plan_started", "2023-05-15", "CIN1-CPP2"),
        ("cp_review", "2023-08-10", "CIN1-CPP2"),
        ("cp_plan_ended", "2023-09-01", "CIN1-CPP2"),
    ]
    (note,) = [q for i in items for q in i.quality if q.code == "DATA028"]
    assert note.ref == "CIN1-CPP2" and "CIN1-CPP1" in note.message
    assert note.source.endswith("CINdetails[1]/ChildProtectionPlans[2]")


def test_the_plan_that_ran_on_keeps_its_reviews(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "cin.xml", census([OVERLAP]))
    res = cli("check", str(path), "--as-of", AS_OF, "--format", "jsonl", "--rules", "CP003,CP004")
    # by hand: plan 1's first review is due 3 months after 2023-04-03 (2023-07-03) and came
    # 2023-06-30 (met); the next is due 6 months after that, 2023-12-30, and came 2023-12-20
    # (met); the one after is due 2024-06-20 (pending at 31 March 2024). Plan 2: first review
    # due 2023-08-15, held 2023-08-10 (met); it ended 2023-09-01 before its next was due.
    assert _findings(res.out) == [
        ("CP003", "CIN1-CPP1", "2023-04-03", "2023-07-03", "met"),
        ("CP003", "CIN1-CPP2", "2023-05-15", "2023-08-15", "met"),
        ("CP004", "CIN1-CPP1", "2023-06-30", "2023-12-30", "met"),
        ("CP004", "CIN1-CPP1", "2023-12-20", "2024-06-20", "pending"),
    ]
