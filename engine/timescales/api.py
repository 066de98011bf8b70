"""The embedding API: read records from other systems' data, check them one by one or as a stream.

A rule set is loaded and compiled once (``timescales.load_rules``) and is immutable: share it
between threads and requests. Everything here is a pure function of its arguments.

>>> ruleset = timescales.load_rules()
>>> record = parse_record(raw_json, ruleset=ruleset)          # RecordError names the field
>>> for item in check_stream(rows, ruleset=ruleset, as_of=dt.date(2024, 3, 31)):
...     if item.error: log(item.index, item.error.code, item.error.message)
...     else: save(item.result.findings)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from .errors import Location, RecordError, value_class
from .importers.canonical import validation_error
from .records import ChildRecord
from .ruleset.ruleset import ChildResult, RuleSet

__all__ = ["Checked", "check_record", "check_stream", "parse_record", "validation_context"]

RecordLike = ChildRecord | Mapping[str, Any] | str | bytes


def validation_context(ruleset: RuleSet | None) -> dict[str, Any] | None:
    """The pydantic validation context that lets records use a council's own event types."""
    if ruleset is None or not ruleset.event_types:
        return None
    return {"event_types": ruleset.event_types}


def parse_record(
    data: RecordLike, *, ruleset: RuleSet | None = None, location: Location | None = None
) -> ChildRecord:
    """One canonical record from a mapping or JSON text, validated strictly.

    ``ruleset`` supplies any council event types. Raises RecordError carrying the location
    (with the JSON pointer of the first problem appended) and the field; the message never
    repeats the offending value.
    """
    where = location or Location("<record>")
    if isinstance(data, ChildRecord):
        return data
    if isinstance(data, (str, bytes)):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            reason = str(exc).split(":", 1)[0]
            raise RecordError(f"not valid JSON ({reason})", where, code="E301") from None
    if not isinstance(data, Mapping):
        raise RecordError(
            "a record must be a JSON object", where, code="E302", value_class=value_class(data)
        )
    try:
        return ChildRecord.model_validate(dict(data), context=validation_context(ruleset))
    except ValidationError as exc:
        raise validation_error(exc, where) from None


def check_record(
    ruleset: RuleSet, record: ChildRecord, *, as_of: dt.date, location: Location | None = None
) -> ChildResult:
    """``ruleset.check``, with any arithmetic failure on impossible dates (e.g. a clock in year
    9999) turned into the same RecordError the CLI rejects a record with."""
    try:
        return ruleset.check(record, as_of=as_of, location=location)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError(
            f"cannot be checked: a date calculation went out of range ({type(exc).__name__})",
            location,
            code="E307",
        ) from None


@dataclass(frozen=True, slots=True)
class Checked:
    """One input of a stream: its position (0-based) and either its result or its rejection."""

    index: int
    result: ChildResult | None = None
    error: RecordError | None = None


def check_stream(
    records: Iterable[RecordLike],
    *,
    ruleset: RuleSet,
    as_of: dt.date,
    source: str = "<stream>",
    max_events: int | None = None,
) -> Iterator[Checked]:
    """Check records lazily, one at a time (memory does not grow with the stream).

    A record that cannot be read or checked is yielded as a rejection (``error``) and the stream
    goes on, as the CLI does. Locations are ``source`` with the 1-based position as the line.
    ``max_events`` rejects a child with more events than that (bounded work per child).
    """
    for index, data in enumerate(records):
        where = Location(source, index + 1)
        try:
            record = parse_record(data, ruleset=ruleset, location=where)
            if max_events is not None and len(record.events) > max_events:
                raise RecordError(
                    f"more than {max_events} events for one child", where, "events", code="E304"
                )
            result = check_record(ruleset, record, as_of=as_of, location=where)
        except RecordError as exc:
            yield Checked(index, error=exc)
            continue
        yield Checked(index, result=result)
