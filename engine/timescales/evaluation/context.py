"""What every rule kind needs while checking one child, and the one way findings are made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import calendar
from ..findings import DataQualityFinding, Finding, Status
from ..rules.limits import Terms, due_date
from ..rules.model import Condition, Limit, RuleBase
from ..rules.overrides import ActiveOverride
from .outcome import Outcome, attribute_outcome, outcome
from .timeline import Case, Ev, Timeline, holds, last_on_or_before

# why an instance is not assessed (the run's tally): its clock is an opening the data does not
# hold, or falls before the history the data holds, or the schedule step it is cannot be told
BEGAN_BEFORE = "began before the data"
BEFORE_KNOWN = "clock before the history the data holds"
POSITION_UNKNOWN = "after a restart, which limit applies cannot be told"
CIRCUMSTANCES_UNKNOWN = "the circumstances its limit depends on began before the data"


@dataclass(slots=True)
class Context:
    timeline: Timeline
    as_of: dt.date
    cal: calendar.WorkingCalendar
    la: str | None = None
    team: str | None = None
    worker: str | None = None
    # rule id -> [(ref or None, reason)] from ``exception`` events
    exceptions: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)
    terms: Terms | None = None
    overrides: Mapping[str, ActiveOverride] = field(default_factory=dict)
    local_rules: frozenset[str] = frozenset()
    local_cal: calendar.WorkingCalendar | None = None
    # rule id -> the event types it reads (clock and what meets it): which ``known_from``
    # entries speak about it
    reads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # whether the last ``applies`` refused an instance for history the data do not hold
    unknown: bool = False

    @property
    def child(self) -> str:
        return self.timeline.child

    def note(self, quality: DataQualityFinding) -> None:
        self.timeline.quality.append(quality)

    def applies(
        self,
        rule: RuleBase,
        anchor: dt.date,
        case: Case | None = None,
        *,
        known: bool = False,
        since: dt.date | None = None,
    ) -> bool:
        """The rule applies to an instance whose clock starts on ``anchor``: its provision was
        in force that day (``effective``), its exclusion does not hold (``excluded_when``,
        read on that day: a short-breaks child is outside reg 28(2)), and the clock lies in the
        history the input holds (``known_from``): a clock on an opening the data does not
        hold, or before the known history, is not assessed and counted (``known``: the caller
        has already placed the instance inside the known history, as a restarted schedule
        does; ``since``: the earliest day an event can meet the instance, when before its
        clock, as a care plan made before the child became looked after meets LA001)."""
        self.unknown = False
        if not rule.in_force(anchor):
            return False
        within = case if case is not None else Case(Ev("", anchor), None)
        if rule.excluded_when is not None and holds(
            rule.excluded_when, anchor=anchor, case=within, tl=self.timeline
        ):
            return False
        if not self.timeline.known:
            return True
        why = None
        if not known and within.opened.began and anchor <= within.opened.date:
            why = BEGAN_BEFORE
        elif not known:
            start = self.known_start(rule.id, within.opened)
            if start is not None and min(anchor, since or anchor) < start:
                why = BEFORE_KNOWN
        if why is None and not (
            self.tells(rule, anchor, within) and self._status_told(rule, anchor, within)
        ):
            why = CIRCUMSTANCES_UNKNOWN
        if why is None:
            return True
        self.not_assessed(rule, why)
        self.unknown = True  # refused for history the data do not hold (not by the law)
        return False

    def _status_told(self, rule: RuleBase, anchor: dt.date, case: Case) -> bool:
        """For a rule counted from the day the preceding legal status began
        (``counts_from_status``, s.45(3)): the status in force the day before the clock, and
        the day it began, are in the data (not a status begun before them)."""
        if getattr(rule, "counts_from_status", None) is None:
            return True
        kind = "legal_status_started"
        start = self.known_from_types(frozenset({kind}), case.opened)
        latest = last_on_or_before(self.timeline, kind, anchor - dt.timedelta(days=1))
        if latest is not None and latest.began:
            return False  # the status in force began before the data: when, is not known
        return start is None or (latest is not None and latest.date >= start)

    def tells(self, rule: RuleBase, anchor: dt.date, case: Case) -> bool:
        """Whether the data settle every condition of the rule on ``anchor`` (always, when
        the record's whole history is held)."""
        return all(self.tells_condition(c, anchor, case) for c in rule.conditions())

    def tells_condition(self, condition: Condition, anchor: dt.date, case: Case) -> bool:
        """Whether the data settle one condition on ``anchor`` (always, with the whole
        history held)."""
        return not self.timeline.known or self._told(condition, anchor, case)

    def _told(self, condition: Condition, anchor: dt.date, case: Case) -> bool:
        """Whether the data tell a condition on ``anchor`` despite the history they lack: the
        placement or legal status in force then began inside the known history (or nothing
        of its kind is cut), and "before the first review" is settled by an event the data
        hold. Else the condition, and the instance, cannot be judged."""
        tl = self.timeline
        opened = case.opened

        def since_known(kind: str) -> bool:
            start = self.known_from_types(frozenset({kind}), opened)
            if start is None:
                return True
            latest = last_on_or_before(tl, kind, anchor)
            # an opening made for a case that began before the data has no details to tell
            made = latest is not None and latest.began and not latest.attrs
            return latest is not None and latest.date >= start and not made

        own = opened.type == "placement_started" and not (opened.began and not opened.attrs)
        if condition.placement is not None and not (own or since_known("placement_started")):
            return False
        if opened.began:
            # the case began before ``opened.date``: its Nth anniversary is before that day
            # plus N years, so only an anchor past that settles which side of it it is
            for years in (condition.anchor_before_anniversary, condition.anchor_from_anniversary):
                if years is not None and anchor < calendar.add_years(opened.date, years):
                    return False
        if condition.legal_status is not None and not since_known("legal_status_started"):
            return False
        first = condition.anchor_before_first
        if first is not None:
            start = self.known_from_types(frozenset({first.type}), opened)
            if start is not None:
                since = last_on_or_before(tl, first.since, anchor) if first.since else None
                settled = since is not None and since.date >= start
                seen = any(
                    start <= ev.date <= anchor and (since is None or ev.date >= since.date)
                    for ev in tl.by_type.get(first.type, ())
                )
                if not (settled or seen):
                    return False
        return all(
            self._told(sub, anchor, case)
            for sub in (*(condition.any or ()), *(condition.none_of or ()))
        )

    def known_start(self, rule_id: str, opened: Ev) -> dt.date | None:
        """Where the history a rule reads begins for the case ``opened`` opens (or the clock
        ``opened`` is): the latest ``known_from`` that speaks about it, or None."""
        return self.known_from_types(self.reads.get(rule_id, frozenset()), opened)

    def known_from_types(self, types: frozenset[str], opened: Ev) -> dt.date | None:
        """Where the history of these event types begins for the case ``opened`` opens."""
        keys = (opened.ref, opened.case)
        starts = [k.start for k in self.timeline.known if k.covers(types, keys)]
        return max(starts) if starts else None

    def not_assessed(self, rule: RuleBase, why: str) -> None:
        """Count an instance the law in force left without a date to breach (the run's tally)."""
        self.timeline.not_assessed[(rule.id, why)] += 1

    def calendar_for(self, rule: RuleBase | None) -> calendar.WorkingCalendar:
        """A council's closure days move only its own rules, never a national one."""
        if rule is not None and rule.id in self.local_rules and self.local_cal is not None:
            return self.local_cal
        return self.cal

    def limit_in_force(self, anchor: dt.date, limit: Limit, rule: RuleBase | None = None) -> Limit:
        """The rule's limit for a clock starting on ``anchor``: a temporary variation's, then a
        council's override of it where one applies on that date, else the limit itself."""
        if rule is not None:
            limit = _varied(rule, anchor, limit)
            active = self.overrides.get(rule.id)
            if active is not None and active.applies(anchor):
                return active.local_for(limit)
        return limit

    def due(self, anchor: dt.date, limit: Limit, rule: RuleBase | None = None) -> dt.date:
        """The due date under the limit in force (``limit_in_force``)."""
        limit = self.limit_in_force(anchor, limit, rule)
        return due_date(anchor, limit, self.calendar_for(rule), self.terms)

    def finding(
        self,
        rule: RuleBase,
        *,
        ref: str | None,
        anchor: dt.date,
        due: dt.date,
        done: dt.date | None,
        close: dt.date | None,
        limit: Limit,
        extra: tuple[tuple[str, object], ...] = (),
        attribute: bool = False,
    ) -> Finding | None:
        """The finding for one rule instance, or None when the case closed on or before ``due``
        without the event. ``attribute``: an attribute rule's instance, met when ``done`` is
        given and otherwise unmet (no lateness), never pending or overdue."""
        variation = rule.variation_at(anchor)
        if variation is not None:
            extra = (*extra, ("variation", variation.name))
            limit = variation.limit or limit
        active = self.overrides.get(rule.id)
        if active is not None and active.applies(anchor):
            national_due = due_date(anchor, limit, self.cal, self.terms)
            limit = active.local_for(limit)
            extra = (
                *extra,
                ("national_due", national_due),
                ("override", active.override.name),
            )
        cal = self.calendar_for(rule)
        working = limit.unit == "working_days"

        def judged(by: dt.date) -> Outcome | None:
            return outcome(
                due=by, done=done, close=close, as_of=self.as_of, cal=cal, working=working
            )

        result = attribute_outcome(done) if attribute else judged(due)
        if result is None:
            return None
        relaxed = variation is not None and variation.limit is None and not attribute
        if relaxed and variation is not None and result.status is not Status.MET:
            # Relaxed to "as soon as reasonably practicable": no date in the period to breach.
            # Once it ended the usual limit applied again, so it counts from the period's end:
            # only an event later than that (or none) is a certain breach.
            due = due_date(variation.end, limit, cal, self.terms)
            result = judged(due)
            if result is None or result.status is Status.MET:
                self.not_assessed(rule, f"{variation.name}: as soon as reasonably practicable")
                return None
            extra = (*extra, ("resumed", variation.end.isoformat()))
        return Finding(
            rule=rule.id,
            name=rule.name,
            child=self.child,
            ref=ref,
            anchor=anchor,
            due=due,
            done=done,
            status=result.status,
            days_late=result.days_late,
            working_days_late=result.working_days_late,
            citation=rule.references[0].href,
            la=self.la,
            team=self.team,
            worker=self.worker,
            exception=self._exception(rule.id, ref),
            citations=tuple(r.href for r in rule.references),
            extra=extra,
        )

    def _exception(self, rule: str, ref: str | None) -> str | None:
        reasons = [why for on, why in self.exceptions.get(rule, []) if on is None or on == ref]
        return "; ".join(reasons) or None


def _varied(rule: RuleBase, anchor: dt.date, limit: Limit) -> Limit:
    variation = rule.variation_at(anchor)
    return variation.limit if variation is not None and variation.limit is not None else limit
