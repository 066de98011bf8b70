"""Keep docs/seed-coverage.md honest against the installed national rule pack.

The page maps every national timescale and aggregate measure of the seed catalogue to the
rule IDs that encode it, or gives a reason why it is not a per-case rule. These tests read
only the page and the installed pack (never the seed catalogue itself, which is not shipped
with the project). Each test gathers every violation and fails once with the full list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import timescales

PAGE = Path(__file__).resolve().parents[2] / "docs" / "seed-coverage.md"

# Counted from seed-timescales.md section 2 ("National timescales cited") on the day this
# test was written: PF001-PF005, RA001, AS001-AS003, CP001-CP007, LA001-LA020, MI001,
# CO001-CO004, AD001-AD007, CL001-CL006, SA001, IR001, WF001-WF003, ED001-ED003,
# HE001-HE004 = 66 items. The page may list more, never fewer.
NATIONAL_ITEMS = 66
# Counted from seed-timescales.md section 3 (LANC001-LANC033) on the same day.
LANCASHIRE_ITEMS = 33

RULE_ID = re.compile(r"^[A-Z]{2,4}\d{3}$")
NOT_ENCODED = ("not a per-case rule", "not in the pack")
ENCODED_COLUMN = "encoded as"
REASON_COLUMN = "why / note"


@dataclass
class Table:
    heading: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_tables(text: str) -> list[Table]:
    """Every markdown table on the page, with the heading it sits under and its line numbers."""
    tables: list[Table] = []
    heading = ""
    current: Table | None = None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            heading = stripped.lstrip("#").strip()
        if not stripped.startswith("|"):
            current = None
            continue
        if current is None:
            following = lines[number] if number < len(lines) else ""
            if not re.fullmatch(r"\|?\s*:?-{3,}.*", following.strip()):
                continue
            current = Table(heading, [c.lower() for c in _cells(stripped)])
            tables.append(current)
            continue
        cells = _cells(stripped)
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        current.rows.append((number, dict(zip(current.header, cells, strict=False))))
    return tables


def encoded_ids(cell: str) -> list[str] | None:
    """Rule IDs named in an "encoded as" cell, or None when the row is not encoded."""
    if cell.lower() in NOT_ENCODED:
        return None
    return [token for token in re.split(r"[,\s]+", cell.replace("`", "")) if token]


def _fail(title: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{title} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def page_text() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(page_text: str) -> list[Table]:
    found = [t for t in parse_tables(page_text) if ENCODED_COLUMN in t.header]
    assert found, f"{PAGE}: no table with an '{ENCODED_COLUMN}' column"
    return found


@pytest.fixture(scope="module")
def national(tables: list[Table]) -> Table:
    matches = [t for t in tables if "section 2" in t.heading.lower()]
    assert len(matches) == 1, "expected one table under a heading naming 'section 2'"
    return matches[0]


@pytest.fixture(scope="module")
def pack_ids() -> set[str]:
    return set(timescales.load_rules().by_id)


def test_encoded_cells_are_rule_ids_or_a_known_label(tables: list[Table]) -> None:
    problems = []
    for table in tables:
        for line, row in table.rows:
            ids = encoded_ids(row.get(ENCODED_COLUMN, ""))
            if ids is None:
                continue
            bad = [token for token in ids if not RULE_ID.match(token)]
            if not ids or bad:
                problems.append(
                    f"line {line}: {ENCODED_COLUMN!r} is {row.get(ENCODED_COLUMN)!r}: "
                    f"give rule IDs or one of {NOT_ENCODED}"
                )
    _fail("malformed 'encoded as' cells", problems)


def test_every_encoded_rule_exists_in_the_pack(tables: list[Table], pack_ids: set[str]) -> None:
    problems = []
    for table in tables:
        for line, row in table.rows:
            for rule_id in encoded_ids(row.get(ENCODED_COLUMN, "")) or []:
                if RULE_ID.match(rule_id) and rule_id not in pack_ids:
                    problems.append(f"line {line}: {rule_id} is not in the loaded rule pack")
    _fail("rule IDs on the page that the pack does not have", problems)


def test_every_pack_rule_is_named_on_the_page(tables: list[Table], pack_ids: set[str]) -> None:
    named = {
        rule_id
        for table in tables
        for _, row in table.rows
        for rule_id in encoded_ids(row.get(ENCODED_COLUMN, "")) or []
    }
    missing = sorted(pack_ids - named)
    _fail(
        "pack rules that docs/seed-coverage.md never names as 'encoded as'",
        [f"{rule_id} is in the pack but no row says it encodes a seed item" for rule_id in missing],
    )


def test_every_unencoded_row_gives_a_reason(tables: list[Table]) -> None:
    problems = []
    for table in tables:
        for line, row in table.rows:
            if encoded_ids(row.get(ENCODED_COLUMN, "")) is None and not row.get(REASON_COLUMN):
                problems.append(f"line {line}: {row.get(table.header[0])} has no reason")
    _fail("rows that are not encoded but give no reason", problems)


def test_no_seed_item_appears_twice(tables: list[Table], national: Table) -> None:
    first = national.header[0]
    counts = Counter(row[first] for _, row in national.rows)
    problems = [
        f"{item} appears {n} times in the national table" for item, n in counts.items() if n > 1
    ]
    everywhere = Counter(
        row[table.header[0]]
        for table in tables
        for _, row in table.rows
        if RULE_ID.match(row.get(table.header[0], ""))
    )
    problems += [
        f"{item} appears {n} times across the page's tables"
        for item, n in everywhere.items()
        if n > 1 and counts[item] <= 1
    ]
    _fail("duplicate seed items", problems)


def test_national_table_keeps_every_seed_item(national: Table) -> None:
    first = national.header[0]
    items = [row[first] for _, row in national.rows if RULE_ID.match(row.get(first, ""))]
    assert len(items) >= NATIONAL_ITEMS, (
        f"the national table lists {len(items)} seed items; the seed catalogue's section 2 "
        f"had {NATIONAL_ITEMS}: a row has been lost"
    )


def test_lancashire_items_are_listed_as_local_plugin(page_text: str) -> None:
    lines = [line for line in page_text.splitlines() if re.match(r"^\s*[-*]\s+LANC\d{3}\b", line)]
    problems = [line.strip() for line in lines if "local plugin" not in line.lower()]
    if len(lines) < LANCASHIRE_ITEMS:
        problems.append(f"only {len(lines)} LANC items listed; section 3 has {LANCASHIRE_ITEMS}")
    _fail("Lancashire items", problems)
