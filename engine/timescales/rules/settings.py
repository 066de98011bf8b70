"""Council settings: the numbers a rule takes from the council because the seeds give none.

A rule whose limit (or range, or target) no source states declares which of its fields a
council supplies, and under what name::

    settings: {limit: lancashire.supervision_interval}

The council gives the values in a YAML file (``check --settings FILE``, read by
``ruleset.pack.read_settings``; ``load_rules(settings=...)`` from Python), a mapping of
setting name to the field's value, written as the field is written in a rule
(``lancashire.supervision_interval: {weeks: 4}``). A field the file also writes is a
documented default the setting replaces. A rule with a setting neither given nor
defaulted is *unsettled* when the field is one the rule cannot do without (an optional field,
such as a lower limit for newly qualified staff, is simply left out): it is not checked, and
every output says why ("not assessed: the council's setting ... is not set"), never a guessed
number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Location, RuleError, UsageError

SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
Settings = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A rule left out of the run because a council setting it needs was not given."""

    id: str
    name: str
    kind: str
    title: str
    missing: tuple[str, ...]  # the setting names not given
    fields: tuple[str, ...]  # the rule's fields they would give
    source: str  # the rule file
    citation: str | None = None  # the rule's first reference

    @property
    def why(self) -> str:
        names = ", ".join(repr(m) for m in self.missing)
        plural = "settings" if len(self.missing) > 1 else "setting"
        return (
            f"the council's {plural} {names} not set: the sources give no value, so the council "
            "supplies it (check --settings FILE)"
        )


def declared(data: Mapping[str, Any], source: str) -> dict[str, str]:
    """A rule file's ``settings`` (field -> setting name), checked; {} when it has none."""
    raw = data.get("settings")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not raw:
        raise RuleError(
            "'settings' must map a field of the rule to a setting name",
            Location(source),
            code="E205",
        )
    out: dict[str, str] = {}
    for field, name in raw.items():
        if field in ("id", "name", "kind", "settings") or not isinstance(field, str):
            raise RuleError(
                f"'settings' cannot supply the field {field!r}", Location(source), code="E205"
            )
        if not isinstance(name, str) or not SETTING_NAME.match(name):
            raise RuleError(
                f"setting name {name!r} must be dotted lower-case words "
                "(council.what, e.g. lancashire.supervision_interval)",
                Location(source),
                code="E205",
            )
        out[field] = name
    return out


def apply(
    data: dict[str, Any], settings: Settings, source: str
) -> tuple[dict[str, Any], Unsettled | None]:
    """The rule's data with its settings filled in, or (data, Unsettled) when a setting it
    needs is neither given nor defaulted in the file."""
    wanted = declared(data, source)
    if not wanted:
        return data, None
    filled = {k: v for k, v in data.items() if k != "settings"}
    missing = []
    for field, name in wanted.items():
        if name in settings:
            filled[field] = settings[name]
        elif field not in filled:
            missing.append((field, name))
    if missing:
        return filled, Unsettled(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            title=str(data.get("title", "")),
            missing=tuple(name for _, name in missing),
            fields=tuple(field for field, _ in missing),
            source=source,
            citation=_first_href(data.get("references")),
        )
    return filled, None


def _first_href(references: Any) -> str | None:
    if isinstance(references, list) and references and isinstance(references[0], Mapping):
        href = references[0].get("href")
        return str(href) if href is not None else None
    return None


def check_used(settings: Settings, used: set[str], source: str) -> None:
    """Every setting given is one a rule of the run reads (a misspelt name is an error, not a
    silently unused value)."""
    unused = sorted(set(settings) - used)
    if unused:
        known = ", ".join(sorted(used)) or "none"
        raise UsageError(
            f"{source}: setting(s) {', '.join(unused)} read by no rule of this run "
            f"(the rules loaded read: {known})"
        )
