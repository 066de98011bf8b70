"""Importers: turn input files into a stream of canonical records, or located rejections.

Each importer yields ``Item``s: a record with where it came from, or a RecordError saying where
and why it was rejected. Nothing is dropped silently: read = checked + rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Location, RecordError
from ..records import ChildRecord

FORMATS = ("auto", "json", "jsonl", "yaml")


@dataclass(frozen=True, slots=True)
class Item:
    location: Location
    record: ChildRecord | None = None
    error: RecordError | None = None


def detect_format(path: Path) -> str:
    """By extension first, then by the first non-blank byte ('[' JSON, '{' JSON Lines)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location(str(path))) from None
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl"
    raise InputError(
        "cannot tell the input format; give --input-format (json, jsonl, yaml)",
        Location(str(path)),
    )


def read(path: Path, fmt: str = "auto") -> Iterator[Item]:
    from .canonical import read_json, read_jsonl, read_yaml

    if fmt == "auto":
        fmt = detect_format(path)
    readers = {"json": read_json, "jsonl": read_jsonl, "yaml": read_yaml}
    if fmt not in readers:
        raise InputError(f"unknown input format {fmt!r}", Location(str(path)))
    return readers[fmt](path)
