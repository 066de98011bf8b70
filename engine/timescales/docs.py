"""Rule documentation generated from the rule files: ``timescales rules show ID`` prints it.

Headings follow ruff's rule pages, adapted to law: What it checks / Why / How it is counted /
Example / Options / References.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from . import calendar
from .kinds import REGISTRY
from .rules.limits import due_date
from .rules.model import Rule
from .rules.words import (
    EXAMPLE_ANCHOR,
    describe_condition,
    describe_limits,
    describe_selector,
    ordinal,
)
from .seed_sources import cite_seeds

__all__ = [
    "counting",
    "describe_condition",
    "describe_limits",
    "describe_selector",
    "example",
    "options",
    "ordinal",
    "pages",
    "render",
    "rule_limit_text",
]


READ_TEXT = {
    "provision": "read from the provision itself",
    "part": "read in part from the provision; the rest as noted",
    "secondary": "read only as quoted or summarised elsewhere (a council's procedures, a "
    "commentary): not from the provision itself",
    "not-found": "the text was not found",
}


def law_lines(rule: Rule) -> list[str]:
    """The provision and its commencement, and any temporary variation (``rules show``)."""
    lines: list[str] = []
    if rule.law is not None:
        lines += [
            f"Provision: {rule.law.provision}.",
            f"It says: {rule.law.says}",
            f"Version read: {rule.law.version}; {READ_TEXT[rule.law.read]}.",
        ]
    start = rule.effective.start if rule.effective else None
    end = rule.effective.end if rule.effective else None
    if start is not None:
        lines.append(f"In force from {start:%d %B %Y}: a clock before that day gives no finding.")
    if end is not None:
        lines.append(f"In force until {end:%d %B %Y}: a later clock gives no finding.")
    for var in rule.variations:
        limit = var.limit.describe() if var.limit else "as soon as reasonably practicable"
        lines.append(
            f"Temporarily varied by {var.name} for clocks from {var.start:%d %B %Y} to "
            f"{var.end:%d %B %Y} ({limit}): {var.says}"
        )
    if rule.excluded_when is not None:
        lines.append(f"Not assessed where {describe_condition(rule.excluded_when)}.")
    return lines


def rule_limit_text(rule: Rule) -> str:
    """A rule's limit in one line (``rules list``, the catalogue): its limits, and any limit
    counted from an earlier legal status (LS002), or "-" when it has none."""
    text = REGISTRY.of(rule).limit_text(rule)
    if text is not None:
        return text
    return describe_limits(rule.limits()) if rule.limits() else "-"


def counting(rule: Rule, heads: Mapping[str, Rule], local: bool = False) -> list[str]:
    """How an instance is counted; ``local``: a council's own rule (its closure days count)."""
    kind = REGISTRY.of(rule)
    lines = kind.counting(rule, heads)
    units = {limit.unit for limit in rule.limits()}
    if "working_days" in units and local:
        lines.append(
            "Working days are Monday to Friday except England bank holidays and the council's "
            "own closure days, where its plugin gives any (a local rule)."
        )
    elif "working_days" in units:
        lines.append(
            "Working days are Monday to Friday except England bank holidays (council closure "
            "days never move a national deadline)."
        )
    if "months" in units:
        lines.append(
            "Months keep the day number, clamped to the month end (31 Jan + 1 month = 28/29 Feb)."
        )
    if "hours" in units:
        lines.append(kind.hours_text(rule))
    if "terms" in units:
        lines.append(
            "Terms come from the council's school term dates (a plugin); without them the rule "
            "is inactive and the run says so once."
        )
    on_time = kind.on_time_text(rule)
    if on_time is not None:
        lines.append(on_time)
    return lines


def example(rule: Rule) -> list[str]:
    own = REGISTRY.of(rule).example(rule)
    if own is not None:
        return own
    if not rule.limits() or rule.limits()[-1].unit == "terms":
        return ["See the fixtures under tests/rules/" + rule.id + " for worked cases."]
    limit = rule.limits()[-1]
    due = due_date(EXAMPLE_ANCHOR, limit, calendar.ENGLAND)
    lines = [
        f"Clock started on {EXAMPLE_ANCHOR:%a %d %b %Y}; limit {limit.describe()}: "
        f"due {due:%a %d %b %Y}."
    ]
    if limit.unit == "working_days":
        skipped = calendar.ENGLAND.non_working_days_between(EXAMPLE_ANCHOR, due)
        holidays = [f"{d:%d %b} ({why})" for d, why in skipped if why not in ("Saturday", "Sunday")]
        weekend = sum(1 for _, why in skipped if why in ("Saturday", "Sunday"))
        lines.append(
            f"Skipped {weekend} weekend days"
            + (f" and {', '.join(holidays)}." if holidays else ".")
        )
    late = calendar.add_days(due, 1)
    lines.append(f"Done on {due:%d %b %Y}: met. Done on {late:%d %b %Y}: late by 1 day.")
    return lines


def options(rule: Rule) -> list[str]:
    """The parameters a council may override, from what the rule actually has."""
    own = REGISTRY.of(rule).options(rule)
    if own is not None:
        return own
    if rule.limits() and not any(lim.unit == "terms" for lim in rule.limits()):
        return [
            "limit: a council plugin may tighten it as a named, cited override; making it "
            "later needs `relaxes: true` and a reason."
        ]
    return ["none: this rule has no limit a council can override."]


def render(
    rule: Rule,
    rules: list[Rule],
    overrides: Mapping[str, Any] | None = None,
    local: Collection[str] = (),
) -> str:
    """``rules show``'s page; ``local``: the ids of the council's own rules."""
    heads = {r.id: r for r in rules if REGISTRY.of(r).leads(r)}
    out = [f"{rule.name} ({rule.id})", "=" * len(f"{rule.name} ({rule.id})"), ""]
    out.append(f"{rule.title}")
    out.append(f"Kind: {rule.kind}. Family: {rule.family}. Since: {rule.since}.")
    out += ["", "What it checks", "--------------", rule.summary, ""]
    law = law_lines(rule)
    if law:
        out += ["The law", "-------", *(f"- {line}" for line in law), ""]
    out += ["Why", "---", rule.rationale]
    if rule.seeds:
        cited = [f"- {line}" for line in cite_seeds(rule.seeds)]
        out += ["", "Inspection reports citing it:", *cited]
    out += [
        "",
        "How it is counted",
        "-----------------",
        *(f"- {line}" for line in counting(rule, heads, rule.id in local)),
    ]
    out += ["", "Example", "-------", *example(rule)]
    out += ["", "Options", "-------", *(f"- {o}" for o in options(rule))]
    if overrides and rule.id in overrides:
        active = overrides[rule.id]
        ov = active.override
        out += [
            "",
            "Local variations",
            "----------------",
            f"- {ov.name} ({active.plugin}): {describe_limits(list(active.local))} instead of "
            f"{describe_limits(list(active.national))}"
            + (f"; RELAXES the national rule: {ov.reason}" if ov.relaxes else "")
            + f". {ov.references[0].title}: {ov.references[0].href}",
        ]
    if rule.notes:
        out += ["", "Notes", "-----", rule.notes]
    out += ["", "References", "----------", *(f"- {r.title}: {r.href}" for r in rule.references)]
    return "\n".join(out) + "\n"


def markdown(rule: Rule, rules: list[Rule]) -> str:
    """The rule's page as Markdown (the same text as ``rules show``, with headings marked up)."""
    lines = render(rule, rules).splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        underline = lines[i + 1] if i + 1 < len(lines) else ""
        if underline and set(underline) <= {"="} and len(underline) == len(line):
            out.append(f"# {line}")
        elif underline and set(underline) <= {"-"} and len(underline) == len(line):
            out.append(f"## {line}")
        elif line and set(line) <= {"=", "-"}:
            continue
        else:
            out.append(line)
    return "\n".join(out).rstrip() + "\n"


def catalogue(rules: list[Rule]) -> str:
    """The index page: every rule with its family, kind, limit and primary citation."""
    out = [
        "# Rule catalogue",
        "",
        "Generated from the rule files by `timescales rules docs docs/rules`; do not edit by hand.",
        "Each ID links to its page (what it checks, why, how it is counted, an example); the",
        "provision behind each rule, and how it was read, is in",
        "[legal-sources.md](legal-sources.md).",
        "",
        "| ID | name | family | kind | limit | primary citation |",
        "|---|---|---|---|---|---|",
    ]
    for rule in sorted(rules, key=lambda r: r.id):
        limit = rule_limit_text(rule)
        ref = rule.references[0]
        out.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.family} | {rule.kind} | {limit} "
            f"| [{ref.title}]({ref.href}) |"
        )
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def legal_sources(rules: list[Rule]) -> str:
    """The legal-source table: for every rule the provision, the version read and how, when it
    came into force, what the text says in a line, and where its fixtures are."""
    out = [
        "# Legal sources",
        "",
        "Generated from the rule files by `timescales rules docs docs/rules`; do not edit by hand.",
        "For every rule: the provision it rests on, the version of the text that was read and",
        "how (**provision**: the text itself; **part**: some of it; **secondary**: only as quoted",
        "or summarised by councils' procedures or commentaries; **not-found**: the text was not",
        "found), the date it came into force (a clock before it gives no finding), temporary",
        "variations, and the fixtures that pin it (a limit, commencement or regime mutation fails",
        "one of them).",
        "",
        "| rule | provision | version read | read | in force from | what it says | variations "
        "| fixtures |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in sorted(rules, key=lambda r: r.id):
        law = rule.law
        start = rule.effective.start if rule.effective else None
        varied = "; ".join(
            f"{v.name} {v.start.isoformat()} to {v.end.isoformat()}" for v in rule.variations
        )
        out.append(
            f"| [{rule.id}]({rule.id}.md) "
            f"| {_cell(law.provision) if law else '-'} "
            f"| {_cell(law.version) if law else '-'} "
            f"| {law.read if law else '-'} "
            f"| {start.isoformat() if start else '-'} "
            f"| {_cell(law.says) if law else '-'} "
            f"| {varied or '-'} "
            f"| [tests/rules/{rule.id}](../../tests/rules/{rule.id}/) |"
        )
    return "\n".join(out) + "\n"


def pages(rules: list[Rule]) -> dict[str, str]:
    """File name -> Markdown text for every rule, plus README.md (the catalogue) and
    legal-sources.md (the provision behind each rule)."""
    out = {f"{rule.id}.md": markdown(rule, rules) for rule in rules}
    out["README.md"] = catalogue(rules)
    out["legal-sources.md"] = legal_sources(rules)
    return out


ERRORS_INTRO = """\
# Error codes

Generated by `timescales errors --format markdown`; a test keeps this page and the code in step.

Every error the tool reports, from the rule loader, the importers, the engine, the CLI or the
HTTP service, carries:

- a **code** from the table below: stable, never reused for another meaning (other tools may
  key on it; the hundreds say where the problem lies, and a code ending in 0 is the catch-all
  of its hundred);
- a **source** and place: the file and line, the CSV row and column, the XML element path, the
  sheet and cell, or the request and line;
- the **field** at fault, where there is one;
- the **value class**: what kind of value was found there (`date DD/MM/YYYY`, `text (9 chars)`,
  `integer (31 digits)`, `empty`, `formula`), never the value itself, which may be a name
  or a date of birth;
- a message for people.

`timescales check --rejects FILE` writes every rejected record and row with these fields (CSV
with columns source, line, pointer, code, field, reason, value_class; or JSON Lines when FILE
ends in `.jsonl`). The terminal shows the first 20, each as `CODE place: message [value: class]`.
The service answers record rejections with `code`, `pointer`, `field`, `value_class` and
`message`, and errors about a whole request with `code` (a short slug, e.g. `body_too_large`)
and `error_code` (the code below).

Exit codes: 0 no breach, 1 breaches found, 2 nothing could be checked or the usage is wrong
(E1xx, E2xx, E4xx when no input could be read, E5xx). A rejected record (E3xx) does not by
itself change the exit code unless every record is rejected or `--max-rejects` is exceeded.

"""


def errors_markdown() -> str:
    """docs/errors.md: what every error carries, and the table of codes."""
    from .errors import CODES

    groups = {
        "1": "Usage",
        "2": "Rule files and packs",
        "3": "Records and rows (rejected; the run goes on)",
        "4": "Inputs (a whole file)",
        "5": "Plugins",
        "6": "HTTP service (a whole request)",
    }
    out = [ERRORS_INTRO]
    for digit, title in groups.items():
        out.append(f"## {title}\n\n| Code | Meaning |\n|---|---|\n")
        out.extend(
            f"| {code} | {meaning} |\n" for code, meaning in CODES.items() if code[1] == digit
        )
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n"
