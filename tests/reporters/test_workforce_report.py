"""The workforce in the report and the workbook (issue 21): caseloads per worker month by month
against the range (the newly qualified against their own), supervision, induction and training
on time per team, the recruitment targets, the rules not assessed; "n/a" with why wherever the
data cannot give a figure, never 0. The aggregates' workforce part is hand-built
(workforce_helpers); without one the report is exactly as before.

The browser test opens the report in headless Chromium at 1400 and 800 px: no console errors,
the section visible, its grids drawn with readable text, nothing cut off; it saves screenshots
of the section under the test's temporary directory (and, when SCREENSHOTS_DIR is set, copies
them there for a person to look at)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from chromium_cdp import Browser, Page, chromium_or_skip
from openpyxl import load_workbook
from reports_helpers import finding, result, synthetic_children
from test_html_report import ALTERNATIVES, OVERFLOW, TEXT_SIZES
from workforce_helpers import (
    AS_OF,
    NO_ADOPTERS,
    NO_ALLOCATIONS,
    NOT_SET,
    SNAPSHOTS,
    workforce,
)

from timescales.aggregates.summary import Aggregator
from timescales.reporters.charts import RAG, WIDTH, LoadRow, caseload_grid
from timescales.reporters.html import NO_WORKERS, render
from timescales.reporters.xlsx import write_xlsx
from timescales.ruleset.pack import load_rules

SVG = "{http://www.w3.org/2000/svg}"
OKABE_ITO = {"#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#8C8C8C"}


def aggregates(children: int = 40) -> dict[str, Any]:
    """The aggregates of a small run (no workforce part)."""
    agg = Aggregator(load_rules(autoload=False), AS_OF)
    for child in synthetic_children(children):
        agg.add(child)
    agg.add(result("C-extra", [finding("LA005", "met")]))
    out = agg.to_dict()
    out.pop("workforce")  # the part these tests build by hand
    return out


def page(agg: dict[str, Any]) -> str:
    out = io.StringIO()
    render(agg, out, breaches=[], cites={}, cite_titles={}, permanence=[])
    return out.getvalue()


def with_workforce(wf: dict[str, Any] | None = None) -> str:
    agg = aggregates()
    agg["workforce"] = workforce() if wf is None else wf
    return page(agg)


def section(html: str) -> str:
    found = re.search(r'<section id="workforce".*?</section>', html, re.S)
    assert found, "no workforce section"
    return found.group(0)


def cells(row: str) -> list[str]:
    """The text of a table row's cells (its heading left out), tags stripped."""
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def chart(html: str, ident: str) -> ET.Element:
    found = re.search(rf'<svg class="chart" id="{ident}".*?</svg>', html, re.S)
    assert found, ident
    return ET.fromstring(found.group(0))  # well-formed on its own


def cell_titles(svg: ET.Element) -> dict[str, str]:
    """Each grid cell's hover text, by "worker, date"."""
    out = {}
    for title in svg.iter(f"{SVG}title"):
        text = title.text or ""
        m = re.match(r"(\w+, \d{4}-\d\d-\d\d): (.*)", text)
        if m:
            out[m.group(1)] = m.group(2)
    return out


# -- the report, as text --------------------------------------------------------------------


def test_without_workforce_the_report_is_as_before() -> None:
    """No "workforce" in the aggregates: no section, no link to one; and the section is purely
    added: taking it (its link, its note in "how to read this") out of a page that has one
    gives the page without it."""
    agg = aggregates()
    before = page(agg)
    assert 'id="workforce"' not in before and "#workforce" not in before
    agg["workforce"] = workforce()
    after = page(agg)
    stripped = re.sub(r'<section id="workforce".*?</section>\n', "", after, flags=re.S)
    stripped = stripped.replace('<li><a href="#workforce">Workforce</a></li>\n', "")
    stripped = re.sub(r"<li>Workforce caseloads are .*?</li>\n", "", stripped, flags=re.S)
    assert stripped == before
    # the link sits after the caseloads', the section after theirs
    assert after.index('href="#caseloads"') < after.index('href="#workforce"')
    assert after.index('href="#workforce"') < after.index('href="#permanence"')
    assert after.index('<section id="caseloads"') < after.index('<section id="workforce"')


@pytest.mark.parametrize(
    "wf",
    [
        {},
        {
            "workers": 0,
            "rules": [
                {
                    "rule": "LANC016",
                    "name": "supervision",
                    "kind": "worker_interval",
                    "assessed": False,
                    "why": "no worker records",
                },
            ],
            "timeliness": [],
            "caseloads": [],
            "targets": [],
            "supervision_due": [],
        },
    ],
)
def test_no_worker_records_is_said_in_one_line(wf: dict[str, Any]) -> None:
    wf_section = section(with_workforce(wf))
    assert f'<p id="workforce-none">{NO_WORKERS}</p>' in wf_section
    assert "<svg" not in wf_section and "<table" not in wf_section
    if wf:  # the rules it could not assess, with why
        assert "<strong>LANC016</strong> supervision: no worker records" in wf_section


def test_workers_given_but_no_rule_assessed() -> None:
    wf = {
        "workers": 12,
        "rules": [{"rule": "LANC016", "name": "supervision", "kind": "worker_interval",
                   "assessed": False, "why": NOT_SET}],
    }  # fmt: skip
    wf_section = section(with_workforce(wf))
    assert "12 worker records were checked, but none of the workforce rules" in wf_section
    assert f"<strong>LANC016</strong> supervision: {NOT_SET}" in wf_section


def test_caseload_grids_are_accessible_and_show_the_range() -> None:
    html = with_workforce()
    for rule, workers in (("IR001", 6), ("LANC018", 7)):
        ident = f"chart-wf-{rule}"
        svg = chart(html, ident)
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{ident}-t {ident}-d"
        desc = svg.find(f"{SVG}desc")
        assert desc is not None and desc.text
        assert f"for each of {workers} " in desc.text and "at 12 dates" in desc.text
        # the range drawn as a band on the scale
        bands = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "band"]
        assert len(bands) == 1
        # one hatch pattern of its own (two grids on a page: ids never clash)
        assert svg.find(f".//{SVG}pattern[@id='{ident}-hatch']") is not None
        fills = {r.get("fill") for r in svg.iter(f"{SVG}rect") if (r.get("fill") or "")[:1] == "#"}
        assert fills <= OKABE_ITO, fills
    iro = chart(html, "chart-wf-IR001")
    desc = iro.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert "against the range 50–70" in desc.text
    assert "As of 2024-03-31: 1 above, 4 within, 1 below" in desc.text
    assert "Above the range at any date: IRO01 (12 of 12)" in desc.text


def test_above_the_range_is_hatched_and_marked_not_only_coloured() -> None:
    svg = chart(with_workforce(), "chart-wf-IR001")
    titles = cell_titles(svg)
    assert titles["IRO01, 2023-04-30"].startswith("74 children per FTE (74 children), above")
    # every cell of IRO01's row: ▲ and the number, and a hatched overlay
    texts = list(svg.iter(f"{SVG}text"))
    y = next(t.get("y") for t in texts if t.text == "IRO01")
    row = [t.text for t in texts if t.get("y") == y and t.get("class") == "value"]
    assert row == [f"▲{n}" for n in range(74, 86)]
    hatched = [r for r in svg.iter(f"{SVG}rect") if r.get("fill") == "url(#chart-wf-IR001-hatch)"]
    above = sum(1 for t in titles.values() if ", above the range" in t)
    assert len(hatched) == above + 1  # each cell above, and the key's swatch
    # below the range: ▼; IRO05 at half time: 36 children is 72 per FTE, above
    assert any(t.text == "▼40" for t in svg.iter(f"{SVG}text"))
    assert titles["IRO05, 2023-11-30"].startswith("72 children per FTE (36 children), above")


def test_newly_qualified_are_against_their_own_range() -> None:
    svg = chart(with_workforce(), "chart-wf-LANC018")
    titles = cell_titles(svg)
    # 16 children while newly qualified: above their 10-15; 17 after it: within 15-20
    assert titles["SW03, 2023-10-31"] == (
        "16 children per FTE (16 children), above the range 10–15 (newly qualified)"
    )
    assert titles["SW03, 2024-01-31"] == "17 children per FTE (17 children), within the range 15–20"
    # marked: the row's name, a dashed border on each newly qualified cell, the key
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "SW03 NQ" in labels and "SW01" in labels
    dashed = [r for r in svg.iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 9 + 2  # nine month ends newly qualified, the key and the scale
    assert "newly qualified: 10–15 (dashed)" in labels


def test_na_cells_say_na_with_why_and_blank_where_not_in_post() -> None:
    html = with_workforce()
    svg = chart(html, "chart-wf-IR001")
    titles = cell_titles(svg)
    assert titles["IRO05, 2023-04-30"] == f"n/a: {NO_ALLOCATIONS}"
    assert titles["IRO06, 2023-06-30"] == "n/a: the data cannot tell"  # no reason given
    assert titles["IRO04, 2023-04-30"] == "no figure for this date"  # joined in October
    assert sum(1 for t in svg.iter(f"{SVG}text") if t.text == "n/a") == 4
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert len(values) == 6 * 12 - 6 - 4 and "▼0" not in values and "0" not in values
    # the table: n/a with why on hover; the reasons under the chart
    wf = section(html)
    table = re.search(r'<table class="stack" id="table-chart-wf-IR001">.*?</table>', wf, re.S)
    assert table
    iro05 = re.search(r'<th scope="row" data-label="Worker">IRO05.*?</tr>', table.group(0), re.S)
    assert iro05 and iro05.group(0).count(f'title="n/a: {NO_ALLOCATIONS}">n/a</abbr>') == 3
    assert f"<li>{NO_ALLOCATIONS}</li>" in wf
    iro04 = re.search(r'data-label="Worker">IRO04.*?</tr>', table.group(0), re.S)
    assert iro04 and iro04.group(0).count('class="n" data-label="Apr 23">–</td>') == 1


def test_caseload_table_by_worker_and_month() -> None:
    wf = section(with_workforce())
    table = re.search(r'<table class="stack" id="table-chart-wf-LANC018">.*?</table>', wf, re.S)
    assert table
    heads = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table.group(0))
    assert heads[:4] == ["Worker", "Team", "FTE", "Apr 23"] and heads[-2:] == [
        "Mar 24",
        "At 2024-03-31",
    ]
    sw05 = re.search(r'data-label="Worker">SW05</th>(.*?)</tr>', table.group(0), re.S)
    assert sw05 and ">0.8<" in sw05.group(1)  # FTE
    assert '<td class="n" data-label="Apr 23">17.5</td>' in sw05.group(1)  # 14 / 0.8
    sw03 = re.search(r'data-label="Worker">SW03 <abbr[^>]*>\(NQ\)</abbr></th>(.*?)</tr>',
                     table.group(0), re.S)  # fmt: skip
    assert sw03 and sw03.group(1).count("†</abbr>") == 9
    assert '<span class="s-above">▲ 16</span>' in sw03.group(1)
    sw06 = re.search(r'data-label="Worker">SW06</th>(.*?)</tr>', table.group(0), re.S)
    assert sw06 and sw06.group(1).count(">–</td>") == 4  # left in December: no figure, no row


def test_on_time_per_team_na_when_nothing_was_due() -> None:
    wf = section(with_workforce())
    tables = dict(
        re.findall(r'<table class="stack" id="table-wf-(LANC\d+)">(.*?)</table>', wf, re.S)
    )
    assert set(tables) == {"LANC016", "LANC027", "LANC028"}

    def rows(rule: str) -> dict[str, list[str]]:
        found = re.findall(
            r'<th scope="row" data-label="Team">([^<]+)</th>(.*?)</tr>', tables[rule], re.S
        )
        return {team: cells(row) for team, row in found}

    supervision = rows("LANC016")
    assert list(supervision) == ["North", "South", "All teams"]
    assert supervision["North"] == ["30", "2", "1", "3", "90.9% ● green"]  # 30 of 33 due
    assert supervision["South"] == ["20", "8", "3", "2", "64.5% ■ red"]
    assert supervision["All teams"] == ["50", "10", "4", "5", "78.1% ▲ amber"]
    induction = rows("LANC028")
    assert induction["North"] == ["0", "0", "0", "1", "n/a"]  # nothing due: never 0%
    assert 'title="n/a: nothing was due">n/a</abbr>' in tables["LANC028"]
    assert rows("LANC027")["South"] == ["0", "0", "2", "1", "0.0% ■ red"]  # 2 due, none on time
    assert "<strong>LANC028</strong> induction" in tables["LANC028"]


def test_recruitment_targets_with_na_and_why() -> None:
    wf = section(with_workforce())
    table = re.search(r'<table class="stack" id="table-wf-targets">(.*?)</table>', wf, re.S)
    assert table
    fostering, adopters = re.findall(r"<tr><th scope=\"row\".*?</tr>", table.group(1), re.S)
    assert cells(fostering)[2:7] == ["75", "61", "40", "+21", "below target"]
    assert cells(adopters)[2:7] == ["75", "n/a", "n/a", "n/a", "n/a"]
    assert adopters.count(f'title="n/a: {NO_ADOPTERS}"') == 4
    assert f"<li>{NO_ADOPTERS}</li>" in wf  # the footnote says why once


def test_rules_not_assessed_and_supervision_due() -> None:
    wf = section(with_workforce())
    assert f"<li><strong>WF001</strong> asye-supervision: {NOT_SET}</li>" in wf
    assert "<strong>LANC016</strong> supervision:" not in wf  # assessed: not listed
    due = re.search(r'<details id="wf-supervision-due">(.*?)</details>', wf, re.S)
    assert due and "2 overdue, 2 pending" in due.group(1)
    workers = re.findall(r'data-label="Worker">(\w+)</th>', due.group(1))
    assert workers == ["IRO04", "SW02", "SW05", "SW01"]  # overdue first, then by due date
    assert "overdue 151 days" in due.group(1) and "none recorded" in due.group(1)
    assert "due in 5 days" in due.group(1)


def test_grid_for_sixty_workers_stays_legible() -> None:
    """10 to 60 workers, 12 months: every worker a row, text at 13 units in a chart no wider
    than the others; more dates than fit are drawn at their natural size (the page box
    scrolls) rather than shrunk."""
    agg = aggregates()
    agg["workforce"] = workforce(extra_iros=54)
    html = page(agg)
    svg = chart(html, "chart-wf-IR001")
    assert float(svg.get("width") or 0) <= WIDTH
    names = [t.text for t in svg.iter(f"{SVG}text") if re.fullmatch(r"IRO\d\d", t.text or "")]
    assert len(names) == 60
    # the month heads at the top and again before the 21st and the 41st worker
    texts = list(svg.iter(f"{SVG}text"))
    heads = [float(t.get("y") or 0) for t in texts if t.text == "Apr 23"]
    rows = {t.text: float(t.get("y") or 0) for t in texts if t.text in ("IRO20", "IRO21", "IRO41")}
    assert len(heads) == 3 and rows["IRO20"] < heads[1] < rows["IRO21"] < heads[2] < rows["IRO41"]
    assert float(svg.get("height") or 0) > rows["IRO41"] + 19 * 24
    assert "for each of 60 IROs" in (svg.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    # two years of month ends: wider than a chart may shrink to, so drawn at its size
    dates = [f"{y}-{m:02d}-28" for y in (2022, 2023) for m in range(1, 13)]
    rows = [LoadRow("W1", "T", [None] * 24)]
    wide = caseload_grid("g", dates, rows, low=1, high=2, title="t", desc="d")
    root = ET.fromstring(str(wide))
    assert float(root.get("width") or 0) > WIDTH and "max-width" not in (root.get("style") or "")


def test_grid_with_no_range_gives_no_verdict() -> None:
    """A caseload rule with no range (a council has not set one): no band, no above or below,
    the key says so."""
    from timescales.reporters.charts import Load

    rows = [LoadRow("W1", "T", [Load(12.0, None), Load(None, why="no FTE recorded")])]
    root = ET.fromstring(str(caseload_grid("g", SNAPSHOTS[:2], rows, low=None, high=None,
                                           title="t", desc="d")))  # fmt: skip
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "no range set: no verdict" in texts and "12" in texts and "n/a" in texts
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "band"]
    assert not any((t or "").startswith(("▲", "▼")) for t in texts)
    assert cell_titles(root)["W1, 2023-05-31"] == "n/a: no FTE recorded"


# -- the workbook ---------------------------------------------------------------------------


class WithWorkforce(Aggregator):
    """An aggregator whose aggregates carry a hand-built workforce part (or none at all)."""

    hand_built: dict[str, Any] | None = None

    def to_dict(self, summary: Any = None) -> dict[str, Any]:
        out = super().to_dict(summary)
        out.pop("workforce", None)
        if self.hand_built is not None:
            out["workforce"] = copy.deepcopy(self.hand_built)
        return out


def workbook(tmp_path: Path, wf: dict[str, Any] | None) -> Any:
    agg = WithWorkforce(load_rules(autoload=False), AS_OF)
    agg.hand_built = wf
    children = list(synthetic_children(20))
    for child in children:
        agg.add(child)
    path = tmp_path / ("with.xlsx" if wf is not None else "without.xlsx")
    write_xlsx((f for c in children for f in c.findings), agg, path)
    return load_workbook(path)


def day(year: int, month: int, date: int) -> dt.datetime:
    """A date as openpyxl reads a date cell back: a naive datetime at midnight."""
    return dt.datetime.combine(dt.date(year, month, date), dt.time())


def rows(ws: Any) -> list[dict[str, Any]]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_workbook_has_the_workforce_with_typed_cells(tmp_path: Path) -> None:
    without = workbook(tmp_path, None)
    wb = workbook(tmp_path, workforce())
    added = [s for s in wb.sheetnames if s not in without.sheetnames]
    assert added == [
        "Workforce caseloads",
        "Workforce on time",
        "Workforce targets",
        "Workforce rules",
        "Supervision due",
    ]
    loads = rows(wb["Workforce caseloads"])
    # every worker's figure at every date: IR001 5 x 12 + 6 (IRO04 joined in October), LANC018
    # 6 x 12 + 9 (SW06 left in December)
    assert len(loads) == 66 + 81
    first = loads[0]
    assert (first["Rule"], first["Worker"], first["Date"]) == ("IR001", "IRO01", day(2023, 4, 30))
    assert wb["Workforce caseloads"]["G2"].number_format == "yyyy-mm-dd"
    assert first["Children"] == 74 and first["Children per FTE"] == 74
    assert (first["Status"], first["Low"], first["High"], first["Note"]) == ("above", 50, 70, None)
    half = next(r for r in loads if r["Worker"] == "SW05" and r["Date"] == day(2023, 4, 30))
    assert isinstance(half["Children per FTE"], float) and half["Children per FTE"] == 17.5
    nq = next(r for r in loads if r["Worker"] == "SW03" and r["Date"] == day(2023, 10, 31))
    assert nq["Newly qualified"] is True
    assert (nq["Low"], nq["High"], nq["Status"]) == (10, 15, "above")
    na = next(r for r in loads if r["Worker"] == "IRO05" and r["Date"] == day(2023, 4, 30))
    assert (na["Children"], na["Children per FTE"], na["Status"]) == ("n/a", "n/a", "n/a")
    assert na["Note"] == f"n/a: {NO_ALLOCATIONS}"

    on_time = rows(wb["Workforce on time"])
    north = next(r for r in on_time if r["Rule"] == "LANC028" and r["Team"] == "North")
    assert north["% on time"] == "n/a" and north["Note"] == "n/a: nothing was due"
    south = next(r for r in on_time if r["Rule"] == "LANC016" and r["Team"] == "South")
    assert south["Met"] == 20 and south["% on time"] == pytest.approx(20 / 31, abs=1e-4)
    col = list(rows(wb["Workforce on time"])[0]).index("% on time")
    assert wb["Workforce on time"].cell(row=2, column=col + 1).number_format == "0.0%"
    teams = [r["Team"] for r in on_time if r["Rule"] == "LANC016"]
    assert teams == ["North", "South", "(all teams)"]

    targets = {r["Rule"]: r for r in rows(wb["Workforce targets"])}
    assert targets["LANC011"]["From"] == day(2023, 4, 1)
    assert [targets["LANC011"][k] for k in ("Target", "Recruited", "Left", "Net", "Status")] == [
        75, 61, 40, 21, "below"
    ]  # fmt: skip
    assert [targets["LANC012"][k] for k in ("Recruited", "Left", "Net", "Status")] == ["n/a"] * 4
    assert targets["LANC012"]["Note"] == f"n/a: {NO_ADOPTERS}"

    rules = {r["Rule"]: r for r in rows(wb["Workforce rules"])}
    assert rules["WF001"]["Assessed"] is False and rules["WF001"]["Why not"] == NOT_SET
    assert rules["IR001"]["Assessed"] is True
    due = rows(wb["Supervision due"])
    assert due[0]["Worker"] == "SW02" and due[0]["Due"] == day(2024, 2, 7)
    assert due[1]["Last supervision"] is None  # none recorded
    summary = {r["Measure"]: r["Value"] for r in rows(wb["Summary"])}
    assert summary["Worker records checked"] == 13
    assert "Worker records checked" not in {r["Measure"] for r in rows(without["Summary"])}


def test_workbook_with_no_worker_records_says_so(tmp_path: Path) -> None:
    wb = workbook(tmp_path, {})
    (only,) = rows(wb["Workforce rules"])
    assert only["Assessed"] is False and "no worker records were given" in only["Why not"]
    assert rows(wb["Workforce caseloads"]) == []


# -- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    agg = aggregates(300)
    agg["workforce"] = workforce(extra_iros=14)  # 20 IROs and 7 social workers
    out = tmp_path_factory.mktemp("workforce") / "report.html"
    out.write_text(page(agg), encoding="utf-8")
    return out


def test_workforce_section_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    binary = chromium_or_skip()
    browser = Browser(binary, tmp_path / "profile")
    grids = ("chart-wf-IR001", "chart-wf-LANC018")
    shots = []
    try:
        for width in (1400, 800):
            view = Page(browser, width=width, height=900)
            view.open(report.resolve().as_uri())
            view.evaluate("document.querySelectorAll('details').forEach(function(d){d.open=true;})")
            box = view.evaluate(
                "(function(){var e=document.getElementById('workforce'),"
                "r=e.getBoundingClientRect(),s=getComputedStyle(e);return {w:r.width,h:r.height,"
                "shown:s.display!=='none'&&s.visibility!=='hidden'};})()"
            )
            assert box["shown"] and box["w"] > 300 and box["h"] > 1000, box
            drawn = view.evaluate(
                "Object.fromEntries(Array.from(document.querySelectorAll('#workforce svg.chart'))"
                ".map(s => [s.id, {cells: s.querySelectorAll('rect').length,"
                " width: s.getBoundingClientRect().width}]))"
            )
            assert set(drawn) == set(grids), drawn
            for ident in grids:
                assert drawn[ident]["cells"] > 50 and drawn[ident]["width"] > 600, drawn
            # readable text (at least 11 px as drawn), a text alternative, nothing cut off
            sizes = view.evaluate(TEXT_SIZES)
            assert all(sizes[g] >= 11 for g in grids), sizes
            assert view.evaluate(ALTERNATIVES) == []
            assert view.evaluate(OVERFLOW) == [], width
            shot = tmp_path / f"workforce-{width}.png"
            view.screenshot_of("#workforce", shot, max_height=4000)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
            shots.append(shot)
            grid = tmp_path / f"workforce-{width}-sw-grid.png"
            view.screenshot_of("#chart-wf-LANC018", grid)
            shots.append(grid)
            problems = view.problems()
            assert problems == {"console": [], "exceptions": [], "log": [], "requests": []}, (
                problems
            )
    finally:
        browser.close()
    keep = os.environ.get("SCREENSHOTS_DIR")
    if keep:  # for a person to look at; the test never needs it
        for shot in shots:
            shutil.copy(shot, Path(keep) / shot.name)


def test_rag_marks_in_the_on_time_tables_are_the_report_s() -> None:
    """% on time per team is marked as the rest of the report marks rates: colour, shape and
    word, against the national thresholds."""
    wf = section(with_workforce())
    marks = re.findall(r'<span class="rag-(\w+)">([^<]+)</span>', wf)
    # every rate with something due, in the tables' order (LANC028 North: n/a, no mark)
    assert [status for status, _ in marks] == [
        *("green", "red", "amber"),  # LANC016: 90.9%, 64.5%, 78.1%
        *("red", "red"),  # LANC028: South and all teams 50%
        *("amber", "red", "red"),  # LANC027: 75%, 0%, 50%
    ]
    assert all(f"{RAG[status][1]} {status}" == text for status, text in marks)


def test_the_examples_workforce_in_headless_chromium(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The report of a real run (the example children and workforce, Lancashire with the
    example settings): its workforce section comes from the engine, not a hand-built part,
    and renders with every Lancashire workforce standard in it and no console error."""
    binary = chromium_or_skip()
    examples = Path(__file__).resolve().parents[2] / "examples"
    out = tmp_path / "report.html"
    res = cli(
        "report",
        str(examples / "children.jsonl"),
        str(examples / "workers.jsonl"),
        "--la",
        "lancashire",
        "--settings",
        str(examples / "lancashire-settings.yaml"),
        "--as-of",
        "2024-03-31",
        "-o",
        str(out),
    )
    assert res.code == 0, res.err
    browser = Browser(binary, tmp_path / "profile")
    try:
        view = Page(browser, width=1400, height=900)
        view.open(out.resolve().as_uri())
        view.evaluate("document.querySelectorAll('details').forEach(function(d){d.open=true;})")
        text = view.evaluate("document.getElementById('workforce').innerText")
        for rule in ("IR001", "LANC011", "LANC012", "LANC016", "LANC018", "LANC027", "LANC028"):
            assert rule in text, rule
        assert "26 worker records" in text
        drawn = view.evaluate(
            "Array.from(document.querySelectorAll('#workforce svg.chart')).map(s => s.id)"
        )
        assert "chart-wf-LANC018" in drawn and "chart-wf-IR001" in drawn
        assert view.evaluate(OVERFLOW) == []
        shot = tmp_path / "workforce-examples.png"
        view.screenshot_of("#workforce", shot, max_height=4000)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert view.problems() == {"console": [], "exceptions": [], "log": [], "requests": []}
    finally:
        browser.close()
    keep = os.environ.get("SCREENSHOTS_DIR")
    if keep:  # for a person to look at; the test never needs it
        shutil.copy(shot, Path(keep) / shot.name)
