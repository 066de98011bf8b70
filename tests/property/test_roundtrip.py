"""Importing and re-exporting a canonical record is lossless: any record, written as JSON Lines,
JSON or YAML, comes back from ``timescales convert`` (and the canonical reader) unchanged, and
converting the output again changes nothing."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from hypothesis import given
from hypothesis import strategies as st
from property_kit import examples

from timescales import ChildRecord, load_rules
from timescales.cli import main
from timescales.importers.canonical import read_jsonl
from timescales.testing.strategies import child_records, dates, events

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)


@st.composite
def any_records(draw: st.DrawFn) -> ChildRecord:
    """Records with every field of the schema used, odd text included."""
    if draw(st.booleans()):
        record = draw(child_records())
    else:
        record = ChildRecord(child="C", events=draw(st.lists(events(), max_size=8)))
    optional = {
        "dob": st.one_of(st.none(), dates()),
        "expected_dob": st.one_of(st.none(), dates()),
        "la": st.one_of(st.none(), TEXT),
        "team": st.one_of(st.none(), TEXT),
        "worker": st.one_of(st.none(), TEXT),
        "partial_history": st.booleans(),
    }
    update = {key: draw(strategy) for key, strategy in optional.items() if draw(st.booleans())}
    update["child"] = draw(TEXT)
    return ChildRecord.model_validate({**record.model_dump(), **update})


def _write(records: list[ChildRecord], path: Path, fmt: str) -> None:
    data = [r.model_dump(mode="json") for r in records]
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(d) + "\n" for d in data), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        # escaped, not raw: PyYAML writes a raw NEL (U+0085) that YAML then reads as a line break
        path.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")


@functools.cache
def _no_rules() -> Any:
    return load_rules(rules=[])


def _convert(source: Path, target: Path) -> None:
    """``timescales convert SOURCE -o TARGET``, in-process; the (empty) rule set it loads is
    loaded once for the whole test, not once per example."""
    err = io.StringIO()
    with (
        contextlib.redirect_stderr(err),
        mock.patch("timescales.cli.load_rules", lambda **_: _no_rules()),
    ):
        code = main(["convert", str(source), "-o", str(target)])
    assert code == 0, err.getvalue()


@examples(60)
@given(
    records=st.lists(any_records(), min_size=1, max_size=4),
    fmt=st.sampled_from(["jsonl", "json", "yaml"]),
)
def test_convert_round_trip_is_lossless(records: list[ChildRecord], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"in.{fmt}"
        _write(records, source, fmt)
        once, twice = Path(tmp) / "once.jsonl", Path(tmp) / "twice.jsonl"
        _convert(source, once)
        back = [item.record for item in read_jsonl(once)]
        assert back == records
        _convert(once, twice)
        assert twice.read_bytes() == once.read_bytes()


@examples(100)
@given(record=any_records())
def test_canonical_json_is_lossless(record: ChildRecord) -> None:
    """The model's own JSON (what the service and reporters write) reads back the same."""
    assert ChildRecord.model_validate_json(record.model_dump_json()) == record
    assert ChildRecord.model_validate(record.model_dump(mode="json")) == record
