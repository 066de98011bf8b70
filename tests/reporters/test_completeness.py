"""The data-completeness banner, the workbook's "Data completeness" sheet and the console line
are one tally (the run's Summary), and a figure whose rule the input cannot feed is "n/a", never
0 or "no" (issue 19), on an SSDA903 return built with the importer tests' helpers."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
from test_ssda903 import episode, review, write_return

AS_OF = "2018-03-31"


def ssda903_return(directory: Path, *, children: int = 40, bad: int = 3, partial: int = 4) -> Path:
    """A 903 return: ``children`` looked after from May 2017, each with a first review (some
    late), the first ``partial`` of them looked after before the data began (RNE P: their
    findings are partial_history), and ``bad`` review rows with impossible dates (rejected)."""
    header, episodes, reviews = [], [], []
    for i in range(children):
        child = str(3000 + i)
        header.append({"CHILD": child, "SEX": "1", "DOB": "15/06/2010", "ETHNIC": "WBRI",
                       "UPN": f"A{i:03d}"})  # fmt: skip
        start = dt.date(2017, 5, 1) + dt.timedelta(days=i % 27)
        rne = "P" if i < partial else "S"
        episodes.append(episode(child, start.strftime("%d/%m/%Y"), rne, "C2", "U3"))
        first = start + dt.timedelta(days=18 + (i * 7) % 21)
        reviews.append(review(child, first.strftime("%d/%m/%Y")))
    for j in range(bad):
        reviews.append(review(str(3000 + j), "31/02/2018"))  # no such day: the row is rejected
    return write_return(directory, {"header": header, "episodes": episodes, "reviews": reviews})


def console(err: str) -> dict[str, int]:
    """The counts of the console's summary line."""
    children = re.search(r"children read (\d+), checked (\d+), rejected (\d+)", err)
    rows = re.search(r"rows read (\d+), used (\d+), rejected (\d+)", err)
    assert children and rows, err
    names = ("children_read", "children_checked", "children_rejected")
    out = dict(zip(names, map(int, children.groups()), strict=True))
    names = ("rows_read", "rows_used", "rows_rejected")
    out.update(zip(names, map(int, rows.groups()), strict=True))
    partial = re.search(r"findings with partial history (\d+)", err)
    out["partial_history"] = int(partial.group(1)) if partial else 0
    return out


def banner(page: str) -> dict[str, int]:
    """The same counts, as the report's banner shows them."""

    def number(ident: str) -> int:
        found = re.search(rf'id="{ident}">([\d,]+)<', page)
        assert found, ident
        return int(found.group(1).replace(",", ""))

    partial = re.search(r'id="partial-history">[^<]*</span>\s*\(([\d,]+) of', page)
    assert partial
    return {
        "children_read": number("children-read"),
        "children_checked": number("children-checked"),
        "children_rejected": number("children-rejected"),
        "rows_read": number("rows-read"),
        "rows_used": number("rows-used"),
        "rows_rejected": number("rows-rejected"),
        "partial_history": int(partial.group(1).replace(",", "")),
    }


def workbook(path: Path) -> dict[str, Any]:
    ws = load_workbook(path)["Data completeness"]
    sheet = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    return {
        "children_read": sheet["Children read"],
        "children_checked": sheet["Children checked"],
        "children_rejected": sheet["Children rejected"],
        "rows_read": sheet["Rows read"],
        "rows_used": sheet["Rows used"],
        "rows_rejected": sheet["Rows rejected"],
        "partial_history": sheet["Findings with partial history"],
    }


def test_banner_console_and_workbook_give_the_same_tally(cli, tmp_path: Path) -> None:
    data = ssda903_return(tmp_path / "903")
    out = tmp_path / "report.html"
    res = cli("report", str(data), "--as-of", AS_OF, "-o", str(out))
    assert res.code == 0, res.err
    said = console(res.err)
    assert said["rows_rejected"] == 3 and said["partial_history"] > 0
    page = out.read_text(encoding="utf-8")
    assert banner(page) == said
    # the inputs and the format each was read as
    assert f'{data} <span class="meta">(read as ssda903)</span>' in page
    # the rows by source, and the rules not assessable with why
    assert re.search(r'data-label="Source">[^<]*reviews\.csv</th>', page)
    assert "the input does not carry permanence_plan" in page
    # check --format xlsx on the same return: the same tally on the Data completeness sheet
    book = tmp_path / "out.xlsx"
    res2 = cli("check", str(data), "--as-of", AS_OF, "--format", "xlsx", "-o", str(book))
    assert res2.code in (0, 1), res2.err
    assert console(res2.err) == said
    assert workbook(book) == said


def test_a_903_return_shows_n_a_never_0_or_no_for_what_it_does_not_carry(
    cli, tmp_path: Path
) -> None:
    """A 903 return carries no permanence plans, visits, assessments, IROs or care leavers'
    contacts: every figure resting on those rules is n/a with the reason, not 0, "no" or
    "0 of 0", in the report and in the workbook."""
    data = ssda903_return(tmp_path / "903")
    out = tmp_path / "report.html"
    assert cli("report", str(data), "--as-of", AS_OF, "-o", str(out)).code == 0
    page = out.read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.split('<script type="application/json"')[0]))
    assert "0 of 0" not in text
    tiles = re.findall(
        r'<span class="v">(.*?)</span><span class="l">(?:<span[^>]*>[^<]*</span>)?([^<]*)<',
        page,
    )
    shown = {label: re.sub(r"<[^>]+>", "", value) for value, label in tiles}
    for label in ("unmet visits", "IROs above the range", "assessments in 45 working days",
                  "care leavers in touch"):  # fmt: skip
        assert shown[label] == "n/a", (label, shown)
    # each n/a with its reason on hover
    assert re.search(r'<abbr class="na" title="n/a: LA020, PF004 not assessable: [^"]+">', page)
    # the counts: n/a, never 0, for what the return cannot feed
    counts = re.search(r'<dl class="counts">(.*?)</dl>', page, re.S)
    assert counts
    values = dict(re.findall(r"<dt>([^<]*)</dt><dd>(.*?)</dd>", counts.group(1)))
    assert values["Second reviews due in the period (LA008)"].startswith('<abbr class="na"')
    assert values["… with a permanence plan by then"].startswith('<abbr class="na"')
    assert all("n/a" in v for v in values.values()), values
    # the permanence tracker: n/a in its plan columns, never "no"
    permanence = re.search(r'<section id="permanence".*?</section>', page, re.S)
    assert permanence
    assert "40 children looked after" in permanence.group(0)
    assert re.search(
        r'<abbr class="na" title="n/a: LA008[^"]*">n/a</abbr> with a\s+permanence', page
    )
    rows = re.findall(r'data-label="Permanence plan"[^>]*>(.*?)</td>', permanence.group(0))
    assert len(rows) == 40 and all("n/a" in r for r in rows)
    assert not re.search(r'data-label="Permanence plan"[^>]*>no', permanence.group(0))
    data_island = re.search(r'id="data-permanence">(.*?)</script>', page, re.S)
    assert data_island
    tracker = json.loads(data_island.group(1))
    assert tracker["na"]["plan"] and "permanence_plan" in tracker["na"]["plan"]
    plan = tracker["columns"].index("plan_text")
    assert {r[plan] for r in tracker["rows"]} == {"n/a"}

    # the workbook: empty cells with a note, never 0
    book = tmp_path / "out.xlsx"
    cli("check", str(data), "--as-of", AS_OF, "--format", "xlsx", "-o", str(book))
    wb = load_workbook(book)
    counts_sheet = {r[3]: r for r in wb["Counts"].iter_rows(min_row=2, values_only=True)}
    for key in ("permanence.second_reviews_due_in_period", "permanence.plan_by_second_review",
                "care_leavers.current", "assessments.completed_in_period"):  # fmt: skip
        _, value, note, _ = counts_sheet[key]
        assert value is None and note.startswith("n/a: "), key
    summary = {r[0]: r for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    label, value, note = summary["… with a permanence plan"]
    assert value is None and "permanence_plan" in note
    tracker_rows = list(wb["Permanence"].iter_rows(values_only=True))
    head = tracker_rows[0]
    assert len(tracker_rows) == 41
    for row in tracker_rows[1:]:
        cells = dict(zip(head, row, strict=True))
        assert cells["plan"] is None and cells["status"] is None and cells["due"] is None
        assert "n/a" in cells["note"] and "permanence_plan" in cells["note"]
    rules = {r[0]: r for r in wb["Rules"].iter_rows(min_row=2, values_only=True)}
    assert rules["LA008"][4:-2] == (None,) * 10 and rules["LA008"][-1].startswith("n/a: ")


@pytest.mark.parametrize(
    ("limit", "unreliable"), [(None, True), ("20%", False), ("8", True), ("12", False)]
)
def test_rejects_above_max_rejects_make_the_report_say_it_is_not_reliable(
    cli, tmp_path: Path, limit: str | None, unreliable: bool
) -> None:
    """report's --max-rejects defaults to 5%: above it the report still renders but says, in
    red at the top, that its figures are not reliable, and the exit code is 2."""
    data = ssda903_return(tmp_path / "903", children=40, bad=10)  # 10 of 130 rows: 7.7%
    out = tmp_path / "report.html"
    args = ["report", str(data), "--as-of", AS_OF, "-o", str(out)]
    res = cli(*args, *(["--max-rejects", limit] if limit else []))
    page = out.read_text(encoding="utf-8")
    assert out.exists() and '<section id="breaches"' in page
    if unreliable:
        assert res.code == 2, res.err
        assert "exceed --max-rejects" in res.err
        alert = re.search(r'<p class="unreliable" role="alert".*?</p>', page, re.S)
        assert alert and "These figures are not reliable" in alert.group(0)
        assert "10 of 130 rows rejected" in alert.group(
            0
        ) or "10 rejected (0 children, 10 rows)" in alert.group(0)
        # at the top: before the banner and every figure
        assert page.index('class="unreliable"') < page.index('id="completeness"')
    else:
        assert res.code == 0, res.err
        assert 'class="unreliable"' not in page


def test_max_rejects_counts_rows_as_well_as_children() -> None:
    from timescales.importers import SourceStats
    from timescales.tally import Summary

    summary = Summary(read=100, rejected=1)
    summary.context.stats.append(
        SourceStats("x.csv", rows_read=200, rows_used=180, rows_rejected=20)
    )
    assert summary.rejects_over(None) is None
    assert summary.rejects_over("20%") is None
    assert "20 of 200 rows rejected (10.0%)" in (summary.rejects_over("5%") or "")
    assert summary.rejects_over("21") is None
    assert "21 rejected (1 children, 20 rows)" in (summary.rejects_over("20") or "")
    with pytest.raises(ValueError):
        summary.rejects_over("lots")


def test_files_skipped_and_tables_rejected_are_in_every_output(cli, tmp_path: Path) -> None:
    """A stray file skipped and a table rejected whole (a renamed required column) are counted
    alike on the console, in the report's banner and on the workbook's sheet."""
    data = ssda903_return(tmp_path / "903")
    (data / "LA_postcode_lookup.csv").write_text("postcode,ward,la\nPR1 2AA,W1,888\n")
    reviews = next(data.glob("*eview*.csv"))
    reviews.write_text(reviews.read_text().replace("REVIEW,", "REVIEW_DATE,", 1))
    out = tmp_path / "report.html"
    res = cli("report", str(data), "--as-of", AS_OF, "-o", str(out))
    assert "files skipped 1" in res.err and "tables rejected 1" in res.err, res.err
    page = out.read_text(encoding="utf-8")
    assert 'id="files-skipped">1<' in page and 'id="tables-rejected">1<' in page
    book = tmp_path / "out.xlsx"
    cli("check", str(data), "--as-of", AS_OF, "--format", "xlsx", "-o", str(book))
    sheet = {
        r[0]: r[1] for r in load_workbook(book)["Data completeness"].iter_rows(values_only=True)
    }
    assert sheet["Files or sheets skipped"] == 1 and sheet["Tables rejected whole"] == 1


def test_the_banner_counts_the_events_after_as_of_the_console_counts(cli, tmp_path: Path) -> None:
    """The console's "events after as-of ignored N" is in the banner too, and the headline
    tile of overdue findings says it counts those on open cases (the rule table counts every
    overdue finding)."""
    page = tmp_path / "report.html"
    example = Path(__file__).resolve().parents[2] / "examples" / "children.jsonl"
    res = cli("report", str(example), "--as-of", "2024-03-31", "-o", str(page))
    assert res.code == 0, res.err
    said = re.search(r"events after as-of ignored (\d+)", res.err)
    assert said and said.group(1) == "1"
    text = page.read_text(encoding="utf-8")
    assert re.search(r'id="events-after-as-of">1<', text)
    assert "overdue on open cases" in text and ">overdue now<" not in text


def test_how_to_read_gives_the_charts_cap_and_one_child_is_a_child(cli, tmp_path: Path) -> None:
    """ "How to read this" gives the most months the charts show (24), not how many this run
    happened to have; one child looked after is "1 child"."""
    data = tmp_path / "one.jsonl"
    record = {"child": "C1", "events": [{"type": "became_looked_after", "date": "2023-06-01"}]}
    data.write_text(json.dumps(record) + "\n")
    page = tmp_path / "report.html"
    res = cli("report", str(data), "--as-of", "2024-03-31", "-o", str(page))
    assert res.code in (0, 1), res.err
    text = " ".join(page.read_text(encoding="utf-8").split())
    assert "at most the latest 24)" in text
    assert "1 child looked after on 2024-03-31" in text
