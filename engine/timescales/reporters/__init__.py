"""Reporters: the same findings written for people (table) and for machines (json, jsonl, csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import sys
from collections.abc import Iterable
from typing import IO

import orjson

from ..findings import EXTRA_FIELDS, FIELDS, DataQualityFinding, Finding

FORMATS = ("table", "json", "jsonl", "csv")
# CSV: the contract's fields, all the citations, then the extras (empty where they do not apply):
# the same columns in every file, so --jobs N workers' rows go under one header
CSV_COLUMNS = (*FIELDS, "citations", *EXTRA_FIELDS)
# the rule, then the finding's fields from the child to how late (findings.FIELDS)
TABLE_COLUMNS = ("rule", *FIELDS[FIELDS.index("child") : FIELDS.index("citation")])
TABLE_HEADINGS = {"working_days_late": "wd_late"}
TABLE_SAMPLE = 500  # rows read ahead to size the columns; later rows are cut to fit
TABLE_MAX_WIDTH = 40
_COLOURS = {"met": "32", "late": "33", "overdue": "31", "pending": "36", "unmet": "35"}


def write_findings(
    findings: Iterable[Finding], fmt: str, out: IO[str], colour: bool = False
) -> int:
    """Write findings in ``fmt``; returns how many were written."""
    writer = {"jsonl": _jsonl, "json": _json, "csv": _csv, "table": _table}[fmt]
    return writer(findings, out, colour)


def _jsonl(findings: Iterable[Finding], out: IO[str], colour: bool) -> int:
    n = 0
    for finding in findings:
        out.write(orjson.dumps(finding.to_dict()).decode())
        out.write("\n")
        n += 1
    return n


def _json(findings: Iterable[Finding], out: IO[str], colour: bool) -> int:
    n = 0
    out.write("[")
    for finding in findings:
        out.write(",\n  " if n else "\n  ")
        out.write(orjson.dumps(finding.to_dict()).decode())
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _csv(findings: Iterable[Finding], out: IO[str], colour: bool) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for finding in findings:
        row = finding.to_dict()
        row["citations"] = " ".join(row["citations"])
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
        n += 1
    return n


def _csv_value(value: object) -> object:
    """A cell as JSON would say it: empty for null, true/false for a flag."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def extras_note(finding: Finding) -> str:
    """The finding's extras (findings.EXTRA_FIELDS) in words, for a reader of the report's breach
    list or the workbook: what makes this finding other than an ordinary one. Empty when it
    has none. An extra without words here is shown as ``name: value``, never dropped."""
    extra = dict(finding.extra)
    parts: list[str] = []

    def day(key: str) -> str:
        value = extra.get(key)
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    if "override" in extra:
        parts.append(
            f"local standard {extra['override']} applied"
            + (f": national due {day('national_due')}" if "national_due" in extra else "")
        )
    elif "national_due" in extra:
        parts.append(f"national due {day('national_due')}")
    if extra.get("partial_history"):
        parts.append("partial history: judged on the part of the child's history the data hold")
    if "variation" in extra:
        parts.append(f"under the temporary variation {extra['variation']}")
    if "resumed" in extra:
        parts.append(f"the usual limit counted again from {day('resumed')}")
    if "threshold" in extra:
        parts.append(f"threshold {extra['threshold']}")
    if "counted_from" in extra:
        parts.append(f"counted from {day('counted_from')}, when the legal status before it began")
    if "extended" in extra:
        parts.append(f"extended by {extra['extended']}")
    if "target" in extra:
        parts.append(
            f"the child's own target {day('target')} was later than the limit: capped at it"
            if extra.get("target_capped")
            else f"due on the child's own target {day('target')}"
        )
    elif extra.get("target_capped"):
        parts.append("the child's own target was later than the limit: capped at it")
    for key, value in extra.items():
        if key not in EXTRA_FIELDS:
            parts.append(f"{key}: {_csv_value(value)}")
    return "; ".join(parts)


def _table(findings: Iterable[Finding], out: IO[str], colour: bool) -> int:
    rows = iter(findings)
    sample = list(itertools.islice(rows, TABLE_SAMPLE))
    cells = [_cells(f) for f in sample]
    widths = [
        min(TABLE_MAX_WIDTH, max([len(TABLE_HEADINGS.get(n, n))] + [len(c[i]) for c in cells]))
        for i, n in enumerate(TABLE_COLUMNS)
    ]
    head = "  ".join(
        TABLE_HEADINGS.get(n, n).ljust(w) for n, w in zip(TABLE_COLUMNS, widths, strict=True)
    )
    out.write(head.rstrip() + "\n")
    n = 0
    for row in itertools.chain(cells, (_cells(f) for f in rows)):
        parts = []
        for text, width, name in zip(row, widths, TABLE_COLUMNS, strict=True):
            if len(text) > width:
                text = text[: width - 1] + "…"
            cell = text.ljust(width)
            if colour and name == "status":
                cell = f"\x1b[{_COLOURS[text]}m{cell}\x1b[0m"
            parts.append(cell)
        out.write("  ".join(parts).rstrip() + "\n")
        n += 1
    if n == 0:
        out.write("(no findings)\n")
    return n


def _cells(finding: Finding) -> list[str]:
    row = finding.to_dict()
    return ["-" if row[name] is None else str(row[name]) for name in TABLE_COLUMNS]


def write_quality(notes: Iterable[DataQualityFinding], out: IO[str]) -> int:
    n = 0
    for note in notes:
        out.write(orjson.dumps(note.to_dict()).decode() + "\n")
        n += 1
    return n


def stdout_is_tty() -> bool:
    return isinstance(sys.stdout, io.TextIOBase) and sys.stdout.isatty()
