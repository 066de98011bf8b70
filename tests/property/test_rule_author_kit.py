"""The test kit as a council's rule author meets it: ``pytest`` run in a project of their own.

Each scenario is a separate pytest run in a subprocess (started together, so they overlap):
the example pack in ``examples/rule-author`` passes; a wrong expectation fails with expected and
actual findings side by side; packs come from ``--timescales-pack``; collection can be turned
off; and without hypothesis the fixtures still run while the strategy fixtures skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "rule-author"


@dataclass
class Outcome:
    code: int
    out: str


def _project(tmp: Path, *, ini: str, property_test: bool = False) -> Path:
    """A copy of the example project (rules and fixtures) with its own ini."""
    project = tmp
    shutil.copytree(EXAMPLE / "rules", project / "rules")
    shutil.copytree(EXAMPLE / "tests" / "rules", project / "tests" / "rules")
    (project / "pytest.ini").write_text(ini, encoding="utf-8")
    if property_test:
        (project / "tests" / "test_uses_strategies.py").write_text(
            "def test_strategies_fixture(timescales_strategies):\n"
            "    assert timescales_strategies.child_records\n",
            encoding="utf-8",
        )
    return project


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.pop("PYTHONPATH", None)
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    scenarios: dict[str, tuple[Path, list[str], dict[str, str]]] = {}

    scenarios["example"] = (EXAMPLE, [], env)

    wrong = _project(tmp_path_factory.mktemp("wrong"), ini="[pytest]\ntestpaths = tests\n")
    case = wrong / "tests/rules/EXC001/fail/visit-one-working-day-late-after-christmas.yaml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("done: 2024-01-03", "done: 2024-01-04"),
        encoding="utf-8",
    )
    # the scenarios that need no hypothesis load only this plugin (faster start)
    only_ours = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    ours = ["-p", "timescales.testing.pytest_plugin"]
    scenarios["wrong"] = (wrong, [*ours, "--timescales-pack", "rules"], only_ours)

    off = _project(
        tmp_path_factory.mktemp("off"),
        ini="[pytest]\ntestpaths = tests\ntimescales_packs = rules\n"
        "timescales_collect_fixtures = false\n",
    )
    scenarios["off"] = (off, ours, only_ours)

    bare = _project(
        tmp_path_factory.mktemp("bare"),
        ini="[pytest]\ntestpaths = tests\ntimescales_packs = rules\n"
        "timescales_hypothesis_profile = ci\n",
        property_test=True,
    )
    blocker = tmp_path_factory.mktemp("no-hypothesis")
    (blocker / "hypothesis").mkdir()
    (blocker / "hypothesis" / "__init__.py").write_text(
        "raise ImportError('hypothesis is not installed (simulated)')\n", encoding="utf-8"
    )
    # other installed plugins (hypothesis's own, schemathesis) need hypothesis: load only ours
    no_hypothesis = {**only_ours, "PYTHONPATH": str(blocker)}
    scenarios["no-hypothesis"] = (bare, [*ours, "-rs"], no_hypothesis)

    procs = {
        name: subprocess.Popen(
            [*base, *args],
            cwd=cwd,
            env=scenario_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, (cwd, args, scenario_env) in scenarios.items()
    }
    outcomes = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        outcomes[name] = Outcome(proc.returncode, out)
    yield outcomes


def test_the_example_rule_pack_passes_as_a_user_runs_it(runs: dict[str, Outcome]) -> None:
    result = runs["example"]
    assert result.code == 0, result.out
    assert "10 passed" in result.out, result.out


def test_a_wrong_expectation_shows_expected_and_actual_findings(runs: dict[str, Outcome]) -> None:
    result = runs["wrong"]
    assert result.code == 1, result.out
    assert "1 failed, 6 passed" in result.out, result.out
    out = result.out
    assert "EXC001-fail-visit-one-working-day-late-after-christmas" in out
    assert "expected (2 findings; * = not checked):" in out and "actual (2 findings):" in out
    assert "done expected '2024-01-04', got '2024-01-03'" in out
    # the case's own description heads the report
    assert "one working day late" in out


def test_fixture_collection_can_be_turned_off(runs: dict[str, Outcome]) -> None:
    result = runs["off"]
    assert result.code == 5, result.out  # no tests collected
    assert "no tests ran" in result.out, result.out


def test_without_hypothesis_fixtures_run_and_strategies_skip(runs: dict[str, Outcome]) -> None:
    result = runs["no-hypothesis"]
    assert result.code == 0, result.out
    assert "7 passed, 1 skipped" in result.out, result.out
    assert "hypothesis is not installed" in result.out, result.out
