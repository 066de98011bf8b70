"""Several years of SSDA903 returns (issue 18, item 2): read as one history, they give the same
records (and findings) whether given as one directory, as separate inputs, or as one set of
tables holding both years' rows; and they leave fewer periods whose start is not in the data
than either year alone.

The children (care histories as a case system holds them; each year's return is cut from them as
the DfE asks: the episodes open during the year, with their original DECOM and a blank DEC/REC if
they end after 31 March, and the reviews held in the year):

- A: looked after since 2015 (RNE S), never moved: its start is in both returns (the episode is
  open), its reviews before April 2017 in neither.
- B: since Sep 2016 (S), moved Aug 2017 and Jul 2018: the 2018-19 return alone starts at the
  Aug 2017 move (RNE P): its start is not in that return.
- C: since Jun 2017 (S), moved Jan 2018 and Sep 2018: the 2018-19 return alone starts at the
  Jan 2018 move.
- D: came into care in May 2018 (only in the 2018-19 return).
- E: looked after Oct 2017 to Feb 2018 (only in the 2017-18 return).
- F: since Apr 2017 (S), a change of legal status only (RNE L) in Jun 2018: the S episode is
  open in 2018-19 too, so both returns hold its start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from test_ssda903 import (
    COLUMNS,
    FILE_NAMES,
    episode,
    read,
    records,
    review,
    totals,
    write_csv,
)

import timescales

D = dt.date


def fmt(day: D | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# (child, DECOM, RNE, LS, PLACE, DEC, REC) over the whole history
HISTORY: list[tuple[str, D, str, str, str, D | None, str]] = [
    ("A", D(2015, 6, 1), "S", "C2", "U4", None, ""),
    ("B", D(2016, 9, 5), "S", "C2", "U3", D(2017, 8, 1), "X1"),
    ("B", D(2017, 8, 1), "P", "C2", "U4", D(2018, 7, 1), "X1"),
    ("B", D(2018, 7, 1), "P", "C2", "U1", None, ""),
    ("C", D(2017, 6, 5), "S", "C2", "U3", D(2018, 1, 10), "X1"),
    ("C", D(2018, 1, 10), "P", "C2", "U4", D(2018, 9, 3), "X1"),
    ("C", D(2018, 9, 3), "P", "C2", "U1", None, ""),
    ("D", D(2018, 5, 1), "S", "V2", "U3", None, ""),
    ("E", D(2017, 10, 2), "S", "V2", "U3", D(2018, 2, 1), "E13"),
    ("F", D(2017, 4, 20), "S", "V2", "U3", D(2018, 6, 1), "X1"),
    ("F", D(2018, 6, 1), "L", "C2", "U3", None, ""),
]
REVIEWS: dict[str, list[D]] = {
    "A": [D(2016, 11, 1), D(2017, 5, 10), D(2017, 11, 2), D(2018, 4, 20), D(2018, 10, 15)],
    "B": [D(2016, 10, 1), D(2017, 1, 2), D(2017, 6, 30), D(2017, 12, 20), D(2018, 6, 11)],
    "C": [D(2017, 6, 28), D(2017, 9, 20), D(2018, 3, 15), D(2018, 9, 10)],
    "D": [D(2018, 5, 25), D(2018, 8, 20), D(2019, 2, 10)],
    "E": [D(2017, 10, 30)],
    "F": [D(2017, 5, 15), D(2017, 8, 10), D(2018, 2, 1), D(2018, 7, 30), D(2019, 1, 20)],
}
DOB = "15/06/2008"


def year_return(year: int) -> dict[str, list[dict[str, str]]]:
    """The return of the collection year ending 31 March ``year``, cut from the history."""
    start, end = D(year - 1, 4, 1), D(year, 3, 31)
    episodes, children = [], []
    for child, decom, rne, ls, place, dec, rec in HISTORY:
        if decom > end or (dec is not None and dec < start):
            continue
        if dec is not None and dec > end:  # ends after the year: open in this return
            dec, rec = None, ""
        episodes.append(episode(child, fmt(decom), rne, ls, place, fmt(dec), rec))
        if child not in children:
            children.append(child)
    header = [{"CHILD": c, "SEX": "1", "DOB": DOB, "ETHNIC": "WBRI"} for c in children]
    reviews = [
        review(c, fmt(day), dob=DOB) for c in children for day in REVIEWS[c] if start <= day <= end
    ]
    return {"header": header, "episodes": episodes, "reviews": reviews}


def write(directory: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    for name, rows in tables.items():
        write_csv(directory / FILE_NAMES[name], COLUMNS[name], rows)
    return directory


def records_of(path: Path | list[Path], as_of: D) -> dict[str, Any]:
    """child -> the record as data (events in order, known_from) for comparing inputs."""
    if isinstance(path, list):
        from test_ssda903 import read_all

        items, _ = read_all(path, as_of)
        items = [i for i in items if i.record is not None or i.error is not None]
    else:
        items, _ = read(path, as_of)
    return {
        child: item.record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        for child, item in records(items).items()
        if item.record is not None
    }


def began_before(recs: dict[str, Any]) -> set[str]:
    """Children with a period whose start is not in the data."""
    return {
        child
        for child, data in recs.items()
        for entry in data.get("known_from", [])
        if "became_looked_after" in entry.get("began", [])
    }


def starts_before_reviews(recs: dict[str, Any]) -> set[str]:
    """Children with a period starting before the reviews are known (LA005 not assessable)."""
    out = set()
    for child, data in recs.items():
        known = [e["from"] for e in data.get("known_from", []) if e.get("events") == ["lac_review"]]
        for event in data["events"]:
            if event["type"] == "became_looked_after" and known and event["date"] < known[0]:
                out.add(child)
    return out


@pytest.fixture
def returns(tmp_path: Path) -> dict[str, Path]:
    first, second = year_return(2018), year_return(2019)
    both = {name: first[name] + second[name] for name in first}  # one set of tables, both years
    return {
        "2017-18": write(tmp_path / "903" / "2017-18", first),
        "2018-19": write(tmp_path / "903" / "2018-19", second),
        "parent": tmp_path / "903",
        "one_set": write(tmp_path / "combined", both),
    }


AS_OF = D(2019, 3, 31)


def test_the_cut_is_what_a_return_holds(returns: dict[str, Path]) -> None:
    second = year_return(2019)
    # B's 2018-19 return starts at its August 2017 move; E is not in it at all
    got = [(e["CHILD"], e["DECOM"], e["RNE"]) for e in second["episodes"] if e["CHILD"] == "B"]
    assert got == [
        ("B", "01/08/2017", "P"), ("B", "01/07/2018", "P")
    ]  # fmt: skip
    assert "E" not in {e["CHILD"] for e in second["episodes"]}
    # A's open episode keeps its 2015 DECOM in both returns
    assert [e["DECOM"] for e in year_return(2018)["episodes"] if e["CHILD"] == "A"] == [
        "01/06/2015"
    ]


def test_separate_inputs_one_directory_and_one_set_of_tables_give_the_same_records(
    returns: dict[str, Path],
) -> None:
    separate = records_of([returns["2017-18"], returns["2018-19"]], AS_OF)
    together = records_of(returns["parent"], AS_OF)
    one_set = records_of(returns["one_set"], AS_OF)
    assert separate == together == one_set
    assert sorted(separate) == ["A", "B", "C", "D", "E", "F"]
    # the reviews are known from the start of the earlier year, in all three forms
    for data in separate.values():
        assert data["known_from"][0] == {"from": "2017-04-01", "events": ["lac_review"]}


def test_the_same_findings_whichever_way_the_years_are_given(returns: dict[str, Path]) -> None:
    rules = timescales.load_rules(rules=["LA005", "LA006", "LA007"])

    def findings(path: Path | list[Path]) -> list[dict[str, Any]]:
        out = []
        for data in records_of(path, AS_OF).values():
            record = timescales.ChildRecord.model_validate(data)
            out += [f.to_dict() for f in rules.check(record, as_of=AS_OF).findings]
        return sorted(out, key=lambda f: (f["child"], f["rule"], f["anchor"]))

    separate = findings([returns["2017-18"], returns["2018-19"]])
    assert separate == findings(returns["parent"]) == findings(returns["one_set"])
    assert separate  # something was checked


def test_fewer_periods_begin_before_the_data_than_in_either_year_alone(
    returns: dict[str, Path],
) -> None:
    merged = records_of(returns["parent"], AS_OF)
    first = records_of(returns["2017-18"], D(2018, 3, 31))
    second = records_of(returns["2018-19"], AS_OF)
    # periods whose start is not in the data (no LA005 can be anchored on them)
    assert began_before(second) == {"B", "C"}
    assert began_before(first) == set() and began_before(merged) == set()
    # periods whose first review fell due before the reviews held (LA005 not assessable)
    assert starts_before_reviews(first) == {"A", "B"}
    assert starts_before_reviews(second) == {"A", "F"}
    assert starts_before_reviews(merged) == {"A", "B"}

    def not_assessed(recs: dict[str, Any]) -> int:
        return len(began_before(recs) | starts_before_reviews(recs))

    # merged: 2 of 6 periods cannot have LA005 assessed; 2017-18 alone 2 of 5; 2018-19 alone
    # 4 of 5 (A, F started before its reviews; B, C before its episodes)
    assert (not_assessed(merged), len(merged)) == (2, 6)
    assert (not_assessed(first), len(first)) == (2, 5)
    assert (not_assessed(second), len(second)) == (4, 5)
    assert not_assessed(merged) / len(merged) < min(
        not_assessed(first) / len(first), not_assessed(second) / len(second)
    )


def test_rows_are_counted_once_per_file_and_merged_per_key(returns: dict[str, Path]) -> None:
    _, context = read(returns["parent"], AS_OF)
    first, second = year_return(2018), year_return(2019)
    rows = sum(len(t) for t in first.values()) + sum(len(t) for t in second.values())
    assert totals(context) == (rows, rows, 0)


def test_a_single_year_never_reports_a_review_due_before_its_year(
    returns: dict[str, Path],
) -> None:
    """The 2018-19 return alone: no review finding late, overdue or missing whose due date is
    before 1 April 2018 (those reviews are in the 2017-18 return), and no LA005 for B or C (their
    periods began before the data)."""
    rules = timescales.load_rules(rules=["LA005", "LA006", "LA007"])
    for child, data in records_of(returns["2018-19"], AS_OF).items():
        record = timescales.ChildRecord.model_validate(data)
        for finding in rules.check(record, as_of=AS_OF).findings:
            if finding.status.value in ("late", "overdue"):
                assert finding.due >= D(2018, 4, 1), (child, finding.to_dict())
            assert not (finding.rule == "LA005" and child in ("B", "C")), finding.to_dict()


def test_the_engine_assesses_more_first_reviews_with_both_years(returns: dict[str, Path]) -> None:
    """The engine's own tally of LA005 steps not assessed: 2 with both years (A and B came into
    care before April 2017, the first review the data holds), 2 with 2017-18 alone (the same
    two), 4 with 2018-19 alone (A and F before April 2018; B and C began before its episodes)."""
    rules = timescales.load_rules(rules=["LA005"])

    def tally(path: Path, as_of: D) -> int:
        count = 0
        for data in records_of(path, as_of).values():
            record = timescales.ChildRecord.model_validate(data)
            result = rules.check(record, as_of=as_of)
            count += sum(n for (rule, _), n in result.not_assessed if rule == "LA005")
        return count

    merged = tally(returns["parent"], AS_OF)
    first, second = tally(returns["2017-18"], D(2018, 3, 31)), tally(returns["2018-19"], AS_OF)
    assert (merged, first, second) == (2, 2, 4)
