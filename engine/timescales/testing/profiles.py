"""Hypothesis settings profiles for timescales' property tests, chosen by an environment variable.

``TIMESCALES_HYPOTHESIS_PROFILE=ci`` (the default) is bounded so that a whole property suite runs
in well under two minutes on two cores, and is derandomised: every run tries the same examples,
so CI never flakes. ``thorough`` runs about ten times as many examples (``scaled``) with fresh
randomness each time, for nightly or pre-release runs. The profiles are registered under
namespaced names (``timescales-ci``, ``timescales-thorough``) so they never replace a project's
own ``ci`` profile; ``load_profile()`` makes one the default.

A test takes its settings from the chosen profile without changing hypothesis's global
default (so other tests in the session are untouched)::

    from timescales.testing.profiles import examples

    @examples(300)            # 300 examples under ci, 3000 under thorough
    @given(...)
    def test_something(...): ...

``scaled(n)`` gives the bare number, and ``load_profile()`` makes the chosen profile the global
default instead (what the pytest plugin does when ``TIMESCALES_HYPOTHESIS_PROFILE`` or the ini
setting ``timescales_hypothesis_profile`` asks for it).
"""

from __future__ import annotations

import os
from typing import Any

ENV = "TIMESCALES_HYPOTHESIS_PROFILE"
DEFAULT = "ci"
# profile -> (multiplier for ``scaled``, settings)
PROFILES: dict[str, tuple[int, dict[str, Any]]] = {
    "ci": (
        1,
        {
            "max_examples": 100,
            "derandomize": True,
            "database": None,
            "deadline": None,
            "print_blob": True,
            "stateful_step_count": 25,
        },
    ),
    "thorough": (
        10,
        {
            "max_examples": 1000,
            "derandomize": False,
            "deadline": None,
            "print_blob": True,
            "stateful_step_count": 60,
        },
    ),
}

_registered = False


def name_of(profile: str) -> str:
    """The name a profile is registered under in hypothesis."""
    return f"timescales-{profile}"


def chosen() -> str:
    """The profile the environment asks for (``ci`` when unset). Raises ValueError naming the
    variable and the choices when it names no profile."""
    value = os.environ.get(ENV, "").strip() or DEFAULT
    if value not in PROFILES:
        raise ValueError(f"{ENV}={value!r} is not a profile (choose one of: {', '.join(PROFILES)})")
    return value


def register() -> None:
    """Register every profile with hypothesis (idempotent; makes none of them the default)."""
    global _registered
    if _registered:
        return
    from hypothesis import HealthCheck, settings

    for profile, (_, values) in PROFILES.items():
        settings.register_profile(
            name_of(profile),
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
            **values,
        )
    _registered = True


_active: str | None = None


def load_profile(profile: str | None = None) -> str:
    """Make a profile hypothesis's default (``profile``, else the environment's choice) and
    return its short name. Call it before test modules are imported (a conftest, or the pytest
    plugin does it) so that ``@settings`` decorators inherit from it."""
    global _active
    register()
    from hypothesis import settings

    name = profile or chosen()
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r} (choose one of: {', '.join(PROFILES)})")
    settings.load_profile(name_of(name))
    _active = name
    return name


def active() -> str:
    """The profile loaded by ``load_profile`` (else the one the environment asks for)."""
    return _active or chosen()


def scaled(examples: int) -> int:
    """``examples`` under ``ci``, ten times as many under ``thorough``."""
    return examples * PROFILES[active()][0]


def examples(count: int | None = None, **changes: Any) -> Any:
    """Hypothesis ``settings`` (usable as a decorator) built on the chosen profile, with
    ``count`` examples scaled by it and any other setting changed."""
    register()
    from hypothesis import settings

    if count is not None:
        changes["max_examples"] = scaled(count)
    return settings(settings.get_profile(name_of(active())), **changes)
