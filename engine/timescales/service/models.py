"""The service's request and response bodies: pydantic models, the source of the OpenAPI schema.

Records are the library's own ``ChildRecord``; findings, data-quality notes and explanations
mirror the library's ``to_dict()`` output field for field (a test holds them to it).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from ..explain import Explanation
from ..findings import finding_fields
from ..records import ChildRecord, IsoDate


class CheckRequest(BaseModel):
    """One child (``record``) or several (``records``), checked as of ``as_of``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2024-03-31",
                    "records": [
                        {
                            "child": "C1",
                            "events": [
                                {"type": "pf_notified", "date": "2023-12-20", "ref": "F1"},
                                {"type": "pf_visit", "date": "2024-01-05", "ref": "F1"},
                            ],
                        }
                    ],
                }
            ]
        },
    )

    as_of: IsoDate = Field(description="The date to check as of (required): nothing reads today.")
    record: ChildRecord | None = Field(default=None, description="One child (or use records).")
    records: list[ChildRecord] | None = Field(
        default=None, description="Several children (at most the service's records limit)."
    )
    rules: list[str] | None = Field(
        default=None, description="Only findings of these rule IDs (default: every rule)."
    )
    explain: bool = Field(
        default=False, description="Add the counting steps to each finding (explanation)."
    )

    @model_validator(mode="after")
    def _one_of(self) -> CheckRequest:
        if (self.record is None) == (self.records is None):
            raise ValueError("give exactly one of 'record' and 'records'")
        return self

    def children(self) -> list[ChildRecord]:
        return [self.record] if self.record is not None else list(self.records or [])


FINDING_DOC = """One rule instance for one child: due when, done when, how late
(``Finding.to_dict()``).

``status``: met, late, overdue, pending, or unmet (attribute rules only: the event happened
but not as the law requires; ``days_late`` and ``working_days_late`` are then null). A
breach is late, overdue or unmet."""

if TYPE_CHECKING:
    FindingModel = BaseModel  # generated below from the library's Finding fields
else:
    # the fields are the library's own (findings.finding_fields), written once there
    FindingModel = create_model(
        "FindingModel",
        __config__=ConfigDict(extra="allow"),
        __doc__=FINDING_DOC,
        **finding_fields(),
        explanation=(
            Explanation | None,
            Field(
                default=None,
                description="The counting steps, when the request asked to explain.",
            ),
        ),
    )


class QualityModel(BaseModel):
    """A problem in the data itself (codes DATA001...), apart from timeliness findings."""

    code: str
    child: str
    rule: str | None
    ref: str | None
    date: dt.date | None
    message: str
    source: str | None


class Rejection(BaseModel):
    """A record that could not be checked, with where and why (never the offending value)."""

    index: int = Field(description="0-based position of the record in the request.")
    code: str = Field(description="The stable error code (docs/errors.md), e.g. E307.")
    pointer: str | None
    field: str | None
    value_class: str | None = Field(
        default=None,
        description="The kind of value found at the field (never the value itself).",
    )
    message: str


class CheckSummary(BaseModel):
    """Children read, checked and rejected, and the findings by status."""

    read: int
    checked: int
    rejected: int
    met: int
    late: int
    overdue: int
    pending: int
    unmet: int = Field(
        description="Findings of attribute rules (LA020, PF004) where the event happened but not "
        "as the law requires: breaches with no days late."
    )


class CheckResponse(BaseModel):
    """Findings in input order (and within a child, by rule, anchor, ref and due)."""

    as_of: dt.date
    la: str | None
    summary: CheckSummary
    findings: list[FindingModel]
    quality: list[QualityModel]
    rejected: list[Rejection]


class FilesRequest(BaseModel):
    """The form fields of POST /check/files, beside the files themselves (``files``)."""

    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate = Field(description="The date to check as of (required): nothing reads today.")
    rules: str | None = Field(
        default=None, description="Only findings of these rule IDs, comma-separated."
    )
    explain: bool = Field(default=False, description="Add the counting steps.")


class FilesResponse(CheckResponse):
    """The findings of an uploaded return, with the run's tally: ``line`` is the CLI's summary
    line and ``completeness`` the report's banner and the workbook's "Data completeness" sheet,
    read from the same counts. Locations name the files as uploaded."""

    line: str
    completeness: dict[str, Any]
    rejected: list[dict[str, Any]]  # type: ignore[assignment]
    unreadable: list[dict[str, Any]]
    notices: list[str]
    # worker records uploaded (a workers file) judged by the workforce rules: as `check
    # --workforce FILE` writes them, never among the children's findings
    worker_findings: list[dict[str, Any]] = []


class StreamResult(BaseModel):
    """One line of a /check/stream response per input line: the child's findings, or why the
    line was rejected. The last line is ``{"summary": ...}`` (or ``{"error": ...}`` if the
    stream had to stop early)."""

    line: int
    child: str | None = None
    findings: list[FindingModel] | None = None
    quality: list[QualityModel] | None = None
    rejected: Rejection | None = None


class StreamSummary(BaseModel):
    """The last line of a complete /check/stream response."""

    summary: CheckSummary


class StreamError(BaseModel):
    """The last line of a /check/stream response that had to stop early (a limit or timeout);
    lines before it were answered as usual."""

    error: ErrorResponse


class ReferenceModel(BaseModel):
    title: str
    href: str


class RuleSummary(BaseModel):
    """One rule as ``timescales rules list --format json`` gives it."""

    id: str
    name: str
    title: str
    kind: str
    family: str
    limit: str
    summary: str
    citation: str
    references: list[ReferenceModel]
    local: bool = Field(description="A council's own rule (not national).")
    overridden: bool = Field(description="A council override replaces its national limit.")


class RuleDetail(RuleSummary):
    """A rule with its generated page (what it checks, why, how it is counted, an example)."""

    page: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    la: str | None
    rules: int


class Problem(BaseModel):
    pointer: str
    message: str


class ErrorResponse(BaseModel):
    """Every error: a stable ``code``, a sentence, and for invalid input the places at fault."""

    code: str = Field(description="What went wrong, as a short slug (e.g. body_too_large).")
    error_code: str = Field(description="The same, as a stable error code (docs/errors.md).")
    detail: str
    problems: list[Problem] = Field(default_factory=list)


StreamError.model_rebuild()
