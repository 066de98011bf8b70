"""One policy for what cannot be read (decisions.md, "Importers"), on the SSDA903 importer: a file
the format does not know is skipped with a warning and a --rejects row; a README is skipped as
documentation with one notice; a known table missing a required column is rejected whole and the
other tables go on; an optional field holding an error value is unknown, noted, and its row used;
only a required field rejects a row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from test_ssda903 import (
    CLEAN,
    COLUMNS,
    EPISODES,
    HEADER,
    REVIEWS,
    episode,
    read_all,
    records,
    totals,
    write_csv,
    write_return,
)

from timescales.importers import ImportContext
from timescales.importers.ssda903 import IMPORTER


def untidy_return(directory: Path) -> Path:
    """The clean return, plus: the reviews table with REVIEW renamed (a required column), a
    stray CSV, a README, and an episode whose DEC (optional) is a spreadsheet's #N/A."""
    episodes = [dict(EPISODES[0], DEC="#N/A"), *EPISODES[1:]]
    write_return(directory, {**CLEAN, "episodes": episodes})
    renamed = ["REVIEW_DATE" if c == "REVIEW" else c for c in COLUMNS["reviews"]]
    write_csv(directory / "reviews.csv", renamed, [
        {("REVIEW_DATE" if k == "REVIEW" else k): v for k, v in r.items()} for r in REVIEWS
    ])  # fmt: skip
    write_csv(directory / "placement_providers.csv", ["URN", "PROVIDER_NAME", "TOWN"], [
        ["SC123456", "Hilltop House", "Preston"], ["SC654321", "Brook Lodge", "Chorley"],
    ])  # fmt: skip
    (directory / "README.txt").write_text("Exported from the case system on 4 April 2018.\n")
    return directory


def test_the_importer_skips_rejects_and_reads_as_the_policy_says(tmp_path: Path) -> None:
    data = untidy_return(tmp_path / "903")
    items, context = read_all(data)

    # the README: documentation, one notice, never a rejection
    documentation = [s for s in context.skipped if s.documentation]
    assert [(s.location.source, s.reason) for s in documentation] == [
        (str(data / "README.txt"), "documentation, not a 903 table; skipped")
    ]
    # the stray CSV (one column, URN, in common with the episodes table, none of what it needs):
    # skipped with a warning
    unknown = [s for s in context.skipped if not s.documentation]
    assert [(s.location.source, s.reason) for s in unknown] == [
        (
            str(data / "placement_providers.csv"),
            "not a 903 table: its 3 columns match none of the 903 tables; skipped",
        )
    ]
    # the reviews table without REVIEW: rejected whole, every row counted, said once
    (table,) = context.tables_rejected
    assert (table.location.source, table.location.line, table.rows, table.code) == (
        str(data / "reviews.csv"), 1, 3, "E408"
    )  # fmt: skip
    assert table.reason == "the 903 reviews table lacks column(s): REVIEW"
    assert not [i for i in items if i.row]  # no row-by-row rejections for it

    # the other tables go on; the episode whose DEC is #N/A is used, its DEC unknown
    (child,) = records(items).values()
    assert child.record is not None
    notes = [(q.code, q.message) for q in child.quality]
    assert (
        "DATA019",
        "episodes row: DEC holds a spreadsheet error value; taken as unknown and the row used",
    ) in notes
    placements = [e.date for e in child.record.events if e.type == "placement_started"]
    assert placements == [dt.date(2017, 5, 2), dt.date(2017, 8, 14)]

    # rows: header 1 + episodes 3 read and used; reviews 3 read and rejected (the table); the
    # skipped files have no rows of their own
    assert totals(context) == (7, 4, 3)
    by_file = {
        Path(s.source).name: (s.rows_read, s.rows_used, s.rows_rejected) for s in context.stats
    }
    assert by_file == {"episodes.csv": (3, 3, 0), "header.csv": (1, 1, 0), "reviews.csv": (3, 0, 3)}
    # with the reviews unread, the input does not carry lac_review: LA005-LA007 not assessable
    assert "lac_review" not in IMPORTER.supplies_for(data)
    assert "became_looked_after" in IMPORTER.supplies_for(data)


def test_the_cli_says_each_once_and_counts_them(cli, tmp_path: Path) -> None:
    data = untidy_return(tmp_path / "903")
    rejects = tmp_path / "rejects.csv"
    res = cli(
        "check", str(data), "--as-of", "2018-03-31", "--rules", "LA005,LA006,LA007",
        "--format", "jsonl", "--rejects", str(rejects),
    )  # fmt: skip
    assert "Traceback" not in res.err
    err = res.err.splitlines()
    assert f"notice: {data / 'README.txt'}: documentation, not a 903 table; skipped" in err
    assert (
        f"skipped: E407 {data / 'placement_providers.csv'}: not a 903 table: its 3 columns match "
        "none of the 903 tables; skipped" in err
    )
    assert (
        f"rejected: E408 {data / 'reviews.csv'}:1: the 903 reviews table lacks column(s): REVIEW; "
        "all 3 rows rejected" in err
    )
    assert err[-1].endswith(
        "rows read 7, used 4, rejected 3; data-quality notes 2; files skipped 1; tables rejected 1"
    )
    # the reviews are not in the input: no review finding at all, never "overdue"
    assert res.out == "" and res.code == 0
    assert "not assessable: LA005: the input does not carry lac_review" in err
    with rejects.open(newline="") as fh:
        rows = [(r["code"], Path(r["source"]).name) for r in csv.DictReader(fh)]
    assert rows == [("E407", "placement_providers.csv"), ("E408", "reviews.csv")]


def test_only_a_required_field_rejects_a_row(tmp_path: Path) -> None:
    """Error values in optional fields (DEC, MIS_END, ad1's dates, a code) leave the row used;
    in a required one (DECOM, REVIEW, the header's DOB) they reject it, naming the column."""
    data = write_return(tmp_path / "903", {
        "header": [*HEADER, {"CHILD": "1002", "SEX": "2", "DOB": "#REF!"}],
        "episodes": [
            *EPISODES,
            episode("1002", "#N/A", "S", "C2", "U3"),
            episode("1002", "01/06/2017", "S", "C2", "#N/A"),
        ],
        "reviews": REVIEWS,
        "missing": [{"CHILD": "1001", "DOB": "", "MISSING": "M", "MIS_START": "01/07/2017",
                     "MIS_END": "#VALUE!"}],
        "ad1": [{"CHILD": "1001", "DATE_INT": "#N/A", "DATE_MATCH": "not yet"}],
    })  # fmt: skip
    items, context = read_all(data)
    rejected = sorted(
        (Path(i.location.source).name, i.location.line, i.error.field, i.error.message)
        for i in items
        if i.row and i.error is not None
    )
    assert rejected == [
        ("episodes.csv", 5, "DECOM", "DECOM holds a spreadsheet error value"),
        ("header.csv", 3, "DOB", "DOB holds a spreadsheet error value"),
    ]
    children = records(items)
    first, second = children["1001"], children["1002"]
    assert second.record is not None and second.record.dob is None
    # PLACE #N/A: the placement is kept with its type unknown
    placed = [e for e in second.record.events if e.type == "placement_started"]
    assert [(e.date, dict(e.attrs)) for e in placed] == [
        (dt.date(2017, 6, 1), {"permanent": False})
    ]
    said = sorted(q.message for q in first.quality if q.code == "DATA019")
    assert said == [
        "ad1 row: DATE_INT holds a spreadsheet error value; taken as unknown and the row used",
        "ad1 row: DATE_MATCH is not a date dd/mm/yyyy (text (7 chars)); taken as unknown and "
        "the row used",
        "missing row: MIS_END holds a spreadsheet error value; taken as unknown and the row used",
    ]
    assert [e.type for e in first.record.events if e.type.startswith("missing")] == [
        "missing_started"
    ]
    # read = used + rejected: 2 rows rejected, every other row used
    assert totals(context) == (12, 10, 2)


def test_a_directory_of_nothing_readable_says_what_it_skipped(tmp_path: Path) -> None:
    data = tmp_path / "903"
    data.mkdir()
    (data / "notes.md").write_text("# notes\n")
    (data / "export.xlsx").write_bytes(b"PK\x03\x04")
    (data / "empty.csv").write_text("")
    (data / "other.xml").write_text("<Message><Children/></Message>")
    context = ImportContext(as_of=dt.date(2018, 3, 31))
    assert list(IMPORTER.read(data, context)) == []
    said = sorted((Path(s.location.source).name, s.documentation) for s in context.skipped)
    assert said == [
        ("empty.csv", False), ("export.xlsx", False), ("notes.md", True), ("other.xml", False)
    ]  # fmt: skip
    assert context.stats == [] and context.tables_rejected == []
