"""One tally, four outputs: the CLI's ``check`` summary line, the ``report`` banner, the
workbook's "Data completeness" sheet and the service's answer to an uploaded return read the
same counts (``pipeline.Summary``), on an SSDA903 return with rejected rows and a stray file."""

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
from test_completeness import AS_OF, ssda903_return

import timescales
from timescales.service import Settings, create_app

CHILDREN = ("read", "checked", "rejected")
ROWS = ("read", "used", "rejected")
STATUSES = ("met", "late", "overdue", "pending", "unmet")


def line_counts(line: str) -> dict[str, Any]:
    """Every count of the summary line, by name."""
    children = re.search(r"children read (\d+), checked (\d+), rejected (\d+)", line)
    rows = re.search(r"rows read (\d+), used (\d+), rejected (\d+)", line)
    assert children and rows, line
    out: dict[str, Any] = {
        "children": dict(zip(CHILDREN, map(int, children.groups()), strict=True)),
        "rows": dict(zip(ROWS, map(int, rows.groups()), strict=True)),
        "findings": {s: int(re.search(rf"(\d+) {s}\b", line).group(1)) for s in STATUSES},  # type: ignore[union-attr]
    }
    for label, key in (
        ("files skipped", "files_skipped"),
        ("tables rejected", "tables_rejected"),
        ("findings with partial history", "partial_history"),
        ("data-quality notes", "data_quality_notes"),
    ):
        found = re.search(rf"{label} (\d+)", line)
        out[key] = int(found.group(1)) if found else 0
    return out


def summary_line(err: str) -> str:
    return next(x for x in err.splitlines() if x.startswith("children read "))


def banner_counts(page: str) -> dict[str, Any]:
    def number(ident: str) -> int:
        found = re.search(rf'id="{ident}">([\d,]+)<', page)
        return int(found.group(1).replace(",", "")) if found else 0

    partial = re.search(r'id="partial-history">[^<]*</span>\s*\(([\d,]+) of', page)
    assert partial
    return {
        "children": {k: number(f"children-{k}") for k in CHILDREN},
        "rows": {k: number(f"rows-{k}") for k in ROWS},
        "files_skipped": number("files-skipped"),
        "tables_rejected": number("tables-rejected"),
        "partial_history": int(partial.group(1).replace(",", "")),
    }


def workbook_counts(path: Path) -> dict[str, Any]:
    ws = load_workbook(path)["Data completeness"]
    sheet = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    return {
        "children": {k: sheet[f"Children {k}"] for k in CHILDREN},
        "rows": {k: sheet[f"Rows {k}"] for k in ROWS},
        "files_skipped": sheet.get("Files or sheets skipped") or 0,
        "tables_rejected": sheet.get("Tables rejected whole") or 0,
        "partial_history": sheet["Findings with partial history"],
    }


def completeness_counts(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "children": data["children"],
        "rows": data["rows"],
        "files_skipped": data["files_skipped"],
        "tables_rejected": data["tables_rejected"],
        "partial_history": data["partial_history"],
    }


def banner_keys(counts: dict[str, Any]) -> dict[str, Any]:
    return {k: counts[k] for k in ("children", "rows", "files_skipped", "tables_rejected",
                                   "partial_history")}  # fmt: skip


def test_console_report_workbook_and_service_agree(cli, tmp_path: Path) -> None:
    data = ssda903_return(tmp_path / "903", children=30, bad=5)
    (data / "LA_postcode_lookup.csv").write_text("postcode,ward,la\nPR1 2AA,W1,888\n")

    # 1. check: the console's summary line
    res = cli("check", str(data), "--as-of", AS_OF, "--format", "jsonl")
    assert res.code in (0, 1), res.err
    line = summary_line(res.err)
    console = line_counts(line)
    assert console["rows"]["rejected"] == 5 and console["files_skipped"] == 1, line
    assert console["children"]["read"] == 30 and console["partial_history"] > 0, line

    # 2. report: the banner
    page_path = tmp_path / "report.html"
    res = cli("report", str(data), "--as-of", AS_OF, "-o", str(page_path), "--max-rejects", "20%")
    assert res.code == 0, res.err
    assert summary_line(res.err) == line
    assert banner_counts(page_path.read_text(encoding="utf-8")) == banner_keys(console)

    # 3. the workbook (check --format xlsx)
    book = tmp_path / "out.xlsx"
    res = cli("check", str(data), "--as-of", AS_OF, "--format", "xlsx", "-o", str(book))
    assert res.code in (0, 1), res.err
    assert summary_line(res.err) == line
    assert workbook_counts(book) == banner_keys(console)

    # 4. the service: the same files uploaded
    client = TestClient(create_app(Settings(), ruleset=timescales.load_rules()))
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(data.iterdir())]
    answer = client.post("/check/files", data={"as_of": AS_OF}, files=files)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["line"] == line
    assert completeness_counts(body["completeness"]) == banner_keys(console)
    summary = body["summary"]
    assert {k: summary[k] for k in CHILDREN} == console["children"]
    assert {s: summary[s] for s in STATUSES} == console["findings"]
    assert len(body["findings"]) == sum(console["findings"].values())
    # the rejections name the files as uploaded, never the server's directory
    codes = {r["code"] for r in body["rejected"]}
    assert "E407" in codes and len(body["rejected"]) == 6
    assert all(not str(r["source"]).startswith("/") for r in body["rejected"])
    assert any(r["source"] == "LA_postcode_lookup.csv" for r in body["rejected"])


def test_an_upload_is_refused_with_the_service_errors(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(), ruleset=timescales.load_rules()))
    file = [("files", ("a.jsonl", b'{"child": "C1", "events": []}\n', "application/x-ndjson"))]
    missing = client.post("/check/files", files=file)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_request"
    none = client.post("/check/files", data={"as_of": AS_OF})
    assert none.status_code == 422
    hidden = [("files", (".env", b"x", "text/plain"))]
    assert client.post("/check/files", data={"as_of": AS_OF}, files=hidden).status_code == 422
    ok = client.post("/check/files", data={"as_of": AS_OF}, files=file)
    assert ok.status_code == 200, ok.text
    assert ok.json()["summary"]["checked"] == 1
    # a bearer token guards it as every other endpoint
    guarded = TestClient(
        create_app(Settings(api_token="a-test-token-of-24-chars"), ruleset=timescales.load_rules())
    )
    assert guarded.post("/check/files", data={"as_of": AS_OF}, files=file).status_code == 401
