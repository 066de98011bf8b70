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
from .errors import UsageError
from .findings import Finding, Status
from .kinds import REGISTRY
from .rules.limits import TermsUnavailable, due_date
from .rules.model import Limit, Rule
from .rules.words import describe_condition, long_day, ordinal
from .ruleset.ruleset import RuleSet, heads_of

__all__ = ["Explanation", "MonthEnd", "OverrideNote", "SkippedDay", "explain"]

_WEEKEND = ("Saturday", "Sunday")
_CLOSURE = "council closure day"
_LABELS = {
    frozenset({"bank_holiday"}): ("bank holiday", "bank holidays"),
    frozenset({"closure"}): ("council closure day", "council closure days"),
}


class SkippedDay(BaseModel):
    """A day a working-day count passed over, and why."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    date: dt.date
    reason: str  # "Saturday", "Sunday", the bank holiday's name, or "council closure day"
    kind: Literal["weekend", "bank_holiday", "closure"]


class MonthEnd(BaseModel):
    """A month count that landed on a day the month does not have, clamped to its last day."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    day: int  # the anchor's day number (31)
    month: str  # the month that has no such day ("2024-02")
    clamped_to: dt.date  # that month's last day


class OverrideNote(BaseModel):
    """A council's named override that replaced the national limit for this finding."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    plugin: str
    limit: str
    national_limit: str
    national_due: dt.date | None
    relaxes: bool


class Explanation(BaseModel):
    """How one finding's due date and status were worked out."""

    model_config = ConfigDict(frozen=True, defer_build=True)

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


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
    if not isinstance(text, str):
        return None, dt.timedelta()
    step = REGISTRY.of(rule).extension_step(rule, int(text.split()[0]))
    return (None, dt.timedelta()) if step is None else (text, step)


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
    limits = REGISTRY.of(rule).explained_limits(rule)
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
            f"Counting {described}: {long_day(anchor)} is day one, so the period ends the day "
            f"before {limit.value} {limit.unit} later."
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
            f"Counting {described} after {long_day(anchor)} (the day itself is not counted; "
            f"{cal.name} calendar) skipped {_plural(weekend, 'weekend day')}"
        )
        if named:
            listed = ", ".join(f"{long_day(s.date)} ({s.reason})" for s in named)
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
            f"(rounded up) after {long_day(anchor)}; every calendar day counts."
        )
    elif limit.unit == "terms":
        steps.append(
            f"Counting {described}: the last day of the {ordinal(limit.value)} school term after "
            "the term of the anchor (a holiday counts with the term just ended); term dates come "
            "from the council."
        )
    else:
        steps.append(
            f"Counting {described} after {long_day(anchor)} (the day itself is not counted): every "
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
        return f"Done on {long_day(finding.done)}: on time (met)."
    working = (
        f" ({_plural(finding.working_days_late, 'working day')})"
        if finding.working_days_late is not None
        else ""
    )
    late = _plural(finding.days_late or 0, "day")
    if finding.status == Status.LATE:
        assert finding.done is not None
        return f"Done on {long_day(finding.done)}: late by {late}{working}."
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
    kind = REGISTRY.of(rule)
    heads = heads_of(ruleset.rules)
    extras = dict(finding.extra)
    anchor = finding.anchor
    anchor_is = kind.anchor_is(rule, heads)
    steps = [f"{rule.id} {rule.title}", f"Clock started on {long_day(anchor)}: {anchor_is}."]
    extension, moved = _extension(extras, rule)
    base_due = finding.due - moved
    start = _count_start(extras, anchor, steps)
    counted = _Counted(ruleset, rule, finding, extras, base_due, start)
    governs = kind.governs_step(rule, heads)
    if governs is not None:
        steps.append(governs)
    reproduced = counted.reproduced
    if counted.in_force is not None:
        steps.extend(counted.steps())
    else:
        due_step = kind.due_step(rule, heads, anchor, finding.due)
        if due_step is not None:
            steps.append(due_step)
            reproduced = True
    target = _own_target(extras, finding.due, steps)
    if target:
        reproduced = True
    if extension is not None:
        steps.append(
            f"Recorded extensions moved it by {extension}: from {long_day(base_due)} to "
            f"{long_day(finding.due)}."
        )
    if not reproduced and counted.national is not None:
        steps.append(
            "Counting again did not give the recorded due date (the rule may have changed since "
            "this finding was made); the recorded date is shown."
        )
    steps.append(f"Due: {long_day(finding.due)}, the last day on time.")
    steps.append(_outcome_step(finding))
    if finding.exception:
        steps.append(f"Recorded reason: {finding.exception}.")
    in_force, skipped = counted.in_force, counted.skipped
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
        branch=counted.branch,
        override=counted.override,
        calendar=counted.working_cal,
        first_counted_day=counted.first_counted,
        skipped=skipped,
        weekend_days=sum(1 for s in skipped if s.kind == "weekend"),
        holidays=tuple(s for s in skipped if s.kind != "weekend"),
        month_end=counted.month_end,
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


def _own_target(extras: dict[str, Any], due: dt.date, steps: list[str]) -> bool:
    """A deadline due on the child's own recorded target (``target``): the step that says so.
    True when the due date is that target (not capped at the limit)."""
    value = extras.get("target")
    if value is None:
        return False
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if extras.get("target_capped"):
        steps.append(
            f"The child's own target, {long_day(day)}, is later than the limit allows: the "
            "due date is capped at the limit."
        )
        return False
    steps.append(
        f"The child's own target is recorded: {long_day(day)}, no later than the limit, so it "
        "is the due date."
    )
    return day == due


def _count_start(extras: dict[str, Any], anchor: dt.date, steps: list[str]) -> dt.date:
    """Where the count starts, when not at the clock: the first day of the legal status before
    it (CA 1989 s.45(3)), or the end of a temporary relaxation (SI 2020/445)."""
    start = anchor
    for key, why in (
        ("counted_from", "counted from the first day of the legal status before it (s.45(3))"),
        ("resumed", "the duty was relaxed; the usual limit counts again from the relaxation's end"),
    ):
        value = extras.get(key)
        if isinstance(value, str):
            start = dt.date.fromisoformat(value)
            steps.append(f"The limit is {why}: {long_day(start)}.")
    return start


class _Counted:
    """A due date counted again from the rule's limit: which limit, whose, and the count."""

    def __init__(
        self,
        ruleset: RuleSet,
        rule: Rule,
        finding: Finding,
        extras: dict[str, Any],
        base_due: dt.date,
        start: dt.date,
    ) -> None:
        self.ruleset, self.rule, self.extras = ruleset, rule, extras
        self.anchor, self.base_due, self.start = finding.anchor, base_due, start
        self.cal = ruleset.local_calendar if rule.id in ruleset.local_rules else ruleset.calendar
        self.overridden = "override" in extras and rule.id in ruleset.overrides
        self.national, self.in_force, self.reproduced = _choose_limit(
            rule, finding, base_due, ruleset, self.cal, self.overridden, start
        )
        self.branch: str | None = None
        self.override: OverrideNote | None = None
        self.first_counted: dt.date | None = None
        self.skipped: tuple[SkippedDay, ...] = ()
        self.month_end: MonthEnd | None = None
        self.working_cal: str | None = None

    def steps(self) -> list[str]:
        """The limit, its branch, any override, the count and where the due date fell."""
        national, in_force, cal = self.national, self.in_force, self.cal
        assert national is not None and in_force is not None
        steps = [f"Limit: {in_force.describe()}."]
        if len(REGISTRY.of(self.rule).explained_limits(self.rule) or ()) > 1:
            if national.when is not None:
                self.branch = f"{national.describe()} where {describe_condition(national.when)}"
            else:
                self.branch = f"{national.describe()}, as no other limit's condition held"
            steps.append(f"Of this rule's limits, this one applied: {self.branch}.")
        if self.overridden:
            steps.append(self._override(national, in_force))
        if in_force.unit == "working_days":
            self.working_cal = cal.name
        count_steps, self.first_counted, self.skipped = _counting_steps(
            self.start, in_force, self.base_due, cal
        )
        steps.extend(count_steps)
        self.month_end = _month_end(self.anchor, in_force)
        if self.month_end is not None:
            steps.append(
                f"{self.month_end.month} has no day {self.month_end.day}, so the count ends on "
                f"the last day of that month, {long_day(self.month_end.clamped_to)}."
            )
        if in_force.unit != "working_days" and self.base_due >= self.anchor:
            with_reason = _non_working(cal, self.base_due)
            if with_reason:
                steps.append(
                    f"The due date falls on a {with_reason}; a calendar-day limit does not move "
                    "to the next working day."
                    if in_force.unit not in ("terms",)
                    else f"The due date falls on a {with_reason}."
                )
        return steps

    def _override(self, national: Limit, in_force: Limit) -> str:
        active = self.ruleset.overrides[self.rule.id]
        national_due = self.extras.get("national_due")
        self.override = override = OverrideNote(
            name=active.override.name,
            plugin=active.plugin,
            limit=in_force.describe(),
            national_limit=national.describe(),
            national_due=national_due if isinstance(national_due, dt.date) else None,
            relaxes=active.override.relaxes,
        )
        return (
            f"Council override {active.override.name} ({active.plugin}): "
            f"{in_force.describe()} instead of the national {national.describe()}"
            + (
                f" (the national rule would be due {long_day(override.national_due)})"
                if override.national_due
                else ""
            )
            + "."
        )


def _non_working(cal: calendar.WorkingCalendar, day: dt.date) -> str | None:
    try:
        reason = cal.non_working_reason(day)
    except calendar.CalendarRangeError:
        return None
    if reason is None:
        return None
    return reason if reason in _WEEKEND else f"non-working day ({reason})"
