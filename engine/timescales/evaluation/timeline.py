"""A child's events prepared once for every rule: deduplicated, indexed by type, sorted by date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import calendar
from ..findings import DataQualityFinding
from ..rules.model import Condition, FirstEvent, Match, Selector

PLAUSIBLE_FROM = dt.date(1990, 1, 1)


def earliest_plausible(dob: dt.date | None) -> dt.date:
    """The earliest date an event can have and still be believed (DATA003 otherwise): 1990, or
    the date of birth when later. An event met "early" (``met_before_clock``) counts only from
    here: a plan dated 1900-01-01 or before the child was born is bad data, and bad data must
    never turn a late event into an on-time one."""
    return PLAUSIBLE_FROM if dob is None or dob < PLAUSIBLE_FROM else dob


class _Disputed:
    """The value of a detail two copies of one event give differently: unknown. It is falsy,
    equal only to itself, matches no ``where`` and every ``unless`` and fails every attribute
    test, so it never helps an event meet, void or close anything."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<disputed>"

    def __bool__(self) -> bool:
        return False


DISPUTED: Any = _Disputed()


@dataclass(frozen=True, slots=True)
class Ev:
    """The engine's own light copy of an event (records are validated before they get here)."""

    type: str
    date: dt.date
    ref: str | None = None
    case: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)
    # an opening the data does not hold: the case began before its known history (``Known``),
    # dated where that history begins; nothing counted from it is assessed
    began: bool = False


@dataclass(frozen=True, slots=True)
class Known:
    """The engine's copy of a record's ``known_from`` entry: from ``start`` on, the data holds
    every event of ``events`` (None: all types) of the case ``case`` (None: every case);
    ``began``: the types that opened that case before ``start``."""

    start: dt.date
    case: str | None = None
    events: frozenset[str] | None = None
    began: tuple[str, ...] = ()

    def covers(self, types: frozenset[str], keys: tuple[str | None, ...]) -> bool:
        """Whether this entry speaks about a rule reading ``types`` in a case known by
        ``keys`` (its opening's ref and case)."""
        if self.case is not None and self.case not in keys:
            return False
        return self.events is None or not self.events.isdisjoint(types)


def related(a: Ev, b: Ev, match: Match) -> bool:
    """Decisions.md: same ref if both have one; else same case if both have one; else any."""
    if match == "auto" and a.ref is not None and b.ref is not None:
        return a.ref == b.ref
    if a.case is not None and b.case is not None:
        return a.case == b.case
    return True


def order(ev: Ev) -> tuple[dt.date, bool, str, str, str, str]:
    """Date first, then everything else, so that same-day events have one fixed order. An
    opening that began before the data comes first on its day: it began before any other."""
    attrs = repr(sorted((k, repr(v)) for k, v in ev.attrs.items())) if ev.attrs else ""
    return (ev.date, not ev.began, ev.type, ev.ref or "", ev.case or "", attrs)


def _agree(a: Ev, b: Ev) -> bool:
    """No detail with two values (a DISPUTED detail agrees with nothing)."""
    return not _clash(a, b)


def _clash(a: Ev, b: Ev) -> set[str]:
    return {k for k, v in b.attrs.items() if k in a.attrs and (a.attrs[k] != v or v is DISPUTED)}


def _matches(actual: Any, wanted: Any) -> bool:
    return actual in wanted if isinstance(wanted, list) else actual == wanted


def selects(selector: Selector, ev: Ev) -> bool:
    if ev.type != selector.type:
        return False
    for key, value in selector.where.items():
        actual = ev.attrs.get(key)
        if actual is DISPUTED or not _matches(actual, value):
            return False
    for key, value in selector.unless.items():
        actual = ev.attrs.get(key)
        if actual is DISPUTED or _matches(actual, value):
            return False
    return True


class Timeline:
    """Events of one child up to ``as_of``, by type, each list sorted by date."""

    __slots__ = (
        "by_type",
        "child",
        "dob",
        "ignored_after_as_of",
        "known",
        "not_assessed",
        "quality",
    )

    def __init__(
        self,
        child: str,
        dob: dt.date | None,
        events: Iterable[Ev],
        as_of: dt.date,
        apart: Mapping[str, frozenset[str]] | None = None,
        known: tuple[Known, ...] = (),
    ) -> None:
        """``apart`` (``rules.model.keep_apart``): per type, the details on which two
        contradicting copies of an event stay two events (each may start an obligation).
        ``known``: where the history the input holds begins; a case that ``began`` before it
        gets an opening dated there (``Ev.began``), so that its rules are counted, not lost."""
        self.child = child
        self.known = known
        self.dob = dob
        self.quality: list[DataQualityFinding] = []
        self.ignored_after_as_of = 0
        # (rule, why) -> instances not assessed: the law then in force set no date to breach
        self.not_assessed: Counter[tuple[str, str]] = Counter()
        by_type: dict[str, list[Ev]] = {}
        seen: dict[tuple[str, dt.date, str | None], list[int]] = {}
        # A total order, so that neither findings nor what duplicates become depend on the
        # order events were given in.
        for ev in sorted(events, key=order):
            if ev.date > as_of:
                self.ignored_after_as_of += 1
                continue
            key = (ev.type, ev.date, ev.ref)
            items = by_type.setdefault(ev.type, [])
            copies = [i for i in seen.get(key, []) if items[i].case == ev.case]
            same = next((i for i in copies if _agree(items[i], ev)), None)
            if same is None and copies:
                clash = _clash(items[copies[0]], ev)
                if not clash & (apart or {}).get(ev.type, frozenset()):
                    same = copies[0]
            if same is not None:
                # The same event twice counts once, keeping what either copy recorded (a visit
                # entered twice, once with "seen alone" and once without). A detail the copies
                # give two values for (seen alone yes and no) is unknown (DISPUTED): bad data
                # never meets a rule, nor turns a late event into an on-time one.
                kept = items[same]
                clash = _clash(kept, ev)
                merged = {**kept.attrs, **ev.attrs, **dict.fromkeys(clash, DISPUTED)}
                for k, v in kept.attrs.items():
                    if v is DISPUTED:
                        merged[k] = DISPUTED
                if merged != kept.attrs:
                    items[same] = Ev(kept.type, kept.date, kept.ref, kept.case, merged)
                if clash:
                    note = (
                        f"{ev.type} recorded twice on the same date with different "
                        f"{', '.join(sorted(clash))}; counted once, with that taken as unknown"
                    )
                    self.quality.append(
                        DataQualityFinding("DATA008", child, note, ref=ev.ref, date=ev.date)
                    )
                    continue
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
            if key in seen:
                # two cases, or two values of a detail that starts an obligation (legal status
                # L1 and L2 on one day): both are kept, each starting its own, and noted
                self.quality.append(
                    DataQualityFinding(
                        "DATA008",
                        child,
                        f"{ev.type} recorded twice on the same date with different details; "
                        "both are counted",
                        ref=ev.ref,
                        date=ev.date,
                    )
                )
            seen.setdefault(key, []).append(len(items))
            if ev.date < PLAUSIBLE_FROM or (dob is not None and ev.date < dob):
                why = "before 1990" if ev.date < PLAUSIBLE_FROM else "before the date of birth"
                self.quality.append(
                    DataQualityFinding(
                        "DATA003", child, f"{ev.type} is dated {why}", ref=ev.ref, date=ev.date
                    )
                )
            items.append(ev)
        for entry in known:
            for name in entry.began:
                if entry.start > as_of:
                    continue
                # the data's own opening on that day (with its details: the legal status in
                # force) is taken as the one that began earlier; else one is made
                items = by_type.setdefault(name, [])
                own = [
                    i
                    for i, ev in enumerate(items)
                    if ev.date == entry.start and entry.case in (ev.ref, ev.case)
                ]
                for i in own:
                    items[i] = dataclasses.replace(items[i], began=True)
                if not own:
                    items.append(Ev(name, entry.start, entry.case, began=True))
        for name in {n for entry in known for n in entry.began}:
            by_type.get(name, []).sort(key=order)
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
        out.sort(key=order)
        return out

    def of_types(self, types: Iterable[str]) -> list[Ev]:
        out: list[Ev] = []
        for name in types:
            out.extend(self.by_type.get(name, []))
        out.sort(key=order)
        return out


@dataclass(frozen=True, slots=True)
class Case:
    """One case of a scope: the event that opened it and when (if) it closed."""

    opened: Ev
    close: dt.date | None


def last_on_or_before(tl: Timeline, kind: str, day: dt.date) -> Ev | None:
    """The latest event of ``kind`` on or before ``day``, if any."""
    found = None
    for ev in tl.by_type.get(kind, ()):
        if ev.date > day:
            break
        found = ev
    return found


def placement_at(tl: Timeline, case: Case, day: dt.date) -> Ev | None:
    """The placement in force on ``day``: the case's own when the case is a placement, else the
    latest ``placement_started`` on or before ``day``."""
    if case.opened.type == "placement_started":
        return case.opened
    return last_on_or_before(tl, "placement_started", day)


def statuses_at(tl: Timeline, day: dt.date) -> frozenset[Any]:
    """The legal status codes in force on ``day``: those of the latest ``legal_status_started``
    on or before it, less any with a ``legal_status_ended`` of the same code after its start and
    on or before ``day``."""
    started = [e for e in tl.by_type.get("legal_status_started", ()) if e.date <= day]
    if not started:
        return frozenset()
    latest = started[-1].date
    ended = tl.by_type.get("legal_status_ended", ())
    codes = set()
    for ev in started:
        code = ev.attrs.get("code")
        if ev.date == latest and not any(
            x.attrs.get("code") == code and latest < x.date <= day for x in ended
        ):
            codes.add(code)
    return frozenset(codes)


def before_first(tl: Timeline, first: FirstEvent, anchor: dt.date) -> bool:
    """No ``first.type`` event yet, on or before ``anchor``, since the latest ``first.since``
    event on or before it (the period of care)."""
    latest = last_on_or_before(tl, first.since, anchor) if first.since is not None else None
    since = latest.date if latest is not None else None
    return not any(
        (since is None or ev.date >= since) and ev.date <= anchor
        for ev in tl.by_type.get(first.type, ())
    )


def _attrs_match(ev: Ev | None, wanted: Mapping[str, Any]) -> bool:
    if ev is None:
        return False
    for key, value in wanted.items():
        actual = ev.attrs.get(key)
        if actual is DISPUTED or not _matches(actual, value):
            return False
    return True


def holds(
    condition: Condition | None,
    *,
    anchor: dt.date,
    case: Case,
    tl: Timeline,
    stop: dt.date | None = None,
) -> bool:
    """Whether a structured condition holds for one instance (``stop``: when its clock stops)."""
    if condition is None:
        return True
    dob = tl.dob
    if condition.stops_on_or_before is not None and not (
        stop is not None and stop <= condition.stops_on_or_before
    ):
        return False
    opened = case.opened.date
    if condition.anchor_before_anniversary is not None and not (
        anchor < calendar.add_months(opened, 12 * condition.anchor_before_anniversary)
    ):
        return False
    if condition.anchor_from_anniversary is not None and not (
        anchor >= calendar.add_months(opened, 12 * condition.anchor_from_anniversary)
    ):
        return False
    if condition.placement_permanent is not None and (
        bool(case.opened.attrs.get("permanent")) != condition.placement_permanent
    ):
        return False
    if condition.age_under_at_anchor is not None and (
        dob is None or anchor >= calendar.add_months(dob, 12 * condition.age_under_at_anchor)
    ):
        return False
    if condition.anchor_on_or_after is not None and anchor < condition.anchor_on_or_after:
        return False
    if condition.placement is not None and not _attrs_match(
        placement_at(tl, case, anchor), condition.placement
    ):
        return False
    if condition.legal_status is not None and not (
        statuses_at(tl, anchor) & set(condition.legal_status)
    ):
        return False
    if condition.anchor_before_first is not None and not before_first(
        tl, condition.anchor_before_first, anchor
    ):
        return False
    if condition.any is not None and not any(
        holds(c, anchor=anchor, case=case, tl=tl, stop=stop) for c in condition.any
    ):
        return False
    return condition.none_of is None or not any(
        holds(c, anchor=anchor, case=case, tl=tl, stop=stop) for c in condition.none_of
    )
