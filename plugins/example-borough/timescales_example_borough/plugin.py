"""Example Borough's plugin: every hook a council is likely to need, with made-up values.

NOT a real council's standards. Copy this package, rename it, and replace the values with your
council's own (see the README).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from timescales.importers import Importer
from timescales.plugins import Authority, hookimpl

from .visits_csv import VisitsCsv

NAME = "example-borough"
HERE = Path(__file__).parent

# office closure days (on top of bank holidays): they move only this council's own rules
CLOSURE_DAYS = [
    dt.date(2023, 12, 27),
    dt.date(2023, 12, 28),
    dt.date(2023, 12, 29),
    dt.date(2024, 12, 27),
    dt.date(2024, 12, 30),
    dt.date(2024, 12, 31),
]

# school terms (first day, last day): LA012 (PEP reviewed each term) needs them
TERMS = [
    (dt.date(2022, 9, 5), dt.date(2022, 12, 20)),
    (dt.date(2023, 1, 4), dt.date(2023, 3, 31)),
    (dt.date(2023, 4, 17), dt.date(2023, 7, 21)),
    (dt.date(2023, 9, 4), dt.date(2023, 12, 20)),
    (dt.date(2024, 1, 4), dt.date(2024, 3, 28)),
    (dt.date(2024, 4, 15), dt.date(2024, 7, 23)),
    (dt.date(2024, 9, 3), dt.date(2024, 12, 20)),
    (dt.date(2025, 1, 6), dt.date(2025, 4, 4)),
    (dt.date(2025, 4, 22), dt.date(2025, 7, 22)),
]


@hookimpl
def timescales_authorities() -> list[Authority]:
    return [
        Authority(
            name=NAME,
            title="Example Borough Council (made up: a template, not a real council)",
            description="Shows closure days, school terms, a local rule, a tighter override, "
            "a performance target and an importer for a case-system export.",
        )
    ]


@hookimpl
def timescales_event_types(la: str | None) -> dict[str, dict[str, type]]:
    return {f"{NAME}.case_note": {}} if la == NAME else {}


@hookimpl
def timescales_rule_packs(la: str | None) -> list[Path]:
    return [HERE / "rules"] if la == NAME else []


@hookimpl
def timescales_overrides(la: str | None) -> list[Path]:
    return [HERE / "overrides"] if la == NAME else []


@hookimpl
def timescales_targets(la: str | None) -> list[Path]:
    return [HERE / "targets"] if la == NAME else []


@hookimpl
def timescales_closure_days(la: str | None) -> list[dt.date]:
    return list(CLOSURE_DAYS) if la == NAME else []


@hookimpl
def timescales_term_dates(la: str | None) -> list[tuple[dt.date, dt.date]]:
    return list(TERMS) if la == NAME else []


@hookimpl
def timescales_importers(la: str | None) -> dict[str, Importer]:
    # offered whatever the council, so --input-format can always name it
    return {f"{NAME}-visits": VisitsCsv(council=NAME)}
