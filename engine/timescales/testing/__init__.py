"""Tools for people who write rules: the fixture loader and runner (``fixtures``).

Hypothesis strategies and the pytest plugin build on these; hypothesis and pytest are in the
``testing`` extra and are imported only by the modules that need them.
"""

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

__all__ = [
    "FixtureCase",
    "FixtureError",
    "compare",
    "load_cases",
    "mutate",
    "mutations",
    "run_case",
    "uncaught_mutations",
]
