"""Rule documentation generated from the rule files: ``timescales rules show ID`` prints it.

Headings follow ruff's rule pages, adapted to law: What it checks / Why / How it is counted /
Example / Options / References.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from . import calendar
from .evaluation.outcome import due_date
from .rules.model import (
    AggregateRule,
    AttributeRule,
    Condition,
    DeadlineRule,
    Limit,
    MilestoneRule,
    RollingRule,
    Rule,
    ScheduleRule,
    Selector,
)
from .seed_sources import cite_seeds

EXAMPLE_ANCHOR = dt.date(2023, 3, 31)  # a Friday before Easter: bank holidays show in the count

WHEN_TEXT = {
    "anchor_before_anniversary": (
        "the previous event falls before anniversary {v} of the case opening"
    ),
    "anchor_from_anniversary": (
        "the previous event falls on or after anniversary {v} of the case opening"
    ),
    "placement_permanent": "the placement is recorded as permanent: {v}",
    "age_under_at_anchor": "the child is under {v} on the date of the previous event",
    "stops_on_or_before": "the clock stops (event done, or as of / case end) by {v}",
    "anchor_on_or_after": "the date it counts from is on or after {v}",
}
READ_TEXT = {
    "provision": "read from the provision itself",
    "part": "read in part from the provision; the rest as noted",
    "secondary": "read only as quoted or summarised elsewhere (a council's procedures, a "
    "commentary): not from the provision itself",
    "not-found": "the text was not found",
}


def describe_selector(selector: Selector) -> str:
    text = f"`{selector.type}`"
    if selector.where:
        text += " with " + ", ".join(f"{k} {v}" for k, v in selector.where.items())
    if selector.unless:
        text += " unless " + ", ".join(f"{k} {v}" for k, v in selector.unless.items())
    return text


def _values(value: object) -> str:
    return " or ".join(str(v) for v in value) if isinstance(value, list) else str(value).lower()


def describe_condition(condition: Condition) -> str:
    """A condition in words: each test it makes, joined by "and"."""
    parts: list[str] = []
    data = condition.model_dump(exclude_none=True)
    for key, value in data.items():
        if key in WHEN_TEXT:
            parts.append(WHEN_TEXT[key].format(v=str(value).lower()))
    if condition.placement is not None:
        attrs = ", ".join(f"{k} {_values(v)}" for k, v in condition.placement.items())
        parts.append(f"the placement in force has {attrs}")
    if condition.legal_status is not None:
        parts.append(f"the legal status in force is {_values(condition.legal_status)}")
    if condition.anchor_before_first is not None:
        first = condition.anchor_before_first
        since = f" since the latest `{first.since}`" if first.since else ""
        parts.append(f"no `{first.type}` yet{since}")
    if condition.any is not None:
        parts.append("(" + " or ".join(describe_condition(c) for c in condition.any) + ")")
    if condition.none_of is not None:
        parts.append("not (" + " or ".join(describe_condition(c) for c in condition.none_of) + ")")
    return " and ".join(parts)


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


def describe_limits(limits: list[Limit]) -> str:
    if len(limits) == 1:
        return limits[0].describe()
    series = _stop_series(limits)
    if series is not None:
        return series
    parts = []
    for limit in limits:
        if limit.when is None:
            parts.append(f"otherwise {limit.describe()}")
        else:
            parts.append(f"{limit.describe()} where {describe_condition(limit.when)}")
    return "; ".join(parts)


def _stop_series(limits: list[Limit]) -> str | None:
    """Thresholds chosen by the date the clock stops (AD001, AD002), with the clock said once:
    "639 days if the clock stops (...) by 2013-03-31, 547 days by 2014-03-31, otherwise 426
    days". None for limits of another shape."""
    *dated, last = limits
    if not dated or last.when is not None:
        return None
    stops = []
    for limit in dated:
        when = limit.when.model_dump(exclude_none=True) if limit.when is not None else {}
        if list(when) != ["stops_on_or_before"]:
            return None
        stops.append(f"{limit.describe()} by {when['stops_on_or_before']}")
    first = stops[0].replace(
        " by ", " if the clock stops (the event done, else as-of or the case's end) by ", 1
    )
    return ", ".join([first, *stops[1:], f"otherwise {last.describe()}"])


def rule_limit_text(rule: Rule) -> str:
    """A rule's limit in one line (``rules list``, the catalogue): its limits, and any limit
    counted from an earlier legal status (LS002), or "-" when it has none."""
    if isinstance(rule, DeadlineRule):
        text = describe_limits(list(rule.limit))
        back = rule.counts_from_status
        if back is not None:
            codes = " or ".join(back.codes)
            text += f"; {back.limit.describe()} from the start of {codes} if it came just before"
        return text
    return describe_limits(rule.limits()) if rule.limits() else "-"


def counting(rule: Rule, heads: dict[str, ScheduleRule]) -> list[str]:
    lines = _counting_kind(rule, heads)
    units = {limit.unit for limit in rule.limits()}
    if "working_days" in units:
        lines.append(
            "Working days are Monday to Friday except England bank holidays (council closure "
            "days never move a national deadline)."
        )
    if "months" in units:
        lines.append(
            "Months keep the day number, clamped to the month end (31 Jan + 1 month = 28/29 Feb)."
        )
    if "hours" in units and isinstance(rule, RollingRule):
        lines.append("Hours on date-only data: each day in the state counts 24 hours.")
    elif "hours" in units:
        lines.append("Hours on date-only data count as whole days, rounded up (72 hours = 3 days).")
    if "terms" in units:
        lines.append(
            "Terms come from the council's school term dates (a plugin); without them the rule "
            "is inactive and the run says so once."
        )
    if isinstance(rule, AttributeRule):
        lines.append(
            "Met when the event records it; otherwise unmet: a breach with no days late (the "
            "event happened, but not as required). Never pending or overdue."
        )
    elif not isinstance(rule, AggregateRule):
        lines.append("On time when done on or before the due date (the last compliant day).")
    return lines


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _case_text(opens: list[str], closes: list[str]) -> tuple[str, str]:
    return (
        ", ".join(f"`{t}`" for t in opens),
        ", ".join(f"`{t}`" for t in closes) or "nothing recorded",
    )


def _counting_kind(rule: Rule, heads: dict[str, ScheduleRule]) -> list[str]:
    lines: list[str] = []
    if isinstance(rule, DeadlineRule):
        first_day = (
            "the day itself counts as day one"
            if any(lim.counting == "beginning_with" for lim in rule.limit)
            else "the day itself is excluded"
        )
        if rule.clock is not None:
            lines.append(f"Clock starts: each {describe_selector(rule.clock)} ({first_day}).")
        else:
            assert rule.during is not None
            lines.append(
                f"Clock starts: the child's {ordinal(rule.clock_at_age or 0)} birthday, if it "
                "falls while a case opened by "
                f"{_case_text(rule.during.opens, rule.during.closes)[0]} is open."
            )
        lines.append(f"Limit: {describe_limits(rule.limit)}.")
        lines.append(f"Met by: the first {describe_selector(rule.met_by)} on or after the clock.")
        if rule.met_before_clock:
            lines.append(
                "One recorded before the clock also meets it (but not one from before the "
                "previous clock of this rule)."
            )
        if rule.requires_any:
            needs = " or ".join(describe_selector(s) for s in rule.requires_any)
            lines.append(f"Applies only to children with {needs} recorded.")
        if rule.void_by:
            lines.append(f"No finding where {describe_selector(rule.void_by)} is recorded.")
        if rule.extension:
            ext = rule.extension
            lines.append(
                f"Each `{ext.type}` moves the due date by its `{ext.attr}` ({ext.unit}, at most "
                f"{ext.max_each} each"
                + (f", {ext.max_count} at most" if ext.max_count else "")
                + "); the finding says it was extended."
            )
        if rule.closed_by:
            closers = ", ".join(f"`{s.type}`" for s in rule.closed_by)
            lines.append(
                f"The case ends at {closers}; no finding if it ends on or before the due date."
            )
    elif isinstance(rule, ScheduleRule):
        head = rule if rule.follows is None else heads[rule.follows]
        assert head.scope is not None and head.event is not None
        opens, closes = _case_text(head.scope.opens, head.scope.closes)
        if head.scope.until_age:
            birthday = f"the {ordinal(head.scope.until_age)} birthday"
            if head.scope.until_age_in_education:
                birthday += (
                    f" ({ordinal(head.scope.until_age_in_education)} where the opening event "
                    "records in_education)"
                )
            closes = birthday if not head.scope.closes else f"{closes}, or {birthday}"
        if rule.follows is None:
            lines.append(f"Clock starts: the case opening ({opens}); the day itself is excluded.")
            lines.append(f"Limit: {describe_limits(rule.limit)} to the first `{head.event.type}`.")
            if rule.repeats:
                lines.append(
                    "Each later one is due within the same limit of the actual previous one."
                )
        else:
            first, last = rule.occurrence_range()
            which = f"occurrence {first}" if last == first else f"occurrences {first} onwards"
            lines.append(
                f"Part of the {head.id} schedule: governs {which} of `{head.event.type}`, counted "
                "from the actual date of the previous one (not its due date)."
            )
            if rule.when:
                lines.append(f"Applies where {describe_condition(rule.when)}.")
            lines.append(f"Limit: {describe_limits(rule.limit)}.")
            lines.append("The next event must be strictly after the previous one.")
        lines.append(f"The case ends at {closes}; no finding if it ends on or before the due date.")
    elif isinstance(rule, MilestoneRule):
        head = heads[rule.schedule]
        assert head.event is not None
        lines.append(
            f"For each case of the {head.id} schedule: {describe_selector(rule.met_by)} must be "
            f"recorded on or before occurrence {rule.occurrence} of `{head.event.type}`."
        )
        lines.append(
            f"Due: the earlier of the actual occurrence {rule.occurrence} and its scheduled due "
            f"date under {head.id}'s schedule (so a late or missing review never moves it later)."
        )
    elif isinstance(rule, AttributeRule):
        lines.append(f"Each {describe_selector(rule.event)} must record {_attr_tests(rule)}.")
        lines.append("One finding per event; anchor and due are the event's own date.")
    elif isinstance(rule, RollingRule):
        lines.append(
            f"Time from {describe_selector(rule.spell.starts)} to "
            f"{describe_selector(rule.spell.ends)} is totalled over any "
            f"{rule.window.describe()} in a row; at most {describe_limits(rule.limit)}."
        )
        lines.append("On date-only data each day from the start up to the end counts 24 hours.")
        if rule.met_by:
            lines.append(
                f"Beyond that {describe_selector(rule.met_by)} must be recorded by the day the "
                "limit is passed (the due date)."
            )
            if rule.met_by_lasts:
                lines.append(
                    f"One made earlier counts while in force ({rule.met_by_lasts.describe()})."
                )
        else:
            lines.append("Passing the limit is a breach; nothing can authorise it.")
    elif isinstance(rule, AggregateRule):
        lines.append(
            f"Measure `{rule.measure}` as of the date, over all children: expected between "
            f"{rule.range.low} and {rule.range.high}; above {rule.range.high} is a breach, "
            f"below {rule.range.low} is noted. Reported with the aggregates, not per child, and "
            "not part of the exit code."
        )
    return lines


def _attr_tests(rule: AttributeRule) -> str:
    return " or ".join(
        f"`{t.attr}` " + ("given" if t.present else f"= {t.equals}") for t in rule.satisfied_if_any
    )


def example(rule: Rule) -> list[str]:
    if isinstance(rule, AttributeRule):
        return [
            f"A {describe_selector(rule.event)} on {EXAMPLE_ANCHOR:%a %d %b %Y} recording "
            f"{_attr_tests(rule)}: met.",
            f"One that does not: unmet on {EXAMPLE_ANCHOR:%d %b %Y}, with no days late, whatever "
            "the date it is checked as of.",
        ]
    if not rule.limits() or rule.limits()[-1].unit == "terms" or isinstance(rule, RollingRule):
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
    if isinstance(rule, AggregateRule):
        return ["range: a council may set its own expected range as a local target."]
    if rule.limits() and not any(lim.unit == "terms" for lim in rule.limits()):
        return [
            "limit: a council plugin may tighten it as a named, cited override; making it "
            "later needs `relaxes: true` and a reason."
        ]
    return ["none: this rule has no limit a council can override."]


def render(rule: Rule, rules: list[Rule], overrides: Mapping[str, Any] | None = None) -> str:
    heads = {r.id: r for r in rules if isinstance(r, ScheduleRule) and r.follows is None}
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
        *(f"- {line}" for line in counting(rule, heads)),
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
