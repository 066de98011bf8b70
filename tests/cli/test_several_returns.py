"""Several years' returns given as several inputs are one history (issue 18): each child's rows
meet and merge exactly as they would in one directory holding them all, in one process and with
``--jobs 2``. Both samples are kept in ``examples/samples``."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SSDA903 = ROOT / "examples" / "samples" / "ssda903"
CIN = ROOT / "examples" / "samples" / "cin-census"

CASES = {
    "ssda903": (SSDA903, sorted(p for p in SSDA903.iterdir() if p.is_dir()), "2027-03-31"),
    "cin-census": (CIN, sorted(CIN.glob("*.xml")), "2025-03-31"),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_separate_inputs_give_the_findings_of_one_directory(cli, name: str, jobs: str) -> None:
    directory, parts, as_of = CASES[name]
    assert len(parts) == 2  # two years, given apart
    whole = cli("check", str(directory), "--as-of", as_of, "--format", "jsonl", "-q")
    apart = cli(
        "check", *map(str, parts), "--as-of", as_of, "--format", "jsonl", "-q", "--jobs", jobs
    )
    assert whole.code in (0, 1) and apart.code == whole.code, apart.err
    assert whole.out.strip() and apart.out == whole.out
