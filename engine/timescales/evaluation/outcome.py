"""From an anchor, a limit and what happened to a status: the counting convention in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import calendar
from ..findings import Status
from ..rules.model import Limit


class TermsUnavailable(LookupError):
    """No school term dates cover the anchor (they come from a council plugin)."""


Terms = tuple[tuple[dt.date, dt.date], ...]


def end_of_term_after(anchor: dt.date, n: int, terms: Terms | None) -> dt.date:
    """The last day of the Nth term after the term of ``anchor`` (in a holiday: the term just
    ended). ``terms`` are (first day, last day) pairs in date order."""
    if not terms:
        raise TermsUnavailable("no school term dates")
    current = None
    for index, (start, _) in enumerate(terms):
        if start <= anchor:
            current = index
    if current is None or current + n >= len(terms):
        raise TermsUnavailable(f"no school term dates around {anchor.isoformat()}")
    return terms[current + n][1]


def due_date(
    anchor: dt.date, limit: Limit, cal: calendar.WorkingCalendar, terms: Terms | None = None
) -> dt.date:
    """The last compliant day: the day of the anchor is excluded (design.md), unless the limit
    counts "beginning with" it (then the period's last day is one day earlier)."""
    unit, value = limit.unit, limit.value
    if limit.counting == "beginning_with":
        return calendar.beginning_with(anchor, value, unit)
    if unit == "terms":
        return end_of_term_after(anchor, value, terms)
    if unit == "working_days":
        return cal.add_working_days(anchor, value)
    if unit == "days":
        return calendar.add_days(anchor, value)
    if unit == "weeks":
        return calendar.add_weeks(anchor, value)
    if unit == "months":
        return calendar.add_months(anchor, value)
    # hours on date-only data: whole days, rounded up (72 hours = 3 days)
    return calendar.add_days(anchor, -(-value // 24))


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    days_late: int | None
    working_days_late: int | None


def outcome(
    *,
    due: dt.date,
    done: dt.date | None,
    close: dt.date | None,
    as_of: dt.date,
    cal: calendar.WorkingCalendar,
    working: bool,
) -> Outcome | None:
    """Status and lateness; None when the case closed on or before ``due`` without the event."""
    if done is not None:
        if done <= due:
            return Outcome(Status.MET, 0, 0)
        return Outcome(Status.LATE, (done - due).days, _wd(due, done, cal, working))
    if close is not None and close <= due:
        return None
    if as_of <= due:
        return Outcome(Status.PENDING, None, None)
    end = as_of if close is None else min(close, as_of)
    return Outcome(Status.OVERDUE, (end - due).days, _wd(due, end, cal, working))


def attribute_outcome(done: dt.date | None) -> Outcome:
    """An attribute rule's status: met when the event itself recorded what the law requires
    (``done`` is then the event's date), else unmet: the event happened, but not as required.
    Not a deadline: never pending or overdue, and an unmet event has no days late (null)."""
    if done is not None:
        return Outcome(Status.MET, 0, 0)
    return Outcome(Status.UNMET, None, None)


def _wd(start: dt.date, end: dt.date, cal: calendar.WorkingCalendar, working: bool) -> int | None:
    # A working-day rule outside the calendar's years must fail (the record is rejected); a
    # calendar-day rule still has a days_late, and no working-day figure.
    if working:
        return cal.working_days_between(start, end)
    try:
        return cal.working_days_between(start, end)
    except calendar.CalendarRangeError:
        return None
