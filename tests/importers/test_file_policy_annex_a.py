"""One policy for what cannot be read (decisions.md, "Importers"), on Ofsted's Annex A.

The same three cases every importer's file-policy test feeds, with the same counts:

* a sheet (or a file in a directory) the format does not know: skipped, one E407 ``--rejects``
  row, counted in ``Summary.files_skipped``; its rows are never rows read; a cover or notes
  sheet is one notice (``documentation_skipped``), never a rejection;
* a known list missing a required column (renamed): the list is rejected whole (one E408 row),
  every one of its rows counted read and rejected; the other lists go on;
* an error value (``#N/A``, ``#REF!``) in an optional field: the field is unknown, a
  data-quality note (DATA038), the row is used. Only a required field (the child, the clock's
  date) rejects a row, naming the cell.

And the current template's shapes: numeric Excel dates in cells not formatted as dates, and
the column names of the template's versions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from annex_workbooks import HEADERS, Sheet, write_csv, write_workbook
from openpyxl import Workbook
from shared_checks import reconciled_run

from timescales.importers import ImportContext
from timescales.importers.annex_a import BY_NUMBER, COMMON, IMPORTER, detect_header
from timescales.importers.annex_a import Cell as AnnexCell
from timescales.pipeline import Pipeline
from timescales.ruleset.pack import load_rules

AS_OF = dt.date(2024, 6, 28)
ID, START, AUTH = (
    "Child Unique ID",
    "Continuous Assessment Start Date",
    "Continuous Assessment Date of Authorisation",
)
LA_START = "Date Started to be Looked After"
COL = {h: chr(65 + i) for i, h in enumerate(HEADERS[4])}  # List 4's column letters


def run(path: Path) -> Pipeline:
    """The run's own accounting, as ``check`` does it."""
    return reconciled_run(path, "annex-a", AS_OF)


def checker_findings(path: Path) -> list[Any]:
    checker = Pipeline(load_rules(), AS_OF)
    return list(checker.findings(checker.items([path], "annex-a")))


def rows(checker: Pipeline) -> tuple[int, int, int]:
    return checker.summary.rows


def codes(checker: Pipeline) -> list[str]:
    return sorted(e.code for e in checker.rejects)


def notes(checker: Pipeline, code: str) -> dict[str, Any]:
    return {n.child: n for n in checker.quality if n.code == code}


def assessments(*rows_: dict[str, Any], **kw: Any) -> Sheet:
    return Sheet("Assessments", 4, list(rows_), **kw)


def looked_after(*rows_: dict[str, Any]) -> Sheet:
    return Sheet("CLA", 8, list(rows_))


# --- an unknown sheet or file; a cover ----------------------------------------------------------
def test_an_unknown_sheet_is_skipped_and_counted_a_cover_is_a_notice(tmp_path: Path) -> None:
    sheets = [
        Sheet(
            "Cover",
            None,
            [{"Annex A": "Prepared 28/06/2024 by the performance team"}],
            headers=["Annex A"],
            title_rows=["Lancashire County Council", "Ofsted ILACS: Annex A"],
        ),
        assessments({ID: "F1", START: dt.date(2024, 1, 8)}),
        Sheet(
            "Pivot",  # a council's own working sheet: columns, but no list's
            None,
            [{"Team": "North", "Open": 12}, {"Team": "South", "Open": 9}],
            headers=["Team", "Open"],
        ),
    ]
    checker = run(write_workbook(tmp_path / "a.xlsx", sheets))
    summary = checker.summary
    assert rows(checker) == (1, 1, 0)  # neither sheet's rows are rows read
    assert (summary.files_skipped, summary.documentation_skipped) == (1, 1)
    (skipped,) = checker.rejects
    assert (skipped.code, skipped.location.source) == ("E407", f"{tmp_path / 'a.xlsx'}#Pivot")
    assert "not an Annex A list" in str(skipped)
    (notice,) = checker.notices
    assert notice.startswith(f"{tmp_path / 'a.xlsx'}#Cover: documentation")
    assert "files skipped 1" in summary.line() and "rejected 0" in summary.line()


def test_an_unknown_file_in_a_directory_is_skipped_a_readme_is_a_notice(tmp_path: Path) -> None:
    folder = tmp_path / "annex"
    folder.mkdir()
    write_csv(folder / "list4.csv", assessments({ID: "F2", START: "08/01/2024"}))
    (folder / "README.md").write_text("# Annex A, June 2024\n", encoding="utf-8")
    (folder / "caseload.csv").write_text("team,open\nNorth,12\n", encoding="utf-8")
    (folder / "extract.sql").write_text("select 1", encoding="utf-8")
    checker = run(folder)
    assert rows(checker) == (1, 1, 0)
    assert checker.summary.files_skipped == 2 and checker.summary.documentation_skipped == 1
    assert codes(checker) == ["E407", "E407"]
    assert {e.location.source for e in checker.rejects} == {
        str(folder / "caseload.csv"),
        str(folder / "extract.sql"),
    }
    assert checker.notices == [
        f"{folder / 'README.md'}: documentation (not an Annex A list): not read"
    ]


# --- a known list missing a required column -----------------------------------------------------
def test_a_list_with_a_renamed_required_column_is_rejected_whole(tmp_path: Path) -> None:
    sheets = [
        assessments(
            {ID: "R1", START: dt.date(2024, 1, 8)},
            {ID: "R2", START: dt.date(2024, 1, 9)},
            {ID: "R3", START: dt.date(2024, 1, 10)},
            rename={START: "Assessment Start"},  # renamed: not a name the template ever used
        ),
        looked_after({ID: "R4", LA_START: dt.date(2024, 1, 2)}),
    ]
    checker = run(write_workbook(tmp_path / "r.xlsx", sheets))
    summary = checker.summary
    assert rows(checker) == (4, 1, 3)  # List 4's three rows read and rejected; List 8 goes on
    assert (summary.tables_rejected, summary.files_skipped) == (1, 0)
    assert summary.rows_rejected == 0  # said once, not row by row
    (table,) = checker.rejects
    assert table.code == "E408" and table.location.source.endswith("#Assessments")
    assert f"no {START!r} column" in str(table) and "all 3 rows rejected" in str(table)
    assert summary.checked == 1  # R4, from List 8


# --- error values -------------------------------------------------------------------------------
def test_na_in_an_optional_column_leaves_it_unknown_and_the_row_used(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Assessments"
    ws.append(HEADERS[4])
    base = [None] * len(HEADERS[4])

    def row(**cells: Any) -> list[Any]:
        out = list(base)
        for name, value in cells.items():
            out[HEADERS[4].index(name)] = value
        return out

    worker, team = "Allocated Worker", "Allocated Team"
    ws.append(row(**{ID: "E1", START: dt.date(2024, 1, 8), worker: "#N/A", team: "Duty"}))
    ws.append(row(**{ID: "E2", START: dt.date(2024, 1, 8), AUTH: "#REF!"}))
    ws.append(row(**{ID: "E3", START: "#N/A"}))  # the clock's date: the row is rejected
    ws.append(row(**{ID: "#N/A", START: dt.date(2024, 1, 8)}))  # the child: likewise
    # real error cells, as a VLOOKUP leaves them (openpyxl writes an "e" cell for these)
    ws[f"{COL[worker]}2"].data_type = "e"
    ws[f"{COL[AUTH]}3"].data_type = "e"
    ws[f"{COL[START]}4"].data_type = "e"
    path = tmp_path / "e.xlsx"
    wb.save(path)
    checker = run(path)
    assert rows(checker) == (4, 2, 2)
    pointers = sorted(e.location.pointer or "" for e in checker.rejects)
    assert pointers == [f"Assessments!{COL[ID]}5", f"Assessments!{COL[START]}4"]
    assert all(e.code == "E310" for e in checker.rejects)
    assert any("holds an Excel error value" in str(e) for e in checker.rejects)
    unknown = notes(checker, "DATA038")
    assert set(unknown) == {"E1", "E2"}
    assert f"Assessments!{COL[worker]}2 (Allocated Worker) holds an Excel error value" in (
        unknown["E1"].message
    )
    # the rows are used: E1's assessment is checked, with its team and no worker. E2's
    # authorisation is unknown, not blank: "not completed" would be a guess, so its assessment
    # is not checked (DATA039), never reported overdue
    items = list(IMPORTER.read(path, ImportContext()))
    recs = {i.record.child: i.record for i in items if i.record is not None}
    assert (recs["E1"].team, recs["E1"].worker) == ("Duty", None)
    assert [e.type for e in recs["E1"].events] == ["assessment_started"]
    assert recs["E2"].events == []
    assert set(notes(checker, "DATA039")) == {"E2"}
    assert {f.child for f in checker_findings(path)} == {"E1"}
    assert "#N/A" not in str([str(e) for e in checker.rejects])


def test_error_text_in_a_csv_export_is_an_error_value(tmp_path: Path) -> None:
    spec = assessments(
        {ID: "C1", START: "08/01/2024", "Allocated Worker": "#N/A", AUTH: "#VALUE!"},
        {ID: "C2", START: "#DIV/0!"},
    )
    checker = run(write_csv(tmp_path / "list4.csv", spec))
    assert rows(checker) == (2, 1, 1)
    (reject,) = checker.rejects
    assert reject.location.pointer == f"{COL[START]}3" and reject.field == START
    (note1, note2) = sorted(
        (n for n in checker.quality if n.code == "DATA038"), key=lambda n: n.message
    )
    assert "(Allocated Worker) holds an Excel error value" in note1.message + note2.message
    assert f"{AUTH}) holds an Excel error value" in note1.message + note2.message


# --- numeric Excel dates ------------------------------------------------------------------------
def test_numeric_dates_in_cells_not_formatted_as_dates(tmp_path: Path) -> None:
    """A date column whose cells are not formatted as dates holds Excel's serial numbers:
    whole (45300 = 2024-01-09), with a time of day (45300.75), or text (a CSV export)."""
    sheets = [
        assessments(
            {ID: "N1", START: 45300, AUTH: 45341.75},  # General-format numbers
            {ID: "N2", START: "45300", AUTH: "45362"},  # numbers stored as text
        ),
        looked_after({ID: "N3", LA_START: 45293.0}),
    ]
    path = write_workbook(tmp_path / "n.xlsx", sheets)
    items = list(IMPORTER.read(path, ImportContext()))
    recs = {i.record.child: i.record for i in items if i.record is not None}
    got = {c: [(e.type, e.date.isoformat()) for e in r.events] for c, r in recs.items()}
    assert got == {
        "N1": [("assessment_started", "2024-01-09"), ("assessment_completed", "2024-02-19")],
        "N2": [("assessment_started", "2024-01-09"), ("assessment_completed", "2024-03-11")],
        "N3": [("became_looked_after", "2024-01-02")],
    }
    csv_path = write_csv(tmp_path / "l4.csv", assessments({ID: "N4", START: "45300"}))
    (record,) = [i.record for i in IMPORTER.read(csv_path, ImportContext()) if i.record]
    assert record.events[0].date == dt.date(2024, 1, 9)
    # a number of another size is not a serial: a four-digit "2024" is no date
    bad = write_csv(tmp_path / "bad.csv", assessments({ID: "N5", START: "2024"}))
    (reject,) = [i.error for i in IMPORTER.read(bad, ImportContext()) if i.error]
    assert "not a date (an Excel date" in str(reject)


# --- the template's column names, version by version --------------------------------------------
def _variants() -> list[tuple[int, str, str]]:
    """Every name (template or alias) of every column the importer reads."""
    out = []
    for number in (4, 5, 7, 8, 9, 10):
        spec = BY_NUMBER[number]
        for column in (*COMMON, *spec.columns):
            if column.kind == "known" or column.key in ("child_id",):
                continue
            for name in (column.label, *column.aliases):
                out.append((number, column.key, name))
    for name in (COMMON[0].label, *COMMON[0].aliases):
        out.append((4, "child_id", name))
    return out


@pytest.mark.parametrize(("number", "key", "name"), _variants())
def test_each_column_name_of_the_templates_is_read(
    tmp_path: Path, number: int, key: str, name: str
) -> None:
    """A sheet of one list whose column carries this name (and the list's other columns their
    template names): the column is read into the same field."""
    spec = BY_NUMBER[number]
    template = {c.key: c.label for c in (*COMMON, *spec.columns)}
    header = [template[c.key] for c in (*COMMON, *spec.columns)]
    header[list(template).index(key)] = name
    found = detect_header([[AnnexCell(h) for h in header]])
    assert found is not None and found.spec.number == number
    assert found.columns[key] == list(template).index(key)
    assert not found.missing
