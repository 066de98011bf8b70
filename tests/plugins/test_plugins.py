"""Council plugins: discovery, composition, overrides, closure days, terms, broken plugins."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from timescales import ChildRecord, RuleError, load_rules
from timescales.calendar import ENGLAND
from timescales.plugins import hookspecs
from timescales.plugins.manager import PluginError
from timescales.plugins.model import Override
from timescales.rules.limits import due_date
from timescales.rules.model import Limit
from timescales.rules.overrides import activate
from timescales.testing import compare, load_cases, run_case, uncaught_mutations

PLUGINS = ROOT / "plugins"
# the values Lancashire's fixtures are written against (the reports give none: each rule says so)
LANCASHIRE_SETTINGS = PLUGINS / "lancashire" / "tests" / "settings.yaml"
LANCASHIRE = load_rules(la="lancashire", settings=LANCASHIRE_SETTINGS)
BOROUGH = load_rules(la="example-borough")
COUNCILS = [
    ("lancashire", LANCASHIRE, PLUGINS / "lancashire" / "tests" / "rules"),
    ("example-borough", BOROUGH, PLUGINS / "example-borough" / "tests" / "rules"),
]
CASES = [(name, rs, case) for name, rs, root in COUNCILS for case in load_cases(root)]


@pytest.mark.parametrize(("la", "ruleset", "case"), CASES, ids=lambda v: getattr(v, "id", ""))
def test_council_fixtures(la: str, ruleset, case) -> None:
    problems = compare(case.expect, run_case(case, ruleset))
    assert not problems, f"{case.path}\n" + "\n".join(problems)


@pytest.mark.parametrize(("la", "ruleset", "root"), COUNCILS, ids=[c[0] for c in COUNCILS])
def test_council_rules_have_fixtures_that_catch_a_wrong_limit(la: str, ruleset, root) -> None:
    cases = list(load_cases(root))
    local = sorted(ruleset.local_rules)
    assert local, f"{la} has no local rules"
    missed = {rule: uncaught_mutations(ruleset, cases, rule) for rule in local}
    assert not any(missed.values()), missed


def test_check_with_la_reports_local_beside_national(cli) -> None:
    res = cli(
        "check",
        str(ROOT / "examples" / "lancashire.jsonl"),
        "--as-of",
        "2024-03-31",
        "--la",
        "lancashire",
        "--format",
        "jsonl",
    )
    findings = [json.loads(line) for line in res.out.splitlines()]
    rules = {f["rule"] for f in findings}
    assert {"LANC001", "LANC002", "RA001", "LA005"} <= rules
    assert {f["la"] for f in findings} == {"lancashire"}
    (ra,) = [f for f in findings if f["rule"] == "RA001" and f["ref"] == "R1"]
    assert ra["override"] == "lancashire-mash-24-hours"
    assert ra["due"] == "2024-03-02" and ra["national_due"] == "2024-03-04"
    assert ra["status"] == "late"


def test_without_la_council_event_types_are_rejected(cli) -> None:
    res = cli("check", str(ROOT / "examples" / "lancashire.jsonl"), "--as-of", "2024-03-31")
    assert "unknown event type 'lancashire.lac_assessment'" in res.err
    assert "LANC001" not in res.out


def test_plugins_list_shows_councils_with_citations(cli) -> None:
    res = cli("plugins", "list", "--format", "json")
    rows = {row["name"]: row for row in json.loads(res.out)}
    assert {"lancashire", "example-borough"} <= set(rows)
    lanc = rows["lancashire"]
    assert [r["id"] for r in lanc["rules"]] == [
        "LANC001",
        "LANC002",
        "LANC003",
        "LANC005",
        "LANC006",
        "LANC011",
        "LANC012",
        "LANC013",
        "LANC016",
        "LANC018",
        "LANC027",
        "LANC028",
    ]
    assert all(r["citation"].startswith("https://") for r in lanc["rules"])
    # the rules whose numbers the reports do not give wait for the council's settings
    needs = {r["id"]: r.get("needs_settings") for r in lanc["rules"] if r.get("needs_settings")}
    assert needs == {
        "LANC012": ["lancashire.adopter_campaign_period"],
        "LANC013": ["lancashire.later_life_letter"],
        "LANC016": ["lancashire.supervision_interval"],
        "LANC018": ["lancashire.social_worker_caseload"],
    }
    assert lanc["overrides"][0]["rule"] == "RA001" and not lanc["overrides"][0]["relaxes"]
    assert rows["example-borough"]["targets"][0]["target"] == 0.9
    assert cli("plugins", "list", "--format", "json").out == res.out  # deterministic


def test_unknown_council_is_a_usage_error(cli) -> None:
    res = cli("rules", "list", "--la", "atlantis")
    assert res.code == 2 and "unknown local authority 'atlantis'" in res.err
    assert "lancashire" in res.err


def test_autoload_can_be_disabled_and_a_plugin_named(cli, monkeypatch) -> None:
    monkeypatch.setenv("TIMESCALES_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert cli("rules", "list", "--la", "lancashire").code == 2
    res = cli("rules", "list", "--la", "lancashire", "-p", "timescales_lancashire.plugin")
    assert res.code == 0 and "LANC001" in res.out


def test_councils_do_not_mix() -> None:
    assert "LANC001" in LANCASHIRE.by_id and "EXB001" not in LANCASHIRE.by_id
    assert "EXB001" in BOROUGH.by_id and "LANC001" not in BOROUGH.by_id
    assert set(LANCASHIRE.overrides) == {"RA001"} and set(BOROUGH.overrides) == {"LA002"}
    national = load_rules()
    assert national.la is None and not national.overrides and not national.local_rules


def test_closure_days_move_local_rules_only() -> None:
    record = ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "became_looked_after", "date": "2023-12-20", "ref": "P1"},
                {"type": "lac_visit", "date": "2023-12-22", "ref": "P1"},
            ],
        }
    )
    result = BOROUGH.check(record, as_of=dt.date(2024, 3, 1))
    by_rule = {f.rule: f for f in result.findings}
    # national LA005: 20 working days by the England calendar, closures ignored
    assert by_rule["LA005"].due == ENGLAND.add_working_days(dt.date(2023, 12, 20), 20)
    # local EXB001: 27-29 Dec 2023 are closure days too
    assert by_rule["EXB001"].due == dt.date(2024, 1, 4)
    assert ENGLAND.add_working_days(dt.date(2023, 12, 22), 3) == dt.date(2023, 12, 29)


def test_term_dates_make_la012_active(cli) -> None:
    assert "LA012" in load_rules().inactive and "LA012" not in BOROUGH.inactive
    record = ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "became_looked_after", "date": "2023-09-11"},
                {"type": "pep", "date": "2023-09-20"},
                {"type": "pep", "date": "2024-03-01"},
            ],
        }
    )
    la012 = [
        f for f in BOROUGH.check(record, as_of=dt.date(2024, 6, 1)).findings if f.rule == "LA012"
    ]
    # PEP in the autumn term 2023 -> due the last day of the spring term (28 Mar 2024)
    assert la012[0].due == dt.date(2024, 3, 28) and la012[0].status.value == "met"


def test_council_importer(cli, tmp_path: Path) -> None:
    export = tmp_path / "visits.csv"
    export.write_text(
        "child_id,dob,event,date,ref,seen_alone\n"
        "EB1,2012-04-01,became_looked_after,31/03/2023,P1,\n"
        "EB1,,review,2023-05-04,P1,\n"
        "EB1,,visit,bad-date,P1,Y\n"
    )
    res = cli(
        "check",
        str(export),
        "--as-of",
        "2023-06-01",
        "--la",
        "example-borough",
        "--format",
        "jsonl",
        "--rules",
        "LA005",
    )
    assert "read as example-borough-visits" in res.err
    assert "visits.csv:4" in res.err and "not a date" in res.err
    assert "rows read 3, used 2, rejected 1" in res.err
    (finding,) = [json.loads(line) for line in res.out.splitlines()]
    assert finding["status"] == "late" and finding["due"] == "2023-05-03"


def _fake_plugin(tmp_path: Path, monkeypatch, name: str, body: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)  # each test imports its own copy
    return name


def _council_plugin(
    tmp_path: Path, monkeypatch, name: str, council: str, hook: str, folder: Path
) -> str:
    """A plugin module ``name`` declaring ``council`` whose ``timescales_<hook>`` gives
    ``folder`` for that council alone."""
    return _fake_plugin(
        tmp_path,
        monkeypatch,
        name,
        f"""
        from pathlib import Path
        from timescales.plugins import Authority, hookimpl
        @hookimpl
        def timescales_authorities():
            return [Authority(name={council!r}, title={council.title() + " test council"!r})]
        @hookimpl
        def timescales_{hook}(la):
            return [Path({str(folder)!r})] if la == {council!r} else []
    """,
    )


def test_broken_plugins_fail_loudly_with_their_name(cli, tmp_path: Path, monkeypatch) -> None:
    bad_syntax = _fake_plugin(tmp_path, monkeypatch, "tsp_syntax", "def oops(:\n")
    res = cli("rules", "list", "-p", bad_syntax)
    assert res.code == 2 and "plugin 'tsp_syntax'" in res.err and "Traceback" not in res.err
    misspelt = _fake_plugin(
        tmp_path,
        monkeypatch,
        "tsp_misspelt",
        """
        from timescales.plugins import hookimpl
        @hookimpl
        def timescales_rule_pack(la):
            return []
    """,
    )
    res = cli("rules", "list", "-p", misspelt)
    assert res.code == 2 and "tsp_misspelt" in res.err and "timescales_rule_pack" in res.err
    raising = _fake_plugin(
        tmp_path,
        monkeypatch,
        "tsp_raising",
        """
        from timescales.plugins import hookimpl
        @hookimpl
        def timescales_closure_days(la):
            raise RuntimeError("database down")
    """,
    )
    res = cli("rules", "list", "-p", raising)
    assert res.code == 2 and "plugin 'tsp_raising'" in res.err and "database down" in res.err


def test_rule_id_clash_names_the_plugin_pack(cli, tmp_path: Path, monkeypatch) -> None:
    pack = tmp_path / "clashpack"
    pack.mkdir()
    national = (ROOT / "rules" / "england" / "looked-after" / "LA005.yaml").read_text()
    (pack / "LA005.yaml").write_text(national.replace("first-lac-review", "my-first-review"))
    name = _council_plugin(tmp_path, monkeypatch, "tsp_clash", "clash", "rule_packs", pack)
    res = cli("rules", "list", "-p", name, "--la", "clash")
    assert res.code == 2 and "duplicate rule id LA005" in res.err and "tsp_clash" in res.err


def _override(tmp_path: Path, monkeypatch, text: str) -> str:
    folder = tmp_path / "ov"
    folder.mkdir(exist_ok=True)
    (folder / "o.yaml").write_text(textwrap.dedent(text))
    return _council_plugin(tmp_path, monkeypatch, "tsp_override", "relaxed", "overrides", folder)


OVERRIDE = """
    name: longer-first-review
    title: First review within 25 working days
    rule: LA005
    value: {working_days: 25}
    references:
      - {title: A council procedure, href: "https://www.gov.uk/x"}
"""


def test_relaxing_override_is_refused_unless_declared(cli, tmp_path, monkeypatch) -> None:
    name = _override(tmp_path, monkeypatch, OVERRIDE)
    res = cli("rules", "list", "-p", name, "--la", "relaxed")
    assert res.code == 2 and "would make LA005 due later" in res.err


def test_declared_relaxation_is_accepted_and_listed(cli, tmp_path, monkeypatch) -> None:
    relaxed = textwrap.dedent(OVERRIDE) + "relaxes: true\nreason: court-directed\n"
    name = _override(tmp_path, monkeypatch, relaxed)
    res = cli("plugins", "list", "-p", name, "--format", "json")
    (row,) = [r for r in json.loads(res.out) if r["name"] == "relaxed"]
    assert row["overrides"][0]["relaxes"] is True


LIMITS = st.builds(
    lambda unit, value: Limit(unit=unit, value=value),
    st.sampled_from(["working_days", "days", "weeks", "months", "hours"]),
    st.integers(min_value=1, max_value=30),
)


@settings(max_examples=60, deadline=None)
@given(national=LIMITS, local=LIMITS, anchor=st.dates(dt.date(2001, 1, 1), dt.date(2028, 12, 31)))
def test_an_override_not_marked_relaxes_never_makes_a_due_date_later(national, local, anchor):
    rules = [r for r in load_rules(rules=["RA001"]).rules if r.id == "RA001"]
    rule = rules[0].model_copy(update={"limit": [national]})
    override = Override(
        name="prop",
        title="a property test override",
        rule="RA001",
        value=[local],
        references=[{"title": "test", "href": "https://www.gov.uk/x"}],
    )
    try:
        activate([("prop", Path("prop.yaml"), override)], [rule])
    except RuleError:
        return  # refused: fine
    assert due_date(anchor, local, ENGLAND) <= due_date(anchor, national, ENGLAND)


def test_every_hook_is_documented() -> None:
    problems = []
    for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("timescales_"):
            continue
        doc = inspect.getdoc(func) or ""
        if len(doc.splitlines()) < 3:
            problems.append(f"{name}: no real docstring")
        for param in inspect.signature(func).parameters:
            if f":param {param}:" not in doc:
                problems.append(f"{name}: {param} undocumented")
        if ":returns:" not in doc:
            problems.append(f"{name}: return undocumented")
    assert not problems, problems


def test_plugin_error_keeps_the_plugin_name() -> None:
    err = PluginError("somecouncil", "broke")
    assert err.plugin == "somecouncil" and "somecouncil" in str(err)


def test_a_term_rule_left_inactive_says_whose_terms_are_missing(cli, tmp_path: Path) -> None:
    """LA012 counts school terms: without a council, the notice says a plugin supplies them;
    with a council whose plugin supplies none, it says so (not "e.g. --la NAME" again)."""
    path = tmp_path / "in.jsonl"
    path.write_text('{"child": "C1", "events": []}\n')
    bare = cli("check", str(path), "--as-of", "2024-03-31", "--format", "jsonl")
    assert "inactive: LA012: no school term dates: a council plugin supplies them" in bare.err
    local = cli(
        "check", str(path), "--as-of", "2024-03-31", "--format", "jsonl", "--la", "lancashire"
    )
    assert (
        "LA012: no school term dates: the council's plugin (lancashire) supplies none" in local.err
    )
