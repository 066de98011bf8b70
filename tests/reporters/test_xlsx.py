"""`check --format xlsx`: the workbook opens with openpyxl and its numbers are the JSON
aggregates' (`check --aggregates`), cell for cell; dates are dates; filters and frozen headers."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from timescales.cli import main
from timescales.generate import generate

STATS = (
    "children",
    "findings",
    "met",
    "late",
    "overdue",
    "pending",
    "unmet",
    "on_time",
    "median_days_late",
    "p90_days_late",
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("xlsx")
    data = tmp / "children.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in generate(400, seed=7)), encoding="utf-8")
    iros = tmp / "iros.csv"
    iros.write_text("iro,fte\nIRO01,0.5\nIRO02,1\nIRO99,0.8\n", encoding="utf-8")
    book, agg, findings = tmp / "out.xlsx", tmp / "agg.json", tmp / "findings.jsonl"
    common = ["--as-of", "2024-03-31", "--la", "example-borough", "-q"]
    code = main(
        [
            "check",
            str(data),
            *common,
            "--format",
            "xlsx",
            "-o",
            str(book),
            "--aggregates",
            str(agg),
            "--iros",
            str(iros),
        ]
    )
    assert code in (0, 1)
    assert main(["check", str(data), *common, "--format", "jsonl", "-o", str(findings)]) == code
    return book, json.loads(agg.read_text(encoding="utf-8")), findings


def rows(ws: Any) -> list[dict[str, Any]]:
    values = list(ws.iter_rows(values_only=True))
    head = values[0]
    return [dict(zip(head, row, strict=True)) for row in values[1:]]


def same(cell: Any, expected: Any) -> bool:
    if expected is None:
        return cell is None
    return bool(cell == expected)


def test_numbers_equal_the_json_aggregates(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    book, agg, _ = outputs
    wb = load_workbook(book)
    labels = {
        "children": "Children",
        "findings": "Findings",
        "met": "Met",
        "late": "Late",
        "overdue": "Overdue",
        "pending": "Pending",
        "unmet": "Unmet",
        "on_time": "% on time",
        "median_days_late": "Median days late",
        "p90_days_late": "90th percentile days late",
    }
    sheet_rules = rows(wb["Rules"])
    # the rules the inputs cannot feed follow the others, n/a with why (none are in agg's rules)
    not_assessable = agg["run"]["completeness"]["not_assessable"]
    assessed, rest = sheet_rules[: len(agg["rules"])], sheet_rules[len(agg["rules"]) :]
    assert [r["Rule"] for r in rest] == sorted(not_assessable)
    for cells in rest:
        assert cells["Note"] == "n/a: " + not_assessable[cells["Rule"]]
        assert all(cells[labels[key]] is None for key in STATS)
    sheet_rules = assessed
    assert [r["Rule"] for r in sheet_rules] == [r["rule"] for r in agg["rules"]]
    for cells, expected in zip(sheet_rules, agg["rules"], strict=True):
        for key in STATS:
            assert same(cells[labels[key]], expected[key]), (expected["rule"], key)
        assert cells["Citation"] == expected["citation"]
    for dim, title, label in (
        ("team", "By team", "Team"),
        ("worker", "By worker", "Worker"),
        ("iro", "By IRO", "IRO"),
        ("month", "By month", "Month due"),
    ):
        sheet = rows(wb[title])
        assert len(sheet) == len(agg[f"by_{dim}"]) > 0, title
        for cells, expected in zip(sheet, agg[f"by_{dim}"], strict=True):
            assert cells["Rule"] == ("(all rules)" if expected["rule"] == "*" else expected["rule"])
            key = expected[dim]
            if dim == "month":  # a real date: the first of the month
                assert cells[label] == dt.datetime.fromisoformat(key + "-01")
            else:
                assert cells[label] == key
            for stat in STATS:
                assert same(cells[labels[stat]], expected[stat]), (title, key, stat)

    summary = {r["Measure"]: r["Value"] for r in rows(wb["Summary"])}
    overall = agg["overall"]
    assert summary["Findings"] == overall["findings"]
    assert summary["% on time (met / (met + late + overdue + unmet))"] == overall["on_time"]
    assert summary["Unmet (visits that did not meet the requirement)"] == overall["unmet"]
    assert summary["Median days late (late and overdue)"] == overall["median_days_late"]
    assert summary["90th percentile days late (late and overdue)"] == overall["p90_days_late"]
    assert summary["Overdue now on open cases"] == agg["overdue_open"]
    assert summary["As of"].date() == dt.date(2024, 3, 31)

    (target,) = rows(wb["Targets"])
    assert target["Measured"] == agg["targets"][0]["measured"]
    assert target["Findings due"] == agg["targets"][0]["due"]
    assert target["Met"] == agg["targets"][0]["met"]

    iro = {r["IRO"]: r for r in rows(wb["IRO caseloads"])}
    for expected in agg["caseloads"]["iro"]["rows"]:
        cells = iro[expected["iro"]]
        assert cells["Children"] == expected["children"]
        assert cells["FTE"] == expected["fte"]
        assert cells["Children per FTE"] == expected["per_fte"]
        assert cells["Status"] == expected["status"]
    assert iro["IRO01"]["FTE"] == 0.5 and iro["IRO99"]["Children"] == 0

    # the counts sheet: a label for people, the value, and the JSON key it is
    counts = {r["Key"]: r["Value"] for r in rows(wb["Counts"])}
    assert (
        counts["assessments.completed_in_period"]
        == (agg["counts"]["assessments"]["completed_in_period"])
    )
    assert counts["care_leavers.in_touch"] == agg["counts"]["care_leavers"]["in_touch"]

    tracker = rows(wb["Permanence"])
    assert len(tracker) == agg["permanence"]["looked_after"] > 0
    assert sum(1 for r in tracker if r["plan"]) == agg["permanence"]["with_plan"]


def test_counts_sheet_has_labels_and_real_dates(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    """Issue 19: the Counts sheet reads as a table for people (labels, dates as dates), each
    row still tied to its JSON key."""
    book, _, _ = outputs
    ws = load_workbook(book)["Counts"]
    assert [c.value for c in ws[1]] == ["Measure", "Value", "Note", "Key"]
    sheet = rows(ws)
    by_key = {r["Key"]: r for r in sheet}
    assert by_key["period.from"]["Measure"] == "Period from"
    assert by_key["period.from"]["Value"].date() == dt.date(2023, 4, 1)
    assert by_key["period.to"]["Value"].date() == dt.date(2024, 3, 31)
    assert ws["B2"].is_date and ws["B2"].number_format == "yyyy-mm-dd"
    label = by_key["assessments.completed_in_period"]["Measure"]
    assert label.startswith("Assessments completed in the period")
    assert by_key["permanence.plan_by_second_review"]["Measure"] == (
        "… with a permanence plan by then"
    )
    # no dotted keys as labels; every value a number (all assessable from canonical JSON)
    assert all("." not in r["Measure"] for r in sheet)
    assert all(r["Note"] is None for r in sheet)


def test_data_completeness_sheet_is_the_run_tally(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    book, agg, _ = outputs
    wb = load_workbook(book)
    assert wb.sheetnames[:2] == ["Summary", "Data completeness"]
    sheet = {r["Measure"]: r for r in rows(wb["Data completeness"])}
    run = agg["run"]["completeness"]
    assert sheet["Children read"]["Value"] == run["children"]["read"] == 400
    assert sheet["Children checked"]["Value"] == run["children"]["checked"]
    assert sheet["Children rejected"]["Value"] == run["children"]["rejected"]
    assert sheet["Findings"]["Value"] == run["findings"] == agg["overall"]["findings"]
    assert sheet["Findings with partial history"]["Value"] == run["partial_history"]
    inputs = [k for k in sheet if k.startswith("Input: ")]
    assert len(inputs) == 1 and sheet[inputs[0]]["Value"] == "jsonl"


def test_unmet_is_counted_and_left_out_of_the_days_late_figures(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    """The workbook shows the unmet visits (LA020, PF004) as a count of their own, in % on
    time's denominator, and works its days-late figures out from late and overdue only."""
    book, _, findings = outputs
    wb = load_workbook(book)
    found = [json.loads(line) for line in findings.read_text(encoding="utf-8").splitlines()]
    unmet = [f for f in found if f["status"] == "unmet"]
    assert unmet and all(f["days_late"] is None for f in unmet)  # the generated data has some
    summary = {r["Measure"]: r["Value"] for r in rows(wb["Summary"])}
    assert summary["Unmet (visits that did not meet the requirement)"] == len(unmet)
    count = {s: sum(1 for f in found if f["status"] == s) for s in ("met", "late", "overdue")}
    due = count["met"] + count["late"] + count["overdue"] + len(unmet)
    assert summary["% on time (met / (met + late + overdue + unmet))"] == pytest.approx(
        count["met"] / due, abs=1e-6
    )
    days = sorted(f["days_late"] for f in found if f["status"] in ("late", "overdue"))
    median = statistics.median(days)
    p90 = statistics.quantiles(days, n=10, method="inclusive")[8]
    assert summary["Median days late (late and overdue)"] == pytest.approx(median, abs=0.01)
    assert summary["90th percentile days late (late and overdue)"] == pytest.approx(p90, abs=0.01)
    with_unmet_as_zero = sorted([*days, *([0] * len(unmet))])
    assert statistics.median(with_unmet_as_zero) != median  # so the test can tell them apart
    rules = {r["Rule"]: r for r in rows(wb["Rules"])}
    assert rules["LA020"]["Unmet"] > 0 and rules["LA020"]["Median days late"] is None


def test_findings_sheet_has_every_finding_with_real_dates(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    book, agg, findings = outputs
    wb = load_workbook(book)
    ws = wb["Findings"]
    expected = [json.loads(line) for line in findings.read_text(encoding="utf-8").splitlines()]
    sheet = rows(ws)
    assert len(sheet) == len(expected) == agg["overall"]["findings"]
    for cells, want in zip(sheet[:300], expected[:300], strict=True):
        assert cells["id"] == want["id"] and cells["status"] == want["status"]
        assert cells["due"] == dt.datetime.fromisoformat(want["due"])
        assert cells["days_late"] == want["days_late"]
    due = ws["G2"]
    assert ws["G1"].value == "due" and due.is_date and due.number_format == "yyyy-mm-dd"


def test_every_sheet_has_a_frozen_header_and_a_filter(
    outputs: tuple[Path, dict[str, Any], Path],
) -> None:
    wb = load_workbook(outputs[0])
    assert wb.sheetnames[0] == "Summary" and "Findings" in wb.sheetnames
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title
        assert all(c.font.bold for c in ws[1]), ws.title


def test_xlsx_needs_an_output_file(cli, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text('{"child": "C1", "events": []}\n', encoding="utf-8")
    res = cli("check", str(data), "--as-of", "2024-03-31", "--format", "xlsx")
    assert res.code == 2 and "-o" in res.err
    assert not list(tmp_path.glob("*.xlsx"))


def test_findings_go_on_over_several_sheets_past_the_row_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Excel holds 1,048,576 rows a sheet; past it the findings go on in "Findings (2)"...
    (the limit made small here), and any text survives the streamed writer."""
    import sys

    from timescales.aggregates.summary import Aggregator
    from timescales.reporters import xlsx
    from timescales.ruleset.pack import load_rules

    sys.path.insert(0, str(Path(__file__).parent))
    from reports_helpers import AS_OF, finding

    monkeypatch.setattr(xlsx, "EXCEL_ROWS", 11)  # a header and 10 rows
    odd = ["A&B <x>", "  leading space", "bell\x07ringing", "naïve — “quoted”"]
    findings = [
        finding("LA005", "late", child=odd[i % 4] if i < 4 else f"C{i}", days_late=i + 1)
        for i in range(25)
    ]
    ruleset = load_rules(autoload=False)
    out = tmp_path / "big.xlsx"
    assert xlsx.write_xlsx(findings, Aggregator(ruleset, AS_OF), out) == 25
    wb = load_workbook(out)
    parts = [t for t in wb.sheetnames if t.startswith("Findings")]
    assert parts == ["Findings", "Findings (2)", "Findings (3)"]
    sheets = [rows(wb[t]) for t in parts]
    assert [len(s) for s in sheets] == [10, 10, 5]
    children = [r["child"] for s in sheets for r in s]
    assert children[:4] == ["A&B <x>", "  leading space", "bellringing", "naïve — “quoted”"]
    assert [r["days_late"] for s in sheets for r in s] == list(range(1, 26))
    for title in parts:
        ws = wb[title]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.endswith(str(ws.max_row))
        assert ws["G2"].is_date
