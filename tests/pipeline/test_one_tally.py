"""One tally, four outputs: the CLI's ``check`` summary line (``--jobs 2`` too), the ``report``
banner, the workbook's "Data completeness" sheet and the service's answer to an uploaded return
read the same counts (``pipeline.Summary``), on an SSDA903 return with rejected rows and a stray
file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporters"))
from test_completeness import AS_OF, banner, console, ssda903_return, workbook

import timescales
from timescales.service import Settings, create_app

STATUSES = ("met", "late", "overdue", "pending", "unmet")
TOKEN = "a-test-token-of-24-chars"


def summary_line(err: str) -> str:
    return next(x for x in err.splitlines() if x.startswith("children read "))


def skipped(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else 0


def from_completeness(data: dict[str, Any]) -> dict[str, int]:
    """The counts ``console`` reads from the summary line, from the service's completeness."""
    out = {f"children_{k}": v for k, v in data["children"].items()}
    out.update({f"rows_{k}": v for k, v in data["rows"].items()})
    out["partial_history"] = data["partial_history"]
    return out


def service() -> TestClient:
    return TestClient(create_app(Settings(), ruleset=timescales.load_rules()))


def test_console_report_workbook_and_service_agree(cli, tmp_path: Path) -> None:
    data = ssda903_return(tmp_path / "903", children=30, bad=5)
    (data / "LA_postcode_lookup.csv").write_text("postcode,ward,la\nPR1 2AA,W1,888\n")

    # 1. check: the console's summary line
    res = cli("check", str(data), "--as-of", AS_OF, "--format", "jsonl")
    assert res.code in (0, 1), res.err
    line = summary_line(res.err)
    said = console(res.err)
    assert said["rows_rejected"] == 5 and said["children_read"] == 30, line
    assert said["partial_history"] > 0 and "files skipped 1" in line, line
    statuses = {s: skipped(line, rf"(\d+) {s}\b") for s in STATUSES}
    # a 903 return carries no visits: no rule that can find an unmet one is assessed
    assert "pending, unmet n/a;" in line, line
    # the same line when the children are checked in worker processes
    res = cli("check", str(data), "--as-of", AS_OF, "--format", "jsonl", "--jobs", "2")
    assert summary_line(res.err) == line

    # 2. report: the banner
    page_path = tmp_path / "report.html"
    args = ("--as-of", AS_OF, "-o", str(page_path), "--max-rejects", "20%")
    res = cli("report", str(data), *args)
    assert res.code == 0, res.err
    assert summary_line(res.err) == line
    page = page_path.read_text(encoding="utf-8")
    assert banner(page) == said
    assert skipped(page, r'id="files-skipped">(\d+)<') == 1

    # 3. the workbook (check --format xlsx)
    book = tmp_path / "out.xlsx"
    res = cli("check", str(data), "--as-of", AS_OF, "--format", "xlsx", "-o", str(book))
    assert res.code in (0, 1), res.err
    assert summary_line(res.err) == line
    assert workbook(book) == said
    sheet = {
        r[0]: r[1] for r in load_workbook(book)["Data completeness"].iter_rows(values_only=True)
    }
    assert sheet.get("Files or sheets skipped") == 1

    # 4. the service: the same files uploaded
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(data.iterdir())]
    answer = service().post("/check/files", data={"as_of": AS_OF}, files=files)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["line"] == line
    assert from_completeness(body["completeness"]) == said
    assert body["completeness"]["files_skipped"] == 1
    summary = body["summary"]
    assert (summary["read"], summary["checked"], summary["rejected"]) == (
        said["children_read"],
        said["children_checked"],
        said["children_rejected"],
    )
    assert {s: summary[s] for s in STATUSES} == statuses
    assert len(body["findings"]) == sum(statuses.values())
    # the rejections (5 rows, 1 file) name the files as uploaded, never the server's directory
    assert len(body["rejected"]) == 6
    assert all(not str(r["source"]).startswith("/") for r in body["rejected"])
    assert any(r["source"] == "LA_postcode_lookup.csv" for r in body["rejected"])


def test_an_upload_is_refused_with_the_service_errors() -> None:
    client = service()
    file = [("files", ("a.jsonl", b'{"child": "C1", "events": []}\n', "application/x-ndjson"))]
    missing = client.post("/check/files", files=file)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_request"
    assert client.post("/check/files", data={"as_of": AS_OF}).status_code == 422
    hidden = [("files", (".env", b"x", "text/plain"))]
    assert client.post("/check/files", data={"as_of": AS_OF}, files=hidden).status_code == 422
    ok = client.post("/check/files", data={"as_of": AS_OF}, files=file)
    assert ok.status_code == 200, ok.text
    assert ok.json()["summary"]["checked"] == 1
    # a bearer token guards it as every other endpoint
    guarded = TestClient(create_app(Settings(api_token=TOKEN), ruleset=timescales.load_rules()))
    assert guarded.post("/check/files", data={"as_of": AS_OF}, files=file).status_code == 401


def test_an_upload_is_read_by_the_councils_own_importer() -> None:
    """A council's export (a plugin's importer) is read on upload as ``check --la`` reads it."""
    app = create_app(Settings(la="example-borough"))
    export = (
        b"child_id,dob,event,date,ref,seen_alone\n"
        b"EB1,2012-04-01,became_looked_after,31/03/2023,P1,\n"
        b"EB1,,review,2023-05-04,P1,\n"
        b"EB1,,visit,bad-date,P1,Y\n"
    )
    files = [("files", ("visits.csv", export, "text/csv"))]
    form = {"as_of": "2023-06-01", "rules": "LA005"}
    body = TestClient(app).post("/check/files", data=form, files=files).json()
    assert "rows read 3, used 2, rejected 1" in body["line"], body
    (finding,) = body["findings"]
    assert finding["status"] == "late" and finding["due"] == "2023-05-03"
    (rejected,) = body["rejected"]
    assert rejected["source"] == "visits.csv" and rejected["line"] == 4


def test_an_upload_of_worker_records_answers_their_findings_apart() -> None:
    """A workers file uploaded: its records are judged by the workforce rules (Lancashire's,
    with the example settings) and their findings come back under `worker_findings`, as `check
    --workforce` writes them, never among the children's findings."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    children = ("files", ("children.jsonl", (examples / "children.jsonl").read_bytes(), "x"))
    staff = ("files", ("workers.jsonl", (examples / "workers.jsonl").read_bytes(), "x"))
    rules = timescales.load_rules(la="lancashire", settings=examples / "lancashire-settings.yaml")
    client = TestClient(create_app(Settings(), ruleset=rules))
    kids = client.post("/check/files", data={"as_of": "2024-03-31"}, files=[children]).json()
    assert kids["findings"] and kids["worker_findings"] == []
    answer = client.post("/check/files", data={"as_of": "2024-03-31"}, files=[staff])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["findings"] == [] and body["summary"]["checked"] == 0
    judged = {f["rule"] for f in body["worker_findings"]}
    assert judged == {"LANC016", "LANC027", "LANC028"}
    assert all("child" not in f and f["worker"] for f in body["worker_findings"])
    assert "worker records 26" in body["line"]
