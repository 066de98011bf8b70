"""Rule kind ``schedule``: a chain over one event type within a case.

The head's limit counts from the case opening to the first event; each later event is due
within the limit of the follower governing that occurrence, counted from the actual previous
event (never from its due date). The next event must be strictly after the previous one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import model_validator

from .. import calendar
from ..evaluation.context import CIRCUMSTANCES_UNKNOWN, POSITION_UNKNOWN, Context
from ..evaluation.timeline import DISPUTED, Case, Ev, Timeline, earliest_plausible, holds, related
from ..findings import BREACHES, DataQualityFinding, Finding, Status
from ..rules.limits import TermsUnavailable
from ..rules.model import (
    Condition,
    Limit,
    Limits,
    Match,
    RuleBase,
    Scope,
    Selector,
    decidable,
    scope_selectors,
)
from ..rules.registry import Answerable, DueAsked, Heads, Kind
from ..rules.words import (
    case_text,
    describe_condition,
    describe_limits,
    ordinal,
)


class ScheduleRule(RuleBase):
    """A chain over one event type: the head (no ``follows``) gives the scope, the event and the
    first limit counted from the case opening; each follower names the head in ``follows`` and
    the occurrence(s) it governs (``2``, or ``"2+"`` for the 2nd onwards), counted from the
    actual previous event."""

    kind: Literal["schedule"]
    limit: Limits
    scope: Scope | None = None
    event: Selector | None = None
    follows: str | None = None
    occurrence: int | str | None = None
    when: Condition | None = None
    # a head that also governs every later occurrence no follower governs (same limit each time)
    repeats: bool = False
    # the head's event may come this long before the case opened and still meet it (reg 7: a
    # health assessment in the three months before the child became looked after)
    met_before_opening: Limit | None = None

    @model_validator(mode="after")
    def _head_or_follower(self) -> ScheduleRule:
        if self.follows is None:
            if self.scope is None or self.event is None:
                raise ValueError("a schedule head needs 'scope' and 'event'")
            if self.occurrence is not None or self.when is not None:
                raise ValueError("'occurrence' and 'when' belong to followers (with 'follows')")
        else:
            if (
                self.scope is not None
                or self.event is not None
                or self.repeats
                or self.met_before_opening is not None
            ):
                raise ValueError(
                    "a follower takes 'scope', 'event', 'repeats' and 'met_before_opening' "
                    "from its head"
                )
            if self.occurrence is None:
                raise ValueError("a follower needs 'occurrence' (e.g. 2 or '2+')")
            self.occurrence_range()  # validates the form
        if self.met_before_opening is not None and (
            self.met_before_opening.unit not in ("days", "weeks", "months")
            or self.met_before_opening.when is not None
        ):
            raise ValueError("'met_before_opening' is a plain number of days, weeks or months")
        return self

    def conditions(self) -> list[Condition]:
        return super().conditions() + ([self.when] if self.when is not None else [])

    def occurrence_range(self) -> tuple[int, int | None]:
        """(first, last) occurrence this rule governs; last None = open-ended."""
        if self.occurrence is None:
            return (1, 1)
        if isinstance(self.occurrence, int):
            if self.occurrence < 2:
                raise ValueError("occurrence of a follower is 2 or more")
            return (self.occurrence, self.occurrence)
        text = self.occurrence.strip()
        if re.fullmatch(r"[2-9]\d*\+", text):
            return (int(text[:-1]), None)
        raise ValueError(f"occurrence must be a number >= 2 or 'N+', not {self.occurrence!r}")

    def selectors(self) -> list[Selector]:
        if self.scope is None or self.event is None:
            return []
        return [self.event, *scope_selectors(self.scope)]

    def limits(self) -> list[Limit]:
        return list(self.limit)


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


def case_finding(
    ctx: Context,
    rule: RuleBase,
    case: Case,
    dates: tuple[dt.date, dt.date, dt.date | None],
    limit: Limit,
    extra: tuple[tuple[str, object], ...] = (),
) -> Finding | None:
    """One instance's finding from its (anchor, due, done) dates in ``case``: tied to the case
    opening's ref, ended by the case's close (a schedule's step, a milestone)."""
    anchor, due, done = dates
    return ctx.finding(
        rule,
        ref=case.opened.ref,
        anchor=anchor,
        due=due,
        done=done,
        close=case.close,
        limit=limit,
        extra=extra,
    )


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
            finding = case_finding(ctx, rule, case, (anchor, due, done), limit, extra)
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
        finding = case_finding(ctx, rule, case, (anchor, due, done), limit, (PARTIAL,))
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


def chains_of(rules: Iterable[RuleBase]) -> dict[str, Chain]:
    """Each schedule head among ``rules`` with its followers (lowest ID first), by head id:
    the evaluator, the oracle and the durable backend walk the same chains."""
    rules = list(rules)
    followers: dict[str, list[ScheduleRule]] = {}
    for rule in rules:
        if isinstance(rule, ScheduleRule) and rule.follows is not None:
            followers.setdefault(rule.follows, []).append(rule)
    return {
        r.id: Chain(r, tuple(followers.get(r.id, [])))
        for r in rules
        if isinstance(r, ScheduleRule) and r.follows is None
    }


def head_of(rule: ScheduleRule, heads: Heads) -> ScheduleRule:
    """A schedule's head (itself, for a head)."""
    head = heads.get(rule.follows, rule) if rule.follows else rule
    assert isinstance(head, ScheduleRule)
    return head


def is_head(rule: RuleBase | None) -> bool:
    """Whether ``rule`` is a schedule head (for the kinds that hang on one)."""
    return isinstance(rule, ScheduleRule) and rule.follows is None


def _counting(rule: ScheduleRule, heads: Heads) -> list[str]:
    """``rules show``: how a step of a schedule is counted."""
    lines: list[str] = []
    head = head_of(rule, heads)
    assert head.scope is not None and head.event is not None
    opens, closes = case_text(head.scope.opens, head.scope.closes)
    if head.scope.until_age:
        birthday = f"the {ordinal(head.scope.until_age)} birthday"
        if head.scope.until_age_in_education:
            birthday += (
                f" ({ordinal(head.scope.until_age_in_education)} where the opening event "
                "records in_education)"
            )
        closes = birthday if not head.scope.closes else f"{closes}, or {birthday}"
    if rule.follows is None:
        lines.append(f"Clock starts: the case opening ({opens}); the day itself is excluded.")
        lines.append(f"Limit: {describe_limits(rule.limit)} to the first `{head.event.type}`.")
        if rule.repeats:
            lines.append("Each later one is due within the same limit of the actual previous one.")
    else:
        lines.append(
            f"Part of the {head.id} schedule: governs {_which(rule)} of `{head.event.type}`, "
            "counted from the actual date of the previous one (not its due date)."
        )
        if rule.when:
            lines.append(f"Applies where {describe_condition(rule.when)}.")
        lines.append(f"Limit: {describe_limits(rule.limit)}.")
        lines.append("The next event must be strictly after the previous one.")
    lines.append(f"The case ends at {closes}; no finding if it ends on or before the due date.")
    return lines


def _which(rule: ScheduleRule) -> str:
    first, last = rule.occurrence_range()
    return f"occurrence {first}" if last == first else f"occurrences {first} onwards"


def _oracle(chain: Chain, asked: DueAsked) -> Answerable | None:
    """What the due date of the asked occurrence of a chain's case is counted under."""
    anchor, occurrence, opened, dob = asked.anchor, asked.occurrence, asked.opened, asked.dob
    if occurrence == 1 and opened is None:
        opened = anchor
    head = chain.head
    assert head.scope is not None
    case = Case(Ev(head.scope.opens[0], opened or anchor), None)
    if occurrence == 1:
        rule: ScheduleRule | None = head
    else:
        for first, last, follower in chain.ranges:
            covers = first <= occurrence and (last is None or occurrence <= last)
            if covers and not decidable(
                follower.when, opened=opened is not None, dob=dob is not None
            ):
                return None
        # a child with no events but a date of birth: what the oracle's conditions may read
        rule = chain.rule_for(occurrence, anchor, case, Timeline("", dob, (), dt.date.max))
    if rule is None:
        return None
    return rule, rule.limit, case, opened is not None


class ScheduleKind(Kind[ScheduleRule]):
    name = "schedule"
    model = ScheduleRule

    def validate(self, rule: ScheduleRule, by_id: Mapping[str, RuleBase]) -> str | None:
        if rule.follows is None:
            return None
        if rule.follows not in by_id:
            return f"rule {rule.id} follows unknown rule {rule.follows}"
        if not is_head(by_id[rule.follows]):
            return f"rule {rule.id} follows {rule.follows}, which is not a schedule head"
        return None

    def leads(self, rule: ScheduleRule) -> bool:
        return rule.follows is None

    def follows(self, rule: ScheduleRule) -> str | None:
        return rule.follows

    def needs(self, rule: ScheduleRule, heads: Heads) -> set[str]:
        head = head_of(rule, heads)
        assert head.scope is not None and head.event is not None
        return {*head.scope.opens, head.event.type}

    def checker(self, rule: ScheduleRule, chains: Mapping[str, Any]) -> Any:
        if rule.follows is not None:
            return None  # its head's checker walks the whole chain
        chain = chains[rule.id]
        return lambda ctx: check_schedule(chain, ctx)

    def oracle(self, rule: ScheduleRule, asked: DueAsked) -> Answerable | None:
        chain = asked.chains.get(rule.follows or rule.id)
        return None if chain is None else _oracle(chain, asked)

    def counting(self, rule: ScheduleRule, heads: Heads) -> list[str]:
        return _counting(rule, heads)

    def anchor_is(self, rule: ScheduleRule, heads: Heads) -> str:
        head = head_of(rule, heads)
        event = head.event.type if head.event else "event"
        opens = " or ".join(head.scope.opens) if head.scope else "case opening"
        if rule.follows is not None:
            return f"the previous {event}"
        if rule.repeats:
            return f"the case opening ({opens}), or for a later {event} the previous one"
        return f"the case opening ({opens})"

    def explained_limits(self, rule: ScheduleRule) -> list[Limit]:
        return rule.limits()

    def governs_step(self, rule: ScheduleRule, heads: Heads) -> str | None:
        if rule.follows is None:
            return None
        head = heads.get(rule.follows)
        head_event = head.event if isinstance(head, ScheduleRule) else None
        return (
            f"This {head_event.type if head_event else 'event'} is governed by {rule.id} "
            f"({_which(rule)} of the {rule.follows} schedule)."
            + (f" It applies where {describe_condition(rule.when)}." if rule.when else "")
        )


KIND = ScheduleKind()
