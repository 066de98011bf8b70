"""timescales: check English children's social care case records against statutory timescales.

>>> import datetime as dt, timescales
>>> ruleset = timescales.load_rules()                  # compile once
>>> result = ruleset.check(record, as_of=dt.date(2024, 3, 31))
>>> [f.to_dict() for f in result.findings]
"""

from __future__ import annotations

from .api import Checked, check_stream, check_workers, parse_record
from .errors import InputError, Location, RecordError, RuleError, TimescalesError, UsageError
from .explain import Explanation, explain
from .findings import DataQualityFinding, Finding, Status, WorkerFinding
from .pipeline import Pipeline, Run, Summary, check
from .records import ChildRecord, Event, WorkerRecord, json_schema
from .ruleset.pack import load_rules
from .ruleset.ruleset import ChildResult, RuleSet
from .version import __version__

__all__ = [
    "Checked",
    "ChildRecord",
    "ChildResult",
    "DataQualityFinding",
    "Event",
    "Explanation",
    "Finding",
    "InputError",
    "Location",
    "Pipeline",
    "RecordError",
    "RuleError",
    "RuleSet",
    "Run",
    "Status",
    "Summary",
    "TimescalesError",
    "UsageError",
    "WorkerFinding",
    "WorkerRecord",
    "__version__",
    "check",
    "check_stream",
    "check_workers",
    "explain",
    "json_schema",
    "load_rules",
    "parse_record",
]
