"""The one place text becomes a date: every input's date forms, with one set of refusals.

Each input has its convention, named here and nowhere else:

- ``parse_iso``: ISO ``YYYY-MM-DD`` exactly (canonical records, rule files, ``--as-of``, the
  service). Nothing looser: ``20240331``, ``2024-W13-7``, ``2024-3-31`` and date-times are refused.
- ``parse_census``: the CIN census's ``xs:date``, ``YYYY-MM-DD`` with an optional time zone.
- ``parse_uk``: SSDA903's ``dd/mm/yyyy`` (``d/m/yyyy`` too).
- ``parse_export``: what councils' SQL exports hold (SSD): ``YYYY-MM-DD``, ``YYYY/MM/DD`` or
  ``dd/mm/yyyy``, each with an optional time, or ``YYYYMMDD``.
- ``parse_cell``: a spreadsheet cell (Annex A): an Excel date or serial number (``openpyxl``), or
  text as people type it (``dd/mm/yyyy``, ``dd-mm-yy``, ``12 March 2024``...).

A value that is not a date raises ``DateError`` (a ``ValueError``): its ``kind`` says which way it
failed (``form``, ``calendar``, ``range``, ``date-time``, ``type``), its message says why in the
same words for every input, and its ``value_class`` is ``errors.value_class`` of the value: never
the value itself, which may be a date of birth. ``suggest_iso`` says which ISO date a refused text
most likely meant, for a usage message ("use 2024-03-31").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from typing import Final, Literal

from .errors import value_class

DateFault = Literal["form", "calendar", "range", "date-time", "type"]

ISO_FORM: Final = "YYYY-MM-DD"
UK_FORM: Final = "dd/mm/yyyy"
EXPORT_FORMS: Final = "(YYYY-MM-DD, YYYY-MM-DD hh:mm:ss[.fff] or DD/MM/YYYY)"
CELL_FORMS: Final = (
    "(an Excel date, an Excel serial number, dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, "
    "dd/mm/yy, or 12 March 2024)"
)
NOT_REAL: Final = "not a real calendar date"
# a spreadsheet's years: dd/mm/yy reads 00-68 as 2000-2068 and 69-99 as 1969-1999 (Python's %y)
TWO_DIGIT_YEAR_PIVOT: Final = 69
FIRST_YEAR, LAST_YEAR = 1900, 2099
# 1900-01-01 .. 2099-12-31 in Excel's serial numbers
_SERIALS: Final = (1, 73051)


class DateError(ValueError):
    """A value that is not a date in the form asked for; ``str()`` is why (never the value)."""

    def __init__(self, fault: DateFault, reason: str, value: object) -> None:
        super().__init__(reason)
        self.fault: DateFault = fault
        self.reason = reason
        self.value_class = value_class(value)


def not_a_date(value: object, forms: str) -> DateError:
    """The refusal of a value in none of ``forms``: "not a date dd/mm/yyyy"."""
    return DateError("form", f"not a date {forms}", value)


def real_date(year: int, month: int, day: int, value: object) -> dt.date:
    """The calendar date, or the refusal "not a real calendar date" (31/02, month 13)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError("calendar", NOT_REAL, value) from None


# --- ISO ------------------------------------------------------------------------------------------


def parse_iso(value: object) -> dt.date:
    """A ``datetime.date``, or an exact ISO ``YYYY-MM-DD`` string; nothing looser."""
    if isinstance(value, dt.datetime):
        raise DateError("date-time", f"a date-time, not a date {ISO_FORM}", value)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError("type", f"not a date {ISO_FORM}", value)
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise not_a_date(value, ISO_FORM)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        digits = value[:4] + value[5:7] + value[8:]
        if not (digits.isascii() and digits.isdigit()):
            raise not_a_date(value, ISO_FORM) from None
        raise DateError("calendar", NOT_REAL, value) from None


_ZONED = re.compile(r"\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?")


def parse_census(text: str) -> dt.date:
    """An ``xs:date``: ``YYYY-MM-DD``, optionally with a time zone (dropped)."""
    if not _ZONED.fullmatch(text):
        raise not_a_date(text, ISO_FORM)
    return parse_iso(text[:10])


# --- UK day/month/year ----------------------------------------------------------------------------

_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_uk(text: str) -> dt.date:
    """``dd/mm/yyyy`` (``d/m/yyyy`` too), as an SSDA903 return writes its dates."""
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        day, month, year = text[:2], text[3:5], text[6:]
    elif match := _UK.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise not_a_date(text, UK_FORM)
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise not_a_date(text, UK_FORM)
    return real_date(int(year), int(month), int(day), text)


# --- councils' SQL exports ------------------------------------------------------------------------

_EXPORT_TIME = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_EXPORT_YMD = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _EXPORT_TIME),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + _EXPORT_TIME),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXPORT_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _EXPORT_TIME)


def parse_export(text: str) -> dt.date:
    """A date as SQL exports write it (``text`` stripped, not blank): see ``EXPORT_FORMS``, or
    ``YYYYMMDD``; a time after the date is dropped."""
    for form in _EXPORT_YMD:
        if m := form.fullmatch(text):
            return real_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _EXPORT_DMY.fullmatch(text):
        return real_date(int(m[3]), int(m[2]), int(m[1]), text)
    raise not_a_date(text, EXPORT_FORMS)


# --- spreadsheet cells ----------------------------------------------------------------------------

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_CELL_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_CELL_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _CELL_TIME)
_CELL_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _CELL_TIME)
_CELL_TEXT = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]+)\.?,?[\s\-/]+(\d{4}|\d{2})")
_CELL_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")  # 10000-99999: 1927-05-18 onwards


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
    return year


def _spreadsheet_date(year: int, month: int, day: int, value: object) -> dt.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError("range", f"the year is outside {FIRST_YEAR}-{LAST_YEAR}", value)
    return real_date(year, month, day, value)


def _serial(value: float, epoch: dt.datetime | None, original: object) -> dt.date:
    from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

    if epoch is None:
        raise DateError("type", "a number, not a date", original)
    if not math.isfinite(value) or not _SERIALS[0] <= value < _SERIALS[1]:
        raise DateError("type", "a number that is not an Excel date serial", original)
    when = from_excel(value, epoch)
    if not isinstance(when, dt.datetime):
        raise DateError("type", "a number that is not an Excel date serial", original)
    return _spreadsheet_date(when.year, when.month, when.day, original)


def parse_cell(
    value: object, epoch: dt.datetime | None = None, blanks: frozenset[str] = frozenset({""})
) -> dt.date | None:
    """A date from a spreadsheet cell: an Excel date, an Excel serial number (``epoch``: the
    workbook's; a number without one is refused), or text in ``CELL_FORMS``. None for a blank
    (``None``, or text in ``blanks`` once spaces are folded and it is lower-cased)."""
    if value is None:
        return None
    if isinstance(value, dt.date):  # a datetime too: its day
        return _spreadsheet_date(value.year, value.month, value.day, value)
    if isinstance(value, bool):
        raise DateError("type", "a true/false value, not a date", value)
    if isinstance(value, int | float):
        return _serial(value, epoch, value)
    if isinstance(value, dt.time | dt.timedelta):
        raise DateError("type", "a time, not a date", value)
    text = " ".join(str(value).split()).lower()
    if text in blanks:
        return None
    if epoch is not None and _CELL_SERIAL.fullmatch(text):
        # a date cell not formatted as a date, exported as text (a CSV) or pasted as text
        return _serial(float(text), epoch, value)
    if m := _CELL_ISO.fullmatch(text):
        return _spreadsheet_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _CELL_DMY.fullmatch(text):
        return _spreadsheet_date(_year(m[3]), int(m[2]), int(m[1]), value)
    if (m := _CELL_TEXT.fullmatch(text)) and m[2] in _MONTHS:
        return _spreadsheet_date(_year(m[3]), _MONTHS[m[2]], int(m[1]), value)
    raise not_a_date(value, CELL_FORMS)


# --- what a refused text meant --------------------------------------------------------------------

_SUGGEST_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_SUGGEST_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def suggest_iso(text: str) -> dt.date | None:
    """The date ``text`` most likely means, when it is not ISO YYYY-MM-DD: another ISO 8601 form
    (20240331, 2024-W13-7, a date-time), a UK day/month/year (31/03/2024, 31-03-24), or
    an unpadded year-month-day (2024-3-31). None when it is none of these."""
    text = text.strip()
    with contextlib.suppress(ValueError):
        return dt.date.fromisoformat(text)
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text).date()
    if match := _SUGGEST_DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        with contextlib.suppress(ValueError):
            return dt.date(year + 2000 if year < 100 else year, month, day)
    if match := _SUGGEST_YMD.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        with contextlib.suppress(ValueError):
            return dt.date(year, month, day)
    return None
