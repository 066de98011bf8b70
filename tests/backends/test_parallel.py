"""``check --jobs N`` and ``--engine``: output identical to one process; crashes cost one child."""

from __future__ import annotations

import datetime as dt
import faulthandler
import json
import os
import signal
from pathlib import Path

import orjson
import pytest
from durable_support import need_durable

import timescales.backends as backends
import timescales.backends.pool as pool
import timescales.parallel as parallel
from timescales.backends.pool import RangeTask, read_range, split_jsonl
from timescales.cli import main
from timescales.generate import generate
from timescales.importers import resolve
from timescales.records import ChildRecord
from timescales.ruleset.pack import load_rules

AS_OF = "2024-03-31"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small byte ranges, so that every test crosses partition boundaries."""
    monkeypatch.setattr(parallel, "MIN_CHUNK", 2000)
    monkeypatch.setattr(parallel, "MAX_CHUNK", 6000)
    monkeypatch.setattr(parallel, "ITEMS_PER_TASK", 7)


def _input(tmp_path: Path, n: int = 60) -> Path:
    lines = [orjson.dumps(r).decode() for r in generate(n, seed=4, lateness=0.3)]
    lines.insert(5, "{not json")
    lines.insert(9, "")
    lines.insert(
        12, json.dumps({"child": "X1", "events": [{"type": "nope", "date": "2020-01-01"}]})
    )
    lines.append(lines[20])  # a child given twice, in another partition: DATA002
    path = tmp_path / "in.jsonl"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(tmp_path: Path, path: Path, tag: str, *extra: str) -> tuple[int, dict[str, str]]:
    outs = {name: tmp_path / f"{tag}.{name}" for name in ("findings", "quality", "rejects")}
    code = main(
        [
            "check",
            str(path),
            "--as-of",
            AS_OF,
            "-o",
            str(outs["findings"]),
            "--data-quality",
            str(outs["quality"]),
            "--rejects",
            str(outs["rejects"]),
            *extra,
        ]
    )
    return code, {name: p.read_text() if p.exists() else "" for name, p in outs.items()}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_jobs_output_is_identical(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _input(tmp_path)
    one = _run(tmp_path, path, "one", "--format", fmt)
    one_err = capsys.readouterr().err
    two = _run(tmp_path, path, "two", "--format", fmt, "--jobs", "2")
    two_err = capsys.readouterr().err
    assert one == two
    assert one_err.splitlines()[-1] == two_err.splitlines()[-1]  # the summary line
    assert "DATA002" in one[1]["quality"] and "not valid JSON" in one[1]["rejects"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_one_process_reads_json_lines_as_a_worker_with_the_same_output(
    tmp_path: Path,
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--jobs 1`` reads a JSON Lines file by byte range and checks it as a worker does, in
    its own process; a UTF-16 copy of the same file is read by the importer and checked by the
    pipeline, as standard input and other formats are: every output is the same."""
    text = _input(tmp_path).read_text(encoding="utf-8")
    outputs = []
    for encoding in ("utf-8", "utf-16"):
        folder = tmp_path / encoding
        folder.mkdir()
        (folder / "in.jsonl").write_text(text.removeprefix("\ufeff"), encoding=encoding)
        monkeypatch.chdir(folder)
        read_by_range = parallel.by_range([(Path("in.jsonl"), resolve(Path("in.jsonl")))])
        assert read_by_range is (encoding == "utf-8")
        code, files = _run(folder, Path("in.jsonl"), "out", "--format", fmt, "--max-events", "90")
        err = capsys.readouterr().err
        outputs.append((code, files, err.splitlines()[-1]))
    assert outputs[0] == outputs[1]
    files = outputs[0][1]
    assert "DATA002" in files["quality"] and "not valid JSON" in files["rejects"]
    assert "see --max-events" in files["rejects"]


@pytest.mark.parametrize(("jobs", "spills"), [("1", False), ("2", True)])
def test_only_workers_spill_to_a_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, spills: bool
) -> None:
    """Workers hand their text over in spill files under a temporary directory, removed at the
    end; ``--jobs 1`` keeps the text in memory and makes no directory."""
    made: list[str] = []
    real = parallel.tempfile.TemporaryDirectory

    def recorded(*args: object, **kwargs: object) -> object:
        directory = real(*args, **kwargs)  # type: ignore[call-overload]
        made.append(directory.name)
        return directory

    monkeypatch.setattr(parallel.tempfile, "TemporaryDirectory", recorded)
    code, files = _run(tmp_path, _input(tmp_path), "out", "--format", "jsonl", "--jobs", jobs)
    assert code == 1 and files["findings"]
    assert bool(made) is spills
    assert not any(Path(name).exists() for name in made)


def test_a_child_with_too_many_events_is_rejected_alike(tmp_path: Path) -> None:
    """The rejection names ``--max-events`` in workers too, on both of their reading paths
    (msgspec's, and pydantic's for a line only it accepts)."""
    path = _input(tmp_path)
    with path.open("a", encoding="utf-8") as fh:  # valid only through a lax coercion
        events = [{"type": "referral", "date": f"2023-01-0{d}"} for d in range(1, 10)]
        fh.write(json.dumps({"child": "LAX", "events": events, "partial_history": "true"}) + "\n")
    one = _run(tmp_path, path, "one", "--max-events", "6")
    two = _run(tmp_path, path, "two", "--max-events", "6", "--jobs", "2")
    assert one == two
    lines = one[1]["rejects"].splitlines()
    hint = "more than 6 events for one child (see --max-events)"
    hinted = [line for line in lines if hint in line]
    assert len(hinted) > 5 and any(":65," in line or ",65," in line for line in hinted), lines


def test_byte_ranges_cover_every_line_once(tmp_path: Path) -> None:
    path = _input(tmp_path, 40)
    from timescales.importers.canonical import read_jsonl

    whole = [(i.location, i.error and i.error.message) for i in read_jsonl(path)]
    ranges = list(split_jsonl(path, 1500))
    assert len(ranges) > 5
    parts = [
        (item.location, item.error and item.error.message)
        for task in ranges
        for item, _ in read_range(task, None)
    ]
    assert parts == whole
    # resuming from a reported position gives the rest
    first = ranges[0]
    items = list(read_range(first, None))
    offset, line = items[0][1]
    rest = list(read_range(RangeTask(first.path, offset, first.end, line), None))
    assert [i.location for i, _ in rest] == [i.location for i, _ in items[1:]]


def test_other_formats_are_read_by_the_parent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(list(generate(30, seed=2))))
    one = _run(tmp_path, path, "one", "--format", "jsonl")
    two = _run(tmp_path, path, "two", "--format", "jsonl", "--jobs", "2")
    assert one == two
    assert "read by one process" in capsys.readouterr().err


def test_a_crashing_worker_costs_one_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker killed by a signal while checking one child: that child is rejected with the
    reason, every other child is checked, and the output is otherwise the same."""
    records = list(generate(40, seed=8))
    victim = records[17]["child"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(orjson.dumps(r).decode() + "\n" for r in records))
    without = tmp_path / "without.jsonl"
    without.write_text(
        "".join(orjson.dumps(r).decode() + "\n" for r in records if r["child"] != victim)
    )
    real = pool.evaluator

    def fragile(engine: str, ruleset: object) -> object:
        evaluate = real(engine, ruleset)  # type: ignore[arg-type]

        def check(record: ChildRecord, as_of: dt.date, location: object) -> object:
            if record.child == victim:
                # the crash is on purpose: no "Fatal Python error" and stack on the test output
                faulthandler.disable()
                os.kill(os.getpid(), signal.SIGSEGV)
            return evaluate(record, as_of, location)  # type: ignore[arg-type]

        return check

    monkeypatch.setattr(pool, "evaluator", fragile)
    monkeypatch.setattr(pool.fastpath, "decode", lambda raw, types=None: None)
    code, got = _run(tmp_path, path, "crash", "--format", "jsonl", "--jobs", "2")
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "killed by SIGSEGV" in got["rejects"] and ",18,,E399," in got["rejects"]
    assert "checked 39, rejected 1" in err
    monkeypatch.undo()
    _, expected = _run(tmp_path, without, "expected", "--format", "jsonl")
    assert got["findings"] == expected["findings"]


def test_durable_engine_missing_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(backends, "durable_available", lambda: False)
    path = _input(tmp_path, 30)
    code = main(["check", str(path), "--as-of", AS_OF, "--engine", "durable"])
    assert code == 2
    assert "pip install 'timescales[durable]'" in capsys.readouterr().err


def test_durable_engine_cli_matches_python(tmp_path: Path) -> None:
    need_durable()
    path = _input(tmp_path, 50)
    python = _run(tmp_path, path, "py", "--format", "jsonl")
    durable = _run(tmp_path, path, "dr", "--format", "jsonl", "--engine", "durable", "--jobs", "2")
    assert python == durable


def test_check_records_api_isolates_the_durable_engine() -> None:
    need_durable()
    records = [ChildRecord.model_validate(r) for r in generate(25, seed=3)]
    ruleset = load_rules()
    as_of = dt.date(2024, 3, 31)
    expected = [f for r in records for f in ruleset.check(r, as_of=as_of).findings]
    got = parallel.check_records(records, as_of=as_of, ruleset=ruleset, engine="durable")
    assert got == expected


def test_fast_path_gives_what_the_pydantic_path_gives() -> None:
    """Lines the fast validated path accepts check exactly as ChildRecord + RuleSet.check; lines
    valid only through pydantic's lax coercions, or invalid, are left to pydantic."""
    from timescales.backends import fastpath

    if not fastpath.available():
        pytest.skip("msgspec is not installed")
    ruleset = load_rules()
    as_of = dt.date(2024, 3, 31)
    for data in generate(200, seed=12, lateness=0.4):
        for variant in (data, {**data, "partial_history": True}):
            raw = orjson.dumps(variant)
            fast = fastpath.decode(raw)
            assert fast is not None
            record = ChildRecord.model_validate(orjson.loads(raw))
            assert fastpath.check(ruleset, fast, as_of, None) == ruleset.check(record, as_of=as_of)
    refused = [
        b'{"child": "A", "partial_history": "true"}',  # lax bool: pydantic's call
        b'{"child": ""}',
        b'{"child": "A", "dob": "2020-1-01"}',
        b'{"child": "A", "extra": 1}',
        b'{"child": "A", "events": [{"type": "nope", "date": "2020-01-01"}]}',
        b'{"child": "A", "events": [{"type": "cp_visit", "date": "2020-01-01",'
        b' "attrs": {"seen_alone": 1}}]}',
        b'{"child": "A", "events": [{"type": "referral", "date": "2020-02-30"}]}',
        b"[1]",
    ]
    for raw in refused:
        assert fastpath.decode(raw) is None, raw
