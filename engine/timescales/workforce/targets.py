"""Recruitment targets (``workforce_target``): records of a role starting in the period ending
at as_of (recruited), ending in it (left), and the net figure, against the rule's target.

With no record of the role in the input every figure is n/a (null) with why, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..calendar import add_days, add_months
from ..kinds.workforce import WorkforceTargetRule
from ..records import WorkerRecord


def period_of(rule: WorkforceTargetRule, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The period ending at as_of: (first day, as_of). Twelve months to 31 March 2024 begin on
    1 April 2023."""
    n = rule.period.value
    unit = rule.period.unit
    back = (
        add_months(as_of, -n)
        if unit == "months"
        else add_days(as_of, -n * (7 if unit == "weeks" else 1))
    )
    return add_days(back, 1), as_of


def target_rows(
    rules: Iterable[WorkforceTargetRule], workers: Iterable[WorkerRecord], as_of: dt.date
) -> list[dict[str, Any]]:
    workers = list(workers)
    out = []
    for rule in rules:
        first, last = period_of(rule, as_of)
        mine = [w for w in workers if rule.applies_to(w.role)]
        row: dict[str, Any] = {
            "rule": rule.id,
            "name": rule.name,
            "role": ", ".join(rule.roles),
            "from": first.isoformat(),
            "to": last.isoformat(),
            "target": rule.target,
            "recruited": None,
            "left": None,
            "net": None,
            "status": None,
            "why": None,
            "citation": rule.references[0].href,
        }
        if not mine:
            row["why"] = f"no record of role {row['role']} in the input"
        elif not rule.in_force(last):
            row["why"] = "not in force on the as-of date"
        else:
            recruited = sum(1 for w in mine if w.started is not None and first <= w.started <= last)
            left = sum(1 for w in mine if w.ended is not None and first <= w.ended <= last)
            row.update(
                recruited=recruited,
                left=left,
                net=recruited - left,
                status="met" if recruited >= rule.target else "below",
            )
        out.append(row)
    return out
