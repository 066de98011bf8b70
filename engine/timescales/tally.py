"""The tally of one run: every count any output reports.

The pipeline keeps one :class:`Summary` per run; the CLI's summary line, the report's banner,
the workbook's "Data completeness" sheet and the service's summary all read it, so they cannot
disagree. ``read = checked + rejected`` always holds, and rows reconcile per source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .contract import ImportContext
from .findings import BREACHES, UNMET_RULES, Status


@dataclass(slots=True)
class Summary:
    """The tally of one run: every count any output reports (the CLI's line, the report's
    banner, the workbook, the service's summary)."""

    read: int = 0
    checked: int = 0
    rejected: int = 0
    events_after_as_of: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rule, status)
    quality: Counter[str] = field(default_factory=Counter)
    formats: dict[str, str] = field(default_factory=dict)
    rows_rejected: int = 0
    context: ImportContext = field(default_factory=ImportContext)
    # rule id -> why it cannot be assessed from these inputs (reported once, never "overdue")
    not_assessable: dict[str, str] = field(default_factory=dict)
    # inputs that could not be read at all (InputError): reported, and the run went on
    unreadable: int = 0
    # (rule, why) -> instances not assessed: the law in force on their clock date set no date
    # to breach (a duty relaxed to "as soon as reasonably practicable")
    not_assessed: Counter[tuple[str, str]] = field(default_factory=Counter)
    # findings of children whose known history starts inside the period the rules look at
    # (``partial_history``): certain, but earlier events are missing from the input
    partial_history: int = 0
    # files or sheets the format does not know, skipped (each also a ``--rejects`` row), and
    # documentation (covers, notes, READMEs) skipped with a notice
    files_skipped: int = 0
    documentation_skipped: int = 0
    # known tables rejected whole (a required column missing): their rows count as rejected
    tables_rejected: int = 0
    # worker records checked (the workforce rules); ``read``, ``checked`` and ``rejected`` count
    # children only (a bad worker record is a rejected row of its input)
    workers: int = 0

    @property
    def rows(self) -> tuple[int, int, int]:
        """(read, used, rejected) over every source an importer counted rows for."""
        stats = self.context.stats
        return (
            sum(s.rows_read for s in stats),
            sum(s.rows_used for s in stats),
            sum(s.rows_rejected for s in stats),
        )

    @property
    def breaches(self) -> int:
        """Late, overdue and unmet findings: any makes ``check`` exit 1."""
        return sum(self.findings[s.value] for s in BREACHES)

    def on_time_rate(self, rules: Iterable[str]) -> tuple[float | None, int]:
        """met / (met + late + overdue + unmet) over these rules (pending excluded), and the
        count."""
        met = breaches = 0
        for rule in rules:
            met += self.by_rule[(rule, "met")]
            breaches += sum(self.by_rule[(rule, s.value)] for s in BREACHES)
        total = met + breaches
        return (met / total if total else None), total

    def unmet_na(self) -> bool:
        """Whether this run's count of unmet findings is n/a: no rule that can find one
        (UNMET_RULES) was assessed (not in the rules checked, not assessable from the inputs, or
        inactive), as the aggregates' ``overall.unmet`` is null then."""
        rules = self.context.rules
        if rules is None or self.findings[Status.UNMET.value]:
            return False
        report = getattr(rules, "report", None)
        inactive = getattr(rules, "inactive", None) or {}
        return not any(
            rule in rules.by_id
            and (report is None or rule in report)
            and rule not in self.not_assessable
            and rule not in inactive
            for rule in UNMET_RULES
        )

    def line(self) -> str:
        na = self.unmet_na()
        statuses = ", ".join(
            f"{status} n/a" if na and status == Status.UNMET.value else f"{n} {status}"
            for status, n in self.statuses().items()
        )
        text = (
            f"children read {self.read}, checked {self.checked}, rejected {self.rejected}; "
            f"findings: {statuses}"
        )
        if self.context.stats:
            read, used, rejected = self.rows
            text += f"; rows read {read}, used {used}, rejected {rejected}"
        extras = (
            ("worker records", self.workers),
            ("data-quality notes", sum(self.quality.values())),
            ("events after as-of ignored", self.events_after_as_of),
            ("inputs unreadable", self.unreadable),
            ("files skipped", self.files_skipped),
            ("tables rejected", self.tables_rejected),
            ("not assessed", sum(self.not_assessed.values())),
            ("findings with partial history", self.partial_history),
        )
        text += "".join(f"; {label} {n}" for label, n in extras if n)
        return text

    def completeness(self) -> dict[str, Any]:
        """How complete the run's data were, for the report's banner and the workbook's "Data
        completeness" sheet: the very counts :meth:`line` prints, so the console, the report
        and the workbook cannot disagree. JSON-ready."""
        read, used, rejected = self.rows
        findings = sum(self.findings.values())
        return {
            "inputs": [{"path": path, "format": fmt} for path, fmt in self.formats.items()],
            "unreadable": self.unreadable,
            "files_skipped": self.files_skipped,
            "documentation_skipped": self.documentation_skipped,
            "tables_rejected": self.tables_rejected,
            "children": {"read": self.read, "checked": self.checked, "rejected": self.rejected},
            "workers": self.workers,
            "rows": (
                {"read": read, "used": used, "rejected": rejected} if self.context.stats else None
            ),
            "sources": [
                {
                    "source": s.source,
                    "read": s.rows_read,
                    "used": s.rows_used,
                    "rejected": s.rows_rejected,
                }
                for s in self.context.stats
            ],
            "findings": findings,
            "partial_history": self.partial_history,
            "partial_history_share": (
                round(self.partial_history / findings, 6) if findings else None
            ),
            "not_assessable": dict(sorted(self.not_assessable.items())),
            "not_assessed": [
                {"rule": rule, "why": why, "count": n}
                for (rule, why), n in sorted(self.not_assessed.items())
            ],
            "not_assessed_total": sum(self.not_assessed.values()),
            "data_quality_notes": sum(self.quality.values()),
            "events_after_as_of": self.events_after_as_of,
        }

    def rejects_over(self, limit: str | None) -> str | None:
        """Why the rejections exceed ``--max-rejects`` (N, or N%), or None when they do not.

        N counts rejected children and rejected rows together; N% is compared with the share
        of children rejected (of those read) and with the share of rows rejected (of the rows
        read), and either above it is too many. Raises ValueError for a malformed limit."""
        if limit is None:
            return None
        text = limit.strip()
        rows_read, _, rows_rejected = self.rows
        if text.endswith("%"):
            share = float(text[:-1])
            if not 0 <= share <= 100:
                raise ValueError(limit)
            over = []
            if self.read and 100.0 * self.rejected / self.read > share:
                over.append(
                    f"{self.rejected:,} of {self.read:,} children rejected "
                    f"({100.0 * self.rejected / self.read:.1f}%)"
                )
            if rows_read and 100.0 * rows_rejected / rows_read > share:
                over.append(
                    f"{rows_rejected:,} of {rows_read:,} rows rejected "
                    f"({100.0 * rows_rejected / rows_read:.1f}%)"
                )
            return f"{' and '.join(over)}, above --max-rejects {text}" if over else None
        count = int(text)
        if count < 0:
            raise ValueError(limit)
        total = self.rejected + rows_rejected
        if total > count:
            return (
                f"{total:,} rejected ({self.rejected:,} children, {rows_rejected:,} rows), "
                f"above --max-rejects {count}"
            )
        return None

    def statuses(self, rules: frozenset[str] | None = None) -> dict[str, int]:
        """Findings by status, in ``Status`` order; ``rules``: of these rules only."""
        if rules is None:
            return {s.value: self.findings[s.value] for s in Status}
        return {s.value: sum(self.by_rule[(r, s.value)] for r in rules) for s in Status}

    def not_assessed_lines(self) -> list[str]:
        """One line per rule and reason: instances not assessed (the law then in force set no
        date to breach, or the clock lies outside the history the data holds)."""
        return [
            f"{rule}: {n} not assessed ({why})"
            for (rule, why), n in sorted(self.not_assessed.items())
        ]
