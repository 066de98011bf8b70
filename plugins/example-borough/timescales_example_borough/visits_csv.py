"""An importer for Example Borough's (made-up) case-system export of visits and reviews.

One CSV, one event per row::

    child_id,dob,event,date,ref,seen_alone
    EB001,2012-04-01,became_looked_after,2023-03-31,P1,
    EB001,,review,2023-05-03,P1,
    EB001,,visit,2023-04-06,P1,Y

``event`` is one of: became_looked_after, placement, visit, review, ceased, pep, case_note.
Dates are dd/mm/yyyy or yyyy-mm-dd. Rows are grouped by child_id (the file need not be sorted).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from timescales.errors import InputError, Location, RecordError
from timescales.importers import ImportContext, Item
from timescales.records import ChildRecord

COLUMNS = ("child_id", "dob", "event", "date", "ref", "seen_alone")
NATIONAL_EVENTS = {
    "became_looked_after": "became_looked_after",
    "placement": "placement_started",
    "visit": "lac_visit",
    "review": "lac_review",
    "ceased": "ceased_looked_after",
    "pep": "pep",
}


def _date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    raise ValueError("not a date (dd/mm/yyyy or yyyy-mm-dd)")


class VisitsCsv:
    """The importer; ``council`` names the format (``<council>-visits``) and the case-note
    event type (``<council>.case_note``)."""

    def __init__(self, council: str) -> None:
        self.name = f"{council}-visits"
        self.events = {**NATIONAL_EVENTS, "case_note": f"{council}.case_note"}
        self.supplies = frozenset(self.events.values())

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or path.suffix.lower() != ".csv":
            return False
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        return tuple(h.strip().lower() for h in header) == COLUMNS

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        stats = context.source(str(path))
        children: dict[str, dict[str, Any]] = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = tuple(h.strip().lower() for h in next(reader, []))
            if header != COLUMNS:
                raise InputError(
                    f"expected columns {', '.join(COLUMNS)}", Location(str(path), 1), code="E406"
                )
            for row_number, row in enumerate(reader, start=2):
                stats.rows_read += 1
                where = Location(str(path), row_number)
                try:
                    event = self._event(dict(zip(COLUMNS, row, strict=False)), row)
                except ValueError as exc:
                    stats.rows_rejected += 1
                    error = RecordError(str(exc), where, code="E310")
                    yield Item(where, error=error, row=True)
                    continue
                child = children.setdefault(row[0].strip(), {"events": [], "dob": None})
                if row[1].strip():
                    child["dob"] = _date(row[1]).isoformat()
                child["events"].append(event)
                stats.rows_used += 1
        for child_id, data in children.items():
            where = Location(str(path), None, f"child {child_id}")
            record = {"child": child_id, "dob": data["dob"], "events": data["events"]}
            try:
                built = ChildRecord.model_validate(record, context=context.validation_context())
            except ValidationError as exc:
                message = f"invalid record: {exc.errors()[0]['msg']}"
                yield Item(where, error=RecordError(message, where, code="E313"))
                continue
            yield Item(where, record=built)

    def _event(self, row: dict[str, str], raw: list[str]) -> dict[str, Any]:
        if len(raw) != len(COLUMNS):
            raise ValueError(f"expected {len(COLUMNS)} columns, found {len(raw)}")
        if not row["child_id"].strip():
            raise ValueError("child_id is blank")
        kind = self.events.get(row["event"].strip().lower())
        if kind is None:
            raise ValueError(f"unknown event {row['event'].strip()!r}")
        event: dict[str, Any] = {"type": kind, "date": _date(row["date"]).isoformat()}
        if row["ref"].strip():
            event["ref"] = row["ref"].strip()
        if kind == "lac_visit" and row["seen_alone"].strip():
            event["attrs"] = {"seen_alone": row["seen_alone"].strip().upper() == "Y"}
        return event
