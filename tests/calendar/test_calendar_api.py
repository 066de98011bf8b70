"""Range errors, closures, reasons, immutability and calendar-day arithmetic."""

import threading
from datetime import date, datetime, timedelta

import pytest

from timescales import calendar as cal
from timescales.calendar import (
    ENGLAND,
    SUPPORTED_FIRST,
    SUPPORTED_LAST,
    CalendarRangeError,
    WorkingCalendar,
    add_days,
    add_months,
    add_weeks,
    add_working_days,
    add_years,
    beginning_with,
    is_working_day,
    working_days_between,
)

# --- supported range ----------------------------------------------------------------------


def test_supported_range_constants() -> None:
    assert date(2000, 1, 1) == SUPPORTED_FIRST
    assert date(2030, 12, 31) == SUPPORTED_LAST
    assert issubclass(CalendarRangeError, ValueError)


def test_start_before_range_raises_with_clear_message() -> None:
    with pytest.raises(CalendarRangeError) as excinfo:
        add_working_days(date(1999, 12, 31), 1)
    message = str(excinfo.value)
    assert "1999-12-31" in message
    assert "2000-01-01" in message
    assert "2030-12-31" in message


def test_start_after_range_raises() -> None:
    with pytest.raises(CalendarRangeError, match="2031-01-01"):
        add_working_days(date(2031, 1, 1), -1)


def test_zero_from_out_of_range_start_still_raises() -> None:
    with pytest.raises(CalendarRangeError):
        add_working_days(date(2031, 6, 2), 0)


def test_result_beyond_range_raises() -> None:
    # Tue 31 Dec 2030 is a working day but there is nothing after it within the range.
    assert add_working_days(date(2030, 12, 30), 1) == date(2030, 12, 31)
    with pytest.raises(CalendarRangeError, match="2030-12-31"):
        add_working_days(date(2030, 12, 31), 1)
    with pytest.raises(CalendarRangeError):
        add_working_days(date(2030, 11, 1), 45)


def test_result_before_range_raises() -> None:
    # Mon 3 Jan 2000 was the New Year substitute day; Tue 4 Jan is the first working day.
    assert add_working_days(date(2000, 1, 5), -1) == date(2000, 1, 4)
    with pytest.raises(CalendarRangeError, match="2000-01-01"):
        add_working_days(date(2000, 1, 4), -1)
    with pytest.raises(CalendarRangeError):
        add_working_days(date(2000, 2, 1), -45)


def test_working_days_between_across_the_edge_raises() -> None:
    with pytest.raises(CalendarRangeError, match="2031-01-02"):
        working_days_between(date(2030, 12, 1), date(2031, 1, 2))
    with pytest.raises(CalendarRangeError, match="1999-12-01"):
        working_days_between(date(1999, 12, 1), date(2000, 1, 31))
    with pytest.raises(CalendarRangeError):
        working_days_between(date(2000, 1, 31), date(1999, 12, 1))


def test_edges_themselves_are_supported() -> None:
    assert not is_working_day(SUPPORTED_FIRST)  # Saturday 1 Jan 2000
    assert is_working_day(SUPPORTED_LAST)  # Tuesday 31 Dec 2030
    assert working_days_between(SUPPORTED_FIRST, SUPPORTED_LAST) > 7000
    assert working_days_between(SUPPORTED_FIRST, SUPPORTED_FIRST) == 0


def test_other_working_day_queries_raise_outside_range() -> None:
    with pytest.raises(CalendarRangeError):
        is_working_day(date(2031, 1, 1))
    with pytest.raises(CalendarRangeError):
        ENGLAND.non_working_reason(date(1999, 12, 25))
    with pytest.raises(CalendarRangeError):
        ENGLAND.non_working_days_between(date(2030, 12, 1), date(2031, 1, 1))
    with pytest.raises(CalendarRangeError, match="2031-01-01"):
        WorkingCalendar([date(2031, 1, 1)], name="Future council")


@pytest.mark.parametrize("year", [1850, 1999, 2031, 2100])
def test_calendar_arithmetic_works_for_any_date(year: int) -> None:
    assert add_months(date(year, 1, 31), 1) == date(year, 2, 29 if _leap(year) else 28)
    assert add_months(date(year, 3, 31), -1) == date(year, 2, 29 if _leap(year) else 28)
    assert add_days(date(year, 12, 31), 1) == date(year + 1, 1, 1)
    assert add_weeks(date(year, 1, 1), 2) == date(year, 1, 15)
    assert add_years(date(year, 6, 15), 1) == date(year + 1, 6, 15)
    assert beginning_with(date(year, 1, 1), 12, "months") == date(year, 12, 31)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# --- calendar-day arithmetic --------------------------------------------------------------


def test_add_days_and_weeks() -> None:
    assert add_days(date(2023, 12, 25), 7) == date(2024, 1, 1)
    assert add_days(date(2023, 1, 1), -1) == date(2022, 12, 31)
    assert add_days(date(2023, 1, 1), 0) == date(2023, 1, 1)
    assert add_weeks(date(2023, 1, 1), 26) == date(2023, 7, 2)
    assert add_weeks(date(2023, 1, 1), -1) == date(2022, 12, 25)


def test_add_months_clamps_and_does_not_drift() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 1, 31), 2) == date(2023, 3, 31)  # not 28 Mar
    assert add_months(date(2023, 1, 31), 3) == date(2023, 4, 30)
    assert add_months(date(2023, 5, 31), -3) == date(2023, 2, 28)
    assert add_months(date(2023, 1, 15), 0) == date(2023, 1, 15)
    assert add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)


def test_add_years_clamps_29_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert add_years(date(2023, 3, 1), 1) == date(2024, 3, 1)


def test_beginning_with() -> None:
    issue = date(2023, 3, 1)
    assert beginning_with(issue, 26, "weeks") == issue + timedelta(days=181)
    assert beginning_with(issue, 1, "days") == issue
    assert beginning_with(issue, 10, "days") == date(2023, 3, 10)
    assert beginning_with(issue, 3, "months") == date(2023, 5, 31)
    assert beginning_with(date(2023, 1, 31), 1, "months") == date(2023, 2, 27)


@pytest.mark.parametrize("unit", ["years", "day", "working days", ""])
def test_beginning_with_rejects_unknown_units(unit: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        beginning_with(date(2023, 1, 1), 1, unit)


def test_beginning_with_rejects_empty_periods() -> None:
    with pytest.raises(ValueError):
        beginning_with(date(2023, 1, 1), 0, "weeks")


def test_datetimes_are_rejected() -> None:
    moment = datetime(2023, 1, 2, 9, 30)  # noqa: DTZ001 - deliberately naive, must be refused
    with pytest.raises(TypeError):
        add_working_days(moment, 1)
    with pytest.raises(TypeError):
        add_months(moment, 1)


# --- working_days_between and add_working_days basics -------------------------------------


def test_working_days_between_conventions() -> None:
    fri, sat, sun, mon = (date(2023, 3, d) for d in (24, 25, 26, 27))
    assert working_days_between(fri, fri) == 0
    assert working_days_between(fri, mon) == 1  # (Fri, Mon] = {Mon}
    assert working_days_between(mon, fri) == -1
    assert working_days_between(fri, sun) == 0
    assert working_days_between(sat, mon) == 1
    assert working_days_between(date(2023, 3, 23), fri) == 1


def test_module_functions_accept_a_calendar() -> None:
    wednesday = date(2023, 3, 22)
    closed = WorkingCalendar([wednesday], name="Closed Wednesday")
    assert is_working_day(wednesday)
    assert not is_working_day(wednesday, closed)
    assert add_working_days(date(2023, 3, 21), 1, closed) == date(2023, 3, 23)
    assert working_days_between(date(2023, 3, 21), date(2023, 3, 23), closed) == 1


# --- closures ------------------------------------------------------------------------------


def test_closure_on_a_wednesday_is_skipped_only_by_that_calendar() -> None:
    tuesday, wednesday, thursday = date(2024, 7, 16), date(2024, 7, 17), date(2024, 7, 18)
    assert wednesday.weekday() == 2
    council = WorkingCalendar([wednesday], name="Anyshire")
    assert council.name == "Anyshire"
    assert not council.is_working_day(wednesday)
    assert council.non_working_reason(wednesday) == "council closure day"
    assert council.add_working_days(tuesday, 1) == thursday
    assert council.add_working_days(thursday, -1) == tuesday
    assert council.working_days_between(tuesday, thursday) == 1
    # The default England calendar is unaffected.
    assert ENGLAND.name == "England"
    assert ENGLAND.is_working_day(wednesday)
    assert ENGLAND.non_working_reason(wednesday) is None
    assert add_working_days(tuesday, 1) == wednesday
    assert working_days_between(tuesday, thursday) == 2


def test_with_closures_adds_to_existing_closures() -> None:
    christmas_week = WorkingCalendar([date(2024, 12, 27)], name="A")
    more = christmas_week.with_closures([date(2024, 12, 30), date(2024, 12, 31)], name="B")
    assert more.name == "B"
    assert christmas_week.name == "A"
    assert more.closures == {date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31)}
    assert christmas_week.closures == {date(2024, 12, 27)}
    # Tue 24 Dec: 25, 26 bank holidays, 27 closed, 28-29 weekend, 30-31 closed, 1 Jan holiday.
    assert more.add_working_days(date(2024, 12, 24), 1) == date(2025, 1, 2)
    assert christmas_week.add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 30)
    assert ENGLAND.add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 27)


def test_closure_on_weekend_or_bank_holiday_changes_nothing() -> None:
    council = WorkingCalendar([date(2024, 12, 25), date(2024, 12, 28)], name="C")
    for day in (date(2024, 12, 20), date(2024, 12, 24), date(2025, 1, 1)):
        assert council.add_working_days(day, 5) == ENGLAND.add_working_days(day, 5)
    assert council.non_working_reason(date(2024, 12, 25)) == "Christmas Day"
    assert council.non_working_reason(date(2024, 12, 28)) == "Saturday"


# --- reasons --------------------------------------------------------------------------------


def test_non_working_reason() -> None:
    assert ENGLAND.non_working_reason(date(2023, 3, 22)) is None
    assert ENGLAND.non_working_reason(date(2023, 3, 25)) == "Saturday"
    assert ENGLAND.non_working_reason(date(2023, 3, 26)) == "Sunday"
    assert ENGLAND.non_working_reason(date(2023, 5, 8)) == "Coronation of Charles III"
    assert ENGLAND.non_working_reason(date(2022, 9, 19)) == "State Funeral of Queen Elizabeth II"
    assert ENGLAND.non_working_reason(date(2022, 12, 26)) == "Boxing Day"
    substitute = ENGLAND.non_working_reason(date(2022, 12, 27))
    assert substitute is not None
    assert "Christmas" in substitute
    # A holiday that falls at a weekend is explained by the weekend.
    assert ENGLAND.non_working_reason(date(2022, 12, 25)) == "Sunday"


def test_non_working_days_between_explains_a_due_date() -> None:
    expected = [
        (date(2022, 12, 24), "Saturday"),
        (date(2022, 12, 25), "Sunday"),
        (date(2022, 12, 26), "Boxing Day"),
        (date(2022, 12, 27), ENGLAND.non_working_reason(date(2022, 12, 27))),
    ]
    start = date(2022, 12, 23)
    due = add_working_days(start, 1)
    assert ENGLAND.non_working_days_between(start, due) == expected
    # Reversed arguments describe the same interval; equal arguments describe nothing.
    assert ENGLAND.non_working_days_between(due, start) == expected
    assert ENGLAND.non_working_days_between(start, start) == []
    # (a, b] excludes a: starting on the Saturday leaves it out.
    assert ENGLAND.non_working_days_between(date(2022, 12, 24), due) == expected[1:]


def test_non_working_days_between_agrees_with_counts() -> None:
    a, b = date(2022, 1, 1), date(2023, 12, 31)
    listed = ENGLAND.non_working_days_between(a, b)
    assert len(listed) + working_days_between(a, b) == (b - a).days
    assert all(not is_working_day(d) for d, _ in listed)


# --- immutability and sharing ---------------------------------------------------------------


def test_calendar_is_immutable() -> None:
    with pytest.raises(AttributeError):
        ENGLAND.name = "Wales"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ENGLAND._working = ()
    with pytest.raises(AttributeError):
        del ENGLAND._closures
    assert ENGLAND.closures == frozenset()
    assert "England" in repr(ENGLAND)


def test_calendar_is_safe_to_share_between_threads() -> None:
    council = WorkingCalendar([date(2024, 7, 17)], name="Threads")
    starts = [date(2010, 1, 1) + timedelta(days=i * 37) for i in range(200)]
    expected = [(council.add_working_days(s, 20), council.add_working_days(s, -20)) for s in starts]
    results: list[list[tuple[date, date]]] = []

    def worker() -> None:
        results.append(
            [(council.add_working_days(s, 20), council.add_working_days(s, -20)) for s in starts]
        )

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_module_exports() -> None:
    for name in cal.__all__:
        assert hasattr(cal, name)
    assert cal.__doc__ is not None
    assert "working-day and month arithmetic" in cal.__doc__
    assert "\n" not in cal.__doc__.strip()
