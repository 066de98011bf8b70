"""The workforce rule kinds: rules about workers, not children (``per_child = False``).

- ``worker_interval``: an event (supervision) at least every N, in a chain from the employment
  start through each event;
- ``worker_deadline``: an event within N of the employment start (induction) or of another
  event (training evaluated after the training, tied by ref);
- ``worker_caseload``: children allocated per full-time equivalent against a range, at as_of
  and month by month (IR001: looked-after children per IRO);
- ``workforce_target``: records of a role starting in a period against a target (foster
  carers recruited), with those ending and the net figure.

This module holds the rule models, their words, and one piece of per-child counting the rule
set needs while it still holds a child's timeline: the IRO holding each child's open
looked-after period on any day (``iro_history``), which the caseloads count. The evaluation
over worker records is ``timescales.workforce``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .. import calendar
from ..evaluation.timeline import Timeline
from ..records import ROLE_PATTERN, WORKER_EVENT_TYPES, WorkerEvent, WorkerRecord
from ..rules.limits import due_date
from ..rules.model import Limit, RuleBase, Strict
from ..rules.registry import Heads, Kind

# one step of a worker's chain or deadline: anchor, due, done, ref
Step = tuple[dt.date, dt.date, dt.date | None, str | None]

OPENS, CLOSES = ("became_looked_after",), ("ceased_looked_after",)

Role = Annotated[str, Field(pattern=ROLE_PATTERN)]
Roles = Annotated[
    list[Role],
    BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
    Field(min_length=1),
]


def _worker_event(value: str) -> str:
    if value not in WORKER_EVENT_TYPES:
        known = ", ".join(sorted(WORKER_EVENT_TYPES))
        raise ValueError(f"unknown worker event type {value!r} (known: {known})")
    return value


WorkerEventType = Annotated[str, BeforeValidator(_worker_event)]


class Range(Strict):
    """Expected caseload per full-time equivalent: ``low`` to ``high`` (both within)."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.high < self.low:
            raise ValueError("a range's 'high' is below its 'low'")
        return self


class WorkerRule(RuleBase):
    """The fields every workforce rule has: the roles of worker it applies to."""

    roles: Roles

    def applies_to(self, role: str) -> bool:
        return role in self.roles

    @model_validator(mode="after")
    def _nothing_read_from_a_child(self) -> WorkerRule:
        # conditions read a child's timeline (placements, legal statuses) and variations
        # change children's duties: a worker rule has neither, rather than one ignored
        if any(limit.when is not None for limit in self.limits()):
            raise ValueError("a workforce rule's limit takes no 'when' (it reads no child)")
        if self.excluded_when is not None or self.variations:
            raise ValueError("a workforce rule takes no 'excluded_when' or 'variations'")
        return self


class WorkerIntervalRule(WorkerRule):
    """An ``event`` at least every ``limit``: from the employment start to the first event, then
    from each event to the next (newly qualified staff: ``newly_qualified_limit``)."""

    kind: Literal["worker_interval"]
    event: WorkerEventType
    limit: Limit
    newly_qualified_limit: Limit | None = None

    def limits(self) -> list[Limit]:
        return [self.limit] + ([self.newly_qualified_limit] if self.newly_qualified_limit else [])


class FromEvent(Strict):
    event: WorkerEventType


class WorkerDeadlineRule(WorkerRule):
    """``met_by`` within ``limit`` of the employment start (``from: started``) or of each
    ``from: {event: ...}`` event (the first ``met_by`` on or after it, same ref when the clock
    event has one)."""

    kind: Literal["worker_deadline"]
    start: Literal["started"] | FromEvent = Field(alias="from")
    met_by: WorkerEventType
    limit: Limit

    def limits(self) -> list[Limit]:
        return [self.limit]

    @property
    def clock_text(self) -> str:
        return "the employment start" if self.start == "started" else self.clock_event or ""

    @property
    def clock_event(self) -> str | None:
        return None if isinstance(self.start, str) else self.start.event


class WorkerCaseloadRule(WorkerRule):
    """Children allocated per full-time equivalent against ``range`` (newly qualified staff
    against ``newly_qualified`` when given), at each month end of the period and at as_of.

    The children come from the worker records' ``allocation`` events when any record gives
    allocations in the rule's roles; otherwise from the children's records: ``looked_after``
    counts each looked-after child under the IRO of its latest ``iro_assigned`` in the period
    open that day, ``allocated`` each child under the record's ``worker`` (known at as_of
    only)."""

    kind: Literal["worker_caseload"]
    count: Literal["looked_after", "allocated"]
    range: Range
    newly_qualified: Range | None = None


class WorkforceTargetRule(WorkerRule):
    """At least ``target`` records of the roles starting (recruited, approved) in the
    ``period`` ending at as_of; those ending in it are counted too, and the net figure."""

    kind: Literal["workforce_target"]
    period: Limit
    target: int = Field(ge=1)

    @model_validator(mode="after")
    def _calendar_period(self) -> WorkforceTargetRule:
        if self.period.unit not in ("days", "weeks", "months") or self.period.when is not None:
            raise ValueError("a target's 'period' is a plain number of days, weeks or months")
        return self


WORKER_RULES = (WorkerIntervalRule, WorkerDeadlineRule, WorkerCaseloadRule, WorkforceTargetRule)


def worker_rules(rules: Iterable[RuleBase]) -> tuple[WorkerRule, ...]:
    """The workforce rules among ``rules`` (judged over worker records, not per child)."""
    return tuple(r for r in rules if isinstance(r, WorkerRule))


def caseload_rules(rules: Iterable[RuleBase]) -> list[WorkerCaseloadRule]:
    return [r for r in rules if isinstance(r, WorkerCaseloadRule)]


def target_rules(rules: Iterable[RuleBase]) -> list[WorkforceTargetRule]:
    return [r for r in rules if isinstance(r, WorkforceTargetRule)]


def interval_rules(rules: Iterable[RuleBase]) -> list[WorkerIntervalRule]:
    return [r for r in rules if isinstance(r, WorkerIntervalRule)]


def timed_rules(rules: Iterable[RuleBase]) -> list[WorkerRule]:
    """The rules that give worker findings (interval and deadline rules)."""
    return [r for r in rules if isinstance(r, WorkerIntervalRule | WorkerDeadlineRule)]


def reads(rule: RuleBase) -> tuple[str, ...]:
    """The worker event types an interval or deadline rule cannot be judged without (its
    clock's event, and what meets it)."""
    if isinstance(rule, WorkerIntervalRule):
        return (rule.event,)
    if isinstance(rule, WorkerDeadlineRule):
        start = () if rule.start == "started" else (rule.start.event,)
        return (*start, rule.met_by)
    return ()


def caseloads_from_children(rules: Iterable[RuleBase]) -> bool:
    """Whether a caseload rule may count looked-after children under their IROs (the rule
    set then keeps each child's IRO history)."""
    return any(isinstance(r, WorkerCaseloadRule) and r.count == "looked_after" for r in rules)


# -- the IRO of a child's open looked-after period, on any day -------------------------------


@dataclass(frozen=True, slots=True)
class IroHistory:
    """What a child's timeline says of its looked-after periods and IROs: the openings, the
    closings and each ``iro_assigned`` (date, IRO named or None), in the timeline's order."""

    opens: tuple[dt.date, ...]
    closes: tuple[dt.date, ...]
    assigned: tuple[tuple[dt.date, str | None], ...]

    def on(self, day: dt.date) -> str | None:
        """The IRO holding the child on ``day``: the IRO named by the latest ``iro_assigned``
        in the looked-after period open that day (the latest opening on or before it, with no
        closing on or after the opening up to the day), or None (none, or it names nobody)."""
        opened = [d for d in self.opens if d <= day]
        if not opened:
            return None
        start = opened[-1]
        if any(start <= d <= day for d in self.closes):
            return None
        in_period = [iro for date, iro in self.assigned if start <= date <= day]
        return in_period[-1] if in_period else None


NO_IRO = IroHistory((), (), ())


def iro_history(timeline: Timeline) -> IroHistory:
    """A child's looked-after periods and IRO assignments, from its timeline (events up to the
    day it is judged as of; a period begun before the known history opens where it begins)."""
    assigned = []
    for e in timeline.by_type.get("iro_assigned", []):
        name = e.attrs.get("iro")
        assigned.append((e.date, str(name) if name else None))
    if not assigned and not timeline.by_type.get("became_looked_after"):
        return NO_IRO
    return IroHistory(
        tuple(e.date for e in timeline.of_types(OPENS)),
        tuple(e.date for e in timeline.of_types(CLOSES)),
        tuple(assigned),
    )


# -- the kinds -----------------------------------------------------------------------------


def _events(worker: WorkerRecord, etype: str, as_of: dt.date) -> list[WorkerEvent]:
    """The worker's events of a type up to as_of, by date."""
    return sorted(
        (e for e in worker.events if e.type == etype and e.date <= as_of), key=lambda e: e.date
    )


def _known(worker: WorkerRecord, day: dt.date) -> bool:
    """On or after where the history the input holds for the worker begins."""
    return worker.known_from is None or day >= worker.known_from


def _roles(rule: WorkerRule) -> str:
    return ", ".join(f"`{r}`" for r in rule.roles)


class _WorkerKind(Kind[Any]):
    """What the workforce kinds share: judged over worker records by ``timescales.workforce``,
    never per child, and not part of the exit code."""

    per_child = False

    def steps(
        self, rule: Any, worker: WorkerRecord, as_of: dt.date, cal: calendar.WorkingCalendar
    ) -> Iterator[Step]:
        """The rule's steps for one worker (anchor, due, done, ref); none for a kind judged
        otherwise (caseloads, targets)."""
        return iter(())

    def options(self, rule: Any) -> list[str] | None:
        return [
            "A council may set its own value through its plugin (an override or a rule of its "
            "own), or, where the rule declares a setting, with `check --settings FILE`."
        ]

    def example(self, rule: Any) -> list[str] | None:
        return [f"See the fixtures of {rule.id} for worked cases."]


class WorkerIntervalKind(_WorkerKind):
    name = "worker_interval"
    model = WorkerIntervalRule

    def steps(
        self,
        rule: WorkerIntervalRule,
        worker: WorkerRecord,
        as_of: dt.date,
        cal: calendar.WorkingCalendar,
    ) -> Iterator[Step]:
        """The chain: from the employment start (or the first event in the known history)
        through each event; it stops at the first step not done, and after the employment
        ended."""
        events = [e.date for e in _events(worker, rule.event, as_of) if _known(worker, e.date)]
        start = worker.started
        if start is not None and _known(worker, start) and start <= as_of:
            anchor = start
            later = [d for d in events if d >= start]  # one on the first day answers the start
        elif events:
            anchor, later = events[0], [d for d in events if d > events[0]]
        else:
            return
        while worker.ended is None or anchor <= worker.ended:
            nq = rule.newly_qualified_limit is not None and worker.newly_qualified_on(anchor)
            limit = rule.newly_qualified_limit if nq and rule.newly_qualified_limit else rule.limit
            done = later[0] if later else None
            yield anchor, due_date(anchor, limit, cal), done, None
            if done is None:
                return
            anchor, later = done, [d for d in later if d > done]

    def mutations(self, rule: WorkerIntervalRule) -> list[tuple[int, int]] | None:
        return [(i, d) for i, lim in enumerate(rule.limits()) for d in (-1, 1) if lim.value + d > 0]

    def mutate(self, rule: WorkerIntervalRule, index: int, delta: int) -> WorkerIntervalRule:
        field = ("limit", "newly_qualified_limit")[index]
        limit = getattr(rule, field)
        return rule.model_copy(
            update={field: limit.model_copy(update={"value": limit.value + delta})}
        )

    def counting(self, rule: WorkerIntervalRule, heads: Heads) -> list[str]:
        lines = [
            f"For each worker in role {_roles(rule)}: the first `{rule.event}` is due "
            f"{rule.limit.describe()} after the employment start, and each next one "
            f"{rule.limit.describe()} after the previous one (the first `{rule.event}` after "
            "it meets it).",
            "Where the employment start is unknown or before the history the input holds "
            f"(`known_from`), the chain begins at the first `{rule.event}` in the known "
            "history: the steps before it are not assessed.",
            "No step is counted after the employment ended; a step not done is overdue to the "
            "earlier of the as-of date and the end of employment.",
        ]
        if rule.newly_qualified_limit is not None:
            lines.append(
                f"For a newly qualified worker (in the ASYE year on the step's anchor) the "
                f"interval is {rule.newly_qualified_limit.describe()}."
            )
        lines.append(
            "Worker findings are reported apart from the children's (`check --workforce "
            "FILE`, the aggregates, the report) and are not part of the exit code."
        )
        return lines

    def anchor_is(self, rule: WorkerIntervalRule, heads: Heads) -> str:
        return f"the employment start, or the previous `{rule.event}`"


class WorkerDeadlineKind(_WorkerKind):
    name = "worker_deadline"
    model = WorkerDeadlineRule

    def steps(
        self,
        rule: WorkerDeadlineRule,
        worker: WorkerRecord,
        as_of: dt.date,
        cal: calendar.WorkingCalendar,
    ) -> Iterator[Step]:
        """One step per clock: the employment start, or each clock event in the known
        history (up to as_of and the end of employment)."""
        met = _events(worker, rule.met_by, as_of)
        clocks: list[tuple[dt.date, str | None]] = []
        if rule.clock_event is None:
            if worker.started is not None and _known(worker, worker.started):
                clocks.append((worker.started, None))
        else:
            clocks = [
                (e.date, e.ref)
                for e in _events(worker, rule.clock_event, as_of)
                if _known(worker, e.date)
            ]
        for anchor, ref in clocks:
            if anchor > as_of or (worker.ended is not None and anchor > worker.ended):
                continue
            answers = [e.date for e in met if e.date >= anchor and (ref is None or e.ref == ref)]
            done = answers[0] if answers else None
            yield anchor, due_date(anchor, rule.limit, cal), done, ref

    def mutate(self, rule: WorkerDeadlineRule, index: int, delta: int) -> WorkerDeadlineRule:
        limit = rule.limit.model_copy(update={"value": rule.limit.value + delta})
        return rule.model_copy(update={"limit": limit})

    def counting(self, rule: WorkerDeadlineRule, heads: Heads) -> list[str]:
        if rule.clock_event is None:
            clock = "the employment start (`started`)"
            tie = ""
        else:
            clock = f"each `{rule.clock_event}` event"
            tie = " with the same ref when the clock event has one"
        return [
            f"For each worker in role {_roles(rule)}: `{rule.met_by}` is due "
            f"{rule.limit.describe()} after {clock}; the first `{rule.met_by}` on or after "
            f"the clock{tie} meets it.",
            "A clock before the history the input holds (`known_from`), or an unknown start, "
            "is not assessed. Not done: overdue to the earlier of the as-of date and the end "
            "of employment; a deadline falling after the employment ended is not counted.",
            "Worker findings are reported apart from the children's (`check --workforce "
            "FILE`, the aggregates, the report) and are not part of the exit code.",
        ]

    def anchor_is(self, rule: WorkerDeadlineRule, heads: Heads) -> str:
        return rule.clock_text


class WorkerCaseloadKind(_WorkerKind):
    name = "worker_caseload"
    model = WorkerCaseloadRule

    def needs(self, rule: WorkerCaseloadRule, heads: Heads) -> set[str]:
        # counted from the children's records unless worker records give allocations
        return {"became_looked_after", "iro_assigned"} if rule.count == "looked_after" else set()

    def mutations(self, rule: WorkerCaseloadRule) -> list[tuple[int, int]] | None:
        """The low (0) and high (1) ends of its range, one each way (and of the newly
        qualified range: 2 and 3), none below 0."""
        bounds = [rule.range.low, rule.range.high]
        if rule.newly_qualified is not None:
            bounds += [rule.newly_qualified.low, rule.newly_qualified.high]
        return [(i, d) for i, value in enumerate(bounds) for d in (-1, 1) if value + d >= 0]

    def mutate(self, rule: WorkerCaseloadRule, index: int, delta: int) -> WorkerCaseloadRule:
        field = "range" if index < 2 else "newly_qualified"
        end = ("low", "high")[index % 2]
        current = getattr(rule, field)
        moved = current.model_copy(update={end: getattr(current, end) + delta})
        return rule.model_copy(update={field: moved})

    def limit_text(self, rule: WorkerCaseloadRule) -> str | None:
        return f"{rule.range.low} to {rule.range.high} per FTE"

    def counting(self, rule: WorkerCaseloadRule, heads: Heads) -> list[str]:
        source = (
            "each looked-after child under the IRO of its latest `iro_assigned` in the "
            "looked-after period open that day"
            if rule.count == "looked_after"
            else "each child under the record's `worker` (known at the as-of date only: "
            "earlier month ends are n/a)"
        )
        lines = [
            f"For each worker in role {_roles(rule)}, at each month end of the period and at "
            "the as-of date: the children allocated that day, per full-time equivalent (FTE "
            "from the `--iros` list for IROs, else the worker record's `fte`, else 1.0).",
            f"Expected between {rule.range.low} and {rule.range.high} per FTE: above "
            f"{rule.range.high} is a breach, below {rule.range.low} is noted.",
            "The children come from the worker records' `allocation` events open that day, "
            f"when any worker record gives allocations in the role; otherwise {source}.",
        ]
        if rule.newly_qualified is not None:
            nq = rule.newly_qualified
            lines.append(
                f"A newly qualified worker (in the ASYE year that day) is held to {nq.low} to "
                f"{nq.high} per FTE."
            )
        lines.append(
            "Reported with the aggregates (`workforce`, and `caseloads`), never per child, and "
            "not part of the exit code."
        )
        return lines

    def on_time_text(self, rule: WorkerCaseloadRule) -> str | None:
        return None

    def options(self, rule: WorkerCaseloadRule) -> list[str] | None:
        return ["range: a council may set its own expected range as a local target."]

    def example(self, rule: WorkerCaseloadRule) -> list[str] | None:
        high = rule.range.high
        return [
            f"A worker at 0.5 FTE holding {high // 2 + 1} children has "
            f"{(high // 2 + 1) * 2} per FTE: above {high}, a breach."
        ]


class WorkforceTargetKind(_WorkerKind):
    name = "workforce_target"
    model = WorkforceTargetRule

    def mutations(self, rule: WorkforceTargetRule) -> list[tuple[int, int]] | None:
        """The target (0), one each way, and the period (1), one unit each way."""
        return [(0, d) for d in (-1, 1) if rule.target + d >= 1] + [
            (1, d) for d in (-1, 1) if rule.period.value + d >= 1
        ]

    def mutate(self, rule: WorkforceTargetRule, index: int, delta: int) -> WorkforceTargetRule:
        if index == 0:
            return rule.model_copy(update={"target": rule.target + delta})
        period = rule.period.model_copy(update={"value": rule.period.value + delta})
        return rule.model_copy(update={"period": period})

    def limit_text(self, rule: WorkforceTargetRule) -> str | None:
        return f"{rule.target} in {rule.period.describe()}"

    def counting(self, rule: WorkforceTargetRule, heads: Heads) -> list[str]:
        return [
            f"Over the {rule.period.describe()} ending at the as-of date: recruited = the "
            f"records of role {_roles(rule)} whose `started` falls in the period; left = "
            "those whose `ended` falls in it; net = recruited - left.",
            f"Met when at least {rule.target} were recruited. With no record of the role in "
            "the input the figures are n/a (with why), never 0.",
            "Reported with the aggregates (`workforce.targets`), not part of the exit code.",
        ]

    def on_time_text(self, rule: WorkforceTargetRule) -> str | None:
        return None


KINDS = (WorkerIntervalKind(), WorkerDeadlineKind(), WorkerCaseloadKind(), WorkforceTargetKind())
