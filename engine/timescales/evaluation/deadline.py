"""Rule kind ``deadline``: X within N of Y, one finding per clock event.

The clock is an event (or the child's Nth birthday inside a case); the first ``met_by`` event on
or after it (related by ref/case) meets it; ``void_by`` removes the instance; ``closed_by`` or
the ``during`` case's end closes it; recorded ``extension``s move the due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .. import calendar
from ..findings import DataQualityFinding, Finding
from ..rules.model import DeadlineRule
from .context import BEFORE_KNOWN, Context
from .schedule import cases_of
from .timeline import Case, Ev, Timeline, earliest_plausible, holds, related, statuses_at


def _clocks(rule: DeadlineRule, ctx: Context) -> list[tuple[Ev, dt.date | None]]:
    """Clock events with the close date their case gives them (None: open)."""
    tl = ctx.timeline
    if rule.clock_at_age is not None:
        if tl.dob is None or rule.during is None:
            return []
        birthday = calendar.add_years(tl.dob, rule.clock_at_age)
        for case in cases_of(tl, rule.during, rule.match, rule.id):
            inside = case.opened.date <= birthday and (case.close is None or birthday <= case.close)
            if inside and birthday <= ctx.as_of:
                clock = Ev(f"birthday_{rule.clock_at_age}", birthday, case.opened.ref)
                return [(clock, case.close)]
        return []
    assert rule.clock is not None
    clocks = tl.select(rule.clock)
    if rule.during is None:
        return [(c, None) for c in clocks]
    out = []
    spans = cases_of(tl, rule.during, rule.match, rule.id)
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
            continue
        return cand.date if close is None or cand.date <= close else None
    return None


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
