"""Counts a council must be able to give (the 2015 inspection found one that could not):
assessments completed in the period and how many within 45 working days, care leavers in touch,
children visited within timescale, and permanence plans by the second review.

All are read off the findings, one child at a time; what is kept is a handful of integers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Status

if TYPE_CHECKING:
    from ..evaluation.ruleset import RuleSet

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

    def to_dict(self) -> dict[str, Any]:
        c = self.c
        out: dict[str, Any] = {
            "period": {"from": self.since.isoformat(), "to": self.as_of.isoformat()},
            "assessments": {
                "rule": self.assessment_rule,
                "completed_in_period": c["assessments_completed"],
                "within_45_working_days": c["assessments_within_45_wd"],
                "open_and_overdue": c["assessments_open_overdue"],
            },
            "care_leavers": {
                "rule": CARE_LEAVER_CONTACT,
                "current": c["care_leavers"],
                "in_touch": c["care_leavers_in_touch"],
            },
            "visits": {
                kind: {
                    "rules": list(rules),
                    "children_with_visits_due": c[f"{kind}_children_visits_due"],
                    "visited_within_timescale": c[f"{kind}_children_visited_within_timescale"],
                }
                for kind, rules in self.visit_rules.items()
            },
            "permanence": {
                "rule": PERMANENCE_RULE,
                "second_reviews_due_in_period": c["permanence_due"],
                "plan_by_second_review": c["permanence_by_second_review"],
            },
        }
        return out
