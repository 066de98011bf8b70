"""Rule documentation generated from the rule files: ``timescales rules show ID`` prints it.

Headings follow ruff's rule pages, adapted to law: What it checks / Why / How it is counted /
Example / Options / References.
"""

from __future__ import annotations

import datetime as dt

from . import calendar
from .evaluation.outcome import due_date
from .rules.model import DeadlineRule, Limit, Rule, ScheduleRule

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
}


def describe_condition(condition: object) -> str:
    data = condition.model_dump(exclude_none=True) if hasattr(condition, "model_dump") else {}
    return " and ".join(WHEN_TEXT[k].format(v=str(v).lower()) for k, v in data.items())


def describe_limits(limits: list[Limit]) -> str:
    if len(limits) == 1:
        return limits[0].describe()
    parts = []
    for limit in limits:
        if limit.when is None:
            parts.append(f"otherwise {limit.describe()}")
        else:
            parts.append(f"{limit.describe()} where {describe_condition(limit.when)}")
    return "; ".join(parts)


def counting(rule: Rule, heads: dict[str, ScheduleRule]) -> list[str]:
    lines = []
    if isinstance(rule, DeadlineRule):
        lines.append(f"Clock starts: each `{rule.clock.type}` event (the day itself is excluded).")
        lines.append(f"Limit: {describe_limits(rule.limit)}.")
        met = rule.met_by.type + (f" unless {rule.met_by.unless}" if rule.met_by.unless else "")
        lines.append(f"Met by: the first `{met}` on or after the clock.")
        if rule.void_by:
            lines.append(
                f"No finding where `{rule.void_by.type}` {rule.void_by.where} is recorded."
            )
        if rule.closed_by:
            closers = ", ".join(f"`{s.type}`" for s in rule.closed_by)
            lines.append(
                f"The case ends at {closers}; no finding if it ends on or before the due date."
            )
    else:
        head = rule if rule.follows is None else heads[rule.follows]
        assert head.scope is not None and head.event is not None
        opens = ", ".join(f"`{t}`" for t in head.scope.opens)
        closes = ", ".join(f"`{t}`" for t in head.scope.closes) or "nothing recorded"
        if rule.follows is None:
            lines.append(f"Clock starts: the case opening ({opens}); the day itself is excluded.")
            lines.append(f"Limit: {describe_limits(rule.limit)} to the first `{head.event.type}`.")
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
    units = {limit.unit for limit in rule.limit}
    if "working_days" in units:
        lines.append(
            "Working days are Monday to Friday except England bank holidays (council closure "
            "days never move a national deadline)."
        )
    if "months" in units:
        lines.append(
            "Months keep the day number, clamped to the month end (31 Jan + 1 month = 28/29 Feb)."
        )
    if "hours" in units:
        lines.append("Hours on date-only data count as whole days, rounded up (72 hours = 3 days).")
    lines.append("On time when done on or before the due date (the last compliant day).")
    return lines


def example(rule: Rule) -> list[str]:
    limit = rule.limit[-1]
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


def render(rule: Rule, rules: list[Rule]) -> str:
    heads = {r.id: r for r in rules if isinstance(r, ScheduleRule) and r.follows is None}
    out = [f"{rule.name} ({rule.id})", "=" * len(f"{rule.name} ({rule.id})"), ""]
    out.append(f"{rule.title}")
    out.append(f"Kind: {rule.kind}. Family: {rule.family}. Since: {rule.since}.")
    if rule.effective:
        out.append(
            f"In force for clocks starting {rule.effective.start or '...'} "
            f"to {rule.effective.end or '...'}."
        )
    out += ["", "What it checks", "--------------", rule.summary, ""]
    out += ["Why", "---", rule.rationale]
    if rule.seeds:
        out.append(f"Inspection reports citing it: {', '.join(rule.seeds)}.")
    out += [
        "",
        "How it is counted",
        "-----------------",
        *(f"- {line}" for line in counting(rule, heads)),
    ]
    out += ["", "Example", "-------", *example(rule)]
    out += [
        "",
        "Options",
        "-------",
        "- limit: a council plugin may tighten it as a named, cited exception.",
    ]
    if rule.notes:
        out += ["", "Notes", "-----", rule.notes]
    out += ["", "References", "----------", *(f"- {r.title}: {r.href}" for r in rule.references)]
    return "\n".join(out) + "\n"
