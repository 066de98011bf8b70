"""The SSDA903 importer: synthetic returns in the DfE layouts (CSV and XML), clean and broken.

Every test checks that rows reconcile (read = used + rejected, per file) and that nothing raises
a traceback: bad input is a located rejection, a data-quality note, or one clear error.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

import timescales
from timescales.errors import InputError
from timescales.importers import ImportContext, Item, detect, ssda903
from timescales.importers.ssda903 import IMPORTER, QUALITY_CODES, TABLES

AS_OF = dt.date(2018, 3, 31)
COLUMNS = {t.name: list(t.columns) for t in TABLES}
FILE_NAMES = {
    "header": "header.csv",
    "episodes": "episodes.csv",
    "reviews": "reviews.csv",
    "uasc": "uasc.csv",
    "missing": "missing.csv",
    "previous_permanence": "previous_permanence.csv",
    "placed_for_adoption": "placed_for_adoption.csv",
    "ad1": "ad1.csv",
}

# A clean child: looked after from Tue 2 May 2017, three episodes (a placement move, then a
# legal-status change), three reviews on time.
HEADER = [{"CHILD": "1001", "SEX": "1", "DOB": "15/06/2010", "ETHNIC": "WBRI", "UPN": "A1"}]


def episode(
    child: str,
    decom: str,
    rne: str,
    ls: str,
    place: str,
    dec: str = "",
    rec: str = "",
    **extra: str,
) -> dict[str, str]:
    row = {
        "CHILD": child,
        "DECOM": decom,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": "PR1",
        "DEC": dec,
        "REC": rec,
        "REASON_PLACE_CHANGE": "",
        "HOME_POST": "LS1 1AA",
        "PL_POST": "LS2 2BB",
        "URN": "SC123456",
    }
    row.update(extra)
    return row


def review(child: str, date: str, code: str = "PN1", dob: str = "15/06/2010") -> dict[str, str]:
    return {"CHILD": child, "DOB": dob, "REVIEW": date, "REVIEW_CODE": code}


EPISODES = [
    episode("1001", "02/05/2017", "S", "C2", "U3", "14/08/2017", "X1"),
    episode("1001", "14/08/2017", "P", "C2", "U4", "10/01/2018", "X1", REASON_PLACE_CHANGE="CARPL"),
    episode("1001", "10/01/2018", "L", "C1", "U4"),
]
REVIEWS = [review("1001", d) for d in ("30/05/2017", "22/08/2017", "20/02/2018")]
CLEAN: dict[str, list[dict[str, str]]] = {
    "header": HEADER,
    "episodes": EPISODES,
    "reviews": REVIEWS,
}


# --- writing returns ---------------------------------------------------------------------------


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, str] | Sequence[str]],
    *,
    bom: bool = False,
    crlf: bool = False,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(columns)
        for row in rows:
            if isinstance(row, Mapping):
                writer.writerow([row.get(c, "") for c in columns])
            else:
                writer.writerow(row)
    return path


def write_return(
    directory: Path, tables: Mapping[str, list[dict[str, str]]], **options: bool
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_csv(directory / FILE_NAMES[name], COLUMNS[name], rows, **options)
    return directory


def xml_return(tables: Mapping[str, list[dict[str, str]]]) -> str:
    """The same tables in the XML form: EXPSSDA903 / CHILD / HEADER (+ AREVIEW, AMISSING,
    AD_PLACED, ad1 fields) and EPISODE elements (PL for PLACE, CHILDID for CHILD)."""

    def leaf(tag: str, value: str) -> str:
        return f"<{tag}>{value}</{tag}>" if value else f"<{tag} />"

    children: list[str] = []
    for child in dict.fromkeys(r["CHILD"] for rows in tables.values() for r in rows):
        head = next((r for r in tables.get("header", []) if r["CHILD"] == child), {})
        parts = [leaf("CHILDID", child)]
        parts += [leaf(c, head.get(c, "")) for c in ("UPN", "SEX", "DOB", "ETHNIC")]
        parts.append("<UASC />")
        for r in tables.get("reviews", []):
            if r["CHILD"] == child:
                parts.append(
                    f"<AREVIEW>{leaf('REVIEW', r['REVIEW'])}"
                    f"{leaf('REVIEW_CODE', r['REVIEW_CODE'])}</AREVIEW>"
                )
        for r in tables.get("missing", []):
            if r["CHILD"] == child:
                inner = "".join(leaf(c, r.get(c, "")) for c in ("MISSING", "MIS_START", "MIS_END"))
                parts.append(f"<AMISSING>{inner}</AMISSING>")
        for r in tables.get("placed_for_adoption", []):
            if r["CHILD"] == child:
                inner = "".join(
                    leaf(c, r.get(c, ""))
                    for c in ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")
                )
                parts.append(f"<AD_PLACED>{inner}</AD_PLACED>")
        for r in tables.get("ad1", []):
            if r["CHILD"] == child:
                parts += [leaf(c, r.get(c, "")) for c in COLUMNS["ad1"][2:]]
        parts += [leaf("MOTHER", ""), leaf("MC_DOB", "")]
        body = f"<HEADER>{''.join(parts)}</HEADER>"
        for r in tables.get("episodes", []):
            if r["CHILD"] == child:
                tags = [
                    ("PL" if c == "PLACE" else c, r.get(c, "")) for c in COLUMNS["episodes"][1:]
                ]
                body += "<EPISODE>" + "".join(leaf(t, v) for t, v in tags) + "</EPISODE>"
        children.append(f"<CHILD>{body}</CHILD>")
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>"
        + "".join(children)
        + "</EXPSSDA903>\n"
    )


# --- reading and checking ----------------------------------------------------------------------


def read_all(
    path: Path | Sequence[Path], as_of: dt.date | None = AS_OF
) -> tuple[list[Item], ImportContext]:
    """Every item the importer yields for one input (or several, read as one history)."""
    context = ImportContext(as_of=as_of)
    paths = [path] if isinstance(path, Path) else list(path)
    items = list(IMPORTER.read_many(paths, context))
    assert_reconciles(items, context)
    for item in items:  # records are built without re-validation: they must pass the schema
        if item.record is not None:
            data = item.record.model_dump(mode="json", exclude_none=True)
            assert timescales.ChildRecord.model_validate(data) == item.record
    # one note per input says which collection years and tables were read (DATA018)
    (note,) = [i for i in items if i.record is None and i.error is None]
    assert [q.code for q in note.quality] == ["DATA018"] and note.quality[0].child == "(file)"
    return items, context


def read(path: Path, as_of: dt.date | None = AS_OF) -> tuple[list[Item], ImportContext]:
    """The children and rejected rows of one input (its per-input note left out)."""
    items, context = read_all(path, as_of)
    return [i for i in items if i.record is not None or i.error is not None], context


def assert_reconciles(items: Sequence[Item], context: ImportContext) -> None:
    for stats in context.stats:
        assert stats.reconciles(), stats
    row_rejects = [i for i in items if i.row]
    whole = sum(t.rows for t in context.tables_rejected)  # a table rejected whole: said once
    assert len(row_rejects) + whole == sum(s.rows_rejected for s in context.stats)
    for item in row_rejects:
        assert item.error is not None and item.location.source


def records(items: Sequence[Item]) -> dict[str, Item]:
    return {i.record.child: i for i in items if i.record is not None}


def events(item: Item, *types: str) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    assert item.record is not None
    return [
        (e.type, e.date.isoformat(), e.ref, dict(e.attrs))
        for e in item.record.events
        if not types or e.type in types
    ]


def codes(item: Item) -> list[str]:
    return [q.code for q in item.quality]


def rejects(items: Sequence[Item]) -> list[Item]:
    return [i for i in items if i.row]


def findings(item: Item, rules: Sequence[str], as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
    assert item.record is not None
    result = timescales.load_rules(rules=list(rules)).check(item.record, as_of=as_of)
    return [
        {k: f.to_dict()[k] for k in ("rule", "ref", "anchor", "due", "done", "status")}
        for f in result.findings
    ]


def totals(context: ImportContext) -> tuple[int, int, int]:
    return (
        sum(s.rows_read for s in context.stats),
        sum(s.rows_used for s in context.stats),
        sum(s.rows_rejected for s in context.stats),
    )


def no_traceback(text: str) -> None:
    assert "Traceback" not in text


CLEAN_FINDINGS = [
    {"rule": "LA005", "ref": "P1", "anchor": "2017-05-02", "due": "2017-05-31",
     "done": "2017-05-30", "status": "met"},
    {"rule": "LA006", "ref": "P1", "anchor": "2017-05-30", "due": "2017-08-30",
     "done": "2017-08-22", "status": "met"},
    {"rule": "LA007", "ref": "P1", "anchor": "2017-08-22", "due": "2018-02-22",
     "done": "2018-02-20", "status": "met"},
    {"rule": "LA007", "ref": "P1", "anchor": "2018-02-20", "due": "2018-08-20",
     "done": None, "status": "pending"},
]  # fmt: skip


# --- the clean return --------------------------------------------------------------------------


def test_clean_child_runs_la005_to_la007_unchanged_through_the_cli(cli, tmp_path: Path) -> None:
    data = write_return(tmp_path / "903", CLEAN)
    res = cli(
        "check", "--input-format", "ssda903", str(data), "--as-of", "2018-03-31",
        "--format", "jsonl", "--rules", "LA005,LA006,LA007",
    )  # fmt: skip
    no_traceback(res.err)
    assert res.code == 0, res.err
    got = [json.loads(line) for line in res.out.splitlines()]
    assert [{k: f[k] for k in CLEAN_FINDINGS[0]} for f in got] == CLEAN_FINDINGS
    # first review due 20 working days after the start (29 May 2017 is a bank holiday)
    assert got[0]["due"] == "2017-05-31"
    assert "rows read 7, used 7, rejected 0" in res.err
    assert "children read 1, checked 1, rejected 0" in res.err


def test_clean_child_mapping(tmp_path: Path) -> None:
    items, context = read(write_return(tmp_path / "903", CLEAN))
    (item,) = items
    assert item.record is not None and item.record.dob == dt.date(2010, 6, 15)
    assert not item.record.partial_history
    assert events(item) == [
        ("became_looked_after", "2017-05-02", "P1", {}),
        ("placement_started", "2017-05-02", "P1", {"placement_type": "U3", "permanent": False}),
        ("legal_status_started", "2017-05-02", "LS1", {"code": "C2"}),
        ("lac_review", "2017-05-30", "P1", {}),
        ("placement_started", "2017-08-14", "P1", {"placement_type": "U4", "permanent": True}),
        ("lac_review", "2017-08-22", "P1", {}),
        ("legal_status_ended", "2018-01-10", "LS1", {"code": "C2"}),
        ("legal_status_started", "2018-01-10", "LS2", {"code": "C1"}),
        ("lac_review", "2018-02-20", "P1", {}),
    ]  # no placement at the RNE L episode: a legal-status change only
    assert item.quality == ()
    assert totals(context) == (7, 7, 0)
    assert findings(item, ["LA005", "LA006", "LA007"]) == CLEAN_FINDINGS


def test_auto_detects_ssda903_and_says_so(cli, tmp_path: Path) -> None:
    data = write_return(tmp_path / "903", CLEAN)
    res = cli("check", str(data), "--as-of", "2018-03-31", "--format", "jsonl",
              "--rules", "LA005")  # fmt: skip
    no_traceback(res.err)
    assert res.code == 0, res.err
    assert f"input: {data} read as ssda903" in res.err
    # one CSV alone, recognised by its columns even under a name that says nothing
    lone = write_csv(tmp_path / "export_0001.csv", COLUMNS["episodes"], EPISODES)
    assert detect(lone).name == "ssda903"
    res = cli("check", str(lone), "--as-of", "2018-03-31", "--rules", "LA005")
    assert "read as ssda903" in res.err and res.code == 0, res.err
    # episodes alone hold no reviews: LA005 cannot be fed, so it is not assessable, not overdue
    assert "not assessable: LA005: the input does not carry lac_review" in res.err


def test_sniff_recognises_columns_not_names(tmp_path: Path) -> None:
    assert IMPORTER.sniff(write_return(tmp_path / "903", CLEAN))
    renamed = write_csv(tmp_path / "a" / "episodes.csv", ["CHILD", "FOO", "BAR"], [])
    assert not IMPORTER.sniff(renamed)  # the name alone is not enough
    assert not IMPORTER.sniff(renamed.parent)
    (tmp_path / "cin.xml").write_text("<?xml version='1.0'?><Message><Header/></Message>")
    assert not IMPORTER.sniff(tmp_path / "cin.xml")
    (tmp_path / "c.jsonl").write_text('{"child": "C1", "events": []}\n')
    assert not IMPORTER.sniff(tmp_path / "c.jsonl")
    assert detect(tmp_path / "c.jsonl").name == "jsonl"


def test_bom_and_crlf_read_the_same(tmp_path: Path) -> None:
    plain, _ = read(write_return(tmp_path / "plain", CLEAN))
    items, context = read(write_return(tmp_path / "bom", CLEAN, bom=True, crlf=True))
    assert (tmp_path / "bom" / "episodes.csv").read_bytes().startswith(b"\xef\xbb\xbfCHILD")
    assert b"\r\n" in (tmp_path / "bom" / "episodes.csv").read_bytes()
    assert [i.record for i in items] == [i.record for i in plain]
    assert totals(context) == (7, 7, 0)
    assert IMPORTER.sniff(tmp_path / "bom" / "header.csv")


# --- the XML form ------------------------------------------------------------------------------


def test_xml_form_gives_the_same_record(cli, tmp_path: Path) -> None:
    path = tmp_path / "SSDA903_2018.xml"
    path.write_text(xml_return(CLEAN), encoding="utf-8")
    csv_items, _ = read(write_return(tmp_path / "csv", CLEAN))
    items, context = read(path)
    assert [i.record for i in items] == [i.record for i in csv_items]
    assert totals(context) == (7, 7, 0)  # HEADER, 3 EPISODE, 3 AREVIEW elements
    res = cli("check", str(path), "--as-of", "2018-03-31", "--format", "jsonl",
              "--rules", "LA005,LA006,LA007")  # fmt: skip
    no_traceback(res.err)
    assert "read as ssda903" in res.err and res.code == 0, res.err
    got = [json.loads(line) for line in res.out.splitlines()]
    assert [{k: f[k] for k in CLEAN_FINDINGS[0]} for f in got] == CLEAN_FINDINGS


def test_xml_rejects_point_at_the_element(tmp_path: Path) -> None:
    broken = {
        "header": HEADER,
        "episodes": [*EPISODES[:2], episode("1001", "2018-01-10", "L", "C1", "U4")],
        "reviews": REVIEWS,
    }
    path = tmp_path / "903.xml"
    path.write_text(xml_return(broken), encoding="utf-8")
    items, context = read(path)
    (bad,) = rejects(items)
    assert bad.location.pointer == "/EXPSSDA903/CHILD[1]/EPISODE[3]/DECOM"
    assert bad.error is not None and bad.error.message == "DECOM is not a date dd/mm/yyyy"
    assert totals(context) == (7, 6, 1)


def test_truncated_xml_is_one_clear_error(cli, tmp_path: Path) -> None:
    text = xml_return(CLEAN)
    path = tmp_path / "903.xml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed"):
        read(path)
    res = cli("check", "--input-format", "ssda903", str(path), "--as-of", "2018-03-31")
    no_traceback(res.err)
    assert res.code == 2
    assert f"error: E404 {path}:2: XML is not well-formed at line 2" in res.err
    assert "truncated" in res.err


def test_xml_with_a_dtd_or_the_wrong_root_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaa">]>'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&a;</CHILDID></HEADER></CHILD></EXPSSDA903>"
    )
    with pytest.raises(InputError, match="DTD or entities"):
        read(bomb)
    # an XML file of another format is not this return's: skipped with a warning, not read
    other = tmp_path / "other.xml"
    other.write_text("<Message><Children/></Message>")
    context = ImportContext(as_of=AS_OF)
    assert list(IMPORTER.read(other, context)) == []
    (skipped,) = context.skipped
    assert not skipped.documentation and skipped.location.source == str(other)
    assert (
        skipped.reason
        == "not a 903 XML file (the root element is MESSAGE, not EXPSSDA903); skipped"
    )


def test_files_over_the_size_limit_are_refused(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "903.xml"
    path.write_text(xml_return(CLEAN), encoding="utf-8")
    monkeypatch.setattr(ssda903, "MAX_FILE_BYTES", 1024)
    with pytest.raises(InputError, match="larger than the 0 MiB limit"):
        read(path)
    res = cli("check", "--input-format", "ssda903", str(path), "--as-of", "2018-03-31")
    no_traceback(res.err)
    assert res.code == 2 and "903.xml: file is larger than" in res.err


# --- broken rows -------------------------------------------------------------------------------


def test_wrong_date_format_rejects_the_row_with_file_line_and_column(cli, tmp_path: Path) -> None:
    tables = {
        "header": [{**HEADER[0], "DOB": "2010-06-15"}],
        "episodes": [*EPISODES[:2], episode("1001", "10/01/18", "L", "C1", "U4")],
        "reviews": [*REVIEWS[:2], review("1001", "31/02/2018")],
    }
    data = write_return(tmp_path / "903", tables)
    items, context = read(data)
    bad = {(i.location.source.rsplit("/", 1)[-1], i.location.line, i.location.pointer):
           i.error.message for i in rejects(items) if i.error}  # fmt: skip
    assert bad == {
        ("header.csv", 2, "DOB"): "DOB is not a date dd/mm/yyyy",
        ("episodes.csv", 4, "DECOM"): "DECOM is not a date dd/mm/yyyy",
        ("reviews.csv", 4, "REVIEW"): "REVIEW is not a real calendar date",
    }
    assert totals(context) == (7, 4, 3)
    (child,) = records(items).values()
    assert child.record is not None and child.record.dob is None
    # the CLI: rejects listed with their place, never the date of birth itself
    out = tmp_path / "rejects.csv"
    res = cli(
        "check", str(data), "--as-of", "2018-03-31", "--rejects", str(out), "--rules", "LA005"
    )
    no_traceback(res.err)
    assert "2010-06-15" not in res.err and "2010-06-15" not in out.read_text()
    rows = list(csv.DictReader(out.open()))
    assert {(r["line"], r["pointer"], r["field"]) for r in rows} == {
        ("2", "DOB", "DOB"), ("4", "DECOM", "DECOM"), ("4", "REVIEW", "REVIEW")
    }  # fmt: skip
    # each with its error code and the kind of value found (the value itself never)
    assert {(r["field"], r["code"], r["value_class"]) for r in rows} == {
        ("DOB", "E310", "date YYYY-MM-DD"),
        ("DECOM", "E310", "date DD/MM/YY"),
        ("REVIEW", "E310", "date DD/MM/YYYY"),
    }
    assert "rows read 7, used 4, rejected 3" in res.err


def test_missing_columns_reject_the_table_and_the_others_go_on(cli, tmp_path: Path) -> None:
    data = write_return(tmp_path / "903", CLEAN)
    columns = [c for c in COLUMNS["episodes"] if c not in ("RNE", "REC")]
    write_csv(data / "episodes.csv", columns, EPISODES)
    items, context = read(data)
    (table,) = context.tables_rejected
    assert (table.location.source, table.location.line) == (str(data / "episodes.csv"), 1)
    assert table.reason == "the 903 episodes table lacks column(s): RNE, REC"
    assert (table.rows, table.code) == (3, "E408")
    # the header and reviews are still read; with no episodes every review is outside care
    assert totals(context) == (7, 1, 6)
    res = cli("check", "--input-format", "ssda903", str(data), "--as-of", "2018-03-31")
    no_traceback(res.err)
    assert (
        f"{data / 'episodes.csv'}:1: the 903 episodes table lacks column(s): RNE, REC; "
        "all 3 rows rejected" in res.err
    )
    assert "tables rejected 1" in res.err
    # a CSV that is no 903 table at all is skipped, said once, and the return is read
    write_return(data, CLEAN)
    write_csv(data / "notes.csv", ["WHO", "WHAT"], [["a", "b"]])
    items, context = read(data)
    (skipped,) = context.skipped
    assert skipped.location.source == str(data / "notes.csv") and not skipped.documentation
    assert skipped.reason == "not a 903 table: its 2 columns match none of the 903 tables; skipped"
    assert len(records(items)) == 1 and totals(context) == (7, 7, 0)


def test_a_file_that_is_not_utf8_is_one_clear_error(cli, tmp_path: Path) -> None:
    data = write_return(tmp_path / "903", CLEAN)
    (data / "header.csv").write_bytes(
        b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n1001,1,15/06/2010,WBRI,A\xa31,,\r\n"
    )
    with pytest.raises(InputError, match="not UTF-8 or UTF-16 text"):
        read(data)
    res = cli("check", "--input-format", "ssda903", str(data), "--as-of", "2018-03-31")
    no_traceback(res.err)
    assert res.code == 2 and "header.csv: not UTF-8 or UTF-16 text" in res.err


def test_blank_required_fields_and_short_rows(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            *EPISODES,
            episode("", "01/03/2018", "P", "C1", "U4"),
            episode("1001", "", "P", "C1", "U4"),
        ],
        "reviews": [*REVIEWS, review("1001", "")],
    }
    data = write_return(tmp_path / "903", tables)
    with (data / "episodes.csv").open("a") as fh:
        fh.write("1001,01/03/2018,P\n")
    items, context = read(data)
    bad = [
        (i.location.line, i.location.pointer, i.error.message) for i in rejects(items) if i.error
    ]
    assert bad == [
        (5, "CHILD", "CHILD is blank"),
        (6, "DECOM", "DECOM is blank"),
        (7, None, "row has 3 fields, the header has 13"),
        (5, "REVIEW", "REVIEW is blank"),
    ]
    assert totals(context) == (11, 7, 4)
    (child,) = records(items).values()
    assert findings(child, ["LA005", "LA006", "LA007"]) == CLEAN_FINDINGS


def test_unknown_and_blank_codes_are_noted_and_kept(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/05/2017", "S", "C2", "U3", "14/08/2017", "X1"),
            episode("1001", "14/08/2017", "Q", "X9", "ZZ", "10/01/2018", "X1"),
            episode("1001", "10/01/2018", "P", "", "U4", "20/03/2018", "E99"),
        ],
        "reviews": [review("1001", "30/05/2017", "PN9")],
    }
    items, context = read(write_return(tmp_path / "903", tables))
    (child,) = items
    messages = [q.message for q in child.quality]
    assert codes(child) == ["DATA019"] * 6
    assert "RNE code 'Q' is not a 903 code" in messages
    assert "LS code 'X9' is not a 903 code" in messages
    assert "PLACE code 'ZZ' is not a 903 code" in messages
    assert "episode starting 2018-01-10: LS is blank" in messages
    assert "REC code 'E99' is not a 903 code" in messages
    assert "REVIEW_CODE is 'PN9', not a 903 code" in messages
    # RNE Q is no placement; an unknown REC still ends care (non-empty, not X1)
    assert [e[1] for e in events(child, "placement_started")] == ["2017-05-02", "2018-01-10"]
    assert events(child, "ceased_looked_after") == [("ceased_looked_after", "2018-03-20", "P1", {})]
    assert totals(context) == (5, 5, 0)


def test_review_before_the_period_started_is_reported_not_used(cli, tmp_path: Path) -> None:
    tables = {**CLEAN, "reviews": [review("1001", "20/04/2017"), *REVIEWS]}
    data = write_return(tmp_path / "903", tables)
    items, context = read(data)
    (bad,) = rejects(items)
    assert bad.error is not None
    assert bad.error.message == "review dated before the period of care started; not used"
    assert (bad.location.line, bad.location.pointer) == (2, "REVIEW")
    (child,) = records(items).values()
    assert "DATA013" in codes(child)
    assert [e[1] for e in events(child, "lac_review")] == ["2017-05-30", "2017-08-22", "2018-02-20"]
    assert findings(child, ["LA005", "LA006", "LA007"]) == CLEAN_FINDINGS
    assert totals(context) == (8, 7, 1)
    quality = tmp_path / "dq.jsonl"
    res = cli("check", str(data), "--as-of", "2018-03-31", "--data-quality", str(quality),
              "--rules", "LA005")  # fmt: skip
    no_traceback(res.err)
    assert "rows read 8, used 7, rejected 1" in res.err
    notes = [json.loads(line) for line in quality.read_text().splitlines()]
    assert [(n["code"], n["child"]) for n in notes] == [("DATA018", "(file)"), ("DATA013", "1001")]


def test_review_after_the_period_ended_is_reported_not_used(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [episode("1001", "02/05/2017", "S", "C2", "U3", "01/09/2017", "E13")],
        "reviews": [review("1001", "30/05/2017"), review("1001", "20/10/2017")],
        "uasc": [{"CHILD": "2002", "SEX": "1", "DOB": "01/01/2002", "DUC": "01/01/2020"}],
    }
    items, context = read(write_return(tmp_path / "903", tables))
    (bad,) = rejects(items)
    assert bad.error is not None and "outside every period" in bad.error.message
    assert sorted(records(items)) == ["1001", "2002"]  # a uasc-only child is kept, no events
    assert events(records(items)["2002"]) == []
    assert totals(context) == (5, 4, 1)


def test_dec_before_decom_is_disregarded_and_noted(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/05/2017", "S", "C2", "U3", "14/08/2017", "X1"),
            episode("1001", "14/08/2017", "P", "C2", "U4", "01/08/2017", "E13"),
            episode("1001", "01/11/2017", "S", "V3", "U3", "03/11/2017", "E8"),
        ],
        "reviews": REVIEWS[:2],
    }
    items, context = read(write_return(tmp_path / "903", tables))
    (child,) = items
    assert codes(child) == ["DATA010", "DATA012"]
    assert "DEC before its DECOM" in child.quality[0].message
    # the care-ending episode has no usable DEC: its period ends where the next one begins
    assert events(child, "became_looked_after", "ceased_looked_after") == [
        ("became_looked_after", "2017-05-02", "P1", {}),
        ("ceased_looked_after", "2017-11-01", "P1", {}),
        ("became_looked_after", "2017-11-01", "P2", {}),
        ("ceased_looked_after", "2017-11-03", "P2", {}),
    ]
    assert totals(context) == (6, 6, 0)


def test_duplicate_rows_count_once(tmp_path: Path) -> None:
    tables = {**CLEAN, "episodes": [EPISODES[0], *EPISODES], "reviews": [*REVIEWS, REVIEWS[1]]}
    items, context = read(write_return(tmp_path / "903", tables))
    (child,) = items
    assert codes(child) == ["DATA016", "DATA016"]
    assert (
        child.quality[0].message
        == "episodes row DECOM 2017-05-02 appears twice in one return; counted once"
    )
    assert len(events(child, "placement_started")) == 2
    assert len(events(child, "lac_review")) == 3
    assert findings(child, ["LA005", "LA006", "LA007"]) == CLEAN_FINDINGS
    assert totals(context) == (9, 9, 0)


def test_two_years_merge_and_the_latest_return_wins(tmp_path: Path) -> None:
    # the 2016-17 return: the episode is still open at 31 March 2017
    old = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/02/2017", "S", "C2", "U3"),
            episode("2002", "01/03/2017", "S", "L1", "R1", "02/03/2017", "E13"),
        ],
        "reviews": [review("1001", "28/02/2017")],
    }
    new = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/02/2017", "S", "C2", "U3", "14/08/2017", "X1"),  # DEC filled in
            episode("1001", "14/08/2017", "P", "C2", "U4"),
            episode("2002", "01/03/2017", "S", "L1", "R2", "02/03/2017", "E13"),  # PLACE changed
        ],
        "reviews": [review("1001", "28/02/2017"), review("1001", "25/05/2017")],
    }
    # named so that file order alone would put the older return last: the year decides
    write_return(tmp_path / "903" / "a_2017-18", new)
    write_return(tmp_path / "903" / "b_2016-17", old)
    items, context = read(tmp_path / "903")
    children = records(items)
    first, second = children["1001"], children["2002"]
    assert codes(first) == []  # a DEC filled in by the later return is no conflict
    assert [e[1] for e in events(first, "lac_review")] == ["2017-02-28", "2017-05-25"]
    assert events(first, "placement_started")[0][3] == {"placement_type": "U3", "permanent": False}
    assert codes(second) == ["DATA014"]
    assert "PLACE differs between" in second.quality[0].message
    assert "a_2017-18/episodes.csv) is used" in second.quality[0].message
    assert events(second, "placement_started")[0][3]["placement_type"] == "R2"
    assert findings(first, ["LA005", "LA006"]) == [
        {"rule": "LA005", "ref": "P1", "anchor": "2017-02-02", "due": "2017-03-02",
         "done": "2017-02-28", "status": "met"},
        {"rule": "LA006", "ref": "P1", "anchor": "2017-02-28", "due": "2017-05-28",
         "done": "2017-05-25", "status": "met"},
    ]  # fmt: skip
    assert totals(context) == (10, 10, 0)


def test_without_years_in_names_the_data_says_which_return_is_later(tmp_path: Path) -> None:
    old = {"episodes": [episode("2002", "01/03/2016", "S", "L1", "R1", "02/03/2016", "E13")]}
    new = {"episodes": [
        episode("2002", "01/03/2016", "S", "L1", "R2", "02/03/2016", "E13"),
        episode("2002", "01/05/2017", "S", "C2", "U1", "02/06/2017", "E13"),
    ]}  # fmt: skip
    write_return(tmp_path / "903" / "a", new)
    write_return(tmp_path / "903" / "b", old)
    items, _ = read(tmp_path / "903")
    (child,) = items
    assert events(child, "placement_started")[0][3]["placement_type"] == "R2"


def test_overlapping_periods_and_rec_without_dec(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/05/2017", "S", "C2", "U3", "14/08/2017", "E13"),
            episode("1001", "01/08/2017", "S", "C2", "U3", "", "E8"),
        ],
        "reviews": [review("1001", "30/05/2017"), review("1001", "10/08/2017")],
    }
    items, _ = read(write_return(tmp_path / "903", tables))
    (child,) = items
    assert codes(child) == ["DATA012", "DATA011"]
    assert child.quality[1].message == (
        "period P2 starts (2017-08-01) before period P1 ends (2017-08-14)"
    )
    assert "the period stays open" in child.quality[0].message
    # the review in the overlap belongs to the latest-starting period containing it
    assert events(child, "lac_review") == [
        ("lac_review", "2017-05-30", "P1", {}),
        ("lac_review", "2017-08-10", "P2", {}),
    ]
    assert events(child, "ceased_looked_after") == [("ceased_looked_after", "2017-08-14", "P1", {})]


def test_dec_after_as_of_leaves_the_episode_open(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [episode("1001", "02/05/2017", "S", "C2", "U3", "20/04/2018", "E13")],
        "reviews": REVIEWS,
    }
    data = write_return(tmp_path / "903", tables)
    items, _ = read(data)
    (child,) = items
    assert codes(child) == ["DATA015"]
    assert events(child, "ceased_looked_after", "legal_status_ended") == []
    later, _ = read(data, as_of=dt.date(2018, 6, 30))
    assert codes(later[0]) == []
    assert events(later[0], "ceased_looked_after")[0][1] == "2018-04-20"


def test_period_begun_before_the_data_says_where_its_history_begins(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/05/2017", "P", "E1", "U3", "14/08/2017", "X1"),  # a move
            episode("1001", "14/08/2017", "P", "E1", "U4"),
        ],
        "reviews": REVIEWS,
    }
    items, _ = read(write_return(tmp_path / "903", tables))
    (child,) = items
    assert child.record is not None and not child.record.partial_history
    assert codes(child) == ["DATA018"]
    assert "RNE P, not S" in child.quality[0].message
    # no became_looked_after (and no placement order) for a period whose start is not in the
    # data: no LA005 clock can be anchored on the move of 2 May 2017. The legal status then in
    # force is given, with its code (conditions read it), and ``began`` says its first day is
    # not this one: no legal-status clock counts from it
    assert events(child, "became_looked_after", "placement_order") == []
    assert events(child, "legal_status_started") == [
        ("legal_status_started", "2017-05-02", "LS1", {"code": "E1"})
    ]
    known = [k.model_dump(by_alias=True, exclude_defaults=True) for k in child.record.known_from]
    assert known == [
        {"from": dt.date(2017, 4, 1), "events": ("lac_review",)},
        {"from": dt.date(2017, 5, 2), "case": "P1",
         "began": ("became_looked_after", "placement_order")},
        {"from": dt.date(2017, 5, 2), "case": "LS1", "began": ("legal_status_started",)},
    ]  # fmt: skip
    assert [e[:3] for e in events(child, "placement_started")] == [
        ("placement_started", "2017-05-02", "P1"),
        ("placement_started", "2017-08-14", "P1"),
    ]
    # a period that starts (RNE S) before the year of the return is whole: its start is in the
    # data; only its earlier reviews are not, which the reviews' known_from says
    tables = {**CLEAN, "episodes": [episode("1001", "02/05/2014", "S", "C2", "U3")]}
    items, _ = read(write_return(tmp_path / "old", tables))
    assert codes(items[0]) == []
    assert events(items[0], "became_looked_after") == [
        ("became_looked_after", "2014-05-02", "P1", {})
    ]
    assert items[0].record is not None
    (entry,) = items[0].record.known_from
    assert (entry.from_, entry.events, entry.case) == (dt.date(2017, 4, 1), ("lac_review",), None)


def test_legal_status_missing_and_adoption(tmp_path: Path) -> None:
    tables = {
        "header": HEADER,
        "episodes": [
            episode("1001", "02/05/2016", "S", "L1", "R1", "04/05/2016", "X1"),
            episode("1001", "04/05/2016", "L", "C2", "U3", "01/08/2016", "X1"),
            episode("1001", "01/08/2016", "L", "E1", "U3", "01/03/2017", "X1"),
            episode("1001", "01/03/2017", "P", "E1", "A4", "", ""),
        ],
        "reviews": [review("1001", "27/05/2016")],
        "missing": [
            {"CHILD": "1001", "DOB": "15/06/2010", "MISSING": "M", "MIS_START": "03/06/2016",
             "MIS_END": "05/06/2016"},
            {"CHILD": "1001", "DOB": "15/06/2010", "MISSING": "A", "MIS_START": "10/06/2016",
             "MIS_END": "10/06/2016"},
            {"CHILD": "1001", "DOB": "15/06/2010", "MISSING": "M", "MIS_START": "20/06/2016",
             "MIS_END": "18/06/2016"},
        ],
        "placed_for_adoption": [
            {"CHILD": "1001", "DOB": "15/06/2010", "DATE_PLACED": "10/08/2016"}
        ],
        "ad1": [{"CHILD": "1001", "DOB": "15/06/2010", "DATE_INT": "10/08/2016",
                 "DATE_MATCH": "15/01/2017", "FOSTER_CARE": "0", "NB_ADOPTR": "2",
                 "SEX_ADOPTR": "MF", "LS_ADOPTR": "L0"}],
    }  # fmt: skip
    items, context = read(write_return(tmp_path / "903", tables))
    (child,) = items
    assert codes(child) == ["DATA017"]
    assert events(child, "missing_started", "missing_returned") == [
        ("missing_started", "2016-06-03", "M1", {}),
        ("missing_returned", "2016-06-05", "M1", {}),
        ("missing_started", "2016-06-20", "M2", {}),
    ]  # "away" (A) is no missing episode; M2's return is before its start
    assert events(child, "legal_status_started", "legal_status_ended") == [
        ("legal_status_started", "2016-05-02", "LS1", {"code": "L1"}),
        ("legal_status_ended", "2016-05-04", "LS1", {"code": "L1"}),
        ("legal_status_started", "2016-05-04", "LS2", {"code": "C2"}),
        ("legal_status_ended", "2016-08-01", "LS2", {"code": "C2"}),
        ("legal_status_started", "2016-08-01", "LS3", {"code": "E1"}),
    ]
    assert events(child, "placement_order", "placed_for_adoption", "adoption_decision",
                  "adoption_match") == [
        ("placement_order", "2016-08-01", "P1", {}),
        ("adoption_decision", "2016-08-10", None, {}),
        ("adoption_match", "2017-01-15", "P1", {}),
        ("placed_for_adoption", "2017-03-01", "P1", {}),
    ]  # fmt: skip
    assert findings(child, ["LS001", "AD001", "AD002"]) == [
        {"rule": "AD001", "ref": "P1", "anchor": "2016-05-02", "due": "2017-07-02",
         "done": "2017-03-01", "status": "met"},
        {"rule": "AD002", "ref": "P1", "anchor": "2016-08-01", "due": "2016-11-30",
         "done": "2017-01-15", "status": "late"},
        {"rule": "LS001", "ref": "LS1", "anchor": "2016-05-02", "due": "2016-05-05",
         "done": "2016-05-04", "status": "met"},
    ]  # fmt: skip
    assert totals(context) == (11, 11, 0)


def test_rejected_rows_and_notes_never_carry_a_date_of_birth(tmp_path: Path) -> None:
    tables = {
        "header": [{**HEADER[0], "DOB": "31/02/2010"}],
        "episodes": EPISODES,
        "reviews": REVIEWS,
    }
    data = write_return(tmp_path / "903", tables)
    items, _ = read(data)
    text = " ".join(str(i.error) for i in items if i.error) + " ".join(
        q.message for i in items for q in i.quality
    )
    assert "2010" not in text and "DOB is not a real calendar date" in text


def test_table_layouts() -> None:
    assert COLUMNS["episodes"] == [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ]  # fmt: skip
    assert COLUMNS["header"] == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    assert COLUMNS["reviews"] == ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
    assert COLUMNS["missing"] == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
    for table in TABLES:
        assert set(table.needs) <= set(table.columns) and set(table.keep) <= set(table.columns)
        assert set(table.required) <= set(table.keep)
        assert table.key in (None, (), table.keep[:1])  # the merge key is the first kept value
    assert sorted(ssda903.PERMANENT_PLACE) == ["U1", "U4"]
    assert ssda903.collection_year("2017-18/episodes.csv") == 2018
    assert ssda903.collection_year("SSDA903_201718_episodes.csv") == 2018
    assert ssda903.collection_year("903_2018/x_20180401.csv") == 2018
    assert ssda903.collection_year("episodes.csv") is None


def test_quality_codes_are_this_importers_and_documented() -> None:
    assert sorted(QUALITY_CODES) == [f"DATA0{n}" for n in range(10, 20)]
    page = (Path(__file__).resolve().parents[2] / "docs" / "importers" / "ssda903.md").read_text()
    for code in QUALITY_CODES:
        assert code in page


# --- size and speed ----------------------------------------------------------------------------


def test_speed_20000_episodes_cheap(tmp_path: Path) -> None:
    """A generated return: 5,000 children x 4 episodes + 3 reviews + 1 header row = 40,000 rows.
    Prints rows/s (run with -s to see it); takes about a second."""
    children = 5000
    data = tmp_path / "big"
    data.mkdir()
    start = dt.date(2016, 4, 4)
    with (
        (data / "episodes.csv").open("w", newline="") as ef,
        (data / "reviews.csv").open("w", newline="") as rf,
        (data / "header.csv").open("w", newline="") as hf,
    ):
        ew, rw, hw = csv.writer(ef), csv.writer(rf), csv.writer(hf)
        ew.writerow(COLUMNS["episodes"])
        rw.writerow(COLUMNS["reviews"])
        hw.writerow(COLUMNS["header"])
        for n in range(children):
            child = f"C{n:06d}"
            hw.writerow([child, "1", "01/01/2008", "WBRI", "A1", "", ""])
            day = start + dt.timedelta(days=n % 300)
            for k in range(4):
                end = day + dt.timedelta(days=60 + k)
                last = k == 3
                ew.writerow([
                    child, day.strftime("%d/%m/%Y"), "S" if k == 0 else "P", "C2", "N1",
                    "U4" if k % 2 else "U3", "PR1", "" if last else end.strftime("%d/%m/%Y"),
                    "" if last else "X1", "", "LS1 1AA", "LS2 2BB", "SC1",
                ])  # fmt: skip
                day = end
            first = start + dt.timedelta(days=n % 300 + 20)
            for k in range(3):
                when = first + dt.timedelta(days=90 * k)
                rw.writerow([child, "01/01/2008", when.strftime("%d/%m/%Y"), "PN1"])
    context = ImportContext(as_of=AS_OF)
    began, cpu = time.perf_counter(), time.process_time()
    items = list(IMPORTER.read(data, context))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert_reconciles(items, context)
    read_, used, rejected = totals(context)
    assert (read_, used, rejected) == (40000, 40000, 0)
    assert len(records(items)) == children
    print(
        f"\nssda903 import: {read_} rows read, {used} used, {rejected} rejected "
        f"in {elapsed:.2f} s wall = {read_ / elapsed:,.0f} rows/s; {cpu:.2f} s CPU = "
        f"{read_ / cpu:,.0f} rows/s"
    )
    assert cpu < 5


def test_collection_year_option_names_the_year_file_names_do_not(cli, tmp_path: Path) -> None:
    """``--collection-year``: a return whose file names say no year has its reviews known from
    1 April of the year given; without it, from the year its earliest review falls in (and the
    data end on 31 March of that year, where a later as-of date is not judged)."""
    path = write_return(tmp_path / "return", CLEAN)  # file names without a year

    def known(*extra: str) -> list[dict[str, object]]:
        res = cli("convert", str(path), "--input-format", "ssda903", *extra)
        assert res.code == 0, res.err
        (record,) = [json.loads(line) for line in res.out.splitlines()]
        return [k for k in record["known_from"] if k.get("events")] + [
            {"until": record.get("known_until")}
        ]

    # the earliest review, 30 May 2017, is in the 2017-18 collection year
    assert known() == [{"from": "2017-04-01", "events": ["lac_review"]}, {"until": "2018-03-31"}]
    assert known("--collection-year", "2018-19") == [
        {"from": "2018-04-01", "events": ["lac_review"]},
        {"until": "2019-03-31"},
    ]
    with pytest.raises(SystemExit) as exc:  # argparse: the usage error, exit 2
        cli("convert", str(path), "--collection-year", "18/19")
    assert exc.value.code == 2
