"""The Lancashire plugin: its local rules, its named exception to RA001, its event types.

The child-level standards it encodes: LANC001 (a looked-after child's assessment updated every
year), LANC002 (an IRO agrees that an s47 enquiry will not go to a conference), LANC003 (the
Head of Service told of a child missing for more than 24 hours), LANC005 (an assessment
reported against the child's own target date, never later than 45 working days), LANC006 (a
MASH contact decided within 24 hours) and LANC013 (a later-life letter on an adopted child's
file), with the RA001 override (referral decisions within 24 hours, not 1 working day).

Everything here cites the Ofsted reports on Lancashire (2015, 2018) that describe the standard.
Where a report gives no number (when the Head of Service is told, when the later-life letter is
due), the rule's notes say so and which value stands in for the council's own. The reports
state no numeric local performance targets (¶58 and ¶121 of the 2015 report even disagree on
whether any were set), so this plugin declares none rather than invent them.
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
        # the Head of Service told of a child missing for over 24 hours (LANC003); the ref is
        # the missing episode's
        "lancashire.head_of_service_notified": {},
        # the assessment's own target completion date, set for the child (LANC005): dated the
        # day it was set, in the referral's case; ``target`` is an ISO date
        "lancashire.assessment_target": {"target": str},
        # a contact received at the MASH, and the MASH's decision on it (LANC006; same ref)
        "lancashire.mash_contact": {},
        "lancashire.mash_decision": {},
        # the adoption order, and the later-life letter placed on file (LANC013; same ref)
        "lancashire.adoption_order": {},
        "lancashire.later_life_letter": {},
    }


@hookimpl
def timescales_rule_packs(la: str | None) -> list[Path]:
    return [HERE / "rules"] if la == NAME else []


@hookimpl
def timescales_overrides(la: str | None) -> list[Path]:
    return [HERE / "overrides"] if la == NAME else []
