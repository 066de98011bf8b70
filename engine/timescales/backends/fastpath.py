"""A faster validated path for JSON Lines records in the workers (Python engine only).

Pydantic validation of a ``ChildRecord`` and the copy of its events into the evaluator's own
``Ev`` objects cost about a tenth of a check. Here msgspec decodes a line straight into typed
structs (strict: unknown keys, wrong JSON types and missing keys fail), the remaining checks of
``records.ChildRecord`` are made in Python (ISO dates through the same ``parse_iso_date``, known
event types and attributes with the same type rules, the child id's length), and the events
become ``Ev`` objects for ``RuleSet.check_events``.

It accepts a strict subset of what the pydantic model accepts and never reports an error of its
own: anything it does not accept (invalid, or valid only through pydantic's lax coercions such
as ``"true"`` for a boolean) goes through ``importers.canonical.to_record``, so every message,
pointer and location is the one-process reader's. Without msgspec (an optional dependency) the
workers use that path for every line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..dates import parse_iso as parse_iso_date
from ..errors import Location
from ..evaluation.timeline import Ev
from ..records import NATIONAL_EVENT_TYPES
from ..ruleset.ruleset import ChildResult, RuleSet, partial

try:
    import msgspec
except ImportError:  # pragma: no cover - msgspec is optional
    msgspec = None  # type: ignore[assignment]

Scalar = str | bool | int | float | None


@dataclass(frozen=True, slots=True)
class FastRecord:
    """A validated child record, already in the evaluator's terms."""

    child: str
    dob: dt.date | None
    team: str | None
    worker: str | None
    partial_history: bool
    events: list[Ev]


if msgspec is not None:

    class _Event(msgspec.Struct, forbid_unknown_fields=True):
        type: str
        date: str
        ref: str | None = None
        case: str | None = None
        attrs: dict[str, Scalar] = msgspec.field(default_factory=dict)

    class _Record(msgspec.Struct, forbid_unknown_fields=True):
        child: str
        dob: str | None = None
        expected_dob: str | None = None
        la: str | None = None
        team: str | None = None
        worker: str | None = None
        partial_history: bool = False
        events: list[_Event] = msgspec.field(default_factory=list)

    _decoder: Any = msgspec.json.Decoder(_Record)
else:  # pragma: no cover
    _decoder = None


def available() -> bool:
    return _decoder is not None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    value = parse_iso_date(text)
    assert isinstance(value, dt.date)
    return value


def _attr_ok(value: Scalar, want: type) -> bool:
    if value is None:
        return True
    if want is bool:
        return isinstance(value, bool)
    return isinstance(value, want) and not isinstance(value, bool)


def decode(
    raw: bytes, event_types: Mapping[str, Mapping[str, type]] | None = None
) -> FastRecord | None:
    """The record on this line, or None when only the full pydantic path may judge it."""
    if _decoder is None:
        return None
    types = event_types or NATIONAL_EVENT_TYPES
    try:
        record = _decoder.decode(raw)
        if not 1 <= len(record.child) <= 200:
            return None
        dob = _date(record.dob)
        _date(record.expected_dob)
        events = []
        for event in record.events:
            spec = types.get(event.type)
            if spec is None:
                return None
            for name, value in event.attrs.items():
                want = spec.get(name)
                if want is None or not _attr_ok(value, want):
                    return None
            day = _date(event.date)
            assert day is not None
            events.append(Ev(event.type, day, event.ref, event.case, event.attrs))
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
        return None
    return FastRecord(record.child, dob, record.team, record.worker, record.partial_history, events)


def check(
    ruleset: RuleSet, record: FastRecord, as_of: dt.date, location: Location | None
) -> ChildResult:
    """``RuleSet.check`` for a FastRecord (the same steps after the events are copied)."""
    result = ruleset.check_events(
        record.child,
        record.events,
        as_of=as_of,
        dob=record.dob,
        team=record.team,
        worker=record.worker,
        location=location,
    )
    return partial(result) if record.partial_history else result
