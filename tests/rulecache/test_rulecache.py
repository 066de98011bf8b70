"""The cache ``rules list`` and ``rules show`` print from (``timescales.rulecache``): it never
changes what they print. An edited rule or override file, a new rule file, an edited plugin, a
corrupt entry and a cache directory that cannot be written all print what a run without the
cache prints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from timescales import rulecache

PF001 = next((ROOT / "rules" / "england").rglob("PF001.yaml")).read_text(encoding="utf-8")


def _local_rule(rule_id: str, name: str, days: int) -> str:
    """PF001 as a council's own rule: another id and name, and its own limit."""
    text = PF001.replace("id: PF001", f"id: {rule_id}").replace("name: pf-initial-visit", name)
    return text.replace("limit: {working_days: 7}", f"limit: {{working_days: {days}}}")


@pytest.fixture
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A council plugin module (``tsc_cache``, council ``cachetown``) on disk with its own
    rule pack (TSC001) and an override of LA005, and a cache directory of its own."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "TSC001.yaml").write_text(_local_rule("TSC001", "name: tsc-first-visit", 5))
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "la005.yaml").write_text(
        textwrap.dedent("""
            name: quicker-first-review
            title: First review within 15 working days
            rule: LA005
            value: {working_days: 15}
            references:
              - {title: A council procedure, href: "https://www.gov.uk/x"}
        """)
    )
    module = tmp_path / "code" / "tsc_cache.py"
    module.parent.mkdir()
    module.write_text(
        textwrap.dedent(f"""
            from pathlib import Path
            from timescales.plugins import Authority, hookimpl
            @hookimpl
            def timescales_authorities():
                return [Authority(name="cachetown", title="Cachetown test council")]
            @hookimpl
            def timescales_rule_packs(la):
                return [Path({str(pack)!r})] if la == "cachetown" else []
            @hookimpl
            def timescales_overrides(la):
                return [Path({str(overrides)!r})] if la == "cachetown" else []
        """)
    )
    monkeypatch.syspath_prepend(str(module.parent))
    monkeypatch.delitem(sys.modules, "tsc_cache", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv(rulecache.CACHE_DIR_ENV, str(cache))
    return {"pack": pack, "overrides": overrides, "module": module, "cache": cache}


def _list(cli, *extra: str) -> str:
    res = cli("rules", "list", "-p", "tsc_cache", "--la", "cachetown", *extra)
    assert res.code == 0, res.err
    return res.out


def _row(listing: str, rule_id: str) -> str:
    (line,) = [line for line in listing.splitlines() if line.startswith(rule_id + " ")]
    return line


def _uncached(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *argv: str):
    """The same command with a cache directory that cannot be written (a file stands there):
    loaded from the rule files every time."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with monkeypatch.context() as patch:
        patch.setenv(rulecache.CACHE_DIR_ENV, str(blocker / "cache"))
        return cli(*argv)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.json"))


def test_a_second_listing_comes_from_the_cache_and_prints_the_same(cli, council) -> None:
    first = _list(cli)
    (entry,) = _entries(council["cache"])
    assert "tsc-first-visit" in _row(first, "TSC001") and "5 working days" in _row(first, "TSC001")
    assert "15 working days (quicker-first-review)" in _row(first, "LA005")
    stamp = entry.stat().st_mtime_ns
    assert _list(cli) == first
    assert entry.stat().st_mtime_ns == stamp  # read, not written again: it was a hit
    assert (
        _list(cli, "--format", "json")
        == cli("rules", "list", "-p", "tsc_cache", "--la", "cachetown", "--format", "json").out
    )


def test_an_edited_rule_file_is_seen_at_once(cli, council) -> None:
    assert "5 working days" in _row(_list(cli), "TSC001")
    rule = council["pack"] / "TSC001.yaml"
    rule.write_text(_local_rule("TSC001", "name: tsc-first-visit-edited", 3))
    after = _row(_list(cli), "TSC001")
    assert "tsc-first-visit-edited" in after and "3 working days" in after


def test_an_edited_override_a_new_rule_file_and_a_removed_one_are_seen(cli, council) -> None:
    assert "15 working days (quicker-first-review)" in _row(_list(cli), "LA005")
    override = council["overrides"] / "la005.yaml"
    override.write_text(override.read_text().replace("working_days: 15", "working_days: 12"))
    assert "12 working days (quicker-first-review)" in _row(_list(cli), "LA005")
    extra = council["pack"] / "TSC002.yaml"
    extra.write_text(_local_rule("TSC002", "name: tsc-second-visit", 9))
    assert "TSC002" in _list(cli)
    extra.unlink()
    assert "TSC002" not in _list(cli)


def test_an_edited_plugin_is_a_miss(cli, council) -> None:
    assert "Cachetown" not in _list(cli)  # the title is not listed; the council's name is
    before = rulecache.key("cachetown", ["tsc_cache"])
    module = council["module"]
    module.write_text(module.read_text().replace('if la == "cachetown" else []', "if la else []"))
    assert rulecache.key("cachetown", ["tsc_cache"]) != before


def test_rules_show_is_cached_page_by_page_and_unknown_ids_still_fail(cli, council) -> None:
    first = cli("rules", "show", "TSC001", "-p", "tsc_cache", "--la", "cachetown")
    assert first.code == 0 and "tsc-first-visit" in first.out
    again = cli("rules", "show", "tsc001", "-p", "tsc_cache", "--la", "cachetown")
    assert (again.code, again.out) == (0, first.out)
    (entry,) = rulecache.lookup(rulecache.key("cachetown", ["tsc_cache"])) and _entries(
        council["cache"]
    )
    assert "TSC001" in entry.read_text()
    unknown = cli("rules", "show", "NOPE1", "-p", "tsc_cache", "--la", "cachetown")
    assert unknown.code == 2 and "unknown rule id 'NOPE1'" in unknown.err
    (council["pack"] / "TSC001.yaml").write_text(_local_rule("TSC001", "name: tsc-renamed", 5))
    shown = cli("rules", "show", "TSC001", "-p", "tsc_cache", "--la", "cachetown")
    assert "tsc-renamed" in shown.out and "tsc-first-visit" not in shown.out


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b'{"format": 1}',
        b"[1, 2, 3]",
        b'{"format": 1, "key": "x", "la": 3, "rows": 4, "sources": [], "digest": "", "shown": {}}',
    ],
    ids=["empty", "not-json", "partial", "a-list", "wrong-shapes"],
)
def test_a_corrupt_entry_is_ignored_and_written_again(
    cli, council, monkeypatch, tmp_path, damage: bytes
) -> None:
    good = _list(cli)
    (entry,) = _entries(council["cache"])
    entry.write_bytes(damage)
    assert _list(cli) == good
    assert rulecache.lookup(rulecache.key("cachetown", ["tsc_cache"])) is not None  # rewritten
    argv = ("rules", "list", "-p", "tsc_cache", "--la", "cachetown")
    assert _uncached(cli, monkeypatch, tmp_path, *argv).out == good


def test_an_entry_with_the_right_key_but_other_rows_is_caught_by_its_digest(cli, council) -> None:
    _list(cli)
    cache_key = rulecache.key("cachetown", ["tsc_cache"])
    entry = rulecache.lookup(cache_key)
    assert entry is not None
    entry.digest = "0" * 64  # files that no longer match
    entry.rows = [{**entry.rows[0], "name": "stale-name"}]
    assert rulecache.save(cache_key, entry)
    assert rulecache.lookup(cache_key) is None
    assert "stale-name" not in _list(cli)


def test_an_unwritable_cache_directory_only_costs_time(cli, council, monkeypatch, tmp_path):
    argv = ("rules", "list", "-p", "tsc_cache", "--la", "cachetown")
    res = _uncached(cli, monkeypatch, tmp_path, *argv)
    assert res.code == 0 and res.err == "" and res.out == _list(cli)


def test_the_cache_directory_follows_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(rulecache.CACHE_DIR_ENV, str(tmp_path / "given"))
    assert rulecache.cache_dir() == tmp_path / "given"
    monkeypatch.delenv(rulecache.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rulecache.cache_dir() == tmp_path / "xdg" / "timescales"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rulecache.cache_dir() == tmp_path / "home" / ".cache" / "timescales"
    assert rulecache.PACKAGE_DIR not in rulecache.cache_dir().parents


def test_a_plugin_built_in_memory_is_never_cached(monkeypatch) -> None:
    import types

    module = types.ModuleType("tsc_in_memory")
    monkeypatch.setitem(sys.modules, "tsc_in_memory", module)
    assert rulecache.key(None, ["tsc_in_memory"]) is None


def test_the_national_listing_is_the_same_cold_and_warm(tmp_path) -> None:
    """Whole processes, as a user runs them: a cold cache, then a warm one; and a hit imports
    neither the rule engine nor pydantic nor the holiday tables."""
    env = {**_env(), rulecache.CACHE_DIR_ENV: str(tmp_path / "c")}
    cold = _run(["rules", "list"], env)
    warm = _run(["rules", "list"], env)
    assert cold == warm and "PF001" in cold
    probe = (
        "import sys; from timescales.cli import main; main(['rules', 'list']);"
        "print(sorted(m for m in ('pydantic', 'holidays', 'timescales.ruleset',"
        " 'timescales.rules.model', 'timescales.importers') if m in sys.modules))"
    )
    # (a first run of its own: ``python -c`` has another sys.path than ``python -m``)
    outs = [
        subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outs[0].splitlines()[-1] != "[]" and outs[1].splitlines()[-1] == "[]"
    assert outs[0] == outs[1].replace(outs[1].splitlines()[-1], outs[0].splitlines()[-1])


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != rulecache.CACHE_DIR_ENV}


def _run(argv: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "timescales", *argv], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_an_installed_plugin_whose_source_changed_is_a_miss(cli, tmp_path, monkeypatch) -> None:
    """The entry records the installed plugins' source files; other files there: a miss."""
    import orjson

    monkeypatch.setenv(rulecache.CACHE_DIR_ENV, str(tmp_path))
    first = cli("rules", "list", "--la", "lancashire")
    cache_key = rulecache.key("lancashire", [])
    entry = rulecache.lookup(cache_key)
    assert entry is not None
    assert {p[0] for p in entry.plugins} >= {"lancashire"}
    (path,) = tmp_path.glob("rules-*.json")
    data = orjson.loads(path.read_bytes())
    for plugin in data["plugins"]:
        if plugin[0] == "lancashire":  # as if its plugin.py had been edited since
            plugin[3] = [plugin[3][0], *([root, []] for root, _ in plugin[3][1:])]
    path.write_bytes(orjson.dumps(data))
    assert rulecache.lookup(cache_key) is None
    assert cli("rules", "list", "--la", "lancashire").out == first.out
    assert rulecache.lookup(cache_key) is not None  # written again
