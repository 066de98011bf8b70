"""Caseloads: IR001 (open looked-after children per full-time IRO) and social workers' caseloads.

IRO caseloads count each child looked after at as_of under the IRO of its latest
``iro_assigned`` in that period (as IR001's counter does). An optional IRO list (CSV with columns
``iro`` and ``fte``) gives each IRO's full-time equivalence: the caseload compared with IR001's
range (50-70) is children / FTE, and listed IROs holding no child show as 0. An IRO met in the
records but missing from the list counts as 1.0 FTE and is marked ``listed: false``.

Worker caseloads count the children each worker holds (the record's ``worker``) that have live
statutory work at as_of: a finding pending, or overdue on a case still open. A council's plugin
can set a threshold with an aggregate rule of ``measure: worker_caseload`` (a ``range``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..kinds.aggregate import AggregateRule
    from ..ruleset.ruleset import RuleSet


def read_iro_list(path: Path) -> dict[str, float]:
    """IRO -> full-time equivalence, from a CSV with a header naming ``iro`` and (optionally)
    ``fte``; a blank FTE is 1.0."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the IRO list: {exc.strerror}") from None
    rows = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in rows.fieldnames or []]
    if "iro" not in fields:
        raise UsageError(f"{path}: the IRO list needs a header with an 'iro' column (and 'fte')")
    out: dict[str, float] = {}
    for number, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        name = row.get("iro", "")
        if not name:
            continue
        fte_text = row.get("fte", "")
        try:
            fte = float(fte_text) if fte_text else 1.0
        except ValueError:
            raise UsageError(f"{path}, line {number}: FTE {fte_text!r} is not a number") from None
        if not 0 < fte <= 2:
            raise UsageError(f"{path}, line {number}: FTE {fte} is outside (0, 2]")
        out[name] = fte
    return out


def _status(value: float, low: int, high: int) -> str:
    return "above" if value > high else "below" if value < low else "within"


class Caseloads:
    def __init__(
        self, ruleset: RuleSet, as_of: dt.date, iro_list: Mapping[str, float] | None = None
    ) -> None:
        self.as_of = as_of
        self.iro_list = dict(iro_list or {})
        self.iro_rule = _rule(ruleset, "iro_caseload")
        self.worker_rule = _rule(ruleset, "worker_caseload")
        self.iro: Counter[str] = Counter()
        self.worker: Counter[str] = Counter()

    def add(self, *, iro: str | None, worker: str | None, live: bool) -> None:
        if iro:
            self.iro[iro] += 1
        if worker and live:
            self.worker[worker] += 1

    def iro_rows(self) -> list[dict[str, Any]]:
        rows = []
        for name in sorted(set(self.iro) | set(self.iro_list)):
            fte = self.iro_list.get(name, 1.0)
            children = self.iro[name]
            per_fte = children / fte
            rule = self.iro_rule
            rows.append(
                {
                    "iro": name,
                    "children": children,
                    "fte": fte,
                    "per_fte": round(per_fte, 2),
                    "listed": name in self.iro_list if self.iro_list else None,
                    "status": _status(per_fte, rule.range.low, rule.range.high) if rule else None,
                }
            )
        return rows

    def worker_rows(self) -> list[dict[str, Any]]:
        rule = self.worker_rule
        return [
            {
                "worker": name,
                "children": count,
                "status": _status(count, rule.range.low, rule.range.high) if rule else None,
            }
            for name, count in sorted(self.worker.items())
        ]

    def to_dict(self) -> dict[str, Any]:
        iro_rows = self.iro_rows()
        worker_rows = self.worker_rows()
        return {
            "iro": {
                **_rule_dict(self.iro_rule),
                "fte_from_list": bool(self.iro_list),
                "rows": iro_rows,
                **_tally(iro_rows),
            },
            "worker": {**_rule_dict(self.worker_rule), "rows": worker_rows, **_tally(worker_rows)},
        }


def _rule(ruleset: RuleSet, measure: str) -> AggregateRule | None:
    return next((r for r in ruleset.aggregates if r.measure == measure), None)


def _rule_dict(rule: AggregateRule | None) -> dict[str, Any]:
    if rule is None:
        return {"rule": None, "low": None, "high": None, "citation": None}
    return {
        "rule": rule.id,
        "name": rule.name,
        "low": rule.range.low,
        "high": rule.range.high,
        "citation": rule.references[0].href,
    }


def _tally(rows: list[dict[str, Any]]) -> dict[str, int]:
    statuses = Counter(row["status"] for row in rows)
    return {"above": statuses["above"], "within": statuses["within"], "below": statuses["below"]}
