"""Read the DfE Children in Need (CIN) census XML and map it onto canonical child records.

The census file is ``Message/Header`` then ``Message/Children/Child*``; each ``Child`` carries
``ChildIdentifiers`` and one or more ``CINdetails`` (an episode of need), which hold the
episode's ``Assessments``, ``Section47`` enquiries and ``ChildProtectionPlans``. Mapping (see
docs/importers/cin-census.md for the full table):

* child = ``LAchildID``; ``dob`` = ``PersonBirthDate``; ``expected_dob`` =
  ``ExpectedPersonBirthDate`` (an unborn child has only the expected date, and is valid);
* each ``CINdetails`` is a case ``CIN<n>``: ``referral`` on ``CINreferralDate`` (ref = the case)
  and ``cin_closed`` on ``CINclosureDate`` (case only, so that it closes every clock of the
  episode, AS002's per-assessment clocks included);
* each assessment is a ref ``CIN<n>-A<k>``: ``assessment_started`` on
  ``AssessmentActualStartDate``, ``assessment_completed`` on ``AssessmentAuthorisationDate``;
* each ``Section47`` is a ref ``CIN<n>-S47-<k>``: ``s47_started`` on ``S47ActualStartDate`` and
  ``icpc`` on its own ``DateOfInitialCPC`` (``not_required`` where ``ICPCnotRequired`` is
  true/1: dated the conference date if one is given, else the enquiry's start);
* each child protection plan is a ref ``CIN<n>-CPP<k>``: ``cp_plan_started`` on ``CPPstartDate``
  (taken as the initial conference date), ``cp_review`` per ``CPPreviewDate`` on or after the
  start (earlier ones are reported, not emitted), ``cp_plan_ended`` on ``CPPendDate``.

Input is untrusted: it is parsed by defusedxml's ``iterparse`` (a DOCTYPE, entity declarations
and external references are refused, never expanded), one ``Child`` at a time, and each
finished ``Child`` is cleared and detached, so memory holds one child (plus the set of child ids
seen, to spot duplicates). Files over a size limit are refused unread.

Nothing is lost: a ``Child`` yields a record or a reject; inside a child the unit of rejection is
the smallest block whose findings a bad value could change (an assessment, an enquiry, a plan,
an episode), reported with its element path and line; the child is built from the rest. Rows
are counted per file with ``ImportContext.source``: one source counts ``Child`` elements, a
second (``<file> [CIN elements]``) counts ``CINdetails``, assessments, ``Section47`` and plans.
Messages name fields and kinds of problem, never values (dates of birth, names).

Where a ``Section47`` carries the council's own ``InitialCPCtarget`` and it differs from our due
date (CP002's: its limit, 15 working days nationally, after ``S47ActualStartDate``, that day
excluded; a council's override applies, and without CP002 in force nothing is compared), the
child gets a data-quality note (DATA020); the file gets one summary of the direction (DATA021, child
``"(file)"``), attached to the file's last record so that it reaches ``--data-quality`` and the
run summary; ``target_summary`` builds the same text from a tally for other callers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as DET  # type: ignore[import-untyped]
from pydantic import ValidationError

from ..calendar import CalendarRangeError
from ..errors import InputError, Location, RecordError, UsageError, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord
from . import ImportContext, Item, SourceStats
from .canonical import validation_message

__all__ = [
    "DEFAULT_MAX_BYTES",
    "IMPORTER",
    "MAX_BYTES_ENV",
    "QUALITY_CODES",
    "SUPPLIES",
    "CinCensusImporter",
    "TargetTally",
    "target_summary",
]

QUALITY_CODES: dict[str, str] = {
    "DATA020": "the council's InitialCPCtarget differs from our ICPC due date "
    "(CP002's limit after S47ActualStartDate, that day excluded: 15 working days nationally)",
    "DATA021": "per file: how the council's InitialCPCtargets differ from our due dates "
    "(child '(file)')",
    "DATA022": "a CPPreviewDate before its plan's CPPstartDate; ignored for CP003/CP004",
    "DATA023": "a child with neither PersonBirthDate nor ExpectedPersonBirthDate",
    "DATA024": "ICPCnotRequired is true but a DateOfInitialCPC is given; taken as not required",
    "DATA025": "InitialCPCtarget is not a date; it was not compared",
    "DATA026": "ReferralNFA is true but the episode has no CINclosureDate",
    "DATA027": "ICPCnotRequired is blank or missing; taken as false (a conference is required)",
}

SUPPLIES: frozenset[str] = frozenset(
    {
        "referral",
        "cin_closed",
        "assessment_started",
        "assessment_completed",
        "s47_started",
        "icpc",
        "cp_plan_started",
        "cp_review",
        "cp_plan_ended",
    }
)

DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB: far above any real census return
MAX_BYTES_ENV = "TIMESCALES_CIN_MAX_BYTES"
# the rule whose due date an InitialCPCtarget is compared with (its limit comes from the rules)
ICPC_RULE = "CP002"
SNIFF_BYTES = 16 * 1024

# elements that repeat, so their paths carry an index (others get one only when repeated)
_REPEATING = frozenset(
    {
        "Child",
        "CINdetails",
        "Assessments",
        "Assessment",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
        "ChildProtectionPlan",
        "Reviews",
        "CPPreviewDate",
    }
)
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?")
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Message[\s/>]")
_CHILDREN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Children[\s/>]")
_CHILD = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Child[\s/>]")


# ----------------------------------------------------------------------------- the target tally


@dataclass(slots=True)
class TargetTally:
    """How a file's InitialCPCtargets compare with our due dates.

    ``differences`` counts, per difference in working days (theirs minus ours, negative =
    the council's target is earlier), the rows that differ; ``off_day`` counts targets on a
    non-working day that still differ from ours by a calendar day or more."""

    compared: int = 0
    differences: Counter[int] = field(default_factory=Counter)
    off_day: int = 0

    @property
    def disagreeing(self) -> int:
        return sum(self.differences.values()) + self.off_day


def _describe(diff: int) -> str:
    size = "one working day" if abs(diff) == 1 else f"{abs(diff)} working days"
    return f"{size} {'earlier' if diff < 0 else 'later'}"


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def target_summary(tally: TargetTally) -> str | None:
    """One line on the direction of the disagreements, or None when every target agrees."""
    if not tally.disagreeing:
        return None
    n = tally.compared
    text = (
        f"InitialCPCtarget differs from our due date in {tally.disagreeing} of {n} Section47 "
        f"rows with a target ({_pct(tally.disagreeing, n)})"
    )
    ranked = sorted(tally.differences.items(), key=lambda kv: (-kv[1], abs(kv[0]), kv[0]))
    if ranked:
        diff, count = ranked[0]
        text += f"; the council's targets are {_describe(diff)} in {_pct(count, n)} of rows"
        if diff == -1:
            text += ": inclusive counting (the start day counted as day 1)"
        elif diff == 1:
            text += ": perhaps counted from the day after the enquiry started"
        others = [f"{_describe(d)} in {c}" for d, c in ranked[1:]]
        if tally.off_day:
            others.append(f"on a non-working day in {tally.off_day}")
        if others:
            text += "; otherwise " + ", ".join(others)
    else:
        text += f"; the council's targets fall on a non-working day in {tally.off_day}"
    return text


# ----------------------------------------------------------------------------- parsing helpers


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes the line of each start tag while expat is on it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: deque[int] = deque()
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str], /) -> ET.Element:
        self.lines.append(self.expat.CurrentLineNumber if self.expat is not None else 0)
        return super().start(tag, attrs)


_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    """The element's name without its namespace ({http://...}Child -> Child)."""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rpartition("}")[2] if tag[:1] == "{" else tag.rpartition(":")[2]
        if len(_LOCAL) < 10_000:
            _LOCAL[tag] = name
    return name


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


class _Bad(Exception):
    """A value that cannot be used: rejects the unit it belongs to."""

    def __init__(
        self, reason: str, el: ET.Element | None, path: str, field: str, found: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.el = el
        self.path = path
        self.field = field
        self.found = found
        # a required value absent, or one that is there and cannot be read
        self.code = "E311" if reason.endswith("(required)") else "E310"


def _parse_date(text: str) -> dt.date | str:
    """A census date (xs:date: YYYY-MM-DD, optionally with a time zone) or why it is not one."""
    if not _DATE.fullmatch(text):
        return "not a date in the census format YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return "not a real calendar date"


class _Node:
    """An element's children by local name, and paths that number repeated elements."""

    __slots__ = ("el", "kids", "path")

    def __init__(self, el: ET.Element, path: str) -> None:
        self.el = el
        self.path = path
        self.kids: list[tuple[str, ET.Element]] = [(_local(k.tag), k) for k in el]

    def all(self, name: str) -> list[tuple[ET.Element, str]]:
        out = []
        i = 0
        for kname, k in self.kids:
            if kname == name:
                i += 1
                out.append((k, f"{self.path}/{name}[{i}]"))
        if len(out) == 1 and name not in _REPEATING:
            out = [(out[0][0], f"{self.path}/{name}")]
        return out

    def one(self, name: str) -> tuple[ET.Element | None, str]:
        for kname, k in self.kids:
            if kname == name:
                return k, f"{self.path}/{name}"
        return None, f"{self.path}/{name}"

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        el, path = self.one(name)
        text = _text(el)
        if not text:
            if required:
                reason = "is blank (required)" if el is not None else "is missing (required)"
                raise _Bad(f"{name} {reason}", el if el is not None else self.el, path, name)
            return None
        value = _parse_date(text)
        if isinstance(value, str):
            raise _Bad(f"{name} is {value}", el, path, name, value_class(text))
        return value


def _units(node: _Node, wrapper: str, inner: str) -> list[tuple[ET.Element, str]]:
    """The DfE layout repeats the wrapper (``<Assessments>`` holds ONE assessment); some exports
    nest ``<Assessment>`` elements inside one wrapper. Both give one unit per assessment."""
    out: list[tuple[ET.Element, str]] = []
    for el, path in node.all(wrapper):
        nested = _Node(el, path).all(inner)
        out.extend(nested if nested else [(el, path)])
    # a bare <Assessment> directly inside CINdetails (no wrapper) counts too
    out.extend(node.all(inner))
    return out


# ----------------------------------------------------------------------------- the mapping


@dataclass(slots=True)
class _FileState:
    source: str
    rows: SourceStats
    elements: SourceStats
    # the run's rules: our due dates for the council's targets
    context: ImportContext
    tally: TargetTally = field(default_factory=TargetTally)
    # LAchildID -> (Child index, fingerprint of its record) for children already used
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)


class _ChildMapper:
    """Map one finished ``Child`` element. Units (episode, assessment, enquiry, plan) that cannot
    be used are rejected one by one; the child is built from the rest. Counts and the target
    tally are kept here and added to the file's only once the child's fate is known."""

    def __init__(
        self, state: _FileState, el: ET.Element, path: str, lines: dict[int, int], index: int
    ) -> None:
        self.state = state
        self.el = el
        self.path = path
        self.lines = lines
        self.index = index
        self.events: list[dict[str, Any]] = []
        self.quality: list[DataQualityFinding] = []
        self.rejects: list[Item] = []
        self.child = ""
        self.used_units = 0
        self.rejected_units = 0
        self.tally = TargetTally()

    # -- locations and outputs
    def loc(self, el: ET.Element | None, path: str) -> Location:
        line = self.lines.get(id(el)) if el is not None else None
        if line is None:
            line = self.lines.get(id(self.el))
        return Location(self.state.source, line, path)

    def reject_unit(self, bad: _Bad, what: str, units: int) -> None:
        where = self.loc(bad.el, bad.path)
        msg = f"{what} not used: {bad.reason}"
        if units > 1:
            msg += f" (with the {units - 1} assessment, enquiry and plan element(s) inside it)"
        error = RecordError(msg, where, bad.field, code=bad.code, value_class=bad.found)
        self.rejects.append(Item(where, error=error, row=True))
        self.rejected_units += units

    def note(
        self,
        code: str,
        message: str,
        *,
        ref: str | None,
        date: dt.date | None,
        el: ET.Element | None,
        path: str,
    ) -> None:
        self.quality.append(
            DataQualityFinding(
                code, self.child, message, ref=ref, date=date, source=str(self.loc(el, path))
            )
        )

    def event(self, etype: str, date: dt.date, ref: str | None, case: str, **attrs: Any) -> None:
        ev: dict[str, Any] = {"type": etype, "date": date, "case": case}
        if ref is not None:
            ev["ref"] = ref
        if attrs:
            ev["attrs"] = attrs
        self.events.append(ev)

    # -- the child
    def run(self) -> list[Item]:
        root = _Node(self.el, self.path)
        units = self.count_units(root)
        rows, elements = self.state.rows, self.state.elements
        rows.rows_read += 1
        elements.rows_read += units
        try:
            record = self.build(root)
        except _Bad as bad:
            where = self.loc(bad.el, bad.path)
            return self.reject_child(bad.reason, where, bad.field, units, bad.code, bad.found)
        except ValidationError as exc:  # defensive: the mapping should only make valid records
            message, _ = validation_message(exc)
            return self.reject_child(message, self.loc(self.el, self.path), None, units, "E313")
        first = self.state.seen.get(record.child)
        fingerprint = _fingerprint(record)
        if first is not None:
            index, before = first
            same = "identical" if before == fingerprint else "with different content"
            reason = (
                f"LAchildID already given by Child[{index}] ({same}); the census has one Child "
                "element per child: this one is not used (merge them at source)"
            )
            ids_el, ids_path = root.one("ChildIdentifiers")
            id_el = _Node(ids_el, ids_path).one("LAchildID")[0] if ids_el is not None else None
            where = self.loc(id_el, f"{ids_path}/LAchildID")
            return self.reject_child(reason, where, "LAchildID", units, "E309")
        self.state.seen[record.child] = (self.index, fingerprint)
        rows.rows_used += 1
        elements.rows_used += self.used_units
        elements.rows_rejected += self.rejected_units
        tally = self.state.tally
        tally.compared += self.tally.compared
        tally.differences.update(self.tally.differences)
        tally.off_day += self.tally.off_day
        where = self.loc(self.el, self.path)
        return [*self.rejects, Item(where, record=record, quality=tuple(self.quality))]

    def reject_child(
        self,
        reason: str,
        where: Location,
        field_name: str | None,
        units: int,
        code: str = "E310",
        found: str | None = None,
    ) -> list[Item]:
        """The whole child is not used; its units go with it (counted rejected)."""
        self.state.rows.rows_rejected += 1
        self.state.elements.rows_rejected += units
        who = f"LAchildID {self.child}: " if self.child else ""
        error = RecordError(
            f"{who}child not used: {reason}", where, field_name, code=code, value_class=found
        )
        return [Item(where, error=error)]

    @staticmethod
    def count_units(root: _Node) -> int:
        n = 0
        for cin, cpath in root.all("CINdetails"):
            node = _Node(cin, cpath)
            n += 1
            n += len(_units(node, "Assessments", "Assessment"))
            n += len(node.all("Section47"))
            n += len(_units(node, "ChildProtectionPlans", "ChildProtectionPlan"))
        return n

    def build(self, root: _Node) -> ChildRecord:
        ids_el, ids_path = root.one("ChildIdentifiers")
        if ids_el is None:
            raise _Bad("ChildIdentifiers is missing (required)", self.el, ids_path, "LAchildID")
        ids = _Node(ids_el, ids_path)
        id_el, id_path = ids.one("LAchildID")
        child = _text(id_el)
        if not child:
            reason = "is blank (required)" if id_el is not None else "is missing (required)"
            raise _Bad(f"LAchildID {reason}", id_el if id_el is not None else ids_el, id_path,
                       "LAchildID")  # fmt: skip
        if len(child) > 200:
            raise _Bad(
                "LAchildID is longer than 200 characters",
                id_el,
                id_path,
                "LAchildID",
                value_class(child),
            )
        self.child = child
        dob = ids.date("PersonBirthDate")
        expected = ids.date("ExpectedPersonBirthDate")
        if dob is None and expected is None:
            self.note(
                "DATA023",
                "neither PersonBirthDate nor ExpectedPersonBirthDate is given",
                ref=None,
                date=None,
                el=ids_el,
                path=ids_path,
            )
        for number, (cin, cpath) in enumerate(root.all("CINdetails"), start=1):
            self.episode(_Node(cin, cpath), f"CIN{number}")
        return ChildRecord.model_validate(
            {"child": child, "dob": dob, "expected_dob": expected, "events": self.events}
        )

    # -- one episode of need
    def episode(self, node: _Node, case: str) -> None:
        assessments = _units(node, "Assessments", "Assessment")
        enquiries = node.all("Section47")
        plans = _units(node, "ChildProtectionPlans", "ChildProtectionPlan")
        units = 1 + len(assessments) + len(enquiries) + len(plans)
        try:
            referral = node.date("CINreferralDate", required=True)
            closure = node.date("CINclosureDate")
        except _Bad as bad:
            self.reject_unit(bad, f"CINdetails ({case})", units)
            return
        assert referral is not None
        self.used_units += 1
        self.event("referral", referral, case, case)
        if closure is not None:
            self.event("cin_closed", closure, None, case)
        nfa_el, nfa_path = node.one("ReferralNFA")
        if _text(nfa_el).lower() in _TRUE and closure is None:
            self.note(
                "DATA026",
                "ReferralNFA is true but the episode has no CINclosureDate: AS001 counts it as "
                "open",
                ref=case,
                date=referral,
                el=nfa_el,
                path=nfa_path,
            )
        for k, (el, path) in enumerate(assessments, start=1):
            self.assessment(_Node(el, path), f"{case}-A{k}", case)
        for k, (el, path) in enumerate(enquiries, start=1):
            self.section47(_Node(el, path), f"{case}-S47-{k}", case)
        for k, (el, path) in enumerate(plans, start=1):
            self.plan(_Node(el, path), f"{case}-CPP{k}", case)

    def assessment(self, node: _Node, ref: str, case: str) -> None:
        try:
            start = node.date("AssessmentActualStartDate", required=True)
            done = node.date("AssessmentAuthorisationDate")
        except _Bad as bad:
            self.reject_unit(bad, f"assessment {ref}", 1)
            return
        assert start is not None
        self.used_units += 1
        self.event("assessment_started", start, ref, case)
        if done is not None:
            self.event("assessment_completed", done, ref, case)

    def section47(self, node: _Node, ref: str, case: str) -> None:
        try:
            start = node.date("S47ActualStartDate", required=True)
            icpc = node.date("DateOfInitialCPC")
            flag_el, flag_path = node.one("ICPCnotRequired")
            flag = _text(flag_el).lower()
            if flag and flag not in _TRUE and flag not in _FALSE:
                raise _Bad(
                    "ICPCnotRequired is not true/false/1/0",
                    flag_el,
                    flag_path,
                    "ICPCnotRequired",
                    value_class(flag),
                )
        except _Bad as bad:
            self.reject_unit(bad, f"Section47 {ref}", 1)
            return
        assert start is not None
        self.used_units += 1
        self.event("s47_started", start, ref, case)
        not_required = flag in _TRUE
        if not flag:
            self.note(
                "DATA027",
                "ICPCnotRequired is blank or missing; taken as false (a conference is required)",
                ref=ref,
                date=start,
                el=flag_el if flag_el is not None else node.el,
                path=flag_path,
            )
        if not_required:
            if icpc is not None:
                self.note(
                    "DATA024",
                    "ICPCnotRequired is true but a DateOfInitialCPC is given; taken as not "
                    "required (CP002 does not apply)",
                    ref=ref,
                    date=icpc,
                    el=flag_el,
                    path=flag_path,
                )
            self.event("icpc", icpc or start, ref, case, not_required=True)
        elif icpc is not None:
            self.event("icpc", icpc, ref, case)
        self.compare_target(node, ref, start)

    def compare_target(self, node: _Node, ref: str, start: dt.date) -> None:
        el, path = node.one("InitialCPCtarget")
        text = _text(el)
        if not text:
            return
        target = _parse_date(text)
        if isinstance(target, str):
            self.note(
                "DATA025",
                f"InitialCPCtarget is {target}; it was not compared",
                ref=ref,
                date=None,
                el=el,
                path=path,
            )
            return
        try:
            due = self.state.context.due(ICPC_RULE, start)
            if due is None:
                return  # no CP002 in force for this enquiry: nothing to compare with
            ours = due.date
            diff = due.working_days_to(target)
        except CalendarRangeError:
            return  # the engine rejects this child's CP002 with the reason
        tally = self.tally
        tally.compared += 1
        if target == ours:
            return
        hint = ""
        if diff == 0:
            tally.off_day += 1
            days = abs((target - ours).days)
            how = f"on a non-working day, {days} calendar day(s) " + (
                "earlier" if target < ours else "later"
            )
        else:
            tally.differences[diff] += 1
            how = _describe(diff)
            if diff == -1:
                hint = "; consistent with inclusive counting (the start day counted as day 1)"
        self.note(
            "DATA020",
            f"the council's InitialCPCtarget is {how} than our due date {ours.isoformat()} "
            f"({due.describe()} after S47ActualStartDate, that day excluded)"
            f"{hint}",
            ref=ref,
            date=target,
            el=el,
            path=path,
        )

    def plan(self, node: _Node, ref: str, case: str) -> None:
        reviews: list[tuple[dt.date, ET.Element, str]] = []
        try:
            start = node.date("CPPstartDate", required=True)
            end = node.date("CPPendDate")
            holders = [node, *(_Node(el, p) for el, p in node.all("Reviews"))]
            for holder in holders:
                for el, path in holder.all("CPPreviewDate"):
                    text = _text(el)
                    if not text:
                        continue  # an empty review element says nothing
                    value = _parse_date(text)
                    if isinstance(value, str):
                        raise _Bad(
                            f"CPPreviewDate is {value}",
                            el,
                            path,
                            "CPPreviewDate",
                            value_class(text),
                        )
                    reviews.append((value, el, path))
        except _Bad as bad:
            self.reject_unit(bad, f"child protection plan {ref}", 1)
            return
        assert start is not None
        self.used_units += 1
        self.event("cp_plan_started", start, ref, case)
        for value, el, path in reviews:
            if value < start:
                self.note(
                    "DATA022",
                    "CPPreviewDate is before the plan's CPPstartDate; ignored for CP003/CP004",
                    ref=ref,
                    date=value,
                    el=el,
                    path=path,
                )
                continue
            self.event("cp_review", value, ref, case)
        if end is not None:
            self.event("cp_plan_ended", end, ref, case)


def _fingerprint(record: ChildRecord) -> int:
    return hash(
        (
            record.dob,
            record.expected_dob,
            tuple(sorted((e.type, e.date, e.ref or "", e.case or "") for e in record.events)),
        )
    )


# ----------------------------------------------------------------------------- the importer


def _skip_prolog(head: bytes) -> bytes:
    """Skip the XML declaration, comments, processing instructions and a DOCTYPE."""
    while True:
        head = head.lstrip()
        if head.startswith(b"<?"):
            end = head.find(b"?>")
            if end < 0:
                return b""
            head = head[end + 2 :]
        elif head.startswith(b"<!--"):
            end = head.find(b"-->")
            if end < 0:
                return b""
            head = head[end + 3 :]
        elif head[:9].upper() == b"<!DOCTYPE":
            bracket, close = head.find(b"["), head.find(b">")
            if 0 <= bracket < close:
                close = head.find(b">", head.find(b"]", bracket))
            if close < 0:
                return b""
            head = head[close + 1 :]
        else:
            return head


def _where(names: list[str]) -> str:
    return "/".join(names) or "(before the root element)"


class CinCensusImporter:
    """The ``cin-census`` input format. ``max_bytes`` (default: the ``TIMESCALES_CIN_MAX_BYTES``
    environment variable, else 1 GiB) refuses larger files unread."""

    name = "cin-census"
    supplies: frozenset[str] | None = SUPPLIES

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes

    def limit(self) -> int:
        if self.max_bytes is not None:
            return self.max_bytes
        text = os.environ.get(MAX_BYTES_ENV, "").strip()
        if not text:
            return DEFAULT_MAX_BYTES
        try:
            value = int(text)
        except ValueError:
            raise UsageError(f"{MAX_BYTES_ENV} must be a number of bytes, not {text!r}") from None
        if value <= 0:
            raise UsageError(f"{MAX_BYTES_ENV} must be a positive number of bytes")
        return value

    def sniff(self, path: Path) -> bool:
        """An XML file whose root is ``Message`` (any namespace) holding ``Children``/``Child``,
        judged from its first 16 KiB."""
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
            whole = len(head) < SNIFF_BYTES
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
            head = head[: len(head) // 2 * 2].decode("utf-16", "ignore").encode("utf-8")
        body = _skip_prolog(head.removeprefix(b"\xef\xbb\xbf"))
        root = _ROOT.match(body)
        if root is None:
            return False
        rest = body[root.end() :]
        children = _CHILDREN.search(rest)
        if children is None:
            return False
        return whole or _CHILD.search(rest, children.end()) is not None

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        source = str(path)
        if path.is_dir():
            raise InputError(
                "a CIN census input is one XML file, not a directory", Location(source), code="E406"
            )
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(source), code="E401"
            ) from None
        limit = self.limit()
        if size > limit:
            raise InputError(
                f"refused: the file is {size:,} bytes, over the {limit:,}-byte limit for a CIN "
                f"census file (set {MAX_BYTES_ENV} to raise it)",
                Location(source),
                code="E403",
            )
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(source), code="E401"
            ) from None
        state = _FileState(
            source, context.source(source), context.source(f"{source} [CIN elements]"), context
        )
        with fh:
            yield from self._stream(fh, state)

    def _stream(self, fh: Any, state: _FileState) -> Iterator[Item]:
        source = state.source
        builder = _LineBuilder()
        parser = DET.DefusedXMLParser(
            target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        builder.expat = parser.parser
        pop_line = builder.lines.popleft
        # outside a Child: the open elements, their path segments and their children's names
        names: list[str] = []
        elems: list[ET.Element] = []
        counts: list[dict[str, int]] = [{}]
        # inside a Child only its depth is tracked (paths come from the finished tree)
        lines: dict[int, int] = {}  # id(element) -> line, for the child being read
        in_child = False
        inner = 0  # open elements below the Child
        child_index = 0
        pending: Item | None = None  # the latest record, held back to carry the file summary
        try:
            for event, el in DET.iterparse(fh, ("start", "end"), parser=parser):
                if in_child:
                    if event == "start":
                        lines[id(el)] = pop_line()
                        inner += 1
                        continue
                    if inner:
                        inner -= 1
                        continue
                    path = "/".join(names)
                    for item in _ChildMapper(state, el, path, lines, child_index).run():
                        if item.record is None:
                            yield item
                            continue
                        if pending is not None:
                            yield pending
                        pending = item
                    lines.clear()
                    el.clear()
                    if len(elems) > 1:
                        elems[-2].remove(el)
                    in_child = False
                    names.pop()
                    elems.pop()
                    counts.pop()
                    continue
                if event == "end":
                    names.pop()
                    elems.pop()
                    counts.pop()
                    continue
                line = pop_line()
                name = _local(el.tag)
                if not elems and name != "Message":
                    raise InputError(
                        f"not a CIN census file: the root element is {name!r}, not Message",
                        Location(source, line),
                        code="E406",
                    )
                siblings = counts[-1]
                index = siblings[name] = siblings.get(name, 0) + 1
                if name == "Child":
                    child_index += 1
                    index = child_index
                    in_child = True
                    inner = 0
                    lines[id(el)] = line
                names.append(f"{name}[{index}]" if name in _REPEATING or index > 1 else name)
                elems.append(el)
                counts.append({})
        except ET.ParseError as exc:
            if in_child:
                yield self._broken_child(exc, state, names, elems[-1], inner, child_index)
            else:
                yield self._broken(exc, state, names)
        except defusedxml.DefusedXmlException as exc:
            kind = {
                "DTDForbidden": "a DOCTYPE (census files have none)",
                "EntitiesForbidden": "an XML entity declaration",
                "ExternalReferenceForbidden": "an external reference",
            }.get(type(exc).__name__, "a forbidden XML construct")
            raise InputError(
                f"refused: the file contains {kind}; entities are never expanded "
                "(this guards against entity-expansion 'XML bomb' attacks)",
                Location(source, builder.expat.CurrentLineNumber),
                code="E403",
            ) from None
        except (ValueError, LookupError) as exc:
            if isinstance(exc, ValueError) and "encoding" not in str(exc):
                raise
            # expat cannot decode the declared encoding ("UTF-6", a multi-byte legacy one)
            raise InputError(
                "the XML declares an encoding that cannot be read (census files are UTF-8)",
                Location(source, 1),
                code="E405",
            ) from None
        summary = target_summary(state.tally)
        if pending is not None and summary is not None:
            note = DataQualityFinding("DATA021", "(file)", summary, source=source)
            pending = dataclasses.replace(pending, quality=(*pending.quality, note))
        if pending is not None:
            yield pending

    @staticmethod
    def _break_message(exc: ET.ParseError) -> tuple[int, str]:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        return line, (
            f"the XML breaks off at line {line}, column {column} ({reason}): the file is "
            "truncated or not well-formed, and nothing after this point can be read"
        )

    def _broken(self, exc: ET.ParseError, state: _FileState, names: list[str]) -> Item:
        """The XML breaks off (a truncated file) or is not well-formed outside any child:
        what came before is used; the break is reported with its element path and line."""
        line, message = self._break_message(exc)
        where = Location(state.source, line, _where(names))
        return Item(where, error=RecordError(message, where, code="E404"), row=True)

    def _broken_child(
        self,
        exc: ET.ParseError,
        state: _FileState,
        names: list[str],
        child: ET.Element,
        inner: int,
        child_index: int,
    ) -> Item:
        """The XML breaks off inside a child: that child is rejected (counted, with the units
        read so far), at the path of the element open at the break."""
        line, message = self._break_message(exc)
        node = _Node(child, "/".join(names))
        for _ in range(inner):  # the open elements are the last child at each level
            if not node.kids:
                break
            name, last = node.kids[-1]
            path = next(p for e, p in node.all(name) if e is last)
            node = _Node(last, path)
        where = Location(state.source, line, node.path)
        partial = _Node(child, "/".join(names))
        units = _ChildMapper.count_units(partial)
        state.rows.rows_read += 1
        state.rows.rows_rejected += 1
        state.elements.rows_read += units
        state.elements.rows_rejected += units
        ids = partial.one("ChildIdentifiers")[0]
        lachildid = _text(_Node(ids, "").one("LAchildID")[0]) if ids is not None else ""
        who = f"LAchildID {lachildid}: " if lachildid else f"Child[{child_index}]: "
        error = RecordError(f"{who}child not used: {message}", where, code="E404")
        return Item(where, error=error)


IMPORTER = CinCensusImporter()
