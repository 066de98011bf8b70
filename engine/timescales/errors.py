"""One error model for the whole tool: every error says where (source and location) and why.

Errors are raised at the edge that knows the context (a file and line, a rule ID) and turned into
a message once, in the CLI or the service. Messages never carry the offending value when it may be
personal data (names, dates of birth): they name the field and the kind of problem instead.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """Base class. ``code`` is stable (other tools may key on it); ``location`` says where."""

    code = "E000"

    def __init__(self, message: str, location: Location | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.field = field

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"


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
