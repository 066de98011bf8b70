"""No rule arithmetic in the importers: every limit they compare with comes from the rule set.

An importer that counted "15 working days" itself would never see a council's override or a
rule's effective dates. The first tests walk every importer module with ``ast`` and refuse the
calendar's date arithmetic and constants named like a timescale; the rest check that the limit
really comes from the rules: a changed CP002 (a replaced rule, or a council's override through
``--la``) changes the CIN census DATA020 comparison, an absent or not-yet-in-force rule skips
it, and the SSD's and Annex A's comparisons follow the review schedules' rules.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from cin_xml import census, child, cin, section47, write
from ssd_extract import full_extract, write_extract

from conftest import ROOT
from timescales.calendar import ENGLAND, add_months
from timescales.importers import ImportContext, Item
from timescales.importers.cin_census import IMPORTER as CIN
from timescales.importers.ssd import SsdImporter
from timescales.rules.model import Effective, Limit, Rule
from timescales.ruleset.oracle import RuleOracle
from timescales.ruleset.pack import load_rules
from timescales.ruleset.ruleset import RuleSet

IMPORTERS = ROOT / "engine" / "timescales" / "importers"

# the calendar's date arithmetic (and the standard library's / dateutil's): a call to any of
# these, on any object, is counting a limit
ARITHMETIC = frozenset(
    {
        "add_working_days",
        "add_months",
        "add_weeks",
        "add_days",
        "add_years",
        "beginning_with",
        "working_days_between",
        "due_date",
        "timedelta",
        "relativedelta",
    }
)
# any call on the calendar module or a calendar object is arithmetic too
CALENDARS = frozenset({"calendar", "ENGLAND"})
# what an importer may take from the calendar module: the error a rule's count raises
CALENDAR_IMPORTS = frozenset({"CalendarRangeError"})
TIMESCALE_NAME = re.compile(
    r"(?:^|_)(?:WD|WDS|DAYS|WORKING_DAYS|WEEKS|MONTHS|YEARS|HOURS|TERMS)$", re.IGNORECASE
)

# (module, enclosing function, name called): why it is not a rule's limit. Keep this small.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("ssd.py", "_due_kind", "timedelta"): (
        "recognises how a council's script counted *its* due date (the anchor + 91 days for 3 "
        "months); our due date is the rule's (a Due from ImportContext.due)"
    ),
}


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_int(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _is_int(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_int(node.left) and _is_int(node.right)
    return False


def _constants(body: list[ast.stmt]) -> list[tuple[int, str]]:
    """(line, name) of the integer constants named like a timescale in a module or class."""
    out = []
    for stmt in body:
        pairs: list[tuple[ast.expr, ast.expr | None]] = []
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple):
                    pairs += zip(target.elts, stmt.value.elts, strict=False)
                else:
                    pairs.append((target, stmt.value))
        elif isinstance(stmt, ast.AnnAssign):
            pairs.append((stmt.target, stmt.value))
        for target, value in pairs:
            if isinstance(target, ast.Name) and TIMESCALE_NAME.search(target.id) and _is_int(value):
                out.append((stmt.lineno, target.id))
    return out


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.where: list[str] = ["<module>"]
        self.found: list[str] = []
        self.used: set[tuple[str, str, str]] = set()

    def _flag(self, node: ast.AST, name: str, what: str) -> None:
        key = (self.module, self.where[-1], name)
        if key in ALLOWED:
            self.used.add(key)
            return
        self.found.append(f"{self.module}:{getattr(node, 'lineno', 0)} in {key[1]}: {what}")

    def _scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _scope

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for line, name in _constants(node.body):
            self.found.append(f"{self.module}:{line}: constant {name} named like a timescale")
        self._scope(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ARITHMETIC:
            self._flag(node, func.id, f"calls {func.id}()")
        elif isinstance(func, ast.Attribute):
            root = _root(func)
            if func.attr in ARITHMETIC:
                self._flag(node, func.attr, f"calls .{func.attr}()")
            elif root in CALENDARS:
                self._flag(node, func.attr, f"calls {root}...{func.attr}()")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        from_calendar = (node.module or "").split(".")[-1] == "calendar"
        for alias in node.names:
            if alias.name in ARITHMETIC or (from_calendar and alias.name not in CALENDAR_IMPORTS):
                self._flag(node, alias.name, f"imports {alias.name} from {node.module}")


def scan(source: str, module: str) -> tuple[list[str], set[tuple[str, str, str]]]:
    """What in ``source`` counts a limit by itself, and the allow-list entries it used."""
    tree = ast.parse(source)
    finder = _Finder(module)
    finder.visit(tree)
    constants = [
        f"{module}:{line}: constant {name} named like a timescale"
        for line, name in _constants(tree.body)
    ]
    return constants + finder.found, finder.used


MODULES = sorted(IMPORTERS.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_importer_counts_a_limit_itself(path: Path) -> None:
    found, _ = scan(path.read_text(encoding="utf-8"), path.name)
    assert not found, (
        "an importer must take due dates from the rules (ImportContext.due), not count them:\n"
        + "\n".join(found)
    )


def test_every_allowance_is_still_needed() -> None:
    used: set[tuple[str, str, str]] = set()
    for path in MODULES:
        used |= scan(path.read_text(encoding="utf-8"), path.name)[1]
    assert set(ALLOWED) == used, set(ALLOWED) - used


@pytest.mark.parametrize(
    "source",
    [
        "ICPC_WORKING_DAYS = 15",
        "LA_FIRST_REVIEW_WD = 20",
        "FIRST, REVIEW_MONTHS = 'x', 3",
        "class K:\n    VISIT_DAYS: int = 7",
        "from .. import calendar\ndef f(d):\n    return calendar.add_working_days(d, 15)",
        "from .. import calendar\ndef f(d):\n    return calendar.ENGLAND.add_working_days(d, 20)",
        "from ..calendar import ENGLAND\ndef f(d):\n    return ENGLAND.is_working_day(d)",
        "def f(d, cal):\n    return cal.working_days_between(d, d)",
        "from ..calendar import add_months",
        "import datetime as dt\ndef f(d):\n    return d + dt.timedelta(days=91)",
    ],
)
def test_the_scan_catches_limit_arithmetic(source: str) -> None:
    assert scan(source, "bad.py")[0]


@pytest.mark.parametrize(
    "source",
    [
        "SPILL_BYTES = 16 * 1024 * 1024",
        "FIRST_YEAR, LAST_YEAR = 1900, 2099",
        "_MONTHS = {'jan': 1}",
        "from ..calendar import CalendarRangeError",
        "def f(context, d):\n    due = context.due('CP002', d)\n    return due.working_days_to(d)",
    ],
)
def test_the_scan_lets_the_rest_through(source: str) -> None:
    assert scan(source, "good.py")[0] == []


# ----------------------------------------------------------------------------- the oracle

NATIONAL = load_rules(autoload=False)


def _with(ruleset: RuleSet, rule_id: str, **update: Any) -> RuleSet:
    """The rule set with one rule changed (a council's replaced rule)."""
    rules: list[Rule] = [
        r.model_copy(update=update) if r.id == rule_id else r for r in ruleset.rules
    ]
    return ruleset.replace(rules)


def _without(ruleset: RuleSet, *ids: str) -> RuleSet:
    return ruleset.replace([r for r in ruleset.rules if r.id not in ids])


def test_oracle_answers_each_occurrence_of_a_schedule_by_its_governing_rule() -> None:
    oracle = RuleOracle(NATIONAL)
    start, first, second = dt.date(2023, 3, 31), dt.date(2023, 4, 28), dt.date(2023, 7, 20)
    la005 = oracle.due("LA005", start)
    assert la005 is not None and la005.rule == "LA005"
    assert la005.date == ENGLAND.add_working_days(start, 20)
    assert la005.describe() == "20 working days"
    la006 = oracle.due("LA005", first, occurrence=2)
    assert la006 is not None and (la006.rule, la006.date) == ("LA006", add_months(first, 3))
    la007 = oracle.due("LA006", second, occurrence=5)  # a follower names its schedule too
    assert la007 is not None and (la007.rule, la007.date) == ("LA007", add_months(second, 6))
    cp004 = oracle.due("CP003", first, occurrence=2)
    assert cp004 is not None and (cp004.rule, cp004.describe()) == ("CP004", "6 months")
    cp002 = oracle.due("CP002", start)
    assert cp002 is not None and cp002.date == ENGLAND.add_working_days(start, 15)
    assert cp002.working_days_to(ENGLAND.add_working_days(start, 14)) == -1
    with pytest.raises(ValueError):
        oracle.due("CP002", start, occurrence=2)


def test_oracle_is_silent_on_a_rule_absent_or_not_in_force() -> None:
    assert RuleOracle(_without(NATIONAL, "CP002")).due("CP002", dt.date(2023, 9, 5)) is None
    later = _with(NATIONAL, "CP002", effective=Effective.model_validate({"from": "2024-01-01"}))
    oracle = RuleOracle(later)
    assert oracle.due("CP002", dt.date(2023, 9, 5)) is None
    assert oracle.due("CP002", dt.date(2024, 1, 2)) is not None
    assert RuleOracle(NATIONAL).due("XX999", dt.date(2023, 9, 5)) is None


def test_a_bare_import_context_uses_the_national_pack() -> None:
    due = ImportContext().due("CP002", dt.date(2023, 9, 5))
    assert due is not None and due.describe() == "15 working days"
    assert due.date == dt.date(2023, 9, 26)


# ----------------------------------------------------------------------------- CIN census DATA020

START = "2023-09-05"  # a Tuesday: 15 working days -> 26 Sep, 10 working days -> 19 Sep
FIFTEEN, TEN = "2023-09-26", "2023-09-19"
TEN_WD = [Limit(unit="working_days", value=10)]


def _cin_file(tmp_path: Path, target: str) -> Path:
    xml = child("T1", cin("2023-09-01", s47=[section47(START, "2023-09-29", target=target)]))
    return write(tmp_path / "cin.xml", census([xml]))


def _targets(items: list[Item]) -> list[str]:
    return [n.message for i in items for n in i.quality if n.code == "DATA020"]


@pytest.mark.parametrize(
    ("rules", "target", "expected"),
    [
        (None, FIFTEEN, None),  # the national pack: 15 working days agree
        (None, TEN, f"5 working days earlier than our due date {FIFTEEN} (15 working days"),
        ("replaced", TEN, None),  # CP002 at 10 working days: the council's target agrees
        ("replaced", FIFTEEN, f"5 working days later than our due date {TEN} (10 working days"),
    ],
)
def test_cin_target_is_compared_with_the_rule_sets_cp002(
    tmp_path: Path, rules: str | None, target: str, expected: str | None
) -> None:
    context = ImportContext(rules=_with(NATIONAL, "CP002", limit=TEN_WD) if rules else None)
    notes = _targets(list(CIN.read(_cin_file(tmp_path, target), context)))
    if expected is None:
        assert notes == []
    else:
        (note,) = notes
        assert expected in note, note


@pytest.mark.parametrize(
    "ruleset",
    [
        _without(NATIONAL, "CP002"),
        _with(NATIONAL, "CP002", effective=Effective.model_validate({"from": "2024-01-01"})),
    ],
    ids=["absent", "not-yet-in-force"],
)
def test_cin_target_is_not_compared_without_cp002_in_force(
    tmp_path: Path, ruleset: RuleSet
) -> None:
    items = list(CIN.read(_cin_file(tmp_path, TEN), ImportContext(rules=ruleset)))
    assert [n.code for i in items for n in i.quality] == []  # no DATA020, no DATA021


def _council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A council plugin whose override brings CP002 forward to 10 working days."""
    folder = tmp_path / "overrides"
    folder.mkdir()
    (folder / "icpc.yaml").write_text(
        textwrap.dedent(
            """
            name: icpc-ten-days
            title: Initial conference within 10 working days of the s47 start
            rule: CP002
            value: {working_days: 10}
            references:
              - {title: A council procedure, href: "https://www.gov.uk/x"}
            """
        )
    )
    name = "tsp_icpc_override"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from timescales.plugins import Authority, hookimpl
            @hookimpl
            def timescales_authorities():
                return [Authority(name="quick", title="Quick conferences test council")]
            @hookimpl
            def timescales_overrides(la):
                return [Path({str(folder)!r})] if la == "quick" else []
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return name


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_councils_override_reaches_the_cin_importer(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """``--la`` with an override of CP002: the run hands its rule set to the importer, so the
    council's InitialCPCtarget is compared with the council's own due date."""
    plugin = _council(tmp_path, monkeypatch)
    path = _cin_file(tmp_path, FIFTEEN)
    dq = tmp_path / "dq.jsonl"
    res = cli("check", str(path), "--as-of", "2024-03-31", "--format", "jsonl", "--jobs", jobs,
              "-p", plugin, "--la", "quick", "--data-quality", str(dq))  # fmt: skip
    assert "Traceback" not in res.err
    (cp002,) = [f for f in map(json.loads, res.out.splitlines()) if f["rule"] == "CP002"]
    assert cp002["due"] == TEN and cp002["override"] == "icpc-ten-days"
    notes = [json.loads(line) for line in dq.read_text().splitlines()]
    (note,) = [n for n in notes if n["code"] == "DATA020"]
    assert f"later than our due date {TEN} (10 working days after S47" in note["message"]
    # without the council, the national 15 working days agree with the target
    res = cli("check", str(path), "--as-of", "2024-03-31", "--format", "jsonl",
              "--data-quality", str(dq))  # fmt: skip
    assert "DATA020" not in dq.read_text()


# ----------------------------------------------------------------------------- SSD and Annex A


def _ssd_notes(extract: Path, rules: RuleSet) -> list[str]:
    context = ImportContext(as_of=dt.date(2024, 6, 1), rules=rules)
    items = list(SsdImporter().read(extract, context))
    return [n.message for i in items for n in i.quality if n.code == "DATA040"]


def test_ssd_due_dates_follow_the_review_and_conference_rules(tmp_path: Path) -> None:
    extract = write_extract(tmp_path / "ssd", full_extract())
    national = _ssd_notes(extract, NATIONAL)
    assert any("3 months after the previous review" in n for n in national)
    assert any("15 working days after the strategy discussion" in n for n in national)
    changed = _with(
        _with(NATIONAL, "LA006", limit=[Limit(unit="months", value=2)]), "CP001", limit=TEN_WD
    )
    notes = _ssd_notes(extract, changed)
    assert not any("3 months after the previous review" in n for n in notes if "clar_" in n)
    assert any("2 months after the previous review" in n for n in notes)
    assert any("10 working days after the strategy discussion" in n for n in notes)
    # without the rules, nothing is compared
    assert (
        _ssd_notes(
            extract, _without(NATIONAL, "LA005", "LA006", "LA007", "CP001", "CP003", "CP004")
        )
        == []
    )


def test_annex_a_asks_the_rules_nothing(tmp_path: Path) -> None:
    """Annex A no longer gates a latest-only review by the first review's due date: it says
    where the review history begins (known_from) and the engine decides. So its records do not
    depend on the rules at all, and it never asks them (issue 18)."""
    from annex_workbooks import Sheet, write_workbook

    from timescales.importers.annex_a import IMPORTER as ANNEX

    start, review = dt.date(2023, 3, 1), dt.date(2023, 3, 31)  # 22 working days later
    sheets = [
        Sheet(
            "CLA",
            8,
            [
                {
                    "Child Unique ID": "A1",
                    "Date Started to be Looked After": start,
                    "Date of Latest Statutory Review": review,
                }
            ],
        )
    ]
    path = write_workbook(tmp_path / "a.xlsx", sheets)

    def read(rules: RuleSet) -> str:
        items = list(ANNEX.read(path, ImportContext(rules=rules)))
        (record,) = [i.record for i in items if i.record is not None]
        assert not [n for i in items for n in i.quality]
        return record.model_dump_json()

    longer = _with(NATIONAL, "LA005", limit=[Limit(unit="working_days", value=25)])
    assert read(NATIONAL) == read(longer) == read(_without(NATIONAL, "LA005", "LA006", "LA007"))
    assert '"from_":"2023-03-31","case":"L8:2023-03-01"' in read(NATIONAL)
    source = (IMPORTERS / "annex_a.py").read_text(encoding="utf-8")
    assert ".due(" not in source
