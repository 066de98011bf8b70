"""Loading rule packs: the national pack (and any extra packs) through the strict loader."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..calendar import WorkingCalendar
from ..errors import UsageError
from ..evaluation.ruleset import RuleSet
from .loader import load_rule_dir, national_pack_dir, validate_pack


def load_rules(
    *,
    rules: Iterable[str] | None = None,
    extra_packs: Iterable[Path] = (),
    national: bool = True,
    calendar: WorkingCalendar | None = None,
    la: str | None = None,
) -> RuleSet:
    """Load and compile a rule set once; reuse it for as many checks as you like.

    ``rules`` narrows the set to these IDs (schedule heads that followers need come along).
    Raises RuleError (with file and line) for any invalid rule file.
    """
    loaded = []
    if national:
        loaded.extend(load_rule_dir(national_pack_dir(), label="rules/england"))
    for pack in extra_packs:
        loaded.extend(load_rule_dir(Path(pack)))
    ruleset = RuleSet(validate_pack(loaded), calendar_=calendar, la=la)
    if rules is not None:
        wanted = [r.strip() for r in rules if r.strip()]
        try:
            ruleset = ruleset.select(wanted)
        except KeyError as exc:
            raise UsageError(f"unknown rule id(s): {exc.args[0]}") from None
    return ruleset
