"""Rule kind ``schedule``: a chain over one event type within a case.

The head's limit counts from the case opening to the first event; each later event is due
within the limit of the follower governing that occurrence, counted from the actual previous
event (never from its due date). The next event must be strictly after the previous one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .. import calendar
from ..findings import BREACHES, DataQualityFinding, Finding, Status
from ..rules.model import Limit, Match, ScheduleRule, Scope
from .context import CIRCUMSTANCES_UNKNOWN, POSITION_UNKNOWN, Context
from .outcome import TermsUnavailable
from .timeline import DISPUTED, Case, Ev, Timeline, earliest_plausible, holds, related


@dataclass(frozen=True, slots=True)
class Chain:
    head: ScheduleRule
    followers: tuple[ScheduleRule, ...]
    # (first, last or None, rule) for each follower, worked out once
    ranges: tuple[tuple[int, int | None, ScheduleRule], ...] = ()

    def __post_init__(self) -> None:
        ranges = tuple((*rule.occurrence_range(), rule) for rule in self.followers)
        object.__setattr__(self, "ranges", ranges)

    def rule_for(
        self, occurrence: int, anchor: dt.date, case: Case, tl: Timeline
    ) -> ScheduleRule | None:
        """The follower (lowest ID first) governing this occurrence: it names the occurrence,
        its ``when`` holds, and its provision was in force on the anchor date (a regime that
        came in later, reg 28(3A) from 2015, gives way to the one then in force). Where none
        in force holds, the first that holds: it gives no finding, but the chain walks on, so
        visits after a commencement are still assessed. Else the head if it repeats."""
        not_yet: ScheduleRule | None = None
        for first, last, rule in self.ranges:
            if occurrence < first or (last is not None and occurrence > last):
                continue
            if holds(rule.when, anchor=anchor, case=case, tl=tl):
                if rule.in_force(anchor):
                    return rule
                not_yet = not_yet or rule
        if not_yet is not None:
            return not_yet
        return self.head if self.head.repeats else None


# the mark of a finding made after a restart, whose step is not told by the data alone
PARTIAL = ("partial_history", True)


def pick_limit(limits: Sequence[Limit], anchor: dt.date, case: Case, tl: Timeline) -> Limit | None:
    for limit in limits:
        if holds(limit.when, anchor=anchor, case=case, tl=tl):
            return limit
    return None


def end_age(scope: Scope, opened: Ev) -> int | None:
    """The age at which a scope's case ends (care leavers: 21, or 25 in education), if any.
    In education, or disputed (copies say yes and no), keeps the case open to the later age:
    a contradiction in the data never ends an obligation early."""
    in_education = opened.attrs.get("in_education")
    if scope.until_age_in_education is not None and (
        in_education is True or in_education is DISPUTED
    ):
        return scope.until_age_in_education
    return scope.until_age


def case_close(
    scope: Scope, opened: Ev, close: dt.date | None, dob: dt.date | None
) -> dt.date | None:
    """A case's close date, brought forward to the birthday that ends the scope, if any."""
    age = end_age(scope, opened)
    if age is None or dob is None:
        return close
    birthday = calendar.add_years(dob, age)
    return birthday if close is None else min(close, birthday)


def cases(tl: Timeline, rule: ScheduleRule) -> list[Case]:
    assert rule.scope is not None
    return cases_of(tl, rule.scope, rule.match, rule.id)


def apart(a: Ev, b: Ev, scope: Scope, match: Match) -> bool:
    """Two openings the input tells apart: both carry a ref and the refs differ (decisions.md:
    "a second open closes the first only when the two cannot be told apart"). A successive
    scope (placements) replaces its case whatever the refs."""
    return (
        not scope.successive
        and match == "auto"
        and a.ref is not None
        and b.ref is not None
        and a.ref != b.ref
    )


def cases_of(tl: Timeline, scope: Scope, match: Match, rule_id: str) -> list[Case]:
    """Open and close the scope's cases in date order. A second opening closes an open case it
    cannot be told apart from (same ref, or no refs); openings with different refs overlap and
    are each assessed (DATA009)."""
    opens = tl.of_types(scope.opens)
    closes = tl.of_types(scope.closes)
    dates = sorted({e.date for e in opens} | {e.date for e in closes})
    out: list[Case] = []
    current: list[Ev] = []  # the open cases, in the order they opened

    def close(case: Ev, on: dt.date) -> None:
        out.append(Case(case, case_close(scope, case, on, tl.dob)))
        current.remove(case)

    for day in dates:
        day_closes = [e for e in closes if e.date == day]
        used: set[int] = set()
        for case in [c for c in current if c.date < day]:
            hit = next((i for i, ev in enumerate(day_closes) if related(case, ev, match)), None)
            if hit is not None:
                close(case, day)
                used.add(hit)
        for ev in (e for e in opens if e.date == day):
            for case in list(current):
                if apart(case, ev, scope, match):
                    tl.quality.append(
                        DataQualityFinding(
                            "DATA009",
                            tl.child,
                            f"{ev.type} {ev.ref} while {case.type} {case.ref} was open: the "
                            "input tells them apart, so each is assessed",
                            rule=rule_id,
                            ref=ev.ref,
                            date=day,
                        )
                    )
                    continue
                if case.type == ev.type and not scope.successive:
                    tl.quality.append(
                        DataQualityFinding(
                            "DATA005",
                            tl.child,
                            f"{ev.type} while a case was already open; the earlier case is "
                            "taken as closed that day",
                            rule=rule_id,
                            ref=ev.ref,
                            date=day,
                        )
                    )
                close(case, day)
            current.append(ev)
        for case in list(current):
            if any(i not in used and related(case, ev, match) for i, ev in enumerate(day_closes)):
                close(case, day)
    for case in current:
        out.append(Case(case, case_close(scope, case, None, tl.dob)))
    return [c for c in out if c.close is None or c.close >= c.opened.date]


def case_from(head: ScheduleRule, case: Case, dob: dt.date | None) -> dt.date:
    """The first day an event of a head's case may fall on: the opening, or earlier by the
    head's ``met_before_opening`` (never before 1990 nor the date of birth). The allowance only
    reaches back: a case opened before the date of birth (bad data) still counts its events
    from the opening, as it would without ``met_before_opening``."""
    opened = case.opened.date
    back = head.met_before_opening
    if back is None:
        return opened
    step = {"days": calendar.add_days, "weeks": calendar.add_weeks}.get(
        back.unit, calendar.add_months
    )
    return min(max(step(opened, -back.value), earliest_plausible(dob)), opened)


def dates_in_case(
    events: Sequence[Ev], case: Case, match: Match, start: dt.date | None = None
) -> list[dt.date]:
    """Dates of the events that belong to a case: from its opening (or ``start``) to its
    close (both days included), tied to the opening event by ref or case."""
    opened = case.opened
    first = opened.date if start is None else start
    return [
        e.date
        for e in events
        if e.date >= first
        and (case.close is None or e.date <= case.close)
        and related(opened, e, match)
    ]


def check_schedule(chain: Chain, ctx: Context) -> Iterator[Finding]:
    head = chain.head
    assert head.event is not None
    tl = ctx.timeline
    events = tl.select(head.event)
    for case in cases(tl, head):
        start = case_from(head, case, tl.dob)
        yield from walk_chain(chain, ctx, case, dates_in_case(events, case, head.match, start))


def walk_chain(
    chain: Chain, ctx: Context, case: Case, in_case: Sequence[dt.date]
) -> Iterator[Finding]:
    """Step through one case's events in date order: the head's limit from the opening, then
    the follower governing each occurrence from the actual previous event. Shared by both
    engines (the durable one finds ``in_case`` with durable-rules)."""
    head = chain.head
    tl = ctx.timeline
    opened = case.opened
    anchor = opened.date
    if tl.known:
        known = ctx.known_start(head.id, opened)
        since = case_from(head, case, tl.dob)  # the head's allowance before the opening
        if opened.began or (known is not None and min(anchor, since) < known):
            yield from restart(chain, ctx, case, in_case, max(known or anchor, anchor))
            return
    rule: ScheduleRule | None = head
    occurrence = 1
    while rule is not None:
        limit = pick_limit(rule.limit, anchor, case, tl)
        if limit is None:
            break
        if tl.dob is None and any(
            lim.when is not None and lim.when.age_under_at_anchor for lim in rule.limit
        ):
            ctx.note(
                DataQualityFinding(
                    "DATA007",
                    ctx.child,
                    f"{rule.id}: no date of birth, so the limit for an older child applied",
                    rule=rule.id,
                    ref=opened.ref,
                    date=anchor,
                )
            )
        if occurrence == 1:
            # the first event counts from the opening, or from before it where the head allows
            # (``in_case`` then starts earlier)
            done = next(iter(in_case), None)
        else:
            done = next((d for d in in_case if d > anchor), None)
        if ctx.applies(rule, anchor, case):
            try:
                due = ctx.due(anchor, limit, rule)
            except TermsUnavailable:
                ctx.note(
                    DataQualityFinding(
                        "DATA006",
                        ctx.child,
                        f"{rule.id} cannot be assessed after {anchor.isoformat()}: no school "
                        "term dates cover the next term",
                        rule=rule.id,
                        ref=opened.ref,
                        date=anchor,
                    )
                )
                break
            extra = (("threshold", limit.describe()),) if len(rule.limit) > 1 else ()
            finding = ctx.finding(
                rule,
                ref=opened.ref,
                anchor=anchor,
                due=due,
                done=done,
                close=case.close,
                limit=limit,
                extra=extra,
            )
            if finding is not None:
                yield finding
        if done is None:
            break
        anchor = done
        occurrence += 1
        rule = chain.rule_for(occurrence, anchor, case, tl)


@dataclass(frozen=True, slots=True)
class _Judged:
    rule: ScheduleRule
    due: dt.date
    finding: Finding | None


def restart(
    chain: Chain, ctx: Context, case: Case, in_case: Sequence[dt.date], known: dt.date
) -> Iterator[Finding]:
    """A case whose history the data holds only from ``known`` (decisions.md, "History the
    input does not hold"): the head is not assessed (counted); the schedule restarts at the
    first known event. Which step each later event is cannot be told at first (the first
    known review may be the child's first or its fifth), so each step is judged under every
    follower that could govern it: met only if met under the strictest, a breach only if late
    under the most lenient (reported under that rule, ``partial_history``), otherwise not
    assessed and counted. The gap from ``known`` to the first known event is reported only as
    a certain breach: later than any limit could allow, however recent the unknown previous
    event was."""
    head = chain.head
    tl = ctx.timeline
    opened = case.opened
    # counted: its clock (or the allowance before it) is outside the known history
    ctx.applies(head, opened.date, case, since=case_from(head, case, tl.dob))
    dates = [d for d in in_case if d >= known]
    if case.close is not None and case.close < known:
        return  # the case ended before the history the data holds: nothing in it is known
    assert head.scope is not None
    closes_from = ctx.known_from_types(frozenset(head.scope.closes), opened)
    if not opened.began and closes_from is not None and closes_from > opened.date:
        return  # it may have closed unseen before ``known``: whether it was open is not known

    def judge(
        rule: ScheduleRule, anchor: dt.date, start: dt.date, done: dt.date | None
    ) -> _Judged | None:
        """The finding under ``rule`` for a step whose limit counts from ``start``."""
        limit = pick_limit(rule.limit, anchor, case, tl)
        if limit is None or not ctx.applies(rule, anchor, case, known=True):
            return None
        try:
            due = ctx.due(start, limit, rule)
        except TermsUnavailable:
            return None
        finding = ctx.finding(
            rule,
            ref=opened.ref,
            anchor=anchor,
            due=due,
            done=done,
            close=case.close,
            limit=limit,
            extra=(PARTIAL,),
        )
        return _Judged(rule, due, finding)

    # the gap before the first known event: under the head (its clock, or for an opening the
    # data does not hold the latest it can have been) or any follower, counted from the latest
    # the unknown previous event can have been
    done = dates[0] if dates else None

    def untold(anchor: dt.date) -> bool:
        """Which rule governs a step is itself unknown: a condition choosing between them
        (the placement's first year, the legal status) is not settled by the data."""
        rules = [head, *(rule for _, _, rule in chain.ranges)]
        if all(ctx.tells(rule, anchor, case) for rule in rules):
            return False
        ctx.not_assessed(head, CIRCUMSTANCES_UNKNOWN)
        return True

    followers, may_end = candidates(chain, 2, known, case, tl)
    # the unknown previous event fell somewhere from the opening (or, for one that began
    # before the data, any believable day) to the day before ``known``: each rule that could
    # govern the next step must have been the same law over all of it
    lowest = earliest_plausible(tl.dob) if opened.began else opened.date
    settled = all(r.same_law(min(lowest, known), known) for r in (head, *followers))
    if (done is None or done > known) and not may_end and settled and not untold(known):
        options = [judge(head, known, known if opened.began else opened.date, done)]
        options += [judge(rule, known, known, done) for rule in followers]
        judged = [o for o in options if o is not None]
        if judged and len(judged) == len(options):  # every rule that could govern it applies
            lenient = max(judged, key=lambda j: j.due)
            if lenient.finding is not None and lenient.finding.status in BREACHES:
                yield lenient.finding
    if done is None:
        return
    anchor = done
    occurrence = 2  # the first known event is at least the first, the next at least the second
    while True:
        nxt = next((d for d in dates if d > anchor), None)
        rules, may_end = candidates(chain, occurrence, anchor, case, tl)
        told = not untold(anchor)  # (counted once when not)
        judged = (
            [j for j in (judge(rule, anchor, anchor, nxt) for rule in rules) if j] if told else []
        )
        if not told:
            pass
        elif may_end and rules:
            # the chain may already have ended: no step here is certain
            ctx.not_assessed(rules[-1], POSITION_UNKNOWN)
        elif len(rules) == 1 and judged:
            found = judged[0].finding
            if found is not None:  # the step is told: an ordinary finding
                yield dataclasses.replace(
                    found, extra=tuple(e for e in found.extra if e != PARTIAL)
                )
        elif judged and len(judged) < len(rules):
            # one that could govern it sets no date here (excluded, not in force): not certain
            ctx.not_assessed(rules[-1], POSITION_UNKNOWN)
        elif judged:
            lenient = max(judged, key=lambda j: j.due)
            strict = min(judged, key=lambda j: j.due)
            certain = lenient.finding is not None and (
                lenient.finding.status in BREACHES
                or (strict.finding is not None and strict.finding.status is Status.MET)
            )
            if certain and lenient.finding is not None:
                yield lenient.finding
            elif lenient.finding is not None or strict.finding is not None:
                ctx.not_assessed(lenient.rule, POSITION_UNKNOWN)
        if nxt is None or not rules:
            return
        anchor = nxt
        occurrence += 1


def candidates(
    chain: Chain, occurrence: int, anchor: dt.date, case: Case, tl: Timeline
) -> tuple[list[ScheduleRule], bool]:
    """The rules that could govern an event whose occurrence is ``occurrence`` or later (the
    count is not known after a restart), each once, in ID order; and whether the chain may
    have ended by then (some such occurrence has no rule)."""
    ends = [last if last is not None else first for first, last, _ in chain.ranges]
    found: dict[str, ScheduleRule] = {}
    may_end = False
    for n in range(occurrence, max([occurrence, *ends]) + 2):
        rule = chain.rule_for(n, anchor, case, tl)
        if rule is None:
            may_end = True
        else:
            found.setdefault(rule.id, rule)
    return [found[k] for k in sorted(found)], may_end
