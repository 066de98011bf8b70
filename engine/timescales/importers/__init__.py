"""Importers: turn input files into a stream of canonical records, or located rejections.

Each importer yields ``Item``s: a child's record (with any data-quality notes the import found),
or a RecordError saying where and why something was rejected. A rejected *record* (a whole child)
and a rejected *row* (one line of a return, the child built from the rest) are counted apart, and
each importer keeps per-source row counts, so a run reconciles both ways:
children read = checked + rejected, and rows read = rows used + rows rejected.

Importers are found by name in ``REGISTRY`` (``module:attribute``, imported only when used);
council plugins add more through the ``timescales_importers`` hook.

No importer counts a limit of its own: where one needs a rule's due date (to compare a council's
own due date with ours, or to tell whether a latest-only review can be the first), it asks
``ImportContext.due``, which answers from the run's rule set (a council's overrides and the
rules' effective dates included) or, with none given, from the national pack.
tests/importers/test_no_rule_arithmetic.py keeps it so.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import InputError, Location, RecordError
from ..findings import DataQualityFinding
from ..records import ChildRecord

if TYPE_CHECKING:
    from ..ruleset.oracle import Due, RuleOracle
    from ..ruleset.ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class Item:
    location: Location
    record: ChildRecord | None = None
    error: RecordError | None = None
    # notes the import itself found about this child (DEC before DECOM, overlapping periods...)
    quality: tuple[DataQualityFinding, ...] = ()
    # True when ``error`` rejects one row of a return rather than a whole child
    row: bool = False


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
    rules: RuleSet | None = None
    # the collection year (ending 31 March) of a return whose file names do not say it
    # (``--collection-year``); None: the names, else the dates, decide
    collection_year: int | None = None
    # files and sheets skipped (unknown, or documentation), and tables rejected whole: the run
    # reports each once and counts them (``Summary.files_skipped``)
    skipped: list[Skipped] = field(default_factory=list)
    tables_rejected: list[TableRejected] = field(default_factory=list)
    _oracle: RuleOracle | None = field(default=None, init=False, repr=False, compare=False)

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
    def oracle(self) -> RuleOracle:
        """The due dates of ``rules`` (or of the national pack when no rule set was given)."""
        from ..ruleset import oracle

        if self.rules is None:
            return oracle.national()
        if self._oracle is None or self._oracle.ruleset is not self.rules:
            self._oracle = oracle.RuleOracle(self.rules)
        return self._oracle

    def due(
        self,
        rule_id: str,
        anchor: dt.date,
        *,
        occurrence: int = 1,
        opened: dt.date | None = None,
        dob: dt.date | None = None,
    ) -> Due | None:
        """The due date ``rule_id`` gives for a clock starting on ``anchor``, with the limit
        in force (``Due.describe()``: "15 working days"), counted as the engine counts it.

        For a schedule, ``occurrence`` N counts from the actual (N-1)th event under the rule
        governing the Nth (``due("LA005", last_review, occurrence=3)`` is LA007's). None when
        the rule is not in the set or not in force on ``anchor``: then nothing is compared.
        See ``timescales.ruleset.oracle.RuleOracle.due``."""
        return self.oracle.due(rule_id, anchor, occurrence=occurrence, opened=opened, dob=dob)

    def validation_context(self) -> dict[str, object] | None:
        """The pydantic validation context that lets records carry the council's event types."""
        return {"event_types": self.event_types} if self.event_types else None

    def source(self, name: str) -> SourceStats:
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

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]: ...


# name -> "module:attribute" (relative to this package), in the order ``auto`` tries them
REGISTRY: dict[str, str] = {
    "jsonl": ".canonical:JSONL",
    "json": ".canonical:JSON",
    "yaml": ".canonical:YAML",
    "ssda903": ".ssda903:IMPORTER",
    "cin-census": ".cin_census:IMPORTER",
    "ssd": ".ssd:IMPORTER",
    "annex-a": ".annex_a:IMPORTER",
}
FORMATS = ("auto", *REGISTRY)


def get(name: str, extra: dict[str, Importer] | None = None) -> Importer:
    if extra and name in extra:
        return extra[name]
    target = REGISTRY.get(name)
    if target is None:
        known = ", ".join([*REGISTRY, *(extra or {})])
        raise InputError(f"unknown input format {name!r} (known: {known})", code="E402")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        raise InputError(f"input format {name!r} is not available: {exc}", code="E402") from None
    importer: Importer = getattr(module, attr)
    return importer


def available(extra: dict[str, Importer] | None = None) -> list[Importer]:
    out = []
    for name in [*REGISTRY, *(extra or {})]:
        try:
            out.append(get(name, extra))
        except InputError:
            continue
    return out


def detect(path: Path, extra: dict[str, Importer] | None = None) -> Importer:
    """The first importer whose sniffer recognises ``path``; ``-`` (standard input) is JSON
    Lines, as it cannot be sniffed without consuming it."""
    if str(path) == "-":
        return get("jsonl")
    if not path.exists():
        raise InputError("no such file or directory", Location(str(path)), code="E101")
    for importer in available(extra):
        try:
            if importer.sniff(path):
                return importer
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(str(path)), code="E401"
            ) from None
    raise InputError(
        "cannot tell the input format; give --input-format "
        f"({', '.join(n for n in FORMATS if n != 'auto')})",
        Location(str(path)),
        code="E402",
    )


def resolve(path: Path, fmt: str = "auto", extra: dict[str, Importer] | None = None) -> Importer:
    if str(path) == "-" and fmt not in ("auto", "jsonl"):
        raise InputError(
            f"standard input is read as JSON Lines only, not {fmt!r}",
            Location("<stdin>"),
            code="E402",
        )
    return detect(path, extra) if fmt == "auto" else get(fmt, extra)


def read(path: Path, fmt: str = "auto", context: ImportContext | None = None) -> Iterator[Item]:
    """Read one input in the given (or detected) format."""
    return resolve(Path(path), fmt).read(Path(path), context or ImportContext())
