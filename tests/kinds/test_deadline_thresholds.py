"""Two deadline fields the Lancashire standards needed: ``requires_duration`` (the duty arises
only where an episode lasts longer than a threshold: LANC003) and ``target`` (the due date is the
child's own recorded target, capped at the limit: LANC005). Both engines read them alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from timescales import ChildRecord, load_rules
from timescales.backends import durable_available
from timescales.explain import explain
from timescales.kinds import REGISTRY
from timescales.kinds.deadline import DeadlineRule, Lasting, Target
from timescales.rules.model import Limit, Selector
from timescales.ruleset.ruleset import ChildResult, RuleSet
from timescales.testing import mutate, mutations

NATIONAL = load_rules(autoload=False)
START = dt.date(2024, 3, 4)  # a Monday


def _day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


def _missing_rule(longer_than: dict[str, Any]) -> RuleSet:
    """MI001 turned into "the interview within 72 hours of going missing, for an episode that
    lasts longer than ``longer_than``"."""
    base = NATIONAL.by_id["MI001"]
    rule = base.model_copy(
        update={
            "clock": Selector(type="missing_started"),
            "met_by": Selector(type="return_interview"),
            "requires_duration": Lasting.model_validate(
                {"until": "missing_returned", "longer_than": longer_than}
            ),
        }
    )
    return NATIONAL.select(["MI001"]).replace([rule])


def _assessment_rule() -> RuleSet:
    """AS001 with a recorded target (an ``exception`` event stands in for a council's own
    target event: it is a national type with a string attribute, ``reason``)."""
    base = NATIONAL.by_id["AS001"]
    rule = base.model_copy(update={"target": Target(type="exception", attr="reason")})
    return NATIONAL.select(["AS001"]).replace([rule])


def _both(ruleset: RuleSet, record: ChildRecord, as_of: dt.date) -> ChildResult:
    """The Python engine's result, after checking that the durable engine agrees."""
    result = ruleset.check(record, as_of=as_of)
    if durable_available():
        from timescales.backends.durable import DurableRuleSet

        other = DurableRuleSet(ruleset).check(record, as_of)
        assert [f.to_dict() for f in other.findings] == [f.to_dict() for f in result.findings]
        assert sorted(map(repr, other.quality)) == sorted(map(repr, result.quality))
    return result


def _episode(back: int | None, back_ref: str = "M1") -> ChildRecord:
    events = [{"type": "missing_started", "date": _day(0), "ref": "M1"}]
    if back is not None:
        events.append({"type": "missing_returned", "date": _day(back), "ref": back_ref})
    return ChildRecord.model_validate({"child": "C1", "events": events})


@pytest.mark.parametrize(
    ("longer_than", "back", "as_of", "arises"),
    [
        # 24 hours on dates: back the same day or the next may be under 24 hours: no duty
        ({"hours": 24}, 0, 30, False),
        ({"hours": 24}, 1, 30, False),
        # back on the second day after, or later: certainly over 24 hours
        ({"hours": 24}, 2, 30, True),
        ({"hours": 24}, 9, 30, True),
        # not back by as_of: counts from the second day after on
        ({"hours": 24}, None, 1, False),
        ({"hours": 24}, None, 2, True),
        # the threshold in days reads the same way: longer than 3 days is back on day 4
        ({"days": 3}, 3, 30, False),
        ({"days": 3}, 4, 30, True),
    ],
)
def test_the_duty_arises_only_for_an_episode_longer_than_the_threshold(
    longer_than: dict[str, Any], back: int | None, as_of: int, arises: bool
) -> None:
    result = _both(_missing_rule(longer_than), _episode(back), START + dt.timedelta(days=as_of))
    assert bool(result.findings) is arises
    if arises:
        (finding,) = result.findings
        assert finding.anchor == START and finding.due == START + dt.timedelta(days=3)


def test_a_return_from_another_episode_does_not_end_this_one() -> None:
    # M1 has no return of its own: it is still open at as_of, so it lasted over 24 hours
    result = _both(
        _missing_rule({"hours": 24}), _episode(1, back_ref="M9"), START + dt.timedelta(days=5)
    )
    assert [f.ref for f in result.findings] == ["M1"]


def test_lasting_takes_a_plain_number_of_hours_days_or_weeks() -> None:
    for bad in (
        {"months": 1},
        {"working_days": 2},
        {"hours": 24, "when": {"age_under_at_anchor": 5}},
        {"days": 2, "counting": "beginning_with"},
    ):
        with pytest.raises(ValidationError):
            Lasting.model_validate({"until": "missing_returned", "longer_than": bad})


def test_the_duration_threshold_is_a_mutation_the_fixtures_must_notice() -> None:
    (rule,) = [r for r in _missing_rule({"hours": 24}).rules if r.id == "MI001"]
    assert isinstance(rule, DeadlineRule)
    assert mutations(rule) == [(0, -1), (0, 1), (1, -1), (1, 1)]
    moved = mutate(rule, 1, 1)
    assert isinstance(moved, DeadlineRule) and moved.requires_duration is not None
    assert moved.requires_duration.longer_than == Limit(unit="hours", value=48)
    assert moved.limit == rule.limit
    # a limit is still moved as before, the threshold left alone
    other = mutate(rule, 0, -1)
    assert isinstance(other, DeadlineRule) and other.requires_duration == rule.requires_duration
    assert other.limit[0].value == 48
    # rules without the field keep the plain mutations
    assert REGISTRY.of(NATIONAL.by_id["MI001"]).mutations(NATIONAL.by_id["MI001"]) is None


def _referral(*targets: tuple[int, str]) -> ChildRecord:
    events: list[dict[str, Any]] = [
        {"type": "referral", "date": _day(0), "ref": "R1", "case": "K1"},
        {"type": "assessment_completed", "date": _day(20), "ref": "A1", "case": "K1"},
    ]
    for offset, value in targets:
        events.append(
            {"type": "exception", "date": _day(offset), "case": "K1", "attrs": {"reason": value}}
        )
    return ChildRecord.model_validate({"child": "C1", "events": events})


AS_OF = dt.date(2024, 12, 31)
LIMIT_DUE = dt.date(2024, 5, 9)  # 45 working days from Mon 4 Mar 2024


def test_due_on_the_childs_own_target() -> None:
    (finding,) = _both(_assessment_rule(), _referral((1, _day(14))), AS_OF).findings
    assert finding.due == START + dt.timedelta(days=14)
    assert finding.status.value == "late" and finding.days_late == 6
    assert dict(finding.extra) == {"target": START + dt.timedelta(days=14)}
    steps = explain(finding, _assessment_rule())
    assert steps.reproduced and any("own target" in s for s in steps.steps)


def test_a_target_later_than_the_limit_is_capped_and_flagged() -> None:
    (finding,) = _both(_assessment_rule(), _referral((0, "2024-09-30")), AS_OF).findings
    assert finding.due == LIMIT_DUE and finding.status.value == "met"
    assert dict(finding.extra) == {"target": dt.date(2024, 9, 30), "target_capped": True}
    assert explain(finding, _assessment_rule()).reproduced


def test_without_a_target_the_limit_applies_and_nothing_is_noted() -> None:
    result = _both(_assessment_rule(), _referral(), AS_OF)
    (finding,) = result.findings
    assert finding.due == LIMIT_DUE and not finding.extra and not result.quality


@pytest.mark.parametrize(
    ("value", "why"),
    [("not a date", "is not a date"), ("2024-03-01", "is before the referral")],
)
def test_an_unusable_target_is_noted_and_the_limit_applies(value: str, why: str) -> None:
    result = _both(_assessment_rule(), _referral((0, value)), AS_OF)
    (finding,) = result.findings
    assert finding.due == LIMIT_DUE and not finding.extra
    (note,) = [q for q in result.quality if q.code == "DATA058"]
    assert why in note.message and note.rule == "AS001" and note.date == START


def test_the_first_usable_target_counts_and_a_later_one_is_ignored() -> None:
    record = _referral((0, "soon"), (1, _day(10)), (5, _day(30)))
    (finding,) = _both(_assessment_rule(), record, AS_OF).findings
    assert finding.due == START + dt.timedelta(days=10)


def test_a_target_the_copies_disagree_on_is_unknown() -> None:
    # two copies of one event with different targets: DATA008, and no target is used
    record = _referral((1, _day(10)), (1, _day(12)))
    result = _both(_assessment_rule(), record, AS_OF)
    (finding,) = result.findings
    assert finding.due == LIMIT_DUE
    codes = {q.code for q in result.quality}
    assert "DATA008" in codes and "DATA058" not in codes
