"""IR001 as a worker caseload rule gives the figures IR001 gave as an aggregate: per IRO at
as_of, on the example children, generated children and the SSD sample (the old counting is
kept as the oracle: ``ReferenceModel.iro_caseloads``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from timescales.aggregates.summary import Aggregator
from timescales.errors import Location
from timescales.generate import generate
from timescales.importers import Item
from timescales.pipeline import Pipeline
from timescales.records import ChildRecord
from timescales.ruleset.pack import load_rules
from timescales.testing.reference import ReferenceModel

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules()


def _figures(items_of, as_of: dt.date):  # type: ignore[no-untyped-def]
    """(the oracle's counts, agg["caseloads"]["iro"], the workforce section at as_of, the
    aggregates)."""
    run = Pipeline(RULES, as_of)
    agg = Aggregator(run.ruleset, as_of)
    records: list[ChildRecord] = []
    for record, result in run.checked(items_of(run)):
        records.append(record)
        agg.add(result, record)
    data = agg.to_dict(run.summary)
    old = {row["iro"]: row["children"] for row in data["caseloads"]["iro"]["rows"]}
    new = {}
    for section in data["workforce"]["caseloads"]:
        assert section["rule"] == "IR001" and section["source"] == "children"
        assert section["snapshots"][-1] == as_of.isoformat()
        new = {
            row["worker"]: row["values"][-1]["children"]
            for row in section["rows"]
            if row["values"][-1]["children"]
        }
    oracle = ReferenceModel.like(RULES).iro_caseloads(records, as_of=as_of)
    return oracle, old, new, data


def _paths(*paths: Path):  # type: ignore[no-untyped-def]
    return lambda run: run.items(list(paths))


@pytest.mark.parametrize(
    ("name", "items_of", "as_of"),
    [
        ("examples", _paths(ROOT / "examples" / "children.jsonl"), dt.date(2024, 3, 31)),
        (
            "ssd-sample",
            _paths(ROOT / "examples" / "samples" / "ssd" / "extract"),
            dt.date(2025, 3, 31),
        ),
        (
            "generated",
            lambda run: (
                Item(Location("<generated>", n + 1), record=ChildRecord.model_validate(data))
                for n, data in enumerate(generate(400, seed=21, as_of=dt.date(2024, 3, 31)))
            ),
            dt.date(2024, 3, 31),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_ir001_per_iro_figures_match_the_old_aggregate(name: str, items_of, as_of) -> None:  # type: ignore[no-untyped-def]
    oracle, old, new, data = _figures(items_of, as_of)
    assert new == oracle
    assert old == oracle
    (ir001,) = [r for r in data["workforce"]["rules"] if r["rule"] == "IR001"]
    assert oracle, f"{name}: no looked-after child with an IRO at as_of: nothing compared"
    assert ir001["assessed"] is True


def test_ir001_is_counted_once_the_same_in_both_lists() -> None:
    """The example children: IRO03's only child (EX11) left care on 2024-01-15 and nothing
    (no IRO list, no worker record) says IRO03 is still in post. The IRO caseloads and the
    workforce grid give one figure at as_of, 2 IROs; IRO03's as_of cell is n/a with why, never
    "0, below the range"."""
    as_of = dt.date(2024, 3, 31)
    _, _, _, data = _figures(_paths(ROOT / "examples" / "children.jsonl"), as_of)
    iro = data["caseloads"]["iro"]
    (section,) = data["workforce"]["caseloads"]
    assert {k: iro[k] for k in ("above", "within", "below")} == section["at_as_of"]
    assert section["at_as_of"] == {"above": 0, "within": 0, "below": 2}
    judged = {r["worker"] for r in section["rows"] if r["values"][-1]["status"] is not None}
    assert judged == {r["iro"] for r in iro["rows"]} == {"IRO01", "IRO02"}
    (iro03,) = [r for r in section["rows"] if r["worker"] == "IRO03"]
    last = iro03["values"][-1]
    assert (last["children"], last["per_fte"], last["status"]) == (None, None, None)
    from timescales.workforce.caseloads import NOT_KNOWN_IN_POST

    assert last["why"] == NOT_KNOWN_IN_POST
    # on a month end when IRO03 still held EX11, the figure is there
    assert any(v["children"] == 1 and v["status"] == "below" for v in iro03["values"])


def test_an_iro_on_the_list_or_with_a_worker_record_holding_nobody_is_0() -> None:
    """Listed (or employed by their worker record), an IRO holding nobody has a caseload of 0."""
    as_of = dt.date(2024, 3, 31)
    run = Pipeline(RULES, as_of)
    agg = Aggregator(run.ruleset, as_of, iro_list={"IRO03": 1.0})
    for record, result in run.checked(run.items([ROOT / "examples" / "children.jsonl"])):
        agg.add(result, record)
    data = agg.to_dict(run.summary)
    (section,) = data["workforce"]["caseloads"]
    (iro03,) = [r for r in section["rows"] if r["worker"] == "IRO03"]
    assert iro03["values"][-1]["children"] == 0 and iro03["values"][-1]["status"] == "below"
    assert section["at_as_of"] == {"above": 0, "within": 0, "below": 3}
    assert {k: data["caseloads"]["iro"][k] for k in ("above", "within", "below")} == (
        section["at_as_of"]
    )
