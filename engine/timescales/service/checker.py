"""One request's checking through the pipeline: its findings as JSON (filtered and explained as
asked), its data-quality notes, and its summary, read from the pipeline's tally."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import Location
from ..explain import explain as explain_finding
from ..findings import DataQualityFinding, Finding
from ..pipeline import Pipeline, Summary
from ..records import ChildRecord
from ..ruleset.ruleset import RuleSet
from .settings import Settings


@dataclass(slots=True)
class Checker:
    """Checks records for one request against the service's rule set (called in a thread),
    through the pipeline: its guard, its evaluation and its tally (``Pipeline.summary``), the
    same as the CLI's."""

    ruleset: RuleSet
    settings: Settings
    as_of: dt.date
    rules: frozenset[str] | None  # only the findings of these rules (None: every rule)
    explain: bool
    deadline: float  # time.monotonic() after which the request gives up
    notes: list[DataQualityFinding] = field(default_factory=list, init=False)
    run: Pipeline = field(init=False)

    def __post_init__(self) -> None:
        self.run = Pipeline(
            self.ruleset,
            self.as_of,
            max_events=self.settings.max_events,
            max_events_option=None,
            on_reject=_drop,  # a rejection is answered where it happens
            on_quality=self.notes.append,
        )

    @property
    def tally(self) -> Summary:
        return self.run.summary

    def one(
        self, record: ChildRecord, where: Location
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(findings, quality notes) of one child; RecordError when it cannot be checked."""
        self.notes.clear()
        result = self.run.check_one(record, where)
        return self.findings(result.findings), self.quality()

    def findings(self, found: Iterable[Finding]) -> list[dict[str, Any]]:
        """The findings of the rules asked for, as JSON-ready dicts (explained if asked)."""
        out = []
        for finding in found:
            if self.rules is not None and finding.rule not in self.rules:
                continue
            data = finding.to_dict()
            if self.explain:
                data["explanation"] = explain_finding(finding, self.ruleset).to_dict()
            out.append(data)
        return out

    def quality(self) -> list[dict[str, Any]]:
        """The data-quality notes handed on since the last call."""
        notes = [note.to_dict() for note in self.notes]
        self.notes.clear()
        return notes

    def summary(self) -> dict[str, int]:
        """The response's summary: the pipeline's tally (findings of the rules asked for)."""
        tally = self.tally
        return {
            "read": tally.read,
            "checked": tally.checked,
            "rejected": tally.rejected,
            **tally.statuses(self.rules),
        }

    def log(self) -> dict[str, int]:
        """The counts for the access log."""
        tally = self.tally
        return {
            "records": tally.read,
            "findings": sum(tally.statuses(self.rules).values()),
            "rejected": tally.rejected,
        }

    def expired(self) -> bool:
        return time.monotonic() > self.deadline


def _drop(_: object) -> None:
    """A sink that keeps nothing."""
