"""The bundled example data gives exactly the committed expected findings, from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_module

EXAMPLES = ROOT / "examples"


def test_cli_reproduces_expected_findings(tmp_path: Path) -> None:
    out = tmp_path / "findings.jsonl"
    res = run_module(
        [
            "check",
            str(EXAMPLES / "children.jsonl"),
            "--as-of",
            "2024-03-31",
            "--format",
            "jsonl",
            "-o",
            str(out),
        ]
    )
    assert res.code == 1, res.err  # the example data has breaches on purpose
    expected = (EXAMPLES / "expected-findings.jsonl").read_text().splitlines()
    actual = out.read_text().splitlines()
    assert actual == expected
    assert "children read 15, checked 15, rejected 0" in res.err


def test_examples_exercise_every_family_and_status() -> None:
    findings = [json.loads(line) for line in (EXAMPLES / "expected-findings.jsonl").open()]
    statuses = {f["status"] for f in findings}
    assert statuses == {"met", "late", "overdue", "pending", "unmet"}
    families = {f["rule"][:2] for f in findings}
    assert families >= {"PF", "RA", "AS", "CP", "LA", "MI", "CO", "AD", "CL", "SA", "LS"}
