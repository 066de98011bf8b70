"""`timescales report`: one self-contained HTML file, checked as text and in headless Chromium.

The browser test opens the file with networking emulated offline (and a proxy that answers
nothing), asserts no console errors, no uncaught exceptions, no browser log errors (a CSP
violation would be one) and no request for anything but the file, that each chart is drawn and
the searchable tables filled, and saves a screenshot under the test's temporary directory.
Without Chromium it skips with a loud reason locally and fails under CI=true.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from chromium_cdp import Browser, Page, chromium_or_skip

from timescales.generate import generate
from timescales.reporters.html import nice_max

CHARTS = ("chart-rules", "chart-trend", "chart-status", "chart-teams", "chart-caseload")


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


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    # nothing to fetch: no external scripts, styles, fonts or images
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert "<img" not in page and "@font-face" not in page
    # and a policy that forbids fetching anything, even by mistake
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src &#x27;none&#x27;" in csp.group(1)
    # the one inline script is allowed by its hash, and is exactly the script in the page
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"sha256-{digest}" in csp.group(1)
    # data islands cannot be closed early by the data
    assert page.count("</script>") == 3
    assert "\\u003c/script>\\u003cscript>alert(1)" in page


def test_report_has_every_section_and_accessible_charts(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    for section in (
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
        assert f'<section id="{section}"' in page, section
    for chart in CHARTS:
        svg = re.search(rf'<svg class="chart" id="{chart}" role="img"[^>]*>', page)
        assert svg, chart
        assert f'aria-labelledby="{chart}-t {chart}-d"' in svg.group(0)
        assert f'<title id="{chart}-t">' in page and f'<desc id="{chart}-d">' in page
    # Okabe-Ito colours only for data marks
    fills = set(re.findall(r'fill="(#[0-9A-Fa-f]{6})"', page))
    assert fills <= {"#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#8C8C8C"}
    # the local target is shown against the measured rate
    assert "90% of looked-after reviews on time" in page


def test_axis_maximum_is_round() -> None:
    assert nice_max(0) == (1.0, 1.0)
    assert nice_max(104) == (125.0, 25.0)
    assert nice_max(4_160) == (5_000.0, 1_000.0)


def test_report_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    binary = chromium_or_skip()
    browser = Browser(binary, tmp_path / "profile")
    try:
        page = Page(browser, width=1280, height=900)
        page.open(report.resolve().as_uri())
        breaches = int(
            page.wait_until("document.getElementById('breach-table').getAttribute('data-ready')")
        )
        tracked = int(
            page.wait_until(
                "document.getElementById('permanence-table').getAttribute('data-ready')"
            )
        )
        drawn = page.evaluate(
            "Object.fromEntries(Array.from(document.querySelectorAll('svg.chart')).map(s => "
            "[s.id, {marks: s.querySelectorAll('rect,circle,polyline').length, "
            "width: s.getBoundingClientRect().width, "
            "height: s.getBoundingClientRect().height}]))"
        )
        for chart in CHARTS:
            assert chart in drawn, f"{chart} missing"
            assert drawn[chart]["marks"] > 2, f"{chart} drew nothing: {drawn[chart]}"
            assert drawn[chart]["width"] > 300 and drawn[chart]["height"] > 100, chart
        assert page.evaluate("document.querySelector('#chart-trend polyline') !== null")

        # the breach list: filled, paged, searchable
        assert breaches > 100
        assert page.evaluate("document.querySelectorAll('#breach-table tbody tr').length") == 100
        child = page.evaluate("document.querySelector('#breach-table tbody td:nth-child(2)')"
                              ".textContent")  # fmt: skip
        page.evaluate(
            f"(function(){{var q=document.getElementById('breach-q');q.value={json.dumps(child)};"
            "q.dispatchEvent(new Event('input'));})()"
        )
        cells = page.evaluate(
            "Array.from(document.querySelectorAll('#breach-table tbody td:nth-child(2)'))"
            ".map(td => td.textContent)"
        )
        assert cells and all(c == child for c in cells)
        info = page.evaluate("document.querySelector('#breach-table .info').textContent")
        assert "matching" in info
        links = page.evaluate(
            "Array.from(document.querySelectorAll('#breach-table tbody a')).map(a => a.href)"
        )
        assert links and all(
            re.match(r"^https://([a-z0-9-]+\.)*gov\.uk/", link) for link in links
        ), links
        # the escaped child id shows as text, and no script ran from it
        assert tracked > 10
        assert page.evaluate("typeof window.alert") == "function"

        shot = tmp_path / "report.png"
        page.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000

        problems = page.problems()
        assert problems == {"console": [], "exceptions": [], "log": [], "requests": []}, problems
    finally:
        browser.close()


def test_report_shows_unmet_and_keeps_it_out_of_days_late() -> None:
    """Unmet visits (LA020, PF004) are counted in the tiles, the tables, the status chart's
    legend and the breach list, are due in % on time, and never enter the days-late figures."""
    import datetime as dt
    import io

    from reports_helpers import AS_OF, finding, result

    from timescales.aggregates.summary import Aggregator
    from timescales.reporters.html import PURPLE, breach_row, render
    from timescales.rules.pack import load_rules

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
            r'<span class="v">([^<]*)</span><span class="l">([^<]*)<', page
        )
    )
    assert tiles["unmet: visits that did not meet the requirement"] == "2"
    assert tiles["breaches (late, overdue or unmet)"] == "4"
    assert tiles["on time, of 5 findings due (all rules)"] == "20.0%"  # 1 / (1 + 1 + 1 + 2)
    # of 4 and 30 days: 17 (were the unmet visits counted as 0 days, it would be 2)
    assert tiles["median days late (late and overdue)"] == "17"
    assert tiles["90th percentile days late (late and overdue)"] == "27.4"
    assert '<th scope="col" class=n>Unmet</th>' in page
    # the status chart's legend and colour
    status_chart = re.search(r'<svg class="chart" id="chart-status".*?</svg>', page, re.S)
    assert status_chart and ">unmet</text>" in status_chart.group(0)
    assert f'fill="{PURPLE}"' in status_chart.group(0)
    # the breach list carries the unmet findings, with no days late, and a filter for them
    data = json.loads(
        re.search(r'<script type="application/json" id="data-breaches">(.*?)</script>', page, re.S)
        .group(1)  # type: ignore[union-attr]
        .replace("\\u003c", "<")
    )
    status, days = data["columns"].index("status"), data["columns"].index("days_late")
    unmet_rows = [r for r in data["rows"] if r[status] == "unmet"]
    assert len(unmet_rows) == 2 and all(r[days] is None for r in unmet_rows)
    assert '<option value="unmet">' in page
    assert "4 findings late, overdue or unmet" in page
