"""What the importer tests share: one ``check`` of a sample through the CLI (findings, data-quality
notes and rejects read back), picking one finding, loading a sample's ``make.py``, and a run whose
row and child counts are asserted to reconcile (the file-policy tests)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from timescales.pipeline import Pipeline
from timescales.ruleset.pack import load_rules


def check_sample(
    cli: Any, path: Path | Sequence[Path], as_of: str, tmp_path: Path, *more: str
) -> dict[str, Any]:
    """``timescales check PATH... --as-of AS_OF`` as JSON Lines, with its rejects and
    data-quality notes: ``res`` (the CLI result), ``findings``, ``rejects`` (CSV rows) and
    ``quality``."""
    paths = [path] if isinstance(path, Path) else path
    rejects, dq = tmp_path / "rejects.csv", tmp_path / "dq.jsonl"
    res = cli(
        "check", *map(str, paths), "--as-of", as_of, "--format", "jsonl",
        "--rejects", str(rejects), "--data-quality", str(dq), *more,
    )  # fmt: skip
    assert "Traceback" not in res.err and "Traceback" not in res.out
    with rejects.open(encoding="utf-8", newline="") as fh:
        reject_rows = list(csv.DictReader(fh))
    return {
        "res": res,
        "findings": [json.loads(line) for line in res.out.splitlines() if line.strip()],
        "rejects": reject_rows,
        "quality": [json.loads(line) for line in dq.read_text(encoding="utf-8").splitlines()],
    }


def one(findings: list[dict[str, Any]], rule: str, child: str, **match: Any) -> dict[str, Any]:
    """The one finding of ``rule`` for ``child`` (with the fields in ``match``)."""
    (found,) = [
        f
        for f in findings
        if f["rule"] == rule and f["child"] == child and all(f[k] == v for k, v in match.items())
    ]
    return found


def load_make(sample: Path) -> ModuleType:
    """A sample's ``make.py`` as a module (its ``build`` writes the sample afresh)."""
    spec = importlib.util.spec_from_file_location(f"make_{sample.name}", sample / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pick(finding: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    """The values of ``fields`` in ``finding``, in order: ``pick(f, "due", "status")``."""
    return tuple(finding[name] for name in fields)


def reconciled_run(path: Path, fmt: str, as_of: dt.date) -> Pipeline:
    """``path`` read as ``fmt`` and checked, as ``check`` does it, its accounts asserted: rows
    read = used + rejected per source, and children read = checked + rejected."""
    checker = Pipeline(load_rules(), as_of)
    list(checker.findings(checker.items([path], fmt)))
    summary = checker.summary
    for stats in summary.context.stats:
        assert stats.reconciles(), stats
    assert summary.read == summary.checked + summary.rejected
    return checker


def reconciled(err: str, *, rows_needed: bool = False) -> dict[str, int]:
    """The CLI's summary line: children and rows (when said, or ``rows_needed``) both
    reconcile; no traceback. The counts by name: read, checked, rejected, rows, rows_used..."""
    assert "Traceback" not in err
    m = re.search(r"children read (\d+), checked (\d+), rejected (\d+)", err)
    assert m, err
    read_, checked, rejected = map(int, m.groups())
    assert read_ == checked + rejected
    out = {"read": read_, "checked": checked, "rejected": rejected}
    m = re.search(r"rows read (\d+), used (\d+), rejected (\d+)", err)
    assert m or not rows_needed, err
    if m:
        rows, used, rows_rejected = map(int, m.groups())
        assert rows == used + rows_rejected
        out |= {"rows": rows, "rows_used": used, "rows_rejected": rows_rejected}
    return out
