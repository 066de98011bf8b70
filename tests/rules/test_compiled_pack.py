"""A pack's validated rules, kept in the user's cache (``rules.compiled``): a warm load gives the
rules a cold one gives without validating again, and anything that could change a rule's model
(its text, a setting it declares, the models' code), or a cache file somebody else could have
written, is a miss."""

from __future__ import annotations

import os
import pickle
import shutil

import pytest

from conftest import ROOT
from timescales import usercache
from timescales.rules import compiled, loader
from timescales.rules.settings import Unsettled


class _Counting:
    """Wraps the registry's adapter to count validations."""

    def __init__(self, real):
        self.real = real
        self.calls = 0

    def validate_python(self, data):
        self.calls += 1
        return self.real.validate_python(data)


@pytest.fixture
def counted(monkeypatch):
    real = loader.REGISTRY.adapter()
    counter = _Counting(real)
    monkeypatch.setattr(loader.REGISTRY, "adapter", lambda: counter)
    return counter


@pytest.fixture
def settled(tmp_path, monkeypatch):
    """A pack of one rule with a council setting (LANC012: a campaign period)."""
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "settled"
    folder.mkdir()
    rules = ROOT / "plugins" / "lancashire" / "timescales_lancashire" / "rules"
    shutil.copy(rules / "LANC012.yaml", folder)
    return folder


def _pickles(folder):
    return list((folder.parent / "cache").glob("rules-*.pickle"))


def test_a_warm_load_gives_the_same_rules_without_validating(pack, counted) -> None:
    cold = loader.load_rule_dir(pack)
    assert counted.calls == len(cold) >= 3 and _pickles(pack)
    warm = loader.load_rule_dir(pack)
    assert counted.calls == len(cold)  # none validated again
    assert warm == cold
    assert [type(r) for r, _ in warm] == [type(r) for r, _ in cold]


def test_an_edited_file_is_validated_again(pack, counted) -> None:
    loader.load_rule_dir(pack)
    before = counted.calls
    path = pack / "PF001.yaml"
    path.write_text(path.read_text().replace("limit: {working_days: 7}", "limit: {days: 9}"))
    rules = {r.id: r for r, _ in loader.load_rule_dir(pack)}
    assert counted.calls == before + 1
    assert (rules["PF001"].limit[0].unit, rules["PF001"].limit[0].value) == ("days", 9)


PERIOD = "lancashire.adopter_campaign_period"


def test_a_changed_setting_is_validated_again(settled, counted) -> None:
    first = loader.load_rule_dir(settled, settings={PERIOD: {"months": 12}})
    again = loader.load_rule_dir(settled, settings={PERIOD: {"months": 12}})
    assert counted.calls == 1 and again == first
    other = loader.load_rule_dir(settled, settings={PERIOD: {"months": 6}})
    assert counted.calls == 2
    assert other != first


def test_an_unsettled_rule_is_kept_as_unsettled(settled, counted) -> None:
    left: list[Unsettled] = []
    assert loader.load_rule_dir(settled, unsettled=left) == []
    calls = counted.calls
    again: list[Unsettled] = []
    assert loader.load_rule_dir(settled, unsettled=again) == []
    assert again == left and len(left) == 1 and left[0].missing
    assert counted.calls == calls
    # given the setting now, the rule is validated, not the unsettled one reused
    assert len(loader.load_rule_dir(settled, settings={PERIOD: {"months": 12}})) == 1


def test_a_rule_that_fails_is_never_kept(pack, counted) -> None:
    path = pack / "PF001.yaml"
    path.write_text(path.read_text().replace("limit: {working_days: 7}", "limit: {weeks: -1}"))
    for _ in range(2):
        with pytest.raises(loader.RuleError) as caught:
            loader.load_rule_dir(pack)
        assert "PF001.yaml" in str(caught.value.location)


def _missed(pack, counted, spoil) -> None:
    """A warm load after ``spoil(cache file)`` validates every rule again."""
    loader.load_rule_dir(pack)
    calls = counted.calls
    (path,) = _pickles(pack)
    spoil(path)
    loader.load_rule_dir(pack)
    assert counted.calls == 2 * calls


def test_changed_model_code_is_a_miss(pack, counted, monkeypatch) -> None:
    real = compiled._model_sources

    def spoil(path) -> None:
        monkeypatch.setattr(compiled, "_model_sources", lambda: [*(real() or []), ["k.py", 1, 2]])

    _missed(pack, counted, spoil)


POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@POSIX
def test_a_file_others_could_have_written_is_not_read(pack, counted) -> None:
    _missed(pack, counted, lambda path: os.chmod(path, 0o666))
    # rewritten by the user, readable again
    (path,) = _pickles(pack)
    assert os.stat(path).st_mode & 0o077 == 0
    calls = counted.calls
    loader.load_rule_dir(pack)
    assert counted.calls == calls


@POSIX
def test_a_cache_directory_others_can_write_is_not_read(pack, counted) -> None:
    _missed(pack, counted, lambda path: os.chmod(path.parent, 0o777))


@pytest.mark.skipif(
    os.name != "posix" or os.getuid() != 0, reason="giving a file to another user needs root"
)
def test_a_file_of_another_user_is_not_read(pack, counted) -> None:
    _missed(pack, counted, lambda path: os.chown(path, 12345, -1))


def test_a_corrupt_or_foreign_file_is_a_miss(pack, counted) -> None:
    loader.load_rule_dir(pack)
    calls = counted.calls
    (path,) = _pickles(pack)
    for blob in (b"not a pickle", pickle.dumps(["a list"]), pickle.dumps({"key": "other"})):
        path.write_bytes(blob)
        os.chmod(path, 0o600)
        rules = loader.load_rule_dir(pack)
        assert len(rules) >= 3
    assert counted.calls == 4 * calls


def test_an_unwritable_cache_is_only_slower(tmp_path, monkeypatch, counted) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(usercache.CACHE_DIR_ENV, str(blocker / "cache"))
    folder = ROOT / "rules" / "england" / "private-fostering"
    first = loader.load_rule_dir(folder)
    assert loader.load_rule_dir(folder) == first
    assert counted.calls == 2 * len(first)
