"""Shared test helpers: run the CLI in-process or as a subprocess, write small inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from timescales.cli import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True, scope="session")
def _rule_cache(tmp_path_factory: pytest.TempPathFactory):
    """The tests' own cache of ``rules list`` and ``rules show`` (never the user's): one for the
    session, so that commands run by many tests use it as a user's commands would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMESCALES_CACHE_DIR", str(tmp_path_factory.mktemp("rule-cache")))
        yield


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the national private fostering rules, with a cache directory of its own (the
    rule-loading caches' tests: ``rules.parsed``, ``rules.compiled``)."""
    monkeypatch.setenv("TIMESCALES_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "england" / "private-fostering", folder)
    return folder


def run_module(args: Sequence[str], cwd: Path | None = None, stdin: bytes = b"") -> Result:
    """The CLI in a child process, with ``stdin`` piped to its standard input."""
    proc = subprocess.run(
        [sys.executable, "-m", "timescales", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def write_jsonl(path: Path, lines: Sequence[object]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path
