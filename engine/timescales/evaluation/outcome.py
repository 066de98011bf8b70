"""What happened to an instance: its status and lateness from its due date, what met it and
when its case closed (the due date itself is limit arithmetic: ``rules.limits``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import calendar
from ..findings import Status


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
