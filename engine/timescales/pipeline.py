"""The one pipeline every entry point runs through, and its one tally.

resolve inputs -> read (importers) -> parse and validate -> guard (record limits, duplicate
children, rejections: ``guard``) -> evaluate (the Python engine in process; ``--jobs N`` and the
durable engine in worker processes, and the CLI's ``--jobs 1`` on JSON Lines files read as a
worker reads them, ``parallel``) -> sinks (findings, data-quality notes,
rejects, aggregates, report, worklist: the caller's, fed by :meth:`Pipeline.checked` pairs and
the ``on_reject`` / ``on_quality`` / ``on_input_error`` callbacks).

:class:`Summary` (``tally.py``) is the tally: the CLI's summary line, the report's banner, the
workbook's "Data completeness" sheet and the service's summary all read it, so they cannot
disagree. ``read = checked + rejected`` always holds.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, Location, RecordError
from .findings import DataQualityFinding, Finding
from .guard import (
    NOTES,
    REJECT,
    ROW,
    Outcome,
    checked,
    repeated_child,
    screen,
    skipped_file,
    table_rejected,
    unreadable_record,
)
from .importers import Importer, Item, resolve
from .records import NATIONAL_EVENT_TYPES, ChildRecord, WorkerRecord
from .ruleset.ruleset import ChildResult, RuleSet, partial_count
from .seen import SeenIds
from .tally import Summary

__all__ = ["Pipeline", "Run", "Summary", "check", "check_record"]


@dataclass(slots=True)
class Pipeline:
    """One run through the pipeline: for each input item, its result or its rejection.

    Rejections and data-quality notes go to ``on_reject`` / ``on_quality`` as they happen (the
    CLI writes them straight to their files, so memory does not grow with the input); by
    default they are kept in ``rejects`` / ``quality``. Only the set of child ids seen is kept,
    to spot a child given twice (in bounded memory, spilling to disk past 50,000)."""

    ruleset: RuleSet
    as_of: dt.date
    summary: Summary = field(default_factory=Summary)
    rejects: list[RecordError] = field(default_factory=list)
    quality: list[DataQualityFinding] = field(default_factory=list)
    on_reject: Callable[[RecordError], None] | None = None
    # a rejected row of a return, when it is to go elsewhere than ``on_reject``
    on_row_reject: Callable[[RecordError], None] | None = None
    on_quality: Callable[[DataQualityFinding], None] | None = None
    # an input that cannot be read at all goes here (kept in ``input_errors`` by default)
    on_input_error: Callable[[InputError], None] | None = None
    input_errors: list[InputError] = field(default_factory=list)
    # documentation files and sheets skipped (a cover, notes): one notice each, no rejection
    notices: list[str] = field(default_factory=list)
    # the collection year (ending 31 March) of a return whose file names do not say it
    collection_year: int | None = None
    # a child with more events than this is rejected unread (bounded work per child)
    max_events: int = 100_000
    # the setting that sets ``max_events``, named in the rejection (None: not named)
    max_events_option: str | None = "--max-events"
    # a JSON Lines record (line) longer than this is rejected unread (bounded memory per child)
    max_record_bytes: int = 16 * 1024 * 1024
    # the child ids seen, to note a child given twice (bounded memory: see seen.py)
    _seen: SeenIds = field(default_factory=SeenIds)
    # each input with its importer, as the last plan() resolved them
    planned: list[tuple[Path, Importer]] = field(default_factory=list)
    # the inputs that plan was made for (those that could not be resolved are not in it)
    planned_for: list[Path] = field(default_factory=list)
    # the rejection of the last child that could not be checked (``check_one`` raises it)
    last_rejection: RecordError | None = None
    # the worker records the items carried (a council's staff: few), in input order; each
    # is also handed to ``on_worker`` (the aggregates' workforce section)
    workers: list[WorkerRecord] = field(default_factory=list)
    on_worker: Callable[[WorkerRecord], None] | None = None

    # -- resolve -------------------------------------------------------------------------------

    def plan(
        self, paths: Iterable[Path], fmt: str = "auto", extra: dict[str, Importer] | None = None
    ) -> list[tuple[Path, Importer]]:
        """Resolve each input's format (detecting it under ``auto``), and set aside the rules
        these inputs can never feed: they are "not assessable", not overdue."""
        plan: list[tuple[Path, Importer]] = []
        paths = list(paths)
        for given in paths:
            path = Path(given)
            try:
                if str(path) != "-" and not path.exists():
                    raise InputError("no such file or directory", Location(str(path)), code="E101")
                plan.append((path, resolve(path, fmt, extra)))
            except InputError as exc:
                # a missing input, or one whose format cannot be told, among several: said once
                # (as any input that cannot be read) and the others are still checked
                self.unreadable(exc)
        self.planned = plan
        self.planned_for = [Path(p) for p in paths]
        for path, importer in plan:
            self.summary.formats[str(path)] = importer.name
        supplied = self._supplied(plan)
        if supplied is not None:
            self.ruleset, why = self.ruleset.assessable(frozenset(supplied))
            self.summary.not_assessable.update(why)
        return plan

    def _supplied(self, plan: list[tuple[Path, Importer]]) -> set[str] | None:
        """The event types these inputs can give (None: any). A return's importer declares its
        own (an SSD extract: by the tables present). A canonical file may hold any national
        type, but a council's own type (a plugin's, e.g. ``lancashire.lac_assessment``) only if
        its name appears in the file: an extract made without the council's own events must
        leave that council's rules not assessable, not make every child overdue."""
        if not plan:
            return None
        declared: set[str] = set()
        open_ended: list[tuple[Path, Any]] = []  # inputs that may hold any type
        for path, importer in plan:
            supplies_for = getattr(importer, "supplies_for", None)
            supplies = supplies_for(path) if callable(supplies_for) else importer.supplies
            if supplies is None:
                open_ended.append((path, importer))
            else:
                declared |= supplies
        if not open_ended:
            return declared
        local = set(self.ruleset.event_types or ()) - set(NATIONAL_EVENT_TYPES) - declared
        if not local or not all(hasattr(imp, "may_hold") for _, imp in open_ended):
            return None
        held: set[str] = set()
        for path, importer in open_ended:
            held |= importer.may_hold(path, local - held)
        absent = local - held
        if not absent:
            return None
        return self.ruleset.types_read() - absent

    # -- read ----------------------------------------------------------------------------------

    def items(
        self, paths: Iterable[Path], fmt: str = "auto", extra: dict[str, Importer] | None = None
    ) -> Iterator[Item]:
        """Plan now (so the rule set is settled before any record is checked), read lazily."""
        self.summary.context.as_of = self.as_of
        self.summary.context.max_record_bytes = self.max_record_bytes
        self.summary.context.collection_year = self.collection_year
        # the rules the run loaded (before the inputs narrow them to the assessable ones):
        # importers compare councils' due dates with these, a council's overrides included
        self.summary.context.rules = self.ruleset
        if self.ruleset.event_types:
            self.summary.context.event_types = {
                name: dict(spec) for name, spec in self.ruleset.event_types.items()
            }
        plan = self.plan(paths, fmt, extra)
        return self.read_plan(plan)

    def read_plan(self, plan: list[tuple[Path, Importer]]) -> Iterator[Item]:
        """Each input in turn; the inputs of an importer that reads several as one history
        (``read_many``: the returns of several years, given as several paths) are read
        together, so that each child's rows meet and merge as one directory's would."""
        done: set[int] = set()
        for number, (path, importer) in enumerate(plan):
            if number in done:
                continue
            together = [n for n, (_, other) in enumerate(plan) if other is importer]
            read_many = getattr(importer, "read_many", None)
            if len(together) > 1 and callable(read_many):
                done.update(together)
                paths = [plan[n][0] for n in together]
                yield from self._guarded(functools.partial(read_many, paths, self.summary.context))
            else:
                yield from self.read_input(path, importer)

    def read_input(self, path: Path, importer: Importer) -> Iterator[Item]:
        """One input's items. An input that cannot be read at all (InputError: not a 903
        table, malformed XML, a zip bomb) is counted unreadable and reported, and the run goes
        on with the next input: the exit code is 2 only when nothing could be checked."""
        yield from self._guarded(functools.partial(importer.read, path, self.summary.context))

    def _guarded(self, read: Callable[[], Iterable[Item]]) -> Iterator[Item]:
        try:
            yield from read()
        except InputError as exc:
            self.unreadable(exc)
        finally:
            self._skipped()

    def unreadable(self, error: InputError) -> None:
        """An input that cannot be read at all: counted, and handed to ``on_input_error``."""
        self.summary.unreadable += 1
        (self.on_input_error or self.input_errors.append)(error)

    def _skipped(self) -> None:
        """Account for the files and sheets the importer skipped and the tables it rejected
        whole: each is counted and reported once (a ``--rejects`` row; a documentation sheet
        only a notice)."""
        context = self.summary.context
        for skipped in context.skipped:
            if skipped.documentation:
                self.summary.documentation_skipped += 1
                self.notices.append(f"{skipped.location}: {skipped.reason}")
                continue
            self.summary.files_skipped += 1
            self._rejection(skipped_file(skipped))
        for table in context.tables_rejected:
            self.summary.tables_rejected += 1
            self._rejection(table_rejected(table))
        context.skipped.clear()
        context.tables_rejected.clear()

    # -- guard and evaluate --------------------------------------------------------------------

    def evaluate(self, record: ChildRecord, location: Location | None) -> ChildResult:
        """The Python engine, in this process (``parallel`` runs the others in workers)."""
        return check_record(self.ruleset, record, as_of=self.as_of, location=location)

    def one(self, item: Item) -> ChildResult | None:
        """Guard, evaluate and account one item: its result, or None (a row, notes, a worker
        record, or a rejected child: then ``last_rejection`` says why)."""
        if item.worker is not None and item.error is None and not item.row:
            self.worker(item.worker)
            self.notes(item.quality)
            return None
        early = screen(item, self.max_events, self.max_events_option)
        if early is None and item.record is not None:
            try:
                result = self.evaluate(item.record, item.location)
            except RecordError as exc:
                early = Outcome(REJECT, exc)
            else:
                self.count_findings(result.findings)
                self.account(checked(result, item.quality, partial_count(result.findings)))
                return result
        if early is not None:
            self.account(early)
            self.last_rejection = early.error if early.kind == REJECT else None
        return None

    def worker(self, record: WorkerRecord) -> None:
        """A worker record read: kept and counted apart from the children (judged with the
        workforce rules at the end: ``timescales.workforce``)."""
        self.workers.append(record)
        self.summary.workers += 1
        if self.on_worker is not None:
            self.on_worker(record)

    def check_one(self, record: ChildRecord, location: Location | None) -> ChildResult:
        """One child given as a record (the service, ``api.check_stream``): its result, or
        the RecordError it is rejected with (counted, and also handed to ``on_reject``)."""
        result = self.one(Item(location or Location("<record>"), record=record))
        if result is None:
            assert self.last_rejection is not None
            raise self.last_rejection
        return result

    def checked(self, items: Iterable[Item]) -> Iterator[tuple[ChildRecord, ChildResult]]:
        """The pipeline's output: each child checked, as (record, result), in input order;
        everything else accounted in the tally and handed to the sinks."""
        for item in items:
            result = self.one(item)
            if result is not None and item.record is not None:
                yield item.record, result
        self.report_repeats()

    def records(self, items: Iterable[Item]) -> Iterator[ChildRecord]:
        """The guard stage alone (``convert``): each child's record, not evaluated; rows,
        notes and rejections accounted as a check accounts them."""
        for item in items:
            early = screen(item, self.max_events, self.max_events_option)
            if early is not None:
                self.account(early)
            elif item.record is not None:
                self.summary.read += 1
                yield item.record

    def results(self, items: Iterable[Item]) -> Iterator[ChildResult]:
        for _, result in self.checked(items):
            yield result

    def findings(self, items: Iterable[Item]) -> Iterator[Finding]:
        for _, result in self.checked(items):
            yield from result.findings

    # -- the tally -----------------------------------------------------------------------------

    def count_findings(self, findings: Iterable[Finding]) -> None:
        """One child's findings, by status and by rule and status."""
        summary = self.summary
        for finding in findings:
            summary.findings[finding.status.value] += 1
            summary.by_rule[(finding.rule, finding.status.value)] += 1

    def count_by_rule(self, by_rule: Counter[tuple[str, str]]) -> None:
        """Findings counted elsewhere (a worker's batch): by rule and status."""
        for (rule, status), n in by_rule.items():
            self.summary.by_rule[(rule, status)] += n
            self.summary.findings[status] += n

    def account(self, outcome: Outcome) -> None:
        """Count one item's outcome (here or from a worker) and hand on its rejection and
        notes: the one place the tally of children and rows is kept."""
        summary = self.summary
        if outcome.kind == ROW:
            summary.rows_rejected += 1
            if outcome.error is not None:
                (self.on_row_reject or self.on_reject or self.rejects.append)(outcome.error)
            self.notes(outcome.quality)
            return
        if outcome.kind == NOTES:
            self.notes(outcome.quality)  # notes about a whole file, no child of their own
            return
        summary.read += 1
        if outcome.kind == REJECT:
            summary.rejected += 1
            self._rejection(outcome.error or unreadable_record(None))
            return
        summary.checked += 1
        summary.events_after_as_of += outcome.ignored
        for key, n in outcome.not_assessed:
            summary.not_assessed[key] += n
        summary.partial_history += outcome.partial_history
        if self._seen.add(outcome.child):
            self.notes((*outcome.quality, repeated_child(outcome.child)))
        else:
            self.notes(outcome.quality)

    def reject(self, error: RecordError) -> None:
        """A child that could not be read as a record (the service's lines): read, rejected."""
        self.account(Outcome(REJECT, error))
        self.last_rejection = error

    def report_repeats(self) -> None:
        """DATA002 for the repeats found only at the end (a stream past the in-memory limit of
        child ids: ``SeenIds``). Called when the input is exhausted."""
        self.notes(repeated_child(child) for child in self._seen.repeats())

    def notes(self, notes: Iterable[DataQualityFinding]) -> None:
        sink = self.on_quality or self.quality.append
        for note in notes:
            self.summary.quality[note.code] += 1
            sink(note)

    def _rejection(self, error: RecordError) -> None:
        (self.on_reject or self.rejects.append)(error)


# the name this class had before the pipeline was one (``timescales.Run``)
Run = Pipeline


def check_record(
    ruleset: RuleSet, record: ChildRecord, *, as_of: dt.date, location: Location | None = None
) -> ChildResult:
    """``ruleset.check``, with any arithmetic failure on impossible dates (e.g. a clock in year
    9999) turned into the same RecordError a run rejects a record with."""
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


def check(
    records: Iterable[ChildRecord], *, as_of: dt.date, ruleset: RuleSet | None = None
) -> list[Finding]:
    """Check in-memory records; returns every finding, in input order."""
    if ruleset is None:
        from .ruleset.pack import load_rules

        ruleset = load_rules()
    # no limit on events: the caller holds the records already
    run = Pipeline(ruleset, as_of, on_reject=_raise, max_events=sys.maxsize)
    return [
        finding
        for _, result in run.checked(Item(Location("<records>"), record=r) for r in records)
        for finding in result.findings
    ]


def _raise(error: RecordError) -> None:
    raise error
