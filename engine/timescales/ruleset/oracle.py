"""The due date a rule in force gives, for code that must not count limits of its own.

Importers compare a council's own due dates with ours (the CIN census ``InitialCPCtarget``,
the SSD's review due dates) and decide whether a latest-only review can be the first (Annex A).
Each such date is asked of a ``RuleOracle`` over the run's rule set and counted exactly as the
engine counts it (``Context.due``): the rule's ``effective`` dates, a council's override and the
calendar the rule counts working days in all apply, so an importer never holds a limit.

The oracle answers only what the rule set says: ``due`` is None when the rule is not in the set,
cannot run in it, is not in force for the anchor, or when which limit applies depends on
something the caller cannot tell (a placement's permanence, a date of birth it does not have).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .. import calendar
from ..evaluation.context import Context
from ..evaluation.timeline import Case, Timeline, holds
from ..kinds import REGISTRY
from ..rules.limits import TermsUnavailable
from ..rules.model import Limit, RuleBase, decidable
from ..rules.registry import DueAsked
from .ruleset import RuleSet

__all__ = ["Due", "RuleOracle", "national"]


@dataclass(frozen=True, slots=True)
class Due:
    """One occurrence's due date under the rule governing it, and the limit that gave it."""

    rule: str  # the rule governing the occurrence (LA006 for LA005's second)
    anchor: dt.date  # what the limit counts from (the case opening, or the previous event)
    date: dt.date  # the last compliant day
    limit: Limit  # the limit in force: a council's override where one applies
    cal: calendar.WorkingCalendar  # the calendar the rule counts working days in
    override: str | None = None  # the name of the council override that applied, if any

    def describe(self) -> str:
        """The limit in words, as rules say it: "15 working days", "3 months"."""
        return self.limit.describe()

    def working_days_to(self, other: dt.date) -> int:
        """Working days from the due date to ``other`` in the rule's calendar (``other``
        later: positive; earlier: negative). Raises CalendarRangeError outside its years."""
        return self.cal.working_days_between(self.date, other)


def _alone(dob: dt.date | None) -> Timeline:
    """A child with no events but a date of birth: what the oracle's conditions may read."""
    return Timeline("", dob, (), dt.date.max)


class RuleOracle:
    """Due dates from one rule set (immutable; share it between threads)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        # what every rule's checker reads, with no child: the calendars, terms and overrides
        self._ctx: Context = ruleset.context(
            Timeline("", None, (), dt.date.max), dt.date.max, None, None
        )
        self._chains = ruleset.chains

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.ruleset.by_id

    def due(
        self,
        rule_id: str,
        anchor: dt.date,
        *,
        occurrence: int = 1,
        opened: dt.date | None = None,
        dob: dt.date | None = None,
    ) -> Due | None:
        """The due date of ``rule_id`` for a clock starting on ``anchor``.

        For a schedule (its head or any follower may be named) ``occurrence`` is the event's
        number in its case: the first counts from the case opening (``anchor``) under the
        head's limit, the Nth from the actual (N-1)th event (``anchor``) under the follower
        governing occurrence N (LA005 1st, LA006 2nd, LA007 3rd on). ``opened`` (the case
        opening) and ``dob`` are needed only by rules whose limits depend on them.

        None when the rule is not in the set or cannot run in it, is of a kind with no due
        date of its own (attribute, rolling, milestone, aggregate), the governing rule is not
        in force on ``anchor`` (its ``effective`` dates), no limit of it applies, or the answer
        depends on something not given. Raises CalendarRangeError when a working-day count
        leaves the calendar's years (the engine rejects such a record with the reason), and
        ValueError for an occurrence other than 1 of a rule that is not a schedule.
        """
        if occurrence < 1:
            raise ValueError(f"occurrence is 1 or more, not {occurrence}")
        rule = self.ruleset.by_id.get(rule_id)
        if rule is None:
            return None
        question = DueAsked(anchor, occurrence, opened, dob, self._chains)
        answerable = REGISTRY.of(rule).oracle(rule, question)
        if answerable is None:
            return None
        governing, limits, case, known_opening = answerable
        return self._answer(governing, limits, anchor, case, dob, opened=known_opening)

    def _answer(
        self,
        rule: RuleBase,
        limits: Sequence[Limit],
        anchor: dt.date,
        case: Case,
        dob: dt.date | None,
        *,
        opened: bool,
    ) -> Due | None:
        if rule.id in self.ruleset.inactive or not self._ctx.applies(rule, anchor):
            return None
        chosen: Limit | None = None
        for limit in limits:
            if not decidable(limit.when, opened=opened, dob=dob is not None):
                return None
            if holds(limit.when, anchor=anchor, case=case, tl=_alone(dob)):
                chosen = limit
                break
        if chosen is None:
            return None
        try:
            date = self._ctx.due(anchor, chosen, rule)
        except TermsUnavailable:
            return None
        active = self.ruleset.overrides.get(rule.id)
        return Due(
            rule=rule.id,
            anchor=anchor,
            date=date,
            limit=self._ctx.limit_in_force(anchor, chosen, rule),
            cal=self._ctx.calendar_for(rule),
            override=active.override.name if active and active.applies(anchor) else None,
        )


@functools.cache
def national() -> RuleOracle:
    """The oracle over the national pack alone (no council, no plugins), loaded once through
    the rule loader: for an import with no rule set of its own (a bare ``importers.read``)."""
    from ..ruleset.pack import load_rules

    return RuleOracle(load_rules(autoload=False))
