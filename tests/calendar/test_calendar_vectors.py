"""Shared calendar vectors (copied from the design's vector set) and the design.md vectors."""

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from timescales.calendar import (
    ENGLAND,
    add_months,
    add_working_days,
    beginning_with,
    is_working_day,
    working_days_between,
)

VECTORS = Path(__file__).parent / "vectors"


def _read(name: str) -> list[dict[str, str]]:
    with (VECTORS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


WORKING_DAY_ROWS = [
    (date.fromisoformat(r["start"]), int(r["n"]), date.fromisoformat(r["expected"]), r["near"])
    for r in _read("working-days.csv")
]
MONTH_ROWS = [
    (date.fromisoformat(r["start"]), int(r["months"]), date.fromisoformat(r["expected"]))
    for r in _read("months.csv")
]


def test_vector_files_are_present_and_non_trivial() -> None:
    assert len(WORKING_DAY_ROWS) > 900
    assert len(MONTH_ROWS) >= 10


@pytest.mark.parametrize(
    ("start", "n", "expected", "near"),
    WORKING_DAY_ROWS,
    ids=[f"{s.isoformat()}{n:+d}" for s, n, _, _ in WORKING_DAY_ROWS],
)
def test_working_day_vector(start: date, n: int, expected: date, near: str) -> None:
    assert add_working_days(start, n) == expected, near
    assert is_working_day(expected)
    # working_days_between counts (a, b], so stepping back from a non-working start
    # spans one working day fewer than |n| (the start itself is not counted).
    backwards_from_closed_day = n < 0 and not is_working_day(start)
    assert working_days_between(start, expected) == (n + 1 if backwards_from_closed_day else n)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    MONTH_ROWS,
    ids=[f"{s.isoformat()}{m:+d}m" for s, m, _ in MONTH_ROWS],
)
def test_month_vector(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- design.md vectors, pinned explicitly -------------------------------------------------


def test_design_vector_christmas_2022() -> None:
    # Fri 23 Dec 2022: Mon 26 (Boxing Day) and Tue 27 (Christmas substitute) are holidays.
    assert add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)


def test_design_vector_coronation() -> None:
    # Fri 5 May 2023: Mon 8 May 2023 is the coronation bank holiday.
    assert add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)


def test_design_vector_state_funeral() -> None:
    # Fri 16 Sep 2022: Mon 19 Sep 2022 is the state funeral bank holiday.
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_design_vector_minus_45_excludes_the_event_day() -> None:
    # A widely used validator counts inclusively and gets 30 Jan 2023; we do not.
    assert add_working_days(date(2023, 3, 31), -45) == date(2023, 1, 27)
    assert add_working_days(date(2023, 3, 31), -45) != date(2023, 1, 30)
    assert add_working_days(date(2023, 1, 27), 45) == date(2023, 3, 31)
    assert working_days_between(date(2023, 1, 27), date(2023, 3, 31)) == 45
    assert working_days_between(date(2023, 3, 31), date(2023, 1, 27)) == -45


def test_design_vector_minus_one_is_a_real_step_back() -> None:
    assert add_working_days(date(2023, 3, 31), -1) == date(2023, 3, 30)
    # From a Monday, one working day back is the previous Friday, not "no change".
    assert add_working_days(date(2023, 3, 27), -1) == date(2023, 3, 24)
    # From a Saturday too.
    assert add_working_days(date(2023, 3, 25), -1) == date(2023, 3, 24)
    # Plus one from a Saturday is the Monday.
    assert add_working_days(date(2023, 3, 25), 1) == date(2023, 3, 27)


def test_design_vector_zero_is_the_day_itself() -> None:
    assert add_working_days(date(2023, 3, 25), 0) == date(2023, 3, 25)  # a Saturday
    assert add_working_days(date(2022, 12, 27), 0) == date(2022, 12, 27)  # a bank holiday


def test_design_vector_months() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


@pytest.mark.parametrize(
    "issue",
    [date(2023, 1, 31), date(2024, 2, 29), date(2022, 12, 23), date(2000, 1, 1)],
    ids=lambda d: d.isoformat(),
)
def test_design_vector_26_weeks_beginning_with_issue(issue: date) -> None:
    assert beginning_with(issue, 26, "weeks") == issue + timedelta(days=181)


def test_vectors_agree_with_default_calendar_object() -> None:
    for start, n, expected, _ in WORKING_DAY_ROWS:
        assert ENGLAND.add_working_days(start, n) == expected
