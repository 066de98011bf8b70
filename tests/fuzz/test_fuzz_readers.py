"""Fuzzing the readers: random bytes, and mutations (of the bytes, the text and the structure)
of valid canonical files in every canonical format; random input for every registered importer.
The only outcomes allowed: records, rejected records or rows (a RecordError naming the file), or
an InputError naming the file; never another exception. Each record read is also checked, and
the engine must not fail on it (an internal error would be reported as E399)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzz_kit import examples, structure_mutations, text_mutations, tolerating_known_bugs
from hypothesis import event, given
from hypothesis import strategies as st

from timescales import InputError, RecordError, load_rules
from timescales.importers import REGISTRY, ImportContext, get
from timescales.testing.strategies import child_records

RULES = load_rules()
AS_OF = dt.date(2024, 3, 31)
SUFFIX = {"jsonl": ".jsonl", "json": ".json", "yaml": ".yaml"}
OTHER_SUFFIXES = {
    "ssda903": ".csv",
    "cin-census": ".xml",
    "annex-a": ".xlsx",
    "workers": ".jsonl",
}


def read_all(path: Path, fmt: str) -> None:
    """Read ``path`` as ``fmt`` and check every record; allowed outcomes only."""
    source = str(path)
    with tolerating_known_bugs():
        try:
            for item in get(fmt).read(path, ImportContext(as_of=AS_OF)):
                if item.error is not None:
                    assert isinstance(item.error, RecordError), repr(item.error)
                    assert item.error.location is not None, repr(item.error)
                    assert item.error.location.source.startswith(source), repr(item.error)
                    event("rejected row" if item.row else "rejected record")
                    continue
                if item.worker is not None:  # a worker record (the workers format)
                    event("worker record")
                    continue
                assert item.record is not None, "an item is a record or an error"
                try:
                    RULES.check(item.record, as_of=AS_OF)
                    event("record checked")
                except RecordError as exc:
                    assert exc.code != "E399", f"the engine failed on an imported record: {exc}"
                    event("record rejected by the engine")
        except InputError as exc:
            assert exc.location is not None and exc.location.source.startswith(source), repr(exc)
            event("InputError")


def write(raw: bytes, suffix: str) -> Any:
    tmp = tempfile.TemporaryDirectory()
    path = Path(tmp.name) / f"input{suffix}"
    path.write_bytes(raw)
    return tmp, path


def serialise(data: Any, fmt: str) -> bytes:
    if fmt == "jsonl":
        lines = data if isinstance(data, list) else [data]
        return "".join(json.dumps(d, default=str) + "\n" for d in lines).encode()
    if fmt == "json":
        return json.dumps(data, default=str).encode()
    return yaml.safe_dump(data, allow_unicode=True).encode()


VALID = st.lists(child_records(), min_size=1, max_size=2).map(
    lambda records: [r.model_dump(mode="json", exclude_defaults=True) for r in records]
)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@examples(150)
@given(raw=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_random_bytes(fmt: str, raw: bytes) -> None:
    tmp, path = write(raw, SUFFIX[fmt])
    with tmp:
        read_all(path, fmt)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@examples(100)
@given(data=st.data())
def test_mutated_valid_files(fmt: str, data: st.DataObject) -> None:
    valid = data.draw(VALID, label="records")
    how = data.draw(st.sampled_from(["bytes", "text", "structure"]), label="mutation")
    if how == "structure":
        raw = serialise(data.draw(structure_mutations(valid), label="mutated"), fmt)
    else:
        text = serialise(valid, fmt).decode()
        if how == "text":
            raw = data.draw(text_mutations(text), label="mutated").encode("utf-8", "surrogatepass")
        else:
            blob = bytearray(text.encode())
            for _ in range(data.draw(st.integers(1, 4))):
                at = data.draw(st.integers(0, max(len(blob) - 1, 0)))
                blob[at : at + 1] = data.draw(st.binary(min_size=0, max_size=3))
            raw = bytes(blob)
    tmp, path = write(raw, SUFFIX[fmt])
    with tmp:
        read_all(path, fmt)


@pytest.mark.parametrize("fmt", sorted(set(REGISTRY) - set(SUFFIX)))
@examples(60)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_every_other_importer_on_random_input(fmt: str, raw: bytes) -> None:
    tmp, path = write(raw, OTHER_SUFFIXES.get(fmt, ".txt"))
    with tmp:
        read_all(path, fmt)


# -- reader bugs this fuzzing found, fixed: kept as regression tests --------------------------


def test_yaml_that_is_not_utf8_is_an_input_error() -> None:
    tmp, path = write(b"- child: \xff\n", ".yaml")
    with tmp, pytest.raises(InputError):
        list(get("yaml").read(path, ImportContext()))


@pytest.mark.parametrize("raw", [b"[" * 5000, b"&a [*a]", b"- child: C1\n  events: &e [*e]\n"])
def test_deep_or_recursive_yaml_is_an_input_error(raw: bytes) -> None:
    tmp, path = write(raw, ".yaml")
    with tmp:
        try:
            items = list(get("yaml").read(path, ImportContext()))
        except InputError:
            return
        assert all(item.error is not None for item in items)
