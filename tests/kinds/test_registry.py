"""The rule-kind registry: dispatch by kind lives only in the registry and the kinds' own
modules, and a kind added from outside (one module, one registry line) works end to end."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest

from conftest import ROOT
from timescales import explain, load_rules
from timescales.docs import render
from timescales.errors import RuleError
from timescales.evaluation.context import Context
from timescales.findings import Finding, Status
from timescales.kinds import REGISTRY
from timescales.records import ChildRecord
from timescales.rules.loader import load_rule_dir, parse_rule, validate_pack
from timescales.rules.model import Limit, RuleBase, Selector
from timescales.rules.registry import Heads, Kind
from timescales.rules.words import describe_selector
from timescales.ruleset.ruleset import RuleSet

SOURCE = ROOT / "engine" / "timescales"
BUILT_IN = (
    "deadline",
    "schedule",
    "milestone",
    "attribute",
    "rolling",
    "worker_interval",
    "worker_deadline",
    "worker_caseload",
    "workforce_target",
)


def _rule_classes() -> set[str]:
    return {kind.model.__name__ for kind in REGISTRY}


def _isinstance_on_rules(path: Path, classes: set[str]) -> list[int]:
    """Lines of ``path`` where ``isinstance`` tests a rule kind's class."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance"):
            continue
        if (
            len(node.args) == 2
            and {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)} & classes
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_registry_and_the_kinds_test_a_rule_s_class() -> None:
    classes = _rule_classes()
    allowed = {SOURCE / "rules" / "registry.py", *(SOURCE / "kinds").glob("*.py")}
    found = {
        str(path.relative_to(ROOT)): lines
        for base in (SOURCE, ROOT / "plugins")
        for path in sorted(base.rglob("*.py"))
        if path not in allowed and (lines := _isinstance_on_rules(path, classes))
    }
    assert not found, f"dispatch on a rule's class outside the kinds: {found}"


def test_the_built_in_kinds_are_registered_in_order() -> None:
    assert REGISTRY.names() == BUILT_IN
    for rule in load_rules(autoload=False).rules:
        assert REGISTRY.of(rule).name == rule.kind


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        REGISTRY.register(REGISTRY["deadline"])


# a small kind from outside the package: an event of a type must be recorded by as_of -------


class ExistsRule(RuleBase):
    """An event of ``event`` recorded on or before the date checked as of."""

    kind: Literal["exists"]
    event: Selector

    def selectors(self) -> list[Selector]:
        return [self.event]


def check_exists(rule: ExistsRule, ctx: Context) -> Iterator[Finding]:
    found = ctx.timeline.select(rule.event)
    done = found[0].date if found else None
    finding = ctx.finding(
        rule,
        ref=None,
        anchor=ctx.as_of,
        due=ctx.as_of,
        done=done,
        close=None,
        limit=Limit(unit="days", value=0),
        attribute=True,
    )
    if finding is not None:
        yield finding


class ExistsKind(Kind[ExistsRule]):
    name = "exists"
    model = ExistsRule

    def needs(self, rule: ExistsRule, heads: Heads) -> set[str]:
        return {rule.event.type}

    def checker(self, rule: ExistsRule, chains: Mapping[str, Any]) -> Any:
        return lambda ctx: check_exists(rule, ctx)

    def counting(self, rule: ExistsRule, heads: Heads) -> list[str]:
        return [f"Met when a {describe_selector(rule.event)} is recorded by the date checked."]

    def anchor_is(self, rule: ExistsRule, heads: Heads) -> str:
        return "the date checked as of"


RULE_FILE = """\
id: EX001
name: care-plan-recorded
title: A care plan is recorded
family: testing
kind: exists
event: care_plan
summary: A care plan must be on the record.
rationale: A kind registered from a test module, to prove a kind is one module and one line.
references:
  - title: Children Act 1989 s.22C
    href: https://www.legislation.gov.uk/ukpga/1989/41/section/22C
"""


@pytest.fixture
def exists_kind() -> Iterator[Kind[Any]]:
    kind = REGISTRY.register(ExistsKind())  # the one registry line
    try:
        yield kind
    finally:
        REGISTRY.unregister("exists")


def _record(*events: tuple[str, str]) -> ChildRecord:
    return ChildRecord.model_validate(
        {"child": "C1", "events": [{"type": t, "date": d} for t, d in events]}
    )


def test_a_new_kind_works_end_to_end(exists_kind: Kind[Any], tmp_path: Path) -> None:
    (tmp_path / "EX001.yaml").write_text(RULE_FILE)
    rules = validate_pack(load_rule_dir(tmp_path))  # the strict loader, through the registry
    assert [type(r) for r in rules] == [ExistsRule]
    ruleset = RuleSet(rules)
    as_of = dt.date(2024, 3, 31)

    met = ruleset.check(_record(("care_plan", "2024-01-02")), as_of=as_of).findings
    unmet = ruleset.check(_record(("care_plan", "2024-04-02")), as_of=as_of).findings
    assert [(f.rule, f.status, f.done) for f in met] == [("EX001", Status.MET, dt.date(2024, 1, 2))]
    assert [(f.rule, f.status) for f in unmet] == [("EX001", Status.UNMET)]

    page = render(rules[0], rules)  # ``rules show`` and the docs page
    assert "Kind: exists." in page
    assert "Met when a `care_plan` is recorded by the date checked." in page

    why = explain(unmet[0], ruleset)
    assert why.kind == "exists" and why.anchor_is == "the date checked as of"
    assert any("the date checked as of" in step for step in why.steps)

    kept, missing = ruleset.assessable(frozenset({"became_looked_after"}))
    assert len(kept) == 0 and "care_plan" in missing["EX001"]


def test_the_loader_names_every_registered_kind(exists_kind: Kind[Any]) -> None:
    with pytest.raises(RuleError, match=r"one of: deadline, .*workforce_target, exists\)"):
        parse_rule(RULE_FILE.replace("kind: exists", "kind: nothing"), "EX001.yaml")


def test_an_unregistered_kind_is_refused() -> None:
    with pytest.raises(RuleError, match="unknown or missing kind"):
        parse_rule(RULE_FILE, "EX001.yaml")
