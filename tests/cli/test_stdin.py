"""`timescales check -`: JSON Lines from standard input, streamed, as from a file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from test_check import LATE

from conftest import ROOT, Result, run_module

EXAMPLES = ROOT / "examples" / "children.jsonl"
BENCHMARK = ROOT / "benchmarks" / "pipe_memory.py"
AS_OF = ("--as-of", "2024-03-31")


def run_stdin(args: list[str], data: bytes = b"", cwd: Path | None = None) -> Result:
    return run_module(args, cwd, data)


def test_findings_from_stdin_equal_findings_from_the_file() -> None:
    by_path = run_stdin(["check", str(EXAMPLES), *AS_OF, "--format", "jsonl"])
    by_stdin = run_stdin(["check", "-", *AS_OF, "--format", "jsonl"], EXAMPLES.read_bytes())
    assert by_path.code == by_stdin.code == 1, by_stdin.err  # the examples hold breaches
    assert by_stdin.out == by_path.out
    assert len(by_stdin.out.splitlines()) > 15
    summary = [line for line in by_path.err.splitlines() if line.startswith("children read")]
    assert summary and summary[-1] in by_stdin.err


def test_a_bad_line_on_stdin_is_rejected_at_stdin_line_and_the_rest_checked(
    tmp_path: Path,
) -> None:
    lines = EXAMPLES.read_bytes().splitlines(keepends=True)
    data = b"".join([*lines[:2], b'{"child": "BAD", "events": [\n', *lines[2:]])
    rejects = tmp_path / "rejects.csv"
    res = run_stdin(["check", "-", *AS_OF, "--format", "jsonl", "--rejects", str(rejects)], data)
    assert res.code == 1, res.err
    assert "<stdin>:3" in res.err
    total = len(lines)
    assert f"children read {total + 1}, checked {total}, rejected 1" in res.err
    with rejects.open(newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["source"], row["line"]) == ("<stdin>", "3")
    # every good child was still checked: same findings as without the bad line
    clean = run_stdin(["check", "-", *AS_OF, "--format", "jsonl"], b"".join(lines))
    assert res.out == clean.out


def test_stdin_given_twice_is_a_usage_error() -> None:
    res = run_stdin(["check", "-", "-", *AS_OF], json.dumps(LATE).encode() + b"\n")
    assert res.code == 2
    assert "standard input" in res.err and "once" in res.err
    assert res.out == ""


def test_stdin_with_a_non_jsonl_input_format_is_an_error_naming_stdin() -> None:
    res = run_stdin(["check", "-", *AS_OF, "--input-format", "ssda903"], b"")
    assert res.code == 2
    assert "<stdin>" in res.err or "standard input" in res.err
    assert "ssda903" in res.err
    assert "Traceback" not in res.err


def test_stdin_with_jobs_is_a_usage_error() -> None:
    res = run_stdin(["check", "-", *AS_OF, "--jobs", "2"], json.dumps(LATE).encode() + b"\n")
    assert res.code == 2
    assert "standard input" in res.err and "--jobs" in res.err


def test_pipe_memory_benchmark_smoke() -> None:
    """The benchmark runs end to end on a few MB and prints its table (no timing or memory
    assertion: those depend on the machine)."""
    proc = subprocess.run(
        [sys.executable, str(BENCHMARK), "--gigabytes", "0.002", "--sample-every", "0.2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "| measure | value |" in out
    for label in ("bytes fed", "children fed", "RSS at 10% of the stream", "RSS slope after 10%"):
        assert f"| {label} |" in out
    assert "| consumer exit status | 1 |" in out  # generated children include breaches
    assert "consumer summary" in out and "rejected 0" in out
