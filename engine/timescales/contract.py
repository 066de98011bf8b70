"""The importer contract: the public types every input format, built-in or a council plugin's,
is written against.

An ``Importer`` (``name``, ``supplies``, ``sniff``, ``read``) turns a path into ``Item``s: a
child's canonical record with any data-quality notes the import found, or a located
``RecordError``. It counts rows per source in ``SourceStats`` (read = used + rejected), says
which files or sheets it skipped (``Skipped``) and which known tables it rejected whole
(``TableRejected``) through its ``ImportContext``.

No importer counts a limit of its own: for a rule's due date it asks ``ImportContext.due``,
answered from the run's rules by a ``DueDates`` oracle. The oracle and its answers are typed by
the small protocols here (``DueDates``, ``DueDate``, ``DueLimit``, ``RuleSource``), so this
ground-floor module never names the evaluator; the importers package provides the oracle
(``provide_due_dates``). Council plugins import these names from ``timescales.importers`` (which
re-exports them) or from here; docs/importers/index.md documents them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import Location, RecordError
from .findings import DataQualityFinding
from .records import ChildRecord, WorkerRecord


class DueLimit(Protocol):
    """The limit in force for a due date, as an importer reads it (``rules.model.Limit``)."""

    @property
    def unit(self) -> str: ...
    @property
    def value(self) -> int: ...
    @property
    def counting(self) -> str: ...
    def describe(self) -> str: ...


class DueDate(Protocol):
    """One occurrence's due date under the rule governing it (``ruleset.oracle.Due``)."""

    @property
    def rule(self) -> str: ...
    @property
    def anchor(self) -> dt.date: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def limit(self) -> DueLimit: ...
    def describe(self) -> str:
        """The limit in words, as rules say it: "15 working days", "3 months"."""
        ...

    def working_days_to(self, other: dt.date) -> int:
        """Working days from the due date to ``other`` in the rule's calendar."""
        ...


class DueDates(Protocol):
    """What answers ``ImportContext.due`` (``ruleset.oracle.RuleOracle``)."""

    def due(
        self,
        rule_id: str,
        anchor: dt.date,
        *,
        occurrence: int = 1,
        opened: dt.date | None = None,
        dob: dt.date | None = None,
    ) -> DueDate | None: ...


class RuleSource(Protocol):
    """The run's rule set as the contract holds it: its rules by ID."""

    @property
    def by_id(self) -> Mapping[str, Any]: ...


# the rule set (None: the national pack) -> its due dates; set by the importers package
_due_dates_for: Callable[[RuleSource | None], DueDates] | None = None


def provide_due_dates(factory: Callable[[RuleSource | None], DueDates]) -> None:
    """Say how ``ImportContext.due`` finds the due dates of a rule set (None: the national pack).
    ``timescales.importers`` provides the evaluator's oracle when it is imported."""
    global _due_dates_for
    _due_dates_for = factory


@dataclass(frozen=True, slots=True)
class Item:
    """What an importer yields: a child's ``record`` (with the ``quality`` notes the import
    found), or an ``error`` saying where and why a child (or, with ``row``, one row of a return)
    was rejected."""

    location: Location
    record: ChildRecord | None = None
    error: RecordError | None = None
    # notes the import itself found about this child (DEC before DECOM, overlapping periods...)
    quality: tuple[DataQualityFinding, ...] = ()
    # True when ``error`` rejects one row of a return rather than a whole child
    row: bool = False
    # a worker's record (the workforce rules), in place of a child's
    worker: WorkerRecord | None = None


@dataclass(slots=True)
class SourceStats:
    """Row counts for one source (a file, a table, a sheet): read = used + rejected."""

    source: str
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0

    def reconciles(self) -> bool:
        return self.rows_read == self.rows_used + self.rows_rejected


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or sheet an importer did not read (decisions.md, "one policy for bad files"):
    one the format does not know (a warning, a ``--rejects`` row, "files skipped N"), or a
    documentation sheet or file (a cover, notes, a README: one notice, never a rejection)."""

    location: Location
    reason: str
    documentation: bool = False


@dataclass(frozen=True, slots=True)
class TableRejected:
    """A known table that cannot be read as a whole (a required column missing or renamed):
    every one of its ``rows`` is counted rejected, and it is said once, not row by row; the
    other tables go on."""

    location: Location
    reason: str
    rows: int
    code: str = "E408"


@dataclass(slots=True)
class ImportContext:
    """What an importer may need besides the path: the run's date, somewhere to count rows
    and the rules in force (``due``), so that no importer counts a limit of its own."""

    as_of: dt.date | None = None
    stats: list[SourceStats] = field(default_factory=list)
    # national event types plus the selected council's (None: national only)
    event_types: dict[str, dict[str, type]] | None = None
    # the largest record (one JSON Lines line) read; a larger one is rejected unread (E303)
    max_record_bytes: int = 16 * 1024 * 1024
    # the run's rule set (a council's overrides and local rules included); None: the national
    # pack, loaded on first use
    rules: RuleSource | None = None
    # the collection year (ending 31 March) of a return whose file names do not say it
    # (``--collection-year``); None: the names, else the dates, decide
    collection_year: int | None = None
    # files and sheets skipped (unknown, or documentation), and tables rejected whole: the run
    # reports each once and counts them (``Summary.files_skipped``)
    skipped: list[Skipped] = field(default_factory=list)
    tables_rejected: list[TableRejected] = field(default_factory=list)
    _oracle: DueDates | None = field(default=None, init=False, repr=False, compare=False)
    _oracle_of: RuleSource | None = field(default=None, init=False, repr=False, compare=False)

    def skip(self, location: Location, reason: str, *, documentation: bool = False) -> None:
        """Skip a file or sheet the format does not know (or a documentation one)."""
        self.skipped.append(Skipped(location, reason, documentation))

    def reject_table(
        self, stats: SourceStats, location: Location, reason: str, rows: int, code: str = "E408"
    ) -> None:
        """Reject a known table whole: its ``rows`` are read and rejected in ``stats``."""
        stats.rows_read += rows
        stats.rows_rejected += rows
        self.tables_rejected.append(TableRejected(location, reason, rows, code))

    @property
    def oracle(self) -> DueDates:
        """The due dates of ``rules`` (or of the national pack when no rule set was given)."""
        if self._oracle is None or self._oracle_of is not self.rules:
            if _due_dates_for is None:
                raise RuntimeError("no due dates provided: import timescales.importers first")
            self._oracle = _due_dates_for(self.rules)
            self._oracle_of = self.rules
        return self._oracle

    @property
    def due(self) -> Callable[..., DueDate | None]:
        """``due(rule_id, anchor, *, occurrence=1, opened=None, dob=None)`` (``DueDates.due``):
        the due date ``rule_id`` gives for a clock starting on ``anchor``, with the limit in
        force (``DueDate.describe()``: "15 working days"), counted as the engine counts it.

        For a schedule, ``occurrence`` N counts from the actual (N-1)th event under the rule
        governing the Nth (``due("LA005", last_review, occurrence=3)`` is LA007's). None when
        the rule is not in the set or not in force on ``anchor``: then nothing is compared."""
        return self.oracle.due

    def validation_context(self) -> dict[str, object] | None:
        """The pydantic validation context that lets records carry the council's event types."""
        return {"event_types": self.event_types} if self.event_types else None

    def source(self, name: str) -> SourceStats:
        """A new row count for one source (a file, a table, a sheet), kept for the run."""
        stats = SourceStats(name)
        self.stats.append(stats)
        return stats


class Importer(Protocol):
    """One input format. ``supplies`` lists the event types it can produce (None: any), so that
    rules it can never feed are reported "not assessable" instead of "overdue"."""

    name: str
    supplies: frozenset[str] | None

    def sniff(self, path: Path) -> bool:
        """True if ``path`` (a file or a directory) looks like this format."""
        ...

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        """The records (or rejections) in ``path``, counting rows in ``context.source(...)``."""
        ...
