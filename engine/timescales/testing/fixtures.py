"""Rule fixtures: ``tests/rules/<ID>/{pass,fail}/<situation>.yaml``, loaded and run.

A case holds one input record, ``as_of`` and the expected findings of the rule(s) under test::

    description: first review on the due day itself is on time
    as_of: 2023-06-30
    record: {child: C1, events: [...]}
    expect:
      - {rule: LA005, anchor: 2023-03-31, due: 2023-05-03, done: 2023-05-03, status: met}

Defaults for every case of a rule folder (``as_of``, ``rules``, ``terms``) may sit in
``<ID>/defaults.yaml``. ``terms`` lists school terms as ``[first day, last day]`` pairs, standing
in for a council plugin's term dates.

A case in ``pass/`` expects no breach (a late, overdue or unmet finding) of its rules; one in
``fail/`` at least one. ``status`` is one of met, late, overdue, pending and, for attribute rules,
unmet (the event happened but not as the law requires; its ``days_late`` is null).
Caseload rules (IR001) take ``records`` (a list) instead of ``record``, and their findings, one
per worker at as_of, are ``{rule, key: worker, value: children, per_fte, status}`` with status
``above`` (the breach), ``within`` or ``below``.

Workforce rules read ``workers``: a list of worker records (``timescales.records.WorkerRecord``),
with or without child records beside them. Interval and deadline rules give worker findings
(``WorkerFinding.to_dict()``: rule, worker, anchor, due, done, status, days_late ...), in order
of worker, rule and anchor; a target gives one ``{rule, recruited, left, net, target, status}``
with status ``met`` or ``short`` (the breach), or ``status: null`` and ``why`` when no record of
its role is given. Actual findings of the rules under test are compared with ``expect`` key by
key (only the keys each expected entry gives), in order, and their number must match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import RuleError
from ..kinds import REGISTRY
from ..kinds.workforce import target_rules
from ..records import ChildRecord, WorkerRecord
from ..rules.loader import read_yaml
from ..rules.model import Rule
from ..ruleset.ruleset import RuleSet
from ..workforce import Workforce, target_rows

OUTCOMES = ("pass", "fail")
BREACH = ("late", "overdue", "unmet", "above", "short")


class FixtureError(ValueError):
    """A fixture file is malformed (unknown key, missing field, wrong folder for its outcome)."""


@dataclass(frozen=True)
class FixtureCase:
    rule: str  # the rule folder, e.g. LA005 (or LA005_LA009 for cross-rule cases)
    outcome: str  # "pass" or "fail"
    situation: str  # file stem, e.g. due-day-is-on-time
    path: Path
    description: str
    as_of: dt.date
    record: dict[str, Any] | None
    expect: tuple[dict[str, Any], ...]
    rules: tuple[str, ...]
    terms: tuple[tuple[dt.date, dt.date], ...] | None = None
    records: tuple[dict[str, Any], ...] = ()
    workers: tuple[dict[str, Any], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.outcome}-{self.situation}"


_CASE_KEYS = {"description", "as_of", "record", "records", "workers", "expect", "rules", "terms"}


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FixtureError(f"{where}: as_of must be an ISO date") from None


def _read(path: Path, what: str = "a fixture is") -> dict[str, Any]:
    try:
        data = read_yaml(path.read_text(encoding="utf-8"), str(path))
    except RuleError as exc:
        raise FixtureError(str(exc)) from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: {what} a YAML mapping")
    return data


def read_defaults(folder: Path) -> dict[str, Any]:
    """A rule folder's ``defaults.yaml`` (what each of its cases leaves out), or {} if none."""
    defaults_file = folder / "defaults.yaml"
    return _read(defaults_file, "defaults are") if defaults_file.exists() else {}


def load_case(path: Path, rule: str, outcome: str, defaults: dict[str, Any]) -> FixtureCase:
    data = {**defaults, **_read(path)}
    unknown = set(data) - _CASE_KEYS
    if unknown:
        raise FixtureError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("as_of", "expect", "description"):
        if key not in data:
            raise FixtureError(f"{path}: missing {key!r}")
    if "record" in data and "records" in data:
        raise FixtureError(f"{path}: give exactly one of 'record' and 'records'")
    if "record" not in data and "records" not in data and not data.get("workers"):
        raise FixtureError(f"{path}: give one of 'record' and 'records', or 'workers'")
    workers = data.get("workers") or []
    if not isinstance(workers, list) or not all(isinstance(w, dict) for w in workers):
        raise FixtureError(f"{path}: workers is a list of worker records (mappings)")
    expect = data["expect"] or []
    if not isinstance(expect, list) or not all(isinstance(e, dict) for e in expect):
        raise FixtureError(f"{path}: expect is a list of findings (mappings)")
    rules = tuple(data.get("rules") or rule.split("_"))
    statuses = {e.get("status") for e in expect}
    breach = bool(statuses & set(BREACH))
    if outcome == "fail" and not breach:
        raise FixtureError(f"{path}: a fail/ case must expect a late, overdue or unmet finding")
    if outcome == "pass" and breach:
        raise FixtureError(f"{path}: a pass/ case must not expect a late, overdue or unmet finding")
    terms = None
    if data.get("terms"):
        try:
            terms = tuple((_date(a, str(path)), _date(b, str(path))) for a, b in data["terms"])
        except (TypeError, ValueError):
            raise FixtureError(f"{path}: terms is a list of [first day, last day] pairs") from None
    return FixtureCase(
        terms=terms,
        rule=rule,
        outcome=outcome,
        situation=path.stem,
        path=path,
        description=str(data["description"]),
        as_of=_date(data["as_of"], str(path)),
        record=_plain(data["record"]) if "record" in data else None,
        records=tuple(_plain(r) for r in data.get("records") or ()),
        workers=tuple(_plain(w) for w in workers),
        expect=tuple(_plain(e) for e in expect),
        rules=rules,
    )


def load_cases(root: Path) -> Iterator[FixtureCase]:
    """Every case under ``root`` (a ``tests/rules`` folder), sorted by rule, outcome, name."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        defaults = read_defaults(folder)
        for outcome in OUTCOMES:
            for path in sorted((folder / outcome).glob("*.y*ml")):
                yield load_case(path, folder.name, outcome, defaults)


def _plain(value: Any) -> Any:
    """YAML dates to ISO text, so expectations compare with ``Finding.to_dict()``."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def run_case(case: FixtureCase, ruleset: RuleSet) -> list[dict[str, Any]]:
    """The findings of the case's rules for its record(s) and worker records, as
    dictionaries: the children's, then the workers', then the caseloads and targets."""
    if case.terms:
        ruleset = ruleset.with_terms(case.terms)
    raw = [case.record] if case.record is not None else list(case.records)
    workforce = Workforce(ruleset, case.as_of, case.as_of)
    out: list[dict[str, Any]] = []
    for data in raw:
        context = {"event_types": ruleset.event_types} if ruleset.event_types else None
        record = ChildRecord.model_validate(data, context=context)
        result = ruleset.check(record, as_of=case.as_of)
        workforce.add_child(result, record)
        out.extend(f.to_dict() for f in result.findings if f.rule in case.rules)
    for data in case.workers:
        workforce.add_worker(WorkerRecord.model_validate(data))
    out.extend(f.to_dict() for f in workforce.findings() if f.rule in case.rules)
    for section in workforce.caseload_sections():
        if section["rule"] not in case.rules:
            continue
        for row in section["rows"]:
            value = row["values"][-1]
            if value["status"] is not None:  # measured under the rule in force at as_of
                out.append(
                    {
                        "rule": section["rule"],
                        "key": row["worker"],
                        "value": value["children"],
                        "per_fte": value["per_fte"],
                        "status": value["status"],
                    }
                )
    targets = [r for r in target_rules(ruleset.workforce) if r.id in case.rules]
    for row in target_rows(targets, workforce.workers, case.as_of):
        status = {"met": "met", "below": "short"}.get(row["status"])
        keys = ("rule", "recruited", "left", "net", "target", "why")
        out.append({**{k: row[k] for k in keys}, "status": status})
    return out


def compare(expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]]) -> list[str]:
    """Differences, as readable lines; empty when the findings match."""
    problems = []
    if len(expected) != len(actual):
        problems.append(f"expected {len(expected)} finding(s), got {len(actual)}")
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        for key, value in want.items():
            if got.get(key) != value:
                problems.append(
                    f"finding {index + 1} ({got.get('rule')}): {key} expected "
                    f"{value!r}, got {got.get(key)!r}"
                )
    if problems:
        problems.append("actual findings:")
        keys = ("rule", "ref", "anchor", "due", "done", "status", "days_late")
        problems.extend("  " + ", ".join(f"{k}={f.get(k)}" for k in keys) for f in actual)
    return problems


def case_fields() -> Iterable[str]:
    return (f.name for f in fields(FixtureCase))


# --- limit mutations: fixtures must notice a limit one unit off ------------------------------


def _step(unit: str) -> int:
    # On date-only data hours count as whole days (72 hours = 3 days), so one step is 24 hours.
    return 24 if unit == "hours" else 1


def mutations(rule: Rule) -> list[tuple[int, int]]:
    """(limit index, delta) pairs to try: each limit one unit up and down (a milestone: its
    occurrence; a caseload: the low (0) and high (1) ends of its range)."""
    own = REGISTRY.of(rule).mutations(rule)
    if own is not None:
        return own
    return [
        (index, delta)
        for index, limit in enumerate(rule.limits())
        for delta in (-1, 1)
        if limit.value + delta * _step(limit.unit) >= 0
    ]


def mutate(rule: Rule, index: int, delta: int) -> Rule:
    """The rule with limit ``index`` moved by ``delta`` units."""
    own: Rule | None = REGISTRY.of(rule).mutate(rule, index, delta)
    if own is not None:
        return own
    limits = list(rule.limits())
    step = _step(limits[index].unit)
    shifted = limits[index].model_copy(update={"value": limits[index].value + delta * step})
    back = getattr(rule, "counts_from_status", None)
    if back is not None and index == len(limits) - 1:
        # the last limit of a deadline that counts from a preceding status is that one's
        return rule.model_copy(
            update={"counts_from_status": back.model_copy(update={"limit": shifted})}
        )
    limits[index] = shifted
    return rule.model_copy(update={"limit": limits[: len(limits) - (back is not None)]})


def uncaught_mutations(ruleset: RuleSet, cases: Sequence[FixtureCase], rule_id: str) -> list[str]:
    """The mutations of ``rule_id`` that none of its fixtures notice (empty: all caught)."""
    rule = ruleset.by_id[rule_id]
    mine = [c for c in cases if rule_id in c.rules]
    if not mine:
        return ["no fixtures"]
    missed = []
    for index, delta in mutations(rule):
        mutated = ruleset.replace(
            [mutate(r, index, delta) if r.id == rule_id else r for r in ruleset.rules]
        )
        if not any(compare(c.expect, run_case(c, mutated)) for c in mine):
            missed.append(f"limit {index} {delta:+d}")
    return missed
