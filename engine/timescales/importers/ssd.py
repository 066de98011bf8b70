"""Read a Standard Safeguarding Dataset (SSD) extract: a directory of CSV files, one per table.

The SSD is a set of SQL tables (``ssd_*``) that councils build inside their own Liquidlogic or
Mosaic databases with published scripts; it defines no file format. So the input is what a
council's export produces: a directory with one CSV per table (any subset), each recognised by
its columns (the file name is not needed), UTF-8 with or without a byte-order mark (or UTF-16
with one), comma, tab, pipe or semicolon separated, dates as ISO text, SQL Server DATETIME text
(``2024-01-15 00:00:00.000``) or dd/mm/yyyy, missing values blank or the literal ``NULL``, flags
Y/N. sqlcmd's dashed underline and ``(N rows affected)`` footer are skipped; SQL Server's
``1900-01-01`` "no date" is read as blank.

Mapping (docs/importers/ssd.md has the table): each person (``pers_person_id`` and every table's
``<prefix>_person_id``) is one canonical record. Events carry the SSD's own ids: a period of care
``clae_cla_id`` is the ``ref`` of ``became_looked_after`` and the ``case`` of everything in it
(placements, visits, reviews, and the period's end); a placement's ``ref`` is its
``clap_cla_placement_id``; referrals, assessments, s47 enquiries and CP plans tie the same way
(``ref`` = the thing, ``case`` = the referral). The quirks (decisions.md, "Importers"):

* a period runs from the first episode's ``clae_entered_care_date`` (else its start) to the ceased
  date of its last episode unless that reason is X1 ("continues");
* placements come from ``ssd_cla_placement`` only (an L episode is no new placement); long-term
  fostering (U1, U4) is ``permanent``;
* visits carry no placement id: the engine puts them in the placement open on their date, and a
  visit on the changeover day counts for both; a visit (or review, care plan, health check,
  IRO allocation) without a period id is placed by date;
* reviews reach the person through ``clar_cla_id`` when no person column is present; cancelled
  reviews (``clar_cla_review_cancelled`` = Y) and not-yet-held ones (no date) are no events;
* duplicates (the same row twice, or the same visit/review on the same day under two ids) are
  counted once and reported; the same id with different content rejects the later row;
* the council's computed due dates (``clar_cla_review_due_date``, ``cppr_cp_review_due``,
  ``icpc_icpc_target_date``) are compared with ours as data-quality notes, never used.

After the children come the worker records (``Item.worker``): one per professional in
``ssd_professionals`` or named by an involvement of a mapped role, with an ``allocation`` event
per such involvement (``_workers``). ``prof_professional_name`` is never read.

Memory: rows are checked as they are read and kept in a compact form (a short list of strings
and day numbers), grouped by person across tables. A small extract is grouped in memory; above
``spill_bytes`` of CSV (default 16 MiB) the rows are hashed by person into ``ceil(size /
spill_bytes)`` bucket files in a private temporary directory and each bucket is grouped and
mapped in turn, so memory holds one bucket (about ``spill_bytes`` of CSV as Python objects, a few
times that), the write buffers (at most ~100,000 rows in all) and a map from each period of care
id to its person (for reviews without a person column): it grows with the number of periods of
care, not with rows. The temporary files are removed when the import ends or is abandoned.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson
from pydantic import ValidationError

from ..calendar import CalendarRangeError
from ..contract import DueDate, ImportContext, Item, SourceStats
from ..dates import EXPORT_FORMS, DateError, parse_export, parse_iso
from ..errors import (
    InputError,
    Location,
    RecordError,
    UsageError,
    lacks_columns,
    not_used,
    value_class,
)
from ..findings import DataQualityFinding
from ..records import ChildRecord, Event, KnownFrom, WorkerRecord, event_data
from .canonical import validation_error, validation_message
from .ssd_roles import DONE_STATUS, health_event, job_title_map, normalise, role_map

__all__ = [
    "HISTORY_ENV",
    "IMPORTER",  # noqa: F822 (made per lookup by the module's __getattr__)
    "QUALITY_CODES",
    "SUPPLIES",
    "TABLES",
    "SsdImporter",
    "tables_for",
]

QUALITY_CODES: dict[str, str] = {
    "DATA040": "the council's own due date (clar_cla_review_due_date, cppr_cp_review_due, "
    "icpc_icpc_target_date) differs from ours; says by how much and from what",
    "DATA041": "per table (child '(file)'): how the council's due dates differ from ours, e.g. "
    "'the previous review + 91/183 days instead of 3/6 months'",
    "DATA042": "a duplicate counted once: the same row twice, or the same visit, review or "
    "placement on the same day under two ids",
    "DATA043": "per input (child '(file)'): a table is absent, or a CSV file is not a table this "
    "importer reads, or lacks a column: what cannot be read, and so which events are missing",
    "DATA044": "per input (child '(file)'): involvement role codes that the role map does not "
    "know, with their row counts (add them to TIMESCALES_SSD_ROLES)",
    "DATA045": "a link does not resolve: the person is not in ssd_person, a period or plan id "
    "is unknown, or a row with no period id falls in no period (placed by date)",
    "DATA046": "a value that cannot be read is taken as unknown and the row used: a Y/N flag "
    "holding something else (a cancelled flag is taken as not cancelled), a date of birth, an "
    "optional date or code holding an error value (#N/A) or text that is no date; an unknown "
    "authorisation date leaves the assessment unchecked",
    "DATA047": "a period of care's episodes disagree: an X1 ceased reason with no following "
    "episode (the period is taken as open), or an ending reason before the last episode",
    "DATA048": "per table (child '(file)'): rows used that are no events: cancelled or "
    "not-yet-held reviews, planned or refused health checks, check types that are neither a "
    "health assessment nor a dental check, IRO rows without a worker, 1900-01-01 dates",
    "DATA049": "per input (child '(file)'): the extract's history window begins at "
    "TIMESCALES_SSD_HISTORY_FROM: each record says so per table (known_from), so steps before "
    "it are not assessed; or a period of care whose first episode in the extract is no new "
    "entry (start reason P, L, T, B or U, no entered-care date) began before the extract",
}

HISTORY_ENV = "TIMESCALES_SSD_HISTORY_FROM"
SPILL_BYTES = 16 * 1024 * 1024
BUFFERED_ROWS = 100_000  # rows held in the write buffers across all buckets
MAX_CHILD_ID = 200
HEADER_BYTES = 64 * 1024
MAX_FILES = 500
PERMANENT_TYPES = frozenset({"U1", "U4"})  # long-term fostering (decisions.md)
# the rules whose due dates the council's are compared with (the limits come from the rules):
# a review schedule's head (its followers govern the later reviews), and the ICPC's clock from
# the strategy discussion (the SSD dates it at the enquiry's start)
LA_REVIEWS_RULE, CP_REVIEWS_RULE, ICPC_RULE = "LA005", "CP003", "CP001"
# how some councils' scripts count 3 and 6 months in days (recognised in their due dates, never
# used for ours)
_MONTHS_AS_DAYS = {3: (91, 92, 90), 6: (182, 183, 184)}

# ----------------------------------------------------------------------------- the tables


class Col(NamedTuple):
    name: str
    kind: str  # "id", "text", "date", "flag", "json"
    required: bool = False  # the file is not read without this column


@dataclass(frozen=True, slots=True)
class Table:
    """One SSD table: the columns read, which of them tie it to a person and what it supplies."""

    name: str
    key: str | None  # the row id (a duplicate id with other content rejects the later row)
    person: str | None  # the person column (None: a lookup table)
    columns: tuple[Col, ...]
    supplies: frozenset[str] = frozenset()
    period: str | None = None  # the period-of-care column: reaches the person when it is blank
    needed: tuple[str, ...] = ()  # values a row cannot be used without
    ordered: tuple[str, str] | None = None  # (start, end): an end before the start rejects
    pos: dict[str, int] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.pos.update({c.name: OFF + i for i, c in enumerate(self.columns)})

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


OFF = 3  # a stored row: (person, file index, line, *values in column order)
# a tuple of strings, ints and None: the garbage collector stops tracking it, so holding a
# bucket's rows costs no collection time
Row = tuple[Any, ...]


def _t(
    name: str,
    key: str | None,
    person: str | None,
    cols: str,
    supplies: str = "",
    *,
    period: str | None = None,
    needed: str = "",
    ordered: tuple[str, str] | None = None,
) -> Table:
    """A table from a compact column list: ``name:kind`` with ``!`` for a required column."""
    columns = []
    for spec in cols.split():
        col, _, kind = spec.partition(":")
        required = col.endswith("!")
        columns.append(Col(col.rstrip("!"), kind or "id", required))
    return Table(
        name,
        key,
        person,
        tuple(columns),
        frozenset(supplies.split()),
        period,
        tuple(needed.split()),
        ordered,
    )


PERSON = _t(
    "ssd_person",
    "pers_person_id",
    "pers_person_id",
    "pers_person_id! pers_dob:date pers_expected_dob:date",
)
CIN_EPISODES = _t(
    "ssd_cin_episodes",
    "cine_referral_id",
    "cine_person_id",
    "cine_referral_id! cine_person_id! cine_referral_date!:date cine_close_date:date",
    "referral cin_opened cin_closed",
    needed="cine_referral_id cine_referral_date",
    ordered=("cine_referral_date", "cine_close_date"),
)
CIN_ASSESSMENTS = _t(
    "ssd_cin_assessments",
    "cina_assessment_id",
    "cina_person_id",
    "cina_assessment_id! cina_person_id! cina_referral_id cina_assessment_start_date!:date "
    "cina_assessment_auth_date:date",
    "assessment_started assessment_completed",
    needed="cina_assessment_start_date",
)
S47 = _t(
    "ssd_s47_enquiry",
    "s47e_s47_enquiry_id",
    "s47e_person_id",
    "s47e_s47_enquiry_id! s47e_person_id! s47e_referral_id s47e_s47_start_date!:date "
    "s47e_s47_end_date:date s47e_s47_nfa:flag s47e_s47_outcome_json:json",
    "strategy_discussion s47_started",
    needed="s47e_s47_start_date",
    ordered=("s47e_s47_start_date", "s47e_s47_end_date"),
)
ICPC = _t(
    "ssd_initial_cp_conference",
    "icpc_icpc_id",
    "icpc_person_id",
    "icpc_icpc_id! icpc_person_id! icpc_s47_enquiry_id icpc_referral_id icpc_icpc_date!:date "
    "icpc_icpc_target_date:date icpc_icpc_transfer_in:flag",
    "icpc",
)
CP_PLANS = _t(
    "ssd_cp_plans",
    "cppl_cp_plan_id",
    "cppl_person_id",
    "cppl_cp_plan_id! cppl_person_id! cppl_referral_id cppl_cp_plan_start_date!:date "
    "cppl_cp_plan_end_date:date",
    "cp_plan_started cp_plan_ended",
    needed="cppl_cp_plan_start_date",
    ordered=("cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
)
CP_REVIEWS = _t(
    "ssd_cp_reviews",
    "cppr_cp_review_id",
    "cppr_person_id",
    "cppr_cp_review_id! cppr_person_id! cppr_cp_plan_id cppr_cp_review_date!:date "
    "cppr_cp_review_due:date",
    "cp_review",
)
CP_VISITS = _t(
    "ssd_cp_visits",
    "cppv_cp_visit_id",
    "cppv_person_id",
    "cppv_cp_visit_id! cppv_person_id! cppv_cp_plan_id cppv_cp_visit_date!:date "
    "cppv_cp_visit_seen_alone:flag",
    "cp_visit",
    needed="cppv_cp_visit_date",
)
CLA_EPISODES = _t(
    "ssd_cla_episodes",
    "clae_cla_episode_id",
    "clae_person_id",
    "clae_cla_episode_id! clae_person_id! clae_cla_id! clae_cla_episode_start_date!:date "
    "clae_cla_episode_start_reason:text clae_cla_episode_ceased_date:date "
    "clae_cla_episode_ceased_reason:text clae_entered_care_date:date",
    "became_looked_after ceased_looked_after",
    period="clae_cla_id",
    needed="clae_cla_id clae_cla_episode_start_date",
    ordered=("clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
)
CLA_PLACEMENT = _t(
    "ssd_cla_placement",
    "clap_cla_placement_id",
    "clap_person_id",
    "clap_cla_placement_id! clap_cla_id! clap_person_id clap_cla_placement_start_date!:date "
    "clap_cla_placement_end_date:date clap_cla_placement_type:text",
    "placement_started",
    period="clap_cla_id",
    needed="clap_cla_placement_start_date",
    ordered=("clap_cla_placement_start_date", "clap_cla_placement_end_date"),
)
CLA_VISITS = _t(
    "ssd_cla_visits",
    "clav_cla_visit_id",
    "clav_person_id",
    "clav_cla_visit_id! clav_person_id! clav_cla_id clav_cla_visit_date!:date "
    "clav_cla_visit_seen_alone:flag",
    "lac_visit",
    period="clav_cla_id",
    needed="clav_cla_visit_date",
)
CLA_REVIEWS = _t(
    "ssd_cla_reviews",
    "clar_cla_review_id",
    "clar_cla_person_id",
    "clar_cla_review_id! clar_cla_id! clar_cla_person_id clar_cla_review_date!:date "
    "clar_cla_review_due_date:date clar_cla_review_cancelled:flag",
    "lac_review",
    period="clar_cla_id",
)
CARE_PLAN = _t(
    "ssd_cla_care_plan",
    "lacp_table_id",
    "lacp_person_id",
    "lacp_table_id! lacp_person_id! lacp_cla_care_plan_start_date!:date "
    "lacp_cla_care_plan_end_date:date lacp_cla_care_plan_json:json",
    "care_plan permanence_plan",
    needed="lacp_cla_care_plan_start_date",
    ordered=("lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date"),
)
HEALTH = _t(
    "ssd_cla_health",
    "clah_health_check_id",
    "clah_person_id",
    "clah_health_check_id! clah_person_id! clah_health_check_type!:text "
    "clah_health_check_date!:date clah_health_check_status:text",
    "health_assessment dental_check",
)
PERMANENCE = _t(
    "ssd_permanence",
    "perm_table_id",
    "perm_person_id",
    "perm_table_id! perm_person_id! perm_cla_id perm_adm_decision_date:date "
    "perm_placement_order_date:date perm_matched_date:date perm_placed_for_adoption_date:date",
    "adoption_decision placement_order adoption_match placed_for_adoption",
    period="perm_cla_id",
)
LEGAL_STATUS = _t(
    "ssd_legal_status",
    "lega_legal_status_id",
    "lega_person_id",
    "lega_legal_status_id! lega_person_id! lega_legal_status!:text "
    "lega_legal_status_start_date!:date lega_legal_status_end_date:date",
    "legal_status_started legal_status_ended",
    needed="lega_legal_status_start_date",
    ordered=("lega_legal_status_start_date", "lega_legal_status_end_date"),
)
MISSING = _t(
    "ssd_missing",
    "miss_table_id",
    "miss_person_id",
    "miss_table_id! miss_person_id! miss_missing_episode_start_date!:date "
    "miss_missing_episode_end_date:date",
    "missing_started missing_returned",
    needed="miss_missing_episode_start_date",
    ordered=("miss_missing_episode_start_date", "miss_missing_episode_end_date"),
)
CARE_LEAVERS = _t(
    "ssd_care_leavers",
    "clea_table_id",
    "clea_person_id",
    "clea_table_id! clea_person_id! clea_care_leaver_latest_contact:date "
    "clea_pathway_plan_review_date:date",
    "pathway_plan_review pa_contact",
)
INVOLVEMENTS = _t(
    "ssd_involvements",
    "invo_involvements_id",
    "invo_person_id",
    "invo_involvements_id invo_person_id! invo_professional_id "
    "invo_professional_role_id!:text invo_professional_team invo_involvement_start_date!:date "
    "invo_involvement_end_date:date",
    "iro_assigned",
    needed="invo_involvement_start_date",
    ordered=("invo_involvement_start_date", "invo_involvement_end_date"),
)
DEPARTMENT = _t("ssd_department", "dept_team_id", None, "dept_team_id! dept_team_name!:text")
# the worker records' table (a lookup: no person). ``prof_professional_name`` is not among the
# columns read: a name is never read into anything
PROFESSIONALS = _t(
    "ssd_professionals",
    "prof_professional_id",
    None,
    "prof_professional_id! prof_professional_job_title:text prof_professional_department "
    "prof_full_time_equivalency:text",
    needed="prof_professional_id",
)

# in reading order: episodes (and the tables that carry a person and a period id) before the
# reviews, which may reach their person only through the period
TABLES: tuple[Table, ...] = (
    PERSON,
    DEPARTMENT,
    PROFESSIONALS,
    CLA_EPISODES,
    CLA_PLACEMENT,
    CLA_VISITS,
    CLA_REVIEWS,
    CARE_PLAN,
    HEALTH,
    PERMANENCE,
    LEGAL_STATUS,
    MISSING,
    CARE_LEAVERS,
    INVOLVEMENTS,
    CIN_EPISODES,
    CIN_ASSESSMENTS,
    S47,
    ICPC,
    CP_PLANS,
    CP_REVIEWS,
    CP_VISITS,
)
BY_NAME = {t.name: t for t in TABLES}
SUPPLIES: frozenset[str] = frozenset().union(*(t.supplies for t in TABLES))


def tables_for(event_types: frozenset[str] | set[str]) -> dict[str, list[str]]:
    """For each event type, the SSD tables that supply it (for "not assessable" reasons)."""
    return {e: [t.name for t in TABLES if e in t.supplies] for e in sorted(event_types)}


# ----------------------------------------------------------------------------- values


class _Bad(Exception):
    """A row that cannot be used: why, the column at fault, the error code, the value class."""

    def __init__(
        self, reason: str, column: str | None, code: str = "E310", found: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.code = code
        self.found = found


_NULLS = frozenset({"", "NULL", "null", "Null"})
ZERO_DATE = dt.date(1900, 1, 1).toordinal()  # SQL Server's "no date"
BAD_DATE = -1  # a date of birth that is not a date: the person's row is still used
SOFT_DATES = ("pers_dob", "pers_expected_dob")
# the dates a row is about (blank allowed: not yet held), beside each table's ``needed``: a value
# there that cannot be read rejects the row
EVENT_DATES = frozenset(
    {
        "clar_cla_review_date",
        "cppr_cp_review_date",
        "icpc_icpc_date",
        "clah_health_check_date",
        "clea_care_leaver_latest_contact",
        "clea_pathway_plan_review_date",
        "perm_adm_decision_date",
        "perm_placement_order_date",
        "perm_matched_date",
        "perm_placed_for_adoption_date",
    }
)
# Excel's error values, as an export from a spreadsheet writes them
EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
_date_cache: dict[str, int] = {}
_TRUE = frozenset({"Y", "YES", "TRUE", "1", "T"})
_FALSE = frozenset({"N", "NO", "FALSE", "0", "F"})
FLAG_UNKNOWN = -1


def parse_date(text: str) -> int | None:
    """A day number (``date.toordinal``) from the date texts councils' exports hold, or None for
    a blank or NULL. Raises ValueError with the reason (never the value)."""
    hit = _date_cache.get(text)
    if hit is not None:
        return hit
    text = text.strip()
    if not text or (len(text) == 4 and text.upper() == "NULL"):
        return None
    value = parse_export(text).toordinal()
    if len(_date_cache) < 200_000:
        _date_cache[text] = value
    return value


def parse_flag(text: str) -> int | None:
    """1 (Y), 0 (N), None (blank or NULL) or FLAG_UNKNOWN."""
    text = text.strip().upper()
    if text in _NULLS or text == "NULL":
        return None
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    return FLAG_UNKNOWN


def _text(text: str) -> str | None:
    text = text.strip()
    if not text or (len(text) == 4 and text.upper() == "NULL"):
        return None
    return text


def _day(n: int | None) -> dt.date | None:
    return None if n is None else dt.date.fromordinal(n)


# ----------------------------------------------------------------------------- CSV files


def _norm_column(name: str) -> str:
    return name.strip().strip('"').strip("[]`").strip().lower()


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as fh:
        head = fh.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        return path.open(encoding="utf-16", errors="replace", newline="")
    return path.open(encoding="utf-8-sig", errors="replace", newline="")


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", "|", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# column names of earlier SSD releases (2023-24 scripts) -> the spec's names now
ALIASES: dict[str, str] = {
    "clae_cla_episode_start": "clae_cla_episode_start_date",
    "clae_cla_episode_ceased": "clae_cla_episode_ceased_date",
    "clae_cla_episode_cease_reason": "clae_cla_episode_ceased_reason",
    "clav_casenote_id": "clav_cla_visit_id",
    "lega_legal_status_start": "lega_legal_status_start_date",
    "lega_legal_status_end": "lega_legal_status_end_date",
}


def _header(path: Path) -> list[str] | None:
    """The normalised column names of a CSV file's first line, or None if it has none."""
    try:
        with _open_text(path) as fh:
            line = fh.readline(HEADER_BYTES)
    except OSError:
        return None
    if not line.strip():
        return None
    try:
        row = next(csv.reader([line], delimiter=_delimiter(line)))
    except (csv.Error, StopIteration):
        return None
    names = [_norm_column(c) for c in row]
    return [ALIASES[n] if n in ALIASES and ALIASES[n] not in names else n for n in names]


def identify(columns: list[str]) -> Table | None:
    """The SSD table whose columns these are: the one sharing the most (at least two) of the
    columns this importer reads. Names are not needed: every SSD column has its table's
    prefix."""
    have = set(columns)
    best, score = None, 1
    for table in TABLES:
        n = len(have & table.names)
        if n > score:
            best, score = table, n
    return best


@dataclass(slots=True)
class _Found:
    path: Path
    table: Table | None
    header: list[str]
    lacking: tuple[str, ...] = ()
    # what a file that is no table this importer reads is: "ssd" (an SSD table no rule needs),
    # "documentation" (a README, notes) or "unknown"
    other: str | None = None


CSV_SUFFIXES = (".csv", ".txt")
DOCUMENT_SUFFIXES = (".md", ".pdf", ".doc", ".docx", ".rtf", ".odt", ".htm", ".html")
_DOC_NAME = re.compile(
    r"(?:^|[^a-z])(?:read ?me|notes?|guidance|instructions?|manifest|contents|changelog|"
    r"change log|version)(?:[^a-z]|$)",
    re.IGNORECASE,
)
# an SSD table's columns: every name has its table's prefix (``cont_contact_id``)
_SSD_PREFIX = re.compile(r"([a-z0-9]{3,5})_[a-z0-9_]+")


def _kind_of_other(path: Path, header: list[str] | None) -> str:
    if path.suffix.lower() in DOCUMENT_SUFFIXES or _DOC_NAME.search(path.stem.replace("_", " ")):
        return "documentation"
    if path.suffix.lower() in CSV_SUFFIXES:
        if path.stem.lower().startswith("ssd_"):
            return "ssd"
        prefixes = {m[1] for c in header or () if (m := _SSD_PREFIX.fullmatch(c))}
        if (
            header
            and len(prefixes) == 1
            and len(header) >= 2
            and all(_SSD_PREFIX.fullmatch(c) for c in header)
            and any(c.endswith("_id") for c in header)
        ):
            return "ssd"
    return "unknown"


def scan(path: Path) -> list[_Found]:
    """Every file directly in ``path`` (sorted; hidden files passed over), each with the table
    it holds, if any, or what else it is."""
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if len(files) > MAX_FILES:  # refused whole, never read in part
        raise InputError(
            f"{len(files)} files: more than the {MAX_FILES} an SSD extract could hold (it has "
            "about 40 tables); is this the right directory?",
            Location(str(path)),
            code="E403",
        )
    out = []
    for file in files:
        header = _header(file) if file.suffix.lower() in CSV_SUFFIXES else None
        table = identify(header) if header else None
        if table is None and file.suffix.lower() in CSV_SUFFIXES:
            table = BY_NAME.get(file.stem.lower())  # named as a table, its columns renamed
        if table is None:
            out.append(_Found(file, None, header or [], other=_kind_of_other(file, header)))
            continue
        lacking = tuple(c for c in table.required if c not in (header or ()))
        out.append(_Found(file, table, header or [], lacking))
    return out


def _count_rows(path: Path) -> int:
    """The data rows of a CSV file (as ``_load`` counts them: not blank, not sqlcmd's footer),
    for a table rejected whole; a row the CSV reader cannot get past ends the count."""
    try:
        fh = _open_text(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location(str(path)), code="E401") from None
    n = 0
    with fh:
        first = fh.readline()
        reader = csv.reader(fh, delimiter=_delimiter(first))
        try:
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                if fields[0][:1] in ("(", "-") and _is_footer(fields):
                    continue
                n += 1
        except csv.Error:
            n += 1  # the row that breaks the file, as _load counts it
    return n


def _is_footer(fields: list[str]) -> bool:
    """sqlcmd's underline (``----,----``) or its ``(12 rows affected)`` footer."""
    first = fields[0].strip()
    if first.startswith("(") and first.endswith("affected)") and len(fields) == 1:
        return True
    return all(not f.strip() or set(f.strip()) == {"-"} for f in fields) and any(
        f.strip() for f in fields
    )


# ----------------------------------------------------------------------------- the store


class _Store:
    """Rows grouped by person: in memory for a small extract, else in bucket files."""

    def __init__(self, buckets: int) -> None:
        self.n = buckets
        self.buffers: list[list[Row]] = [[] for _ in range(buckets)]
        self.limit = max(256, BUFFERED_ROWS // buckets)
        self.dir: str | None = None
        self.files: list[IO[bytes]] = []
        if buckets > 1:
            self.dir = tempfile.mkdtemp(prefix="timescales-ssd-")
            self.files = [
                open(os.path.join(self.dir, f"b{i}"), "w+b")  # noqa: SIM115 (closed in close())
                for i in range(buckets)
            ]

    def add(self, row: Row) -> None:
        b = zlib.crc32(row[0].encode()) % self.n if self.n > 1 else 0
        buf = self.buffers[b]
        buf.append(row)
        if self.files and len(buf) >= self.limit:
            self._flush(b)

    def _flush(self, b: int) -> None:
        self.files[b].write(orjson.dumps(self.buffers[b]) + b"\n")
        self.buffers[b] = []

    def bucket(self, b: int) -> list[Row]:
        rows: list[Row] = []
        if self.files:
            fh = self.files[b]
            fh.seek(0)
            for chunk in fh:
                rows.extend(map(tuple, orjson.loads(chunk)))
            fh.close()
        rows.extend(self.buffers[b])
        self.buffers[b] = []
        return rows

    def close(self) -> None:
        for fh in self.files:
            fh.close()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# ----------------------------------------------------------------------------- run state


@dataclass(slots=True)
class _File:
    path: str
    table: Table
    stats: SourceStats


@dataclass(slots=True)
class _DueTally:
    """How one table's council due dates compare with ours."""

    table: str
    column: str
    compared: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str | None) -> None:
        self.compared += 1
        if kind is not None:
            self.kinds[kind] += 1

    def summary(self) -> str | None:
        differ = sum(self.kinds.values())
        if not differ:
            return None
        pct = round(100 * differ / self.compared)
        ranked = sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = "; ".join(f"{kind} in {count}" for kind, count in ranked)
        return (
            f"{self.table}.{self.column} differs from our due date in {differ} of "
            f"{self.compared} rows with a due date ({pct}%): {parts}"
        )


class _Professional(NamedTuple):
    """One ssd_professionals row as the worker record uses it (never the name)."""

    file: int
    line: int
    title: str | None
    department: str | None
    fte: float | None
    values: tuple[Any, ...]  # the columns read, to tell a repeated row from a clash


class _Allocation(NamedTuple):
    """One involvement of a mapped role: an ``allocation`` on the professional's record."""

    start: int  # day number
    end: int | None
    child: str
    role: str
    ref: str | None
    team: str | None  # invo_professional_team (a dept_team_id)
    file: int
    line: int


@dataclass(slots=True)
class _State:
    source: str
    as_of: dt.date
    roles: dict[str, str]
    history_from: dt.date | None
    files: list[_File] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    period_person: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    unknown_roles: Counter[str] = field(default_factory=Counter)
    # the council's job title -> worker role map (empty: the roles of the involvements)
    job_titles: dict[str, str] = field(default_factory=dict)
    # ssd_professionals rows by professional id
    professionals: dict[str, _Professional] = field(default_factory=dict)
    # professional id -> the allocations (involvements of a mapped role) read for them
    allocations: dict[str, list[_Allocation]] = field(default_factory=dict)
    # professional ids whose ssd_professionals row was rejected (said at the row)
    professionals_rejected: set[str] = field(default_factory=set)
    # notes about whole rows of the lookup tables (a professional's row repeated)
    notes: list[DataQualityFinding] = field(default_factory=list)
    # table -> reason -> rows used that made no event
    idle: dict[str, Counter[str]] = field(default_factory=dict)
    dues: dict[str, _DueTally] = field(default_factory=dict)
    # periods of care whose first episode in the extract is no new entry to care
    began: int = 0
    # the run's rules: our due dates for the council's
    context: ImportContext = field(default_factory=ImportContext)

    def idle_row(self, table: str, reason: str) -> None:
        self.idle.setdefault(table, Counter())[reason] += 1

    def due(self, table: str, column: str) -> _DueTally:
        tally = self.dues.get(table)
        if tally is None:
            tally = self.dues[table] = _DueTally(table, column)
        return tally


# ----------------------------------------------------------------------------- one person


@dataclass(slots=True)
class _Period:
    cla: str
    start: dt.date
    end: dt.date | None


class _Rows:
    """One table's rows of one person as dicts (column -> value), with where each came from."""

    __slots__ = ("items", "table")

    def __init__(self, table: Table) -> None:
        self.table = table
        self.items: list[tuple[Row, dict[str, Any]]] = []


def _where(state: _State, row: Row, column: str | None = None) -> Location:
    return Location(state.files[row[1]].path, row[2], column)


class _Person:
    """Map one person's rows (from every table) onto a canonical record."""

    def __init__(self, state: _State, person: str, rows: list[Row]) -> None:
        self.state = state
        self.person = person
        self.rows = rows
        self.events: list[dict[str, Any]] = []
        self.quality: list[DataQualityFinding] = []
        self.rejects: list[Item] = []
        self.rejected: set[int] = set()  # id() of rejected rows
        self.periods: list[_Period] = []
        self.period_ids: set[str] = set()
        self.seen_events: dict[tuple[Any, ...], list[Any]] = {}
        # where the history the extract holds begins (KnownFrom entries)
        self.known_from: list[dict[str, Any]] = []
        self.began_ids: set[str] = set()  # periods of care that began before the extract
        # (professional id, allocation): given to the state when the record is built
        self.allocations: list[tuple[str, _Allocation]] = []

    # -- outputs
    def note(
        self,
        code: str,
        message: str,
        row: Row | None,
        *,
        ref: str | None = None,
        date: dt.date | None = None,
        column: str | None = None,
    ) -> None:
        source = str(_where(self.state, row, column)) if row is not None else self.state.source
        self.quality.append(
            DataQualityFinding(code, self.person, message, ref=ref, date=date, source=source)
        )

    def reject(self, row: Row, column: str | None, reason: str, code: str = "E313") -> None:
        where = _where(self.state, row, column)
        table = self.state.files[row[1]].table.name
        error = not_used(f"{table} row", reason, where, column, code=code)
        self.rejects.append(Item(where, error=error, row=True))
        self.rejected.add(id(row))

    def event(
        self,
        etype: str,
        date: dt.date,
        *,
        ref: str | None = None,
        case: str | None = None,
        row: Row | None = None,
        what: str | None = None,
        **attrs: Any,
    ) -> bool:
        """Add an event; one already there (same type, day, ref and case) is a duplicate: the
        attributes merge, and it is reported when ``what`` names the kind of row."""
        key = (etype, date, ref, case)
        ev = self.seen_events.get(key)
        if ev is not None:
            old = ev[1].setdefault("attrs", {})
            for name, value in attrs.items():
                if value is not None and old.get(name) is not True:
                    old[name] = value
            if what is not None and row is not None:
                first = ev[0]
                self.note(
                    "DATA042",
                    f"{what} recorded again on the same day (first at line {first[2]}); "
                    "counted once",
                    row,
                    ref=ref or case,
                    date=date,
                )
            return False
        clean = {k: v for k, v in attrs.items() if v is not None}
        ev_dict = event_data(etype, date, ref, case, clean)
        self.seen_events[key] = [row or (None, 0, 0), ev_dict]
        self.events.append(ev_dict)
        return True

    # -- the person
    def build(self) -> list[Item]:
        tables = self.group()
        person_rows = tables.get(PERSON.name)
        dob = expected = None
        first_row = self.rows[0]
        if person_rows and person_rows.items:
            prow, pv = person_rows.items[0]
            first_row = prow
            for column in SOFT_DATES:
                if pv[column] == BAD_DATE:
                    pv[column] = None
                    self.note(
                        "DATA046",
                        f"{column} is not a date {EXPORT_FORMS}: not used",
                        prow,
                        column=column,
                    )
            dob, expected = _day(pv["pers_dob"]), _day(pv["pers_expected_dob"])
        elif PERSON.name in self.state.present:
            self.note(
                "DATA045",
                "the person id is not in ssd_person: the record is built from the other tables, "
                "with no date of birth",
                self.rows[0],
            )
        self.looked_after(tables)
        self.protection(tables)
        self.others(tables)
        team, worker = self.involvements(tables.get(INVOLVEMENTS.name))
        where = _where(self.state, first_row)
        data: dict[str, Any] = {
            "child": self.person,
            "dob": dob,
            "expected_dob": expected,
            "team": team,
            "worker": worker,
            "events": self.events,
        }
        hist = self.state.history_from
        if hist is not None:
            # the extract keeps the rows whose date falls in its window: from its start on,
            # each table holds every event of its types (decisions.md, "History the input does
            # not hold")
            self.known_from.extend(
                {"from": hist, "events": sorted(t.supplies)}
                for t in TABLES
                if t.name in self.state.present and t.supplies
            )
        if self.known_from:
            data["known_from"] = self.known_from
        try:
            record = _record(data)
        except (ValidationError, ValueError, TypeError) as exc:  # defensive: never expected
            message = validation_message(exc)[0] if isinstance(exc, ValidationError) else str(exc)
            for row in self.rows:
                if id(row) not in self.rejected:
                    self.state.files[row[1]].stats.rows_rejected += 1
            error = not_used(f"person {self.person}:", message, where, code="E313")
            return [*self.rejects, Item(where, error=error)]
        for row in self.rows:
            stats = self.state.files[row[1]].stats
            if id(row) in self.rejected:
                stats.rows_rejected += 1
            else:
                stats.rows_used += 1
        for worker, allocation in self.allocations:
            self.state.allocations.setdefault(worker, []).append(allocation)
        return [*self.rejects, Item(where, record=record, quality=tuple(self.quality))]

    def group(self) -> dict[str, _Rows]:
        """Rows by table, duplicates settled: the same row twice is counted once (reported); the
        same id with other content rejects the later row."""
        out: dict[str, _Rows] = {}
        keys: dict[tuple[str, str], Row] = {}
        for row in self.rows:
            table = self.state.files[row[1]].table
            key = row[table.pos[table.key]] if table.key else None
            if key is not None:
                first = keys.get((table.name, key))
                if first is not None:
                    if first[OFF:] == row[OFF:]:
                        self.note(
                            "DATA042",
                            f"{table.name} row repeats the row at {_where(self.state, first)} "
                            "exactly; counted once",
                            row,
                            ref=key,
                        )
                    else:
                        self.reject(
                            row,
                            table.key,
                            f"{table.key} repeats the row at {_where(self.state, first)} with "
                            "different content; the first row is used",
                        )
                    continue
                keys[(table.name, key)] = row
            rows = out.get(table.name)
            if rows is None:
                rows = out[table.name] = _Rows(table)
            values = {c.name: row[table.pos[c.name]] for c in table.columns}
            unknown = [
                c.name
                for c in table.columns
                if c.kind in ("date", "text")
                and c.name not in SOFT_DATES
                and values[c.name] == BAD_DATE
            ]
            for name in unknown:
                values[name] = None
                self.note(
                    "DATA046",
                    f"{name} holds an error value or cannot be read: taken as unknown"
                    + UNKNOWN_MEANS.get(name, ""),
                    row,
                    column=name,
                )
            if unknown:
                values["_unknown"] = frozenset(unknown)
            rows.items.append((row, values))
        return out

    # -- looked after
    def period_at(self, day: dt.date) -> str | None:
        for period in reversed(self.periods):
            if period.start <= day and (period.end is None or day <= period.end):
                return period.cla
        return None

    def case_for(
        self, cla: str | None, day: dt.date, row: Row, what: str, column: str
    ) -> str | None:
        """The period a row belongs to: its own period id, else the period open on its date."""
        if cla is not None:
            if self.periods and cla not in self.period_ids:
                self.note(
                    "DATA045",
                    f"{what}: {column} matches no period of care in ssd_cla_episodes; kept with "
                    "its own period id",
                    row,
                    ref=cla,
                    column=column,
                )
            return cla
        found = self.period_at(day)
        if found is None and self.periods:
            self.note(
                "DATA045",
                f"{what}: {column} is blank and the date falls in no period of care; kept "
                "without a period",
                row,
                date=day,
                column=column,
            )
        return found

    def looked_after(self, tables: dict[str, _Rows]) -> None:
        self.episodes(tables.get(CLA_EPISODES.name))
        self.placements(tables.get(CLA_PLACEMENT.name))
        self.visits(tables.get(CLA_VISITS.name))
        self.reviews(tables.get(CLA_REVIEWS.name))
        self.care_plans(tables.get(CARE_PLAN.name))
        self.health(tables.get(HEALTH.name))
        self.permanence(tables.get(PERMANENCE.name))

    def episodes(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        by_period: dict[str, list[tuple[Row, dict[str, Any]]]] = {}
        for row, v in rows.items:
            by_period.setdefault(v["clae_cla_id"], []).append((row, v))
        for cla, eps in by_period.items():
            eps.sort(key=lambda e: (e[1]["clae_cla_episode_start_date"], e[0][2]))
            first_row, first = eps[0]
            starts = [first["clae_cla_episode_start_date"]]
            starts += [v["clae_entered_care_date"] for _, v in eps if v["clae_entered_care_date"]]
            start = dt.date.fromordinal(min(starts))
            last_row, last = eps[-1]
            end = _day(last["clae_cla_episode_ceased_date"])
            if end is not None and _continues(last["clae_cla_episode_ceased_reason"]):
                self.note(
                    "DATA047",
                    "the period's last episode ceased with reason X1 (a new episode the same "
                    "day) but no episode follows: the period is taken as open",
                    last_row,
                    ref=cla,
                    date=end,
                    column="clae_cla_episode_ceased_reason",
                )
                end = None
            for row, v in eps[:-1]:
                reason = v["clae_cla_episode_ceased_reason"]
                if v["clae_cla_episode_ceased_date"] and reason and not _continues(reason):
                    self.note(
                        "DATA047",
                        "an episode before the period's last one has an ending ceased reason "
                        "(not X1); the period goes on, as its clae_cla_id says",
                        row,
                        ref=cla,
                        date=_day(v["clae_cla_episode_ceased_date"]),
                        column="clae_cla_episode_ceased_reason",
                    )
            self.periods.append(_Period(cla, start, end))
            self.period_ids.add(cla)
            entered = any(v["clae_entered_care_date"] for _, v in eps)
            if not entered and _later_entry(first["clae_cla_episode_start_reason"]):
                # the first episode in the extract is no new entry to care (a placement or
                # legal status change): the period began before the data. It is taken as open on
                # this date; the rules counted from its opening are not assessed
                self.known_from.append(
                    {"from": start, "case": cla, "began": ["became_looked_after"]}
                )
                self.began_ids.add(cla)
                self.state.began += 1
            else:
                self.event("became_looked_after", start, ref=cla, case=cla, row=first_row)
            if end is not None:
                self.event("ceased_looked_after", end, case=cla, row=last_row)
        self.periods.sort(key=lambda p: p.start)

    def placements(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        starts: dict[tuple[str | None, dt.date], Row] = {}
        for row, v in rows.items:
            start = dt.date.fromordinal(v["clap_cla_placement_start_date"])
            case = self.case_for(v["clap_cla_id"], start, row, "placement", "clap_cla_id")
            first = starts.get((case, start))
            if first is not None:
                self.note(
                    "DATA042",
                    f"a second placement starts the same day in the same period (first at line "
                    f"{first[2]}, another id); counted once",
                    row,
                    ref=v["clap_cla_placement_id"],
                    date=start,
                )
                continue
            starts[(case, start)] = row
            ptype = v["clap_cla_placement_type"]
            code = ptype.upper() if ptype else None
            self.event(
                "placement_started",
                start,
                ref=v["clap_cla_placement_id"],
                case=case,
                row=row,
                placement_type=code,
                permanent=code in PERMANENT_TYPES,
            )

    def visits(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        for row, v in rows.items:
            day = dt.date.fromordinal(v["clav_cla_visit_date"])
            case = self.case_for(v["clav_cla_id"], day, row, "visit", "clav_cla_id")
            seen = self.flag(row, v, "clav_cla_visit_seen_alone")
            self.event("lac_visit", day, case=case, row=row, what="a visit", seen_alone=seen)

    def flag(self, row: Row, v: dict[str, Any], column: str) -> bool | None:
        value = v.get(column)
        if value == FLAG_UNKNOWN:
            self.note(
                "DATA046",
                f"{column} is not Y or N; taken as unknown",
                row,
                column=column,
            )
            return None
        return None if value is None else bool(value)

    def reviews(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        held: dict[str | None, list[dt.date]] = {}
        due_rows: list[tuple[Row, str | None, dt.date | None, dt.date]] = []
        for row, v in rows.items:
            cancelled = v["clar_cla_review_cancelled"]
            if cancelled == FLAG_UNKNOWN:
                self.note(
                    "DATA046",
                    "clar_cla_review_cancelled is not Y or N; taken as not cancelled",
                    row,
                    column="clar_cla_review_cancelled",
                )
            if cancelled == 1:
                self.state.idle_row(CLA_REVIEWS.name, "cancelled reviews (not counted)")
                continue
            day = _day(v["clar_cla_review_date"])
            due = _day(v["clar_cla_review_due_date"])
            cla = v["clar_cla_id"]
            if day is None:
                self.state.idle_row(CLA_REVIEWS.name, "reviews not yet held (no date)")
                if due is not None:
                    due_rows.append((row, cla, None, due))
                continue
            case = self.case_for(cla, day, row, "review", "clar_cla_id")
            if self.event("lac_review", day, case=case, row=row, what="a review"):
                held.setdefault(case, []).append(day)
            if due is not None:
                due_rows.append((row, case, day, due))
        # a period that began before the extract has no known start to count the first due
        # date from (its council due dates are compared from its first review on)
        starts = {p.cla: p.start for p in self.periods if p.cla not in self.began_ids}
        for row, case, day, theirs in due_rows:
            dates = sorted(held.get(case, []))
            before = [d for d in dates if day is None or d < day]
            self.compare_review_due(
                row,
                "clar_cla_review_due_date",
                case,
                starts.get(case) if case else None,
                before,
                theirs,
                rule=LA_REVIEWS_RULE,
                begun="the period of care began",
            )

    def compare_review_due(
        self,
        row: Row,
        column: str,
        ref: str | None,
        start: dt.date | None,
        before: list[dt.date],
        theirs: dt.date,
        *,
        rule: str,
        begun: str,
    ) -> None:
        """The council's due date for a review against ours, under the review schedule whose
        head is ``rule``. ``before`` are the reviews held before it: none, the first is due
        under the head's limit after ``start`` (the period or plan began: ``begun``); else the
        next is due after the last under the rule governing that occurrence (LA006 for the
        2nd, LA007 after). Nothing is compared when that rule is not in force."""
        table = self.state.files[row[1]].table.name
        if before:
            anchor, origin, since = before[-1], "the previous review", "the previous review"
        elif start is not None:
            anchor, origin, since = start, "the start", begun
        else:
            return
        try:
            due = self.state.context.due(rule, anchor, occurrence=len(before) + 1, opened=start)
            if due is None:
                return
            kind = _due_kind(due, theirs)
        except CalendarRangeError:
            return
        ours = due.date
        basis = f"{due.describe()} after {since}"
        self.state.due(table, column).add(kind)
        if kind is None:
            return
        if kind.startswith("+"):
            kind = f"{origin} {kind}"
        self.note(
            "DATA040",
            f"the council's {column} differs from our due date {ours.isoformat()} ({basis}): "
            f"{kind}; ours is used",
            row,
            ref=ref,
            date=theirs,
            column=column,
        )

    def care_plans(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        for row, v in rows.items:
            start = dt.date.fromordinal(v["lacp_cla_care_plan_start_date"])
            end = _day(v["lacp_cla_care_plan_end_date"])
            case = self.period_at(start)
            has_plan = _has_permanence_plan(v["lacp_cla_care_plan_json"])
            self.event("care_plan", start, case=case, row=row)
            if has_plan:
                self.event("permanence_plan", start, case=case, row=row)
                if case is None:
                    # a plan made before the child became looked after and still in force
                    for period in self.periods:
                        if start < period.start and (end is None or end >= period.start):
                            self.event("permanence_plan", period.start, case=period.cla, row=row)

    def health(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        found: list[tuple[dt.date, str | None, str | None, Row]] = []
        for row, v in rows.items:
            status = v["clah_health_check_status"]
            if status and not DONE_STATUS.match(status):
                self.state.idle_row(HEALTH.name, "checks not completed (planned, refused...)")
                continue
            kind = health_event(v["clah_health_check_type"])
            if kind is None:
                self.state.idle_row(
                    HEALTH.name, "check types that are neither a health assessment nor dental"
                )
                continue
            day = _day(v["clah_health_check_date"])
            if day is None:
                self.reject(row, "clah_health_check_date", "a completed check with no date", "E311")
                continue
            etype, said = kind
            if etype == "dental_check":
                self.event("dental_check", day, case=self.period_at(day), row=row)
                continue
            found.append((day, said, self.period_at(day), row))
        found.sort(key=lambda f: f[0])
        firsts: set[str] = set()
        for day, said, case, row in found:
            kind_attr = said
            if kind_attr is None and case is not None:
                kind_attr = "review" if case in firsts else "initial"
            if case is not None:
                firsts.add(case)
            self.event(
                "health_assessment",
                day,
                case=case,
                row=row,
                what="a health assessment",
                kind=kind_attr,
            )

    def permanence(self, rows: _Rows | None) -> None:
        if rows is None:
            return
        for row, v in rows.items:
            rid = v["perm_table_id"]
            dates = {
                "adoption_decision": _day(v["perm_adm_decision_date"]),
                "placement_order": _day(v["perm_placement_order_date"]),
                "adoption_match": _day(v["perm_matched_date"]),
                "placed_for_adoption": _day(v["perm_placed_for_adoption_date"]),
            }
            known = [d for d in dates.values() if d is not None]
            if not known:
                self.state.idle_row(PERMANENCE.name, "rows with none of the adoption dates")
                continue
            case = self.case_for(v["perm_cla_id"], min(known), row, "permanence", "perm_cla_id")
            for etype, day in dates.items():
                if day is None:
                    continue
                # AD002 ties the order to its match by the row's id; AD001 ties to the period
                ref = rid if etype in ("placement_order", "adoption_match") else None
                self.event(etype, day, ref=ref, case=case, row=row)

    # -- child protection and children in need
    def protection(self, tables: dict[str, _Rows]) -> None:
        for row, v in _items(tables.get(CIN_EPISODES.name)):
            rid = v["cine_referral_id"]
            day = dt.date.fromordinal(v["cine_referral_date"])
            self.event("referral", day, ref=rid, case=rid, row=row)
            self.event("cin_opened", day, ref=rid, case=rid, row=row)
            close = _day(v["cine_close_date"])
            if close is not None:
                self.event("cin_closed", close, case=rid, row=row)
        for row, v in _items(tables.get(CIN_ASSESSMENTS.name)):
            aid, case = v["cina_assessment_id"], v["cina_referral_id"]
            if "cina_assessment_auth_date" in v.get("_unknown", ()):
                # noted (DATA046): when, or whether, it was completed cannot be told, so neither
                # AS002 (from its start) nor AS001 (from the referral) can be decided: the data
                # holds none of this referral's completed assessments (its history of them
                # begins on no date: the last one there is)
                self.known_from.append(
                    {"from": dt.date.max, "case": case, "events": ["assessment_completed"]}
                )
                continue
            self.event(
                "assessment_started",
                dt.date.fromordinal(v["cina_assessment_start_date"]),
                ref=aid,
                case=case,
                row=row,
            )
            done = _day(v["cina_assessment_auth_date"])
            if done is not None:
                self.event("assessment_completed", done, ref=aid, case=case, row=row)
        enquiries: dict[str, tuple[dt.date, str | None]] = {}
        for row, v in _items(tables.get(S47.name)):
            sid, case = v["s47e_s47_enquiry_id"], v["s47e_referral_id"]
            start = dt.date.fromordinal(v["s47e_s47_start_date"])
            enquiries[sid] = (start, case)
            self.event("strategy_discussion", start, ref=sid, case=case, row=row)
            self.event("s47_started", start, ref=sid, case=case, row=row)
        conferenced: set[str] = set()
        for row, v in _items(tables.get(ICPC.name)):
            sid = v["icpc_s47_enquiry_id"]
            if sid is not None:
                conferenced.add(sid)
            held_on = _day(v["icpc_icpc_date"])
            if v["icpc_icpc_transfer_in"] == FLAG_UNKNOWN:
                self.flag(row, v, "icpc_icpc_transfer_in")
            if held_on is not None:
                self.event("icpc", held_on, ref=sid, case=v["icpc_referral_id"], row=row)
            else:
                self.state.idle_row(ICPC.name, "conferences not yet held (no date)")
            target = _day(v["icpc_icpc_target_date"])
            if target is not None and sid is not None and sid in enquiries:
                self.compare_icpc(row, sid, enquiries[sid][0], target)
        if ICPC.name in self.state.present:
            self.not_required(tables.get(S47.name), conferenced)
        self.plans(tables)

    def compare_icpc(self, row: Row, sid: str, start: dt.date, theirs: dt.date) -> None:
        try:
            due = self.state.context.due(ICPC_RULE, start)
            if due is None:
                return  # no CP001 in force for this enquiry: nothing to compare with
            kind = _due_kind(due, theirs)
        except CalendarRangeError:
            return
        ours = due.date
        self.state.due(ICPC.name, "icpc_icpc_target_date").add(kind)
        if kind is None:
            return
        self.note(
            "DATA040",
            f"the council's icpc_icpc_target_date differs from our due date {ours.isoformat()} "
            f"({due.describe()} after the strategy discussion, that day excluded): {kind}; "
            "ours is used",
            row,
            ref=sid,
            date=theirs,
            column="icpc_icpc_target_date",
        )

    def not_required(self, rows: _Rows | None, conferenced: set[str]) -> None:
        """A completed enquiry that led to no conference: ``icpc`` not required (CP001/CP002
        do not apply), when its outcome says no conference (or NFA) and no conference row
        names it."""
        for row, v in _items(rows):
            sid = v["s47e_s47_enquiry_id"]
            end = _day(v["s47e_s47_end_date"])
            if end is None or sid in conferenced:
                continue
            wants = _json_flag(v["s47e_s47_outcome_json"], "CP_CONFERENCE_FLAG")
            if wants is None and v["s47e_s47_nfa"] == 1:
                wants = False
            if wants is False:
                self.event(
                    "icpc", end, ref=sid, case=v["s47e_referral_id"], row=row, not_required=True
                )

    def plans(self, tables: dict[str, _Rows]) -> None:
        plans: dict[str, tuple[dt.date, dt.date | None, str | None]] = {}
        for row, v in _items(tables.get(CP_PLANS.name)):
            pid, case = v["cppl_cp_plan_id"], v["cppl_referral_id"]
            start = dt.date.fromordinal(v["cppl_cp_plan_start_date"])
            end = _day(v["cppl_cp_plan_end_date"])
            plans[pid] = (start, end, case)
            self.event("cp_plan_started", start, ref=pid, case=case, row=row)
            if end is not None:
                self.event("cp_plan_ended", end, ref=pid, case=case, row=row)

        def plan_of(pid: str | None, day: dt.date, row: Row, what: str, col: str) -> str | None:
            if pid is not None:
                if plans and pid not in plans:
                    self.note(
                        "DATA045",
                        f"{what}: {col} matches no plan in ssd_cp_plans; kept with its own id",
                        row,
                        ref=pid,
                        column=col,
                    )
                return pid
            for key, (start, end, _) in sorted(plans.items(), key=lambda kv: kv[1][0]):
                if start <= day and (end is None or day <= end):
                    pid = key
            if pid is None and plans:
                self.note(
                    "DATA045",
                    f"{what}: {col} is blank and the date falls in no plan; kept without a plan",
                    row,
                    date=day,
                    column=col,
                )
            return pid

        held: dict[str | None, list[dt.date]] = {}
        due_rows: list[tuple[Row, str | None, dt.date | None, dt.date]] = []
        for row, v in _items(tables.get(CP_REVIEWS.name)):
            day = _day(v["cppr_cp_review_date"])
            due = _day(v["cppr_cp_review_due"])
            if day is None:
                self.state.idle_row(CP_REVIEWS.name, "reviews not yet held (no date)")
                if due is not None:
                    due_rows.append((row, v["cppr_cp_plan_id"], None, due))
                continue
            pid = plan_of(v["cppr_cp_plan_id"], day, row, "CP review", "cppr_cp_plan_id")
            case = plans[pid][2] if pid in plans else None
            if self.event("cp_review", day, ref=pid, case=case, row=row, what="a CP review"):
                held.setdefault(pid, []).append(day)
            if due is not None:
                due_rows.append((row, pid, day, due))
        for row, pid, day, theirs in due_rows:
            dates = sorted(held.get(pid, []))
            before = [d for d in dates if day is None or d < day]
            self.compare_review_due(
                row,
                "cppr_cp_review_due",
                pid,
                plans[pid][0] if pid in plans else None,
                before,
                theirs,
                rule=CP_REVIEWS_RULE,
                begun="the plan began",
            )
        for row, v in _items(tables.get(CP_VISITS.name)):
            day = dt.date.fromordinal(v["cppv_cp_visit_date"])
            pid = plan_of(v["cppv_cp_plan_id"], day, row, "CP visit", "cppv_cp_plan_id")
            self.event(
                "cp_visit",
                day,
                ref=pid,
                case=plans[pid][2] if pid in plans else None,
                row=row,
                what="a CP visit",
                seen_alone=self.flag(row, v, "cppv_cp_visit_seen_alone"),
            )

    # -- the rest
    def others(self, tables: dict[str, _Rows]) -> None:
        for row, v in _items(tables.get(LEGAL_STATUS.name)):
            lid, code = v["lega_legal_status_id"], (v["lega_legal_status"] or "").strip()
            start = dt.date.fromordinal(v["lega_legal_status_start_date"])
            self.event("legal_status_started", start, ref=lid, row=row, code=code or None)
            end = _day(v["lega_legal_status_end_date"])
            if end is not None:
                self.event("legal_status_ended", end, ref=lid, row=row, code=code or None)
        for row, v in _items(tables.get(MISSING.name)):
            mid = v["miss_table_id"]
            self.event(
                "missing_started",
                dt.date.fromordinal(v["miss_missing_episode_start_date"]),
                ref=mid,
                row=row,
            )
            end = _day(v["miss_missing_episode_end_date"])
            if end is not None:
                self.event("missing_returned", end, ref=mid, row=row)
        for row, v in _items(tables.get(CARE_LEAVERS.name)):
            review = _day(v["clea_pathway_plan_review_date"])
            contact = _day(v["clea_care_leaver_latest_contact"])
            if review is not None:
                self.event("pathway_plan_review", review, row=row)
            if contact is not None:
                self.event("pa_contact", contact, row=row)
            if review is None and contact is None:
                self.state.idle_row(CARE_LEAVERS.name, "rows with neither date")

    def involvements(self, rows: _Rows | None) -> tuple[str | None, str | None]:
        """IRO allocations become ``iro_assigned``; the social worker allocation open at as_of
        (the latest to start) gives the record's worker and team."""
        if rows is None:
            return None, None
        as_of = self.state.as_of
        current: tuple[dt.date, str | None, str | None] | None = None
        for row, v in rows.items:
            code = normalise(v["invo_professional_role_id"] or "")
            meaning = self.state.roles.get(code)
            if meaning is None:
                self.state.unknown_roles[code or "(blank)"] += 1
                continue
            start = dt.date.fromordinal(v["invo_involvement_start_date"])
            end = _day(v["invo_involvement_end_date"])
            worker = v["invo_professional_id"]
            if worker is not None and meaning != "ignore":
                allocation = _Allocation(
                    v["invo_involvement_start_date"],
                    v["invo_involvement_end_date"],
                    self.person,
                    meaning,
                    _short(v["invo_involvements_id"]),
                    v["invo_professional_team"],
                    row[1],
                    row[2],
                )
                self.allocations.append((worker, allocation))
            if meaning == "iro":
                if worker is None:
                    self.state.idle_row(INVOLVEMENTS.name, "IRO rows without a worker")
                    continue
                self.event("iro_assigned", start, case=self.period_at(start), row=row, iro=worker)
                for period in self.periods:  # an IRO already allocated when a period begins
                    if start < period.start and (end is None or end >= period.start):
                        self.event(
                            "iro_assigned", period.start, case=period.cla, row=row, iro=worker
                        )
            elif meaning == "social_worker" and worker is not None:
                open_now = start <= as_of and (end is None or end >= as_of)
                if open_now and (current is None or start >= current[0]):
                    team_id = v["invo_professional_team"]
                    team = self.state.teams.get(team_id, team_id) if team_id else None
                    current = (start, worker, team)
        if current is None:
            return None, None
        return current[2], current[1]


def _due_kind(due: DueDate, theirs: dt.date) -> str | None:
    """How the council's due date differs from ours (None: it does not): a count of days
    instead of months (``+ 91 days instead of 3 months``), working days (for a working-day
    limit), else calendar days."""
    ours, limit = due.date, due.limit
    if theirs == ours:
        return None
    working = limit.unit == "working_days"
    if limit.unit == "months" and limit.counting == "after":
        # the anchor plus a day count that councils' scripts use for 3 or 6 months: how
        # theirs was counted, recognised (our due date is the rule's, above)
        for days in _MONTHS_AS_DAYS.get(limit.value, ()):
            if theirs == due.anchor + dt.timedelta(days=days):
                return f"+ {days} days instead of {limit.value} months"
    if working:
        diff = due.working_days_to(theirs)
        if diff:
            size = "one working day" if abs(diff) == 1 else f"{abs(diff)} working days"
            text = f"{size} {'earlier' if diff < 0 else 'later'}"
            return text + (
                " (inclusive counting: the first day counted as day 1)" if diff == -1 else ""
            )
    days = (theirs - ours).days
    size = "one day" if abs(days) == 1 else f"{abs(days)} days"
    text = f"{size} {'earlier' if days < 0 else 'later'}"
    return text + (" (on a non-working day)" if working else "")


# what an unknown optional date means, where its blank would mean "not yet"
UNKNOWN_MEANS = {
    "cina_assessment_auth_date": "; the assessment is not checked (not completed would be a guess)",
}


def _record(data: dict[str, Any]) -> ChildRecord:
    """The canonical record, built without re-validating what the mapping made: every value
    was checked as its row was read (ids 1-200 characters, dates, national event types with
    their attribute types), which keeps the import at CSV speed. The tests validate every
    record the mapping makes against the schema."""
    events = [
        _event(e["type"], e["date"], e.get("ref"), e.get("case"), e.get("attrs") or {})
        for e in data["events"]
    ]
    fields = {k: v for k, v in data.items() if k not in ("events", "known_from") and v is not None}
    known = tuple(KnownFrom.model_validate(k) for k in data.get("known_from", ()))
    if known:
        fields["known_from"] = known
    return ChildRecord.model_construct(events=events, **fields)


_EVENT_FIELDS = frozenset(Event.model_fields)
_new_event = Event.__new__
_set = object.__setattr__


def _event_fast(
    etype: str, date: dt.date, ref: str | None, case: str | None, attrs: dict[str, Any]
) -> Event:
    """``Event.model_construct`` without its per-field loop (a third of the import's time)."""
    ev = _new_event(Event)
    _set(ev, "__dict__", {"type": etype, "date": date, "ref": ref, "case": case, "attrs": attrs})
    _set(ev, "__pydantic_fields_set__", set(_EVENT_FIELDS))
    _set(ev, "__pydantic_extra__", None)
    _set(ev, "__pydantic_private__", None)
    return ev


def _event_slow(
    etype: str, date: dt.date, ref: str | None, case: str | None, attrs: dict[str, Any]
) -> Event:
    return Event.model_construct(type=etype, date=date, ref=ref, case=case, attrs=attrs)


def _pick_event_maker() -> Any:
    """The fast constructor if it makes exactly what ``model_construct`` makes with this
    pydantic, else ``model_construct`` itself."""
    args = ("lac_visit", dt.date(2024, 1, 2), "r", "c", {"seen_alone": True})
    try:
        fast, slow = _event_fast(*args), _event_slow(*args)
        same = fast == slow and fast.model_dump() == slow.model_dump() and hash(fast.type)
        return _event_fast if same and fast.model_copy() == slow else _event_slow
    except Exception:
        return _event_slow


_event = _pick_event_maker()


def _items(rows: _Rows | None) -> list[tuple[Row, dict[str, Any]]]:
    return rows.items if rows is not None else []


# 903 episode start reasons that are no new entry to care (RNE other than S)
LATER_ENTRY = frozenset({"P", "L", "T", "B", "U"})


def _later_entry(reason: str | None) -> bool:
    """A start reason coded P, L, T, B or U (a description, as some scripts export, is not
    guessed at: the period is taken as entered on its first episode)."""
    return reason is not None and reason.strip().upper() in LATER_ENTRY


def _continues(reason: str | None) -> bool:
    """An X1 ceased reason (or the Liquidlogic description of one): the period goes on."""
    if not reason:
        return False
    text = reason.strip().upper()
    return text.startswith("X1") or "NEW EPISODE BEGINS" in text


_PLAN_KEYS = (
    "REMAINSUP",
    "RETURN1M",
    "RETURN6M",
    "RETURNEV",
    "LTRELFR",
    "LTFOST18",
    "RESPLMT",
    "SUPPLIV",
    "ADOPTION",
    "OTHERPLN",
)


def _has_permanence_plan(text: str | None) -> bool:
    """Whether a care plan's json records a permanence plan: any plan key set (Y/1/true), or a
    list or text naming one. Blank means none agreed."""
    if not text:
        return False
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        upper = text.upper()
        return any(key in upper for key in _PLAN_KEYS)
    return _truthy_plan(data)


def _truthy_plan(data: Any) -> bool:
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).upper() in _PLAN_KEYS and _yes(value):
                return True
            if isinstance(value, dict | list) and _truthy_plan(value):
                return True
        return False
    if isinstance(data, list):
        return any(
            (isinstance(x, str) and x.strip().upper() in _PLAN_KEYS) or _truthy_plan(x)
            for x in data
        )
    return isinstance(data, str) and data.strip().upper() in _PLAN_KEYS


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return isinstance(value, str) and value.strip().upper() in _TRUE


def _json_flag(text: str | None, key: str) -> bool | None:
    """A Y/N flag inside an outcome json (None: no json, not readable, or the key absent from
    a json that has no flags at all)."""
    if not text:
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        return None
    for k, value in data.items():
        if str(k).upper() == key:
            return _yes(value)
    # a json of flags without this one: the outcome did not include a conference
    return False if any(str(k).upper().endswith("_FLAG") for k in data) else None


# ----------------------------------------------------------------------------- the importer


class SsdImporter:
    """The ``ssd`` input format.

    ``roles`` maps involvement role codes to ``iro`` / ``social_worker`` / ``ignore`` (default:
    ``TIMESCALES_SSD_ROLES``, else Liquidlogic's codes: ssd_roles.DEFAULT_ROLES);
    ``history_from`` is the start of the extract's history window (default:
    ``TIMESCALES_SSD_HISTORY_FROM``; every record then says, per table, that its events are known
    from that day on: ``known_from``); ``spill_bytes`` is how much CSV is grouped in memory at once;
    ``job_titles`` maps ``prof_professional_job_title`` to a worker role (default:
    ``TIMESCALES_SSD_JOB_TITLES``, else none: a worker's role is that of their involvements).

    ``supplies`` depends on the tables present: ``supplies_for(path)`` gives it for a directory.
    The run reads ``supplies`` right after resolving the input's format; under ``auto`` that
    follows ``sniff(path)``, which records the directory's tables, so the rules that need an
    absent table are "not assessable" (the module's ``IMPORTER`` is a fresh instance per
    lookup, so this never outlives the run). Under an explicit ``--input-format ssd`` nothing
    tells the importer the path before the run asks, so every table is assumed (the run would
    have to call ``supplies_for(path)``; see docs/importers/ssd.md)."""

    name = "ssd"

    def __init__(
        self,
        roles: Mapping[str, str] | None = None,
        *,
        history_from: dt.date | None = None,
        spill_bytes: int = SPILL_BYTES,
        job_titles: Mapping[str, str] | None = None,
    ) -> None:
        self.roles = roles
        self.job_titles = job_titles
        self.history_from = history_from
        self.spill_bytes = spill_bytes
        self._override: frozenset[str] | None = None
        self._sniffed: dict[str, frozenset[str]] = {}

    # -- what the input can feed
    @property
    def supplies(self) -> frozenset[str] | None:
        if self._override is not None:
            return self._override
        if self._sniffed:
            return frozenset().union(*self._sniffed.values())
        return SUPPLIES

    @supplies.setter
    def supplies(self, value: frozenset[str] | None) -> None:
        self._override = value

    def supplies_for(self, path: Path) -> frozenset[str]:
        """The event types the tables in this directory can produce."""
        found = scan(path) if path.is_dir() else []
        return frozenset().union(
            *(f.table.supplies for f in found if f.table is not None and not f.lacking)
        )

    def sniff(self, path: Path) -> bool:
        """A directory holding at least one CSV file with an SSD table's columns."""
        if not path.is_dir():
            return False
        found = [f for f in scan(path) if f.table is not None and not f.lacking]
        if not found:
            return False
        self._sniffed[str(path.resolve())] = frozenset().union(
            *(f.table.supplies for f in found if f.table)
        )
        return True

    # -- reading
    def read(self, path: Path, context: ImportContext) -> Iterator[Item]:
        path = Path(path)
        self._sniffed.pop(str(path.resolve()), None)
        if not path.exists():
            raise InputError("no such file or directory", Location(str(path)), code="E101")
        if not path.is_dir():
            raise InputError(
                "an SSD input is a directory of CSV files, one per table (ssd_cla_visits.csv...)",
                Location(str(path)),
                code="E406",
            )
        found = scan(path)
        usable = [f for f in found if f.table is not None and not f.lacking]
        if not usable:
            raise InputError(
                "no SSD table here: no CSV file has the columns of an SSD table this importer "
                "reads (see docs/importers/ssd.md)",
                Location(str(path)),
                code="E406",
            )
        state = _State(
            str(path),
            context.as_of or dt.date.max,  # no as_of: the allocations still open
            role_map(self.roles),
            self.history_from or _history_env(),
            job_titles=job_title_map(self.job_titles),
            context=context,
        )
        notes = self._file_notes(path, found, usable, state)
        self._unread(found, context)
        usable.sort(key=lambda f: TABLES.index(f.table) if f.table else 0)
        size = sum(f.path.stat().st_size for f in usable)
        store = _Store(max(1, math.ceil(size / max(1, self.spill_bytes))))
        try:
            for f in usable:
                yield from self._load(f, state, store, context)
            yield from self._people(state, store)
        finally:
            store.close()
        yield from _workers(state)
        notes.extend(self._summary_notes(state))
        if notes:
            yield Item(Location(str(path)), quality=tuple(notes))

    def _unread(self, found: list[_Found], context: ImportContext) -> None:
        """One policy for what cannot be read (decisions.md, "Importers"): a file that is no
        SSD table is skipped (a README or notes with a notice); a table lacking a required
        column is rejected whole, its rows counted rejected, said once."""
        for f in found:
            where = Location(str(f.path))
            if f.table is not None and f.lacking:
                rows = _count_rows(f.path)
                context.reject_table(
                    context.source(str(f.path)),
                    where,
                    lacks_columns(f.table.name, ", ".join(f.lacking)),
                    rows,
                )
            elif f.other == "documentation":
                context.skip(
                    where, "documentation (not an SSD table): not read", documentation=True
                )
            elif f.other == "unknown":
                context.skip(
                    where,
                    "not an SSD table: its columns match none this importer reads (and it is no "
                    "ssd_* table): not read",
                )

    def _file_notes(
        self, path: Path, found: list[_Found], usable: list[_Found], state: _State
    ) -> list[DataQualityFinding]:
        notes: list[DataQualityFinding] = []

        def note(message: str, source: str, code: str = "DATA043") -> None:
            notes.append(DataQualityFinding(code, "(file)", message, source=source))

        for f in found:
            if f.other == "ssd":
                note(
                    f"{f.path.name} is an SSD table this importer does not read (no rule needs "
                    "it; ssd_contacts, ssd_cin_plans... are expected here)",
                    str(f.path),
                )
        if state.history_from is not None:
            note(
                f"the extract's history begins at {state.history_from.isoformat()} "
                f"({HISTORY_ENV}): each record's known_from says so for every table's events, "
                "so a step whose clock falls before it is not assessed",
                str(path),
                "DATA049",
            )
        state.present = {f.table.name for f in usable if f.table is not None}
        for table in TABLES:
            if table.name in state.present:
                continue
            if table is PERSON:
                what = "records have no date of birth (age-based limits take their default)"
            elif table is DEPARTMENT:
                what = "teams are given by their ids"
            elif table is PROFESSIONALS:
                if INVOLVEMENTS.name not in state.present:
                    continue  # no worker records at all: said by ssd_involvements' note
                what = (
                    "worker records come from ssd_involvements alone (no FTE, and a team only "
                    "from the involvements)"
                )
            else:
                what = (
                    f"no {', '.join(sorted(table.supplies))} events, so the rules that need "
                    "them are not assessable"
                )
            note(f"no {table.name} table: {what}", str(path))
        return notes

    def _summary_notes(self, state: _State) -> list[DataQualityFinding]:
        notes = list(state.notes)
        for tally in state.dues.values():
            text = tally.summary()
            if text is not None:
                notes.append(DataQualityFinding("DATA041", "(file)", text, source=state.source))
        if state.unknown_roles:
            ranked = sorted(state.unknown_roles.items(), key=lambda kv: (-kv[1], kv[0]))
            listed = ", ".join(f"{code[:60]!r} ({n})" for code, n in ranked[:20])
            more = f" and {len(ranked) - 20} more" if len(ranked) > 20 else ""
            notes.append(
                DataQualityFinding(
                    "DATA044",
                    "(file)",
                    "ssd_involvements: role codes not in the role map, so not read as an IRO or "
                    f"social worker: {listed}{more} (map them in TIMESCALES_SSD_ROLES)",
                    source=state.source,
                )
            )
        if PROFESSIONALS.name in state.present:
            known = set(state.professionals) | state.professionals_rejected
            absent = sorted(set(state.allocations) - known, key=_natural)
            if absent:
                listed = ", ".join(repr(p[:60]) for p in absent[:20])
                more = f" and {len(absent) - 20} more" if len(absent) > 20 else ""
                notes.append(
                    DataQualityFinding(
                        "DATA045",
                        "(file)",
                        f"ssd_involvements: {len(absent)} professional id(s) not in "
                        f"ssd_professionals: {listed}{more}; their worker records come from "
                        "the involvements alone (no FTE)",
                        source=state.source,
                    )
                )
        if state.began:
            notes.append(
                DataQualityFinding(
                    "DATA049",
                    "(file)",
                    f"ssd_cla_episodes: {state.began} period(s) of care began before the "
                    "extract (the first episode's start reason is P, L, T, B or U and no "
                    "clae_entered_care_date is given): taken as open on that episode's start; "
                    "the rules counted from entering care are not assessed for them",
                    source=state.source,
                )
            )
        for table, reasons in state.idle.items():
            listed = "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
            notes.append(
                DataQualityFinding(
                    "DATA048", "(file)", f"{table}: rows used but no events: {listed}",
                    source=state.source,
                )
            )  # fmt: skip
        return notes

    def _load(
        self, found: _Found, state: _State, store: _Store, context: ImportContext
    ) -> Iterator[Item]:
        table = found.table
        assert table is not None
        source = str(found.path)
        stats = context.source(source)
        index = len(state.files)
        state.files.append(_File(source, table, stats))
        header = found.header
        parser = _Parser(table, header)
        width = len(header)
        json_at = [
            header.index(c.name) for c in table.columns if c.kind == "json" and c.name in header
        ]
        try:
            fh = _open_text(found.path)
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", Location(source), code="E401"
            ) from None
        with fh:
            first = fh.readline()
            reader = csv.reader(fh, delimiter=_delimiter(first))
            line = 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    stats.rows_read += 1
                    stats.rows_rejected += 1
                    where = Location(source, reader.line_num + 1)
                    yield Item(
                        where,
                        error=RecordError(
                            f"the CSV breaks off here ({exc}); the rest of the file is not read",
                            where,
                            code="E404",
                        ),
                        row=True,
                    )
                    break
                line = reader.line_num + 1
                if not any(f.strip() for f in fields):
                    continue  # a blank line (or one of separators only)
                if fields[0][:1] in ("(", "-") and _is_footer(fields):
                    continue
                stats.rows_read += 1
                try:
                    if len(fields) != width:
                        fields = _fit(fields, width, json_at)
                    row = parser.parse(fields)
                    person = self._person(parser, row, state)
                except _Bad as bad:
                    stats.rows_rejected += 1
                    where = Location(source, line, bad.column)
                    error = not_used(f"{table.name} row", bad.reason, where, bad.column,
                                     code=bad.code, value_class=bad.found)  # fmt: skip
                    yield Item(where, error=error, row=True)
                    continue
                if table is DEPARTMENT:
                    team_id, name = row[0], row[1]
                    if team_id is not None and name is not None:
                        state.teams.setdefault(team_id, name)
                    stats.rows_used += 1
                    continue
                if table is PROFESSIONALS:
                    rejected = _professional(state, row, index, line)
                    if rejected is None:
                        stats.rows_used += 1
                    else:
                        stats.rows_rejected += 1
                        if row[0] not in state.professionals:
                            state.professionals_rejected.add(row[0])
                        yield rejected
                    continue
                store.add((person, index, line, *row))
        if parser.zeros:
            state.idle_row(table.name, "1900-01-01 dates read as blank (SQL Server's no date)")

    def _person(self, parser: _Parser, row: list[Any], state: _State) -> str:
        table = parser.table
        if parser.person is None or table.person is None:
            return ""
        person = row[parser.person]
        cla = row[parser.period] if parser.period is not None else None
        if person is None and cla is not None:
            person = state.period_person.get(cla)
        if person is None:
            if table.period and cla is not None:
                raise _Bad(
                    f"no person: {table.person} is blank or absent and {table.period} matches no "
                    "period of care read so far (ssd_cla_episodes, ssd_cla_placement, "
                    "ssd_cla_visits)",
                    table.period,
                    code="E312",
                )
            raise _Bad(f"{table.person} is blank (required)", table.person, "E311", "empty")
        if len(person) > MAX_CHILD_ID:
            raise _Bad(
                f"{table.person} is longer than {MAX_CHILD_ID} characters",
                table.person,
                found=value_class(person),
            )
        if cla is not None and table.period:
            state.period_person.setdefault(cla, person)
        return str(person)

    def _people(self, state: _State, store: _Store) -> Iterator[Item]:
        for b in range(store.n):
            people: dict[str, list[Row]] = {}
            for row in store.bucket(b):
                people.setdefault(row[0], []).append(row)
            for person in sorted(people, key=_natural):
                yield from _Person(state, person, people[person]).build()
            people.clear()


# ----------------------------------------------------------------------------- worker records


def _professional(state: _State, row: list[Any], index: int, line: int) -> Item | None:
    """Keep one ssd_professionals row for the worker records: None when it is used, else the
    row's rejection (an FTE that is not a number above 0 and at most 2; the id again with
    other content)."""
    source = state.files[index].path
    pid, title, department, fte_text = row
    if len(pid) > MAX_CHILD_ID:
        column = PROFESSIONALS.key
        where = Location(source, line, column)
        error = not_used(
            "ssd_professionals row",
            f"{column} is longer than {MAX_CHILD_ID} characters",
            where,
            column,
            value_class=value_class(pid),
        )
        return Item(where, error=error, row=True)
    if title == BAD_DATE:
        title = None  # an error value (#N/A): the job title is unknown
    if fte_text == BAD_DATE:
        fte_text = "#N/A"  # an error value: not a number (its class, never shown, is text)
    fte: float | None = None
    if fte_text is not None:
        fte = _fte(fte_text)
        if fte is None:
            column = "prof_full_time_equivalency"
            where = Location(source, line, column)
            error = not_used(
                "ssd_professionals row",
                f"{column} is not a full-time equivalence (a number above 0, at most 2)",
                where,
                column,
                code="E310",
                value_class=value_class(fte_text),
            )
            return Item(where, error=error, row=True)
    values = (title, department, fte)
    first = state.professionals.get(pid)
    if first is not None:
        earlier = Location(state.files[first.file].path, first.line)
        if first.values == values:
            state.notes.append(
                DataQualityFinding(
                    "DATA042",
                    "(file)",
                    f"ssd_professionals row repeats the row at {earlier} exactly; counted once",
                    ref=pid,
                    source=str(Location(source, line)),
                )
            )
            return None
        where = Location(source, line, PROFESSIONALS.key)
        error = not_used(
            "ssd_professionals row",
            f"{PROFESSIONALS.key} repeats the row at {earlier} with different content; the "
            "first row is used",
            where,
            PROFESSIONALS.key,
            code="E313",
        )
        return Item(where, error=error, row=True)
    state.professionals[pid] = _Professional(index, line, title, department, fte, values)
    return None


def _short(ref: str | None) -> str | None:
    """An id kept as an event's ``ref`` only when the record schema takes it (200 characters)."""
    return ref if ref is None or len(ref) <= MAX_CHILD_ID else None


def _fte(text: str) -> float | None:
    """A full-time equivalence (0.5, 1, 1.00, 0,8), or None when the text is none."""
    value = text.strip()
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        fte = float(value)
    except ValueError:
        return None
    return fte if 0 < fte <= 2 else None


def _workers(state: _State) -> Iterator[Item]:
    """A worker record for each professional (ssd_professionals and the involvements): id,
    role, team, FTE and an ``allocation`` event for each involvement of a mapped role."""
    ids = sorted(set(state.professionals) | set(state.allocations), key=_natural)
    for pid in ids:
        prof = state.professionals.get(pid)
        allocations = sorted(
            state.allocations.get(pid, ()), key=lambda a: (a.start, _natural(a.child), a.line)
        )
        role = _role_of(state, prof, allocations)
        if role is None:
            state.idle_row(
                PROFESSIONALS.name,
                "professionals with no role (no involvement of a mapped role, and the job "
                "title not mapped): no worker record",
            )
            continue
        team_id = prof.department if prof is not None else None
        if team_id is None and allocations:
            team_id = next((a.team for a in reversed(allocations) if a.team is not None), None)
        events = [
            {
                "type": "allocation",
                "date": dt.date.fromordinal(a.start),
                "child": a.child,
                **({"end": dt.date.fromordinal(a.end)} if a.end is not None else {}),
                "role": a.role,
                **({"ref": a.ref} if a.ref is not None else {}),
            }
            for a in allocations
        ]
        data: dict[str, Any] = {
            "worker": pid,
            "role": role,
            "team": state.teams.get(team_id, team_id) if team_id is not None else None,
            "fte": prof.fte if prof is not None else None,
            "events": events,
        }
        if state.history_from is not None:
            data["known_from"] = state.history_from
        if prof is not None:
            where = Location(state.files[prof.file].path, prof.line)
        else:
            first = allocations[0]
            where = Location(state.files[first.file].path, first.line)
        try:
            yield Item(where, worker=WorkerRecord.model_validate(data))
        except ValidationError as exc:  # defensive: the rows were checked as they were read
            yield Item(where, error=validation_error(exc, where))


def _role_of(
    state: _State, prof: _Professional | None, allocations: list[_Allocation]
) -> str | None:
    """The job title's role when the council maps job titles, else the role of most of the
    professional's involvements (the latest to start breaks a tie)."""
    if prof is not None and prof.title is not None:
        mapped = state.job_titles.get(normalise(prof.title))
        if mapped is not None:
            return mapped
    if not allocations:
        return None
    counts = Counter(a.role for a in allocations)
    latest = {a.role: a.start for a in allocations}
    return max(counts, key=lambda r: (counts[r], latest[r], r))


def _natural(person: str) -> tuple[int, int, str]:
    return (0, int(person), "") if person.isdigit() else (1, 0, person)


def _fit(fields: list[str], width: int, json_at: list[int]) -> list[str]:
    """A row with as many fields as the header. An unquoted json column split at its commas
    (SQL Server Management Studio's CSV does not quote) is joined again when it is the only
    json column; extra trailing blanks are dropped."""
    n = len(fields)
    if n == width:
        return fields
    if n > width:
        extra = n - width
        if all(not f.strip() for f in fields[width:]):
            return fields[:width]
        if len(json_at) == 1:
            j = json_at[0]
            return [*fields[:j], ",".join(fields[j : j + extra + 1]), *fields[j + extra + 1 :]]
    raise _Bad(f"the row has {n} fields; the header has {width}", None)


class _Parser:
    """A table's row parser for one file: each column read is found once in the header and
    converted by its kind; a bad value rejects the row with the column and the reason."""

    def __init__(self, table: Table, header: list[str]) -> None:
        self.table = table
        self.convs: list[tuple[int, Any, str, bool, bool]] = []
        # the row's own fields: its id, person, period and the dates it is about; a value there
        # that cannot be read rejects the row. Any other date or code is optional: unreadable,
        # it is unknown (BAD_DATE, noted per person) and the row is used (decisions.md)
        hard = {*table.needed, table.person, table.key, table.period, *EVENT_DATES}
        for col in table.columns:
            at = header.index(col.name) if col.name in header else -1
            conv = {"date": parse_date, "flag": parse_flag}.get(col.kind, _text)
            soft = col.kind in ("date", "text") and col.name not in hard
            self.convs.append((at, conv, col.name, col.kind == "date", soft))
        pos = {c.name: n for n, c in enumerate(table.columns)}
        self.needed = [(pos[name], name) for name in table.needed]
        self.ordered = (
            (pos[table.ordered[0]], pos[table.ordered[1]], *table.ordered)
            if table.ordered
            else None
        )
        self.person = pos[table.person] if table.person else None
        self.period = pos[table.period] if table.period else None
        self.zeros = 0

    def parse(self, fields: list[str]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for at, conv, name, is_date, soft in self.convs:
            if at < 0:
                append(None)
                continue
            if soft and "#" in fields[at] and fields[at].strip().upper() in EXCEL_ERRORS:
                append(BAD_DATE)  # an error value (#N/A): unknown
                continue
            try:
                value = conv(fields[at])
            except ValueError as exc:
                if soft or name in SOFT_DATES:
                    append(BAD_DATE)
                    continue
                why = (
                    "an Excel error value (required)"
                    if fields[at].strip().upper() in EXCEL_ERRORS
                    else str(exc)
                )
                raise _Bad(f"{name} is {why}", name, found=value_class(fields[at])) from None
            if is_date and value == ZERO_DATE:
                value = None
                self.zeros += 1
            append(value)
        for at, name in self.needed:
            if out[at] is None:
                raise _Bad(f"{name} is blank (required)", name, "E311", "empty")
        if self.ordered is not None:
            s_at, e_at, s_name, e_name = self.ordered
            start, end = out[s_at], out[e_at]
            if (
                start is not None
                and end is not None
                and BAD_DATE not in (start, end)
                and end < start
            ):
                raise _Bad(f"{e_name} is before {s_name}", e_name)
        return out


def _history_env() -> dt.date | None:
    text = os.environ.get(HISTORY_ENV, "").strip()
    if not text:
        return None
    try:
        return parse_iso(text)
    except DateError:
        raise UsageError(f"{HISTORY_ENV} must be a date YYYY-MM-DD") from None


def __getattr__(name: str) -> Any:
    """``IMPORTER`` is a fresh importer at each lookup. The registry looks it up once per input
    (``detect`` then ``sniff``s that one directory), so the importer's ``supplies`` are those of
    the directory it sniffed, and nothing one run learnt can leak into the next (a long-running
    service, tests in one process)."""
    if name == "IMPORTER":
        return SsdImporter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
