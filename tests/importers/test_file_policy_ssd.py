"""One policy for what cannot be read (decisions.md, "Importers"), on an SSD extract.

The same three cases every importer's file-policy test feeds, with the same counts:

* a file the format does not know: skipped, one E407 ``--rejects`` row, counted in
  ``Summary.files_skipped``, its rows never rows read; a README or notes file is one notice
  (``documentation_skipped``), never a rejection; an SSD table no rule needs (``ssd_contacts``)
  is neither (a DATA043 note: it belongs in an extract);
* a known table missing a required column (renamed): the table is rejected whole, loudly (one
  E408 row and console line), every one of its rows counted read and rejected; the other
  tables go on;
* an error value (``#N/A``) or unreadable text in an optional field: the field is unknown, a
  data-quality note (DATA046), the row is used. Only a required field (the person, the row's
  own date) rejects a row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from shared_checks import reconciled_run
from ssd_extract import COLUMNS, D, write_table

from timescales.importers import ImportContext
from timescales.importers.ssd import SsdImporter
from timescales.pipeline import Pipeline
from timescales.ruleset.pack import load_rules

AS_OF = dt.date(2024, 6, 30)


def run(path: Path) -> Pipeline:
    """The run's own accounting, as ``check`` does it."""
    return reconciled_run(path, "ssd", AS_OF)


def records(path: Path) -> dict[str, Any]:
    items = list(SsdImporter().read(path, ImportContext(as_of=AS_OF)))
    return {i.record.child: i.record for i in items if i.record is not None}


def base(d: Path) -> Path:
    """Two people: one looked after (an episode, a placement, two visits), one assessed."""
    write_table(d, "ssd_person", [{"pers_person_id": "1"}, {"pers_person_id": "2"}])
    write_table(d, "ssd_cla_episodes", [
        {"clae_cla_episode_id": "E1", "clae_person_id": "1", "clae_cla_id": "C1",
         "clae_cla_episode_start_date": D("2024-01-08"), "clae_cla_episode_start_reason": "S",
         "clae_entered_care_date": D("2024-01-08")},
    ])  # fmt: skip
    write_table(d, "ssd_cla_placement", [
        {"clap_cla_placement_id": "P1", "clap_cla_id": "C1", "clap_person_id": "1",
         "clap_cla_placement_start_date": D("2024-01-08"), "clap_cla_placement_type": "U3"},
    ])  # fmt: skip
    write_table(d, "ssd_cla_visits", [
        {"clav_cla_visit_id": "V1", "clav_person_id": "1", "clav_cla_id": "C1",
         "clav_cla_visit_date": D("2024-01-12"), "clav_cla_visit_seen_alone": "Y"},
        {"clav_cla_visit_id": "V2", "clav_person_id": "1", "clav_cla_id": "C1",
         "clav_cla_visit_date": D("2024-02-20"), "clav_cla_visit_seen_alone": "Y"},
    ])  # fmt: skip
    write_table(d, "ssd_cin_assessments", [
        {"cina_assessment_id": "A1", "cina_person_id": "2",
         "cina_assessment_start_date": D("2024-03-01"),
         "cina_assessment_auth_date": D("2024-04-02")},
    ])  # fmt: skip
    return d


# --- files the format does not know --------------------------------------------------------------
def test_an_unknown_file_is_skipped_and_counted_a_readme_is_a_notice(tmp_path: Path) -> None:
    d = base(tmp_path / "x")
    (d / "caseload.csv").write_text("team,open\nNorth,12\nSouth,9\n", encoding="utf-8")
    (d / "extract.log").write_text("started 02:00\n", encoding="utf-8")
    (d / "README.txt").write_text("SSD extract, 30 June 2024\n", encoding="utf-8")
    write_table(d, "ssd_contacts", [{"cont_contact_id": "K1", "cont_person_id": "2"}])
    checker = run(d)
    summary = checker.summary
    assert summary.rows == (7, 7, 0)  # the stray files' lines are no rows read
    assert (summary.files_skipped, summary.documentation_skipped) == (2, 1)
    assert sorted((e.code, Path(e.location.source).name) for e in checker.rejects) == [
        ("E407", "caseload.csv"),
        ("E407", "extract.log"),
    ]
    (notice,) = checker.notices
    assert notice.startswith(f"{d / 'README.txt'}: documentation")
    contacts = [n for n in checker.quality if n.code == "DATA043" and "ssd_contacts" in n.message]
    assert contacts and "does not read" in contacts[0].message
    assert "files skipped 2" in summary.line()


# --- a table missing a required column -----------------------------------------------------------
def test_a_table_with_a_renamed_required_column_is_rejected_whole(cli, tmp_path: Path) -> None:
    d = base(tmp_path / "r")
    columns = [
        "clav_visit_date" if c == "clav_cla_visit_date" else c for c in COLUMNS["ssd_cla_visits"]
    ]
    rows = [
        {"clav_cla_visit_id": "V1", "clav_person_id": "1", "clav_visit_date": "2024-01-12"},
        {"clav_cla_visit_id": "V2", "clav_person_id": "1", "clav_visit_date": "2024-02-20"},
    ]
    write_table(d, "ssd_cla_visits", rows, columns=columns)
    checker = run(d)
    summary = checker.summary
    assert summary.rows == (7, 5, 2)  # the two visits read and rejected; the rest goes on
    assert (summary.tables_rejected, summary.files_skipped, summary.rows_rejected) == (1, 0, 0)
    (table,) = checker.rejects
    assert table.code == "E408" and table.location.source == str(d / "ssd_cla_visits.csv")
    assert "no clav_cla_visit_date column" in str(table) and "all 2 rows rejected" in str(table)
    assert summary.checked == 2
    # loud: on the console, not only in --rejects (it was "rejected 0" and silence before)
    res = cli("check", str(d), "--input-format", "ssd", "--as-of", AS_OF.isoformat())
    assert "ssd_cla_visits has no clav_cla_visit_date column" in res.err
    assert "rows read 7, used 5, rejected 2" in res.err and "tables rejected 1" in res.err


# --- error values -------------------------------------------------------------------------------
def test_error_values_in_optional_fields_leave_them_unknown_and_the_row_used(
    tmp_path: Path,
) -> None:
    d = base(tmp_path / "e")
    write_table(d, "ssd_cla_placement", [
        {"clap_cla_placement_id": "P1", "clap_cla_id": "C1", "clap_person_id": "1",
         "clap_cla_placement_start_date": D("2024-01-08"), "clap_cla_placement_type": "#N/A",
         "clap_cla_placement_end_date": "#REF!"},
    ])  # fmt: skip
    write_table(d, "ssd_cin_assessments", [
        {"cina_assessment_id": "A1", "cina_person_id": "2",
         "cina_assessment_start_date": D("2024-03-01"), "cina_assessment_auth_date": "#N/A"},
        {"cina_assessment_id": "A2", "cina_person_id": "2",
         "cina_assessment_start_date": D("2024-03-04"), "cina_assessment_auth_date": "soon"},
        {"cina_assessment_id": "A3", "cina_person_id": "2",
         "cina_assessment_start_date": "#N/A"},  # the clock's date: the row is rejected
    ])  # fmt: skip
    write_table(d, "ssd_cla_visits", [
        {"clav_cla_visit_id": "V1", "clav_person_id": "1", "clav_cla_id": "C1",
         "clav_cla_visit_date": D("2024-01-12"), "clav_cla_visit_seen_alone": "#N/A"},
        {"clav_cla_visit_id": "V2", "clav_person_id": "1", "clav_cla_id": "C1",
         "clav_cla_visit_date": "#N/A"},  # the visit's own date: rejected
    ])  # fmt: skip
    checker = run(d)
    assert checker.summary.rows == (9, 7, 2)
    assert sorted((Path(e.location.source).name, e.field) for e in checker.rejects) == [
        ("ssd_cin_assessments.csv", "cina_assessment_start_date"),
        ("ssd_cla_visits.csv", "clav_cla_visit_date"),
    ]
    assert all("Excel error value" in str(e) for e in checker.rejects)
    unknown = sorted(
        (n.child, n.source.rsplit(" ", 1)[-1]) for n in checker.quality if n.code == "DATA046"
    )
    assert unknown == [
        ("1", "clap_cla_placement_end_date"),
        ("1", "clap_cla_placement_type"),
        ("1", "clav_cla_visit_seen_alone"),
        ("2", "cina_assessment_auth_date"),
        ("2", "cina_assessment_auth_date"),
    ]
    recs = records(d)
    placement = next(e for e in recs["1"].events if e.type == "placement_started")
    assert placement.attrs.get("placement_type") is None  # unknown, not "#N/A"
    visit = next(e for e in recs["1"].events if e.type == "lac_visit")
    assert visit.attrs.get("seen_alone") is None
    # an unknown authorisation is not "not completed": the assessments are not checked
    assert not [e for e in recs["2"].events if e.type.startswith("assessment")]
    checker = Pipeline(load_rules(), AS_OF)
    found = list(checker.findings(checker.items([d], "ssd")))
    assert [f for f in found if f.rule == "LA002"]  # the rest of the extract is checked
    assert not [f for f in found if f.rule == "AS002"]


# --- where the extract's history begins ----------------------------------------------------------
def test_a_period_whose_first_episode_is_no_new_entry_began_before_the_extract(
    tmp_path: Path,
) -> None:
    d = base(tmp_path / "b")
    write_table(d, "ssd_cla_episodes", [
        {"clae_cla_episode_id": "E1", "clae_person_id": "1", "clae_cla_id": "C1",
         "clae_cla_episode_start_date": D("2024-01-08"), "clae_cla_episode_start_reason": "P"},
        {"clae_cla_episode_id": "E2", "clae_person_id": "2", "clae_cla_id": "C2",
         "clae_cla_episode_start_date": D("2024-02-01"), "clae_cla_episode_start_reason": "P",
         "clae_entered_care_date": D("2021-05-04")},
    ])  # fmt: skip
    recs = records(d)
    one = recs["1"]
    assert [e.type for e in one.events if e.type == "became_looked_after"] == []
    (began,) = one.known_from
    assert (began.from_, began.case, began.began) == (
        dt.date(2024, 1, 8),
        "C1",
        ("became_looked_after",),
    )
    # the entered-care date says when the period began: nothing is missing
    two = recs["2"]
    assert [(e.type, e.date) for e in two.events if e.type == "became_looked_after"] == [
        ("became_looked_after", dt.date(2021, 5, 4))
    ]
    assert two.known_from == ()
