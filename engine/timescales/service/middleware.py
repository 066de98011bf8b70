"""Pure ASGI middleware: structured access log, bearer-token auth, request body limits.

Written against the ASGI interface (not Starlette's BaseHTTPMiddleware) so that streamed
responses pass through untouched and each request costs a few function calls.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "timescales.service.access"
LOG_KEY = "timescales.log"  # scope key: the counts a handler reports for the access log
OPEN_PATHS = frozenset({"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect"})
# paths without parameters, logged as they are even when answered before routing (401, 413)
FIXED_ROUTES = OPEN_PATHS | {"/check", "/check/stream", "/check/files", "/rules"}


class BodyTooLarge(Exception):
    """The request body passed its limit while being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


# Each HTTP error's slug (``code``, kept for clients of 0.x) and its code in the tool-wide scheme
# (``error_code``, timescales.errors.CODES): the same scheme the CLI's errors and rejects use.
ERROR_CODES = {
    "unauthorized": "E601",
    "invalid_json": "E602",
    "bad_request": "E600",
    "invalid_request": "E603",
    "body_too_large": "E604",
    "too_many_records": "E604",
    "timeout": "E605",
    "unknown_rule": "E100",
    "not_found": "E600",
    "method_not_allowed": "E600",
    "http_error": "E600",
}


def error_dict(code: str, detail: str, problems: list[Any] | None = None) -> dict[str, Any]:
    """The ErrorResponse body: slug, tool-wide error code, sentence, the places at fault."""
    return {
        "code": code,
        "error_code": ERROR_CODES.get(code, "E600"),
        "detail": detail,
        "problems": problems or [],
    }


def error_body(code: str, detail: str) -> bytes:
    return orjson.dumps(error_dict(code, detail))


async def send_error(
    send: Send, status: int, code: str, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = error_body(code, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One JSON line per request: method, route template (never the raw path or query),
    status, duration, bytes in and out, and the counts the handler reported (records,
    findings, rejected). No record contents, child ids, names or dates of birth."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        counts: dict[str, int] = {}
        scope[LOG_KEY] = counts
        state = {"status": 0, "out": 0, "in": 0}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["in"] += len(message.get("body", b""))
            return message

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            elif message["type"] == "http.response.body":
                state["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, logging_send)
        except Exception:
            state["status"] = state["status"] or 500
            raise
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                route = getattr(scope.get("route"), "path", None)
                if route is None and scope.get("path") in FIXED_ROUTES:
                    route = scope["path"]
                entry: dict[str, Any] = {
                    # wall-clock time of the log line only: checking never reads the clock
                    "ts": dt.datetime.fromtimestamp(time.time(), dt.UTC).isoformat(
                        timespec="milliseconds"
                    ),
                    "event": "access",
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "route": route or "unmatched",
                    "status": state["status"],
                    "ms": round((time.perf_counter() - start) * 1000, 2),
                    "bytes_in": state["in"],
                    "bytes_out": state["out"],
                    **counts,
                }
                client = scope.get("client")
                if client:
                    entry["client"] = client[0]
                self.logger.info(orjson.dumps(entry).decode())


class BearerAuth:
    """With a token configured, every path but ``OPEN_PATHS`` needs
    ``Authorization: Bearer <token>`` (compared in constant time); 401 otherwise."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.expected is None or scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                given = value
                break
        if not hmac.compare_digest(given, self.expected):
            detail = (
                "a bearer token is required (Authorization: Bearer <token>)"
                if not given
                else "the bearer token is not valid"
            )
            await send_error(
                send,
                401,
                "unauthorized",
                detail,
                [(b"www-authenticate", b'Bearer realm="timescales"')],
            )
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse a body over the limit for its path: at once (413) when Content-Length says so,
    else while it is read (``BodyTooLarge`` reaches the handler, which answers 413 or, in a
    stream already answering, ends it with an error line)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_error(send, 400, "bad_request", "Content-Length is not a number")
                    return
                if declared > limit:
                    await send_error(send, 413, "body_too_large", _too_large(limit))
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge as exc:
            # reached only when the handler did not answer it (the response has not started)
            await send_error(send, 413, "body_too_large", _too_large(exc.limit))


def _too_large(limit: int) -> str:
    return (
        f"request body larger than the limit of {limit} bytes; send fewer records per request "
        "(or use /check/stream for large sets)"
    )
