"""`timescales report`: one self-contained HTML file, checked as text and in headless Chromium.

The browser test opens the file with networking emulated offline (and a proxy that answers
nothing), asserts no console errors, no uncaught exceptions, no browser log errors (a CSP
violation would be one) and no request for anything but the file, that each chart is drawn and
the searchable tables filled, and at 1400 and 800 px wide that the page never scrolls sideways,
no table column is cut off, every chart has a text alternative and readable text, and (1400 x
900) the banner, the headline tiles and the rules worst first in colour are above the fold. It
saves screenshots of the top, the rule chart, the heat map and the breach list at both widths
under the test's temporary directory (CI keeps them). Without Chromium it skips with a loud
reason locally and fails under CI=true.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from chromium_cdp import Browser, Page, chromium_or_skip

from timescales.generate import generate
from timescales.reporters.charts import RAG
from timescales.reporters.html import short_citation
from timescales.ruleset.pack import load_rules

CHARTS = (
    "chart-rules",
    "chart-trend",
    "chart-status",
    "chart-teams",
    "chart-heat",
    "chart-caseload",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from timescales.cli import main

    tmp = tmp_path_factory.mktemp("report")
    data = tmp / "children.jsonl"
    records = list(generate(600, seed=11))
    # a child whose id would break out of a <script> if it were not escaped, with a breach so
    # that the id reaches the breach list (a first private fostering visit never made)
    records[0]["child"] = "</script><script>alert(1)</script>"
    records[0]["events"].append({"type": "pf_notified", "date": "2024-01-02", "ref": "FX"})
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp / "report.html"
    code = main(
        ["report", str(data), "--as-of", "2024-03-31", "-o", str(out), "--la", "example-borough"]
    )
    assert code == 0
    return out


def section(page: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', page, re.S)
    assert found, ident
    return found.group(0)


def svg(page: str, ident: str) -> str:
    found = re.search(rf'<svg class="chart" id="{ident}".*?</svg>', page, re.S)
    assert found, ident
    return found.group(0)


def island(page: str, ident: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', page, re.S)
    assert found, ident
    data: dict[str, Any] = json.loads(found.group(1).replace("\\u003c", "<"))
    return data


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    # nothing to fetch: no external scripts, styles, fonts or images
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert "<img" not in page and "@font-face" not in page
    # and a policy that forbids fetching anything, even by mistake
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in html.unescape(csp.group(1))
    # the one inline script is allowed by its hash, and is exactly the script in the page
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"sha256-{digest}" in csp.group(1)
    # data islands cannot be closed early by the data
    assert page.count("</script>") == 3
    assert "\\u003c/script>\\u003cscript>alert(1)" in page
    # and the first page of the breach list, written as HTML, escapes it
    assert "<script>alert(1)" not in page.replace(scripts[0], "")


def test_report_markup_comes_from_the_packaged_templates() -> None:
    """decisions.md: the markup lives in Jinja2 templates shipped as package data, autoescaped;
    the Python module holds no page markup."""
    from importlib import resources

    import timescales.reporters.html as module

    files = resources.files("timescales.reporters.templates")
    for name in ("report.html", "macros.html", "report.css", "report.js"):
        assert files.joinpath(name).is_file(), name
    env = module._environment()
    assert env.autoescape is True
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "<section" not in source and "<table" not in source and "<tr>" not in source


def test_report_has_every_section_and_accessible_charts(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    for ident in (
        "completeness",
        "headlines",
        "rules",
        "trend",
        "teams",
        "targets",
        "counts",
        "caseloads",
        "permanence",
        "breaches",
    ):
        assert f'<section id="{ident}"' in page, ident
    for chart in CHARTS:
        found = re.search(rf'<svg class="chart" id="{chart}" role="img"[^>]*>', page)
        assert found, chart
        assert f'aria-labelledby="{chart}-t {chart}-d"' in found.group(0)
        assert f'<title id="{chart}-t">' in page and f'<desc id="{chart}-d">' in page
    # Okabe-Ito colours only for data marks
    fills = set(re.findall(r'fill="(#[0-9A-Fa-f]{6})"', page))
    assert fills <= {"#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#8C8C8C"}
    # the local target is shown against the measured rate
    assert "90% of looked-after reviews on time" in page


def test_rules_worst_first_in_plain_words_with_rag_and_the_number_due(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    chart = svg(page, "chart-rules")
    titles = {r.id: r.title for r in load_rules(la="example-borough").rules}
    names = {r.id: r.name for r in load_rules(la="example-borough").rules}
    bars = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="20" fill="(#\w+)"><title>'
        r"(\w+) (\d+)% on time of ([\d,]+) due, (\S) (red|amber|green)",
        chart,
    )
    assert len(bars) > 10
    rates = [int(b[3]) for b in bars]
    assert rates == sorted(rates), "worst first"
    for width, fill, rule, _, due, shape, word in bars:
        assert (fill, shape) == RAG[word], rule  # colour, shape and word agree
        assert float(width) >= 4, rule  # a 0% bar is still visible
        assert f"{due} due" in chart
        # the rule's plain-English title with its ID beside, never the kebab name
        label = f'<tspan class="key">{rule}</tspan> {html.escape(titles[rule][:100], False)}'
        assert label in chart.replace("&#39;", "'"), rule
        assert names[rule] not in chart
    # LA005-LA007 carry Example Borough's 90% target: marked against it, with a tick
    assert chart.count('class="target"') == 3
    la005 = next(b for b in bars if b[2] == "LA005")
    assert la005[6] == (
        "green" if int(la005[3]) >= 90 else "amber" if int(la005[3]) >= 75 else "red"
    )


def test_headline_days_late_are_whole_days(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    tiles = section(page, "headlines")
    for value in re.findall(r'<span class="v">([^<]*)</span>', tiles):
        assert not re.fullmatch(r"[\d,]+\.\d+", value), value  # no "231.8" days
    rules = section(page, "rules")
    assert not re.search(
        r'data-label="(Median|90th percentile) days late" class="n">[\d,]+\.\d', rules
    )


def test_trend_shows_only_months_with_data_and_their_counts() -> None:
    """Months before the first and after the last month with anything due are left out (not an
    empty 24-month axis); each month shows its number due."""
    import datetime as dt
    import io

    from reports_helpers import AS_OF, finding, result

    from timescales.aggregates.summary import Aggregator
    from timescales.reporters.html import render

    agg = Aggregator(load_rules(autoload=False), AS_OF)
    findings = [
        finding("LA005", "met", child="C1", due=dt.date(2023, 11, 3)),
        finding("LA005", "late", child="C1", due=dt.date(2023, 11, 20), days_late=3),
        finding("LA005", "met", child="C1", due=dt.date(2024, 1, 10)),
    ]
    agg.add(result("C1", findings))
    out = io.StringIO()
    render(agg.to_dict(), out, breaches=[], cites={}, cite_titles={}, permanence=[])
    line = svg(out.getvalue(), "chart-trend")
    months = re.findall(r">([A-Z][a-z]{2} \d\d)</text>", line)
    assert months == ["Nov 23", "Dec 23", "Jan 24"]
    assert re.findall(r'class="axis n" text-anchor="middle">(\d+)</text>', line) == ["2", "0", "1"]


def test_heat_map_and_workers_under_their_teams(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    teams = section(page, "teams")
    heat = svg(page, "chart-heat")
    for team in ("North", "South", "East", "West", "Central"):
        assert f">{team}<title>" in heat
    assert re.search(r"[■▲●] \d+%</text>", heat) and re.search(r">\d[\d,]* due</text>", heat)
    # workers grouped in one tbody per team, each headed by the team
    groups = re.findall(
        r'<tbody><tr><th scope="rowgroup" colspan="\d+">([^<]+)</th></tr>(.*?)</tbody>', teams, re.S
    )
    assert {g[0] for g in groups} == {"North", "South", "East", "West", "Central"}
    # each worker under the team most of their children are in
    from collections import Counter

    teams_of: dict[str, Counter[str]] = {}
    for r in generate(600, seed=11):
        teams_of.setdefault(r["worker"], Counter())[r["team"]] += 1
    seen = set()
    for team, body in groups:
        for worker in re.findall(r'<th scope="row" data-label="Worker">([^<]+)</th>', body):
            most = max(teams_of[worker].values())
            assert teams_of[worker][team] == most, (worker, team)
            seen.add(worker)
    assert seen == set(teams_of)


def test_breach_list_full_width_filters_short_citations_and_no_days_for_unmet(
    report: Path,
) -> None:
    page = report.read_text(encoding="utf-8")
    breaches = section(page, "breaches")
    assert '<section id="breaches" class="full"' in breaches
    assert 'class="scroll"' not in page  # no box-in-page scrolling anywhere
    for ident in ("breach-rule", "breach-team", "breach-worker", "breach-status"):
        assert f'<select id="{ident}">' in breaches, ident
    assert '<option value="unmet">' in breaches
    # short citation labels, the full text as the link's title and target
    data = island(page, "data-breaches")
    labels = {c[1] for c in data["cites"]}
    assert "SI 2010/959 reg 33(1)" in labels or "SI 2010/959 reg 33(2)" in labels
    assert all(len(label) <= 44 for label in labels), labels
    assert all(c[0].startswith("https://") for c in data["cites"])
    # unmet findings never carry days late, in the data or in the rows written as HTML
    C = {name: i for i, name in enumerate(data["columns"])}
    unmet = [r for r in data["rows"] if r[C["status"]] == "unmet"]
    assert unmet and all(r[C["days_late"]] is None for r in unmet)
    rows = re.findall(r"<tr>\s*<td class=\"rule\".*?</tr>", breaches, re.S)
    assert len(rows) == 100  # the first page, readable without the script
    for row in rows:
        if 'class="s-unmet"' in row:
            assert re.search(r'data-label="Days late" class="n"></td>', row)
            assert "overdue" not in row


def test_short_citations() -> None:
    assert (
        short_citation(
            "Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959) "
            "reg 33(1)"
        )
        == "SI 2010/959 reg 33(1)"
    )
    assert (
        short_citation(
            "Adoption Agencies Regulations 2005 (SI 2005/389) reg 30B(1) and (2), substituted "
            "by SI 2013/985 reg 5"
        )
        == "SI 2005/389 reg 30B(1) and (2)"
    )
    assert short_citation("SI 2005/1533 reg 8(1)(a) and (6)") == "SI 2005/1533 reg 8(1)(a) and (6)"
    assert (
        short_citation("Working Together to Safeguard Children, chapter 1 (core groups)")
        == "Working Together, chapter 1"
    )
    assert short_citation("Children Act 1989 s.46(6)") == "CA 1989 s.46(6)"
    for rule in load_rules(autoload=False).rules:
        if rule.law is not None:
            assert 3 <= len(short_citation(rule.law.provision)) <= 44, rule.id


def test_report_shows_unmet_and_keeps_it_out_of_days_late() -> None:
    """Unmet visits (LA020, PF004) are counted in the tiles, the tables, the status chart's
    legend and the breach list, are due in % on time, and never enter the days-late figures."""
    import datetime as dt
    import io

    from reports_helpers import AS_OF, finding, result

    from timescales.aggregates.summary import Aggregator
    from timescales.reporters.html import PURPLE, breach_row, render

    findings = [
        finding("LA020", "met"),
        finding("LA020", "unmet"),
        finding("PF004", "unmet"),
        finding("LA005", "late", days_late=4),
        finding("LA005", "overdue", due=AS_OF - dt.timedelta(days=30)),
        finding("LA005", "pending", due=AS_OF + dt.timedelta(days=5)),
    ]
    agg = Aggregator(load_rules(autoload=False), AS_OF)
    agg.add(result("C1", findings))
    cites: dict[str, int] = {}
    rows = [breach_row(f, cites) for f in findings if f.is_breach]
    out = io.StringIO()
    render(agg.to_dict(), out, breaches=rows, cites=cites, cite_titles={}, permanence=[])
    page = out.getvalue()
    tiles = dict(
        (label, value)
        for value, label in re.findall(
            r'<span class="v">([^<]*)</span><span class="l">(?:<span[^>]*>[^<]*</span>)?([^<]*)<',
            page,
        )
    )
    assert tiles["unmet visits"] == "2"
    assert tiles["breaches"] == "4"
    assert tiles["on time, of 5 due"] == "20.0%"  # 1 / (1 + 1 + 1 + 2)
    # of 4 and 30 days: 17 (were the unmet visits counted as 0 days, it would be 2)
    assert tiles["median days late"] == "17"
    assert tiles["90th percentile days late"] == "27"  # 27.4, in whole days
    assert '<th scope="col" class="n">Unmet</th>' in page
    # the status chart's legend and colour
    status_chart = svg(page, "chart-status")
    assert ">unmet</text>" in status_chart
    assert f'fill="{PURPLE}"' in status_chart
    # the breach list carries the unmet findings, with no days late, and a filter for them
    data = island(page, "data-breaches")
    status, days = data["columns"].index("status"), data["columns"].index("days_late")
    unmet_rows = [r for r in data["rows"] if r[status] == "unmet"]
    assert len(unmet_rows) == 2 and all(r[days] is None for r in unmet_rows)
    assert '<option value="unmet">' in page
    assert "4 findings late, overdue or unmet" in page


# -- in the browser ----------------------------------------------------------------------------

OVERFLOW = """(function(){
  var vw=document.documentElement.clientWidth,bad=[];
  var page=document.documentElement.scrollWidth;
  if(page>vw){bad.push("page "+page);}
  document.querySelectorAll("table").forEach(function(t,i){
    var r=t.getBoundingClientRect();if(!r.width){return;}
    var name=(t.closest("section")||{}).id+" table "+i;
    if(r.right>vw+0.5||r.left<-0.5){bad.push(name+" right "+r.right);}
    var box=t.parentElement;
    if(box.scrollWidth>box.clientWidth+1){bad.push(name+" scrolls "+box.scrollWidth);}
    t.querySelectorAll("tr:nth-child(-n+40)>*").forEach(function(c){
      var cr=c.getBoundingClientRect();if(!cr.width){return;}
      if(cr.right>r.right+0.5||cr.right>vw+0.5){bad.push(name+" cell "+c.textContent);}
      if(c.scrollWidth>c.clientWidth+1){bad.push(name+" cut "+c.textContent);}});});
  return bad;})()"""

ALTERNATIVES = """Array.from(document.querySelectorAll("svg")).filter(function(s){
  var label=s.getAttribute("aria-label");
  var ids=(s.getAttribute("aria-labelledby")||"").split(" ").filter(Boolean);
  var named=ids.length&&ids.every(function(i){var n=document.getElementById(i);
    return n&&s.contains(n)&&n.textContent.trim();});
  var title=s.querySelector(":scope>title"),desc=s.querySelector(":scope>desc");
  return !(label||named||(title&&title.textContent.trim())||(desc&&desc.textContent.trim()));
}).map(function(s){return s.id||s.outerHTML.slice(0,80);})"""

# the smallest text in each shown chart, in CSS pixels as drawn
TEXT_SIZES = """Object.fromEntries(Array.from(document.querySelectorAll("svg.chart")).filter(
  function(s){return s.getBoundingClientRect().width>0;}).map(function(s){
  var scale=s.getBoundingClientRect().width/s.viewBox.baseVal.width;
  var sizes=Array.from(s.querySelectorAll("text")).map(function(t){
    return parseFloat(getComputedStyle(t).fontSize)*scale;});
  return [s.id,Math.min.apply(null,sizes)];}))"""


def test_report_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    binary = chromium_or_skip()
    browser = Browser(binary, tmp_path / "profile")
    try:
        for width in (1400, 800):
            page = Page(browser, width=width, height=900)
            page.open(report.resolve().as_uri())
            breaches = int(
                page.wait_until(
                    "document.getElementById('breach-table').getAttribute('data-ready')"
                )
            )
            tracked = int(
                page.wait_until(
                    "document.getElementById('permanence-table').getAttribute('data-ready')"
                )
            )
            # screenshots: the top (as the window shows it), the rule chart, the heat map and
            # the breach list; kept under tmp_path (CI keeps them as artefacts)
            shots = {
                "top": None,
                "rules": "#rules figure",
                "heatmap": "#chart-heat",
                "breaches": "#breaches",
            }
            for name, selector in shots.items():
                shot = tmp_path / f"report-{width}-{name}.png"
                if selector is None:
                    page.screenshot(shot, full_page=False)
                else:
                    page.screenshot_of(selector, shot)
                assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
                assert shot.stat().st_size > 10_000, shot

            drawn = page.evaluate(
                "Object.fromEntries(Array.from(document.querySelectorAll('svg.chart')).map(s =>"
                " [s.id, {marks: s.querySelectorAll('rect,circle,polyline').length, "
                "width: s.getBoundingClientRect().width, "
                "height: s.getBoundingClientRect().height}]))"
            )
            for chart in CHARTS:
                assert chart in drawn, f"{chart} missing"
                assert drawn[chart]["marks"] > 2, f"{chart} drew nothing: {drawn[chart]}"
                assert drawn[chart]["width"] > 300 and drawn[chart]["height"] > 100, chart
            assert page.evaluate("document.querySelector('#chart-trend polyline') !== null")
            # every chart (every svg) has a text alternative
            assert page.evaluate(ALTERNATIVES) == []
            # readable chart text: at least 11 px as drawn, at either width
            sizes = page.evaluate(TEXT_SIZES)
            assert set(CHARTS) <= set(sizes)
            assert all(size >= 11 for size in sizes.values()), sizes

            if width == 1400:
                # above the fold at 1400 x 900: the banner, the tiles, the rules worst first
                fold = page.evaluate(
                    "(function(){function b(s){var r=document.querySelector(s)"
                    ".getBoundingClientRect();return [r.top,r.bottom];}"
                    "var bars=Array.from(document.querySelectorAll('#chart-rules rect[fill]'))"
                    ".filter(function(r){return r.getBoundingClientRect().bottom<=900;});"
                    "return {banner:b('#completeness'),tiles:b('#headlines .tiles'),"
                    "fills:bars.map(function(r){return r.getAttribute('fill');}),"
                    "said:bars.map(function(r){return r.querySelector('title').textContent;})};"
                    "})()"
                )
                assert fold["banner"][1] <= 900 and fold["tiles"][1] <= 900, fold
                assert len(fold["fills"]) >= 5, fold  # rules in view
                assert set(fold["fills"]) <= {colour for colour, _ in RAG.values()}
                rates = [int(re.search(r" (\d+)% on time", s).group(1)) for s in fold["said"]]  # type: ignore[union-attr]
                assert rates == sorted(rates), rates

            # the breach list: filled, paged, searchable, filterable
            assert breaches > 100 and tracked > 10
            assert (
                page.evaluate("document.querySelectorAll('#breach-table tbody tr').length") == 100
            )
            child = page.evaluate(
                "document.querySelector('#breach-table tbody td:nth-child(2)').textContent"
            )
            page.evaluate(
                "(function(){var q=document.getElementById('breach-q');"
                f"q.value={json.dumps(child)};q.dispatchEvent(new Event('input'));}})()"
            )
            cells = page.evaluate(
                "Array.from(document.querySelectorAll('#breach-table tbody td:nth-child(2)'))"
                ".map(td => td.textContent)"
            )
            assert cells and all(c == child for c in cells)
            assert "matching" in page.evaluate(
                "document.querySelector('#breach-table .info').textContent"
            )
            links = page.evaluate(
                "Array.from(document.querySelectorAll('#breach-table tbody a'))"
                ".map(a => [a.href, a.textContent])"
            )
            assert links and all(
                re.match(r"^https://([a-z0-9-]+\.)*gov\.uk/", href) and len(text) <= 44
                for href, text in links
            ), links
            # filter by team and status: every row shown matches; unmet rows have no days
            page.evaluate(
                "(function(){var q=document.getElementById('breach-q');q.value='';"
                "q.dispatchEvent(new Event('input'));"
                "var f=function(id,v){var s=document.getElementById(id);s.value=v;"
                "s.dispatchEvent(new Event('change'));};"
                "f('breach-team','North');f('breach-status','unmet');})()"
            )
            shown = page.evaluate(
                "Array.from(document.querySelectorAll('#breach-table tbody tr')).map(tr =>"
                " Array.from(tr.children).map(td => td.textContent))"
            )
            assert shown and all(r[9] == "North" and r[6] == "unmet" for r in shown)
            assert all(r[7] == "" and r[8] == "" for r in shown)  # no days late, never overdue
            page.evaluate(
                "(function(){var f=function(id){var s=document.getElementById(id);s.value='';"
                "s.dispatchEvent(new Event('change'));};f('breach-team');f('breach-status');})()"
            )

            # no horizontal overflow, no table column cut off: with every section opened
            page.evaluate("document.querySelectorAll('details').forEach(function(d){d.open=true;})")
            assert page.evaluate(OVERFLOW) == [], width
            assert page.evaluate("document.documentElement.scrollWidth") <= width

            # the escaped child id shows as text, and no script ran from it
            assert page.evaluate("typeof window.alert") == "function"
            problems = page.problems()
            assert problems == {"console": [], "exceptions": [], "log": [], "requests": []}, (
                problems
            )
    finally:
        browser.close()
