"""A council's own event types (a plugin's, e.g. ``lancashire.lac_assessment``) in canonical
files: an input whose text never names such a type cannot hold one of its events, so the rules
that need it are "not assessable" (said once, n/a), never overdue for every child; one event of
the type anywhere in the inputs makes the rule assessed as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from timescales.importers.canonical import types_named_in

AS_OF = "2024-03-31"
LAC = {"type": "became_looked_after", "date": "2022-01-10", "ref": "P1"}
ASSESSMENT = {"type": "lancashire.lac_assessment", "date": "2022-06-01", "ref": "P1"}


def _child(child: str, *events: dict[str, str]) -> dict[str, object]:
    return {"child": child, "dob": "2012-05-05", "events": list(events)}


def _write(path: Path, *children: dict[str, object], encoding: str = "utf-8") -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in children), encoding=encoding)
    return path


def _check(cli, *inputs: Path):  # type: ignore[no-untyped-def]
    res = cli("check", *map(str, inputs), "--la", "lancashire", "--as-of", AS_OF, "--format=jsonl")
    findings = [json.loads(line) for line in res.out.splitlines() if line.strip()]
    return res, [f for f in findings if f["rule"] == "LANC001"]


def test_a_file_that_never_names_the_councils_type_leaves_its_rule_not_assessable(
    cli, tmp_path: Path
) -> None:
    res, found = _check(cli, _write(tmp_path / "in.jsonl", _child("C1", LAC), _child("C2", LAC)))
    assert found == []
    assert "not assessable: LANC001: the input does not carry lancashire.lac_assessment" in res.err


def test_one_event_of_the_type_anywhere_makes_the_rule_assessed(cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", _child("C1", LAC), _child("C2", LAC, ASSESSMENT))
    res, found = _check(cli, path)
    said = [line for line in res.err.splitlines() if line.startswith("not assessable")]
    assert not [line for line in said if "LANC001" in line]
    assert {(f["child"], f["status"]) for f in found if f["anchor"] == "2022-01-10"} == {
        ("C1", "overdue"),
        ("C2", "met"),
    }


def test_the_type_in_another_input_counts(cli, tmp_path: Path) -> None:
    first = _write(tmp_path / "a.jsonl", _child("C1", LAC))
    second = _write(tmp_path / "b.jsonl", _child("C2", LAC, ASSESSMENT))
    _, found = _check(cli, first, second)
    assert ("C1", "overdue") in {(f["child"], f["status"]) for f in found}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_text_whose_bytes_are_not_the_names_is_read_as_holding_any_type(
    cli, tmp_path: Path, encoding: str
) -> None:
    path = _write(tmp_path / "in.jsonl", _child("C1", LAC), encoding=encoding)
    assert types_named_in(path, {"lancashire.lac_assessment"}) == {"lancashire.lac_assessment"}
    if encoding == "utf-16":  # the reader takes UTF-16 JSON Lines: the rule is assessed
        _, found = _check(cli, path)
        assert [f["status"] for f in found if f["anchor"] == "2022-01-10"] == ["overdue"]


def test_the_scan_is_conservative(tmp_path: Path) -> None:
    wanted = {"lancashire.lac_assessment", "lancashire.mash_contact"}
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert types_named_in(empty, wanted) == set()
    # a name anywhere counts, even outside an event's type
    named = tmp_path / "named.jsonl"
    named.write_text('{"child": "C1", "events": [], "note": "lancashire.mash_contact"}\n')
    assert types_named_in(named, wanted) == {"lancashire.mash_contact"}
    # an escape could spell a name otherwise: every type may be there
    escaped = tmp_path / "escaped.jsonl"
    escaped.write_text('{"child": "C1", "events": [{"type": "lancashire.lac\\u005fassessment"}]}\n')
    assert types_named_in(escaped, wanted) == wanted
