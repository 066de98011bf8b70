"""CIN census returns of several years (issue 18): a directory of returns is merged into one
history per child, and each record says where its history begins (``known_from``: the first
1 April of the returns' unbroken run of collection years, for the blocks a return holds only
within its year). The histories are generated and cut into returns as the DfE specification
says a return holds them (tests/importers/cin_xml.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cin_xml import census, census_return, child, cin, generate_history, plan, write

from timescales import check
from timescales.importers import ImportContext
from timescales.importers.cin_census import IN_YEAR, CinCensusImporter

AS_OF = "2024-03-31"


def _read(path: Path) -> tuple[list[Any], ImportContext, CinCensusImporter]:
    importer = CinCensusImporter()
    context = ImportContext()
    items = list(importer.read(path, context))
    for stats in context.stats:
        assert stats.reconciles(), stats
    return items, context, importer


def _view(items: list[Any]) -> dict[str, Any]:
    return {
        i.record.child: (
            i.record.dob,
            sorted((e.type, e.date, e.ref, e.case) for e in i.record.events),
        )
        for i in items
        if i.record is not None
    }


def _key(f: Any) -> tuple[Any, ...]:
    return (f.rule, f.child, f.ref, f.anchor, f.due, f.done, f.status.value)


def test_two_years_give_the_history_of_both(tmp_path: Path) -> None:
    """Two consecutive returns merged give the same records as one return that held both
    years' blocks, with the known history starting on the first year's 1 April."""
    history = generate_history(300, seed=7, first=dt.date(2022, 4, 1), horizon=dt.date(2024, 4, 1))
    years = tmp_path / "returns"
    years.mkdir()
    write(years / "cin_2023.xml", census_return(history, 2023))
    write(years / "cin_2024.xml", census_return(history, 2024))
    merged, context, importer = _read(years)
    # one return holding both years: the 2024 cut of a history whose year began in 2022
    both = tmp_path / "both.xml"
    write(both, census_return(history, 2024, since=2023))
    whole, _, _ = _read(both)
    assert _view(merged) == _view(whole)
    # the same findings (the one return's header says 2023-24, so it is given the merged
    # returns' known history to compare like with like)
    known = next(i.record.known_from for i in merged if i.record is not None)
    ones = [i.record.model_copy(update={"known_from": known}) for i in whole if i.record]
    many = [i.record for i in merged if i.record is not None]
    as_of = dt.date(2024, 3, 31)
    assert sorted(map(_key, check(many, as_of=as_of))) == sorted(
        map(_key, check(ones, as_of=as_of))
    )
    assert len(check(many, as_of=as_of)) > 500
    assert importer.collections == {
        str(years / "cin_2023.xml"): "2022-23",
        str(years / "cin_2024.xml"): "2023-24",
    }
    for item in merged:
        if item.record is not None:
            (known,) = item.record.known_from
            assert known.from_ == dt.date(2022, 4, 1) and known.events == IN_YEAR
    # rows: every Child element of each return counted in its own file, all used
    names = sorted(s.source for s in context.stats)
    assert names[0].endswith("cin_2023.xml (CIN census 2022-23)")
    assert sum(s.rows_read for s in context.stats) == sum(s.rows_used for s in context.stats)


def test_a_single_return_knows_its_year_only(tmp_path: Path) -> None:
    xml = census(
        [child("C1", cin("2022-11-01", plans=[plan("2022-11-20", reviews=["2023-09-01"])]))]
    )
    items, _, importer = _read(write(tmp_path / "cin.xml", xml))
    (record,) = [i.record for i in items if i.record is not None]
    (known,) = record.known_from
    # Year 2024, ReferenceDate 2024-03-31: the 2023-24 collection, from 1 April 2023
    assert known.from_ == dt.date(2023, 4, 1)
    assert set(known.events or ()) == {
        "assessment_started",
        "assessment_completed",
        "s47_started",
        "icpc",
        "cp_review",
    }
    assert importer.collections == {str(tmp_path / "cin.xml"): "2023-24"}
    # the plan that began before the year keeps its start (the census gives it), no "began"
    assert [e.date.isoformat() for e in record.events if e.type == "cp_plan_started"] == [
        "2022-11-20"
    ]
