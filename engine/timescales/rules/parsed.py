"""What the strict YAML loader made of each rule file, kept in the user's cache by the file's
content: a pack whose files are unchanged is not parsed again.

Parsing YAML in Python is most of the cost of loading the national pack (some 50 files); the
data it gives is a function of the file's text, the loader (``rules.loader``) and PyYAML. So
each pack directory has one cache file (``usercache``) mapping the SHA-256 of each file's text
to the parsed data, stored under a key naming the loader's source and the installed PyYAML
(their place, size and modification time). Only data made of plain values is kept (mappings,
sequences, strings, integers, finite floats, booleans, null, dates), each tagged so that it
reads back as exactly what the loader gave; anything else is parsed every time. A YAML error is
never kept: the loader raises it as always. The parsed data is then validated as always, so
a rule's model, its errors and their lines are what they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from pathlib import Path
from typing import Any

from .. import usercache

__all__ = ["ParsedPack"]

FORMAT = 1
PREFIX = "yaml-"
KEEP = 32


class _NotPlain(Exception):
    """A value the cache does not keep (parsed every time instead)."""


def encode(value: Any) -> Any:
    """``value`` as JSON that ``decode`` gives back exactly (raises _NotPlain otherwise)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise _NotPlain
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotPlain
        return {"f": value}
    if isinstance(value, list):
        return {"l": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    if type(value) is dt.date:
        return {"t": value.isoformat()}
    raise _NotPlain


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise ValueError("an untagged list")
        return value
    ((tag, inner),) = value.items()
    if tag == "l":
        return [decode(v) for v in inner]
    if tag == "d":
        return {decode(k): decode(v) for k, v in inner}
    if tag == "t":
        return dt.date.fromisoformat(inner)
    if tag == "f":
        return float(inner)
    raise ValueError(f"unknown tag {tag!r}")


def _stat(path: str) -> list[Any]:
    st = os.stat(path)
    return [path, st.st_size, st.st_mtime_ns]


def _parser_key() -> list[Any] | None:
    """The loader's source and PyYAML's, found without importing PyYAML."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("yaml")
        if spec is None or spec.origin is None:
            return None
        loader = str(Path(__file__).with_name("loader.py"))
        return [FORMAT, _stat(loader), _stat(str(Path(__file__))), _stat(spec.origin)]
    except (ImportError, ValueError, OSError):
        return None


class ParsedPack:
    """The cached parses of one pack directory's files: ``get`` before parsing a file's text,
    ``put`` after, ``save`` when the directory has been read (written only if it changed)."""

    def __init__(self, directory: object) -> None:
        self._key = _parser_key()
        self._name = PREFIX + hashlib.sha256(str(directory).encode()).hexdigest()[:32] + ".json"
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        if self._key is None:
            return
        data = usercache.read(self._name)
        if isinstance(data, dict) and data.get("key") == self._key:
            docs = data.get("docs")
            if isinstance(docs, dict):
                self._old = docs

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, text: str) -> Any:
        """The data the loader made of ``text`` before, or None."""
        if self._key is None:
            return None
        digest = self.digest(text)
        stored = self._old.get(digest)
        if stored is None:
            return None
        try:
            data = decode(stored)
        except (ValueError, TypeError, AttributeError, RecursionError):
            return None
        self._new[digest] = stored
        return data

    def put(self, text: str, data: Any) -> None:
        if self._key is None:
            return
        try:
            self._new[self.digest(text)] = encode(data)
        except (_NotPlain, RecursionError):
            return

    def save(self) -> None:
        """Keep the parses of the files read this time (written only when they changed)."""
        if self._key is None or self._new == self._old:
            return
        if usercache.write(self._name, {"key": self._key, "docs": self._new}):
            usercache.prune(PREFIX, KEEP)
