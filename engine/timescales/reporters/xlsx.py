"""Excel output (``check --format xlsx -o FILE``): the findings and the aggregates on sheets.

Written with openpyxl in write-only mode, so the findings stream to disk and memory stays flat.
Every sheet has its header frozen and an autofilter on; dates are real Excel dates
(``yyyy-mm-dd``), months are the first day of the month shown as ``mmm yyyy``, rates are
fractions shown as percentages. The numbers are those of ``check --aggregates`` (JSON), cell for
cell: a rule of ``*`` there is ``(all rules)`` here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from ..findings import EXTRA_FIELDS, UNMET_RULES, Finding
from . import CSV_COLUMNS, extras_note

if TYPE_CHECKING:
    from ..aggregates.permanence import PermanenceRow
    from ..aggregates.summary import Aggregator
    from ..tally import Summary

ALL_RULES = "(all rules)"
COMPLETENESS = "Data completeness"
DATE = "yyyy-mm-dd"
MONTH = "mmm yyyy"
PERCENT = "0.0%"
DATE_FIELDS = frozenset({"anchor", "due", "done"})
STATS = (
    ("children", "Children"),
    ("findings", "Findings"),
    ("met", "Met"),
    ("late", "Late"),
    ("overdue", "Overdue"),
    ("pending", "Pending"),
    ("unmet", "Unmet"),
    ("on_time", "% on time"),
    ("median_days_late", "Median days late"),
    ("p90_days_late", "90th percentile days late"),
)
DIMENSION_SHEETS = (
    ("team", "By team", "Team"),
    ("worker", "By worker", "Worker"),
    ("iro", "By IRO", "IRO"),
    ("month", "By month", "Month due"),
)
_BOLD = Font(bold=True)


class Sheet:
    """A write-only sheet with a bold frozen header and an autofilter over what was written."""

    def __init__(self, wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]):
        ws = wb.create_sheet(title)
        assert isinstance(ws, WriteOnlyWorksheet)
        self.ws = ws
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self.columns = len(headers)
        self.rows = 0
        ws.append([self.cell(h, font=_BOLD) for h in headers])

    def cell(self, value: Any, fmt: str | None = None, font: Font | None = None) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws, value=value)
        if fmt is not None:
            c.number_format = fmt
        if font is not None:
            c.font = font
        return c

    def append(self, row: Sequence[Any]) -> None:
        self.ws.append(list(row))
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(self.columns)
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _stats_cells(sheet: Sheet, row: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key, _ in STATS:
        value = row[key]
        out.append(sheet.cell(value, PERCENT) if key == "on_time" else value)
    return out


def _rule(rule: str) -> str:
    return ALL_RULES if rule == "*" else rule


# the Findings sheet: the CSV's columns (the contract's fields, the citations, the extras where
# they apply), then a note saying the extras in words
FINDING_COLUMNS = CSV_COLUMNS


def finding_cells(finding: Finding) -> list[Any]:
    """A finding as the Findings sheet's row: dates as dates (an extra's too), flags as
    TRUE/FALSE, empty where an extra does not apply, and the extras in words last."""
    extra = dict(finding.extra)
    cells: list[Any] = []
    for c in FINDING_COLUMNS:
        if c == "citations":
            cells.append(" ".join(finding.citations))
        elif c in EXTRA_FIELDS:
            value = extra.get(c)
            if EXTRA_FIELDS[c] is dt.date and isinstance(value, str):
                value = _date(value)
            cells.append(value)
        else:
            cells.append(getattr(finding, c, None))
    cells.append(extras_note(finding) or None)
    return cells


def write_xlsx(
    findings: Iterable[Finding],
    aggregator: Aggregator,
    path: Path,
    *,
    summary: Summary | None = None,
    permanence: Iterable[Mapping[str, Any]] | None = None,
    max_rejects: str | None = None,
) -> int:
    """Stream the findings to a workbook at ``path`` (written to a temporary name and renamed
    when complete), then the aggregates; returns how many findings were written. The "Data
    completeness" sheet is the run's ``summary`` (the counts the console line prints), and
    says whether the rejects exceed ``max_rejects``."""
    wb = Workbook(write_only=True)
    book = _Book(wb)
    columns = [*FINDING_COLUMNS, "note"]
    widths = {"id": 14, "rule": 8, "name": 30, "child": 16, "citation": 50, "citations": 50}
    widths.update({"override": 24, "variation": 20, "note": 60})
    found = StreamedSheet(wb, "Findings", columns, [widths.get(c, 12) for c in columns])
    n = 0
    for finding in findings:
        found.append(finding_cells(finding))
        n += 1
    agg = aggregator.to_dict(summary)
    _overview(book.overview, agg)
    _completeness(book.completeness, agg, max_rejects, summary)
    _rules_sheet(book.rules, agg)
    _dimension_sheets(book.dims, agg)
    _targets_sheet(book.targets, agg)
    _caseload_sheets(book.iros, book.workers, agg)
    _counts_sheet(book.counts, agg)
    _tracker_sheet(book.tracker, agg, permanence)
    workforce = _workforce_sheets(wb, agg) if "workforce" in agg else []
    for sheet in [*book.sheets(), *workforce]:
        sheet.finish()
    try:
        _save(wb, path, found.finish())
    finally:
        found.close()
    return n


class _Book:
    """The workbook's sheets of aggregates, in their order (the findings sheet is streamed)."""

    def __init__(self, wb: Workbook) -> None:
        from ..aggregates.permanence import COLUMNS

        stat_heads = tuple(h for _, h in STATS)
        self.overview = Sheet(wb, "Summary", ("Measure", "Value", "Note"), (48, 24, 60))
        self.completeness = Sheet(wb, COMPLETENESS, ("Measure", "Value", "Note"), (52, 16, 70))
        self.rules = Sheet(
            wb,
            "Rules",
            ("Rule", "Name", "Title", "Family", *stat_heads, "Citation", "Note"),
            (8, 30, 60, 16, *([11] * len(STATS)), 60, 60),
        )
        self.dims = {
            dim: Sheet(
                wb, title, ("Rule", label, *stat_heads, "Note"), (12, 14, *([11] * len(STATS)), 60)
            )
            for dim, title, label in DIMENSION_SHEETS
        }
        self.targets = Sheet(
            wb,
            "Targets",
            (
                "Target",
                "Title",
                "Rules",
                "Target rate",
                "Measured",
                "Findings due",
                "Met",
                "Source",
            ),
            (30, 60, 20, 12, 12, 12, 8, 60),
        )
        self.iros = Sheet(
            wb,
            "IRO caseloads",
            ("IRO", "Children", "FTE", "Children per FTE", "Low", "High", "Status", "In IRO list"),
            (16, 10, 8, 16, 8, 8, 10, 12),
        )
        self.workers = Sheet(
            wb,
            "Worker caseloads",
            ("Worker", "Children", "Low", "High", "Status", "Allocated", "FTE",
             "Allocated per FTE", "Note"),
            (16, 10, 8, 8, 10, 10, 8, 16, 60),
        )  # fmt: skip
        self.counts = Sheet(wb, "Counts", ("Measure", "Value", "Note", "Key"), (66, 14, 60, 44))
        self.tracker = Sheet(
            wb,
            "Permanence",
            (*COLUMNS, "note"),
            (16, 12, 12, 12, 14, 9, 12, 14, 8, 12, 12, 10, 60),
        )

    def sheets(self) -> list[Sheet]:
        """Every sheet, in the order made (the dimension sheets in their place)."""
        out: list[Sheet] = []
        for value in vars(self).values():
            out.extend(value.values() if isinstance(value, dict) else [value])
        return out


def _rules_sheet(rules: Sheet, agg: Mapping[str, Any]) -> None:
    from ..aggregates.summary import NOT_CHECKED

    for r in agg["rules"]:
        rules.append(
            [
                r["rule"],
                r["name"],
                r["title"],
                r["family"],
                *_stats_cells(rules, r),
                r.get("citation"),
                None,
            ]
        )
    # the rules that could not be assessed: empty cells and why, never 0
    for r in agg.get("not_assessable_rules", ()):
        if r["why"] == NOT_CHECKED:
            continue
        rules.append(
            [r["rule"], r["name"], r["title"], None, *([None] * len(STATS)), None, _na(r["why"])]
        )


def _dimension_sheets(dims: Mapping[str, Sheet], agg: Mapping[str, Any]) -> None:
    from ..aggregates.counts import not_assessable_why

    # the all-rules unmet is null (n/a) when no rule that finds one was assessed: empty, and why
    why = not_assessable_why(agg.get("not_assessable") or {}, UNMET_RULES) or "not known"
    for dim, _, _ in DIMENSION_SHEETS:
        sheet = dims[dim]
        for r in agg[f"by_{dim}"]:
            key: Any = r[dim]
            if dim == "month":
                key = sheet.cell(_date(key + "-01"), MONTH)
            note = _na(why) if r["unmet"] is None else None
            sheet.append([_rule(r["rule"]), key, *_stats_cells(sheet, r), note])


def _targets_sheet(targets: Sheet, agg: Mapping[str, Any]) -> None:
    for t in agg["targets"]:
        targets.append(
            [
                t["name"],
                t["title"],
                ", ".join(t["rules"]),
                targets.cell(t["target"], PERCENT),
                targets.cell(t["measured"], PERCENT),
                t["due"],
                t["met"],
                t["citation"],
            ]
        )


def _caseload_sheets(iros: Sheet, workers: Sheet, agg: Mapping[str, Any]) -> None:
    iro = agg["caseloads"]["iro"]
    for r in iro["rows"]:
        cells = [r["iro"], r["children"], r["fte"], r["per_fte"], iro["low"], iro["high"]]
        iros.append([*cells, r["status"], r["listed"]])
    worker = agg["caseloads"]["worker"]
    for r in worker["rows"]:
        workers.append(
            [
                r["worker"],
                r["children"],
                worker["low"],
                worker["high"],
                r["status"],
                r.get("allocated"),
                r.get("fte"),
                r.get("per_fte"),
                r.get("why"),
            ]
        )


ALL_TEAMS = "(all teams)"
NA = "n/a"


def _workforce_sheets(wb: Workbook, agg: Mapping[str, Any]) -> list[Sheet]:
    """The workforce (``agg["workforce"]``), when the aggregates carry one: caseloads month by
    month (a row per worker and date), on time per team, the recruitment targets, the rules
    (assessed or why not) and the supervision due. A figure the data cannot give is the text
    "n/a", with why in the row's note."""
    wf: Mapping[str, Any] = agg["workforce"] or {}
    loads = Sheet(
        wb,
        "Workforce caseloads",
        ("Rule", "Role", "Worker", "Team", "FTE", "FTE from", "Date", "Children",
         "Children per FTE", "Newly qualified", "Low", "High", "Status", "Note"),
        (10, 16, 14, 16, 7, 10, 12, 10, 16, 15, 7, 7, 10, 60),
    )  # fmt: skip
    for c in wf.get("caseloads") or ():
        nq = c.get("newly_qualified")
        for r in c.get("rows") or ():
            for v in r.get("values") or ():
                per = v.get("per_fte")
                why = None if per is not None else v.get("why") or r.get("why") or "not known"
                low, high = (
                    (nq["low"], nq["high"])
                    if v.get("newly_qualified") and nq
                    else (c.get("low"), c.get("high"))
                )
                loads.append(
                    [
                        c["rule"],
                        c.get("role"),
                        r["worker"],
                        r.get("team"),
                        r.get("fte"),
                        r.get("fte_from"),
                        loads.cell(_date(v["date"]), DATE),
                        NA if v.get("children") is None else v["children"],
                        NA if per is None else per,
                        bool(v.get("newly_qualified")),
                        low,
                        high,
                        v.get("status") or NA,
                        _na(why) if why else None,
                    ]
                )
    on_time = Sheet(
        wb,
        "Workforce on time",
        ("Rule", "Name", "Team", "Met", "Late", "Overdue", "Pending", "% on time", "Note"),
        (10, 26, 16, 8, 8, 9, 9, 11, 40),
    )
    for t in wf.get("timeliness") or ():
        rate = t.get("on_time")
        counts = [t[k] for k in ("met", "late", "overdue", "pending")]
        # a rule not assessed: every figure n/a, with its reason (never 0)
        why = t.get("why") or "nothing was due"
        on_time.append(
            [
                t["rule"],
                t.get("name"),
                t.get("team") or ALL_TEAMS,
                *(NA if n is None else n for n in counts),
                NA if rate is None else on_time.cell(rate, PERCENT),
                _na(why) if rate is None or None in counts else None,
            ]
        )
    targets = Sheet(
        wb,
        "Workforce targets",
        ("Rule", "Name", "Role", "From", "To", "Target", "Recruited", "Left", "Net", "Status",
         "Note", "Source"),
        (10, 26, 14, 12, 12, 8, 10, 8, 8, 10, 50, 50),
    )  # fmt: skip
    for t in wf.get("targets") or ():
        figures = [t.get(k) for k in ("target", "recruited", "left", "net")]
        unknown = any(f is None for f in figures) or t.get("status") is None
        why = t.get("why") or "not known from these inputs"
        targets.append(
            [
                t["rule"],
                t.get("name"),
                t.get("role"),
                targets.cell(_date(t.get("from")), DATE),
                targets.cell(_date(t.get("to")), DATE),
                *(NA if f is None else f for f in figures),
                t.get("status") or NA,
                _na(why) if unknown else None,
                t.get("citation"),
            ]
        )
    rules = Sheet(
        wb,
        "Workforce rules",
        ("Rule", "Name", "Kind", "Assessed", "Why not"),
        (10, 30, 18, 10, 80),
    )
    for r in wf.get("rules") or ():
        rules.append(
            [r["rule"], r.get("name"), r.get("kind"), bool(r.get("assessed")), r.get("why")]
        )
    if not wf.get("workers"):
        rules.append(["(none)", None, None, False, "no worker records were given: the workforce "
                      "rules were not assessed"])  # fmt: skip
    due = Sheet(
        wb,
        "Supervision due",
        ("Worker", "Team", "Rule", "Last supervision", "Due", "Status"),
        (14, 16, 10, 16, 12, 10),
    )
    for s in wf.get("supervision_due") or ():
        due.append(
            [
                s["worker"],
                s.get("team"),
                s["rule"],
                due.cell(_date(s.get("last")), DATE) if s.get("last") else None,
                due.cell(_date(s["due"]), DATE),
                s["status"],
            ]
        )
    return [loads, on_time, targets, rules, due]


def _counts_sheet(counts: Sheet, agg: Mapping[str, Any]) -> None:
    from ..aggregates.counts import labelled

    period = agg["counts"]["period"]
    counts.append(["Period from", counts.cell(_date(period["from"]), DATE), None, "period.from"])
    counts.append(["Period to", counts.cell(_date(period["to"]), DATE), None, "period.to"])
    unassessable = agg.get("not_assessable") or {}
    for key, label, value, why in labelled(agg["counts"], unassessable):
        counts.append([label, value, _na(why) if why else None, key])


def _tracker_sheet(
    tracker: Sheet, agg: Mapping[str, Any], permanence: Iterable[Mapping[str, Any]] | None
) -> None:
    """The permanence tracker; its columns that rest on a rule not assessed are empty, with
    why in "note"."""
    from ..aggregates.counts import not_assessable_why
    from ..aggregates.permanence import COLUMNS, DATE_COLUMNS, PERMANENCE_RULE, REVIEW_RULES

    unassessable = agg.get("not_assessable") or {}
    blank: dict[str, str] = {}
    for tracked, rules_of in (
        (("plan", "plan_date", "due", "status"), (PERMANENCE_RULE,)),
        (("reviews", "last_review", "next_review_due"), REVIEW_RULES),
        (("iro",), ("IR001",)),
    ):
        why = not_assessable_why(unassessable, rules_of)
        if why:
            blank.update(dict.fromkeys(tracked, why))
    note = _na("; ".join(dict.fromkeys(blank.values()))) if blank else None
    for p in permanence or ():
        tracker.append(
            [
                None
                if c in blank
                else tracker.cell(_date(p[c]), DATE)
                if c in DATE_COLUMNS and p[c]
                else p[c]
                for c in COLUMNS
            ]
            + [note]
        )


EXCEL_ROWS = 1_048_576  # rows in a sheet, the header included
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (its 1900 leap bug)
_ILLEGAL = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")  # not allowed in XML 1.0
CELL_TEXT_MAX = 32_767


def _text(value: str) -> str:
    value = _ILLEGAL.sub("", value)[:CELL_TEXT_MAX]
    return xml_escape(value)


class StreamedSheet:
    """A sheet too big for openpyxl's pure-Python writer (the findings): its rows are written
    as SpreadsheetML straight to temporary files, about 40 times faster, and spliced into the
    workbook openpyxl saves, whose header row, widths, frozen pane and filter it keeps. Strings
    are inline (no shared-string table, so memory stays flat); dates are serial numbers in the
    workbook's ``yyyy-mm-dd`` style. Past Excel's 1,048,576 rows a sheet, the rows go on in
    "Findings (2)" and so on."""

    def __init__(
        self, wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]
    ) -> None:
        self.wb, self.title, self.headers, self.widths = wb, title, list(headers), list(widths)
        self.refs = [get_column_letter(i) for i in range(1, len(headers) + 1)]
        probe = WriteOnlyCell(wb.worksheets[0], value=None)
        probe.number_format = DATE
        self.date_style = int(probe.style_id)  # registered in the workbook's styles
        self.parts: list[tuple[IO[bytes], int]] = []
        self._fh: IO[bytes] | None = None
        self._rows = 0

    def append(self, values: Sequence[Any]) -> None:
        if self._fh is None or self._rows == EXCEL_ROWS - 1:
            self._start()
        assert self._fh is not None
        self._rows += 1
        r = self._rows + 1
        cells = [f'<row r="{r}">']
        for ref, value in zip(self.refs, values, strict=True):
            if value is None:
                continue
            if isinstance(value, str):
                text = _text(value)
                space = ' xml:space="preserve"' if text != text.strip() else ""
                cells.append(f'<c r="{ref}{r}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}{r}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}{r}" t="n"><v>{value!r}</v></c>')
            elif isinstance(value, dt.date):
                serial = (value - EXCEL_EPOCH).days
                cells.append(f'<c r="{ref}{r}" s="{self.date_style}"><v>{serial}</v></c>')
            else:
                text = _text(str(value))
                cells.append(f'<c r="{ref}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
        cells.append("</row>")
        self._fh.write("".join(cells).encode("utf-8"))

    def _start(self) -> None:
        if self._fh is not None:
            self.parts.append((self._fh, self._rows))
        self._fh = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._rows = 0

    def finish(self) -> list[tuple[str, IO[bytes]]]:
        """Make the sheets (header, widths, frozen pane, filter); returns (sheet, rows file)
        pairs for :func:`_save` to splice in once the workbook is saved."""
        if self._fh is None:
            self._start()
        assert self._fh is not None
        self.parts.append((self._fh, self._rows))
        self._fh = None
        out: list[tuple[str, IO[bytes]]] = []
        for i, (fh, rows) in enumerate(self.parts):
            title = self.title if i == 0 else f"{self.title} ({i + 1})"
            sheet = Sheet(self.wb, title, self.headers, self.widths)
            sheet.rows = rows
            sheet.finish()
            fh.flush()
            out.append((title, fh))
        return out

    def close(self) -> None:
        for fh, _ in self.parts:
            fh.close()
        if self._fh is not None:
            self._fh.close()


def _splice(path: Path, rows: Mapping[str, IO[bytes]]) -> None:
    """Put each streamed sheet's rows into the saved workbook, after its header row."""
    wb_paths = {ws.title: str(ws.path).lstrip("/") for ws in _sheets_of(path, rows)}
    spliced = path.with_name(path.name + ".splice")
    try:
        with (
            zipfile.ZipFile(path) as src,
            zipfile.ZipFile(spliced, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as dst,
        ):
            targets = {wb_paths[title]: fh for title, fh in rows.items()}
            for info in src.infolist():
                data = src.read(info.filename)
                fh = targets.get(info.filename)
                if fh is None:
                    dst.writestr(info, data)
                    continue
                head, tail = data.split(b"</sheetData>", 1)
                with dst.open(info.filename, "w", force_zip64=True) as out:
                    out.write(head)
                    fh.seek(0)
                    shutil.copyfileobj(fh, out, 1 << 20)
                    out.write(b"</sheetData>" + tail)
        os.replace(spliced, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(spliced)


def _sheets_of(path: Path, rows: Mapping[str, IO[bytes]]) -> list[Any]:
    """The saved sheets' titles and paths inside the package, from its workbook part."""
    from defusedxml import ElementTree  # type: ignore[import-untyped]

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
    out = []
    for sheet in book.findall("m:sheets/m:sheet", ns):
        title = sheet.get("name")
        if title is None or title not in rows:
            continue
        target = targets[sheet.get(f"{{{ns['r']}}}id")]
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out.append(_Saved(title, part))
    return out


@dataclass(frozen=True)
class _Saved:
    title: str
    path: str


def _na(why: str) -> str:
    return f"n/a: {why}"


def _overview(sheet: Sheet, agg: Mapping[str, Any]) -> None:
    from ..aggregates.counts import not_assessable_why
    from ..aggregates.permanence import PERMANENCE_RULE

    o = agg["overall"]
    unassessable = agg.get("not_assessable") or {}
    unmet_na = not_assessable_why(unassessable, UNMET_RULES)
    # the count is null when the inputs cannot carry a period of care (why: its own)
    perm = agg["permanence"]
    looked_after_na = (perm.get("why") or "not known") if perm["looked_after"] is None else None
    plan_na = looked_after_na or not_assessable_why(unassessable, (PERMANENCE_RULE,))
    rows: list[tuple[str, Any, str | None]] = [
        ("As of", sheet.cell(_date(agg["as_of"]), DATE), None),
        ("Period from", sheet.cell(_date(agg["period"]["from"]), DATE), None),
        ("Period to", sheet.cell(_date(agg["period"]["to"]), DATE), None),
        ("Council", agg["la"] or "(national rules only)", None),
        ("Children checked", agg["children_checked"], None),
        ("Children with findings", o["children"], None),
        ("Findings", o["findings"], None),
        ("Met", o["met"], None),
        ("Late", o["late"], None),
        ("Overdue", o["overdue"], None),
        ("Pending", o["pending"], None),
        (
            "Unmet (visits that did not meet the requirement)",
            None if unmet_na else o["unmet"],
            _na(unmet_na) if unmet_na else None,
        ),
        (
            "% on time (met / (met + late + overdue + unmet))",
            sheet.cell(o["on_time"], PERCENT),
            None,
        ),
        ("Median days late (late and overdue)", o["median_days_late"], None),
        ("90th percentile days late (late and overdue)", o["p90_days_late"], None),
        ("Overdue now on open cases", agg["overdue_open"], None),
        (
            "Looked after at the date",
            agg["permanence"]["looked_after"],
            _na(looked_after_na) if looked_after_na else None,
        ),
        (
            "… with a permanence plan",
            agg["permanence"]["with_plan"],
            _na(plan_na) if plan_na else None,
        ),
        (
            "… without one, past the second review",
            agg["permanence"]["without_plan_past_due"],
            _na(plan_na) if plan_na else None,
        ),
    ]
    if "workforce" in agg:
        rows.append(("Worker records checked", (agg["workforce"] or {}).get("workers", 0), None))
    run = agg.get("run")
    if run:
        rows += [
            ("Children read", run["read"], None),
            ("Children rejected", run["rejected"], None),
            ("Data-quality notes", run["data_quality_notes"], None),
        ]
        rows += [(f"Not assessable: {k}", None, _na(v)) for k, v in run["not_assessable"].items()]
        rows += [(f"Inactive: {k}", None, v) for k, v in run["inactive"].items()]
    for label, value, note in rows:
        sheet.append([label, value, note])


def _completeness(
    sheet: Sheet, agg: Mapping[str, Any], max_rejects: str | None, summary: Summary | None
) -> None:
    """The run's tally, as the report's banner and the console line give it."""
    run = agg.get("run") or {}
    c = run.get("completeness")
    if c is None:
        sheet.append(["(no run tally: the workbook was made from aggregates alone)", None, None])
        return
    rows: list[tuple[str, Any, str | None]] = []
    over = summary.rejects_over(max_rejects) if summary is not None else None
    if max_rejects is not None:
        rows.append(
            (
                "Figures reliable",
                not over,
                f"NOT RELIABLE: {over}" if over else f"rejects within --max-rejects {max_rejects}",
            )
        )
    for i in c["inputs"]:
        rows.append((f"Input: {i['path']}", i["format"], "read as this format"))
    if c["unreadable"]:
        rows.append(("Inputs unreadable", c["unreadable"], "see the console or --rejects"))
    if c["files_skipped"]:
        rows.append(("Files or sheets skipped", c["files_skipped"], "see the console or --rejects"))
    if c["tables_rejected"]:
        rows.append(
            ("Tables rejected whole", c["tables_rejected"], "a required column missing: --rejects")
        )
    rows += [
        ("Children read", c["children"]["read"], None),
        ("Children checked", c["children"]["checked"], None),
        ("Children rejected", c["children"]["rejected"], None),
    ]
    if c["rows"] is not None:
        rows += [
            ("Rows read", c["rows"]["read"], "every source an importer counted rows for"),
            ("Rows used", c["rows"]["used"], None),
            ("Rows rejected", c["rows"]["rejected"], "left out of every figure"),
        ]
    for s in c["sources"]:
        rows += [
            (f"{s['source']}: rows read", s["read"], None),
            (f"{s['source']}: rows used", s["used"], None),
            (f"{s['source']}: rows rejected", s["rejected"], None),
        ]
    rows += [
        ("Findings", c["findings"], None),
        (
            "Findings with partial history",
            c["partial_history"],
            "share of findings: "
            + ("–" if c["partial_history_share"] is None else f"{c['partial_history_share']:.1%}"),
        ),
        (
            "Share of findings with partial history",
            sheet.cell(c["partial_history_share"], PERCENT),
            None,
        ),
        (
            "Not assessed (the law then in force, or history the data does not hold)",
            c["not_assessed_total"],
            None,
        ),
    ]
    rows += [(f"Not assessed: {n['rule']}", n["count"], n["why"]) for n in c["not_assessed"]]
    # the rules set aside, in the console's and the report banner's words and counts
    inactive = run.get("inactive") or {}
    rows.append(
        (
            "Rules not assessable",
            len(c["not_assessable"]),
            "the inputs do not carry their events: their figures are n/a",
        )
    )
    rows += [(f"Not assessable: {k}", None, _na(v)) for k, v in c["not_assessable"].items()]
    rows.append(
        (
            "Rules inactive",
            len(inactive),
            "they cannot run in this rule set: their figures are n/a",
        )
    )
    rows += [(f"Inactive: {k}", None, _na(v)) for k, v in inactive.items()]
    rows += [
        ("Data-quality notes", c["data_quality_notes"], None),
        ("Events after the as-of date ignored", c["events_after_as_of"], None),
    ]
    for label, value, note in rows:
        sheet.append([label, value, note])


def _save(wb: Workbook, path: Path, streamed: Sequence[tuple[str, IO[bytes]]] = ()) -> None:
    """Save under a temporary name, splice in the streamed sheets' rows, rename when done."""
    special = path.exists() and not path.is_file()  # a device or a pipe: never replaced
    directory = None if special else (path.parent if str(path.parent) else Path("."))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=directory)
    os.close(fd)
    try:
        wb.save(tmp)
        if streamed:
            _splice(Path(tmp), dict(streamed))
        if special:
            with open(tmp, "rb") as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            os.unlink(tmp)
            return
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would: a workbook is for sharing
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_run_xlsx(
    findings: Iterable[Finding],
    aggregator: Aggregator,
    path: Path,
    *,
    summary: Summary | None = None,
    hide: Callable[[str], str] | None = None,
    max_rejects: str | None = None,
) -> int:
    """``check --format xlsx``: ``findings`` is ``aggregator.stream(...)`` (not yet started);
    the permanence tracker's rows are spooled to disk while it runs. ``hide`` pseudonymises
    child ids in the tracker as the findings already are."""
    from ..aggregates.summary import Spool

    with Spool() as tracker:

        def keep(row: PermanenceRow) -> None:
            data = row.to_dict()
            if hide is not None:
                data["child"] = hide(data["child"])
            tracker.add(data)

        aggregator.on_permanence = keep
        return write_xlsx(
            findings,
            aggregator,
            path,
            summary=summary,
            permanence=tracker,
            max_rejects=max_rejects,
        )
