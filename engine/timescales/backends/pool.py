"""Worker processes that check children apart from the parent (``--jobs N``, the durable backend).

Each worker is a forked process that inherits the parent's compiled rule set; the durable
backend creates its durable-rules rulesets inside the worker (durable-rules keeps its state
module-global and is not thread-safe, so it is never shared). The parent hands out tasks:

- ``RangeTask``: a byte range of a JSON Lines file, aligned to line starts; the worker reads and
  validates its own lines (the parent never parses them);
- ``ItemsTask``: a batch of items the parent already read (other input formats).

and takes back, per task and in input order, one ``Outcome`` per item plus the findings (as
text for ``jsonl``/``csv``, written by the worker; as objects otherwise). Tasks are consumed in
order, so output is identical to a one-process run whatever N is; at most two tasks per worker
are in flight, so memory stays flat.

A worker that dies (a segfault in durable-rules' C code, the OOM killer) costs only the child
it was checking: its task is resumed from the last acknowledged item in a fresh worker that
acknowledges item by item, and the record it dies on again is rejected with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import multiprocessing
import os
import signal
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import Location, RecordError
from ..findings import DataQualityFinding, Finding
from ..guard import REJECT, Outcome, checked, not_json, screen, too_many_events
from ..importers import Item
from ..importers.canonical import MAX_LINE_BYTES, bounded_lines, to_record, too_large
from ..reporters import write_findings
from ..ruleset.ruleset import ChildResult, RuleSet, partial_count
from . import evaluator, fastpath

BATCH = 256  # items per message from a worker in normal mode
HERE_BATCH = 32  # items per batch in the calling process (no message to pay for: less memory)
MAX_REPLACED = 1000  # dead workers replaced before a run gives up
TEXT_FORMATS = ("jsonl", "csv")


@dataclass(frozen=True, slots=True)
class RangeTask:
    """Lines of ``path`` from byte ``start`` (a line start) up to ``end``; ``line`` is the line
    number at ``start`` (1-based, as the one-process reader counts them)."""

    path: str
    start: int
    end: int
    line: int


@dataclass(frozen=True, slots=True)
class ItemsTask:
    items: tuple[Item, ...]
    start: int = 0  # resume from this index


Task = RangeTask | ItemsTask


@dataclass(frozen=True, slots=True)
class FastItem:
    """A line the fast validated path accepted (backends.fastpath)."""

    location: Location
    record: fastpath.FastRecord


@dataclass(slots=True)
class Batch:
    """Consecutive outcomes of one task, with their findings (text or objects) and counts."""

    outcomes: list[Outcome] = field(default_factory=list)
    text: str = ""
    # or, when the worker spilled its text to a file: (path, first byte, end byte)
    spill: tuple[str, int, int] | None = None
    findings: list[Finding] = field(default_factory=list)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Setup:
    """What every worker needs; inherited through fork, never pickled."""

    ruleset: RuleSet
    as_of: dt.date
    engine: str = "python"
    text_format: str | None = None  # "jsonl"/"csv": workers write findings as text
    spill_dir: str | None = None  # where workers write that text (else it goes by pipe)
    context: Mapping[str, Any] | None = None  # pydantic validation context (event types)
    max_events: int = 100_000  # a child with more is rejected unread (as the pipeline does)
    # the setting named in that rejection, as the pipeline names it (None: not named)
    max_events_option: str | None = "--max-events"
    max_record_bytes: int = MAX_LINE_BYTES  # a longer JSON Lines line is rejected unread
    fast: bool = True  # the fast validated path for JSON Lines (Python engine, with msgspec)


def split_jsonl(path: Path, chunk_bytes: int) -> Iterator[RangeTask]:
    """Byte ranges of about ``chunk_bytes`` each, ending at line ends, with their first line
    numbers (one sequential pass; only newlines are counted)."""
    size = path.stat().st_size
    start, line = 0, 1
    with path.open("rb") as fh:
        while start < size:
            end = start + max(chunk_bytes, 1)
            if end >= size:
                end = size
            else:
                fh.seek(end - 1)
                if fh.read(1) != b"\n":
                    end += len(fh.readline())
            fh.seek(start)
            lines = 0
            left = end - start
            while left > 0:
                block = fh.read(min(left, 1 << 20))
                if not block:
                    break
                lines += block.count(b"\n")
                left -= len(block)
            yield RangeTask(str(path), start, end, line)
            start, line = end, line + lines


def read_range(
    task: RangeTask,
    context: Mapping[str, Any] | None,
    fast: bool = False,
    max_bytes: int = MAX_LINE_BYTES,
) -> Iterator[tuple[Item | FastItem, tuple[int, int]]]:
    """The items of a byte range, each with where to resume after it: (offset, line).
    Mirrors ``importers.canonical.read_jsonl`` line for line (same errors, same locations);
    with ``fast``, lines the fast validated path accepts come as FastItems."""
    types = context.get("event_types") if context else None
    offset, number = task.start, task.line
    with open(task.path, "rb") as fh:
        fh.seek(offset)
        lines = bounded_lines(fh, max_bytes)
        while offset < task.end:
            line, size = next(lines, (b"", 0))
            if not size:
                break
            offset += size
            this, number = number, number + 1
            where = Location(task.path, this)
            if line is None:
                yield Item(where, error=too_large(where, max_bytes)), (offset, number)
                continue
            raw = line[3:] if this == 1 and line.startswith(b"\xef\xbb\xbf") else line
            if not raw.strip():
                continue
            if fast:
                record = fastpath.decode(raw, types)
                if record is not None:
                    yield FastItem(where, record), (offset, number)
                    continue
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                yield Item(where, error=not_json(exc, where)), (offset, number)
                continue
            yield to_record(data, where, context), (offset, number)


def _first_location(task: Task) -> Location | None:
    """Where the next item of a task is (the record a worker died on)."""
    if isinstance(task, ItemsTask):
        return task.items[task.start].location if task.start < len(task.items) else None
    for item, _ in read_range(task, None):
        return item.location
    return None


def _skip_first(task: Task) -> Task:
    if isinstance(task, ItemsTask):
        return ItemsTask(task.items, task.start + 1)
    for _, (offset, line) in read_range(task, None):
        return RangeTask(task.path, offset, task.end, line)
    return RangeTask(task.path, task.end, task.end, task.line)


class _Checker:
    """The worker side: evaluates items, formats findings, sends batches."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.spill: str | None = None
        self.spilled = 0
        self.evaluate = evaluator(setup.engine, setup.ruleset)
        self.fast = setup.fast and setup.engine == "python" and fastpath.available()

    def outcome(self, item: Item | FastItem, batch: Batch) -> Outcome:
        if isinstance(item, FastItem):
            return self.fast_outcome(item, batch)
        early = screen(item, self.setup.max_events, self.setup.max_events_option)
        if early is not None or item.record is None:
            assert early is not None
            return early
        try:
            result = self.evaluate(item.record, self.setup.as_of, item.location)
        except RecordError as exc:
            return Outcome(REJECT, exc)
        except Exception as exc:
            if self.setup.engine == "python":
                raise
            # the durable backend: this child is rejected with the kind of failure (never the
            # record's contents); the run goes on
            error = RecordError(
                f"internal error in the {self.setup.engine} engine ({type(exc).__name__}); the "
                "child could not be checked: please report it",
                item.location,
                code="E399",
            )
            return Outcome(REJECT, error)
        return self.checked(result, item.quality, batch)

    def fast_outcome(self, item: FastItem, batch: Batch) -> Outcome:
        record = item.record
        if len(record.events) > self.setup.max_events:
            limit, option = self.setup.max_events, self.setup.max_events_option
            return Outcome(REJECT, too_many_events(limit, item.location, option))
        try:
            result = fastpath.check(self.setup.ruleset, record, self.setup.as_of, item.location)
        except RecordError as exc:
            return Outcome(REJECT, exc)
        return self.checked(result, (), batch)

    def checked(
        self, result: ChildResult, imported: tuple[DataQualityFinding, ...], batch: Batch
    ) -> Outcome:
        for finding in result.findings:
            batch.by_rule[(finding.rule, finding.status.value)] += 1
        batch.findings.extend(result.findings)  # formatted as text when the batch is sent
        return checked(result, imported, partial_count(result.findings))

    def run(
        self, task: Task, careful: bool, task_id: int = 0, size: int = BATCH
    ) -> Iterator[tuple[Batch, Any]]:
        """Batches of ``size`` items (1 when ``careful``) with the resume point after each."""
        self.spill = None
        if self.setup.spill_dir is not None and self.setup.text_format is not None:
            self.spill = os.path.join(self.setup.spill_dir, f"{task_id}-{os.getpid()}.part")
            self.spilled = 0
        size = 1 if careful else size
        batch = Batch()
        resume: Any = None
        if isinstance(task, ItemsTask):
            pairs: Iterable[tuple[Item | FastItem, Any]] = (
                (item, index + 1)
                for index, item in enumerate(task.items[task.start :], start=task.start)
            )
        else:
            pairs = read_range(task, self.setup.context, self.fast, self.setup.max_record_bytes)
        for item, resume in pairs:
            batch.outcomes.append(self.outcome(item, batch))
            if len(batch.outcomes) >= size:
                yield self.finish(batch), resume
                batch = Batch()
        if batch.outcomes:
            yield self.finish(batch), resume

    def finish(self, batch: Batch) -> Batch:
        fmt = self.setup.text_format
        if fmt is not None:
            buffer = io.StringIO()
            write_findings(batch.findings, fmt, buffer)
            text = buffer.getvalue()
            if fmt == "csv":
                text = text.split("\n", 1)[1] if "\n" in text else ""
            batch.findings = []
            if self.spill is None:
                batch.text = text
            else:
                data = text.encode("utf-8")
                with open(self.spill, "ab") as fh:
                    fh.write(data)
                batch.spill = (self.spill, self.spilled, self.spilled + len(data))
                self.spilled += len(data)
        return batch


def run_here(setup: Setup, tasks: Iterable[Task]) -> Iterator[Batch]:
    """``Pool.run`` in the calling process: every task's batches, in task order, read and
    checked exactly as a worker reads and checks them (``check --jobs 1`` on JSON Lines
    files). Nothing is spilled: each batch carries its text."""
    checker = _Checker(dataclasses.replace(setup, spill_dir=None))
    for number, task in enumerate(tasks):
        for batch, _ in checker.run(task, careful=False, task_id=number, size=HERE_BATCH):
            yield batch


def _worker(conn: Connection, setup: Setup) -> None:
    # the parent handles Ctrl-C; a worker just stops when its pipe closes
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        checker = _Checker(setup)
    except Exception:
        conn.send(("error", -1, traceback.format_exc(), None))
        return
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        task_id, task, careful = message
        try:
            for batch, resume in checker.run(task, careful, task_id):
                conn.send(("batch", task_id, batch, resume))
        except Exception:
            conn.send(("error", task_id, traceback.format_exc(), None))
            return
        conn.send(("done", task_id, None, None))


class WorkerError(RuntimeError):
    """An unexpected error inside a worker (a bug): the run stops, as it would in one process."""


@dataclass(slots=True)
class _Slot:
    process: Any
    conn: Connection
    tasks: list[int] = field(default_factory=list)  # task ids in flight, in order


@dataclass(slots=True)
class _TaskState:
    task: Task
    batches: list[Batch] = field(default_factory=list)
    resume: Any = None  # after the last acknowledged item
    done: bool = False
    careful: bool = False


class Pool:
    """N forked workers; ``run(tasks)`` yields every task's batches in task order."""

    def __init__(self, setup: Setup, jobs: int) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            raise RuntimeError("worker processes need the 'fork' start method (Linux, macOS)")
        self.setup = setup
        self.jobs = max(1, jobs)
        self.ctx = multiprocessing.get_context("fork")
        self.slots: list[_Slot] = []
        self.crashes: list[str] = []
        self.replaced = 0

    def __enter__(self) -> Pool:
        self.slots = [self._start() for _ in range(self.jobs)]
        return self

    def __exit__(self, *exc: object) -> None:
        for slot in self.slots:
            with contextlib.suppress(OSError, BrokenPipeError):
                slot.conn.send(None)
        for slot in self.slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()

    def _start(self) -> _Slot:
        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=_worker, args=(child, self.setup), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def run(self, tasks: Iterable[Task]) -> Iterator[Batch]:
        source = iter(tasks)
        states: dict[int, _TaskState] = {}
        next_id = 0  # next task id to read from the source
        emit = 0  # next task id to yield
        exhausted = False
        retry: list[int] = []  # tasks to (re)assign first

        def assign(slot: _Slot) -> bool:
            nonlocal next_id, exhausted
            if retry:
                task_id = retry.pop(0)
            elif exhausted:
                return False
            else:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    return False
                task_id = next_id
                next_id += 1
                states[task_id] = _TaskState(task)
            state = states[task_id]
            task = _resumed(state)
            try:
                slot.conn.send((task_id, task, state.careful))
            except OSError:
                # the worker died since its last message: the task waits for another worker;
                # a worker with tasks in flight is replaced when its end of the pipe is read
                retry.insert(0, task_id)
                if not slot.tasks:
                    self._replace(slot)
                return False
            slot.tasks.append(task_id)
            return True

        while True:
            # yield what is ready, in order
            while emit in states:
                state = states[emit]
                while state.batches:
                    yield state.batches.pop(0)
                if not state.done:
                    break
                del states[emit]
                emit += 1
            # keep two tasks in flight per worker, and at most 4 per worker not yet yielded
            for slot in self.slots:
                while len(slot.tasks) < 2 and (retry or next_id - emit < 4 * self.jobs):
                    if not assign(slot):
                        break
            busy = [s for s in self.slots if s.tasks]
            if not busy:
                if exhausted and not states and not retry:
                    return
                raise WorkerError("no worker could take the remaining tasks")
            ready = wait([s.conn for s in busy])
            for slot in busy:
                if slot.conn not in ready:
                    continue
                try:
                    kind, task_id, payload, resume = slot.conn.recv()
                except (EOFError, ConnectionResetError, OSError):
                    self._crashed(slot, states, retry)
                    continue
                if kind == "error":
                    raise WorkerError(f"a worker failed:\n{payload}")
                state = states[task_id]
                if kind == "batch":
                    state.batches.append(payload)
                    state.resume = resume
                else:
                    state.done = True
                    slot.tasks.remove(task_id)

    def _crashed(self, slot: _Slot, states: dict[int, _TaskState], retry: list[int]) -> None:
        """The worker died: the task it was on resumes carefully (item by item); if it was
        careful already, the record right after the last acknowledged one is rejected."""
        slot.process.join(timeout=5)
        code = slot.process.exitcode
        reason = _exit_reason(code)
        self.crashes.append(reason)
        slot.conn.close()
        current, *queued = slot.tasks
        state = states[current]
        if state.careful:
            task = _resumed(state)
            where = _first_location(task)
            error = RecordError(
                f"not checked: the {self.setup.engine} engine's worker process died on this "
                f"record ({reason}); the run went on without it",
                where,
                code="E399",
            )
            state.batches.append(Batch(outcomes=[Outcome("reject", error)]))
            state.task = _skip_first(task)
            state.resume = None
        state.careful = True
        retry[:0] = [current, *queued]
        self._replace(slot)

    def _replace(self, slot: _Slot) -> None:
        """A fresh worker in a dead one's slot (the run stops if workers keep dying)."""
        self.replaced += 1
        if self.replaced > MAX_REPLACED:
            raise WorkerError(f"worker processes died {self.replaced} times; giving up")
        with contextlib.suppress(OSError):
            slot.conn.close()
        slot.process.join(timeout=5)
        new = self._start()
        slot.process, slot.conn, slot.tasks = new.process, new.conn, []


def _resumed(state: _TaskState) -> Task:
    task, resume = state.task, state.resume
    if resume is None:
        return task
    if isinstance(task, ItemsTask):
        return ItemsTask(task.items, int(resume))
    offset, line = resume
    return RangeTask(task.path, offset, task.end, line)


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def copy_spilled(batch: Batch, out: IO[str]) -> None:
    """Write a batch's text to ``out``: from the worker's spill file, by the kernel where
    ``out`` is a real file or pipe (``os.sendfile``), else through Python."""
    if batch.spill is None:
        out.write(batch.text)
        return
    path, start, end = batch.spill
    with open(path, "rb") as src:
        fd = None
        with contextlib.suppress(AttributeError, OSError, io.UnsupportedOperation):
            fd = out.fileno()
        if fd is not None:
            out.flush()
            with contextlib.suppress(OSError):
                while start < end:
                    sent = os.sendfile(fd, src.fileno(), start, end - start)
                    if sent <= 0:
                        break
                    start += sent
        if start < end:
            src.seek(start)
            out.write(src.read(end - start).decode("utf-8"))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
