"""Every national rule says what law it rests on, how that was read, and when it came in."""

from __future__ import annotations

from conftest import ROOT
from timescales import load_rules

NATIONAL = load_rules(autoload=False)
# thresholds dated by when the clock stops (the scorecard's three-year period), not by the clock
DATED_BY_STOP = {"AD001", "AD002"}


def test_every_national_rule_has_its_law_and_commencement() -> None:
    missing = []
    for rule in NATIONAL.rules:
        if rule.law is None:
            missing.append(f"{rule.id}: no law")
        start = rule.effective.start if rule.effective else None
        if start is None and rule.id not in DATED_BY_STOP:
            missing.append(f"{rule.id}: no commencement (effective.from)")
    assert not missing, missing


def test_known_commencements() -> None:
    """decisions.md: SI 2010/959 and 2010/2571 from 1 April 2011, the 45-working-day assessment
    from 15 April 2013, CO001 from 22 April 2014, long-term fostering from 1 April 2015."""
    start = {r.id: r.effective.start.isoformat() for r in NATIONAL.rules if r.effective}
    assert {start[i] for i in ("LA002", "LA005", "LA020", "CL001", "CL002", "CL003")} == {
        "2011-04-01"
    }
    assert start["AS001"] == start["AS002"] == "2013-04-15"
    assert start["CO001"] == "2014-04-22"
    assert start["LA025"] == "2015-04-01"


def test_rules_show_prints_the_provision_and_its_commencement(cli) -> None:
    res = cli("rules", "show", "CO001")
    assert res.code == 0
    assert "Provision: Children Act 1989 s.32(1)(a)(ii)" in res.out
    assert "In force from 22 April 2014: a clock before that day gives no finding." in res.out
    res = cli("rules", "show", "LA022")
    assert "reg 28(4)" in res.out and "read from the provision itself" in res.out
    assert "Temporarily varied by SI 2020/445" in res.out
    assert "Not assessed where the legal status in force is V3 or V4." in res.out


def test_legal_source_table_has_a_row_per_rule_with_how_it_was_read() -> None:
    table = (ROOT / "docs" / "rules" / "legal-sources.md").read_text()
    for rule in NATIONAL.rules:
        assert rule.law is not None
        row = next(line for line in table.splitlines() if line.startswith(f"| [{rule.id}]"))
        assert f"| {rule.law.read} |" in row
        assert f"tests/rules/{rule.id}" in row
        assert (ROOT / "tests" / "rules" / rule.id).is_dir()
