"""The common shape of a rule file: the fields every kind shares and the parts they are made of
(selectors, limits, conditions, scopes, citations), strict pydantic models validated at load
time. Each kind's own model lives in its module under ``timescales.kinds``.

A rule is data: which event starts the clock, the limit (a value in one unit), which event meets
it, the case it lives in, citations and effective dates. Conditions (placement type, age band,
year of an arrangement) are structured fields here, never code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from ..dates import parse_iso as parse_iso_date

Unit = Literal["working_days", "days", "weeks", "months", "hours", "terms"]
UNITS: tuple[str, ...] = ("working_days", "days", "weeks", "months", "hours", "terms")
UNIT_WORDS = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "hours": ("hour", "hours"),
    "terms": ("school term", "school terms"),
}

RULE_ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# legislation.gov.uk, www.gov.uk, and other official .gov.uk hosts (Ofsted's reports, a
# council's own published procedures)
HREF = re.compile(r"^https://([a-z0-9-]+\.)*gov\.uk/\S*$")
RuleDate = Annotated[dt.date, BeforeValidator(parse_iso_date)]


def matching(pattern: re.Pattern[str], message: str) -> AfterValidator:
    """A field's check that its text matches ``pattern``; if not, its error says ``message``."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


RuleId = Annotated[str, matching(RULE_ID, "rule id must look like PF001 (2-4 capitals, 3 digits)")]
Kebab = Annotated[str, matching(KEBAB, "must be kebab-case (lower-case words joined by '-')")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Reference(Strict):
    """A citation: the instrument and provision in ``title``, one https URL on
    legislation.gov.uk or gov.uk in ``href``."""

    title: str = Field(min_length=3)
    href: Annotated[
        str,
        matching(
            HREF, "href must be one https URL on legislation.gov.uk, gov.uk or another .gov.uk host"
        ),
    ]


AttrValues = dict[str, str | bool | int | list[str | bool | int]]


class FirstEvent(Strict):
    """The first event of ``type`` on or after the latest ``since`` event on or before the
    anchor (``anchor_before_first``: the first review of the current period of care)."""

    type: str
    since: str | None = None


class Condition(Strict):
    """When a step, a limit or a whole rule applies. Every field given must hold (they are
    ANDed); ``any`` holds when one of its conditions does, ``none_of`` when none does.

    The fields that look at the child's circumstances read them on the anchor date (the clock,
    or the previous event of a schedule): the placement in force (the case's own placement for
    a visiting chain, else the latest ``placement_started`` on or before it) and the legal
    statuses in force (the latest ``legal_status_started`` codes on or before it, less any
    ended before it). A detail two copies of an event disagree on matches nothing."""

    # The anchor (the previous event) falls before/on-or-after the Nth anniversary of the case's
    # opening (e.g. the first year of a private fostering arrangement or of a placement).
    anchor_before_anniversary: int | None = Field(default=None, ge=1)
    anchor_from_anniversary: int | None = Field(default=None, ge=1)
    # The event that opened the case (e.g. the placement) carries ``permanent: true``.
    placement_permanent: bool | None = None
    # The child's age in whole years on the anchor date is under N (needs a date of birth).
    age_under_at_anchor: int | None = Field(default=None, ge=1)
    # The clock stops (the event is done; else as_of or the case's close) on or before this date:
    # for thresholds that depend on the period in which the clock stops (adoption scorecard).
    stops_on_or_before: RuleDate | None = None
    # The placement in force on the anchor date has all these attributes (a list: any of them),
    # e.g. ``{placement_type: [P1]}`` (903 PLACE P1: placed with a parent).
    placement: AttrValues | None = None
    # The legal status in force on the anchor date is one of these 903 codes (C1 interim care
    # order, C2 full care order, V3/V4 short breaks ...).
    legal_status: list[str] | None = None
    # The anchor is on or after this date (a limit that came in with an amending instrument).
    anchor_on_or_after: RuleDate | None = None
    # The anchor falls before the first event of this kind (no such event yet: true). Reg 28(3)
    # and (4): weekly visits "until the first review".
    anchor_before_first: FirstEvent | None = None
    any: list[Condition] | None = Field(default=None, min_length=1)
    none_of: list[Condition] | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _first_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("anchor_before_first"), str):
            return {**data, "anchor_before_first": {"type": data["anchor_before_first"]}}
        return data

    def needs_timeline(self) -> bool:
        """Whether the condition reads the child's other events (placements, legal statuses)."""
        return (
            self.placement is not None
            or self.legal_status is not None
            or self.anchor_before_first is not None
            or any(c.needs_timeline() for c in (*(self.any or ()), *(self.none_of or ())))
        )

    def placement_attrs(self) -> set[str]:
        """The placement attributes the condition reads (the loader checks they exist)."""
        out = set(self.placement or ())
        for sub in (*(self.any or ()), *(self.none_of or ())):
            out |= sub.placement_attrs()
        return out

    def event_types(self) -> set[str]:
        """The event types the condition reads (for assessability and the durable engine)."""
        out: set[str] = set()
        if self.placement is not None:
            out.add("placement_started")
        if self.legal_status is not None:
            out.update(("legal_status_started", "legal_status_ended"))
        if self.anchor_before_first is not None:
            out.add(self.anchor_before_first.type)
            if self.anchor_before_first.since:
                out.add(self.anchor_before_first.since)
        for sub in (*(self.any or ()), *(self.none_of or ())):
            out |= sub.event_types()
        return out

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_dump(exclude_none=True):
            raise ValueError("a condition needs at least one test")
        return self


def decidable(condition: Condition | None, *, opened: bool, dob: bool) -> bool:
    """Whether a caller with no child's timeline (the due-date oracle) gave what ``condition``
    needs (a case opening, a date of birth); a placement's permanence and where the clock
    stops are never known to it."""
    if condition is None:
        return True
    if condition.stops_on_or_before is not None or condition.placement_permanent is not None:
        return False
    if condition.needs_timeline():  # the placement, legal status or reviews of a child
        return False
    anniversary = (condition.anchor_before_anniversary, condition.anchor_from_anniversary)
    if any(n is not None for n in anniversary) and not opened:
        return False
    return condition.age_under_at_anchor is None or dob


class Limit(Strict):
    """A value in one unit, written ``{working_days: 20}``; in a list, each may carry ``when``.

    ``counting: beginning_with`` counts the anchor day as the first day (26 weeks beginning with
    the issue day end on issue + 181 days); the default counts from the day after the anchor."""

    unit: Unit
    value: int = Field(ge=0, le=100_000)
    when: Condition | None = None
    counting: Literal["after", "beginning_with"] = "after"

    @model_validator(mode="before")
    @classmethod
    def _one_unit_key(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "unit" in data:
            return data
        units = [key for key in data if key in UNITS]
        others = [key for key in data if key not in UNITS and key not in ("when", "counting")]
        if others:
            raise ValueError(
                f"unknown key {others[0]!r} in limit (units: {', '.join(UNITS)}; "
                "or 'when', 'counting')"
            )
        if len(units) != 1:
            raise ValueError(f"a limit has exactly one unit ({', '.join(UNITS)})")
        out = {"unit": units[0], "value": data[units[0]]}
        for key in ("when", "counting"):
            if key in data:
                out[key] = data[key]
        return out

    @model_validator(mode="after")
    def _beginning_with_needs_a_period(self) -> Limit:
        if self.counting == "beginning_with" and (
            self.unit not in ("days", "weeks", "months") or self.value < 1
        ):
            raise ValueError("'beginning_with' counting takes 1 or more days, weeks or months")
        return self

    def describe(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        text = f"{self.value} {one if self.value == 1 else many}"
        return text + (
            " beginning with the day itself" if self.counting == "beginning_with" else ""
        )


def _limits(value: Any) -> Any:
    """A limit is one mapping or a list of conditional ones ending in a default (no ``when``)."""
    return value if isinstance(value, list) else [value]


Limits = Annotated[list[Limit], BeforeValidator(_limits), Field(min_length=1)]


class Selector(Strict):
    """Which events: a type, optionally narrowed by attribute values (``where`` all equal,
    ``unless`` any equal excludes). Shorthand in YAML: just the type name."""

    type: str
    # a list value means "any of these" (e.g. legal status code V3 or V4)
    where: dict[str, str | bool | int | list[str | bool | int]] = Field(default_factory=dict)
    unless: dict[str, str | bool | int | list[str | bool | int]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data


class Scope(Strict):
    """The case a schedule lives in: opened by one of ``opens``, closed by one of ``closes``.

    Only one case of a scope is open at a time: a new opening closes the previous case on that
    day (a new placement restarts the visiting chain)."""

    opens: Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
    closes: Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)] = (
        Field(default_factory=list)
    )
    # True where a new opening routinely replaces the open case (placements); otherwise a second
    # opening while one is open is a data-quality finding.
    successive: bool = False
    # The case also closes on the child's Nth birthday (care leavers: 21), or a later one where
    # the opening event says ``in_education: true`` (25).
    until_age: int | None = Field(default=None, ge=1, le=30)
    until_age_in_education: int | None = Field(default=None, ge=1, le=30)


def keep_apart(rules: Iterable[RuleBase]) -> dict[str, frozenset[str]]:
    """Per event type, the details (attributes) that decide whether an event of that type
    starts an obligation in one of ``rules``: copies of an event that disagree on one of these
    stay two events; on any other detail they are one event with that detail unknown."""
    out: dict[str, set[str]] = {}
    for rule in rules:
        for sel in rule.starting():
            out.setdefault(sel.type, set()).update(sel.where, sel.unless)
    return {t: frozenset(attrs) for t, attrs in out.items()}


def scope_selectors(scope: Scope) -> list[Selector]:
    return [Selector(type=t) for t in (*scope.opens, *scope.closes)]


class Effective(Strict):
    """The dates between which the rule applies, by the date its clock starts (both inclusive).
    ``from`` is the day the provision came into force: a clock before it gives no finding."""

    start: RuleDate | None = Field(default=None, alias="from")
    end: RuleDate | None = Field(default=None, alias="to")

    def covers(self, day: dt.date) -> bool:
        return not ((self.start and day < self.start) or (self.end and day > self.end))


ReadFrom = Literal["provision", "part", "secondary", "not-found"]


class Law(Strict):
    """What the rule rests on, as read: the provision, the version read, what it says in a line,
    and how it was read (``provision``: the text itself on legislation.gov.uk or the guidance
    publication; ``part``: some of it, the rest elsewhere; ``secondary``: only as quoted or
    summarised by a council's procedures or a commentary; ``not-found``: the text was not
    found). The legal-source table (docs/legal-sources.md) is made from these."""

    provision: str = Field(min_length=3)
    version: str = Field(min_length=3)
    says: str = Field(min_length=10)
    read: ReadFrom


class Variation(Strict):
    """A temporary change to the law (SI 2020/445, coronavirus): for clocks from ``from`` to
    ``to`` (both inclusive) the duty was ``limit`` instead. With no limit it was relaxed to "as
    soon as reasonably practicable", which no date in the period can breach: an instance is met
    if done within the usual limit; otherwise the usual limit counts again from the period's
    end (the finding carries ``resumed``), and done within that it is not assessed (counted in
    the run's tally). Findings under a variation carry ``variation``."""

    start: RuleDate = Field(alias="from")
    end: RuleDate = Field(alias="to")
    name: str = Field(min_length=3)
    limit: Limit | None = None
    says: str = Field(min_length=10)
    references: list[Reference] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Variation:
        if self.end < self.start:
            raise ValueError("a variation's 'to' is before its 'from'")
        return self


Match = Literal["auto", "case"]


class RuleBase(Strict):
    """The fields every kind of rule has; a kind's model adds ``kind`` and its own."""

    if TYPE_CHECKING:
        kind: str  # each kind's model declares it as a literal (the discriminator)

    id: RuleId
    name: Kebab
    title: str = Field(min_length=5)
    family: Kebab
    summary: str = Field(min_length=10)
    rationale: str = Field(min_length=10)
    references: list[Reference] = Field(min_length=1)
    seeds: list[str] = Field(default_factory=list)
    since: str = "0.1.0"
    effective: Effective | None = None
    law: Law | None = None
    variations: list[Variation] = Field(default_factory=list)
    # the rule does not apply to an instance when this holds on its anchor date (reg 48: a
    # child looked after only under a series of short breaks, legal status V3 or V4)
    excluded_when: Condition | None = None
    notes: str | None = None
    # How events are tied together: ``auto`` = same ref if both have one, else same case if both
    # have one, else any; ``case`` skips the ref step (e.g. a referral and its assessment).
    match: Match = "auto"

    def in_force(self, anchor: dt.date) -> bool:
        """The provision was in force on the clock date (``effective``)."""
        return self.effective is None or self.effective.covers(anchor)

    def same_law(self, first: dt.date, last: dt.date) -> bool:
        """The same law held for every clock from ``first`` to ``last``: in force throughout
        and no temporary variation in between (a step whose clock is only known to fall in
        that range is then judged alike whatever its day)."""
        return (
            self.in_force(first)
            and self.in_force(last)
            and not any(v.start <= last and first <= v.end for v in self.variations)
        )

    def variation_at(self, anchor: dt.date) -> Variation | None:
        """The temporary change to the law in force on the clock date, if any."""
        return next((v for v in self.variations if v.start <= anchor <= v.end), None)

    def conditions(self) -> list[Condition]:
        """Every condition the rule reads (its own, its limits', its exclusion)."""
        out = [lim.when for lim in self.limits() if lim.when is not None]
        return out + ([self.excluded_when] if self.excluded_when is not None else [])

    def context_types(self) -> set[str]:
        """Event types its conditions read (placements, legal statuses, first reviews): the
        loader refuses a rule whose conditions name an unknown one."""
        out: set[str] = set()
        for cond in self.conditions():
            out |= cond.event_types()
        return out

    def placement_attrs(self) -> set[str]:
        """Placement attributes its conditions read (``placement: {placement_type: ...}``)."""
        out: set[str] = set()
        for cond in self.conditions():
            out |= cond.placement_attrs()
        return out

    def selectors(self) -> list[Selector]:
        """Every event selector the rule uses (for event-type checks and assessability)."""
        return []

    def starting(self) -> list[Selector]:
        """The selectors of events that start an obligation (a clock, a spell, an event to be
        checked itself): two contradicting copies of such an event are kept apart, each
        starting its own, so that bad data never hides an obligation."""
        return []

    def limits(self) -> list[Limit]:
        return []


# a rule of any registered kind (``rules.registry``): the kinds' models subclass RuleBase
Rule = RuleBase
