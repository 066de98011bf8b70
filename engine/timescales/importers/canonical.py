"""Read canonical records from JSON (a list), JSON Lines (one child a line, streamed) and YAML."""

from __future__ import annotations

import datetime as dt
import functools
import mmap
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from ..contract import ImportContext, Item
from ..errors import InputError, Location, RecordError, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord, is_worker_data

QUALITY_CODES: dict[str, str] = {
    "DATA050": "canonical records: an optional field (dob, expected_dob, la, team, worker) holds "
    "a value that cannot be read; it is left out and the record is used",
}
# the record's own optional fields: one holding a value that cannot be read is unknown (issue
# 18's one policy); the child id, events and everything that decides a finding stay strict
OPTIONAL_FIELDS = frozenset({"dob", "expected_dob", "la", "team", "worker"})

MAX_LINE_BYTES = 16 * 1024 * 1024  # one child's record; larger lines are rejected unread
# a JSON or YAML document is parsed whole: larger ones are refused (JSON Lines is streamed)
MAX_DOCUMENT_BYTES = {"json": 256 * 1024 * 1024, "yaml": 32 * 1024 * 1024}


def bounded_lines(fh: Any, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """Each line of a binary stream with its size in bytes. A line longer than ``limit`` is
    read past in chunks, never held whole, and given as None: memory stays bounded however
    long a line (or a file with no line ends at all) is."""
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        size = len(raw)
        if size <= limit:
            yield raw, size
            continue
        while not raw.endswith(b"\n"):
            raw = fh.readline(1 << 20)
            if not raw:
                break
            size += len(raw)
        yield None, size


def too_large(where: Location, limit: int) -> RecordError:
    return RecordError(
        f"record larger than {_size(limit)} (see --max-record-bytes); not read",
        where,
        code="E303",
    )


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} bytes"


def problems(exc: ValidationError) -> list[tuple[str, str, str, str | None]]:
    """(pointer, message, code, value class) of each problem; never the input values."""
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        where = "/" + "/".join(loc) if loc else "/"
        msg = err["msg"].removeprefix("Value error, ")
        kind = err["type"]
        found: str | None = value_class(err.get("input"))
        if kind == "extra_forbidden":
            msg, code, found = f"unknown key {loc[-1]!r}", "E306", None
        elif kind == "missing":
            msg, code, found = "required key is missing", "E305", None
        elif msg.startswith("unknown event type"):
            code = "E308"
        elif msg.startswith("unknown attribute"):
            code = "E306"
        else:
            code = "E307"
        out.append((where, msg, code, found))
    return out


def validation_message(exc: ValidationError) -> tuple[str, str | None]:
    """A short message and the JSON pointer of the first problem; never echoes input values."""
    return _summary(problems(exc))


def _summary(found: list[tuple[str, str, str, str | None]]) -> tuple[str, str | None]:
    parts = [f"{where}: {msg}" for where, msg, _, _ in found]
    pointer = found[0][0] if found else None
    more = f" (+{len(parts) - 5} more)" if len(parts) > 5 else ""
    return "; ".join(parts[:5]) + more, pointer


def validation_error(
    exc: ValidationError, location: Location, message: str | None = None
) -> RecordError:
    """The RecordError for a record that failed validation: located at the first problem's
    JSON pointer, with its field, code and value class. ``message`` replaces the text."""
    found = problems(exc)
    text, pointer = _summary(found)
    where = Location(location.source, location.line, (location.pointer or "") + (pointer or ""))
    field = pointer.rsplit("/", 1)[-1] if pointer else None
    code, kind = (found[0][2], found[0][3]) if found else ("E300", None)
    return RecordError(message or text, where, field, code=code, value_class=kind)


# a worker record met among child records (and a child record among worker records)
WORKER_LINE = (
    "a worker record (it has 'worker' and no 'child') in a file of child records: worker "
    "records go in a file of their own (read as --input-format workers)"
)


def kind_mixed(location: Location, message: str = WORKER_LINE) -> RecordError:
    """The rejection of a record of the other kind (a worker among children, or the reverse)."""
    return RecordError(message, location, code="E314")


def to_record(data: Any, location: Location, context: Mapping[str, Any] | None = None) -> Item:
    if not isinstance(data, dict):
        error = RecordError(
            "a record must be a JSON object", location, code="E302", value_class=value_class(data)
        )
        return Item(location, error=error)
    if is_worker_data(data):
        return Item(location, error=kind_mixed(location))
    try:
        return Item(location, record=ChildRecord.model_validate(data, context=context))
    except ValidationError as exc:
        error = validation_error(exc, location)
        unreadable = _unreadable_optional(exc)
        if unreadable and isinstance(data.get("child"), str):
            kept = {k: v for k, v in data.items() if k not in unreadable}
            try:
                record = ChildRecord.model_validate(kept, context=context)
            except ValidationError:
                return Item(error.location or location, error=error)
            notes = tuple(
                DataQualityFinding(
                    "DATA050",
                    record.child,
                    f"{name}: {reason}; the value cannot be read, so it is left out (the record "
                    "is used)",
                    source=str(
                        Location(location.source, location.line, f"{location.pointer or ''}/{name}")
                    ),
                )
                for name, reason in sorted(unreadable.items())
            )
            return Item(location, record=record, quality=notes)
        return Item(error.location or location, error=error)


def _unreadable_optional(exc: ValidationError) -> dict[str, str]:
    """The optional top-level fields whose values cannot be read, when they are all the record's
    problems (an unknown key, a missing child or a bad event still reject the record)."""
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if len(loc) != 1 or loc[0] not in OPTIONAL_FIELDS or err["type"] == "missing":
            return {}
        out[str(loc[0])] = err["msg"].removeprefix("Value error, ")
    return out


STDIN = "-"  # the path that means standard input (JSON Lines, streamed)


def read_jsonl(
    path: Path, context: Mapping[str, Any] | None = None, max_bytes: int = MAX_LINE_BYTES
) -> Iterator[Item]:
    """JSON Lines, one child a line, read as a stream: memory does not grow with the file.
    The path ``-`` reads standard input (reported as ``<stdin>``)."""
    if str(path) == STDIN:
        source = "<stdin>"
        fh: Any = _StdinLines()
    else:
        source = str(path)
        try:
            fh = _open_lines(path)
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(source), code="E401"
            ) from None
    with fh:
        for where, data, error in decoded_lines(fh, source, max_bytes):
            yield Item(where, error=error) if error else to_record(data, where, context)


def decoded_lines(
    fh: Any, source: str, max_bytes: int
) -> Iterator[tuple[Location, Any, RecordError | None]]:
    """Each non-blank line of a JSON Lines file, decoded: (where, the value, None), or (where,
    None, the error) for a line too long or not JSON. A first line's BOM is dropped."""
    for number, (line, _) in enumerate(bounded_lines(fh, max_bytes), start=1):
        where = Location(source, number)
        if line is None:
            yield where, None, too_large(where, max_bytes)
            continue
        raw = line[3:] if number == 1 and line.startswith(b"\xef\xbb\xbf") else line
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            reason = str(exc).split(":", 1)[0]
            yield where, None, RecordError(f"not valid JSON ({reason})", where, code="E301")
            continue
        yield where, data, None


def _document(path: Path, kind: str) -> bytes:
    """A whole JSON or YAML document's bytes, refused beyond its size limit."""
    limit = MAX_DOCUMENT_BYTES[kind]
    if path.stat().st_size > limit:
        raise InputError(
            f"a {kind.upper()} document larger than {_size(limit)} is not read whole: give the "
            "records as JSON Lines (one child a line), which is streamed",
            Location(str(path)),
            code="E403",
        )
    return path.read_bytes()


def parse_document(path: Path, kind: str) -> Any:
    """A whole JSON (``kind`` "json") or YAML ("yaml") document, parsed; an InputError naming
    the file (and the line, for YAML) when it cannot be read. YAML dates stay text, as JSON's
    are (the models read them)."""
    source = str(path)
    import yaml  # only when a document is read (a check's start imports no PyYAML)

    try:
        raw = _utf8(_document(path, kind))
        if kind == "json":
            return orjson.loads(raw)
        loader = _case_loader()(raw.decode("utf-8"))
        try:  # a self-referencing alias recurses here
            return _dates_to_text(loader.get_single_data())
        finally:
            loader.dispose()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location(source), code="E401") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", Location(source), code="E404") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError("not valid YAML", Location(source, line), code="E404") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start})", Location(source), code="E405"
        ) from None
    except RecursionError:
        raise InputError(
            "nested too deeply (or refers to itself)", Location(source), code="E403"
        ) from None


def read_json(path: Path, context: Mapping[str, Any] | None = None) -> Iterator[Item]:
    yield from _items(parse_document(path, "json"), str(path), context)


def read_yaml(path: Path, context: Mapping[str, Any] | None = None) -> Iterator[Item]:
    yield from _items(parse_document(path, "yaml"), str(path), context)


@functools.cache
def _case_loader() -> Any:
    """``yaml.SafeLoader`` that leaves dates as text: the record schema checks each one, so an
    impossible date (2023-02-30) rejects its own record, at its place, not the whole file.
    (Made when a YAML input is first read: PyYAML is not imported for other inputs.)"""
    import yaml

    class _CaseLoader(yaml.SafeLoader):
        pass

    def _date_as_text(loader: _CaseLoader, node: yaml.Node) -> Any:
        assert isinstance(node, yaml.ScalarNode)
        return loader.construct_scalar(node)

    _CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)
    return _CaseLoader


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _utf8(raw: bytes) -> bytes:
    """UTF-8 bytes from UTF-8 (with or without BOM) or UTF-16 with a BOM (Excel's "Unicode
    text"); anything else is left for the parser to reject with its position."""
    if raw.startswith(UTF16_BOMS):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw.removeprefix(b"\xef\xbb\xbf")


def _open_lines(path: Path) -> Any:
    """An iterator of byte lines: UTF-16 files (with a BOM) are re-encoded as UTF-8."""
    fh = path.open("rb")
    if fh.read(2) in UTF16_BOMS:
        fh.close()
        text = path.open(encoding="utf-16", errors="replace", newline=None)
        return _Reencoded(text)
    fh.seek(0)
    return fh


class _StdinLines:
    """Standard input as byte lines (not closed afterwards: it is not ours)."""

    def __enter__(self) -> _StdinLines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def readline(self, size: int = -1) -> bytes:
        import sys

        return sys.stdin.buffer.readline(size)


class _Reencoded:
    def __init__(self, text: Any) -> None:
        self.text = text

    def __enter__(self) -> _Reencoded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.text.close()

    def readline(self, size: int = -1) -> bytes:
        # whole lines (UTF-16 input is rare and re-encoded line by line)
        line: str = self.text.readline()
        return line.encode("utf-8")


def _items(data: Any, source: str, context: Mapping[str, Any] | None) -> Iterator[Item]:
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            "expected a list of records (or one record)", Location(source), code="E406"
        )
    for index, item in enumerate(data):
        yield to_record(item, Location(source, None, f"/{index}"), context)


def _dates_to_text(data: Any) -> Any:
    """YAML turns 2021-03-02 into a date; the record schema takes ISO text or dates alike,
    but a YAML timestamp with a time is not a date and must fail the same way as in JSON."""
    if isinstance(data, dict):
        return {k: _dates_to_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates_to_text(v) for v in data]
    if isinstance(data, dt.datetime):
        return data.isoformat()
    return data


def types_named_in(path: Path, types: Iterable[str]) -> set[str]:
    """Which of these event types a canonical file may hold: a type whose name appears nowhere in
    its text cannot be the type of any of its events. Conservative: a file whose text could
    spell a name some other way (a backslash: JSON's or YAML's escapes; UTF-16 or UTF-32, whose
    bytes are not the name's) may hold every one of them."""
    types = set(types)
    with path.open("rb") as fh:
        head = fh.read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            return types
        if fh.seek(0, os.SEEK_END) == 0:
            return set()
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as text:
            if text.find(b"\\") != -1:
                return types
            return {t for t in types if text.find(t.encode()) != -1}


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with path.open("rb") as fh:
        return fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")


class _Canonical:
    """The canonical formats, as importers: they can carry any event type."""

    supplies: frozenset[str] | None = None

    def __init__(self, name: str, suffixes: tuple[str, ...], first: bytes | None) -> None:
        self.name = name
        self.suffixes = suffixes
        self.first = first

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return False
        if path.suffix.lower() in self.suffixes:
            return True
        if path.suffix.lower() in (".csv", ".xml", ".xlsx", ".xls", ".tsv"):
            return False
        return self.first is not None and _head(path).startswith(self.first)

    def may_hold(self, path: Path, types: Iterable[str]) -> set[str]:
        """Which of ``types`` this input may hold (``types_named_in``; standard input: all)."""
        if str(path) == "-" or not path.is_file():
            return set(types)
        return types_named_in(path, types)

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        if self.name == "jsonl":
            return read_jsonl(path, context.validation_context(), context.max_record_bytes)
        readers = {"json": read_json, "yaml": read_yaml}
        return readers[self.name](path, context.validation_context())


JSONL = _Canonical("jsonl", (".jsonl", ".ndjson"), b"{")
JSON = _Canonical("json", (".json",), b"[")
YAML = _Canonical("yaml", (".yaml", ".yml"), None)
