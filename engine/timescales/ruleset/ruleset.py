"""A compiled rule set: rules grouped into checkers once, then run on one child at a time.

Immutable after construction and free of global state, so one RuleSet may serve many threads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import calendar
from ..errors import Location, RecordError
from ..evaluation.context import Context
from ..evaluation.timeline import Ev, Known, Timeline
from ..findings import DataQualityFinding, Finding
from ..kinds import REGISTRY
from ..kinds.schedule import Chain, chains_of
from ..kinds.workforce import IroHistory, caseloads_from_children, iro_history, worker_rules
from ..records import NATIONAL_EVENT_TYPES, ChildRecord
from ..rules.limits import Terms
from ..rules.model import Rule, keep_apart
from ..rules.overrides import ActiveOverride, Target
from ..rules.registry import Heads
from ..rules.settings import Unsettled

Checker = Callable[[Context], Iterator[Finding]]


# why a rule is not assessable when the inputs cannot give its events (``RuleSet.assessable``),
# followed by those event types; the aggregates read it (a CIN census: no period of care)
NOT_CARRIED = "the input does not carry "


def needed_event_types(rule: Rule, heads: Heads) -> set[str]:
    """Event types without which a rule can never be met or started: its clock and what
    satisfies it (a schedule's opening and event; a milestone's schedule and its own)."""
    return REGISTRY.of(rule).needs(rule, heads)


def reads(rule: Rule, heads: Heads) -> frozenset[str]:
    """Every event type a rule's outcome depends on: its clock and what meets it, what opens,
    closes, voids or extends its cases, and what its conditions read (a schedule's follower
    and a milestone read their head's too). A ``known_from`` entry naming any of them speaks
    about the rule."""
    out = needed_event_types(rule, heads) | {s.type for s in rule.selectors()}
    out |= rule.context_types()
    head_id = REGISTRY.of(rule).depends_on(rule)
    head = heads.get(head_id) if head_id is not None else None
    if head is not None:
        out |= {s.type for s in head.selectors()} | head.context_types()
    return frozenset(out)


def heads_of(rules: Iterable[Rule]) -> dict[str, Rule]:
    """The rules other rules hang on (schedule heads), by id."""
    return {r.id: r for r in rules if REGISTRY.of(r).leads(r)}


@dataclass(frozen=True, slots=True)
class ChildResult:
    """Everything checking one child produced."""

    child: str
    findings: tuple[Finding, ...]
    quality: tuple[DataQualityFinding, ...]
    ignored_after_as_of: int
    iro: str | None = None  # the IRO holding the child's open looked-after period at as_of
    # (rule, why) -> instances the law then in force left without a date to breach
    not_assessed: tuple[tuple[tuple[str, str], int], ...] = ()
    # the child's looked-after periods and IROs, for the caseloads on any day (kept when a
    # caseload rule counts looked-after children)
    iros: IroHistory | None = None


class RuleSet:
    """The rules in force for one run (national pack plus any council overlay)."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        calendar_: calendar.WorkingCalendar | None = None,
        la: str | None = None,
        event_types: Mapping[str, Mapping[str, type]] | None = None,
        terms: Iterable[tuple[dt.date, dt.date]] | None = None,
        report: Iterable[str] | None = None,
        overrides: Mapping[str, ActiveOverride] | None = None,
        local_rules: Iterable[str] = (),
        local_calendar: calendar.WorkingCalendar | None = None,
        targets: Sequence[Target] = (),
        unsettled: Sequence[Unsettled] = (),
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        # a council's overrides of national rules, its own rules (which alone use its closure
        # days) and its performance targets
        self.overrides: dict[str, ActiveOverride] = dict(overrides or {})
        self.local_rules = frozenset(local_rules)
        self.local_calendar = local_calendar or calendar_ or calendar.ENGLAND
        self.targets: tuple[Target, ...] = tuple(targets)
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}
        # details on which contradicting copies of an event stay two events (each may start
        # an obligation); on any other detail the copies are one event, the detail unknown
        self.apart = keep_apart(self.rules)
        self.calendar = calendar_ or calendar.ENGLAND
        self.la = la
        self.event_types = event_types
        self.terms: Terms | None = tuple(sorted(terms)) if terms else None
        # rules that cannot run in this set, with the reason (reported once per run)
        self.inactive: dict[str, str] = {}
        # rules left out because a council setting they need was not given (rules.settings):
        # not checked, and reported as not assessed with the reason
        self.unsettled: tuple[Unsettled, ...] = tuple(sorted(unsettled, key=lambda u: u.id))
        self.inactive.update((u.id, f"not assessed: {u.why}") for u in self.unsettled)
        # the workforce rules (``timescales.workforce``: judged over worker records)
        self.workforce = worker_rules(self.rules)
        self._iros = caseloads_from_children(self.workforce)
        # rules whose findings are reported (None: all); others only support them (a schedule
        # that a selected milestone or follower needs)
        self.report: frozenset[str] | None = frozenset(report) if report is not None else None
        self._checkers = self._compile()
        # rule id -> the event types it reads (which ``known_from`` entries speak about it)
        heads = {h: chain.head for h, chain in self.chains.items()}
        self.reads: dict[str, frozenset[str]] = {
            r.id: reads(r, heads) for r in self.rules if _depends_on(r) in (None, *heads)
        }
        # what every child's context shares (``context``)
        self._run_wide: dict[str, Any] = {
            "cal": self.calendar,
            "la": self.la,
            "terms": self.terms,
            "overrides": self.overrides,
            "local_rules": self.local_rules,
            "local_cal": self.local_calendar,
            "reads": self.reads,
        }

    def _active(self, rule: Rule) -> bool:
        if self.terms is None and any(lim.unit == "terms" for lim in rule.limits()):
            self.inactive[rule.id] = (
                "no school term dates: a council plugin supplies them (e.g. --la NAME)"
                if self.la is None
                else f"no school term dates: the council's plugin ({self.la}) supplies none"
            )
            return False
        return True

    def _compile(self) -> tuple[tuple[str, Checker], ...]:
        """(rule id, checker) pairs; the id names the rule if its checker ever fails."""
        checkers: list[tuple[str, Checker]] = []
        active = [r for r in self.rules if self._active(r)]
        # each schedule head with its followers, by head id (the oracle and the durable engine
        # walk the same chains)
        self.chains: dict[str, Chain] = chains_of(active)
        for rule in active:
            checker = REGISTRY.of(rule).checker(rule, self.chains)
            if isinstance(checker, str):
                self.inactive[rule.id] = checker
            elif checker is not None:
                checkers.append((rule.id, checker))
        return tuple(checkers)

    def checkers(self) -> tuple[tuple[str, Checker], ...]:
        """(rule id, checker) in the order they run."""
        return self._checkers

    def checked(self) -> list[Rule]:
        """The rules with a checker of their own, in the order they run (a follower is checked
        with its head, an aggregate by the aggregates)."""
        return [self.by_id[rule_id] for rule_id, _ in self._checkers]

    def __len__(self) -> int:
        return len(self.rules)

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def select(self, ids: Iterable[str]) -> RuleSet:
        """A rule set of only these rules (with the heads their followers need)."""
        wanted = set(ids)
        unsettled = {u.id: u for u in self.unsettled}
        unknown = wanted - set(self.by_id) - set(unsettled)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        left_out = [unsettled[i] for i in sorted(wanted & set(unsettled))]
        wanted -= set(unsettled)
        for rule_id in list(wanted):
            rule = self.by_id[rule_id]
            kind = REGISTRY.of(rule)
            head = kind.depends_on(rule) or (rule.id if kind.leads(rule) else None)
            if head is not None:
                # the whole chain: which follower governs a step depends on its siblings (LA004
                # alone would end the chain at the first step LA003 governs)
                wanted.add(head)
                wanted.update(r.id for r in self.rules if REGISTRY.of(r).follows(r) == head)
        return self._derive(
            [r for r in self.rules if r.id in wanted], report=set(ids), unsettled=left_out
        )

    def types_read(self) -> set[str]:
        """Every event type the rule set knows (national and the council's own) or a rule reads."""
        heads = heads_of(self.rules)
        out = set(NATIONAL_EVENT_TYPES) | set(self.event_types or ())
        for rule in self.rules:
            out |= reads(rule, heads)
        return out

    def assessable(self, supplied: frozenset[str]) -> tuple[RuleSet, dict[str, str]]:
        """The rules the inputs can feed, and why each other one cannot be assessed."""
        heads = heads_of(self.rules)
        keep: list[Rule] = []
        why: dict[str, str] = {}
        for rule in self.rules:
            missing = sorted(needed_event_types(rule, heads) - supplied)
            if missing:
                why[rule.id] = NOT_CARRIED + ", ".join(missing)
            else:
                keep.append(rule)
        kept = {r.id for r in keep}
        # a follower or milestone whose schedule head went goes with it
        for rule in list(keep):
            head = _depends_on(rule)
            if head is not None and head not in kept:
                keep.remove(rule)
                why[rule.id] = f"its schedule {head} is not assessable ({why.get(head, '')})"
        report = None if self.report is None else self.report - set(why)
        return self._derive(keep, report=report), why

    def with_terms(self, terms: Iterable[tuple[dt.date, dt.date]]) -> RuleSet:
        """The same rules with these school terms (first day, last day)."""
        return self._derive(self.rules, terms=tuple(terms))

    def replace(self, rules: Sequence[Rule]) -> RuleSet:
        """The same settings (calendar, council, terms) with other rules."""
        return self._derive(rules)

    def _derive(self, rules: Sequence[Rule], **changes: Any) -> RuleSet:
        settings: dict[str, Any] = {
            "calendar_": self.calendar,
            "la": self.la,
            "event_types": self.event_types,
            "terms": self.terms,
            "report": self.report,
            "overrides": self.overrides,
            "local_rules": self.local_rules,
            "local_calendar": self.local_calendar,
            "targets": self.targets,
            "unsettled": self.unsettled,
        }
        settings.update(changes)
        return RuleSet(rules, **settings)

    def check(
        self, record: ChildRecord, *, as_of: dt.date, location: Location | None = None
    ) -> ChildResult:
        """Check one child. Raises RecordError (with the reason) when the record cannot be
        checked, e.g. a working-day count outside the calendar's supported years."""
        if not isinstance(as_of, dt.date):
            raise TypeError("as_of must be a datetime.date")
        events = [Ev(e.type, e.date, e.ref, e.case, e.attrs) for e in record.events]
        as_of = judged_as_of(record, as_of)
        result = self.check_events(
            record.child,
            events,
            as_of=as_of,
            dob=record.dob,
            team=record.team,
            worker=record.worker,
            location=location,
            known=known_entries(record),
        )
        return partial(result) if record.partial_history else result

    def context(
        self, timeline: Timeline, as_of: dt.date, team: str | None, worker: str | None
    ) -> Context:
        """What every rule kind's checker reads for one child (any engine)."""
        exceptions: dict[str, list[tuple[str | None, str]]] = {}
        for ev in timeline.by_type.get("exception", []):
            rule = ev.attrs.get("rule")
            if isinstance(rule, str):
                exceptions.setdefault(rule, []).append((ev.ref, str(ev.attrs.get("reason", ""))))
        return Context(
            timeline=timeline,
            as_of=as_of,
            team=team,
            worker=worker,
            exceptions=exceptions,
            **self._run_wide,
        )

    def result(
        self, child: str, findings: Iterable[Finding], timeline: Timeline, as_of: dt.date
    ) -> ChildResult:
        """One child's result from its findings (any engine): the reported rules only, in
        order, with the child's data-quality notes and IRO."""
        kept = [f for f in findings if self.report is None or f.rule in self.report]
        kept.sort(key=lambda f: (f.rule, f.anchor, f.ref or "", f.due))
        iros = iro_history(timeline) if self._iros else None
        iro = iros.on(as_of) if iros is not None else None
        skipped = tuple(
            sorted(
                (key, n)
                for key, n in timeline.not_assessed.items()
                if self.report is None or key[0] in self.report
            )
        )
        return ChildResult(
            child,
            tuple(kept),
            tuple(timeline.quality),
            timeline.ignored_after_as_of,
            iro,
            skipped,
            iros,
        )

    def check_events(
        self,
        child: str,
        events: Iterable[Ev],
        *,
        as_of: dt.date,
        dob: dt.date | None = None,
        team: str | None = None,
        worker: str | None = None,
        location: Location | None = None,
        known: tuple[Known, ...] = (),
    ) -> ChildResult:
        timeline = Timeline(child, dob, events, as_of, self.apart, known)
        ctx = self.context(timeline, as_of, team, worker)
        findings: list[Finding] = []
        for rule_id, checker in self._checkers:
            try:
                findings.extend(checker(ctx))
            except (calendar.CalendarRangeError, OverflowError) as exc:
                raise out_of_range(exc, location) from None
            except Exception as exc:
                # A fault in one rule's checker must not stop the run or lose the child
                # silently: the child is rejected with the rule and the kind of failure (no
                # record contents), and the rest of the run goes on.
                error = RecordError(
                    f"internal error in rule {rule_id} ({type(exc).__name__}); the child could "
                    "not be checked: please report it",
                    location,
                    code="E399",
                )
                raise error from exc
        return self.result(child, findings, timeline, as_of)


def _depends_on(rule: Rule) -> str | None:
    return REGISTRY.of(rule).depends_on(rule)


def out_of_range(exc: Exception, location: Location | None) -> RecordError:
    """The rejection (E307) of a record whose dates leave the calendar's years (a working-day
    count outside them) or the date range itself (a birthday near year 9999): the record's
    dates are impossible, not the rule at fault."""
    if isinstance(exc, calendar.CalendarRangeError):
        return RecordError(f"cannot be checked: {exc}", location, code="E307")
    return RecordError(
        "cannot be checked: a date calculation went out of range (a date near year 9999?)",
        location,
        code="E307",
    )


def judged_as_of(record: ChildRecord, as_of: dt.date) -> dt.date:
    """The day a record is judged as of: the run's, or the last day its data hold when
    earlier (``known_until``, or its latest event when later still: nothing after that can be
    in the data, so nothing is overdue for lack of it)."""
    until = record.known_until
    if until is None or until >= as_of:
        return as_of
    # data dated later than it say the data go on to then (an in-year extract)
    latest = max((e.date for e in record.events), default=until)
    return min(as_of, max(until, latest))


def known_entries(record: ChildRecord) -> tuple[Known, ...]:
    """The record's ``known_from`` in the engine's terms."""
    return tuple(
        Known(
            k.from_,
            k.case,
            None if k.events is None else frozenset(k.events),
            k.began,
        )
        for k in record.known_from
    )


def partial(result: ChildResult) -> ChildResult:
    """The result with every finding marked ``partial_history`` (earlier events are missing)."""
    flagged = tuple(
        dataclasses.replace(f, extra=(*f.extra, ("partial_history", True))) for f in result.findings
    )
    return dataclasses.replace(result, findings=flagged)


def partial_count(findings: Iterable[Finding]) -> int:
    """How many findings are marked ``partial_history``."""
    return sum(1 for f in findings if ("partial_history", True) in f.extra)
