"""timescales: check English children's social care case records against statutory timescales.

>>> import datetime as dt, timescales
>>> ruleset = timescales.load_rules()                  # compile once
>>> result = ruleset.check(record, as_of=dt.date(2024, 3, 31))
>>> [f.to_dict() for f in result.findings]

The names below are imported when first used (PEP 562), so that ``import timescales`` (and the
command line, which lives in a submodule) does not pay for the rule engine, pydantic models or
the holiday tables until a command needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .api import Checked, check_stream, check_workers, parse_record
    from .errors import InputError, Location, RecordError, RuleError, TimescalesError, UsageError
    from .explain import Explanation, explain
    from .findings import DataQualityFinding, Finding, Status, WorkerFinding
    from .pipeline import Pipeline, Run, Summary, check
    from .records import ChildRecord, Event, WorkerRecord, json_schema
    from .ruleset.pack import load_rules
    from .ruleset.ruleset import ChildResult, RuleSet

# public name -> the module it lives in (relative to this package)
_LAZY = {
    "Checked": ".api",
    "check_stream": ".api",
    "check_workers": ".api",
    "parse_record": ".api",
    "InputError": ".errors",
    "Location": ".errors",
    "RecordError": ".errors",
    "RuleError": ".errors",
    "TimescalesError": ".errors",
    "UsageError": ".errors",
    "Explanation": ".explain",
    "explain": ".explain",
    "DataQualityFinding": ".findings",
    "Finding": ".findings",
    "Status": ".findings",
    "WorkerFinding": ".findings",
    "Pipeline": ".pipeline",
    "Run": ".pipeline",
    "Summary": ".pipeline",
    "check": ".pipeline",
    "ChildRecord": ".records",
    "Event": ".records",
    "json_schema": ".records",
    "WorkerRecord": ".records",
    "load_rules": ".ruleset.pack",
    "ChildResult": ".ruleset.ruleset",
    "RuleSet": ".ruleset.ruleset",
}

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use (then kept in this module)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'timescales' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package module: a public name that is also a submodule's name (``explain``) stays
    the public function when the submodule is imported (the import system sets the package's
    attribute to the submodule, which would shadow the function)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
            and _LAZY.get(name) == f".{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
