"""A naive reference evaluator: slow, obviously correct, for tests only.

It is written from the documented semantics (``docs/writing-rules.md``, ``decisions.md``, the rule
models' docstrings), never from the engine's code: it imports nothing from
``timescales.evaluation`` or ``timescales.ruleset`` (it asks the kind registry only what a rule
hangs on) and shares no date arithmetic with ``timescales.calendar``. Working days
are found by walking the calendar one day at a time (Monday to Friday, less England bank holidays
from ``holidays.country_holidays("GB", subdiv="ENG")``); months are added by hand; nothing is
cached except the list of bank holidays. Property tests compare it with the engine::

    model = ReferenceModel.like(ruleset)               # the same rules, terms and reported IDs
    assert model.check(record, as_of=d) == engine_findings(ruleset, record, as_of=d)

Findings carry the fields the output contract fixes for one rule instance: ``rule``, ``ref``,
``anchor``, ``due``, ``done``, ``status``, ``days_late``, ``working_days_late``, and the
temporary change to the law (``variations``) the instance was judged under, if any.

The newer rule fields are read as the rule model documents them: a condition's placement is
the case's own opening when the case is a placement, else the latest ``placement_started`` on
or before the anchor; its legal statuses are those of the latest ``legal_status_started`` on or
before the anchor less those since ended; ``excluded_when`` is read on the instance's anchor
for its case; a follower governs only while in force; a schedule head's events may come
``met_before_opening``; ``requires_time_in`` counts days in the ``during`` cases;
``counts_from_status`` counts from the day a status in force the day before the clock began;
``requires_duration`` keeps an instance only where its episode outlasts a threshold; and
``target`` makes the child's own recorded target the due date, never later than the limit's.

Interpretive choices the documents leave open are made here the way a council's performance lead
would expect, and each is stated where it is made (search for "Choice:").
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import holidays

from ..kinds import REGISTRY
from ..kinds.attribute import AttributeRule, AttrTest
from ..kinds.deadline import DeadlineRule
from ..kinds.milestone import MilestoneRule
from ..kinds.rolling import RollingRule
from ..kinds.schedule import ScheduleRule
from ..records import ChildRecord
from ..rules.model import (
    Condition,
    Limit,
    Rule,
    Scope,
    Selector,
    Variation,
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
    # the temporary change to the law the instance was judged under (``variations``), if any
    variation: str | None = None
    # judged after a restart in history the data does not hold (``known_from``), or on a
    # record that says its history is partial
    partial_history: bool = False

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
            variation=data.get("variation"),
            partial_history=bool(data.get("partial_history", False)),
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
            self.variation or "",
            self.partial_history,
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
            "variation": self.variation,
            "partial_history": self.partial_history,
        }

    def __str__(self) -> str:
        return (
            f"{self.rule} ref={self.ref or '-'} anchor={self.anchor} due={self.due} "
            f"done={self.done} {self.status} days_late={self.days_late} "
            f"wd_late={self.working_days_late}"
            + (f" variation={self.variation}" if self.variation else "")
            + (" partial_history" if self.partial_history else "")
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
    # an opening the data does not hold (``known_from``'s ``began``), dated where the case's
    # known history begins
    began: bool = False

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
        # decisions.md, "History the input does not hold": (from, case, types or None) per
        # ``known_from`` entry; a case that began before the data opens where it is known from
        self.known = [
            (k.from_, k.case, None if k.events is None else set(k.events))
            for k in record.known_from
        ]
        # an opening of a case that began before the data: the data's own event of that type
        # on that day in that case (which keeps its details), else one made for it
        events = [e for copies in kept.values() for e in copies]
        for k in record.known_from:
            if k.from_ > as_of:
                continue
            for name in k.began:
                own = [
                    i
                    for i, e in enumerate(events)
                    if e.type == name and e.date == k.from_ and k.case in (e.ref, e.case)
                ]
                for i in own:
                    events[i] = dataclasses.replace(events[i], began=True)
                if not own:
                    key = canonical_key({"type": name, "date": k.from_, "ref": k.case})
                    events.append(E(name, k.from_, k.case, None, {}, key, True))
        # an opening that began before the data comes first on its day: it began before any
        self.events = sorted(events, key=lambda e: (e.order[0], not e.began, e.order))

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


def _apart(a: E, b: E, scope: Scope, match: str) -> bool:
    """decisions.md: a second opening closes the open case only when the two cannot be told
    apart; both with refs, and different refs, can (never in a successive scope: placements)."""
    if scope.successive or match != "auto" or a.ref is None or b.ref is None:
        return False
    return bool(a.ref != b.ref)


def windows(child: Child, scope: Scope, match: str) -> list[Window]:
    """The cases of a scope, walking the days on which something opens or closes one.

    On each day: each case open since an earlier day closes on a related close; then each
    opening closes the open cases it cannot be told apart from (same ref, or a ref missing)
    and opens its own, leaving open those with a different ref (overlapping cases, each
    assessed); then a close not used by an earlier case and related to a case still open
    closes it the same day. A case also closes on the birthday the scope names (the later one
    when the opening says ``in_education: true``)."""
    opens = child.of_type(scope.opens)
    closes = child.of_type(scope.closes)
    days = sorted({e.date for e in opens} | {e.date for e in closes})
    out: list[tuple[E, dt.date | None]] = []
    current: list[E] = []
    for day in days:
        todays_closes = [e for e in closes if e.date == day]
        spent: list[E] = []
        for case in [c for c in current if c.date < day]:
            hit = next((c for c in todays_closes if _related(case, c, match)), None)
            if hit is not None:
                out.append((case, day))
                current.remove(case)
                spent.append(hit)
        todays_closes = [c for c in todays_closes if not any(c is s for s in spent)]
        for opening in (e for e in opens if e.date == day):
            for case in [c for c in current if not _apart(c, opening, scope, match)]:
                out.append((case, day))
                current.remove(case)
            current.append(opening)
        for case in list(current):
            if any(_related(case, c, match) for c in todays_closes):
                out.append((case, day))
                current.remove(case)
    out.extend((case, None) for case in current)
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
    """The placement on ``day``: the case's own opening when the case is a placement, else the
    latest ``placement_started`` dated on or before ``day`` (None: never placed by then).

    Choice: two placements starting on one day are told apart by the reading order (the later
    one is in force)."""
    if opened.type == "placement_started":
        return opened
    found = None
    for ev in child.events:
        if ev.type == "placement_started" and ev.date <= day:
            found = ev
    return found


def _placement_has(placement: E | None, wanted: Mapping[str, Any]) -> bool:
    """Every wanted detail is recorded on the placement (a list: one of them); a contested
    detail matches nothing."""
    if placement is None:
        return False
    for name, value in wanted.items():
        actual = placement.attr(name)
        if actual is UNKNOWN or not _value_matches(actual, value):
            return False
    return True


def _legal_statuses(child: Child, day: dt.date) -> set[Any]:
    """The legal status codes in force on ``day``: the codes of the legal_status_started events
    of the latest date on or before ``day``, less each one a legal_status_ended of the same
    code ended after that date and on or before ``day``."""
    starts = [e for e in child.events if e.type == "legal_status_started" and e.date <= day]
    if not starts:
        return set()
    latest = max(e.date for e in starts)
    codes = {e.attr("code") for e in starts if e.date == latest}
    for ev in child.events:
        if ev.type == "legal_status_ended" and latest < ev.date <= day:
            codes = {c for c in codes if not (c is not UNKNOWN and c == ev.attr("code"))}
    return codes


def _status_began(child: Child, day: dt.date, codes: Iterable[str]) -> dt.date | None:
    """When one of ``codes`` is a legal status in force on ``day``: the day that status began
    (its latest legal_status_started on or before ``day``)."""
    wanted = {c for c in _legal_statuses(child, day) if c is not UNKNOWN and c in set(codes)}
    began = [
        e.date
        for e in child.events
        if e.type == "legal_status_started" and e.date <= day and e.attr("code") in wanted
    ]
    return max(began) if began else None


def _no_event_yet(child: Child, kind: str, since: str | None, anchor: dt.date) -> bool:
    """No ``kind`` event dated on or before the anchor and on or after the latest ``since``
    event on or before the anchor (no ``since`` event, or none named: any earlier date)."""
    floor = None
    if since is not None:
        earlier = [e.date for e in child.events if e.type == since and e.date <= anchor]
        floor = max(earlier) if earlier else None
    for ev in child.events:
        if ev.type == kind and ev.date <= anchor and (floor is None or ev.date >= floor):
            return False
    return True


def _condition_holds(
    when: Condition | None,
    *,
    anchor: dt.date,
    opened: E,
    child: Child,
    stop: dt.date | None = None,
) -> bool:
    """Every field given holds on the anchor date, for the case ``opened`` opened."""
    if when is None:
        return True
    dob = child.dob
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
    if when.anchor_on_or_after is not None and anchor < when.anchor_on_or_after:
        return False
    if when.stops_on_or_before is not None and (stop is None or stop > when.stops_on_or_before):
        return False
    if when.placement is not None and not _placement_has(
        _placement_in_force(child, opened, anchor), when.placement
    ):
        return False
    if when.legal_status is not None and not any(
        code is not UNKNOWN and code in when.legal_status for code in _legal_statuses(child, anchor)
    ):
        return False
    first = when.anchor_before_first
    if first is not None and not _no_event_yet(child, first.type, first.since, anchor):
        return False

    def sub(condition: Condition) -> bool:
        return _condition_holds(condition, anchor=anchor, opened=opened, child=child, stop=stop)

    if when.any is not None and not any(sub(c) for c in when.any):
        return False
    return when.none_of is None or not any(sub(c) for c in when.none_of)


def _first_limit(
    limits: Sequence[Limit],
    *,
    anchor: dt.date,
    opened: E,
    child: Child,
    stop: dt.date | None = None,
) -> Limit | None:
    """The first limit whose condition holds (the last, without ``when``, is the default)."""
    for limit in limits:
        if _condition_holds(limit.when, anchor=anchor, opened=opened, child=child, stop=stop):
            return limit
    return None


def _variation_on(rule: Rule, anchor: dt.date) -> Variation | None:
    """The first of the rule's temporary changes to the law whose dates (both inclusive) cover
    the anchor."""
    for variation in rule.variations:
        if variation.start <= anchor <= variation.end:
            return variation
    return None


def _law_limit(rule: Rule, anchor: dt.date, limit: Limit) -> Limit:
    """The limit in force on the anchor: a variation's own limit replaces the rule's."""
    variation = _variation_on(rule, anchor)
    if variation is not None and variation.limit is not None:
        return variation.limit
    return limit


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
            if not REGISTRY.of(rule).per_child:
                continue
            if not self.terms and any(lim.unit == "terms" for lim in rule.limits()):
                continue
            if rule.kind == "milestone" and _head_id(rule) not in ids:
                continue
            out.append(rule)
        return out

    def check(self, record: ChildRecord, *, as_of: dt.date) -> list[RefFinding]:
        """Every finding for one child, sorted. Raises OutsideCalendar where the engine rejects
        the record (a working-day count outside 2000-2030)."""
        if record.known_until is not None and record.known_until < as_of:
            # nothing after it (or after the latest event, if later) can be in the data
            latest = max([e.date for e in record.events] or [record.known_until])
            as_of = min(as_of, max(record.known_until, latest))
        child = Child(record, as_of, keep_apart(self.rules))
        active = self.active()
        active_ids = {r.id for r in active}
        found: list[RefFinding] = []
        for rule in active:
            # a rule that only supports another (a schedule head for a milestone) still has its
            # working days counted, so an out-of-calendar date rejects the record alike
            unreported = self.report is not None and rule.id not in self.report
            if unreported and rule.kind != "schedule":
                continue
            # each kind's instances, worked out here from its documented meaning (a kind this
            # model does not know gives nothing)
            check = getattr(self, f"_{rule.kind}", None)
            if check is not None:
                found.extend(check(rule, child, active))
        wanted = active_ids if self.report is None else self.report & active_ids
        if record.partial_history:
            found = [dataclasses.replace(f, partial_history=True) for f in found]
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

    def iro_caseloads(self, records: Iterable[ChildRecord], *, as_of: dt.date) -> dict[str, int]:
        """IR001 as the aggregates counted it while it was an ``aggregate`` rule, kept as the
        oracle of the workforce caseloads: each child under the IRO of its latest
        ``iro_assigned`` in the looked-after period open at as_of (``iro``), or failing that
        the IRO its record's open period names (the aggregates' fallback); children per IRO."""
        from ..aggregates.permanence import looked_after_period

        counts: dict[str, int] = {}
        for record in records:
            judged = as_of
            if record.known_until is not None and record.known_until < as_of:
                latest = max([e.date for e in record.events] or [record.known_until])
                judged = min(as_of, max(record.known_until, latest))
            iro = self.iro(record, as_of=judged)
            if iro is None:
                period = looked_after_period(record, as_of)
                iro = period.iro if period is not None else None
            if iro is not None:
                counts[iro] = counts.get(iro, 0) + 1
        return dict(sorted(counts.items()))

    # -- one finding ---------------------------------------------------------------------------

    def _finding(
        self,
        rule: Rule,
        child: Child,
        case: tuple[str | None, dt.date | None],
        dates: tuple[dt.date, dt.date, dt.date | None],
        limit: Limit | None,
        *,
        judged: bool = False,
    ) -> RefFinding | None:
        """met / late / overdue / pending, and how late (decisions.md "Findings and outputs"),
        for one instance of ``child``'s: ``case`` its (ref, close), ``dates`` its (anchor, due,
        done). Counted in working days when ``limit`` is; ``limit`` None: calendar days, and
        nothing resumed under a relaxed variation (rolling limits). Attribute rules
        make their own (met or unmet) in ``_attribute``. Under a relaxed variation the instance
        is judged again against the usual limit counted from the period's end (``judged``: this
        is that second judgement)."""
        (ref, close), (anchor, due, done) = case, dates
        as_of = child.as_of
        working = limit is not None and limit.unit == "working_days"
        # the due date counting the usual limit from a relaxed variation's end
        resumed_due = None if judged or limit is None else self._resumed(rule, anchor, limit)

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
        variation = _variation_on(rule, anchor)
        if variation is not None and variation.limit is None and status != "met" and not judged:
            # relaxed to "as soon as reasonably practicable": no date in the period to be late
            # by; the usual limit applied again from the period's end, so it is judged again
            # with ``resumed_due`` (the caller's limit counted from that day): met by then, or
            # pending with no date the engine could give, is not assessed
            if resumed_due is None:
                return None
            again = self._finding(
                rule, child, case, (anchor, resumed_due, done), limit, judged=True
            )
            if again is None or again.status == "met":
                return None
            return again
        name = variation.name if variation is not None else None
        return RefFinding(rule.id, anchor, ref or "", due, done, status, days, wdays, name)

    def _resumed(self, rule: Rule, anchor: dt.date, limit: Limit) -> dt.date | None:
        """Under a variation that relaxed the duty (no limit of its own): the rule's limit
        counted from the day the variation ended."""
        variation = _variation_on(rule, anchor)
        if variation is None or variation.limit is not None:
            return None
        return self._due(variation.end, limit)

    @staticmethod
    def _in_force(rule: Rule, anchor: dt.date) -> bool:
        """The rule's ``effective`` dates (both inclusive) cover the anchor."""
        eff = rule.effective
        if eff is None:
            return True
        return (eff.start is None or anchor >= eff.start) and (eff.end is None or anchor <= eff.end)

    def _applies(
        self,
        rule: Rule,
        anchor: dt.date,
        opened: E,
        child: Child,
        *,
        restarted: bool = False,
        reach: dt.date | None = None,
    ) -> bool:
        """In force on the anchor, not excluded then (``excluded_when``, read on the anchor
        for the instance's case, the one ``opened`` opened), and, unless the schedule was
        ``restarted`` inside the known history, a clock the data holds: not an opening from
        before the data, nor a date before the history the rule reads is known from."""
        if not self._in_force(rule, anchor):
            return False
        if rule.excluded_when is not None and _condition_holds(
            rule.excluded_when, anchor=anchor, opened=opened, child=child
        ):
            return False
        if not child.known:
            return True
        if not restarted:
            if opened.began and anchor <= opened.date:
                return False
            known = self._known_from(rule, opened, child)
            if known is not None and min(anchor, reach or anchor) < known:
                return False
        if not all(self._told(c, anchor, opened, child) for c in rule.conditions()):
            return False
        if getattr(rule, "counts_from_status", None) is not None:
            # counted from when the preceding status began: that start must be in the data
            start = self._types_known_from({"legal_status_started"}, opened, child)
            before = [
                e
                for e in child.events
                if e.type == "legal_status_started" and e.date <= anchor - ONE_DAY
            ]
            if before and before[-1].began:
                return False  # the status in force began before the data: when is unknown
            if start is not None and (not before or before[-1].date < start):
                return False
        return True

    def _types_known_from(self, types: set[str], opened: E, child: Child) -> dt.date | None:
        starts = [
            start
            for start, case, kinds in child.known
            if (case is None or case in (opened.ref, opened.case))
            and (kinds is None or kinds & types)
        ]
        return max(starts) if starts else None

    def _told(self, cond: Condition, anchor: dt.date, opened: E, child: Child) -> bool:
        """Whether the data settle a condition on ``anchor`` although history is missing: the
        placement or legal status then in force began inside the known history, and "before
        the first X" is settled by an X the data hold or by a ``since`` event inside it."""

        def latest(kind: str) -> E | None:
            found = [e for e in child.events if e.type == kind and e.date <= anchor]
            return found[-1] if found else None

        def began_inside(kind: str) -> bool:
            start = self._types_known_from({kind}, opened, child)
            last = latest(kind)
            made = last is not None and last.began and not last.attrs
            return start is None or (last is not None and last.date >= start and not made)

        if cond.placement is not None:
            own = opened.type == "placement_started" and not (opened.began and not opened.attrs)
            if not (own or began_inside("placement_started")):
                return False
        if opened.began:
            # an opening before the data: its Nth anniversary falls before ``opened.date`` plus
            # N years; an anchor before that cannot be placed either side of it
            for years in (cond.anchor_before_anniversary, cond.anchor_from_anniversary):
                if years is not None and anchor < add_years(opened.date, years):
                    return False
        if cond.legal_status is not None and not began_inside("legal_status_started"):
            return False
        first = cond.anchor_before_first
        if first is not None:
            start = self._types_known_from({first.type}, opened, child)
            if start is not None:
                since = latest(first.since) if first.since else None
                settled = since is not None and since.date >= start
                seen = any(
                    e.type == first.type
                    and start <= e.date <= anchor
                    and (since is None or e.date >= since.date)
                    for e in child.events
                )
                if not (settled or seen):
                    return False
        subs = [*(cond.any or ()), *(cond.none_of or ())]
        return all(self._told(c, anchor, opened, child) for c in subs)

    def _known_from(self, rule: Rule, opened: E, child: Child) -> dt.date | None:
        """Where the history ``rule`` reads is known from, for the case ``opened`` opens: the
        latest entry naming that case (or none) and one of the types the rule reads (or
        all)."""
        return self._types_known_from(self._reads(rule), opened, child)

    def _reads(self, rule: Rule) -> set[str]:
        """The event types a rule's outcome depends on: every event it selects (clock, what
        meets, voids, closes or extends it, its cases' openings and closings), what its
        conditions read, and for a follower or a milestone its schedule head's."""
        out = self._own_reads(rule) | {s.type for s in rule.selectors()} | rule.context_types()
        head_id = _head_id(rule)
        if head_id is not None:
            head = self._rule(head_id)
            out |= {s.type for s in head.selectors()} | head.context_types()
        return out

    def _own_reads(self, rule: Rule) -> set[str]:
        """Its clock, its case's opening and what meets it."""
        reads = getattr(self, f"_{rule.kind}_reads", None)
        return set() if reads is None else set(reads(rule))

    @staticmethod
    def _deadline_reads(rule: DeadlineRule) -> set[str]:
        out = {rule.met_by.type}
        out |= {rule.clock.type} if rule.clock is not None else set()
        return out | (set(rule.during.opens) if rule.during is not None else set())

    def _schedule_reads(self, rule: ScheduleRule) -> set[str]:
        head = self._head(rule.follows) if rule.follows is not None else rule
        assert head.scope and head.event
        return {*head.scope.opens, head.event.type}

    def _milestone_reads(self, rule: MilestoneRule) -> set[str]:
        return self._schedule_reads(self._head(rule.schedule)) | {rule.met_by.type}

    @staticmethod
    def _attribute_reads(rule: AttributeRule) -> set[str]:
        return {rule.event.type}

    @staticmethod
    def _rolling_reads(rule: RollingRule) -> set[str]:
        out = {rule.spell.starts.type, rule.spell.ends.type}
        return out | ({rule.met_by.type} if rule.met_by is not None else set())

    def _head(self, rule_id: str) -> ScheduleRule:
        head = self._rule(rule_id)
        assert head.kind == "schedule"
        return cast(ScheduleRule, head)

    def _rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def _due(self, anchor: dt.date, limit: Limit) -> dt.date:
        return due_date(anchor, limit, self.terms, self.closures)

    # -- deadline --------------------------------------------------------------------------------

    def _deadline(
        self, rule: DeadlineRule, child: Child, active: Sequence[Rule] = ()
    ) -> list[RefFinding]:
        """X within N of Y: one instance per clock; met by the first related ``met_by`` event on
        or after the clock and by the case's close."""
        if rule.requires_any and not any(child.matching(s) for s in rule.requires_any):
            return []
        candidates = child.matching(rule.met_by)
        voids = child.matching(rule.void_by) if rule.void_by else []
        closers = sorted(
            (e for s in rule.closed_by for e in child.matching(s)), key=lambda e: (e.date, e.order)
        )
        out = []
        previous_end: dt.date | None = None  # where the previous instance of this rule ended
        unsettled = False  # an earlier instance was outside the known history: its end unknown
        for clock, case_close in _deadline_clocks(rule, child):
            floor, previous_end = previous_end, clock.date
            if unsettled and rule.met_before_clock:
                continue  # what may meet this one depends on where that one ended
            reach = _reach(rule, clock, floor, child)
            if not self._applies(rule, clock.date, clock, child, reach=reach):
                lawful = self._in_force(rule, clock.date) and (
                    rule.excluded_when is None
                    or not _condition_holds(
                        rule.excluded_when, anchor=clock.date, opened=clock, child=child
                    )
                )
                unsettled = unsettled or (bool(child.known) and lawful)
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
            done = _deadline_done(rule, clock, candidates, close, floor, child)
            previous_end = max(d for d in (clock.date, close, done) if d is not None)
            if rule.requires_time_in is not None and not self._time_in(rule, child, clock.date):
                continue  # e.g. CL001: not an eligible child (too little time looked after)
            if rule.requires_duration is not None and not _lasted(rule, clock, child):
                continue  # e.g. LANC003: the child was not missing for over 24 hours
            finding = self._deadline_finding(rule, clock, close, done, child)
            if finding is not None:
                out.append(finding)
        return out

    def _deadline_finding(
        self,
        rule: DeadlineRule,
        clock: E,
        close: dt.date | None,
        done: dt.date | None,
        child: Child,
    ) -> RefFinding | None:
        """One instance's finding once its close and done dates are known: the limit by the
        day the clock stops, counted from the clock (or the status before it, s.45(3))."""
        stop = (
            done
            if done is not None
            else (child.as_of if close is None else min(close, child.as_of))
        )
        limit = _first_limit(rule.limit, anchor=clock.date, opened=clock, child=child, stop=stop)
        anchor = clock.date
        back = rule.counts_from_status
        began = _status_began(child, clock.date - ONE_DAY, back.codes) if back else None
        counted_from = anchor
        if back is not None and began is not None:
            # s.45(3): counted from the day the status in force the day before began
            counted_from, limit = began, back.limit
        if limit is None:
            return None
        limit = _law_limit(rule, anchor, limit)
        # never due before the clock itself
        due = max(self._due(counted_from, limit), anchor)
        if rule.extension is not None:
            due = self._extended(rule, clock, due, child)
        if rule.target is not None:
            due = _own_target(rule, clock, due, child)
        return self._finding(rule, child, (clock.ref, close), (anchor, due, done), limit)

    def _time_in(self, rule: DeadlineRule, child: Child, clock: dt.date) -> bool:
        """``requires_time_in``: the days spent in the ``during`` cases from the ``since_age``
        birthday up to the clock (a case counts from its opening day up to, not including, its
        close) add up to ``at_least``; a case the exclusion holds for on its opening day does
        not count. No date of birth: it cannot be known, so no."""
        need = rule.requires_time_in
        assert need is not None and rule.during is not None
        if child.dob is None:
            return False
        since = add_years(child.dob, need.since_age)
        spent: set[dt.date] = set()
        for win in windows(child, rule.during, rule.match):
            if need.excluded_when is not None and (
                _condition_holds(
                    need.excluded_when, anchor=win.opened.date, opened=win.opened, child=child
                )
                or (
                    child.known
                    and not self._told(need.excluded_when, win.opened.date, win.opened, child)
                )
            ):
                continue  # excluded, or the data cannot tell: not counted
            day = max(win.opened.date, since)
            last = clock if win.close is None else min(win.close, clock)
            while day < last:
                spent.add(day)
                day += ONE_DAY
        wanted = need.at_least.value * (7 if need.at_least.unit == "weeks" else 1)
        return len(spent) >= wanted

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

    def _governing(
        self,
        head: ScheduleRule,
        active: Sequence[Rule],
        occurrence: int,
        *,
        anchor: dt.date,
        opened: E,
        child: Child,
    ) -> ScheduleRule | None:
        """The rule for the nth event of a chain: the head for the first; later, the follower
        (lowest ID first) that names this occurrence, was in force on the anchor (its
        ``effective`` dates) and whose ``when`` holds; else the head again if it ``repeats``;
        else the chain ends."""
        if occurrence == 1:
            return head
        followers = sorted(_followers(active, head.id), key=lambda r: r.id)
        # a follower whose provision was not yet in force gives no finding but keeps the chain
        # going, if none in force governs the step
        not_yet: ScheduleRule | None = None
        for rule in followers:
            first, last = rule.occurrence_range()
            governs = first <= occurrence and (last is None or occurrence <= last)
            if governs and _condition_holds(rule.when, anchor=anchor, opened=opened, child=child):
                if self._in_force(rule, anchor):
                    return rule
                if not_yet is None:
                    not_yet = rule
        if not_yet is not None:
            return not_yet
        return head if head.repeats else None

    @staticmethod
    def _first_allowed(head: ScheduleRule, win: Window, child: Child) -> dt.date:
        """The earliest date a chain's event can have: the case's opening, or up to the head's
        ``met_before_opening`` before it (reg 7: a health assessment in the three months before
        the child became looked after), though never before 1990 nor before the child's birth
        (an impossible date is bad data, which never meets a rule)."""
        opened = win.opened.date
        back = head.met_before_opening
        if back is None:
            return opened
        if back.unit == "months":
            earliest = add_months(opened, -back.value)
        else:
            earliest = opened - dt.timedelta(days=back.value * (7 if back.unit == "weeks" else 1))
        believable = max(BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM)
        return min(max(earliest, believable), opened)

    def _chain_events(self, head: ScheduleRule, child: Child, win: Window) -> list[dt.date]:
        """The dates of the head's events in a case (related to its opening), from the first
        allowed date to the close."""
        assert head.event is not None
        first = self._first_allowed(head, win, child)
        return [
            e.date
            for e in child.matching(head.event)
            if first <= e.date
            and (win.close is None or e.date <= win.close)
            and _related(win.opened, e, head.match)
        ]

    def _schedule(
        self, head: ScheduleRule, child: Child, active: Sequence[Rule]
    ) -> list[RefFinding]:
        """A chain over one event type in each case: the first event within the head's limit of
        the opening (any allowed before the opening meets it); each later one within its
        rule's limit of the actual previous event, and strictly after it."""
        if head.follows is not None:
            return []  # a follower's steps are walked with its head's
        assert head.scope is not None
        out = []
        for win in windows(child, head.scope, head.match):
            dates = self._chain_events(head, child, win)
            anchor = win.opened.date
            known = self._known_from(head, win.opened, child)
            reach = self._first_allowed(head, win, child)
            if win.opened.began or (known is not None and min(anchor, reach) < known):
                start = anchor if known is None else max(known, anchor)
                out.extend(self._restarted(head, child, active, win, dates, start))
                continue
            occurrence = 1
            while True:
                rule = self._governing(
                    head, active, occurrence, anchor=anchor, opened=win.opened, child=child
                )
                if rule is None:
                    break
                limit = _first_limit(rule.limit, anchor=anchor, opened=win.opened, child=child)
                if limit is None:
                    break
                if occurrence == 1:
                    done = dates[0] if dates else None
                else:
                    done = next((d for d in dates if d > anchor), None)
                if self._applies(rule, anchor, win.opened, child):
                    limit = _law_limit(rule, anchor, limit)
                    try:
                        due = self._due(anchor, limit)
                    except NoTerms:
                        break  # no term dates: the chain cannot go on (a data-quality note)
                    case = (win.opened.ref, win.close)
                    finding = self._finding(rule, child, case, (anchor, due, done), limit)
                    if finding is not None:
                        out.append(finding)
                if done is None:
                    break
                anchor = done
                occurrence += 1
        return out

    def _restarted(
        self,
        head: ScheduleRule,
        child: Child,
        active: Sequence[Rule],
        win: Window,
        dates: list[dt.date],
        known: dt.date,
    ) -> list[RefFinding]:
        """A chain whose known history begins at ``known`` (after its opening): the opening's
        step is not assessed; the next event's step is unknown, so every rule that could
        govern it is tried, and a finding is kept only when all agree: a breach under the
        latest due date of them (reported under that rule, marked partial history) or met
        under the earliest. The gap from ``known`` to the first known event, whose start is
        not known, only as a breach."""
        opened = win.opened
        dates = [d for d in dates if d >= known]
        if win.close is not None and win.close < known:
            return []  # the case ended before the known history
        assert head.scope is not None
        closes_known = self._types_known_from(set(head.scope.closes), opened, child)
        if not opened.began and closes_known is not None and closes_known > opened.date:
            return []  # it may have closed, unseen, before the known history

        def trial(
            rule: ScheduleRule, anchor: dt.date, start: dt.date, done: dt.date | None
        ) -> tuple[dt.date, RefFinding | None] | None:
            limit = _first_limit(rule.limit, anchor=anchor, opened=opened, child=child)
            if limit is None or not self._applies(rule, anchor, opened, child, restarted=True):
                return None
            limit = _law_limit(rule, anchor, limit)
            try:
                due = self._due(start, limit)
            except NoTerms:
                return None
            found = self._finding(rule, child, (opened.ref, win.close), (anchor, due, done), limit)
            return due, found

        def could_govern(occurrence: int, anchor: dt.date) -> tuple[list[ScheduleRule], bool]:
            """Every rule that may govern an event that is the ``occurrence``th or later, and
            whether the chain may have ended (no rule for one of them)."""
            found: dict[str, ScheduleRule] = {}
            ended = False
            highest = occurrence + 2
            for follower in _followers(active, head.id):
                first, last = follower.occurrence_range()
                highest = max(highest, (last or first) + 2)
            for n in range(occurrence, highest):
                step = self._governing(head, active, n, anchor=anchor, opened=opened, child=child)
                if step is not None:
                    found[step.id] = step
                else:
                    ended = True
            return [found[k] for k in sorted(found)], ended

        def partial(found: RefFinding) -> RefFinding:
            return dataclasses.replace(found, partial_history=True)

        def unsettled(anchor: dt.date) -> bool:
            """A condition that chooses the step's rule is not settled by the data."""
            chain = [head, *_followers(active, head.id)]
            return not all(
                self._told(c, anchor, opened, child) for r in chain for c in r.conditions()
            )

        out: list[RefFinding] = []
        first = dates[0] if dates else None
        followers, ended = could_govern(2, known)
        # the unknown previous event fell between the opening (any believable day, for one
        # that began before the data) and ``known``: the law of each possible step must not
        # change over that stretch (commencement, a temporary variation)
        low = max(BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM) if opened.began else opened.date
        low = min(low, known)
        steady = all(
            self._in_force(r, low)
            and self._in_force(r, known)
            and not any(v.start <= known and low <= v.end for v in r.variations)
            for r in (head, *followers)
        )
        if (first is None or first > known) and not ended and steady and not unsettled(known):
            start = known if opened.began else opened.date
            tried = [trial(head, known, start, first)]
            tried += [trial(r, known, known, first) for r in followers]
            kept = [t for t in tried if t is not None]
            if kept and len(kept) == len(tried):  # every rule that could govern it applies
                found = max(kept, key=lambda t: t[0])[1]
                if found is not None and found.status in ("late", "overdue"):
                    out.append(partial(found))
        if first is None:
            return out
        anchor = first
        occurrence = 2
        while True:
            done = next((d for d in dates if d > anchor), None)
            rules, ended = could_govern(occurrence, anchor)
            kept = [t for t in (trial(r, anchor, anchor, done) for r in rules) if t is not None]
            if ended or unsettled(anchor):
                pass  # the chain may have ended, or its step is not told: nothing is certain
            elif len(rules) == 1 and kept and kept[0][1] is not None:
                out.append(kept[0][1])
            elif kept and len(kept) == len(rules):
                lenient = max(kept, key=lambda t: t[0])[1]
                strict = min(kept, key=lambda t: t[0])[1]
                if lenient is not None and (
                    lenient.status in ("late", "overdue")
                    or (strict is not None and strict.status == "met")
                ):
                    out.append(partial(lenient))
            if done is None or not rules:
                return out
            anchor = done
            occurrence += 1

    # -- milestone -------------------------------------------------------------------------------

    def _milestone(
        self, rule: MilestoneRule, child: Child, active: Sequence[Rule]
    ) -> list[RefFinding]:
        """Something recorded by the nth event of a schedule. Due = the earlier of the actual
        nth event and its scheduled date (each step from the actual previous event, or from the
        previous step's due date where that event never happened, under the law then in force
        for that step)."""
        head = cast(ScheduleRule, next(r for r in active if r.id == rule.schedule))
        assert head.scope is not None
        out = []
        for win in windows(child, head.scope, head.match):
            dates = self._chain_events(head, child, win)
            anchor = win.opened.date
            due: dt.date | None = None
            for occurrence in range(1, rule.occurrence + 1):
                step = self._governing(
                    head, active, occurrence, anchor=anchor, opened=win.opened, child=child
                )
                limit = (
                    None
                    if step is None
                    else _first_limit(step.limit, anchor=anchor, opened=win.opened, child=child)
                )
                if step is None or limit is None:
                    due = None
                    break
                scheduled = self._due(anchor, _law_limit(step, anchor, limit))
                if occurrence == 1:
                    actual = dates[0] if dates else None
                else:
                    actual = next((d for d in dates if d > anchor), None)
                if occurrence == rule.occurrence:
                    due = scheduled if actual is None else min(actual, scheduled)
                anchor = actual if actual is not None else scheduled
            if due is None or not self._applies(rule, win.opened.date, win.opened, child):
                continue
            done = next(
                (
                    p.date
                    for p in child.matching(rule.met_by)
                    if win.holds(p.date) and _related(win.opened, p, rule.match)
                ),
                None,
            )
            # a milestone's limit is the time from the opening to the scheduled date: under a
            # relaxed variation it counts again from the period's end, as a deadline's does
            span = Limit(unit="days", value=max((due - win.opened.date).days, 0))
            case = (win.opened.ref, win.close)
            finding = self._finding(rule, child, case, (win.opened.date, due, done), span)
            if finding is not None:
                out.append(finding)
        return out

    # -- attribute -------------------------------------------------------------------------------

    def _attribute(
        self, rule: AttributeRule, child: Child, active: Sequence[Rule] = ()
    ) -> list[RefFinding]:
        """Each event must itself record something: anchor = its date, done = its date when any
        test holds. Not a deadline (decisions.md "Findings and outputs"): met when a test holds,
        else unmet, with no days late; never pending or overdue, whatever as_of is."""
        out = []
        for ev in child.matching(rule.event):
            if not self._applies(rule, ev.date, ev, child):
                continue
            limit = _first_limit(rule.limit, anchor=ev.date, opened=ev, child=child)
            if limit is None:
                continue
            limit = _law_limit(rule, ev.date, limit)
            due = self._due(ev.date, limit)
            if any(_attr_test(test, ev) for test in rule.satisfied_if_any):
                done, status, days = ev.date, "met", 0
            else:
                done, status, days = None, "unmet", None
            # a variation is named on the finding; relaxing a deadline does not touch what a
            # visit must record
            variation = _variation_on(rule, ev.date)
            name = variation.name if variation is not None else None
            out.append(
                RefFinding(rule.id, ev.date, ev.ref or "", due, done, status, days, days, name)
            )
        return out

    # -- rolling ---------------------------------------------------------------------------------

    def _rolling(
        self, rule: RollingRule, child: Child, active: Sequence[Rule] = ()
    ) -> list[RefFinding]:
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
        if any(self._known_from(rule, start, child) is not None for start, _, _ in spells):
            return []  # a moving count restarted after each breach: earlier days change it all

        def last_day(end: dt.date | None) -> dt.date:
            # a spell occupies its start day up to, not including, its end day; open: to as_of
            return child.as_of if end is None else end - ONE_DAY

        occupied: set[dt.date] = set()
        for _, first, end in spells:
            day = first
            while day <= last_day(end):
                occupied.add(day)
                day += ONE_DAY
        limit = _first_limit(rule.limit, anchor=spells[0][1], opened=spells[0][0], child=child)
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
                    # Choice: the instance's case is the spell the day belongs to
                    if self._applies(rule, anchor, start, child):
                        case = (start.ref, end)
                        finding = self._finding(rule, child, case, (anchor, due, done), None)
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


def _deadline_clocks(rule: DeadlineRule, child: Child) -> list[tuple[E, dt.date | None]]:
    """A deadline's clocks, each with the close of its ``during`` case (None: no case)."""
    if rule.clock_at_age is not None:
        assert rule.during is not None
        if child.dob is None:
            return []
        birthday = add_years(child.dob, rule.clock_at_age)
        for win in windows(child, rule.during, rule.match):
            if win.holds(birthday) and birthday <= child.as_of:
                clock = E(f"birthday_{rule.clock_at_age}", birthday, win.opened.ref, None, {}, ())
                return [(clock, win.close)]
        return []
    assert rule.clock is not None
    if not rule.during:
        return [(clock, None) for clock in child.matching(rule.clock)]
    cases = windows(child, rule.during, rule.match)
    clocks: list[tuple[E, dt.date | None]] = []
    for clock in child.matching(rule.clock):
        # the clock counts only inside an open case, related to its opening
        inside: Window | None = next(
            (w for w in cases if w.holds(clock.date) and _related(w.opened, clock, rule.match)),
            None,
        )
        if inside is not None:
            clocks.append((clock, inside.close))
    return clocks


def _reach(rule: DeadlineRule, clock: E, floor: dt.date | None, child: Child) -> dt.date:
    """How far back an instance reaches: one met "early" reaches back to the previous one's
    end (or 1990), and that whole stretch must lie in the known history."""
    earliest = max(BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM)
    if rule.void_by is not None and not (rule.match == "auto" and clock.ref is not None):
        # a void not tied to the clock by ref counts whatever its date
        return min(clock.date, earliest)
    if rule.met_before_clock:
        after = floor + dt.timedelta(days=1) if floor is not None else earliest
        return min(clock.date, max(earliest, after))
    return clock.date


def _deadline_done(
    rule: DeadlineRule,
    clock: E,
    candidates: list[E],
    close: dt.date | None,
    floor: dt.date | None,
    child: Child,
) -> dt.date | None:
    """The date of the first related ``met_by`` that meets the instance, if any."""
    for cand in candidates:
        if not _related(clock, cand, rule.match):
            continue
        if cand.date < clock.date:
            # Choice (LA001, ``met_before_clock``): an event before the clock counts if it comes
            # after the end of the previous instance of the same rule (its clock, its close or
            # the event that met it, whichever is latest), and is dated no earlier than 1990 nor
            # before the child's birth: an impossible date is bad data, which never meets a rule.
            believable = cand.date >= max(BELIEVABLE_FROM, child.dob or BELIEVABLE_FROM)
            if rule.met_before_clock and (floor is None or cand.date > floor) and believable:
                return cand.date
            continue
        # windows include their close day
        return cand.date if close is None or cand.date <= close else None
    return None


def _head_id(rule: Rule) -> str | None:
    """The schedule head a follower or a milestone hangs on."""
    return REGISTRY.of(rule).depends_on(rule)


def _followers(active: Iterable[Rule], head_id: str) -> list[ScheduleRule]:
    """The followers of a schedule head among ``active``."""
    return [cast(ScheduleRule, r) for r in active if REGISTRY.of(r).follows(r) == head_id]


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


def _lasted(rule: DeadlineRule, clock: E, child: Child) -> bool:
    """``requires_duration``: the episode runs from the clock to the first related ``until``
    event on or after it (as_of while there is none). Choice: on dates an episode is longer
    than the threshold only when it is still going on after the threshold's last day, that is
    after clock + N days (hours rounded up to whole days, weeks as 7 days): a child back on the
    day after going missing may have been away two hours, so is not "over 24 hours"."""
    need = rule.requires_duration
    assert need is not None
    ends = [
        e.date
        for e in child.matching(need.until)
        if e.date >= clock.date and _related(clock, e, rule.match)
    ]
    end = min(ends) if ends else child.as_of
    value, unit = need.longer_than.value, need.longer_than.unit
    days = -(-value // 24) if unit == "hours" else value * (7 if unit == "weeks" else 1)
    return end > clock.date + dt.timedelta(days=days)


def _own_target(rule: DeadlineRule, clock: E, due: dt.date, child: Child) -> dt.date:
    """``target``: the ISO date in ``attr`` of the first related ``type`` event on or after the
    clock, where it is a readable date not before the clock; never later than ``due`` (the
    limit's). An unknown value (copies disagree) or an unreadable one is passed over."""
    spec = rule.target
    assert spec is not None
    found = [
        e
        for e in child.matching(Selector(type=spec.type))
        if e.date >= clock.date and _related(clock, e, rule.match)
    ]
    for e in sorted(found, key=lambda e: (e.date, e.order)):
        raw = e.attr(spec.attr)
        if not isinstance(raw, str):
            continue
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            continue
        if day >= clock.date:
            return min(day, due)
    return due
