"""What every rule kind needs while checking one child, and the one way findings are made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import calendar
from ..findings import DataQualityFinding, Finding
from ..rules.model import Limit, RuleBase
from .outcome import Terms, attribute_outcome, due_date, outcome
from .timeline import Timeline

if TYPE_CHECKING:
    from ..plugins.overrides import ActiveOverride


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

    @property
    def child(self) -> str:
        return self.timeline.child

    def note(self, quality: DataQualityFinding) -> None:
        self.timeline.quality.append(quality)

    def applies(self, rule: RuleBase, anchor: dt.date) -> bool:
        """The rule's own effective dates, judged by the date its clock starts."""
        eff = rule.effective
        if eff is None:
            return True
        return not ((eff.start and anchor < eff.start) or (eff.end and anchor > eff.end))

    def calendar_for(self, rule: RuleBase | None) -> calendar.WorkingCalendar:
        """A council's closure days move only its own rules, never a national one."""
        if rule is not None and rule.id in self.local_rules and self.local_cal is not None:
            return self.local_cal
        return self.cal

    def due(self, anchor: dt.date, limit: Limit, rule: RuleBase | None = None) -> dt.date:
        """The due date under the limit in force: a council's override where one applies."""
        if rule is not None:
            active = self.overrides.get(rule.id)
            if active is not None and active.applies(anchor):
                limit = active.local_for(limit)
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
        active = self.overrides.get(rule.id)
        if active is not None and active.applies(anchor):
            national_due = due_date(anchor, limit, self.cal, self.terms)
            limit = active.local_for(limit)
            extra = (
                *extra,
                ("national_due", national_due),
                ("override", active.override.name),
            )
        result = (
            attribute_outcome(done)
            if attribute
            else outcome(
                due=due,
                done=done,
                close=close,
                as_of=self.as_of,
                cal=self.calendar_for(rule),
                working=limit.unit == "working_days",
            )
        )
        if result is None:
            return None
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
