"""``--jobs N`` and ``--engine``: check children in worker processes, output as one process.

Children are independent, so a run partitions them: each JSON Lines input is cut into byte
ranges at line ends and each worker reads, validates and checks its own ranges (the parent never
parses those lines). Other formats are read by the parent (their importers join rows across a
file) and handed to the workers in batches of records. Ranges are taken back in input order, so
findings, rejects and data-quality notes come out exactly as with ``--jobs 1``; the summary
counts are merged, and a child id seen in two ranges is still reported (DATA002).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from .backends import require
from .backends.pool import (
    TEXT_FORMATS,
    Batch,
    ItemsTask,
    Pool,
    Setup,
    Task,
    copy_spilled,
    default_jobs,
    run_here,
    split_jsonl,
)
from .findings import Finding
from .importers import Importer
from .pipeline import Pipeline
from .records import ChildRecord
from .reporters import write_findings
from .ruleset.ruleset import RuleSet

ITEMS_PER_TASK = 2000
MIN_CHUNK = 256 * 1024
MAX_CHUNK = 8 * 1024 * 1024

Writer = Callable[[Iterable[Finding], IO[str]], object]


def _chunk_bytes(paths: list[Path], jobs: int) -> int:
    total = sum(p.stat().st_size for p in paths if p.is_file())
    return max(MIN_CHUNK, min(MAX_CHUNK, total // max(1, jobs * 8) + 1))


def _tasks(run: Pipeline, plan: list[tuple[Path, Importer]], jobs: int) -> Iterator[Task]:
    jsonl = [p for p, imp in plan if imp.name == "jsonl"]
    chunk = _chunk_bytes(jsonl, jobs)
    pending: list[tuple[Path, Importer]] = []

    def flush() -> Iterator[Task]:
        # read as the run reads them (several years' returns of one importer together)
        batch = []
        for item in run.read_plan(pending):
            if item.worker is not None and item.error is None:
                # worker records stay with the parent: the workforce rules judge them all at
                # the end, in one process (a council's staff are few)
                run.worker(item.worker)
                continue
            batch.append(item)
            if len(batch) >= ITEMS_PER_TASK:
                yield ItemsTask(tuple(batch))
                batch = []
        if batch:
            yield ItemsTask(tuple(batch))
        pending.clear()

    for path, importer in plan:
        if importer.name == "jsonl" and _splittable(path):
            yield from flush()
            yield from split_jsonl(path, chunk)
            continue
        pending.append((path, importer))
    yield from flush()


class Merger:
    """Replays the workers' outcomes into the parent's pipeline, in input order, through the
    same ``Pipeline.account`` as a run in one process."""

    def __init__(self, run: Pipeline) -> None:
        self.run = run

    def add(self, batch: Batch) -> None:
        for outcome in batch.outcomes:
            self.run.account(outcome)
        self.run.count_by_rule(batch.by_rule)


def in_process(jobs: int, engine: str) -> bool:
    """``--jobs 1`` with the Python engine checks in the calling process (``run_here``); the
    durable engine always runs in a worker (its C module keeps state per process)."""
    return jobs == 1 and engine == "python"


def batches(
    run: Pipeline,
    paths: Iterable[Path],
    input_format: str = "auto",
    extra: dict[str, Importer] | None = None,
    *,
    jobs: int = 1,
    engine: str = "python",
    text_format: str | None = None,
    spill_dir: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Check every input in ``jobs`` worker processes (``jobs`` 1 with the Python engine: in
    this process, read and checked as a worker would); yields batches in input order and
    accounts each into ``run`` (summary, rejects, data-quality notes) as it is yielded.
    ``progress`` is told how many items have been accounted so far."""
    require(engine)
    paths = [Path(p) for p in paths]
    if run.planned_for != paths:  # not planned yet (the CLI plans before this)
        run.items(paths, input_format, extra)  # settles the rule set (not-assessable rules)
    plan = run.planned
    setup = Setup(
        ruleset=run.ruleset,
        as_of=run.as_of,
        engine=engine,
        text_format=text_format,
        spill_dir=spill_dir,
        context=run.summary.context.validation_context(),
        max_events=run.max_events,
        max_events_option=run.max_events_option,
        max_record_bytes=run.summary.context.max_record_bytes,
    )
    merger = Merger(run)
    done = 0
    with contextlib.ExitStack() as stack:
        if in_process(jobs, engine):
            found = run_here(setup, _tasks(run, plan, jobs))
        else:
            found = stack.enter_context(Pool(setup, jobs)).run(_tasks(run, plan, jobs))
        for batch in found:
            merger.add(batch)
            done += len(batch.outcomes)
            if progress is not None:
                progress(done)
            yield batch
    run.report_repeats()


def by_range(plan: Iterable[tuple[Path, Importer]]) -> bool:
    """Every input is a JSON Lines file of UTF-8 lines, read by byte range as workers read it
    (standard input, other formats and UTF-16 files are read whole by the importers)."""
    plan = list(plan)
    return bool(plan) and all(
        importer.name == "jsonl" and str(path) != "-" and path.is_file() and _splittable(path)
        for path, importer in plan
    )


def check_and_write(
    run: Pipeline,
    paths: Iterable[Path],
    input_format: str,
    extra: dict[str, Importer] | None,
    out: IO[str],
    *,
    fmt: str,
    writer: Writer | None = None,
    colour: bool = False,
    jobs: int = 1,
    engine: str = "python",
    notice: IO[str] | None = None,
    hide: Callable[[str], str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """The CLI's ``check --jobs N --engine E`` (and ``--jobs 1`` on JSON Lines files, in this
    process): workers format ``jsonl``/``csv`` findings themselves; other formats get the
    findings back in order for the parent's writer. ``hide`` pseudonymises child ids in
    findings (the parent's ``on_quality`` does the notes)."""
    jobs = jobs if jobs > 0 else default_jobs()
    paths = [Path(p) for p in paths]
    if jobs > 1 and notice is not None:
        others = [str(p) for p in paths if p.is_file() and _is_other(p, input_format, extra)]
        if others:
            print(
                "notice: --jobs: " + ", ".join(others) + " are read by one process (only JSON "
                "Lines inputs are split by byte range); checking still uses every worker",
                file=notice,
            )
    if writer is None and fmt in TEXT_FORMATS and hide is None:
        if fmt == "csv":
            write_findings([], "csv", out)  # the header, once
        # workers spill their text to files; in this process (run_here) it stays in memory
        spilling = (
            contextlib.nullcontext(None)
            if in_process(jobs, engine)
            else tempfile.TemporaryDirectory(prefix="timescales-")
        )
        with spilling as spill:
            done: str | None = None
            for batch in batches(
                run,
                paths,
                input_format,
                extra,
                jobs=jobs,
                engine=engine,
                text_format=fmt,
                spill_dir=spill,
                progress=progress,
            ):
                copy_spilled(batch, out)
                # a spill file is read in order, once: drop it when the next one starts
                current = batch.spill[0] if batch.spill else None
                if current is None:
                    continue
                if done is not None and current != done:
                    os.unlink(done)
                done = current
        return
    found: Iterable[Finding] = (
        finding
        for batch in batches(
            run, paths, input_format, extra, jobs=jobs, engine=engine, progress=progress
        )
        for finding in batch.findings
    )
    if hide is not None:
        found = (dataclasses.replace(f, child=hide(f.child)) for f in found)
    if writer is not None:
        writer(found, out)
    else:
        write_findings(found, fmt, out, colour)


def _splittable(path: Path) -> bool:
    """A file of UTF-8 lines (UTF-16 JSON Lines, which the reader re-encodes, is read whole)."""
    with path.open("rb") as fh:
        return fh.read(2) not in (b"\xff\xfe", b"\xfe\xff")


def _is_other(path: Path, input_format: str, extra: dict[str, Importer] | None) -> bool:
    from .importers import resolve

    try:
        return resolve(path, input_format, extra).name != "jsonl" or not _splittable(path)
    except Exception:
        return False


def check_records(
    records: Iterable[ChildRecord],
    *,
    as_of: dt.date,
    ruleset: RuleSet | None = None,
    engine: str = "python",
    jobs: int = 1,
) -> list[Finding]:
    """In-memory records checked in worker processes (the durable engine is isolated there):
    every finding in input order. A record the engine crashes on raises RecordError here;
    a CLI run rejects it and goes on."""
    require(engine)
    if ruleset is None:
        from .ruleset.pack import load_rules

        ruleset = load_rules()
    from .errors import Location
    from .importers import Item

    items = tuple(
        Item(Location("<records>", None, f"/{i}"), record=r) for i, r in enumerate(records)
    )
    setup = Setup(ruleset=ruleset, as_of=as_of, engine=engine)
    out: list[Finding] = []
    tasks = [ItemsTask(items[i : i + ITEMS_PER_TASK]) for i in range(0, len(items), ITEMS_PER_TASK)]
    with Pool(setup, jobs) as pool:
        for batch in pool.run(tasks):
            for outcome in batch.outcomes:
                if outcome.kind == "reject" and outcome.error is not None:
                    raise outcome.error
            out.extend(batch.findings)
    return out
