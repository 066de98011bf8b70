"""Property-based tests of the HTTP service from its own OpenAPI schema (schemathesis): for
bounded numbers of generated requests per operation, no 5xx, and every answer conforms to the
schema (status codes, content types, bodies)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from servicekit import live, ruleset

from timescales.service import Settings, create_app

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

NDJSON = "application/x-ndjson"


@schemathesis.serializer(NDJSON)
def _json_lines(ctx, value) -> bytes:
    """The stream's body: the schema's array, one element a line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


@schemathesis.deserializer(NDJSON)
def _lines(ctx, response) -> list:
    return [json.loads(line) for line in response.content.splitlines() if line.strip()]


SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(), ruleset=ruleset()).openapi())


@pytest.fixture(scope="module")
def server():
    with live() as running:
        yield running


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_and_never_fails(case, server) -> None:
    case.call_and_validate(base_url=server.url, checks=CHECKS)
