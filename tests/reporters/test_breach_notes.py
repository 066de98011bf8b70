"""What a breach says beside its figures, in every output: its own rule's citation (several
Lancashire rules cite one Ofsted report, one link, each its own paragraph), the finding's extras
(``partial_history``, ``override``, ``variation``...) in words, and, under a council override,
the local standard that set the due date rather than the national rule's words."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from chromium_cdp import Browser, Page, chromium_or_skip
from openpyxl import load_workbook

from timescales.cli import main
from timescales.findings import EXTRA_FIELDS, Finding, Status
from timescales.reporters.html import breach_row, short_citation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SSDA903 = EXAMPLES / "samples" / "ssda903"
PARTIAL = "801712fe7fe7"  # LA007, N-0003: late, found from a gap within the known history


def run(*argv: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    assert code in (0, 1), err.getvalue()
    return err.getvalue()


def island(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="data-breaches">(.*?)</script>', page, re.S
    )
    assert found
    data: dict[str, Any] = json.loads(found.group(1).replace("\\u003c", "<"))
    return data


def rows_by(data: dict[str, Any], **where: str) -> list[dict[str, Any]]:
    out = []
    for row in data["rows"]:
        r = dict(zip(data["columns"], row, strict=True))
        if all(r[k] == v for k, v in where.items()):
            out.append(r)
    return out


def static_rows(page: str) -> list[str]:
    body = re.search(r'<section id="breaches".*?</section>', page, re.S)
    assert body
    return re.findall(r'<tr>\s*<td class="rule".*?</tr>', body.group(0), re.S)


def rendered_rows(path: Path, tmp: Path) -> list[str]:
    """The breach list's rows as the page's script draws them: each row's text, then its
    citation's hover text."""
    binary = chromium_or_skip()
    browser = Browser(binary, tmp / "profile")
    try:
        page = Page(browser, width=1400, height=900)
        page.open(path.resolve().as_uri())
        page.wait_until("document.getElementById('breach-table').getAttribute('data-ready')")
        rows: list[str] = page.evaluate(
            "Array.from(document.querySelectorAll('#breach-table tbody tr')).map(function(t){"
            "var a=t.querySelector('a');return t.textContent+' | '+(a?a.title:'');})"
        )
        return rows
    finally:
        browser.close()


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("lanc") / "lanc.html"
    run(
        "report", str(EXAMPLES / "lancashire.jsonl"), "--la", "lancashire",
        "--settings", str(EXAMPLES / "lancashire-settings.yaml"), "--as-of", "2024-03-31",
        "-o", str(out),
    )  # fmt: skip
    return out.read_text(encoding="utf-8")


# -- 1. each breach cites its own rule's provision ---------------------------------------------


def test_lancashire_breaches_cite_their_own_paragraph(lancashire: str) -> None:
    """LANC001 (¶52) and LANC002 (¶29) cite the same link, each its own paragraph: the hover
    text and the visible label both say which."""
    data = island(lancashire)
    cites = data["cites"]
    (lanc1,) = rows_by(data, rule="LANC001")
    (lanc2,) = rows_by(data, rule="LANC002")
    href1, label1, full1 = cites[lanc1["cite"]]
    href2, label2, full2 = cites[lanc2["cite"]]
    assert href1 == href2 == "https://reports.ofsted.gov.uk/"
    assert full1.endswith("(2015), paragraph 52") and full2.endswith("(2015), paragraph 29")
    assert "52" in label1 and "29" in label2 and "52" not in label2
    assert len(label1) <= 44 and len(label2) <= 44
    # the first page, written as HTML, the same
    rows = static_rows(lancashire)
    (row2,) = [r for r in rows if "<strong>LANC002</strong>" in r]
    assert "paragraph 29" in row2 and "paragraph 52" not in row2


def test_short_citation_keeps_the_paragraph() -> None:
    """A long title cut to fit keeps what tells its paragraphs apart; short ones are as they
    were."""
    title = (
        "Ofsted, inspection of services for children in need of help and protection, children "
        "looked after and care leavers: Lancashire County Council (2015), paragraph 29"
    )
    short = short_citation(title)
    assert short.endswith("(2015), paragraph 29") and len(short) <= 44, short
    assert short_citation("Working Together to Safeguard Children, chapter 1 (core groups)") == (
        "Working Together, chapter 1"
    )


# -- 2. extras in words, and in CSV and the workbook -------------------------------------------


def finding(**extra: Any) -> Finding:
    return Finding(
        rule="LA007",
        name="later-lac-reviews",
        child="C1",
        ref="P1",
        anchor=dt.date(2025, 7, 1),
        due=dt.date(2026, 1, 1),
        done=dt.date(2026, 1, 5),
        status=Status.LATE,
        days_late=4,
        working_days_late=2,
        citation="https://www.legislation.gov.uk/uksi/2010/959/regulation/33",
        extra=tuple(extra.items()),
    )


def test_every_extra_is_said_in_words() -> None:
    from timescales.reporters import extras_note

    values: dict[str, Any] = {
        "threshold": "12 months",
        "extended": "8 weeks",
        "national_due": dt.date(2024, 3, 4),
        "override": "lancashire-mash-24-hours",
        "partial_history": True,
        "variation": "coronavirus-2020",
        "counted_from": "2024-01-02",
        "resumed": dt.date(2020, 9, 26),
        "target": dt.date(2024, 5, 8),
        "target_capped": True,
    }
    assert set(values) == set(EXTRA_FIELDS)  # a new extra needs its words here too
    note = extras_note(finding(**values))
    for words in (
        "threshold 12 months",
        "extended by 8 weeks",
        "local standard lancashire-mash-24-hours",
        "national due 2024-03-04",
        "partial history",
        "coronavirus-2020",
        "counted from 2024-01-02",
        "2020-09-26",
        "2024-05-08",
        "capped",
    ):
        assert words in note, (words, note)
    assert extras_note(finding()) == ""
    # an extra the reporters do not know yet is still shown, never dropped
    assert "new_thing: x" in extras_note(finding(new_thing="x"))
    # in the report's breach row, after the exception
    row = breach_row(finding(partial_history=True), {})
    assert "partial history" in row[-1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("903")


def test_partial_history_in_csv(sample: Path) -> None:
    out = sample / "f.csv"
    run("check", str(SSDA903), "--as-of", "2026-11-30", "--format", "csv", "-o", str(out))
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = {r["id"]: r for r in reader}
        head = reader.fieldnames or []
    # the contract's columns first, as they were; the extras after them
    assert head[: head.index("citations") + 1][-3:] == ["worker", "exception", "citations"]
    assert head[head.index("citations") + 1 :] == list(EXTRA_FIELDS)
    assert rows[PARTIAL]["partial_history"] == "true"
    assert rows[PARTIAL]["status"] == "late"
    others = [r for k, r in rows.items() if k != PARTIAL]
    assert others and all(r["partial_history"] == "" for r in others)


def test_partial_history_in_the_workbook(sample: Path) -> None:
    out = sample / "f.xlsx"
    run("check", str(SSDA903), "--as-of", "2026-11-30", "--format", "xlsx", "-o", str(out))
    ws = load_workbook(out)["Findings"]
    values = list(ws.iter_rows(values_only=True))
    head = list(values[0])
    rows = {r[0]: dict(zip(head, r, strict=True)) for r in values[1:]}
    assert head[head.index("citations") + 1 :] == [*EXTRA_FIELDS, "note"]
    row = rows[PARTIAL]
    assert row["partial_history"] is True
    assert "partial history" in row["note"]


def test_partial_history_in_the_report(sample: Path) -> None:
    out = sample / "r.html"
    run("report", str(SSDA903), "--as-of", "2026-11-30", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    data = island(page)
    (row,) = rows_by(data, rule="LA007", child="N-0003", status="late")
    assert "partial history" in row["note"]
    (static,) = [r for r in static_rows(page) if "N-0003" in r and "LA007" in r and "s-late" in r]
    assert "partial history" in static
    # and as the script draws the list
    drawn = [r for r in rendered_rows(out, sample) if "N-0003" in r and "LA007" in r]
    assert any("partial history" in r and "late" in r for r in drawn), drawn


# -- 3. a council override: the local standard, not the national rule's words -----------------


def test_override_breach_names_the_local_standard(lancashire: str) -> None:
    data = island(lancashire)
    (row,) = rows_by(data, rule="RA001", child="LX03-mash-decision", status="late")
    assert row["due"] == "2024-03-02" and row["override"] == "lancashire-mash-24-hours"
    assert "local standard lancashire-mash-24-hours" in row["note"]
    assert "national due 2024-03-04" in row["note"]
    # the title shown is the local standard's, not "within 1 working day"
    key = f"RA001\x1f{row['override']}"
    title = data["titles"][key]
    assert "24 hours" in title and "1 working day" not in title
    # and the citation is the standard's own (the 2018 re-inspection, paragraph 16)
    href, label, full = data["cites"][row["cite"]]
    assert href == "https://reports.ofsted.gov.uk/"
    assert "(2018), paragraph 16" in full and "16" in label
    (static,) = [r for r in static_rows(lancashire) if "LX03-mash-decision" in r and "RA001" in r]
    assert "24 hours" in static and "1 working day" not in static
    assert "national due 2024-03-04" in static and "paragraph 16" in static


def test_override_breach_as_the_script_draws_it(lancashire: str, tmp_path: Path) -> None:
    page = tmp_path / "lanc.html"
    page.write_text(lancashire, encoding="utf-8")
    (drawn,) = [r for r in rendered_rows(page, tmp_path) if "LX03-mash-decision" in r]
    assert "24 hours" in drawn and "1 working day" not in drawn
    assert "national due 2024-03-04" in drawn and "(2018), paragraph 16" in drawn
