"""Shared by the property tests: example counts from the chosen hypothesis profile
(``TIMESCALES_HYPOTHESIS_PROFILE``), the national rule set, and the one way the engine is compared
with the reference model."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from hypothesis import strategies as st

from timescales import ChildRecord
from timescales.rules.model import Limit, Rule
from timescales.testing import profiles
from timescales.testing.reference import OutsideCalendar, ReferenceModel, compare_with_engine
from timescales.testing.strategies import child_records, national_ruleset, rules, school_terms

examples = profiles.examples
scaled = profiles.scaled
NATIONAL = national_ruleset()


def maybe_terms(draw: st.DrawFn) -> tuple[tuple[dt.date, dt.date], ...] | None:
    """School terms (2001 to 2029) half the time, for the rules counted in school days."""
    if draw(st.booleans()):
        return draw(school_terms(first_year=2001, years=29))
    return None


@st.composite
def records(draw: st.DrawFn) -> ChildRecord:
    """Half life courses, half records built around one national rule."""
    if draw(st.booleans()):
        return draw(child_records())
    return draw(child_records(focus=draw(rules())))


def assert_engine_matches_reference(ruleset: Any, record: ChildRecord, as_of: dt.date) -> int:
    """The engine and the reference model agree on this record; returns how many findings were
    compared. The failure message is a ready reproducer (record, as_of, rules, findings)."""
    problems = compare_with_engine(ruleset, record, as_of=as_of)
    assert not problems, "\n".join(problems)
    try:
        return len(ReferenceModel.like(ruleset).check(record, as_of=as_of))
    except OutsideCalendar:
        return 0


def breaches_turned_met(earlier: Any, later: Any) -> list[str]:
    """Instances (rule, anchor, ref) that were a breach at the earlier as_of and are met at the
    later one. Two instances may share a key (copies of a clock that disagree both count), so
    per key: no more "met" later than there were findings that were not breaches before."""
    breach = ("late", "overdue", "unmet")

    def tally(findings: Any) -> Counter[tuple[Any, ...]]:
        return Counter(
            (f.rule, f.anchor, f.ref, f.status in breach, f.status == "met") for f in findings
        )

    before, after = tally(earlier), tally(later)
    problems = []
    for key in {k[:3] for k, n in before.items() if k[3]}:
        not_breaches = sum(n for k, n in before.items() if k[:3] == key and not k[3])
        met_after = sum(n for k, n in after.items() if k[:3] == key and k[4])
        if met_after > not_breaches:
            problems.append(f"{key}: a breach at the earlier as_of is met at the later one")
    return problems


# -- rule variants: the national rules with other limits, units and matching ---------------------

UNITS_FOR = {
    "deadline": ("working_days", "days", "weeks", "months", "hours"),
    "schedule": ("working_days", "days", "weeks", "months", "hours"),
    "attribute": ("working_days", "days", "weeks"),
    "rolling": ("days", "hours"),
}


def varied_limit(draw: Any, limit: Limit, kind: str) -> Limit:
    from hypothesis import strategies as st

    unit = draw(st.sampled_from(UNITS_FOR[kind]))
    hi = {"working_days": 40, "days": 60, "weeks": 12, "months": 8, "hours": 200}[unit]
    value = draw(st.integers(0, hi))
    counting = "after"
    if unit in ("days", "weeks", "months") and value >= 1 and kind != "rolling":
        counting = draw(st.sampled_from(["after", "after", "beginning_with"]))
    return Limit(unit=unit, value=value, when=limit.when, counting=counting)


def varied(draw: Any, rule: Rule) -> Rule:
    """The rule with each limit's unit, value and counting redrawn (conditions kept), and
    sometimes ``match: case`` instead of ``auto``."""
    from hypothesis import strategies as st

    update: dict[str, Any] = {}
    if rule.kind in UNITS_FOR:
        update["limit"] = [varied_limit(draw, lim, rule.kind) for lim in rule.limits()]
    if draw(st.integers(0, 3)) == 0:
        update["match"] = "case" if rule.match == "auto" else "auto"
    data = rule.model_dump(by_alias=True, exclude_none=True)
    data.update(
        {
            k: [lim.model_dump(exclude_none=True) for lim in v] if k == "limit" else v
            for k, v in update.items()
        }
    )
    return type(rule).model_validate(data)
