"""Child ids seen by a run (DATA002) in bounded memory: exact whether or not it spills."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from timescales import load_rules
from timescales.errors import Location
from timescales.importers import Item
from timescales.pipeline import Pipeline
from timescales.records import ChildRecord
from timescales.seen import SeenIds


def test_repeats_past_the_limit_are_found_at_the_end() -> None:
    seen = SeenIds(limit=3)
    said_now = [seen.add(c) for c in ["a", "b", "a", "c", "d", "a", "e", "d", "f", "d"]]
    # "a" twice before the limit: known at once; the rest only at the end
    assert said_now == [False, False, True, False, False, False, False, False, False, False]
    assert sorted(seen.repeats()) == ["a", "d", "d"]


@given(st.lists(st.sampled_from("abcdefghij"), max_size=60), st.integers(1, 12))
def test_every_extra_copy_is_reported_exactly_once(ids: list[str], limit: int) -> None:
    seen = SeenIds(limit=limit)
    now = [c for c in ids if seen.add(c)]
    later = list(seen.repeats())
    extra = Counter(ids) - Counter(set(ids))
    assert Counter(now) + Counter(later) == extra


def test_a_run_notes_the_same_repeats_spilling_or_not(monkeypatch) -> None:
    records = [ChildRecord.model_validate({"child": f"C{n % 7}", "events": []}) for n in range(40)]
    items = [Item(Location("in", n + 1), record=r) for n, r in enumerate(records)]

    def data002(limit: int) -> Counter[str]:
        run = Pipeline(load_rules(rules=["LA005"]), dt.date(2024, 3, 31))
        run._seen = SeenIds(limit=limit)
        list(run.results(items))
        assert run.summary.quality["DATA002"] == 33
        return Counter(q.child for q in run.quality if q.code == "DATA002")

    assert (
        data002(3)
        == data002(1000)
        == Counter({f"C{k}": 40 // 7 - 1 + (k < 40 % 7) for k in range(7)})
    )
