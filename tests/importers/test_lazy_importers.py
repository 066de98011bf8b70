"""Auto-detection imports each importer when its turn comes: a JSON Lines input never imports
the Excel reader (openpyxl), the XML readers or the other returns' importers."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PROBE = """
import os, sys
from timescales.cli import main
main(["check", sys.argv[1], "--as-of", "2024-03-31", "--format", "jsonl", "-o", os.devnull, "-q"])
heavy = ("openpyxl", "defusedxml", "timescales.importers.annex_a",
         "timescales.importers.cin_census", "timescales.importers.ssd")
print(sorted(name for name in heavy if name in sys.modules))
"""


def test_a_json_lines_check_imports_no_other_importer() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "examples" / "children.jsonl")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[-1] == "[]"


def test_an_excel_return_still_finds_its_importer(cli) -> None:
    res = cli("check", str(ROOT / "examples" / "samples" / "annex-a"), "--as-of", "2024-03-31")
    assert "read as annex-a" in res.err
