"""Differential test: the durable-rules backend and the Python evaluator give identical findings
(and the same data-quality notes) on the fixture suite and on hypothesis-generated records.

Bounded in CI (TIMESCALES_DIFF_EXAMPLES, default 120 examples per property); raise it for a
thorough run, e.g. TIMESCALES_DIFF_EXAMPLES=5000.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from durable_support import need_durable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timescales.generate import generate
from timescales.records import ChildRecord
from timescales.ruleset.pack import load_rules
from timescales.ruleset.ruleset import ChildResult, RuleSet
from timescales.testing import load_cases

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("TIMESCALES_DIFF_EXAMPLES", "120"))
AS_OF = dt.date(2024, 3, 31)


@pytest.fixture(autouse=True)
def _durable_installed() -> None:
    need_durable()


@cache
def _national() -> RuleSet:
    return load_rules()


_engines: dict[int, Any] = {}


def _durable(ruleset: RuleSet) -> Any:
    from timescales.backends.durable import DurableRuleSet

    key = id(ruleset)
    if key not in _engines:
        _engines[key] = (ruleset, DurableRuleSet(ruleset))
    return _engines[key][1]


def _view(result: ChildResult) -> tuple[list[dict[str, Any]], list[str]]:
    return [f.to_dict() for f in result.findings], sorted(repr(q) for q in result.quality)


def assert_same(ruleset: RuleSet, record: ChildRecord, as_of: dt.date) -> None:
    python = _view(ruleset.check(record, as_of=as_of))
    durable = _view(_durable(ruleset).check(record, as_of))
    assert durable[0] == python[0], f"findings differ for {record.model_dump_json()}"
    assert durable[1] == python[1], f"data-quality notes differ for {record.model_dump_json()}"


_terms_sets: dict[tuple[Any, ...], RuleSet] = {}


def test_fixture_suite_agrees() -> None:
    """Every fixture case of tests/rules (the suite that pins the semantics)."""
    cases = list(load_cases(ROOT / "tests" / "rules"))
    assert cases
    national = _national()
    checked = 0
    for case in cases:
        ruleset = national
        if case.terms:
            ruleset = _terms_sets.setdefault(case.terms, national.with_terms(case.terms))
        raw = [case.record] if case.record is not None else list(case.records)
        for data in raw:
            context = {"event_types": ruleset.event_types} if ruleset.event_types else None
            record = ChildRecord.model_validate(data, context=context)
            assert_same(ruleset, record, case.as_of)
            checked += 1
    assert checked >= len(cases)


@pytest.mark.parametrize("council", ["lancashire", "example-borough"])
def test_council_fixture_suites_agree(council: str) -> None:
    """Every fixture case of a council plugin (LANC003's duration threshold, LANC005's own
    target and its DATA058 notes are read in both engines alike)."""
    try:
        ruleset = load_rules(la=council)
    except Exception as exc:  # the plugin is not installed here
        pytest.skip(f"council plugin {council!r} not available: {exc}")
    cases = list(load_cases(ROOT / "plugins" / council / "tests" / "rules"))
    assert cases
    context = {"event_types": ruleset.event_types}
    for case in cases:
        checked = ruleset.with_terms(case.terms) if case.terms else ruleset
        raw = [case.record] if case.record is not None else list(case.records)
        for data in raw:
            record = ChildRecord.model_validate(data, context=context)
            assert_same(checked, record, case.as_of)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n=st.integers(1, 8))
def test_generated_children_agree(seed: int, n: int) -> None:
    """Children from the project's generator (whole life courses, every family)."""
    for data in generate(n, seed=seed, lateness=0.3):
        assert_same(_national(), ChildRecord.model_validate(data), AS_OF)


try:  # the richer strategies, where the testing kit has them
    from timescales.testing.strategies import as_of_dates, child_records
except ImportError:  # pragma: no cover - older testing kit
    child_records = None


@pytest.mark.skipif(child_records is None, reason="timescales.testing.strategies not available")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_strategy_records_agree(data: st.DataObject) -> None:
    """Records from the hypothesis strategies: life courses and records focused on one rule
    (edge dates around its limits, same-day events, missing refs and cases, noise)."""
    national = _national()
    rules = [r for r in national.rules if r.kind != "worker_caseload"]
    focus = data.draw(st.one_of(st.none(), st.sampled_from(rules)), label="focus")
    record = data.draw(child_records(focus=focus), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    assert_same(national, record, as_of)


try:  # rules given the newer fields, where the testing kit has them
    from timescales.testing.strategies import rules as national_rules
    from timescales.testing.strategies import with_new_fields
except ImportError:  # pragma: no cover - older testing kit
    with_new_fields = None


def _durable_in_worker(rules: list[str], record: str, as_of: str) -> Any:
    """The durable engine's view of one record, in a worker process: durable-rules 2.0.28 never
    frees a ruleset (about 20 MB for the national pack) and can crash, so a fresh pack per
    example is compiled away from the test process."""
    from timescales.backends.durable import DurableRuleSet
    from timescales.kinds import REGISTRY

    adapter = REGISTRY.adapter()
    ruleset = RuleSet([adapter.validate_json(r) for r in rules])
    child = ChildRecord.model_validate_json(record)
    return _view(DurableRuleSet(ruleset).check(child, dt.date.fromisoformat(as_of)))


@pytest.fixture(scope="module")
def durable_worker() -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=30) as pool:
        yield pool


@pytest.mark.skipif(with_new_fields is None, reason="timescales.testing.strategies too old")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rules_with_new_fields_agree(durable_worker: Any, data: st.DataObject) -> None:
    """The national pack, its rules given the newer fields at random (conditions on the
    placement and legal status in force, "before the first review", any/none_of,
    excluded_when, variations, effective dates on followers, met_before_opening,
    requires_time_in, counts_from_status), on records built around one rule's chain: the
    durable engine finds the same as the Python one.

    The whole pack, not the chain alone: durable-rules 2.0.28 can crash (SIGSEGV) on a ruleset
    of one small schedule (e.g. PF001 alone with a visit dated before the notification)."""
    from timescales.kinds.schedule import ScheduleRule

    national = _national()
    kinds = ["deadline", "schedule", "milestone", "attribute", "rolling"]
    rule = data.draw(national_rules(kinds=kinds), label="rule")
    ruleset = data.draw(with_new_fields(national), label="rules")
    chain = {r.id for r in national.select([rule.id]).rules}
    focus = [
        r
        for r in ruleset.rules
        if r.id in chain or (isinstance(r, ScheduleRule) and r.follows in chain)
    ]
    record = data.draw(child_records(focus=focus, pack=list(ruleset.rules)), label="record")
    as_of = data.draw(as_of_dates(record), label="as_of")
    python = _view(ruleset.check(record, as_of=as_of))
    rules = [r.model_dump_json(by_alias=True, exclude_none=True) for r in ruleset.rules]
    job = durable_worker.submit(
        _durable_in_worker, rules, record.model_dump_json(), as_of.isoformat()
    )
    durable = job.result()
    assert durable == python, f"differ for {record.model_dump_json()}"


def test_partial_history_and_selected_rules() -> None:
    national = _national()
    selected = national.select(["LA008", "CP004"])
    for data in generate(40, seed=5):
        record = ChildRecord.model_validate({**data, "partial_history": True})
        assert_same(national, record, AS_OF)
        assert_same(selected, record, AS_OF)


@pytest.mark.parametrize("council", ["lancashire", "example-borough"])
def test_council_rule_sets_agree(council: str) -> None:
    """A council's own rules, overrides, closure days and school terms (plugins)."""
    try:
        ruleset = load_rules(la=council)
    except Exception as exc:  # the plugin is not installed here
        pytest.skip(f"council plugin {council!r} not available: {exc}")
    for data in generate(60, seed=21, lateness=0.3):
        assert_same(ruleset, ChildRecord.model_validate(data), AS_OF)
