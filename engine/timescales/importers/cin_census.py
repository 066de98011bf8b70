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

The input is one return or a directory of returns: several collection years are merged per
child (keys: the child, each episode's referral date, each block's start date; the latest return
wins, disagreements are DATA029 notes; reviews are the union), and every record says where the
history of the blocks a return holds only within its year begins (``known_from``: 1 April of the
earliest collection year in the unbroken run). Refs are numbered in date order. In a directory,
a file that is not a return is skipped (``ImportContext.skip``), a README is a notice. Plans
open at once (DfE validation 8940) keep their own refs and get a DATA028 note.

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
import itertools
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as DET  # type: ignore[import-untyped]
from pydantic import ValidationError

from ..calendar import CalendarRangeError
from ..contract import ImportContext, Item, SourceStats
from ..dates import DateError, parse_census
from ..errors import InputError, Location, RecordError, UsageError, not_used, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord, event_data
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
    "DATA023": "a child's birth date is missing or unreadable (neither PersonBirthDate nor "
    "ExpectedPersonBirthDate given, or one is not a date: it is not used)",
    "DATA024": "ICPCnotRequired is true but a DateOfInitialCPC is given; taken as not required",
    "DATA025": "InitialCPCtarget is not a date; it was not compared",
    "DATA026": "ReferralNFA is true but the episode has no CINclosureDate",
    "DATA027": "ICPCnotRequired is blank, missing or not a yes/no; taken as false (a conference "
    "is required)",
    "DATA028": "a child protection plan starts while another is open (DfE validation 8940); "
    "each plan's reviews are nested in it, so each plan is assessed",
    "DATA029": "returns of several years disagree (the latest return wins), a collection year "
    "has no return, or a return's header gives no collection year",
}

# the events a return holds only within its collection year (older ones only for a block still
# open): assessments completed in the year or open at its end, enquiries whose conference fell
# in the year or still awaited, reviews held in the year (DfE validations 8696, 8736, 8715,
# 8740; reviews: see docs/importers/cin-census.md). Their known history begins on 1 April.
IN_YEAR: tuple[str, ...] = (
    "assessment_started",
    "assessment_completed",
    "s47_started",
    "icpc",
    "cp_review",
)

SUPPLIES: frozenset[str] = frozenset({
    "referral", "cin_closed", "assessment_started", "assessment_completed", "s47_started",
    "icpc", "cp_plan_started", "cp_review", "cp_plan_ended",
})  # fmt: skip

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
        self,
        reason: str,
        el: ET.Element | None,
        path: str,
        field: str,
        found: str | None = None,
        *,
        absent: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.el = el
        self.path = path
        self.field = field
        self.found = found
        # a required value absent, or one that is there and cannot be read
        self.code = "E311" if absent or reason.endswith("(required)") else "E310"


def _parse_date(text: str) -> dt.date | str:
    """A census date (``dates.parse_census``: YYYY-MM-DD, optionally with a time zone) or why it
    is not one."""
    try:
        return parse_census(text)
    except DateError as exc:
        return str(exc)


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

    def missing(self, name: str, path: str) -> _Bad:
        """A required element absent; where an element of the same name but for its case (or
        its underscores) is there, the message names it: a renamed element."""
        wanted = name.lower().replace("_", "")
        alike = next((k for k, _ in self.kids if k != name and
                      k.lower().replace("_", "") == wanted), None)  # fmt: skip
        reason = f"{name} is missing (required)"
        if alike is not None:
            reason += f"; an element {alike} is there: renamed? (names are case-sensitive)"
        return _Bad(reason, self.el, path, name, absent=True)

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        el, path = self.one(name)
        if required and not _text(el):
            if el is None:
                raise self.missing(name, path)
            raise _Bad(f"{name} is blank (required)", el, path, name)
        return _date_in(el, path, name)


def _date_in(el: ET.Element | None, path: str, name: str) -> dt.date | None:
    """The date element ``el`` holds (None when it is blank or absent); _Bad when it is no date."""
    text = _text(el)
    if not text:
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
class _Note:
    """A data-quality note found while reading; its ref is given once the child's episodes,
    assessments, enquiries and plans are numbered (after several returns are merged)."""

    code: str
    message: str
    date: dt.date | None
    source: str


Key = tuple[dt.date, int]  # a block's start date, and which of the blocks with that date


@dataclass(slots=True)
class _Unit:
    """An assessment (``A``), a section 47 enquiry (``S47``) or a plan (``CPP``)."""

    kind: str
    key: Key
    start: dt.date
    second: dt.date | None  # authorisation, conference, plan end
    source: str
    not_required: bool = False
    reviews: set[dt.date] = field(default_factory=set)
    notes: list[_Note] = field(default_factory=list)


@dataclass(slots=True)
class _Episode:
    key: Key
    closure: dt.date | None
    source: str
    units: dict[tuple[str, Key], _Unit] = field(default_factory=dict)
    notes: list[_Note] = field(default_factory=list)


@dataclass(slots=True)
class _ChildData:
    """One child as one return (or several, merged) holds it, before refs are numbered."""

    child: str
    dob: dt.date | None
    expected: dt.date | None
    episodes: dict[Key, _Episode] = field(default_factory=dict)
    notes: list[_Note] = field(default_factory=list)  # about the child (no ref)


def _keyed(dates: list[dt.date]) -> list[Key]:
    """Each block's key: its date and its rank among the blocks of that date, so that two
    blocks of one date stay two, and the same block in two returns has the same key."""
    seen: Counter[dt.date] = Counter()
    keys = []
    for day in dates:
        seen[day] += 1
        keys.append((day, seen[day]))
    return keys


_PREFIX = {"A": "-A", "S47": "-S47-", "CPP": "-CPP"}


def _events(data: _ChildData) -> tuple[list[dict[str, Any]], list[tuple[_Note, str | None]]]:
    """The child's canonical events, and its notes with their refs. Episodes are numbered in
    date order (``CIN1``...), and within each the assessments, enquiries and plans."""
    events: list[dict[str, Any]] = []
    notes: list[tuple[_Note, str | None]] = [(n, None) for n in data.notes]

    def add(etype: str, date: dt.date, ref: str | None, case: str, **attrs: Any) -> None:
        events.append(event_data(etype, date, ref, case, attrs))

    plans: list[tuple[_Unit, str]] = []
    for n, key in enumerate(sorted(data.episodes), start=1):
        episode = data.episodes[key]
        case = f"CIN{n}"
        add("referral", key[0], case, case)
        if episode.closure is not None:
            add("cin_closed", episode.closure, None, case)
        notes.extend((note, case) for note in episode.notes)
        for kind in ("A", "S47", "CPP"):
            units = sorted((u for u in episode.units.values() if u.kind == kind),
                           key=lambda u: u.key)  # fmt: skip
            for k, unit in enumerate(units, start=1):
                ref = f"{case}{_PREFIX[kind]}{k}"
                notes.extend((note, ref) for note in unit.notes)
                if kind == "A":
                    add("assessment_started", unit.start, ref, case)
                    if unit.second is not None:
                        add("assessment_completed", unit.second, ref, case)
                elif kind == "S47":
                    add("s47_started", unit.start, ref, case)
                    if unit.not_required:
                        add("icpc", unit.second or unit.start, ref, case, not_required=True)
                    elif unit.second is not None:
                        add("icpc", unit.second, ref, case)
                else:
                    add("cp_plan_started", unit.start, ref, case)
                    for review in sorted(unit.reviews):
                        add("cp_review", review, ref, case)
                    if unit.second is not None:
                        add("cp_plan_ended", unit.second, ref, case)
                    plans.append((unit, ref))
    # plans open at once (DfE error 8940): each has its own nested reviews, so each is
    # assessed; said once per plan that starts while another is open
    plans.sort(key=lambda p: p[0].key)
    for i, (unit, ref) in enumerate(plans):
        for other, other_ref in plans[:i]:
            if other.second is None or unit.start < other.second:
                message = (
                    f"child protection plan {ref} starts while plan {other_ref} is open (DfE "
                    "validation 8940); each plan's reviews are nested in it, so each is assessed"
                )
                notes.append((_Note("DATA028", message, unit.start, unit.source), ref))
                break
    return events, notes


@dataclass(slots=True)
class _Return:
    """What a return's header says of the collection it belongs to."""

    source: str
    reference: dt.date | None = None  # the collection's last day (31 March)
    year: int | None = None  # Header/CollectionDetails/Year
    stamp: str = ""  # Header/Source/DateTime: which of two returns of one year is later
    notes: list[str] = field(default_factory=list)

    @property
    def end(self) -> dt.date | None:
        if self.reference is not None:
            return self.reference
        return dt.date(self.year, 3, 31) if self.year is not None else None

    @property
    def start(self) -> dt.date | None:
        """The first day the return covers: the 1 April before its ReferenceDate."""
        end = self.end
        if end is None:
            return None
        return dt.date(end.year - 1 if end.month < 4 else end.year, 4, 1)

    def collection(self) -> str:
        end = self.end
        return "collection year unknown" if end is None else f"{end.year - 1}-{end.year % 100:02d}"

    def read_header(self, header: ET.Element) -> None:
        node = _Node(header, "Message/Header")
        details_el, details_path = node.one("CollectionDetails")
        if details_el is None:
            self.notes.append("the Header has no CollectionDetails")
            return
        details = _Node(details_el, details_path)
        text = _text(details.one("ReferenceDate")[0])
        if text:
            value = _parse_date(text)
            if isinstance(value, dt.date):
                self.reference = value
            else:
                self.notes.append(f"the Header's ReferenceDate is {value}")
        text = _text(details.one("Year")[0])
        if text.isdigit() and len(text) == 4:
            self.year = int(text)
        elif text:
            self.notes.append("the Header's Year is not a four-digit year")
        source_el, source_path = node.one("Source")
        if source_el is not None:
            self.stamp = _text(_Node(source_el, source_path).one("DateTime")[0])


@dataclass(slots=True)
class _FileState:
    source: str
    rows: SourceStats
    elements: SourceStats
    # the run's rules: our due dates for the council's targets
    context: ImportContext
    header: _Return
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
        reason = bad.reason
        if units > 1:
            reason += f" (with the {units - 1} assessment, enquiry and plan element(s) inside it)"
        error = not_used(what, reason, where, bad.field, code=bad.code, value_class=bad.found)
        self.rejects.append(Item(where, error=error, row=True))
        self.rejected_units += units

    def note(self, code: str, message: str, *, date: dt.date | None, el: ET.Element | None,
             path: str) -> _Note:  # fmt: skip
        return _Note(code, message, date, str(self.loc(el, path)))

    # -- the child
    def run(self) -> tuple[list[Item], _ChildData | None, Item | None]:
        """The child's rejects, the child as read (None when it is rejected whole) and its
        record as this return alone gives it."""
        root = _Node(self.el, self.path)
        units = self.count_units(root)
        rows, elements = self.state.rows, self.state.elements
        rows.rows_read += 1
        elements.rows_read += units
        try:
            data = self.build(root)
            record, quality = _record(
                data,
                self.state.header.start,
                self.state.context.validation_context(),
                self.state.header.end,
            )
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
        return self.rejects, data, Item(self.loc(self.el, self.path), record, quality=quality)

    def reject_child(
        self,
        reason: str,
        where: Location,
        field_name: str | None,
        units: int,
        code: str = "E310",
        found: str | None = None,
    ) -> tuple[list[Item], None, None]:
        """The whole child is not used; its units go with it (counted rejected)."""
        self.state.rows.rows_rejected += 1
        self.state.elements.rows_rejected += units
        who = f"LAchildID {self.child}: " if self.child else ""
        error = not_used(f"{who}child", reason, where, field_name, code=code, value_class=found)
        return [Item(where, error=error)], None, None

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

    def birth_date(self, ids: _Node, name: str, notes: list[_Note]) -> dt.date | None:
        """An optional date of the child: one that cannot be read is unknown (a note; the
        child is used). No census rule depends on the child's age."""
        try:
            return ids.date(name)
        except _Bad as bad:
            notes.append(
                self.note(
                    "DATA023", f"{bad.reason}; it is not used", date=None, el=bad.el, path=bad.path
                )
            )
            return None

    def build(self, root: _Node) -> _ChildData:
        ids_el, ids_path = root.one("ChildIdentifiers")
        if ids_el is None:
            raise _Bad("ChildIdentifiers is missing (required)", self.el, ids_path, "LAchildID")
        ids = _Node(ids_el, ids_path)
        id_el, id_path = ids.one("LAchildID")
        child = _text(id_el)
        if not child:
            if id_el is None:
                raise ids.missing("LAchildID", id_path)
            raise _Bad("LAchildID is blank (required)", id_el, id_path, "LAchildID")
        if len(child) > 200:
            raise _Bad(
                "LAchildID is longer than 200 characters",
                id_el,
                id_path,
                "LAchildID",
                value_class(child),
            )
        self.child = child
        notes: list[_Note] = []
        dob = self.birth_date(ids, "PersonBirthDate", notes)
        expected = self.birth_date(ids, "ExpectedPersonBirthDate", notes)
        if dob is None and expected is None and not notes:
            notes.append(
                self.note(
                    "DATA023",
                    "neither PersonBirthDate nor ExpectedPersonBirthDate is given",
                    date=None,
                    el=ids_el,
                    path=ids_path,
                )
            )
        data = _ChildData(child, dob, expected, notes=notes)
        episodes = root.all("CINdetails")
        referrals: list[tuple[dt.date, _Node, str]] = []
        for cin, cpath in episodes:
            node = _Node(cin, cpath)
            referral = self.referral(node, "CINdetails (an episode of need)")
            if referral is not None:
                referrals.append((referral, node, "CINdetails (an episode of need)"))
        for key, (_, node, what) in zip(_keyed([r[0] for r in referrals]), referrals, strict=True):
            self.episode(node, key, what, data)
        return data

    # -- one episode of need
    def referral(self, node: _Node, what: str) -> dt.date | None:
        """The episode's referral date, or None when the episode is rejected (with its
        blocks)."""
        try:
            return node.date("CINreferralDate", required=True)
        except _Bad as bad:
            self.reject_unit(bad, what, 1 + self.count_inner(node))
            return None

    @staticmethod
    def count_inner(node: _Node) -> int:
        return (
            len(_units(node, "Assessments", "Assessment"))
            + len(node.all("Section47"))
            + len(_units(node, "ChildProtectionPlans", "ChildProtectionPlan"))
        )

    def episode(self, node: _Node, key: Key, what: str, data: _ChildData) -> None:
        try:
            closure = node.date("CINclosureDate")
        except _Bad as bad:
            self.reject_unit(bad, what, 1 + self.count_inner(node))
            return
        self.used_units += 1
        episode = _Episode(key, closure, str(self.loc(node.el, node.path)))
        data.episodes[key] = episode
        nfa_el, nfa_path = node.one("ReferralNFA")
        if _text(nfa_el).lower() in _TRUE and closure is None:
            episode.notes.append(
                self.note(
                    "DATA026",
                    "ReferralNFA is true but the episode has no "
                    "CINclosureDate: AS001 counts it as open",
                    date=key[0],
                    el=nfa_el,
                    path=nfa_path,
                )
            )
        found: list[_Unit] = []
        for el, path in _units(node, "Assessments", "Assessment"):
            found.extend(self.assessment(_Node(el, path)))
        for el, path in node.all("Section47"):
            found.extend(self.section47(_Node(el, path)))
        for el, path in _units(node, "ChildProtectionPlans", "ChildProtectionPlan"):
            found.extend(self.plan(_Node(el, path)))
        for kind in ("A", "S47", "CPP"):
            mine = [u for u in found if u.kind == kind]
            for unit, unit_key in zip(mine, _keyed([u.start for u in mine]), strict=True):
                unit.key = unit_key
                episode.units[(kind, unit_key)] = unit

    @staticmethod
    def span(node: _Node, start: str, end: str) -> tuple[dt.date, dt.date | None]:
        """A unit's required ``start`` date and its optional ``end`` (or second) date; _Bad
        when either cannot be read."""
        first = node.date(start, required=True)
        assert first is not None
        return first, node.date(end)

    def assessment(self, node: _Node) -> list[_Unit]:
        try:
            start, done = self.span(
                node, "AssessmentActualStartDate", "AssessmentAuthorisationDate"
            )
        except _Bad as bad:
            self.reject_unit(bad, "assessment", 1)
            return []
        self.used_units += 1
        return [_Unit("A", (start, 0), start, done, str(self.loc(node.el, node.path)))]

    def section47(self, node: _Node) -> list[_Unit]:
        notes: list[_Note] = []
        try:
            start, icpc = self.span(node, "S47ActualStartDate", "DateOfInitialCPC")
        except _Bad as bad:
            self.reject_unit(bad, "Section47", 1)
            return []
        flag_el, flag_path = node.one("ICPCnotRequired")
        flag = _text(flag_el).lower()
        if flag not in _TRUE and flag not in _FALSE:
            # blank, missing or unreadable: unknown, taken as false (a conference is required)
            what = "blank or missing" if not flag else "not true/false/1/0"
            notes.append(
                self.note(
                    "DATA027",
                    f"ICPCnotRequired is {what}; taken as false (a conference is required)",
                    date=start,
                    el=flag_el if flag_el is not None else node.el,
                    path=flag_path,
                )
            )
        self.used_units += 1
        not_required = flag in _TRUE
        if not_required and icpc is not None:
            notes.append(
                self.note(
                    "DATA024",
                    "ICPCnotRequired is true but a DateOfInitialCPC is "
                    "given; taken as not required (CP002 does not apply)",
                    date=icpc,
                    el=flag_el,
                    path=flag_path,
                )
            )
        notes.extend(self.compare_target(node, start))
        source = str(self.loc(node.el, node.path))
        return [_Unit("S47", (start, 0), start, icpc, source, not_required, notes=notes)]

    def compare_target(self, node: _Node, start: dt.date) -> list[_Note]:
        el, path = node.one("InitialCPCtarget")
        text = _text(el)
        if not text:
            return []
        target = _parse_date(text)
        if isinstance(target, str):
            return [
                self.note(
                    "DATA025",
                    f"InitialCPCtarget is {target}; it was not compared",
                    date=None,
                    el=el,
                    path=path,
                )
            ]
        try:
            due = self.state.context.due(ICPC_RULE, start)
            if due is None:
                return []  # no CP002 in force for this enquiry: nothing to compare with
            ours = due.date
            diff = due.working_days_to(target)
        except CalendarRangeError:
            return []  # the engine rejects this child's CP002 with the reason
        tally = self.tally
        tally.compared += 1
        if target == ours:
            return []
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
        message = (
            f"the council's InitialCPCtarget is {how} than our due date {ours.isoformat()} "
            f"({due.describe()} after S47ActualStartDate, that day excluded){hint}"
        )
        return [self.note("DATA020", message, date=target, el=el, path=path)]

    def plan(self, node: _Node) -> list[_Unit]:
        reviews: list[tuple[dt.date, ET.Element, str]] = []
        try:
            start, end = self.span(node, "CPPstartDate", "CPPendDate")
            holders = [node, *(_Node(el, p) for el, p in node.all("Reviews"))]
            for holder in holders:
                for el, path in holder.all("CPPreviewDate"):
                    value = _date_in(el, path, "CPPreviewDate")
                    if value is not None:  # an empty review element says nothing
                        reviews.append((value, el, path))
        except _Bad as bad:
            self.reject_unit(bad, "child protection plan", 1)
            return []
        self.used_units += 1
        unit = _Unit("CPP", (start, 0), start, end, str(self.loc(node.el, node.path)))
        for value, el, path in reviews:
            if value < start:
                unit.notes.append(
                    self.note("DATA022", "CPPreviewDate is before the plan's CPPstartDate; "
                              "ignored for CP003/CP004", date=value, el=el, path=path)
                )  # fmt: skip
                continue
            unit.reviews.add(value)
        return [unit]


def _merge_or_hold(
    merged: _Merged | None, data: _ChildData | None, item: Item | None, source: str
) -> Item | None:
    """A child read from one of several returns is merged with its other years' (None); a
    child of a single return is its item, to hold back (it may carry the file's notes)."""
    if data is not None and item is not None and merged is not None:
        if data.child in merged.data:
            _merge(merged.data[data.child], data, source)
        else:
            merged.data[data.child] = data
        merged.where[data.child] = item.location
        return None
    return item


def _unsafe(exc: defusedxml.DefusedXmlException, where: Location) -> InputError:
    """The refusal of a file with a DOCTYPE, an entity declaration or an external reference."""
    kind = {
        "DTDForbidden": "a DOCTYPE (census files have none)",
        "EntitiesForbidden": "an XML entity declaration",
        "ExternalReferenceForbidden": "an external reference",
    }.get(type(exc).__name__, "a forbidden XML construct")
    return InputError(
        f"refused: the file contains {kind}; entities are never expanded "
        "(this guards against entity-expansion 'XML bomb' attacks)",
        where,
        code="E403",
    )


def _record(data: _ChildData, known: dt.date | None, context: dict[str, object] | None,
            until: dt.date | None = None,
            ) -> tuple[ChildRecord, tuple[DataQualityFinding, ...]]:  # fmt: skip
    """The child's canonical record (``known``: where its in-year blocks' history begins;
    ``until``: the last day of the latest return's collection year, where the data end) and
    the notes the import found about it."""
    events, notes = _events(data)
    record: dict[str, Any] = {
        "child": data.child,
        "dob": data.dob,
        "expected_dob": data.expected,
        "events": events,
    }
    if known is not None:
        # the return holds these events only from the start of its collection year (older
        # ones only where the block is still open): the engine does not assess earlier steps
        record["known_from"] = [{"from": known, "events": list(IN_YEAR)}]
    if until is not None:
        record["known_until"] = until
    quality = tuple(
        DataQualityFinding(n.code, data.child, n.message, ref=ref, date=n.date, source=n.source)
        for n, ref in notes
    )
    return ChildRecord.model_validate(record, context=context), quality


def _fingerprint(record: ChildRecord) -> int:
    return hash(
        (
            record.dob,
            record.expected_dob,
            tuple(sorted((e.type, e.date, e.ref or "", e.case or "") for e in record.events)),
        )
    )


# ----------------------------------------------------------------------------- several returns


def _differ(old: dt.date | None, new: dt.date | None) -> bool:
    """A later return disagrees with an earlier one: it gives another date, or none where the
    earlier gave one (a later return normally only adds what happened since)."""
    return old is not None and old != new


def _merge(old: _ChildData, new: _ChildData, source: str) -> None:
    """Fold a later return's ``new`` into ``old`` (in place): keyed on the child, each episode's
    referral date and each block's start date; the later return wins, a disagreement is a
    note (DATA029); reviews (each return holds those of its own year) are the union."""

    def clash(what: str, date: dt.date | None, notes: list[_Note]) -> None:
        notes.append(
            _Note(
                "DATA029",
                f"the returns disagree about {what}; the latest return's is used",
                date,
                source,
            )
        )

    for name in ("dob", "expected"):
        before, after = getattr(old, name), getattr(new, name)
        if after is None:
            continue
        if before is not None and before != after:
            label = "PersonBirthDate" if name == "dob" else "ExpectedPersonBirthDate"
            clash(label, None, old.notes)
        setattr(old, name, after)
    _extend(old.notes, new.notes)
    for key, mine, episode in _matched(old.episodes, new.episodes):
        if _differ(mine.closure, episode.closure):
            clash("an episode's CINclosureDate", key[0], episode.notes)
        mine.closure = episode.closure
        mine.source = episode.source
        _extend(mine.notes, episode.notes)
        for ukey, have, unit in _matched(mine.units, episode.units):
            if _differ(have.second, unit.second) or have.not_required != unit.not_required:
                field_name = {"A": "AssessmentAuthorisationDate", "S47": "DateOfInitialCPC",
                              "CPP": "CPPendDate"}[unit.kind]  # fmt: skip
                clash(f"the {field_name} of a block started on that date", unit.start, unit.notes)
            unit.reviews |= have.reviews
            _extend(unit.notes, have.notes, front=True)
            mine.units[ukey] = unit


_K = TypeVar("_K")
_V = TypeVar("_V")


def _matched(old: dict[_K, _V], new: dict[_K, _V]) -> Iterator[tuple[_K, _V, _V]]:
    """The entries of ``new``: one ``old`` lacks is added to it; for one it has, the key, old's
    value and new's."""
    for key, value in new.items():
        have = old.get(key)
        if have is None:
            old[key] = value
        else:
            yield key, have, value


def _extend(notes: list[_Note], more: list[_Note], *, front: bool = False) -> None:
    """Add ``more`` notes, leaving out one the list already has (the same note in each year)."""
    seen = {(n.code, n.message, n.date) for n in notes}
    fresh = [n for n in more if (n.code, n.message, n.date) not in seen]
    if front:
        notes[:0] = fresh
    else:
        notes.extend(fresh)


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


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
        head = head[: len(head) // 2 * 2].decode("utf-16", "ignore").encode("utf-8")
    return _skip_prolog(head.removeprefix(b"\xef\xbb\xbf"))


_ROOT_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# the names of a documentation file in a directory of returns (one notice, never a rejection)
_DOCUMENTATION = re.compile(r"(?i)^(readme|read[ _-]?me|notes?|changelog|licen[cs]e)([._ -].*)?$")
_DOC_SUFFIXES = frozenset({".md", ".txt", ".rst", ".pdf", ".doc", ".docx", ".odt", ".html", ""})


@dataclass(slots=True)
class _Merged:
    """Children read from several returns, merged in order (earliest return first)."""

    data: dict[str, _ChildData] = field(default_factory=dict)
    where: dict[str, Location] = field(default_factory=dict)
    notes: list[DataQualityFinding] = field(default_factory=list)  # about whole files


def _known_start(headers: list[_Return]) -> dt.date | None:
    """Where the merged history of the in-year blocks begins: the first day of the earliest
    collection year in the unbroken run of years that ends with the latest return."""
    years = {h.end.year for h in headers if h.end is not None}
    if not years:
        return None
    first = max(years)
    while first - 1 in years:
        first -= 1
    return dt.date(first - 1, 4, 1)


class CinCensusImporter:
    """The ``cin-census`` input format: one return (an XML file) or a directory of returns
    (several collection years merged per child). ``max_bytes`` (default: the
    ``TIMESCALES_CIN_MAX_BYTES`` environment variable, else 1 GiB) refuses larger files unread."""

    name = "cin-census"
    supplies: frozenset[str] | None = SUPPLIES

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        # the collection each return read was for (file -> "2023-24"), for callers and tests
        self.collections: dict[str, str] = {}

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
        judged from its first 16 KiB; or a directory holding at least one such file."""
        if path.is_dir():
            try:
                return any(p.is_file() and self._sniff_file(p) for p in sorted(path.iterdir()))
            except OSError:
                return False
        return path.is_file() and self._sniff_file(path)

    @staticmethod
    def _sniff_file(path: Path) -> bool:
        with path.open("rb") as fh:
            whole = len(fh.read(SNIFF_BYTES)) < SNIFF_BYTES
        body = _head(path)
        root = _ROOT.match(body)
        if root is None:
            return False
        rest = body[root.end() :]
        children = _CHILDREN.search(rest)
        if children is None:
            return False
        return whole or _CHILD.search(rest, children.end()) is not None

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        if path.is_dir():
            yield from self._read_dir(path, context)
            return
        yield from self._read_file(path, context, None)

    # -- a directory of returns
    def _classify(self, path: Path, context: ImportContext) -> bool:
        """True for a census return; anything else is skipped once (a README with a notice)."""
        where = Location(str(path))
        name = path.name
        if _DOCUMENTATION.match(name) and path.suffix.lower() in _DOC_SUFFIXES:
            context.skip(where, "documentation, not a CIN census return: not read",
                         documentation=True)  # fmt: skip
            return False
        try:
            if self._sniff_file(path):
                return True
            body = _head(path)
        except OSError as exc:
            context.skip(where, f"cannot be read ({exc.strerror}): skipped")
            return False
        if path.suffix.lower() == ".xml" or body.startswith(b"<"):
            root = _ROOT_NAME.match(body)
            what = (
                f"an XML file whose root element is {root.group(1).decode(errors='replace')!r}"
                if root is not None and root.group(1) != b"Message"
                else "an XML file with no Children/Child in a CIN census Message"
            )
            context.skip(where, f"{what}, not a CIN census return: skipped")
        else:
            context.skip(where, "not a CIN census return (an XML file whose root is Message): "
                         "skipped")  # fmt: skip
        return False

    def read_many(self, paths: Sequence[Path], context: ImportContext) -> Iterator[Item]:
        """Several inputs (returns of several years, as files or directories) read as one set
        of returns, merged per child as one directory holding them all would be."""
        returns: list[tuple[_Return, Path]] = []
        for given in paths:
            path = Path(given)
            if path.is_dir():
                returns += self._returns_in(path, context)
            else:
                returns.append((self._header(path), path))
        yield from self._read_returns(returns, context, ", ".join(str(p) for p in paths))

    def _returns_in(self, path: Path, context: ImportContext) -> list[tuple[_Return, Path]]:
        try:
            entries = sorted(path.iterdir())
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(str(path)), code="E401"
            ) from None
        returns: list[tuple[_Return, Path]] = []
        for entry in entries:
            if entry.is_dir():
                context.skip(Location(str(entry)), "a directory inside the directory of returns: "
                             "not read (returns are read from the directory itself)")  # fmt: skip
                continue
            if self._classify(entry, context):
                returns.append((self._header(entry), entry))
        if not returns:
            raise InputError(
                "no CIN census return (an XML file whose root is Message, holding Children) in "
                "this directory",
                Location(str(path)),
                code="E406",
            )
        return returns

    def _read_dir(self, path: Path, context: ImportContext) -> Iterator[Item]:
        yield from self._read_returns(self._returns_in(path, context), context, str(path))

    def _read_returns(
        self, returns: list[tuple[_Return, Path]], context: ImportContext, source: str
    ) -> Iterator[Item]:
        if len(returns) == 1:
            yield from self._read_file(returns[0][1], context, None)
            return
        # earliest collection first; of two returns of one year, the later (Header DateTime,
        # then file name) is read last, so that it wins
        returns.sort(key=lambda r: (r[0].end or dt.date.min, r[0].stamp, r[1].name))
        merged = _Merged()
        for _, entry in returns:
            yield from self._read_file(entry, context, merged)
        file_notes = [*merged.notes, *self._coverage_notes([h for h, _ in returns], source)]
        known = _known_start([h for h, _ in returns])
        until = max((h.end for h, _ in returns if h.end is not None), default=None)
        validation = context.validation_context()
        last: Item | None = None
        for child, data in merged.data.items():
            where = merged.where[child]
            try:
                record, quality = _record(data, known, validation, until)
            except ValidationError as exc:  # defensive: each return's child was valid
                message, _ = validation_message(exc)
                yield Item(where, error=RecordError(message, where, code="E313"))
                continue
            if last is not None:
                yield last
            last = Item(where, record=record, quality=quality)
        if last is not None:
            last = dataclasses.replace(last, quality=(*last.quality, *file_notes))
            yield last

    def _coverage_notes(self, headers: list[_Return], source: str) -> list[DataQualityFinding]:
        notes = []
        years = [h.end.year for h in headers if h.end is not None]
        for year, count in sorted(Counter(years).items()):
            if count > 1:
                notes.append(
                    DataQualityFinding(
                        "DATA029",
                        "(file)",
                        f"{count} returns for the collection year ending 31 March {year}: "
                        "where they disagree the later one (Header DateTime) is used",
                        source=source,
                    )
                )
        distinct = sorted(set(years))
        for before, after in itertools.pairwise(distinct):
            if after - before > 1:
                notes.append(
                    DataQualityFinding(
                        "DATA029",
                        "(file)",
                        f"no return for the collection years between {before} and {after}: "
                        f"the history is taken as known from 1 April {after - 1} only",
                        source=source,
                    )
                )
        return notes

    def _header(self, path: Path) -> _Return:
        """The header of a return, read before its children (a return whose header cannot be
        read is still read: its children say what they can)."""
        header = _Return(str(path))
        try:
            with path.open("rb") as fh:
                parser = DET.DefusedXMLParser(
                    target=ET.TreeBuilder(), forbid_dtd=True, forbid_entities=True,
                    forbid_external=True,
                )  # fmt: skip
                for event, el in DET.iterparse(fh, ("start", "end"), parser=parser):
                    name = _local(el.tag)
                    if event == "end" and name == "Header":
                        header.read_header(el)
                        break
                    if event == "start" and name in ("Children", "Child"):
                        break
        except (ET.ParseError, OSError, ValueError, LookupError, defusedxml.DefusedXmlException):
            pass  # the full read reports it
        return header

    # -- one return
    def _read_file(self, path: Path, context: ImportContext, merged: _Merged | None
                   ) -> Iterator[Item]:  # fmt: skip
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
            source,
            context.source(source),
            context.source(f"{source} [CIN elements]"),
            context,
            _Return(source),
        )
        with fh:
            yield from self._stream(fh, state, merged)

    def _stream(self, fh: Any, state: _FileState, merged: _Merged | None) -> Iterator[Item]:
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
                    mapper = _ChildMapper(state, el, "/".join(names), lines, child_index)
                    rejects, data, item = mapper.run()
                    yield from rejects
                    held = _merge_or_hold(merged, data, item, source)
                    if held is not None:
                        if pending is not None:
                            yield pending
                        pending = held
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
                    if _local(el.tag) == "Header" and len(elems) == 2:
                        self._header_read(state, el)
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
            raise _unsafe(exc, Location(source, builder.expat.CurrentLineNumber)) from None
        except (ValueError, LookupError) as exc:
            if isinstance(exc, ValueError) and "encoding" not in str(exc):
                raise
            # expat cannot decode the declared encoding ("UTF-6", a multi-byte legacy one)
            raise InputError(
                "the XML declares an encoding that cannot be read (census files are UTF-8)",
                Location(source, 1),
                code="E405",
            ) from None
        notes = self._file_notes(state)
        if merged is not None:
            # the merged children are yielded after the last return; the file notes with them
            merged.notes.extend(notes)
        elif pending is not None:
            yield dataclasses.replace(pending, quality=(*pending.quality, *notes))

    def _header_read(self, state: _FileState, el: ET.Element) -> None:
        state.header.read_header(el)
        self.collections[state.source] = state.header.collection()
        label = f"CIN census {state.header.collection()}"
        # the sources' names say which collection was read (the run's summary lists them)
        state.rows.source = f"{state.source} ({label})"
        state.elements.source = f"{state.source} ({label}) [CIN elements]"

    @staticmethod
    def _file_notes(state: _FileState) -> list[DataQualityFinding]:
        notes = []
        summary = target_summary(state.tally)
        if summary is not None:
            notes.append(DataQualityFinding("DATA021", "(file)", summary, source=state.source))
        header = state.header
        if header.end is None:
            why = "; ".join(header.notes) or "the Header gives neither ReferenceDate nor Year"
            notes.append(
                DataQualityFinding(
                    "DATA029",
                    "(file)",
                    f"{why}: the collection year is unknown, so the return's history is taken "
                    "as complete (no step is set aside as before the data)",
                    source=state.source,
                )
            )
        return notes

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
        error = not_used(f"{who}child", message, where, code="E404")
        return Item(where, error=error)


IMPORTER = CinCensusImporter()
