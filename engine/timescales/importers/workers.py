"""Read canonical worker records (issue 21): JSON Lines (one worker a line, streamed), a JSON
array, or a YAML list, as the canonical child formats are read.

Worker records live in files of their own: a file is a workers file when its first record is a
worker record (``records.is_worker_data``: it has ``worker`` and no ``child``), and under
``--input-format auto`` this importer claims it before the child formats do. A child record
inside a workers file is rejected (E314), as a worker record inside a child file is
(``canonical.to_record``), in one process and in the ``--jobs`` workers alike.

Each bad record is rejected at its place (file:line for JSON Lines, the element's JSON pointer
for a JSON or YAML document) with pydantic's problems worded as the child importer words them
(field, code, value class; never the value), as a rejected *row* of the workers input
(``Item.row``: a worker is no child, so the run's children are not miscounted). Each record is
counted in the file's ``SourceStats``: read = used + rejected. docs/importers/workers.md
documents the format.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from ..contract import ImportContext, Item, SourceStats
from ..errors import InputError, Location, RecordError, value_class
from ..records import WorkerRecord, is_worker_data
from .canonical import (
    MAX_LINE_BYTES,
    _open_lines,
    _utf8,
    decoded_lines,
    kind_mixed,
    parse_document,
    validation_error,
)

CHILD_LINE = (
    "a child record (it has 'child') in a file of worker records: worker records go in a file "
    "of their own (child records in another input)"
)
# how much of a file ``sniff`` reads to find its first record
SNIFF_BYTES = 1 << 20
SUFFIXES = (".jsonl", ".ndjson", ".json", ".yaml", ".yml")
NOT_OURS = (".csv", ".xml", ".xlsx", ".xls", ".tsv", ".txt")

__all__ = ["CHILD_LINE", "IMPORTER", "WorkersImporter", "first_record", "to_worker"]


def to_worker(data: Any, location: Location) -> Item:
    """One decoded record as a worker's Item, or its located rejection."""
    if not isinstance(data, dict):
        error = RecordError(
            "a record must be a JSON object", location, code="E302", value_class=value_class(data)
        )
        return Item(location, error=error)
    if "child" in data:
        return Item(location, error=kind_mixed(location, CHILD_LINE))
    try:
        return Item(location, worker=WorkerRecord.model_validate(data))
    except ValidationError as exc:
        error = validation_error(exc, location)
        return Item(error.location or location, error=error)


def read_jsonl(path: Path, stats: SourceStats, max_bytes: int = MAX_LINE_BYTES) -> Iterator[Item]:
    """Worker records one a line, streamed (UTF-8 with or without BOM, or UTF-16 with one)."""
    source = str(path)
    try:
        fh = _open_lines(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location(source), code="E401") from None
    with fh:
        for where, data, error in decoded_lines(fh, source, max_bytes):
            item = Item(where, error=error) if error else to_worker(data, where)
            yield _counted(stats, item)


def read_document(path: Path, kind: str, stats: SourceStats) -> Iterator[Item]:
    """A JSON array or YAML list of worker records (or a single record), parsed whole."""
    source = str(path)
    data = parse_document(path, kind)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            "expected a list of worker records (or one record)", Location(source), code="E406"
        )
    for index, entry in enumerate(data):
        yield _counted(stats, to_worker(entry, Location(source, None, f"/{index}")))


def _counted(stats: SourceStats, item: Item) -> Item:
    """Count one record of the file (read = used + rejected). A rejected worker record is a
    rejected row of the workers input (``Item.row``), never a rejected child."""
    stats.rows_read += 1
    if item.worker is not None:
        stats.rows_used += 1
        return item
    stats.rows_rejected += 1
    return dataclasses.replace(item, row=True)


def _kind(path: Path) -> str:
    """``jsonl``, ``json`` or ``yaml``: by the suffix, else by the first character."""
    suffix = path.suffix.lower()
    if suffix in (".json",):
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    head = _head(path, 64)
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl"
    return "yaml"


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        raw = fh.read(size)
    return _utf8(raw).lstrip(b" \t\r\n")


def first_record(path: Path) -> Any:
    """The first record of a JSON Lines, JSON or YAML file, read from at most its first MiB;
    None when it cannot be told from there (then the file is not sniffed as workers: give
    ``--input-format workers``)."""
    kind = _kind(path)
    head = _head(path, SNIFF_BYTES)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the limit
        text = head[: exc.start].decode("utf-8", errors="ignore")
    try:
        if kind == "jsonl":
            line = next((x for x in text.split("\n") if x.strip()), None)
            return None if line is None else orjson.loads(line)
        if kind == "json":
            body = text.lstrip()
            if body.startswith("["):
                body = body[1:].lstrip()
            value, _ = json.JSONDecoder().raw_decode(body)
            return value
        return _first_yaml_keys(text)
    except (ValueError, RecursionError):  # not JSON, or nested past any record's depth
        return None


def _first_yaml_keys(text: str) -> dict[str, None] | None:
    """The top-level keys of a YAML document's first mapping (the first list item, or the
    document itself), from the parser's events: nothing past that mapping is parsed."""
    import yaml

    events = yaml.parse(text, Loader=yaml.SafeLoader)
    try:
        event = next(events)
        while isinstance(event, yaml.StreamStartEvent | yaml.DocumentStartEvent):
            event = next(events)
        if isinstance(event, yaml.SequenceStartEvent):
            event = next(events)
        if not isinstance(event, yaml.MappingStartEvent):
            return None
        keys: dict[str, None] = {}
        while True:
            event = next(events)
            if isinstance(event, yaml.MappingEndEvent):
                return keys
            if isinstance(event, yaml.ScalarEvent):
                keys[str(event.value)] = None
            else:
                _skip(event, events)  # a complex key: no key of a record
            _skip(next(events), events)  # its value
    except (yaml.YAMLError, StopIteration, RecursionError):
        return None


def _skip(event: Any, events: Iterator[Any]) -> None:
    """Pass over one node whose first event is ``event``."""
    import yaml

    if not isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
        return
    depth = 1
    while depth:
        nxt = next(events)
        if isinstance(nxt, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
        elif isinstance(nxt, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


class WorkersImporter:
    """The ``workers`` input format: canonical worker records (JSON Lines, JSON or YAML)."""

    name = "workers"
    # no child events: the rules over children are fed by the other inputs
    supplies: frozenset[str] | None = frozenset()

    def sniff(self, path: Path) -> bool:
        """A file whose first record is a worker record."""
        if path.is_dir() or str(path) == "-":
            return False
        suffix = path.suffix.lower()
        if suffix in NOT_OURS:
            return False
        if suffix not in SUFFIXES and not _head(path, 64).startswith((b"{", b"[")):
            return False
        return is_worker_data(first_record(path))

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        path = Path(path)
        if not path.exists():
            raise InputError("no such file or directory", Location(str(path)), code="E101")
        if path.is_dir():
            raise InputError(
                "a workers input is a file of worker records (JSON Lines, JSON or YAML), not a "
                "directory",
                Location(str(path)),
                code="E406",
            )
        stats = context.source(str(path))
        kind = _kind(path)
        if kind == "jsonl":
            return read_jsonl(path, stats, context.max_record_bytes)
        return read_document(path, kind, stats)


IMPORTER = WorkersImporter()
