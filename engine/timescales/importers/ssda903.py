"""Read the DfE SSDA903 return (children looked after): the CSV tables, or the XML form.

Input: a directory (searched recursively, in sorted path order) of 903 CSV files and/or XML
files, or one such file; or several of them read as one history (``read_many``). Each CSV file is
recognised by its columns (a column only one 903 table has, e.g. DECOM for episodes), falling back
to its file name. The XML form has the root element EXPSSDA903 and is read through defusedxml,
streamed one CHILD element at a time. What cannot be read follows one policy (decisions.md,
"Importers"): an unknown file is skipped (``ImportContext.skip``), a README as documentation, a
known table lacking a column it needs is rejected whole (``ImportContext.reject_table``), an
optional value that cannot be read is unknown (noted, the row used), and only a required value
rejects a row.

Rows are checked as they are read, kept in a compact form, sorted by child, and mapped child by
child onto the canonical record (docs/importers/ssda903.md has the mapping table):

- episodes sorted by DECOM; a period of care starts at the first episode and after every episode
  whose REC is non-empty and not X1; it ends at the DEC of that episode (open otherwise). Each
  period is a looked-after case, ref ``P1``, ``P2``...; a period whose first episode is not RNE S
  began before the data: no ``became_looked_after``, and ``known_from`` says it ``began``;
- ``placement_started`` at the DECOM of each episode with RNE S, P, T, B or U (not L);
- legal-status spells: consecutive episodes of a period with the same LS code;
- a series of short breaks (reg 48): ``short_breaks_started`` at the first episode of a run with
  LS V3 or V4 (across periods), ``short_breaks_ended`` at the next episode with another LS;
- reviews go into the latest-starting period whose [start, end] contains them;
- missing episodes (MISSING = M), placement order (first LS E1), placed for adoption (first PLACE
  A3-A6 of a period), adoption decision (DATE_PLACED, DATE_INT) and match (DATE_MATCH);
- social worker episodes and DoLo (deprivation of liberty) are checked and counted; no event;
- the tables that cover their return's year only (reviews, missing, adoption) say from when their
  events are known (``known_from``), from the years the file names give, else their dates.

Several years' returns may be given together: rows are merged on their key (episodes on CHILD and
DECOM, reviews on CHILD and REVIEW...), the latest return wins, and changed values are reported as
data-quality notes. Memory grows with the number of rows (one small tuple per row, for the sort),
never with more than one child's events at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from ..contract import ImportContext, Importer, Item, SourceStats
from ..dates import DateError, parse_uk
from ..errors import InputError, Location, RecordError, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord, event_data
from .canonical import validation_message

# defusedxml ships no type stubs: loaded by name (so that mypy sees it as Any either way), when
# an XML return is read

MAX_FILE_BYTES = 512 * 1024 * 1024  # one 903 file (a large council's XML is tens of MB)
MAX_CHILD_ID = 200  # ChildRecord.child's limit

QUALITY_CODES: dict[str, str] = {
    "DATA010": "an episode's (or a social worker episode's) end date is before its start; the "
    "end is disregarded",
    "DATA011": "episodes or periods of care overlap (a later one starts before the earlier ends)",
    "DATA012": "an episode's end is incomplete: REC ends care but DEC is blank (the period ends "
    "where the next one starts, or stays open), or DEC is given without REC (care goes on)",
    "DATA013": "a review is dated outside every period of care; it is not used (row rejected)",
    "DATA014": "returns of different years disagree about the same row; the latest return wins",
    "DATA015": "an episode's DEC is after the as-of date: the episode is open as of that date "
    "and its REC is ignored",
    "DATA016": "the same row (same key) appears twice in one return; counted once, the later "
    "row wins",
    "DATA017": "a missing episode or a deprivation of liberty (DoLo) ends before it starts; its "
    "end is not used",
    "DATA018": "where the data's history begins: a period of care began before the data (its "
    "first episode is not RNE S), so rules counted from its start are not assessed; and, once per "
    "input (child '(file)'), the collection years and tables read and the day from which each "
    "table's events are known",
    "DATA019": "a value is blank, unreadable or not a 903 code: a code (RNE, LS, PLACE, REC, "
    "REVIEW_CODE, MISSING, SW_REASON) is kept as given; an optional value that cannot be read "
    "(a DEC that is not a date, an Excel error such as #N/A) is taken as unknown and the row used",
}

# the codes of the 903 guidance (all years since 2014), for DATA019; unknown codes are kept
RNE_CODES = frozenset({"S", "L", "P", "T", "B", "U"})
PLACEMENT_RNE = frozenset({"S", "P", "T", "B", "U"})  # decisions.md: not L (legal status only)
LS_CODES = frozenset({"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"})
PLACE_CODES = frozenset(
    {
        *("A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "P4"),
        *("R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4"),
        *("U1", "U2", "U3", "U4", "U5", "U6", "Z1"),
    }
)
REC_CODES = frozenset(
    {
        *("X1", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E4A", "E4B"),
        *("E41", "E43", "E44", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9"),
    }
)
REVIEW_CODES = frozenset({f"PN{n}" for n in range(8)})
# the reasons a social worker episode began (SW_REASON, collections from 2023-24)
SW_REASON_CODES = frozenset(
    {"MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED"}
    | {"OTHERS"}
)
# what a spreadsheet writes in a cell whose formula failed: never a value
EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
    | {"#GETTING_DATA"}
)
MISSING_CODES = frozenset({"M", "A"})
# LA004's "permanent" placement: long-term fostering (as decisions.md fixes for the SSD)
PERMANENT_PLACE = frozenset({"U1", "U4"})
ADOPTION_PLACE = frozenset({"A3", "A4", "A5", "A6"})
PLACEMENT_ORDER_LS = "E1"
# 903 legal statuses of a series of short breaks (SI 2010/959 reg 48): V3 an individual break,
# V4 the agreement for them
SHORT_BREAK_LS = frozenset({"V3", "V4"})

SUPPLIES = frozenset(
    {
        "became_looked_after",
        "ceased_looked_after",
        "placement_started",
        "lac_review",
        "legal_status_started",
        "legal_status_ended",
        "short_breaks_started",
        "short_breaks_ended",
        "missing_started",
        "missing_returned",
        "placement_order",
        "placed_for_adoption",
        "adoption_decision",
        "adoption_match",
    }
)


@dataclass(frozen=True, slots=True)
class Table:
    """One 903 table: its DfE columns and what the mapping needs of it."""

    name: str
    columns: tuple[str, ...]  # the DfE layout
    needs: tuple[str, ...]  # columns that must be present (besides CHILD)
    required: tuple[str, ...]  # values that must not be blank (besides CHILD)
    keep: tuple[str, ...]  # values kept for the mapping, in this order
    dates: frozenset[str]  # of ``keep``: dd/mm/yyyy
    key: tuple[str, ...] | None  # merge key besides CHILD; None: rows are never merged
    aliases: tuple[str, ...]  # words in a file name that name this table
    xml: str | None = None  # the XML element holding one row (None: the child's HEADER)


TABLES: tuple[Table, ...] = (
    Table(
        "header",
        ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
        needs=("DOB",),
        required=("DOB",),
        keep=("DOB",),
        dates=frozenset({"DOB"}),
        key=(),
        aliases=("header",),
    ),
    Table(
        "episodes",
        (
            *("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
            *("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
        ),
        needs=("DECOM", "RNE", "LS", "PLACE", "DEC", "REC"),
        required=("DECOM",),
        keep=("DECOM", "RNE", "LS", "PLACE", "DEC", "REC"),
        dates=frozenset({"DECOM", "DEC"}),
        key=("DECOM",),
        aliases=("episodes", "episode"),
        xml="EPISODE",
    ),
    Table(
        "reviews",
        ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
        needs=("REVIEW",),
        required=("REVIEW",),
        keep=("REVIEW", "REVIEW_CODE"),
        dates=frozenset({"REVIEW"}),
        key=("REVIEW",),
        aliases=("reviews", "review"),
        xml="AREVIEW",
    ),
    Table(
        "uasc",
        ("CHILD", "SEX", "DOB", "DUC"),
        needs=(),
        required=(),
        keep=(),
        dates=frozenset(),
        key=None,
        aliases=("uasc",),
    ),
    Table(
        "missing",
        ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
        needs=("MISSING", "MIS_START", "MIS_END"),
        required=("MIS_START",),
        keep=("MIS_START", "MISSING", "MIS_END"),
        dates=frozenset({"MIS_START", "MIS_END"}),
        key=("MIS_START",),
        aliases=("missing",),
        xml="AMISSING",
    ),
    Table(
        "previous_permanence",
        ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
        needs=(),
        required=(),
        keep=(),
        dates=frozenset(),
        key=None,
        aliases=("previouspermanence", "prevperm", "permanence"),
        xml="PERMANENCE",
    ),
    Table(
        "placed_for_adoption",
        ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
        needs=("DATE_PLACED",),
        required=("DATE_PLACED",),
        keep=("DATE_PLACED",),
        dates=frozenset({"DATE_PLACED"}),
        key=("DATE_PLACED",),
        aliases=("placedforadoption", "placedadoption", "sbpfa", "adplaced"),
        xml="AD_PLACED",
    ),
    Table(
        "ad1",
        (
            *("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR"),
            *("SEX_ADOPTR", "LS_ADOPTR"),
        ),
        needs=("DATE_INT", "DATE_MATCH"),
        required=(),
        keep=("DATE_INT", "DATE_MATCH"),
        dates=frozenset({"DATE_INT", "DATE_MATCH"}),
        key=(),
        aliases=("ad1",),
    ),
    Table(
        "oc2",
        (
            *("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK"),
            *("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"),
            *("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
        ),
        needs=(),
        required=(),
        keep=(),
        dates=frozenset(),
        key=None,
        aliases=("oc2",),
        xml="OC2",
    ),
    Table(
        "oc3",
        ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
        needs=(),
        required=(),
        keep=(),
        dates=frozenset(),
        key=None,
        aliases=("oc3",),
    ),
    Table(
        "sw_episodes",
        ("CHILD", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
        needs=("SW_DECOM",),
        required=("SW_DECOM",),
        keep=("SW_DECOM", "SW_DEC", "SW_REASON"),
        dates=frozenset({"SW_DECOM", "SW_DEC"}),
        key=("SW_DECOM",),
        aliases=("swepisodes", "swepisode", "socialworker"),
    ),
    Table(
        "dolo",
        ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
        needs=("DOLO_START",),
        required=("DOLO_START",),
        keep=("DOLO_START", "DOLO_END"),
        dates=frozenset({"DOLO_START", "DOLO_END"}),
        key=("DOLO_START",),
        aliases=("dolo", "deprivationofliberty"),
    ),
)
BY_NAME = {t.name: t for t in TABLES}
(HEADER, EPISODES, REVIEWS, UASC, MISSING, PREV_PERM, PLACED, AD1, OC2, OC3, SW_EPISODES, DOLO) = (
    range(len(TABLES))
)
# an XML element with children that is none of the known ones: a row of no mapped table
OTHER = len(TABLES)

CODE, BIRTH, EVENT_DATE, REVIEW_DATE = range(4)


def _plan(table: Table) -> tuple[tuple[str, int, bool], ...]:
    """How to read each kept value: (column, kind, required)."""
    out = []
    for column in table.keep:
        if column not in table.dates:
            kind = CODE
        elif column == "DOB":
            kind = BIRTH
        else:
            kind = REVIEW_DATE if column == "REVIEW" else EVENT_DATE
        out.append((column, kind, column in table.required))
    return tuple(out)


PLANS = (*(_plan(t) for t in TABLES), ())
# the merge key is the first kept value (True), none (False: one row per child), or no merging
KEYED: tuple[bool | None, ...] = (*(None if t.key is None else bool(t.key) for t in TABLES), None)
# Tables whose rows cover their return's collection year only (reviews held in the year, missing
# episodes that began in it, the adoption rows of the year), with the events they supply: those
# events are known from the start of the earliest year of the unbroken run of returns ending with
# the latest (decisions.md, "History the input does not hold"). The episodes table is not one:
# it holds every episode open during the year with its original DECOM, so a period whose first
# episode is RNE S is whole, and one whose first episode is not began before the data.
YEAR_TABLES: tuple[tuple[tuple[int, ...], tuple[str, ...]], ...] = (
    ((REVIEWS,), ("lac_review",)),
    ((MISSING,), ("missing_started", "missing_returned")),
    ((PLACED, AD1), ("adoption_decision", "adoption_match")),
)
# what each table can give (``supplies_for``: a rule whose events come from a table the input does
# not hold, or holds unreadably, is "not assessable", never overdue)
TABLE_SUPPLIES: dict[int, frozenset[str]] = {
    EPISODES: frozenset(
        {"became_looked_after", "ceased_looked_after", "placement_started"}
        | {"legal_status_started", "legal_status_ended", "short_breaks_started"}
        | {"short_breaks_ended", "placement_order", "placed_for_adoption"}
    ),
    REVIEWS: frozenset({"lac_review"}),
    MISSING: frozenset({"missing_started", "missing_returned"}),
    PLACED: frozenset({"adoption_decision"}),
    AD1: frozenset({"adoption_decision", "adoption_match"}),
}
# of those, the tables whose dates all fall in the return's year (reviews, missing starts), so
# that, with no year in the file names, their dates say which years the rows cover; an adoption
# row's decision or match date may be years before the return's
DATED_BY_YEAR = frozenset({REVIEWS, MISSING})


def _marks() -> dict[str, int]:
    """Column -> the one table that has it (columns shared by tables, like DOB, recognise none)."""
    seen: dict[str, list[int]] = {}
    for number, table in enumerate(TABLES):
        for column in table.columns:
            seen.setdefault(column, []).append(number)
    return {column: tables[0] for column, tables in seen.items() if len(tables) == 1}


MARKS = _marks()
XML_ROWS = {t.xml: n for n, t in enumerate(TABLES) if t.xml}
XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}  # XML element -> CSV column
XML_FIELD = {"CHILD": "CHILDID", "PLACE": "PL"}  # and back, for messages
ROOT = "EXPSSDA903"

# files a return's directory may hold besides its tables: read by people, not by the importer
DOCUMENTATION = frozenset({".txt", ".md", ".pdf", ".doc", ".docx", ".rtf", ".odt", ".htm", ".html"})

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?:[-_ ]?(\d\d))?(?!\d)")


# --- small helpers ----------------------------------------------------------------------------


def collection_year(path: str) -> int | None:
    """The collection year a path names (its last year token): ``2018``, ``2017-18``, ``201718``
    and ``2017_18`` all name the year ending 31 March 2018 (``2017`` alone names 2017)."""
    found = None
    for match in _YEAR.finditer(path):
        first, second = int(match.group(1)), match.group(2)
        year = first
        if second is not None and int(second) == (first + 1) % 100:
            year = first + 1
        found = year
    return found


def year_ending(day: dt.date) -> int:
    """The collection year (ending 31 March) a date falls in."""
    return day.year + 1 if day.month >= 4 else day.year


def _column(name: str) -> str:
    return name.strip().strip('"').lstrip("\ufeff").strip().upper()


def identify(columns: Sequence[str], filename: str = "") -> tuple[int | None, list[str]]:
    """The table these columns belong to and the needed columns it lacks.

    By columns first (the table with most of its own columns present); by file name only when no
    column says. (None, []) when it is no 903 table at all."""
    present = set(columns)
    votes: dict[int, int] = {}
    for column in present:
        table = MARKS.get(column)
        if table is not None:
            votes[table] = votes.get(table, 0) + 1
    number: int | None = None
    if votes:
        number = max(votes, key=lambda t: (votes[t], -t))
    else:
        stem = re.sub(r"[^a-z0-9]", "", Path(filename).stem.lower())
        best = 0
        for n, spec in enumerate(TABLES):
            for alias in spec.aliases:
                if alias in stem and len(alias) > best:
                    number, best = n, len(alias)
    if number is None:
        return None, []
    wanted = ("CHILD", *TABLES[number].needs)
    return number, [c for c in wanted if c not in present]


def _head(path: Path, size: int) -> str:
    """The first ``size`` bytes as text: UTF-16 when it starts with its BOM, else UTF-8."""
    with path.open("rb") as fh:
        head = fh.read(size)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def _first_csv_row(path: Path) -> list[str] | None:
    try:
        text = _head(path, 65536)
    except OSError:
        return None
    line = text.splitlines()[0] if text else ""
    try:
        return next(csv.reader([line]), None)
    except csv.Error:
        return None


def _xml_root(path: Path) -> str | None:
    """The root element's name, from the first bytes (no parsing beyond that)."""
    try:
        text = _head(path, 8192)
    except OSError:
        return None
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    match = re.search(r"<\s*([A-Za-z_][\w.:-]*)", text)
    return match.group(1).rpartition(":")[2] if match else None


def _files(path: Path, every: bool = False) -> list[Path]:
    """The .csv and .xml files of a directory (``every``: all its files), hidden ones left out,
    in sorted path order; a file is itself."""
    if path.is_dir():
        found = [
            p
            for p in path.rglob("*")
            if p.is_file()
            and (every or p.suffix.lower() in (".csv", ".xml"))
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
        return sorted(found, key=lambda p: p.relative_to(path).as_posix())
    return [path]


def _names(table: int, filename: str) -> bool:
    """True when the file's name names this table (``episodes.csv``, ``SSDA903_DoLo.csv``)."""
    stem = re.sub(r"[^a-z0-9]", "", Path(filename).stem.lower())
    return any(alias in stem for alias in TABLES[table].aliases)


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2].upper()


# --- reading rows ----------------------------------------------------------------------------


class Row(NamedTuple):
    """One row of a 903 table, as kept for the sort: small and without unused columns."""

    child: str
    table: int
    key: Any  # the merge key's value (a date), None for one-per-child tables, else ``seq``
    source: int
    seq: int
    line: int | None
    pointer: str
    values: tuple[Any, ...]
    # optional values that could not be read (taken as unknown): (column, what was there)
    unread: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Source:
    """One file read: its row counts and what says how recent a return it is."""

    path: str
    stats: SourceStats
    order: int
    named_year: int | None
    folder: str
    latest: dt.date | None = None  # the latest event date in it (infers the year)
    # the tables it holds (a CSV file one, an XML file several), and per table the earliest and
    # latest event dates read (what the return covers, when its name says no year)
    tables: set[int] = field(default_factory=set)
    rejected: set[int] = field(default_factory=set)  # tables rejected whole (a column lacking)
    spans: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    year: int = 0

    def saw(self, table: int, day: dt.date) -> None:
        if self.latest is None or day > self.latest:
            self.latest = day
        span = self.spans.get(table)
        if span is None:
            self.spans[table] = (day, day)
        elif day < span[0] or day > span[1]:
            self.spans[table] = (min(day, span[0]), max(day, span[1]))

    def location(self, line: int | None, pointer: str | None) -> Location:
        return Location(self.path, line, pointer)


@dataclass(slots=True)
class Store:
    """Every usable row of every file, until the sort; plus the sources' counts."""

    sources: list[Source] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    seq: int = 0

    def add(
        self,
        source: Source,
        table: int,
        child: str | None,
        raw: Sequence[str | None],
        line: int | None,
        pointer: str,
        names: Mapping[str, str] | None = None,
    ) -> Item | None:
        """Check one row (``raw``: its values of the table's ``keep`` columns) and keep it; or
        return its rejection."""
        source.stats.rows_read += 1
        child = (child or "").strip()
        plan = PLANS[table]
        values: list[Any] = []
        unread: list[tuple[str, str]] = []
        problem: tuple[str, str, str] | None = None
        if not child:
            problem = ("CHILD", "is blank", child)
        elif len(child) > MAX_CHILD_ID:
            problem = ("CHILD", f"is longer than {MAX_CHILD_ID} characters", child)
        else:
            for (column, kind, required), text in zip(plan, raw, strict=True):
                text = (text or "").strip()
                if not text:
                    if required:
                        problem = (column, "is blank", text)
                        break
                    values.append(None)
                    continue
                spoilt = text.upper() in EXCEL_ERRORS
                if kind == CODE and not spoilt:
                    values.append(sys.intern(text.upper()))
                    continue
                why = "holds a spreadsheet error value"
                day = None
                if not spoilt:
                    try:
                        day = parse_uk(text)
                    except DateError as exc:
                        why = f"is {exc}"
                if day is None:
                    if required:
                        problem = (column, why, text)
                        break
                    # an optional value that cannot be read: unknown, noted, the row used
                    unread.append((column, why if spoilt else f"{why} ({value_class(text)})"))
                    values.append(None)
                    continue
                values.append(day)
                if kind != BIRTH:
                    source.saw(table, day)
        if problem is not None:
            column, why, found = problem
            shown = names.get(column, column) if names else column
            where = source.location(line, f"{pointer}/{shown}" if pointer else shown)
            source.stats.rows_rejected += 1
            error = RecordError(
                f"{shown} {why}",
                where,
                shown,
                code="E311" if why == "is blank" else "E310",
                value_class=value_class(found),
            )
            return Item(where, error=error, row=True)
        self.seq += 1
        keyed = KEYED[table]
        key = self.seq if keyed is None else (values[0] if keyed else None)
        source.tables.add(table)
        self.rows.append(
            Row(
                sys.intern(child),
                table,
                key,
                source.order,
                self.seq,
                line,
                pointer,
                tuple(values),
                tuple(unread),
            )
        )
        return None


# --- mapping one child ------------------------------------------------------------------------


@dataclass(slots=True)
class Episode:
    decom: dt.date
    rne: str | None
    ls: str | None
    place: str | None
    dec: dt.date | None  # usable DEC (None: blank, before DECOM, or after as_of)
    ends_care: bool
    rows: list[Row]
    period: int = 0
    end: dt.date | None = None  # effective end for legal-status spells


@dataclass(slots=True)
class Period:
    ref: str
    start: dt.date
    end: dt.date | None
    episodes: list[Episode]
    # event types that opened this period before the data (empty: it began in the data)
    began: list[str] = field(default_factory=list)


def _set_ends(periods: list[Period]) -> None:
    """Each episode's period number and end: its DEC, else the next episode's DECOM, else the
    period's end."""
    for number, period in enumerate(periods):
        for i, episode in enumerate(period.episodes):
            episode.period = number
            if episode.dec is not None:
                episode.end = episode.dec
            elif i + 1 < len(period.episodes):
                episode.end = period.episodes[i + 1].decom
            else:
                episode.end = period.end


def _same_spell(period: Period, episode: Episode) -> bool:
    """True when ``episode`` is in the period's first legal-status spell (the run of episodes
    from the first with the first one's LS)."""
    for other in period.episodes:
        if other is episode:
            return True
        if other.ls != period.episodes[0].ls:
            return False
    return False


@dataclass(slots=True)
class ChildBuilder:
    """Maps one child's rows (sorted by table, key, return) onto events and notes."""

    child: str
    store: Store
    as_of: dt.date | None
    notes: list[DataQualityFinding] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    # where the child's history begins, per case (``began``): periods whose start is not in the
    # data, and the legal-status spell or short-break series they opened with
    known: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Item] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # seq of rejected rows
    _seen_notes: set[tuple[str, str]] = field(default_factory=set)

    def where(self, row: Row) -> Location:
        return self.store.sources[row.source].location(row.line, row.pointer or None)

    def note(
        self,
        code: str,
        message: str,
        row: Row | None = None,
        ref: str | None = None,
        date: dt.date | None = None,
    ) -> None:
        if (code, message) in self._seen_notes:
            return
        self._seen_notes.add((code, message))
        self.notes.append(
            DataQualityFinding(
                code,
                self.child,
                message,
                ref=ref,
                date=date,
                source=str(self.where(row)) if row is not None else None,
            )
        )

    def event(
        self,
        etype: str,
        date: dt.date,
        ref: str | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(event_data(etype, date, ref, attrs=attrs))

    def reject(self, rows: Sequence[Row], reason: str, column: str) -> None:
        for row in rows:
            source = self.store.sources[row.source]
            pointer = f"{row.pointer}/{column}" if row.pointer else column
            where = source.location(row.line, pointer)
            self.rejected.add(row.seq)
            error = RecordError(reason, where, column, code="E312")
            self.rejects.append(Item(where, error=error, row=True))

    # merging several returns ------------------------------------------------------------------

    def merge(self, rows: list[Row]) -> dict[int, list[tuple[Row, list[Row]]]]:
        """Table -> [(winning row, every row of its key)], rows in key order."""
        out: dict[int, list[tuple[Row, list[Row]]]] = {}
        ranks = self.store.sources
        for (table, _), group_iter in groupby(rows, key=lambda r: (r.table, r.key)):
            group = list(group_iter)
            winner = group[-1]
            if len(group) > 1 and table < len(TABLES) and TABLES[table].key is not None:
                self._compare(TABLES[table], group, ranks)
            out.setdefault(table, []).append((winner, group))
        return out

    def _compare(self, spec: Table, group: list[Row], sources: list[Source]) -> None:
        winner = group[-1]
        what = self._what(spec, winner)
        for row in group[:-1]:
            pairs = list(zip(spec.keep, row.values, winner.values, strict=True))
            if row.source == winner.source:
                changed = [column for column, old, new in pairs if old != new]
                if changed:
                    message = (
                        f"{what} appears twice in one return with different "
                        f"{', '.join(changed)}; the later row is used"
                    )
                else:
                    message = f"{what} appears twice in one return; counted once"
                self.note("DATA016", message, winner)
                continue
            # a value filled in later (an open episode's DEC and REC) is no conflict
            changed = [column for column, old, new in pairs if old is not None and old != new]
            if changed:
                older, newer = sources[row.source], sources[winner.source]
                verb = "differs" if len(changed) == 1 else "differ"
                self.note(
                    "DATA014",
                    f"{what}: {', '.join(changed)} {verb} between {older.path} and "
                    f"{newer.path}; the later return ({newer.path}) is used",
                    winner,
                )

    @staticmethod
    def _what(spec: Table, row: Row) -> str:
        if spec.name == "header":
            return "the child's header"
        if spec.name == "ad1":
            return "the adoption (ad1) row"
        if spec.key:
            day = row.key
            shown = day.isoformat() if isinstance(day, dt.date) else str(day)
            return f"{spec.name} row {spec.key[0]} {shown}"
        return f"{spec.name} row"

    # the mapping ------------------------------------------------------------------------------

    def build(self, rows: list[Row]) -> tuple[dt.date | None, Location]:
        merged = self.merge(rows)
        dob = None
        first = rows[0]
        if HEADER in merged:
            header, _ = merged[HEADER][0]
            dob = header.values[0]
            first = header
        for table, entries in merged.items():
            for row, _ in entries:
                for column, found in row.unread:
                    name = TABLES[table].name if table < len(TABLES) else "unknown"
                    self.note(
                        "DATA019",
                        f"{name} row: {column} {found}; taken as unknown and the row used",
                        row,
                    )
        periods = self.periods(merged.get(EPISODES, []))
        self.reviews(merged.get(REVIEWS, []), periods)
        self.missing(merged.get(MISSING, []))
        self.adoption(merged, periods)
        self.social_workers(merged.get(SW_EPISODES, []))
        self.deprivation_of_liberty(merged.get(DOLO, []))
        return dob, self.where(first)

    def social_workers(self, merged: list[tuple[Row, list[Row]]]) -> None:
        """Social worker episodes (collections from 2023-24): checked, no event (no national
        rule reads the allocated worker's changes)."""
        for row, _ in merged:
            start, end, reason = row.values
            if end is not None and end < start:
                self.note(
                    "DATA010",
                    f"social worker episode starting {start.isoformat()} ends before it starts; "
                    "the end is disregarded",
                    row,
                    date=start,
                )
            if reason is not None and reason not in SW_REASON_CODES:
                self.note("DATA019", f"SW_REASON code {reason!r} is not a 903 code", row)

    def deprivation_of_liberty(self, merged: list[tuple[Row, list[Row]]]) -> None:
        """Deprivations of liberty (DoLo, from the 2026-27 collection): checked, no event (no
        national rule reads them)."""
        for row, _ in merged:
            start, end = row.values
            if end is not None and end < start:
                self.note(
                    "DATA017",
                    f"deprivation of liberty starting {start.isoformat()} ends before it starts; "
                    "its end is not used",
                    row,
                    date=start,
                )

    def periods(self, merged: list[tuple[Row, list[Row]]]) -> list[Period]:
        """The child's periods of care from its merged episode rows: each episode's codes and
        dates checked (notes), episodes grouped into periods (a period ends at an episode whose
        REC ends care), each episode's end set, overlaps noted, and the periods' events."""
        episodes = self.episodes(merged)
        periods = self.group(episodes)
        _set_ends(periods)
        self.note_overlaps(episodes, periods)
        self.period_events(periods)
        self.legal_status(periods)
        return periods

    def episodes(self, merged: list[tuple[Row, list[Row]]]) -> list[Episode]:
        """One Episode per merged row; blank or unknown codes and unusable DEC/REC noted."""
        episodes: list[Episode] = []
        for row, group in merged:
            decom, rne, ls, place, dec, rec = row.values
            when = decom.isoformat()
            for column, code, known in (
                ("RNE", rne, RNE_CODES),
                ("LS", ls, LS_CODES),
                ("PLACE", place, PLACE_CODES),
            ):
                if code is None:
                    self.note("DATA019", f"episode starting {when}: {column} is blank", row)
                elif code not in known:
                    self.note("DATA019", f"{column} code {code!r} is not a 903 code", row)
            if rec is not None and rec not in REC_CODES:
                self.note("DATA019", f"REC code {rec!r} is not a 903 code", row)
            if dec is not None and dec < decom:
                self.note(
                    "DATA010",
                    f"episode starting {when} has a DEC before its DECOM; the DEC is disregarded",
                    row,
                    date=decom,
                )
                dec = None
            if dec is not None and self.as_of is not None and dec > self.as_of:
                self.note(
                    "DATA015",
                    f"episode starting {when} ends after the as-of date: open as of "
                    f"{self.as_of.isoformat()}, its REC ignored",
                    row,
                    date=decom,
                )
                dec, rec = None, None
            elif dec is not None and rec is None:
                self.note(
                    "DATA012",
                    f"episode starting {when} has a DEC but no REC; care is taken to go on",
                    row,
                    date=decom,
                )
            ends = rec is not None and rec != "X1"
            episodes.append(Episode(decom, rne, ls, place, dec, ends, group))

        return episodes

    def group(self, episodes: list[Episode]) -> list[Period]:
        """The periods of care: consecutive episodes up to one whose REC ends care (or the
        last); one that ends care with no usable DEC ends where the next begins, or stays open."""
        periods: list[Period] = []
        current: list[Episode] = []
        for index, episode in enumerate(episodes):
            current.append(episode)
            last = index == len(episodes) - 1
            if episode.ends_care or last:
                ref = f"P{len(periods) + 1}"
                end = episode.dec if episode.ends_care else None
                if episode.ends_care and end is None:
                    nxt = None if last else episodes[index + 1].decom
                    end = nxt
                    self.note(
                        "DATA012",
                        f"episode starting {episode.decom.isoformat()} ends care (REC) but has "
                        + (
                            "no usable DEC; the period stays open"
                            if nxt is None
                            else f"no usable DEC; the period ends where the next begins "
                            f"({nxt.isoformat()})"
                        ),
                        episode.rows[-1],
                        ref=ref,
                        date=episode.decom,
                    )
                periods.append(Period(ref, current[0].decom, end, current))
                current = []

        return periods

    def note_overlaps(self, episodes: list[Episode], periods: list[Period]) -> None:
        """DATA011 for an episode (or a period) that starts before the one before it ends."""
        for before, after in pairwise(episodes):
            if before.dec is not None and after.decom < before.dec:
                if before.period != after.period:
                    a, b = periods[before.period], periods[after.period]
                    message = (
                        f"period {b.ref} starts ({b.start.isoformat()}) before period {a.ref} "
                        f"ends ({before.dec.isoformat()})"
                    )
                    ref = b.ref
                else:
                    message = (
                        f"episode starting {after.decom.isoformat()} starts before the episode "
                        f"starting {before.decom.isoformat()} ends ({before.dec.isoformat()})"
                    )
                    ref = periods[after.period].ref
                self.note("DATA011", message, after.rows[-1], ref=ref, date=after.decom)

    def period_events(self, periods: list[Period]) -> None:
        """Each period's events: its start (or, begun before the data, where its history
        begins), placements, the placement for adoption, the first placement order, its end."""
        placement_order_done = False
        for period in periods:
            first = period.episodes[0]
            if first.rne != "S":
                # a period whose first episode is a move or a change of legal status began
                # before the data: its start is not in the input (decisions.md)
                self.note(
                    "DATA018",
                    f"period {period.ref} began before the data: its first episode "
                    f"({period.start.isoformat()}) has RNE {first.rne or 'blank'}, not S, so the "
                    "day the child came into care is not in the input; rules counted from it "
                    "are not assessed",
                    first.rows[-1],
                    ref=period.ref,
                    date=period.start,
                )
                period.began = ["became_looked_after"]
                self.known.append({"from": period.start, "case": period.ref, "began": period.began})
            else:
                self.event("became_looked_after", period.start, period.ref)
            adoption_placed = False
            placed: dict[dt.date, int] = {}  # date -> index of its placement event
            for episode in period.episodes:
                if episode.rne in PLACEMENT_RNE:
                    attrs: dict[str, Any] = {"permanent": episode.place in PERMANENT_PLACE}
                    if episode.place is not None:
                        attrs = {"placement_type": episode.place, **attrs}
                    if episode.decom in placed:  # two placements on one day: the later stands
                        self.events[placed[episode.decom]]["attrs"] = attrs
                    else:
                        placed[episode.decom] = len(self.events)
                        self.event("placement_started", episode.decom, period.ref, attrs)
                if not adoption_placed and episode.place in ADOPTION_PLACE:
                    self.event("placed_for_adoption", episode.decom, period.ref)
                    adoption_placed = True
                if not placement_order_done and episode.ls == PLACEMENT_ORDER_LS:
                    placement_order_done = True
                    if period.began and episode.ls == first.ls and _same_spell(period, episode):
                        # the order was made before the data: its day is not in the input
                        period.began.append("placement_order")
                    else:
                        self.event("placement_order", episode.decom, period.ref)
            if period.end is not None:
                self.event("ceased_looked_after", period.end, period.ref)

    def legal_status(self, periods: list[Period]) -> None:
        """A stretch of consecutive episodes (within a period) with one LS code is one spell,
        ending at the end of the last of them. A run of short-break episodes (V3/V4), across
        periods, is one series under reg 48: ``short_breaks_started`` at its first episode,
        ``short_breaks_ended`` when an episode with another legal status starts."""
        spell = 0
        series = 0
        in_series = False
        for period in periods:
            opening = bool(period.began)  # the first spell of a period begun before the data
            for code, stretch_iter in groupby(period.episodes, key=lambda e: e.ls):
                stretch = list(stretch_iter)
                before, opening = opening, False
                if code is None:
                    continue
                start = stretch[0].decom
                if code in SHORT_BREAK_LS and not in_series:
                    series += 1
                    in_series = True
                    self.event("short_breaks_started", start, f"SB{series}")
                    if before:  # the series began before the data: not its first day
                        self.known.append(
                            {
                                "from": start,
                                "case": f"SB{series}",
                                "began": ["short_breaks_started"],
                            }
                        )
                elif code not in SHORT_BREAK_LS and in_series:
                    in_series = False
                    self.event("short_breaks_ended", start, f"SB{series}")
                spell += 1
                ref = f"LS{spell}"
                # the status in force is known even when its spell began before the data:
                # it is given (the conditions that read it need its code), and ``began`` says
                # that its first day is not this one (no clock counts from it)
                self.event("legal_status_started", start, ref, {"code": code})
                if before:
                    self.known.append(
                        {"from": start, "case": ref, "began": ["legal_status_started"]}
                    )
                end = stretch[-1].end
                if end is not None:
                    self.event("legal_status_ended", end, ref, {"code": code})

    def reviews(self, merged: list[tuple[Row, list[Row]]], periods: list[Period]) -> None:
        for row, group in merged:
            day, code = row.values
            if code is None or code not in REVIEW_CODES:
                shown = "blank" if code is None else f"{code!r}, not a 903 code"
                self.note("DATA019", f"REVIEW_CODE is {shown}", row)
            home = None
            for period in periods:
                inside = period.start <= day and (period.end is None or day <= period.end)
                if inside and (home is None or period.start >= home.start):
                    home = period
            if home is not None:
                self.event("lac_review", day, home.ref)
                continue
            if not periods:
                reason = "review for a child with no episode in the input; not used"
            elif day < periods[0].start:
                reason = "review dated before the period of care started; not used"
            else:
                reason = "review dated outside every period of care; not used"
            self.note("DATA013", f"{reason} ({day.isoformat()})", row, date=day)
            self.reject(group, reason, "REVIEW")

    def missing(self, merged: list[tuple[Row, list[Row]]]) -> None:
        number = 0
        for row, _ in merged:
            start, kind, end = row.values
            if kind not in MISSING_CODES:
                shown = "blank" if kind is None else f"{kind!r}, not a 903 code"
                self.note("DATA019", f"MISSING is {shown}; no missing events", row)
                continue
            if kind != "M":  # "away from placement without authorisation": no return interview
                continue
            number += 1
            ref = f"M{number}"
            self.event("missing_started", start, ref)
            if end is not None and end < start:
                self.note(
                    "DATA017",
                    f"missing episode starting {start.isoformat()} ends before it starts; "
                    "its return is not used",
                    row,
                    ref=ref,
                    date=start,
                )
            elif end is not None:
                self.event("missing_returned", end, ref)

    def adoption(
        self, merged: dict[int, list[tuple[Row, list[Row]]]], periods: list[Period]
    ) -> None:
        decisions: set[dt.date] = set()
        for row, _ in merged.get(PLACED, []):
            decisions.add(row.values[0])
        for row, _ in merged.get(AD1, []):
            decided, matched = row.values
            if decided is not None:
                decisions.add(decided)
            if matched is not None:
                home = None
                for period in periods:
                    if period.start <= matched and (period.end is None or matched <= period.end):
                        home = period
                self.event("adoption_match", matched, home.ref if home else None)
        for day in sorted(decisions):
            self.event("adoption_decision", day)


# --- the importer -----------------------------------------------------------------------------


class SSDA903:
    """The SSDA903 importer (``--input-format ssda903``)."""

    name = "ssda903"
    supplies: frozenset[str] | None = SUPPLIES

    def sniff(self, path: Path) -> bool:
        files = _files(path) if path.is_dir() else [path]
        for number, file in enumerate(files):
            if number >= 500:
                break
            suffix = file.suffix.lower()
            if suffix == ".xml":
                if _xml_root(file) == ROOT:
                    return True
            elif suffix == ".csv":
                first = _first_csv_row(file)
                if first is None:
                    continue
                table, lacking = identify([_column(c) for c in first])
                if table is not None and not lacking:
                    return True
        return False

    def supplies_for(self, path: Path) -> frozenset[str]:
        """The event types the tables of this input can give: a rule that needs a table the
        input does not hold (or holds without a column it needs) is "not assessable"."""
        out: set[str] = set()
        for file in _files(path):
            if file.suffix.lower() == ".xml":
                if (_xml_root(file) or "").upper() == ROOT:
                    return SUPPLIES
                continue
            first = _first_csv_row(file)
            if first is None:
                continue
            table, lacking = identify([_column(c) for c in first], file.name)
            if table is not None and not lacking:
                out |= TABLE_SUPPLIES.get(table, frozenset())
        return frozenset(out)

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        return self.read_many([path], context)

    def read_many(self, paths: Sequence[Path], context: ImportContext) -> Iterator[Item]:
        """Read several inputs (returns of several years, as directories, or the files of each
        table) as one history: their rows meet per child and merge on their keys, as if they
        were one directory. ``read`` is this with one input."""
        store = Store()
        for given in paths:
            path = Path(given)
            if not path.exists():
                raise InputError("no such file or directory", Location(str(path)), code="E101")
            files = self._select(path, context)
            if not files:
                raise InputError(
                    "no 903 files (.csv or .xml) in this directory",
                    Location(str(path)),
                    code="E406",
                )
            for file in files:
                size = file.stat().st_size
                if size > MAX_FILE_BYTES:
                    raise InputError(
                        f"file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit for "
                        "one 903 file",
                        Location(str(file)),
                        code="E403",
                    )
                # the year a path names: below the input, and the input directory's own name
                if path.is_dir():
                    named = f"{path.resolve().name}/{file.relative_to(path).as_posix()}"
                else:
                    named = file.name
                if file.suffix.lower() == ".xml":
                    yield from self._read_xml(file, named, store, context)
                else:
                    yield from self._read_csv(file, named, store, context)
        yield from self._children(store, context.as_of)

    @staticmethod
    def _select(path: Path, context: ImportContext) -> list[Path]:
        """The .csv and .xml files to read; any other file in a directory is skipped: a README,
        notes or a specification (.txt, .md, .pdf, .doc...) with one notice, anything else
        with a warning (decisions.md, "Importers")."""
        if not path.is_dir():
            return [path]
        out = []
        for file in _files(path, every=True):
            suffix = file.suffix.lower()
            if suffix in (".csv", ".xml"):
                out.append(file)
            elif suffix in DOCUMENTATION or file.stem.lower().startswith("readme"):
                context.skip(
                    Location(str(file)),
                    "documentation, not a 903 table; skipped",
                    documentation=True,
                )
            else:
                context.skip(
                    Location(str(file)),
                    "not a 903 file (.csv or .xml); skipped",
                    documentation=False,
                )
        return out

    @staticmethod
    def _source(file: Path, named: str, store: Store, context: ImportContext) -> Source:
        source = Source(
            str(file),
            context.source(str(file)),
            len(store.sources),
            collection_year(named) or context.collection_year,
            file.parent.as_posix(),
        )
        store.sources.append(source)
        return source

    # CSV ------------------------------------------------------------------------------------

    def _read_csv(
        self, file: Path, named: str, store: Store, context: ImportContext
    ) -> Iterator[Item]:
        where = Location(str(file))
        try:
            # UTF-8 (a BOM is allowed), or UTF-16 with its BOM (Excel's "Unicode text")
            with file.open("rb") as probe:
                utf16 = probe.read(2) in (b"\xff\xfe", b"\xfe\xff")
            fh = file.open(encoding="utf-16" if utf16 else "utf-8-sig", newline="")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where, code="E401") from None
        with fh:
            reader = csv.reader(fh)
            try:
                header = next(reader, None)
                if header is None or not any(c.strip() for c in header):
                    context.skip(where, "an empty file: no header row of 903 columns; skipped")
                    return
                columns = [_column(c) for c in header]
                table, lacking = identify(columns, file.name)
                if (
                    table is not None
                    and not _names(table, file.name)
                    and all(c in lacking for c in ("CHILD", *TABLES[table].needs))
                ):
                    # one column in common with a 903 table (URN in a providers list) and none
                    # of what it needs: not that table
                    table = None
                if table is None:
                    context.skip(
                        where,
                        f"not a 903 table: its {len(columns)} columns match none of the 903 "
                        "tables; skipped",
                    )
                    return
                source = self._source(file, named, store, context)
                spec = TABLES[table]
                dupes = sorted({c for c in columns if c and columns.count(c) > 1})
                if lacking or dupes:
                    rows = sum(1 for fields in reader if any(f.strip() for f in fields))
                    reason = (
                        f"the 903 {spec.name} table lacks column(s): {', '.join(lacking)}"
                        if lacking
                        else f"the 903 {spec.name} table has column(s) given twice: "
                        + ", ".join(dupes)
                    )
                    context.reject_table(source.stats, Location(str(file), 1), reason, rows)
                    source.rejected.add(table)
                    return
                source.tables.add(table)
                index = {c: i for i, c in enumerate(columns)}
                width = len(columns)
                at_child = index["CHILD"]
                # an optional column (REVIEW_CODE) may be absent: its values are then blank
                at_keep = [index.get(c, -1) for c in spec.keep]
                for fields in reader:
                    line = reader.line_num
                    if not fields or not any(f.strip() for f in fields):
                        continue
                    if len(fields) != width:
                        source.stats.rows_read += 1
                        source.stats.rows_rejected += 1
                        at = Location(str(file), line)
                        yield Item(
                            at,
                            error=RecordError(
                                f"row has {len(fields)} fields, the header has {width}",
                                at,
                                code="E310",
                            ),
                            row=True,
                        )
                        continue

                    raw = [fields[i] if i >= 0 else None for i in at_keep]
                    rejected = store.add(source, table, fields[at_child], raw, line, "")
                    if rejected is not None:
                        yield rejected
            except UnicodeDecodeError:
                raise InputError(
                    "not UTF-8 or UTF-16 text (save it as CSV UTF-8)", where, code="E405"
                ) from None
            except csv.Error as exc:
                raise InputError(
                    f"not readable as CSV: {exc}", Location(str(file), reader.line_num), code="E404"
                ) from None

    # XML ------------------------------------------------------------------------------------

    def _read_xml(
        self, file: Path, named: str, store: Store, context: ImportContext
    ) -> Iterator[Item]:
        _defused: Any = importlib.import_module("defusedxml.ElementTree")
        _defused_errors: Any = importlib.import_module("defusedxml")
        where = Location(str(file))
        source = self._source(file, named, store, context)
        try:
            fh = file.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where, code="E401") from None
        with fh:
            depth = 0
            root: Any = None
            number = 0
            try:
                for event, elem in _defused.iterparse(fh, events=("start", "end"), forbid_dtd=True):
                    if event == "start":
                        depth += 1
                        if depth == 1:
                            if _local(elem.tag) != ROOT:
                                # XML of another kind: a file this format does not know
                                store.sources.pop()
                                context.stats.remove(source.stats)
                                context.skip(
                                    where,
                                    "not a 903 XML file (the root element is "
                                    f"{_local(elem.tag)}, not {ROOT}); skipped",
                                )
                                return
                            root = elem
                        continue
                    depth -= 1
                    if depth == 1:
                        if _local(elem.tag) == "CHILD":
                            number += 1
                            yield from self._xml_child(elem, number, source, store)
                        root.clear()
            except _defused.ParseError as exc:
                line, column = getattr(exc, "position", (None, None))
                raise InputError(
                    f"XML is not well-formed at line {line}, column {column} (a truncated or "
                    "damaged file?); nothing in it was used",
                    Location(str(file), line),
                    code="E404",
                ) from None
            except _defused_errors.DefusedXmlException:
                raise InputError(
                    "XML declares a DTD or entities, which are refused", where, code="E403"
                ) from None
            except (ValueError, LookupError) as exc:
                if isinstance(exc, ValueError) and "encoding" not in str(exc):
                    raise
                # expat cannot decode the declared encoding ("UTF-6", a multi-byte one)
                raise InputError(
                    "the XML declares an encoding that cannot be read (save it as UTF-8)",
                    Location(str(file), 1),
                    code="E405",
                ) from None

    def _xml_child(self, elem: Any, number: int, source: Source, store: Store) -> Iterator[Item]:
        base = f"/{ROOT}/CHILD[{number}]"
        header: dict[str, str] = {}
        rows: list[tuple[int, str, dict[str, str]]] = []
        counts: dict[str, int] = {}

        def leaves(node: Any) -> dict[str, str]:
            out: dict[str, str] = {}
            for sub in node.iter():
                if sub is not node and len(sub) == 0:
                    tag = _local(sub.tag)
                    out[XML_NAMES.get(tag, tag)] = (sub.text or "").strip()
            return out

        def walk(node: Any, path: str) -> None:
            for sub in node:
                tag = _local(sub.tag)
                if len(sub) == 0:
                    header.setdefault(XML_NAMES.get(tag, tag), (sub.text or "").strip())
                    continue
                if tag == "HEADER":
                    walk(sub, f"{path}/HEADER")
                    continue
                counts[tag] = counts.get(tag, 0) + 1
                table = XML_ROWS.get(tag, OTHER)
                rows.append((table, f"{path}/{tag}[{counts[tag]}]", leaves(sub)))

        walk(elem, base)
        child = header.get("CHILD", "")
        pointer = f"{base}/HEADER"
        records: list[tuple[int, str, dict[str, str]]] = [(HEADER, pointer, header)]
        if header.get("DATE_INT") or header.get("DATE_MATCH"):
            records.append((AD1, f"{pointer}/AD1", header))
        for table, path, values in rows:
            records.append((table, path, {**values, "CHILD": child}))
        for table, path, values in records:
            keep = TABLES[table].keep if table < len(TABLES) else ()
            raw = [values.get(c) for c in keep]
            rejected = store.add(source, table, values.get("CHILD"), raw, None, path, XML_FIELD)
            if rejected is not None:
                yield rejected

    # children -------------------------------------------------------------------------------

    def _children(self, store: Store, as_of: dt.date | None) -> Iterator[Item]:
        sources = store.sources
        by_folder: dict[str, int] = {}
        for source in sources:
            year = source.named_year or (year_ending(source.latest) if source.latest else 0)
            source.year = year
            if year:
                by_folder[source.folder] = max(by_folder.get(source.folder, 0), year)
        for source in sources:
            if not source.year:
                source.year = by_folder.get(source.folder, 0)
        coverage = known_from(sources)
        # the data end with the latest collection year read (31 March)
        latest = max((s.year for s in sources if s.year), default=0)
        until = dt.date(latest, 3, 31) if latest else None
        if sources:
            where = Location(sources[0].path)
            yield Item(where, quality=(collection_note(sources, coverage),))
        rank = [(s.year, s.order) for s in sources]
        rows = store.rows
        rows.sort(key=lambda r: (r.child, r.table, r.key, rank[r.source], r.seq))
        store.rows = []
        for child, group in groupby(rows, key=lambda r: r.child):
            yield from self._child(child, list(group), store, as_of, coverage, until)

    def _child(
        self,
        child: str,
        rows: list[Row],
        store: Store,
        as_of: dt.date | None,
        coverage: list[dict[str, Any]],
        until: dt.date | None = None,
    ) -> Iterator[Item]:
        builder = ChildBuilder(child, store, as_of)
        dob, where = builder.build(rows)
        for row in rows:
            stats = store.sources[row.source].stats
            if row.seq in builder.rejected:
                stats.rows_rejected += 1
            else:
                stats.rows_used += 1
        yield from builder.rejects
        builder.events.sort(key=lambda e: e["date"])
        data: dict[str, Any] = {"child": child, "events": builder.events}
        if dob is not None:
            data["dob"] = dob
        if coverage or builder.known:
            data["known_from"] = [*coverage, *builder.known]
        if until is not None:
            data["known_until"] = until
        try:  # validated like any record (faster than pydantic's model_construct, too)
            record = ChildRecord.model_validate(data)
        except ValidationError as exc:  # pragma: no cover - built from checked values only
            message, _ = validation_message(exc)
            error = RecordError(message, where, code="E313")
            yield Item(where, error=error, quality=tuple(builder.notes))
            return
        yield Item(where, record=record, quality=tuple(builder.notes))


def _years(sources: Sequence[Source], tables: Sequence[int]) -> tuple[set[int], set[int]]:
    """The collection years (ending 31 March) the returns hold rows of these tables for, and
    the years of returns whose table was rejected whole (its rows are not in the input)."""
    years: set[int] = set()
    lost: set[int] = set()
    for source in sources:
        for table in tables:
            if table in source.rejected:
                if source.named_year or source.year:
                    lost.add(source.named_year or source.year)
                continue
            if table not in source.tables:
                continue
            if source.named_year:
                years.add(source.named_year)
            elif table in DATED_BY_YEAR and table in source.spans:
                low, high = source.spans[table]
                years.update(range(year_ending(low), year_ending(high) + 1))
            elif source.year:
                years.add(source.year)
    return years, lost


def known_from(sources: Sequence[Source]) -> list[dict[str, Any]]:
    """Where each year-bound table's events are known from (``ChildRecord.known_from``): the
    start of the earliest year of the unbroken run of returns ending with the latest. A year
    missing between two returns, or one whose table was rejected whole, breaks the run: that
    year's rows are not in the input. When the latest year's table was rejected, nothing before
    the end of that year is known."""
    out: list[dict[str, Any]] = []
    for tables, types in YEAR_TABLES:
        years, lost = _years(sources, tables)
        if not years and not lost:
            continue
        last = max(years | lost)
        if last in lost:
            start = dt.date(last, 4, 1)
        else:
            first = last
            while first - 1 in years and first - 1 not in lost:
                first -= 1
            start = dt.date(first - 1, 4, 1)
        out.append({"from": start, "events": list(types)})
    return out


def _year_name(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def collection_note(
    sources: Sequence[Source], coverage: list[dict[str, Any]]
) -> DataQualityFinding:
    """One note per input: which collection years and tables were read, and from when each
    year-bound table's events are known."""
    years = sorted({s.year for s in sources if s.year})
    named = {bool(s.named_year) for s in sources}
    tables = sorted({t for s in sources for t in s.tables if t < len(TABLES)})
    if years:
        shown = ", ".join(_year_name(y) for y in years)
        how = {
            frozenset({True}): "the file names",
            frozenset({False}): "the dates in the rows",
        }.get(frozenset(named), "the file names and the dates in the rows")
        said = f"collection year{'s' if len(years) > 1 else ''} {shown} (from {how})"
    else:
        said = "no collection year (no file name or date says)"
    layout = ""
    if DOLO in tables:
        layout = "; the DoLo table of the 2026-27 collection is read and checked"
    elif SW_EPISODES in tables:
        layout = "; the social worker episodes table (collections from 2023-24) is read"
    known = "; ".join(
        f"{'/'.join(entry['events'])} known from {entry['from'].isoformat()}" for entry in coverage
    )
    return DataQualityFinding(
        "DATA018",
        "(file)",
        f"903 return read: {said}; tables: {', '.join(TABLES[t].name for t in tables)}{layout}"
        + (f"; {known}" if known else ""),
    )


IMPORTER = SSDA903()
_check: Importer = IMPORTER  # the protocol, checked by mypy
