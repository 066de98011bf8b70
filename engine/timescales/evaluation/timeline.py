"""A child's events prepared once for every rule: deduplicated, indexed by type, sorted by date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..findings import DataQualityFinding
from ..rules.model import Condition, Match, Selector

PLAUSIBLE_FROM = dt.date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
class Ev:
    """The engine's own light copy of an event (records are validated before they get here)."""

    type: str
    date: dt.date
    ref: str | None = None
    case: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)


def related(a: Ev, b: Ev, match: Match) -> bool:
    """Decisions.md: same ref if both have one; else same case if both have one; else any."""
    if match == "auto" and a.ref is not None and b.ref is not None:
        return a.ref == b.ref
    if a.case is not None and b.case is not None:
        return a.case == b.case
    return True


def _matches(actual: Any, wanted: Any) -> bool:
    return actual in wanted if isinstance(wanted, list) else actual == wanted


def selects(selector: Selector, ev: Ev) -> bool:
    if ev.type != selector.type:
        return False
    for key, value in selector.where.items():
        if not _matches(ev.attrs.get(key), value):
            return False
    return not any(_matches(ev.attrs.get(key), value) for key, value in selector.unless.items())


class Timeline:
    """Events of one child up to ``as_of``, by type, each list sorted by date."""

    __slots__ = ("by_type", "child", "dob", "ignored_after_as_of", "quality")

    def __init__(
        self, child: str, dob: dt.date | None, events: Iterable[Ev], as_of: dt.date
    ) -> None:
        self.child = child
        self.dob = dob
        self.quality: list[DataQualityFinding] = []
        self.ignored_after_as_of = 0
        by_type: dict[str, list[Ev]] = {}
        seen: set[tuple[str, dt.date, str | None]] = set()
        for ev in events:
            if ev.date > as_of:
                self.ignored_after_as_of += 1
                continue
            key = (ev.type, ev.date, ev.ref)
            if key in seen:
                self.quality.append(
                    DataQualityFinding(
                        "DATA004",
                        child,
                        f"{ev.type} recorded twice on the same date; counted once",
                        ref=ev.ref,
                        date=ev.date,
                    )
                )
                continue
            seen.add(key)
            if ev.date < PLAUSIBLE_FROM or (dob is not None and ev.date < dob):
                why = "before 1990" if ev.date < PLAUSIBLE_FROM else "before the date of birth"
                self.quality.append(
                    DataQualityFinding(
                        "DATA003", child, f"{ev.type} is dated {why}", ref=ev.ref, date=ev.date
                    )
                )
            by_type.setdefault(ev.type, []).append(ev)
        for items in by_type.values():
            items.sort(key=lambda e: e.date)
        self.by_type = by_type

    def select(self, selector: Selector) -> list[Ev]:
        items = self.by_type.get(selector.type, [])
        if not selector.where and not selector.unless:
            return items
        return [ev for ev in items if selects(selector, ev)]

    def select_any(self, selectors: Iterable[Selector]) -> list[Ev]:
        out: list[Ev] = []
        for selector in selectors:
            out.extend(self.select(selector))
        out.sort(key=lambda e: e.date)
        return out

    def of_types(self, types: Iterable[str]) -> list[Ev]:
        out: list[Ev] = []
        for name in types:
            out.extend(self.by_type.get(name, []))
        out.sort(key=lambda e: e.date)
        return out


@dataclass(frozen=True, slots=True)
class Case:
    """One case of a scope: the event that opened it and when (if) it closed."""

    opened: Ev
    close: dt.date | None


def holds(
    condition: Condition | None,
    *,
    anchor: dt.date,
    case: Case,
    dob: dt.date | None,
    add_months: Any,
    stop: dt.date | None = None,
) -> bool:
    """Whether a structured condition holds for one instance (``stop``: when its clock stops)."""
    if condition is None:
        return True
    if condition.stops_on_or_before is not None and not (
        stop is not None and stop <= condition.stops_on_or_before
    ):
        return False
    opened = case.opened.date
    if condition.anchor_before_anniversary is not None and not (
        anchor < add_months(opened, 12 * condition.anchor_before_anniversary)
    ):
        return False
    if condition.anchor_from_anniversary is not None and not (
        anchor >= add_months(opened, 12 * condition.anchor_from_anniversary)
    ):
        return False
    if condition.placement_permanent is not None and (
        bool(case.opened.attrs.get("permanent")) != condition.placement_permanent
    ):
        return False
    return not (
        condition.age_under_at_anchor is not None
        and (dob is None or anchor >= add_months(dob, 12 * condition.age_under_at_anchor))
    )
