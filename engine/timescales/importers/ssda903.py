"""Read the DfE SSDA903 return (children looked after): the CSV tables, or the XML form.

Input: a directory (searched recursively, in sorted path order) of 903 CSV files and/or XML
files, or one such file. Each CSV file is recognised by its columns (a column only one 903 table
has, e.g. DECOM for episodes), falling back to its file name only to say which columns are
missing. The XML form has the root element EXPSSDA903 and is read through defusedxml, streamed one
CHILD element at a time.

Rows are checked as they are read (a row that cannot be used is rejected with file, row, column
and reason), kept in a compact form, sorted by child, and mapped child by child onto the canonical
record (docs/importers/ssda903.md has the mapping table):

- episodes sorted by DECOM; a period of care starts at the first episode and after every episode
  whose REC is non-empty and not X1; it ends at the DEC of that episode (open otherwise). Each
  period is a looked-after case, ref ``P1``, ``P2``...;
- ``placement_started`` at the DECOM of each episode with RNE S, P, T, B or U (not L);
- legal-status spells: consecutive episodes of a period with the same LS code;
- a series of short breaks (reg 48): ``short_breaks_started`` at the first episode of a run with
  LS V3 or V4 (across periods), ``short_breaks_ended`` at the next episode with another LS;
- reviews go into the latest-starting period whose [start, end] contains them;
- missing episodes (MISSING = M), placement order (first LS E1), placed for adoption (first PLACE
  A3-A6 of a period), adoption decision (DATE_PLACED, DATE_INT) and match (DATE_MATCH).

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

from ..errors import InputError, Location, RecordError, value_class
from ..findings import DataQualityFinding
from ..records import ChildRecord
from . import ImportContext, Importer, Item, SourceStats
from .canonical import validation_message

# defusedxml ships no type stubs; loaded by name so that mypy sees it as Any either way
_defused: Any = importlib.import_module("defusedxml.ElementTree")
_defused_errors: Any = importlib.import_module("defusedxml")

MAX_FILE_BYTES = 512 * 1024 * 1024  # one 903 file (a large council's XML is tens of MB)
MAX_CHILD_ID = 200  # ChildRecord.child's limit

QUALITY_CODES: dict[str, str] = {
    "DATA010": "an episode's DEC is before its DECOM; the DEC is disregarded",
    "DATA011": "episodes or periods of care overlap (a later one starts before the earlier ends)",
    "DATA012": "an episode's end is incomplete: REC ends care but DEC is blank (the period ends "
    "where the next one starts, or stays open), or DEC is given without REC (care goes on)",
    "DATA013": "a review is dated outside every period of care; it is not used (row rejected)",
    "DATA014": "returns of different years disagree about the same row; the latest return wins",
    "DATA015": "an episode's DEC is after the as-of date: the episode is open as of that date "
    "and its REC is ignored",
    "DATA016": "the same row (same key) appears twice in one return; counted once, the later "
    "row wins",
    "DATA017": "a missing episode ends before it starts; its return is not used",
    "DATA018": "a period of care began before the data supplied (its first episode is not RNE S, "
    "or it starts before the earliest return's year): earlier reviews are not in the input, so "
    "the child's findings are marked partial_history",
    "DATA019": "a code is blank or not a 903 code (RNE, LS, PLACE, REC, REVIEW_CODE, MISSING)",
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
        "social_worker",
        ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
        needs=(),
        required=(),
        keep=(),
        dates=frozenset(),
        key=None,
        aliases=("socialworker", "swepisodes", "swepisode"),
    ),
)
BY_NAME = {t.name: t for t in TABLES}
HEADER, EPISODES, REVIEWS, UASC, MISSING, PREV_PERM, PLACED, AD1, OC2, OC3, SOCIAL_WORKER = range(
    len(TABLES)
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

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?:[-_ ]?(\d\d))?(?!\d)")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


# --- small helpers ----------------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """dd/mm/yyyy (d/m/yyyy too); None when it is not a real date in that form."""
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        day, month, year = text[:2], text[3:5], text[6:]
    else:
        match = _DATE.fullmatch(text)
        if match is None:
            return None
        day, month, year = match.groups()
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


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


def april_before(day: dt.date) -> dt.date:
    """1 April on or before ``day``: the start of its collection year."""
    return dt.date(year_ending(day) - 1, 4, 1)


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


def _first_csv_row(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    text = head.decode("utf-8-sig", errors="replace")
    line = text.splitlines()[0] if text else ""
    try:
        return next(csv.reader([line]), None)
    except csv.Error:
        return None


def _xml_root(path: Path) -> str | None:
    """The root element's name, from the first bytes (no parsing beyond that)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return None
    text = head.decode("utf-8-sig", errors="replace")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    match = re.search(r"<\s*([A-Za-z_][\w.:-]*)", text)
    return match.group(1).rpartition(":")[2] if match else None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = [
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in (".csv", ".xml")
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
        return sorted(found, key=lambda p: p.relative_to(path).as_posix())
    return [path]


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


@dataclass(slots=True)
class Source:
    """One file read: its row counts and what says how recent a return it is."""

    path: str
    stats: SourceStats
    order: int
    named_year: int | None
    folder: str
    latest: dt.date | None = None  # the latest event date in it (infers the year)
    earliest_review: dt.date | None = None
    year: int = 0

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
                elif kind == CODE:
                    values.append(sys.intern(text.upper()))
                else:
                    day = parse_date(text)
                    if day is None:
                        problem = (column, "is not a date dd/mm/yyyy", text)
                        break
                    values.append(day)
                    if kind != BIRTH:
                        if source.latest is None or day > source.latest:
                            source.latest = day
                        if kind == REVIEW_DATE and (
                            source.earliest_review is None or day < source.earliest_review
                        ):
                            source.earliest_review = day
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
        self.rows.append(
            Row(sys.intern(child), table, key, source.order, self.seq, line, pointer, tuple(values))
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


@dataclass(slots=True)
class ChildBuilder:
    """Maps one child's rows (sorted by table, key, return) onto events and notes."""

    child: str
    store: Store
    as_of: dt.date | None
    coverage: dt.date | None
    notes: list[DataQualityFinding] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Item] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # seq of rejected rows
    partial: bool = False
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
        ev: dict[str, Any] = {"type": etype, "date": date}
        if ref is not None:
            ev["ref"] = ref
        if attrs:
            ev["attrs"] = attrs
        self.events.append(ev)

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
        periods = self.periods(merged.get(EPISODES, []))
        self.reviews(merged.get(REVIEWS, []), periods)
        self.missing(merged.get(MISSING, []))
        self.adoption(merged, periods)
        return dob, self.where(first)

    def periods(self, merged: list[tuple[Row, list[Row]]]) -> list[Period]:
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

        for number, period in enumerate(periods):
            for i, episode in enumerate(period.episodes):
                episode.period = number
                if episode.dec is not None:
                    episode.end = episode.dec
                elif i + 1 < len(period.episodes):
                    episode.end = period.episodes[i + 1].decom
                else:
                    episode.end = period.end
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

        placement_order_done = False
        for period in periods:
            first = period.episodes[0]
            early = self.coverage is not None and period.start < self.coverage
            if first.rne != "S" or early:
                why = (
                    f"its first episode has RNE {first.rne or 'blank'}, not S"
                    if first.rne != "S"
                    else f"it starts before {self.coverage.isoformat() if self.coverage else ''}, "
                    "the start of the earliest return's year"
                )
                self.note(
                    "DATA018",
                    f"period {period.ref} began before the data supplied ({why}); earlier "
                    "reviews are not in the input",
                    first.rows[-1],
                    ref=period.ref,
                    date=period.start,
                )
                self.partial = True
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
                    self.event("placement_order", episode.decom, period.ref)
                    placement_order_done = True
            if period.end is not None:
                self.event("ceased_looked_after", period.end, period.ref)
        self.legal_status(periods)
        return periods

    def legal_status(self, periods: list[Period]) -> None:
        """A stretch of consecutive episodes (within a period) with one LS code is one spell,
        ending at the end of the last of them. A run of short-break episodes (V3/V4), across
        periods, is one series under reg 48: ``short_breaks_started`` at its first episode,
        ``short_breaks_ended`` when an episode with another legal status starts."""
        spell = 0
        series = 0
        in_series = False
        for period in periods:
            for code, stretch_iter in groupby(period.episodes, key=lambda e: e.ls):
                stretch = list(stretch_iter)
                if code is None:
                    continue
                start = stretch[0].decom
                if code in SHORT_BREAK_LS and not in_series:
                    series += 1
                    in_series = True
                    self.event("short_breaks_started", start, f"SB{series}")
                elif code not in SHORT_BREAK_LS and in_series:
                    in_series = False
                    self.event("short_breaks_ended", start, f"SB{series}")
                spell += 1
                ref = f"LS{spell}"
                self.event("legal_status_started", start, ref, {"code": code})
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

    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        path = Path(path)
        if not path.exists():
            raise InputError("no such file or directory", Location(str(path)), code="E101")
        files = _files(path)
        if not files:
            raise InputError(
                "no 903 files (.csv or .xml) in this directory", Location(str(path)), code="E406"
            )
        store = Store()
        root = path if path.is_dir() else path.parent
        for order, file in enumerate(files):
            size = file.stat().st_size
            if size > MAX_FILE_BYTES:
                raise InputError(
                    f"file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit for "
                    "one 903 file",
                    Location(str(file)),
                    code="E403",
                )
            relative = file.relative_to(root).as_posix() if path.is_dir() else file.name
            source = Source(
                str(file),
                context.source(str(file)),
                order,
                collection_year(relative),
                file.parent.as_posix(),
            )
            store.sources.append(source)
            if file.suffix.lower() == ".xml":
                yield from self._read_xml(file, source, store)
            else:
                yield from self._read_csv(file, source, store)
        yield from self._children(store, context.as_of)

    # CSV ------------------------------------------------------------------------------------

    def _read_csv(self, file: Path, source: Source, store: Store) -> Iterator[Item]:
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
                try:
                    header = next(reader)
                except StopIteration:
                    raise InputError(
                        "empty file: no header row of 903 columns", where, code="E406"
                    ) from None
                columns = [_column(c) for c in header]
                table, lacking = identify(columns, file.name)
                if table is None:
                    raise InputError(
                        "not a 903 table: its columns match none of "
                        + ", ".join(t.name for t in TABLES),
                        where,
                        code="E406",
                    )
                if lacking:
                    raise InputError(
                        f"the 903 {TABLES[table].name} table lacks column(s): "
                        + ", ".join(lacking),
                        Location(str(file), 1),
                        code="E406",
                    )
                dupes = sorted({c for c in columns if c and columns.count(c) > 1})
                if dupes:
                    raise InputError(
                        f"column(s) given twice: {', '.join(dupes)}",
                        Location(str(file), 1),
                        code="E406",
                    )
                index = {c: i for i, c in enumerate(columns)}
                width = len(columns)
                at_child = index["CHILD"]
                # an optional column (REVIEW_CODE) may be absent: its values are then blank
                at_keep = [index.get(c, -1) for c in TABLES[table].keep]
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

    def _read_xml(self, file: Path, source: Source, store: Store) -> Iterator[Item]:
        where = Location(str(file))
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
                                raise InputError(
                                    f"not a 903 XML file: the root element is "
                                    f"{_local(elem.tag)}, not {ROOT}",
                                    where,
                                    code="E406",
                                )
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
        starts = [
            dt.date(s.named_year - 1, 4, 1) if s.named_year else april_before(s.earliest_review)
            for s in sources
            if s.earliest_review is not None
        ]
        coverage = min(starts) if starts else None
        rank = [(s.year, s.order) for s in sources]
        rows = store.rows
        rows.sort(key=lambda r: (r.child, r.table, r.key, rank[r.source], r.seq))
        store.rows = []
        for child, group in groupby(rows, key=lambda r: r.child):
            yield from self._child(child, list(group), store, as_of, coverage)

    def _child(
        self,
        child: str,
        rows: list[Row],
        store: Store,
        as_of: dt.date | None,
        coverage: dt.date | None,
    ) -> Iterator[Item]:
        builder = ChildBuilder(child, store, as_of, coverage)
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
        if builder.partial:
            data["partial_history"] = True
        try:  # validated like any record (faster than pydantic's model_construct, too)
            record = ChildRecord.model_validate(data)
        except ValidationError as exc:  # pragma: no cover - built from checked values only
            message, _ = validation_message(exc)
            error = RecordError(message, where, code="E313")
            yield Item(where, error=error, quality=tuple(builder.notes))
            return
        yield Item(where, record=record, quality=tuple(builder.notes))


IMPORTER = SSDA903()
_check: Importer = IMPORTER  # the protocol, checked by mypy
