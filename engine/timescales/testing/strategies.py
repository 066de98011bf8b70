"""Hypothesis strategies for case records and rules (needs the ``testing`` extra).

* ``dates()`` — days in 2001-2029, biased towards weekends, England bank holidays (and the days
  either side), month ends and leap days: where counting mistakes live.
* ``events()`` — one valid ``Event`` of any (or the given) types, with valid attributes.
* ``child_records()`` — valid ``ChildRecord``s. By default a realistic life course (referral →
  assessment → section 47 → child protection plan → looked after → visits and reviews → leaving
  care, with private fostering, missing episodes, court, adoption, secure and legal-status spells
  on the side), each timescale missed with probability ``lateness``. With ``focus=`` (a rule, a
  list of rules or a rule set) the records are built around those rules instead: their clocks,
  the events that meet them, closes, voids and extensions, dated on, either side of and far from
  each due date, with refs and cases that sometimes match and sometimes do not.
* ``as_of_dates(record)`` — as_of dates near the record's events (and anywhere).
* ``rule_sets()`` / ``rules()`` — subsets (single rules) of the national pack or of a given set;
  ``rule_sets(new_fields=True)`` / ``with_new_fields(ruleset)`` — the same rules sometimes given
  the newer rule fields (conditions on the placement and legal status in force, exclusions,
  variations, effective dates, met before the opening, time-in and counting from a status).
* ``school_terms()`` — council-style school terms (first day, last day) for termly limits.

Every strategy shrinks: a failing example comes back as a short record that can be pasted into
a fixture. Records are always valid under ``ChildRecord``.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

import holidays
from hypothesis import strategies as st

from .. import calendar as tcal
from ..kinds import REGISTRY
from ..kinds.attribute import AttributeRule
from ..kinds.deadline import DeadlineRule
from ..kinds.rolling import RollingRule
from ..kinds.schedule import ScheduleRule
from ..records import NATIONAL_EVENT_TYPES, ChildRecord, Event
from ..rules.model import (
    Condition,
    Limit,
    Rule,
    Selector,
)

__all__ = [
    "CONDITION_KINDS",
    "FIRST",
    "LAST",
    "NEW_FIELDS",
    "as_of_dates",
    "child_records",
    "conditions",
    "dates",
    "events",
    "national_ruleset",
    "rule_sets",
    "rules",
    "school_terms",
    "with_new_fields",
]

FIRST = dt.date(2001, 1, 1)
LAST = dt.date(2029, 12, 31)
DAY = dt.timedelta(days=1)
T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]


@functools.lru_cache(maxsize=8192)
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    """``st.integers`` made once per range: building strategies is a large part of the cost."""
    return st.integers(low, high)


_BOOLS = st.booleans()


def _pick(values: Sequence[T]) -> st.SearchStrategy[T]:
    """``st.sampled_from``, made once per (hashable) sequence of values."""
    items = tuple(values)
    try:
        return _pick_cached(items)
    except TypeError:  # unhashable values (rule selectors)
        return st.sampled_from(items)


@functools.lru_cache(maxsize=4096)
def _pick_cached(items: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(items)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


@functools.cache
def _special_days() -> dict[str, tuple[dt.date, ...]]:
    years = range(2000, 2031)
    bank = sorted(holidays.country_holidays("GB", subdiv="ENG", years=years))
    around = sorted({d + dt.timedelta(days=k) for d in bank for k in (-1, 1)})
    month_ends = [
        dt.date(y, m, _stdlib_calendar.monthrange(y, m)[1]) for y in years for m in range(1, 13)
    ]
    leap = [dt.date(y, 2, 29) for y in years if _stdlib_calendar.isleap(y)]
    return {
        "bank": tuple(bank),
        "around": tuple(around),
        "month_ends": tuple(month_ends),
        "leap": tuple([*leap, *(d + DAY for d in leap), *(d - DAY for d in leap)]),
    }


def _weekend(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7 + (day.toordinal() % 2))


def dates(min_value: dt.date = FIRST, max_value: dt.date = LAST) -> st.SearchStrategy[dt.date]:
    """Days between ``min_value`` and ``max_value`` (default 2001-2029), about half of them
    weekends, bank holidays and the days beside them, month ends or leap days."""
    return _dates(min_value, max_value)


@functools.lru_cache(maxsize=1024)
def _dates(min_value: dt.date, max_value: dt.date) -> st.SearchStrategy[dt.date]:
    if min_value > max_value:
        raise ValueError("min_value is after max_value")
    special = _special_days()

    def inside(days: Iterable[dt.date]) -> list[dt.date]:
        return [d for d in days if min_value <= d <= max_value]

    plain = st.dates(min_value=min_value, max_value=max_value)
    options: list[st.SearchStrategy[dt.date]] = [plain, plain]
    for key in ("bank", "around", "month_ends", "leap"):
        pool = inside(special[key])
        if pool:
            options.append(_pick(pool))
    options.append(plain.map(_weekend).filter(lambda d: min_value <= d <= max_value))
    return st.one_of(options)


def school_terms(
    first_year: int | None = None, years: int = 4
) -> st.SearchStrategy[tuple[tuple[dt.date, dt.date], ...]]:
    """Three terms a school year (autumn, spring, summer), first and last days a little
    different each year, as a council plugin would give them."""
    return _school_terms(first_year, years)


@st.composite
def _school_terms(
    draw: Draw, first_year: int | None, years: int
) -> tuple[tuple[dt.date, dt.date], ...]:
    start = first_year if first_year is not None else draw(_ints(2001, 2025))
    out = []
    for year in range(start, start + years):
        jitter = draw(_ints(-2, 3))
        out.append((dt.date(year, 9, 4 + jitter), dt.date(year, 12, 19 + jitter)))
        out.append((dt.date(year + 1, 1, 6 + jitter), dt.date(year + 1, 3, 28 + jitter)))
        out.append((dt.date(year + 1, 4, 15 + jitter), dt.date(year + 1, 7, 21 + jitter)))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------

_TEXT_VALUES: dict[str, tuple[str, ...]] = {
    # 903 PLACE codes: P1 placed with a parent, U1-U6 foster care, K2 homes, R1 residential
    "placement_type": ("P1", "U1", "U3", "U4", "K2", "R1"),
    "not_alone_reason": ("", "child asleep", "parent refused"),
    "iro": ("IRO-A", "IRO-B", "IRO-C"),
    "kind": ("initial", "review"),
    # 903 legal statuses: L1 police protection, L2 EPO, L3 CAO, C1 interim and C2 full care
    # order, V2 section 20, V3/V4 short breaks, E1 placement order
    "code": ("L1", "L2", "L3", "V2", "V3", "V4", "C1", "C2", "E1"),
    "rule": ("LA005", "PF001", "CP001"),
    "reason": ("court directed the timing", "child was missing"),
}
_REFS = (None, "R1", "R1", "R2")
_CASES = (None, None, "K1", "K2")


@functools.lru_cache(maxsize=256)
def _attr_value(name: str, kind: type) -> st.SearchStrategy[Any]:
    if kind is bool:
        return _pick([True, False, None])
    if kind is int:
        return st.one_of(_ints(0, 10), st.none())
    return st.one_of(_pick(_TEXT_VALUES.get(name, ("x", "y"))), st.none())


@functools.lru_cache(maxsize=256)
def _attrs_for(etype: str) -> st.SearchStrategy[dict[str, Any]]:
    spec = NATIONAL_EVENT_TYPES.get(etype, {})
    if not spec:
        return st.just({})
    return st.fixed_dictionaries({}, optional={k: _attr_value(k, v) for k, v in spec.items()})


def events(
    *,
    types: Sequence[str] | None = None,
    dates: st.SearchStrategy[dt.date] | None = None,
    refs: Sequence[str | None] = _REFS,
    cases: Sequence[str | None] = _CASES,
) -> st.SearchStrategy[Event]:
    """One valid event: a type (of ``types``, default every national type), a date, a ref and a
    case from small pools (so events often tie together), and attributes its type allows."""
    pool = sorted(types) if types is not None else sorted(NATIONAL_EVENT_TYPES)
    day = dates if dates is not None else _dates(FIRST, LAST)
    return _events(tuple(pool), day, tuple(refs), tuple(cases))


@st.composite
def _events(
    draw: Draw,
    pool: tuple[str, ...],
    day: st.SearchStrategy[dt.date],
    refs: tuple[str | None, ...],
    cases: tuple[str | None, ...],
) -> Event:
    etype = draw(_pick(pool))
    return Event(
        type=etype,
        date=draw(day),
        ref=draw(_pick(refs)),
        case=draw(_pick(cases)),
        attrs=draw(_attrs_for(etype)),
    )


# --------------------------------------------------------------------------------------------
# Realistic life courses
# --------------------------------------------------------------------------------------------


class _Life:
    """Collects one child's events as hypothesis draws, every date kept on or before LAST."""

    def __init__(self, draw: Draw, lateness: float, horizon: dt.date) -> None:
        self.draw = draw
        self.lateness = lateness
        self.horizon = horizon
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        etype: str,
        day: dt.date,
        ref: str | None = None,
        case: str | None = None,
        **attrs: Any,
    ) -> bool:
        if day > self.horizon or day < FIRST:
            return False
        event: dict[str, Any] = {"type": etype, "date": day}
        if ref is not None:
            event["ref"] = ref
        if case is not None:
            event["case"] = case
        if attrs:
            event["attrs"] = attrs
        self.events.append(event)
        return True

    def late(self) -> bool:
        return bool(self.draw(_ints(0, 99)) < round(self.lateness * 100))

    def chance(self, percent: int) -> bool:
        return bool(self.draw(_ints(0, 99)) < percent)

    def timed(self, anchor: dt.date, due: dt.date, earliest: int = 1) -> dt.date:
        """On time (from ``earliest`` days after the anchor to the due date itself, often on
        it) or, with probability ``lateness``, one to sixty days late (often one)."""
        if self.late():
            return due + dt.timedelta(days=self.draw(_pick([1, 1, 2, 7, 30, 60])))
        span = max((due - anchor).days, earliest)
        offset = self.draw(st.one_of(st.just(span), _ints(earliest, span)))
        return anchor + dt.timedelta(days=offset)

    def chain(
        self,
        etype: str,
        opened: dt.date,
        first: Callable[[dt.date], dt.date],
        step: Callable[[dt.date, int], dt.date],
        end: dt.date | None,
        ref: str | None,
        most: int,
        make_attrs: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        """A repeating timescale: the first due ``first(opened)``, each next ``step(prev, n)``."""
        previous = opened
        for n in range(1, most + 1):
            due = first(opened) if n == 1 else step(previous, n)
            day = self.timed(previous, due, earliest=0 if n == 1 else 1)
            if end is not None and day > end:
                return
            if not self.add(etype, day, ref, **(make_attrs() if make_attrs else {})):
                return
            previous = day


def _wd(day: dt.date, n: int) -> dt.date:
    try:
        return tcal.add_working_days(day, n)
    except tcal.CalendarRangeError:
        return day + dt.timedelta(days=n * 7 // 5 + 4)


def _months(n: int) -> Callable[[dt.date, int], dt.date]:
    return lambda day, _: tcal.add_months(day, n)


def _life_course(
    draw: Draw, lateness: float, horizon: dt.date
) -> tuple[dt.date | None, list[dict[str, Any]]]:
    """One child's story, told in the order its draws are made (the same seed gives the same
    child): referral and assessment, perhaps child protection, perhaps care, private
    fostering, a legal-status spell and the case's closing."""
    life = _Life(draw, lateness, horizon)
    start = draw(dates(dt.date(2003, 1, 1), min(horizon, dt.date(2027, 12, 31))))
    age_days = draw(_ints(0, 17 * 365 + 300))
    dob = start - dt.timedelta(days=age_days)
    case = "K1"
    cursor = _referral(life, start, case)
    if life.chance(45):
        cursor = _protection(life, cursor, case)
    if life.chance(55):
        _looked_after(life, cursor, dob)
    if life.chance(10):
        _private_fostering(life, start)
    if life.chance(15):
        _legal_status_spell(life, start)
    # closing the child-in-need case
    if life.chance(50):
        life.add("cin_closed", start + dt.timedelta(days=draw(_ints(30, 500))), None, case)
    no_dob = life.chance(5)
    return (None if no_dob else dob), life.events


def _referral(life: _Life, start: dt.date, case: str) -> dt.date:
    """The referral, its decision and the assessment; where the story goes on from."""
    draw = life.draw
    life.add("referral", start, "R1", case)
    if not life.chance(10):
        life.add("referral_decision", life.timed(start, _wd(start, 1), 0), "R1", case)
    a_start = start + dt.timedelta(days=draw(_ints(0, 5)))
    life.add("assessment_started", a_start, "A1", case)
    if not life.chance(10):
        life.add("assessment_completed", life.timed(a_start, _wd(a_start, 45), 0), "A1", case)
    return a_start + dt.timedelta(days=draw(_ints(1, 40)))


def _protection(life: _Life, cursor: dt.date, case: str) -> dt.date:
    """Section 47 enquiries and perhaps a child protection plan with its reviews."""
    draw = life.draw
    sd = cursor
    life.add("strategy_discussion", sd, "S1", case)
    life.add("s47_started", sd + dt.timedelta(days=draw(_ints(0, 2))), "S1", case)
    if life.chance(10):
        life.add("icpc", _wd(sd, 5), "S1", case, not_required=True)
        return cursor
    icpc = life.timed(sd, _wd(sd, 15))
    life.add("icpc", icpc, "S1", case)
    life.add("cp_plan_started", icpc, "CP1", case)
    life.add("core_group", life.timed(icpc, _wd(icpc, 10)), "CP1", case)
    plan_end = icpc + dt.timedelta(days=draw(_ints(60, 900)))
    life.chain("cp_review", icpc, lambda d: tcal.add_months(d, 3), _months(6), plan_end, "CP1", 5)
    if life.chance(70):
        life.add("cp_plan_ended", plan_end, "CP1", case)
    return plan_end if life.chance(50) else icpc + dt.timedelta(days=30)


def _looked_after(life: _Life, cursor: dt.date, dob: dt.date) -> None:
    """A period of care: its legal status, plan, IRO, placements, reviews, health and
    education, the episodes within it, and leaving care."""
    draw = life.draw
    lac = cursor + dt.timedelta(days=draw(_ints(0, 30)))
    period = "P1"
    life.add("became_looked_after", lac, period)
    end = lac + dt.timedelta(days=draw(_ints(20, 1600))) if life.chance(60) else None
    if life.chance(50):
        _care_status(life, lac, end)
    if life.chance(15):
        life.add("care_plan", lac - dt.timedelta(days=draw(_ints(1, 5))), period)
    else:
        life.add("care_plan", life.timed(lac, _wd(lac, 10), 0), period)
    life.add(
        "iro_assigned",
        life.timed(lac, _wd(lac, 5), 0),
        period,
        iro=draw(_pick(_TEXT_VALUES["iro"])),
    )
    _placements(life, lac, end)
    _reviews(life, lac, end, period, dob)
    _episodes(life, lac)
    _leaving_care(life, lac, end, period, dob)


def _care_status(life: _Life, lac: dt.date, end: dt.date | None) -> None:
    """The period's legal status: s.20, care orders, short breaks."""
    draw = life.draw
    code = draw(_pick(["V2", "C1", "C2", "V3", "V4"]))
    life.add("legal_status_started", lac, "LS0", code=code)
    if code == "C1" and life.chance(60):  # the interim order made full
        made = lac + dt.timedelta(days=draw(_ints(20, 300)))
        life.add("legal_status_started", made, "LS0", code="C2")
    elif end is not None and life.chance(50):
        life.add("legal_status_ended", end, "LS0", code=code)


def _placements(life: _Life, lac: dt.date, end: dt.date | None) -> None:
    """Placements in turn, each with its own visiting chain."""
    draw = life.draw
    placement_start = lac
    for number in range(1, draw(_ints(1, 3)) + 1):
        permanent = life.chance(30)
        kind = draw(_pick(("U1", "U4") if permanent else ("U3", "U3", "P1", "R1", "U4")))
        details: dict[str, Any] = {}
        if kind == "P1" and life.chance(50):  # placed with parents before assessment
            details["placed_before_assessment"] = draw(_BOOLS)
        if kind in ("U4", "U3") and life.chance(30):  # connected person, temporary approval
            details["temporary_approval"] = draw(_BOOLS)
        life.add(
            "placement_started",
            placement_start,
            f"PL{number}",
            placement_type=kind,
            permanent=permanent,
            **details,
        )
        placement_end = placement_start + dt.timedelta(days=draw(_ints(10, 700)))
        anniversary = tcal.add_months(placement_start, 12)

        def visit_step(
            prev: dt.date,
            _: int,
            anniversary: dt.date = anniversary,
            permanent: bool = permanent,
        ) -> dt.date:
            if prev >= anniversary and permanent:
                return tcal.add_months(prev, 3)
            return prev + dt.timedelta(weeks=6)

        def visit_attrs() -> dict[str, Any]:
            seen = life.draw(_pick([True, True, True, False, None]))
            attrs: dict[str, Any] = {}
            if seen is not None:
                attrs["seen_alone"] = seen
            if seen is not True and life.chance(50):
                attrs["not_alone_reason"] = "child asleep"
            return attrs

        stop = min(d for d in (placement_end, end, life.horizon) if d is not None)
        life.chain(
            "lac_visit",
            placement_start,
            lambda d: d + dt.timedelta(weeks=1),
            visit_step,
            stop,
            None,
            12,
            visit_attrs,
        )
        placement_start = placement_end
        if end is not None and placement_start >= end:
            break


def _reviews(life: _Life, lac: dt.date, end: dt.date | None, period: str, dob: dt.date) -> None:
    """Reviews (and the permanence plan by the second), health assessments and PEPs."""
    draw = life.draw
    life.chain(
        "lac_review",
        lac,
        lambda d: _wd(d, 20),
        lambda prev, n: tcal.add_months(prev, 3 if n == 2 else 6),
        end,
        period,
        6,
    )
    reviews = sorted(e["date"] for e in life.events if e["type"] == "lac_review")
    if not life.chance(20):
        second_due = reviews[1] if len(reviews) > 1 else tcal.add_months(_wd(lac, 20), 3)
        plan_day = life.timed(lac, second_due)
        life.add("permanence_plan", plan_day, period)
    young = draw(_BOOLS)
    life.chain(
        "health_assessment",
        lac,
        lambda d: _wd(d, 20),
        lambda prev, _: tcal.add_months(prev, 6 if young and prev < tcal.add_years(dob, 5) else 12),
        end,
        period,
        4,
        lambda: {"kind": "review"},
    )
    life.chain(
        "pep",
        lac,
        lambda d: _wd(d, 10),
        lambda prev, _: prev + dt.timedelta(days=100),
        end,
        period,
        4,
    )


def _episodes(life: _Life, lac: dt.date) -> None:
    """Within the period: going missing, care proceedings (and adoption), secure care."""
    draw = life.draw
    if life.chance(25):  # missing from care
        gone = lac + dt.timedelta(days=draw(_ints(5, 300)))
        back = gone + dt.timedelta(days=draw(_ints(0, 4)))
        life.add("missing_started", gone, "M1")
        life.add("missing_returned", back, "M1")
        life.add(
            "return_interview",
            life.timed(back, back + dt.timedelta(days=3), 0),
            "M1",
            offered=draw(_pick([True, True, False])),
        )
    if life.chance(30):
        _proceedings(life, lac)
    if life.chance(10):  # secure accommodation
        secure = lac + dt.timedelta(days=draw(_ints(10, 200)))
        length = draw(_ints(1, 6))
        life.add("secure_started", secure, "SE1")
        life.add("secure_ended", secure + dt.timedelta(days=length), "SE1")
        if length > 3 and not life.late():
            life.add("secure_order", secure + dt.timedelta(days=draw(_ints(0, 3))), "SE1")


def _proceedings(life: _Life, lac: dt.date) -> None:
    """Care proceedings, perhaps extended, perhaps ending in adoption."""
    draw = life.draw
    issued = lac + dt.timedelta(days=draw(_ints(0, 20)))
    life.add("proceedings_issued", issued, "CO1")
    if life.chance(30):
        extended = issued + dt.timedelta(days=170)
        life.add("proceedings_extended", extended, "CO1", weeks=draw(_ints(1, 10)))
    life.add("proceedings_concluded", life.timed(issued, issued + dt.timedelta(days=181)), "CO1")
    if life.chance(40):  # adoption
        order = issued + dt.timedelta(days=draw(_ints(150, 250)))
        life.add("placement_order", order, "AD1")
        match = life.timed(order, order + dt.timedelta(days=121))
        life.add("adoption_match", match, "AD1")
        life.add("placed_for_adoption", life.timed(match, lac + dt.timedelta(days=426)), "AD1")


def _leaving_care(
    life: _Life, lac: dt.date, end: dt.date | None, period: str, dob: dt.date
) -> None:
    """The 16th birthday while looked after: needs assessment, pathway plan, then leaving
    care and the personal adviser's contacts."""
    sixteen = tcal.add_years(dob, 16)
    educated = life.draw(_BOOLS)
    if lac <= sixteen and (end is None or sixteen <= end):
        assessed = life.timed(sixteen, tcal.add_months(sixteen, 3), 0)
        life.add("needs_assessment", assessed, "P1", in_education=educated)
        life.chain(
            "pathway_plan_review",
            sixteen,
            lambda d: tcal.add_months(d, 7),
            _months(6),
            None,
            "P1",
            3,
        )
    if end is not None:
        life.add("ceased_looked_after", end, period)
        if end >= sixteen:
            life.add("left_care", end, "LC1", in_education=educated)
            life.chain(
                "pa_contact", end, lambda d: tcal.add_months(d, 2), _months(2), None, "LC1", 5
            )


def _private_fostering(life: _Life, start: dt.date) -> None:
    """A private fostering arrangement (rarely): notified, visited, perhaps ended."""
    draw = life.draw
    notified = start + dt.timedelta(days=draw(_ints(0, 60)))
    life.add("pf_notified", notified, "F1")
    anniversary = tcal.add_months(notified, 12)
    life.chain(
        "pf_visit",
        notified,
        lambda d: _wd(d, 7),
        lambda prev, _: prev + dt.timedelta(weeks=6 if prev < anniversary else 12),
        None,
        "F1",
        8,
        lambda: {"seen_alone": life.draw(_BOOLS)},
    )
    if life.chance(50):
        life.add("pf_ended", notified + dt.timedelta(days=draw(_ints(10, 700))), "F1")


def _legal_status_spell(life: _Life, start: dt.date) -> None:
    """A legal-status spell: police protection, EPO, child assessment order, short breaks."""
    draw = life.draw
    code = draw(_pick(["L1", "L2", "L3", "V3", "V4"]))
    began = start + dt.timedelta(days=draw(_ints(0, 400)))
    life.add("legal_status_started", began, "LS1", code=code)
    limit = {"L1": 3, "L2": 8, "L3": 6, "V3": 17, "V4": 17}[code]
    ended = life.timed(began, began + dt.timedelta(days=limit))
    life.add("legal_status_ended", ended, "LS1", code=code)


# --------------------------------------------------------------------------------------------
# Records focused on rules
# --------------------------------------------------------------------------------------------


def _limit_due(anchor: dt.date, limit: Limit) -> dt.date:
    """Roughly the due date of a limit (terms: a term's length), for placing events near it."""
    if limit.unit == "working_days":
        return _wd(anchor, limit.value)
    if limit.unit == "days":
        due = anchor + dt.timedelta(days=limit.value)
    elif limit.unit == "weeks":
        due = anchor + dt.timedelta(weeks=limit.value)
    elif limit.unit == "months":
        due = tcal.add_months(anchor, limit.value)
    elif limit.unit == "hours":
        due = anchor + dt.timedelta(days=-(-limit.value // 24))
    else:
        due = anchor + dt.timedelta(days=120 * limit.value)
    if limit.counting == "beginning_with":
        due -= DAY
    return due


def _near(draw: Draw, anchor: dt.date, limits: Sequence[Limit]) -> dt.date:
    """A day on, just before or just after a due date, at the anchor, or anywhere near."""
    limit = draw(_pick(list(limits))) if limits else None
    due = _limit_due(anchor, limit) if limit is not None else anchor + dt.timedelta(days=20)
    span = max((due - anchor).days, 1)
    choice = draw(
        _pick(["due", "due-1", "due+1", "anchor", "anchor+1", "inside", "after", "before"])
    )
    if choice == "due":
        return due
    if choice == "due-1":
        return due - DAY
    if choice == "due+1":
        return due + DAY
    if choice == "anchor":
        return anchor
    if choice == "anchor+1":
        return anchor + DAY
    if choice == "inside":
        return anchor + dt.timedelta(days=draw(_ints(0, span)))
    if choice == "after":
        return due + dt.timedelta(days=draw(_ints(1, 2 * span + 10)))
    return anchor - dt.timedelta(days=draw(_ints(1, 30)))


def _attrs_selecting(draw: Draw, selector: Selector, wanted: bool = True) -> dict[str, Any]:
    """Attributes that the selector picks (or, with ``wanted=False`` or by chance, does not)."""
    spec = NATIONAL_EVENT_TYPES.get(selector.type, {})
    attrs: dict[str, Any] = {}
    for name, kind in spec.items():
        if draw(_ints(0, 2)) == 0:
            value = draw(_attr_value(name, kind))
            if value is not None:
                attrs[name] = value
    for name, value in selector.where.items():
        choices = value if isinstance(value, list) else [value]
        attrs[name] = draw(_pick(list(choices)))
    for name, value in selector.unless.items():
        choices = value if isinstance(value, list) else [value]
        if name in attrs and attrs[name] in choices:
            del attrs[name]
    if not wanted or draw(_ints(0, 9)) == 0:
        # a near miss: another value for one of the selector's attributes
        keys = [*selector.where, *selector.unless]
        if keys:
            name = draw(_pick(keys))
            kind = spec.get(name, str)
            value = draw(_attr_value(name, kind))
            if value is None:
                attrs.pop(name, None)
            else:
                attrs[name] = value
    return attrs


class _Focus:
    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.events: list[dict[str, Any]] = []
        self.dob: dt.date | None = None

    def ref(self) -> str | None:
        ref: str | None = self.draw(_pick(_REFS))
        return ref

    def case(self) -> str | None:
        case: str | None = self.draw(_pick(_CASES))
        return case

    def add(
        self,
        selector: Selector | str,
        day: dt.date,
        *,
        ref: str | bool | None = True,
        case: str | bool | None = True,
        wanted: bool = True,
        attrs: dict[str, Any] | None = None,
    ) -> dt.date:
        sel = Selector(type=selector) if isinstance(selector, str) else selector
        day = min(max(day, FIRST), LAST)
        event: dict[str, Any] = {"type": sel.type, "date": day}
        chosen_ref = self.ref() if ref is True else ref
        chosen_case = self.case() if case is True else case
        if chosen_ref:
            event["ref"] = chosen_ref
        if chosen_case:
            event["case"] = chosen_case
        values = _attrs_selecting(self.draw, sel, wanted)
        values.update(attrs or {})
        if values:
            event["attrs"] = values
        self.events.append(event)
        return day


def _scope_of(rule: Rule, pack: Sequence[Rule]) -> tuple[ScheduleRule | None, list[ScheduleRule]]:
    """The schedule head a rule belongs to (itself, the one it follows, its milestone's) and
    that head's followers."""
    by_id = {r.id: r for r in pack}
    kind = REGISTRY.of(rule)
    head = by_id.get(kind.depends_on(rule) or "") if kind.depends_on(rule) else None
    if kind.leads(rule) or (kind.follows(rule) and head is None):
        head = rule
    if head is None or REGISTRY.of(head).name != "schedule":
        return None, []
    followers = [r for r in pack if REGISTRY.of(r).follows(r) == head.id]
    return cast(ScheduleRule, head), cast(list[ScheduleRule], followers)


def _anchor_date(draw: Draw, rule: Rule) -> dt.date:
    """Where a rule's story starts; near the dates its conditions or effective dates turn on."""
    pivots: list[dt.date] = []
    for limit in rule.limits():
        if limit.when is not None and limit.when.stops_on_or_before is not None:
            back = _limit_due(limit.when.stops_on_or_before, limit) - limit.when.stops_on_or_before
            pivots.append(limit.when.stops_on_or_before - back)
    if rule.effective is not None:
        pivots.extend(d for d in (rule.effective.start, rule.effective.end) if d is not None)
    for variation in rule.variations:
        pivots.extend((variation.start, variation.end))
    if pivots and draw(_BOOLS):
        pivot: dt.date = draw(_pick(pivots))
        return pivot + dt.timedelta(days=draw(_ints(-20, 20)))
    day: dt.date = draw(dates(dt.date(2002, 1, 1), dt.date(2027, 12, 31)))
    return day


def _focus_deadline(f: _Focus, rule: DeadlineRule, base: dt.date) -> None:
    draw = f.draw
    limits = rule.limits()
    clocks: list[dt.date] = []
    if rule.clock_at_age is not None:
        birthday = base + dt.timedelta(days=draw(_ints(-10, 10)))
        f.dob = tcal.add_years(birthday, -rule.clock_at_age)
        clocks.append(birthday)
    else:
        assert rule.clock is not None
        cursor = base
        for _ in range(draw(_ints(1, 3))):
            clocks.append(f.add(rule.clock, cursor))
            cursor = _near(draw, cursor, limits)
    if rule.during is not None:
        back = draw(_ints(0, 400))
        need = rule.requires_time_in
        if need is not None and draw(_BOOLS):
            # just long enough, one day short or one day over
            wanted = need.at_least.value * (7 if need.at_least.unit == "weeks" else 1)
            back = max(wanted + draw(_pick([-1, 0, 1])), 0)
        opened = clocks[0] - dt.timedelta(days=back)
        f.add(draw(_pick(rule.during.opens)), opened)
        if need is not None and rule.during.closes and draw(_BOOLS):
            # an earlier spell that counts too
            first = opened - dt.timedelta(days=draw(_ints(1, 300)))
            f.add(draw(_pick(rule.during.opens)), first)
            f.add(draw(_pick(rule.during.closes)), first + dt.timedelta(days=draw(_ints(0, 60))))
        if rule.during.closes and draw(_BOOLS):
            f.add(draw(_pick(rule.during.closes)), _near(draw, clocks[0], limits))
    if rule.counts_from_status is not None:
        for clock in clocks:
            if draw(_ints(0, 2)) == 0:
                continue
            code = draw(_pick([*rule.counts_from_status.codes, "V2"]))
            began = clock - dt.timedelta(days=draw(_pick([0, 1, 1, 2, 5, 20])))
            f.add("legal_status_started", began, attrs={"code": code})
            if draw(_ints(0, 2)) == 0:
                ended = began + dt.timedelta(days=draw(_ints(0, 3)))
                f.add("legal_status_ended", ended, attrs={"code": code})
    for clock in clocks:
        for _ in range(draw(_ints(0, 2))):
            f.add(rule.met_by, _near(draw, clock, limits))
        if rule.met_before_clock and draw(_BOOLS):
            f.add(rule.met_by, clock - dt.timedelta(days=draw(_ints(0, 40))))
        if rule.closed_by and draw(_BOOLS):
            f.add(draw(_pick(rule.closed_by)), _near(draw, clock, limits))
        if rule.void_by is not None and draw(_ints(0, 3)) == 0:
            f.add(rule.void_by, _near(draw, clock, limits))
        if rule.extension is not None:
            for _ in range(draw(_ints(0, 2))):
                f.add(
                    rule.extension.type,
                    _near(draw, clock, limits),
                    attrs={rule.extension.attr: draw(_ints(0, rule.extension.max_each + 3))},
                )
    if rule.requires_any and draw(_ints(0, 3)) > 0:
        f.add(
            draw(_pick(rule.requires_any)),
            base - dt.timedelta(days=draw(_ints(-30, 300))),
        )
    if any(lim.when is not None and lim.when.age_under_at_anchor for lim in limits):
        f.dob = base - dt.timedelta(days=draw(_ints(0, 20 * 366)))


def _focus_chain(
    f: _Focus, head: ScheduleRule, followers: Sequence[ScheduleRule], base: dt.date, most: int
) -> list[dt.date]:
    """Openings (sometimes two, sometimes closed) and a chain of the head's events."""
    draw = f.draw
    assert head.scope is not None and head.event is not None
    limits = [*head.limits(), *(lim for r in followers for lim in r.limits())]
    if any(lim.when is not None and lim.when.age_under_at_anchor for lim in limits):
        f.dob = base - dt.timedelta(days=draw(_ints(2 * 365, 8 * 365)))
    if head.scope.until_age is not None:
        age = draw(_pick([head.scope.until_age, head.scope.until_age_in_education or 25]))
        f.dob = tcal.add_years(base, -age) + dt.timedelta(days=draw(_ints(-10, 400)))
    ref = f.ref()
    case = f.case()
    opening_attrs = {"permanent": draw(_BOOLS)} if "placement_started" in head.scope.opens else {}
    if any(t in ("needs_assessment", "left_care") for t in head.scope.opens):
        opening_attrs = {"in_education": draw(_BOOLS)}
    f.add(draw(_pick(head.scope.opens)), base, ref=ref, case=case, attrs=opening_attrs)
    chain: list[dt.date] = []
    early = head.met_before_opening
    if early is not None and draw(_BOOLS):
        # an event before the opening: inside what the head allows, on its edge, or outside
        if early.unit == "months":
            span = (base - tcal.add_months(base, -early.value)).days
        else:
            span = early.value * (7 if early.unit == "weeks" else 1)
        day = base - dt.timedelta(days=draw(_pick([span, span + 1, max(span - 1, 0), 1])))
        f.add(head.event, day, ref=ref, case=case)
        chain.append(day)
    previous = base
    for n in range(draw(_ints(0, most))):
        pool = (
            head.limits()
            if n == 0
            else [*(lim for r in followers for lim in r.limits()), *head.limits()]
        )
        day = _near(draw, previous, pool)
        if day < previous and draw(_BOOLS):
            day = previous
        same = draw(_ints(0, 5)) > 0
        f.add(head.event, day, ref=ref if same else True, case=case if same else True)
        chain.append(day)
        previous = max(previous, day)
    if draw(_ints(0, 3)) == 0:  # a second opening (a new placement, a new period)
        f.add(
            draw(_pick(head.scope.opens)),
            _near(draw, base, limits),
            attrs=opening_attrs,
        )
    if head.scope.closes and draw(_BOOLS):
        f.add(
            draw(_pick(head.scope.closes)),
            _near(draw, previous, limits),
            ref=ref if draw(_BOOLS) else True,
            case=case if draw(_BOOLS) else True,
        )
    return chain


def _focus_rolling(f: _Focus, rule: RollingRule, base: dt.date) -> None:
    draw = f.draw
    limit = rule.limit[-1]
    allowed = limit.value if limit.unit == "days" else limit.value // 24
    window = rule.window.value * (30 if rule.window.unit == "months" else 1)
    cursor = base
    ref = f.ref()
    for _ in range(draw(_ints(1, 5))):
        length = draw(
            st.one_of(
                _pick([0, 1, allowed - 1, allowed, allowed + 1]),
                _ints(0, 2 * allowed + 2),
            )
        )
        length = max(length, 0)
        same = draw(_ints(0, 4)) > 0
        f.add(rule.spell.starts, cursor, ref=ref if same else True, case=None)
        if draw(_ints(0, 5)) > 0:
            f.add(
                rule.spell.ends,
                cursor + dt.timedelta(days=length),
                ref=ref if same else True,
                case=None,
            )
        cursor += dt.timedelta(days=length + draw(_ints(0, window)))
    if rule.met_by is not None:
        for _ in range(draw(_ints(0, 2))):
            offset = draw(_ints(-120, allowed + 5))
            f.add(
                rule.met_by,
                base + dt.timedelta(days=offset),
                ref=ref if draw(_BOOLS) else True,
                case=None,
            )


def _fits(value: Any, kind: type) -> bool:
    """An attribute value of the declared type (True is not an int here)."""
    if kind is bool:
        return isinstance(value, bool)
    return isinstance(value, kind) and not isinstance(value, bool)


def _attr_outcome(draw: Draw, rule: AttributeRule, meets: bool) -> dict[str, Any]:
    """Attributes that make one of the rule's tests hold (``meets``) or every one fail by a near
    miss (false for true, an empty or missing reason): met and unmet findings in turn. Only
    attributes the event type declares are set (others are left as drawn)."""
    spec = NATIONAL_EVENT_TYPES.get(rule.event.type, {})
    tests = [
        t
        for t in rule.satisfied_if_any
        if t.attr in spec and (t.equals is None or _fits(t.equals, spec[t.attr]))
    ]
    attrs: dict[str, Any] = {}
    if meets and tests:
        test = draw(_pick(tests))
        kind = spec[test.attr]
        if test.present is None:
            attrs[test.attr] = test.equals
        elif test.present:
            attrs[test.attr] = {bool: True, int: 1}.get(kind, "child refused")
        else:
            attrs[test.attr] = None
        return attrs
    for test in tests:
        kind = spec[test.attr]
        if test.present is True:  # an empty text is not a reason given
            attrs[test.attr] = draw(_pick(["", None])) if kind is str else None
        elif test.present is False:
            attrs[test.attr] = {bool: False, int: 0}.get(kind, "x")
        elif isinstance(test.equals, bool):
            attrs[test.attr] = draw(_pick([not test.equals, None]))
        elif isinstance(test.equals, int):
            attrs[test.attr] = test.equals + 1
        else:
            attrs[test.attr] = f"{test.equals}-not"
    return attrs


def _focus_attribute(f: _Focus, rule: AttributeRule, base: dt.date) -> None:
    """Events the rule selects (or nearly), each recording what a test asks, a near miss of
    every test, or whatever was drawn; now and then a second copy of the event on its day that
    says something else (the copies disagree: not shown either way)."""
    draw = f.draw
    cursor = base
    for _ in range(draw(_ints(1, 4))):
        how = draw(_pick(["meets", "misses", "drawn"]))
        attrs = None if how == "drawn" else _attr_outcome(draw, rule, how == "meets")
        f.add(rule.event, cursor, wanted=draw(_BOOLS), attrs=attrs)
        if draw(_ints(0, 5)) == 0:
            first = f.events[-1]
            f.add(
                rule.event,
                cursor,
                ref=first.get("ref"),
                case=first.get("case"),
                attrs=_attr_outcome(draw, rule, how != "meets"),
            )
        cursor += dt.timedelta(days=draw(_ints(0, 60)))


def _read_by(
    rules: Iterable[Rule],
) -> tuple[dict[str, list[Any]], list[str], list[tuple[str, str | None]]]:
    """What the rules' conditions read of the child's circumstances: placement details (and
    the values they look for), legal status codes, and the events "before the first" names."""
    details: dict[str, list[Any]] = {}
    codes: list[str] = []
    firsts: list[tuple[str, str | None]] = []

    def walk(cond: Condition) -> None:
        for name, value in (cond.placement or {}).items():
            details.setdefault(name, []).extend(value if isinstance(value, list) else [value])
        codes.extend(cond.legal_status or ())
        if cond.anchor_before_first is not None:
            firsts.append((cond.anchor_before_first.type, cond.anchor_before_first.since))
        for sub in (*(cond.any or ()), *(cond.none_of or ())):
            walk(sub)

    for rule in rules:
        for cond in rule.conditions():
            walk(cond)
    return details, codes, firsts


def _circumstances(f: _Focus, rules: Sequence[Rule]) -> None:
    """Placements, legal statuses and first reviews around the record's dates (the anchors the
    rules' conditions are read on), with the details and codes they look for, or others."""
    details, codes, firsts = _read_by(rules)
    if not (details or codes or firsts):
        return
    draw = f.draw
    days = sorted({e["date"] for e in f.events}) or [dt.date(2010, 1, 1)]

    def near() -> dt.date:
        day: dt.date = draw(_pick(days))
        return day + dt.timedelta(days=draw(st.one_of(_pick([-1, 0, 0, 1]), _ints(-60, 60))))

    for _ in range(draw(_ints(0, 3)) if details else 0):
        attrs = {}
        for name, values in details.items():
            if draw(_ints(0, 3)) > 0:
                attrs[name] = draw(_pick([*values, *_PLACEMENT_DETAILS.get(name, ())]))
        f.add("placement_started", near(), attrs=attrs)
    for _ in range(draw(_ints(0, 3)) if codes else 0):
        code = draw(_pick([*codes, "V2", "C2"]))
        began = f.add("legal_status_started", near(), attrs={"code": code})
        if draw(_ints(0, 2)) == 0:
            ended = began + dt.timedelta(days=draw(_pick([0, 1, 5, 40])))
            f.add("legal_status_ended", ended, attrs={"code": code})
    for first, since in firsts[:2]:
        for _ in range(draw(_ints(0, 2))):
            f.add(first, near())
        if since is not None and draw(_BOOLS):
            f.add(since, near())


# how a story is told around a rule of each kind with no schedule of its own
_FOCUS: dict[str, Callable[[_Focus, Any, dt.date], None]] = {
    "deadline": _focus_deadline,
    "attribute": _focus_attribute,
    "rolling": _focus_rolling,
}


def _focused(
    draw: Draw, focus: Sequence[Rule], pack: Sequence[Rule]
) -> tuple[dt.date | None, list[dict[str, Any]]]:
    f = _Focus(draw)
    readers: list[Rule] = list(focus)
    for rule in focus:
        base = _anchor_date(draw, rule)
        head, followers = _scope_of(rule, pack)
        if rule.kind in _FOCUS:
            _FOCUS[rule.kind](f, rule, base)
        elif head is not None:
            readers.extend([head, *followers])
            most = 14 if any(r.when is not None for r in followers) else 7
            _focus_chain(f, head, followers, base, most)
            met_by = getattr(rule, "met_by", None)  # a milestone's: recorded near the reviews
            if met_by is not None:
                for _ in range(draw(_ints(0, 2))):
                    f.add(met_by, base + dt.timedelta(days=draw(_ints(-10, 250))))
    _circumstances(f, readers)
    # a little noise: events of the same types, dated anywhere near
    types = sorted({s.type for r in focus for s in r.selectors()} or {"referral"})
    for _ in range(draw(_ints(0, 2))):
        noise = draw(events(types=types, dates=st.just(dt.date(2010, 1, 1))))
        shifted = noise.model_copy(update={"date": f.events[0]["date"] if f.events else FIRST})
        shifted = shifted.model_copy(
            update={"date": min(LAST, shifted.date + dt.timedelta(days=draw(_ints(-60, 400))))}
        )
        f.events.append(shifted.model_dump(exclude_defaults=True))
    if f.dob is None and draw(_ints(0, 3)) > 0:
        first = min((e["date"] for e in f.events), default=FIRST)
        f.dob = first - dt.timedelta(days=draw(_ints(0, 17 * 365)))
    return f.dob, f.events


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


def _as_rules(focus: Any) -> list[Rule]:
    if focus is None:
        return []
    if hasattr(focus, "rules") and not isinstance(focus, (list, tuple)):
        return list(focus.rules)
    if isinstance(focus, (list, tuple, set, frozenset)):
        return list(focus)
    return [focus]


def child_records(
    *,
    lateness: float | None = None,
    focus: Any = None,
    pack: Any = None,
    child: str | st.SearchStrategy[str] | None = None,
    horizon: dt.date = LAST,
    shuffle: bool = True,
) -> st.SearchStrategy[ChildRecord]:
    """Valid child records.

    :param lateness: chance that each timescale of a life course is missed (default: drawn
        per record from 0, 0.1, 0.2 and 0.5).
    :param focus: a rule, rules or a rule set: build records around them instead of a life
        course (a schedule or milestone brings its whole chain).
    :param pack: the rules a focused schedule's head and followers are looked up in (default:
        the focus itself, then the national pack).
    :param child: the child id, or a strategy for it (default ``C1`` … ``C9``).
    :param horizon: no event after this day (default 2029-12-31).
    :param shuffle: give the events in a drawn order (records accept any order).
    """
    if lateness is not None and not 0.0 <= lateness <= 1.0:
        raise ValueError("lateness is a probability between 0 and 1")
    focused = _as_rules(focus)
    lookup = [*focused, *_as_rules(pack)] if focused else []
    if focused and pack is None:
        lookup.extend(national_ruleset().rules)
    ids: st.SearchStrategy[str]
    if child is None:
        ids = _pick([f"C{n}" for n in range(1, 10)])
    elif isinstance(child, str):
        ids = st.just(child)
    else:
        ids = child

    return _records(tuple(focused), tuple(lookup), lateness, ids, horizon, shuffle)


@st.composite
def _records(
    draw: Draw,
    focused: tuple[Rule, ...],
    lookup: tuple[Rule, ...],
    lateness: float | None,
    ids: st.SearchStrategy[str],
    horizon: dt.date,
    shuffle: bool,
) -> ChildRecord:
    if focused:
        dob, items = _focused(draw, focused, lookup)
    else:
        p = lateness if lateness is not None else draw(_pick([0.0, 0.1, 0.2, 0.5]))
        dob, items = _life_course(draw, p, horizon)
    items = [e for e in items if e["date"] <= horizon]
    if shuffle and items:
        items = draw(st.permutations(items))
    data: dict[str, Any] = {
        "child": draw(ids),
        "events": [{**e, "date": e["date"].isoformat()} for e in items],
    }
    if dob is not None:
        data["dob"] = dob.isoformat()
    return ChildRecord.model_validate(data)


def as_of_dates(record: ChildRecord) -> st.SearchStrategy[dt.date]:
    """as_of dates that matter for a record: on, just before or after one of its events (or a
    few weeks or months on), and sometimes any day at all."""
    days = sorted({e.date for e in record.events})
    anywhere = _dates(dt.date(2001, 6, 1), LAST)
    if not days:
        return anywhere
    near = st.tuples(_pick(days), _pick([-1, 0, 1, 7, 30, 90, 200, 400, 1000])).map(
        lambda pair: min(LAST, max(FIRST, pair[0] + dt.timedelta(days=pair[1])))
    )
    return st.one_of(near, near, anywhere)


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@functools.cache
def national_ruleset() -> Any:
    """The national pack, loaded once (a ``RuleSet``)."""
    from ..ruleset.pack import load_rules

    return load_rules()


def rules(*, ruleset: Any = None, kinds: Iterable[str] | None = None) -> st.SearchStrategy[Rule]:
    """Single rules of a rule set (default: the national pack), optionally of some kinds."""
    source = ruleset if ruleset is not None else national_ruleset()
    wanted = set(kinds) if kinds is not None else None
    pool = [r for r in source.rules if wanted is None or r.kind in wanted]
    if not pool:
        raise ValueError("no rules of those kinds")
    return _pick(pool)


def rule_sets(
    *,
    ruleset: Any = None,
    min_size: int = 1,
    max_size: int | None = None,
    kinds: Iterable[str] | None = None,
    new_fields: bool = False,
) -> st.SearchStrategy[Any]:
    """Rule sets made of a subset of a rule set's rules (default: the national pack), as
    ``RuleSet.select`` makes them: a follower brings its schedule head, a milestone its
    schedule, and only the chosen rules are reported. ``new_fields``: each rule sometimes
    given the newer fields (``with_new_fields``)."""
    source = ruleset if ruleset is not None else national_ruleset()
    wanted = set(kinds) if kinds is not None else None
    ids = sorted(r.id for r in source.rules if wanted is None or r.kind in wanted)
    if not ids:
        raise ValueError("no rules to choose from")
    chosen = st.lists(_pick(ids), min_size=min_size, max_size=max_size or len(ids), unique=True)
    subsets = chosen.map(lambda picked: source.select(sorted(picked)))
    return subsets.flatmap(with_new_fields) if new_fields else subsets


# --------------------------------------------------------------------------------------------
# Rules with the fields the national pack may not use yet
# --------------------------------------------------------------------------------------------

_PLACEMENT_DETAILS: dict[str, tuple[Any, ...]] = {
    "placement_type": ("P1", "U1", "U3", "U4", "R1"),
    "placed_before_assessment": (True, False),
    "temporary_approval": (True, False),
    "permanent": (True, False),
}
_STATUSES = ("C1", "C2", "V2", "V3", "V4", "L1", "L2")
_FIRST_OF = (
    ("lac_review", None),
    ("lac_review", "became_looked_after"),
    ("lac_review", "placement_started"),
    ("health_assessment", "became_looked_after"),
)
_VARIED_LAW = [
    {
        "title": "Adoption and Children (Coronavirus) (Amendment) Regulations 2020, reg 8",
        "href": "https://www.legislation.gov.uk/uksi/2020/445/regulation/8",
    }
]


def _some(draw: Draw, values: Sequence[T], most: int = 3) -> list[T]:
    """One to ``most`` distinct values, in their given order."""
    picked = draw(st.sets(_pick(values), min_size=1, max_size=min(most, len(values))))
    return [v for v in values if v in picked]


CONDITION_KINDS = ("placement", "legal_status", "anchor_before_first", "any", "none_of")


@st.composite
def conditions(
    draw: Draw, case_free: bool = False, kind: str | None = None, depth: int = 0
) -> dict[str, Any]:
    """A ``Condition`` (as rule YAML gives it) on the child's circumstances on the anchor date:
    the placement in force, the legal statuses in force, "before the first review", ``any`` or
    ``none_of`` of such (``kind``: that one, of ``CONDITION_KINDS``); sometimes with one of the
    older fields on the case itself (``case_free``: never those, for rules whose instance has
    no case of its own)."""
    if kind is None:
        kind = draw(_pick(("placement", "placement", "legal_status", *CONDITION_KINDS)))
    if depth > 0 and kind in ("any", "none_of"):
        kind = "legal_status"
    out: dict[str, Any] = {}
    if kind == "placement":
        names = _some(draw, list(_PLACEMENT_DETAILS), 2)
        wanted: dict[str, Any] = {}
        for name in names:
            values = _PLACEMENT_DETAILS[name]
            wanted[name] = (
                draw(_pick(values)) if draw(_BOOLS) or len(values) == 2 else _some(draw, values)
            )
        out["placement"] = wanted
    elif kind == "legal_status":
        out["legal_status"] = _some(draw, _STATUSES)
    elif kind == "anchor_before_first":
        first, since = draw(_pick(_FIRST_OF))
        out["anchor_before_first"] = {"type": first, **({"since": since} if since else {})}
    else:
        subs = draw(st.lists(conditions(case_free, None, depth + 1), min_size=1, max_size=2))
        out[kind] = subs
    if not case_free and draw(_ints(0, 5)) == 0:
        extra = draw(_pick(("placement_permanent", "anchor_before_anniversary")))
        out[extra] = draw(_BOOLS) if extra == "placement_permanent" else 1
    return out


def _limit_like(draw: Draw, limit: Limit) -> dict[str, Any]:
    """Another limit in the same unit (a term: a few weeks instead)."""
    if limit.unit == "terms":
        return {"unit": "weeks", "value": draw(_ints(1, 16))}
    hi = {"working_days": 40, "days": 60, "weeks": 12, "months": 8, "hours": 200}[limit.unit]
    return {"unit": limit.unit, "value": draw(_ints(0, hi))}


def _variations(draw: Draw, rule: Rule) -> list[dict[str, Any]]:
    """One or two temporary changes (coronavirus, 2020) of a few weeks to a year or so."""
    out: list[dict[str, Any]] = []
    cursor = draw(dates(dt.date(2003, 1, 1), dt.date(2026, 12, 31)))
    own = rule.limits()
    for n in range(draw(_ints(1, 2))):
        end = cursor + dt.timedelta(days=draw(_pick([0, 1, 30, 120, 400])))
        variation: dict[str, Any] = {
            "from": cursor,
            "to": end,
            "name": f"temporary-change-{n + 1}",
            "says": "a temporary change to the time allowed",
            "references": _VARIED_LAW,
        }
        # a limit of its own only where the rule's limit is a due date counted from its anchor
        if own and rule.kind in ("deadline", "schedule", "attribute") and draw(_BOOLS):
            variation["limit"] = _limit_like(draw, own[-1])
        out.append(variation)
        cursor = end + dt.timedelta(days=draw(_ints(1, 200)))
    return out


def _effective(draw: Draw) -> dict[str, Any]:
    day = draw(dates(dt.date(2003, 1, 1), dt.date(2027, 12, 31)))
    which = draw(_pick(("from", "to", "both")))
    if which == "both":
        return {"from": day, "to": day + dt.timedelta(days=draw(_ints(0, 700)))}
    return {which: day}


# what ``with_new_fields(only=...)`` can single out, besides the kinds of condition
NEW_FIELDS = (
    *CONDITION_KINDS,
    "excluded_when",
    "variations",
    "effective",
    "follower_split",
    "met_before_opening",
    "requires_time_in",
    "counts_from_status",
)


@st.composite
def _enriched(draw: Draw, rule: Rule, only: str | None = None) -> list[Rule]:
    """The rule, sometimes with the newer fields (``only``: that field wherever it applies,
    and no other); a follower sometimes split in two at a date (the law changed: the old
    follower in force up to it, a new one with another limit from the day after, its ID after
    the old one's)."""
    if not REGISTRY.of(rule).per_child:
        return [rule]

    def want(feature: str, odds: int) -> bool:
        if only is None:
            return bool(draw(_ints(0, odds)) == 0)
        return feature == only

    kind = only if only in CONDITION_KINDS else None
    # where a kind of condition goes: a limit's ``when``, a follower's ``when``, the exclusion
    places = ["excluded_when"]
    if rule.limits() and rule.kind in ("deadline", "schedule", "attribute"):
        places.append("limit_when")
    if REGISTRY.of(rule).follows(rule) is not None:
        places.append("follower_when")
    place = draw(_pick(places)) if kind is not None else None

    def condition_in(where: str, odds: int) -> bool:
        return place == where if kind is not None else want(where, odds)

    data = rule.model_dump(by_alias=True, exclude_none=True)
    case_free = rule.kind == "rolling"
    if condition_in("excluded_when", 3):
        data["excluded_when"] = draw(conditions(case_free, kind))
    if want("variations", 4):
        data["variations"] = _variations(draw, rule)
    limits = data.get("limit")
    if condition_in("limit_when", 3) and limits:
        extra = {**_limit_like(draw, rule.limits()[-1]), "when": draw(conditions(False, kind))}
        data["limit"] = [extra, *limits]
    extra_rules: list[Rule] = []
    if rule.kind == "schedule" and REGISTRY.of(rule).leads(rule):
        if want("met_before_opening", 2):
            unit = draw(_pick(("days", "weeks", "months")))
            hi = {"days": 60, "weeks": 12, "months": 4}[unit]
            data["met_before_opening"] = {"unit": unit, "value": draw(_ints(0, hi))}
    elif rule.kind == "schedule":
        if condition_in("follower_when", 2):
            when = draw(conditions(False, kind))
            old = data.get("when")
            data["when"] = {**when, "any": [old]} if old and "any" not in when else when
        if want("follower_split", 2):
            split = draw(dates(dt.date(2003, 1, 1), dt.date(2027, 12, 31)))
            data["effective"] = {"to": split}
            later = {
                **data,
                "id": f"{rule.id[:-3]}9{rule.id[-2:]}",
                "name": f"{rule.name}-later",
                "effective": {"from": split + DAY},
                "limit": [_limit_like(draw, rule.limits()[-1])],
            }
            extra_rules.append(ScheduleRule.model_validate(later))
        elif want("effective", 3):
            data["effective"] = _effective(draw)
    elif want("effective", 5):
        data["effective"] = _effective(draw)
    if rule.kind == "deadline":
        rule = cast(DeadlineRule, rule)
        if rule.during is not None and want("requires_time_in", 1):
            unit = draw(_pick(("days", "weeks")))
            need: dict[str, Any] = {
                "since_age": draw(_pick((0, 10, 14, 14, 15, rule.clock_at_age or 16))),
                "at_least": {"unit": unit, "value": draw(_ints(0, 400 if unit == "days" else 60))},
            }
            if draw(_BOOLS):
                need["excluded_when"] = draw(conditions())
            data["requires_time_in"] = need
        if want("counts_from_status", 2):
            data["counts_from_status"] = {
                "codes": _some(draw, _STATUSES, 2),
                "limit": _limit_like(draw, rule.limits()[-1]),
            }
    return [type(rule).model_validate(data), *extra_rules]


def with_new_fields(ruleset: Any, only: str | None = None) -> st.SearchStrategy[Any]:
    """The rule set with each rule sometimes given the newer fields: conditions on the
    placement and legal statuses in force and "before the first review" (in limits, followers'
    ``when`` and ``excluded_when``), ``any``/``none_of``, temporary ``variations``,
    ``effective`` dates (a follower sometimes split in two at a date), ``met_before_opening``
    on schedule heads, ``requires_time_in`` and ``counts_from_status`` on deadlines. The
    reported rules stay those reported (and the later half of a reported follower).
    ``only`` (one of ``NEW_FIELDS``): that field wherever it applies, and no other."""
    if only is not None and only not in NEW_FIELDS:
        raise ValueError(f"{only!r} is not one of {', '.join(NEW_FIELDS)}")
    return _with_new_fields(ruleset, only)


@st.composite
def _with_new_fields(draw: Draw, ruleset: Any, only: str | None) -> Any:
    report = set(ruleset.report if ruleset.report is not None else ruleset.ids())
    changed: list[Rule] = []
    for rule in ruleset.rules:
        parts = draw(_enriched(rule, only))
        changed.extend(parts)
        if rule.id in report:
            report.update(p.id for p in parts)
    return ruleset.replace(changed).select(sorted(report))


def history_cuts(
    records: st.SearchStrategy[ChildRecord] | None = None,
) -> st.SearchStrategy[tuple[ChildRecord, ChildRecord]]:
    """(full, cut) pairs: a record, and the same record as an input that holds less of its
    history would give it, saying so in ``known_from`` (decisions.md, "History the input does
    not hold"). The cut is one of: every event before a day dropped (``{"from": day}``); some
    event types before a day dropped (a return's table covering one year); or a looked-after
    period's opening and its earlier events dropped (a 903 period whose first episode in the
    return is not its start: ``began``). A rule author checks that nothing is reported on the
    cut record that the full one contradicts."""
    return _history_cuts(records if records is not None else child_records())


@st.composite
def _history_cuts(
    draw: Draw, records: st.SearchStrategy[ChildRecord]
) -> tuple[ChildRecord, ChildRecord]:
    full = draw(records)
    days = sorted({e.date for e in full.events})
    if not days:
        return full, full
    events = [e.model_dump(mode="json", exclude_defaults=True) for e in full.events]
    mode = draw(_pick(["all", "types", "began"]))
    entries: list[dict[str, Any]] = []
    # (ref, a day inside the period after its start) for each period of care
    inside = [
        (e.ref, day)
        for e in full.events
        # (an opening tied by ``case`` as well cannot be said to have begun before the data:
        # ``began`` names the case by its ref alone)
        if e.type == "became_looked_after" and e.ref and e.case is None
        for day in days
        if day > e.date
        and not any(
            c.type == "ceased_looked_after" and c.ref == e.ref and e.date <= c.date < day
            for c in full.events
        )
    ]
    cut_at = draw(_pick(days))
    if mode == "began" and inside:
        # a return whose data begin at ``cut_at``, holding a period of care open then (its
        # opening is earlier: not in the data)
        ref, cut_at = draw(_pick(inside))
        kept = [e for e in events if e["date"] >= cut_at.isoformat()]
        # a return holds the episode in force on its first day, with its legal status and
        # placement: the state in force then is dated where the data begin
        # (its opening, earlier, is not a start the data hold: ``began`` says so)
        day = cut_at.isoformat()
        for kind, own in (("legal_status_started", "LSK"), ("placement_started", "PLK")):
            earlier = [e for e in events if e["type"] == kind and e["date"] < day]
            state: dict[str, Any] | None = (
                max(earlier, key=lambda e: e["date"]) if earlier else None
            )
            if state is not None and any(
                e["type"] == "legal_status_ended"
                and (e.get("attrs") or {}).get("code") == (state.get("attrs") or {}).get("code")
                and state["date"] <= e["date"] < day
                for e in events
            ):
                state = None  # it ended before the data begin: nothing of it is in force
            elif state is None and not earlier and kind == "legal_status_started":
                # no legal status at all: give the full history one from the period's start,
                # as every return has, so that the cut's copy agrees with it
                opened = min(
                    e["date"]
                    for e in events
                    if e["type"] == "became_looked_after" and e.get("ref") == ref
                )
                code = draw(_pick(["C2", "C1", "E1"]))
                state = {"type": kind, "date": opened, "ref": "LS0", "attrs": {"code": code}}
                events.append(state)
            if state is not None and not draw(st.booleans()):
                state = None
            if state is not None:
                kept.append({**state, "date": cut_at.isoformat(), "ref": own})
                entries.append({"from": cut_at.isoformat(), "case": own, "began": [kind]})
        entries.append({"from": cut_at.isoformat()})
        entries.append({"from": cut_at.isoformat(), "case": ref, "began": ["became_looked_after"]})
    elif mode == "types":
        present = sorted({e.type for e in full.events})
        types = draw(st.lists(_pick(present), min_size=1, max_size=4, unique=True))
        kept = [e for e in events if not (e["type"] in types and e["date"] < cut_at.isoformat())]
        entries.append({"from": cut_at.isoformat(), "events": sorted(types)})
    else:
        kept = [e for e in events if e["date"] >= cut_at.isoformat()]
        entries.append({"from": cut_at.isoformat()})
    data = full.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    whole = ChildRecord.model_validate({**data, "events": events})
    data["events"] = kept
    data["known_from"] = entries
    return whole, ChildRecord.model_validate(data)
