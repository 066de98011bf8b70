"""What YAML made of each rule file, kept by the file's content (``rules.parsed``): a rule
loaded from the cache is the rule loaded from its file, and an edited file is parsed again."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timescales.rules import loader, parsed

PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text() | st.integers(-(2**63), 2**63 - 1) | st.booleans(), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@given(PLAIN)
def test_plain_values_read_back_exactly(value) -> None:
    back = parsed.decode(parsed.encode(value))
    assert back == value and repr(back) == repr(value)  # types too (1 is not 1.0 nor True)


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        2**70,
        dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        b"bytes",
        {1, 2},
        [object()],
    ],
)
def test_other_values_are_not_kept(value) -> None:
    with pytest.raises(parsed._NotPlain):
        parsed.encode(value)


def _no_yaml(text: str, source: str):
    raise AssertionError(f"{source} was parsed again")


def test_a_warm_load_gives_the_same_rules_without_parsing(pack, monkeypatch) -> None:
    cold = loader.load_rule_dir(pack)
    assert len(cold) >= 3 and list((pack.parent / "cache").glob("yaml-*.json"))
    with monkeypatch.context() as patch:
        patch.setattr(loader, "read_yaml", _no_yaml)
        warm = loader.load_rule_dir(pack)
    assert warm == cold


def test_an_edited_file_is_parsed_again(pack, monkeypatch) -> None:
    loader.load_rule_dir(pack)
    path = pack / "PF001.yaml"
    path.write_text(path.read_text().replace("limit: {working_days: 7}", "limit: {days: 9}"))
    seen: list[str] = []
    real = loader.read_yaml

    def counting(text: str, source: str):
        seen.append(source)
        return real(text, source)

    monkeypatch.setattr(loader, "read_yaml", counting)
    rules = dict((rule.id, rule) for rule, _ in loader.load_rule_dir(pack))
    assert [s.rsplit("/", 1)[-1] for s in seen] == ["PF001.yaml"]
    assert str(rules["PF001"].limit[0].value) == "9"


def test_a_corrupt_cache_file_is_ignored(pack) -> None:
    cold = loader.load_rule_dir(pack)
    (cached,) = (pack.parent / "cache").glob("yaml-*.json")
    for damage in (b"", b"{", b'{"key": 1, "docs": []}', cached.read_bytes()[:-40]):
        cached.write_bytes(damage)
        assert loader.load_rule_dir(pack) == cold


def test_a_kept_parse_under_another_loader_is_not_used(pack) -> None:
    import orjson

    cold = loader.load_rule_dir(pack)
    (cached,) = (pack.parent / "cache").glob("yaml-*.json")
    data = orjson.loads(cached.read_bytes())
    for digest in data["docs"]:  # as if an older loader had read every file as a bare string
        data["docs"][digest] = "not a rule"
    data["key"] = [0, *data["key"][1:]]
    cached.write_bytes(orjson.dumps(data))
    assert loader.load_rule_dir(pack) == cold


def test_yaml_errors_are_never_kept(pack) -> None:
    loader.load_rule_dir(pack)
    (pack / "PF001.yaml").write_text("id: PF001\nname: [unclosed\n")
    for _ in range(2):
        with pytest.raises(loader.RuleError) as caught:
            loader.load_rule_dir(pack)
        assert "PF001.yaml" in str(caught.value)
