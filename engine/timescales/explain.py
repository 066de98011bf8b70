"""Explain a finding: the counting steps from its anchor to its due date, for a social worker.

``explain(finding, ruleset)`` works the due date out again from the rule in force (its limit,
which conditional branch applied, any council override or recorded extension) and says how it
was counted: the days skipped as weekends, bank holidays (by name) and council closure days for
a working-day limit, a month-end clamp (31 Jan + 1 month = 29 Feb), and the outcome.

The explanation is an immutable pydantic model: ``steps`` are plain sentences to show as they
are, the other fields carry the same facts for a screen of one's own; ``to_dict()`` is
JSON-ready. Nothing here reads today's date or any state outside the finding and the rule set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import calendar
from .docs import describe_condition, ordinal
from .errors import UsageError
from .evaluation.outcome import TermsUnavailable, due_date
from .evaluation.ruleset import RuleSet
from .findings import Finding, Status
from .rules.model import (
    AttributeRule,
    DeadlineRule,
    Limit,
    MilestoneRule,
    RollingRule,
    Rule,
    ScheduleRule,
    Selector,
)

__all__ = ["Explanation", "MonthEnd", "OverrideNote", "SkippedDay", "explain"]

_WEEKEND = ("Saturday", "Sunday")
_CLOSURE = "council closure day"
_LABELS = {
    frozenset({"bank_holiday"}): ("bank holiday", "bank holidays"),
    frozenset({"closure"}): ("council closure day", "council closure days"),
}


class SkippedDay(BaseModel):
    """A day a working-day count passed over, and why."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    reason: str  # "Saturday", "Sunday", the bank holiday's name, or "council closure day"
    kind: Literal["weekend", "bank_holiday", "closure"]


class MonthEnd(BaseModel):
    """A month count that landed on a day the month does not have, clamped to its last day."""

    model_config = ConfigDict(frozen=True)

    day: int  # the anchor's day number (31)
    month: str  # the month that has no such day ("2024-02")
    clamped_to: dt.date  # that month's last day


class OverrideNote(BaseModel):
    """A council's named override that replaced the national limit for this finding."""

    model_config = ConfigDict(frozen=True)

    name: str
    plugin: str
    limit: str
    national_limit: str
    national_due: dt.date | None
    relaxes: bool


class Explanation(BaseModel):
    """How one finding's due date and status were worked out."""

    model_config = ConfigDict(frozen=True)

    finding: str  # the finding's stable id
    rule: str
    name: str
    title: str
    kind: str
    child: str
    ref: str | None
    anchor: dt.date
    anchor_is: str  # what the anchor is ("each pf_notified", "the case opening (...)")
    limit: str | None  # "7 working days", as the rule file says it (None: worked out)
    unit: str | None
    value: int | None
    counting: Literal["after", "beginning_with"] | None
    branch: str | None  # which of a rule's conditional limits applied, and why
    override: OverrideNote | None
    calendar: str | None  # the working calendar used (England, or a council's)
    first_counted_day: dt.date | None
    skipped: tuple[SkippedDay, ...]  # every non-working day the count passed over
    weekend_days: int
    holidays: tuple[SkippedDay, ...]  # the named ones: bank holidays and closure days
    month_end: MonthEnd | None
    extension: str | None
    due: dt.date
    reproduced: bool  # True when counting again gave the finding's due date exactly
    done: dt.date | None
    status: Status
    days_late: int | None
    working_days_late: int | None
    exception: str | None
    steps: tuple[str, ...]

    def text(self) -> str:
        """The steps as lines of text, ready to show."""
        return "\n".join(self.steps) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO dates, status as its string."""
        return self.model_dump(mode="json")


def _day(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _selector(selector: Selector) -> str:
    text = selector.type
    if selector.where:
        text += " with " + ", ".join(f"{k} {v}" for k, v in selector.where.items())
    if selector.unless:
        text += " unless " + ", ".join(f"{k} {v}" for k, v in selector.unless.items())
    return text


def _anchor_is(rule: Rule, heads: dict[str, ScheduleRule]) -> str:
    if isinstance(rule, DeadlineRule):
        if rule.clock is not None:
            return f"each {_selector(rule.clock)}"
        return f"the child's {ordinal(rule.clock_at_age or 0)} birthday"
    if isinstance(rule, ScheduleRule):
        head = rule if rule.follows is None else heads.get(rule.follows, rule)
        event = head.event.type if head.event else "event"
        opens = " or ".join(head.scope.opens) if head.scope else "case opening"
        if rule.follows is not None:
            return f"the previous {event}"
        if rule.repeats:
            return f"the case opening ({opens}), or for a later {event} the previous one"
        return f"the case opening ({opens})"
    if isinstance(rule, MilestoneRule):
        milestone_head = heads.get(rule.schedule)
        scope = milestone_head.scope if milestone_head else None
        return f"the case opening ({' or '.join(scope.opens) if scope else 'case opening'})"
    if isinstance(rule, AttributeRule):
        return f"each {_selector(rule.event)}"
    if isinstance(rule, RollingRule):
        return f"the first counted day in {rule.spell.starts.type}"
    return "the clock"


def _classify(reason: str) -> Literal["weekend", "bank_holiday", "closure"]:
    if reason in _WEEKEND:
        return "weekend"
    return "closure" if reason == _CLOSURE else "bank_holiday"


def _month_end(anchor: dt.date, limit: Limit) -> MonthEnd | None:
    if limit.unit != "months":
        return None
    target = calendar.add_months(anchor, limit.value)
    if target.day == anchor.day:
        return None
    return MonthEnd(day=anchor.day, month=f"{target:%Y-%m}", clamped_to=target)


def _extension(extras: dict[str, Any], rule: Rule) -> tuple[str | None, dt.timedelta]:
    text = extras.get("extended")
    if not isinstance(text, str) or not isinstance(rule, DeadlineRule) or not rule.extension:
        return None, dt.timedelta()
    amount = int(text.split()[0])
    step = (
        dt.timedelta(days=amount) if rule.extension.unit == "days" else dt.timedelta(weeks=amount)
    )
    return text, step


def _choose_limit(
    rule: Rule,
    finding: Finding,
    base_due: dt.date,
    ruleset: RuleSet,
    cal: calendar.WorkingCalendar,
    overridden: bool,
    start: dt.date,
) -> tuple[Limit | None, Limit | None, bool]:
    """(national limit, limit in force, whether counting again from ``start`` reproduces
    base_due)."""
    limits = rule.limits()
    if isinstance(rule, AttributeRule):
        limits = limits[-1:]
    if not limits:
        return None, None, False
    threshold = dict(finding.extra).get("threshold")
    if isinstance(threshold, str):
        narrowed = [lim for lim in limits if lim.describe() == threshold]
        limits = narrowed or limits
    active = ruleset.overrides.get(rule.id) if overridden else None
    pairs = [(lim, active.local_for(lim) if active else lim) for lim in limits]
    for national, in_force in pairs:
        try:
            if due_date(start, in_force, cal, ruleset.terms) == base_due:
                return national, in_force, True
        except (TermsUnavailable, calendar.CalendarRangeError, OverflowError):
            continue
    national, in_force = pairs[-1] if len(pairs) > 1 and threshold is None else pairs[0]
    return national, in_force, False


def _counting_steps(
    anchor: dt.date, limit: Limit, due: dt.date, cal: calendar.WorkingCalendar
) -> tuple[list[str], dt.date, tuple[SkippedDay, ...]]:
    """Sentences for the count itself, the first day counted, and the days skipped."""
    steps: list[str] = []
    described = limit.describe()
    if limit.value == 0:
        steps.append(f"A limit of {described}: due the same day.")
        return steps, anchor, ()
    if limit.counting == "beginning_with":
        first = anchor
        steps.append(
            f"Counting {described}: {_day(anchor)} is day one, so the period ends the day before "
            f"{limit.value} {limit.unit} later."
        )
        return steps, first, ()
    first = anchor + dt.timedelta(days=1)
    if limit.unit == "working_days":
        try:
            raw = cal.non_working_days_between(anchor, due)
        except calendar.CalendarRangeError:
            raw = []
        skipped = tuple(SkippedDay(date=d, reason=why, kind=_classify(why)) for d, why in raw)
        weekend = sum(1 for s in skipped if s.kind == "weekend")
        named = [s for s in skipped if s.kind != "weekend"]
        text = (
            f"Counting {described} after {_day(anchor)} (the day itself is not counted; "
            f"{cal.name} calendar) skipped {_plural(weekend, 'weekend day')}"
        )
        if named:
            listed = ", ".join(f"{_day(s.date)} ({s.reason})" for s in named)
            kinds = frozenset(s.kind for s in named)
            one, many = _LABELS.get(
                kinds, ("bank holiday or closure day", "bank holidays or closure days")
            )
            text += f" and {len(named)} {one if len(named) == 1 else many}: {listed}"
        steps.append(text + ".")
        if not cal.is_working_day(anchor):
            reason = cal.non_working_reason(anchor)
            steps.append(
                f"The clock started on a non-working day ({reason}); the count begins with the "
                "next working day."
            )
        return steps, first, skipped
    if limit.unit == "hours":
        days = -(-limit.value // 24)
        steps.append(
            f"{described.capitalize()} on date-only records count as {_plural(days, 'whole day')} "
            f"(rounded up) after {_day(anchor)}; every calendar day counts."
        )
    elif limit.unit == "terms":
        steps.append(
            f"Counting {described}: the last day of the {ordinal(limit.value)} school term after "
            "the term of the anchor (a holiday counts with the term just ended); term dates come "
            "from the council."
        )
    else:
        steps.append(
            f"Counting {described} after {_day(anchor)} (the day itself is not counted): every "
            "calendar day counts, weekends and bank holidays too."
        )
    return steps, first, ()


def _outcome_step(finding: Finding) -> str:
    if finding.status == Status.UNMET:
        return (
            "The event does not record what the rule requires: unmet, a breach. It is not a "
            "deadline still to be met, so there are no days late."
        )
    if finding.status == Status.MET:
        assert finding.done is not None
        return f"Done on {_day(finding.done)}: on time (met)."
    working = (
        f" ({_plural(finding.working_days_late, 'working day')})"
        if finding.working_days_late is not None
        else ""
    )
    late = _plural(finding.days_late or 0, "day")
    if finding.status == Status.LATE:
        assert finding.done is not None
        return f"Done on {_day(finding.done)}: late by {late}{working}."
    if finding.status == Status.OVERDUE:
        return (
            f"Not done: overdue by {late}{working}, counted to the date checked as of (or the "
            "case's end, if earlier)."
        )
    return "Not done yet, and not yet due (pending)."


def explain(finding: Finding, ruleset: RuleSet) -> Explanation:
    """The counting steps behind ``finding``, from the rule set that produced it.

    Raises UsageError when the finding's rule is not in ``ruleset``. ``reproduced`` is False in
    the rare case that counting again cannot give the finding's due date (a rule that changed
    since the finding was made): the steps then say so and show the recorded due date.
    """
    rule = ruleset.by_id.get(finding.rule)
    if rule is None:
        raise UsageError(f"rule {finding.rule} is not in this rule set", field="rule")
    heads = {r.id: r for r in ruleset.rules if isinstance(r, ScheduleRule) and r.follows is None}
    extras = dict(finding.extra)
    cal = ruleset.local_calendar if rule.id in ruleset.local_rules else ruleset.calendar
    anchor = finding.anchor
    anchor_is = _anchor_is(rule, heads)
    steps = [
        f"{rule.id} {rule.title}",
        f"Clock started on {_day(anchor)}: {anchor_is}.",
    ]
    extension, moved = _extension(extras, rule)
    base_due = finding.due - moved
    # where the count starts, when not at the clock: the first day of the legal status before
    # it (CA 1989 s.45(3)), or the end of a temporary relaxation (SI 2020/445)
    start = anchor
    for key, why in (
        ("counted_from", "counted from the first day of the legal status before it (s.45(3))"),
        ("resumed", "the duty was relaxed; the usual limit counts again from the relaxation's end"),
    ):
        value = extras.get(key)
        if isinstance(value, str):
            start = dt.date.fromisoformat(value)
            steps.append(f"The limit is {why}: {_day(start)}.")
    overridden = "override" in extras and rule.id in ruleset.overrides
    national: Limit | None = None
    in_force: Limit | None = None
    reproduced = False
    if isinstance(rule, (DeadlineRule, ScheduleRule, AttributeRule)):
        national, in_force, reproduced = _choose_limit(
            rule, finding, base_due, ruleset, cal, overridden, start
        )
    branch = None
    override = None
    first_counted: dt.date | None = None
    skipped: tuple[SkippedDay, ...] = ()
    month_end = None
    working_cal: str | None = None
    if isinstance(rule, ScheduleRule) and rule.follows is not None:
        first, last = rule.occurrence_range()
        which = f"occurrence {first}" if last == first else f"occurrences {first} onwards"
        head_event = heads[rule.follows].event if rule.follows in heads else None
        steps.append(
            f"This {head_event.type if head_event else 'event'} is governed by {rule.id} "
            f"({which} of the {rule.follows} schedule)."
            + (f" It applies where {describe_condition(rule.when)}." if rule.when else "")
        )
    if national is not None and in_force is not None:
        limits = rule.limits()
        steps.append(f"Limit: {in_force.describe()}.")
        if len(limits) > 1 and not isinstance(rule, AttributeRule):
            if national.when is not None:
                branch = f"{national.describe()} where {describe_condition(national.when)}"
            else:
                branch = f"{national.describe()}, as no other limit's condition held"
            steps.append(f"Of this rule's limits, this one applied: {branch}.")
        if overridden:
            active = ruleset.overrides[rule.id]
            national_due = extras.get("national_due")
            override = OverrideNote(
                name=active.override.name,
                plugin=active.plugin,
                limit=in_force.describe(),
                national_limit=national.describe(),
                national_due=national_due if isinstance(national_due, dt.date) else None,
                relaxes=active.override.relaxes,
            )
            steps.append(
                f"Council override {active.override.name} ({active.plugin}): "
                f"{in_force.describe()} instead of the national {national.describe()}"
                + (
                    f" (the national rule would be due {_day(override.national_due)})"
                    if override.national_due
                    else ""
                )
                + "."
            )
        if in_force.unit == "working_days":
            working_cal = cal.name
        count_steps, first_counted, skipped = _counting_steps(start, in_force, base_due, cal)
        steps.extend(count_steps)
        month_end = _month_end(anchor, in_force)
        if month_end is not None:
            steps.append(
                f"{month_end.month} has no day {month_end.day}, so the count ends on the last "
                f"day of that month, {_day(month_end.clamped_to)}."
            )
        if in_force.unit != "working_days" and base_due >= anchor:
            with_reason = _non_working(cal, base_due)
            if with_reason:
                steps.append(
                    f"The due date falls on a {with_reason}; a calendar-day limit does not move "
                    "to the next working day."
                    if in_force.unit not in ("terms",)
                    else f"The due date falls on a {with_reason}."
                )
    elif isinstance(rule, MilestoneRule):
        head = heads.get(rule.schedule)
        event = head.event.type if head and head.event else "event"
        steps.append(
            f"Due by {_selector(rule.met_by)} being recorded by the "
            f"{ordinal(rule.occurrence)} {event} of the {rule.schedule} schedule: the earlier of "
            "that event's actual date and its scheduled due date "
            f"({_plural((finding.due - anchor).days, 'day')} after the case opened)."
        )
        reproduced = True
    elif isinstance(rule, RollingRule):
        steps.append(
            f"At most {rule.limit[-1].describe()} in {rule.spell.starts.type} in any "
            f"{rule.window.describe()}: counting from {_day(anchor)}, the total passed the limit "
            f"on {_day(finding.due)}"
            + (
                f"; by then {rule.met_by.type} had to be recorded."
                if rule.met_by
                else "; nothing can authorise that."
            )
        )
        reproduced = True
    if extension is not None:
        steps.append(
            f"Recorded extensions moved it by {extension}: from {_day(base_due)} to "
            f"{_day(finding.due)}."
        )
    if not reproduced and national is not None:
        steps.append(
            "Counting again did not give the recorded due date (the rule may have changed since "
            "this finding was made); the recorded date is shown."
        )
    steps.append(f"Due: {_day(finding.due)}, the last day on time.")
    steps.append(_outcome_step(finding))
    if finding.exception:
        steps.append(f"Recorded reason: {finding.exception}.")
    return Explanation(
        finding=finding.id,
        rule=rule.id,
        name=rule.name,
        title=rule.title,
        kind=rule.kind,
        child=finding.child,
        ref=finding.ref,
        anchor=anchor,
        anchor_is=anchor_is,
        limit=in_force.describe() if in_force else None,
        unit=in_force.unit if in_force else None,
        value=in_force.value if in_force else None,
        counting=in_force.counting if in_force else None,
        branch=branch,
        override=override,
        calendar=working_cal,
        first_counted_day=first_counted,
        skipped=skipped,
        weekend_days=sum(1 for s in skipped if s.kind == "weekend"),
        holidays=tuple(s for s in skipped if s.kind != "weekend"),
        month_end=month_end,
        extension=extension,
        due=finding.due,
        reproduced=reproduced,
        done=finding.done,
        status=finding.status,
        days_late=finding.days_late,
        working_days_late=finding.working_days_late,
        exception=finding.exception,
        steps=tuple(steps),
    )


def _non_working(cal: calendar.WorkingCalendar, day: dt.date) -> str | None:
    try:
        reason = cal.non_working_reason(day)
    except calendar.CalendarRangeError:
        return None
    if reason is None:
        return None
    return reason if reason in _WEEKEND else f"non-working day ({reason})"
