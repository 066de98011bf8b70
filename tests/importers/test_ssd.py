"""The Standard Safeguarding Dataset (SSD) importer: synthetic extracts in the spec's layout
(dirty rows included), the mapping onto canonical events and the quirks decisions.md fixes,
the rules it makes assessable (and not), council due dates as data quality, rejects with file,
row and field, the role map, bucketed grouping, and speed. Every test checks that counts
reconcile."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from shared_checks import reconciled as shared_reconciled
from ssd_extract import AS_OF, COLUMNS, D, full_extract, large_extract, write_extract, write_table

from conftest import run_module
from timescales.errors import InputError, UsageError
from timescales.findings import DATA_QUALITY_CODES
from timescales.importers import ImportContext, Item, detect
from timescales.importers.ssd import (
    HISTORY_ENV,
    IMPORTER,
    QUALITY_CODES,
    SUPPLIES,
    TABLES,
    SsdImporter,
    parse_date,
    tables_for,
)
from timescales.importers.ssd_roles import ROLES_ENV, role_map
from timescales.records import NATIONAL_EVENT_TYPES, ChildRecord

ASSESSED = [
    "LA001", "LA002", "LA003", "LA004", "LA005", "LA006", "LA007", "LA008", "LA009", "LA010",
    "LA013", "CP001", "CP002", "CP003", "CP004", "AS001", "AS002", "AD001", "AD002",
]  # fmt: skip


# ----------------------------------------------------------------------------- helpers


def read(
    path: Path, importer: SsdImporter | None = None, as_of: str = AS_OF
) -> tuple[list[Item], ImportContext]:
    """Import through the API and check the reconciliation every importer owes."""
    context = ImportContext(as_of=dt.date.fromisoformat(as_of))
    items = list((importer or SsdImporter()).read(path, context))
    assert context.stats, "rows are counted"
    for stats in context.stats:
        assert stats.reconciles(), stats
    # every rejected row is reported once, as a row reject with its place
    assert sum(s.rows_rejected for s in context.stats) == sum(1 for i in items if i.row)
    assert not [i for i in items if i.error is not None and not i.row]  # no child rejected
    for record in records(items):  # what the mapping makes is valid canonical data
        assert ChildRecord.model_validate(record.model_dump()) == record
    return items, context


def records(items: list[Item]) -> list[ChildRecord]:
    return [i.record for i in items if i.record is not None]


def by_child(items: list[Item]) -> dict[str, ChildRecord]:
    return {r.child: r for r in records(items)}


def events(record: ChildRecord, etype: str) -> list[tuple[Any, ...]]:
    return [
        (e.date.isoformat(), e.ref, e.case, dict(e.attrs)) for e in record.events if e.type == etype
    ]


def rejects(items: list[Item]) -> list[Item]:
    return [i for i in items if i.error is not None]


def quality(items: list[Item]) -> list[Any]:
    return [q for i in items for q in i.quality]


def codes(items: list[Item]) -> list[str]:
    return sorted(q.code for q in quality(items))


def stats(context: ImportContext) -> dict[str, tuple[int, int, int]]:
    return {Path(s.source).stem: (s.rows_read, s.rows_used, s.rows_rejected) for s in context.stats}


def reconciled(err: str) -> dict[str, int]:
    """The CLI's summary line: children and rows both reconcile; no traceback."""
    return shared_reconciled(err, rows_needed=True)


def findings(out: str) -> list[tuple[str, str, str | None, str, str, str]]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [(f["child"], f["rule"], f["ref"], f["anchor"], f["due"], f["status"]) for f in rows]


def not_assessable(err: str) -> dict[str, str]:
    return dict(re.findall(r"^not assessable: (\w+): (.*)$", err, re.M))


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    return write_extract(tmp_path / "ssd", full_extract())


# ----------------------------------------------------------------------------- the mapping


def test_full_extract_maps_onto_canonical_events(extract: Path) -> None:
    items, context = read(extract)
    kids = by_child(items)
    assert sorted(kids) == ["1001", "1002", "1003", "1004", "1005", "1006"]
    la = kids["1001"]
    assert la.dob == D("2015-05-10")
    # one period (X1 chains E1-E3); no end: the last episode is open
    assert events(la, "became_looked_after") == [("2023-01-09", "CLA1", "CLA1", {})]
    assert events(la, "ceased_looked_after") == []
    # placements from ssd_cla_placement only: the L episode (E2) is no new placement
    assert events(la, "placement_started") == [
        ("2023-01-09", "PL1", "CLA1", {"placement_type": "U3", "permanent": False}),
        ("2023-09-04", "PL2", "CLA1", {"placement_type": "U1", "permanent": True}),
    ]
    visits = events(la, "lac_visit")
    # the duplicate row and the same-day visit under another id count once (seen alone once)
    assert [v[0] for v in visits].count("2023-04-10") == 1
    assert ("2023-04-10", None, "CLA1", {"seen_alone": True}) in visits
    # the visit with no period id is placed by date
    assert ("2024-01-05", None, "CLA1", {"seen_alone": True}) in visits
    assert len(visits) == 13  # 16 rows: a duplicate, a second id the same day, a rejected date
    # reviews without a person column reach 1001 through clar_cla_id; cancelled and not-yet-held
    # reviews are no events
    assert [r[0] for r in events(la, "lac_review")] == [
        "2023-02-03", "2023-05-04", "2023-10-30", "2024-04-20"
    ]  # fmt: skip
    assert all(r[2] == "CLA1" for r in events(la, "lac_review"))
    assert events(la, "care_plan") == [("2023-01-12", None, "CLA1", {})]
    assert events(la, "permanence_plan") == [("2023-01-12", None, "CLA1", {})]
    assert events(la, "health_assessment") == [
        ("2023-02-01", None, "CLA1", {"kind": "initial"}),
        ("2024-01-25", None, "CLA1", {"kind": "review"}),
    ]
    assert events(la, "dental_check") == [("2023-03-01", None, "CLA1", {})]
    assert events(la, "iro_assigned") == [("2023-01-11", None, "CLA1", {"iro": "P900"})]
    assert events(la, "legal_status_started") == [("2023-01-09", "LS1", None, {"code": "C2"})]
    assert events(la, "missing_returned") == [("2024-02-02", "M1", None, {})]
    # the social worker open at as_of, with the team's name from ssd_department
    assert (la.team, la.worker) == ("South Children in Care", "P101")

    cp = kids["1002"]
    assert events(cp, "referral") == [("2024-01-10", "RF2", "RF2", {})]
    assert events(cp, "assessment_completed") == [("2024-02-20", "A2", "RF2", {})]
    assert events(cp, "strategy_discussion") == events(cp, "s47_started")
    assert events(cp, "icpc") == [
        ("2024-02-08", "S2", "RF2", {}),
        # S3 ended with no conference wanted (CP_CONFERENCE_FLAG N) and no ICPC row names it
        ("2024-03-10", "S3", "RF2", {"not_required": True}),
    ]
    assert events(cp, "cp_review") == [("2024-05-01", "CPP2", "RF2", {})]
    # a CP visit with a blank plan id is placed in the plan open on its date
    assert events(cp, "cp_visit") == [("2024-02-20", "CPP2", "RF2", {"seen_alone": False})]
    assert (cp.team, cp.worker) == ("North Children in Care", "P102")  # a description code

    adopted = kids["1003"]
    assert events(adopted, "ceased_looked_after") == [("2024-02-01", None, "CLA3", {})]
    assert [e[:3] for e in events(adopted, "placement_order")] == [("2022-09-01", "PM3", "CLA3")]
    assert [e[:3] for e in events(adopted, "adoption_match")] == [("2022-12-20", "PM3", "CLA3")]
    assert [e[:3] for e in events(adopted, "placed_for_adoption")] == [("2023-03-01", None, "CLA3")]

    # a care plan and an IRO from before the period, still in force, count from its start
    lt = kids["1006"]
    assert events(lt, "permanence_plan") == [
        ("2022-02-25", None, None, {}),
        ("2022-03-01", None, "CLA6", {}),
    ]
    assert events(lt, "iro_assigned") == [
        ("2021-12-01", None, None, {"iro": "P902"}),
        ("2022-03-01", None, "CLA6", {"iro": "P902"}),
    ]
    assert kids["1004"].events == []
    assert events(kids["1005"], "lac_visit") == [("2024-03-01", None, None, {"seen_alone": True})]
    assert {e.type for r in kids.values() for e in r.events} <= SUPPLIES

    counts = stats(context)
    assert counts["ssd_cla_visits"] == (26, 25, 1)
    assert counts["ssd_cla_reviews"] == (14, 13, 1)
    assert counts["ssd_person"] == (5, 5, 0)
    assert "ssd_contacts" not in counts  # a table no rule needs is not read


def test_supplies_are_national_event_types() -> None:
    assert set(NATIONAL_EVENT_TYPES) >= SUPPLIES
    assert tables_for({"lac_visit", "iro_assigned"}) == {
        "iro_assigned": ["ssd_involvements"],
        "lac_visit": ["ssd_cla_visits"],
    }


def test_rejects_name_table_file_row_and_field(extract: Path) -> None:
    items, _ = read(extract)
    found = sorted((Path(i.location.source).name, i.location.line, i.error.field,
                    i.error.message) for i in rejects(items))  # fmt: skip
    assert found == [
        ("ssd_cla_reviews.csv", 8, "clar_cla_id",
         "ssd_cla_reviews row not used: no person: clar_cla_person_id is blank or absent and "
         "clar_cla_id matches no period of care read so far (ssd_cla_episodes, "
         "ssd_cla_placement, ssd_cla_visits)"),
        ("ssd_cla_visits.csv", 17, "clav_cla_visit_date",
         "ssd_cla_visits row not used: clav_cla_visit_date is not a real calendar date"),
    ]  # fmt: skip
    assert all(i.row for i in rejects(items))
    # messages never echo values
    assert "2023-13-45" not in str([i.error for i in rejects(items)])


def test_quality_notes(extract: Path) -> None:
    items, _ = read(extract)
    notes = quality(items)
    got = codes(items)
    assert got.count("DATA042") == 2  # the duplicate row, the same-day visit
    assert got.count("DATA040") == 5
    dup = [n for n in notes if n.code == "DATA042"]
    assert dup[0].source.endswith("ssd_cla_visits.csv:5")
    orphan = [n for n in notes if n.code == "DATA045"]
    assert [(n.child, "not in ssd_person" in n.message) for n in orphan] == [("1005", True)]
    files = {n.code: n.message for n in notes if n.child == "(file)" and n.code != "DATA041"}
    assert "XYZ" in files["DATA044"] and "(1)" in files["DATA044"]
    absent = [n.message for n in notes if n.child == "(file)" and n.code == "DATA043"]
    assert any("ssd_contacts.csv is an SSD table this importer does not read" in m for m in absent)
    idle = [n.message for n in notes if n.code == "DATA048"]
    assert "ssd_cla_reviews: rows used but no events: 1 cancelled reviews (not counted); 1 " \
        "reviews not yet held (no date)" in idle  # fmt: skip
    assert set(got) <= set(QUALITY_CODES)


def test_council_due_dates_are_compared_never_used(cli, extract: Path, tmp_path: Path) -> None:
    dq = tmp_path / "dq.jsonl"
    res = cli("check", str(extract), "--input-format", "ssd", "--as-of", AS_OF,
              "--format", "jsonl", "--data-quality", str(dq))  # fmt: skip
    reconciled(res.err)
    notes = [json.loads(line) for line in dq.read_text().splitlines()]
    summary = {n["message"].split(" differs")[0]: n["message"] for n in notes
               if n["code"] == "DATA041"}  # fmt: skip
    reviews = summary["ssd_cla_reviews.clar_cla_review_due_date"]
    assert "+ 91 days instead of 3 months in 1" in reviews
    assert "+ 183 days instead of 6 months in 1" in reviews
    assert "in 2 of 5 rows with a due date (40%)" in reviews
    icpc = summary["ssd_initial_cp_conference.icpc_icpc_target_date"]
    assert "one working day earlier (inclusive counting" in icpc
    cp = summary["ssd_cp_reviews.cppr_cp_review_due"]
    assert "the start" not in cp and "+ 91 days instead of 3 months in 1" in cp
    row = next(n for n in notes if n["code"] == "DATA040" and n["ref"] == "S2")
    assert row["date"] == "2024-02-02" and "our due date 2024-02-05" in row["message"]
    assert row["source"].endswith("ssd_initial_cp_conference.csv:2 icpc_icpc_target_date")
    # our due dates stand: the second review is due 3 months after the first, not 91 days
    got = findings(res.out)
    assert ("1001", "LA006", "CLA1", "2023-02-03", "2023-05-03", "late") in got
    assert ("1002", "CP002", "S2", "2024-01-15", "2024-02-05", "late") in got


# ----------------------------------------------------------------------------- the rules


def test_full_extract_assesses_the_rules(cli, extract: Path) -> None:
    res = cli("check", str(extract), "--input-format", "ssd", "--as-of", AS_OF,
              "--format", "jsonl")  # fmt: skip
    assert res.code == 1, res.err  # there are late and overdue findings
    counts = reconciled(res.err)
    assert counts == {"read": 6, "checked": 6, "rejected": 0, "rows": 84, "rows_used": 82,
                      "rows_rejected": 2}  # fmt: skip
    got = findings(res.out)
    rules = {f[1] for f in got}
    missing = [r for r in ASSESSED if r not in rules]
    assert not missing, missing
    why = not_assessable(res.err)
    assert not set(why) & {*ASSESSED, "IR001", "LA020"}
    # what the SSD cannot carry is said, once each, with what is missing
    assert why["MI001"] == "the input does not carry return_interview"
    assert why["CL002"] == "the input does not carry needs_assessment"
    assert why["LA011"] == "the input does not carry pep"
    assert "read as" not in res.err  # only said under auto
    expected = [
        ("1001", "LA001", "CLA1", "2023-01-09", "2023-01-23", "met"),
        ("1001", "LA002", "PL1", "2023-01-09", "2023-01-16", "met"),
        ("1001", "LA003", "PL1", "2023-02-20", "2023-04-03", "late"),
        # the changeover-day visit closes PL1's chain and meets PL2's first visit
        ("1001", "LA003", "PL1", "2023-08-08", "2023-09-19", "met"),
        ("1001", "LA002", "PL2", "2023-09-04", "2023-09-11", "met"),
        # the visit with no period id counts (placed by date)
        ("1001", "LA003", "PL2", "2023-11-30", "2024-01-11", "met"),
        ("1001", "LA003", "PL2", "2024-05-01", "2024-06-12", "overdue"),
        ("1001", "LA005", "CLA1", "2023-01-09", "2023-02-06", "met"),
        # the review cancelled on 2023-05-02 does not count: the second came a day late
        ("1001", "LA006", "CLA1", "2023-02-03", "2023-05-03", "late"),
        ("1001", "LA007", "CLA1", "2024-04-20", "2024-10-20", "pending"),
        ("1001", "LA008", "CLA1", "2023-01-09", "2023-05-03", "met"),
        ("1001", "LA009", "CLA1", "2023-01-09", "2023-02-06", "met"),
        ("1001", "LA010", "CLA1", "2023-02-01", "2024-02-01", "met"),
        ("1001", "LA013", "CLA1", "2023-01-09", "2023-01-16", "met"),
        ("1002", "AS001", "RF2", "2024-01-10", "2024-03-13", "met"),
        ("1002", "AS002", "A2", "2024-01-11", "2024-03-14", "met"),
        ("1002", "CP001", "S2", "2024-01-15", "2024-02-05", "late"),
        ("1002", "CP003", "CPP2", "2024-02-08", "2024-05-08", "met"),
        ("1002", "CP004", "CPP2", "2024-05-01", "2024-11-01", "pending"),
        ("1003", "AD001", "CLA3", "2022-01-05", "2023-03-07", "met"),
        ("1003", "AD002", "PM3", "2022-09-01", "2022-12-31", "met"),
        ("1003", "LA013", "CLA3", "2022-01-05", "2022-01-12", "late"),
        # long-term fostering after its first year: 3 months (LA004)
        ("1006", "LA003", "PL6", "2022-09-01", "2022-10-13", "late"),
        ("1006", "LA004", "PL6", "2023-03-10", "2023-06-10", "met"),
        ("1006", "LA004", "PL6", "2023-06-01", "2023-09-01", "late"),
        ("1006", "LA004", "PL6", "2024-03-10", "2024-06-10", "overdue"),
        # a plan and an IRO from before the period count from its start
        ("1006", "LA001", "CLA6", "2022-03-01", "2022-03-15", "met"),
        ("1006", "LA008", "CLA6", "2022-03-01", "2022-06-15", "met"),
        ("1006", "LA013", "CLA6", "2022-03-01", "2022-03-08", "met"),
    ]
    for finding in expected:
        assert finding in got, finding
    # S3 needed no conference: no CP001/CP002 for it; no LA003/LA004 before a first visit
    assert not [f for f in got if f[2] == "S3"]
    assert ("1001", "LA003", "PL2", "2023-09-04", "2023-10-16", "met") in got  # from that visit
    assert not [
        f for f in got if f[1] in ("LA003", "LA004") and f[3] in ("2022-01-05", "2023-03-01")
    ]
    # the rows of the largest extract, per table, for the closing note
    assert len([f for f in got if f[1] == "LA002"]) == 5


def test_auto_detects_ssd_and_says_so(extract: Path) -> None:
    # a subprocess: the real entry point, stderr checked for tracebacks
    res = run_module(["check", str(extract), "--as-of", AS_OF, "--format", "jsonl"])
    assert res.code == 1, res.err
    assert f"input: {extract} read as ssd" in res.err
    reconciled(res.err)
    assert {f[1] for f in findings(res.out)} >= set(ASSESSED)
    assert detect(extract).name == "ssd"


@pytest.mark.parametrize(
    ("absent", "rules"),
    [
        ({"ssd_cla_visits"}, {"LA002": "lac_visit", "LA003": "lac_visit",
                              "LA004": "lac_visit", "LA020": "lac_visit"}),
        ({"ssd_cla_reviews"}, {"LA005": "lac_review", "LA006": "lac_review",
                               "LA007": "lac_review", "LA008": "lac_review"}),
        ({"ssd_involvements"}, {"LA013": "iro_assigned", "IR001": "iro_assigned"}),
        ({"ssd_cla_episodes"}, {"LA001": "became_looked_after", "LA005": "became_looked_after",
                                "AD001": "became_looked_after", "LA009": "became_looked_after"}),
        ({"ssd_cp_reviews", "ssd_s47_enquiry"}, {"CP003": "cp_review", "CP001":
                                                 "strategy_discussion"}),
    ],
)  # fmt: skip
@pytest.mark.parametrize("fmt", ["auto", "ssd"])  # explicit too: supplies come per input
def test_absent_tables_make_rules_not_assessable(
    cli, tmp_path: Path, absent: set[str], rules: dict[str, str], fmt: str
) -> None:
    tables = {k: v for k, v in full_extract().items() if k not in absent}
    path = write_extract(tmp_path / "part", tables)
    importer = SsdImporter()
    assert not importer.supplies_for(path) & {
        e for t in absent for e in SUPPLIES if t in tables_for({e})[e]
    }
    res = cli("check", str(path), "--as-of", AS_OF, "--format", "jsonl", "--input-format", fmt,
              "--data-quality", str(tmp_path / "dq.jsonl"))  # fmt: skip
    assert fmt == "ssd" or "read as ssd" in res.err
    reconciled(res.err)
    why = not_assessable(res.err)
    for rule, needs in rules.items():
        assert rule in why, (rule, res.err)
        assert needs in why[rule], (rule, why[rule])
    assert not {f[1] for f in findings(res.out)} & set(rules)  # never reported overdue
    # the data-quality notes name the table that would make them assessable
    notes = [json.loads(x)["message"] for x in (tmp_path / "dq.jsonl").read_text().splitlines()]
    for table in absent:
        assert any(m.startswith(f"no {table} table: no ") for m in notes), notes


def test_sniffed_supplies_follow_the_directory(extract: Path, tmp_path: Path) -> None:
    episodes = full_extract()["ssd_cla_episodes"]
    part = write_extract(tmp_path / "part", {"ssd_cla_episodes": episodes})
    importer = SsdImporter()
    assert importer.supplies == SUPPLIES  # nothing sniffed: every table assumed
    assert importer.sniff(part)
    assert importer.supplies == {"became_looked_after", "ceased_looked_after"}
    read(part, importer)  # reading it settles it
    assert importer.supplies == SUPPLIES
    assert importer.supplies_for(extract) == SUPPLIES


def test_convert_writes_canonical_json_lines_with_iro_assigned(extract: Path) -> None:
    res = run_module(["convert", "--input-format", "ssd", str(extract)])
    assert res.code == 0, res.err
    assert "Traceback" not in res.err
    assert "records read 6, written 6, rejected 0; rows rejected 2" in res.err
    lines = [json.loads(line) for line in res.out.splitlines()]
    assert [r["child"] for r in lines] == ["1001", "1002", "1003", "1004", "1005", "1006"]
    iro = {r["child"]: [e for e in r.get("events", []) if e["type"] == "iro_assigned"]
           for r in lines}  # fmt: skip
    assert iro["1001"] == [{"type": "iro_assigned", "date": "2023-01-11", "case": "CLA1",
                            "attrs": {"iro": "P900"}}]  # fmt: skip
    assert [e["attrs"]["iro"] for e in iro["1003"]] == ["P901"]
    for record in lines:  # the output reads back as canonical records
        ChildRecord.model_validate(record)


def test_ir001_sees_the_iro_holding_each_open_period(extract: Path) -> None:
    from timescales.ruleset.pack import load_rules

    ruleset = load_rules()
    items, _ = read(extract)
    held = {
        r.child: ruleset.check(r, as_of=dt.date.fromisoformat(AS_OF)).iro for r in records(items)
    }
    # 1003 left care; 1002 is not looked after; the rest hold their IRO
    assert held == {"1001": "P900", "1002": None, "1003": None, "1004": None, "1005": None,
                    "1006": "P902"}  # fmt: skip


# ----------------------------------------------------------------------------- dirty input


def test_dirty_exports_are_read(tmp_path: Path) -> None:
    """What councils' exports produce: no BOM, UTF-16, dd/mm/yyyy text, blank for NULL, a tab
    separator, upper-case and bracketed column names, sqlcmd's underline and footer, an
    unquoted json split at its commas, SQL Server's 1900-01-01, odd flags, an earlier release's
    column names."""
    d = tmp_path / "dirty"
    d.mkdir()
    person = "\r\n".join([
        "[PERS_PERSON_ID],PERS_DOB,pers_expected_dob",
        "-----,-----,-----",
        "7001,10/05/2015,NULL",
        "7002,,2024-09-01",
        "7003,31/31/2015,NULL",
        ",,",
        "",
        "(2 rows affected)",
    ])  # fmt: skip
    (d / "person.csv").write_text(person, encoding="utf-8")
    episodes = "\t".join(["clae_cla_episode_id", "clae_person_id", "clae_cla_id",
                          "clae_cla_episode_start", "clae_cla_episode_ceased",
                          "clae_cla_episode_cease_reason", "clae_entered_care_date"])  # fmt: skip
    episodes += "\nE1\t7001\tP1\t2024-01-15 09:30:00.123\t\t\t2024-01-15T00:00:00\n"
    (d / "episodes.txt").write_bytes(b"\xff\xfe" + episodes.encode("utf-16-le"))
    visits = COLUMNS["ssd_cla_visits"]
    write_table(d, "ssd_cla_visits", [
        {"clav_cla_visit_id": "V1", "clav_cla_id": "P1", "clav_person_id": "7001",
         "clav_cla_visit_date": "2024-01-19", "clav_cla_visit_seen_alone": "Yes"},
        {"clav_cla_visit_id": "V2", "clav_cla_id": "", "clav_person_id": "7001",
         "clav_cla_visit_date": "20240220", "clav_cla_visit_seen_alone": "maybe"},
    ], bom=False, null="", columns=visits)  # fmt: skip
    plan = ("lacp_table_id,lacp_person_id,lacp_cla_care_plan_start_date,"
            "lacp_cla_care_plan_end_date,lacp_cla_care_plan_json\n"
            'CP1,7001,2024-01-16,1900-01-01,{"REMAINSUP":"N","ADOPTION":"Y"}\n')  # fmt: skip
    (d / "ssd_cla_care_plan.csv").write_text(plan, encoding="utf-8")
    items, context = read(d)
    kids = by_child(items)
    assert kids["7001"].dob == D("2015-05-10")
    assert kids["7002"].dob is None and kids["7002"].expected_dob == D("2024-09-01")
    assert kids["7003"].dob is None  # not a date: dropped (DATA046), the person is kept
    rec = kids["7001"]
    assert events(rec, "became_looked_after") == [("2024-01-15", "P1", "P1", {})]
    assert events(rec, "lac_visit") == [
        ("2024-01-19", None, "P1", {"seen_alone": True}),
        ("2024-02-20", None, "P1", {}),  # blank period id: by date; "maybe" is no answer
    ]
    # the unquoted json was joined again; its plan (ADOPTION) is a permanence plan
    assert events(rec, "permanence_plan") == [("2024-01-16", None, "P1", {})]
    assert not rejects(items)
    notes = quality(items)
    assert sorted((n.child, n.source.rsplit(" ", 1)[-1]) for n in notes if n.code == "DATA046") == [
        ("7001", "clav_cla_visit_seen_alone"), ("7003", "pers_dob")]  # fmt: skip
    assert any("1900-01-01 dates read as blank" in n.message for n in notes)
    assert stats(context)["person"] == (3, 3, 0)  # underline, footer, blank lines: no rows


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-01-15", "2024-01-15"),
        ("2024-01-15 00:00:00.000", "2024-01-15"),
        ("2024-01-15 13:45:12.1234567", "2024-01-15"),
        ("2024-01-15T00:00:00", "2024-01-15"),
        ("2024-1-5", "2024-01-05"),
        ("15/01/2024", "2024-01-15"),
        ("5/1/2024 00:00", "2024-01-05"),
        ("2024/01/15", "2024-01-15"),
        ("20240115", "2024-01-15"),
        ("NULL", None),
        ("null", None),
        ("  ", None),
    ],
)
def test_date_formats(text: str, day: str | None) -> None:
    value = parse_date(text)
    assert (dt.date.fromordinal(value).isoformat() if value is not None else None) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-02-30", "not a real calendar date"),
        ("31/02/2024", "not a real calendar date"),
        ("01/13/2024", "not a real calendar date"),  # US month/day: not read as dd/mm
        ("Jan 15 2024", "not a date"),
        ("15-01-24", "not a date"),
    ],
)
def test_bad_dates(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_row_level_rejects(cli, tmp_path: Path) -> None:
    d = tmp_path / "rej"
    write_table(
        d,
        "ssd_person",
        [
            {"pers_person_id": "1", "pers_dob": D("2015-01-01")},
            {"pers_person_id": None, "pers_dob": D("2015-01-01")},
        ],
    )
    write_table(d, "ssd_cla_episodes", [
        {"clae_cla_episode_id": "E1", "clae_person_id": "1", "clae_cla_id": "C1",
         "clae_cla_episode_start_date": D("2024-01-10"),
         "clae_cla_episode_ceased_date": D("2024-01-01"), "clae_cla_episode_ceased_reason": "E3"},
        {"clae_cla_episode_id": "E2", "clae_person_id": "1", "clae_cla_id": "C2",
         "clae_cla_episode_start_date": D("2024-02-10")},
        # the same id with other content: the first is used
        {"clae_cla_episode_id": "E2", "clae_person_id": "1", "clae_cla_id": "C2",
         "clae_cla_episode_start_date": D("2024-02-11")},
        {"clae_cla_episode_id": "E3", "clae_person_id": "1", "clae_cla_id": None,
         "clae_cla_episode_start_date": D("2024-02-11")},
    ])  # fmt: skip
    with (d / "ssd_cla_episodes.csv").open("a", encoding="utf-8") as fh:
        fh.write("E4,1,,2024-03-01\r\n")  # too few fields
    rej = tmp_path / "rejects.csv"
    res = cli("check", str(d), "--input-format", "ssd", "--as-of", AS_OF, "--format", "jsonl",
              "--rejects", str(rej))  # fmt: skip
    counts = reconciled(res.err)
    assert counts["rows"] == 7 and counts["rows_rejected"] == 5
    with rej.open() as fh:
        rows = list(csv.DictReader(fh))
    got = [(Path(r["source"]).name, r["line"], r["field"], r["reason"]) for r in rows]
    assert (
        "ssd_person.csv",
        "3",
        "pers_person_id",
        "ssd_person row not used: pers_person_id is blank (required)",
    ) in got
    assert (
        "ssd_cla_episodes.csv",
        "2",
        "clae_cla_episode_ceased_date",
        "ssd_cla_episodes row not used: clae_cla_episode_ceased_date is before "
        "clae_cla_episode_start_date",
    ) in got
    assert (
        "ssd_cla_episodes.csv",
        "5",
        "clae_cla_id",
        "ssd_cla_episodes row not used: clae_cla_id is blank (required)",
    ) in got
    assert (
        "ssd_cla_episodes.csv",
        "6",
        "",
        "ssd_cla_episodes row not used: the row has 4 fields; the header has 12",
    ) in got
    dup = next(g for g in got if g[1] == "4")
    assert dup[2] == "clae_cla_episode_id" and "different content; the first row is used" in dup[3]
    assert "(the first" not in dup[3] and "ssd_cla_episodes.csv:3" in dup[3]  # fmt: skip


def test_periods_x1_and_ending_reasons(tmp_path: Path) -> None:
    d = tmp_path / "x1"
    write_table(d, "ssd_cla_episodes", [
        # A: X1 then an ending reason: one period, ended
        _ep("A1", "1", "PA", "2023-01-02", "2023-03-01", "X1", entered="2023-01-02"),
        _ep("A2", "1", "PA", "2023-03-01", "2023-06-01", "E13"),
        # B: the last episode ceased X1 with nothing after it: taken as open
        _ep("B1", "1", "PB", "2023-07-01", "2023-08-01", "X1"),
        # C: an ending reason mid-period (clae_cla_id says it goes on); the Liquidlogic
        # description of X1 counts as X1
        _ep("C1", "2", "PC", "2023-01-02", "2023-02-01", "E4A"),
        _ep("C2", "2", "PC", "2023-02-01", "2023-04-01",
            "Episode ceases, and new episode begins on same day, for any reason"),
        _ep("C3", "2", "PC", "2023-04-01", None, None),
    ])  # fmt: skip
    items, _ = read(d)
    kids = by_child(items)
    assert events(kids["1"], "ceased_looked_after") == [("2023-06-01", None, "PA", {})]
    assert [e[:2] for e in events(kids["1"], "became_looked_after")] == [
        ("2023-01-02", "PA"), ("2023-07-01", "PB")
    ]  # fmt: skip
    assert events(kids["2"], "ceased_looked_after") == []
    notes = [n for n in quality(items) if n.code == "DATA047"]
    assert [(n.child, n.ref) for n in notes] == [("1", "PB"), ("2", "PC")]


def _ep(eid: str, person: str, cla: str, start: str, end: str | None, reason: str | None,
        entered: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"clae_cla_episode_id": eid, "clae_person_id": person, "clae_cla_id": cla,
            "clae_cla_episode_start_date": D(start),
            "clae_cla_episode_ceased_date": D(end) if end else None,
            "clae_cla_episode_ceased_reason": reason,
            "clae_entered_care_date": D(entered) if entered else None}  # fmt: skip


def test_table_lacking_a_column_is_not_read(tmp_path: Path) -> None:
    d = tmp_path / "lack"
    write_table(d, "ssd_person", [{"pers_person_id": "1"}])
    cols = [c for c in COLUMNS["ssd_cla_visits"] if c != "clav_cla_visit_date"]
    write_table(d, "ssd_cla_visits", [{"clav_cla_visit_id": "V1", "clav_person_id": "1"}],
                columns=cols)  # fmt: skip
    importer = SsdImporter()
    assert importer.supplies_for(d) == frozenset()
    context = ImportContext(as_of=dt.date.fromisoformat(AS_OF))
    list(importer.read(d, context))
    # rejected whole, said once (E408), its row counted read and rejected; the others go on
    visits = str(d / "ssd_cla_visits.csv")
    assert stats(context) == {"ssd_person": (1, 1, 0), "ssd_cla_visits": (1, 0, 1)}
    (table,) = context.tables_rejected
    assert (table.location.source, table.rows, table.code) == (visits, 1, "E408")
    assert "ssd_cla_visits has no clav_cla_visit_date column" in table.reason


def test_sniff_and_unreadable_inputs(tmp_path: Path, extract: Path) -> None:
    assert IMPORTER.sniff(extract) is True
    assert SsdImporter().sniff(extract / "ssd_person.csv") is False  # a file, not a directory
    other = tmp_path / "other"
    other.mkdir()
    (other / "ssd_cla_visits.csv").write_text("a,b\n1,2\n")  # the name alone is not enough
    assert SsdImporter().sniff(other) is False
    with pytest.raises(InputError, match="no SSD table here"):
        list(SsdImporter().read(other, ImportContext()))
    with pytest.raises(InputError, match="a directory of CSV files"):
        list(SsdImporter().read(extract / "ssd_person.csv", ImportContext()))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert SsdImporter().sniff(empty) is False


def test_broken_csv_keeps_the_rows_before_the_break(tmp_path: Path) -> None:
    d = tmp_path / "broken"
    write_table(d, "ssd_person", [{"pers_person_id": str(n)} for n in range(1, 4)])
    raw = (d / "ssd_person.csv").read_bytes()
    huge = b"x" * 200_000  # over the csv module's field limit
    tail = b'4,"' + huge + b'"' + b"," * 11 + b"\r\n5" + b"," * 12 + b"\r\n"
    (d / "ssd_person.csv").write_bytes(raw + tail)
    items, context = read(d)
    assert sorted(by_child(items)) == ["1", "2", "3"]
    (broken,) = rejects(items)
    assert "the CSV breaks off here" in broken.error.message
    assert "the rest of the file is not read" in broken.error.message
    assert stats(context)["ssd_person"] == (4, 3, 1)
    # a quoted field left open at the end is one short row: rejected with the field count
    (d / "ssd_person.csv").write_bytes(raw + b'4,"unterminated,,\r\n')
    (short,) = rejects(read(d)[0])
    assert "the row has 2 fields; the header has 13" in short.error.message


# ----------------------------------------------------------------------------- configuration


def test_role_map_from_the_environment(
    cli, extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROLES_ENV, "IRO=iro; xyz = ignore ;CW=social_worker")
    items, _ = read(extract)
    (unknown,) = [q.message for q in quality(items) if q.code == "DATA044"]
    assert "'ALLOCATED CASE WORKER' (1)" in unknown and "XYZ" not in unknown  # XYZ is known now
    kids = by_child(items)
    assert kids["1002"].worker is None  # "ALLOCATED CASE WORKER" is no longer mapped
    roles = tmp_path / "roles.yaml"
    roles.write_text("IRO: iro\nCW: social_worker\nXYZ: iro\n")
    monkeypatch.setenv(ROLES_ENV, str(roles))
    kids = by_child(read(extract)[0])
    assert [e[3]["iro"] for e in events(kids["1001"], "iro_assigned")] == ["P900", "P555"]
    monkeypatch.setenv(ROLES_ENV, "IRO=reviewer")
    with pytest.raises(UsageError, match="a meaning is one of"):
        role_map()
    res = cli("check", str(extract), "--input-format", "ssd", "--as-of", AS_OF)
    assert res.code == 2 and "Traceback" not in res.err and "a meaning is one of" in res.err


def test_roles_given_in_code(extract: Path) -> None:
    importer = SsdImporter(roles={"cw": "social_worker"})
    kids = by_child(read(extract, importer)[0])
    assert events(kids["1001"], "iro_assigned") == []
    assert kids["1001"].worker == "P101"


def test_history_window_sets_known_from_per_table(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extract keeps the rows whose dates fall in its window: from the window's start each
    table holds every event of its types. Every record says so (known_from, one entry per table
    present, scoped to its event types), none carries the record-wide partial_history flag, and
    one note per input says where the window begins."""
    monkeypatch.setenv(HISTORY_ENV, "2023-01-01")
    items, _ = read(extract)
    kids = by_child(items)
    assert not any(r.partial_history for r in kids.values())
    present = sorted(t.name for t in TABLES if (extract / f"{t.name}.csv").exists() and t.supplies)
    for record in kids.values():
        window = [k for k in record.known_from if not k.began]
        assert {k.from_ for k in window} == {dt.date(2023, 1, 1)}
        assert all(k.case is None for k in window)
        assert len(window) == len(present)
    visits = next(k for k in kids["1001"].known_from if k.events == ("lac_visit",))
    assert visits.from_ == dt.date(2023, 1, 1)
    (note,) = [n for n in quality(items) if n.code == "DATA049"]
    assert note.child == "(file)" and "2023-01-01" in note.message
    # without the window, nothing is assumed
    monkeypatch.delenv(HISTORY_ENV)
    assert not any(
        k for r in by_child(read(extract)[0]).values() for k in r.known_from if not k.began
    )


def test_bucketed_grouping_gives_the_same_records(
    extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(spill))
    small, small_ctx = read(extract, SsdImporter(spill_bytes=2_000))  # several buckets
    whole, whole_ctx = read(extract)
    assert stats(small_ctx) == stats(whole_ctx)
    dump = lambda items: sorted(r.model_dump_json() for r in records(items))  # noqa: E731
    assert dump(small) == dump(whole)
    assert sorted(codes(small)) == sorted(codes(whole))
    assert list(spill.iterdir()) == []  # the bucket files are gone


def test_quality_codes_are_this_importers_range() -> None:
    assert sorted(QUALITY_CODES) == [f"DATA04{n}" for n in range(10)]
    assert not set(QUALITY_CODES) & set(DATA_QUALITY_CODES)


# ----------------------------------------------------------------------------- speed


def test_ten_thousand_people_import_streamed_and_reconciled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n = 10_000
    d = tmp_path / "big"
    d.mkdir()
    written = large_extract(d, n, until=dt.date(2023, 7, 1))
    total = sum(written.values())
    context = ImportContext(as_of=dt.date(2023, 7, 1))
    people = bad = 0
    started, cpu = time.perf_counter(), time.process_time()
    for item in SsdImporter().read(d, context):  # streamed, as a run reads it
        people += item.record is not None
        bad += item.error is not None
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert (people, bad) == (n, 0)
    assert sum(s.rows_read for s in context.stats) == total
    assert all(s.reconciles() and s.rows_rejected == 0 for s in context.stats)
    size = sum(p.stat().st_size for p in d.iterdir()) / 1e6
    with capsys.disabled():
        print(
            f"\nSSD import: {n} people, {total} rows in {len(written)} tables ({size:.1f} MB) "
            f"in {elapsed:.2f} s ({cpu:.2f} s CPU) = {total / elapsed:,.0f} rows/s "
            f"({total / cpu:,.0f} rows per CPU second)"
        )


def test_a_directory_with_too_many_files_is_refused_whole(tmp_path: Path, monkeypatch) -> None:
    """Never read in part: a directory over the file limit is one clear error (E403)."""
    from timescales.errors import InputError
    from timescales.importers import ssd

    monkeypatch.setattr(ssd, "MAX_FILES", 3)
    for n in range(4):
        (tmp_path / f"t{n}.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as info:
        list(ssd.IMPORTER.read(tmp_path, ImportContext()))
    assert info.value.code == "E403" and "4 files" in info.value.message


def test_history_window_end_to_end(cli, extract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the window given, the steps whose clock falls before it are not assessed (counted
    per rule), and only the findings that rest on the window are marked partial_history: a
    certain breach inside the known window, anchored at its start."""
    monkeypatch.setenv(HISTORY_ENV, "2023-01-01")
    res = cli("check", str(extract), "--input-format", "ssd", "--as-of", AS_OF, "--format", "jsonl")
    found = [json.loads(line) for line in res.out.splitlines()]
    partial = [f for f in found if f.get("partial_history")]
    assert all(f["anchor"] >= "2023-01-01" for f in partial)
    reviews = ("LA005", "LA006", "LA007")
    cut = [f for f in found if f["rule"] in reviews and f["anchor"] < "2023-01-01"]
    assert cut == []  # no review step counted from before the window
    assert "not assessed: LA005: 2 not assessed (clock before the history the data holds)" in (
        res.err
    )
    monkeypatch.delenv(HISTORY_ENV)
    res = cli("check", str(extract), "--input-format", "ssd", "--as-of", AS_OF, "--format", "jsonl")
    assert "not assessed" not in res.err and "partial_history" not in res.out
    # without the window the same extract is scored from its start: those steps are found
    whole = [json.loads(line) for line in res.out.splitlines()]
    assert [f for f in whole if f["rule"] in reviews and f["anchor"] < "2023-01-01"]
