"""The one date parser: every form each input accepts, every refusal with its fault, and the same
refusal (fault, words, value class) from the records, the importers and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timescales.cli import _date_option
from timescales.dates import (
    CELL_FORMS,
    EXPORT_FORMS,
    DateError,
    parse_cell,
    parse_census,
    parse_export,
    parse_iso,
    parse_uk,
    suggest_iso,
)
from timescales.errors import Location, UsageError, value_class
from timescales.importers import ImportContext
from timescales.importers.canonical import to_record
from timescales.importers.ssda903 import IMPORTER as SSDA903

D = dt.date
WINDOWS = dt.datetime(1899, 12, 30)  # noqa: DTZ001 (openpyxl's 1900 epoch)
MAC = dt.datetime(1904, 1, 1)  # noqa: DTZ001

# --- each convention's accepted forms -------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-03-31", D(2024, 3, 31)])
def test_iso_accepts_exactly_yyyy_mm_dd(value: object) -> None:
    assert parse_iso(value) == D(2024, 3, 31)


@pytest.mark.parametrize("text", ["2024-03-31", "2024-03-31Z", "2024-03-31+01:00"])
def test_census_accepts_xs_date(text: str) -> None:
    assert parse_census(text) == D(2024, 3, 31)


@pytest.mark.parametrize("text", ["31/03/2024", "31/3/2024", "1/3/2024", "01/03/2024"])
def test_uk_accepts_day_month_year(text: str) -> None:
    assert parse_uk(text) in (D(2024, 3, 31), D(2024, 3, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-31",
        "2024-3-31",
        "2024-03-31 00:00:00.000",
        "2024-03-31T10:30:00Z",
        "2024/03/31",
        "20240331",
        "31/03/2024",
        "31/03/2024 12:00 PM",
    ],
)
def test_export_accepts_what_sql_exports_write(text: str) -> None:
    assert parse_export(text) == D(2024, 3, 31)


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        (D(2024, 3, 12), None),
        (dt.datetime(2024, 3, 12, 9, 30), None),  # noqa: DTZ001
        (45363, WINDOWS),
        (45363.5, WINDOWS),
        ("45363", WINDOWS),
        (43901, MAC),
        ("12/03/2024", None),
        ("12-03-2024", None),
        ("12.3.2024", None),
        ("12/03/24", None),
        ("2024-03-12", None),
        ("12 March 2024", None),
        ("12th Mar 2024", None),
    ],
)
def test_cell_accepts_excel_dates_serials_and_typed_text(value: object, epoch: object) -> None:
    assert parse_cell(value, epoch) == D(2024, 3, 12)  # type: ignore[arg-type]


def test_cell_blanks_are_none() -> None:
    assert parse_cell(None) is None
    assert parse_cell("") is None
    assert parse_cell("n/a", blanks=frozenset({"n/a"})) is None


def test_two_digit_years_pivot_as_pythons_y() -> None:
    assert parse_cell("01/01/68") == D(2068, 1, 1)
    assert parse_cell("01/01/69") == D(1969, 1, 1)


# --- refusals: the fault, the words, the value class (never the value) ---------------------------

# parser -> fault -> the values refused that way
REFUSALS: dict[Any, dict[str, list[object]]] = {
    parse_iso: {
        "form": [
            "20240331",
            "2024-W13-7",
            "2024-3-31",
            "31/03/2024",
            "2024-03-31T00:00",
            "２０２４-03-31",
        ],
        "calendar": ["2024-02-30"],
        "date-time": [dt.datetime(2024, 3, 31)],  # noqa: DTZ001
        "type": [20240331, None],
    },
    parse_census: {"form": ["31/03/2024", "2024-03-31T10:00:00"], "calendar": ["2024-02-30"]},
    parse_uk: {
        "form": ["2024-03-31", "31-03-2024", "31/03/24"],
        "calendar": ["31/02/2024", "01/13/2024"],
    },
    parse_export: {"form": ["Jan 15 2024", "15-01-24"], "calendar": ["2024-02-30"]},
    parse_cell: {"form": ["someday"], "calendar": ["31/02/2024"], "range": ["01/01/1850"]},
}
# the words of each refusal: the same for the same fault in every convention
FORMS = {parse_iso: "YYYY-MM-DD", parse_census: "YYYY-MM-DD", parse_uk: "dd/mm/yyyy"}
FORMS |= {parse_export: EXPORT_FORMS, parse_cell: CELL_FORMS}
WORDS = {"calendar": "not a real calendar date", "range": "the year is outside 1900-2099"}
WORDS |= {"date-time": "a date-time, not a date YYYY-MM-DD"}
REFUSED = [
    (parse, value, fault, WORDS.get(fault, f"not a date {FORMS[parse]}"))
    for parse, faults in REFUSALS.items()
    for fault, values in faults.items()
    for value in values
]
REFUSED += [
    (parse_cell, True, "type", "a true/false value, not a date"),
    (parse_cell, 45363, "type", "a number, not a date"),  # no epoch: a CSV's number
    (parse_cell, dt.time(9, 30), "type", "a time, not a date"),
]


@pytest.mark.parametrize(("parse", "value", "fault", "words"), REFUSED)
def test_refusals_say_why_never_what(parse: object, value: object, fault: str, words: str) -> None:
    with pytest.raises(DateError) as caught:
        parse(value)  # type: ignore[operator]
    assert caught.value.fault == fault
    assert str(caught.value) == words
    assert caught.value.value_class == value_class(value)
    assert isinstance(caught.value, ValueError)


def test_serials_outside_excels_range_are_refused() -> None:
    for serial in (0, -1, 73051, float("nan"), float("inf")):
        with pytest.raises(DateError, match="not an Excel date serial"):
            parse_cell(serial, WINDOWS)


@given(st.dates(D(1900, 1, 1), D(2099, 12, 31)))
def test_every_convention_reads_every_date_in_its_own_form(day: D) -> None:
    iso = day.isoformat()
    uk = day.strftime("%d/%m/%Y")
    assert parse_iso(iso) == parse_census(iso) == parse_export(iso) == parse_cell(iso) == day
    assert parse_uk(uk) == parse_export(uk) == parse_cell(uk) == day


@given(st.text(max_size=12))
def test_iso_is_strict_on_any_text(text: str) -> None:
    try:
        day = parse_iso(text)
    except DateError as exc:
        assert exc.fault in ("form", "calendar")
        assert str(exc) in ("not a date YYYY-MM-DD", "not a real calendar date")
    else:
        assert day.isoformat() == text


# --- what a refused text meant -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["20240331", "2024-W13-7", "31/03/2024", "31-03-24", "2024-3-31"])
def test_suggest_iso(text: str) -> None:
    assert suggest_iso(text) == D(2024, 3, 31)


def test_no_suggestion_for_nonsense() -> None:
    assert suggest_iso("someday") is None
    assert suggest_iso("31/02/2024") is None


# --- the same refusal from the records, an importer and the CLI ----------------------------------


def _record_error(text: str) -> tuple[str, str | None, str | None]:
    data = {"child": "A", "events": [{"type": "referral", "date": text}]}
    item = to_record(data, Location("in.jsonl", 1))
    assert item.error is not None
    return item.error.code, item.error.message, item.error.value_class


def _return_error(tmp_path: Path, text: str) -> tuple[str, str | None, str | None]:
    """The error of a 903 return's header row whose DOB is ``text``."""
    folder = tmp_path / "903"
    folder.mkdir(exist_ok=True)
    (folder / "header.csv").write_text(
        f"CHILD,SEX,DOB,ETHNIC,UPN\n1001,1,{text},WBRI,A1\n", encoding="utf-8"
    )
    errors = [i.error for i in SSDA903.read(folder, ImportContext()) if i.error is not None]
    assert len(errors) == 1
    return errors[0].code, errors[0].message, errors[0].value_class


def _option_error(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        _date_option("--as-of")(text)
    assert caught.value.code == "E100"
    return caught.value.message


@pytest.mark.parametrize("text", ["20240331", "2024-W13-7", "31/03/2024", "2024-3-31"])
def test_a_non_iso_text_is_refused_alike_by_records_and_the_cli(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_iso(text)
    code, message, found = _record_error(text)
    assert code == "E307" and message is not None
    assert message.endswith(str(caught.value)) and found == caught.value.value_class
    assert _option_error(text) == "--as-of takes an ISO date YYYY-MM-DD: use 2024-03-31"


def test_an_impossible_date_is_refused_alike_everywhere(tmp_path: Path) -> None:
    code, message, found = _record_error("2024-02-30")
    assert code == "E307" and message is not None and message.endswith("not a real calendar date")
    assert found == value_class("2024-02-30")
    code, message, found = _return_error(tmp_path, "30/02/2024")
    assert code == "E310" and message == "DOB is not a real calendar date"
    assert found == value_class("30/02/2024")
    assert "not a calendar date" in _option_error("2024-02-30")


def test_a_date_in_another_inputs_form_is_refused_with_its_own_form(tmp_path: Path) -> None:
    code, message, found = _return_error(tmp_path, "2024-03-31")
    assert (code, message) == ("E310", "DOB is not a date dd/mm/yyyy")
    with pytest.raises(DateError) as caught:
        parse_uk("2024-03-31")
    assert found == caught.value.value_class == value_class("2024-03-31")
