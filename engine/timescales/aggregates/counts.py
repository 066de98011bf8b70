"""Counts a council must be able to give (the 2015 inspection found one that could not):
assessments completed in the period and how many within 45 working days, care leavers in touch,
children visited within timescale, and permanence plans by the second review.

All are read off the findings, one child at a time; what is kept is a handful of integers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Status

if TYPE_CHECKING:
    from ..ruleset.ruleset import RuleSet

ASSESSMENT_RULES = ("AS002", "AS001")  # per assessment first; per referral if that is all
CARE_LEAVER_CONTACT = "CL003"
VISIT_RULES = {
    "looked_after": ("LA002", "LA003", "LA004"),
    "private_fostering": ("PF001", "PF002", "PF003"),
}
PERMANENCE_RULE = "LA008"


class CouncilCounts:
    def __init__(self, ruleset: RuleSet, as_of: dt.date, since: dt.date) -> None:
        self.as_of = as_of
        self.since = since
        ids = set(ruleset.ids())
        self.assessment_rule = next((r for r in ASSESSMENT_RULES if r in ids), None)
        self.visit_rules = {k: v for k, v in VISIT_RULES.items() if any(r in ids for r in v)}
        self.c: Counter[str] = Counter()

    def _in_period(self, day: dt.date | None) -> bool:
        return day is not None and self.since <= day <= self.as_of

    def add(self, findings: Sequence[Finding]) -> None:
        c = self.c
        leaver = in_touch = False
        visited: dict[str, list[bool]] = {}
        for f in findings:
            rule = f.rule
            if rule == self.assessment_rule:
                if f.done is not None and self._in_period(f.done):
                    c["assessments_completed"] += 1
                    c["assessments_within_45_wd"] += f.status is Status.MET
                if f.status is Status.OVERDUE and f.days_late == (self.as_of - f.due).days:
                    c["assessments_open_overdue"] += 1
            elif rule == CARE_LEAVER_CONTACT:
                if f.status is Status.PENDING:
                    leaver = True
                    in_touch = True
                elif f.status is Status.OVERDUE and f.days_late == (self.as_of - f.due).days:
                    leaver = True
            elif rule == PERMANENCE_RULE and self._in_period(f.due) and f.due <= self.as_of:
                c["permanence_due"] += 1
                c["permanence_by_second_review"] += f.status is Status.MET
            for kind, rules in self.visit_rules.items():
                if rule in rules and f.status is not Status.PENDING and self._in_period(f.due):
                    visited.setdefault(kind, []).append(f.status is Status.MET)
        if leaver:
            c["care_leavers"] += 1
            # in touch: a contact due and not yet missed; none overdue
            overdue = any(
                f.rule == CARE_LEAVER_CONTACT
                and f.status is Status.OVERDUE
                and f.days_late == (self.as_of - f.due).days
                for f in findings
            )
            c["care_leavers_in_touch"] += in_touch and not overdue
        for kind, results in visited.items():
            c[f"{kind}_children_visits_due"] += 1
            c[f"{kind}_children_visited_within_timescale"] += all(results)

    def to_dict(self, unassessable: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The counts; a count whose rule could not be assessed from the inputs (its rule id in
        ``unassessable``, with why) is None, never 0: "n/a" in every output."""
        c = self.c
        na = unassessable or {}

        def value(key: str, *rules: str) -> int | None:
            return None if rules and all(r in na for r in rules) else c[key]

        assessment = self.assessment_rule
        assessment_rules = (assessment,) if assessment else ASSESSMENT_RULES
        out: dict[str, Any] = {
            "period": {"from": self.since.isoformat(), "to": self.as_of.isoformat()},
            "assessments": {
                "rule": assessment,
                "completed_in_period": value("assessments_completed", *assessment_rules),
                "within_45_working_days": value("assessments_within_45_wd", *assessment_rules),
                "open_and_overdue": value("assessments_open_overdue", *assessment_rules),
            },
            "care_leavers": {
                "rule": CARE_LEAVER_CONTACT,
                "current": value("care_leavers", CARE_LEAVER_CONTACT),
                "in_touch": value("care_leavers_in_touch", CARE_LEAVER_CONTACT),
            },
            "visits": {
                kind: {
                    "rules": list(rules),
                    "children_with_visits_due": value(f"{kind}_children_visits_due", *rules),
                    "visited_within_timescale": value(
                        f"{kind}_children_visited_within_timescale", *rules
                    ),
                }
                for kind, rules in VISIT_RULES.items()
                if kind in self.visit_rules or all(r in na for r in rules)
            },
            "permanence": {
                "rule": PERMANENCE_RULE,
                "second_reviews_due_in_period": value("permanence_due", PERMANENCE_RULE),
                "plan_by_second_review": value("permanence_by_second_review", PERMANENCE_RULE),
            },
        }
        return out


VISIT_LABELS = {
    "looked_after": "Looked-after children",
    "private_fostering": "Privately fostered children",
}


def not_assessable_why(unassessable: Mapping[str, str], rules: Sequence[str]) -> str | None:
    """Why a figure resting on ``rules`` is n/a: every one of them is not assessable."""
    if not rules or any(r not in unassessable for r in rules):
        return None
    reasons = dict.fromkeys(unassessable[r] for r in rules)
    return f"{', '.join(rules)} not assessable: {'; '.join(reasons)}"


def labelled(
    counts: Mapping[str, Any], unassessable: Mapping[str, str]
) -> list[tuple[str, str, Any, str | None]]:
    """The counts in reading order as (key, label, value, why n/a): the key as in the JSON
    (``assessments.completed_in_period``), a label for people, the value (None when n/a) and,
    for an n/a, why. The report and the workbook's Counts sheet both read this."""
    out: list[tuple[str, str, Any, str | None]] = []

    def add(key: str, label: str, value: Any, rules: Sequence[str]) -> None:
        why = not_assessable_why(unassessable, rules)
        out.append((key, label, None if why else value, why))

    a = counts["assessments"]
    rules: Sequence[str] = (a["rule"],) if a["rule"] else ASSESSMENT_RULES
    name = a["rule"] or " or ".join(ASSESSMENT_RULES)
    add(
        "assessments.completed_in_period",
        f"Assessments completed in the period ({name})",
        a["completed_in_period"],
        rules,
    )
    add(
        "assessments.within_45_working_days",
        "… of which within 45 working days",
        a["within_45_working_days"],
        rules,
    )
    add(
        "assessments.open_and_overdue",
        "Assessments open and overdue now",
        a["open_and_overdue"],
        rules,
    )
    cl = counts["care_leavers"]
    add(
        "care_leavers.current",
        "Care leavers with a personal adviser contact schedule open now (CL003)",
        cl["current"],
        (CARE_LEAVER_CONTACT,),
    )
    add(
        "care_leavers.in_touch",
        "… in touch (the latest contact within 2 months)",
        cl["in_touch"],
        (CARE_LEAVER_CONTACT,),
    )
    for kind, v in counts["visits"].items():
        rules = tuple(v["rules"])
        add(
            f"visits.{kind}.children_with_visits_due",
            f"{VISIT_LABELS.get(kind, kind)} with a visit due in the period ({', '.join(rules)})",
            v["children_with_visits_due"],
            rules,
        )
        add(
            f"visits.{kind}.visited_within_timescale",
            "… visited within timescale every time",
            v["visited_within_timescale"],
            rules,
        )
    perm = counts["permanence"]
    add(
        "permanence.second_reviews_due_in_period",
        "Second reviews due in the period (LA008)",
        perm["second_reviews_due_in_period"],
        (PERMANENCE_RULE,),
    )
    add(
        "permanence.plan_by_second_review",
        "… with a permanence plan by then",
        perm["plan_by_second_review"],
        (PERMANENCE_RULE,),
    )
    return out
