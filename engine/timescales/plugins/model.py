"""What a council declares: itself (Authority), overrides of national rules, local targets."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..rules.model import KEBAB, RULE_ID, Effective, Limits, Reference


class Authority(BaseModel):
    """A council a plugin provides: ``name`` is what ``--la`` takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", value):
            raise ValueError("an authority name is lower-case letters, digits and '-'")
        return value


class Override(BaseModel):
    """A named, cited exception to one national rule's parameter (only ``limit`` today).

    ``value`` is a limit as in a rule file (one mapping, or a conditional list of the same
    length as the national rule's). ``relaxes: true`` (with ``reason``) is required for any
    override that makes a due date later than the national rule's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str = Field(min_length=5)
    rule: str
    parameter: str = "limit"
    value: Limits
    references: list[Reference] = Field(min_length=1)
    effective: Effective | None = None
    relaxes: bool = False
    reason: str | None = None
    seeds: list[str] = Field(default_factory=list)

    @field_validator("rule")
    @classmethod
    def _rule(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("rule must be a rule id like LA003")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not KEBAB.match(value):
            raise ValueError("must be kebab-case")
        return value

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

    model_config = ConfigDict(extra="forbid", frozen=True)

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
