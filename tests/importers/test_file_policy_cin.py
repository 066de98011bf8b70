"""One policy for what cannot be read (issue 18, decisions.md "Importers"), CIN census:

- an unknown file in a directory of returns (an XML file whose root is not ``Message``, a
  stray CSV): skipped, one warning and one ``--rejects`` row each, "files skipped N";
- a README: one notice, never a rejection;
- a required element missing (renamed) in a known module: the census is XML, not a table, so
  there is no column to reject whole; each block lacking it is rejected with its element path,
  and the message names the look-alike element (``CPPStartDate``: renamed?);
- an optional element with an unreadable value (``PersonBirthDate`` 27/03/2015): unknown, a
  note, the child used.

The counts are the same through the API and the CLI."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from cin_xml import DFE_NS, census, child, cin, plan, section47, write

from timescales.importers import ImportContext
from timescales.importers.cin_census import CinCensusImporter

AS_OF = "2024-03-31"


def _returns(tmp_path: Path) -> Path:
    folder = tmp_path / "cin"
    folder.mkdir()
    y2023 = census(
        [child("A1", cin("2022-06-01", plans=[plan("2022-06-20", reviews=["2022-09-10"])]))],
        year=2023,
    )
    renamed = plan("2023-05-20", reviews=["2023-08-01"]).replace("CPPstartDate", "CPPStartDate")
    y2024 = census(
        [
            child("A1", cin("2022-06-01", plans=[plan("2022-06-20", reviews=["2023-01-05"])])),
            child(
                "B2",
                cin(
                    "2023-05-02",
                    s47=[section47("2023-05-03", "2023-05-20")],
                    plans=[renamed, plan("2023-10-01")],
                ),
            ),
            child("C3", cin("2023-07-01"), dob="27/03/2015"),
        ],
        year=2024,
    )
    write(folder / "cin_2023.xml", "\ufeff" + y2023)  # a byte-order mark, as exports have
    write(folder / "cin_2024.xml", y2024)
    write(folder / "README.md", "# CIN census returns\nExported from the case system.\n")
    write(folder / "lookup.csv", "code,label\nRC1,Adopted\n")
    write(folder / "ssda903.xml", '<Message xmlns="urn:other"><Body/></Message>')
    write(folder / "header_only.xml", f'<Other xmlns="{DFE_NS}"><Header/></Other>')
    return folder


def test_the_policy_through_the_api(tmp_path: Path) -> None:
    folder = _returns(tmp_path)
    context = ImportContext()
    items = list(CinCensusImporter().read(folder, context))
    docs = [s for s in context.skipped if s.documentation]
    skipped = [s for s in context.skipped if not s.documentation]
    assert [Path(s.location.source).name for s in docs] == ["README.md"]
    assert sorted(Path(s.location.source).name for s in skipped) == [
        "header_only.xml",
        "lookup.csv",
        "ssda903.xml",
    ]
    assert any("root element is 'Other'" in s.reason for s in skipped)
    assert not context.tables_rejected  # XML has no table to reject whole
    # the renamed element: that plan, at its path, naming the look-alike
    (bad,) = [i for i in items if i.error is not None]
    assert bad.row and bad.error.code == "E311"
    assert bad.error.location.pointer == (
        "Message/Children/Child[2]/CINdetails[1]/ChildProtectionPlans[1]/CPPstartDate"
    )
    assert "CPPStartDate is there: renamed?" in bad.error.message
    # the unreadable optional date: unknown, a note, the child used
    records = {i.record.child: i.record for i in items if i.record is not None}
    assert sorted(records) == ["A1", "B2", "C3"] and records["C3"].dob is None
    notes = [q for i in items for q in i.quality]
    (dob,) = [q for q in notes if q.child == "C3"]
    assert dob.code == "DATA023" and "27/03/2015" not in dob.message
    # A1 is in both years: its reviews of both years are kept
    assert [e.date.isoformat() for e in records["A1"].events if e.type == "cp_review"] == [
        "2022-09-10",
        "2023-01-05",
    ]
    # counts per file: 2023: 1 child + 2 blocks (episode, plan); 2024: 3 children + 7 blocks
    # (A1 2, B2 an episode, an enquiry and 2 plans, C3 1), the renamed plan rejected
    counts = {
        re.sub(r" \(.*", "", Path(s.source).name) + (" blocks" if "[CIN" in s.source else ""): (
            s.rows_read,
            s.rows_used,
            s.rows_rejected,
        )
        for s in context.stats
    }
    assert counts == {
        "cin_2023.xml": (1, 1, 0),
        "cin_2023.xml blocks": (2, 2, 0),
        "cin_2024.xml": (3, 3, 0),
        "cin_2024.xml blocks": (7, 6, 1),
    }


def test_the_policy_through_the_cli(cli, tmp_path: Path) -> None:
    folder = _returns(tmp_path)
    rejects = tmp_path / "rejects.csv"
    res = cli(
        "check", str(folder), "--as-of", AS_OF, "--format", "jsonl", "--rejects", str(rejects)
    )
    assert "Traceback" not in res.err
    assert f"input: {folder} read as cin-census" in res.err
    assert re.search(r"notice: .*README\.md: documentation", res.err)
    assert res.err.count("skipped: ") == 3
    assert "children read 3, checked 3, rejected 0" in res.err
    assert "rows read 13, used 12, rejected 1" in res.err
    assert "files skipped 3" in res.err
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert sorted(r["code"] for r in rows) == ["E311", "E407", "E407", "E407"]
