"""Every rule's pass/fail fixtures, and proof that the fixtures would catch a wrong limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from timescales import load_rules
from timescales.testing import compare, load_cases, mutate, mutations, run_case

ROOT = Path(__file__).parent
RULESET = load_rules()
CASES = list(load_cases(ROOT))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case) -> None:
    problems = compare(case.expect, run_case(case, RULESET))
    assert not problems, f"{case.path}: {case.description}\n" + "\n".join(problems)


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    missing = []
    for rule_id in RULESET.ids():
        for outcome in ("pass", "fail"):
            if not any((ROOT / rule_id / outcome).glob("*.yaml")):
                missing.append(f"{rule_id}/{outcome}")
    assert not missing, "rules without fixtures: " + ", ".join(missing)


def test_fixture_folders_name_real_rules() -> None:
    unknown = {c.rule for c in CASES for r in c.rules if r not in RULESET.by_id}
    assert not unknown, f"fixture folders for unknown rules: {sorted(unknown)}"


MUTATIONS = [(rule.id, index, delta) for rule in RULESET.rules for index, delta in mutations(rule)]


@pytest.mark.parametrize(
    ("rule_id", "index", "delta"),
    MUTATIONS,
    ids=lambda v: str(v) if not isinstance(v, int) else f"{v:+d}",
)
def test_fixtures_catch_a_limit_one_unit_off(rule_id: str, index: int, delta: int) -> None:
    mutated = RULESET.replace(
        [mutate(r, index, delta) if r.id == rule_id else r for r in RULESET.rules]
    )
    cases = [c for c in CASES if rule_id in c.rules]
    assert cases, f"{rule_id} has no fixtures"
    caught = [c.id for c in cases if compare(c.expect, run_case(c, mutated))]
    assert caught, f"no fixture of {rule_id} notices limit {index} moved by {delta:+d}"
