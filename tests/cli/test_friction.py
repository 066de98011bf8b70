"""CLI and docs friction (issue 19, item 6): one test per point a council's analyst tripped on.

Council names and team/worker filters ignore case; a date option that is not ISO gets one line
with the ISO form to type; a missing input among several is said and the others are checked;
`rules list` has a header row and, with `--la`, the council's own limit; AD001's limit says its
clock once; seed references read as the inspection report's title and paragraph; the README
names every importer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, write_jsonl
from timescales.importers import FORMATS
from timescales.ruleset.pack import load_rules
from timescales.seed_sources import SEED_DOCUMENTS, cite_seed, cite_seeds

LANCASHIRE = ROOT / "examples" / "lancashire.jsonl"
PF_OVERDUE = {  # first private fostering visit due 2024-03-12 (7 working days): overdue
    "child": "C1",
    "team": "North",
    "worker": "SW1",
    "events": [{"type": "pf_notified", "date": "2024-03-01", "ref": "F1"}],
}
PF_ON_TIME = {
    "child": "C2",
    "team": "East",
    "worker": "SW2",
    "events": [
        {"type": "pf_notified", "date": "2024-03-01", "ref": "F1"},
        {"type": "pf_visit", "date": "2024-03-05", "ref": "F1", "attrs": {"seen_alone": True}},
    ],
}


# -- --la and the worklist's filters ignore case -------------------------------------------------


@pytest.mark.parametrize("name", ["LANCASHIRE", "Lancashire", "lancashire"])
def test_la_ignores_case(cli, name: str) -> None:
    res = cli("check", str(LANCASHIRE), "--as-of", "2024-03-31", "--la", name, "--format", "jsonl")
    assert res.code in (0, 1), res.err
    findings = [json.loads(line) for line in res.out.splitlines()]
    assert findings and {f["la"] for f in findings} == {"lancashire"}  # the council's own name
    assert {"LANC001", "LANC002"} <= {f["rule"] for f in findings}  # its local rules ran
    assert load_rules(la=name).la == "lancashire"
    listing = cli("rules", "list", "--la", name)
    assert listing.code == 0 and "lancashire-mash-24-hours" in listing.out


def test_an_unknown_council_is_still_a_usage_error(cli) -> None:
    res = cli("rules", "list", "--la", "Lancs")
    assert res.code == 2 and "unknown local authority 'Lancs'" in res.err


def test_worklist_filters_ignore_case_and_say_what_was_meant(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [PF_OVERDUE, PF_ON_TIME])
    base = ["worklist", str(data), "--as-of", "2024-03-31", "--format", "csv", "-q"]
    res = cli(*base, "--team", "NORTH", "--worker", "sw1")
    assert res.code == 0 and res.err == ""
    assert [r["child"] for r in csv.DictReader(io.StringIO(res.out))] == ["C1"]

    # one value matches, one does not: a warning with the closest name, and the list
    res = cli(*base, "--team", "north", "--team", "Nroth")
    assert res.code == 0
    assert "warning: --team 'Nroth' matches no team in the input; closest: North" in res.err
    assert [r["child"] for r in csv.DictReader(io.StringIO(res.out))] == ["C1"]

    # nothing matches: the warning, one error line, exit 2 and no list written
    out = tmp_path / "list.csv"
    res = cli(*base, "--worker", "SW11", "-o", str(out))
    assert res.code == 2 and not out.exists() and res.out == ""
    assert "warning: --worker 'SW11' matches no worker in the input; closest: SW1" in res.err
    assert "error: E100 --worker matched nothing in the input: no worklist written" in res.err
    assert "usage:" not in res.err


# -- --as-of and --since take ISO dates only, and say which to type -----------------------------


@pytest.mark.parametrize(
    "text", ["31/03/2024", "20240331", "2024-W13-7", "31-03-2024", "2024-3-31"]
)
@pytest.mark.parametrize("command", ["check", "report", "worklist"])
def test_as_of_that_is_not_iso_gets_one_line_with_the_iso_form(
    cli, tmp_path: Path, command: str, text: str
) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [PF_ON_TIME])
    extra = ["-o", str(tmp_path / "out.html")] if command == "report" else []
    res = cli(command, str(data), "--as-of", text, *extra)
    assert res.code == 2
    assert res.err == "error: E100 --as-of takes an ISO date YYYY-MM-DD: use 2024-03-31\n"
    assert res.out == ""


def test_other_date_mistakes(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [PF_ON_TIME])
    res = cli("check", str(data), "--as-of", "2024-02-30")
    assert res.code == 2
    wanted = "error: E100 --as-of takes an ISO date YYYY-MM-DD: 2024-02-30 is not a calendar date"
    assert res.err == wanted + "\n"
    res = cli("check", str(data), "--as-of", "yesterday")
    assert res.err == "error: E100 --as-of takes an ISO date YYYY-MM-DD, e.g. 2024-03-31\n"
    res = cli("report", str(data), "--as-of", "2024-03-31", "--since", "01/04/2023", "-o", "x")
    assert res.err == "error: E100 --since takes an ISO date YYYY-MM-DD: use 2023-04-01\n"
    res = cli("generate", "--children", "1", "--as-of", "31.03.24")
    assert res.err == "error: E100 --as-of takes an ISO date YYYY-MM-DD: use 2024-03-31\n"
    # ISO itself still works, and a missing --as-of is still argparse's usage error
    assert cli("check", str(data), "--as-of", "2024-03-31", "-q").code == 0
    with pytest.raises(SystemExit):
        cli("check", str(data))


# -- a missing input among several is said, and the others are checked -------------------------


def test_a_missing_input_among_several_is_reported_and_the_others_checked(
    cli, tmp_path: Path
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [PF_OVERDUE])
    missing = tmp_path / "missing.jsonl"
    rejects = tmp_path / "rejects.csv"
    res = cli(
        "check", str(missing), str(good), "--as-of", "2024-03-31", "--format", "jsonl",
        "--rejects", str(rejects),
    )  # fmt: skip
    assert res.code == 1  # the good input's breach: it was checked
    assert [json.loads(line)["child"] for line in res.out.splitlines()] == ["C1"]
    said = [line for line in res.err.splitlines() if "missing.jsonl" in line]
    assert said == [f"error: E101 {missing}: no such file or directory"]
    assert "children read 1, checked 1" in res.err and "inputs unreadable 1" in res.err
    (row,) = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert (row["source"], row["code"]) == (str(missing), "E101")

    on_time = write_jsonl(tmp_path / "on-time.jsonl", [PF_ON_TIME])
    res = cli("check", str(on_time), str(missing), "--as-of", "2024-03-31", "-q")
    assert res.code == 0  # nothing late in what could be checked

    # the worklist and the report go on too
    res = cli("worklist", str(missing), str(good), "--as-of", "2024-03-31", "--format", "csv")
    assert res.code == 0 and "error: E101" in res.err and ",C1," in res.out
    page = tmp_path / "report.html"
    res = cli("report", str(good), str(missing), "--as-of", "2024-03-31", "-o", str(page))
    assert res.code == 0 and page.exists() and "error: E101" in res.err


def test_nothing_could_be_checked_when_every_input_is_missing(cli, tmp_path: Path) -> None:
    out = tmp_path / "findings.jsonl"
    res = cli(
        "check", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "--as-of", "2024-03-31",
        "-o", str(out),
    )  # fmt: skip
    assert res.code == 2 and not out.exists()
    assert res.err.count("error: E101") == 2 and "error: nothing could be checked" in res.err


# -- rules list: a header, and the council's limit beside the national one ----------------------


def test_rules_list_has_a_header_row(cli) -> None:
    res = cli("rules", "list")
    first, *rows = res.out.splitlines()
    assert first.split() == ["id", "name", "limit", "citation"]
    assert rows[0].startswith("AD001") and len(rows) == len(load_rules())


def test_rules_list_with_a_council_shows_its_limit(cli) -> None:
    res = cli("rules", "list", "--la", "lancashire")
    first, *rows = res.out.splitlines()
    assert first.split() == ["id", "name", "limit", "lancashire", "limit", "citation"]
    ra001 = next(r for r in rows if r.startswith("RA001"))
    assert re.search(r"1 working day\s+24 hours \(lancashire-mash-24-hours\)", ra001)
    la005 = next(r for r in rows if r.startswith("LA005"))
    assert re.search(r"20 working days\s+same\s", la005)
    assert re.search(r"^LANC001\s.*\slocal rule\s", "\n".join(rows), re.M)
    data = json.loads(cli("rules", "list", "--la", "lancashire", "--format", "json").out)
    by_id = {r["id"]: r for r in data}
    assert by_id["RA001"]["limit"] == "1 working day"
    assert by_id["RA001"]["council_limit"] == "24 hours"
    assert by_id["RA001"]["override"] == "lancashire-mash-24-hours"
    assert "council_limit" not in by_id["LA005"] and by_id["LANC001"]["local"] is True
    national = json.loads(cli("rules", "list", "--format", "json").out)
    assert not any("council_limit" in r for r in national)


# -- AD001's limit says its clock once ------------------------------------------------------------


def test_ad001_limit_says_its_clock_once(cli) -> None:
    row = next(r for r in cli("rules", "list").out.splitlines() if r.startswith("AD001"))
    assert row.count("clock") == 1
    assert (
        "639 days if the clock stops (the event done, else as-of or the case's end) by "
        "2013-03-31, 547 days by 2014-03-31, 487 days by 2015-03-31, otherwise 426 days" in row
    )
    assert "otherwise 426 days" in row
    shown = cli("rules", "show", "AD001").out
    (limit,) = [line for line in shown.splitlines() if line.startswith("- Limit:")]
    assert limit.count("the clock stops") == 1 and limit.count("as-of") == 1
    ls002 = next(r for r in cli("rules", "list").out.splitlines() if r.startswith("LS002"))
    assert "otherwise" not in ls002  # one limit, and the one counted from police protection


# -- seed references read as the report's title and paragraph ----------------------------------


def test_seed_references_are_titles_and_paragraphs(cli) -> None:
    assert cite_seed("000 ¶53") == (
        "Ofsted, Lancashire: inspection of services for children in need of help and protection, "
        "children looked after and care leavers, and review of the Local Safeguarding Children "
        "Board (2015), para 53"
    )
    assert cite_seed("002 Rec 7").endswith(
        "(June 2018, published 17 August 2018), recommendation 7"
    )
    assert cite_seed("003 F-b8").endswith("letter of 18 December 2019, findings, point 8")
    assert cite_seed("001 (adoption)").endswith("(2018), on adoption")
    assert cite_seed("009 ¶1") == "009 ¶1"  # a document not in the table: as written
    assert cite_seeds(["000 ¶89", "002 ¶57", "000 ¶93", "000 ExecSum"]) == [
        f"{SEED_DOCUMENTS['000']}: paras 89, 93; executive summary",
        f"{SEED_DOCUMENTS['002']}: para 57",
    ]
    shown = cli("rules", "show", "LA020").out
    assert "000 ¶53" not in shown and "¶" not in shown
    assert f"- {SEED_DOCUMENTS['000']}: para 53" in shown
    assert f"- {SEED_DOCUMENTS['003']}: findings, point 8" in shown


def test_every_seed_reference_in_the_pack_names_a_known_document() -> None:
    for rule in load_rules(autoload=False).rules:
        for ref in rule.seeds:
            assert ref.split()[0] in SEED_DOCUMENTS, (rule.id, ref)
            assert "¶" not in cite_seed(ref), (rule.id, ref)


# -- the README names every input format ----------------------------------------------------------


def test_readme_lists_every_importer_among_the_inputs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inputs = readme[readme.index("Inputs:") : readme.index("\n\n", readme.index("Inputs:"))]
    for name in FORMATS:
        if name not in ("auto", "json", "jsonl", "yaml"):
            assert f"`{name}`" in inputs or f"`--input-format {name}`" in inputs, name
    assert "Standard Safeguarding Dataset" in inputs and "docs/importers/" in inputs
