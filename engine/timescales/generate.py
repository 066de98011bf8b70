"""Synthetic case records: deterministic, streaming, realistic enough for demos and benchmarks.

Each child's life course is drawn from its own random stream (seed and child number), so any
slice of a generated set can be regenerated alone. ``lateness`` is the chance that any one
timescale is missed; ``rates`` can override it per family (e.g. ``{"pf_first_visit": 0.28}``
reproduces Lancashire's 28% of private fostering first visits outside seven days).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from typing import Any

from . import calendar

DEFAULT_AS_OF = dt.date(2024, 3, 31)
TEAMS = ("North", "South", "East", "West", "Central")
IROS = tuple(f"IRO{n:02d}" for n in range(1, 13))


class _Child:
    """Builds one child's events; every date is kept on or before the horizon."""

    def __init__(
        self, index: int, seed: int, lateness: float, rates: Mapping[str, float], horizon: dt.date
    ) -> None:
        self.rng = random.Random(f"{seed}:{index}")  # noqa: S311 - synthetic data, not secrets
        self.index = index
        self.lateness = lateness
        self.rates = rates
        self.horizon = horizon
        self.events: list[dict[str, Any]] = []

    def late(self, what: str) -> bool:
        return self.rng.random() < self.rates.get(what, self.lateness)

    def add(self, etype: str, date: dt.date, **extra: Any) -> bool:
        if date > self.horizon:
            return False
        event: dict[str, Any] = {"type": etype, "date": date.isoformat()}
        attrs = extra.pop("attrs", None)
        event.update({k: v for k, v in extra.items() if v is not None})
        if attrs:
            event["attrs"] = attrs
        self.events.append(event)
        return True

    def within(self, anchor: dt.date, due: dt.date, what: str) -> dt.date:
        """A date on time (anchor+1 .. due) or, when this timescale is missed, 1-40 days late."""
        if self.late(what):
            return due + dt.timedelta(days=self.rng.randint(1, 40))
        span = max((due - anchor).days, 1)
        return anchor + dt.timedelta(days=self.rng.randint(1, span))

    def wd(self, anchor: dt.date, n: int, what: str) -> dt.date:
        return self.within(anchor, calendar.add_working_days(anchor, n), what)

    def chain(
        self,
        etype: str,
        start: dt.date,
        first: dt.date,
        step: int,
        what: str,
        ref: str,
        end: dt.date | None,
        months: bool = True,
    ) -> None:
        """A repeating schedule: first due ``first``, then every ``step`` months (or days)."""
        previous = self.within(start, first, what)
        stop = min(end or self.horizon, self.horizon)
        while previous <= stop:
            if not self.add(etype, previous, ref=ref):
                return
            due = (
                calendar.add_months(previous, step) if months else calendar.add_days(previous, step)
            )
            previous = self.within(previous, due, what)


def _record(
    index: int, seed: int, lateness: float, rates: Mapping[str, float], horizon: dt.date
) -> dict[str, Any]:
    c = _Child(index, seed, lateness, rates, horizon)
    rng = c.rng
    start_span = (horizon - dt.date(2019, 4, 1)).days
    first = dt.date(2019, 4, 1) + dt.timedelta(days=rng.randint(0, start_span - 120))
    age_years = rng.randint(0, 17)
    dob = calendar.add_days(first, -(age_years * 365 + rng.randint(0, 364)))
    case = "K1"

    # referral and assessment (most children)
    c.add("referral", first, ref="R1", case=case)
    c.add("referral_decision", c.wd(first, 1, "decision"), ref="R1", case=case)
    a_start = first + dt.timedelta(days=rng.randint(0, 5))
    c.add("assessment_started", a_start, ref="A1", case=case)
    c.add("assessment_completed", c.wd(a_start, 45, "assessment"), ref="A1", case=case)

    roll = rng.random()
    if roll < 0.15:  # child protection
        sd = first + dt.timedelta(days=rng.randint(1, 20))
        c.add("strategy_discussion", sd, ref="S1", case=case)
        c.add("s47_started", sd, ref="S1", case=case)
        icpc = c.wd(sd, 15, "icpc")
        c.add("icpc", icpc, ref="S1", case=case)
        c.add("cp_plan_started", icpc, ref="CP1", case=case)
        c.add("core_group", c.wd(icpc, 10, "core_group"), ref="CP1", case=case)
        cp_end = icpc + dt.timedelta(days=rng.randint(120, 700))
        c.chain("cp_review", icpc, calendar.add_months(icpc, 3), 6, "cp_review", "CP1", cp_end)
        c.add("cp_plan_ended", cp_end, ref="CP1", case=case)
    elif roll < 0.30:  # looked after
        lac = first + dt.timedelta(days=rng.randint(1, 60))
        period = "P1"
        c.add("became_looked_after", lac, ref=period)
        permanent = rng.random() < 0.3
        c.add(
            "placement_started",
            lac,
            ref=period,
            attrs={"placement_type": "U1" if permanent else "U3", "permanent": permanent},
        )
        c.add("care_plan", c.wd(lac, 10, "care_plan"), ref=period)
        c.add("iro_assigned", c.wd(lac, 5, "iro"), ref=period, attrs={"iro": rng.choice(IROS)})
        c.add("pep", c.wd(lac, 10, "pep"), ref=period)
        end = lac + dt.timedelta(days=rng.randint(200, 1500)) if rng.random() < 0.5 else None
        c.chain(
            "lac_visit", lac, calendar.add_days(lac, 7), 42, "lac_visit", period, end, months=False
        )
        c.chain(
            "health_assessment", lac, calendar.add_working_days(lac, 20), 12, "health", period, end
        )
        first_review = c.wd(lac, 20, "lac_review")
        if c.add("lac_review", first_review, ref=period):
            second = c.within(first_review, calendar.add_months(first_review, 3), "lac_review")
            if not c.late("permanence"):
                c.add("permanence_plan", second - dt.timedelta(days=rng.randint(0, 30)), ref=period)
            c.chain("lac_review", first_review, second, 6, "lac_review", period, end)
        if end is not None:
            c.add("ceased_looked_after", end, ref=period)
            if age_years >= 16:
                c.add("left_care", end, ref="L1", attrs={"in_education": rng.random() < 0.3})
                c.chain("pa_contact", end, calendar.add_months(end, 2), 2, "pa_contact", "L1", None)
        if rng.random() < 0.2:
            gone = lac + dt.timedelta(days=rng.randint(20, 300))
            back = gone + dt.timedelta(days=rng.randint(0, 3))
            c.add("missing_started", gone, ref="M1")
            c.add("missing_returned", back, ref="M1")
            c.add(
                "return_interview",
                c.within(back, back + dt.timedelta(days=3), "rhi"),
                ref="M1",
                attrs={"offered": True},
            )
    elif roll < 0.32:  # private fostering
        notified = first + dt.timedelta(days=rng.randint(0, 30))
        c.add("pf_notified", notified, ref="F1")
        visit = c.wd(notified, 7, "pf_first_visit")
        while c.add("pf_visit", visit, ref="F1", attrs={"seen_alone": not c.late("pf_seen_alone")}):
            visit = c.within(visit, visit + dt.timedelta(weeks=6), "pf_visit")
    if roll >= 0.15 or rng.random() < 0.5:
        c.add("cin_closed", first + dt.timedelta(days=rng.randint(60, 400)), case=case)

    c.events.sort(key=lambda e: e["date"])
    return {
        "child": f"G{seed}-{index:07d}",
        "dob": dob.isoformat(),
        "team": TEAMS[index % len(TEAMS)],
        "worker": f"SW{rng.randint(1, 60):03d}",
        "events": c.events,
    }


def generate(
    children: int,
    *,
    seed: int = 0,
    lateness: float = 0.15,
    rates: Mapping[str, float] | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
    start: int = 0,
) -> Iterator[dict[str, Any]]:
    """Yield ``children`` canonical records (dicts), numbered from ``start``."""
    if not 0.0 <= lateness <= 1.0:
        raise ValueError("lateness is a probability between 0 and 1")
    for index in range(start, start + children):
        yield _record(index, seed, lateness, rates or {}, as_of)
