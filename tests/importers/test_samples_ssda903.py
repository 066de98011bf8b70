"""The sample SSDA903 return in examples/samples/ssda903 (two years, with a README, a stray CSV,
a BOM, Windows line ends, blank optional cells, a #N/A, a mistyped date, DoLo and SW episodes),
checked end to end. Each expected value below is worked out by hand from the sample's files; the
comment beside it says how."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from shared_checks import one, pick

from timescales.cli import main
from timescales.importers import ImportContext
from timescales.importers.ssda903 import IMPORTER

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "samples" / "ssda903"
AS_OF = "2026-11-30"  # the day the 2026-27 in-year extract was taken


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One check of the sample through the CLI (module-scoped: the tests share it)."""
    out = tmp_path_factory.mktemp("sample")
    findings, quality, rejects = out / "f.jsonl", out / "dq.jsonl", out / "rejects.csv"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([
            "check", str(SAMPLE), "--as-of", AS_OF, "--rules", "LA005,LA006,LA007",
            "--format", "jsonl", "-o", str(findings), "--data-quality", str(quality),
            "--rejects", str(rejects),
        ])  # fmt: skip
    with rejects.open(newline="") as fh:
        rejected = list(csv.DictReader(fh))
    return {
        "code": code,
        "err": err.getvalue(),
        "findings": [json.loads(line) for line in findings.read_text().splitlines()],
        "quality": [json.loads(line) for line in quality.read_text().splitlines()],
        "rejects": rejected,
    }


def finding(run: dict[str, Any], rule: str, child: str, anchor: str) -> dict[str, Any]:
    found = one(run["findings"], rule, child, anchor=anchor)
    return {k: found[k] for k in ("due", "done", "status", "days_late")}


def test_summary_counts(run: dict[str, Any]) -> None:
    err = run["err"]
    # rows: 2025-26 holds header 11 + episodes 12 + reviews 21 + missing 2 + uasc 1 + oc2 3 +
    # oc3 1 + prev_perm 1 + placed_adoption 1 + SWEpisodes 10 = 63; 2026-27 holds header 10 +
    # episodes 13 + reviews 13 + missing 2 + placed_adoption 1 + ad1 1 + SWEpisodes 11 + DoLo 2
    # = 53; 116 in all. One is rejected: N-0009's review typed 2025-11-03.
    assert "rows read 116, used 115, rejected 1" in err
    # children: N-0001 to N-0011, and N-0099 (a care leaver only in oc3)
    assert "children read 12, checked 12, rejected 0" in err
    # the postcode lookup is no 903 table (warned, counted); the README is documentation
    assert "files skipped 1" in err
    assert f"notice: {SAMPLE / 'README.md'}: documentation, not a 903 table; skipped" in err
    assert [(r["code"], Path(r["source"]).name) for r in run["rejects"]] == [
        ("E310", "reviews.csv"),
        ("E407", "LA_postcode_lookup.csv"),
    ]
    assert run["rejects"][0]["line"] == "19" and run["rejects"][0]["value_class"] == (
        "date YYYY-MM-DD"
    )


def test_dolo_and_sw_episodes_are_read_and_checked() -> None:
    context = ImportContext()
    items = list(IMPORTER.read(SAMPLE, context))
    stats = {
        Path(s.source).name: (s.rows_read, s.rows_used, s.rows_rejected) for s in context.stats
    }
    assert stats["SSDA903_2026-27_DoLo.csv"] == (2, 2, 0)
    assert stats["SSDA903_2026-27_SWEpisodes.csv"] == (11, 11, 0)
    assert stats["SWEpisodes.csv"] == (10, 10, 0)
    notes = [(q.code, q.child, q.message) for i in items for q in i.quality]
    # the per-input note: both years, from the file names, every table, and DoLo said
    (collection,) = [n for n in notes if n[1] == "(file)"]
    assert collection[2].startswith(
        "903 return read: collection years 2025-26, 2026-27 (from the file names); tables: "
        "header, episodes, reviews, uasc, missing, previous_permanence, placed_for_adoption, "
        "ad1, oc2, oc3, sw_episodes, dolo; the DoLo table of the 2026-27 collection is read"
    )
    # N-0011's social worker reason RESTRUCT is no 903 code; N-0010's DEC is #N/A in 2026-27
    # (unknown: the row is used) and was 02/02/2026 in 2025-26 (the later return wins)
    assert ("DATA019", "N-0011", "SW_REASON code 'RESTRUCT' is not a 903 code") in notes
    assert (
        "DATA019",
        "N-0010",
        "episodes row: DEC holds a spreadsheet error value; taken as unknown and the row used",
    ) in notes
    assert sorted(n[0] for n in notes if n[1] == "N-0010") == ["DATA014", "DATA019"]


def test_findings_checked_by_hand(run: dict[str, Any]) -> None:
    # N-0001 came into care Mon 2 Jun 2025; 20 working days later (June 2025 has no bank
    # holiday: 3-6, 9-13, 16-20, 23-27 and 30 June) is Mon 30 Jun; first review 26 Jun: met
    assert finding(run, "LA005", "N-0001", "2025-06-02") == {
        "due": "2025-06-30", "done": "2025-06-26", "status": "met", "days_late": 0,
    }  # fmt: skip
    # N-0004 came into care Mon 1 Sep 2025: due Mon 29 Sep; first review 14 Oct: 15 days late
    assert finding(run, "LA005", "N-0004", "2025-09-01") == {
        "due": "2025-09-29", "done": "2025-10-14", "status": "late", "days_late": 15,
    }  # fmt: skip
    # ... its review of 12 Jan 2026 + 6 months = 12 Jul 2026; held 20 Jul: 8 days late
    assert finding(run, "LA007", "N-0004", "2026-01-12") == {
        "due": "2026-07-12", "done": "2026-07-20", "status": "late", "days_late": 8,
    }  # fmt: skip
    # N-0008 came into care Tue 22 Apr 2025; 20 working days skip the 5 May bank holiday: Wed
    # 21 May; first review 15 May: met
    assert finding(run, "LA005", "N-0008", "2025-04-22")["due"] == "2025-05-21"
    # N-0009's second review (3 Nov 2025) was typed 2025-11-03 and rejected, so the next one
    # in the data is 27 Jan 2026: due 1 Nov 2025 (first review 1 Aug + 3 months), 87 days late
    # (30 in November, 31 in December, 26 in January). The rejection is what makes it late.
    assert finding(run, "LA006", "N-0009", "2025-08-01") == {
        "due": "2025-11-01", "done": "2026-01-27", "status": "late", "days_late": 87,
    }  # fmt: skip
    # N-0011 came into care 15 Jun 2026, first review 9 Jul; the second was due 9 Oct 2026 and
    # is not in the extract: overdue by 52 days on 30 Nov (22 in October, 30 in November)
    assert finding(run, "LA006", "N-0011", "2026-07-09") == {
        "due": "2026-10-09", "done": None, "status": "overdue", "days_late": 52,
    }  # fmt: skip
    # N-0005's period ended on 20 Mar 2026 before a second review fell due: no LA006
    assert [f["rule"] for f in run["findings"] if f["child"] == "N-0005"] == ["LA005"]


def test_no_la005_is_anchored_on_an_episode_whose_rne_is_not_s(run: dict[str, Any]) -> None:
    rne: dict[tuple[str, str], str] = {}
    for path in sorted(SAMPLE.rglob("*episodes.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                day, month, year = row["DECOM"].split("/")
                rne[(row["CHILD"], f"{year}-{month}-{day}")] = row["RNE"]
    la005 = [f for f in run["findings"] if f["rule"] == "LA005"]
    assert la005 and all(rne[pick(f, "child", "anchor")] == "S" for f in la005)
    # N-0003's period began before the data (first episode RNE P, 1 Aug 2024): no LA005
    assert "N-0003" not in {f["child"] for f in la005}
    note = [q for q in run["quality"] if q["child"] == "N-0003"]
    assert [q["code"] for q in note] == ["DATA018"]


def test_no_review_is_late_when_it_fell_due_before_the_data(run: dict[str, Any]) -> None:
    # the reviews are known from 1 Apr 2025 (the 2025-26 return's first day): N-0002 (in care
    # since 2019) and N-0007 (since Oct 2024) had reviews before that which are not in the data
    for f in run["findings"]:
        if f["status"] in ("late", "overdue"):
            assert f["due"] >= "2025-04-01", f
    assert not [f for f in run["findings"] if f["rule"] == "LA005" and f["anchor"] < "2025-04-01"]
    # the tally: N-0003's period began before the data; N-0002's and N-0007's LA005 clocks
    # (2019, 2024) fall before the reviews' known history
    err = run["err"].splitlines()
    assert "not assessed: LA005: 1 not assessed (began before the data)" in err
    assert "not assessed: LA005: 2 not assessed (clock before the history the data holds)" in err


def test_a_certain_breach_inside_the_known_window_is_reported(run: dict[str, Any]) -> None:
    # N-0003 began before the data; its first review in the data is 1 Jul 2025 and the next 5
    # Jan 2026: more than 6 months (the longest interval any review rule allows) after it, so
    # late under any limit: due 1 Jan 2026, 4 days late, and marked partial_history
    (late,) = [f for f in run["findings"] if f["child"] == "N-0003" and f["status"] == "late"]
    assert pick(late, "rule", "anchor", "due", "done", "days_late") == (
        "LA007", "2025-07-01", "2026-01-01", "2026-01-05", 4
    )  # fmt: skip
    assert late["partial_history"] is True
    assert [f for f in run["findings"] if f.get("partial_history")] == [late]
