"""Every England bank holiday 2012-2027 is a non-working day and is skipped.

The list below is typed in from the gov.uk list of England and Wales bank holidays,
independently of the `holidays` package, so that the two can be cross-checked. Only the
days off are listed (a holiday falling at a weekend is replaced by its substitute day,
which is what gov.uk lists).
"""

from datetime import date, timedelta

import holidays
import pytest

from timescales.calendar import (
    ENGLAND,
    add_working_days,
    is_working_day,
    working_days_between,
)

ENGLAND_BANK_HOLIDAYS_2012_2027: dict[date, str] = {
    # 2012
    date(2012, 1, 2): "New Year's Day (substitute day)",
    date(2012, 4, 6): "Good Friday",
    date(2012, 4, 9): "Easter Monday",
    date(2012, 5, 7): "Early May bank holiday",
    date(2012, 6, 4): "Spring bank holiday (moved for the jubilee)",
    date(2012, 6, 5): "Queen's Diamond Jubilee",
    date(2012, 8, 27): "Summer bank holiday",
    date(2012, 12, 25): "Christmas Day",
    date(2012, 12, 26): "Boxing Day",
    # 2013
    date(2013, 1, 1): "New Year's Day",
    date(2013, 3, 29): "Good Friday",
    date(2013, 4, 1): "Easter Monday",
    date(2013, 5, 6): "Early May bank holiday",
    date(2013, 5, 27): "Spring bank holiday",
    date(2013, 8, 26): "Summer bank holiday",
    date(2013, 12, 25): "Christmas Day",
    date(2013, 12, 26): "Boxing Day",
    # 2014
    date(2014, 1, 1): "New Year's Day",
    date(2014, 4, 18): "Good Friday",
    date(2014, 4, 21): "Easter Monday",
    date(2014, 5, 5): "Early May bank holiday",
    date(2014, 5, 26): "Spring bank holiday",
    date(2014, 8, 25): "Summer bank holiday",
    date(2014, 12, 25): "Christmas Day",
    date(2014, 12, 26): "Boxing Day",
    # 2015
    date(2015, 1, 1): "New Year's Day",
    date(2015, 4, 3): "Good Friday",
    date(2015, 4, 6): "Easter Monday",
    date(2015, 5, 4): "Early May bank holiday",
    date(2015, 5, 25): "Spring bank holiday",
    date(2015, 8, 31): "Summer bank holiday",
    date(2015, 12, 25): "Christmas Day",
    date(2015, 12, 28): "Boxing Day (substitute day)",
    # 2016
    date(2016, 1, 1): "New Year's Day",
    date(2016, 3, 25): "Good Friday",
    date(2016, 3, 28): "Easter Monday",
    date(2016, 5, 2): "Early May bank holiday",
    date(2016, 5, 30): "Spring bank holiday",
    date(2016, 8, 29): "Summer bank holiday",
    date(2016, 12, 26): "Boxing Day",
    date(2016, 12, 27): "Christmas Day (substitute day)",
    # 2017
    date(2017, 1, 2): "New Year's Day (substitute day)",
    date(2017, 4, 14): "Good Friday",
    date(2017, 4, 17): "Easter Monday",
    date(2017, 5, 1): "Early May bank holiday",
    date(2017, 5, 29): "Spring bank holiday",
    date(2017, 8, 28): "Summer bank holiday",
    date(2017, 12, 25): "Christmas Day",
    date(2017, 12, 26): "Boxing Day",
    # 2018
    date(2018, 1, 1): "New Year's Day",
    date(2018, 3, 30): "Good Friday",
    date(2018, 4, 2): "Easter Monday",
    date(2018, 5, 7): "Early May bank holiday",
    date(2018, 5, 28): "Spring bank holiday",
    date(2018, 8, 27): "Summer bank holiday",
    date(2018, 12, 25): "Christmas Day",
    date(2018, 12, 26): "Boxing Day",
    # 2019
    date(2019, 1, 1): "New Year's Day",
    date(2019, 4, 19): "Good Friday",
    date(2019, 4, 22): "Easter Monday",
    date(2019, 5, 6): "Early May bank holiday",
    date(2019, 5, 27): "Spring bank holiday",
    date(2019, 8, 26): "Summer bank holiday",
    date(2019, 12, 25): "Christmas Day",
    date(2019, 12, 26): "Boxing Day",
    # 2020
    date(2020, 1, 1): "New Year's Day",
    date(2020, 4, 10): "Good Friday",
    date(2020, 4, 13): "Easter Monday",
    date(2020, 5, 8): "Early May bank holiday (VE day)",
    date(2020, 5, 25): "Spring bank holiday",
    date(2020, 8, 31): "Summer bank holiday",
    date(2020, 12, 25): "Christmas Day",
    date(2020, 12, 28): "Boxing Day (substitute day)",
    # 2021
    date(2021, 1, 1): "New Year's Day",
    date(2021, 4, 2): "Good Friday",
    date(2021, 4, 5): "Easter Monday",
    date(2021, 5, 3): "Early May bank holiday",
    date(2021, 5, 31): "Spring bank holiday",
    date(2021, 8, 30): "Summer bank holiday",
    date(2021, 12, 27): "Christmas Day (substitute day)",
    date(2021, 12, 28): "Boxing Day (substitute day)",
    # 2022
    date(2022, 1, 3): "New Year's Day (substitute day)",
    date(2022, 4, 15): "Good Friday",
    date(2022, 4, 18): "Easter Monday",
    date(2022, 5, 2): "Early May bank holiday",
    date(2022, 6, 2): "Spring bank holiday (moved for the jubilee)",
    date(2022, 6, 3): "Platinum Jubilee bank holiday",
    date(2022, 8, 29): "Summer bank holiday",
    date(2022, 9, 19): "Bank Holiday for the State Funeral of Queen Elizabeth II",
    date(2022, 12, 26): "Boxing Day",
    date(2022, 12, 27): "Christmas Day (substitute day)",
    # 2023
    date(2023, 1, 2): "New Year's Day (substitute day)",
    date(2023, 4, 7): "Good Friday",
    date(2023, 4, 10): "Easter Monday",
    date(2023, 5, 1): "Early May bank holiday",
    date(2023, 5, 8): "Bank holiday for the coronation of King Charles III",
    date(2023, 5, 29): "Spring bank holiday",
    date(2023, 8, 28): "Summer bank holiday",
    date(2023, 12, 25): "Christmas Day",
    date(2023, 12, 26): "Boxing Day",
    # 2024
    date(2024, 1, 1): "New Year's Day",
    date(2024, 3, 29): "Good Friday",
    date(2024, 4, 1): "Easter Monday",
    date(2024, 5, 6): "Early May bank holiday",
    date(2024, 5, 27): "Spring bank holiday",
    date(2024, 8, 26): "Summer bank holiday",
    date(2024, 12, 25): "Christmas Day",
    date(2024, 12, 26): "Boxing Day",
    # 2025
    date(2025, 1, 1): "New Year's Day",
    date(2025, 4, 18): "Good Friday",
    date(2025, 4, 21): "Easter Monday",
    date(2025, 5, 5): "Early May bank holiday",
    date(2025, 5, 26): "Spring bank holiday",
    date(2025, 8, 25): "Summer bank holiday",
    date(2025, 12, 25): "Christmas Day",
    date(2025, 12, 26): "Boxing Day",
    # 2026
    date(2026, 1, 1): "New Year's Day",
    date(2026, 4, 3): "Good Friday",
    date(2026, 4, 6): "Easter Monday",
    date(2026, 5, 4): "Early May bank holiday",
    date(2026, 5, 25): "Spring bank holiday",
    date(2026, 8, 31): "Summer bank holiday",
    date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 28): "Boxing Day (substitute day)",
    # 2027
    date(2027, 1, 1): "New Year's Day",
    date(2027, 3, 26): "Good Friday",
    date(2027, 3, 29): "Easter Monday",
    date(2027, 5, 3): "Early May bank holiday",
    date(2027, 5, 31): "Spring bank holiday",
    date(2027, 8, 30): "Summer bank holiday",
    date(2027, 12, 27): "Christmas Day (substitute day)",
    date(2027, 12, 28): "Boxing Day (substitute day)",
}

SPECIAL_DAYS = [
    date(2012, 6, 4),  # spring bank holiday moved for the Diamond Jubilee
    date(2012, 6, 5),  # Diamond Jubilee
    date(2022, 6, 2),  # spring bank holiday moved for the Platinum Jubilee
    date(2022, 6, 3),  # Platinum Jubilee
    date(2022, 9, 19),  # state funeral of Queen Elizabeth II
    date(2023, 5, 8),  # coronation of King Charles III
    date(2020, 5, 8),  # early May bank holiday moved to VE day
    date(2020, 12, 28),  # substitute days
    date(2021, 12, 27),
    date(2021, 12, 28),
    date(2022, 12, 27),
    date(2015, 12, 28),
    date(2016, 12, 27),
    date(2026, 12, 28),
    date(2027, 12, 27),
    date(2027, 12, 28),
]

HOLIDAY_IDS = [d.isoformat() for d in ENGLAND_BANK_HOLIDAYS_2012_2027]


def test_hard_coded_list_is_sane() -> None:
    assert all(d.weekday() < 5 for d in ENGLAND_BANK_HOLIDAYS_2012_2027)
    assert set(SPECIAL_DAYS) <= set(ENGLAND_BANK_HOLIDAYS_2012_2027)
    per_year = {year: 0 for year in range(2012, 2028)}
    for d in ENGLAND_BANK_HOLIDAYS_2012_2027:
        per_year[d.year] += 1
    # Eight a year, plus the jubilees (2012, 2022), state funeral (2022) and coronation (2023).
    assert per_year == {y: {2012: 9, 2022: 10, 2023: 9}.get(y, 8) for y in per_year}


def test_cross_check_against_holidays_package() -> None:
    package = holidays.country_holidays("GB", subdiv="ENG", years=range(2012, 2028))
    weekday_holidays = {d for d in package if d.weekday() < 5}
    assert weekday_holidays == set(ENGLAND_BANK_HOLIDAYS_2012_2027)


@pytest.mark.parametrize("holiday", list(ENGLAND_BANK_HOLIDAYS_2012_2027), ids=HOLIDAY_IDS)
def test_bank_holiday_is_not_a_working_day(holiday: date) -> None:
    assert not is_working_day(holiday)
    assert ENGLAND.non_working_reason(holiday) not in (None, "Saturday", "Sunday")
    day_before = holiday - timedelta(days=1)
    next_working = add_working_days(day_before, 1)
    assert next_working > holiday
    assert is_working_day(next_working)
    # Nothing between the day before and the next working day is a working day.
    assert working_days_between(day_before, next_working - timedelta(days=1)) == 0
    # And stepping back from the day after lands strictly before the holiday.
    assert add_working_days(holiday + timedelta(days=1), -1) < holiday


@pytest.mark.parametrize("special", SPECIAL_DAYS, ids=[d.isoformat() for d in SPECIAL_DAYS])
def test_special_days_are_skipped(special: date) -> None:
    assert not is_working_day(special)
    assert add_working_days(special - timedelta(days=1), 1) != special


def test_working_days_per_year_match_hard_coded_list() -> None:
    for year in range(2012, 2028):
        days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
        weekdays = {d for d in days if d.year == year and d.weekday() < 5}
        expected = len(weekdays - set(ENGLAND_BANK_HOLIDAYS_2012_2027))
        assert working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == expected
