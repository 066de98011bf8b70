"""Worker findings: each worker record against the interval and deadline rules of its role.

Deterministic order: worker id, rule id, anchor. A rule is judged only when the worker records
of its roles carry the events it reads (``uncarried``): an HR export with start dates and no
induction records says nothing about inductions, and must not make every worker overdue.
Dates are counted as the children's rules count them (``rules.limits.due_date``: the anchor
day excluded, calendar months, working days in the rule set's calendar); ``days_late`` and
``working_days_late`` as the children's findings define them, an overdue step counting to the
earlier of as_of and the end of employment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .. import calendar
from ..evaluation.outcome import outcome
from ..findings import WorkerFinding
from ..kinds import REGISTRY
from ..kinds.workforce import Step, WorkerRule, reads, timed_rules
from ..records import WorkerRecord

if TYPE_CHECKING:
    from ..ruleset.ruleset import RuleSet


def evaluate(
    ruleset: RuleSet, workers: Iterable[WorkerRecord], as_of: dt.date
) -> list[WorkerFinding]:
    """Every worker finding of ``workers`` under the rule set's interval and deadline rules,
    ordered by worker id, rule id, anchor."""
    workers = list(workers)
    silent = uncarried(ruleset.workforce, workers)
    rules = [r for r in timed_rules(ruleset.workforce) if r.id not in silent]
    found: list[WorkerFinding] = []
    for worker in workers:
        found.extend(worker_findings(ruleset, rules, worker, as_of))
    found.sort(key=lambda f: (f.worker, f.rule, f.anchor, f.ref or "", f.due))
    return found


def uncarried(rules: Iterable[Any], workers: Iterable[WorkerRecord]) -> dict[str, str]:
    """Interval and deadline rules the worker records cannot feed, with why: no record of the
    rule's roles carries an event type it reads (the input cannot tell, so nothing is scored)."""
    workers = list(workers)
    out: dict[str, str] = {}
    for rule in timed_rules(rules):
        mine = [w for w in workers if rule.applies_to(w.role)]
        if not mine:
            continue  # said elsewhere: no worker records of the role
        carried = {e.type for w in mine for e in w.events}
        missing = [t for t in reads(rule) if t not in carried]
        if missing:
            out[rule.id] = (
                "the worker records carry no " + ", ".join(missing) + " events: the input cannot "
                "tell whether they were done"
            )
    return out


def worker_findings(
    ruleset: RuleSet, rules: Iterable[WorkerRule], worker: WorkerRecord, as_of: dt.date
) -> Iterator[WorkerFinding]:
    """One worker's findings under ``rules`` (those of other roles give none)."""
    for rule in rules:
        if not rule.applies_to(worker.role):
            continue
        cal = ruleset.local_calendar if rule.id in ruleset.local_rules else ruleset.calendar
        kind: Any = REGISTRY.of(rule)  # a workforce kind (``_WorkerKind.steps``)
        steps: Iterable[Step] = kind.steps(rule, worker, as_of, cal)
        for anchor, due, done, ref in steps:
            if not rule.in_force(anchor):
                continue
            finding = _finding(rule, worker, (anchor, due, done, ref), as_of, cal, ruleset.la)
            if finding is not None:
                yield finding


def _finding(
    rule: WorkerRule,
    worker: WorkerRecord,
    step: Step,
    as_of: dt.date,
    cal: calendar.WorkingCalendar,
    la: str | None = None,
) -> WorkerFinding | None:
    """met / late / overdue / pending, judged as a child's instance is (``evaluation.outcome``),
    the end of employment standing for a case's close: None when the worker left on or before
    the due date without the event. An end after as_of is not yet known, as a child's events
    after as_of are not."""
    anchor, due, done, ref = step
    ended = worker.ended if worker.ended is not None and worker.ended <= as_of else None
    # working=False: a working-day count outside the calendar's years is null, never an error
    result = outcome(due=due, done=done, close=ended, as_of=as_of, cal=cal, working=False)
    if result is None:
        return None
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
        status=result.status,
        days_late=result.days_late,
        working_days_late=result.working_days_late,
        citation=rule.references[0].href,
        la=worker.la or la,
        citations=tuple(r.href for r in rule.references),
    )
