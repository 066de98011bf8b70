"""Lancashire's child-level standards LANC003, LANC005, LANC006 and LANC013: their pages
(``rules show``), their event types, and the findings ``check --la lancashire`` gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from timescales import load_rules

# the values Lancashire's fixtures are written against (LANC013's time is a council setting)
SETTINGS = ROOT / "plugins" / "lancashire" / "tests" / "settings.yaml"
LANCASHIRE = load_rules(la="lancashire", settings=SETTINGS)

# what each page must say about how the rule is counted (the choices its notes document)
PAGES = {
    "LANC003": [
        "Applies only where the episode lasts longer than 24 hours",
        "`missing_returned`",
        "return on Wednesday or later",
        "lancashire.head_of_service_notification",
        "(2015): para 41",
    ],
    "LANC005": [
        "Due on the child's own target",
        "`lancashire.assessment_target`",
        "capped",
        "45 working days",
        "DATA058",
        # a local rule counts the council's own working days, unlike AS001
        "the council's own closure days",
    ],
    "LANC006": ["`lancashire.mash_contact`", "weekends and bank holidays included", "RA001"],
    "LANC013": [
        "`lancashire.adoption_order`",
        "`lancashire.later_life_letter`",
        "lancashire.later_life_letter",
        "not assessed",
        "10 working days",
    ],
}


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_rules_show_renders_the_page(cli, rule_id: str) -> None:
    res = cli("rules", "show", rule_id, "--la", "lancashire", "--settings", str(SETTINGS))
    assert res.code == 0, res.err
    page = " ".join(res.out.split())
    for heading in ("What it checks", "Why", "How it is counted", "Notes", "References"):
        assert heading in res.out
    missing = [text for text in PAGES[rule_id] if text not in page]
    assert not missing, f"{rule_id}'s page lacks {missing}"
    rule = LANCASHIRE.by_id[rule_id]
    assert rule.seeds and rule.references[0].href.startswith("https://")


def test_the_event_types_are_the_councils_own() -> None:
    types = LANCASHIRE.event_types or {}
    local = {name for name in types if name.startswith("lancashire.")}
    read = {s.type for rid in PAGES for s in LANCASHIRE.by_id[rid].selectors()}
    assert {t for t in read if "." in t} <= local
    assert types["lancashire.assessment_target"] == {"target": str}
    assert "lancashire.mash_contact" not in load_rules(la="example-borough").event_types


def test_check_reports_the_new_standards(cli, tmp_path: Path) -> None:
    records = [
        {
            "child": "L3",
            "events": [
                {"type": "missing_started", "date": "2024-03-04", "ref": "M1"},
                {"type": "missing_returned", "date": "2024-03-07", "ref": "M1"},
            ],
        },
        {
            "child": "L5",
            "events": [
                {"type": "referral", "date": "2024-03-04", "ref": "R1", "case": "K1"},
                {
                    "type": "lancashire.assessment_target",
                    "date": "2024-03-04",
                    "case": "K1",
                    "attrs": {"target": "2024-03-15"},
                },
                {"type": "assessment_completed", "date": "2024-03-20", "ref": "A1", "case": "K1"},
            ],
        },
        {
            "child": "L6",
            "events": [
                {"type": "lancashire.mash_contact", "date": "2024-03-08", "ref": "K1"},
                {"type": "lancashire.mash_decision", "date": "2024-03-11", "ref": "K1"},
            ],
        },
        {
            "child": "L13",
            "events": [{"type": "lancashire.adoption_order", "date": "2024-03-04", "ref": "A"}],
        },
    ]
    # an input that never names the council's own notification or letter leaves LANC003 and
    # LANC013 not assessable (tests/plugins/test_local_types_not_carried.py); another child's
    # records of each, answering no clock, show that this input carries them
    carries = {
        "child": "L99",
        "events": [
            {"type": "lancashire.head_of_service_notified", "date": "2023-01-09", "ref": "X"},
            {"type": "lancashire.later_life_letter", "date": "2023-01-09", "ref": "X"},
        ],
    }
    alone = tmp_path / "alone.jsonl"
    alone.write_text("".join(json.dumps(r) + "\n" for r in records))
    path = tmp_path / "children.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*records, carries]))

    def check(given: Path):  # type: ignore[no-untyped-def]
        rules = "LANC003,LANC005,LANC006,LANC013"
        args = ("--as-of", "2024-03-31", "--la", "lancashire", "--format", "jsonl")
        return cli("check", str(given), *args, "--rules", rules, "--settings", str(SETTINGS))

    res = check(alone)
    assert {json.loads(line)["rule"] for line in res.out.splitlines()} == {"LANC005", "LANC006"}
    said = "not assessable: LANC003: the input does not carry lancashire.head_of_service_notified"
    assert said in res.err
    res = check(path)
    found = {f["rule"]: f for f in map(json.loads, res.out.splitlines())}
    assert set(found) == {"LANC003", "LANC005", "LANC006", "LANC013"}
    assert found["LANC003"]["status"] == "overdue" and found["LANC003"]["due"] == "2024-03-05"
    lanc005 = found["LANC005"]
    assert (lanc005["due"], lanc005["status"], lanc005["target"]) == (
        "2024-03-15",
        "late",
        "2024-03-15",
    )
    assert found["LANC006"]["days_late"] == 2
    assert found["LANC013"]["due"] == "2024-03-18"
    assert all(f["la"] == "lancashire" for f in found.values())
    # without the council's time for the later-life letter, LANC013 is not assessed, and says so
    res = cli(
        "check",
        str(path),
        "--as-of",
        "2024-03-31",
        "--la",
        "lancashire",
        "--format",
        "jsonl",
        "--rules",
        "LANC013",
    )
    assert res.out == ""
    assert "LANC013" in res.err and "lancashire.later_life_letter" in res.err
    page = cli("rules", "show", "LANC013", "--la", "lancashire").out
    assert "Not assessed in this run" in page and "lancashire.later_life_letter" in page
