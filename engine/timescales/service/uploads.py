"""POST /check/files: a return uploaded as files (multipart), checked through the pipeline.

The files are written to a private temporary directory and read as the CLI reads a directory
(the format detected, an SSDA903 return's tables joined, files it does not know skipped), then
checked by the same pipeline; the answer carries the pipeline's tally, the very counts the
CLI's summary line, the report's banner and the workbook show. Nothing outside the upload is
read: the names given are reduced to plain file names.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..contract import Importer
from ..errors import InputError, RecordError
from .models import FilesRequest

if TYPE_CHECKING:
    from .checker import Checker
    from .settings import Settings

MAX_FILES = 200  # files in one upload (a return is a dozen tables)
MAX_FIELDS = 10
CHUNK = 1 << 20
_NAME = re.compile(r"[^\x00-\x1f/\\]{1,200}")


class UploadError(ValueError):
    """An upload refused whole: (code, detail, problems) for a 422 answer."""

    def __init__(self, code: str, detail: str, pointer: str, message: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.problems = [{"pointer": pointer, "message": message}]


def safe_name(given: str | None) -> str:
    """The plain file name of an upload (a path given is reduced to its last part)."""
    name = PurePosixPath((given or "").replace("\\", "/")).name
    if not _NAME.fullmatch(name) or name.startswith("."):
        raise UploadError(
            "invalid_request",
            "each file needs a plain file name (not empty, not starting with a dot)",
            "/files",
            "not a usable file name",
        )
    return name


async def receive(request: Request, directory: Path) -> tuple[dict[str, str], list[Path]]:
    """The form's text fields and the files, written into ``directory``."""
    fields: dict[str, str] = {}
    saved: list[Path] = []
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
        for key, value in form.multi_items():
            if not isinstance(value, UploadFile):
                fields[key] = value
                continue
            path = directory / safe_name(value.filename)
            if path in saved:
                raise UploadError(
                    "invalid_request",
                    f"two files named {path.name!r} in one upload",
                    "/files",
                    "a file name given twice",
                )
            with path.open("wb") as fh:
                while chunk := await value.read(CHUNK):
                    fh.write(chunk)
            saved.append(path)
    if not saved:
        raise UploadError(
            "invalid_request", "no files in the upload (the form field is files)", "/files",
            "at least one file",
        )  # fmt: skip
    return fields, saved


def request_of(fields: dict[str, str], problems_of: Callable[..., Any]) -> FilesRequest:
    """The form's fields, validated as the other endpoints validate theirs."""
    try:
        return FilesRequest.model_validate(fields)
    except ValidationError as exc:
        problems = problems_of(exc)
        raise UploadError(
            "invalid_request",
            "the request does not match the schema (see problems)",
            problems[0]["pointer"] if problems else "/",
            problems[0]["message"] if problems else "invalid",
        ) from None


def check(
    settings: Settings,
    checker: Checker,
    paths: list[Path],
    importers: dict[str, Importer] | None = None,
) -> dict[str, Any]:
    """Check the saved files (one file, or the directory they were saved in) through the
    pipeline, read by the built-in importers and ``importers`` (a council's own); the answer,
    with paths made relative to the upload."""
    run = checker.run
    rejected: list[dict[str, Any]] = []
    unreadable: list[dict[str, Any]] = []

    def keep(error: RecordError) -> None:
        if len(rejected) < settings.max_records:
            rejected.append(error.as_dict())

    def unread(error: InputError) -> None:
        unreadable.append(error.as_dict())

    run.on_reject = keep
    run.on_input_error = unread
    source = paths[0] if len(paths) == 1 else paths[0].parent
    findings: list[dict[str, Any]] = []
    limit = settings.max_stream_records
    for _, result in run.checked(run.items([source], extra=importers)):
        if checker.expired():
            raise TimeoutError
        if run.summary.read > limit:
            raise UploadError(
                "too_many_records",
                f"more than {limit} children in one upload",
                "/files",
                f"at most {limit} children",
            )
        findings.extend(checker.findings(result.findings))
    summary = run.summary
    from ..workforce import evaluate  # the workforce rules, over the worker records uploaded

    workers = [f.to_dict() for f in evaluate(checker.ruleset, run.workers, checker.as_of)]
    return {
        "as_of": checker.as_of.isoformat(),
        "la": checker.ruleset.la,
        "summary": checker.summary(),
        "line": summary.line(),
        "completeness": summary.completeness(),
        "findings": findings,
        "worker_findings": workers,
        "quality": checker.quality(),
        "rejected": rejected,
        "unreadable": unreadable,
        "notices": list(run.notices),
    }


def relative(body: bytes, directory: Path) -> bytes:
    """The answer with the temporary directory's path taken out of every location."""
    prefix = str(directory).encode()
    return body.replace(prefix + b"/", b"").replace(prefix, b"upload")


def workspace() -> tempfile.TemporaryDirectory[str]:
    """A private directory for one upload, removed when the answer is made."""
    return tempfile.TemporaryDirectory(prefix="timescales-upload-")


def answer(data: dict[str, Any], directory: Path) -> bytes:
    return relative(orjson.dumps(data), directory)
