"""The HTTP service: FastAPI routes over one immutable, compiled rule set.

``create_app(settings)`` loads the rule set once (a broken rule file or plugin fails at start,
not on the first request) and keeps it, with the settings, on the app: there is no module-level
state, so several apps (say, one per council) can live in one process.

Checking runs in worker threads (anyio's pool), never on the event loop; each request has a
deadline, checked between records. No endpoint takes a file-system path: records come only in
request bodies.
"""

from __future__ import annotations

import datetime as dt
import functools
import pathlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
import orjson
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..api import parse_record, problem_list, rule_rows, validation_context
from ..contract import Importer
from ..docs import render
from ..errors import Location, RecordError
from ..records import ChildRecord, IsoDate, json_schema
from ..ruleset.pack import build_ruleset, load_council
from ..ruleset.ruleset import RuleSet
from ..version import __version__
from . import uploads
from .checker import Checker
from .middleware import (
    LOG_KEY,
    AccessLog,
    BearerAuth,
    BodyLimit,
    BodyTooLarge,
    error_body,
    error_dict,
)
from .models import (
    CheckRequest,
    CheckResponse,
    ErrorResponse,
    FilesResponse,
    Health,
    RuleDetail,
    RuleSummary,
    StreamError,
    StreamResult,
    StreamSummary,
)
from .settings import Settings

JSON = "application/json"
NDJSON = "application/x-ndjson"
STREAM_BATCH = 256  # lines checked per hop to a worker thread
RULE_ID_PATTERN = r"^[A-Za-z]{2,4}[0-9]{3}$"


class ServiceError(Exception):
    """An error answered as ``ErrorResponse`` with this status."""

    def __init__(
        self, status: int, code: str, detail: str, problems: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.problems = problems or []

    def response(self) -> Response:
        body = orjson.dumps(error_dict(self.code, self.detail, self.problems))
        return Response(body, status_code=self.status, media_type=JSON)


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=JSON)


# the validation problems of a request, as ErrorResponse lists them
problems_of = problem_list


def rejection(index: int, error: RecordError) -> dict[str, Any]:
    pointer = error.location.pointer if error.location else None
    return {
        "index": index,
        "code": error.code,
        "pointer": pointer,
        "field": error.field,
        "value_class": error.value_class,
        "message": error.message,
    }


class Service:
    """The app's own state: the rule set, the settings and what is worked out once from them."""

    def __init__(
        self, ruleset: RuleSet, settings: Settings, importers: dict[str, Importer] | None = None
    ) -> None:
        self.ruleset = ruleset
        self.settings = settings
        # a council's own importers (its HR or case-system exports), for uploaded files
        self.importers = importers or {}
        self.context = validation_context(ruleset)
        rows = rule_rows(ruleset)
        self.rules_body = orjson.dumps(rows)
        self.rule_rows = {row["id"]: row for row in rows}
        self.health_body = orjson.dumps(
            {"status": "ok", "version": __version__, "la": ruleset.la, "rules": len(ruleset)}
        )

    def rule_page(self, rule_id: str) -> bytes:
        row = self.rule_rows[rule_id]
        page = render(
            self.ruleset.by_id[rule_id],
            list(self.ruleset.rules),
            self.ruleset.overrides,
            self.ruleset.local_rules,
        )
        return orjson.dumps({**row, "page": page})

    def rule_filter(self, rules: list[str] | None, pointer: str) -> frozenset[str] | None:
        if rules is None:
            return None
        wanted = frozenset(r.strip().upper() for r in rules if r.strip())
        unknown = sorted(wanted - set(self.ruleset.by_id))
        if unknown:
            raise ServiceError(
                422,
                "unknown_rule",
                f"unknown rule id(s): {', '.join(unknown)} (see GET /rules)",
                [{"pointer": pointer, "message": "unknown rule id"}],
            )
        return wanted

    def checker(self, as_of: dt.date, rules: str | None, explain: bool, timeout: float) -> Checker:
        """A checker for one stream or upload (``rules``: comma-separated rule ids)."""
        wanted = self.rule_filter(rules.split(",") if rules else None, "/rules")
        return Checker(
            self.ruleset, self.settings, as_of, wanted, explain, time.monotonic() + timeout
        )

    def check_body(self, body: bytes, deadline: float) -> tuple[bytes, dict[str, int]]:
        """POST /check, in a worker thread: parse, validate, check; the response body and
        the counts for the access log."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            reason = str(exc).split(":", 1)[0]
            raise ServiceError(
                400, "invalid_json", f"the body is not valid JSON ({reason})"
            ) from None
        if not isinstance(data, dict):
            raise ServiceError(422, "invalid_request", "the body must be a JSON object")
        records = data.get("records")
        limit = self.settings.max_records
        if isinstance(records, list) and len(records) > limit:
            raise ServiceError(
                422,
                "too_many_records",
                f"{len(records)} records in one request; at most {limit} per request to /check "
                "(send several requests, or use /check/stream)",
                [{"pointer": "/records", "message": f"at most {limit} records"}],
            )
        try:
            request = CheckRequest.model_validate(data, context=self.context)
        except ValidationError as exc:
            raise ServiceError(
                422,
                "invalid_request",
                "the request does not match the schema (see problems)",
                problems_of(exc),
            ) from None
        checker = Checker(
            self.ruleset,
            self.settings,
            request.as_of,
            self.rule_filter(request.rules, "/rules"),
            request.explain,
            deadline,
        )
        findings: list[dict[str, Any]] = []
        quality: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        prefix = "/record" if request.record is not None else "/records"
        for index, record in enumerate(request.children()):
            if checker.expired():
                raise ServiceError(
                    503,
                    "timeout",
                    f"the request took longer than {self.settings.request_timeout:g} s; send fewer "
                    "records per request",
                )
            pointer = prefix if request.record is not None else f"{prefix}/{index}"
            try:
                found, notes = checker.one(record, Location("request", None, pointer))
            except RecordError as exc:
                rejected.append(rejection(index, exc))
                continue
            findings.extend(found)
            quality.extend(notes)
        response = {
            "as_of": request.as_of.isoformat(),
            "la": self.ruleset.la,
            "summary": checker.summary(),
            "findings": findings,
            "quality": quality,
            "rejected": rejected,
        }
        return orjson.dumps(response), checker.log()


class StreamCheck:
    """POST /check/stream: reads the JSON Lines body and answers line by line, as it reads.

    A response of its own (not Starlette's StreamingResponse) because it reads the request
    while it writes the response; lines are checked in batches in a worker thread."""

    def __init__(self, service: Service, checker: Checker) -> None:
        self.service = service
        self.checker = checker
        self.line = 0

    def _lines(self, lines: list[bytes | None]) -> tuple[bytes, bool]:
        """Check a batch of lines (None: a line over the length limit): the response lines,
        and whether the stream's record limit stopped it."""
        out: list[bytes] = []
        limit = self.service.settings.max_stream_records
        for raw in lines:
            if raw is not None and not raw.strip():
                self.line += 1
                continue
            if self.checker.tally.read >= limit:
                return b"".join(out), True
            self.line += 1
            item: dict[str, Any] = {"line": self.line}
            try:
                record = self._record(raw)
                item["child"] = record.child
                item["findings"], item["quality"] = self.checker.one(
                    record, Location("request", self.line)
                )
            except RecordError as exc:
                if "child" not in item:  # not read as a record: count it here
                    self.checker.run.reject(exc)
                item = {"line": self.line, "rejected": rejection(self.line - 1, exc)}
            out.append(orjson.dumps(item) + b"\n")
        return b"".join(out), False

    def _record(self, raw: bytes | None) -> ChildRecord:
        where = Location("request", self.line)
        if raw is None:
            limit = self.service.settings.max_line_bytes
            raise RecordError(f"line longer than {limit} bytes", where, code="E303")
        return parse_record(raw, ruleset=self.service.ruleset, location=where, every_problem=True)

    async def _body_lines(self, receive: Receive) -> AsyncIterator[list[bytes | None]]:
        """The body's lines as they arrive, in batches; a line over the limit is not kept
        (None stands for it)."""
        limit = self.service.settings.max_line_bytes
        buffer = b""
        skipping = False  # inside a line already over the limit: drop bytes to its end
        more = True
        while more:
            with anyio.fail_after(max(0.0, self.checker.deadline - time.monotonic())):
                message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            more = bool(message.get("more_body", False))
            chunk = message.get("body", b"")
            lines: list[bytes | None] = []
            while chunk:
                newline = chunk.find(b"\n")
                if newline < 0:
                    if not skipping:
                        buffer += chunk
                    chunk = b""
                else:
                    whole = len(buffer) + newline
                    lines.append(None if skipping or whole > limit else buffer + chunk[:newline])
                    buffer, skipping = b"", False
                    chunk = chunk[newline + 1 :]
                if len(buffer) > limit:
                    buffer, skipping = b"", True
            if not more and (buffer or skipping):
                lines.append(None if skipping else buffer)
            for start in range(0, len(lines), STREAM_BATCH):
                yield lines[start : start + STREAM_BATCH]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.service.settings
        checker = self.checker
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", NDJSON.encode())],
            }
        )
        error: tuple[str, str] | None = None
        try:
            async for batch in self._body_lines(receive):
                if checker.expired():
                    error = (
                        "timeout",
                        f"the stream took longer than {settings.stream_timeout:g} s",
                    )
                    break
                chunk, full = await anyio.to_thread.run_sync(self._lines, batch)
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if full:
                    error = (
                        "too_many_records",
                        f"more than {settings.max_stream_records} records in one stream; the "
                        "lines after that were not checked",
                    )
                if error:
                    break
        except BodyTooLarge as exc:
            error = (
                "body_too_large",
                f"request body larger than the limit of {exc.limit} bytes; the rest was not read",
            )
        except TimeoutError:
            error = ("timeout", f"the stream took longer than {settings.stream_timeout:g} s")
        except ClientGone:
            scope.get(LOG_KEY, {}).update(checker.log())
            return
        tail = (
            {"error": error_dict(error[0], error[1])} if error else {"summary": checker.summary()}
        )
        scope.get(LOG_KEY, {}).update(checker.log())
        await send({"type": "http.response.body", "body": orjson.dumps(tail) + b"\n"})


class ClientGone(Exception):
    """The client disconnected before the stream ended."""


class _Raw(Response):
    """A response that hands the ASGI call to another object (the stream)."""

    def __init__(self, call: StreamCheck) -> None:
        super().__init__()
        self.call = call

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.call(scope, receive, send)


STREAM_LINES = {
    "type": "array",
    "items": {
        "anyOf": [
            {"$ref": f"#/components/schemas/{model.__name__}"}
            for model in (StreamResult, StreamSummary, StreamError)
        ]
    },
}

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not valid JSON."},
    401: {"model": ErrorResponse, "description": "A bearer token is required or wrong."},
    408: {"model": ErrorResponse, "description": "The body was not received in time."},
    413: {"model": ErrorResponse, "description": "The body is larger than the limit."},
    422: {"model": ErrorResponse, "description": "The request does not match the schema."},
    503: {"model": ErrorResponse, "description": "The request took longer than the timeout."},
}


def create_app(
    settings: Settings | None = None,
    ruleset: RuleSet | None = None,
    importers: dict[str, Importer] | None = None,
) -> FastAPI:
    """The ASGI app. ``ruleset`` defaults to the council's (``settings.la``, with
    ``settings.plugins``) and ``importers`` to that council's own importers, which read
    uploaded files beside the built-in ones."""
    settings = settings or Settings.from_env()
    if ruleset is None:
        _, council = load_council(settings.la, settings.plugins)
        ruleset = build_ruleset(council)
        importers = council.importers if importers is None else importers
    service = Service(ruleset, settings, importers)
    app = FastAPI(
        title="timescales",
        version=__version__,
        summary="Check children's social care case records against statutory timescales.",
        description=_description(settings),
        # no Swagger/ReDoc pages: they load scripts from a CDN, which council networks block;
        # the schema itself is at /openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    _error_handlers(app)
    _rule_routes(app, service)
    _check_routes(app, service)
    app.openapi = functools.partial(_openapi, app, service)  # type: ignore[method-assign]
    # the last added is the outermost: log everything, then auth, then the body limit
    app.add_middleware(BodyLimit, limit_for=lambda path: _limit(settings, path))
    app.add_middleware(BearerAuth, token=settings.api_token)
    if settings.access_log:
        app.add_middleware(AccessLog)
    return app


def _description(settings: Settings) -> str:
    return (
        "Checks canonical case records (the same records as `timescales check`) against "
        "the statutory timescales of English children's social care and returns findings. "
        f"Limits: a /check body up to {settings.max_body_bytes} bytes with at most "
        f"{settings.max_records} records; /check/stream up to {settings.max_stream_bytes} "
        f"bytes and {settings.max_stream_records} lines; /check/files up to "
        f"{settings.max_stream_bytes} bytes and {settings.max_stream_records} children. "
        + (
            "Every endpoint but /health needs `Authorization: Bearer <token>`."
            if settings.api_token
            else ""
        )
    )


def _error_handlers(app: FastAPI) -> None:
    """Every error answered as ``ErrorResponse``."""

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        return exc.response()

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        return Response(
            error_body(
                "body_too_large",
                f"request body larger than the limit of {exc.limit} bytes; send fewer records "
                "per request (or use /check/stream for large sets)",
            ),
            status_code=413,
            media_type=JSON,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors()[:20]:
            loc = [str(p) for p in err.get("loc", ())]
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append({"pointer": "/" + "/".join(loc), "message": message})
        return ServiceError(
            422, "invalid_request", "the request does not match the schema (see problems)", problems
        ).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed"}
        response = ServiceError(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        ).response()
        if exc.headers:
            response.headers.update(exc.headers)
        return response


def _rule_routes(app: FastAPI, service: Service) -> None:
    """GET /health, /rules and /rules/{id}."""

    @app.get("/health", response_model=Health, tags=["service"])
    async def health() -> Response:
        """Liveness and what is loaded: version, council, number of rules."""
        return Response(service.health_body, media_type=JSON)

    @app.get(
        "/rules", response_model=list[RuleSummary], responses={401: ERRORS[401]}, tags=["rules"]
    )
    async def rules() -> Response:
        """Every rule in force, as `timescales rules list --format json` gives them."""
        return Response(service.rules_body, media_type=JSON)

    @app.get(
        "/rules/{rule_id}",
        response_model=RuleDetail,
        responses={401: ERRORS[401], 404: {"model": ErrorResponse}, 422: ERRORS[422]},
        tags=["rules"],
    )
    async def rule(
        rule_id: Annotated[str, Path(pattern=RULE_ID_PATTERN, description="e.g. PF001")],
    ) -> Response:
        """One rule with its generated page: what it checks, why, how it is counted, an
        example, any council override, its references (`timescales rules show ID`)."""
        wanted = rule_id.upper()
        if wanted not in service.rule_rows:
            raise ServiceError(
                404, "not_found", f"no rule {wanted} in this rule set (see GET /rules)"
            )
        return Response(service.rule_page(wanted), media_type=JSON)


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "JSON Lines: one StreamResult per input line, then a StreamSummary line (or "
            "a StreamError line if the stream had to stop). Described here as an array, "
            "one element a line."
        ),
        "content": {NDJSON: {"schema": STREAM_LINES}},
    },
    **{k: v for k, v in ERRORS.items() if k not in (400, 408, 503)},
}

CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/CheckRequest"}}},
    }
}

STREAM_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "JSON Lines: one canonical record (ChildRecord) a line. Described here as an "
            "array, one element a line."
        ),
        "content": {
            NDJSON: {
                "schema": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ChildRecord"},
                }
            }
        },
    }
}

FILES_BODY = {
    "requestBody": {
        "required": True,
        "description": "A return as files (`files`, one part each) and the form fields.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["as_of", "files"],
                    "properties": {
                        "as_of": {"type": "string", "format": "date"},
                        "rules": {"type": "string"},
                        "explain": {"type": "boolean"},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            }
        },
    }
}


def _check_routes(app: FastAPI, service: Service) -> None:
    """POST /check and /check/stream (canonical records in the body) and /check/files (a
    return as uploaded files, through the pipeline)."""
    settings = service.settings
    route = functools.partial(app.post, tags=["check"])

    @route("/check", response_model=CheckResponse, responses=ERRORS, openapi_extra=CHECK_BODY)
    async def check(request: Request) -> Response:
        """Check one child (`record`) or several (`records`) as of `as_of`.

        Findings come in input order. An invalid request (or any invalid record in it) is
        refused whole with 422 and the places at fault; a valid record that cannot be checked
        (e.g. working days outside 2000-2030) is listed under `rejected`, and the rest are
        checked."""
        deadline = time.monotonic() + settings.request_timeout
        try:
            with anyio.fail_after(settings.request_timeout):
                body = await request.body()
        except TimeoutError:
            raise ServiceError(
                408, "timeout", "the request body was not received in time"
            ) from None
        content, counts = await anyio.to_thread.run_sync(service.check_body, body, deadline)
        request.scope.get(LOG_KEY, {}).update(counts)
        return Response(content, media_type=JSON)

    @route(
        "/check/stream", response_model=None, responses=STREAM_RESPONSES, openapi_extra=STREAM_BODY
    )
    async def check_stream(
        request: Request,
        as_of: Annotated[IsoDate, Query(description="The date to check as of (YYYY-MM-DD).")],
        rules: Annotated[
            str | None, Query(description="Only findings of these rule IDs, comma-separated.")
        ] = None,
        explain: Annotated[bool, Query(description="Add the counting steps.")] = False,
    ) -> Response:
        """Check a large set: the body is JSON Lines (one child a line), the response is JSON
        Lines written as the body is read, one line per input line (its findings, or why it
        was rejected; other lines go on), then `{"summary": ...}`; if the stream must stop
        (body or line limit, timeout) the last line is `{"error": ...}` instead."""
        checker = service.checker(as_of, rules, explain, settings.stream_timeout)
        return _Raw(StreamCheck(service, checker))

    @route("/check/files", response_model=FilesResponse, responses=ERRORS, openapi_extra=FILES_BODY)
    async def check_files(request: Request) -> Response:
        """Check a return given as files (an SSDA903 return's CSVs, a CIN census XML, an
        Annex A workbook, JSON Lines), read as `timescales check` reads a directory. The
        answer has the findings, the rejections and the run's tally: `line` is the CLI's
        summary line and `completeness` the report's banner, from the same counts."""
        with uploads.workspace() as tmp:
            directory = pathlib.Path(tmp)
            try:
                with anyio.fail_after(settings.stream_timeout):
                    fields, paths = await uploads.receive(request, directory)
                form = uploads.request_of(fields, problems_of)
                checker = service.checker(
                    form.as_of, form.rules, form.explain, settings.stream_timeout
                )
                data = await anyio.to_thread.run_sync(
                    uploads.check, settings, checker, paths, service.importers
                )
            except uploads.UploadError as exc:
                raise ServiceError(422, exc.code, exc.detail, exc.problems) from None
            except TimeoutError:
                raise ServiceError(
                    503, "timeout", f"the upload took longer than {settings.stream_timeout:g} s"
                ) from None
            body = uploads.answer(data, directory)
        request.scope.get(LOG_KEY, {}).update(checker.log())
        return Response(body, media_type=JSON)


def _openapi(app: FastAPI, service: Service) -> dict[str, Any]:
    """The schema: the models' own, the record as `timescales schema` publishes it, and the
    bearer scheme when a token is set."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (CheckRequest, StreamResult, StreamSummary, StreamError):
        mode: Literal["validation", "serialization"] = (
            "validation" if model is CheckRequest else "serialization"
        )
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, nested in definition.pop("$defs", {}).items():
            components.setdefault(name, nested)
        components[model.__name__] = definition
    stream = schema["paths"]["/check/stream"]["post"]["responses"]["200"]
    stream["content"] = {NDJSON: {"schema": STREAM_LINES}}
    # the record as `timescales schema` publishes it: event types (the council's too),
    # their attributes and ISO date patterns
    record = json_schema(service.ruleset.event_types)
    event = record.pop("$defs")["Event"]
    for key in ("$schema", "$comment"):
        record.pop(key, None)
    text = orjson.dumps(record).replace(b"#/$defs/", b"#/components/schemas/")
    components["ChildRecord"] = orjson.loads(text)
    components["Event"] = event
    if service.settings.api_token:
        components_root = schema["components"]
        components_root["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        for path, operations in schema.get("paths", {}).items():
            if path in ("/health",):
                continue
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema


def _limit(settings: Settings, path: str) -> int:
    bulk = path in ("/check/stream", "/check/files")
    return settings.max_stream_bytes if bulk else settings.max_body_bytes
