"""The workforce kinds' fixtures (``tests/workforce/rules/<ID>/pass|fail``) over test-only rules
(``tests/workforce/pack``), and proof that they notice each limit, range end or target one
unit off."""

from __future__ import annotations

from pathlib import Path

import pytest

from timescales.ruleset.pack import load_rules
from timescales.testing import compare, load_cases, mutate, mutations, run_case

HERE = Path(__file__).parent
RULESET = load_rules(autoload=False, extra_packs=[HERE / "pack"])
CASES = list(load_cases(HERE / "rules"))
TEST_RULES = sorted(p.stem for p in (HERE / "pack").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_worker_fixture(case) -> None:  # type: ignore[no-untyped-def]
    problems = compare(case.expect, run_case(case, RULESET))
    assert not problems, f"{case.path}: {case.description}\n" + "\n".join(problems)


def test_every_test_rule_has_pass_and_fail_fixtures() -> None:
    assert TEST_RULES == ["WK001", "WK002", "WK003", "WK004", "WK005"]
    for rule_id in TEST_RULES:
        for outcome in ("pass", "fail"):
            assert any((HERE / "rules" / rule_id / outcome).glob("*.yaml")), (rule_id, outcome)


MUTATIONS = [
    (rule_id, index, delta)
    for rule_id in TEST_RULES
    for index, delta in mutations(RULESET.by_id[rule_id])
]


@pytest.mark.parametrize(("rule_id", "index", "delta"), MUTATIONS)
def test_worker_fixtures_catch_a_value_one_unit_off(rule_id: str, index: int, delta: int) -> None:
    mutated = RULESET.replace(
        [mutate(r, index, delta) if r.id == rule_id else r for r in RULESET.rules]
    )
    cases = [c for c in CASES if rule_id in c.rules]
    caught = [c.id for c in cases if compare(c.expect, run_case(c, mutated))]
    assert caught, f"no fixture of {rule_id} notices value {index} moved by {delta:+d}"


def test_a_workforce_rule_refuses_what_reads_a_child(tmp_path: Path) -> None:
    from timescales.errors import RuleError
    from timescales.rules.loader import parse_rule

    text = (HERE / "pack" / "WK001.yaml").read_text(encoding="utf-8")
    bad = text.replace("limit: {weeks: 4}", "limit: {weeks: 4, when: {age_under_at_anchor: 5}}")
    assert bad != text
    with pytest.raises(RuleError, match="takes no 'when'"):
        parse_rule(bad, "WK001.yaml")
    unknown = text.replace("event: supervision", "event: visit")
    with pytest.raises(RuleError, match="unknown worker event type"):
        parse_rule(unknown, "WK001.yaml")
