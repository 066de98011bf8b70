"""The pipeline's guard stage: what becomes of one input item before it is evaluated, and the
one place each rejection and data-quality text of a run is written.

An item is a rejected row of a return, notes about a whole file, a rejected child (unreadable,
or more events than the limit), or a child to evaluate. The same :func:`screen` runs in one
process (``pipeline``) and in the worker processes (``backends.pool``); each :class:`Outcome`
is counted into the one tally by ``Pipeline.account``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import Location, RecordError
from .findings import DataQualityFinding

if TYPE_CHECKING:
    from .contract import Item, Skipped, TableRejected
    from .ruleset.ruleset import ChildResult

ROW, NOTES, REJECT, CHILD = "row", "notes", "reject", "child"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input item. ``kind``: "row" (a row of a return, rejected), "notes"
    (notes about a whole file), "reject" (a rejected child) or "child" (checked: its
    data-quality notes and how many events were after as_of)."""

    kind: str
    error: RecordError | None = None
    child: str = ""
    quality: tuple[DataQualityFinding, ...] = ()
    ignored: int = 0
    not_assessed: tuple[tuple[tuple[str, str], int], ...] = ()
    partial_history: int = 0  # findings marked partial_history (the whole child's, or none)


def screen(item: Item, max_events: int, option: str | None = "--max-events") -> Outcome | None:
    """The outcome of an item that is not evaluated, or None for a child to evaluate
    (``option``: the setting that sets ``max_events``, named in its rejection)."""
    if item.row:
        return Outcome(ROW, item.error, quality=item.quality)
    if item.worker is not None and item.error is None:
        # the pipeline keeps worker records before this (``Pipeline.one``): here is a path
        # that checks children only, and a record is never dropped unsaid
        return Outcome(REJECT, worker_not_judged(item.location), quality=item.quality)
    if item.record is None and item.error is None:
        return Outcome(NOTES, quality=item.quality)
    if item.error is not None or item.record is None:
        return Outcome(REJECT, item.error or unreadable_record(item.location))
    if len(item.record.events) > max_events:
        return Outcome(REJECT, too_many_events(max_events, item.location, option))
    return None


def checked(
    result: ChildResult, imported: tuple[DataQualityFinding, ...], partial_history: int
) -> Outcome:
    """The outcome of a child evaluated: the import's notes, then the evaluator's."""
    return Outcome(
        CHILD,
        child=result.child,
        quality=(*imported, *result.quality),
        ignored=result.ignored_after_as_of,
        not_assessed=result.not_assessed,
        partial_history=partial_history,
    )


# -- the texts ---------------------------------------------------------------------------------


def worker_not_judged(where: Location | None) -> RecordError:
    """The rejection (E314) of a worker record on a path that checks children only (worker
    processes, the durable engine, ``convert``): the workforce rules run in one process."""
    return RecordError(
        "a worker record: the workforce rules are judged in one process "
        "(--jobs 1, --engine python), and convert writes child records only",
        where,
        code="E314",
    )


def too_many_events(limit: int, where: Location | None, option: str | None = None) -> RecordError:
    """The rejection (E304) of a child with more events than the limit (``option``: the
    setting that sets it, said after the message)."""
    hint = f" (see {option})" if option else ""
    return RecordError(
        f"more than {limit} events for one child{hint}", where, "events", code="E304"
    )


def not_json(exc: Exception, where: Location) -> RecordError:
    """The rejection (E301) of a line or body that is not JSON: the parser's reason, never
    the text."""
    reason = str(exc).split(":", 1)[0]
    return RecordError(f"not valid JSON ({reason})", where, code="E301")


def unreadable_record(where: Location | None) -> RecordError:
    """The rejection (E300) of an item the importer gave neither a record nor an error."""
    return RecordError("unreadable record", where, code="E300")


def repeated_child(child: str) -> DataQualityFinding:
    """DATA002: a child id seen more than once in one input."""
    return DataQualityFinding("DATA002", child, "child id seen more than once in the input")


def skipped_file(skipped: Skipped) -> RecordError:
    """The ``--rejects`` row (E407) of a file or sheet the format does not know."""
    return RecordError(skipped.reason, skipped.location, code="E407")


def table_rejected(table: TableRejected) -> RecordError:
    """The ``--rejects`` row of a known table rejected whole (a required column missing)."""
    return RecordError(
        f"{table.reason}; all {table.rows} rows rejected", table.location, code=table.code
    )
