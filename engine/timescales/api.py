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
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from .docs import describe_limits, rule_limit_text
from .errors import Location, RecordError, value_class
from .findings import WorkerFinding
from .guard import not_json
from .importers.canonical import problems, validation_error
from .pipeline import Pipeline, check_record
from .records import ChildRecord, WorkerRecord, is_worker_data
from .ruleset.ruleset import ChildResult, RuleSet

__all__ = [
    "Checked",
    "check_record",
    "check_stream",
    "check_workers",
    "parse_record",
    "problem_list",
    "rule_rows",
    "validation_context",
]

RecordLike = ChildRecord | WorkerRecord | Mapping[str, Any] | str | bytes


def validation_context(ruleset: RuleSet | None) -> dict[str, Any] | None:
    """The pydantic validation context that lets records use a council's own event types."""
    if ruleset is None or not ruleset.event_types:
        return None
    return {"event_types": ruleset.event_types}


def problem_list(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """Where and what, for each validation problem (at most 20); never the input values (the
    same wording as the CLI's rejections: ``importers.canonical.problems``)."""
    return [
        {"pointer": prefix + where if where != "/" else prefix or "/", "message": message}
        for where, message, _, _ in problems(exc)[:20]
    ]


def parse_record(
    data: RecordLike,
    *,
    ruleset: RuleSet | None = None,
    location: Location | None = None,
    every_problem: bool = False,
) -> ChildRecord:
    """One canonical record from a mapping or JSON text, validated strictly.

    ``ruleset`` supplies any council event types. Raises RecordError carrying the location
    (with the JSON pointer of the first problem appended) and the field; the message never
    repeats the offending value. ``every_problem``: the message lists the first five
    problems, each with its pointer (the service's stream), not the first alone.
    """
    where = location or Location("<record>")
    if isinstance(data, ChildRecord):
        return data
    if isinstance(data, (str, bytes)):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise not_json(exc, where) from None
    if not isinstance(data, Mapping):
        raise RecordError(
            "a record must be a JSON object", where, code="E302", value_class=value_class(data)
        )
    try:
        return ChildRecord.model_validate(dict(data), context=validation_context(ruleset))
    except ValidationError as exc:
        message = None
        if every_problem:
            found = problem_list(exc)[:5]
            message = "; ".join(f"{p['pointer']}: {p['message']}" for p in found)
        raise validation_error(exc, where, message) from None


@dataclass(frozen=True, slots=True)
class Checked:
    """One input of a stream: its position (0-based) and either its result, its rejection,
    or the worker record it was (judged with ``check_workers``)."""

    index: int
    result: ChildResult | None = None
    error: RecordError | None = None
    worker: WorkerRecord | None = None


def parse_worker(data: Mapping[str, Any], *, location: Location | None = None) -> WorkerRecord:
    """One canonical worker record from a mapping, validated strictly (RecordError names the
    place and the field, never the value)."""
    try:
        return WorkerRecord.model_validate(dict(data))
    except ValidationError as exc:
        raise validation_error(exc, location or Location("<worker>")) from None


def check_workers(
    workers: Iterable[WorkerRecord | Mapping[str, Any]], *, ruleset: RuleSet, as_of: dt.date
) -> list[WorkerFinding]:
    """The worker findings of these worker records under the rule set's workforce rules
    (supervision, induction, training), by worker, rule and anchor."""
    from .workforce import evaluate

    records = [
        w if isinstance(w, WorkerRecord) else parse_worker(w, location=Location("<worker>", n + 1))
        for n, w in enumerate(workers)
    ]
    return evaluate(ruleset, records, as_of)


def check_stream(
    records: Iterable[RecordLike],
    *,
    ruleset: RuleSet,
    as_of: dt.date,
    source: str = "<stream>",
    max_events: int | None = None,
) -> Iterator[Checked]:
    """Check records lazily, one at a time (memory does not grow with the stream), through
    the pipeline (``Pipeline.check_one``: the CLI's guard and evaluation).

    A record that cannot be read or checked is yielded as a rejection (``error``) and the stream
    goes on, as the CLI does. A worker record (``worker`` and no ``child``) is yielded as
    ``worker``: counted checked, and judged by ``check_workers``. Locations are ``source``
    with the 1-based position as the line.
    ``max_events`` rejects a child with more events than that (bounded work per child).
    """
    run = Pipeline(
        ruleset,
        as_of,
        max_events=sys.maxsize if max_events is None else max_events,
        max_events_option=None,
        on_reject=_ignore,
        on_quality=_ignore,
    )
    for index, data in enumerate(records):
        where = Location(source, index + 1)
        worker: WorkerRecord | None = data if isinstance(data, WorkerRecord) else None
        if worker is None and isinstance(data, Mapping) and is_worker_data(data):
            try:
                worker = parse_worker(data, location=where)
            except RecordError as exc:
                run.reject(exc)
                yield Checked(index, error=exc)
                continue
        if worker is not None:
            run.worker(worker)
            yield Checked(index, worker=worker)
            continue
        try:
            record = parse_record(data, ruleset=ruleset, location=where)
        except RecordError as exc:
            run.reject(exc)
            yield Checked(index, error=exc)
            continue
        try:
            result = run.check_one(record, where)
        except RecordError as exc:
            yield Checked(index, error=exc)
            continue
        yield Checked(index, result=result)


def _ignore(_: object) -> None:
    """A sink that drops what it is given (the caller reads it from ``Checked``)."""


def rule_rows(ruleset: RuleSet) -> list[dict[str, Any]]:
    """Every rule in force, one JSON-ready row each: ``rules list --format json`` and the
    service's ``GET /rules``. With a council, its limit in force instead of the national one
    (``council_limit``, ``override``) and whether a rule is its own (``local``)."""
    rows: list[dict[str, Any]] = []
    for rule in ruleset.rules:
        row: dict[str, Any] = {
            "id": rule.id,
            "name": rule.name,
            "title": rule.title,
            "kind": rule.kind,
            "family": rule.family,
            "limit": rule_limit_text(rule),
            "summary": rule.summary,
            "citation": rule.references[0].href,
            "references": [ref.model_dump() for ref in rule.references],
            "local": rule.id in ruleset.local_rules,
            "overridden": rule.id in ruleset.overrides,
        }
        active = ruleset.overrides.get(rule.id)
        if active is not None:  # the council's limit in force instead of the national one
            row["council_limit"] = describe_limits(list(active.local))
            row["override"] = active.override.name
        rows.append(row)
    return rows
