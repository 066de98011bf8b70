"""Read Ofsted's Annex A lists (xlsx workbook, CSV exports, or a directory of them).

Annex A is the set of child-level lists a council gives Ofsted before an inspection of local
authority children's services (ILACS): List 1 contacts, 2 early help, 3 referrals, 4
assessments, 5 section 47 enquiries and initial conferences, 6 children in need, 7 child
protection plans, 8 children looked after, 9 care leavers, 10 adoption, 11 prospective adopters.
Each list is found by its columns, never by its sheet name (councils rename sheets), with
tolerant headers (case, spacing, curly quotes, punctuation, documented aliases) and a header row
anywhere in a sheet's first ten rows (merged title rows above it are skipped).

Untrusted input: the workbook's zip directory is checked (total and per-member uncompressed size,
compression ratio, member count) before openpyxl opens it; openpyxl reads in read-only mode with
``data_only=False`` and parses its XML through defusedxml; formulas are never evaluated.

What cannot be read (decisions.md, "Importers"): a sheet or file that is no list is skipped
(``ImportContext.skip``; a cover, notes or README with a notice), a list missing a required
column is rejected whole (``reject_table``), an optional cell holding an error value, a formula
or an unreadable value is unknown with a note (the row is used), and only a required one (the
child, the list's start date) rejects its row, naming the cell.

The mapping to canonical events is documented in docs/importers/annex-a.md. In short: List 4 rows
are assessments (AS002); List 5 rows are s47 enquiries with their initial conference (CP002);
List 7 plans and List 8 periods of care with their latest review (CP003/CP004, LA005-LA007);
List 10 gives AD002. The lists that hold only the latest event (7, 8, 9) say where that history
begins (``known_from`` per plan or period and event type); the engine decides what it can assess.

Memory: every child seen is held until all lists are read (a child appears in several lists and
the lists come in any order): a few hundred bytes per row, nothing per cell.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import functools
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..contract import ImportContext, Importer, Item, SourceStats
from ..dates import CELL_FORMS, parse_cell
from ..errors import InputError, Location, RecordError, lacks_columns, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord, event_data

QUALITY_CODES: dict[str, str] = {
    "DATA031": "a plan or period of care contradicts itself (it ends before it starts, or its "
    "latest review is outside it): it is not checked",
    "DATA032": "rows of the same assessment, enquiry, plan or period disagree: for a latest "
    "event (review, visit, end) the latest date is used, for a completion (authorisation, "
    "conference, order, match) the earliest",
    "DATA033": "an initial child protection conference is recorded as not needed and is also "
    "dated: the conference date is used",
    "DATA034": "the child should no longer be placed for adoption: the placement order and match "
    "are not checked (AD002 has no way to end an adoption plan)",
    "DATA035": "the date of birth is not a readable date (or is a formula): it is not used",
    "DATA036": "lists give the child different dates of birth: the first is kept",
    "DATA038": "an optional cell holds an Excel error value (#N/A, #REF!...), a formula or a value "
    "that cannot be read: the field is taken as unknown and the row is used",
    "DATA039": "a date whose blank would mean 'not yet' (an authorisation, a latest review, an "
    "end...) is unknown (DATA038): that assessment, enquiry, plan, period or adoption decision "
    "is not checked, as any finding for it would rest on a guess",
}

# --- limits on untrusted input ------------------------------------------------------------------
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # a whole workbook, as the zip directory declares it
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for members above RATIO_FROM bytes
RATIO_FROM = 16 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_CSV_BYTES = 256 * 1024 * 1024
HEADER_SCAN_ROWS = 10  # the header row is looked for in each sheet's first rows
SNIFF_BYTES = 64 * 1024
MAX_ID_LENGTH = 200  # the canonical record's limit
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")

# --- header matching ------------------------------------------------------------------------------
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_PARENS = re.compile(r"\([^()]*\)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: object) -> str:
    """A header's matching key: case, spacing, quotes, punctuation and bracketed asides ignored
    ("Child’s Legal Status " and "CHILDS LEGAL STATUS" are the same column)."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).lower()
    value = _PARENS.sub(" ", value)
    value = value.replace("'", "").replace('"', "")
    value = value.replace("&", " and ")
    return _NON_ALNUM.sub(" ", value).strip()


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list. ``kind``: id, date, flag, text, or known (recognised, not read)."""

    key: str
    label: str  # the name in Ofsted's template (used in messages)
    kind: str = "known"
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise(self.label), *(normalise(a) for a in self.aliases)}


@dataclass(frozen=True, slots=True)
class ListSpec:
    number: int
    title: str
    columns: tuple[Column, ...]  # the list's own columns (identify it), beside the common ones
    latest_only: bool = False  # the list holds each thing's latest event only
    about_children: bool = True  # List 11 is about prospective adopters

    @property
    def name(self) -> str:
        return f"List {self.number}"


def _c(key: str, label: str, kind: str = "known", *aliases: str, required: bool = False) -> Column:
    return Column(key, label, kind, required, aliases)


CHILD_ID = _c(
    "child_id",
    "Child Unique ID",
    "id",
    "Child ID",
    "Unique Child ID",
    "Child Unique Identifier",
    "Child Identifier",
    "Unique ID",
    "LA Child ID",
    "Child Reference",
    "Child Ref",
    "Person ID",
    required=True,
)
COMMON = (
    CHILD_ID,
    _c("dob", "Date of Birth", "dob", "DOB", "Birth Date", "Child Date of Birth"),
    _c("team", "Allocated Team", "text", "Team", "Allocated Team Name"),
    _c("worker", "Allocated Worker", "text", "Worker", "Allocated Social Worker", "Social Worker"),
)

LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        1,
        "contacts",
        (
            _c("contact_date", "Date of Contact", "known", "Contact Date"),
            _c("contact_source", "Contact Source"),
        ),
    ),
    ListSpec(
        2,
        "early help",
        (
            _c("eh_start", "Assessment start date", "known", "Early Help Assessment Start Date"),
            _c("eh_end", "Assessment completion date", "known", "Early Help Assessment End Date"),
            _c("eh_org", "Organisation completing assessment"),
        ),
    ),
    ListSpec(
        3,
        "referrals",
        (
            _c("referral_date", "Date of referral", "known", "Referral Date"),
            _c("referral_source", "Referral Source"),
            _c("referral_nfa", "Referral NFA?", "known", "Referral NFA"),
            _c("referrals_12m", "Number of Referrals in Last 12 Months"),
        ),
    ),
    ListSpec(
        4,
        "assessments",
        (
            _c(
                "start",
                "Continuous Assessment Start Date",
                "date",
                "Start Date of Continuous Assessment",
                "Date Continuous Assessment Started",
                "Single Assessment Start Date",
                "Child and Family Assessment Start Date",
                required=True,
            ),
            _c(
                "authorised",
                "Continuous Assessment Date of Authorisation",
                "date",
                "Continuous Assessment Date of Authorization",
                "Continuous Assessment Authorisation Date",
                "Date Continuous Assessment Authorised",
                "Assessment Authorisation Date",
                "Date of Authorisation",
                "Single Assessment Date of Authorisation",
                "Child and Family Assessment Date of Authorisation",
            ),
            _c("seen", "Child Seen During Continuous Assessment"),
            _c(
                "needs_support",
                "Was the child assessed as requiring LA children's social care support?",
            ),
        ),
    ),
    ListSpec(
        5,
        "section 47 enquiries",
        (
            _c(
                "start",
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "date",
                "Section 47 Enquiry Start Date",
                "S47 Enquiry Start Date",
                "S47 Start Date",
                "Date of Strategy Discussion Initiating Section 47 Enquiry",
                required=True,
            ),
            _c(
                "icpc_not_needed",
                "Was an Initial Child Protection Conference deemed unnecessary?",
                "flag",
                "ICPC Deemed Unnecessary",
                "ICPC Not Required",
            ),
            _c(
                "icpc",
                "Date of Initial Child Protection Conference",
                "date",
                "Initial Child Protection Conference Date",
                "ICPC Date",
                "Date of ICPC",
            ),
            _c(
                "icpc_plan",
                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            ),
            _c("s47_12m", "Number of Section 47 Enquiries in the last 12 months"),
            _c("icpc_12m", "Number of ICPCs in the last 12 months"),
        ),
    ),
    ListSpec(
        6,
        "children in need",
        (
            _c("cin_start", "CIN Start Date"),
            _c("need", "Primary Need Code"),
            _c("last_seen", "Date Child Was Last Seen"),
            _c("cin_end", "CIN Closure Date"),
            _c("closure_reason", "Reason for Closure"),
            _c("case_status", "Case Status"),
        ),
    ),
    ListSpec(
        7,
        "child protection",
        (
            _c(
                "start",
                "Child Protection Plan Start Date",
                "date",
                "CP Plan Start Date",
                "Date Child Protection Plan Started",
                required=True,
            ),
            _c("initial_category", "Initial Category of Abuse"),
            _c("latest_category", "Latest Category of Abuse"),
            _c(
                "visit",
                "Date of the Last Statutory Visit",
                "date",
                "Date of Last Statutory Visit",
                "Last Statutory Visit Date",
            ),
            _c("seen_alone", "Was the Child Seen Alone?", "flag", "Child Seen Alone"),
            _c(
                "review",
                "Date of latest review conference",
                "date",
                "Latest Review Conference Date",
                "Date of Last Review Conference",
                "Date of Latest Child Protection Review Conference",
            ),
            _c("end", "Child Protection Plan End Date", "date", "CP Plan End Date"),
            _c(
                "epo",
                "Subject to Emergency Protection Order or Protected Under Police Powers in "
                "Last Six Months (Y/N)",
            ),
            _c("previous_plans", "Number of Previous Child Protection Plans"),
        ),
        latest_only=True,
    ),
    ListSpec(
        8,
        "children looked after",
        (
            _c(
                "start",
                "Date Started to be Looked After",
                "date",
                "Date Child Started to be Looked After",
                "Date Became Looked After",
                "Date Started Looked After",
                required=True,
            ),
            _c(
                "review",
                "Date of Latest Statutory Review",
                "date",
                "Date of Last Statutory Review",
                "Latest Statutory Review Date",
                "Date of Latest Review",
            ),
            _c(
                "ceased",
                "Date Ceased to be Looked After",
                "date",
                "Date Ceased Looked After",
                "Date Child Ceased to be Looked After",
            ),
            _c(
                "visit",
                "Date of Last Social Work Visit",
                "known",
                "Date of Last Social Worker Visit",
            ),
            _c("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"),
            _c("need", "Child's Category of Need"),
            _c(
                "second_period",
                "Is this a second or subsequent period of being a Looked After Child within the "
                "last 12 months (Y/N)",
            ),
            _c("legal_start", "Start date of current legal status"),
            _c("legal_status", "Child's Legal Status"),
            _c("permanence", "What is the permanence plan for this child?"),
            _c("iro_visit", "Date of Last IRO Visit / Contact to the Child"),
            _c("health", "Date of Last Health Assessment"),
            _c("dental", "Date of Last Dental Check"),
            _c("placements_12m", "Number of Placements in the Last 12 months"),
            _c("ceased_reason", "Reason Ceased to be Looked After"),
            _c("placement_start", "Start Date of Most Recent Placement"),
            _c("placement_type", "Placement Type"),
            _c("placement_provider", "Placement Provider"),
            _c("placement_postcode", "Placement postcode"),
            _c("placement_urn", "URN of Placement"),
            _c("placement_location", "Placement Location"),
            _c("placement_la", "LA of Placement"),
            _c(
                "missing_12m",
                "Number of Episodes the Child has been 'Missing' from their Placement in the "
                "last 12 months",
            ),
            _c(
                "absent_12m",
                "Number of Episodes the Child has been 'Absent' from their Placement in the last "
                "12 months",
            ),
            _c(
                "rhi_offered",
                "Was the child offered a Return Interview after their last missing episode (Y/N)?",
            ),
            _c(
                "rhi_accepted",
                "Did the child accept a Return Interview after their last missing episode (Y/N)?",
            ),
        ),
        latest_only=True,
    ),
    ListSpec(
        9,
        "care leavers",
        (
            _c(
                "uasc",
                "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
            ),
            _c("pa", "Allocated Personal Advisor", "known", "Allocated Personal Adviser"),
            _c("eligibility", "Eligibility Category"),
            _c(
                "pathway_review",
                "Latest Pathway Plan Review Date",
                "date",
                "Date of Latest Pathway Plan Review",
                "Date of Last Pathway Plan Review",
            ),
            _c("in_touch", "LA in Touch"),
            _c(
                "contact",
                "Latest Date of Contact",
                "date",
                "Date of Latest Contact",
                "Date of Last Contact",
            ),
            _c("accommodation", "Type of Accommodation"),
            _c("suitable", "Suitability of Accommodation"),
            _c("activity", "Activity Status"),
        ),
        latest_only=True,
    ),
    ListSpec(
        10,
        "adoption",
        (
            _c("family", "Family identifier"),
            _c("entered_care", "Date the Child Entered Care", "known", "Date Child Entered Care"),
            _c(
                "decision",
                "Date of Decision that Child Should be Placed for Adoption",
                "date",
                "Date of Decision that the Child Should be Placed for Adoption",
                "Date of SHOBPA Decision",
                "Should be Placed for Adoption Decision Date",
                required=True,
            ),
            _c("placement_order", "Date of Placement Order", "date", "Placement Order Date"),
            _c(
                "match",
                "Date of Matching Child and Prospective Adopters",
                "date",
                "Date of Match",
                "Date Matched with Prospective Adopters",
                "Matching Date",
            ),
            _c("placed", "Date Placed for Adoption"),
            _c("adoption_order", "Date of Adoption Order", "date", "Adoption Order Date"),
            _c(
                "no_longer",
                "Date of Decision that Child Should No Longer be Placed for Adoption",
                "date",
                "Date of Decision that the Child Should No Longer be Placed for Adoption",
            ),
            _c("no_longer_reason", "Reason Why Child No Longer Placed for Adoption"),
            _c(
                "ffa",
                "Date the child was placed for fostering in FFA or concurrent planning placement",
            ),
        ),
    ),
    ListSpec(
        11,
        "prospective adopters",
        (
            _c(
                "adopter_id",
                "Individual adopter identifier",
                "known",
                "Adopter Identifier",
                "Adopter ID",
            ),
            _c("enquiry", "Date enquiry received"),
            _c("stage1_start", "Date Stage 1 started"),
            _c("stage1_end", "Date Stage 1 ended"),
            _c("stage2_start", "Date Stage 2 started"),
            _c("stage2_end", "Date Stage 2 ended"),
            _c("application", "Date application submitted"),
            _c("approved", "Date application approved"),
            _c("matched", "Date adopter matched with child(ren)"),
            _c("placed", "Date child/children placed with adopter(s)"),
            _c("leaving", "Date of leaving adoption process"),
        ),
        about_children=False,
    ),
)
BY_NUMBER = {spec.number: spec for spec in LISTS}

# the event types this importer can emit (rules needing anything else are "not assessable")
SUPPLIES: frozenset[str] = frozenset({
    "assessment_started", "assessment_completed", "s47_started", "icpc", "cp_plan_started",
    "cp_review", "cp_visit", "cp_plan_ended", "became_looked_after", "lac_review",
    "ceased_looked_after", "pathway_plan_review", "pa_contact", "adoption_decision",
    "placement_order", "adoption_match",
})  # fmt: skip

# --- values -------------------------------------------------------------------------------------
BLANKS = frozenset({"", "-", "--", "n/a", "na", "null", "none", "not applicable", "not known"})
DATE_FORMS = CELL_FORMS


def parse_date(value: object, epoch: dt.datetime | None = None) -> dt.date | None:
    """A date from a cell (``dates.parse_cell``): an Excel date, an Excel serial number
    (``epoch``: the workbook's), or text in the forms of DATE_FORMS. None for a blank;
    ``DateError`` (with no echo of the value) for anything else."""
    return parse_cell(value, epoch, BLANKS)


_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"n", "no", "false", "0"})
_UNKNOWN = frozenset({"unknown", "not recorded", "not stated", "u"}) | BLANKS
_OPTION = re.compile(r"^[a-z]\)\s*")  # Ofsted's lettered options: "a) Yes"


def parse_flag(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _OPTION.sub("", " ".join(str(value).split()).lower())
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    raise ValueError("expected Yes, No or Unknown")


def parse_id(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a true/false value, not an identifier")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValueError("a number with a fraction, not an identifier")
        value = int(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise ValueError("a date, not an identifier")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return None
    if len(text) > MAX_ID_LENGTH:
        raise ValueError(f"longer than {MAX_ID_LENGTH} characters")
    return text


def parse_text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text[:MAX_ID_LENGTH] or None


# Excel's error values, as a cell holds them or a CSV export writes them
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#N/A N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)


def _is_error_text(value: object) -> bool:
    """An Excel error value written as text (a CSV export, or a pasted value)."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


PARSERS: dict[str, Callable[[Any, dt.datetime | None], Any]] = {
    "id": lambda v, _e: parse_id(v),
    "date": parse_date,
    "flag": lambda v, _e: parse_flag(v),
    "text": lambda v, _e: parse_text(v),
}


# --- cells and sheets -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Cell:
    value: object
    formula: bool = False
    error: bool = False  # an Excel error value (#N/A, #REF!)


EMPTY = Cell(None)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(slots=True)
class Header:
    """A recognised list header: which list, on which row, and which column feeds which key."""

    spec: ListSpec
    row: int
    columns: dict[str, int]  # key -> 0-based column index
    missing: tuple[Column, ...]  # required columns not found


def _name_index(spec: ListSpec) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in (*COMMON, *spec.columns):
        for name in column.names():
            index.setdefault(name, column)
    return index


NAME_INDEX = {spec.number: _name_index(spec) for spec in LISTS}
OWN_NAMES = {spec.number: {n for c in spec.columns for n in c.names()} for spec in LISTS}
CHILD_ID_NAMES = CHILD_ID.names()
ADOPTER_ID_NAMES = BY_NUMBER[11].columns[0].names()


def detect_header(rows: Sequence[Sequence[Cell]]) -> Header | None:
    """The best list header among the first rows: the row and list whose own columns match most,
    with an identifier column (the child's; the adopter's for List 11)."""
    best: tuple[int, int, int] | None = None  # (score, -row, list)
    for number, cells in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        names = {normalise(c.value) for c in cells if isinstance(c.value, str) and not c.formula}
        if len(names) < 2:
            continue
        for spec in LISTS:
            ids = ADOPTER_ID_NAMES if not spec.about_children else CHILD_ID_NAMES
            if not names & ids:
                continue
            score = len(names & OWN_NAMES[spec.number])
            if spec.number == 11:
                score -= 1  # the adopter id is both its identifier and one of its own columns
            if score < 1:
                continue
            key = (score, -number, -spec.number)
            if best is None or key > best:
                best = key
    if best is None:
        return None
    row = -best[1]
    spec = BY_NUMBER[-best[2]]
    index = NAME_INDEX[spec.number]
    columns: dict[str, int] = {}
    for position, cell in enumerate(rows[row - 1]):
        if not isinstance(cell.value, str) or cell.formula:
            continue
        column = index.get(normalise(cell.value))
        if column is not None:
            columns.setdefault(column.key, position)
    wanted = (*COMMON, *spec.columns) if spec.about_children else spec.columns
    missing = tuple(c for c in wanted if c.required and c.key not in columns)
    return Header(spec, row, columns, missing)


def _workbook_cells(row: Iterable[Any]) -> list[Cell]:
    out: list[Cell] = []
    for cell in row:
        kind = getattr(cell, "data_type", "n")
        value = cell.value
        if kind == "f":
            out.append(Cell(value, formula=True))
        elif kind == "e":
            out.append(Cell(value, error=True))
        elif value is None:
            out.append(EMPTY)
        else:
            out.append(Cell(value))
    return out


def _csv_cells(row: Sequence[str]) -> list[Cell]:
    return [Cell(v) if v.strip() else EMPTY for v in row]


# --- untrusted workbooks --------------------------------------------------------------------------
def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):.0f} MiB"


def guard_workbook(path: Path) -> None:
    """Refuse a workbook whose zip would expand past the limits, before anything opens it.
    The declared sizes are binding: Python's zip reader stops at them and checks the CRC."""
    source = Location(str(path))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source, code="E401") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "an old .xls workbook: save it as .xlsx (Excel 2007 or later)", source, code="E402"
        )
    if not zipfile.is_zipfile(path):
        raise InputError("not an xlsx workbook (it is not a zip file)", source, code="E404")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(
            "not a readable xlsx workbook (damaged zip)", source, code="E404"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise InputError(
            f"refusing the workbook: more than {MAX_MEMBERS} parts", source, code="E403"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            f"refusing the workbook: it would expand to {_mib(total)} "
            f"(limit {_mib(MAX_UNCOMPRESSED)}); split it, or export each list as CSV",
            source,
            code="E403",
        )
    for member in members:
        if member.file_size > RATIO_FROM:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_MEMBER_RATIO:
                raise InputError(
                    f"refusing the workbook: part {member.filename!r} expands {ratio:.0f} times "
                    f"(limit {MAX_MEMBER_RATIO}): a zip bomb, or padding no real list has",
                    source,
                    code="E403",
                )


def _load(path: Path) -> Any:
    """openpyxl, read-only, formulas as written (never their cached or computed values); its
    warnings about unsupported extensions (data validation, conditional formats) are dropped."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # when a workbook is read

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path, read_only=True, data_only=False)


def _open_workbook(path: Path) -> Any:
    guard_workbook(path)
    try:
        return _load(path)
    except Exception as exc:  # untrusted input: openpyxl raises many kinds; say which, no trace
        raise InputError(
            f"cannot read the workbook ({type(exc).__name__})", Location(str(path)), code="E404"
        ) from None


def _decode(raw: bytes, final: bool = True) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with its BOM (Excel's "Unicode text"),
    else Windows-1252 (Excel's "CSV" on Windows). ``final=False`` for a first chunk: a
    character cut at its end is left out, not misread."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return codecs.getincrementaldecoder("utf-16")(errors="replace").decode(raw, final=final)
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(raw, final=final)
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _dialect(text: str) -> str:
    head = text[:SNIFF_BYTES]
    counts = {d: head.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_rows(text: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))


# --- per-child accumulation -----------------------------------------------------------------------
LATEST = "latest"
EARLIEST = "earliest"
# how rows of the same thing are merged, per key: latest-event fields take the latest date
POLICY = {
    "review": LATEST,
    "visit": LATEST,
    "end": LATEST,
    "ceased": LATEST,
    "pathway_review": LATEST,
    "contact": LATEST,
    "seen_alone": LATEST,
}


@dataclass(slots=True)
class Group:
    """Rows about one thing (an assessment, enquiry, plan, period): merged field by field."""

    where: str  # the first row's location, for data-quality notes
    values: dict[str, Any] = field(default_factory=dict)
    conflict: bool = False
    # fields some row held unreadable (an error value, a formula...): unknown, not blank
    unknown: set[str] = field(default_factory=set)

    def merge(self, row: dict[str, Any], unknown: Iterable[str] = ()) -> None:
        self.unknown.update(unknown)
        for key, value in row.items():
            if value is None:
                continue
            old = self.values.get(key)
            if old is None:
                self.values[key] = value
            elif old != value:
                self.conflict = True
                if isinstance(old, dt.date) and isinstance(value, dt.date):
                    later = POLICY.get(key) == LATEST
                    self.values[key] = max(old, value) if later else min(old, value)


@dataclass(slots=True)
class Child:
    child: str
    location: Location
    dob: dt.date | None = None
    team: str | None = None
    worker: str | None = None
    # where the latest-event lists' history begins (KnownFrom entries)
    known_from: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[tuple[int, Any], Group] = field(default_factory=dict)
    notes: list[DataQualityFinding] = field(default_factory=list)

    def note(self, code: str, message: str, **kw: Any) -> None:
        self.notes.append(DataQualityFinding(code, self.child, message, **kw))


def _ev(etype: str, date: dt.date, ref: str | None = None, **attrs: object) -> dict[str, Any]:
    return event_data(etype, date, ref, attrs=attrs)


# per list: the optional fields whose blank means "not (yet) happened"; unknown, the thing's
# rules cannot be decided (a review unknown is not a review missing)
NEEDED: dict[int, set[str]] = {
    4: {"authorised"},
    5: {"icpc", "icpc_not_needed"},
    7: {"review", "end"},
    8: {"review", "ceased"},
    10: {"placement_order", "match", "adoption_order", "no_longer"},
}
THINGS = {4: "assessment", 5: "enquiry", 7: "plan", 8: "period of care", 10: "adoption decision"}


def _events(child: Child) -> list[dict[str, Any]]:
    """Canonical events from the child's merged rows; the latest-event lists say where their
    history begins (``Child.known_from``)."""
    events: list[dict[str, Any]] = []
    for (number, key), group in sorted(
        child.groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
    ):
        v = group.values
        ref = f"L{number}:{key}" if isinstance(key, dt.date) else None
        noted = len(child.notes)
        if group.conflict:
            child.note(
                "DATA032",
                f"List {number}: rows of the same record disagree; merged",
                ref=ref,
                date=key if isinstance(key, dt.date) else None,
            )
        blind = sorted(group.unknown & NEEDED.get(number, set()))
        if blind:
            # a date (or flag) whose blank would mean "not yet": unknown, it would make a
            # breach the data cannot show, so the thing's clocks are not set (DATA039)
            labels = {c.key: c.label for c in BY_NUMBER[number].columns}
            child.note(
                "DATA039",
                f"List {number}: {', '.join(labels[k] for k in blind)} unknown (DATA038): "
                f"this {THINGS[number]} is not checked",
                ref=ref,
                date=key if isinstance(key, dt.date) else None,
            )
            if number == 7 and "visit" not in group.unknown and v.get("visit"):
                events.extend(_plan(child, key, ref, v, visit_only=True))
        elif number == 4:
            events.append(_ev("assessment_started", key, ref))
            if v.get("authorised"):
                events.append(_ev("assessment_completed", v["authorised"], ref))
        elif number == 5:
            events.extend(_section47(child, key, ref, v))
        elif number == 7:
            events.extend(_plan(child, key, ref, v))
        elif number == 8:
            events.extend(_period(child, key, ref, v))
        elif number == 9:
            if v.get("pathway_review"):
                events.append(_ev("pathway_plan_review", v["pathway_review"]))
                _latest(child, v["pathway_review"], None, "pathway_plan_review")
            if v.get("contact"):
                events.append(_ev("pa_contact", v["contact"]))
                _latest(child, v["contact"], None, "pa_contact")
        elif number == 10:
            events.extend(_adoption(child, key, ref, v))
        child.notes[noted:] = [
            dataclasses.replace(n, source=n.source or group.where) for n in child.notes[noted:]
        ]
    return events


def _section47(
    child: Child, start: dt.date, ref: str | None, v: dict[str, Any]
) -> list[dict[str, Any]]:
    out = [_ev("s47_started", start, ref)]
    icpc = v.get("icpc")
    if icpc is not None:
        if v.get("icpc_not_needed") is True:
            child.note(
                "DATA033",
                "List 5: the initial conference is recorded as not needed and is dated; the "
                "date is used",
                ref=ref,
                date=icpc,
            )
        out.append(_ev("icpc", icpc, ref))
    elif v.get("icpc_not_needed") is True:
        # no date for the decision: it is dated at the enquiry's start (it only voids CP002)
        out.append(_ev("icpc", start, ref, not_required=True))
    return out


def _contradicts(start: dt.date, end: dt.date | None, review: dt.date | None) -> bool:
    """A plan or period of care that ends before it starts, or whose latest review is outside
    it (DATA031)."""
    if end is not None and end < start:
        return True
    return review is not None and (review < start or (end is not None and review > end))


def _latest(child: Child, day: dt.date, case: str | None, etype: str) -> None:
    """The list holds only the latest ``etype`` event: the history of that kind the data holds
    begins at it (decisions.md, "History the input does not hold"). The engine restarts the
    schedule there and assesses the open gap after it; the steps before it are not assessed."""
    entry: dict[str, Any] = {"from": day, "events": [etype]}
    if case is not None:
        entry["case"] = case
    child.known_from.append(entry)


def _plan(
    child: Child, start: dt.date, ref: str | None, v: dict[str, Any], visit_only: bool = False
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if v.get("visit"):
        attrs = {} if v.get("seen_alone") is None else {"seen_alone": v["seen_alone"]}
        out.append(_ev("cp_visit", v["visit"], ref, **attrs))
        _latest(child, v["visit"], ref, "cp_visit")
    if visit_only:
        return out
    return out + _span(child, start, ref, v, "plan")


def _period(
    child: Child, start: dt.date, ref: str | None, v: dict[str, Any]
) -> list[dict[str, Any]]:
    return _span(child, start, ref, v, "period")


# a plan (List 7) or a period of care (List 8): its end's field, its events (start, latest
# review, end) and what a DATA031 note says when its dates contradict each other
_SPANS: dict[str, tuple[str, tuple[str, str, str], str]] = {
    "plan": ("end", ("cp_plan_started", "cp_review", "cp_plan_ended"),
             "List 7: the plan ends before it starts, or its latest review conference is "
             "outside it; CP003/CP004 are not checked for it"),
    "period": ("ceased", ("became_looked_after", "lac_review", "ceased_looked_after"),
               "List 8: the period of care ends before it starts, or its latest review is "
               "outside it; LA005/LA006 are not checked for it"),
}  # fmt: skip


def _span(
    child: Child, start: dt.date, ref: str | None, v: dict[str, Any], what: str
) -> list[dict[str, Any]]:
    """A plan or a period of care (``_SPANS``): its start, its latest review (the earlier ones
    are not in Annex A; a blank one means none has been held yet, as Ofsted's guidance asks,
    so the history is whole) and its end; none, and a DATA031 note, when the dates contradict
    each other."""
    end_field, (opened, reviewed, closed), contradiction = _SPANS[what]
    review, end = v.get("review"), v.get(end_field)
    if _contradicts(start, end, review):
        child.note("DATA031", contradiction, ref=ref, date=start)
        return []
    out = [_ev(opened, start, ref)]
    if review is not None:
        out.append(_ev(reviewed, review, ref))
        _latest(child, review, ref, reviewed)
    if end is not None:
        out.append(_ev(closed, end, ref))
    return out


def _adoption(
    child: Child, decision: dt.date, ref: str | None, v: dict[str, Any]
) -> list[dict[str, Any]]:
    out = [_ev("adoption_decision", decision, ref)]
    if v.get("no_longer") is not None:
        child.note(
            "DATA034",
            "List 10: the child should no longer be placed for adoption; AD002 is not checked",
            ref=ref,
            date=v["no_longer"],
        )
    else:
        if v.get("placement_order"):
            out.append(_ev("placement_order", v["placement_order"], ref))
        if v.get("match"):
            out.append(_ev("adoption_match", v["match"], ref))
    if v.get("adoption_order"):
        # an adoption order ends the child's being looked after (it closes AD002)
        out.append(_ev("ceased_looked_after", v["adoption_order"], ref))
    return out


# --- the importer ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Sheet:
    """One sheet (or CSV) to read: where, what it is, and how to get its rows again."""

    file: Path
    name: str | None  # None for a CSV
    header: Header | None
    rows: Callable[[], Iterator[list[Cell]]]
    epoch: dt.datetime | None = None

    @property
    def source(self) -> str:
        return f"{self.file}#{self.name}" if self.name is not None else str(self.file)

    def pointer(self, row: int, column: int) -> str:
        from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

        cell = f"{get_column_letter(column + 1)}{row}"
        return f"{self.name}!{cell}" if self.name is not None else cell


class AnnexA:
    """Ofsted Annex A: an xlsx workbook, CSV exports (one list each), or a directory of them."""

    name = "annex-a"
    supplies: frozenset[str] | None = SUPPLIES

    # --- detection ---
    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return any(self._sniff_file(f) for f in _files(path)[:50])
        return self._sniff_file(path)

    def _sniff_file(self, path: Path) -> bool:
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            if not zipfile.is_zipfile(path):
                return False
            try:
                guard_workbook(path)
            except InputError:
                return True  # too big to look inside: ours to refuse, with the reason
            try:
                wb = _load(path)
            except Exception:
                return False
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return any(
                        detect_header(
                            _head(ws.iter_rows(max_row=HEADER_SCAN_ROWS), _workbook_cells)
                        )
                        for ws in wb.worksheets
                    )
            except Exception:
                return False
            finally:
                wb.close()
        if suffix in CSV_SUFFIXES:
            with path.open("rb") as fh:
                text = _decode(fh.read(SNIFF_BYTES), final=False)
            try:
                rows = _head(_csv_rows(text), _csv_cells)
            except csv.Error:
                return False
            return detect_header(rows) is not None
        return False

    # --- reading ---
    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        files = _files(path) if path.is_dir() else [path]
        if path.is_dir() and not any(_readable(f) for f in files):
            raise InputError(
                "no .xlsx or .csv files in the directory", Location(str(path)), code="E406"
            )
        opened: list[Any] = []
        try:
            sheets: list[Sheet] = []
            others: list[Path] = []
            for file in files:
                if path.is_dir() and not _readable(file):
                    others.append(file)  # a README, a PDF...: said once, never opened
                    continue
                sheets.extend(self._sheets(file, opened))
            if not any(s.header is not None for s in sheets):
                raise InputError(
                    "no Annex A list found: no sheet has a list's header (a child ID column and "
                    f"the list's own columns) in its first {HEADER_SCAN_ROWS} rows",
                    Location(str(path)),
                    code="E406",
                )
            for file in others:
                _skip_file(file, context)
            children: dict[str, Child] = {}
            for sheet in sheets:
                yield from self._read_sheet(sheet, context, children)
        finally:
            for wb in opened:
                wb.close()
        yield from _finish(children)

    def _sheets(self, file: Path, opened: list[Any]) -> list[Sheet]:
        if file.suffix.lower() in WORKBOOK_SUFFIXES or (
            file.suffix.lower() not in CSV_SUFFIXES and zipfile.is_zipfile(file)
        ):
            wb = _open_workbook(file)
            opened.append(wb)
            out = []
            for ws in wb.worksheets:
                ws.reset_dimensions()  # never trust the declared size: rows past it are data too

                def rows(ws: Any = ws) -> Iterator[list[Cell]]:
                    return (_workbook_cells(r) for r in ws.iter_rows())

                header = detect_header(
                    _head(_safe(Sheet(file, ws.title, None, rows), HEADER_SCAN_ROWS), list)
                )
                out.append(Sheet(file, ws.title, header, rows, wb.epoch))
            return out
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(str(file)), code="E401"
            ) from None
        if size > MAX_CSV_BYTES:
            raise InputError(
                f"refusing the CSV: {_mib(size)} (limit {_mib(MAX_CSV_BYTES)})",
                Location(str(file)),
                code="E403",
            )
        text = _decode(file.read_bytes())

        def csv_rows() -> Iterator[list[Cell]]:
            return (_csv_cells(r) for r in _csv_rows(text))

        try:
            header = detect_header(_head(_csv_rows(text), _csv_cells))
        except csv.Error as exc:
            raise InputError(
                f"not a readable CSV file ({exc})", Location(str(file)), code="E404"
            ) from None
        # a CSV export of a date column not formatted as dates holds Excel serials (1900 system)
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900  # type: ignore[import-untyped]

        return [Sheet(file, None, header, csv_rows, CALENDAR_WINDOWS_1900)]

    def _read_sheet(
        self, sheet: Sheet, context: ImportContext, children: dict[str, Child]
    ) -> Iterator[Item]:
        """One sheet's rows. A sheet that holds no list is skipped whole (a cover or notes
        sheet with a notice; any other with a warning), a list missing a required column is
        rejected whole (every data row counted rejected, said once), List 11 (adults) is
        skipped with a notice: none of these makes a row rejection of its own."""
        header = sheet.header
        if header is None:
            _skip_sheet(sheet, context)
            return
        spec = header.spec
        where = Location(sheet.source, header.row)
        if not spec.about_children:
            context.skip(
                where,
                f"{spec.name} ({spec.title}) is about adults, not children: not "
                "read (AD003 is not assessable from Annex A)",
                documentation=True,
            )
            return
        stats = context.source(sheet.source)
        if header.missing:
            names = ", ".join(repr(c.label) for c in header.missing)
            rows = sum(1 for _ in _data_rows(sheet, header))
            context.reject_table(
                stats,
                where,
                lacks_columns(f"{spec.name} ({spec.title})", names, "list"),
                rows,
            )
            return
        for number, cells in _data_rows(sheet, header):
            stats.rows_read += 1
            yield from self._row(sheet, header, number, cells, stats, children)

    def _reject(
        self,
        stats: SourceStats,
        sheet: Sheet,
        row: int,
        column: int,
        field_name: str | None,
        reason: str,
        code: str = "E310",
        found: str | None = None,
    ) -> Item:
        stats.rows_rejected += 1
        where = Location(str(sheet.file), row, sheet.pointer(row, column))
        error = RecordError(reason, where, field_name, code=code, value_class=found)
        return Item(where, error=error, row=True)

    def _row(
        self,
        sheet: Sheet,
        header: Header,
        number: int,
        cells: list[Cell],
        stats: SourceStats,
        children: dict[str, Child],
    ) -> Iterator[Item]:
        spec = header.spec
        columns = {c.key: c for c in (*COMMON, *spec.columns)}
        reject = functools.partial(self._reject, stats, sheet, number)
        values: dict[str, Any] = {}
        notes: list[tuple[str, str]] = []
        unknown: list[str] = []
        for key, position in header.columns.items():
            column = columns[key]
            parser = PARSERS.get(column.kind)
            if parser is None and key != "dob":
                continue
            cell = cells[position] if position < len(cells) else EMPTY
            if key == "dob":
                try:
                    values["dob"] = _dob(cell, sheet.epoch)
                except ValueError as exc:
                    notes.append(("DATA035", f"{spec.name}: the date of birth {exc}"))
                continue
            assert parser is not None
            value, problem, found = _read_cell(cell, parser, sheet.epoch)
            if problem is None:
                values[key] = value
                continue
            pointer = sheet.pointer(number, position)
            if column.required:
                hint = " (paste the values)" if found == "formula" else ""
                reason = f"cell {pointer} ({column.label}, required) {problem}{hint}"
                yield reject(position, column.label, reason, found=found)
                return
            # an optional field: unknown, with a note; the row is used (decisions.md)
            unknown.append(key)
            notes.append(
                ("DATA038", f"{spec.name}: cell {pointer} ({column.label}) {problem}: unknown")
            )
        for key, column in columns.items():
            if column.required and values.get(key) is None:
                position = header.columns.get(key, 0)
                reason = f"{column.label} is blank"
                yield reject(position, column.label, reason, code="E311", found="empty")
                return
        stats.rows_used += 1
        self._use(sheet, header, number, values, unknown, notes, children)

    @staticmethod
    def _use(
        sheet: Sheet,
        header: Header,
        number: int,
        values: dict[str, Any],
        unknown: list[str],
        notes: list[tuple[str, str]],
        children: dict[str, Child],
    ) -> None:
        """A row used: its child (the first list that names it makes it), date of birth,
        team and worker, notes, and its values merged into the thing it is about."""
        spec = header.spec
        child_id = values.pop("child_id")
        child = children.get(child_id)
        if child is None:
            id_column = header.columns["child_id"]
            child = Child(
                child_id, Location(str(sheet.file), number, sheet.pointer(number, id_column))
            )
            children[child_id] = child
        dob = values.pop("dob", None)
        if dob is not None:
            if child.dob is None:
                child.dob = dob
            elif child.dob != dob:
                notes.append(
                    ("DATA036", f"{spec.name}: another date of birth than an earlier list")
                )
        team, worker = values.pop("team", None), values.pop("worker", None)
        child.team = child.team or team
        child.worker = child.worker or worker
        where = str(Location(str(sheet.file), number, sheet.pointer(number, 0)))
        for code, message in notes:
            child.note(code, message, source=where)
        thing: Any = values.get("start") or values.get("decision") or "latest"
        if spec.number in (4, 5, 7, 8, 9, 10):
            group = child.groups.setdefault((spec.number, thing), Group(where))
            group.merge(values, unknown)


def _dob(cell: Cell, epoch: dt.datetime | None) -> dt.date | None:
    """A date of birth, or ValueError saying why not (a formula or error value, not a date)."""
    if cell.formula or cell.error:
        raise ValueError("is a formula or error")
    try:
        return parse_date(cell.value, epoch)
    except ValueError:
        raise ValueError("is not a date") from None


def _read_cell(
    cell: Cell, parser: Callable[[Any, dt.datetime | None], Any], epoch: dt.datetime | None
) -> tuple[Any, str | None, str | None]:
    """A cell's value; or None, why it cannot be read and the class of what is there."""
    if cell.formula:
        return None, "holds a formula; formulas are not evaluated", "formula"
    if cell.error or _is_error_text(cell.value):
        return None, "holds an Excel error value", "Excel error value"
    try:
        return parser(cell.value, epoch), None, None
    except ValueError as exc:
        return None, f"is unreadable: {exc}", value_class(cell.value)


def _safe(sheet: Sheet, chunk: int = 512) -> Iterator[list[Cell]]:
    """A sheet's rows; a damaged sheet (bad XML, bad CSV quoting) stops the whole input with the
    reason, since what was read of it cannot be trusted either. Rows are fetched in chunks with
    openpyxl's warnings silenced (it warns on stderr, quoting the value, about e.g. a date serial
    out of range; that cell comes back as an error value and is rejected here instead)."""
    rows = sheet.rows()
    done = False
    while not done:
        batch: list[list[Cell]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(chunk):
                    batch.append(next(rows))
        except StopIteration:
            done = True
        except csv.Error as exc:
            raise InputError(
                f"not a readable CSV file ({exc})", Location(sheet.source), code="E404"
            ) from None
        except Exception as exc:  # openpyxl and its XML parser raise many kinds
            raise InputError(
                f"cannot read sheet {sheet.name!r} ({type(exc).__name__})",
                Location(str(sheet.file)),
                code="E404",
            ) from None
        yield from batch


def _head(rows: Iterable[Any], convert: Callable[[Any], list[Cell]]) -> list[list[Cell]]:
    out = []
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SCAN_ROWS:
            break
        out.append(convert(row))
    return out


def _files(path: Path) -> list[Path]:
    """Every file of a directory but hidden ones and Excel's lock files (``~$book.xlsx``)."""
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))


def _readable(file: Path) -> bool:
    """A file of a directory this importer opens: a workbook, or a CSV/TSV/text export."""
    return file.suffix.lower() in (*WORKBOOK_SUFFIXES, *CSV_SUFFIXES)


# the names of covers, notes and guidance (a sheet's, or a file's stem), normalised
_DOCUMENTATION = re.compile(
    r"\b(?:cover(?: sheet| page)?|front sheet|notes?|guidance|guide|instructions?|read ?me|"
    r"contents|index|introduction|intro|definitions?|glossary|about|help|version(?: control)?|"
    r"change ?log|changes|key|validation|lookups?|drop ?downs?|summary)\b"
)
DOCUMENT_SUFFIXES = (".md", ".pdf", ".doc", ".docx", ".rtf", ".odt", ".htm", ".html")


def _documentation(name: str) -> bool:
    return bool(_DOCUMENTATION.search(normalise(name.replace("_", " "))))


def _skip_file(file: Path, context: ImportContext) -> None:
    """A file of the directory that is neither a workbook nor a CSV export."""
    where = Location(str(file))
    if file.suffix.lower() in DOCUMENT_SUFFIXES or _documentation(file.stem):
        context.skip(where, "documentation (not an Annex A list): not read", documentation=True)
    else:
        context.skip(where, "not an Annex A workbook or CSV export: not read")


def _skip_sheet(sheet: Sheet, context: ImportContext) -> None:
    """A sheet (or CSV) with no list header: a blank one is passed over; a cover, notes or
    guidance sheet (by its name, or prose in one column) is skipped with a notice; any other
    with a warning (E407), its rows never counted as rejections."""
    widest = seen = 0
    for cells in _safe(sheet):
        filled = sum(1 for c in cells if not _is_empty(c.value))
        if filled:
            seen += 1
            widest = max(widest, filled)
            if seen >= 10 * HEADER_SCAN_ROWS:
                break
    if not seen:
        return
    name = sheet.name if sheet.name is not None else sheet.file.stem
    where = Location(sheet.source)
    if _documentation(name) or widest <= 1:
        context.skip(
            where,
            "documentation (a cover, notes or guidance; no list header): not read",
            documentation=True,
        )
        return
    context.skip(
        where,
        f"not an Annex A list: no list's header (a child ID column and the list's own columns) "
        f"in its first {HEADER_SCAN_ROWS} rows; not read",
    )


def _data_rows(sheet: Sheet, header: Header) -> Iterator[tuple[int, list[Cell]]]:
    """A list's data rows, numbered as in the sheet: below the header, not blank, and not only
    formulas (template residue)."""
    for number, cells in enumerate(_safe(sheet), start=1):
        if number <= header.row:
            continue
        if any(not c.formula and not _is_empty(c.value) for c in cells):
            yield number, cells


def _finish(children: dict[str, Child]) -> Iterator[Item]:
    for child in children.values():
        events = _events(child)
        data: dict[str, Any] = {
            "child": child.child,
            "dob": child.dob,
            "team": child.team,
            "worker": child.worker,
            "events": events,
        }
        if child.known_from:
            data["known_from"] = child.known_from
        try:
            record = ChildRecord.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            message = first["msg"].removeprefix("Value error, ")
            error = RecordError(message, child.location, code="E313")
            yield Item(child.location, error=error)
            continue
        yield Item(child.location, record=record, quality=tuple(child.notes))


IMPORTER = AnnexA()
_check: Importer = IMPORTER  # the protocol, checked by mypy
