"""Synthetic case records: deterministic, streaming, shaped like a council's caseload.

Each child's life course is drawn from its own random stream (seed and child number), so any
slice of a generated set can be regenerated alone. Every event type and attribute a national
rule reads is recorded (``docs/testing-kit.md``, "Demo data", lists them with these rates).

Rates: how often each timescale is missed (``RATES``, kind "late"), and how often a visit or an
interview records what the law asks for (kind "attribute"). Every rate can be changed with
``rates`` (``--rate NAME=P``); ``lateness`` (``--lateness P``) sets every "late" rate at once,
leaving the attribute rates alone. A missed timescale is done 1 to 40 days after its due date
(or not by as-of: then it is overdue); one on time is done between the clock and the due date,
most often in the last third of the time allowed.

======================  =======  ============  ==================================================
rate                    default  rules         what it is the chance of
======================  =======  ============  ==================================================
decision                0.10     RA001         the referral decision after 1 working day
assessment              0.17     AS001, AS002  the assessment authorised after 45 working days
icpc                    0.20     CP001, CP002  the initial conference after 15 working days
core_group              0.15     CP005         the first core group after 10 working days
cp_review               0.08     CP003, CP004  a review conference late
care_plan               0.10     LA001         the care plan after 10 working days
iro                     0.10     LA013         the IRO appointed after 5 working days
lac_visit               0.08     LA002-LA004,  a statutory visit to a looked-after child late
                                 LA021-LA025
lac_review              0.10     LA005-LA007   a looked-after review late
permanence              0.15     LA008         no permanence plan by the second review
health                  0.20     LA009, LA010  a health assessment late
pep                     0.15     LA011, LA012  a personal education plan (or its review) late
needs_assessment        0.15     CL001         the needs assessment after 3 months from 16
pathway_plan            0.12     CL002         a pathway plan review late
pa_contact              0.12     CL003         a personal adviser's contact late
proceedings             0.35     CO001         care proceedings past 26 weeks (half of these
                                               record an 8-week extension, and miss that too)
adoption_placement      0.30     AD001         moving in with adopters after 426 days in care
adoption_match          0.30     AD002         the match after 121 days from the placement order
adopter_approval        0.20     AD003         the adopters' approval after 4 months of stage two
rhi                     0.25     MI001         the return interview after 72 hours
police_protection       0.03     LS001         police protection past 72 hours
epo                     0.05     LS002         an emergency protection order past 8 days
cao                     0.05     LS003         a child assessment order past 7 days
short_break             0.02     LS005         a single short break longer than 17 days
short_break_review      0.10     LA026, LA027  a short-breaks review late
secure_order            0.10     SA001         secure accommodation past 72 hours with no order
pf_first_visit          0.15     PF001         the first private fostering visit late
pf_visit                0.12     PF002, PF003  a later private fostering visit late
lac_seen_alone          0.03     LA020         a visit with ``seen_alone: false`` and no
                                               ``not_alone_reason`` (unmet)
pf_seen_alone           0.03     PF004         the same, on a private fostering visit
not_alone_reason        0.05     LA020, PF004  a visit with ``seen_alone: false`` and a
                                               ``not_alone_reason`` (met: reg 29's exceptions)
rhi_not_offered         0.03     MI001         a return interview recorded ``offered: false``
short_breaks_over_75    0.00     LS004         a child on short breaks past 75 days in 12 months
======================  =======  ============  ==================================================

The shape of the caseload is fixed (not a rate; docs/testing-kit.md gives it in full): first
contact in the five years before as-of; age at first contact 0-17; 10% of referrals closed with
no further action within 5 working days; then 15% child protection (a quarter of s47 enquiries
end with no conference: ``icpc`` ``not_required: true``), 15% looked after, 2% privately
fostered, 1% short breaks (reg 48), the rest children in need only. Looked after: legal status
on entry 40% s20 (V2, and every child coming in at 16 or 17), 45% an interim care order (C1, care
proceedings issued), 14% an emergency first (police protection L1 and/or an emergency protection
order L2, 30% of orders extended, then C1), 1% a child assessment order (L3, then V2);
proceedings end in a care order (C2) 55%, a placement order (E1, adoption, under 8s) 20%, or the
child going home (no care order at 17). One to three placements: U1 5%, U3 12%, U4 15%, U6 40%,
K2 12%, H5 6%, Z1 3%, and P1 (with parents) for 12% of placements under an interim care order
and 20% under a care order; ``permanent: true`` for U1 and U4; ``temporary_approval: true`` for
35% of U3 placements (lasting at most 16 weeks); ``placed_before_assessment: true`` for 25% of P1
placements; a ``visit_frequency_agreed`` in 30% of long-term foster placements past their first
year; an A5 placement from the day a child is placed for adoption. Half the periods of care end
(after 200-1,500 days; at 18 at the latest). 10% of looked-after children go missing (1-3 times);
1% of those aged 12 or more spend time in secure accommodation. A child looked after at 16 gets a
needs assessment, then pathway plan reviews; a care leaver (16 or older on leaving) gets personal
adviser contacts; ``in_education: true`` for 40% of them. Adopters of a child with a placement
order start stage two and are approved (5% record ``adopter_decision_delayed``). Workers belong
to one team (12 per team); IROs are IRO01-IRO12.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import calendar

DEFAULT_AS_OF = dt.date(2024, 3, 31)
TEAMS = ("North", "South", "East", "West", "Central")
WORKERS_PER_TEAM = 12
IROS = tuple(f"IRO{n:02d}" for n in range(1, 13))
REG_24_DAYS = 112  # a temporary approval lasts at most 16 weeks (SI 2010/959 reg 25)


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate's default, the rules it feeds and what it is the chance of."""

    default: float
    rules: str
    meaning: str
    kind: str = "late"  # "late": a timescale missed (``lateness`` sets these); or "attribute"


RATES: dict[str, Rate] = {
    "decision": Rate(0.10, "RA001", "the referral decision after 1 working day"),
    "assessment": Rate(0.17, "AS001, AS002", "the assessment authorised after 45 working days"),
    "icpc": Rate(0.20, "CP001, CP002", "the initial conference after 15 working days"),
    "core_group": Rate(0.15, "CP005", "the first core group after 10 working days"),
    "cp_review": Rate(0.08, "CP003, CP004", "a review conference late"),
    "care_plan": Rate(0.10, "LA001", "the care plan after 10 working days"),
    "iro": Rate(0.10, "LA013", "the IRO appointed after 5 working days"),
    "lac_visit": Rate(
        0.08, "LA002-LA004, LA021-LA025", "a statutory visit to a looked-after child late"
    ),
    "lac_review": Rate(0.10, "LA005-LA007", "a looked-after review late"),
    "permanence": Rate(0.15, "LA008", "no permanence plan by the second review"),
    "health": Rate(0.20, "LA009, LA010", "a health assessment late"),
    "pep": Rate(0.15, "LA011, LA012", "a personal education plan (or its review) late"),
    "needs_assessment": Rate(0.15, "CL001", "the needs assessment after 3 months from 16"),
    "pathway_plan": Rate(0.12, "CL002", "a pathway plan review late"),
    "pa_contact": Rate(0.12, "CL003", "a personal adviser's contact late"),
    "proceedings": Rate(
        0.35,
        "CO001",
        "care proceedings past 26 weeks (half of these record an 8-week extension, and miss "
        "that too)",
    ),
    "adoption_placement": Rate(0.30, "AD001", "moving in with adopters after 426 days in care"),
    "adoption_match": Rate(0.30, "AD002", "the match after 121 days from the placement order"),
    "adopter_approval": Rate(0.20, "AD003", "the adopters' approval after 4 months of stage two"),
    "rhi": Rate(0.25, "MI001", "the return interview after 72 hours"),
    "police_protection": Rate(0.03, "LS001", "police protection past 72 hours"),
    "epo": Rate(0.05, "LS002", "an emergency protection order past 8 days"),
    "cao": Rate(0.05, "LS003", "a child assessment order past 7 days"),
    "short_break": Rate(0.02, "LS005", "a single short break longer than 17 days"),
    "short_break_review": Rate(0.10, "LA026, LA027", "a short-breaks review late"),
    "secure_order": Rate(0.10, "SA001", "secure accommodation past 72 hours with no order"),
    "pf_first_visit": Rate(0.15, "PF001", "the first private fostering visit late"),
    "pf_visit": Rate(0.12, "PF002, PF003", "a later private fostering visit late"),
    "lac_seen_alone": Rate(
        0.03,
        "LA020",
        "a visit with `seen_alone: false` and no `not_alone_reason` (unmet)",
        "attribute",
    ),
    "pf_seen_alone": Rate(
        0.03, "PF004", "the same, on a private fostering visit (unmet)", "attribute"
    ),
    "not_alone_reason": Rate(
        0.05,
        "LA020, PF004",
        "a visit with `seen_alone: false` and a `not_alone_reason` (met: reg 29's exceptions)",
        "attribute",
    ),
    "rhi_not_offered": Rate(
        0.03, "MI001", "a return interview recorded `offered: false`", "attribute"
    ),
    "short_breaks_over_75": Rate(
        0.0, "LS004", "a child on short breaks past 75 days in 12 months", "attribute"
    ),
}

# reg 29 (LA020) and reg 8(3) of SI 2005/1533 (PF004): why a child was not seen alone
NOT_ALONE_REASONS = (
    "child refused",
    "not appropriate given the child's age and understanding",
    "unable to: the child was unwell",
)
# 903 placement types (PLACE) and their shares among placements not with parents
PLACEMENT_TYPES = (("U1", 5), ("U3", 12), ("U4", 15), ("U6", 40), ("K2", 12), ("H5", 6), ("Z1", 3))
LONG_TERM_FOSTERING = ("U1", "U4")


def rate_names() -> list[str]:
    return sorted(RATES)


def resolve_rates(lateness: float | None, rates: Mapping[str, float]) -> dict[str, float]:
    """Every rate: its default, ``lateness`` for the "late" ones when given, then ``rates``.
    Raises ValueError for an unknown name or a value outside 0..1."""
    unknown = sorted(set(rates) - set(RATES))
    if unknown:
        raise ValueError(f"unknown rate {', '.join(unknown)} (known: {', '.join(rate_names())})")
    for name, value in [("lateness", lateness), *rates.items()]:
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} is a probability between 0 and 1")
    out = {
        name: (lateness if lateness is not None and rate.kind == "late" else rate.default)
        for name, rate in RATES.items()
    }
    out.update(rates)
    return out


@dataclass(slots=True)
class _Placement:
    ref: str
    start: dt.date
    end: dt.date | None  # the next placement's start, or the end of care (None: open)
    type: str
    temporary_approval: bool = False
    placed_before_assessment: bool = False
    agreed: dt.date | None = None  # visit_frequency_agreed

    @property
    def permanent(self) -> bool:
        return self.type in LONG_TERM_FOSTERING


class _Child:
    """Builds one child's events; every date is kept on or before the horizon."""

    def __init__(self, index: int, seed: int, rates: Mapping[str, float], horizon: dt.date) -> None:
        self.rng = random.Random(f"{seed}:{index}")  # noqa: S311 - synthetic data, not secrets
        self.index = index
        self.rates = rates
        self.horizon = horizon
        self.events: list[dict[str, Any]] = []

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def late(self, what: str) -> bool:
        return self.chance(self.rates[what])

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

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

    def on_time(self, anchor: dt.date, due: dt.date) -> dt.date:
        """A day after ``anchor``, on or before ``due``, most often near the due date."""
        span = (due - anchor).days
        if span <= 0:
            return due
        return due - dt.timedelta(days=int(span * self.rng.random() ** 2))

    def within(self, anchor: dt.date, due: dt.date, what: str) -> dt.date:
        """A date on time (anchor+1 .. due) or, when this timescale is missed, 1-40 days late."""
        if self.late(what):
            return due + self.days(1, 40)
        return self.on_time(anchor, due)

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
        attrs: dict[str, Any] | None = None,
    ) -> list[dt.date]:
        """A repeating schedule: first due ``first``, then every ``step`` months (or days)."""
        done: list[dt.date] = []
        previous = self.within(start, first, what)
        stop = min(end or self.horizon, self.horizon)
        while previous <= stop:
            if not self.add(etype, previous, ref=ref, attrs=attrs):
                break
            done.append(previous)
            due = (
                calendar.add_months(previous, step) if months else calendar.add_days(previous, step)
            )
            previous = self.within(previous, due, what)
        return done

    def seen_alone(self, what: str) -> dict[str, Any]:
        """A visit's record of speaking to the child alone (LA020, PF004)."""
        roll = self.rng.random()
        unmet = self.rates[what]
        if roll < unmet:
            return {"seen_alone": False}
        if roll < unmet + self.rates["not_alone_reason"]:
            return {"seen_alone": False, "not_alone_reason": self.rng.choice(NOT_ALONE_REASONS)}
        return {"seen_alone": True}


def _pick_type(c: _Child) -> str:
    roll = c.rng.randint(1, sum(share for _, share in PLACEMENT_TYPES))
    for code, share in PLACEMENT_TYPES:
        roll -= share
        if roll <= 0:
            return code
    return PLACEMENT_TYPES[-1][0]


class _Care:
    """One period of care: legal statuses, court, placements, visits, reviews, plans, leaving."""

    def __init__(self, c: _Child, lac: dt.date, dob: dt.date) -> None:
        self.c = c
        self.lac = lac
        self.dob = dob
        self.period = "P1"
        self.end: dt.date | None = None
        self.statuses: list[tuple[str, dt.date]] = []  # (code, start): each until the next
        self.placements: list[_Placement] = []
        self.first_review: dt.date | None = None
        self.placed: dt.date | None = None  # placed for adoption
        self.legal_refs = 0

    # -- legal status and court ------------------------------------------------------------
    def status(self, code: str, start: dt.date, end: dt.date | None = None) -> None:
        self.legal_refs += 1
        ref = f"LS{self.legal_refs}"
        self.statuses.append((code, start))
        self.c.add("legal_status_started", start, ref=ref, attrs={"code": code})
        if end is not None:
            self.c.add("legal_status_ended", end, ref=ref, attrs={"code": code})

    def status_at(self, day: dt.date) -> str | None:
        found = None
        for code, start in self.statuses:
            if start <= day:
                found = code
        return found

    def c2_starts(self) -> list[dt.date]:
        return [start for code, start in self.statuses if code == "C2"]

    def entry(self) -> None:
        """The legal route into care, the proceedings and their outcome; sets ``end``."""
        c, lac = self.c, self.lac
        rng = c.rng
        roll = rng.random()
        natural_end = lac + c.days(200, 1500) if c.chance(0.5) else None
        if roll < 0.40 or lac >= calendar.add_months(self.dob, 192):  # s20 (always at 16+)
            self.status("V2", lac, natural_end)
            self.end = natural_end
            return
        if roll < 0.41:  # a child assessment order, then accommodated
            due = lac + dt.timedelta(days=6)  # 7 days beginning with the day itself
            done = due + c.days(1, 3) if c.late("cao") else c.on_time(lac, due)
            self.status("L3", lac, done)
            self.status("V2", done, natural_end)
            self.end = natural_end
            return
        issued = lac
        if roll < 0.55:  # an emergency first
            issued = self.emergency()
        self.proceedings(issued, natural_end)

    def emergency(self) -> dt.date:
        """Police protection and/or an emergency protection order; returns when the interim
        care order (and the proceedings) began."""
        c, lac = self.c, self.lac
        start = lac
        if c.chance(0.6):  # police protection: 72 hours
            due = lac + dt.timedelta(days=3)
            ended = due + c.days(1, 2) if c.late("police_protection") else c.on_time(lac, due)
            self.status("L1", lac, ended)
            if not c.chance(0.5):
                return ended
            start = ended
        # emergency protection order: 8 days (beginning with any police protection before it)
        due = (lac + dt.timedelta(days=7)) if start != lac else start + dt.timedelta(days=8)
        due = max(due, start + dt.timedelta(days=1))
        ref = f"LS{self.legal_refs + 1}"
        if c.chance(0.3):  # extended once, by up to 7 days, before it ran out
            extra = c.rng.randint(1, 7)
            c.add(
                "epo_extended",
                max(start, due - dt.timedelta(days=1)),
                ref=ref,
                attrs={"days": extra},
            )
            due += dt.timedelta(days=extra)
        ended = due + c.days(1, 3) if c.late("epo") else c.on_time(start, due)
        self.status("L2", start, ended)
        return ended

    def proceedings(self, issued: dt.date, natural_end: dt.date | None) -> None:
        c = self.c
        c.add("proceedings_issued", issued, ref="CO1")
        due = issued + dt.timedelta(days=181)  # 26 weeks beginning with the day of issue
        if c.late("proceedings"):
            if c.chance(0.5):
                c.add("proceedings_extended", due - c.days(5, 30), ref="CO1", attrs={"weeks": 8})
                due += dt.timedelta(weeks=8)
            concluded = due + c.days(1, 40)
        else:
            concluded = c.on_time(issued + dt.timedelta(days=60), due)
        self.status("C1", issued)
        c.add("proceedings_concluded", concluded, ref="CO1")
        outcome = c.rng.random()
        if concluded >= calendar.add_months(self.dob, 204):  # no care order at 17
            self.end = concluded + c.days(0, 30)
        elif outcome < 0.55:  # a care order
            self.status("C2", concluded)
            self.end = natural_end if natural_end is None or natural_end > concluded else None
        elif outcome < 0.75 and self.lac < calendar.add_months(self.dob, 96):  # adoption
            self.status("E1", concluded)
            self.adoption(concluded)
        else:  # home, no order
            self.end = concluded + c.days(0, 30)

    def adoption(self, order: dt.date) -> None:
        c = self.c
        c.add("adoption_decision", order - c.days(30, 120), ref="AD1")
        c.add("placement_order", order, ref="AD1")
        match = c.within(order, order + dt.timedelta(days=121), "adoption_match")
        c.add("adoption_match", match, ref="AD1")
        due = self.lac + dt.timedelta(days=426)
        if c.late("adoption_placement") or match >= due:
            placed = max(match, due) + c.days(1, 40)
        else:
            placed = match + dt.timedelta(days=c.rng.randint(1, min(56, (due - match).days)))
        c.add("placed_for_adoption", placed, ref=self.period)
        self.placed = placed
        # the adopters: stage two, then approval, before the match
        stage2 = match - dt.timedelta(days=122 + 41) - c.days(0, 300)
        stage2 = max(stage2, self.dob + c.days(1, 30))  # (not before the child's birth)
        c.add("adopter_stage2_started", stage2, ref="ADP1")
        if c.chance(0.05):
            reason = "at the prospective adopters' request"
            c.add(
                "adopter_decision_delayed",
                stage2 + c.days(60, 110),
                ref="ADP1",
                attrs={"reason": reason},
            )
            c.add("adopter_approved", calendar.add_months(stage2, 4) + c.days(10, 40), ref="ADP1")
        else:
            c.add(
                "adopter_approved",
                c.within(stage2, calendar.add_months(stage2, 4), "adopter_approval"),
                ref="ADP1",
            )
        self.end = placed + c.days(90, 300)  # the adoption order

    # -- placements and visits ---------------------------------------------------------------
    def place(self) -> None:
        c = self.c
        start = self.lac
        stop = self.placed or self.end or self.horizon_end()
        count = 1 if c.chance(0.6) else (2 if c.chance(0.6) else 3)
        number = 0
        while number < count:
            number += 1
            status = self.status_at(start)
            at_home = status in ("C1", "C2") and c.chance(0.12 if status == "C1" else 0.2)
            kind = "P1" if at_home else _pick_type(c)
            placement = _Placement(f"PL{number}", start, None, kind)
            if kind == "P1":
                placement.placed_before_assessment = c.chance(0.25)
            if kind == "U3" and c.chance(0.35):
                placement.temporary_approval = True
            if placement.temporary_approval:
                length = c.rng.randint(30, REG_24_DAYS)
                count = max(count, number + 1)  # then approved, or another placement
            else:
                length = c.rng.randint(60, 900) if number < count else 10_000
            moved = start + dt.timedelta(days=length)
            end = moved if moved < stop else None
            placement.end = end
            if placement.permanent and c.chance(0.3):
                placement.agreed = calendar.add_months(start, 12) + c.days(0, 120)
            self.placements.append(placement)
            attrs: dict[str, Any] = {"placement_type": kind, "permanent": placement.permanent}
            if placement.placed_before_assessment:
                attrs["placed_before_assessment"] = True
            if kind == "U3":
                attrs["temporary_approval"] = placement.temporary_approval
            c.add("placement_started", start, ref=placement.ref, attrs=attrs)
            if placement.agreed is not None and placement.agreed < (end or stop):
                c.add("visit_frequency_agreed", placement.agreed, ref=placement.ref)
            if end is None:
                break
            start = end
        if self.placed is not None:  # with the adopters (903 PLACE A5)
            self.placements[-1].end = self.placed
            adopters = _Placement(f"PL{len(self.placements) + 1}", self.placed, None, "A5")
            self.placements.append(adopters)
            c.add(
                "placement_started",
                self.placed,
                ref=adopters.ref,
                attrs={"placement_type": "A5", "permanent": False},
            )

    def horizon_end(self) -> dt.date:
        return self.c.horizon + dt.timedelta(days=1)

    def next_visit_due(self, placement: _Placement, prev: dt.date) -> dt.date:
        """The due date of the next visit after ``prev`` under the regime in force then
        (SI 2010/959 reg 28), as LA003/LA004 and LA021-LA025 choose it."""
        status = self.status_at(prev)
        before_review = self.first_review is None or prev < self.first_review
        at_home = placement.type == "P1"
        week = prev + dt.timedelta(weeks=1)
        if placement.placed_before_assessment:  # reg 28(3): LA021
            due = week if before_review else prev + dt.timedelta(weeks=6)
        elif placement.temporary_approval or (at_home and status == "C1"):  # 28(4): LA022
            due = week if before_review else prev + dt.timedelta(weeks=4)
        elif (at_home and status == "C2") or prev < calendar.add_months(placement.start, 12):
            due = prev + dt.timedelta(weeks=6)  # 28(5): LA023; or the first year: LA003
        elif placement.permanent and placement.agreed is not None and placement.agreed <= prev:
            due = calendar.add_months(prev, 6)  # reg 28(3A): LA025
        elif placement.permanent:  # LA004, permanent
            due = calendar.add_months(prev, 3)
        else:
            due = prev + dt.timedelta(weeks=6)
        if at_home and not placement.placed_before_assessment:
            # a care order made while the child lives at home: a visit within a week (LA024)
            for made in self.c2_starts():
                if prev < made and made + dt.timedelta(weeks=1) < due:
                    due = made + dt.timedelta(weeks=1)
        return due

    def visits(self) -> None:
        c = self.c
        for placement in self.placements:
            stop = min(placement.end or self.horizon_end(), self.end or self.horizon_end())
            previous = c.within(
                placement.start, placement.start + dt.timedelta(weeks=1), "lac_visit"
            )
            while previous < stop:
                if not c.add(
                    "lac_visit", previous, ref=self.period, attrs=c.seen_alone("lac_seen_alone")
                ):
                    break
                previous = c.within(previous, self.next_visit_due(placement, previous), "lac_visit")

    # -- reviews, plans, health, education ------------------------------------------------------
    def reviews(self) -> None:
        c, lac, period = self.c, self.lac, self.period
        first = c.wd(lac, 20, "lac_review")
        if self.end is not None and first > self.end:
            return
        if not c.add("lac_review", first, ref=period):
            return
        self.first_review = first
        second_due = calendar.add_months(first, 3)
        second = c.within(first, second_due, "lac_review")
        # LA008: a permanence plan by the second review (or its due date, if earlier)
        by = min(second, second_due)
        if self.end is None or by < self.end:
            if c.late("permanence"):
                c.add("permanence_plan", by + c.days(1, 40), ref=period)
            else:
                c.add("permanence_plan", by - c.days(0, min(30, (by - first).days)), ref=period)
        stop = min(self.end or c.horizon, c.horizon)
        previous = second
        while previous <= stop and c.add("lac_review", previous, ref=period):
            previous = c.within(previous, calendar.add_months(previous, 6), "lac_review")

    def plans(self) -> None:
        c, lac, period = self.c, self.lac, self.period
        if c.chance(0.2):  # a planned entry: the care plan made before the child came in
            c.add("care_plan", lac - c.days(1, 10), ref=period)
        else:
            c.add("care_plan", c.wd(lac, 10, "care_plan"), ref=period)
        c.add("iro_assigned", c.wd(lac, 5, "iro"), ref=period, attrs={"iro": c.rng.choice(IROS)})
        # health: the first within 20 working days, then every 6 months under 5, 12 after
        previous = c.wd(lac, 20, "health")
        kind = "initial"
        stop = min(self.end or c.horizon, c.horizon)
        while previous <= stop and c.add(
            "health_assessment", previous, ref=period, attrs={"kind": kind}
        ):
            months = 6 if previous < calendar.add_months(self.dob, 60) else 12
            previous = c.within(previous, calendar.add_months(previous, months), "health")
            kind = "review"
        # education: the PEP within 10 working days, then reviewed every term
        c.chain(
            "pep",
            lac,
            calendar.add_working_days(lac, 10),
            3,
            "pep",
            period,
            self.end,
        )

    # -- events of the period -----------------------------------------------------------------
    def missing(self) -> None:
        c = self.c
        last = min(self.end or c.horizon, c.horizon)
        if (last - self.lac).days < 30:
            return
        for n in range(1, c.rng.randint(1, 3) + 1):
            gone = self.lac + c.days(10, (last - self.lac).days)
            back = gone + c.days(0, 3)
            ref = f"M{n}"
            c.add("missing_started", gone, ref=ref)
            c.add("missing_returned", back, ref=ref)
            offered = not c.late("rhi_not_offered")
            c.add(
                "return_interview",
                c.within(back, back + dt.timedelta(days=3), "rhi"),
                ref=ref,
                attrs={"offered": offered},
            )

    def secure(self) -> None:
        c = self.c
        last = min(self.end or c.horizon, c.horizon)
        if (last - self.lac).days < 60:
            return
        start = self.lac + c.days(20, (last - self.lac).days - 30)
        length = c.rng.randint(1, 20)
        c.add("secure_started", start, ref="SE1")
        c.add("secure_ended", start + dt.timedelta(days=length), ref="SE1")
        if length > 3:  # past 72 hours: a court's authority is needed
            due = start + dt.timedelta(days=3)
            if c.late("secure_order"):
                c.add("secure_order", due + c.days(1, 3), ref="SE1")
            else:
                c.add("secure_order", start + c.days(0, 3), ref="SE1")

    def leaving(self) -> None:
        """The 16th birthday in care (CL001), pathway plans (CL002), leaving care (CL003)."""
        c, dob = self.c, self.dob
        sixteen = calendar.add_months(dob, 192)
        in_education = c.chance(0.4)
        until = calendar.add_months(dob, (25 if in_education else 21) * 12)
        in_care_at_16 = self.lac <= sixteen and (self.end is None or self.end > sixteen)
        needs = None
        if in_care_at_16:
            needs = c.within(sixteen, calendar.add_months(sixteen, 3), "needs_assessment")
        elif self.lac > sixteen:  # eligible later: assessed within 3 months of coming in
            needs = c.on_time(self.lac, calendar.add_months(self.lac, 3))
        if needs is not None and c.add(
            "needs_assessment", needs, ref=self.period, attrs={"in_education": in_education}
        ):
            c.chain(
                "pathway_plan_review",
                needs,
                calendar.add_months(needs, 6),
                6,
                "pathway_plan",
                self.period,
                until,
            )
        end = self.end
        if (
            end is not None
            and end >= sixteen
            and c.add("left_care", end, ref="L1", attrs={"in_education": in_education})
        ):
            c.chain("pa_contact", end, calendar.add_months(end, 2), 2, "pa_contact", "L1", until)

    def build(self) -> None:
        c = self.c
        c.add("became_looked_after", self.lac, ref=self.period)
        self.entry()
        eighteen = calendar.add_months(self.dob, 216)  # care ends at 18 at the latest
        if eighteen <= c.horizon and (self.end is None or self.end > eighteen):
            self.end = eighteen
        self.place()
        self.reviews()
        self.visits()
        self.plans()
        if c.chance(0.10):
            self.missing()
        if self.lac >= calendar.add_months(self.dob, 144) and c.chance(0.01):
            self.secure()
        if self.end is not None:
            c.add("ceased_looked_after", self.end, ref=self.period)
        self.leaving()


def _short_breaks(c: _Child, start: dt.date) -> None:
    """A disabled child's series of short breaks (reg 48): V3 breaks, reviews in 3 then 6
    months (LA026, LA027). Breaks stay within 75 days in 12 months (LS004) unless the
    ``short_breaks_over_75`` rate says otherwise."""
    c.add("short_breaks_started", start, ref="SB1")
    heavy = c.late("short_breaks_over_75")
    day, n = start, 0
    while day <= c.horizon:
        n += 1
        length = c.rng.randint(2, 4) if not heavy else c.rng.randint(12, 16)
        if c.late("short_break"):
            length = c.rng.randint(18, 21)
        ref = f"B{n}"
        c.add("legal_status_started", day, ref=ref, attrs={"code": "V3"})
        c.add("legal_status_ended", day + dt.timedelta(days=length), ref=ref, attrs={"code": "V3"})
        gap = c.rng.randint(28, 56) if not heavy else c.rng.randint(20, 30)
        day = day + dt.timedelta(days=length + gap)
    c.chain(
        "lac_review", start, calendar.add_months(start, 3), 6, "short_break_review", "SB1", None
    )


def _record(index: int, seed: int, rates: Mapping[str, float], horizon: dt.date) -> dict[str, Any]:
    c = _Child(index, seed, rates, horizon)
    rng = c.rng
    earliest = calendar.add_months(horizon, -60)
    first = earliest + dt.timedelta(days=rng.randint(0, max((horizon - earliest).days - 120, 0)))
    age_years = rng.randint(0, 17)
    dob = calendar.add_days(first, -(age_years * 365 + rng.randint(0, 364)))
    case = "K1"

    # referral and assessment
    c.add("referral", first, ref="R1", case=case)
    c.add("referral_decision", c.wd(first, 1, "decision"), ref="R1", case=case)
    if c.chance(0.10):  # no further action
        c.add("cin_closed", calendar.add_working_days(first, rng.randint(1, 5)), case=case)
    else:
        a_start = first + dt.timedelta(days=rng.randint(0, 5))
        c.add("assessment_started", a_start, ref="A1", case=case)
        # due 45 working days from the referral (AS001), so also from the start (AS002)
        done = c.within(a_start, calendar.add_working_days(first, 45), "assessment")
        c.add("assessment_completed", done, ref="A1", case=case)
        _pathway(c, first, dob, case)

    c.events.sort(key=lambda e: e["date"])
    team = index % len(TEAMS)
    return {
        "child": f"G{seed}-{index:07d}",
        "dob": dob.isoformat(),
        "team": TEAMS[team],
        "worker": f"SW{team * WORKERS_PER_TEAM + rng.randint(1, WORKERS_PER_TEAM):03d}",
        "events": c.events,
    }


def _pathway(c: _Child, first: dt.date, dob: dt.date, case: str) -> None:
    rng = c.rng
    roll = rng.random()
    if roll < 0.15:  # child protection
        sd = first + c.days(1, 20)
        c.add("strategy_discussion", sd, ref="S1", case=case)
        c.add("s47_started", sd, ref="S1", case=case)
        if c.chance(0.25):  # the enquiry ends with no conference
            c.add("icpc", sd + c.days(3, 12), ref="S1", case=case, attrs={"not_required": True})
            c.add("cin_closed", sd + c.days(30, 200), case=case)
            return
        icpc = c.wd(sd, 15, "icpc")
        c.add("icpc", icpc, ref="S1", case=case)
        c.add("cp_plan_started", icpc, ref="CP1", case=case)
        c.add("core_group", c.wd(icpc, 10, "core_group"), ref="CP1", case=case)
        cp_end = icpc + c.days(120, 700)
        c.chain("cp_review", icpc, calendar.add_months(icpc, 3), 6, "cp_review", "CP1", cp_end)
        c.add("cp_plan_ended", cp_end, ref="CP1", case=case)
        c.add("cin_closed", cp_end + c.days(0, 90), case=case)
    elif roll < 0.30:  # looked after (under 18)
        if first < calendar.add_months(dob, 214):
            _Care(c, first + c.days(1, 60), dob).build()
        if c.chance(0.5):
            c.add("cin_closed", first + c.days(60, 400), case=case)
    elif roll < 0.32:  # private fostering
        notified = first + c.days(0, 30)
        c.add("pf_notified", notified, ref="F1")
        ended = notified + c.days(90, 900) if c.chance(0.5) else None
        if ended is not None:
            c.add("pf_ended", ended, ref="F1")
        anniversary = calendar.add_months(notified, 12)
        visit = c.wd(notified, 7, "pf_first_visit")
        while (ended is None or visit < ended) and c.add(
            "pf_visit", visit, ref="F1", attrs=c.seen_alone("pf_seen_alone")
        ):
            weeks = 6 if visit < anniversary else 12
            visit = c.within(visit, visit + dt.timedelta(weeks=weeks), "pf_visit")
        c.add("cin_closed", first + c.days(60, 400), case=case)
    elif roll < 0.33:  # short breaks
        _short_breaks(c, first + c.days(20, 90))
    else:  # children in need
        c.add("cin_closed", first + c.days(60, 400), case=case)


def generate(
    children: int,
    *,
    seed: int = 0,
    lateness: float | None = None,
    rates: Mapping[str, float] | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
    start: int = 0,
) -> Iterator[dict[str, Any]]:
    """Yield ``children`` canonical records (dicts), numbered from ``start``.

    ``lateness`` sets every "late" rate at once (default: each its own, ``RATES``); ``rates``
    sets single rates by name. Raises ValueError (at once) for an unknown rate or one outside
    0..1."""
    resolved = resolve_rates(lateness, rates or {})
    return (_record(index, seed, resolved, as_of) for index in range(start, start + children))
