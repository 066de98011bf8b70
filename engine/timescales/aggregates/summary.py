"""The performance picture: aggregates over the findings stream, in one pass.

For every rule (and for all rules together, keyed ``"*"``) and for each team, worker, IRO and
month of the due date the records carry, a :class:`Stats` keeps the children in scope, the
findings by status and a histogram of days late. Memory is bounded by the number of groups (and
the number of distinct whole-day values of lateness within a group), never by the number of
children or findings: nothing per child is kept. Rows that are per child by nature (the
permanence tracker, the breach list) are handed to callbacks, which the reporters spool to disk.

Definitions (docs/reports.md):

- ``% on time`` = met / (met + late + overdue + unmet); pending is excluded (decisions.md).
- ``median`` and ``p90`` days late are over the late and overdue findings (an overdue finding's
  days late run to as_of, or to the case's close); ``unmet`` findings (attribute rules: the
  visit happened but not as required) are breaches with no days late and never enter them.
  Both are computed exactly from a per-group histogram of whole days by linear interpolation
  between closest ranks (Hyndman and Fan type 7: numpy's default and Excel's ``MEDIAN`` /
  ``PERCENTILE.INC``), so a council can reproduce them from the findings in a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

import orjson

from ..findings import UNMET_RULES, Finding, Status
from ..workforce import Workforce
from .counts import CouncilCounts, not_assessable_why
from .permanence import (
    PERMANENCE_RULE,
    PermanenceRow,
    looked_after_period,
    period_not_carried,
    permanence_row,
)
from .workload import Caseloads

if TYPE_CHECKING:
    from ..findings import WorkerFinding
    from ..records import ChildRecord, WorkerRecord
    from ..ruleset.ruleset import ChildResult, RuleSet
    from ..tally import Summary

ALL = "*"  # the rule key of "all rules together"
RATE_DIGITS = 6  # fractions: 0.629349 (62.9349%)
DAYS_DIGITS = 2  # quantiles of days late: 35.4
DIMENSIONS = ("team", "worker", "iro", "month")
STATUSES = ("met", "late", "overdue", "pending", "unmet")
_MET, _LATE, _OVERDUE, _PENDING, _UNMET = (
    Status.MET,
    Status.LATE,
    Status.OVERDUE,
    Status.PENDING,
    Status.UNMET,
)


def quantile(hist: Mapping[int, int], q: float) -> float | None:
    """The q-quantile of the values a histogram counts (value -> count), exactly, by linear
    interpolation between closest ranks (type 7: ``numpy.quantile``, Excel's PERCENTILE.INC).
    None when the histogram is empty."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("q is between 0 and 1")
    n = sum(hist.values())
    if n == 0:
        return None
    h = (n - 1) * q
    lo = math.floor(h)
    frac = h - lo
    want = (lo, min(lo + 1, n - 1))
    found: list[int] = []
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        while len(found) < 2 and want[len(found)] < seen:
            found.append(value)
        if len(found) == 2:
            break
    low, high = found
    return float(low) if frac == 0 else low + frac * (high - low)


class Stats:
    """One group's counts: children in scope, findings by status, a histogram of days late
    (of the late and overdue findings only)."""

    __slots__ = ("children", "days", "late", "met", "overdue", "pending", "unmet")

    def __init__(self) -> None:
        self.children = 0
        self.met = 0
        self.late = 0
        self.overdue = 0
        self.pending = 0
        self.unmet = 0
        self.days: Counter[int] = Counter()  # days late of each late/overdue finding -> how many

    def add(self, status: Status, days_late: int | None) -> None:
        if status is _MET:
            self.met += 1
        elif status is _PENDING:
            self.pending += 1
        elif status is _UNMET:
            self.unmet += 1  # a breach with no days late: not in the histogram
        else:
            if status is _LATE:
                self.late += 1
            else:
                self.overdue += 1
            self.days[days_late or 0] += 1

    def merge(self, other: Stats) -> None:
        self.children += other.children
        self.met += other.met
        self.late += other.late
        self.overdue += other.overdue
        self.pending += other.pending
        self.unmet += other.unmet
        self.days.update(other.days)

    @property
    def findings(self) -> int:
        return self.met + self.late + self.overdue + self.pending + self.unmet

    @property
    def breaches(self) -> int:
        return self.late + self.overdue + self.unmet

    @property
    def due(self) -> int:
        """The findings % on time is over: met and the breaches (pending excluded)."""
        return self.met + self.breaches

    @property
    def on_time(self) -> float | None:
        """met / (met + late + overdue + unmet); pending excluded; None with nothing due yet."""
        due = self.due
        return self.met / due if due else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "children": self.children,
            "findings": self.findings,
            "met": self.met,
            "late": self.late,
            "overdue": self.overdue,
            "pending": self.pending,
            "unmet": self.unmet,
            "on_time": rounded(self.on_time, RATE_DIGITS),
            "median_days_late": rounded(quantile(self.days, 0.5), DAYS_DIGITS),
            "p90_days_late": rounded(quantile(self.days, 0.9), DAYS_DIGITS),
        }


def rounded(value: float | None, digits: int) -> float | None:
    """Rounded for output, so that JSON, XLSX and HTML carry the very same number (a float's
    last binary digit does not survive every writer)."""
    return None if value is None else round(value, digits)


def _is_live(finding: Finding, as_of: dt.date) -> bool:
    """An overdue finding whose case is still open (its days late run to as_of)."""
    return finding.status is _OVERDUE and finding.days_late == (as_of - finding.due).days


# a group: (rule or ALL, "all" or one of DIMENSIONS, the team/worker/IRO/month or "")
Group = tuple[str, str, str]
_INDEX = {Status.MET: 0, Status.LATE: 1, Status.OVERDUE: 2, Status.PENDING: 3, Status.UNMET: 4}
_DAYS = 5  # a tally's list of days late (of its late and overdue findings)
# the rules the report's tiles, counts, caseloads and tracker rest on: each one that cannot be
# assessed here makes its figures "n/a" (with why), never 0
FIGURE_RULES = (
    "AS001",
    "AS002",
    "CL003",
    "IR001",
    "LA002",
    "LA003",
    "LA004",
    "LA005",
    "LA006",
    "LA007",
    "LA008",
    "LA020",
    "PF001",
    "PF002",
    "PF003",
    "PF004",
)
NOT_CHECKED = "not among the rules checked"


class Aggregator:
    """Feed it each child's result (and record, for the tracker and caseloads); read the
    aggregates at the end with :meth:`to_dict`."""

    def __init__(
        self,
        ruleset: RuleSet,
        as_of: dt.date,
        *,
        since: dt.date | None = None,
        iro_list: Mapping[str, float] | None = None,
        on_permanence: Callable[[PermanenceRow], None] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.as_of = as_of
        self.since = since or default_since(as_of)
        if self.since > as_of:
            raise ValueError("the period must start on or before as_of")
        self.groups: dict[Group, Stats] = {}
        self.counts = CouncilCounts(ruleset, as_of, self.since)
        self.caseloads = Caseloads(ruleset, iro_list)
        # the workforce: worker records, their findings, caseloads month by month, targets
        self.workforce = Workforce(ruleset, as_of, self.since, iro_list)
        self.on_permanence = on_permanence
        self.permanence: Counter[str] = Counter()
        self.children = 0  # children checked (with or without findings)
        self.open_overdue = 0  # overdue findings whose case is still open at as_of
        self.names: dict[str, str] = {}  # rule id -> name, for rules seen only in findings
        # worker -> team -> children: to list workers under their teams (bounded by workers)
        self.worker_teams: dict[str, Counter[str]] = {}
        self._months: dict[dt.date, str] = {}  # due date -> "YYYY-MM" (a small cache)

    # -- feeding -------------------------------------------------------------------------------

    def add(self, result: ChildResult, record: ChildRecord | None = None) -> None:
        """One child's findings into every group it belongs to (rule, month of the due date,
        team, worker, IRO), the council's counts, the caseloads and the permanence tracker."""
        self.children += 1
        findings = result.findings
        team = record.team if record is not None else None
        worker = record.worker if record is not None else None
        if record is None and findings:
            team, worker = findings[0].team, findings[0].worker
        iro = result.iro
        if worker:
            teams = self.worker_teams.get(worker)
            if teams is None:
                teams = self.worker_teams[worker] = Counter()
            teams[team or ""] += 1
        period = None
        if record is not None:
            period = looked_after_period(record, self.as_of)
            if iro is None and period is not None:
                iro = period.iro
        self._merge(self._groups_of(self._tallies(findings), team, worker, iro))
        self.counts.add(findings)
        open_overdue = sum(1 for f in findings if _is_live(f, self.as_of))
        self.open_overdue += open_overdue
        live = open_overdue > 0 or any(f.status is _PENDING for f in findings)
        self.caseloads.add(worker=worker, live=live)
        self.workforce.add_child(result, record)
        if record is not None and period is not None:
            self._track(permanence_row(record, period, result))

    def _tallies(self, findings: Iterable[Finding]) -> dict[tuple[str, str], list[Any]]:
        """One child's findings by rule and month of the due date; a tally is
        [met, late, overdue, pending, unmet, [days late of each late or overdue finding]]."""
        local: dict[tuple[str, str], list[Any]] = {}
        months = self._months
        names = self.names
        for f in findings:
            due = f.due
            month = months.get(due)
            if month is None:
                month = months[due] = due.isoformat()[:7]
                if len(months) > 50_000:  # a cache, not a store: keep it small
                    months.clear()
            index = _INDEX[f.status]
            key = (f.rule, month)
            tally = local.get(key)
            if tally is None:
                tally = local[key] = [0, 0, 0, 0, 0, []]
                if f.rule not in names:
                    names[f.rule] = f.name
            tally[index] += 1
            if index == 1 or index == 2:  # late or overdue: unmet has no days late
                tally[_DAYS].append(f.days_late or 0)
        return local

    @staticmethod
    def _groups_of(
        local: dict[tuple[str, str], list[Any]],
        team: str | None,
        worker: str | None,
        iro: str | None,
    ) -> list[tuple[Group, list[Any]]]:
        """A child's tallies folded by rule, by month and in total, each with the groups it
        goes to."""
        by_rule: dict[str, list[Any]] = {}
        merges: list[tuple[Group, list[Any]]] = [
            ((rule, "month", month), tally) for (rule, month), tally in local.items()
        ]
        if local:
            by_month: dict[str, list[Any]] = {}
            total: list[Any] = [0, 0, 0, 0, 0, []]
            for (rule, month), tally in local.items():
                for fold in (
                    by_rule.get(rule) or by_rule.setdefault(rule, [0, 0, 0, 0, 0, []]),
                    by_month.get(month) or by_month.setdefault(month, [0, 0, 0, 0, 0, []]),
                    total,
                ):
                    fold[0] += tally[0]
                    fold[1] += tally[1]
                    fold[2] += tally[2]
                    fold[3] += tally[3]
                    fold[4] += tally[4]
                    fold[_DAYS].extend(tally[_DAYS])
            by_rule[ALL] = total
            merges.extend(((ALL, "month", month), tally) for month, tally in by_month.items())
        for rule, tally in by_rule.items():
            merges.append(((rule, "all", ""), tally))
            if team:
                merges.append(((rule, "team", team), tally))
            if worker:
                merges.append(((rule, "worker", worker), tally))
            if iro:
                merges.append(((rule, "iro", iro), tally))
        return merges

    def _merge(self, merges: list[tuple[Group, list[Any]]]) -> None:
        groups = self.groups
        for group, tally in merges:
            stats = groups.get(group)
            if stats is None:
                stats = groups[group] = Stats()
            stats.children += 1
            stats.met += tally[0]
            stats.late += tally[1]
            stats.overdue += tally[2]
            stats.pending += tally[3]
            stats.unmet += tally[4]
            if tally[_DAYS]:
                stats.days.update(tally[_DAYS])  # Counter.update over a list: counted in C

    def _track(self, row: PermanenceRow) -> None:
        self.permanence["looked_after"] += 1
        self.permanence["with_plan"] += row.plan
        if not row.plan and row.status in ("late", "overdue"):
            self.permanence["without_plan_past_due"] += 1
        if self.on_permanence is not None:
            self.on_permanence(row)

    def add_worker(self, record: WorkerRecord) -> None:
        """One worker record (``Pipeline.on_worker``): the workforce section judges it."""
        self.workforce.add_worker(record)

    def worker_findings(self) -> list[WorkerFinding]:
        """The worker findings (``check --workforce FILE``), by worker, rule and anchor."""
        return self.workforce.findings()

    def stream(self, pairs: Iterable[tuple[ChildRecord, ChildResult]]) -> Iterator[Finding]:
        """The run's findings, in order, aggregating each child's as it passes: ``pairs`` are
        the pipeline's ``(record, result)`` pairs (``Pipeline.checked``)."""
        for record, result in pairs:
            self.add(result, record)
            yield from result.findings

    # -- reading -------------------------------------------------------------------------------

    @property
    def group_count(self) -> int:
        return len(self.groups)

    def stats(self, rule: str = ALL, dimension: str = "all", key: str = "") -> Stats:
        return self.groups.get((rule, dimension, key)) or Stats()

    def rate(self, rules: Iterable[str]) -> tuple[float | None, int]:
        """% on time over several rules together, and how many findings were due."""
        total = Stats()
        for rule in rules:
            total.merge(self.stats(rule))
        return total.on_time, total.due

    def rule_info(self, rule: str) -> dict[str, Any]:
        found = self.ruleset.by_id.get(rule)
        if found is None:
            return {"rule": rule, "name": self.names.get(rule, ""), "title": "", "family": ""}
        return {
            "rule": rule,
            "name": found.name,
            "title": found.title,
            "family": found.family,
            "citation": found.references[0].href,
            "citations": [ref.href for ref in found.references],
            "provision": found.law.provision if found.law is not None else None,
            "reference": found.references[0].title,
        }

    def unassessable(self, summary: Summary | None = None) -> dict[str, str]:
        """Rules that could not be assessed in this run, with why: the inputs cannot feed them
        (the run's ``not_assessable``), they cannot run in this rule set (``inactive``), or, for
        the rules the report's figures rest on (FIGURE_RULES), they were not among the rules
        checked. Their figures are "n/a", never 0."""
        why: dict[str, str] = {}
        if summary is not None:
            why.update(summary.not_assessable)
        for rule, reason in self.inactive(summary).items():
            why.setdefault(rule, reason)
        checked = set(self.ruleset.ids()) if self.ruleset.report is None else self.ruleset.report
        for rule in FIGURE_RULES:
            if rule not in checked:
                why.setdefault(rule, NOT_CHECKED)
        return dict(sorted(why.items()))

    def inactive(self, summary: Summary | None = None) -> dict[str, str]:
        """Rules that cannot run in this rule set (no school term dates, a council setting
        unset), with why: those of the rules the run loaded, before the inputs narrowed them,
        as the console's "inactive:" lines give them."""
        loaded = summary.context.rules if summary is not None else None
        inactive: Mapping[str, str] = getattr(loaded, "inactive", None) or self.ruleset.inactive
        return dict(sorted(inactive.items()))

    def to_dict(self, summary: Summary | None = None) -> dict[str, Any]:
        """JSON-ready aggregates: the contract of ``check --aggregates``, the XLSX sheets and
        the HTML report (docs/reports.md lists every field)."""
        rules = sorted({g[0] for g in self.groups if g[0] != ALL})
        unassessable = self.unassessable(summary)
        unmet_na = not_assessable_why(unassessable, UNMET_RULES) is not None

        def figures(rule: str, stats: Stats) -> dict[str, Any]:
            row = stats.to_dict()
            if rule == ALL and unmet_na:
                row["unmet"] = None  # n/a: no rule that could find one was assessed
            return row

        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "period": {"from": self.since.isoformat(), "to": self.as_of.isoformat()},
            "la": self.ruleset.la,
            "children_checked": self.children,
            "overall": figures(ALL, self.stats()),
            "overdue_open": self.open_overdue,
            "rules": [{**self.rule_info(r), **self.stats(r).to_dict()} for r in rules],
        }
        for dimension in DIMENSIONS:
            rows = [
                {"rule": rule, dimension: key, **figures(rule, stats)}
                for (rule, dim, key), stats in self.groups.items()
                if dim == dimension
            ]
            rows.sort(key=lambda row: (row["rule"] != ALL, row["rule"], row[dimension]))
            out[f"by_{dimension}"] = rows
        out["worker_teams"] = {
            worker: max(sorted(teams), key=lambda t: teams[t]) or None
            for worker, teams in sorted(self.worker_teams.items())
        }
        out["targets"] = self.targets()
        sections = self.workforce.caseload_sections()
        out["caseloads"] = self.caseloads.to_dict(sections)
        out["counts"] = self.counts.to_dict(unassessable)
        # n/a (null) with why: the count when the inputs cannot carry a period of care, the
        # plans when LA008 is not assessable
        period_why = None
        if summary is not None and not self.permanence["looked_after"]:
            period_why = period_not_carried(summary.not_assessable)
        plan_why = period_why or not_assessable_why(unassessable, (PERMANENCE_RULE,))
        out["permanence"] = {
            "looked_after": None if period_why else self.permanence["looked_after"],
            "with_plan": None if plan_why else self.permanence["with_plan"],
            "without_plan_past_due": (
                None if plan_why else self.permanence["without_plan_past_due"]
            ),
            "why": plan_why,
        }
        out["not_assessable"] = unassessable
        loaded_rules: Any = summary.context.rules if summary is not None else None
        out["workforce"] = self.workforce.to_dict(unassessable, loaded_rules)
        # the same with each rule's name and title (from the rules the run loaded, before the
        # inputs narrowed them), for the report's banner and the workbook
        loaded = summary.context.rules if summary is not None else None
        by_id = loaded.by_id if loaded is not None else self.ruleset.by_id
        out["not_assessable_rules"] = [
            {
                "rule": rule,
                "name": by_id[rule].name if rule in by_id else "",
                "title": by_id[rule].title if rule in by_id else "",
                "why": why,
            }
            for rule, why in unassessable.items()
        ]
        if summary is not None:
            out["run"] = {
                "read": summary.read,
                "checked": summary.checked,
                "rejected": summary.rejected,
                "events_after_as_of": summary.events_after_as_of,
                "data_quality_notes": sum(summary.quality.values()),
                "not_assessable": dict(sorted(summary.not_assessable.items())),
                "inactive": self.inactive(summary),
                "completeness": summary.completeness(),
            }
        return out

    def targets(self) -> list[dict[str, Any]]:
        rows = []
        for target in self.ruleset.targets:
            rate, due = self.rate(target.rules)
            rows.append(
                {
                    "name": target.name,
                    "title": target.title,
                    "rules": list(target.rules),
                    "target": target.target,
                    "measured": rounded(rate, RATE_DIGITS),
                    "due": due,
                    "met": None if rate is None else rate >= target.target,
                    "citation": target.references[0].href,
                }
            )
        return rows


def default_since(as_of: dt.date) -> dt.date:
    """The default reporting period: the twelve months ending on as_of."""
    from ..calendar import add_months

    return add_months(as_of, -12) + dt.timedelta(days=1)


class Spool:
    """Rows written to a temporary file as JSON Lines and read back once: per-child lists
    (breaches, the permanence tracker) without holding them in memory."""

    def __init__(self) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.count = 0

    def add(self, row: Any) -> None:
        self._fh.write(orjson.dumps(row))
        self._fh.write(b"\n")
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            yield orjson.loads(line)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
