"""The strict rule loader: every mistake in a rule file is refused with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from timescales import RuleError, load_rules
from timescales.rules.loader import load_rule_dir, parse_rule, validate_pack

GOOD = """\
id: ZZ001
name: test-rule
title: A rule used only by the loader tests
family: test
kind: deadline
clock: referral
met_by: assessment_completed
limit: {working_days: 45}
summary: Something must happen within the limit.
rationale: Tests need a rule that loads.
references:
  - title: Some Regulations 2010, reg 1
    href: https://www.legislation.gov.uk/uksi/2010/959/regulation/1
"""


def test_good_rule_parses() -> None:
    rule = parse_rule(GOOD, "ZZ001.yaml")
    assert rule.id == "ZZ001" and rule.limits()[0].unit == "working_days"


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("kind: deadline", "kind: deadlin", 5, "unknown or missing kind"),
        (
            "met_by: assessment_completed",
            "met_by: assessment_completed\nmet_bye: x",
            8,
            "unknown key 'met_bye'",
        ),
        ("limit: {working_days: 45}", "limit: {workdays: 45}", 8, "unknown key 'workdays'"),
        ("limit: {working_days: 45}", "limit: {working_days: 45, days: 3}", 8, "exactly one unit"),
        ("title: A rule", "id: ZZ002\ntitle: A rule", 2, "duplicate key 'id'"),
        ("href: https://www.legislation.gov.uk", "href: http://example.com/x", 13, "href"),
        ("name: test-rule", "name: Test_Rule", 2, "kebab-case"),
        ("limit: {working_days: 45}", "limit: {working_days: 45", 8, "expected ','"),
    ],
)
def test_mistakes_name_file_and_line(old: str, new: str, line: int, words: str) -> None:
    text = GOOD.replace(old, new, 1)
    with pytest.raises(RuleError) as info:
        parse_rule(text, "rules/ZZ001.yaml")
    err = info.value
    assert err.location is not None and err.location.source == "rules/ZZ001.yaml"
    assert words in str(err), str(err)
    assert err.location.line is not None and abs(err.location.line - line) <= 1, str(err)


def test_yaml_tags_are_refused() -> None:
    with pytest.raises(RuleError):
        parse_rule(GOOD + "extra: !!python/object/apply:os.system ['true']\n", "x.yaml")


def test_unknown_event_type_duplicate_id_and_file_name(tmp_path: Path) -> None:
    (tmp_path / "ZZ001.yaml").write_text(GOOD.replace("clock: referral", "clock: refferal"))
    with pytest.raises(RuleError, match="unknown event type 'refferal'"):
        validate_pack(load_rule_dir(tmp_path))
    (tmp_path / "ZZ001.yaml").write_text(GOOD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ZZ001.yaml").write_text(GOOD.replace("name: test-rule", "name: other"))
    with pytest.raises(RuleError, match="duplicate rule id ZZ001"):
        validate_pack(load_rule_dir(tmp_path))
    (tmp_path / "sub" / "ZZ001.yaml").unlink()
    (tmp_path / "ZZ009.yaml").write_text(GOOD.replace("ZZ001", "ZZ008").replace("test-rule", "o"))
    with pytest.raises(RuleError, match="does not match rule id"):
        load_rule_dir(tmp_path)


def test_follower_needs_its_head(tmp_path: Path) -> None:
    follower = GOOD.replace("kind: deadline", "kind: schedule\nfollows: ZZ000\noccurrence: 2+")
    follower = follower.replace("clock: referral\nmet_by: assessment_completed\n", "")
    (tmp_path / "ZZ001.yaml").write_text(follower)
    with pytest.raises(RuleError, match="follows unknown rule ZZ000"):
        validate_pack(load_rule_dir(tmp_path))


def test_rule_pack_typo_is_exit_2_with_location(cli, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "england").mkdir()
    (tmp_path / "england" / "ZZ001.yaml").write_text(
        GOOD.replace("kind: deadline", "kind: dedline")
    )
    monkeypatch.setattr(
        "timescales.plugins.builtin.national_pack_dir", lambda: tmp_path / "england"
    )
    res = cli("rules", "list")
    assert res.code == 2
    assert "ZZ001.yaml:5" in res.err and "Traceback" not in res.err


def test_national_pack_loads_and_every_rule_is_documented() -> None:
    ruleset = load_rules()
    assert len(ruleset) >= 8
    for rule in ruleset.rules:
        assert rule.summary and rule.rationale and rule.references
        assert all(ref.href.startswith("https://") for ref in rule.references)
