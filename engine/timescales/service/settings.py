"""The service's settings: limits, timeouts, the council, and the optional bearer token.

Immutable. ``Settings.from_env()`` reads the token from ``TIMESCALES_API_TOKEN`` (never from
the command line, where other users of the machine could read it in the process list) and any
``TIMESCALES_SERVICE_*`` overrides of the limits.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..importers.canonical import MAX_LINE_BYTES

MiB = 1024 * 1024
TOKEN_VARIABLE = "TIMESCALES_API_TOKEN"  # noqa: S105 (the name of a variable)
PREFIX = "TIMESCALES_SERVICE_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs besides the rule set. Every limit is per request."""

    la: str | None = None
    plugins: tuple[str, ...] = ()
    # POST /check: the whole JSON body, and how many children it may carry
    max_body_bytes: int = 10 * MiB
    max_records: int = 1_000
    # POST /check/stream: the whole body, how many lines, and one line (one child)
    max_stream_bytes: int = 1024 * MiB
    max_stream_records: int = 1_000_000
    max_line_bytes: int = MAX_LINE_BYTES
    # one child's events (bounded work per child, as the CLI's --max-events)
    max_events: int = 100_000
    # seconds: reading and checking a /check request; a whole /check/stream
    request_timeout: float = 30.0
    stream_timeout: float = 3600.0
    # bearer token required on every endpoint but /health and the OpenAPI schema; None: open
    api_token: str | None = None
    access_log: bool = True

    def __post_init__(self) -> None:
        for name in (
            "max_body_bytes",
            "max_records",
            "max_stream_bytes",
            "max_stream_records",
            "max_line_bytes",
            "max_events",
        ):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be 1 or more", field=name)
        for name in ("request_timeout", "stream_timeout"):
            if not getattr(self, name) > 0:
                raise UsageError(f"{name} must be more than 0 seconds", field=name)
        if self.api_token is not None and len(self.api_token) < 16:
            raise UsageError(
                f"{TOKEN_VARIABLE} must be at least 16 characters (or unset for no auth)",
                field="api_token",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """Settings from ``given`` values, then ``TIMESCALES_SERVICE_<NAME>`` variables (e.g.
        TIMESCALES_SERVICE_MAX_RECORDS=500), then defaults; the token from
        TIMESCALES_API_TOKEN (empty means none)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if item.name in ("la", "plugins", "api_token", "access_log"):
                continue
            raw = env.get(PREFIX + item.name.upper())
            if raw is None:
                continue
            kind = float if item.name.endswith("timeout") else int
            try:
                values[item.name] = kind(raw)
            except ValueError:
                raise UsageError(
                    f"{PREFIX + item.name.upper()} must be a number", field=item.name
                ) from None
        token = env.get(TOKEN_VARIABLE, "").strip()
        values["api_token"] = token or None
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)
