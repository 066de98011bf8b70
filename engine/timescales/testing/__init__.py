"""Tools for people who write rules.

* ``fixtures`` — the fixture loader and runner (``tests/rules/<ID>/{pass,fail}/*.yaml``), and
  the limit mutations a rule's fixtures must notice (``mutations``, ``uncaught_mutations``).
* ``strategies`` — hypothesis strategies: ``dates()``, ``events()``, ``child_records()``,
  ``as_of_dates()``, ``rules()``, ``rule_sets()``, ``with_new_fields()``, ``school_terms()``.
* ``reference`` — a naive reference evaluator to compare the engine with (``ReferenceModel``).
* ``profiles`` — hypothesis settings profiles chosen by ``TIMESCALES_HYPOTHESIS_PROFILE``.
* ``pytest_plugin`` — the pytest plugin (entry point ``pytest11``) that collects rule fixtures
  as test items and offers the strategies as fixtures.

hypothesis and pytest are in the ``testing`` extra. Importing this package needs neither: the
modules that need them are imported on first use, e.g. ``timescales.testing.child_records`` or
``from timescales.testing import strategies``.
"""

from __future__ import annotations

import importlib
from typing import Any

from .fixtures import (
    FixtureCase,
    FixtureError,
    compare,
    load_cases,
    mutate,
    mutations,
    run_case,
    uncaught_mutations,
)

_LAZY = {
    "strategies": ("strategies", None),
    "reference": ("reference", None),
    "profiles": ("profiles", None),
    "dates": ("strategies", "dates"),
    "events": ("strategies", "events"),
    "child_records": ("strategies", "child_records"),
    "as_of_dates": ("strategies", "as_of_dates"),
    "rules": ("strategies", "rules"),
    "rule_sets": ("strategies", "rule_sets"),
    "school_terms": ("strategies", "school_terms"),
    "with_new_fields": ("strategies", "with_new_fields"),
    "ReferenceModel": ("reference", "ReferenceModel"),
    "RefFinding": ("reference", "RefFinding"),
}

__all__ = [
    "FixtureCase",
    "FixtureError",
    "RefFinding",
    "ReferenceModel",
    "as_of_dates",
    "child_records",
    "compare",
    "dates",
    "events",
    "load_cases",
    "mutate",
    "mutations",
    "profiles",
    "reference",
    "rule_sets",
    "rules",
    "run_case",
    "school_terms",
    "strategies",
    "uncaught_mutations",
    "with_new_fields",
]


def __getattr__(name: str) -> Any:
    """Import the strategies, the reference model and the profiles only when asked for."""
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    return module if attr is None else getattr(module, attr)
