"""Fuzzing the strict rule loader: random text and bytes, and mutations of every national rule
file. The only outcomes allowed are a rule, or a RuleError that names the file (and, where it
has one, a line inside it); never another exception."""

from __future__ import annotations

import pytest
import yaml
from fuzz_kit import examples, structure_mutations, text_mutations, tolerating_known_bugs
from hypothesis import event, given
from hypothesis import strategies as st

from timescales import RuleError
from timescales.errors import Location
from timescales.rules.loader import national_pack_dir, parse_rule, rule_files, validate_pack

SOURCE = "fuzz/XX001.yaml"
NATIONAL_TEXTS = sorted(
    item.read_text(encoding="utf-8") for item in rule_files(national_pack_dir())
)


def load(text: str) -> None:
    """Parse one rule file (and check it as a pack of one); allowed outcomes only."""
    with tolerating_known_bugs():
        try:
            rule = parse_rule(text, SOURCE)
            validate_pack([(rule, Location(SOURCE))])
            event("accepted")
        except RuleError as exc:
            assert exc.location is not None and exc.location.source == SOURCE, repr(exc)
            if exc.location.line is not None:
                assert 1 <= exc.location.line <= text.count("\n") + 2, (exc.location, text)
            assert exc.message, "an error says what is wrong"
            event("RuleError")


@examples(300)
@given(text=st.text())
def test_random_text(text: str) -> None:
    load(text)


@examples(200)
@given(raw=st.binary())
def test_random_bytes(raw: bytes) -> None:
    # a rule file is read as UTF-8 text; undecodable bytes arrive as replacement characters
    load(raw.decode("utf-8", errors="replace"))


@examples(400)
@given(data=st.data())
def test_mutated_national_rule_text(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(NATIONAL_TEXTS), label="rule file")
    load(data.draw(text_mutations(original), label="mutated"))


@examples(250)
@given(data=st.data())
def test_mutated_national_rule_structure(data: st.DataObject) -> None:
    original = yaml.safe_load(data.draw(st.sampled_from(NATIONAL_TEXTS), label="rule file"))
    mutated = data.draw(structure_mutations(original), label="mutated")
    load(yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False))


# -- loader bugs this fuzzing found, fixed: kept as regression tests --------------------------


@pytest.mark.parametrize("text", ["? [a]\n: 1\n", "? {a: 1}\n: 1\n", "id: LA005\n? [x]\n: y\n"])
def test_complex_yaml_key_is_a_rule_error(text: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(text, SOURCE)


def test_deeply_nested_yaml_is_a_rule_error() -> None:
    with pytest.raises(RuleError):
        parse_rule("[" * 5000, SOURCE)
