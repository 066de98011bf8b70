"""Rule documentation is generated from the rule files and kept in step with them."""

from __future__ import annotations

from conftest import ROOT
from timescales import load_rules
from timescales.docs import pages, render

DOCS = ROOT / "docs" / "rules"
NATIONAL = load_rules(autoload=False)


def test_committed_rule_pages_match_the_rule_files() -> None:
    expected = pages(list(NATIONAL.rules))
    stale = [
        name
        for name, text in expected.items()
        if not (DOCS / name).exists() or (DOCS / name).read_text() != text
    ]
    extra = sorted({p.name for p in DOCS.glob("*.md")} - set(expected))
    assert not stale and not extra, (
        f"regenerate with: TIMESCALES_DISABLE_PLUGIN_AUTOLOAD=1 timescales rules docs docs/rules "
        f"(stale: {stale}, extra: {extra})"
    )


def test_every_rule_page_has_every_section() -> None:
    problems = []
    for rule in NATIONAL.rules:
        page = render(rule, list(NATIONAL.rules))
        for section in (
            "What it checks",
            "Why",
            "How it is counted",
            "Example",
            "Options",
            "References",
        ):
            if f"\n{section}\n" not in page:
                problems.append(f"{rule.id}: no {section}")
        if not all(ref.href in page for ref in rule.references):
            problems.append(f"{rule.id}: a reference is missing")
    assert not problems, problems


def test_catalogue_lists_every_rule_including_additions() -> None:
    index = (DOCS / "README.md").read_text()
    for rule_id in NATIONAL.ids():
        assert f"[{rule_id}]({rule_id}.md)" in index
    assert "LA020" in index and "LS005" in index  # the additions beyond the catalogue


def test_show_la008_explains_the_permanence_counting(cli) -> None:
    res = cli("rules", "show", "LA008")
    assert res.code == 0
    assert "permanence_plan" in res.out and "occurrence 2" in res.out
    assert "scheduled due date" in res.out


# rule-catalogue.md: the national IDs are a public contract
CATALOGUE = frozenset(
    {
        "PF001",
        "PF002",
        "PF003",
        "PF004",
        "RA001",
        "AS001",
        "AS002",
        "CP001",
        "CP002",
        "CP003",
        "CP004",
        "CP005",
        "LA001",
        "LA002",
        "LA003",
        "LA004",
        "LA005",
        "LA006",
        "LA007",
        "LA008",
        "LA009",
        "LA010",
        "LA011",
        "LA012",
        "LA013",
        "MI001",
        "CO001",
        "AD001",
        "AD002",
        "AD003",
        "CL001",
        "CL002",
        "CL003",
        "SA001",
        "LS001",
        "LS002",
        "LS003",
        "LS004",
        "IR001",
    }
)


def test_rules_list_json_has_every_catalogue_id_with_citation_and_summary(cli) -> None:
    import json

    res = cli("rules", "list", "--format", "json")
    rows = {row["id"]: row for row in json.loads(res.out)}
    missing = [rule_id for rule_id in CATALOGUE if rule_id not in rows]
    assert not missing, missing
    for rule_id in CATALOGUE:
        assert rows[rule_id]["citation"].startswith("https://")
        assert len(rows[rule_id]["summary"]) > 20
