"""Property tests against a naive, day-by-day reference implementation."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from timescales.calendar import (
    ENGLAND,
    SUPPORTED_FIRST,
    SUPPORTED_LAST,
    CalendarRangeError,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
)

BANK_HOLIDAYS = set(holidays.country_holidays("GB", subdiv="ENG", years=range(1999, 2032)))

dates = st.dates(min_value=date(2001, 1, 1), max_value=date(2029, 12, 31))
steps = st.integers(min_value=-400, max_value=400)


def naive_is_working(d: date, closures: frozenset[date] = frozenset()) -> bool:
    return d.weekday() < 5 and d not in BANK_HOLIDAYS and d not in closures


def naive_add(d: date, n: int, closures: frozenset[date] = frozenset()) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if naive_is_working(d, closures):
            remaining -= 1
    return d


def naive_between(a: date, b: date) -> int:
    low, high, sign = (a, b, 1) if a <= b else (b, a, -1)
    count = sum(naive_is_working(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    return sign * count


@settings(max_examples=300, deadline=None)
@given(dates, steps)
def test_add_working_days_matches_naive(start: date, n: int) -> None:
    expected = naive_add(start, n)
    if not SUPPORTED_FIRST <= expected <= SUPPORTED_LAST:
        # Near 2001 or 2029, a few hundred working days can run out of the supported range.
        with pytest.raises(CalendarRangeError):
            add_working_days(start, n)
    else:
        assert add_working_days(start, n) == expected


@settings(max_examples=300, deadline=None)
@given(dates, steps)
def test_between_inverts_add(start: date, n: int) -> None:
    assume(SUPPORTED_FIRST <= naive_add(start, n) <= SUPPORTED_LAST)
    end = add_working_days(start, n)
    if n >= 0 or is_working_day(start):
        assert working_days_between(start, end) == n
    else:
        # Counting (end, start] misses the non-working start itself, so one fewer.
        assert working_days_between(start, end) == n + 1
    # From a working day, stepping back by the same amount returns to the start.
    if n != 0 and is_working_day(start):
        assert add_working_days(end, -n) == start


@settings(max_examples=200, deadline=None)
@given(dates, dates)
def test_working_days_between_matches_naive(a: date, b: date) -> None:
    assert working_days_between(a, b) == naive_between(a, b)
    assert working_days_between(b, a) == -working_days_between(a, b)


@settings(max_examples=300, deadline=None)
@given(dates)
def test_is_working_day_matches_naive(d: date) -> None:
    assert is_working_day(d) == naive_is_working(d)
    assert (ENGLAND.non_working_reason(d) is None) == naive_is_working(d)


@settings(max_examples=100, deadline=None)
@given(st.frozensets(dates, max_size=20), dates, st.integers(min_value=-60, max_value=60))
def test_closures_match_naive(closures: frozenset[date], start: date, n: int) -> None:
    council = WorkingCalendar(closures, name="Property council")
    assert council.add_working_days(start, n) == naive_add(start, n, closures)
    for closure in closures:
        assert not council.is_working_day(closure)


@settings(max_examples=500, deadline=None)
@given(
    d=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    n=st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_and_years_agree_with_dateutil(d: date, n: int) -> None:
    from dateutil.relativedelta import relativedelta

    from timescales.calendar import add_months, add_years

    assert add_months(d, n) == d + relativedelta(months=n)
    assert add_years(d, n // 12) == d + relativedelta(years=n // 12)
