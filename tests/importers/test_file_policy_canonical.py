"""One policy for what cannot be read (issue 18, decisions.md "Importers"), canonical records
(JSON Lines, JSON, YAML), in the same shape as the other importers' policy tests:

- a renamed required field (``child_id`` for ``child``): that record is rejected, naming its
  line (JSON Lines) or its place in the document, the missing key and the unknown one;
- an unknown key: the record is rejected (the canonical schema is closed);
- an unknown file among the inputs (a stray CSV): its format cannot be told, so it is one
  unreadable input, said once, and the other inputs are still checked (canonical formats have
  no directories or sheets to skip);
- an optional field with an unreadable value (``dob`` ``#N/A``): unknown, a note (DATA050),
  the record used.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from shared_checks import check_sample

from timescales.importers import ImportContext
from timescales.importers.canonical import JSON, JSONL, YAML

AS_OF = "2024-03-31"
EVENT = {"type": "referral", "date": "2024-01-02", "ref": "R1", "case": "K"}
RECORDS = [
    {"child": "K1", "events": [EVENT]},
    {"child_id": "K2", "events": [EVENT]},  # the required field renamed
    {"child": "K3", "colour": "blue", "events": [EVENT]},  # an unknown key
    {"child": "K4", "dob": "#N/A", "team": "North", "events": [EVENT]},  # an error value
]


def _write(tmp_path: Path, fmt: str) -> Path:
    if fmt == "jsonl":
        path = tmp_path / "children.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    elif fmt == "json":
        path = tmp_path / "children.json"
        path.write_text(json.dumps(RECORDS, indent=1), encoding="utf-8")
    else:
        path = tmp_path / "children.yaml"
        path.write_text(yaml.safe_dump(RECORDS), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json", "yaml"])
def test_the_policy_through_the_api(tmp_path: Path, fmt: str) -> None:
    importer = {"jsonl": JSONL, "json": JSON, "yaml": YAML}[fmt]
    items = list(importer.read(_write(tmp_path, fmt), ImportContext()))
    assert len(items) == 4  # one item per record: used or rejected
    used = {i.record.child: i for i in items if i.record is not None}
    assert sorted(used) == ["K1", "K4"]
    assert used["K4"].record.dob is None and used["K4"].record.team == "North"
    (note,) = used["K4"].quality
    assert note.code == "DATA050" and note.source.endswith("/dob") and "#N/A" not in note.message
    errors = [i.error for i in items if i.error is not None]
    assert [(e.code, e.field) for e in errors] == [("E305", "child"), ("E306", "colour")]
    assert "unknown key 'child_id'" in errors[0].message
    if fmt == "jsonl":
        assert [e.location.line for e in errors] == [2, 3]  # the line of each record
    else:
        assert errors[0].location.pointer.startswith("/1")  # its place in the document


def test_the_policy_through_the_cli(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "jsonl")
    stray = tmp_path / "lookup.csv"
    stray.write_text("code,label\nRC1,Adopted\n", encoding="utf-8")
    out = check_sample(cli, [path, stray], AS_OF, tmp_path)
    res = out["res"]
    assert re.search(r"children read 4, checked 2, rejected 2;.*inputs unreadable 1", res.err)
    assert "data-quality notes 1" in res.err
    rows = out["rejects"]
    assert sorted((r["code"], r["line"]) for r in rows) == [
        ("E305", "2"),
        ("E306", "3"),
        ("E402", ""),
    ]
    assert {f["child"] for f in out["findings"]} == {"K1", "K4"}
    (note,) = out["quality"]
    assert note["code"] == "DATA050"
