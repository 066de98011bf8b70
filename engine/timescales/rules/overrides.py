"""A council's overrides and targets: their models, read strictly, checked against the national
rules, applied once.

An override replaces one national rule's limit with a council's own, as a named and cited
exception. National rules never silently change: an override that would make any due date
later than the national rule's (checked for every anchor date the calendar supports) is refused
unless it says ``relaxes: true`` and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import calendar
from ..errors import Location, RuleError
from .limits import due_date
from .loader import format_validation_error, read_text, read_yaml
from .model import KEBAB, RULE_ID, Effective, Limit, Limits, Reference, RuleBase, matching


class Override(BaseModel):
    """A named, cited exception to one national rule's parameter (only ``limit`` today).

    ``value`` is a limit as in a rule file (one mapping, or a conditional list of the same
    length as the national rule's). ``relaxes: true`` (with ``reason``) is required for any
    override that makes a due date later than the national rule's."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: Annotated[str, matching(KEBAB, "must be kebab-case")]
    title: str = Field(min_length=5)
    rule: Annotated[str, matching(RULE_ID, "rule must be a rule id like LA003")]
    parameter: str = "limit"
    value: Limits
    references: list[Reference] = Field(min_length=1)
    effective: Effective | None = None
    relaxes: bool = False
    reason: str | None = None
    seeds: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _checks(self) -> Override:
        if self.parameter != "limit":
            raise ValueError("only the 'limit' parameter can be overridden")
        if self.relaxes and not self.reason:
            raise ValueError("an override that relaxes a national rule must give a 'reason'")
        return self


class Target(BaseModel):
    """A local performance target: at least ``target`` (a fraction) of a rule's findings on
    time (met / (met + late + overdue + unmet)), compared with the measured rate in every run."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    title: str = Field(min_length=5)
    measure: str = "on_time_rate"
    rules: list[str] = Field(min_length=1)
    target: float = Field(ge=0.0, le=1.0)
    references: list[Reference] = Field(min_length=1)
    seeds: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _measure(self) -> Target:
        if self.measure != "on_time_rate":
            raise ValueError("measure must be 'on_time_rate'")
        return self


@dataclass(frozen=True, slots=True)
class ActiveOverride:
    """An override in force: the council's limits beside the national ones they replace."""

    override: Override
    plugin: str
    national: tuple[Limit, ...]
    local: tuple[Limit, ...]

    def applies(self, anchor: dt.date) -> bool:
        eff = self.override.effective
        if eff is None:
            return True
        return not ((eff.start and anchor < eff.start) or (eff.end and anchor > eff.end))

    def local_for(self, national: Limit) -> Limit:
        """The council's limit standing in for this national branch."""
        index = self.national.index(national)
        return self.local[index] if len(self.local) == len(self.national) else self.local[0]


def _parse(path: Path, model: type[Override] | type[Target]) -> list[Override] | list[Target]:
    text = read_text(path, str(path))
    data = read_yaml(text, str(path))
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise RuleError("each entry must be a mapping", Location(str(path), 1), code="E205")
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            raise format_validation_error(exc, text, str(path)) from None
    return out  # type: ignore[return-value]


def read_overrides(path: Path) -> list[Override]:
    return _parse(path, Override)  # type: ignore[return-value]


def read_targets(path: Path) -> list[Target]:
    return _parse(path, Target)  # type: ignore[return-value]


def later_anchor(national: Limit, local: Limit) -> dt.date | None:
    """The first anchor date (2000-2030) on which ``local`` gives a later due date, or None."""
    cal = calendar.ENGLAND
    day = calendar.SUPPORTED_FIRST
    last = calendar.add_days(calendar.SUPPORTED_LAST, -400)  # room for the longest limits
    while day <= last:
        if due_date(day, local, cal) > due_date(day, national, cal):
            return day
        day = calendar.add_days(day, 1)
    return None


def activate(
    overrides: Iterable[tuple[str, Path, Override]], rules: Sequence[RuleBase]
) -> dict[str, ActiveOverride]:
    """Check each override against its national rule; refuse unmarked relaxations."""
    by_id = {r.id: r for r in rules}
    active: dict[str, ActiveOverride] = {}
    for plugin, path, override in overrides:
        where = Location(str(path))
        rule = by_id.get(override.rule)
        if rule is None:
            raise RuleError(
                f"override {override.name}: no rule {override.rule} to override", where, code="E206"
            )
        national = tuple(rule.limits())
        if not national:
            raise RuleError(f"override {override.name}: {rule.id} has no limit", where, code="E205")
        local = tuple(override.value)
        if len(local) not in (1, len(national)):
            raise RuleError(
                f"override {override.name}: give one limit or {len(national)} (one per branch of "
                f"{rule.id})",
                where,
                code="E205",
            )
        if any(lim.unit == "terms" for lim in (*national, *local)):
            raise RuleError(
                f"override {override.name}: term-based limits cannot be overridden",
                where,
                code="E205",
            )
        if override.rule in active:
            raise RuleError(
                f"override {override.name}: {rule.id} is already overridden by "
                f"{active[override.rule].override.name}",
                where,
                code="E207",
            )
        spec = ActiveOverride(override, plugin, national, local)
        if not override.relaxes:
            for branch in national:
                later = later_anchor(branch, spec.local_for(branch))
                if later is not None:
                    raise RuleError(
                        f"override {override.name} would make {rule.id} due later than the "
                        f"national rule (e.g. for a clock starting {later.isoformat()}); say "
                        "'relaxes: true' with a 'reason' if that is intended",
                        where,
                        code="E208",
                    )
        active[override.rule] = spec
    return active
