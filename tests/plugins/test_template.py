"""Following plugins/example-borough/README.md (copy, rename, install) gives a working plugin."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_copy_rename_install_gives_a_working_plugin(tmp_path: Path) -> None:
    src = ROOT / "plugins" / "example-borough"
    new = tmp_path / "newtown"
    shutil.copytree(src, new, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    (new / "timescales_example_borough").rename(new / "timescales_newtown")
    pyproject = (new / "pyproject.toml").read_text()
    pyproject = pyproject.replace("timescales-example-borough", "timescales-newtown")
    pyproject = pyproject.replace("timescales_example_borough", "timescales_newtown")
    pyproject = pyproject.replace('example-borough = "', 'newtown = "')
    (new / "pyproject.toml").write_text(pyproject)
    plugin = new / "timescales_newtown" / "plugin.py"
    text = plugin.read_text().replace('NAME = "example-borough"', 'NAME = "newtown"')
    text = text.replace('"example-borough.case_note"', '"newtown.case_note"')
    text = re.sub(r'title="Example Borough Council[^"]*"', 'title="Newtown Council"', text)
    plugin.write_text(text)
    rule = new / "timescales_newtown" / "rules" / "EXB001.yaml"
    rule.write_text(rule.read_text().replace("example-borough.case_note", "newtown.case_note"))

    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "--target",
            str(site),
            str(new),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(site)}

    def timescales(*args: str) -> subprocess.CompletedProcess[str]:
        """The command, run in a fresh interpreter that sees the installed template."""
        return subprocess.run(
            [sys.executable, "-m", "timescales", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
        )  # fmt: skip

    listing = timescales("plugins", "list")
    assert listing.returncode == 0, listing.stderr
    assert "newtown: Newtown Council (timescales-newtown 0.1.0)" in listing.stdout
    assert "EXB001" in listing.stdout
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"child": "N1", "events": [{"type": "lac_visit", "date": "2023-12-22"},'
        ' {"type": "newtown.case_note", "date": "2024-01-04"}]}\n'
    )
    check = timescales(
        "check", str(cases), "--as-of", "2024-02-01", "--la", "newtown", "--rules", "EXB001",
        "--format", "jsonl",
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert '"status":"met"' in check.stdout and '"la":"newtown"' in check.stdout
