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
