"""The working-day and month arithmetic of English children's social care."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Final, NoReturn

from . import usercache

__all__ = [
    "ENGLAND",
    "SUPPORTED_FIRST",
    "SUPPORTED_LAST",
    "CalendarRangeError",
    "WorkingCalendar",
    "add_days",
    "add_months",
    "add_weeks",
    "add_working_days",
    "add_years",
    "beginning_with",
    "is_working_day",
    "working_days_between",
]

# Counting convention (pinned by tests/calendar):
#   * The day of the event is excluded: "within N days of X" is due on the Nth day after X.
#   * A working day is Monday to Friday except England bank holidays (including substitute
#     days and one-off days such as jubilees, the 2022 state funeral and the 2023 coronation)
#     and any council closure days a calendar is given.
#   * Months keep the day number, clamped to the month end (31 Jan + 1 month = 28/29 Feb).
#   * "n units beginning with X" includes X, so it ends on add_<unit>(X, n) - 1 day.

SUPPORTED_FIRST: Final[date] = date(2000, 1, 1)
"""First date for which working-day arithmetic is defined."""

SUPPORTED_LAST: Final[date] = date(2030, 12, 31)
"""Last date for which working-day arithmetic is defined."""

_FIRST_ORDINAL: Final[int] = SUPPORTED_FIRST.toordinal()
_LAST_ORDINAL: Final[int] = SUPPORTED_LAST.toordinal()
_DAY_COUNT: Final[int] = _LAST_ORDINAL - _FIRST_ORDINAL + 1

_WEEKEND_NAMES: Final[dict[int, str]] = {5: "Saturday", 6: "Sunday"}
_CLOSURE_REASON: Final[str] = "council closure day"


@cache
def _bank_holidays() -> dict[date, str]:
    """England bank holidays over the supported range, from the `holidays` package: loaded
    when a working day is first counted, not when this module is imported (a command that
    counts none, such as ``rules list``, never pays for them). Importing `holidays` imports
    every country it knows (a fifth of a second), so the table is kept in the user's cache
    (``usercache``) under a key naming the installed `holidays` (its place and the size and
    modification time of its files for England), and read from there while that holds."""
    key = _holidays_key()
    if key is not None:
        cached = _cached_holidays(key)
        if cached is not None:
            return cached
    table = _load_bank_holidays()
    if key is not None:
        usercache.write(
            _HOLIDAYS_FILE, {"key": key, "days": [[d.isoformat(), n] for d, n in table.items()]}
        )
    return table


def _load_bank_holidays() -> dict[date, str]:
    """The table, from the `holidays` package itself."""
    import holidays

    source = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(SUPPORTED_FIRST.year, SUPPORTED_LAST.year + 1)
    )
    return {
        day: str(name) for day, name in source.items() if SUPPORTED_FIRST <= day <= SUPPORTED_LAST
    }


_HOLIDAYS_FILE: Final[str] = "england-bank-holidays.json"


def _holidays_key() -> list[object] | None:
    """What the table was made from: the `holidays` package's place and the state of the files
    that define England's holidays (found without importing it), and the supported range."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = next(iter(spec.submodule_search_locations))
    files: list[object] = [1, root, SUPPORTED_FIRST.isoformat(), SUPPORTED_LAST.isoformat()]
    for name in ("version.py", "holiday_base.py", os.path.join("countries", "united_kingdom.py")):
        try:
            st = os.stat(os.path.join(root, name))
        except OSError:
            return None
        files.append([name, st.st_size, st.st_mtime_ns])
    return files


def _cached_holidays(key: list[object]) -> dict[date, str] | None:
    data = usercache.read(_HOLIDAYS_FILE)
    try:
        if data["key"] != key:
            return None
        table = {date.fromisoformat(day): name for day, name in data["days"]}
    except (TypeError, KeyError, ValueError):
        return None
    if not table or not all(isinstance(n, str) for n in table.values()):
        return None
    return table


# one lock for building any calendar's day index (built once per calendar, on first use)
_BUILDING: Final[threading.Lock] = threading.Lock()


class CalendarRangeError(ValueError):
    """A working-day computation needed a date outside the supported range."""


_RANGE_TEXT: Final[str] = (
    f"the supported range for working-day arithmetic "
    f"({SUPPORTED_FIRST.isoformat()} to {SUPPORTED_LAST.isoformat()} inclusive)"
)


def _range_error(d: date, what: str) -> NoReturn:
    raise CalendarRangeError(
        f"{what} {d.isoformat()} is outside {_RANGE_TEXT}; England bank holidays are not "
        "loaded for it, so no working day can be computed"
    )


def _check_date(d: object, what: str = "date") -> date:
    # datetime is a subclass of date; accepting it would silently mix times into day counts.
    if not isinstance(d, date) or isinstance(d, datetime):
        raise TypeError(f"{what} must be a datetime.date (not a datetime), got {d!r}")
    return d


def _check_int(n: object, what: str = "n") -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{what} must be an int, got {n!r}")
    return n


def _index(d: date, what: str) -> int:
    """Offset of d from SUPPORTED_FIRST; raises CalendarRangeError outside the range."""
    _check_date(d, what)
    offset = d.toordinal() - _FIRST_ORDINAL
    if not 0 <= offset < _DAY_COUNT:
        _range_error(d, what)
    return offset


class WorkingCalendar:
    """Immutable, thread-safe. Precomputes an index so add/between are O(1) or O(log n).

    A working day is Monday to Friday and neither an England bank holiday nor one of the
    calendar's extra closure days (for example council closure days between Christmas and
    New Year). Working-day arithmetic is defined from SUPPORTED_FIRST to SUPPORTED_LAST;
    anything that needs a date outside raises CalendarRangeError.
    """

    __slots__ = ("_closures", "_index_cache", "_name")

    _name: str
    _closures: frozenset[date]
    _index_cache: tuple[tuple[int, ...], tuple[int, ...]] | None

    def __init__(self, closures: Iterable[date] = (), *, name: str = "England") -> None:
        closure_set = frozenset(_check_date(c, "closure day") for c in closures)
        for closure in closure_set:
            if not SUPPORTED_FIRST <= closure <= SUPPORTED_LAST:
                _range_error(closure, "closure day")
        object.__setattr__(self, "_name", str(name))
        object.__setattr__(self, "_closures", closure_set)
        # the day index is built when a working day is first counted (``_tables``)
        object.__setattr__(self, "_index_cache", None)

    def _tables(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(working, cumulative): the offsets of the working days, and cumulative[i] = the
        number of working days with offset < i. Built once, on first use (the bank holiday
        tables with it); the calendar is immutable, so every build gives the same tables."""
        tables = self._index_cache
        if tables is not None:
            return tables
        with _BUILDING:
            tables = self._index_cache
            if tables is None:
                tables = self._build()
                object.__setattr__(self, "_index_cache", tables)
        return tables

    def _build(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        closed_offsets = {c.toordinal() - _FIRST_ORDINAL for c in self._closures}
        closed_offsets.update(h.toordinal() - _FIRST_ORDINAL for h in _bank_holidays())

        # SUPPORTED_FIRST.weekday() gives the weekday of offset 0; weekdays then cycle.
        first_weekday = SUPPORTED_FIRST.weekday()
        working: list[int] = []
        # cumulative[i] = number of working days with offset < i.
        cumulative: list[int] = [0] * (_DAY_COUNT + 1)
        count = 0
        for offset in range(_DAY_COUNT):
            if (first_weekday + offset) % 7 < 5 and offset not in closed_offsets:
                working.append(offset)
                count += 1
            cumulative[offset + 1] = count
        return tuple(working), tuple(cumulative)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"WorkingCalendar(name={self._name!r}, closures={len(self._closures)})"

    @property
    def name(self) -> str:
        """Human-readable name of the calendar, e.g. "England" or a council's name."""
        return self._name

    @property
    def closures(self) -> frozenset[date]:
        """The extra non-working days on top of England bank holidays."""
        return self._closures

    def with_closures(self, closures: Iterable[date], *, name: str) -> WorkingCalendar:
        """A new calendar with these closure days added to this calendar's closures."""
        return WorkingCalendar(self._closures.union(closures), name=name)

    def is_working_day(self, d: date) -> bool:
        """True if d is a working day in this calendar."""
        offset = _index(d, "date")
        cumulative = self._tables()[1]
        return cumulative[offset + 1] != cumulative[offset]

    def non_working_reason(self, d: date) -> str | None:
        """Why d is not a working day, or None if it is one.

        "Saturday" or "Sunday" takes precedence, then the bank holiday's name (substitute
        days are named "... (observed)"), then "council closure day".
        """
        if self.is_working_day(d):
            return None
        weekend = _WEEKEND_NAMES.get(d.weekday())
        if weekend is not None:
            return weekend
        holiday = _bank_holidays().get(d)
        if holiday is not None:
            return holiday
        return _CLOSURE_REASON

    def add_working_days(self, d: date, n: int) -> date:
        """The nth working day strictly after d (n > 0) or |n|th strictly before (n < 0).

        n == 0 returns d itself, even when d is not a working day. Raises
        CalendarRangeError if d or the result lies outside the supported range.
        """
        _check_int(n)
        offset = _index(d, "start date")
        if n == 0:
            return d
        working, cumulative = self._tables()
        if n > 0:
            # Working days on or before d: cumulative[offset + 1]; the nth after follows.
            position = cumulative[offset + 1] + n - 1
            if position >= len(working):
                raise CalendarRangeError(
                    f"{n} working days after {d.isoformat()} falls after "
                    f"{SUPPORTED_LAST.isoformat()}, outside {_RANGE_TEXT}"
                )
        else:
            # Working days strictly before d: cumulative[offset]; step back |n| of them.
            position = cumulative[offset] + n
            if position < 0:
                raise CalendarRangeError(
                    f"{-n} working days before {d.isoformat()} falls before "
                    f"{SUPPORTED_FIRST.isoformat()}, outside {_RANGE_TEXT}"
                )
        return date.fromordinal(_FIRST_ORDINAL + working[position])

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in (a, b]; minus the number in (b, a] when b < a."""
        offset_a = _index(a, "first date")
        offset_b = _index(b, "second date")
        cumulative = self._tables()[1]
        return cumulative[offset_b + 1] - cumulative[offset_a + 1]

    def non_working_days_between(self, a: date, b: date) -> list[tuple[date, str]]:
        """The non-working days in (a, b] (or (b, a] when b < a), oldest first, with reasons.

        Meant for explaining a due date to a social worker.
        """
        offset_a = _index(a, "first date")
        offset_b = _index(b, "second date")
        low, high = sorted((offset_a, offset_b))
        cumulative = self._tables()[1]
        result: list[tuple[date, str]] = []
        for offset in range(low + 1, high + 1):
            if cumulative[offset + 1] == cumulative[offset]:
                day = date.fromordinal(_FIRST_ORDINAL + offset)
                reason = self.non_working_reason(day)
                assert reason is not None
                result.append((day, reason))
        return result


ENGLAND: Final[WorkingCalendar] = WorkingCalendar(name="England")
"""Monday to Friday except England bank holidays; no council closure days."""


def add_working_days(d: date, n: int, calendar: WorkingCalendar = ENGLAND) -> date:
    """The nth working day after d (n > 0), |n|th before (n < 0), or d itself (n == 0)."""
    return calendar.add_working_days(d, n)


def working_days_between(a: date, b: date, calendar: WorkingCalendar = ENGLAND) -> int:
    """Number of working days in (a, b]; negative when b < a."""
    return calendar.working_days_between(a, b)


def is_working_day(d: date, calendar: WorkingCalendar = ENGLAND) -> bool:
    """True if d is a working day in the calendar (England by default)."""
    return calendar.is_working_day(d)


def add_days(d: date, n: int) -> date:
    """d plus n calendar days (any date)."""
    return _check_date(d) + timedelta(days=_check_int(n))


def add_weeks(d: date, n: int) -> date:
    """d plus n weeks (any date)."""
    return _check_date(d) + timedelta(weeks=_check_int(n))


def add_months(d: date, n: int) -> date:
    """d plus n months: same day number, clamped to the month end (31 Jan + 1 = 28/29 Feb).

    Plain arithmetic (the same result as dateutil's relativedelta, which the tests check): it
    sits in every schedule's hot loop."""
    _check_date(d)
    total = d.year * 12 + (d.month - 1) + _check_int(n)
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    last = _MONTH_DAYS[month] if month != 2 else (29 if _isleap(year) else 28)
    return date(year, month, min(d.day, last))


def add_years(d: date, n: int) -> date:
    """d plus n years: same day and month, 29 Feb clamped to 28 Feb in a non-leap year."""
    return add_months(d, 12 * _check_int(n))


_MONTH_DAYS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _isleap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_UNIT_ADDERS: Final = {"days": add_days, "weeks": add_weeks, "months": add_months}


def beginning_with(d: date, n: int, unit: str) -> date:
    """Last day of the period of n units ("days", "weeks" or "months") beginning with d.

    The period includes d, so it ends the day before add_<unit>(d, n): 26 weeks beginning
    with an issue date ends on the issue date + 181 days.
    """
    adder = _UNIT_ADDERS.get(unit)
    if adder is None:
        raise ValueError(f"unit must be one of {sorted(_UNIT_ADDERS)}, got {unit!r}")
    if _check_int(n) < 1:
        raise ValueError(f"a period beginning with a date needs n >= 1, got {n}")
    return adder(d, n) - timedelta(days=1)
