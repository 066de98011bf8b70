"""The aggregates JSON (`check --aggregates`), the workbook (`check --format xlsx`) and the
report (`timescales report`) give one figure for each measure on the example data, and "n/a"
with why where the data cannot tell, never 0 (docs/reports.md, decisions.md)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LANCASHIRE = ("--la", "lancashire", "--settings", str(EXAMPLES / "lancashire-settings.yaml"))


def outputs(cli, tmp_path: Path, paths: list[Path], as_of: str, *options: str):  # type: ignore[no-untyped-def]
    """(the aggregates JSON, the workbook, the report's HTML, check's stderr) of one input."""
    agg, book, page = tmp_path / "agg.json", tmp_path / "out.xlsx", tmp_path / "report.html"
    inputs = [str(p) for p in paths]
    res = cli(
        "check", *inputs, "--as-of", as_of, *options, "--format", "xlsx", "-o", str(book),
        "--aggregates", str(agg),
    )  # fmt: skip
    assert res.code in (0, 1), res.err
    made = cli("report", *inputs, "--as-of", as_of, *options, "-o", str(page))
    assert made.code == 0, made.err
    return (
        json.loads(agg.read_text(encoding="utf-8")),
        load_workbook(book),
        page.read_text(encoding="utf-8"),
        res.err,
    )


def sheet(wb: Any, title: str) -> list[dict[str, Any]]:
    values = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def cells(row: str) -> list[str]:
    return [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


# -- bug: workforce rules not assessed were shown as 0 -------------------------------------------


def test_workforce_rules_not_assessed_are_na_with_why_in_every_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Lancashire's supervision, induction and training rules with no worker records: not
    assessed ("no worker records of role ..."), so every figure of their on-time rows is n/a
    with that reason (never 0, and never "nothing was due")."""
    agg, wb, page, _ = outputs(
        cli, tmp_path, [EXAMPLES / "lancashire.jsonl"], "2024-03-31", *LANCASHIRE
    )
    why = {r["rule"]: r["why"] for r in agg["workforce"]["rules"] if not r["assessed"]}
    timed = ("LANC016", "LANC027", "LANC028")
    assert all(why[r].startswith("no worker records of role") for r in timed)
    rows = {r["rule"]: r for r in agg["workforce"]["timeliness"]}
    assert set(rows) == set(timed)  # all teams only: nobody is in any team
    for rule in timed:
        row = rows[rule]
        assert [row[k] for k in ("met", "late", "overdue", "pending", "on_time")] == [None] * 5
        assert row["why"] == why[rule]
    on_time = {r["Rule"]: r for r in sheet(wb, "Workforce on time")}
    for rule in timed:
        row = on_time[rule]
        assert [row[k] for k in ("Met", "Late", "Overdue", "Pending", "% on time")] == ["n/a"] * 5
        assert row["Note"] == f"n/a: {why[rule]}"
    for rule in timed:
        table = re.search(rf'<table class="stack" id="table-wf-{rule}">.*?</table>', page, re.S)
        assert table, rule
        (line,) = re.findall(r"<tr><th scope=\"row\".*?</tr>", table.group(0), re.S)
        assert "All teams" in line and cells(line) == ["n/a"] * 5, line
        assert line.count(f'title="n/a: {html.escape(why[rule])}"') == 5
