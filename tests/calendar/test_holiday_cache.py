"""England's bank holiday table is loaded when a working day is first counted and kept in the
user's cache under a key naming the installed ``holidays``: it is the table the package gives,
whatever the cache holds."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import orjson
import pytest

from timescales import calendar, usercache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path))
    return tmp_path / calendar._HOLIDAYS_FILE


def _fresh() -> dict[dt.date, str]:
    return calendar._bank_holidays.__wrapped__()  # past the process's own memo


def test_the_cached_table_is_the_packages_table(cache) -> None:
    truth = calendar._load_bank_holidays()
    assert not cache.exists()
    assert _fresh() == truth  # cold: from the package, then written
    assert cache.exists()
    assert _fresh() == truth  # warm: from the cache
    assert dt.date(2023, 5, 8) in truth  # the coronation bank holiday


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"[]", b'{"key": 1}', b'{"days": [["2024-13-01", "x"]]}'],
    ids=["empty", "truncated", "a-list", "no-days", "bad-date"],
)
def test_a_corrupt_cache_is_ignored_and_written_again(cache, damage: bytes) -> None:
    truth = calendar._load_bank_holidays()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(damage)
    assert _fresh() == truth
    assert orjson.loads(cache.read_bytes())["key"] == calendar._holidays_key()


def test_a_table_kept_for_another_holidays_is_not_used(cache) -> None:
    _fresh()
    data = orjson.loads(cache.read_bytes())
    data["key"] = [*data["key"][:-1], ["version.py", 0, 0]]  # as if holidays had changed
    data["days"] = [["2024-03-20", "not a bank holiday"]]
    cache.write_bytes(orjson.dumps(data))
    assert _fresh() == calendar._load_bank_holidays()


def test_a_warm_start_counts_working_days_without_importing_holidays(tmp_path) -> None:
    env = {**os.environ, usercache.CACHE_DIR_ENV: str(tmp_path)}
    probe = (
        "import sys, datetime as dt; from timescales.calendar import ENGLAND;"
        "print(ENGLAND.add_working_days(dt.date(2023, 12, 20), 7),"
        " ENGLAND.non_working_reason(dt.date(2023, 5, 8)), 'holidays' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][:2] == runs[1][:2] == ["2024-01-03", "Coronation"]
    assert runs[0][-1] == "True" and runs[1][-1] == "False"  # cold loads it, warm does not
