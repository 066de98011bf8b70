"""What a council declares about itself (Authority); its overrides of national rules and local
targets are rule-level (``rules.overrides``) and re-exported here for plugins."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

from ..rules.overrides import Override, Target

__all__ = ["Authority", "Override", "Target"]


class Authority(BaseModel):
    """A council a plugin provides: ``name`` is what ``--la`` takes."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    title: str
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", value):
            raise ValueError("an authority name is lower-case letters, digits and '-'")
        return value
