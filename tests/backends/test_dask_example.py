"""The Dask example runs locally and writes what the CLI writes (skipped without dask)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import orjson
import pytest

from timescales.cli import main as cli
from timescales.generate import generate

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dask") is None, reason="dask is not installed (timescales[dask])"
)


def test_dask_example_matches_the_cli(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples" / "dask"))
    try:
        import check_with_dask
    finally:
        sys.path.pop(0)
    data = tmp_path / "children.jsonl"
    data.write_text("".join(orjson.dumps(r).decode() + "\n" for r in generate(120, seed=9)))
    out = tmp_path / "dask.jsonl"
    # small blocks: several partitions; synchronous keeps the test light
    totals = check_with_dask.run(
        [str(data)], "2024-03-31", out, scheduler="synchronous", blocksize="20kB"
    )
    assert totals["read"] == 120 and totals["checked"] == 120
    expected = tmp_path / "cli.jsonl"
    cli(["check", str(data), "--as-of", "2024-03-31", "--format", "jsonl", "-o", str(expected)])
    assert out.read_bytes() == expected.read_bytes()
