"""One error model for the whole tool: every error says where, what, and why, never the value.

Each error carries a stable code from ``CODES`` (other tools key on it; docs/errors.md lists them),
a location (file and line/row/element, or request), the field at fault, and the *class* of the
value found there ("text (9 chars)", "date DD/MM/YYYY", "integer (25 digits)"): enough to find
and fix the record, never the value itself, which may be a name or a date of birth.

Errors are raised at the edge that knows the context (a file and line, a rule ID) and rendered
once: by the CLI (a concise list, and every one with ``--rejects FILE``) or the service (the
same fields as JSON).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

# The stable error codes. The hundreds say where the problem lies; a code is never reused for
# another meaning. Only the catch-all of each hundred ends in 0.
CODES: dict[str, str] = {
    # usage: the command or API call itself (exit 2)
    "E100": "the command or API call is wrong (bad option, missing --as-of, unknown name)",
    "E101": "an input path does not exist",
    # rule files and council packs (exit 2: nothing is checked against a broken pack)
    "E200": "a rule file or rule pack is invalid",
    "E201": "a rule file is not valid YAML (or not UTF-8 text)",
    "E202": "a rule file has an unknown key",
    "E203": "a rule file has a duplicate key",
    "E204": "a rule file is missing a required key",
    "E205": "a rule file has a value of the wrong type or form (unit, limit, date, ID pattern)",
    "E206": "a rule refers to an unknown event type, attribute or rule",
    "E207": "two rules have the same ID",
    "E208": "an override is refused (it relaxes a national rule without saying so)",
    # records: one child (or one row of a return) is rejected and the run goes on
    "E300": "a record cannot be used",
    "E301": "a line is not valid JSON",
    "E302": "a record is not a JSON object",
    "E303": "a record is larger than the size limit",
    "E304": "a child has more events than the limit (--max-events)",
    "E305": "a required field is missing or empty",
    "E306": "an unknown field",
    "E307": "a value of the wrong type or form (not an ISO date, impossible date, bad code)",
    "E308": "an unknown event type",
    "E309": "the same child is given twice",
    "E310": "a row of a return has a value that cannot be read",
    "E311": "a row of a return lacks a value it needs",
    "E312": "a row refers to a child, period or person that is not in the input",
    "E313": "a child's rows do not fit together (the child cannot be built)",
    "E314": "a worker record among child records, or a child record among worker records (each "
    "kind goes in a file of its own), or a worker record where only children are checked",
    "E399": "an internal fault while checking this child (the rest of the run goes on)",
    # inputs: a whole file cannot be read
    "E400": "an input cannot be read",
    "E401": "an input cannot be opened (permissions, a directory where a file was expected)",
    "E402": "the input format is unknown or cannot be detected",
    "E403": "unsafe content refused (XML entities or DTDs, a zip bomb, an oversized archive)",
    "E404": "the file is malformed (not valid XML, JSON, YAML, CSV or xlsx structure)",
    "E405": "the file is not text in a supported encoding (UTF-8, UTF-16 with BOM, cp1252)",
    "E406": "the file does not have the expected layout (missing columns, sheets or tables)",
    "E407": "a file or sheet the format does not know was skipped (the other inputs go on)",
    "E408": "a known table lacks a required column: all its rows are rejected, the rest go on",
    # plugins
    "E500": "a council plugin cannot be loaded or gave something invalid",
    # the HTTP service: the request as a whole
    "E600": "the request is invalid",
    "E601": "a bearer token is required, or it is wrong",
    "E602": "the request body is not valid JSON",
    "E603": "the request body does not match the schema",
    "E604": "the request body is larger than the limit",
    "E605": "the request took longer than the time limit",
}

_DDMMYYYY = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_DDMMYY = re.compile(r"\d{1,2}/\d{1,2}/\d{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def value_class(value: Any) -> str:
    """What kind of value this is, without what it is: safe to log and to print.

    >>> value_class("12/03/2019"), value_class("Smith"), value_class(None), value_class(10**30)
    ('date DD/MM/YYYY', 'text (5 chars)', 'null', 'integer (31 digits)')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10**4000 else 4000
        return "integer" if digits <= 18 else f"integer ({digits} digits)"
    if isinstance(value, float):
        return "number" if value == value and abs(value) != float("inf") else "number (not finite)"
    if isinstance(value, dt.datetime):
        return "date-time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, (bytes, bytearray)):
        return f"bytes ({len(value)})"
    if isinstance(value, dict):
        return f"object ({len(value)} key{'' if len(value) == 1 else 's'})"
    if isinstance(value, (list, tuple)):
        return f"list ({len(value)} item{'' if len(value) == 1 else 's'})"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return "empty" if not value else "blank"
        if _ISO_DATETIME.fullmatch(text[:16]) and len(text) > 10:
            return "date-time text"
        if _ISO_DATE.fullmatch(text):
            return "date YYYY-MM-DD"
        if _DDMMYYYY.fullmatch(text):
            return "date DD/MM/YYYY"
        if _DDMMYY.fullmatch(text):
            return "date DD/MM/YY"
        if _NUMBER.fullmatch(text):
            return "number text" if len(text) <= 18 else f"number text ({len(text)} digits)"
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            return f"text with control characters ({len(value)} chars)"
        return f"text ({len(value)} chars)"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Location:
    """Where something came from: a file (or "<stdin>", or a request) and a place inside it."""

    source: str
    line: int | None = None
    pointer: str | None = None  # JSON pointer (/events/3/date), XML path, or sheet!row

    def __str__(self) -> str:
        text = self.source
        if self.line is not None:
            text += f":{self.line}"
        if self.pointer:
            text += f" {self.pointer}"
        return text


class TimescalesError(Exception):
    """Base class: ``code`` (stable, from CODES), ``location`` (where), ``field`` (what),
    ``value_class`` (the kind of value found, never the value) and a message for people.

    Each subclass has a catch-all code; raise sites give the precise one (``code="E307"``)."""

    code = "E000"

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        field: str | None = None,
        *,
        code: str | None = None,
        value_class: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.location = location
        self.field = field
        self.value_class = value_class
        if code is not None:
            if code not in CODES:
                raise ValueError(f"unknown error code {code!r}")
            self.code = code

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The error as a flat mapping: what --rejects writes and the service answers."""
        loc = self.location
        return {
            "code": self.code,
            "source": loc.source if loc else None,
            "line": loc.line if loc else None,
            "pointer": loc.pointer if loc and loc.pointer else None,
            "field": self.field,
            "value_class": self.value_class,
            "message": self.message,
        }


class UsageError(TimescalesError):
    """The command or API call itself is wrong (bad option, missing --as-of, unknown rule ID)."""

    code = "E100"


class RuleError(TimescalesError):
    """A rule file is invalid: unknown or duplicate key, bad unit, unknown event type, ID clash."""

    code = "E200"


class RecordError(TimescalesError):
    """An input record cannot be read or checked; the record is rejected and the run goes on."""

    code = "E300"


class InputError(TimescalesError):
    """A whole input cannot be read (missing file, unknown format): nothing in it can be checked."""

    code = "E400"


# --- the texts the importers reject with, built in one place --------------------------------------


def not_used(
    what: str,
    reason: str,
    location: Location,
    field: str | None = None,
    *,
    code: str = "E310",
    value_class: str | None = None,
) -> RecordError:
    """A row, element or child of a return that is not used: "``what`` not used: ``reason``"
    (``what``: "ssd_cla_visits row", "assessment", "LAchildID 123: child")."""
    return RecordError(
        f"{what} not used: {reason}", location, field, code=code, value_class=value_class
    )


def lacks_columns(table: str, columns: str, what: str = "table") -> str:
    """Why a known table is rejected whole: a required column is missing (renamed or removed)."""
    return (
        f"{table} has no {columns} column (required; renamed or removed?): the {what} is not read"
    )
