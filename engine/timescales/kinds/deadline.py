"""Rule kind ``deadline``: X within N of Y, one finding per clock event.

The clock is an event (or the child's Nth birthday inside a case); the first ``met_by`` event on
or after it (related by ref/case) meets it; ``void_by`` removes the instance; ``closed_by`` or
the ``during`` case's end closes it; recorded ``extension``s move the due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from .. import calendar
from ..evaluation.context import BEFORE_KNOWN, Context
from ..evaluation.timeline import (
    Case,
    Ev,
    Timeline,
    earliest_plausible,
    holds,
    related,
    statuses_at,
)
from ..findings import DataQualityFinding, Finding
from ..rules.limits import due_date
from ..rules.model import (
    Condition,
    Limit,
    Limits,
    RuleBase,
    Scope,
    Selector,
    Strict,
    scope_selectors,
)
from ..rules.registry import Answerable, DueAsked, Heads, Kind
from ..rules.words import case_text, describe_limits, describe_selector, ordinal, plain_selector
from .schedule import cases_of


class Extension(Strict):
    """Recorded extensions move the due date: each ``type`` event (same ref) adds its ``attr``
    value in ``unit``, capped at ``max_each``, for at most ``max_count`` extensions."""

    type: str
    attr: str
    unit: Literal["days", "weeks"]
    max_each: int = Field(ge=1)
    max_count: int | None = Field(default=None, ge=1)


class TimeIn(Strict):
    """Time spent in a rule's ``during`` cases since the child's ``since_age`` birthday, up to
    the clock, at least ``at_least``; cases for which ``excluded_when`` holds on their opening
    day do not count (reg 40(2): short breaks)."""

    since_age: int = Field(ge=0, le=30)
    at_least: Limit
    excluded_when: Condition | None = None

    @model_validator(mode="after")
    def _days_or_weeks(self) -> TimeIn:
        if self.at_least.unit not in ("days", "weeks") or self.at_least.when is not None:
            raise ValueError("'at_least' is a plain number of days or weeks")
        return self


class CountsFrom(Strict):
    """Where one of ``codes`` was the legal status the day before the clock, the instance's
    limit is ``limit`` counted from the day that status began."""

    codes: list[str] = Field(min_length=1)
    limit: Limit


class Lasting(Strict):
    """The duty arises only where what the clock starts lasts longer than ``longer_than``: until
    the first ``until`` event on or after the clock (related by the rule's ``match``), or
    as_of while there is none. On date-only data "longer than" means still going on after the
    day ``longer_than`` falls due on, counted as a limit from the clock: longer than 24 hours
    from a start on Monday is a return on Wednesday or later, or none by as_of from Wednesday
    (a return on Tuesday may be after 2 hours or after 47: it does not count)."""

    until: Selector
    longer_than: Limit

    @model_validator(mode="after")
    def _plain(self) -> Lasting:
        lim = self.longer_than
        if lim.unit not in ("hours", "days", "weeks") or lim.when is not None:
            raise ValueError("'longer_than' is a plain number of hours, days or weeks")
        if lim.counting != "after":
            raise ValueError("'longer_than' counts from the day after the clock")
        return self


class Target(Strict):
    """The child's own target: the first ``type`` event on or after the clock (related by the
    rule's ``match``) whose ``attr`` holds an ISO date sets the due date. A target later than
    the rule's limit is capped at it (the finding says so); without one, the limit applies. A
    target that is not a date, or is before the clock, is noted (DATA058) and not used."""

    type: str
    attr: str


class DeadlineRule(RuleBase):
    """X within N of Y: one finding per clock event; met by the first ``met_by`` event on or
    after the clock; ``void_by`` removes the instance; ``closed_by`` ends its case."""

    kind: Literal["deadline"]
    clock: Selector | None = None
    # instead of an event: the child's Nth birthday (needs ``during``: e.g. 16 while looked after)
    clock_at_age: int | None = Field(default=None, ge=1, le=30)
    met_by: Selector
    limit: Limits
    void_by: Selector | None = None
    closed_by: list[Selector] = Field(default_factory=list)
    # the clock counts only inside an open case of this scope (which also ends the instance)
    during: Scope | None = None
    # the rule applies to a child only if any of these events is recorded (AD001)
    requires_any: list[Selector] = Field(default_factory=list)
    extension: Extension | None = None
    # a ``met_by`` event dated before the clock also meets it (LA001: the care plan is to be
    # prepared before the first placement where it can be), but never one from before the
    # previous clock of the same rule
    met_before_clock: bool = False
    # the rule applies only to a child who spent at least this long in ``during``'s cases since
    # an age, up to the clock (CL001: an eligible child, looked after 13 weeks since 14)
    requires_time_in: TimeIn | None = None
    # where one of these legal statuses was in force the day before the clock, ``limit`` counts
    # from the day it began instead (CA 1989 s.45(3): an emergency protection order made after
    # police protection runs from the first day of police protection)
    counts_from_status: CountsFrom | None = None
    # the duty arises only where the episode the clock starts lasts longer than a threshold
    # (LANC003: the Head of Service is told of a child missing for more than 24 hours)
    requires_duration: Lasting | None = None
    # the due date is the child's own target, recorded on an event, capped at the limit
    # (LANC005: an assessment's own target date, never later than 45 working days)
    target: Target | None = None

    @model_validator(mode="after")
    def _one_clock(self) -> DeadlineRule:
        if (self.clock is None) == (self.clock_at_age is None):
            raise ValueError("a deadline needs exactly one of 'clock' and 'clock_at_age'")
        if self.clock_at_age is not None and self.during is None:
            raise ValueError("'clock_at_age' needs 'during' (the case the birthday must fall in)")
        return self

    @model_validator(mode="after")
    def _time_in_needs_during(self) -> DeadlineRule:
        if self.requires_time_in is not None and self.during is None:
            raise ValueError("'requires_time_in' needs 'during' (the cases whose time counts)")
        return self

    def selectors(self) -> list[Selector]:
        extra = [self.void_by] if self.void_by else []
        clock = [self.clock] if self.clock else []
        during = scope_selectors(self.during) if self.during else []
        ext = [Selector(type=self.extension.type)] if self.extension else []
        back = (
            [Selector(type="legal_status_started"), Selector(type="legal_status_ended")]
            if self.counts_from_status
            else []
        )
        lasting = [self.requires_duration.until] if self.requires_duration else []
        target = [Selector(type=self.target.type)] if self.target else []
        return [
            *clock,
            self.met_by,
            *extra,
            *self.closed_by,
            *during,
            *self.requires_any,
            *ext,
            *back,
            *lasting,
            *target,
        ]

    def conditions(self) -> list[Condition]:
        out = super().conditions()
        if self.requires_time_in is not None and self.requires_time_in.excluded_when:
            out.append(self.requires_time_in.excluded_when)
        return out

    def starting(self) -> list[Selector]:
        return [*([self.clock] if self.clock else []), *self.requires_any]

    def limits(self) -> list[Limit]:
        back = [self.counts_from_status.limit] if self.counts_from_status else []
        return [*self.limit, *back]


def _clocks(rule: DeadlineRule, ctx: Context) -> list[tuple[Ev, dt.date | None]]:
    """Clock events with the close date their case gives them (None: open)."""
    tl = ctx.timeline
    if rule.clock_at_age is not None:
        return birthday_clock(rule, ctx)
    assert rule.clock is not None
    clocks = tl.select(rule.clock)
    if rule.during is None:
        return [(c, None) for c in clocks]
    return in_cases(rule, ctx, clocks)


def birthday_clock(rule: DeadlineRule, ctx: Context) -> list[tuple[Ev, dt.date | None]]:
    """The clock of ``clock_at_age``: the birthday, if it falls in a case of ``during`` by
    as_of, with that case's close."""
    tl = ctx.timeline
    if tl.dob is None or rule.during is None or rule.clock_at_age is None:
        return []
    birthday = calendar.add_years(tl.dob, rule.clock_at_age)
    for case in cases_of(tl, rule.during, rule.match, rule.id):
        inside = case.opened.date <= birthday and (case.close is None or birthday <= case.close)
        if inside and birthday <= ctx.as_of:
            clock = Ev(f"birthday_{rule.clock_at_age}", birthday, case.opened.ref)
            return [(clock, case.close)]
    return []


def in_cases(
    rule: DeadlineRule, ctx: Context, clocks: Iterable[Ev]
) -> list[tuple[Ev, dt.date | None]]:
    """The clocks inside a related case of ``during``, each with that case's close."""
    assert rule.during is not None
    out = []
    spans = cases_of(ctx.timeline, rule.during, rule.match, rule.id)
    for clock in clocks:
        for case in spans:
            inside = case.opened.date <= clock.date and (
                case.close is None or clock.date <= case.close
            )
            if inside and related(case.opened, clock, rule.match):
                out.append((clock, case.close))
                break
    return out


def check_deadline(rule: DeadlineRule, ctx: Context) -> Iterator[Finding]:
    tl = ctx.timeline
    if rule.requires_any and not tl.select_any(rule.requires_any):
        return
    clocks = _clocks(rule, ctx)
    if not clocks:
        return
    candidates = tl.select(rule.met_by)
    voids = tl.select(rule.void_by) if rule.void_by else []
    closers = tl.select_any(rule.closed_by) if rule.closed_by else []
    extensions = tl.by_type.get(rule.extension.type, []) if rule.extension else []
    previous: dt.date | None = None
    unsettled = False  # an earlier instance's end is not known (history the data lack)
    for clock, case_end in clocks:
        # a met_before_clock candidate must postdate where the previous instance ended
        floor, previous = previous, clock.date
        if unsettled and rule.met_before_clock:
            # where the previous instance ended decides what may meet this one: not known
            ctx.not_assessed(rule, BEFORE_KNOWN)
            continue
        # the exclusion is read for the instance's own case, as its limits are (the clock)
        since = counts_from(rule, clock, floor, tl.dob) if tl.known else None
        if not ctx.applies(rule, clock.date, Case(clock, case_end), since=since):
            unsettled = unsettled or ctx.unknown
            continue
        if any(related(clock, v, rule.match) for v in voids):
            continue
        # what closes the case (a CIN episode's closure) is another thing than the clock's own
        # ref, so closers are tied to the clock by case, never by ref
        close = next(
            (c.date for c in closers if c.date >= clock.date and related(clock, c, "case")),
            None,
        )
        if case_end is not None:
            close = case_end if close is None else min(close, case_end)
        done = _first_done(rule, ctx, clock, candidates, close, floor)
        previous = max(d for d in (clock.date, close, done) if d is not None)
        tied = [e for e in extensions if e.date >= clock.date and related(clock, e, rule.match)]
        finding = deadline_finding(rule, ctx, clock, close, done, tied)
        if finding is not None:
            yield finding


def counts_from(
    rule: DeadlineRule, clock: Ev, floor: dt.date | None, dob: dt.date | None
) -> dt.date:
    """The first day an event can meet an instance: its clock, or for ``met_before_clock``
    the day after the previous instance ended (never before 1990 nor the date of birth). A
    void not tied to the clock by its ref (``void_by`` matched by case or window alone) may be
    dated any time: the instance then reaches back to 1990 (or the date of birth)."""
    plausible = earliest_plausible(dob)
    by_ref = rule.match == "auto" and clock.ref is not None
    if rule.void_by is not None and not by_ref:
        return min(plausible, clock.date)
    if not rule.met_before_clock:
        return clock.date
    start = plausible if floor is None else max(floor + dt.timedelta(days=1), plausible)
    return min(start, clock.date)


def deadline_finding(
    rule: DeadlineRule,
    ctx: Context,
    clock: Ev,
    close: dt.date | None,
    done: dt.date | None,
    extensions: list[Ev],
) -> Finding | None:
    """One instance's finding once its clock, close and done dates are known, however they were
    found (the timeline here, durable-rules in the durable engine): the limit that applies, the
    due date with any recorded ``extensions`` (those tied to the clock, in date order)."""
    tl = ctx.timeline
    if rule.requires_time_in is not None and not _time_in(rule, ctx, clock.date):
        return None
    if rule.requires_duration is not None and not lasted(rule, ctx, clock):
        return None
    stop = done or (ctx.as_of if close is None else min(close, ctx.as_of))
    case = Case(clock, close)
    limit = next(
        (
            lim
            for lim in rule.limit
            if holds(lim.when, anchor=clock.date, case=case, tl=tl, stop=stop)
        ),
        None,
    )
    if limit is None:
        return None
    began = _status_began(rule, tl, clock.date)
    extra: list[tuple[str, object]] = []
    if began is None:
        due = ctx.due(clock.date, limit, rule)
    else:
        # counted from the day the preceding status began (never before the clock itself: an
        # order made after that period had run out is due the day it was made)
        assert rule.counts_from_status is not None
        limit = rule.counts_from_status.limit
        due = max(ctx.due(began, limit, rule), clock.date)
        extra.append(("counted_from", began.isoformat()))
    if len(rule.limit) > 1:
        extra.append(("threshold", limit.describe()))
    if rule.extension is not None:
        due, amount = _extend(rule, due, extensions)
        if amount:
            extra.append(("extended", f"{amount} {rule.extension.unit}"))
    if rule.target is not None:
        due = _own_target(rule, ctx, clock, due, extra)
    return ctx.finding(
        rule,
        ref=clock.ref,
        anchor=clock.date,
        due=due,
        done=done,
        close=close,
        limit=limit,
        extra=tuple(extra),
    )


def lasted(rule: DeadlineRule, ctx: Context, clock: Ev) -> bool:
    """``requires_duration``: the episode the clock starts is still going on after the day its
    ``longer_than`` falls due (it ends at the first related ``until`` event on or after the
    clock, or at as_of if none)."""
    need = rule.requires_duration
    assert need is not None
    end = next(
        (
            e.date
            for e in ctx.timeline.select(need.until)
            if e.date >= clock.date and related(clock, e, rule.match)
        ),
        ctx.as_of,
    )
    return end > due_date(clock.date, need.longer_than, ctx.calendar_for(rule), ctx.terms)


def _own_target(
    rule: DeadlineRule, ctx: Context, clock: Ev, due: dt.date, extra: list[tuple[str, object]]
) -> dt.date:
    """``target``: the due date is the child's own target (the first related one on or after
    the clock that is a date on or after it), capped at ``due`` (the limit's); the finding
    carries ``target`` and, where it was later than the limit, ``target_capped``."""
    spec = rule.target
    assert spec is not None
    for ev in ctx.timeline.by_type.get(spec.type, ()):
        if ev.date < clock.date or not related(clock, ev, rule.match):
            continue
        raw = ev.attrs.get(spec.attr)
        if not isinstance(raw, str):  # absent, or unknown (copies disagree: DATA008)
            continue
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            _target_note(rule, ctx, clock, ev, f"its {spec.attr} is not a date")
            continue
        if day < clock.date:
            _target_note(rule, ctx, clock, ev, f"its {spec.attr} is before the {clock.type}")
            continue
        extra.append(("target", day))
        if day > due:
            extra.append(("target_capped", True))
            return due
        return day
    return due


def _target_note(rule: DeadlineRule, ctx: Context, clock: Ev, ev: Ev, why: str) -> None:
    """DATA058: a recorded target that cannot be used; the limit applies."""
    ctx.note(
        DataQualityFinding(
            "DATA058",
            ctx.child,
            f"{ev.type} not used as the target: {why}",
            rule=rule.id,
            ref=clock.ref,
            date=ev.date,
        )
    )


def _status_began(rule: DeadlineRule, tl: Timeline, clock: dt.date) -> dt.date | None:
    """The day the legal status in force the day before the clock began, when it is one of
    ``counts_from_status``'s codes (police protection before an emergency protection order)."""
    back = rule.counts_from_status
    if back is None:
        return None
    day = clock - dt.timedelta(days=1)
    codes = statuses_at(tl, day) & set(back.codes)
    if not codes:
        return None
    return max(
        e.date
        for e in tl.by_type.get("legal_status_started", ())
        if e.date <= day and e.attrs.get("code") in codes
    )


def _time_in(rule: DeadlineRule, ctx: Context, until: dt.date) -> bool:
    """The child spent ``requires_time_in`` in the rule's ``during`` cases between the
    ``since_age`` birthday and ``until`` (cases the exclusion holds for at their opening do
    not count, nor those for which the data cannot tell). Without a date of birth it cannot
    be known: the rule does not apply."""
    need = rule.requires_time_in
    assert need is not None and rule.during is not None
    tl = ctx.timeline
    if tl.dob is None:
        return False
    since = calendar.add_years(tl.dob, need.since_age)
    days = 0
    for case in cases_of(tl, rule.during, rule.match, rule.id):
        opened = case.opened.date
        if need.excluded_when is not None and (
            holds(need.excluded_when, anchor=opened, case=case, tl=tl)
            or not ctx.tells_condition(need.excluded_when, opened, case)
        ):
            continue
        start = max(opened, since)
        end = until if case.close is None else min(case.close, until)
        days += max((end - start).days, 0)
    wanted = need.at_least.value * (7 if need.at_least.unit == "weeks" else 1)
    return days >= wanted


def _first_done(
    rule: DeadlineRule,
    ctx: Context,
    clock: Ev,
    candidates: list[Ev],
    close: dt.date | None,
    floor: dt.date | None,
) -> dt.date | None:
    plausible = earliest_plausible(ctx.timeline.dob)
    for cand in candidates:
        if not related(clock, cand, rule.match):
            continue
        if rule.met_before_clock and cand.date < clock.date:
            if (floor is None or cand.date > floor) and cand.date >= plausible:
                return cand.date
            continue
        if cand.date < clock.date:
            if rule.match == "auto" and cand.ref is not None and cand.ref == clock.ref:
                _early_note(rule, ctx, clock, cand)
            continue
        return cand.date if close is None or cand.date <= close else None
    return None


def _early_note(rule: DeadlineRule, ctx: Context, clock: Ev, cand: Ev) -> None:
    """DATA001: an answer with the clock's own ref dated before it does not count."""
    ctx.note(
        DataQualityFinding(
            "DATA001",
            ctx.child,
            f"{cand.type} dated before its {clock.type}; it does not count",
            rule=rule.id,
            ref=clock.ref,
            date=cand.date,
        )
    )


def _extend(rule: DeadlineRule, due: dt.date, extensions: list[Ev]) -> tuple[dt.date, int]:
    """Apply recorded extensions (tied to the clock, on or after it) in date order. An
    extension counts only if it was recorded on or before the due date as extended so far: one
    recorded after the time ran out cannot turn a late finding into a met one."""
    ext = rule.extension
    assert ext is not None
    step = calendar.add_days if ext.unit == "days" else calendar.add_weeks
    total = used = 0
    for event in extensions:
        if ext.max_count is not None and used >= ext.max_count:
            break
        if event.date > due:
            continue
        amount = min(int(event.attrs.get(ext.attr) or 0), ext.max_each)
        if amount <= 0:
            continue
        due = step(due, amount)
        total += amount
        used += 1
    return due, total


def _counting(rule: DeadlineRule) -> list[str]:
    """``rules show``: how a deadline's instance is counted."""
    first_day = (
        "the day itself counts as day one"
        if any(lim.counting == "beginning_with" for lim in rule.limit)
        else "the day itself is excluded"
    )
    if rule.clock is not None:
        lines = [f"Clock starts: each {describe_selector(rule.clock)} ({first_day})."]
    else:
        assert rule.during is not None
        lines = [
            f"Clock starts: the child's {ordinal(rule.clock_at_age or 0)} birthday, if it "
            "falls while a case opened by "
            f"{case_text(rule.during.opens, rule.during.closes)[0]} is open."
        ]
    lines.append(f"Limit: {describe_limits(rule.limit)}.")
    lines.append(f"Met by: the first {describe_selector(rule.met_by)} on or after the clock.")
    if rule.met_before_clock:
        lines.append(
            "One recorded before the clock also meets it (but not one from before the "
            "previous clock of this rule)."
        )
    if rule.requires_any:
        needs = " or ".join(describe_selector(s) for s in rule.requires_any)
        lines.append(f"Applies only to children with {needs} recorded.")
    if rule.void_by:
        lines.append(f"No finding where {describe_selector(rule.void_by)} is recorded.")
    if rule.extension:
        ext = rule.extension
        lines.append(
            f"Each `{ext.type}` moves the due date by its `{ext.attr}` ({ext.unit}, at most "
            f"{ext.max_each} each"
            + (f", {ext.max_count} at most" if ext.max_count else "")
            + "); the finding says it was extended."
        )
    if rule.closed_by:
        closers = ", ".join(f"`{s.type}`" for s in rule.closed_by)
        lines.append(
            f"The case ends at {closers}; no finding if it ends on or before the due date."
        )
    if rule.requires_duration:
        need = rule.requires_duration
        lines.append(
            "Applies only where the episode lasts longer than "
            f"{need.longer_than.describe()}: until the first "
            f"{describe_selector(need.until)} on or after the clock (as_of while there is "
            "none), still going on after the day that time falls due (on dates: 24 hours from "
            "a Monday start is a return on Wednesday or later)."
        )
    if rule.target:
        lines.append(
            f"Due on the child's own target: the `{rule.target.attr}` date of the first "
            f"`{rule.target.type}` on or after the clock; a target later than the limit is "
            "capped at it (the finding carries `target_capped`); without one, the limit."
        )
    return lines


def _step(unit: str) -> int:
    """One unit of a limit as the test kit moves it (hours on dates: whole days)."""
    return 24 if unit == "hours" else 1


# durable backend: which clock each answer, void, closer and extension belongs to is decided
# by durable-rules (``backends.durable``); the instance is judged here, as ``check_deadline``


def _durable_compile(rule: DeadlineRule, main: Any, late: Any) -> None:
    """The rule's relations: clocks inside a ``during`` case are placed in Python and matched
    in the second (late) ruleset."""
    rid = rule.id
    b = late if rule.during is not None else main
    if rule.during is not None:
        clock: list[list[dict[str, Any]]] = [[{"t": f"$clock:{rid}"}]]
        if rule.clock is not None:
            main.select(f"clk:{rid}", main.use(rule.clock))
    else:
        assert rule.clock is not None
        clock = b.use(rule.clock)
        b.select(f"clk:{rid}", clock)
    met = b.use(rule.met_by)
    b.first(f"done:{rid}", clock, met, rule.match)
    if rule.met_before_clock:
        b.pairs(f"before:{rid}", clock, met, rule.match, "lt")
    elif rule.match == "auto":
        b.same_ref_before(f"early:{rid}", clock, met)
    if rule.void_by is not None:
        b.pairs(f"void:{rid}", clock, b.use(rule.void_by), rule.match, None)
    if rule.closed_by:
        # closers tie to the clock by case, never by ref (as the Python evaluator)
        closers = [alt for s in rule.closed_by for alt in b.use(s)]
        b.first(f"close:{rid}", clock, closers, "case")
    if rule.extension is not None:
        ext = b.use(Selector(type=rule.extension.type))
        b.pairs(f"ext:{rid}", clock, ext, rule.match, "ge")
        b.attrs.add(rule.extension.attr)
    for sel in rule.requires_any:
        main.select(f"req:{rid}", main.use(sel))


def _durable_late_clocks(rule: DeadlineRule, run: Any) -> list[tuple[Ev, dt.date | None]]:
    """A ``during`` rule's clocks placed in the cases (shared with ``check_deadline``)."""
    if rule.requires_any and not run.links.selected.get(f"req:{rule.id}"):
        return []
    if rule.clock_at_age is not None:
        return birthday_clock(rule, run.ctx)
    # a clock event inside a case (no national rule has one): placed here in Python
    return in_cases(rule, run.ctx, run.ordered(run.links.selected.get(f"clk:{rule.id}", set())))


def _durable_findings(rule: DeadlineRule, run: Any) -> Iterator[Finding]:
    rid = rule.id
    ctx: Context = run.ctx
    links = run.links
    if rule.requires_any and not links.selected.get(f"req:{rid}"):
        return
    if rule.during is not None:
        lk, pool, clocks = run.late_links, run.late_pool, run.late.get(rid, [])
    else:
        lk, pool = links, run.events
        picked = links.selected.get(f"clk:{rid}", set())
        clocks = [(n, pool[n], None) for n in run.order(picked)]
    if not clocks:
        return
    voided = lk.pairs.get(f"void:{rid}", {})
    closes = lk.first.get(f"close:{rid}", {})
    dones = lk.first.get(f"done:{rid}", {})
    before = lk.pairs.get(f"before:{rid}", {})
    early = lk.pairs.get(f"early:{rid}", {})
    exts = lk.pairs.get(f"ext:{rid}", {})
    previous: dt.date | None = None
    unsettled = False  # an earlier instance's end is not known (history the data lack)
    for n, clock, case_end in clocks:
        floor, previous = previous, clock.date
        if unsettled and rule.met_before_clock:
            ctx.not_assessed(rule, BEFORE_KNOWN)
            continue
        since = counts_from(rule, clock, floor, ctx.timeline.dob) if ctx.timeline.known else None
        if not ctx.applies(rule, clock.date, Case(clock, case_end), since=since):
            unsettled = unsettled or ctx.unknown
            continue
        if n in voided:
            continue
        close = pool[closes[n]].date if n in closes else None
        if case_end is not None:
            close = case_end if close is None else min(close, case_end)
        done: dt.date | None = None
        chosen = False
        if rule.met_before_clock:
            plausible = earliest_plausible(ctx.timeline.dob)
            for d in sorted(pool[i].date for i in before.get(n, [])):
                if (floor is None or d > floor) and d >= plausible:
                    done, chosen = d, True
                    break
        else:
            for i in sorted(set(early.get(n, [])), key=lambda i: (pool[i].date, i)):
                _early_note(rule, ctx, clock, pool[i])
        if not chosen and n in dones:
            answer = pool[dones[n]].date
            done = answer if close is None or answer <= close else None
        previous = max(d for d in (clock.date, close, done) if d is not None)
        tied = [pool[i] for i in sorted(set(exts.get(n, [])), key=lambda i: (pool[i].date, i))]
        finding = deadline_finding(rule, ctx, clock, close, done, tied)
        if finding is not None:
            yield finding


class DeadlineKind(Kind[DeadlineRule]):
    name = "deadline"
    model = DeadlineRule

    def needs(self, rule: DeadlineRule, heads: Heads) -> set[str]:
        clock = {rule.clock.type} if rule.clock else set()
        during = set(rule.during.opens) if rule.during else set()
        return clock | during | {rule.met_by.type}

    def checker(self, rule: DeadlineRule, chains: Mapping[str, Any]) -> Any:
        return lambda ctx: check_deadline(rule, ctx)

    def oracle(self, rule: DeadlineRule, asked: DueAsked) -> Answerable | None:
        super().oracle(rule, asked)
        clock = rule.clock.type if rule.clock else f"birthday_{rule.clock_at_age}"
        # a deadline's case opens with its clock (as deadline_finding has it)
        return rule, rule.limit, Case(Ev(clock, asked.anchor), None), True

    def limit_text(self, rule: DeadlineRule) -> str:
        text = describe_limits(list(rule.limit))
        back = rule.counts_from_status
        if back is not None:
            codes = " or ".join(back.codes)
            text += f"; {back.limit.describe()} from the start of {codes} if it came just before"
        return text

    def counting(self, rule: DeadlineRule, heads: Heads) -> list[str]:
        return _counting(rule)

    def anchor_is(self, rule: DeadlineRule, heads: Heads) -> str:
        if rule.clock is not None:
            return f"each {plain_selector(rule.clock)}"
        return f"the child's {ordinal(rule.clock_at_age or 0)} birthday"

    def explained_limits(self, rule: DeadlineRule) -> list[Limit]:
        return rule.limits()

    def mutations(self, rule: DeadlineRule) -> list[tuple[int, int]] | None:
        # a duration threshold is pinned by the fixtures as firmly as the limits: it is the
        # index after them
        if rule.requires_duration is None:
            return None
        own = [*rule.limits(), rule.requires_duration.longer_than]
        return [
            (index, delta)
            for index, limit in enumerate(own)
            for delta in (-1, 1)
            if limit.value + delta * _step(limit.unit) >= 0
        ]

    def mutate(self, rule: DeadlineRule, index: int, delta: int) -> DeadlineRule | None:
        need = rule.requires_duration
        if need is None or index < len(rule.limits()):
            return None
        lim = need.longer_than
        moved = lim.model_copy(update={"value": lim.value + delta * _step(lim.unit)})
        return rule.model_copy(
            update={"requires_duration": need.model_copy(update={"longer_than": moved})}
        )

    def extension_step(self, rule: DeadlineRule, amount: int) -> dt.timedelta | None:
        if rule.extension is None:
            return None
        unit = rule.extension.unit
        return dt.timedelta(days=amount) if unit == "days" else dt.timedelta(weeks=amount)

    def durable_compile(self, rule: DeadlineRule, backend: Any) -> None:
        _durable_compile(rule, backend.main_builder, backend.late_builder)

    def durable_late_clocks(self, rule: DeadlineRule, run: Any) -> list[tuple[Ev, dt.date | None]]:
        return _durable_late_clocks(rule, run) if rule.during is not None else []

    def durable_findings(self, rule: DeadlineRule, backend: Any, run: Any) -> Any:
        return _durable_findings(rule, run)


KIND = DeadlineKind()
