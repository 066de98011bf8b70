"""Findings: the output contract. Immutable values, one per rule instance, plus data-quality notes.

Fields (required core, design.md): rule, name, child, ref, anchor, due, done, status, days_late,
working_days_late, citation, la. Extras: id (stable hash of rule, child, ref, anchor), citations,
team, worker, exception, national_due, override, threshold, partial_history, variation (the
temporary change to the law in force on the clock date).

Statuses: ``met`` (done on or before due), ``late`` (done after due), ``overdue`` (not done and
past due), ``pending`` (not done, not yet due) and, for attribute rules only (LA020, PF004: each
visit must itself record something), ``unmet``: the event happened but not as the law requires.
An attribute finding is ``met`` or ``unmet``, never pending or overdue. A breach is ``late``,
``overdue`` or ``unmet``. ``days_late`` and ``working_days_late``: 0 when met; null when pending
or unmet (an unmet visit is not a deadline missed by some days); days from due to done (late) or
to as_of or the case's close (overdue).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    MET = "met"
    LATE = "late"
    OVERDUE = "overdue"
    PENDING = "pending"
    UNMET = "unmet"  # attribute rules: the event happened, not as the law requires


# unmet is a breach with no days late: days-late figures are over late and overdue only
BREACHES = frozenset({Status.LATE, Status.OVERDUE, Status.UNMET})
# the rules that can find an instance unmet (the attribute rules): where none of them is
# assessed in a run, every count of unmet is n/a, never 0
UNMET_RULES = ("LA020", "PF004")
FIELDS = (
    "id",
    "rule",
    "name",
    "child",
    "ref",
    "anchor",
    "due",
    "done",
    "status",
    "days_late",
    "working_days_late",
    "citation",
    "la",
    "team",
    "worker",
    "exception",
)


# the fields present only where they apply (``Finding.extra``), with the type of their value
EXTRA_FIELDS: dict[str, Any] = {
    "threshold": str,
    "extended": str,
    "national_due": dt.date,
    "override": str,
    "partial_history": bool,
    # the temporary change to the law in force on the clock date (SI 2020/445)
    "variation": str,
    # a deadline counted from a preceding legal status (CA 1989 s.45(3)): the day it began
    "counted_from": dt.date,
    # under a relaxed variation: the day the usual limit began to count again
    "resumed": dt.date,
    # a deadline due on the child's own recorded target (``target``): that target, and
    # whether it was later than the rule's limit and so capped at it
    "target": dt.date,
    "target_capped": bool,
}


def finding_fields() -> dict[str, tuple[Any, Any]]:
    """Every key of ``Finding.to_dict()``: its type and its default (``...``: always there),
    for models of the output (the service's ``FindingModel``)."""
    hints = typing.get_type_hints(Finding)
    fields: dict[str, tuple[Any, Any]] = {"id": (str, ...)}
    fields.update((name, (hints[name], ...)) for name in FIELDS if name != "id")
    fields["citations"] = (list[str], ...)
    fields.update((name, (kind | None, None)) for name, kind in EXTRA_FIELDS.items())
    return fields


def finding_id(rule: str, child: str, ref: str | None, anchor: dt.date) -> str:
    """Stable across runs: the same rule instance gets the same id week after week."""
    key = f"{rule}\x1f{child}\x1f{ref or ''}\x1f{anchor.isoformat()}".encode()
    return hashlib.blake2b(key, digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Finding:
    """Which child, which rule, due when, done when, how late (or, for an attribute rule,
    whether the event recorded what it must)."""

    rule: str
    name: str
    child: str
    ref: str | None
    anchor: dt.date
    due: dt.date
    done: dt.date | None
    status: Status
    days_late: int | None
    working_days_late: int | None
    citation: str
    la: str | None = None
    team: str | None = None
    worker: str | None = None
    exception: str | None = None
    citations: tuple[str, ...] = ()
    extra: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def id(self) -> str:
        return finding_id(self.rule, self.child, self.ref, self.anchor)

    @property
    def is_breach(self) -> bool:
        return self.status in BREACHES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO dates, status as its string."""
        out: dict[str, Any] = {
            "id": self.id,
            "rule": self.rule,
            "name": self.name,
            "child": self.child,
            "ref": self.ref,
            "anchor": self.anchor.isoformat(),
            "due": self.due.isoformat(),
            "done": self.done.isoformat() if self.done else None,
            "status": self.status.value,
            "days_late": self.days_late,
            "working_days_late": self.working_days_late,
            "citation": self.citation,
            "la": self.la,
            "team": self.team,
            "worker": self.worker,
            "exception": self.exception,
            "citations": list(self.citations),
        }
        for key, value in self.extra:
            out[key] = plain(value)
        return out


WORKER_FIELDS = (
    "id",
    "rule",
    "name",
    "worker",
    "role",
    "team",
    "ref",
    "anchor",
    "due",
    "done",
    "status",
    "days_late",
    "working_days_late",
    "citation",
    "la",
)


@dataclass(frozen=True, slots=True)
class WorkerFinding:
    """Which worker, which rule, due when, done when, how late: a supervision, induction or
    training evaluation (the workforce rules). Reported apart from the children's findings
    (``check --workforce FILE``, the aggregates and the report), never in the main output, and
    not part of the exit code. ``worker`` is the worker's id as the input gives it (never a
    name)."""

    rule: str
    name: str
    worker: str
    role: str
    team: str | None
    ref: str | None
    anchor: dt.date
    due: dt.date
    done: dt.date | None
    status: Status
    days_late: int | None
    working_days_late: int | None
    citation: str
    la: str | None = None
    citations: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return finding_id(self.rule, f"worker:{self.worker}", self.ref, self.anchor)

    @property
    def is_breach(self) -> bool:
        return self.status in BREACHES

    def to_dict(self) -> dict[str, Any]:
        out = {name: plain(getattr(self, name)) for name in WORKER_FIELDS}
        out["status"] = self.status.value
        out["citations"] = list(self.citations)
        return out


def plain(value: Any) -> Any:
    """A value as JSON carries it: a date as its ISO string, anything else as it is."""
    return value.isoformat() if isinstance(value, dt.date) else value


def row_dict(row: Any, names: Iterable[str] | None = None) -> dict[str, Any]:
    """A dataclass row's ``to_dict``: the fields ``names`` (all of them, in order, by default)
    by name, dates as ISO strings."""
    if names is None:
        names = [f.name for f in fields(row)]
    return {name: plain(getattr(row, name)) for name in names}


@dataclass(frozen=True, slots=True)
class DataQualityFinding:
    """A problem in the data itself (codes DATA001...), reported apart from timeliness findings."""

    code: str
    child: str
    message: str
    rule: str | None = None
    ref: str | None = None
    date: dt.date | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return row_dict(self, ("code", "child", "rule", "ref", "date", "message", "source"))


DATA_QUALITY_CODES = {
    "DATA001": "a satisfying event is dated before the clock it would answer (same ref)",
    "DATA002": "the same child id appears more than once in the input",
    "DATA003": "an implausible date (before 1990, or before the child's birth)",
    "DATA004": "the same event is recorded twice (same type, date and ref); counted once",
    "DATA005": "a case was opened again while one was open; the first is taken as closed",
    "DATA009": (
        "a case opened while another of the same kind was open, the two told apart by their "
        "refs (CIN census plans, SSD ids): both are assessed"
    ),
    "DATA006": "a term-based rule could not go on: no school term dates around the date",
    "DATA007": "no date of birth: an age-dependent limit took its default branch",
    "DATA058": (
        "a recorded target date (a rule's ``target``) is not a date, or is before the clock: "
        "it is not used, the rule's limit applies"
    ),
    "DATA008": (
        "the same event recorded twice with different details: counted once with the detail "
        "unknown, or both kept where the detail starts an obligation (or in two cases)"
    ),
}
