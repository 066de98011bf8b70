"""Every rule's pass/fail fixtures, and proof that the fixtures would catch a wrong limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from timescales import load_rules
from timescales.rules.model import AggregateRule, MilestoneRule, Rule
from timescales.testing import compare, load_cases, run_case

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


def _mutated(rule: Rule, index: int, delta: int) -> Rule:
    """The rule with limit ``index`` moved by ``delta`` units (a milestone: its occurrence; an
    aggregate: the low (0) or high (1) end of its range)."""
    if isinstance(rule, MilestoneRule):
        return rule.model_copy(update={"occurrence": rule.occurrence + delta})
    if isinstance(rule, AggregateRule):
        end = ("low", "high")[index]
        moved = rule.range.model_copy(update={end: getattr(rule.range, end) + delta})
        return rule.model_copy(update={"range": moved})
    limits = list(rule.limits())
    step = _step(limits[index].unit)
    limits[index] = limits[index].model_copy(update={"value": limits[index].value + delta * step})
    return rule.model_copy(update={"limit": limits})


def _step(unit: str) -> int:
    # On date-only data hours count as whole days (72 hours = 3 days), so one step is 24 hours.
    return 24 if unit == "hours" else 1


def _mutable(rule: Rule) -> list[tuple[int, int]]:
    if isinstance(rule, MilestoneRule):
        return [(0, d) for d in (-1, 1) if rule.occurrence + d >= 1]
    if isinstance(rule, AggregateRule):
        return [(index, d) for index in (0, 1) for d in (-1, 1)]
    return [
        (index, delta)
        for index, limit in enumerate(rule.limits())
        for delta in (-1, 1)
        if limit.value + delta * _step(limit.unit) >= 0
    ]


MUTATIONS = [(rule.id, index, delta) for rule in RULESET.rules for index, delta in _mutable(rule)]


@pytest.mark.parametrize(
    ("rule_id", "index", "delta"),
    MUTATIONS,
    ids=lambda v: str(v) if not isinstance(v, int) else f"{v:+d}",
)
def test_fixtures_catch_a_limit_one_unit_off(rule_id: str, index: int, delta: int) -> None:
    rule = RULESET.by_id[rule_id]
    mutated = RULESET.replace(
        [_mutated(r, index, delta) if r.id == rule_id else r for r in RULESET.rules]
    )
    cases = [c for c in CASES if rule_id in c.rules]
    assert cases, f"{rule_id} has no fixtures"
    caught = [c.id for c in cases if compare(c.expect, run_case(c, mutated))]
    what = (
        "occurrence"
        if isinstance(rule, MilestoneRule)
        else "range"
        if isinstance(rule, AggregateRule)
        else rule.limits()[index].unit
    )
    assert caught, f"no fixture of {rule_id} notices its limit {index} moved by {delta:+d} {what}"
