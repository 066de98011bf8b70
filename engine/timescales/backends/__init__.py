"""Backends: the ways a rule set runs over children, chosen by name (``--engine``): the
plain-Python evaluator (default) and the durable-rules backend.

Both take the same compiled :class:`~timescales.ruleset.ruleset.RuleSet` and give the same
``ChildResult`` for a child. ``evaluator(name, ruleset)`` returns the function that checks one
record; :mod:`timescales.backends.pool` runs either in worker processes (``--jobs N``; the durable
backend always runs there, so that a crash in durable-rules' C code costs only the child it was
checking).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable

from ..errors import Location, UsageError
from ..records import ChildRecord
from ..ruleset.ruleset import ChildResult, RuleSet

ENGINES = ("python", "durable")
INSTALL_HINT = "pip install 'timescales[durable]'"

Evaluate = Callable[[ChildRecord, dt.date, "Location | None"], ChildResult]


def durable_available() -> bool:
    """True when durable-rules' C module imports here (it builds on Python 3.13 but does not
    import there). Importing it creates no ruleset, thread or other state."""
    if importlib.util.find_spec("durable_rules_engine") is None:
        return False
    try:
        importlib.import_module("durable_rules_engine")
    except ImportError:
        return False
    return True


def require(engine: str) -> None:
    """Raise a UsageError (exit 2 on the command line) naming how to get a missing engine."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if engine == "durable" and not durable_available():
        raise UsageError(
            f"the durable engine needs the durable-rules package: {INSTALL_HINT} "
            "(it builds from source: Python 3.11 or 3.12 and a C compiler)"
        )


def evaluator(engine: str, ruleset: RuleSet) -> Evaluate:
    """The function that checks one record with ``engine``. For ``durable`` this creates
    durable-rules rulesets in the calling process: call it in a worker process (as
    :mod:`timescales.backends.pool` does) unless a crash may take the caller down."""
    require(engine)
    if engine == "durable":
        from .durable import DurableRuleSet

        return DurableRuleSet(ruleset).check

    def python(record: ChildRecord, as_of: dt.date, location: Location | None) -> ChildResult:
        return ruleset.check(record, as_of=as_of, location=location)

    return python
