"""A naive reference evaluator: slow, obviously correct, for tests only.

It is written from the documented semantics (``docs/writing-rules.md``, ``decisions.md``, the rule
models' docstrings), never from the engine's code: it imports nothing from
``timescales.evaluation`` and shares no date arithmetic with ``timescales.calendar``. Working days
are found by walking the calendar one day at a time (Monday to Friday, less England bank holidays
from ``holidays.country_holidays("GB", subdiv="ENG")``); months are added by hand; nothing is
cached except the list of bank holidays. Property tests compare it with the engine::

    model = ReferenceModel.like(ruleset)               # the same rules, terms and reported IDs
    assert model.check(record, as_of=d) == engine_findings(ruleset, record, as_of=d)

Findings carry the fields the output contract fixes for one rule instance: ``rule``, ``ref``,
``anchor``, ``due``, ``done``, ``status``, ``days_late``, ``working_days_late``.

Interpretive choices the documents leave open are made here the way a council's performance lead
would expect, and each is stated where it is made (search for "Choice:").
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import holidays

from ..records import ChildRecord
from ..rules.model import (
    AggregateRule,
    AttributeRule,
    AttrTest,
    Condition,
    DeadlineRule,
    Limit,
    MilestoneRule,
    RollingRule,
    Rule,
    ScheduleRule,
    Scope,
    Selector,
    keep_apart,
)

__all__ = [
    "CALENDAR_FIRST",
    "CALENDAR_LAST",
    "OutsideCalendar",
    "RefFinding",
    "ReferenceModel",
    "add_months",
    "add_working_days",
    "compare_with_engine",
    "due_date",
    "engine_findings",
    "is_working_day",
    "working_days_in",
]

# decisions.md, "Calendar and councils": working-day arithmetic is defined for these years only.
CALENDAR_FIRST = dt.date(2000, 1, 1)
CALENDAR_LAST = dt.date(2030, 12, 31)
ONE_DAY = dt.timedelta(days=1)
BELIEVABLE_FROM = dt.date(1990, 1, 1)  # earlier events are bad data (DATA003)


class _Unknown:
    """A detail two copies of one event give differently: falsy, and equal only to itself."""

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


class OutsideCalendar(Exception):
    """A working-day count needed a day outside 2000-2030: the engine rejects the record."""


class NoTerms(Exception):
    """No school term dates around a date (a termly limit cannot be worked out)."""


# --------------------------------------------------------------------------------------------
# The calendar, walked one day at a time
# --------------------------------------------------------------------------------------------

_BANK_HOLIDAYS: set[dt.date] = set()


def _bank_holidays() -> set[dt.date]:
    if not _BANK_HOLIDAYS:
        years = range(CALENDAR_FIRST.year, CALENDAR_LAST.year + 1)
        _BANK_HOLIDAYS.update(holidays.country_holidays("GB", subdiv="ENG", years=years))
    return _BANK_HOLIDAYS


def _inside(day: dt.date) -> dt.date:
    if not CALENDAR_FIRST <= day <= CALENDAR_LAST:
        raise OutsideCalendar(f"{day.isoformat()} is outside the working-day calendar")
    return day


def is_working_day(day: dt.date, closures: frozenset[dt.date] = frozenset()) -> bool:
    """Monday to Friday, not an England bank holiday (nor a closure day)."""
    _inside(day)
    return day.weekday() < 5 and day not in _bank_holidays() and day not in closures


def add_working_days(day: dt.date, n: int, closures: frozenset[dt.date] = frozenset()) -> dt.date:
    """The nth working day after ``day``: step forward one day at a time, counting working days.
    ``n == 0`` is the day itself (the day of the event is excluded from any count)."""
    _inside(day)
    while n > 0:
        day = _inside(day + ONE_DAY)
        if is_working_day(day, closures):
            n -= 1
    return day


def working_days_in(
    start: dt.date, end: dt.date, closures: frozenset[dt.date] = frozenset()
) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (negative when
    ``end`` is earlier): the working days late between a due date and the day it was done."""
    if end < start:
        return -working_days_in(end, start, closures)
    _inside(start)
    count = 0
    day = start
    while day < end:
        day = _inside(day + ONE_DAY)
        if is_working_day(day, closures):
            count += 1
    return count


def add_months(day: dt.date, n: int) -> dt.date:
    """Same day number ``n`` months on, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + n
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, n: int) -> dt.date:
    return add_months(day, 12 * n)


Terms = Sequence[tuple[dt.date, dt.date]]


def _end_of_term_after(anchor: dt.date, n: int, terms: Terms | None) -> dt.date:
    """Last day of the nth term after the anchor's term. The anchor's term is the last one that
    has begun by the anchor (a day in a school holiday belongs to the term just ended)."""
    ordered = sorted(terms or ())
    begun = [i for i, (first, _) in enumerate(ordered) if first <= anchor]
    if not begun or begun[-1] + n >= len(ordered):
        raise NoTerms(anchor.isoformat())
    return ordered[begun[-1] + n][1]


def due_date(
    anchor: dt.date,
    limit: Limit,
    terms: Terms | None = None,
    closures: frozenset[dt.date] = frozenset(),
) -> dt.date:
    """The last compliant day (design.md "Counting convention"): the day of the anchor is
    excluded, so "within N of X" is due on the Nth unit after X; "beginning with" counts X as the
    first day; hours on date-only data are whole days, rounded up."""
    value = limit.value
    if limit.counting == "beginning_with":
        if limit.unit == "months":
            return add_months(anchor, value) - ONE_DAY
        days = value * (7 if limit.unit == "weeks" else 1)
        return anchor + dt.timedelta(days=days - 1)
    if limit.unit == "working_days":
        return add_working_days(anchor, value, closures)
    if limit.unit == "days":
        return anchor + dt.timedelta(days=value)
    if limit.unit == "weeks":
        return anchor + dt.timedelta(days=7 * value)
    if limit.unit == "months":
        return add_months(anchor, value)
    if limit.unit == "hours":
        return anchor + dt.timedelta(days=(value + 23) // 24)
    return _end_of_term_after(anchor, value, terms)


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefFinding:
    """One rule instance, with the fields the engine's findings must agree on."""

    rule: str
    anchor: dt.date
    ref: str
    due: dt.date
    done: dt.date | None
    status: str
    days_late: int | None
    working_days_late: int | None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> RefFinding:
        """From an engine finding's ``to_dict()`` (ISO dates) or any mapping with those keys."""

        def day(value: Any) -> dt.date | None:
            if value is None or isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value))

        anchor, due = day(data["anchor"]), day(data["due"])
        assert anchor is not None and due is not None
        return cls(
            rule=str(data["rule"]),
            anchor=anchor,
            ref=data.get("ref") or "",
            due=due,
            done=day(data.get("done")),
            status=str(data["status"]),
            days_late=data.get("days_late"),
            working_days_late=data.get("working_days_late"),
        )

    def key(self) -> tuple[Any, ...]:
        """The order findings are listed in: rule, anchor, ref, due, then the rest."""
        return (
            self.rule,
            self.anchor,
            self.ref,
            self.due,
            self.done or dt.date.min,
            self.status,
            -1 if self.days_late is None else self.days_late,
            -1 if self.working_days_late is None else self.working_days_late,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "ref": self.ref or None,
            "anchor": self.anchor.isoformat(),
            "due": self.due.isoformat(),
            "done": self.done.isoformat() if self.done else None,
            "status": self.status,
            "days_late": self.days_late,
            "working_days_late": self.working_days_late,
        }

    def __str__(self) -> str:
        return (
            f"{self.rule} ref={self.ref or '-'} anchor={self.anchor} due={self.due} "
            f"done={self.done} {self.status} days_late={self.days_late} "
            f"wd_late={self.working_days_late}"
        )


def engine_findings(ruleset: Any, record: ChildRecord, *, as_of: dt.date) -> list[RefFinding]:
    """The engine's findings for one record, in the reference model's shape, sorted."""
    result = ruleset.check(record, as_of=as_of)
    return sorted((RefFinding.of(f.to_dict()) for f in result.findings), key=RefFinding.key)


# --------------------------------------------------------------------------------------------
# Events of one child
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class E:
    type: str
    date: dt.date
    ref: str | None
    case: str | None
    attrs: Mapping[str, Any]
    order: tuple[Any, ...]  # a canonical tie-break between events of one day

    def attr(self, name: str) -> Any:
        return self.attrs.get(name)


def canonical_key(event: Mapping[str, Any] | Any) -> tuple[Any, ...]:
    """The order in which the reference reads events: by date, then type, ref, case, attrs.

    Choice: the documents leave the order of two events of one type on one day open; the
    reference fixes one (the engine's own fixed order, so both resolve a disagreement between
    copies of one event alike), and property tests give the engine its events in this order.
    Whether the engine depends on the order it is given is the order-independence property's
    business, not this comparison's."""
    if isinstance(event, Mapping):
        data = dict(event)
    else:
        data = {
            "type": event.type,
            "date": event.date,
            "ref": event.ref,
            "case": event.case,
            "attrs": dict(event.attrs),
        }
    day = data["date"]
    iso = day.isoformat() if isinstance(day, dt.date) else str(day)
    values = data.get("attrs") or {}
    attrs = repr(sorted((k, repr(v)) for k, v in values.items())) if values else ""
    return (iso, data["type"], data.get("ref") or "", data.get("case") or "", attrs)


def in_canonical_order(record: ChildRecord) -> ChildRecord:
    """The same record with its events in the reference model's reading order."""
    events = sorted(record.events, key=canonical_key)
    return record.model_copy(update={"events": events})


class Child:
    """One child's events on or before as_of; the same event recorded twice counts once."""

    def __init__(
        self,
        record: ChildRecord,
        as_of: dt.date,
        apart: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.id = record.child
        self.dob = record.dob
        self.as_of = as_of
        kept: dict[tuple[str, dt.date, str | None], list[E]] = {}
        contested: dict[tuple[str, dt.date, str | None, int], set[str]] = {}
        for ev in sorted(record.events, key=canonical_key):
            if ev.date > as_of:
                continue  # events dated after as_of are ignored
            # design.md: the same event recorded twice (same type, date and ref) counts once.
            # Choice: copies in the same case are one event, keeping what either copy recorded
            # (a visit entered twice, once with "seen alone"); a detail they give two values
            # for is unknown (so a contradiction never meets a rule). Copies in different
            # cases are different events: both count.
            # Contradicting copies stay two events only where the contested detail decides
            # whether the event starts an obligation (``apart``: legal status L1 and L2).
            copies = kept.setdefault((ev.type, ev.date, ev.ref), [])
            starting = (apart or {}).get(ev.type, frozenset())
            same_case = [i for i, other in enumerate(copies) if other.case == ev.case]
            agreeing = [i for i in same_case if not _contested(copies[i], ev.attrs)]
            chosen = agreeing[:1] or [
                i for i in same_case[:1] if not _contested(copies[i], ev.attrs) & starting
            ]
            for i in chosen:
                other = copies[i]
                unknown = contested.setdefault((ev.type, ev.date, ev.ref, i), set())
                unknown |= _contested(other, ev.attrs)
                merged = {**other.attrs, **ev.attrs, **dict.fromkeys(unknown, UNKNOWN)}
                copies[i] = E(other.type, other.date, other.ref, other.case, merged, other.order)
                break
            else:
                copies.append(
                    E(ev.type, ev.date, ev.ref, ev.case, dict(ev.attrs), canonical_key(ev))
                )
        self.events = sorted((e for copies in kept.values() for e in copies), key=lambda e: e.order)

    def matching(self, selector: Selector) -> list[E]:
        return [e for e in self.events if _selected(selector, e)]

    def of_type(self, types: Iterable[str]) -> list[E]:
        wanted = set(types)
        return [e for e in self.events if e.type in wanted]


def _value_matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return any(_same(actual, w) for w in wanted)
    return _same(actual, wanted)


def _same(actual: Any, wanted: Any) -> bool:
    # True is not 1 here: attributes are typed (a bool attribute holds true/false only)
    return actual == wanted and type(actual) is type(wanted)


def _contested(event: E, attrs: Mapping[str, Any]) -> set[str]:
    """The details ``attrs`` gives another value for than ``event`` (or one already unknown)."""
    return {
        k
        for k, v in attrs.items()
        if k in event.attrs and (event.attrs[k] is UNKNOWN or not _same(event.attrs[k], v))
    }


def _selected(selector: Selector, ev: E) -> bool:
    """The type, every ``where`` value, and no ``unless`` value; an unknown (contested)
    detail matches no ``where`` and every ``unless``."""
    if ev.type != selector.type:
        return False
    if not all(
        ev.attr(k) is not UNKNOWN and _value_matches(ev.attr(k), v)
        for k, v in selector.where.items()
    ):
        return False
    return not any(
        ev.attr(k) is UNKNOWN or _value_matches(ev.attr(k), v) for k, v in selector.unless.items()
    )


def _related(a: E, b: E, match: str) -> bool:
    """decisions.md "Which events count": refs equal if both have one (not under ``match:
    case``); else cases equal if both have one; else related by the window alone."""
    if match == "auto" and a.ref is not None and b.ref is not None:
        return a.ref == b.ref
    if a.case is not None and b.case is not None:
        return a.case == b.case
    return True


# --------------------------------------------------------------------------------------------
# Cases (the windows of a scope)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    opened: E
    close: dt.date | None  # inclusive; None while open

    def holds(self, day: dt.date) -> bool:
        return self.opened.date <= day and (self.close is None or day <= self.close)


def windows(child: Child, scope: Scope, match: str) -> list[Window]:
    """The cases of a scope, walking the days on which something opens or closes one.

    On each day: a close related to the case open since an earlier day closes it; then each
    opening closes whatever case is open (only one is open at a time) and opens its own; then a
    close related to the newly opened case closes it the same day. A case also closes on the
    birthday the scope names (the later one when the opening says ``in_education: true``)."""
    opens = child.of_type(scope.opens)
    closes = child.of_type(scope.closes)
    days = sorted({e.date for e in opens} | {e.date for e in closes})
    out: list[tuple[E, dt.date | None]] = []
    current: E | None = None
    for day in days:
        todays_closes = [e for e in closes if e.date == day]
        if current is not None and current.date < day:
            hit = next((c for c in todays_closes if _related(current, c, match)), None)
            if hit is not None:
                out.append((current, day))
                current = None
                todays_closes.remove(hit)
        for opening in (e for e in opens if e.date == day):
            if current is not None:
                out.append((current, day))
            current = opening
        if current is not None and any(_related(current, c, match) for c in todays_closes):
            out.append((current, day))
            current = None
    if current is not None:
        out.append((current, None))
    result = []
    for opened, close in out:
        age = scope.until_age
        in_education = opened.attr("in_education")
        if scope.until_age_in_education is not None and (
            in_education is True or in_education is UNKNOWN
        ):
            age = scope.until_age_in_education
        if age is not None and child.dob is not None:
            birthday = add_years(child.dob, age)
            close = birthday if close is None else min(close, birthday)
        if close is None or close >= opened.date:
            result.append(Window(opened, close))
    return result


# --------------------------------------------------------------------------------------------
# Conditions and limits
# --------------------------------------------------------------------------------------------


def _placement_in_force(child: Child, opened: E, day: dt.date) -> E | None:
    """docs/writing-rules.md "Limits": the case's own placement for a visiting chain (a case
    opened by a placement), else the latest ``placement_started`` on or before ``day``."""
    if opened.type == "placement_started":
        return opened
    found = None
    for ev in child.events:
        if ev.type == "placement_started" and ev.date <= day:
            found = ev  # events are in date order: the last one wins
    return found


def _statuses_in_force(child: Child, day: dt.date) -> set[Any]:
    """The codes of the latest ``legal_status_started`` on or before ``day`` (every one of that
    date), less any whose code has a ``legal_status_ended`` since it began (after that date)
    and on or before ``day``. Choice: "since" is strictly after the start day."""
    started = [e for e in child.events if e.type == "legal_status_started" and e.date <= day]
    if not started:
        return set()
    latest = max(e.date for e in started)
    ended = {
        e.attr("code")
        for e in child.events
        if e.type == "legal_status_ended" and latest < e.date <= day
    }
    return {e.attr("code") for e in started if e.date == latest and e.attr("code") not in ended}


def _none_yet(child: Child, first: Any, anchor: dt.date) -> bool:
    """``anchor_before_first``: no ``first.type`` event on or before ``anchor`` and on or after
    the latest ``first.since`` event on or before it ("weekly until the first review" of the
    current period of care). Choice: an event on the ``since`` day itself counts as after it."""
    since = None
    if first.since is not None:
        for ev in child.events:
            if ev.type == first.since and ev.date <= anchor:
                since = ev.date
    return not any(
        ev.type == first.type and ev.date <= anchor and (since is None or ev.date >= since)
        for ev in child.events
    )


def _condition_holds(
    when: Condition | None,
    *,
    anchor: dt.date,
    opened: E,
    dob: dt.date | None,
    stop: dt.date | None = None,
    child: Child | None = None,
) -> bool:
    """Every test the condition gives, on the anchor date. The child's circumstances (the
    placement and legal status in force, an event yet or not) need ``child``."""
    if when is None:
        return True
    if when.anchor_on_or_after is not None and anchor < when.anchor_on_or_after:
        return False
    if when.placement is not None or when.legal_status is not None:
        assert child is not None, "a condition on circumstances needs the child"
        if when.placement is not None:
            placement = _placement_in_force(child, opened, anchor)
            if placement is None or not all(
                placement.attr(k) is not UNKNOWN and _value_matches(placement.attr(k), v)
                for k, v in when.placement.items()
            ):
                return False
        if when.legal_status is not None and not (
            _statuses_in_force(child, anchor) & set(when.legal_status)
        ):
            return False
    if when.anchor_before_first is not None:
        assert child is not None, "a condition on events so far needs the child"
        if not _none_yet(child, when.anchor_before_first, anchor):
            return False
    if when.any is not None and not any(
        _condition_holds(c, anchor=anchor, opened=opened, dob=dob, stop=stop, child=child)
        for c in when.any
    ):
        return False
    if when.none_of is not None and any(
        _condition_holds(c, anchor=anchor, opened=opened, dob=dob, stop=stop, child=child)
        for c in when.none_of
    ):
        return False
    if when.anchor_before_anniversary is not None and not (
        anchor < add_years(opened.date, when.anchor_before_anniversary)
    ):
        return False
    if when.anchor_from_anniversary is not None and not (
        anchor >= add_years(opened.date, when.anchor_from_anniversary)
    ):
        return False
    if when.placement_permanent is not None and (
        (opened.attr("permanent") is True) != when.placement_permanent
    ):
        return False
    if when.age_under_at_anchor is not None and (
        dob is None or anchor >= add_years(dob, when.age_under_at_anchor)
    ):
        return False
    return not (
        when.stops_on_or_before is not None and (stop is None or stop > when.stops_on_or_before)
    )


def _first_limit(
    limits: Sequence[Limit],
    *,
    anchor: dt.date,
    opened: E,
    dob: dt.date | None,
    stop: dt.date | None = None,
    child: Child | None = None,
) -> Limit | None:
    """The first limit whose condition holds (the last, without ``when``, is the default)."""
    for limit in limits:
        if _condition_holds(
            limit.when, anchor=anchor, opened=opened, dob=dob, stop=stop, child=child
        ):
            return limit
    return None


def _excluded(rule: Rule, child: Child, anchor: dt.date, opened: E) -> bool:
    """``excluded_when``, read on the instance's anchor date: the instance is not assessed."""
    when = getattr(rule, "excluded_when", None)
    return when is not None and _condition_holds(
        when, anchor=anchor, opened=opened, dob=child.dob, child=child
    )


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


class ReferenceModel:
    """Evaluate rules on one child the slow way. ``terms``: school terms (first, last day) for
    termly limits; ``report``: the rule IDs whose findings are returned (default: all)."""

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        terms: Terms | None = None,
        report: Iterable[str] | None = None,
        closures: Iterable[dt.date] = (),
    ) -> None:
        self.rules: list[Rule] = sorted(rules, key=lambda r: r.id)
        self.terms = sorted(terms) if terms else None
        self.report = None if report is None else set(report)
        self.closures = frozenset(closures)

    @classmethod
    def like(cls, ruleset: Any) -> ReferenceModel:
        """A model of the same rules, terms and reported IDs as an engine ``RuleSet``."""
        closures = getattr(getattr(ruleset, "calendar", None), "closures", ())
        return cls(ruleset.rules, terms=ruleset.terms, report=ruleset.report, closures=closures)

    # -- running ------------------------------------------------------------------------------

    def active(self) -> list[Rule]:
        """Rules that can run: a termly limit needs term dates; a milestone needs its schedule."""
        ids = {r.id for r in self.rules}
        out: list[Rule] = []
        for rule in self.rules:
            if isinstance(rule, AggregateRule):
                continue
            if not self.terms and any(lim.unit == "terms" for lim in rule.limits()):
                continue
            if isinstance(rule, MilestoneRule) and rule.schedule not in ids:
                continue
            out.append(rule)
        return out

    def check(self, record: ChildRecord, *, as_of: dt.date) -> list[RefFinding]:
        """Every finding for one child, sorted. Raises OutsideCalendar where the engine rejects
        the record (a working-day count outside 2000-2030)."""
        child = Child(record, as_of, keep_apart(self.rules))
        active = self.active()
        active_ids = {r.id for r in active}
        found: list[RefFinding] = []
        for rule in active:
            # a rule that only supports another (a schedule head for a milestone) still has its
            # working days counted, so an out-of-calendar date rejects the record alike
            unreported = self.report is not None and rule.id not in self.report
            if unreported and not isinstance(rule, ScheduleRule):
                continue
            if isinstance(rule, DeadlineRule):
                found.extend(self._deadline(rule, child))
            elif isinstance(rule, ScheduleRule):
                if rule.follows is None:
                    found.extend(self._schedule(rule, child, active))
            elif isinstance(rule, MilestoneRule):
                head = next(r for r in active if r.id == rule.schedule)
                assert isinstance(head, ScheduleRule)
                found.extend(self._milestone(rule, head, child, active))
            elif isinstance(rule, AttributeRule):
                found.extend(self._attribute(rule, child))
            elif isinstance(rule, RollingRule):
                found.extend(self._rolling(rule, child))
        wanted = active_ids if self.report is None else self.report & active_ids
        return sorted((f for f in found if f.rule in wanted), key=RefFinding.key)

    def iro(self, record: ChildRecord, *, as_of: dt.date) -> str | None:
        """IR001: the IRO of the latest ``iro_assigned`` in the looked-after period open at
        as_of (None if not looked after then)."""
        child = Child(record, as_of)
        starts = [e for e in child.events if e.type == "became_looked_after"]
        if not starts:
            return None
        start = max(e.date for e in starts)
        if any(e.type == "ceased_looked_after" and e.date >= start for e in child.events):
            return None
        assigned = [e for e in child.events if e.type == "iro_assigned" and e.date >= start]
        if not assigned:
            return None
        # the latest by date; two on one day: the later in the reading order (the order
        # property checks that the engine does not depend on the order they were given in)
        name = assigned[-1].attr("iro")
        return str(name) if name else None

    # -- one finding ---------------------------------------------------------------------------

    def _finding(
        self,
        rule: Rule,
        *,
        ref: str | None,
        anchor: dt.date,
        due: dt.date,
        done: dt.date | None,
        close: dt.date | None,
        as_of: dt.date,
        working: bool,
    ) -> RefFinding | None:
        """met / late / overdue / pending, and how late (decisions.md "Findings and outputs");
        attribute rules make their own (met or unmet) in ``_attribute``."""

        def wd(a: dt.date, b: dt.date) -> int | None:
            try:
                return working_days_in(a, b, self.closures)
            except OutsideCalendar:
                if working:
                    raise
                return None  # a calendar-day rule still has its days late

        days: int | None
        wdays: int | None
        if done is not None:
            if done <= due:
                status, days, wdays = "met", 0, 0
            else:
                status, days, wdays = "late", (done - due).days, wd(due, done)
        elif close is not None and close <= due:
            return None  # the case ended on or before due without the event: no finding
        elif as_of <= due:
            status, days, wdays = "pending", None, None
        else:
            end = as_of if close is None else min(close, as_of)
            status, days, wdays = "overdue", (end - due).days, wd(due, end)
        # Choice: a temporary variation in force on the clock date (SI 2020/445) that relaxed
        # the duty to "as soon as reasonably practicable" (no limit of its own) leaves no date
        # to breach: such an instance is reported only when met under the usual limit, else
        # not at all (docs/writing-rules.md, `variations`). No national variation sets a limit
        # of its own, so none is modelled here.
        relaxed = any(
            v.start <= anchor <= v.end and v.limit is None for v in getattr(rule, "variations", ())
        )
        if relaxed and status != "met":
            return None
        return RefFinding(rule.id, anchor, ref or "", due, done, status, days, wdays)

    def _applies(self, rule: Rule, anchor: dt.date) -> bool:
        eff = rule.effective
        if eff is None:
            return True
        return (eff.start is None or anchor >= eff.start) and (eff.end is None or anchor <= eff.end)

    def _due(self, anchor: dt.date, limit: Limit) -> dt.date:
        return due_date(anchor, limit, self.terms, self.closures)

    # -- deadline --------------------------------------------------------------------------------

    def _deadline(self, rule: DeadlineRule, child: Child) -> list[RefFinding]:
        """X within N of Y: one instance per clock; met by the first related ``met_by`` event on
        or after the clock and by the case's close."""
        if rule.requires_any and not any(child.matching(s) for s in rule.requires_any):
            return []
        clocks: list[tuple[E, dt.date | None]] = []  # (clock, close of its ``during`` case)
        if rule.clock_at_age is not None:
            assert rule.during is not None
            if child.dob is None:
                return []
            birthday = add_years(child.dob, rule.clock_at_age)
            for win in windows(child, rule.during, rule.match):
                if win.holds(birthday) and birthday <= child.as_of:
                    clock = E(
                        f"birthday_{rule.clock_at_age}", birthday, win.opened.ref, None, {}, ()
                    )
                    clocks.append((clock, win.close))
                    break
        else:
            assert rule.clock is not None
            cases = windows(child, rule.during, rule.match) if rule.during else None
            for clock in child.matching(rule.clock):
                if cases is None:
                    clocks.append((clock, None))
                    continue
                # the clock counts only inside an open case, related to its opening
                inside: Window | None = next(
                    (
                        w
                        for w in cases
                        if w.holds(clock.date) and _related(w.opened, clock, rule.match)
                    ),
                    None,
                )
                if inside is not None:
                    clocks.append((clock, inside.close))
        candidates = child.matching(rule.met_by)
        voids = child.matching(rule.void_by) if rule.void_by else []
        closers = sorted(
            (e for s in rule.closed_by for e in child.matching(s)), key=lambda e: (e.date, e.order)
        )
        out = []
        previous_end: dt.date | None = None  # where the previous instance of this rule ended
        for clock, case_close in clocks:
            floor, previous_end = previous_end, clock.date
            if not self._applies(rule, clock.date):
                continue
            if _excluded(rule, child, clock.date, clock):
                continue
            if any(_related(clock, v, rule.match) for v in voids):
                continue  # e.g. an ICPC recorded as not required removes the instance
            # Choice: what closes the case (a children-in-need episode's closure) is another
            # thing than the clock's own ref, so a closer ties to the clock by case alone (the
            # CP002 fixtures "episode closed before/after due" pin this).
            close = next(
                (c.date for c in closers if c.date >= clock.date and _related(clock, c, "case")),
                None,
            )
            if case_close is not None:
                close = case_close if close is None else min(close, case_close)
            done = None
            for cand in candidates:
                if not _related(clock, cand, rule.match):
                    continue
                if cand.date < clock.date:
                    # Choice (LA001, ``met_before_clock``): an event before the clock counts if
                    # it comes after the end of the previous instance of the same rule (its
                    # clock, its close or the event that met it, whichever is latest), and is
                    # dated no earlier than 1990 nor before the child's birth: an impossible
                    # date is bad data, which never meets a rule.
                    believable = cand.date >= max(BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM)
                    if (
                        rule.met_before_clock
                        and (floor is None or cand.date > floor)
                        and (believable)
                    ):
                        done = cand.date
                        break
                    continue
                if close is None or cand.date <= close:  # windows include their close day
                    done = cand.date
                break
            previous_end = max(d for d in (clock.date, close, done) if d is not None)
            stop = (
                done
                if done is not None
                else (child.as_of if close is None else min(close, child.as_of))
            )
            if rule.requires_time_in is not None and not self._time_in(rule, child, clock.date):
                continue
            limit = _first_limit(
                rule.limit, anchor=clock.date, opened=clock, dob=child.dob, stop=stop, child=child
            )
            if limit is None:
                continue
            anchor = clock.date
            began = self._status_began(rule, child, clock.date)
            if began is not None:
                assert rule.counts_from_status is not None
                anchor, limit = began, rule.counts_from_status.limit
            due = self._due(anchor, limit)
            if rule.extension is not None:
                due = self._extended(rule, clock, due, child)
            finding = self._finding(
                rule,
                ref=clock.ref,
                anchor=anchor,
                due=due,
                done=done,
                close=close,
                as_of=child.as_of,
                working=limit.unit == "working_days",
            )
            if finding is not None:
                out.append(finding)
        return out

    @staticmethod
    def _time_in(rule: DeadlineRule, child: Child, until: dt.date) -> bool:
        """``requires_time_in`` (reg 40: an eligible child): days in the rule's ``during`` cases
        from the ``since_age`` birthday up to the clock, at least ``at_least``; a case whose
        opening day meets the ``excluded_when`` does not count; no date of birth: not known,
        so the rule does not apply. Choice: a case counts its days from its opening (or the
        birthday) up to, not including, its close (or the clock): the day count between them."""
        need = rule.requires_time_in
        assert need is not None and rule.during is not None
        if child.dob is None:
            return False
        since = add_years(child.dob, need.since_age)
        days = 0
        for win in windows(child, rule.during, rule.match):
            if need.excluded_when is not None and _condition_holds(
                need.excluded_when,
                anchor=win.opened.date,
                opened=win.opened,
                dob=child.dob,
                child=child,
            ):
                continue
            start = max(win.opened.date, since)
            end = until if win.close is None else min(win.close, until)
            days += max((end - start).days, 0)
        wanted = need.at_least.value * (7 if need.at_least.unit == "weeks" else 1)
        return days >= wanted

    @staticmethod
    def _status_began(rule: DeadlineRule, child: Child, clock: dt.date) -> dt.date | None:
        """``counts_from_status`` (CA 1989 s.45(3)): where one of its codes was the legal status
        in force the day before the clock, the day that status began (its latest start on or
        before that day); else None."""
        back = rule.counts_from_status
        if back is None:
            return None
        day = clock - ONE_DAY
        codes = _statuses_in_force(child, day) & set(back.codes)
        if not codes:
            return None
        return max(
            e.date
            for e in child.events
            if e.type == "legal_status_started" and e.date <= day and e.attr("code") in codes
        )

    def _extended(self, rule: DeadlineRule, clock: E, due: dt.date, child: Child) -> dt.date:
        """Recorded extensions, oldest first, each capped at ``max_each``, at most ``max_count``.

        Choice (CO001 notes: an extension runs on from the current due date): one counts only if
        recorded on or after the clock and on or before the due date as extended so far; one
        recorded after the time ran out would turn a breach into met as as_of moves on."""
        ext = rule.extension
        assert ext is not None
        used = 0
        for event in (e for e in child.events if e.type == ext.type):
            if ext.max_count is not None and used >= ext.max_count:
                break
            if not (clock.date <= event.date <= due) or not _related(clock, event, rule.match):
                continue
            raw = event.attr(ext.attr)
            amount = min(
                raw if isinstance(raw, int) and not isinstance(raw, bool) else 0, ext.max_each
            )
            if amount <= 0:
                continue
            due += dt.timedelta(days=amount * (7 if ext.unit == "weeks" else 1))
            used += 1
        return due

    # -- schedule --------------------------------------------------------------------------------

    @staticmethod
    def _governing(
        head: ScheduleRule,
        active: Sequence[Rule],
        occurrence: int,
        *,
        anchor: dt.date,
        opened: E,
        dob: dt.date | None,
        child: Child | None = None,
    ) -> ScheduleRule | None:
        """The rule for the nth event of a chain: the head for the first; later, the follower
        (lowest ID first) that names this occurrence and whose ``when`` holds; else the head
        again if it ``repeats``; else the chain ends."""
        if occurrence == 1:
            return head
        followers = sorted(
            (r for r in active if isinstance(r, ScheduleRule) and r.follows == head.id),
            key=lambda r: r.id,
        )
        for rule in followers:
            first, last = rule.occurrence_range()
            governs = first <= occurrence and (last is None or occurrence <= last)
            if governs and _condition_holds(
                rule.when, anchor=anchor, opened=opened, dob=dob, child=child
            ):
                return rule
        return head if head.repeats else None

    @staticmethod
    def _case_start(head: ScheduleRule, child: Child, win: Window) -> dt.date:
        """The first day an event of the case may fall on: its opening, or earlier by the head's
        ``met_before_opening`` (reg 7: a health assessment in the three months before), never
        before 1990 nor the child's birth (bad data never meets a rule). Choice: the earliest
        day counts (three months before 22 April is 22 January)."""
        opened = win.opened.date
        back = head.met_before_opening
        if back is None:
            return opened
        if back.unit == "months":
            start = add_months(opened, -back.value)
        else:
            start = opened - dt.timedelta(days=back.value * (7 if back.unit == "weeks" else 1))
        return max(min(start, opened), BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM)

    def _chain_events(self, head: ScheduleRule, child: Child, win: Window) -> list[dt.date]:
        assert head.event is not None
        start = self._case_start(head, child, win)
        return [
            e.date
            for e in child.matching(head.event)
            if start <= e.date
            and (win.close is None or e.date <= win.close)
            and _related(win.opened, e, head.match)
        ]

    def _schedule(
        self, head: ScheduleRule, child: Child, active: Sequence[Rule]
    ) -> list[RefFinding]:
        """A chain over one event type in each case: the first event within the head's limit of
        the opening; each later one within its rule's limit of the actual previous event, and
        strictly after it."""
        assert head.scope is not None
        out = []
        for win in windows(child, head.scope, head.match):
            dates = self._chain_events(head, child, win)
            anchor = win.opened.date
            occurrence = 1
            while True:
                rule = self._governing(
                    head,
                    active,
                    occurrence,
                    anchor=anchor,
                    opened=win.opened,
                    dob=child.dob,
                    child=child,
                )
                if rule is None:
                    break
                limit = _first_limit(
                    rule.limit, anchor=anchor, opened=win.opened, dob=child.dob, child=child
                )
                if limit is None:
                    break
                if occurrence == 1:
                    done = dates[0] if dates else None  # from the case's start (above)
                else:
                    done = next((d for d in dates if d > anchor), None)
                if self._applies(rule, anchor) and not _excluded(rule, child, anchor, win.opened):
                    try:
                        due = self._due(anchor, limit)
                    except NoTerms:
                        break  # no term dates: the chain cannot go on (a data-quality note)
                    finding = self._finding(
                        rule,
                        ref=win.opened.ref,
                        anchor=anchor,
                        due=due,
                        done=done,
                        close=win.close,
                        as_of=child.as_of,
                        working=limit.unit == "working_days",
                    )
                    if finding is not None:
                        out.append(finding)
                if done is None:
                    break
                anchor = done
                occurrence += 1
        return out

    # -- milestone -------------------------------------------------------------------------------

    def _milestone(
        self, rule: MilestoneRule, head: ScheduleRule, child: Child, active: Sequence[Rule]
    ) -> list[RefFinding]:
        """Something recorded by the nth event of a schedule. Due = the earlier of the actual
        nth event and its scheduled date (each step from the actual previous event, or from the
        previous step's due date where that event never happened)."""
        assert head.scope is not None
        out = []
        for win in windows(child, head.scope, head.match):
            dates = self._chain_events(head, child, win)
            anchor = win.opened.date
            due: dt.date | None = None
            for occurrence in range(1, rule.occurrence + 1):
                step = self._governing(
                    head,
                    active,
                    occurrence,
                    anchor=anchor,
                    opened=win.opened,
                    dob=child.dob,
                    child=child,
                )
                limit = (
                    None
                    if step is None
                    else _first_limit(
                        step.limit, anchor=anchor, opened=win.opened, dob=child.dob, child=child
                    )
                )
                if limit is None:
                    due = None
                    break
                scheduled = self._due(anchor, limit)
                if occurrence == 1:
                    actual = next((d for d in dates if d >= anchor), None)
                else:
                    actual = next((d for d in dates if d > anchor), None)
                if occurrence == rule.occurrence:
                    due = scheduled if actual is None else min(actual, scheduled)
                anchor = actual if actual is not None else scheduled
            if due is None or not self._applies(rule, win.opened.date):
                continue
            if _excluded(rule, child, win.opened.date, win.opened):
                continue
            done = next(
                (
                    p.date
                    for p in child.matching(rule.met_by)
                    if win.holds(p.date) and _related(win.opened, p, rule.match)
                ),
                None,
            )
            finding = self._finding(
                rule,
                ref=win.opened.ref,
                anchor=win.opened.date,
                due=due,
                done=done,
                close=win.close,
                as_of=child.as_of,
                working=False,
            )
            if finding is not None:
                out.append(finding)
        return out

    # -- attribute -------------------------------------------------------------------------------

    def _attribute(self, rule: AttributeRule, child: Child) -> list[RefFinding]:
        """Each event must itself record something: anchor = its date, done = its date when any
        test holds. Not a deadline (decisions.md "Findings and outputs"): met when a test holds,
        else unmet, with no days late; never pending or overdue, whatever as_of is."""
        out = []
        for ev in child.matching(rule.event):
            if not self._applies(rule, ev.date) or _excluded(rule, child, ev.date, ev):
                continue
            limit = _first_limit(rule.limit, anchor=ev.date, opened=ev, dob=child.dob, child=child)
            if limit is None:
                continue
            due = self._due(ev.date, limit)
            if any(_attr_test(test, ev) for test in rule.satisfied_if_any):
                done, status, days = ev.date, "met", 0
            else:
                done, status, days = None, "unmet", None
            out.append(RefFinding(rule.id, ev.date, ev.ref or "", due, done, status, days, days))
        return out

    # -- rolling ---------------------------------------------------------------------------------

    def _rolling(self, rule: RollingRule, child: Child) -> list[RefFinding]:
        """Days in a state, over any window ending on each day in turn: walk the calendar from
        the first spell; on the first day the total passes the limit, the authority (``met_by``)
        must exist; counting starts again after the spell in which that happened."""
        spells: list[tuple[E, dt.date, dt.date | None]] = []  # (start event, first day, end)
        ends = child.matching(rule.spell.ends)
        for start in child.matching(rule.spell.starts):
            end = next(
                (e.date for e in ends if e.date >= start.date and _related(start, e, rule.match)),
                None,
            )
            spells.append((start, start.date, end))
        if not spells:
            return []

        def last_day(end: dt.date | None) -> dt.date:
            # a spell occupies its start day up to, not including, its end day; open: to as_of
            return child.as_of if end is None else end - ONE_DAY

        occupied: set[dt.date] = set()
        for _, first, end in spells:
            day = first
            while day <= last_day(end):
                occupied.add(day)
                day += ONE_DAY
        limit = _first_limit(
            rule.limit, anchor=spells[0][1], opened=spells[0][0], dob=child.dob, child=child
        )
        if limit is None:
            return []
        allowed = limit.value if limit.unit == "days" else limit.value / 24  # days of 24 hours
        orders = child.matching(rule.met_by) if rule.met_by else []
        out = []
        restart = min(first for _, first, _ in spells)
        day = restart
        finish = max(last_day(end) for _, _, end in spells)
        while day <= finish:
            if day in occupied and day >= restart:
                if rule.window.unit == "months":
                    since = add_months(day, -rule.window.value) + ONE_DAY
                else:
                    since = day - dt.timedelta(days=rule.window.value - 1)
                counted = sorted(d for d in occupied if max(since, restart) <= d <= day)
                if len(counted) > allowed:
                    due, anchor = day, counted[0]
                    # the spell the day belongs to (the earliest-starting one holding it)
                    start, _, end = next(s for s in spells if s[1] <= day <= last_day(s[2]))
                    done = self._authority(rule, start, orders, anchor, due)
                    if self._applies(rule, anchor):
                        finding = self._finding(
                            rule,
                            ref=start.ref,
                            anchor=anchor,
                            due=due,
                            done=done,
                            close=end,
                            as_of=child.as_of,
                            working=False,
                        )
                        if finding is not None:
                            out.append(finding)
                    restart = last_day(end) + ONE_DAY
                    day = restart
                    continue
            day += ONE_DAY
        return out

    def _authority(
        self, rule: RollingRule, start: E, orders: list[E], anchor: dt.date, due: dt.date
    ) -> dt.date | None:
        """The first related order made on or after the first counted day, or made earlier and
        still in force on the due date (``met_by_lasts``)."""
        for order in orders:
            if not _related(start, order, rule.match):
                continue
            if order.date >= anchor:
                return order.date
            lasts = rule.met_by_lasts
            if lasts is not None and order.date <= due and self._due(order.date, lasts) >= due:
                return order.date
        return None


def _attr_test(test: AttrTest, ev: E) -> bool:
    value = ev.attr(test.attr)
    if value is UNKNOWN:
        return False
    if test.present is not None:
        return (value is not None and value != "") == test.present
    return _same(value, test.equals)


# --------------------------------------------------------------------------------------------
# Comparing with the engine
# --------------------------------------------------------------------------------------------

REJECTED = "record rejected (a working-day count outside 2000-2030)"


def compare_with_engine(ruleset: Any, record: ChildRecord, *, as_of: dt.date) -> list[str]:
    """Differences between the engine (``ruleset.check``) and the reference model of the same
    rules, as lines that make a ready reproducer (record, as_of, rules, findings only one side
    made); empty when they agree. The events go to both in the reference model's reading order
    (ties between same-day events are for an order-independence property to judge). An
    exception inside the engine (``E399``) is raised, never reported as a rejection."""
    from ..errors import RecordError

    record = in_canonical_order(record)
    expected: list[RefFinding] | str
    actual: list[RefFinding] | str
    try:
        expected = ReferenceModel.like(ruleset).check(record, as_of=as_of)
    except OutsideCalendar:
        expected = REJECTED
    try:
        actual = engine_findings(ruleset, record, as_of=as_of)
    except RecordError as exc:
        if getattr(exc, "code", None) == "E399":
            raise
        actual = REJECTED
    if expected == actual:
        return []
    reported = ruleset.report if getattr(ruleset, "report", None) is not None else ruleset.ids()
    lines = [
        f"as_of = {as_of.isoformat()}",
        f"rules = {sorted(reported)}",
        f"record = {record.model_dump_json(exclude_defaults=True)}",
    ]
    if isinstance(expected, str) or isinstance(actual, str):
        return [*lines, f"reference: {expected}", f"engine:    {actual}"]
    lines.append("reference only (expected):")
    lines += [f"  {f}" for f in expected if f not in actual]
    lines.append("engine only (actual):")
    lines += [f"  {f}" for f in actual if f not in expected]
    return lines
