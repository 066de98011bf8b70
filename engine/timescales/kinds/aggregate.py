"""Rule kind ``aggregate``: a measure over many children (IR001: open looked-after children per
IRO), computed by the aggregates (``timescales.aggregates``), never per child, and not part of
the exit code. Per child it gives only what the measure counts: the IRO holding the child's
open looked-after period at as_of (``current_iro``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from ..evaluation.timeline import Timeline
from ..rules.model import RuleBase, Strict
from ..rules.registry import Heads, Kind

OPENS, CLOSES = ("became_looked_after",), ("ceased_looked_after",)


class Range(Strict):
    low: int = Field(ge=0)
    high: int = Field(ge=0)


class AggregateRule(RuleBase):
    """A measure over many children (IR001: open looked-after children per IRO), computed by the
    aggregates, never per child, and not part of the exit code."""

    kind: Literal["aggregate"]
    measure: Literal["iro_caseload", "worker_caseload"]
    range: Range


def aggregates_of(rules: Iterable[RuleBase]) -> tuple[AggregateRule, ...]:
    """The aggregate rules among ``rules`` (measured by the aggregates, not per child)."""
    return tuple(r for r in rules if isinstance(r, AggregateRule))


def current_iro(timeline: Timeline, as_of: dt.date) -> str | None:
    """The IRO of the looked-after period open at as_of, or None (not looked after, or none)."""
    opens = timeline.of_types(OPENS)
    if not opens:
        return None
    latest_open = opens[-1]
    closes = [e for e in timeline.of_types(CLOSES) if e.date >= latest_open.date]
    if closes:
        return None
    assigned = [e for e in timeline.by_type.get("iro_assigned", []) if e.date >= latest_open.date]
    if not assigned:
        return None
    name = assigned[-1].attrs.get("iro")
    return str(name) if name else None


class AggregateKind(Kind[AggregateRule]):
    name = "aggregate"
    model = AggregateRule
    per_child = False

    def needs(self, rule: AggregateRule, heads: Heads) -> set[str]:
        return {"became_looked_after", "iro_assigned"}

    def mutations(self, rule: AggregateRule) -> list[tuple[int, int]] | None:
        """The low (0) and high (1) ends of its range, one each way."""
        return [(index, d) for index in (0, 1) for d in (-1, 1)]

    def mutate(self, rule: AggregateRule, index: int, delta: int) -> AggregateRule | None:
        end = ("low", "high")[index]
        moved = rule.range.model_copy(update={end: getattr(rule.range, end) + delta})
        return rule.model_copy(update={"range": moved})

    def counting(self, rule: AggregateRule, heads: Heads) -> list[str]:
        return [
            f"Measure `{rule.measure}` as of the date, over all children: expected between "
            f"{rule.range.low} and {rule.range.high}; above {rule.range.high} is a breach, "
            f"below {rule.range.low} is noted. Reported with the aggregates, not per child, and "
            "not part of the exit code."
        ]

    def on_time_text(self, rule: AggregateRule) -> str | None:
        return None

    def options(self, rule: AggregateRule) -> list[str] | None:
        return ["range: a council may set its own expected range as a local target."]


KIND = AggregateKind()
