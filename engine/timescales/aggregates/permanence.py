"""The permanence tracker: each child looked after at as_of, with the reviews held in the
current period of care, whether a permanence plan is recorded, and when it is due (LA008: by
the second review).

The period is the one the IRO caseload (IR001) uses: the latest ``became_looked_after`` with no
``ceased_looked_after`` on or after it, events after as_of ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..findings import Status, row_dict
from ..ruleset.ruleset import NOT_CARRIED

if TYPE_CHECKING:
    from ..records import ChildRecord
    from ..ruleset.ruleset import ChildResult

PERMANENCE_RULE = "LA008"
REVIEW_RULES = ("LA005", "LA006", "LA007")
# what opens a period of care: without it no child can be counted looked after
PERIOD_EVENT = "became_looked_after"


def period_not_carried(not_assessable: Mapping[str, str]) -> str | None:
    """Why the count of children looked after is n/a: the run's tally of rules not assessable
    (``Summary.not_assessable``) says the inputs do not carry ``became_looked_after`` (a CIN
    census, say), so "0 looked after" would be a guess. None when nothing says so."""
    for why in not_assessable.values():
        if why.startswith(NOT_CARRIED) and PERIOD_EVENT in why[len(NOT_CARRIED) :].split(", "):
            return NOT_CARRIED + PERIOD_EVENT
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """The looked-after period open at as_of, as the record shows it."""

    start: dt.date
    ref: str | None
    iro: str | None
    reviews: int
    last_review: dt.date | None
    plan: dt.date | None  # the first permanence plan recorded in the period


def looked_after_period(record: ChildRecord, as_of: dt.date) -> Period | None:
    """The child's open looked-after period at as_of, or None (not looked after then)."""
    events = [e for e in record.events if e.date <= as_of]
    opens = [(e.date, e.ref) for e in events if e.type == "became_looked_after"]
    # a period that began before the data (``known_from`` ... ``began``): open from where its
    # known history begins, as the engine's timeline takes it
    opens += [
        (k.from_, k.case)
        for k in record.known_from
        if "became_looked_after" in k.began and k.from_ <= as_of
    ]
    if not opens:
        return None
    start_date, start_ref = max(opens, key=lambda o: o[0])
    if any(e.type == "ceased_looked_after" and e.date >= start_date for e in events):
        return None
    in_period = sorted((e for e in events if e.date >= start_date), key=lambda e: e.date)
    iro = None
    review_days: set[dt.date] = set()
    plan = None
    for e in in_period:
        if e.type == "iro_assigned":
            name = e.attrs.get("iro")
            iro = str(name) if name else iro
        elif e.type == "lac_review":
            review_days.add(e.date)
        elif e.type == "permanence_plan" and plan is None:
            plan = e.date
    return Period(
        start=start_date,
        ref=start_ref,
        iro=iro,
        reviews=len(review_days),
        last_review=max(review_days) if review_days else None,
        plan=plan,
    )


@dataclass(frozen=True, slots=True)
class PermanenceRow:
    child: str
    team: str | None
    worker: str | None
    iro: str | None
    looked_after_since: dt.date
    reviews: int
    last_review: dt.date | None
    next_review_due: dt.date | None
    plan: bool
    plan_date: dt.date | None
    due: dt.date | None  # LA008's due: the second review, or its scheduled date
    status: str | None  # LA008's status for this period (None if not checked)

    def to_dict(self) -> dict[str, Any]:
        return row_dict(self)


COLUMNS = (
    "child",
    "team",
    "worker",
    "iro",
    "looked_after_since",
    "reviews",
    "last_review",
    "next_review_due",
    "plan",
    "plan_date",
    "due",
    "status",
)
DATE_COLUMNS = frozenset(
    {"looked_after_since", "last_review", "next_review_due", "plan_date", "due"}
)


def permanence_row(record: ChildRecord, period: Period, result: ChildResult) -> PermanenceRow:
    due = status = next_review = None
    for f in result.findings:
        if f.anchor < period.start:
            continue
        if f.rule == PERMANENCE_RULE and f.anchor == period.start:
            due, status = f.due, f.status.value
        elif f.rule in REVIEW_RULES and f.status in (Status.PENDING, Status.OVERDUE):
            next_review = f.due if next_review is None else max(next_review, f.due)
    return PermanenceRow(
        child=record.child,
        team=record.team,
        worker=record.worker,
        iro=period.iro,
        looked_after_since=period.start,
        reviews=period.reviews,
        last_review=period.last_review,
        next_review_due=next_review,
        plan=period.plan is not None,
        plan_date=period.plan,
        due=due,
        status=status,
    )
