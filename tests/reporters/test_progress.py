"""The progress bar: on a terminal only; never when piped, captured or under CI=true."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from timescales import progress
from timescales.generate import generate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "TIMESCALES_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_bar_draws_on_a_terminal_and_erases_itself(clean_env: None) -> None:
    term = Terminal()
    assert progress.wanted(term)
    items = list(progress.track(range(1000), total=1000, stream=term))
    assert items == list(range(1000))  # passes everything through, in order
    text = term.getvalue()
    assert "checking" in text and "/1,000 children" in text and "left" in text
    assert text.endswith("\r\x1b[2K")  # erased: the summary lines start on a clean line


@pytest.mark.parametrize(
    ("env", "value"), [("CI", "true"), ("TIMESCALES_PROGRESS", "0"), ("TERM", "dumb")]
)
def test_no_bar_in_ci_or_when_turned_off(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, env: str, value: str
) -> None:
    monkeypatch.setenv(env, value)
    term = Terminal()
    assert not progress.wanted(term)
    assert list(progress.track(range(500), stream=term)) == list(range(500))
    assert term.getvalue() == ""


def test_no_bar_when_not_a_terminal(clean_env: None) -> None:
    piped = io.StringIO()
    assert not progress.wanted(piped)
    list(progress.track(range(500), stream=piped))
    assert piped.getvalue() == ""


def test_total_is_counted_for_json_lines_only(tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"child": "1"}\n{"child": "2"}\n{"child": "3"}', encoding="utf-8")
    assert progress.count_records([lines]) == 3
    other = tmp_path / "a.xml"
    other.write_text("<x/>", encoding="utf-8")
    assert progress.count_records([lines, other]) is None


def _run_on_a_pty(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal (stdout to a file): what a person sees."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "timescales", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
            timeout=300,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.returncode in (0, 1)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)


def test_cli_shows_the_bar_on_a_terminal_but_not_under_ci(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in generate(1500, seed=3)), "utf-8")
    args = ["check", str(data), "--as-of", "2024-03-31", "--format", "jsonl", "-o", os.devnull]
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TIMESCALES_PROGRESS")}
    env["TERM"] = "xterm"
    shown = _run_on_a_pty(args, env)
    assert "checking" in shown and "/1,500 children" in shown
    assert "children read 1500" in shown
    hidden = _run_on_a_pty(args, {**env, "CI": "true"})
    assert "checking" not in hidden and "children read 1500" in hidden
