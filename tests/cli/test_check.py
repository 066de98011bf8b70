"""`timescales check`: exit codes, formats, bad input reported with file and line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import ROOT, run_module, write_jsonl
from timescales.backends import durable_available

LATE = {
    "child": "C1",
    "dob": "2012-04-01",
    "events": [
        {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
        {"type": "lac_review", "date": "2023-05-04", "ref": "P1"},
    ],
}
ON_TIME = {
    "child": "C2",
    "events": [
        {"type": "pf_notified", "date": "2023-05-05"},
        {"type": "pf_visit", "date": "2023-05-16", "attrs": {"seen_alone": True}},
    ],
}


def test_breach_exits_1_and_jsonl_has_contract_fields(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [LATE])
    res = cli("check", str(data), "--as-of", "2023-05-10", "--format", "jsonl", "--rules", "LA005")
    assert res.code == 1
    (finding,) = [json.loads(line) for line in res.out.splitlines()]
    assert finding["rule"] == "LA005"
    assert finding["due"] == "2023-05-03" and finding["done"] == "2023-05-04"
    assert finding["status"] == "late" and finding["days_late"] == 1
    for key in ("name", "child", "ref", "anchor", "working_days_late", "citation", "la"):
        assert key in finding
    assert "children read 1, checked 1, rejected 0" in res.err


NOT_SEEN_ALONE = {
    "child": "C3",
    "events": [
        {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
        {"type": "lac_visit", "date": "2023-04-05", "ref": "P1", "attrs": {"seen_alone": False}},
        {"type": "lac_visit", "date": "2023-05-10", "ref": "P1", "attrs": {"seen_alone": True}},
    ],
}


def test_a_visit_not_seen_alone_is_unmet_with_no_days_late(cli, tmp_path: Path) -> None:
    """LA020 is not a deadline: a looked-after child not seen alone (and no reason recorded) is
    unmet, with days late null, not "overdue" by the days since the visit."""
    data = write_jsonl(tmp_path / "in.jsonl", [NOT_SEEN_ALONE])
    res = cli("check", str(data), "--as-of", "2023-11-01", "--format", "jsonl", "--rules", "LA020")
    assert '"status":"unmet"' in res.out
    unmet, met = [json.loads(line) for line in res.out.splitlines()]
    assert unmet["rule"] == "LA020" and unmet["status"] == "unmet"
    assert unmet["anchor"] == unmet["due"] == "2023-04-05" and unmet["done"] is None
    assert unmet["days_late"] is None and unmet["working_days_late"] is None
    assert met["status"] == "met" and met["days_late"] == 0
    # the only breach is unmet, and it is a breach: exit 1
    assert res.code == 1, res.err
    assert "findings: 1 met, 0 late, 0 overdue, 0 pending, 1 unmet" in res.err
    # the same as a table and as CSV: no days figure
    table = cli("check", str(data), "--as-of", "2023-11-01", "--rules", "LA020").out
    (row,) = [line for line in table.splitlines() if "unmet" in line]
    assert row.split()[-2:] == ["-", "-"]
    csv_out = cli(
        "check", str(data), "--as-of", "2023-11-01", "--rules", "LA020", "--format", "csv"
    ).out
    (first, _) = list(csv.DictReader(csv_out.splitlines()))
    assert first["status"] == "unmet" and first["days_late"] == first["done"] == ""


@pytest.mark.parametrize(
    "engine", [(), ("--jobs", "2"), ("--engine", "durable")], ids=["python", "jobs2", "durable"]
)
def test_unmet_as_the_only_breach_exits_1_on_every_path(
    cli, tmp_path: Path, engine: tuple[str, ...]
) -> None:
    """In one process, in worker processes (the fast JSON Lines path) and in durable-rules."""
    if "durable" in engine and not durable_available():
        pytest.skip("durable-rules is not installed")
    data = write_jsonl(tmp_path / "in.jsonl", [NOT_SEEN_ALONE, ON_TIME])
    res = cli(
        "check", str(data), "--as-of", "2023-11-01", "--format", "jsonl",
        "--rules", "LA020,PF001,PF004", *engine,
    )  # fmt: skip
    found = [json.loads(line) for line in res.out.splitlines()]
    assert [f["status"] for f in found] == ["unmet", "met", "met", "met"]
    assert found[0]["days_late"] is None
    assert "findings: 3 met, 0 late, 0 overdue, 0 pending, 1 unmet" in res.err
    assert res.code == 1


def test_a_visit_on_the_as_of_day_not_seen_alone_is_unmet_not_pending(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [NOT_SEEN_ALONE])
    res = cli("check", str(data), "--as-of", "2023-04-05", "--format", "jsonl", "--rules", "LA020")
    (finding,) = [json.loads(line) for line in res.out.splitlines()]
    assert finding["status"] == "unmet" and finding["days_late"] is None
    assert res.code == 1


def test_no_breach_exits_0(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [ON_TIME])
    res = cli("check", str(data), "--as-of", "2023-05-16", "--rules", "PF001")
    assert res.code == 0, res.err
    assert "PF001" in res.out and "met" in res.out


def test_bad_lines_are_rejected_with_file_and_line_and_good_ones_checked(
    cli, tmp_path: Path
) -> None:
    lines = [
        LATE,
        '{"child": "C3", "events": [',  # malformed JSON
        {"child": "C4", "colour": "blue", "events": []},  # unknown key
        {"child": "C5", "events": [{"type": "referral", "date": "2023-02-30"}]},  # impossible
        {"child": "C6", "events": [{"type": "refferal", "date": "2023-02-03"}]},  # unknown type
        # not ISO: an optional field that cannot be read is left out with a note (DATA050),
        # the record is used (issue 18's one policy for what cannot be read)
        {"child": "C7", "dob": "01/02/2012", "events": []},
        ON_TIME,
    ]
    data = write_jsonl(tmp_path / "mixed.jsonl", lines)
    rejects = tmp_path / "rejects.csv"
    quality = tmp_path / "dq.jsonl"
    res = cli(
        "check", str(data), "--as-of", "2023-05-16", "--format", "jsonl", "--rejects",
        str(rejects), "--data-quality", str(quality),
    )  # fmt: skip
    assert res.code == 1  # the good late record still breaches
    assert "Traceback" not in res.err
    for line_no, words in [
        (2, "not valid JSON"),
        (3, "unknown key 'colour'"),
        (4, "not a real calendar date"),
        (5, "unknown event type 'refferal'"),
    ]:
        assert any(
            f"mixed.jsonl:{line_no}" in row and words in row for row in res.err.splitlines()
        ), (line_no, res.err)
    assert "children read 7, checked 3, rejected 4" in res.err
    children = {json.loads(line)["child"] for line in res.out.splitlines()}
    assert children == {"C1", "C2"}  # C7 is checked and has no findings
    rows = list(csv.DictReader(rejects.open()))
    assert [int(r["line"]) for r in rows] == [2, 3, 4, 5]
    assert rows[1]["pointer"].endswith("/colour")
    (note,) = [json.loads(line) for line in quality.read_text().splitlines()]
    assert note["code"] == "DATA050" and note["source"].endswith("mixed.jsonl:6 /dob")
    # no personal data echoed: the bad date of birth's value is not in any message
    assert "01/02/2012" not in res.err + rejects.read_text() + quality.read_text()


def test_everything_rejected_exits_2(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "bad.jsonl", ["not json", '{"child": 1}'])
    res = cli("check", str(data), "--as-of", "2023-05-16")
    assert res.code == 2
    assert "nothing could be checked" in res.err


def test_max_rejects_threshold(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [ON_TIME, "oops"])
    assert cli("check", str(data), "--as-of", "2023-05-16", "--max-rejects", "1").code == 0
    assert cli("check", str(data), "--as-of", "2023-05-16", "--max-rejects", "0").code == 2
    assert cli("check", str(data), "--as-of", "2023-05-16", "--max-rejects", "40%").code == 2
    assert cli("check", str(data), "--as-of", "2023-05-16", "--max-rejects", "60%").code == 0


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [ON_TIME])
    missing_as_of = run_module(["check", str(data)])
    assert missing_as_of.code == 2 and "--as-of" in missing_as_of.err
    bad_rule = run_module(["check", str(data), "--as-of", "2023-05-16", "--rules", "XX999"])
    assert bad_rule.code == 2 and "XX999" in bad_rule.err
    no_file = run_module(["check", str(tmp_path / "nope.jsonl"), "--as-of", "2023-05-16"])
    assert no_file.code == 2 and "no such file" in no_file.err
    bad_date = run_module(["check", str(data), "--as-of", "31/03/2024"])
    assert bad_date.code == 2
    for res in (missing_as_of, bad_rule, no_file, bad_date):
        assert "Traceback" not in res.err


def test_formats_are_the_same_findings(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [LATE, ON_TIME])
    args = ["check", str(data), "--as-of", "2023-05-16", "--rules", "LA005,PF001"]
    jsonl = [json.loads(x) for x in cli(*args, "--format", "jsonl").out.splitlines()]
    as_json = json.loads(cli(*args, "--format", "json").out)
    rows = list(csv.DictReader(cli(*args, "--format", "csv").out.splitlines()))
    table = cli(*args, "--format", "table").out
    assert jsonl == as_json
    assert [r["id"] for r in rows] == [f["id"] for f in jsonl]
    assert all(f["id"] in table or f["rule"] in table for f in jsonl)
    assert len(table.splitlines()) == len(jsonl) + 1


def test_output_file_is_written_whole(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [LATE])
    out = tmp_path / "findings.jsonl"
    res = cli("check", str(data), "--as-of", "2023-05-16", "--format", "jsonl", "-o", str(out))
    assert res.code == 1 and res.out == ""
    assert out.read_text().count("\n") >= 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".findings")] == []


def test_events_after_as_of_are_ignored_and_counted(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [LATE])
    res = cli("check", str(data), "--as-of", "2023-05-03", "--format", "jsonl", "--rules", "LA005")
    (finding,) = [json.loads(line) for line in res.out.splitlines()]
    assert finding["status"] == "pending" and finding["done"] is None
    assert "events after as-of ignored 1" in res.err


def test_json_and_yaml_inputs(cli, tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text(json.dumps([LATE, {"child": "X", "events": "no"}]))
    res = cli("check", str(tmp_path / "in.json"), "--as-of", "2023-05-16", "--rules", "LA005")
    assert res.code == 1 and "in.json /1/events" in res.err
    (tmp_path / "in.yaml").write_text(
        "- child: C9\n  events:\n    - {type: became_looked_after, date: 2023-03-31}\n"
    )
    res = cli("check", str(tmp_path / "in.yaml"), "--as-of", "2023-05-16", "--format", "jsonl")
    assert res.code == 1 and '"overdue"' in res.out


def test_duplicate_child_is_a_data_quality_note(cli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [ON_TIME, ON_TIME])
    dq = tmp_path / "dq.jsonl"
    res = cli("check", str(data), "--as-of", "2023-05-16", "--data-quality", str(dq))
    assert res.code == 0
    codes = [json.loads(line)["code"] for line in dq.read_text().splitlines()]
    assert codes == ["DATA002"]


def test_rules_option_reports_only_the_rules_asked_for(cli) -> None:
    from conftest import ROOT

    res = cli(
        "check",
        str(ROOT / "examples" / "children.jsonl"),
        "--as-of",
        "2024-03-31",
        "--format",
        "jsonl",
        "--rules",
        "LA008",
    )
    rules = {json.loads(line)["rule"] for line in res.out.splitlines()}
    assert rules == {"LA008"}  # LA005-LA007 are evaluated (LA008 needs them), not reported


def test_the_summary_says_unmet_n_a_when_no_rule_could_find_one(cli) -> None:
    """LA020 and PF004 alone can find a visit unmet: with neither among the rules checked the
    summary line says ``unmet n/a``, never ``0 unmet``; with them, it counts."""
    example = str(ROOT / "examples" / "children.jsonl")
    some = cli("check", example, "--as-of", "2024-03-31", "--rules", "AS001", "--format", "jsonl")
    assert "0 pending, unmet n/a;" in some.err
    every = cli("check", example, "--as-of", "2024-03-31", "--format", "jsonl")
    assert "pending, 2 unmet;" in every.err
