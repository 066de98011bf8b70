"""The aggregates JSON (`check --aggregates`), the workbook (`check --format xlsx`) and the
report (`timescales report`) give one figure for each measure on the example data, and "n/a"
with why where the data cannot tell, never 0 (docs/reports.md, decisions.md)."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from reports_helpers import AS_OF, finding, result

from timescales.aggregates.summary import Aggregator
from timescales.reporters.html import render
from timescales.reporters.xlsx import write_xlsx
from timescales.ruleset.pack import load_rules
from timescales.tally import Summary

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


# -- bug: unmet 0 in the aggregates and the tables, n/a in the tile and the Summary sheet --------

UNMET_NA = "n/a: LA020, PF004 not assessable: "


def test_unmet_is_na_in_every_output_when_no_attribute_rule_is_assessable(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An SSDA903 return carries no visits: LA020 and PF004 are not assessable, so the
    all-rules unmet is null in the aggregates (overall and every month), n/a with why in the
    workbook (Summary, By month) and the report (the tile, the monthly table), never 0."""
    agg, wb, page, _ = outputs(
        cli, tmp_path, [EXAMPLES / "samples" / "ssda903" / "2025-26"], "2026-03-31"
    )
    assert {"LA020", "PF004"} <= set(agg["not_assessable"])
    assert agg["overall"]["unmet"] is None
    months = [r for r in agg["by_month"] if r["rule"] == "*"]
    assert months and all(r["unmet"] is None for r in months)
    assert all(r["unmet"] == 0 for r in agg["rules"])  # a rule's own: none of them can be unmet
    summary = {r["Measure"]: r for r in sheet(wb, "Summary")}
    unmet = summary["Unmet (visits that did not meet the requirement)"]
    assert unmet["Value"] is None and unmet["Note"].startswith(UNMET_NA)
    by_month = [r for r in sheet(wb, "By month") if r["Rule"] == "(all rules)"]
    assert len(by_month) == len(months)
    assert all(r["Unmet"] is None and r["Note"].startswith(UNMET_NA) for r in by_month)
    tile = re.search(r'<span class="v">(.*?)</span><span class="l">unmet visits<', page)
    assert tile and text(tile.group(1)) == "n/a"
    trend = re.search(r'<section id="trend".*?</section>', page, re.S)
    assert trend
    unmet_cells = re.findall(r'<td data-label="Unmet"[^>]*>(.*?)</td>', trend.group(0), re.S)
    assert len(unmet_cells) == len(months)
    assert all(text(c) == "n/a" and 'title="n/a: LA020, PF004' in c for c in unmet_cells)


def test_unmet_is_na_in_the_team_worker_and_iro_tables(tmp_path: Path) -> None:
    """The same in the by-team, by-worker and by-IRO rows (all rules) of the aggregates, the
    workbook and the report."""
    agg = Aggregator(load_rules(autoload=False), AS_OF)
    agg.add(result("C1", [finding("LA005", "met"), finding("LA006", "late")], iro="I1"))
    summary = Summary(read=1, checked=1)
    summary.not_assessable["LA020"] = "the input does not carry lac_visit"
    summary.not_assessable["PF004"] = "the input does not carry pf_visit"
    data = agg.to_dict(summary)
    for dimension in ("team", "worker", "iro", "month"):
        rows = data[f"by_{dimension}"]
        assert [r["unmet"] for r in rows if r["rule"] == "*"] == [None], dimension
        assert all(r["unmet"] == 0 for r in rows if r["rule"] != "*"), dimension
    out = io.StringIO()
    render(data, out, breaches=[], cites={}, cite_titles={}, permanence=[])
    teams = re.search(r'<section id="teams".*?</section>', out.getvalue(), re.S)
    assert teams
    unmet_cells = re.findall(r'<td data-label="Unmet"[^>]*>(.*?)</td>', teams.group(0), re.S)
    assert len(unmet_cells) == 3  # North, SW1, I1
    assert all(text(c) == "n/a" and 'title="n/a: LA020, PF004' in c for c in unmet_cells)
    path = tmp_path / "out.xlsx"
    write_xlsx([], agg, path, summary=summary)
    wb = load_workbook(path)
    for title in ("By team", "By worker", "By IRO", "By month"):
        (row,) = [r for r in sheet(wb, title) if r["Rule"] == "(all rules)"]
        assert row["Unmet"] is None and row["Note"].startswith(UNMET_NA), title


# -- bug: "0 children looked after" from an input that cannot carry a period of care ------------


def test_looked_after_is_na_when_the_input_does_not_carry_became_looked_after(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A CIN census carries no period of care: the count of children looked after is n/a with
    that reason (never 0) in the aggregates, the workbook's Summary and the report."""
    agg, wb, page, err = outputs(cli, tmp_path, [EXAMPLES / "samples" / "cin-census"], "2025-03-31")
    assert "does not carry became_looked_after" in err
    why = "the input does not carry became_looked_after"
    assert agg["permanence"] == {
        "looked_after": None,
        "with_plan": None,
        "without_plan_past_due": None,
        "why": why,
    }
    summary = {r["Measure"]: r for r in sheet(wb, "Summary")}
    for label in (
        "Looked after at the date",
        "… with a permanence plan",
        "… without one, past the second review",
    ):
        assert summary[label]["Value"] is None and summary[label]["Note"] == f"n/a: {why}", label
    tracker = re.search(r'<section id="permanence".*?</section>', page, re.S)
    assert tracker
    said = text(re.sub(r"\s+", " ", tracker.group(0)))
    assert "0 children looked after" not in said
    assert f"Children looked after on 2025-03-31: n/a ({why})" in said
    assert f'<abbr class="na" title="n/a: {why}">n/a</abbr>' in tracker.group(0)


def test_looked_after_is_counted_when_the_input_carries_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An SSDA903 return carries periods of care: the count stands (its plans are n/a)."""
    agg, wb, page, _ = outputs(
        cli, tmp_path, [EXAMPLES / "samples" / "ssda903" / "2025-26"], "2026-03-31"
    )
    permanence = agg["permanence"]
    assert permanence["looked_after"] == 9 and permanence["with_plan"] is None
    assert permanence["why"] == "LA008 not assessable: the input does not carry permanence_plan"
    summary = {r["Measure"]: r for r in sheet(wb, "Summary")}
    assert summary["Looked after at the date"]["Value"] == 9
    assert "9 children looked after on 2026-03-31" in page


def test_a_period_of_care_is_read_as_not_carried_in_the_rule_set_s_own_words() -> None:
    """The looked-after count reads the run's not-assessable reasons: it is n/a exactly when
    the rule set says the inputs do not carry became_looked_after."""
    from timescales.aggregates.permanence import period_not_carried

    rules = load_rules(autoload=False)
    _, why = rules.assessable(frozenset({"referral", "assessment_completed"}))
    assert period_not_carried(why) == "the input does not carry became_looked_after"
    _, why = rules.assessable(frozenset({"became_looked_after", "ceased_looked_after"}))
    assert why and period_not_carried(why) is None


# -- bug: "Rules not assessable 1" in the banner, nothing on the workbook's sheet ---------------


def _said(err: str, kind: str) -> set[str]:
    """The rules the console names on its "inactive:" or "not assessable:" lines."""
    return set(re.findall(rf"^{kind}: (\w+): ", err, re.M))


def _banner_count(page: str, ident: str) -> int:
    found = re.search(rf'id="{ident}">([^<]*)<', page)
    return 0 if found is None or found.group(1) == "none" else int(found.group(1))


@pytest.mark.parametrize(
    ("path", "as_of", "inactive", "not_assessable"),
    [
        # LA012 needs a council's school term dates: inactive, not "not assessable"
        ("children.jsonl", "2024-03-31", {"LA012"}, set()),
        # a 903 return: LA012 both (no term dates; no PEPs), as the console says
        ("samples/ssda903/2025-26", "2026-03-31", {"LA012"}, {"LA012", "LA020", "PF004"}),
    ],
)
def test_rules_not_assessable_and_inactive_are_one_tally_in_every_output(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, path: str, as_of: str, inactive: set[str], not_assessable: set[str]
) -> None:
    agg, wb, page, err = outputs(cli, tmp_path, [EXAMPLES / path], as_of)
    said_inactive, said_na = _said(err, "inactive"), _said(err, "not assessable")
    assert said_inactive == inactive and not_assessable <= said_na
    run = agg["run"]
    assert set(run["inactive"]) == said_inactive
    assert set(run["completeness"]["not_assessable"]) == set(run["not_assessable"]) == said_na
    # the report's banner: the same words and counts, each rule under its own heading
    assert _banner_count(page, "inactive") == len(said_inactive)
    assert _banner_count(page, "not-assessable") == len(said_na)
    assert set(re.findall(r'<li id="inactive-(\w+)">', page)) == said_inactive
    assert set(re.findall(r'<li id="na-(\w+)">', page)) == said_na
    # the workbook's "Data completeness" sheet
    rows = {r["Measure"]: r for r in sheet(wb, "Data completeness")}
    assert rows["Rules inactive"]["Value"] == len(said_inactive)
    assert rows["Rules not assessable"]["Value"] == len(said_na)
    assert {m.split(": ", 1)[1] for m in rows if m.startswith("Inactive: ")} == said_inactive
    assert {m.split(": ", 1)[1] for m in rows if m.startswith("Not assessable: ")} == said_na
    assert "school term dates" in rows["Inactive: LA012"]["Note"]


# -- bug: LANC018 judged on the raw count in one list and per FTE in the other -------------------


def test_a_social_worker_has_one_caseload_verdict_in_every_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The example children and workers under Lancashire: the social workers' list takes
    LANC018's verdict per FTE from the workforce grid (SW031 at 0.6 FTE: 1.67 per FTE), and says
    why SW012 differs (the worker records end the allocation; the child's record names SW012)."""
    agg, wb, page, _ = outputs(
        cli,
        tmp_path,
        [EXAMPLES / "children.jsonl", EXAMPLES / "workers.jsonl"],
        "2024-03-31",
        *LANCASHIRE,
    )
    (grid,) = [c for c in agg["workforce"]["caseloads"] if c["rule"] == "LANC018"]
    judged = {r["worker"]: (r["fte"], r["values"][-1]) for r in grid["rows"]}
    worker = agg["caseloads"]["worker"]
    assert worker["rule"] == "LANC018" and worker["rows"]
    for row in worker["rows"]:
        fte, last = judged[row["worker"]]
        assert (row["status"], row["per_fte"], row["fte"], row["allocated"]) == (
            last["status"],
            last["per_fte"],
            fte,
            last["children"],
        ), row["worker"]
    rows = {r["worker"]: r for r in worker["rows"]}
    assert (rows["SW031"]["fte"], rows["SW031"]["per_fte"]) == (0.6, 1.67)
    assert rows["SW031"]["why"] is None
    sw012 = rows["SW012"]
    assert (sw012["children"], sw012["allocated"]) == (1, 0)
    assert "allocations in the worker records" in sw012["why"]
    sheet_rows = {r["Worker"]: r for r in sheet(wb, "Worker caseloads")}
    assert sheet_rows["SW031"]["Allocated per FTE"] == 1.67
    assert sheet_rows["SW031"]["Status"] == rows["SW031"]["status"]
    assert sheet_rows["SW012"]["Note"] == sw012["why"]
    social = re.search(r"<h3>Social workers</h3>.*?</details>", page, re.S)
    assert social and "per FTE" in social.group(0)
    lines = {
        text(m.group(1)): cells(m.group(0))
        for m in re.finditer(r'<tr><th scope="row"[^>]*>(.*?)</th>.*?</tr>', social.group(0), re.S)
    }
    assert lines["SW031"][:2] == ["1", "1.7"]
    assert html.escape(sw012["why"], quote=False) in social.group(0)
