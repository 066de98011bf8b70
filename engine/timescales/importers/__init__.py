"""Importers: turn input files into a stream of canonical records, or located rejections.

Each importer yields ``Item``s: a child's record (with any data-quality notes the import found),
or a RecordError saying where and why something was rejected. A rejected *record* (a whole child)
and a rejected *row* (one line of a return, the child built from the rest) are counted apart, and
each importer keeps per-source row counts, so a run reconciles both ways:
children read = checked + rejected, and rows read = rows used + rows rejected.

The contract an importer is written against (``Importer``, ``ImportContext``, ``Item``,
``SourceStats``, ``Skipped``, ``TableRejected``) lives in ``timescales.contract`` and is
re-exported here, where council plugins import it from. This package keeps the registry.

Importers are found by name in ``REGISTRY`` (``module:attribute``, imported only when used);
council plugins add more through the ``timescales_importers`` hook.

No importer counts a limit of its own: where one needs a rule's due date (to compare a council's
own due date with ours, or to tell whether a latest-only review can be the first), it asks
``ImportContext.due``, which answers from the run's rule set (a council's overrides and the
rules' effective dates included) or, with none given, from the national pack.
tests/importers/test_no_rule_arithmetic.py keeps it so.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from ..contract import (
    DueDate,
    DueDates,
    ImportContext,
    Importer,
    Item,
    RuleSource,
    Skipped,
    SourceStats,
    TableRejected,
    provide_due_dates,
)
from ..errors import InputError, Location

__all__ = [
    "FORMATS",
    "REGISTRY",
    "DueDate",
    "DueDates",
    "ImportContext",
    "Importer",
    "Item",
    "RuleSource",
    "Skipped",
    "SourceStats",
    "TableRejected",
    "available",
    "detect",
    "get",
    "read",
    "resolve",
]


def _due_dates(rules: RuleSource | None) -> DueDates:
    """The evaluator's oracle over ``rules`` (None: the national pack, loaded once)."""
    from ..ruleset import oracle
    from ..ruleset.ruleset import RuleSet

    if rules is None:
        return oracle.national()
    assert isinstance(rules, RuleSet), "ImportContext.rules is a RuleSet"
    return oracle.RuleOracle(rules)


provide_due_dates(_due_dates)

# name -> "module:attribute" (relative to this package), in the order ``auto`` tries them
# (``workers`` first: a JSON Lines, JSON or YAML file whose first record is a worker's)
REGISTRY: dict[str, str] = {
    "workers": ".workers:IMPORTER",
    "jsonl": ".canonical:JSONL",
    "json": ".canonical:JSON",
    "yaml": ".canonical:YAML",
    "ssda903": ".ssda903:IMPORTER",
    "cin-census": ".cin_census:IMPORTER",
    "ssd": ".ssd:IMPORTER",
    "annex-a": ".annex_a:IMPORTER",
}
FORMATS = ("auto", *REGISTRY)


def get(name: str, extra: dict[str, Importer] | None = None) -> Importer:
    if extra and name in extra:
        return extra[name]
    target = REGISTRY.get(name)
    if target is None:
        known = ", ".join([*REGISTRY, *(extra or {})])
        raise InputError(f"unknown input format {name!r} (known: {known})", code="E402")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        raise InputError(f"input format {name!r} is not available: {exc}", code="E402") from None
    importer: Importer = getattr(module, attr)
    return importer


def available(extra: dict[str, Importer] | None = None) -> list[Importer]:
    return list(_each_available(extra))


def _each_available(extra: dict[str, Importer] | None = None) -> Iterator[Importer]:
    """The importers that can be used, in the order ``auto`` tries them, each imported only
    when reached."""
    for name in [*REGISTRY, *(extra or {})]:
        try:
            yield get(name, extra)
        except InputError:
            continue


def detect(path: Path, extra: dict[str, Importer] | None = None) -> Importer:
    """The first importer whose sniffer recognises ``path``; ``-`` (standard input) is JSON
    Lines, as it cannot be sniffed without consuming it."""
    if str(path) == "-":
        return get("jsonl")
    if not path.exists():
        raise InputError("no such file or directory", Location(str(path)), code="E101")
    # each importer imported when its turn comes (a JSON Lines file never loads the others)
    for importer in _each_available(extra):
        try:
            if importer.sniff(path):
                return importer
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(str(path)), code="E401"
            ) from None
    raise InputError(
        "cannot tell the input format; give --input-format "
        f"({', '.join(n for n in FORMATS if n != 'auto')})",
        Location(str(path)),
        code="E402",
    )


def resolve(path: Path, fmt: str = "auto", extra: dict[str, Importer] | None = None) -> Importer:
    if str(path) == "-" and fmt not in ("auto", "jsonl"):
        raise InputError(
            f"standard input is read as JSON Lines only, not {fmt!r}",
            Location("<stdin>"),
            code="E402",
        )
    return detect(path, extra) if fmt == "auto" else get(fmt, extra)


def read(path: Path, fmt: str = "auto", context: ImportContext | None = None) -> Iterator[Item]:
    """Read one input in the given (or detected) format."""
    return resolve(Path(path), fmt).read(Path(path), context or ImportContext())
