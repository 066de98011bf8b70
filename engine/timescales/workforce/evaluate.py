"""Worker findings: each worker record against the interval and deadline rules of its role.

Deterministic order: worker id, rule id, anchor. Dates are counted as the children's rules
count them (``rules.limits.due_date``: the anchor day excluded, calendar months, working days
in the rule set's calendar); ``days_late`` and ``working_days_late`` as the children's findings
define them, an overdue step counting to the earlier of as_of and the end of employment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .. import calendar
from ..findings import Status, WorkerFinding
from ..kinds.workforce import WorkerDeadlineRule, WorkerIntervalRule, WorkerRule
from ..records import WorkerEvent, WorkerRecord
from ..rules.limits import due_date

if TYPE_CHECKING:
    from ..ruleset.ruleset import RuleSet

Step = tuple[dt.date, dt.date, dt.date | None, str | None]  # anchor, due, done, ref


def evaluate(
    ruleset: RuleSet, workers: Iterable[WorkerRecord], as_of: dt.date
) -> list[WorkerFinding]:
    """Every worker finding of ``workers`` under the rule set's interval and deadline rules,
    ordered by worker id, rule id, anchor."""
    rules = [
        r for r in ruleset.workforce if isinstance(r, WorkerIntervalRule | WorkerDeadlineRule)
    ]
    found: list[WorkerFinding] = []
    for worker in workers:
        found.extend(worker_findings(ruleset, rules, worker, as_of))
    found.sort(key=lambda f: (f.worker, f.rule, f.anchor, f.ref or "", f.due))
    return found


def worker_findings(
    ruleset: RuleSet, rules: Iterable[WorkerRule], worker: WorkerRecord, as_of: dt.date
) -> Iterator[WorkerFinding]:
    """One worker's findings under ``rules`` (those of other roles give none)."""
    for rule in rules:
        if not rule.applies_to(worker.role):
            continue
        cal = ruleset.local_calendar if rule.id in ruleset.local_rules else ruleset.calendar
        if isinstance(rule, WorkerIntervalRule):
            steps: Iterable[Step] = _interval_steps(rule, worker, as_of, cal)
        elif isinstance(rule, WorkerDeadlineRule):
            steps = _deadline_steps(rule, worker, as_of, cal)
        else:
            continue
        for anchor, due, done, ref in steps:
            if not rule.in_force(anchor):
                continue
            finding = _finding(rule, worker, (anchor, due, done, ref), as_of, cal, ruleset.la)
            if finding is not None:
                yield finding


def _events(worker: WorkerRecord, etype: str, as_of: dt.date) -> list[WorkerEvent]:
    """The worker's events of a type up to as_of, by date."""
    return sorted(
        (e for e in worker.events if e.type == etype and e.date <= as_of), key=lambda e: e.date
    )


def _known(worker: WorkerRecord, day: dt.date) -> bool:
    return worker.known_from is None or day >= worker.known_from


def _interval_steps(
    rule: WorkerIntervalRule, worker: WorkerRecord, as_of: dt.date, cal: calendar.WorkingCalendar
) -> Iterator[Step]:
    """The chain: from the employment start (or the first event in the known history) through
    each event; it stops at the first step not done."""
    events = [e.date for e in _events(worker, rule.event, as_of) if _known(worker, e.date)]
    start = worker.started
    if start is not None and _known(worker, start) and start <= as_of:
        anchor = start
        later = [d for d in events if d >= start]  # one on the first day answers the start
    elif events:
        anchor, later = events[0], [d for d in events if d > events[0]]
    else:
        return
    while True:
        if worker.ended is not None and anchor > worker.ended:
            return
        nq = rule.newly_qualified_limit is not None and worker.newly_qualified_on(anchor)
        limit = rule.newly_qualified_limit if nq and rule.newly_qualified_limit else rule.limit
        due = due_date(anchor, limit, cal)
        done = later[0] if later else None
        yield anchor, due, done, None
        if done is None:
            return
        anchor, later = done, [d for d in later if d > done]


def _deadline_steps(
    rule: WorkerDeadlineRule, worker: WorkerRecord, as_of: dt.date, cal: calendar.WorkingCalendar
) -> Iterator[Step]:
    """One step per clock: the employment start, or each clock event in the known history."""
    met = _events(worker, rule.met_by, as_of)
    if rule.clock_event is None:
        clocks: list[tuple[dt.date, str | None]] = []
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
        yield anchor, due_date(anchor, rule.limit, cal), (answers[0] if answers else None), ref


def _finding(
    rule: WorkerRule,
    worker: WorkerRecord,
    step: Step,
    as_of: dt.date,
    cal: calendar.WorkingCalendar,
    la: str | None = None,
) -> WorkerFinding | None:
    """met / late / overdue / pending (None: due after the employment ended, not done)."""
    anchor, due, done, ref = step
    if done is not None:
        if done <= due:
            status, days, working = Status.MET, 0, 0
        else:
            status, days, working = Status.LATE, (done - due).days, _wd(due, done, cal)
    else:
        end = as_of if worker.ended is None else min(as_of, worker.ended)
        if end > due:
            status, days, working = Status.OVERDUE, (end - due).days, _wd(due, end, cal)
        elif worker.ended is not None and worker.ended < as_of:
            return None  # left before it fell due
        else:
            status, days, working = Status.PENDING, None, None
    return WorkerFinding(
        rule=rule.id,
        name=rule.name,
        worker=worker.worker,
        role=worker.role,
        team=worker.team,
        ref=ref,
        anchor=anchor,
        due=due,
        done=done,
        status=status,
        days_late=days,
        working_days_late=working,
        citation=rule.references[0].href,
        la=worker.la or la,
        citations=tuple(r.href for r in rule.references),
    )


def _wd(start: dt.date, end: dt.date, cal: calendar.WorkingCalendar) -> int | None:
    try:
        return cal.working_days_between(start, end)
    except calendar.CalendarRangeError:
        return None
