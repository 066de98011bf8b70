"""The user's cache directory (``timescales.usercache``): whole files or nothing, and never
needed: a directory that cannot be written is only a miss."""

from __future__ import annotations

import os

from timescales import usercache


def test_a_value_written_reads_back(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path / "new" / "dir"))
    assert usercache.read("x.json") is None
    assert usercache.write("x.json", {"a": [1, "b", None]})
    assert usercache.read("x.json") == {"a": [1, "b", None]}
    assert [p.name for p in (tmp_path / "new" / "dir").iterdir()] == ["x.json"]  # no temp left


def test_a_file_that_does_not_parse_reads_as_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path))
    (tmp_path / "x.json").write_bytes(b'{"a": [1, 2')
    assert usercache.read("x.json") is None


def test_an_unwritable_directory_is_not_an_error(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(blocker / "cache"))
    assert usercache.write("x.json", {"a": 1}) is False
    assert usercache.read("x.json") is None
    usercache.prune("x", 0)  # nothing to do, and no error


def test_a_value_that_is_not_json_is_not_written(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path))
    assert usercache.write("x.json", {"a": object()}) is False
    assert list(tmp_path.iterdir()) == []


def test_prune_keeps_the_most_recently_written(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path))
    for n in range(5):
        assert usercache.write(f"p-{n}.json", n)
        os.utime(tmp_path / f"p-{n}.json", ns=(n * 10**9, n * 10**9))
    usercache.write("other.json", "kept")
    usercache.prune("p-", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "p-3.json", "p-4.json"]
