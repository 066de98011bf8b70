"""Caseloads: children allocated per worker, per full-time equivalent, against a caseload
rule's range, at each month end of the period and at as_of.

The children come from the worker records' ``allocation`` events open that day when any worker
record gives allocations in the rule's roles (``source: workers``); otherwise from the
children's records (``source: children``): for ``count: looked_after`` each child looked after
that day under the IRO of its latest ``iro_assigned`` in the open period (``IroHistory``), for
``count: allocated`` each child under its record's ``worker``, known at as_of only (earlier
snapshots n/a). A day a holder holds nobody is n/a unless the IRO list or their worker record
shows them in post (employed that day): the children's records alone cannot tell a caseload of 0
from someone who has left. FTE: the ``--iros`` list for IROs, else the worker record's ``fte``,
else 1.0 (``fte_from``: list, record, default). Memory is bounded by snapshots times workers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..calendar import add_days, add_months
from ..kinds.workforce import WorkerCaseloadRule
from ..records import WorkerRecord

if TYPE_CHECKING:
    from ..records import ChildRecord
    from ..ruleset.ruleset import ChildResult

# why a caseload figure is null (the report shows the first blank, the second as n/a)
NOT_IN_POST = "not in post that day"
KNOWN_AT_AS_OF = (
    "the children's records give each child's allocated worker only as of the date: no figure "
    "for an earlier month"
)
# a holder met only in the children's records on other days (an IRO whose last child left
# care): holding nobody that day, and nothing (no IRO list, no worker record) says they were
# still in post, so there is no caseload to judge (never "0, below the range")
NOT_KNOWN_IN_POST = (
    "holds no child that day, and no IRO list (--iros) or worker record shows them in post"
)


IRO = "iro"


def snapshot_dates(since: dt.date, as_of: dt.date) -> tuple[dt.date, ...]:
    """The month ends from ``since`` to ``as_of`` (both inclusive), then as_of itself."""
    out: list[dt.date] = []
    first = since.replace(day=1)
    month = first
    while True:
        end = add_days(add_months(month, 1), -1)
        if end > as_of:
            break
        if end >= since:
            out.append(end)
        month = add_months(month, 1)
    if not out or out[-1] != as_of:
        out.append(as_of)
    return tuple(out)


def status(value: float, low: int, high: int) -> str:
    return "above" if value > high else "below" if value < low else "within"


class Caseloads:
    """Feed it each child (``add``) and the worker records (``rows`` at the end); it keeps
    per snapshot the children each holder has, never the children themselves."""

    def __init__(
        self,
        rules: Iterable[WorkerCaseloadRule],
        snapshots: tuple[dt.date, ...],
        iro_list: Mapping[str, float] | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.snapshots = snapshots
        self.as_of = snapshots[-1]
        self.iro_list = dict(iro_list or {})
        self.looked_after = any(r.count == "looked_after" for r in self.rules)
        self.allocated = any(r.count == "allocated" for r in self.rules)
        # snapshot -> IRO -> looked-after children held that day
        self.iros: dict[dt.date, Counter[str]] = {day: Counter() for day in snapshots}
        # worker -> children whose record names them, at as_of
        self.workers: Counter[str] = Counter()

    def add(self, result: ChildResult | None, record: ChildRecord | None) -> None:
        """One child: its IRO on each snapshot day, and its worker at as_of."""
        if self.looked_after and result is not None:
            history = result.iros
            if history is not None:
                for day in self.snapshots:
                    iro = history.on(day)
                    if iro is not None:
                        self.iros[day][iro] += 1
            elif result.iro is not None:
                self.iros[self.as_of][result.iro] += 1
        if self.allocated and record is not None and record.worker:
            self.workers[record.worker] += 1

    def rows(self, rule: WorkerCaseloadRule, staff: Iterable[WorkerRecord]) -> dict[str, Any]:
        """The rule's caseload section: its source, snapshots and a row per worker."""
        staff = list(staff)
        records = {w.worker: w for w in staff if rule.applies_to(w.role)}
        allocations = [
            (w.worker, e)
            for w in staff
            for e in w.events
            if e.type == "allocation" and rule.applies_to(e.role or w.role) and e.date <= self.as_of
        ]
        counts: dict[dt.date, Counter[str]]
        if allocations:
            source = "workers"
            counts = {day: Counter() for day in self.snapshots}
            for day in self.snapshots:
                held: dict[str, set[str]] = {}
                for holder, e in allocations:
                    if e.date <= day and (e.end is None or day <= e.end) and e.child:
                        held.setdefault(holder, set()).add(e.child)
                counts[day].update({h: len(c) for h, c in held.items()})
            known = set(self.snapshots)
        elif rule.count == "looked_after":
            source, counts, known = "children", self.iros, set(self.snapshots)
        else:
            source = "children"
            counts = {self.as_of: self.workers}
            known = {self.as_of}
        listed = self.iro_list if IRO in rule.roles else {}
        holders = set(records) | set(listed)
        for counter in counts.values():
            holders.update(h for h, n in counter.items() if n)
        rows = [self._row(rule, name, records.get(name), listed, counts, known) for name in holders]
        rows.sort(key=lambda r: r["worker"])
        at_as_of = Counter(r["values"][-1]["status"] for r in rows)
        return {
            "rule": rule.id,
            "name": rule.name,
            "role": ", ".join(rule.roles),
            "low": rule.range.low,
            "high": rule.range.high,
            "newly_qualified": (
                None
                if rule.newly_qualified is None
                else {"low": rule.newly_qualified.low, "high": rule.newly_qualified.high}
            ),
            "citation": rule.references[0].href,
            "source": source,
            "snapshots": [day.isoformat() for day in self.snapshots],
            "rows": rows,
            "at_as_of": {key: at_as_of[key] for key in ("above", "within", "below")},
        }

    def _row(
        self,
        rule: WorkerCaseloadRule,
        name: str,
        record: WorkerRecord | None,
        listed: Mapping[str, float],
        counts: Mapping[dt.date, Counter[str]],
        known: set[dt.date],
    ) -> dict[str, Any]:
        if name in listed:
            fte, fte_from = listed[name], "list"
        elif record is not None and record.fte is not None:
            fte, fte_from = record.fte, "record"
        else:
            fte, fte_from = 1.0, "default"
        values = []
        for day in self.snapshots:
            children: int | None = counts[day][name] if day in known else None
            why = None if day in known else KNOWN_AT_AS_OF
            if children == 0 and record is not None and not record.employed_on(day):
                children, why = None, NOT_IN_POST  # no caseload to judge that day
            elif children == 0 and record is None and name not in listed:
                children, why = None, NOT_KNOWN_IN_POST
            nq = record is not None and record.newly_qualified_on(day)
            bounds = rule.newly_qualified if nq and rule.newly_qualified else rule.range
            per_fte = None if children is None else round(children / fte, 2)
            verdict = None
            if per_fte is not None and rule.in_force(day):
                verdict = status(per_fte, bounds.low, bounds.high)
            values.append(
                {
                    "date": day.isoformat(),
                    "children": children,
                    "per_fte": per_fte,
                    "newly_qualified": nq,
                    "status": verdict,
                    # why a figure is null (n/a): not in post that day, or not known then
                    "why": why if children is None else None,
                }
            )
        return {
            "worker": name,
            "team": record.team if record is not None else None,
            "fte": fte,
            "fte_from": fte_from,
            "values": values,
        }


def iro_rows(
    section: Mapping[str, Any] | None, iro_list: Mapping[str, float]
) -> list[dict[str, Any]]:
    """The IRO caseload rows of ``agg["caseloads"]["iro"]`` (their shape since IR001 was an
    aggregate) from an IRO caseload section at as_of: iro, children, fte, per_fte, listed,
    status; an IRO holding children at as_of, or on the IRO list."""
    if section is None:
        return []
    low, high = section["low"], section["high"]
    out = []
    for row in section["rows"]:
        last = row["values"][-1]
        children = last["children"] or 0
        if not children and row["worker"] not in iro_list:
            continue
        per_fte = children / row["fte"]
        out.append(
            {
                "iro": row["worker"],
                "children": children,
                "fte": row["fte"],
                "per_fte": round(per_fte, 2),
                "listed": row["worker"] in iro_list if iro_list else None,
                "status": status(per_fte, low, high),
            }
        )
    return out
