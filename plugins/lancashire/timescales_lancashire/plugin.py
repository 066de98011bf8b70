"""The Lancashire plugin: its local rules, its named exception to RA001, its event types.

Everything here cites the Ofsted reports on Lancashire (2015, 2018) that describe the standard.
The reports state no numeric local performance targets (¶58 and ¶121 of the 2015 report even
disagree on whether any were set), so this plugin declares none rather than invent them.
"""

from __future__ import annotations

from pathlib import Path

from timescales.plugins import Authority, hookimpl

NAME = "lancashire"
HERE = Path(__file__).parent


@hookimpl
def timescales_authorities() -> list[Authority]:
    return [
        Authority(
            name=NAME,
            title="Lancashire County Council",
            description="Local standards cited in Ofsted's 2015 and 2018 reports on Lancashire.",
        )
    ]


@hookimpl
def timescales_event_types(la: str | None) -> dict[str, dict[str, type]]:
    if la != NAME:
        return {}
    return {
        # the looked-after child's assessment, updated every year (LANC001)
        "lancashire.lac_assessment": {},
        # an IRO agrees that an s47 enquiry will not go to a conference (LANC002)
        "lancashire.iro_agreement": {"iro": str},
    }


@hookimpl
def timescales_rule_packs(la: str | None) -> list[Path]:
    return [HERE / "rules"] if la == NAME else []


@hookimpl
def timescales_overrides(la: str | None) -> list[Path]:
    return [HERE / "overrides"] if la == NAME else []
