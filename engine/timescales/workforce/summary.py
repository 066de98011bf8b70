"""The aggregates' ``workforce`` section: the worker records checked, the workforce rules and
whether each could be assessed, worker findings on time (per rule, in all and per team),
caseloads month by month, recruitment targets, and the workers whose supervision is due.
docs/reports.md gives the shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..findings import Status, WorkerFinding
from ..kinds.workforce import caseload_rules, interval_rules, target_rules, timed_rules
from ..records import WorkerRecord
from .caseloads import Caseloads, snapshot_dates
from .evaluate import evaluate, uncarried
from .targets import target_rows

if TYPE_CHECKING:
    from ..records import ChildRecord
    from ..ruleset.ruleset import ChildResult, RuleSet

RATE_DIGITS = 6
NOTHING_DUE = "nothing was due"


class Workforce:
    """Feed it each child (``add_child``, for the caseloads counted from children) and each
    worker record (``add_worker``: a council's staff are few, so they are kept); read
    ``findings`` and ``to_dict`` at the end."""

    def __init__(
        self,
        ruleset: RuleSet,
        as_of: dt.date,
        since: dt.date,
        iro_list: Mapping[str, float] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.as_of = as_of
        self.iro_list = dict(iro_list or {})
        self.caseload_rules = caseload_rules(ruleset.workforce)
        self.caseloads = Caseloads(self.caseload_rules, snapshot_dates(since, as_of), iro_list)
        self.workers: list[WorkerRecord] = []
        self._findings: list[WorkerFinding] | None = None

    def add_child(self, result: ChildResult | None, record: ChildRecord | None) -> None:
        if self.caseload_rules:
            self.caseloads.add(result, record)

    def add_worker(self, record: WorkerRecord) -> None:
        self.workers.append(record)
        self._findings = None

    def findings(self) -> list[WorkerFinding]:
        """The worker findings (by worker id, rule id, anchor)."""
        if self._findings is None:
            self._findings = evaluate(self.ruleset, self.workers, self.as_of)
        return self._findings

    def caseload_sections(self) -> list[dict[str, Any]]:
        return [self.caseloads.rows(rule, self.workers) for rule in self.caseload_rules]

    def rules(
        self, unassessable: Mapping[str, str], loaded: RuleSet | None = None
    ) -> list[dict[str, Any]]:
        """Each workforce rule the run loaded (``loaded``: before the inputs narrowed them to
        the assessable ones), whether it could be assessed here, and why not."""
        roles = {w.role for w in self.workers}
        caseloads = {r.id for r in caseload_rules((loaded or self.ruleset).workforce)}
        silent = uncarried((loaded or self.ruleset).workforce, self.workers)
        rows = []
        for rule in (loaded or self.ruleset).workforce:
            why = unassessable.get(rule.id) or silent.get(rule.id)
            counted_from_children = rule.id in caseloads
            if why is None and not counted_from_children and not roles & set(rule.roles):
                why = "no worker records of role " + ", ".join(rule.roles) + " in the input"
            rows.append(
                {
                    "rule": rule.id,
                    "name": rule.name,
                    "kind": rule.kind,
                    "assessed": why is None,
                    "why": why,
                }
            )
        for unset in self.ruleset.unsettled:
            rows.append(
                {
                    "rule": unset.id,
                    "name": unset.name,
                    "kind": unset.kind,
                    "assessed": False,
                    "why": unset.why,
                }
            )
        rows.sort(key=lambda r: str(r["rule"]))
        return rows

    def timeliness(self, not_assessed: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Per interval or deadline rule: the findings by status and % on time, for all teams
        (team null) and per team. A rule not assessed here (``not_assessed``: rule -> why, as
        ``rules`` gives it) has every figure null with ``why``: n/a, never 0. ``why`` is also
        set when only % on time is null (nothing was due)."""
        not_assessed = not_assessed or {}
        groups: dict[tuple[str, str | None], Counter[str]] = {}
        for rule in timed_rules(self.ruleset.workforce):
            groups[(rule.id, None)] = Counter()
        for f in self.findings():
            for team in (None, f.team) if f.team else (None,):
                groups.setdefault((f.rule, team), Counter())[f.status.value] += 1
        names = {r.id: r.name for r in self.ruleset.workforce}
        rows = []
        for (rule_id, team), counts in sorted(
            groups.items(), key=lambda g: (g[0][0], g[0][1] or "")
        ):
            due = counts["met"] + counts["late"] + counts["overdue"]
            na = rule_id in not_assessed and not counts
            figures: dict[str, Any] = {
                status: None if na else counts[status]
                for status in ("met", "late", "overdue", "pending")
            }
            rows.append(
                {
                    "rule": rule_id,
                    "name": names.get(rule_id, ""),
                    "team": team,
                    **figures,
                    "on_time": round(counts["met"] / due, RATE_DIGITS) if due else None,
                    "why": not_assessed[rule_id] if na else None if due else NOTHING_DUE,
                }
            )
        return rows

    def supervision_due(self) -> list[dict[str, Any]]:
        """Workers in post at as_of whose next interval step (supervision) is not done yet:
        pending or overdue, with the last one held (null: none since the start)."""
        intervals = {r.id for r in interval_rules(self.ruleset.workforce)}
        employed = {w.worker for w in self.workers if w.employed_on(self.as_of)}
        starts = {w.worker: w.started for w in self.workers}
        rows = []
        for f in self.findings():
            if f.rule not in intervals or f.done is not None or f.worker not in employed:
                continue
            last = None if f.anchor == starts.get(f.worker) else f.anchor
            rows.append(
                {
                    "worker": f.worker,
                    "team": f.team,
                    "rule": f.rule,
                    "last": last.isoformat() if last else None,
                    "due": f.due.isoformat(),
                    "status": "overdue" if f.status is Status.OVERDUE else "pending",
                }
            )
        return rows

    def to_dict(
        self, unassessable: Mapping[str, str] | None = None, loaded: RuleSet | None = None
    ) -> dict[str, Any]:
        targets = target_rules(self.ruleset.workforce)
        rules = self.rules(unassessable or {}, loaded)
        not_assessed = {r["rule"]: r["why"] or "not assessed" for r in rules if not r["assessed"]}
        return {
            "workers": len(self.workers),
            "rules": rules,
            "timeliness": self.timeliness(not_assessed),
            "caseloads": self.caseload_sections(),
            "targets": target_rows(targets, self.workers, self.as_of),
            "supervision_due": self.supervision_due(),
        }
