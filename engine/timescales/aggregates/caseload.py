"""Caseloads (IR001): open looked-after children per IRO as of the date, against a range.

Each child contributes at most one holder per measure (the IRO of its latest ``iro_assigned``
in the looked-after period open at as_of); memory is bounded by the number of IROs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..findings import row_dict
from ..kinds.aggregate import AggregateRule, current_iro

__all__ = ["AggregateFinding", "CaseloadCounter", "current_iro"]


@dataclass(frozen=True, slots=True)
class AggregateFinding:
    rule: str
    name: str
    measure: str
    key: str
    value: int
    low: int
    high: int
    status: str  # "above" (a breach), "within", "below" (noted)
    citation: str
    as_of: dt.date

    def to_dict(self) -> dict[str, Any]:
        return row_dict(self)


class CaseloadCounter:
    """Feed it each child's holders; ask it for findings at the end."""

    def __init__(self, rules: Iterable[AggregateRule], as_of: dt.date) -> None:
        # a measure taken at as_of, under the guidance in force that day
        self.rules = [r for r in rules if r.measure == "iro_caseload" and r.in_force(as_of)]
        self.as_of = as_of
        self.counts: Counter[str] = Counter()

    def add(self, iro: str | None) -> None:
        if iro is not None:
            self.counts[iro] += 1

    def findings(self) -> list[AggregateFinding]:
        out = []
        for rule in self.rules:
            for key, value in sorted(self.counts.items()):
                low, high = rule.range.low, rule.range.high
                status = "above" if value > high else "below" if value < low else "within"
                out.append(
                    AggregateFinding(
                        rule.id,
                        rule.name,
                        rule.measure,
                        key,
                        value,
                        low,
                        high,
                        status,
                        rule.references[0].href,
                        self.as_of,
                    )
                )
        return out
