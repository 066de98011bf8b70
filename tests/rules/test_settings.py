"""Council settings (``rules.settings``): a rule takes a number the sources do not give from the
council's settings; without it the rule is not assessed and every output says why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from timescales.cli import main
from timescales.errors import RuleError, UsageError
from timescales.records import ChildRecord
from timescales.ruleset.pack import load_rules

RULE = """\
id: TST901
name: test-local-interview
title: A local interview within the council's time of a return from missing
family: local
kind: deadline
clock: missing_returned
met_by: return_interview
{limit}settings: {{limit: test.interview_time}}
summary: A local standard whose time no source states, so the council sets it.
rationale: The sources give no number; a guessed one would make breaches that may be false.
references:
  - title: A local practice standard
    href: https://www.gov.uk/government/publications/children-who-run-away-or-go-missing-from-home-or-care
"""


def _pack(tmp_path: Path, limit: str = "") -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "TST901.yaml").write_text(RULE.format(limit=limit), encoding="utf-8")
    return pack


def _child(returned: str, interview: str) -> ChildRecord:
    return ChildRecord.model_validate(
        {
            "child": "C1",
            "events": [
                {"type": "missing_started", "date": "2024-01-01", "ref": "M1"},
                {"type": "missing_returned", "date": returned, "ref": "M1"},
                {"type": "return_interview", "date": interview, "ref": "M1"},
            ],
        }
    )


def _statuses(ruleset: object, record: ChildRecord) -> list[tuple[str, str]]:
    result = ruleset.check(record, as_of=dt.date(2024, 3, 31))  # type: ignore[attr-defined]
    return [(f.rule, f.status.value) for f in result.findings if f.rule == "TST901"]


def test_a_rule_without_its_setting_is_not_assessed_and_says_why(tmp_path: Path) -> None:
    ruleset = load_rules(autoload=False, extra_packs=[_pack(tmp_path)])
    assert "TST901" not in ruleset.by_id
    [unsettled] = ruleset.unsettled
    assert unsettled.id == "TST901" and unsettled.missing == ("test.interview_time",)
    assert unsettled.citation is not None and unsettled.citation.startswith("https://www.gov.uk/")
    assert "test.interview_time" in ruleset.inactive["TST901"]
    assert "not assessed" in ruleset.inactive["TST901"]
    assert _statuses(ruleset, _child("2024-01-02", "2024-01-20")) == []


def test_the_setting_gives_the_value(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    week = load_rules(
        autoload=False, extra_packs=[pack], settings={"test.interview_time": {"days": 7}}
    )
    month = load_rules(
        autoload=False, extra_packs=[pack], settings={"test.interview_time": {"days": 30}}
    )
    child = _child("2024-01-02", "2024-01-20")  # 18 days after the return
    assert _statuses(week, child) == [("TST901", "late")]
    assert _statuses(month, child) == [("TST901", "met")]
    assert week.unsettled == ()


def test_a_default_in_the_file_holds_until_the_council_sets_its_own(tmp_path: Path) -> None:
    pack = _pack(tmp_path, limit="limit: {days: 30}\n")
    child = _child("2024-01-02", "2024-01-20")
    assert _statuses(load_rules(autoload=False, extra_packs=[pack]), child) == [("TST901", "met")]
    set_ = load_rules(
        autoload=False, extra_packs=[pack], settings={"test.interview_time": {"days": 7}}
    )
    assert _statuses(set_, child) == [("TST901", "late")]


def test_an_optional_field_left_unset_stays_out(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    text = RULE.format(limit="limit: {days: 7}\n").replace(
        "{limit: test.interview_time}", "{limit: test.interview_time, notes: test.note}"
    )
    (pack / "TST901.yaml").write_text(text, encoding="utf-8")
    ruleset = load_rules(autoload=False, extra_packs=[pack])
    assert ruleset.unsettled == () and ruleset.by_id["TST901"].notes is None
    noted = load_rules(autoload=False, extra_packs=[pack], settings={"test.note": "local note"})
    assert noted.by_id["TST901"].notes == "local note"


def test_a_settings_file_is_read_strictly(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    good = tmp_path / "settings.yaml"
    good.write_text("test.interview_time: {days: 7}\n", encoding="utf-8")
    assert "TST901" in load_rules(autoload=False, extra_packs=[pack], settings=good).by_id
    unused = tmp_path / "unused.yaml"
    unused.write_text("test.interview_time: {days: 7}\ntest.typo: 3\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"unused\.yaml.*test\.typo"):
        load_rules(autoload=False, extra_packs=[pack], settings=unused)
    duplicate = tmp_path / "duplicate.yaml"
    duplicate.write_text("test.interview_time: 1\ntest.interview_time: 2\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"duplicate\.yaml:2.*duplicate key"):
        load_rules(autoload=False, extra_packs=[pack], settings=duplicate)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"list\.yaml.*mapping"):
        load_rules(autoload=False, extra_packs=[pack], settings=listed)
    with pytest.raises(UsageError, match=r"missing\.yaml.*cannot read"):
        load_rules(autoload=False, extra_packs=[pack], settings=tmp_path / "missing.yaml")


def test_a_setting_of_the_wrong_shape_is_a_rule_error_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"TST901\.yaml.*test\.interview_time"):
        load_rules(
            autoload=False,
            extra_packs=[_pack(tmp_path)],
            settings={"test.interview_time": {"fortnights": 2}},
        )


def test_settings_names_a_field_and_a_dotted_name(tmp_path: Path) -> None:
    pack = tmp_path / "bad"
    pack.mkdir()
    text = RULE.format(limit="").replace("{limit: test.interview_time}", "{id: test.x}")
    (pack / "TST901.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="cannot supply the field 'id'"):
        load_rules(autoload=False, extra_packs=[pack])
    text = RULE.format(limit="").replace("test.interview_time", "Test Time")
    (pack / "TST901.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="setting name 'Test Time'"):
        load_rules(autoload=False, extra_packs=[pack])


PLUGIN = """
from pathlib import Path
from timescales.plugins import Authority, hookimpl

@hookimpl
def timescales_authorities():
    return [Authority(name="testshire", title="Testshire", description="test council")]

@hookimpl
def timescales_rule_packs(la):
    return [Path(__file__).parent / "pack"] if la == "testshire" else []
"""


def _run(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_check_says_which_rule_waits_for_a_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMESCALES_DISABLE_PLUGIN_AUTOLOAD", "1")
    _pack(tmp_path)
    (tmp_path / "testshire_plugin.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    data = tmp_path / "children.jsonl"
    data.write_text(_child("2024-01-02", "2024-01-20").model_dump_json() + "\n", encoding="utf-8")
    council = ["--la", "testshire", "-p", "testshire_plugin"]
    common = [str(data), "--as-of", "2024-03-31", "--format", "jsonl", *council]
    _run(["check", *common])
    out, err = capsys.readouterr()
    assert "TST901" not in out
    assert "TST901" in err and "test.interview_time" in err
    _run(["plugins", "list", "-p", "testshire_plugin"])
    out, _ = capsys.readouterr()
    assert "TST901" in out and "needs the council's setting test.interview_time" in out
    _run(["rules", "list", *council])
    out, _ = capsys.readouterr()
    assert "not assessed: TST901" in out
    settings = tmp_path / "settings.yaml"
    settings.write_text("test.interview_time: {days: 7}\n", encoding="utf-8")
    _run(["check", *common, "--settings", str(settings)])
    out, _ = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["rule"], r["status"]) for r in rows if r["rule"] == "TST901"] == [("TST901", "late")]
