"""The strategies themselves: in range, valid, and biased where the counting mistakes live."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt

import holidays
from hypothesis import find, given
from hypothesis import strategies as st
from property_kit import NATIONAL, examples

from timescales import ChildRecord
from timescales.testing.strategies import (
    FIRST,
    LAST,
    as_of_dates,
    child_records,
    dates,
    events,
    rule_sets,
    rules,
    school_terms,
)

BANK = set(holidays.country_holidays("GB", subdiv="ENG", years=range(2001, 2030)))


def test_dates_reach_every_awkward_kind_of_day() -> None:
    for wanted in (
        lambda d: d.weekday() >= 5,
        lambda d: d in BANK,
        lambda d: d.day == stdlib_calendar.monthrange(d.year, d.month)[1],
        lambda d: (d.month, d.day) == (2, 29),
        lambda d: d - dt.timedelta(days=1) in BANK,
    ):
        assert FIRST <= find(dates(), wanted) <= LAST


@examples(100)
@given(day=dates(dt.date(2020, 2, 1), dt.date(2020, 3, 31)))
def test_dates_stay_in_their_range(day: dt.date) -> None:
    assert dt.date(2020, 2, 1) <= day <= dt.date(2020, 3, 31)


@examples(50)
@given(record=child_records(lateness=0.3))
def test_life_courses_start_with_a_referral(record: ChildRecord) -> None:
    first = min(record.events, key=lambda e: (e.date, e.type != "referral"))
    assert first.type == "referral"
    assert all(FIRST <= e.date <= LAST for e in record.events)
    assert ChildRecord.model_validate(record.model_dump()) == record


@examples(50)
@given(data=st.data())
def test_focused_records_are_about_their_rule(data: st.DataObject) -> None:
    rule = data.draw(rules(kinds=["deadline", "attribute", "rolling"]))
    record = data.draw(child_records(focus=rule))
    types = {s.type for s in rule.selectors()}
    assert record.events and any(e.type in types for e in record.events)
    as_of = data.draw(as_of_dates(record))
    assert FIRST <= as_of <= LAST


def _attribute_statuses(rule_id: str, record: ChildRecord) -> list[str]:
    ruleset = NATIONAL.select([rule_id])
    found = ruleset.check(record, as_of=max(e.date for e in record.events)).findings
    return [f.status.value for f in found]


def test_records_focused_on_an_attribute_rule_give_met_unmet_and_disputed_visits() -> None:
    """Visits that meet a test, visits that miss every test by a near miss (false, an empty
    reason) and copies of a visit that disagree all come up; the findings are met or unmet."""
    for rule_id in ("LA020", "PF004"):
        focus = child_records(focus=NATIONAL.by_id[rule_id])
        find(focus, lambda r, i=rule_id: "met" in _attribute_statuses(i, r))
        find(focus, lambda r, i=rule_id: "unmet" in _attribute_statuses(i, r))
        find(
            focus,
            lambda r: any(
                (e.attrs or {}).get("not_alone_reason") == "" for e in r.events if "visit" in e.type
            ),
        )
        find(
            focus,
            lambda r: any(
                a.type == b.type and a.date == b.date and a.ref == b.ref and a.attrs != b.attrs
                for a in r.events
                for b in r.events
                if a is not b and "visit" in a.type
            ),
        )


@examples(50)
@given(data=st.data())
def test_attribute_findings_are_only_met_or_unmet(data: st.DataObject) -> None:
    rule = data.draw(rules(kinds=["attribute"]))
    record = data.draw(child_records(focus=rule))
    as_of = data.draw(as_of_dates(record))
    found = NATIONAL.select([rule.id]).check(record, as_of=as_of).findings
    for f in found:
        assert f.status.value in ("met", "unmet"), f.to_dict()
        assert f.days_late == (0 if f.status.value == "met" else None), f.to_dict()


@examples(50)
@given(ruleset=rule_sets(max_size=4))
def test_rule_sets_report_only_the_rules_chosen(ruleset: object) -> None:
    report = ruleset.report  # type: ignore[attr-defined]
    assert report and len(report) <= 4 and report <= set(NATIONAL.ids())
    assert report <= set(ruleset.ids())  # type: ignore[attr-defined]


@examples(50)
@given(event=events(types=["pf_visit", "legal_status_started"]), terms=school_terms())
def test_events_and_terms_are_valid(
    event: object, terms: tuple[tuple[dt.date, dt.date], ...]
) -> None:
    assert event.type in ("pf_visit", "legal_status_started")  # type: ignore[attr-defined]
    assert all(a < b for a, b in terms) and list(terms) == sorted(terms)


@examples(50)
@given(ruleset=rule_sets(max_size=4, new_fields=True))
def test_rule_sets_with_new_fields_report_the_rules_chosen(ruleset: object) -> None:
    """Rules given the newer fields are still the chosen ones (and the later half of a chosen
    follower split at a date, its ID with a 9 where the original has a 0)."""
    report = ruleset.report  # type: ignore[attr-defined]
    national = set(NATIONAL.ids())
    assert report and report <= set(ruleset.ids())  # type: ignore[attr-defined]
    assert all(i in national or (i[-3] == "9" and f"{i[:-3]}0{i[-2:]}" in report) for i in report)


def test_with_new_fields_names_the_fields_it_can_single_out() -> None:
    import pytest

    from timescales.testing.strategies import with_new_fields

    with pytest.raises(ValueError, match="not one of"):
        with_new_fields(NATIONAL, only="placements")
