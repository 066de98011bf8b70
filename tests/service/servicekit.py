"""Helpers for the service tests: a real uvicorn server on 127.0.0.1 in a thread, the example
data and the findings the CLI gives for it. (Not named conftest.py: the suite's own conftest
is imported by name from tests/.)"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

import timescales
from timescales.ruleset.ruleset import RuleSet
from timescales.service import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = "2024-03-31"


@functools.cache
def ruleset() -> RuleSet:
    """The national rules, loaded once for the whole suite (shared: it is immutable)."""
    return timescales.load_rules()


def children() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (EXAMPLES / "children.jsonl").read_text().splitlines()]


def expected() -> list[dict[str, Any]]:
    """What `timescales check examples/children.jsonl --as-of 2024-03-31 --format jsonl` gives
    (tests/test_examples.py holds the CLI to this file)."""
    text = (EXAMPLES / "expected-findings.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


class Live:
    """A running server: ``url`` and an httpx client bound to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(base_url=url, timeout=60)


@contextmanager
def live(settings: Settings | None = None, rules: RuleSet | None = None) -> Iterator[Live]:
    """Serve create_app(settings) on 127.0.0.1 (a free port) until the block ends."""
    app = create_app(settings or Settings(), ruleset=rules or ruleset())
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    running = Live(f"http://127.0.0.1:{port}")
    try:
        yield running
    finally:
        running.client.close()
        server.should_exit = True
        thread.join(timeout=10)
