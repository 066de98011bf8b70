"""Hand-made cases of each newer rule field, worked out by hand from the semantics: the engine
and the reference model must agree on each, and each expected finding is written out, so a
test fails if both got it wrong the same way.

Dates are in March 2022 unless said (no bank holiday: 10 working days after Tuesday 1 March is
Tuesday 15 March; 20 working days after it is Tuesday 29 March). Rows are (rule, anchor, due,
done, status, days late[, variation]) in the order findings are listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from property_kit import NATIONAL

from timescales import ChildRecord
from timescales.records import event_data
from timescales.rules.model import Rule
from timescales.ruleset.ruleset import RuleSet
from timescales.testing.reference import RefFinding, compare_with_engine, engine_findings

Row = tuple[Any, ...]


def variant(rule_id: str, **changes: Any) -> Rule:
    """A national rule with some fields changed (validated as a rule file would be)."""
    rule = NATIONAL.by_id[rule_id]
    data = rule.model_dump(by_alias=True, exclude_none=True)
    data.update(changes)
    return type(rule).model_validate(data)


def ev(etype: str, day: str, ref: str | None = None, **attrs: Any) -> dict[str, Any]:
    return event_data(etype, day, ref, attrs=attrs)


def _row(f: RefFinding) -> Row:
    done = f.done.isoformat() if f.done else None
    row: Row = (f.rule, f.anchor.isoformat(), f.due.isoformat(), done, f.status, f.days_late)
    return (*row, f.variation) if f.variation else row


def found(
    rules: list[Rule], events: list[dict[str, Any]], as_of: str, dob: str | None = None
) -> list[Row]:
    """The engine's findings, once the reference model is seen to agree with them."""
    ruleset = RuleSet(rules)
    data: dict[str, Any] = {"child": "C1", "events": events}
    if dob is not None:
        data["dob"] = dob
    record = ChildRecord.model_validate(data)
    day = dt.date.fromisoformat(as_of)
    problems = compare_with_engine(ruleset, record, as_of=day)
    assert not problems, "\n".join(problems)
    return [_row(f) for f in engine_findings(ruleset, record, as_of=day)]


# -- conditions: the placement in force ----------------------------------------------------------

# LA001 (care plan within 10 working days of becoming looked after), 5 days when placed with a
# parent (903 P1) on the clock date
FIVE_DAYS_WITH_PARENT = variant(
    "LA001",
    limit=[
        {"days": 5, "when": {"placement": {"placement_type": ["P1"]}}},
        {"working_days": 10},
    ],
)


def test_placement_in_force_is_the_latest_on_or_before_the_anchor() -> None:
    base = [ev("became_looked_after", "2022-03-01"), ev("care_plan", "2022-03-08")]
    late = [("LA001", "2022-03-01", "2022-03-06", "2022-03-08", "late", 2)]
    met = [("LA001", "2022-03-01", "2022-03-15", "2022-03-08", "met", 0)]
    # placed with a parent that day: 5 days, due Sunday 6 March, done Tuesday: 2 days late
    with_parent = [ev("placement_started", "2022-03-01", "PL1", placement_type="P1")]
    assert found([FIVE_DAYS_WITH_PARENT], base + with_parent, "2022-04-01") == late
    # the placement starts the day after the clock: not in force on it
    next_day = [ev("placement_started", "2022-03-02", "PL1", placement_type="P1")]
    assert found([FIVE_DAYS_WITH_PARENT], base + next_day, "2022-04-01") == met
    # foster care, then with a parent: the latest counts
    moved = [
        ev("placement_started", "2022-02-01", "PL1", placement_type="U3"),
        ev("placement_started", "2022-02-20", "PL2", placement_type="P1"),
    ]
    assert found([FIVE_DAYS_WITH_PARENT], base + moved, "2022-04-01") == late
    # with a parent, then foster care
    back = [
        ev("placement_started", "2022-02-01", "PL1", placement_type="P1"),
        ev("placement_started", "2022-02-20", "PL2", placement_type="U3"),
    ]
    assert found([FIVE_DAYS_WITH_PARENT], base + back, "2022-04-01") == met
    # two copies of one placement disagree on its type: unknown, matches nothing
    disputed = [
        ev("placement_started", "2022-03-01", "PL1", placement_type="P1"),
        ev("placement_started", "2022-03-01", "PL1", placement_type="U3"),
    ]
    assert found([FIVE_DAYS_WITH_PARENT], base + disputed, "2022-04-01") == met


def test_placement_of_a_placement_case_is_its_own_opening() -> None:
    # LA002 then weekly visits (a follower for every later visit) while placed with a parent
    weekly_with_parent = variant(
        "LA003", when={"placement": {"placement_type": "P1"}}, limit=[{"weeks": 1}]
    )
    rules = [NATIONAL.by_id["LA002"], weekly_with_parent]
    visits = [ev("lac_visit", "2022-03-04"), ev("lac_visit", "2022-03-14")]
    placed = [ev("placement_started", "2022-03-01", "PL1", placement_type="P1")]
    assert found(rules, placed + visits, "2022-03-25") == [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
        ("LA003", "2022-03-04", "2022-03-11", "2022-03-14", "late", 3),
        ("LA003", "2022-03-14", "2022-03-21", None, "overdue", 4),
    ]
    # in foster care no follower governs the second visit: the chain ends
    fostered = [ev("placement_started", "2022-03-01", "PL1", placement_type="U3")]
    assert found(rules, fostered + visits, "2022-03-25") == [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
    ]


# -- conditions: the legal status in force -------------------------------------------------------

FIVE_DAYS_ON_A_CARE_ORDER = variant(
    "LA001",
    limit=[{"days": 5, "when": {"legal_status": ["C1", "C2"]}}, {"working_days": 10}],
)


def test_legal_status_in_force() -> None:
    base = [ev("became_looked_after", "2022-03-01"), ev("care_plan", "2022-03-08")]
    late = [("LA001", "2022-03-01", "2022-03-06", "2022-03-08", "late", 2)]
    met = [("LA001", "2022-03-01", "2022-03-15", "2022-03-08", "met", 0)]
    order = [ev("legal_status_started", "2022-02-01", "LS1", code="C1")]
    rules = [FIVE_DAYS_ON_A_CARE_ORDER]
    # an interim care order and no status ended at all (the engine once failed on this with a
    # NameError: no legal_status_ended event for the code check to run over)
    assert found(rules, base + order, "2022-04-01") == late
    # ended before the clock
    ended = [ev("legal_status_ended", "2022-02-20", "LS1", code="C1")]
    assert found(rules, base + order + ended, "2022-04-01") == met
    # ended after the clock: still in force on it
    ended_later = [ev("legal_status_ended", "2022-03-02", "LS1", code="C1")]
    assert found(rules, base + order + ended_later, "2022-04-01") == late
    # a later status (section 20) replaces it
    s20 = [ev("legal_status_started", "2022-02-15", "LS2", code="V2")]
    assert found(rules, base + order + s20, "2022-04-01") == met
    # two statuses starting on one day: either may match
    both = [
        ev("legal_status_started", "2022-02-15", "LS2", code="V2"),
        ev("legal_status_started", "2022-02-15", "LS3", code="C2"),
    ]
    assert found(rules, base + order + both, "2022-04-01") == late


# -- conditions: before the first review ---------------------------------------------------------


def test_weekly_visits_until_the_first_review_of_the_period() -> None:
    weekly = variant(
        "LA003",
        when={"anchor_before_first": {"type": "lac_review", "since": "became_looked_after"}},
        limit=[{"weeks": 1}],
    )
    six_weekly = variant("LA004", when=None, limit=[{"weeks": 6}])
    rules = [NATIONAL.by_id["LA002"], weekly, six_weekly]
    period = [
        ev("became_looked_after", "2022-03-01", "P1"),
        ev("placement_started", "2022-03-01", "PL1", placement_type="U3"),
    ]
    visits = [
        ev("lac_visit", "2022-03-04"),
        ev("lac_visit", "2022-03-11"),
        ev("lac_visit", "2022-03-18"),
        ev("lac_visit", "2022-04-22"),
    ]
    review = [ev("lac_review", "2022-03-16", "P1")]
    # the first visits are weekly either way, each met
    weekly_visits = [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
        ("LA003", "2022-03-04", "2022-03-11", "2022-03-11", "met", 0),
        ("LA003", "2022-03-11", "2022-03-18", "2022-03-18", "met", 0),
    ]
    # weekly until the review of 16 March; the visit of 18 March is the first after it
    assert found(rules, period + visits + review, "2022-05-10") == [
        *weekly_visits,
        ("LA004", "2022-03-18", "2022-04-29", "2022-04-22", "met", 0),
        ("LA004", "2022-04-22", "2022-06-03", None, "pending", None),
    ]
    # a review in an earlier period does not count: weekly throughout
    old_review = [ev("lac_review", "2022-02-10", "P0")]
    assert found(rules, period + visits + old_review, "2022-05-10") == [
        *weekly_visits,
        ("LA003", "2022-03-18", "2022-03-25", "2022-04-22", "late", 28),
        ("LA003", "2022-04-22", "2022-04-29", None, "overdue", 11),
    ]


# -- conditions: any, none_of --------------------------------------------------------------------


def test_any_and_none_of() -> None:
    either = variant(
        "LA001",
        limit=[
            {
                "days": 5,
                "when": {
                    "any": [
                        {"legal_status": ["C1"]},
                        {"placement": {"placement_type": "P1"}},
                    ]
                },
            },
            {"working_days": 10},
        ],
    )
    base = [ev("became_looked_after", "2022-03-01"), ev("care_plan", "2022-03-08")]
    late = [("LA001", "2022-03-01", "2022-03-06", "2022-03-08", "late", 2)]
    met = [("LA001", "2022-03-01", "2022-03-15", "2022-03-08", "met", 0)]
    p1 = [ev("placement_started", "2022-03-01", "PL1", placement_type="P1")]
    u3 = [ev("placement_started", "2022-03-01", "PL1", placement_type="U3")]
    c1 = [ev("legal_status_started", "2022-03-01", "LS1", code="C1")]
    v2 = [ev("legal_status_started", "2022-03-01", "LS1", code="V2")]
    assert found([either], base + p1, "2022-04-01") == late
    assert found([either], base + u3 + c1, "2022-04-01") == late
    assert found([either], base + u3 + v2, "2022-04-01") == met

    unless_short_breaks = variant(
        "LA001",
        limit=[
            {"days": 5, "when": {"none_of": [{"legal_status": ["V3", "V4"]}]}},
            {"working_days": 10},
        ],
    )
    v3 = [ev("legal_status_started", "2022-03-01", "LS1", code="V3")]
    assert found([unless_short_breaks], base + v3, "2022-04-01") == met
    assert found([unless_short_breaks], base + v2, "2022-04-01") == late


# -- excluded_when ---------------------------------------------------------------------------------


def test_excluded_when_a_deadline() -> None:
    not_short_breaks = variant("LA001", excluded_when={"legal_status": ["V3", "V4"]})
    base = [ev("became_looked_after", "2022-03-01"), ev("care_plan", "2022-03-08")]
    v3 = [ev("legal_status_started", "2022-02-15", "LS1", code="V3")]
    assert found([not_short_breaks], base + v3, "2022-04-01") == []
    ended = [ev("legal_status_ended", "2022-02-20", "LS1", code="V3")]
    assert found([not_short_breaks], base + v3 + ended, "2022-04-01") == [
        ("LA001", "2022-03-01", "2022-03-15", "2022-03-08", "met", 0),
    ]


def test_excluded_when_is_read_for_the_deadlines_own_clock() -> None:
    """Regression (found writing these cases): a deadline's ``excluded_when`` was read for no
    case at all, so a condition on the case (the clock event) never held: a permanent
    placement was not excluded, and a placement condition read whichever placement of the day
    sorted last instead of the clock's own."""
    # a care plan within 10 working days of each placement, unless it is permanent
    not_permanent = variant(
        "LA001",
        clock={"type": "placement_started"},
        closed_by=[],
        excluded_when={"placement_permanent": True},
    )
    permanent = [ev("placement_started", "2022-03-01", "PL1", permanent=True)]
    assert found([not_permanent], permanent, "2022-04-01") == []
    temporary = [ev("placement_started", "2022-03-01", "PL1", permanent=False)]
    assert found([not_permanent], temporary, "2022-04-01") == [
        ("LA001", "2022-03-01", "2022-03-15", None, "overdue", 17),
    ]
    # unless placed with a parent: of two placements recorded on one day, only the other one
    not_with_parent = variant(
        "LA001",
        clock={"type": "placement_started"},
        closed_by=[],
        excluded_when={"placement": {"placement_type": "P1"}},
    )
    two = [
        ev("placement_started", "2022-03-01", "A", placement_type="U3"),
        ev("placement_started", "2022-03-01", "B", placement_type="P1"),
    ]
    assert [r[0:2] for r in found([not_with_parent], two, "2022-04-01")] == [
        ("LA001", "2022-03-01")
    ]
    ruleset = RuleSet([not_with_parent])
    record = ChildRecord.model_validate({"child": "C1", "events": two})
    [only] = ruleset.check(record, as_of=dt.date(2022, 4, 1)).findings
    assert only.ref == "A"


def test_excluded_when_a_schedule_step() -> None:
    """A step not assessed still moves the chain on."""
    weekly = variant(
        "LA003",
        when=None,
        limit=[{"weeks": 1}],
        excluded_when={"legal_status": ["V3", "V4"]},
    )
    rules = [NATIONAL.by_id["LA002"], weekly]
    events = [
        ev("placement_started", "2022-03-01", "PL1", placement_type="U3"),
        ev("lac_visit", "2022-03-04"),
        ev("lac_visit", "2022-03-20"),
        ev("lac_visit", "2022-03-23"),
        ev("legal_status_started", "2022-03-10", "LS1", code="V3"),
        ev("legal_status_ended", "2022-03-21", "LS1", code="V3"),
    ]
    assert found(rules, events, "2022-03-25") == [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
        ("LA003", "2022-03-04", "2022-03-11", "2022-03-20", "late", 9),
        # 20 March: short breaks in force, no finding; 23 March: ended, assessed again
        ("LA003", "2022-03-23", "2022-03-30", None, "pending", None),
    ]


# -- followers in force ----------------------------------------------------------------------------


def test_followers_are_chosen_only_while_in_force() -> None:
    old_law = variant("LA003", when=None, effective={"to": "2022-03-31"})
    new_law = variant(
        "LA003",
        id="LA903",
        name="lac-visits-new-law",
        when=None,
        limit=[{"weeks": 2}],
        effective={"from": "2022-04-01"},
    )
    head = NATIONAL.by_id["LA002"]
    events = [
        ev("placement_started", "2022-03-01", "PL1", placement_type="U3"),
        ev("lac_visit", "2022-03-04"),
        ev("lac_visit", "2022-04-05"),
        ev("lac_visit", "2022-04-25"),
    ]
    assert found([head, old_law, new_law], events, "2022-05-20") == [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
        ("LA003", "2022-03-04", "2022-04-15", "2022-04-05", "met", 0),
        ("LA903", "2022-04-05", "2022-04-19", "2022-04-25", "late", 6),
        ("LA903", "2022-04-25", "2022-05-09", None, "overdue", 11),
    ]
    # no follower in force for the third visit: the chain ends (the head does not repeat)
    assert found([head, old_law], events, "2022-05-20") == [
        ("LA002", "2022-03-01", "2022-03-08", "2022-03-04", "met", 0),
        ("LA003", "2022-03-04", "2022-04-15", "2022-04-05", "met", 0),
    ]


# -- met_before_opening ----------------------------------------------------------------------------

HEALTH_BEFORE = variant("LA009", met_before_opening={"months": 3})
HEALTH_REVIEWS = NATIONAL.by_id["LA010"]


def test_a_health_assessment_in_the_three_months_before() -> None:
    rules = [HEALTH_BEFORE, HEALTH_REVIEWS]
    lac = [ev("became_looked_after", "2022-03-01")]
    later = [ev("health_assessment", "2022-12-01")]
    # 15 December 2021 is within three months before 1 March 2022 (from 1 December): it meets
    # the first step, and the next (12 months, a child of 11) counts from it
    before = [ev("health_assessment", "2021-12-15")]
    assert found(rules, lac + before + later, "2023-01-10", dob="2010-01-01") == [
        ("LA009", "2022-03-01", "2022-03-29", "2021-12-15", "met", 0),
        ("LA010", "2021-12-15", "2022-12-15", "2022-12-01", "met", 0),
        ("LA010", "2022-12-01", "2023-12-01", None, "pending", None),
    ]
    # 30 November 2021 is too early
    too_early = [ev("health_assessment", "2021-11-30")]
    assert found(rules, lac + too_early + later, "2023-01-10", dob="2010-01-01") == [
        ("LA009", "2022-03-01", "2022-03-29", "2022-12-01", "late", 247),
        ("LA010", "2022-12-01", "2023-12-01", None, "pending", None),
    ]
    # never before the child was born
    assert found(rules, lac + before + later, "2023-01-10", dob="2021-12-20") == [
        ("LA009", "2022-03-01", "2022-03-29", "2022-12-01", "late", 247),
        ("LA010", "2022-12-01", "2023-06-01", None, "pending", None),
    ]


def test_met_before_opening_never_drops_an_event_from_the_case_itself() -> None:
    """Regression (found by the comparison): with ``met_before_opening``, a case opened before
    the recorded date of birth (bad data) counted its events only from the date of birth, so
    an assessment on or after the opening that counts without the option was dropped."""
    events = [
        ev("became_looked_after", "2022-03-01"),
        ev("health_assessment", "2022-03-05"),
    ]
    expected = [
        ("LA009", "2022-03-01", "2022-03-29", "2022-03-05", "met", 0),
        ("LA010", "2022-03-05", "2022-09-05", None, "pending", None),
    ]
    plain = [NATIONAL.by_id["LA009"], HEALTH_REVIEWS]
    assert found(plain, events, "2022-04-01", dob="2022-03-10") == expected
    assert found([HEALTH_BEFORE, HEALTH_REVIEWS], events, "2022-04-01", dob="2022-03-10") == (
        expected
    )


def test_a_milestone_due_before_the_opening() -> None:
    """Regression (found by the comparison): where the schedule's events before the opening
    made the milestone due before the opening, building its finding failed (a negative limit)
    and the child could not be checked."""
    reviews = variant("LA005", met_before_opening={"weeks": 2})
    rules = [reviews, NATIONAL.by_id["LA006"], NATIONAL.by_id["LA007"], NATIONAL.by_id["LA008"]]
    events = [
        ev("became_looked_after", "2022-03-01"),
        ev("lac_review", "2022-02-20"),
        ev("lac_review", "2022-02-25"),
    ]
    # the second review (25 February) came before the opening: the permanence plan was due then
    assert found(rules, events, "2022-04-01") == [
        ("LA005", "2022-03-01", "2022-03-29", "2022-02-20", "met", 0),
        ("LA006", "2022-02-20", "2022-05-20", "2022-02-25", "met", 0),
        ("LA007", "2022-02-25", "2022-08-25", None, "pending", None),
        ("LA008", "2022-03-01", "2022-02-25", None, "overdue", 35),
    ]


# -- requires_time_in ------------------------------------------------------------------------------

ELIGIBLE = variant(
    "CL001",
    requires_time_in={
        "since_age": 14,
        "at_least": {"weeks": 13},
        "excluded_when": {"legal_status": ["V3", "V4"]},
    },
)
# born 1 March 2006: 14 on 1 March 2020, 16 on 1 March 2022 (the clock); 13 weeks = 91 days
DOB = "2006-03-01"
PENDING = [("CL001", "2022-03-01", "2022-06-01", None, "pending", None)]


def test_time_looked_after_since_fourteen() -> None:
    ninety = [ev("became_looked_after", "2021-12-01")]
    assert found([ELIGIBLE], ninety, "2022-04-01", dob=DOB) == []
    ninety_one = [ev("became_looked_after", "2021-11-30")]
    assert found([ELIGIBLE], ninety_one, "2022-04-01", dob=DOB) == PENDING
    # an earlier period adds the days after the 14th birthday (1 to 10 March 2020: 9 days)
    earlier = [
        ev("became_looked_after", "2020-02-20", "P1"),
        ev("ceased_looked_after", "2020-03-10", "P1"),
    ]
    assert found([ELIGIBLE], earlier + ninety, "2022-04-01", dob=DOB) == PENDING
    # ... unless it was a series of short breaks when it began
    short_breaks = [
        ev("legal_status_started", "2020-02-20", "LS1", code="V3"),
        ev("legal_status_started", "2021-12-01", "LS2", code="V2"),
    ]
    assert found([ELIGIBLE], earlier + ninety + short_breaks, "2022-04-01", dob=DOB) == []


# -- counts_from_status ----------------------------------------------------------------------------

EPO_AFTER_POLICE = variant("LS002", counts_from_status={"codes": ["L1"], "limit": {"days": 8}})


def test_an_order_counted_from_the_status_before_it() -> None:
    epo = [
        ev("legal_status_started", "2022-03-03", "B", code="L2"),
        ev("legal_status_ended", "2022-03-10", "B", code="L2"),
    ]
    police = [ev("legal_status_started", "2022-03-01", "A", code="L1")]
    # police protection in force the day before: 8 days from 1 March (the finding's anchor
    # stays the order, 3 March)
    assert found([EPO_AFTER_POLICE], police + epo, "2022-04-01") == [
        ("LS002", "2022-03-03", "2022-03-09", "2022-03-10", "late", 1),
    ]
    # police protection ended the day before: the order's own 8 days
    ended = [ev("legal_status_ended", "2022-03-02", "A", code="L1")]
    own = [("LS002", "2022-03-03", "2022-03-11", "2022-03-10", "met", 0)]
    assert found([EPO_AFTER_POLICE], police + ended + epo, "2022-04-01") == own
    # police protection from the order's own day is not "the day before"
    same_day = [ev("legal_status_started", "2022-03-03", "A", code="L1")]
    assert found([EPO_AFTER_POLICE], same_day + epo, "2022-04-01") == own


# -- variations ------------------------------------------------------------------------------------

COVID = {
    "from": "2022-02-01",
    "to": "2022-04-30",
    "name": "coronavirus-2020",
    "says": "relaxed to as soon as reasonably practicable",
    "references": [
        {
            "title": "Adoption and Children (Coronavirus) (Amendment) Regulations 2020",
            "href": "https://www.legislation.gov.uk/uksi/2020/445/contents/made",
        }
    ],
}


def test_a_duty_relaxed_to_as_soon_as_reasonably_practicable() -> None:
    relaxed = variant("LA001", variations=[COVID])
    lac = [ev("became_looked_after", "2022-03-01")]
    # late under the usual limit: no date to breach, no finding
    assert found([relaxed], [*lac, ev("care_plan", "2022-03-20")], "2022-04-01") == []
    # met under the usual limit: met, marked with the variation
    assert found([relaxed], [*lac, ev("care_plan", "2022-03-10")], "2022-04-01") == [
        ("LA001", "2022-03-01", "2022-03-15", "2022-03-10", "met", 0, "coronavirus-2020"),
    ]
    # a clock after the variation: the usual law (due Monday 16 May, done Friday 20 May)
    after = [ev("became_looked_after", "2022-05-02"), ev("care_plan", "2022-05-20")]
    assert found([relaxed], after, "2022-06-01") == [
        ("LA001", "2022-05-02", "2022-05-16", "2022-05-20", "late", 4),
    ]


def test_a_temporary_limit() -> None:
    longer = variant("LA001", variations=[{**COVID, "limit": {"working_days": 20}}])
    events = [ev("became_looked_after", "2022-03-01"), ev("care_plan", "2022-03-20")]
    assert found([longer], events, "2022-04-01") == [
        ("LA001", "2022-03-01", "2022-03-29", "2022-03-20", "met", 0, "coronavirus-2020"),
    ]


def test_a_relaxed_schedule_step_still_moves_the_chain_on() -> None:
    relaxed_head = variant("LA002", variations=[COVID])
    rules = [relaxed_head, NATIONAL.by_id["LA003"]]
    events = [
        ev("placement_started", "2022-03-01", "PL1", placement_type="U3"),
        ev("lac_visit", "2022-03-20"),
        ev("lac_visit", "2022-04-20"),
    ]
    assert found(rules, events, "2022-05-01") == [
        ("LA003", "2022-03-20", "2022-05-01", "2022-04-20", "met", 0),
        ("LA003", "2022-04-20", "2022-06-01", None, "pending", None),
    ]
