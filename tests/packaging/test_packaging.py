"""The rule pack ships inside the wheel: a non-editable install finds the rules."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_rules_and_loads_them(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("timescales-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packed = [n for n in names if n.startswith("timescales/packs/england/") and n.endswith(".yaml")]
    source = list((ROOT / "rules" / "england").rglob("*.yaml"))
    assert len(packed) == len(source) > 0
    # every module of the source tree ships (pyproject lists the packages one by one)
    tree = ROOT / "engine"
    modules = {p.relative_to(tree).as_posix() for p in tree.rglob("*.py")}
    assert modules - set(names) == set(), "add the package to [tool.setuptools] packages"
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import timescales, sys; rs = timescales.load_rules(); "
        "print(timescales.__file__); print(len(rs))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.split()
    assert out[0].startswith(str(target)), out
    assert int(out[1]) == len(source)
