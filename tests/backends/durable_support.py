"""The durable-rules backend is an optional extra: its tests skip loudly when it is missing
locally, and fail under CI=true (CI installs it with the dev extra)."""

from __future__ import annotations

import os

import pytest

from timescales.backends import durable_available


def need_durable() -> None:
    if durable_available():
        return
    reason = "durable-rules is not installed (pip install 'timescales[durable]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the differential test: {reason}")
    pytest.skip(reason)
