"""Limit arithmetic: the last compliant day an anchor and a limit give (the counting
convention in one place: the anchor day is excluded unless the limit counts "beginning with"
it; working days in a calendar; school terms from a council's term dates)."""

from __future__ import annotations

import datetime as dt

from .. import calendar
from .model import Limit


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
