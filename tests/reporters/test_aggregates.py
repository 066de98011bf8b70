"""Aggregates: % on time without pending, exact median/p90, groups, caseloads, counts, memory."""

from __future__ import annotations

import datetime as dt
import gc
import random
import statistics
import sys
import types
from pathlib import Path

import pytest
from reports_helpers import AS_OF, finding, result, synthetic_children

from timescales.aggregates.summary import ALL, Aggregator, Stats, quantile
from timescales.aggregates.workload import read_iro_list
from timescales.errors import UsageError
from timescales.generate import generate
from timescales.pipeline import Pipeline
from timescales.records import ChildRecord
from timescales.ruleset.pack import load_rules

RULES = load_rules(autoload=False)


# -- the measures ------------------------------------------------------------------------------


def test_on_time_is_met_over_met_late_overdue_and_ignores_pending() -> None:
    stats = Stats()
    for status in ["met"] * 3 + ["late"] + ["pending"] * 6:
        stats.add(finding("LA005", status).status, 0)
    assert stats.on_time == 0.75  # 3 / (3 + 1 + 0); the 6 pending are left out
    assert stats.findings == 10 and stats.pending == 6
    only_pending = Stats()
    only_pending.add(finding("LA005", "pending").status, None)
    assert only_pending.on_time is None  # nothing due yet: no rate, not 0% and not 100%


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([1, 2, 3, 4, 10], 3.0, 7.6),  # h = 4 * 0.9 = 3.6: 4 + 0.6 * (10 - 4)
        ([1, 2, 3, 4], 2.5, 3.7),  # h = 3 * 0.9 = 2.7: 3 + 0.7 * (4 - 3)
        ([5], 5.0, 5.0),
        ([2, 2, 2, 9], 2.0, 6.9),  # repeated values: h = 2.7 -> 2 + 0.7 * (9 - 2)
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 100], 0.0, 10.0),  # h = 8.1 -> 0 + 0.1 * 100
    ],
)
def test_median_and_p90_by_hand(values: list[int], median: float, p90: float) -> None:
    hist: dict[int, int] = {}
    for v in values:
        hist[v] = hist.get(v, 0) + 1
    assert quantile(hist, 0.5) == pytest.approx(median)
    assert quantile(hist, 0.9) == pytest.approx(p90)


def test_quantile_of_nothing_is_none() -> None:
    assert quantile({}, 0.5) is None
    with pytest.raises(ValueError):
        quantile({1: 1}, 1.5)


def test_quantile_matches_the_inclusive_method_on_random_data() -> None:
    """The histogram method is exact: it equals the sorted-list type-7 quantile (Python's
    statistics 'inclusive' method, numpy's default, Excel's PERCENTILE.INC)."""
    rng = random.Random(9)
    for _ in range(300):
        values = [rng.randint(0, 400) for _ in range(rng.randint(2, 60))]
        hist: dict[int, int] = {}
        for v in values:
            hist[v] = hist.get(v, 0) + 1
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        assert quantile(hist, 0.9) == pytest.approx(deciles[8])
        assert quantile(hist, 0.5) == pytest.approx(statistics.median(values))


def test_days_late_statistics_are_over_breaches_only() -> None:
    agg = Aggregator(RULES, AS_OF)
    findings = [
        finding("LA005", "met"),
        finding("LA005", "late", days_late=4),
        finding("LA005", "late", days_late=10),
        finding("LA005", "overdue", due=AS_OF - dt.timedelta(days=30)),  # 30 days so far
        finding("LA005", "pending", due=AS_OF + dt.timedelta(days=5)),
    ]
    agg.add(result("C1", findings))
    stats = agg.to_dict()["rules"][0]
    assert stats["median_days_late"] == 10.0  # of 4, 10, 30; met's 0 is not a breach
    assert stats["p90_days_late"] == pytest.approx(26.0)  # h = 1.8: 10 + 0.8 * 20
    assert stats["on_time"] == pytest.approx(1 / 4)


def test_unmet_counts_in_on_time_but_never_in_days_late() -> None:
    """decisions.md: % on time = met / (met + late + overdue + unmet); days-late statistics use
    late and overdue only (an unmet visit has no days late)."""
    agg = Aggregator(RULES, AS_OF)
    findings = [
        finding("LA020", "met"),
        finding("LA020", "unmet"),
        finding("LA020", "unmet"),
        finding("LA005", "late", days_late=4),
        finding("LA005", "overdue", due=AS_OF - dt.timedelta(days=30)),  # 30 days so far
        finding("LA005", "pending", due=AS_OF + dt.timedelta(days=5)),
    ]
    assert [f.days_late for f in findings[1:3]] == [None, None]
    agg.add(result("C1", findings))
    data = agg.to_dict()
    overall = data["overall"]
    assert (overall["met"], overall["late"], overall["overdue"]) == (1, 1, 1)
    assert (overall["pending"], overall["unmet"], overall["findings"]) == (1, 2, 6)
    assert overall["on_time"] == pytest.approx(1 / 5)  # 1 / (1 + 1 + 1 + 2); pending left out
    assert overall["median_days_late"] == 17.0  # of 4 and 30: the unmet visits are not 0 days
    assert overall["p90_days_late"] == pytest.approx(27.4)  # h = 0.9: 4 + 0.9 * 26
    rules = {r["rule"]: r for r in data["rules"]}
    assert rules["LA020"]["on_time"] == pytest.approx(1 / 3)
    assert rules["LA020"]["unmet"] == 2
    assert rules["LA020"]["median_days_late"] is None  # breaches, but none late by some days
    assert rules["LA020"]["p90_days_late"] is None
    assert agg.stats("LA020").breaches == 2 and agg.stats().breaches == 4
    assert agg.rate(["LA020", "LA005"]) == (pytest.approx(1 / 5), 5)
    by_month = {(r["rule"], r["month"]): r for r in data["by_month"]}
    assert by_month[(ALL, "2024-01")]["unmet"] == 2
    assert data["overdue_open"] == 1  # the unmet visits are not overdue


def test_stats_keep_unmet_out_of_the_histogram() -> None:
    stats = Stats()
    stats.add(finding("PF004", "unmet").status, None)
    stats.add(finding("PF004", "met").status, 0)
    assert (stats.unmet, stats.breaches, stats.due, stats.findings) == (1, 1, 2, 2)
    assert stats.on_time == 0.5 and not stats.days
    merged = Stats()
    merged.merge(stats)
    assert merged.to_dict()["unmet"] == 1 and merged.to_dict()["median_days_late"] is None


# -- groups ------------------------------------------------------------------------------------


def test_groups_by_team_worker_iro_and_month_with_children_counted_once() -> None:
    agg = Aggregator(RULES, AS_OF)
    jan, feb = dt.date(2024, 1, 10), dt.date(2024, 2, 10)
    agg.add(
        result(
            "C1",
            [
                finding("LA003", "met", child="C1", due=jan),
                finding("LA003", "late", child="C1", due=feb, days_late=3),
                finding("LA005", "met", child="C1", due=jan),
            ],
            iro="IRO-A",
        )
    )
    agg.add(
        result(
            "C2",
            [finding("LA003", "late", child="C2", due=jan, days_late=7, team="South")],
        )
    )
    agg.add(result("C3", []))  # checked, nothing in scope
    data = agg.to_dict()
    assert data["children_checked"] == 3
    assert data["overall"]["children"] == 2
    la003 = next(r for r in data["rules"] if r["rule"] == "LA003")
    assert (la003["children"], la003["met"], la003["late"]) == (2, 1, 2)
    assert la003["median_days_late"] == 5.0

    by_team = {(r["rule"], r["team"]): r for r in data["by_team"]}
    assert by_team[("LA003", "North")]["children"] == 1
    assert by_team[("LA003", "North")]["findings"] == 2
    assert by_team[(ALL, "North")]["findings"] == 3
    assert by_team[(ALL, "South")]["late"] == 1
    by_iro = {(r["rule"], r["iro"]): r for r in data["by_iro"]}
    assert set(by_iro) == {("LA003", "IRO-A"), ("LA005", "IRO-A"), (ALL, "IRO-A")}
    by_month = {(r["rule"], r["month"]): r for r in data["by_month"]}
    assert by_month[("LA003", "2024-01")]["children"] == 2
    assert by_month[("LA003", "2024-02")]["late"] == 1
    assert by_month[(ALL, "2024-01")]["findings"] == 3
    # the rows with all rules together come first, then rule by rule
    assert data["by_team"][0]["rule"] == ALL


def _footprint(agg: Aggregator) -> int:
    """Bytes the aggregator holds itself (its rule set, shared and fixed, left out): every
    object reachable from it, each counted once."""
    seen: set[int] = {id(agg.ruleset), id(RULES)}
    stack: list[object] = [v for k, v in vars(agg).items() if k not in ("ruleset", "on_permanence")]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type | types.ModuleType | types.FunctionType):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def test_memory_is_bounded_by_the_number_of_groups_not_children() -> None:
    """50,000 children over a fixed set of groups: the group count stays put, each group's
    histogram holds at most one bin per distinct days-late value, and the aggregator's own
    footprint does not grow with the children fed to it."""
    agg = Aggregator(RULES, AS_OF)
    expected_groups = (3 + 1) * (1 + 5 + 20 + 4 + 12)  # (rules + all) x (all, teams, ...)
    for child in synthetic_children(5_000):
        agg.add(child)
    assert agg.group_count == expected_groups
    size_5k = _footprint(agg)
    for child in synthetic_children(45_000, start=5_000):
        agg.add(child)
    assert agg.children == 50_000
    assert agg.group_count == expected_groups
    assert all(len(stats.days) <= 30 for stats in agg.groups.values())
    assert agg.stats().findings == 150_000
    size_50k = _footprint(agg)
    # ten times the children, the same footprint (give or take a dict resize); anything kept
    # per child would add megabytes
    assert size_50k - size_5k < 64 * 1024, (size_5k, size_50k)


def test_aggregates_from_the_engine_reconcile_with_the_run_summary() -> None:
    records = [ChildRecord.model_validate(r) for r in generate(300, seed=4)]
    rules = load_rules(la="example-borough")
    run = Pipeline(rules, AS_OF)
    agg = Aggregator(rules, AS_OF)
    for record, res in zip(records, (rules.check(r, as_of=AS_OF) for r in records), strict=True):
        run.summary.by_rule.update((f.rule, f.status.value) for f in res.findings)
        agg.add(res, record)
    data = agg.to_dict()
    assert data["children_checked"] == 300
    for status in ("met", "late", "overdue", "pending", "unmet"):
        total = sum(n for (_, s), n in run.summary.by_rule.items() if s == status)
        assert data["overall"][status] == total
        assert sum(r[status] for r in data["rules"]) == total
        # every generated record has a team and a worker: the breakdowns add up
        assert sum(r[status] for r in data["by_team"] if r["rule"] == ALL) == total
        assert sum(r[status] for r in data["by_worker"] if r["rule"] == ALL) == total
        assert sum(r[status] for r in data["by_month"] if r["rule"] == ALL) == total
    (target,) = data["targets"]
    rate, due = run.summary.on_time_rate(target["rules"])
    assert target["measured"] == pytest.approx(rate) and target["due"] == due
    assert target["met"] == (rate >= target["target"])


# -- caseloads ---------------------------------------------------------------------------------


def _looked_after(child: str, iro: str, worker: str = "SW1") -> dict[str, object]:
    return {
        "child": child,
        "dob": "2015-01-01",
        "worker": worker,
        "events": [
            {"type": "became_looked_after", "date": "2024-01-02", "ref": "P1"},
            {"type": "iro_assigned", "date": "2024-01-05", "ref": "P1", "attrs": {"iro": iro}},
        ],
    }


def _feed(agg: Aggregator, records: list[dict[str, object]], rules=RULES) -> None:  # type: ignore[no-untyped-def]
    for raw in records:
        record = ChildRecord.model_validate(raw)
        agg.add(rules.check(record, as_of=AS_OF), record)


def test_iro_caseloads_per_fte_from_an_iro_list(tmp_path: Path) -> None:
    listing = tmp_path / "iros.csv"
    listing.write_text("IRO,FTE\nIRO-A,0.04\nIRO-B,0.02\nIRO-C,1\n", encoding="utf-8")
    iros = read_iro_list(listing)
    assert iros == {"IRO-A": 0.04, "IRO-B": 0.02, "IRO-C": 1.0}
    agg = Aggregator(RULES, AS_OF, iro_list=iros)
    records = [_looked_after(f"A{i}", "IRO-A") for i in range(3)]
    records += [_looked_after("B1", "IRO-B"), _looked_after("D1", "IRO-D")]
    closed = _looked_after("X1", "IRO-A")
    closed["events"].append({"type": "ceased_looked_after", "date": "2024-02-01", "ref": "P1"})  # type: ignore[attr-defined]
    _feed(agg, [*records, closed])
    iro = agg.to_dict()["caseloads"]["iro"]
    assert (iro["rule"], iro["low"], iro["high"]) == ("IR001", 50, 70)
    rows = {r["iro"]: r for r in iro["rows"]}
    assert rows["IRO-A"]["children"] == 3  # the child whose care ended is not counted
    assert rows["IRO-A"]["per_fte"] == pytest.approx(75.0)
    assert rows["IRO-A"]["status"] == "above"  # flagged above 70
    assert rows["IRO-B"]["per_fte"] == pytest.approx(50.0) and rows["IRO-B"]["status"] == "within"
    assert rows["IRO-C"]["children"] == 0 and rows["IRO-C"]["status"] == "below"  # noted
    assert rows["IRO-D"]["listed"] is False and rows["IRO-D"]["fte"] == 1.0
    assert (iro["above"], iro["within"], iro["below"]) == (1, 1, 2)


def test_iro_list_errors_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,fte\nA,1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="'iro' column"):
        read_iro_list(bad)
    bad.write_text("iro,fte\nA,lots\n", encoding="utf-8")
    with pytest.raises(UsageError, match="line 2"):
        read_iro_list(bad)


WORKER_RULE = """\
id: WK001
name: worker-caseload
title: Each social worker holds at most one child (a test threshold)
family: caseload
kind: worker_caseload
roles: [social_worker]
count: allocated
range: {low: 0, high: 1}
summary: A local threshold for social workers' caseloads, for the tests.
rationale: Councils set their own caseload thresholds for social workers.
references:
  - title: Working Together to Safeguard Children (statutory guidance)
    href: https://www.gov.uk/government/publications/working-together-to-safeguard-children--2
"""


def test_worker_caseloads_use_a_local_threshold_when_a_pack_sets_one(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "WK001.yaml").write_text(WORKER_RULE, encoding="utf-8")
    rules = load_rules(autoload=False, extra_packs=[pack])
    agg = Aggregator(rules, AS_OF)
    records = [_looked_after("A1", "I", "SW1"), _looked_after("A2", "I", "SW1")]
    records.append(_looked_after("B1", "I", "SW2"))
    _feed(agg, records, rules)
    worker = agg.to_dict()["caseloads"]["worker"]
    assert (worker["rule"], worker["low"], worker["high"]) == ("WK001", 0, 1)
    rows = {r["worker"]: r for r in worker["rows"]}
    assert rows["SW1"] == {
        "worker": "SW1",
        "children": 2,
        "status": "above",
        "allocated": 2,
        "fte": 1.0,
        "per_fte": 2.0,
        "why": None,
    }
    assert rows["SW2"]["status"] == "within"
    # without a threshold the counts are there, with no verdict
    plain = Aggregator(RULES, AS_OF)
    _feed(plain, records)
    assert plain.to_dict()["caseloads"]["worker"]["rows"][0]["status"] is None


def test_a_worker_caseload_has_one_verdict_per_fte_the_workforce_grid_s(tmp_path: Path) -> None:
    """The threshold is children per FTE (a worker_caseload rule's range): SW2, at 0.5 FTE with
    one child, is 2 per FTE, above WK001's 0-1, in the social workers' list as in the
    workforce grid; the raw count (1, within) gives no second verdict."""
    from timescales.records import WorkerRecord

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "WK001.yaml").write_text(WORKER_RULE, encoding="utf-8")
    rules = load_rules(autoload=False, extra_packs=[pack])
    agg = Aggregator(rules, AS_OF)
    for worker, fte in (("SW1", 1.0), ("SW2", 0.5)):
        agg.add_worker(
            WorkerRecord.model_validate(
                {"worker": worker, "role": "social_worker", "fte": fte, "started": "2020-01-01"}
            )
        )
    _feed(agg, [_looked_after("A1", "I", "SW1"), _looked_after("B1", "I", "SW2")], rules)
    data = agg.to_dict()
    (grid,) = [c for c in data["workforce"]["caseloads"] if c["rule"] == "WK001"]
    verdicts = {r["worker"]: r["values"][-1]["status"] for r in grid["rows"]}
    assert verdicts == {"SW1": "within", "SW2": "above"}
    rows = {r["worker"]: r for r in data["caseloads"]["worker"]["rows"]}
    assert {w: r["status"] for w, r in rows.items()} == verdicts
    assert (rows["SW2"]["children"], rows["SW2"]["fte"], rows["SW2"]["per_fte"]) == (1, 0.5, 2.0)
    worker = data["caseloads"]["worker"]
    assert (worker["above"], worker["within"]) == (1, 1)


# -- counts and the permanence tracker ---------------------------------------------------------


def _assessment(child: str, started: str, completed: str) -> dict[str, object]:
    return {
        "child": child,
        "events": [
            {"type": "assessment_started", "date": started, "ref": "A1"},
            {"type": "assessment_completed", "date": completed, "ref": "A1"},
        ],
    }


def test_counts_a_council_must_give() -> None:
    agg = Aggregator(RULES, AS_OF)  # period: 2023-04-01 to 2024-03-31
    records = [
        _assessment("A1", "2023-06-01", "2023-06-20"),  # in the period, within 45 WD
        _assessment("A2", "2023-06-01", "2023-09-29"),  # in the period, late
        _assessment("A3", "2022-01-04", "2022-01-20"),  # completed before the period
        {  # a care leaver seen within 2 months: in touch
            "child": "L1",
            "dob": "2006-01-01",
            "events": [
                {"type": "left_care", "date": "2024-01-10"},
                {"type": "pa_contact", "date": "2024-02-20"},
            ],
        },
        {  # a care leaver not seen since July: not in touch
            "child": "L2",
            "dob": "2006-01-01",
            "events": [
                {"type": "left_care", "date": "2023-06-01"},
                {"type": "pa_contact", "date": "2023-07-01"},
            ],
        },
    ]
    _feed(agg, records)
    counts = agg.to_dict()["counts"]
    assert counts["period"] == {"from": "2023-04-01", "to": "2024-03-31"}
    assessments = counts["assessments"]
    assert assessments["rule"] == "AS002"
    assert assessments["completed_in_period"] == 2
    assert assessments["within_45_working_days"] == 1
    assert counts["care_leavers"] == {"rule": "CL003", "current": 2, "in_touch": 1}


def test_permanence_tracker_row_for_each_looked_after_child() -> None:
    rows = []
    agg = Aggregator(RULES, AS_OF, on_permanence=rows.append)
    child = {
        "child": "P1",
        "dob": "2015-05-05",
        "team": "West",
        "worker": "SW9",
        "events": [
            {"type": "became_looked_after", "date": "2023-10-02", "ref": "P1"},
            {"type": "iro_assigned", "date": "2023-10-05", "ref": "P1", "attrs": {"iro": "IRO-X"}},
            {"type": "lac_review", "date": "2023-10-20", "ref": "P1"},
        ],
    }
    planned = {
        "child": "P2",
        "events": [
            {"type": "became_looked_after", "date": "2023-09-01", "ref": "P1"},
            {"type": "lac_review", "date": "2023-09-20", "ref": "P1"},
            {"type": "permanence_plan", "date": "2023-11-01", "ref": "P1"},
            {"type": "lac_review", "date": "2023-12-15", "ref": "P1"},
        ],
    }
    not_looked_after = _assessment("A1", "2023-06-01", "2023-06-20")
    _feed(agg, [child, planned, not_looked_after])
    assert [r.child for r in rows] == ["P1", "P2"]
    row = rows[0]
    assert (row.team, row.worker, row.iro) == ("West", "SW9", "IRO-X")
    assert row.looked_after_since == dt.date(2023, 10, 2)
    assert (row.reviews, row.last_review, row.plan) == (1, dt.date(2023, 10, 20), False)
    assert row.due == dt.date(2024, 1, 20)  # the second review's scheduled date
    assert row.status == "overdue"
    assert row.next_review_due == dt.date(2024, 1, 20)
    second = rows[1]
    assert (second.reviews, second.plan, second.plan_date) == (2, True, dt.date(2023, 11, 1))
    assert second.status == "met"
    summary = agg.to_dict()["permanence"]
    assert summary == {
        "looked_after": 2,
        "with_plan": 1,
        "without_plan_past_due": 1,
        "why": None,
    }


def test_run_summary_counts_unmet_as_a_breach_and_in_on_time() -> None:
    """The CLI's exit code, summary line and local-target rates read the run summary."""
    from timescales.tally import Summary

    summary = Summary()
    for rule, status in [("LA020", "met"), ("LA020", "unmet"), ("LA005", "pending")]:
        summary.findings[status] += 1
        summary.by_rule[(rule, status)] += 1
    assert summary.breaches == 1
    assert summary.on_time_rate(["LA020", "LA005"]) == (0.5, 2)
    assert "findings: 1 met, 0 late, 0 overdue, 1 pending, 1 unmet" in summary.line()
