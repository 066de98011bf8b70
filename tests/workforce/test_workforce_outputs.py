"""Worker records through the pipeline and into the outputs: the tally counts them, the
aggregates' ``workforce`` section (worker findings on time per team, caseloads month by month,
targets, supervision due), ``check --workforce FILE`` and the embedding API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

import timescales.ruleset.pack as pack
from timescales.aggregates.summary import Aggregator
from timescales.api import check_stream, check_workers
from timescales.contract import ImportContext, Item
from timescales.errors import Location, RecordError
from timescales.guard import REJECT, screen
from timescales.pipeline import Pipeline
from timescales.records import ChildRecord, WorkerRecord, is_worker_data
from timescales.ruleset.pack import load_rules

HERE = Path(__file__).parent
RULES = load_rules(autoload=False, extra_packs=[HERE / "pack"])
AS_OF = dt.date(2024, 3, 31)

WORKERS: list[dict[str, Any]] = [
    {  # supervised late once, then overdue; induction on time; 2 children allocated
        "worker": "SW1",
        "role": "social_worker",
        "team": "North",
        "started": "2024-01-01",
        "events": [
            {"type": "induction_completed", "date": "2024-01-10"},
            {"type": "supervision", "date": "2024-01-30"},
            {"type": "allocation", "date": "2024-01-15", "child": "C1"},
            {"type": "allocation", "date": "2024-02-20", "child": "C2"},
        ],
    },
    {  # supervised on time, next pending; induction never recorded
        "worker": "SW2",
        "role": "social_worker",
        "team": "South",
        "fte": 0.5,
        "started": "2024-02-01",
        "events": [
            {"type": "supervision", "date": "2024-02-29"},
            {"type": "supervision", "date": "2024-03-20"},
            {"type": "allocation", "date": "2024-02-01", "child": "C3"},
        ],
    },
    {"worker": "FC1", "role": "foster_carer", "started": "2023-06-01"},
]


def _items() -> list[Item]:
    items = [
        Item(Location("w.jsonl", n + 1), worker=WorkerRecord.model_validate(w))
        for n, w in enumerate(WORKERS)
    ]
    child = ChildRecord.model_validate(
        {"child": "C9", "events": [{"type": "referral", "date": "2024-03-01"}]}
    )
    items.append(Item(Location("w.jsonl", 9), record=child))
    items.append(
        Item(Location("w.jsonl", 10), error=RecordError("bad worker", Location("w.jsonl", 10)))
    )
    return items


def test_the_pipeline_keeps_worker_records_and_counts_them_apart() -> None:
    seen: list[str] = []
    run = Pipeline(RULES, AS_OF, on_worker=lambda w: seen.append(w.worker))
    pairs = list(run.checked(_items()))
    assert [record.child for record, _ in pairs] == ["C9"]  # workers are not children
    assert [w.worker for w in run.workers] == seen == ["SW1", "SW2", "FC1"]
    summary = run.summary
    # children read, checked, rejected; worker records apart (a bad one is a rejected row)
    assert (summary.read, summary.checked, summary.rejected, summary.workers) == (2, 1, 1, 3)
    assert "worker records 3" in summary.line()


def _aggregates() -> tuple[Aggregator, dict[str, Any]]:
    run = Pipeline(RULES, AS_OF)
    agg = Aggregator(run.ruleset, AS_OF, since=dt.date(2024, 1, 1))
    run.on_worker = agg.add_worker
    for record, result in run.checked(_items()):
        agg.add(result, record)
    return agg, agg.to_dict(run.summary)


def test_the_workforce_section() -> None:
    agg, data = _aggregates()
    work = data["workforce"]
    assert work["workers"] == 3
    rules = {r["rule"]: r for r in work["rules"]}
    assert rules["WK001"] == {
        "rule": "WK001",
        "name": "test-supervision-interval",
        "kind": "worker_interval",
        "assessed": True,
        "why": None,
    }
    assert rules["WK005"]["assessed"] is True and rules["IR001"]["kind"] == "worker_caseload"
    timely = {(r["rule"], r["team"]): r for r in work["timeliness"]}
    # SW1: late (due 29 Jan, held 30 Jan), then overdue; SW2: met (due 29 Feb; due 28 Mar,
    # held 20 Mar), then pending
    assert {k: timely[("WK001", None)][k] for k in ("met", "late", "overdue", "pending")} == {
        "met": 2,
        "late": 1,
        "overdue": 1,
        "pending": 1,
    }
    assert timely[("WK001", None)]["on_time"] == 0.5
    assert timely[("WK001", "North")]["on_time"] == 0.0
    assert timely[("WK001", "South")]["on_time"] == 1.0
    assert timely[("WK002", "South")]["overdue"] == 1  # SW2's induction, due 15 Feb
    # no training in the input: the rule is listed, with nothing due
    assert timely[("WK003", None)]["on_time"] is None
    due = {r["worker"]: r for r in work["supervision_due"]}
    assert due["SW1"] == {
        "worker": "SW1",
        "team": "North",
        "rule": "WK001",
        "last": "2024-01-30",
        "due": "2024-02-27",
        "status": "overdue",
    }
    assert due["SW2"]["status"] == "pending" and due["SW2"]["due"] == "2024-04-17"
    (sw,) = [c for c in work["caseloads"] if c["rule"] == "WK004"]
    assert sw["source"] == "workers"
    assert sw["snapshots"] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    rows = {r["worker"]: r for r in sw["rows"]}
    assert [v["children"] for v in rows["SW1"]["values"]] == [1, 2, 2]
    # SW2 started on 1 February: not employed at the end of January
    assert [v["children"] for v in rows["SW2"]["values"]] == [None, 1, 1]
    assert rows["SW2"]["fte"] == 0.5 and rows["SW2"]["fte_from"] == "record"
    assert [v["per_fte"] for v in rows["SW2"]["values"]] == [None, 2.0, 2.0]
    assert rows["SW1"]["fte_from"] == "default"
    assert sw["at_as_of"] == {"above": 0, "within": 2, "below": 0}
    (target,) = work["targets"]
    assert (target["recruited"], target["left"], target["net"], target["status"]) == (
        1,
        0,
        1,
        "below",
    )
    assert (target["from"], target["to"]) == ("2023-04-01", "2024-03-31")
    # the children's caseload section keeps its shape; the threshold comes from WK004
    assert data["caseloads"]["worker"]["rule"] == "WK004"
    assert [f.worker for f in agg.worker_findings()] == sorted(
        f.worker for f in agg.worker_findings()
    )


def test_an_unsettled_rule_is_listed_not_assessed() -> None:
    unset = SimpleNamespace(
        id="WK009", name="supervision-policy", kind="worker_interval", why="setting unset"
    )
    rules = RULES._derive(RULES.rules, unsettled=(unset,))
    agg = Aggregator(rules, AS_OF)
    row = [r for r in agg.to_dict()["workforce"]["rules"] if r["rule"] == "WK009"]
    assert row == [
        {
            "rule": "WK009",
            "name": "supervision-policy",
            "kind": "worker_interval",
            "assessed": False,
            "why": "setting unset",
        }
    ]


def test_rules_with_no_worker_of_their_role_are_not_assessed() -> None:
    agg = Aggregator(RULES, AS_OF)
    rows = {r["rule"]: r for r in agg.to_dict()["workforce"]["rules"]}
    assert rows["WK001"]["assessed"] is False
    assert rows["WK001"]["why"] == "no worker records of role social_worker in the input"
    assert rows["IR001"]["assessed"] is True  # counted from the children


def test_a_rule_whose_events_no_worker_record_carries_is_not_assessed() -> None:
    """An HR export with start dates and nothing else says nothing about supervision or
    induction: no worker is scored overdue on history the input does not hold."""
    bare = [
        WorkerRecord.model_validate({"worker": w, "role": "social_worker", "started": "2023-06-01"})
        for w in ("SW7", "SW8")
    ]
    agg = Aggregator(RULES, AS_OF)
    for record in bare:
        agg.add_worker(record)
    out = agg.to_dict()["workforce"]
    assert agg.worker_findings() == []
    rows = {r["rule"]: r for r in out["rules"]}
    timed = [r for r in RULES.workforce if r.kind in ("worker_interval", "worker_deadline")]
    assert timed
    for rule in timed:
        if rule.applies_to("social_worker"):
            assert rows[rule.id]["assessed"] is False, rule.id
            assert "carry no" in rows[rule.id]["why"]
    # one record carrying the events makes the rules judge every worker of the role again
    carrying = WorkerRecord.model_validate(
        {
            "worker": "SW9",
            "role": "social_worker",
            "started": "2023-06-01",
            "events": [
                {"type": "supervision", "date": "2023-06-20"},
                {"type": "induction_completed", "date": "2023-06-10"},
            ],
        }
    )
    agg.add_worker(carrying)
    judged = {f.worker for f in agg.worker_findings()}
    assert {"SW7", "SW8", "SW9"} <= judged


# -- check --workforce FILE ---------------------------------------------------------------------


class MixedLines:
    """A test importer: a ``MIXED`` line, then JSON Lines of child and worker records (the
    importers that read worker files are another unit's)."""

    name = "test-mixed"
    supplies = None

    def sniff(self, path: Path) -> bool:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().strip() == "MIXED"

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[1:], start=2):
            data = json.loads(line)
            where = Location(str(path), number)
            if is_worker_data(data):
                yield Item(where, worker=WorkerRecord.model_validate(data))
            else:
                yield Item(where, record=ChildRecord.model_validate(data))


def test_check_writes_worker_findings_as_json_lines(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = pack.load_council

    def with_mixed(*args: Any, **kwargs: Any) -> Any:
        plugins, council = real(*args, **kwargs)
        return plugins, dataclasses.replace(
            council, importers={**council.importers, "test-mixed": MixedLines()}
        )

    # the command imports these from the pack when it runs (the CLI starts without them)
    monkeypatch.setattr(pack, "load_council", with_mixed)
    real_build = pack.build_ruleset

    def with_test_pack(council: Any, **kwargs: Any) -> Any:  # the test-only worker rules too
        return real_build(council, extra_packs=[HERE / "pack"], **kwargs)

    monkeypatch.setattr(pack, "build_ruleset", with_test_pack)
    source = tmp_path / "input.mixed"
    child = {"child": "C9", "events": [{"type": "referral", "date": "2024-03-01"}]}
    lines = ["MIXED", *(json.dumps(w) for w in [*WORKERS, child])]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, agg = tmp_path / "workers.jsonl", tmp_path / "agg.json"
    result = cli(
        "check", str(source), "--as-of", "2024-03-31", "--format", "jsonl",
        "--workforce", str(out), "--aggregates", str(agg),
    )  # fmt: skip
    assert result.code in (0, 1), result.err
    lines = [orjson.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [f.to_dict() for f in check_workers(WORKERS, ruleset=RULES, as_of=AS_OF)]
    assert lines == expected and lines
    assert {line["worker"] for line in lines} == {"SW1", "SW2"}
    assert all("child" not in line for line in lines)
    # the main output holds the children's findings only
    assert all(orjson.loads(x)["child"] == "C9" for x in result.out.splitlines())
    assert orjson.loads(agg.read_bytes())["workforce"]["workers"] == 3
    assert "worker records 3" in result.err


def test_workforce_with_jobs_is_as_one_process(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Under --jobs N the parent keeps the worker records (a workers file is read by the
    parent) and judges them as one process does: the same worker findings, byte for byte."""
    root = Path(__file__).resolve().parents[2] / "examples"
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"workforce-{jobs}.jsonl"
        result = cli(
            "check",
            str(root / "children.jsonl"),
            str(root / "workers.jsonl"),
            "--la",
            "lancashire",
            "--settings",
            str(root / "lancashire-settings.yaml"),
            "--as-of",
            "2024-03-31",
            "--format",
            "jsonl",
            "--workforce",
            str(out),
            "--jobs",
            jobs,
        )
        assert result.code in (0, 1), result.err
        assert "worker records 26" in result.err
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 100


# -- the embedding API --------------------------------------------------------------------------


def test_the_api_takes_worker_records() -> None:
    bad = {"worker": "SW9", "role": "Social Worker"}
    rows = list(check_stream([*WORKERS, bad], ruleset=RULES, as_of=AS_OF))
    assert [r.worker.worker for r in rows[:3] if r.worker] == ["SW1", "SW2", "FC1"]
    assert rows[3].error is not None and rows[3].error.location is not None
    assert "Social Worker" not in str(rows[3].error)  # never the value
    found = check_workers(WORKERS, ruleset=RULES, as_of=AS_OF)
    assert [(f.worker, f.rule, f.status.value) for f in found][:3] == [
        ("SW1", "WK001", "late"),
        ("SW1", "WK001", "overdue"),
        ("SW1", "WK002", "met"),
    ]


def test_a_path_that_checks_children_only_rejects_a_worker_record_never_drops_it() -> None:
    item = Item(Location("w.jsonl", 3), worker=WorkerRecord.model_validate(WORKERS[2]))
    outcome = screen(item, 100)
    assert outcome is not None and outcome.kind == REJECT
    assert outcome.error is not None and outcome.error.code == "E314"
    run = Pipeline(RULES, AS_OF)
    assert list(run.records([item])) == []  # convert
    assert (run.summary.read, run.summary.rejected) == (1, 1)


def test_a_caseload_figure_is_null_with_why_before_a_worker_starts() -> None:
    """Months before a worker started are "not in post" (the report leaves them blank), never
    a caseload of 0 and never "below the range"."""
    from timescales.workforce.caseloads import NOT_IN_POST

    agg = Aggregator(RULES, AS_OF, since=dt.date(2023, 4, 1))
    for data in WORKERS:
        agg.add_worker(WorkerRecord.model_validate(data))
    sections = agg.to_dict()["workforce"]["caseloads"]
    rows = {r["worker"]: r for s in sections for r in s["rows"] if s["source"] == "workers"}
    sw2 = {v["date"]: v for v in rows["SW2"]["values"]}  # started 1 February 2024
    assert sw2["2024-01-31"]["children"] is None and sw2["2024-01-31"]["status"] is None
    assert sw2["2024-01-31"]["why"] == NOT_IN_POST
    assert sw2["2024-02-29"]["children"] == 1 and sw2["2024-02-29"]["why"] is None
