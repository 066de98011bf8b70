"""The timescales pytest plugin (entry point ``pytest11``), active in any project that has
timescales installed.

Rule fixtures as test items
    Every ``tests/rules/<ID>/{pass,fail}/<situation>.yaml`` (the format of
    ``timescales.testing.fixtures``; ``<ID>`` may join several rules, ``LA005_LA009``) becomes
    one test item, ``<ID>-<pass|fail>-<situation>``. A failure shows the case's description,
    the expected and the actual findings side by side, and each difference.

    The rules are the national pack plus the project's own packs: ``--timescales-pack DIR``
    (repeatable) and the ini setting ``timescales_packs`` (paths, relative to the ini file);
    ``--timescales-la NAME`` or ``timescales_la`` selects an installed council plugin, so its
    overrides, term dates and closure days apply. ``timescales_collect_fixtures = false`` turns
    the collection off (for a project that runs its fixtures some other way).

Strategies as fixtures
    ``timescales_ruleset`` (session): the project's rule set. ``timescales_strategies``
    (session): the hypothesis strategies of ``timescales.testing.strategies``, with the project's
    rules as the default pack (``child_records(focus=...)``, ``rules()``, ``rule_sets()``).
    ``timescales_reference`` (session): the naive reference model of the project's rules.
    These need hypothesis (the ``testing`` extra); without it the tests that ask for them skip.

Hypothesis profiles
    With ``TIMESCALES_HYPOTHESIS_PROFILE`` set (``ci`` or ``thorough``) or the ini setting
    ``timescales_hypothesis_profile``, that profile becomes hypothesis's default; otherwise the
    plugin leaves hypothesis's settings alone. Nothing here imports hypothesis unless asked.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ..errors import TimescalesError
from .fixtures import FixtureCase, FixtureError, compare, load_case, read_defaults, run_case

FOLDER_ID = re.compile(r"^[A-Z]{2,4}\d{3}(_[A-Z]{2,4}\d{3})*$")
OUTCOMES = ("pass", "fail")
PROFILE_ENV = "TIMESCALES_HYPOTHESIS_PROFILE"
# the finding keys shown first in failure tables, in this order
COLUMNS = ("rule", "ref", "anchor", "due", "done", "status", "days_late", "working_days_late")
_RULESETS = pytest.StashKey[dict[tuple[Any, ...], Any]]()


# --- options ----------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("timescales", "timescales rule fixtures")
    group.addoption(
        "--timescales-pack",
        action="append",
        default=[],
        metavar="DIR",
        dest="timescales_packs",
        help="a folder of rule files to load besides the national pack (repeatable)",
    )
    group.addoption(
        "--timescales-la",
        default=None,
        metavar="NAME",
        dest="timescales_la",
        help="the council whose installed plugin's rules, overrides and dates apply",
    )
    parser.addini(
        "timescales_packs",
        type="paths",
        default=[],
        help="folders of rule files to load besides the national pack",
    )
    parser.addini("timescales_la", default="", help="the council plugin to apply (its name)")
    parser.addini(
        "timescales_collect_fixtures",
        type="bool",
        default=True,
        help="collect tests/rules/<ID>/{pass,fail}/*.yaml as test items (default true)",
    )
    parser.addini(
        "timescales_hypothesis_profile",
        default="",
        help="load this timescales hypothesis profile (ci or thorough)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "timescales_fixture: a rule fixture case collected by the timescales plugin"
    )
    config.stash[_RULESETS] = {}
    profile = os.environ.get(PROFILE_ENV, "").strip() or config.getini(
        "timescales_hypothesis_profile"
    )
    if profile:
        try:
            from . import profiles

            profiles.load_profile(profile)
        except ImportError:  # hypothesis is not installed: nothing to configure
            pass


def pytest_report_header(config: pytest.Config) -> list[str]:
    packs = ", ".join(str(p) for p in _packs(config)) or "none"
    la = _la(config) or "none"
    collect = "on" if config.getini("timescales_collect_fixtures") else "off"
    return [f"timescales: rule fixtures {collect}; extra packs: {packs}; council: {la}"]


def _packs(config: pytest.Config) -> list[Path]:
    given = [Path(p).resolve() for p in config.getoption("timescales_packs") or []]
    from_ini = [Path(p).resolve() for p in config.getini("timescales_packs") or []]
    out: list[Path] = []
    for path in [*given, *from_ini]:
        if path not in out:
            out.append(path)
    return out


def _la(config: pytest.Config) -> str | None:
    return config.getoption("timescales_la") or config.getini("timescales_la") or None


def project_ruleset(config: pytest.Config) -> Any:
    """The national pack plus the project's packs (and council), loaded once per session.
    Raises the loader's error (a RuleError naming file and line) if a pack is invalid."""
    key = (tuple(_packs(config)), _la(config))
    cache = config.stash[_RULESETS]
    if key not in cache:
        from ..ruleset.pack import load_rules

        try:
            cache[key] = load_rules(la=key[1], extra_packs=key[0])
        except TimescalesError as exc:
            cache[key] = exc
    found = cache[key]
    if isinstance(found, Exception):
        raise found
    return found


# --- collection -------------------------------------------------------------------------------


def fixture_location(path: Path) -> tuple[str, str] | None:
    """(rule folder, outcome) when ``path`` is a fixture file: tests/rules/<ID>/<outcome>/x.yaml."""
    parts = path.parts
    if path.suffix not in (".yaml", ".yml") or len(parts) < 5:
        return None
    tests, rules, folder, outcome = parts[-5], parts[-4], parts[-3], parts[-2]
    if tests != "tests" or rules != "rules" or outcome not in OUTCOMES:
        return None
    if not FOLDER_ID.match(folder):
        return None
    return folder, outcome


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not parent.config.getini("timescales_collect_fixtures"):
        return None
    if fixture_location(file_path) is None:
        return None
    return RuleFixtureFile.from_parent(parent, path=file_path)


class RuleFixtureFile(pytest.File):
    """One fixture file: one case."""

    def collect(self) -> Iterator[pytest.Item]:
        located = fixture_location(self.path)
        assert located is not None
        folder, outcome = located
        item = RuleFixtureItem.from_parent(
            self, name=f"{folder}-{outcome}-{self.path.stem}", folder=folder, outcome=outcome
        )
        item.add_marker("timescales_fixture")
        yield item


class FixtureMismatch(Exception):
    """The findings differ from what the case expects."""

    def __init__(self, case: FixtureCase, actual: list[dict[str, Any]], problems: list[str]):
        super().__init__("\n".join(problems))
        self.case = case
        self.actual = actual
        self.problems = problems


class RuleFixtureItem(pytest.Item):
    """Run one fixture case against the project's rules and compare the findings."""

    def __init__(self, *, folder: str, outcome: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = folder
        self.outcome = outcome

    def load(self) -> FixtureCase:
        defaults = read_defaults(self.path.parent.parent)
        return load_case(self.path, self.folder, self.outcome, defaults)

    def runtest(self) -> None:
        case = self.load()
        ruleset = project_ruleset(self.config)
        unknown = [r for r in case.rules if r not in ruleset.by_id]
        if unknown:
            raise FixtureError(
                f"{self.path}: rule(s) {', '.join(unknown)} are not in the rule set (the national "
                "pack plus: "
                + (", ".join(str(p) for p in _packs(self.config)) or "no packs")
                + "); give the pack with --timescales-pack DIR or the ini setting "
                "timescales_packs, or the council with --timescales-la NAME"
            )
        actual = run_case(case, ruleset)
        problems = compare(case.expect, actual)
        if problems:
            raise FixtureMismatch(case, actual, problems)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        error = excinfo.value
        if isinstance(error, FixtureMismatch):
            return mismatch_report(error.case, error.actual, error.problems)
        if isinstance(error, (FixtureError, TimescalesError)):
            return f"{self.path}: {error}" if str(self.path) not in str(error) else str(error)
        if type(error).__name__ == "ValidationError":  # an invalid record in the fixture
            return f"{self.path}: the record is not a valid case record:\n{error}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"rule fixture {self.name}"


def _cell(finding: dict[str, Any], key: str, pinned_only: bool) -> str:
    if pinned_only and key not in finding:
        return "*"  # the case does not pin this key
    value = finding.get(key)
    return "-" if value is None else str(value)


def _table(findings: Sequence[dict[str, Any]], keys: Sequence[str], expected: bool) -> list[str]:
    if not findings:
        return ["  (none)"]
    rows = [[_cell(f, k, expected) for k in keys] for f in findings]
    widths = [max([len(k), *(len(r[i]) for r in rows)]) for i, k in enumerate(keys)]

    def line(cells: Sequence[str]) -> str:
        return ("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

    return [line(keys), *(line(r) for r in rows)]


def mismatch_report(
    case: FixtureCase, actual: Sequence[dict[str, Any]], problems: Sequence[str]
) -> str:
    """Expected and actual findings as two tables over the keys the case pins, then each
    difference, e.g.::

        LA005 fail/review-one-day-late.yaml: Review on Thu 4 May 2023, one working day late
        as_of 2023-06-30; rules LA005
        expected (1 finding; * = not checked):
          rule   anchor      due         done        status
          LA005  2023-03-31  2023-05-03  2023-05-04  late
        actual (1 finding):
          LA005  2023-03-31  2023-05-03  2023-05-05  late
        differences:
          finding 1 (LA005): done expected '2023-05-04', got '2023-05-05'
    """
    pinned = [k for k in COLUMNS if any(k in e for e in case.expect)]
    pinned += sorted({k for e in case.expect for k in e} - set(pinned))
    keys = pinned or list(COLUMNS)
    heading = f"{case.rule} {case.outcome}/{case.path.name}: {' '.join(case.description.split())}"
    lines = [
        textwrap.fill(heading, width=100, subsequent_indent="  "),
        f"as_of {case.as_of.isoformat()}; rules {', '.join(case.rules)}",
        f"expected ({len(case.expect)} finding{'s' if len(case.expect) != 1 else ''}; "
        "* = not checked):",
        *_table(case.expect, keys, expected=True),
        f"actual ({len(actual)} finding{'s' if len(actual) != 1 else ''}):",
        *_table(actual, keys, expected=False),
        "differences:",
    ]
    lines += [
        f"  {p}"
        for p in problems
        if not p.startswith("actual findings") and p.strip() and not p.startswith("  ")
    ]
    return "\n".join(lines)


# --- strategies and the reference model as fixtures -------------------------------------------


def _need_hypothesis() -> None:
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        pytest.skip("hypothesis is not installed (pip install 'timescales[testing]')")


@pytest.fixture(scope="session")
def timescales_ruleset(pytestconfig: pytest.Config) -> Any:
    """The project's rule set: the national pack plus its packs (and council)."""
    return project_ruleset(pytestconfig)


@pytest.fixture(scope="session")
def timescales_strategies(timescales_ruleset: Any) -> SimpleNamespace:
    """The strategies of ``timescales.testing.strategies``, defaulting to the project's rules:
    ``dates``, ``events``, ``child_records``, ``as_of_dates``, ``rules``, ``rule_sets``,
    ``school_terms``. Session-scoped, so it may be used inside ``@given`` tests."""
    _need_hypothesis()
    from . import strategies

    project = list(timescales_ruleset.rules)

    def child_records(**kwargs: Any) -> Any:
        if kwargs.get("focus") is not None:
            kwargs.setdefault("pack", project)
        return strategies.child_records(**kwargs)

    def rules(**kwargs: Any) -> Any:
        kwargs.setdefault("ruleset", timescales_ruleset)
        return strategies.rules(**kwargs)

    def rule_sets(**kwargs: Any) -> Any:
        kwargs.setdefault("ruleset", timescales_ruleset)
        return strategies.rule_sets(**kwargs)

    return SimpleNamespace(
        dates=strategies.dates,
        events=strategies.events,
        child_records=child_records,
        as_of_dates=strategies.as_of_dates,
        rules=rules,
        rule_sets=rule_sets,
        school_terms=strategies.school_terms,
    )


@pytest.fixture(scope="session")
def timescales_reference(timescales_ruleset: Any) -> Any:
    """The naive reference model of the project's rules (``ReferenceModel``)."""
    from .reference import ReferenceModel

    return ReferenceModel.like(timescales_ruleset)
