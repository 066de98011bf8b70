"""The shape of a rule file: strict pydantic models, one per rule kind, validated at load time.

A rule is data: which event starts the clock, the limit (a value in one unit), which event meets
it, the case it lives in, citations and effective dates. Conditions (placement type, age band,
year of an arrangement) are structured fields here, never code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A citation: the instrument and provision in ``title``, one https URL on
    legislation.gov.uk or gov.uk in ``href``."""

    title: str = Field(min_length=3)
    href: str

    @field_validator("href")
    @classmethod
    def _one_official_url(cls, value: str) -> str:
        if not HREF.match(value):
            raise ValueError(
                "href must be one https URL on legislation.gov.uk, gov.uk or another .gov.uk host"
            )
        return value


AttrValues = dict[str, str | bool | int | list[str | bool | int]]


class FirstEvent(_Strict):
    """The first event of ``type`` on or after the latest ``since`` event on or before the
    anchor (``anchor_before_first``: the first review of the current period of care)."""

    type: str
    since: str | None = None


class Condition(_Strict):
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


class Limit(_Strict):
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


class Selector(_Strict):
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


class Scope(_Strict):
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


class Extension(_Strict):
    """Recorded extensions move the due date: each ``type`` event (same ref) adds its ``attr``
    value in ``unit``, capped at ``max_each``, for at most ``max_count`` extensions."""

    type: str
    attr: str
    unit: Literal["days", "weeks"]
    max_each: int = Field(ge=1)
    max_count: int | None = Field(default=None, ge=1)


def keep_apart(rules: Iterable[RuleBase]) -> dict[str, frozenset[str]]:
    """Per event type, the details (attributes) that decide whether an event of that type
    starts an obligation in one of ``rules``: copies of an event that disagree on one of these
    stay two events; on any other detail they are one event with that detail unknown."""
    out: dict[str, set[str]] = {}
    for rule in rules:
        for sel in rule.starting():
            out.setdefault(sel.type, set()).update(sel.where, sel.unless)
    return {t: frozenset(attrs) for t, attrs in out.items()}


def _scope_selectors(scope: Scope) -> list[Selector]:
    return [Selector(type=t) for t in (*scope.opens, *scope.closes)]


class Effective(_Strict):
    """The dates between which the rule applies, by the date its clock starts (both inclusive).
    ``from`` is the day the provision came into force: a clock before it gives no finding."""

    start: RuleDate | None = Field(default=None, alias="from")
    end: RuleDate | None = Field(default=None, alias="to")

    def covers(self, day: dt.date) -> bool:
        return not ((self.start and day < self.start) or (self.end and day > self.end))


ReadFrom = Literal["provision", "part", "secondary", "not-found"]


class Law(_Strict):
    """What the rule rests on, as read: the provision, the version read, what it says in a line,
    and how it was read (``provision``: the text itself on legislation.gov.uk or the guidance
    publication; ``part``: some of it, the rest elsewhere; ``secondary``: only as quoted or
    summarised by a council's procedures or a commentary; ``not-found``: the text was not
    found). The legal-source table (docs/legal-sources.md) is made from these."""

    provision: str = Field(min_length=3)
    version: str = Field(min_length=3)
    says: str = Field(min_length=10)
    read: ReadFrom


class Variation(_Strict):
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


class RuleBase(_Strict):
    id: str
    name: str
    title: str = Field(min_length=5)
    family: str
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

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("rule id must look like PF001 (2-4 capitals, 3 digits)")
        return value

    @field_validator("name", "family")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not KEBAB.match(value):
            raise ValueError("must be kebab-case (lower-case words joined by '-')")
        return value

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


class TimeIn(_Strict):
    """Time spent in a rule's ``during`` cases since the child's ``since_age`` birthday, up to
    the clock, at least ``at_least``; cases for which ``excluded_when`` holds on their opening
    day do not count (reg 40(2): short breaks)."""

    since_age: int = Field(ge=0, le=30)
    at_least: Limit
    excluded_when: Condition | None = None

    @model_validator(mode="after")
    def _days_or_weeks(self) -> TimeIn:
        if self.at_least.unit not in ("days", "weeks") or self.at_least.when is not None:
            raise ValueError("'at_least' is a plain number of days or weeks")
        return self


class CountsFrom(_Strict):
    """Where one of ``codes`` was the legal status the day before the clock, the instance's
    limit is ``limit`` counted from the day that status began."""

    codes: list[str] = Field(min_length=1)
    limit: Limit


class DeadlineRule(RuleBase):
    """X within N of Y: one finding per clock event; met by the first ``met_by`` event on or
    after the clock; ``void_by`` removes the instance; ``closed_by`` ends its case."""

    kind: Literal["deadline"]
    clock: Selector | None = None
    # instead of an event: the child's Nth birthday (needs ``during``: e.g. 16 while looked after)
    clock_at_age: int | None = Field(default=None, ge=1, le=30)
    met_by: Selector
    limit: Limits
    void_by: Selector | None = None
    closed_by: list[Selector] = Field(default_factory=list)
    # the clock counts only inside an open case of this scope (which also ends the instance)
    during: Scope | None = None
    # the rule applies to a child only if any of these events is recorded (AD001)
    requires_any: list[Selector] = Field(default_factory=list)
    extension: Extension | None = None
    # a ``met_by`` event dated before the clock also meets it (LA001: the care plan is to be
    # prepared before the first placement where it can be), but never one from before the
    # previous clock of the same rule
    met_before_clock: bool = False
    # the rule applies only to a child who spent at least this long in ``during``'s cases since
    # an age, up to the clock (CL001: an eligible child, looked after 13 weeks since 14)
    requires_time_in: TimeIn | None = None
    # where one of these legal statuses was in force the day before the clock, ``limit`` counts
    # from the day it began instead (CA 1989 s.45(3): an emergency protection order made after
    # police protection runs from the first day of police protection)
    counts_from_status: CountsFrom | None = None

    @model_validator(mode="after")
    def _one_clock(self) -> DeadlineRule:
        if (self.clock is None) == (self.clock_at_age is None):
            raise ValueError("a deadline needs exactly one of 'clock' and 'clock_at_age'")
        if self.clock_at_age is not None and self.during is None:
            raise ValueError("'clock_at_age' needs 'during' (the case the birthday must fall in)")
        return self

    @model_validator(mode="after")
    def _time_in_needs_during(self) -> DeadlineRule:
        if self.requires_time_in is not None and self.during is None:
            raise ValueError("'requires_time_in' needs 'during' (the cases whose time counts)")
        return self

    def selectors(self) -> list[Selector]:
        extra = [self.void_by] if self.void_by else []
        clock = [self.clock] if self.clock else []
        during = _scope_selectors(self.during) if self.during else []
        ext = [Selector(type=self.extension.type)] if self.extension else []
        back = (
            [Selector(type="legal_status_started"), Selector(type="legal_status_ended")]
            if self.counts_from_status
            else []
        )
        return [
            *clock,
            self.met_by,
            *extra,
            *self.closed_by,
            *during,
            *self.requires_any,
            *ext,
            *back,
        ]

    def conditions(self) -> list[Condition]:
        out = super().conditions()
        if self.requires_time_in is not None and self.requires_time_in.excluded_when:
            out.append(self.requires_time_in.excluded_when)
        return out

    def starting(self) -> list[Selector]:
        return [*([self.clock] if self.clock else []), *self.requires_any]

    def limits(self) -> list[Limit]:
        back = [self.counts_from_status.limit] if self.counts_from_status else []
        return [*self.limit, *back]


class ScheduleRule(RuleBase):
    """A chain over one event type: the head (no ``follows``) gives the scope, the event and the
    first limit counted from the case opening; each follower names the head in ``follows`` and
    the occurrence(s) it governs (``2``, or ``"2+"`` for the 2nd onwards), counted from the
    actual previous event."""

    kind: Literal["schedule"]
    limit: Limits
    scope: Scope | None = None
    event: Selector | None = None
    follows: str | None = None
    occurrence: int | str | None = None
    when: Condition | None = None
    # a head that also governs every later occurrence no follower governs (same limit each time)
    repeats: bool = False
    # the head's event may come this long before the case opened and still meet it (reg 7: a
    # health assessment in the three months before the child became looked after)
    met_before_opening: Limit | None = None

    @model_validator(mode="after")
    def _head_or_follower(self) -> ScheduleRule:
        if self.follows is None:
            if self.scope is None or self.event is None:
                raise ValueError("a schedule head needs 'scope' and 'event'")
            if self.occurrence is not None or self.when is not None:
                raise ValueError("'occurrence' and 'when' belong to followers (with 'follows')")
        else:
            if (
                self.scope is not None
                or self.event is not None
                or self.repeats
                or self.met_before_opening is not None
            ):
                raise ValueError(
                    "a follower takes 'scope', 'event', 'repeats' and 'met_before_opening' "
                    "from its head"
                )
            if self.occurrence is None:
                raise ValueError("a follower needs 'occurrence' (e.g. 2 or '2+')")
            self.occurrence_range()  # validates the form
        if self.met_before_opening is not None and (
            self.met_before_opening.unit not in ("days", "weeks", "months")
            or self.met_before_opening.when is not None
        ):
            raise ValueError("'met_before_opening' is a plain number of days, weeks or months")
        return self

    def conditions(self) -> list[Condition]:
        return super().conditions() + ([self.when] if self.when is not None else [])

    def occurrence_range(self) -> tuple[int, int | None]:
        """(first, last) occurrence this rule governs; last None = open-ended."""
        if self.occurrence is None:
            return (1, 1)
        if isinstance(self.occurrence, int):
            if self.occurrence < 2:
                raise ValueError("occurrence of a follower is 2 or more")
            return (self.occurrence, self.occurrence)
        text = self.occurrence.strip()
        if re.fullmatch(r"[2-9]\d*\+", text):
            return (int(text[:-1]), None)
        raise ValueError(f"occurrence must be a number >= 2 or 'N+', not {self.occurrence!r}")

    def selectors(self) -> list[Selector]:
        if self.scope is None or self.event is None:
            return []
        return [self.event, *_scope_selectors(self.scope)]

    def limits(self) -> list[Limit]:
        return list(self.limit)


class MilestoneRule(RuleBase):
    """X recorded by the Nth occurrence of a schedule's event (LA008: a permanence plan by the
    second review). Due = the earlier of the actual Nth event and its scheduled due date under
    the schedule's own limits (so moving as_of later never turns a breach into met)."""

    kind: Literal["milestone"]
    schedule: str  # the head of the schedule whose cases and events the milestone counts
    occurrence: int = Field(ge=1)
    met_by: Selector

    def selectors(self) -> list[Selector]:
        return [self.met_by]


class AttrTest(_Strict):
    attr: str
    equals: str | bool | int | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AttrTest:
        if (self.equals is None) == (self.present is None):
            raise ValueError("an attribute test takes exactly one of 'equals' and 'present'")
        return self


class AttributeRule(RuleBase):
    """Each ``event`` must itself record something (PF004: the child seen alone, or why not).
    One finding per event: anchor = the event's date; done = that date when any test holds."""

    kind: Literal["attribute"]
    event: Selector
    satisfied_if_any: list[AttrTest] = Field(min_length=1)
    limit: Limits

    def selectors(self) -> list[Selector]:
        return [self.event]

    def starting(self) -> list[Selector]:
        return [self.event]

    def limits(self) -> list[Limit]:
        return list(self.limit)


class Spell(_Strict):
    starts: Selector
    ends: Selector


class RollingRule(RuleBase):
    """Time in a state (``spell``) totalled over any ``window`` of consecutive days must not pass
    ``limit`` unless ``met_by`` is recorded by the day it would. On date-only data a day in the
    state counts from its start date up to (not including) its end date: 24 hours a day."""

    kind: Literal["rolling"]
    spell: Spell
    window: Limit
    limit: Limits
    met_by: Selector | None = None
    # how long a ``met_by`` authority stays in force: one made before the spell counts while it
    # still covers the due date (SA001: a court order authorises up to three months at first)
    met_by_lasts: Limit | None = None

    @model_validator(mode="after")
    def _units(self) -> RollingRule:
        if self.window.unit not in ("days", "months") or any(
            limit.unit not in ("days", "hours") for limit in self.limit
        ):
            raise ValueError("a rolling rule totals days or hours over a window of days or months")
        return self

    def selectors(self) -> list[Selector]:
        return [self.spell.starts, self.spell.ends, *([self.met_by] if self.met_by else [])]

    def starting(self) -> list[Selector]:
        return [self.spell.starts]

    def limits(self) -> list[Limit]:
        return list(self.limit)


class Range(_Strict):
    low: int = Field(ge=0)
    high: int = Field(ge=0)


class AggregateRule(RuleBase):
    """A measure over many children (IR001: open looked-after children per IRO), computed by the
    aggregates, never per child, and not part of the exit code."""

    kind: Literal["aggregate"]
    measure: Literal["iro_caseload", "worker_caseload"]
    range: Range


Rule = Annotated[
    DeadlineRule | ScheduleRule | MilestoneRule | AttributeRule | RollingRule | AggregateRule,
    Field(discriminator="kind"),
]
KINDS = ("deadline", "schedule", "milestone", "attribute", "rolling", "aggregate")
