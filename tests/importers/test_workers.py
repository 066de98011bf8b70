"""The ``workers`` importer (issue 21): canonical worker records in a file of their own, as
JSON Lines, a JSON array or a YAML list; sniffed by the first record; every bad record a
located row rejection; a worker line among children (and a child among workers) rejected with
one message in one process and in the ``--jobs`` workers; ``schema --workers``; ``convert
--workers``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, write_jsonl
from timescales.importers import ImportContext, Item, detect, get
from timescales.importers.canonical import WORKER_LINE
from timescales.importers.workers import CHILD_LINE
from timescales.records import WorkerRecord, worker_json_schema

W1: dict[str, Any] = {
    "worker": "W1",
    "role": "iro",
    "team": "Reviewing",
    "fte": 1.0,
    "started": "2023-04-03",
    "events": [
        {"type": "allocation", "date": "2024-01-08", "child": "C1", "end": "2024-06-30"},
        {"type": "supervision", "date": "2024-02-01", "attrs": {"kind": "formal"}},
    ],
}
W2: dict[str, Any] = {
    "worker": "W2",
    "role": "social_worker",
    "fte": 0.8,
    "asye": {"from": "2024-01-02"},
    "events": [
        {"type": "training", "date": "2024-03-01", "ref": "T1", "attrs": {"course": "s47"}},
        {"type": "training_evaluated", "date": "2024-06-03", "ref": "T1"},
    ],
}
CHILD: dict[str, Any] = {"child": "C1", "worker": "W2", "events": []}


def read(path: Path, fmt: str = "workers", **kw: Any) -> tuple[list[Item], ImportContext]:
    context = ImportContext(**kw)
    return list(get(fmt).read(path, context)), context


def workers(items: list[Item]) -> list[WorkerRecord]:
    return [i.worker for i in items if i.worker is not None]


def reconciles(context: ImportContext, read_: int, used: int) -> None:
    (stats,) = context.stats
    assert (stats.rows_read, stats.rows_used, stats.rows_rejected) == (read_, used, read_ - used)
    assert stats.reconciles()


# -- good files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jsonl", "json", "yaml", "json-one"])
def test_each_form_gives_the_same_worker_records(tmp_path: Path, kind: str) -> None:
    if kind == "jsonl":
        path = write_jsonl(tmp_path / "staff.jsonl", [W1, W2])
    elif kind == "json":
        path = tmp_path / "staff.json"
        path.write_text(json.dumps([W1, W2], indent=1))
    elif kind == "yaml":
        path = tmp_path / "staff.yaml"
        path.write_text(yaml.safe_dump([W1, W2], sort_keys=False))
    else:
        path = tmp_path / "one.json"
        path.write_text(json.dumps(W1))
    items, context = read(path)
    want = [WorkerRecord.model_validate(W1), WorkerRecord.model_validate(W2)]
    assert workers(items) == (want if kind != "json-one" else want[:1])
    assert not [i for i in items if i.error is not None or i.record is not None]
    reconciles(context, len(workers(items)), len(workers(items)))
    got = workers(items)[0]
    assert got.events[0].child == "C1" and got.events[0].end is not None


def test_yaml_dates_are_read_as_the_schema_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "staff.yml"
    path.write_text("- worker: W9\n  role: social_worker\n  started: 2024-02-30\n")
    items, context = read(path)
    (item,) = items
    assert item.error is not None and item.row and item.error.code == "E307"
    assert str(item.error.location) == f"{path} /0/started"
    reconciles(context, 1, 0)


# -- bad records -----------------------------------------------------------------------------------

BAD = [
    # (line, code, field, words in the message)
    ("not json", "E301", None, "not valid JSON"),
    ("[1, 2]", "E302", None, "must be a JSON object"),
    ({"worker": "W3"}, "E305", "role", "/role: required key is missing"),
    ({"worker": "W4", "role": "iro", "grade": 3}, "E306", "grade", "unknown key 'grade'"),
    ({"worker": "W5", "role": "iro", "fte": "SECRET-FTE"}, "E307", "fte", "/fte"),
    ({"worker": "W6", "role": "Head Of Service"}, "E307", "role", "/role"),
    (
        {"worker": "W7", "role": "iro", "events": [{"type": "supervision", "date": "2024-13-01"}]},
        "E307",
        "date",
        "/events/0/date: not a real calendar date",
    ),
    (
        {"worker": "W8", "role": "iro", "events": [{"type": "holiday", "date": "2024-01-01"}]},
        "E307",
        "type",
        "unknown worker event type 'holiday'",
    ),
    (
        {"worker": "W9", "role": "iro", "events": [{"type": "allocation", "date": "2024-01-01"}]},
        "E307",
        "0",  # the event's place (as the child importer names a field: the pointer's end)
        "/events/0: an allocation names the 'child' allocated",
    ),
    ({"worker": "W10", "role": "iro", "fte": 3}, "E307", "fte", "/fte"),
    (CHILD, "E314", None, CHILD_LINE),
]


@pytest.mark.parametrize(
    ("line", "code", "field", "words"), BAD, ids=[b[1] + str(n) for n, b in enumerate(BAD)]
)
def test_each_bad_line_is_a_located_row_rejection(
    tmp_path: Path, line: Any, code: str, field: str | None, words: str
) -> None:
    path = write_jsonl(tmp_path / "staff.jsonl", [W1, line, W2])
    items, context = read(path)
    assert [w.worker for w in workers(items)] == ["W1", "W2"]
    (bad,) = [i for i in items if i.error is not None]
    error = bad.error
    assert error is not None and bad.row  # a row of the workers input, not a child
    assert error.code == code, str(error)
    assert error.location is not None
    assert (error.location.source, error.location.line) == (str(path), 2)
    assert error.field == field
    assert words in str(error)
    assert "SECRET" not in str(error) and "Head Of Service" not in str(error)
    reconciles(context, 3, 2)


def test_a_record_larger_than_the_limit_is_rejected_unread(tmp_path: Path) -> None:
    big = dict(W2, events=[{"type": "supervision", "date": "2024-01-01"}] * 200)
    path = write_jsonl(tmp_path / "staff.jsonl", [W1, big])
    items, context = read(path, max_record_bytes=1024)
    (bad,) = [i for i in items if i.error is not None]
    assert bad.error is not None and bad.error.code == "E303" and bad.row
    reconciles(context, 2, 1)


def test_a_child_file_read_as_workers_rejects_every_child(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "children.jsonl", [CHILD, {"child": "C2"}])
    items, context = read(path)
    assert [i.error.code for i in items if i.error is not None] == ["E314", "E314"]
    reconciles(context, 2, 0)


def test_a_worker_line_among_children_is_rejected_by_the_child_importer(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "children.jsonl", [CHILD, W1])
    for fmt in ("jsonl", "json"):
        if fmt == "json":
            path = tmp_path / "children.json"
            path.write_text(json.dumps([CHILD, W1]))
        items, _ = read(path, fmt)
        assert [i.record.child for i in items if i.record is not None] == ["C1"]
        (bad,) = [i for i in items if i.error is not None]
        assert bad.error is not None and bad.error.code == "E314"
        assert str(bad.error).endswith(WORKER_LINE)
        assert "worker records go in a file of their own" in WORKER_LINE


# -- sniffing --------------------------------------------------------------------------------------


def test_auto_detects_a_workers_file_by_its_first_record(tmp_path: Path) -> None:
    jsonl = write_jsonl(tmp_path / "staff.jsonl", [W1, CHILD])
    json_ = tmp_path / "staff.json"
    json_.write_text(json.dumps([W1, W2]))
    yml = tmp_path / "staff.yaml"
    yml.write_text(yaml.safe_dump([W1], sort_keys=False))
    bare = write_jsonl(tmp_path / "staff", [W2])
    for path in (jsonl, json_, yml, bare):
        assert detect(path).name == "workers", path
    children = write_jsonl(tmp_path / "children.jsonl", [CHILD, W1])
    assert detect(children).name == "jsonl"
    kids = tmp_path / "children.yaml"
    kids.write_text(yaml.safe_dump([CHILD, W1]))
    assert detect(kids).name == "yaml"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert detect(empty).name == "jsonl"
    # a leading blank line and a BOM do not hide the first record
    padded = tmp_path / "padded.jsonl"
    padded.write_bytes(b"\xef\xbb\xbf\n" + json.dumps(W1).encode() + b"\n")
    assert detect(padded).name == "workers"


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json", "deep.yaml", "deep"])
def test_sniffing_survives_deep_nesting_and_broken_heads(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"[" * 5000 + b"]" * 5000 + b"\n" + json.dumps(W1).encode() + b"\n")
    assert detect(path).name != "workers"
    broken = tmp_path / f"broken-{name}"
    broken.write_bytes(b'{"worker": "W1", "role": \n' + json.dumps(W1).encode() + b"\n")
    assert detect(broken).name != "workers"


def test_a_yaml_mapping_key_nested_deeper_is_not_the_records_own(tmp_path: Path) -> None:
    # "worker" appears only inside a nested value: the record is a child's (it has "child")
    path = tmp_path / "children.yaml"
    path.write_text("- events: [{type: referral, date: 2024-01-01}]\n  worker: W1\n  child: C1\n")
    assert detect(path).name == "yaml"
    nested = tmp_path / "odd.yaml"
    nested.write_text("- notes: {worker: W1}\n  child: C1\n")
    assert detect(nested).name == "yaml"


# -- the CLI: one process and --jobs ---------------------------------------------------------


def _rejects(path: Path) -> list[tuple[str, int, str]]:
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    return [(Path(r["source"]).name, r["line"], r["code"], r["message"]) for r in rows]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_rejects_mixed_lines_the_same_with_and_without_jobs(
    cli: Any, tmp_path: Path, jobs: str
) -> None:
    children = write_jsonl(tmp_path / "children.jsonl", [CHILD, W1, {"child": "C2"}])
    staff = write_jsonl(tmp_path / "staff.jsonl", [W1, CHILD, W2])
    rejects = tmp_path / "rejects.jsonl"
    res = cli(
        "check", str(children), str(staff), "--as-of", "2024-03-31", "--format", "jsonl",
        "--rejects", str(rejects), "--jobs", jobs,
    )  # fmt: skip
    assert "Traceback" not in res.err
    assert f"input: {staff} read as workers" in res.err
    assert sorted(_rejects(rejects)) == [
        ("children.jsonl", 2, "E314", WORKER_LINE),
        ("staff.jsonl", 2, "E314", CHILD_LINE),
    ]
    # the two children are checked; a bad worker line is a row, never a child
    assert "children read 3, checked 2, rejected 1" in res.err
    if jobs == "2":
        assert f"notice: --jobs: {staff} are read by one process" in res.err


def test_a_workers_file_split_by_byte_range_as_jsonl_rejects_each_line(
    cli: Any, tmp_path: Path
) -> None:
    """Given as --input-format jsonl with --jobs 2, a workers file is cut into byte ranges and
    read in the worker processes (the fast path first): each line gets the one message."""
    lines = [dict(W1, worker=f"W{n}") for n in range(300)]
    staff = write_jsonl(tmp_path / "staff.jsonl", lines)
    out = {}
    for jobs in ("1", "2"):
        rejects = tmp_path / f"rejects{jobs}.jsonl"
        res = cli(
            "check", str(staff), "--input-format", "jsonl", "--as-of", "2024-03-31",
            "--format", "jsonl", "--rejects", str(rejects), "--jobs", jobs,
        )  # fmt: skip
        assert "Traceback" not in res.err
        out[jobs] = _rejects(rejects)
    assert out["1"] == out["2"]
    assert len(out["2"]) == 300 and {r[2:] for r in out["2"]} == {("E314", WORKER_LINE)}


def test_schema_workers_prints_the_worker_schema(cli: Any) -> None:
    res = cli("schema", "--workers")
    assert res.code == 0 and json.loads(res.out) == worker_json_schema()
    assert json.loads(cli("schema").out)["title"] == "timescales canonical child record"


def test_convert_writes_worker_records_to_their_own_file(cli: Any, tmp_path: Path) -> None:
    staff = write_jsonl(tmp_path / "staff.jsonl", [W1, W2])
    children = write_jsonl(tmp_path / "children.jsonl", [CHILD])
    out, wout = tmp_path / "children-out.jsonl", tmp_path / "workers-out.jsonl"
    res = cli("convert", str(children), str(staff), "-o", str(out), "--workers", str(wout))
    assert res.code == 0, res.err
    assert [json.loads(x)["child"] for x in out.read_text().splitlines()] == ["C1"]
    back = [WorkerRecord.model_validate_json(x) for x in wout.read_text().splitlines()]
    assert back == [WorkerRecord.model_validate(W1), WorkerRecord.model_validate(W2)]
    assert f"worker records read 2, written to {wout}" in res.err
    # the written file reads back as a workers file
    assert detect(wout).name == "workers"
    # without --workers they are not mixed into the children's output: said, not written
    res = cli("convert", str(children), str(staff))
    assert [json.loads(x)["child"] for x in res.out.splitlines()] == ["C1"]
    assert "worker records read 2, not written: give --workers FILE" in res.err


def test_the_workers_docs_example_reads(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "importers" / "workers.md").read_text(encoding="utf-8")
    block = page.split("```jsonl\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.jsonl"
    path.write_text(block)
    items, _ = read(path)
    assert len(workers(items)) == len(block.strip().splitlines()) >= 2
    assert not [i for i in items if i.error is not None]
    assert detect(path).name == "workers"


@pytest.mark.parametrize("fast", [True, False])
def test_a_byte_range_rejects_a_worker_line_as_the_one_process_reader_does(
    tmp_path: Path, fast: bool
) -> None:
    """The ``--jobs`` workers' reader (``pool.read_range``, with and without the fast validated
    path) gives a worker line the one-process reader's rejection, at the same place."""
    from timescales.backends import fastpath
    from timescales.backends.pool import read_range, split_jsonl

    path = write_jsonl(tmp_path / "children.jsonl", [CHILD, W1, {"child": "C2"}, W2])
    assert fastpath.decode(json.dumps(W1).encode()) is None  # never taken by the fast path
    ranged = [
        item
        for task in split_jsonl(path, 1)  # one line a range
        for item, _ in read_range(task, None, fast)
    ]
    one, _ = read(path, "jsonl")
    errors = [
        (str(i.error.location), str(i.error)) for i in ranged if isinstance(i, Item) and i.error
    ]
    assert errors == [(str(i.error.location), str(i.error)) for i in one if i.error]
    assert [e[0] for e in errors] == [f"{path}:2", f"{path}:4"]
    assert all(e[1].endswith(WORKER_LINE) for e in errors)
