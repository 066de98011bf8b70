"""The shape of a rule file: strict pydantic models, one per rule kind, validated at load time.

A rule is data: which event starts the clock, the limit (a value in one unit), which event meets
it, the case it lives in, citations and effective dates. Conditions (placement type, age band,
year of an arrangement) are structured fields here, never code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ..records import parse_iso_date

Unit = Literal["working_days", "days", "weeks", "months", "hours"]
UNITS: tuple[str, ...] = ("working_days", "days", "weeks", "months", "hours")
UNIT_WORDS = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "hours": ("hour", "hours"),
}

RULE_ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HREF = re.compile(r"^https://(www\.)?(legislation\.gov\.uk|gov\.uk)/[^\s]*$")
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
            raise ValueError("href must be one https URL on legislation.gov.uk or gov.uk")
        return value


class Condition(_Strict):
    """When a step or a limit applies. Every field given must hold (they are ANDed)."""

    # The anchor (the previous event) falls before/on-or-after the Nth anniversary of the case's
    # opening (e.g. the first year of a private fostering arrangement or of a placement).
    anchor_before_anniversary: int | None = Field(default=None, ge=1)
    anchor_from_anniversary: int | None = Field(default=None, ge=1)
    # The event that opened the case (e.g. the placement) carries ``permanent: true``.
    placement_permanent: bool | None = None
    # The child's age in whole years on the anchor date is under N (needs a date of birth).
    age_under_at_anchor: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_dump(exclude_none=True):
            raise ValueError("a condition needs at least one test")
        return self


class Limit(_Strict):
    """A value in one unit, written ``{working_days: 20}``; in a list, each may carry ``when``."""

    unit: Unit
    value: int = Field(ge=0, le=100_000)
    when: Condition | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_unit_key(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "unit" in data:
            return data
        units = [key for key in data if key in UNITS]
        others = [key for key in data if key not in UNITS and key != "when"]
        if others:
            raise ValueError(
                f"unknown key {others[0]!r} in limit (units: {', '.join(UNITS)}; or 'when')"
            )
        if len(units) != 1:
            raise ValueError(f"a limit has exactly one unit ({', '.join(UNITS)})")
        out = {"unit": units[0], "value": data[units[0]]}
        if "when" in data:
            out["when"] = data["when"]
        return out

    def describe(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        return f"{self.value} {one if self.value == 1 else many}"


def _limits(value: Any) -> Any:
    """A limit is one mapping or a list of conditional ones ending in a default (no ``when``)."""
    return value if isinstance(value, list) else [value]


Limits = Annotated[list[Limit], BeforeValidator(_limits), Field(min_length=1)]


class Selector(_Strict):
    """Which events: a type, optionally narrowed by attribute values (``where`` all equal,
    ``unless`` any equal excludes). Shorthand in YAML: just the type name."""

    type: str
    where: dict[str, str | bool | int] = Field(default_factory=dict)
    unless: dict[str, str | bool | int] = Field(default_factory=dict)

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


class Effective(_Strict):
    """The dates between which the rule applies, by the date its clock starts (both inclusive)."""

    start: RuleDate | None = Field(default=None, alias="from")
    end: RuleDate | None = Field(default=None, alias="to")


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

    def selectors(self) -> list[Selector]:
        """Every event selector the rule uses (for event-type checks and assessability)."""
        return []

    def limits(self) -> list[Limit]:
        return []


class DeadlineRule(RuleBase):
    """X within N of Y: one finding per clock event; met by the first ``met_by`` event on or
    after the clock; ``void_by`` removes the instance; ``closed_by`` ends its case."""

    kind: Literal["deadline"]
    clock: Selector
    met_by: Selector
    limit: Limits
    void_by: Selector | None = None
    closed_by: list[Selector] = Field(default_factory=list)

    def selectors(self) -> list[Selector]:
        extra = [self.void_by] if self.void_by else []
        return [self.clock, self.met_by, *extra, *self.closed_by]

    def limits(self) -> list[Limit]:
        return list(self.limit)


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

    @model_validator(mode="after")
    def _head_or_follower(self) -> ScheduleRule:
        if self.follows is None:
            if self.scope is None or self.event is None:
                raise ValueError("a schedule head needs 'scope' and 'event'")
            if self.occurrence is not None or self.when is not None:
                raise ValueError("'occurrence' and 'when' belong to followers (with 'follows')")
        else:
            if self.scope is not None or self.event is not None:
                raise ValueError("a follower takes 'scope' and 'event' from its head")
            if self.occurrence is None:
                raise ValueError("a follower needs 'occurrence' (e.g. 2 or '2+')")
            self.occurrence_range()  # validates the form
        return self

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
        return [
            self.event,
            *(Selector(type=t) for t in self.scope.opens),
            *(Selector(type=t) for t in self.scope.closes),
        ]

    def limits(self) -> list[Limit]:
        return list(self.limit)


Rule = Annotated[DeadlineRule | ScheduleRule, Field(discriminator="kind")]
KINDS = ("deadline", "schedule")
