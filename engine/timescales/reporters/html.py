"""The performance report: one self-contained HTML file (``timescales report``).

The markup is in Jinja2 templates shipped with the package (``templates/report.html``,
autoescaped), the charts are inline SVG drawn by :mod:`.charts`, the styles and one small
script are inline (``templates/report.css``, ``templates/report.js``). This module only works
out what the page says: figures, their red/amber/green status, "n/a" and why, the rows of the
tables. A Content-Security-Policy (``default-src 'none'``, the script allowed by its hash)
makes sure the page loads nothing from anywhere, even by mistake; links to legislation are
plain links.

The per-child lists (the breach list, the permanence tracker) are embedded as JSON data
islands, streamed from their spools; the first page of each is also written as HTML rows, so
the page reads without its script.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import heapq
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import IO, TYPE_CHECKING, Any

import orjson
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..aggregates.counts import (
    ASSESSMENT_RULES,
    CARE_LEAVER_CONTACT,
    labelled,
    not_assessable_why,
)
from ..aggregates.permanence import COLUMNS as PERMANENCE_COLUMNS
from ..aggregates.permanence import PERMANENCE_RULE, REVIEW_RULES
from ..aggregates.summary import NOT_CHECKED
from ..findings import UNMET_RULES, Finding
from ..version import __version__
from ..workforce.caseloads import NOT_IN_POST
from . import TABLE_COLUMNS, extras_note
from .charts import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    STATUS_COLOURS,
    VERMILLION,
    WIDTH,
    Bar,
    Cell,
    Load,
    LoadRow,
    caseload_chart,
    caseload_grid,
    grid_width,
    heatmap,
    line_chart,
    month_label,
    nice_max,
    pct,
    rag,
    rag_mark,
    rate_bars,
    stacked_columns,
)

if TYPE_CHECKING:
    from ..aggregates.summary import Aggregator
    from ..records import ChildRecord, WorkerRecord
    from ..ruleset.ruleset import ChildResult, RuleSet
    from ..tally import Summary

__all__ = [
    "BLUE",
    "BREACH_COLUMNS",
    "GREEN",
    "GREY",
    "ORANGE",
    "PURPLE",
    "SKY",
    "STATUS_COLOURS",
    "VERMILLION",
    "breach_row",
    "nice_max",
    "render",
    "short_citation",
    "write_report",
]

BREACH_STATUSES = ("late", "overdue", "unmet")
TREND_MONTHS = 24  # at most this many months in the trend charts (every month is in the table)
FIRST_PAGE = 100  # rows of the breach list and the tracker written as HTML (and per page)
IRO_RULE = "IR001"

# the terminal table's columns, then who holds the case and why it is as it is: the recorded
# exception, the citation, the council override applied, and the note (the exception and the
# finding's extras in words: partial history, the national due date under an override...)
BREACH_COLUMNS = (*TABLE_COLUMNS, "team", "worker", "exception", "cite", "override", "note")


def due_count(row: Mapping[str, Any]) -> int:
    """The findings a row's % on time is over: met, late, overdue and unmet (pending left out;
    unmet null, n/a, when no rule that finds one was assessed: none was found)."""
    return int(row["met"] + row["late"] + row["overdue"] + (row["unmet"] or 0))


def breach_count(row: Mapping[str, Any]) -> int:
    return int(row["late"] + row["overdue"] + (row["unmet"] or 0))


def _unmet_why(agg: Mapping[str, Any]) -> str:
    """Why the all-rules ``unmet`` is null (n/a): LA020 and PF004 not assessable."""
    return not_assessable_why(agg.get("not_assessable") or {}, UNMET_RULES) or UNKNOWN


def _na_markup(why: str) -> str:
    return Markup('<abbr class="na" title="n/a: {}">n/a</abbr>').format(why)


def num(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def days(value: float | None) -> str:
    """Days late as whole days (a median of 231.8 days is "232"), half up."""
    return "–" if value is None else f"{math.floor(value + 0.5):,}"


def breach_row(finding: Finding, cites: dict[str, int]) -> list[Any]:
    """A breach as the compact row the report embeds (columns: BREACH_COLUMNS). Its citation is
    indexed by rule and link (``cites``): one link may stand for several provisions; under a
    council override, by the override too (the row cites the local standard that applied)."""
    override = next((v for k, v in finding.extra if k == "override"), None)
    key = f"{finding.rule}\x1f{finding.citation}"
    if override is not None:
        key += f"\x1f{override}"
    cite = cites.setdefault(key, len(cites))
    return [
        finding.rule,
        finding.child,
        finding.ref,
        finding.anchor.isoformat(),
        finding.due.isoformat(),
        finding.done.isoformat() if finding.done else None,
        finding.status.value,
        finding.days_late,
        finding.working_days_late,
        finding.team,
        finding.worker,
        finding.exception,
        cite,
        None if override is None else str(override),
        breach_note(finding),
    ]


def breach_note(finding: Finding) -> str:
    """The breach list's Note: the recorded exception, then the finding's extras in words."""
    exception = f"exception: {finding.exception}" if finding.exception else ""
    return "; ".join(n for n in (exception, extras_note(finding)) if n)


# ----------------------------------------------------------------------------------------------
# Citations: the provision in a few words ("SI 2010/959 reg 33(1)"), the full text its link
# ----------------------------------------------------------------------------------------------

_SI = re.compile(r"\((SI \d{4}/\d+)\)\s*")
# an aside in words, "(care planning)", "(assessment)", not a provision's part, "(2)", "(iii)"
_ASIDE = re.compile(r"\s*\((?:[^()]*\s[^()]*|[A-Za-z]{5,})\)")
_CUT = re.compile(r";|, (?:inserted|substituted|amended|as|on|and the)\b")
SHORT_CITATION = 44
# the long names of documents cited often, as a reader of the breach list knows them
ABBREVIATIONS = (
    ("Working Together to Safeguard Children", "Working Together"),
    ("Children Act 1989 guidance and regulations, Volume 2", "CA 1989 guidance vol. 2"),
    (
        "Statutory guidance on children who run away or go missing from home or care",
        "Missing children guidance",
    ),
    ("Promoting the education of looked-after children", "Promoting the education of LAC"),
    ("Children Act 1989 s.", "CA 1989 s."),
)


# where in a long document: "(2015), paragraph 29", "chapter 4", "para 16": what tells apart
# several provisions of one document (one link), kept when a long title is cut to fit
_LOCATOR = re.compile(
    r"(?:\(\d{4}\),?\s+)?(?:paragraphs?|paras?\.?|¶|chapter|section|annex|pages?)\s*"
    r"[\w().]+(?:\s*(?:,|and|to|–|-)\s*[\w().]+)*$",
    re.IGNORECASE,
)


def short_citation(provision: str) -> str:
    """The provision a rule rests on, short enough for a table cell: the statutory
    instrument's number instead of its title ("Care Planning ... Regulations 2010 (SI 2010/959)
    reg 33(1)" -> "SI 2010/959 reg 33(1)"), the first provision of several, no asides. A long
    title is cut in the middle, keeping where in the document ("Ofsted, inspection of… (2015),
    paragraph 29"): several rules cite one report, each its own paragraph."""
    text = provision.strip()
    for long, short in ABBREVIATIONS:
        text = text.replace(long, short)
    first = _CUT.split(text, maxsplit=1)[0]
    si = _SI.search(first)
    if si:
        first = si.group(1) + " " + first[si.end() :]
    first = _ASIDE.sub("", first).strip(" ,")
    if len(first) > SHORT_CITATION:
        first = _cut(first)
    return first or provision[:SHORT_CITATION]


def _cut(text: str) -> str:
    """``text`` in SHORT_CITATION characters: its start, "…", and its locator where it ends
    with one short enough to keep."""
    where = _LOCATOR.search(text)
    tail = where.group(0) if where else ""
    room = SHORT_CITATION - len(tail) - 2  # "… " between them
    if not tail or room < 12:
        return text[: SHORT_CITATION - 1].rstrip(" ,") + "…"
    head = text[: len(text) - len(tail)].rstrip(" ,:")
    if len(head) > room:
        cut = head[: room + 1]
        head = cut.rsplit(" ", 1)[0] if " " in cut else head[:room]
    return head.rstrip(" ,:") + "… " + tail


def _own_reference(rule: Mapping[str, Any] | None, href: str) -> str | None:
    """The rule's own reference title for ``href``, where it is the rule's citation: several
    rules may cite one link (one Ofsted report), each a different paragraph of it."""
    if rule is not None and href and href == rule.get("citation"):
        title = rule.get("reference")
        return str(title) if title else None
    return None


def _cite_label(rule: Mapping[str, Any] | None, href: str, titles: Mapping[str, str]) -> str:
    cited = rule is not None and href in (rule.get("citations") or [rule.get("citation")])
    if cited and rule is not None and rule.get("provision"):
        return short_citation(str(rule["provision"]))
    title = _own_reference(rule, href) or titles.get(href)
    return short_citation(title) if title else href


# ----------------------------------------------------------------------------------------------
# What the page says
# ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Figure:
    """A number as the page shows it; ``why`` makes it "n/a" (its rule could not be assessed
    from these inputs), with the reason on hover and in the section's note."""

    text: str
    why: str | None = None
    rules: tuple[str, ...] = ()

    @property
    def na(self) -> bool:
        return self.why is not None


class NotAssessable:
    """The rules that could not be assessed, with why; figures resting on them are n/a. Each
    section collects the reasons it showed, for its footnote."""

    def __init__(self, why: Mapping[str, str]) -> None:
        self.why = dict(why)

    def of(self, *rules: str) -> str | None:
        """Why a figure resting on ``rules`` is n/a: all of them are unassessable."""
        return not_assessable_why(self.why, rules)

    def figure(self, text: str, *rules: str) -> Figure:
        why = self.of(*rules)
        return Figure("n/a", why, rules) if why else Figure(text)


@dataclasses.dataclass(frozen=True, slots=True)
class Tile:
    figure: Figure
    label: str
    tone: str = ""  # "good", "bad", or a RAG status
    mark: str = ""  # "■ red": shape and word
    hint: str = ""  # the label in full, on hover


def _rule_targets(agg: Mapping[str, Any]) -> dict[str, float]:
    """Each rule's council target (the highest, where several targets name it)."""
    out: dict[str, float] = {}
    for target in agg["targets"]:
        for rule in target["rules"]:
            out[rule] = max(out.get(rule, 0.0), float(target["target"]))
    return out


def _worst_first(rows: Iterable[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
    """Lowest % on time first; nothing due last; then more due first, then by name."""
    return sorted(
        rows,
        key=lambda r: (r["on_time"] is None, r["on_time"] or 0.0, -due_count(r), str(r[key])),
    )


def _stats(row: Mapping[str, Any], unmet_why: str = "") -> list[str]:
    return [
        num(row["children"]),
        num(row["met"]),
        num(row["late"]),
        num(row["overdue"]),
        num(row["pending"]),
        _na_markup(unmet_why or UNKNOWN) if row["unmet"] is None else num(row["unmet"]),
        pct(row["on_time"], 1),
        days(row["median_days_late"]),
        days(row["p90_days_late"]),
    ]


STATS_HEADERS = (
    "Children",
    "Met",
    "Late",
    "Overdue",
    "Pending",
    "Unmet",
    "% on time",
    "Median days late",
    "90th percentile days late",
)


def _headlines(agg: Mapping[str, Any], na: NotAssessable) -> list[Tile]:
    o = agg["overall"]
    due = due_count(o)
    status = rag(o["on_time"])
    counts = agg["counts"]
    tiles = [
        Tile(Figure(num(agg["children_checked"])), "children checked"),
        Tile(
            Figure(pct(o["on_time"], 1)),
            f"on time, of {due:,} due",
            status or "",
            rag_mark(status),
            "% on time = met ÷ (met + late + overdue + unmet), all rules; pending left out",
        ),
        Tile(Figure(num(breach_count(o))), "breaches", "bad", hint="late, overdue or unmet"),
        Tile(
            Figure(num(agg.get("overdue_open", 0))),
            "overdue on open cases",
            "bad",
            hint="overdue findings whose case is still open at the as-of date",
        ),
        Tile(
            na.figure(num(o["unmet"]), *UNMET_RULES),
            "unmet visits",
            "" if na.of(*UNMET_RULES) else "bad",
            hint="visits that did not meet the requirement (LA020, PF004): a breach with no "
            "days late",
        ),
        Tile(
            Figure(days(o["median_days_late"])),
            "median days late",
            hint="of the late and overdue findings, in whole days",
        ),
        Tile(
            Figure(days(o["p90_days_late"])),
            "90th percentile days late",
            hint="of the late and overdue findings, in whole days",
        ),
        Tile(Figure(num(o["pending"])), "pending", hint="not yet due: left out of % on time"),
    ]
    iro = agg["caseloads"]["iro"]
    why = na.of(IRO_RULE)
    if why:
        tiles.append(Tile(Figure("n/a", why, (IRO_RULE,)), "IROs above the range"))
    elif iro["rows"]:
        high = iro.get("high")
        tiles.append(
            Tile(
                Figure(f"{iro['above']} of {len(iro['rows'])}"),
                f"IROs above {high} per FTE" if high else "IROs",
                "bad" if iro["above"] else "good",
                hint="independent reviewing officers above IR001's caseload range",
            )
        )
    targets = agg["targets"]
    if targets:
        met = sum(1 for t in targets if t["met"])
        tiles.append(
            Tile(
                Figure(f"{met} of {len(targets)}"),
                "local targets met",
                "good" if met == len(targets) else "bad",
            )
        )
    a = counts["assessments"]
    why = na.of(*ASSESSMENT_RULES) if not a["rule"] else None
    if why:
        tiles.append(Tile(Figure("n/a", why, ASSESSMENT_RULES), "assessments in 45 working days"))
    elif a["completed_in_period"]:
        tiles.append(
            Tile(
                Figure(f"{a['within_45_working_days']:,} of {a['completed_in_period']:,}"),
                "assessments in 45 working days",
                hint="assessments completed in the period, and how many within 45 working days",
            )
        )
    else:
        tiles.append(
            Tile(
                Figure("none"),
                "assessments completed",
                hint="no assessment was completed in the period",
            )
        )
    cl = counts["care_leavers"]
    why = na.of(CARE_LEAVER_CONTACT)
    if why:
        tiles.append(Tile(Figure("n/a", why, (CARE_LEAVER_CONTACT,)), "care leavers in touch"))
    elif cl["current"]:
        tiles.append(
            Tile(
                Figure(f"{cl['in_touch']:,} of {cl['current']:,}"),
                "care leavers in touch",
                hint="care leavers with a contact schedule open, and how many were seen within "
                "2 months",
            )
        )
    return tiles


def _rules(agg: Mapping[str, Any]) -> dict[str, Any]:
    targets = _rule_targets(agg)
    rows = _worst_first(agg["rules"], "rule")
    bars = []
    table = []
    for r in rows:
        target = targets.get(r["rule"])
        status = rag(r["on_time"], target)
        bars.append(
            Bar(
                label=r["title"] or r["name"],
                key=r["rule"],
                value=r["on_time"],
                due=due_count(r),
                status=status,
                target=target,
            )
        )
        table.append(
            {
                "rule": r["rule"],
                "title": r["title"] or r["name"],
                "status": status,
                "mark": rag_mark(status),
                "target": pct(target) if target is not None else "",
                "stats": _stats(r),
                "citation": r.get("citation"),
                "cite": _cite_label(r, str(r.get("citation") or ""), {}),
            }
        )
    rated = [r for r in rows if r["on_time"] is not None]
    desc = (
        f"Percentage of findings on time for each of {len(rows)} rules, worst first, coloured "
        "and marked red, amber or green"
        + (" against the council's targets where it sets one, else" if targets else " against")
        + " the national thresholds (green 90% or more, amber 75% or more, else red). "
        + (
            "Lowest: "
            + "; ".join(f"{r['rule']} {pct(r['on_time'])}" for r in rated[:3])
            + ". Highest: "
            + "; ".join(f"{r['rule']} {pct(r['on_time'])}" for r in rated[-3:][::-1])
            + "."
            if rated
            else "Nothing was due."
        )
        + (" Black ticks mark the council's targets." if targets else "")
    )
    chart = rate_bars("chart-rules", bars, title="% on time by rule, worst first", desc=desc)
    return {"chart": chart, "desc": desc, "rows": table, "headers": STATS_HEADERS}


def _trend_rows(agg: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The months to chart: from the first to the last month up to as_of with anything due (at
    most the latest TREND_MONTHS), every month between them (empty: a gap in the line)."""
    as_of_month = agg["as_of"][:7]
    have = {
        r["month"]: r
        for r in agg["by_month"]
        if r["rule"] == "*" and r["month"] <= as_of_month and due_count(r) > 0
    }
    if not have:
        return []
    first, last = min(have), max(have)
    months: list[str] = []
    year, month = int(last[:4]), int(last[5:7])
    while len(months) < TREND_MONTHS:
        key = f"{year:04d}-{month:02d}"
        if key < first:
            break
        months.append(key)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    empty = dict.fromkeys(("met", "late", "overdue", "pending", "unmet"), 0)
    return [have.get(m) or {"month": m, "on_time": None, **empty} for m in reversed(months)]


def _trend(agg: Mapping[str, Any]) -> dict[str, Any]:
    recent = _trend_rows(agg)
    points = [(r["month"], r["on_time"], due_count(r)) for r in recent]
    if recent:
        rates = [(r["month"], r["on_time"]) for r in recent if r["on_time"] is not None]
        best = max(rates, key=lambda x: x[1])
        low = min(rates, key=lambda x: x[1])
        desc = (
            f"% of findings on time by month of the due date, {month_label(recent[0]['month'])}"
            f" to {month_label(recent[-1]['month'])}, all rules, with the number due each month. "
            f"Latest {pct(rates[-1][1])} ({month_label(rates[-1][0])}); highest "
            f"{pct(best[1])} ({month_label(best[0])}); lowest {pct(low[1])} "
            f"({month_label(low[0])})."
        )
    else:
        desc = "Nothing was due in any month up to the as-of date."
    line = line_chart("chart-trend", points, title="% on time by month due", desc=desc)
    months = [r["month"] for r in recent]
    series = {s: [int(r[s] or 0) for r in recent] for s in ("met", *BREACH_STATUSES)}
    breaches = [breach_count(r) for r in recent]
    desc2 = "Findings due each month by status (met, late, overdue, unmet), all rules. " + (
        f"Most breaches: {max(breaches):,} in {month_label(months[breaches.index(max(breaches))])}."
        if breaches
        else ""
    )
    stack = stacked_columns(
        "chart-status", months, series, title="Findings due by month and status", desc=desc2
    )
    unmet_why = _unmet_why(agg)
    table = [
        [month_label(r["month"]), *_stats(r, unmet_why)]
        for r in sorted((r for r in agg["by_month"] if r["rule"] == "*"), key=lambda r: r["month"])
    ]
    return {
        "line": line,
        "desc": desc,
        "stack": stack,
        "desc2": desc2,
        "rows": table,
        "headers": STATS_HEADERS,
        "months": len(recent),
        "cap": TREND_MONTHS,  # the most the charts show (how to read this): not len(recent)
    }


def _teams(agg: Mapping[str, Any], rule_order: Sequence[str]) -> dict[str, Any]:
    teams = _worst_first([r for r in agg["by_team"] if r["rule"] == "*"], "team")
    if not teams:
        return {"teams": []}
    bars = [
        Bar(label=r["team"], value=r["on_time"], due=due_count(r), status=rag(r["on_time"]))
        for r in teams
    ]
    rated = [r for r in teams if r["on_time"] is not None]
    desc = (
        f"% of findings on time for each of {len(teams)} teams, all rules, worst first, "
        "marked against the national thresholds. "
        + "; ".join(f"{r['team']} {pct(r['on_time'])}" for r in rated)
    )
    chart = rate_bars("chart-teams", bars, title="% on time by team, worst first", desc=desc)
    # the rule x team heat map: rules in the rule chart's order, teams by name
    names = sorted(r["team"] for r in teams)
    targets = _rule_targets(agg)
    titles = {r["rule"]: r["title"] or r["name"] for r in agg["rules"]}
    cells: dict[tuple[str, str], Cell] = {}
    for r in agg["by_team"]:
        if r["rule"] != "*":
            status = rag(r["on_time"], targets.get(r["rule"]))
            cells[(r["rule"], r["team"])] = Cell(r["on_time"], due_count(r), status)
    rows = [(rule, titles.get(rule, "")) for rule in rule_order]
    worst = sorted(
        ((k, c) for k, c in cells.items() if c.value is not None and c.due >= 5),
        key=lambda kc: kc[1].value or 0.0,
    )[:3]
    heat_desc = (
        "% on time for each rule (rows, worst first) and team (columns), with the number due "
        "in each cell, tinted and marked red, amber or green. "
        + (
            "Lowest with 5 or more due: "
            + "; ".join(f"{k[0]} in {k[1]} {pct(c.value)} of {c.due:,}" for k, c in worst)
            + "."
            if worst
            else ""
        )
    )
    heat = heatmap(
        "chart-heat", rows, names, cells, title="% on time by rule and team", desc=heat_desc
    )
    matrix = []
    for rule, title in rows:
        line: list[str] = []
        for team in names:
            c = cells.get((rule, team))
            line.append(f"{pct(c.value)} of {c.due:,}" if c and c.value is not None else "–")
        matrix.append({"rule": rule, "title": title, "cells": line})
    # workers under their teams
    team_of = agg.get("worker_teams") or {}
    unmet_why = _unmet_why(agg)
    groups: dict[str, list[list[str]]] = {}
    for r in sorted((r for r in agg["by_worker"] if r["rule"] == "*"), key=lambda r: r["worker"]):
        groups.setdefault(team_of.get(r["worker"]) or "(no team)", []).append(
            [r["worker"], *_stats(r, unmet_why)]
        )
    workers = sorted(groups.items(), key=lambda kv: (kv[0] == "(no team)", kv[0]))
    iros = [[r["iro"], *_stats(r, unmet_why)] for r in agg["by_iro"] if r["rule"] == "*"]
    return {
        "teams": [[r["team"], *_stats(r, unmet_why)] for r in teams],
        "chart": chart,
        "desc": desc,
        "heat": heat,
        "heat_desc": heat_desc,
        "names": names,
        "matrix": matrix,
        "workers": workers,
        "worker_count": sum(len(v) for v in groups.values()),
        "iros": iros,
        "headers": STATS_HEADERS,
    }


def _targets(agg: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for t in agg["targets"]:
        status = rag(t["measured"], t["target"])
        out.append(
            {
                "title": t["title"],
                "rules": ", ".join(t["rules"]),
                "target": pct(t["target"]),
                "measured": pct(t["measured"], 1),
                "due": num(t["due"]),
                "met": t["met"],
                "mark": rag_mark(status),
                "status": status,
                "citation": t["citation"],
            }
        )
    return out


def _counts(agg: Mapping[str, Any], na: NotAssessable) -> list[tuple[str, Figure]]:
    rows = labelled(agg["counts"], na.why)
    return [
        (label, Figure("n/a", why) if why else Figure(num(value))) for _, label, value, why in rows
    ]


def _caseloads(agg: Mapping[str, Any], na: NotAssessable) -> dict[str, Any]:
    iro = agg["caseloads"]["iro"]
    worker = agg["caseloads"]["worker"]
    out: dict[str, Any] = {"iro_na": na.of(IRO_RULE), "iro": None, "worker": None}
    if iro["rows"]:
        rows = [(r["iro"], r["per_fte"], r["status"]) for r in iro["rows"]]
        low, high = iro.get("low"), iro.get("high")
        desc = (
            f"Open looked-after children per full-time IRO as of {agg['as_of']}, for "
            f"{len(rows)} IROs"
            + (f", against the recommended {low}–{high}" if high else "")
            + f". {iro['above']} above the range, {iro['within']} within, {iro['below']} below. "
            + "Highest: "
            + "; ".join(f"{n} {num(v)}" for n, v, _ in sorted(rows, key=lambda r: -r[1])[:3])
            + "."
        )
        out["iro"] = {
            "chart": caseload_chart(
                "chart-caseload",
                rows,
                low=low,
                high=high,
                title="IRO caseloads (IR001)",
                desc=desc,
            ),
            "desc": desc,
            "fte_note": (
                "FTE from the IRO list given."
                if iro.get("fte_from_list")
                else "No IRO list given: every IRO counts as 1.0 FTE (report --iros FILE)."
            ),
            "rows": [
                [
                    r["iro"],
                    num(r["children"]),
                    f"{r['fte']:g}",
                    num(r["per_fte"]),
                    r["status"],
                    "–" if r["listed"] is None else ("yes" if r["listed"] else "no"),
                ]
                for r in iro["rows"]
            ],
        }
    if worker["rows"]:
        out["worker"] = {
            "threshold": (
                f"against the local range {worker['low']}–{worker['high']} ({worker['rule']}), "
                "children allocated per FTE: the verdict the Workforce section gives"
                if worker["rule"]
                else "no local threshold set (a council plugin can set one)"
            ),
            "ruled": bool(worker["rule"]),
            # the caseload rule's one verdict, per FTE (why: none, or the counts differ)
            "rows": [
                [
                    r["worker"],
                    num(r["children"]),
                    r["status"],
                    num(r.get("per_fte")),
                    r.get("why"),
                ]
                for r in worker["rows"]
            ],
        }
    return out


# ----------------------------------------------------------------------------------------------
# The workforce (agg["workforce"]): caseloads month by month, on time per team, recruitment
# ----------------------------------------------------------------------------------------------

NO_WORKERS = "No worker records were given: the workforce rules were not assessed."
NOTHING_DUE = "nothing was due"
UNKNOWN = "the data cannot tell"
FTE_FROM = {
    "list": "from the list given",
    "record": "from the worker's record",
    "default": "none given: counted as 1.0",
}
TIMELINESS_HEADERS = ("Team", "Met", "Late", "Overdue", "Pending", "% on time")
ALL_TEAMS = "All teams"


def _ident(rule: str) -> str:
    """A rule ID as part of an element ID."""
    return re.sub(r"[^A-Za-z0-9-]", "-", rule)


def _date_label(date: str) -> str:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{day.day} {day:%b %Y}"


def _workforce(agg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The report's workforce section, or None when the aggregates carry no "workforce" (the
    report is then as it was before there was one)."""
    if "workforce" not in agg:
        return None
    wf: Mapping[str, Any] = agg["workforce"] or {}
    rules = list(wf.get("rules") or ())
    names = {r["rule"]: r.get("name") or "" for r in rules}
    caseloads = [_wf_caseload(c, agg["as_of"]) for c in wf.get("caseloads") or ()]
    timeliness = _wf_timeliness(wf.get("timeliness") or (), names)
    targets = _wf_targets(wf.get("targets") or ())
    due = _wf_supervision(wf.get("supervision_due") or (), agg["as_of"])
    workers = int(wf.get("workers") or 0)
    shown = any(c["rows"] for c in caseloads) or timeliness or targets or due["rows"]
    if not shown:
        message = (
            NO_WORKERS
            if not workers
            else f"{workers:,} worker records were checked, but none of the workforce rules "
            "could be assessed."
        )
    else:
        message = None
    return {
        "workers": workers,
        "message": message,
        "caseloads": [c for c in caseloads if c["rows"]],
        "timeliness": timeliness,
        "targets": targets,
        "supervision_due": due,
        "not_assessed": [r for r in rules if not r.get("assessed")],
    }


def _wf_caseload(c: Mapping[str, Any], as_of: str) -> dict[str, Any]:
    """One caseload measure: the worker x date grid (chart) and its numbers (table)."""
    dates = [str(d) for d in c.get("snapshots") or ()]
    low, high = c.get("low"), c.get("high")
    nq_range = c.get("newly_qualified")
    nq = (nq_range["low"], nq_range["high"]) if nq_range else None
    rows = sorted(
        c.get("rows") or (), key=lambda r: (r.get("team") is None, r.get("team") or "", r["worker"])
    )
    grid: list[LoadRow] = []
    table: list[dict[str, Any]] = []
    whys: list[str] = []
    for r in rows:
        by_date = {v["date"]: v for v in r.get("values") or ()}
        loads: list[Load | None] = []
        cells: list[dict[str, Any]] = []
        for date in dates:
            v = by_date.get(date)
            if v is None or v.get("why") == NOT_IN_POST:
                loads.append(None)
                cells.append({"text": "–", "status": None, "na": None, "nq": False})
                continue
            why = None
            if v.get("per_fte") is None:
                why = v.get("why") or r.get("why") or UNKNOWN
                if why not in whys:
                    whys.append(why)
            loads.append(
                Load(
                    v.get("per_fte"),
                    v.get("status"),
                    bool(v.get("newly_qualified")),
                    why or "",
                    v.get("children"),
                )
            )
            cells.append(
                {
                    "text": "n/a" if why else num(v["per_fte"]),
                    "status": v.get("status"),
                    "na": why,
                    "nq": bool(v.get("newly_qualified")),
                }
            )
        fte_from = FTE_FROM.get(str(r.get("fte_from")), "")
        fte = "–" if r.get("fte") is None else f"{r['fte']:g}"
        team = r.get("team") or "(no team)"
        grid.append(LoadRow(r["worker"], team, loads, f"FTE {fte}, {fte_from}"))
        last = by_date.get(dates[-1]) if dates else None
        table.append(
            {
                "worker": r["worker"],
                "team": team,
                "fte": fte,
                "fte_from": fte_from,
                "nq": any(c["nq"] for c in cells),
                "cells": cells,
                "latest": (last or {}).get("status"),
            }
        )
    at = c.get("at_as_of") or {}
    label = f"{c['rule']} {c.get('name') or ''}".strip()
    ranged = f"{num(low)}–{num(high)}" if low is not None and high is not None else None
    above = [
        (t["worker"], sum(1 for cell in t["cells"] if cell["status"] == "above"))
        for t in table
        if any(cell["status"] == "above" for cell in t["cells"])
    ]
    above.sort(key=lambda wa: (-wa[1], wa[0]))
    period = (
        f"at {len(dates)} dates, {month_label(dates[0][:7])} to {_date_label(dates[-1])}"
        if dates
        else "at no date"
    )
    desc = (
        f"Children per FTE for each of {len(rows)} {_role_names(c.get('role') or 'worker')} "
        f"{period}"
        + (f", against the range {ranged}" if ranged else ", with no range set")
        + (f" (newly qualified {num(nq[0])}–{num(nq[1])})" if nq else "")
        + f". As of {as_of}: {at.get('above', 0)} above, {at.get('within', 0)} within, "
        f"{at.get('below', 0)} below. "
        + (
            "Above the range at any date: "
            + "; ".join(f"{w} ({k} of {len(dates)})" for w, k in above[:5])
            + ("; …" if len(above) > 5 else "")
            + "."
            if above
            else "Nobody above the range at any date."
        )
    )
    ident = f"chart-wf-{_ident(c['rule'])}"
    source = (
        "the children's records"
        if c.get("source") == "children"
        else "the allocations in the worker records"
    )
    return {
        "rule": c["rule"],
        "ident": ident,
        "title": label,
        "roles": _plural(c.get("role") or "worker"),
        "last": dates[-1] if dates else as_of,
        "range": ranged,
        "nq": f"{num(nq[0])}–{num(nq[1])}" if nq else None,
        "citation": c.get("citation"),
        "source": source,
        "chart": caseload_grid(
            ident,
            dates,
            grid,
            low=low,
            high=high,
            nq=nq,
            title=f"{label}: children per FTE by worker and month",
            desc=desc,
        ),
        "wide": grid_width(len(dates)) > WIDTH + 0.5,
        "desc": desc,
        "dates": [month_label(d[:7], short=True) for d in dates],
        "rows": table,
        "whys": whys,
        "at": at,
    }


ROLE_NAMES = {"iro": "IRO", "asye": "ASYE"}


def _role_names(role: str) -> str:
    """ "iro" -> "IROs", "social_worker" -> "social workers", "iro, social_worker" -> "IROs and
    social workers": roles as the records give them, in a sentence."""
    names = [ROLE_NAMES.get(r.strip(), r.strip().replace("_", " ")) for r in role.split(",")]
    return " and ".join(f"{n}s" for n in names if n)


def _plural(role: str) -> str:
    """Roles in words as a sentence opens: "IROs", "Social workers"."""
    text = _role_names(role)
    return text[:1].upper() + text[1:]


def _wf_timeliness(
    rows: Iterable[Mapping[str, Any]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """On time per team, a table per rule: the teams by name, then all teams."""
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_rule.setdefault(r["rule"], []).append(r)
    out = []
    for rule, group in by_rule.items():
        group.sort(key=lambda r: (r.get("team") is None, r.get("team") or ""))
        lines = []
        for r in group:
            rate = r.get("on_time")
            status = rag(rate)
            # a rule not assessed: every figure n/a with its reason (never 0)
            why = r.get("why") or NOTHING_DUE
            lines.append(
                {
                    "team": r.get("team") or ALL_TEAMS,
                    "cells": [
                        Figure("n/a", why) if r[k] is None else Figure(num(r[k]))
                        for k in ("met", "late", "overdue", "pending")
                    ],
                    "rate": Figure(pct(rate, 1)) if rate is not None else Figure("n/a", why),
                    "status": status,
                    "mark": rag_mark(status),
                }
            )
        name = group[0].get("name") or names.get(rule, "")
        out.append({"rule": rule, "name": name, "ident": _ident(rule), "rows": lines})
    return out


def _wf_targets(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in rows:
        why = t.get("why") or UNKNOWN

        def figure(key: str, t: Mapping[str, Any] = t, why: str = why) -> Figure:
            value = t.get(key)
            if value is None:
                return Figure("n/a", why)
            return Figure(f"{value:+,}" if key == "net" else num(value))

        status = t.get("status")
        out.append(
            {
                "rule": t["rule"],
                "name": t.get("name") or "",
                "role": t.get("role") or "",
                "period": f"{t.get('from') or '?'} to {t.get('to') or '?'}",
                "target": figure("target"),
                "recruited": figure("recruited"),
                "left": figure("left"),
                "net": figure("net"),
                "status": status,
                "status_na": None if status else why,
                "citation": t.get("citation"),
            }
        )
    return out


def _wf_supervision(rows: Iterable[Mapping[str, Any]], as_of: str) -> dict[str, Any]:
    """Workers whose supervision is overdue or pending: overdue first, then by due date."""
    today = dt.date.fromisoformat(as_of)
    out = []
    for r in sorted(rows, key=lambda r: (r["status"] != "overdue", str(r["due"]), r["worker"])):
        due = dt.date.fromisoformat(str(r["due"]))
        gap = (today - due).days
        overdue = r["status"] == "overdue" or gap > 0  # past due and not done: overdue
        when = (
            f"overdue {gap:,} day{'s' if gap != 1 else ''}"
            if overdue
            else "due today"
            if gap == 0
            else f"due in {-gap:,} day{'s' if gap != -1 else ''}"
        )
        out.append(
            {
                "team": r.get("team") or "(no team)",
                "worker": r["worker"],
                "rule": r["rule"],
                "last": str(r["last"]) if r.get("last") else "none recorded",
                "due": str(r["due"]),
                "status": "overdue" if overdue else r["status"],
                "when": when,
            }
        )
    return {"rows": out, "overdue": sum(1 for r in out if r["status"] == "overdue")}


def _permanence(agg: Mapping[str, Any], na: NotAssessable) -> dict[str, Any]:
    p = agg["permanence"]
    plan_why = na.of(PERMANENCE_RULE)
    reviews_why = na.of(*REVIEW_RULES)
    # null when the inputs cannot carry a period of care (a CIN census): n/a, never "0"
    looked_after = (
        Figure("n/a", p.get("why") or UNKNOWN)
        if p["looked_after"] is None
        else Figure(num(p["looked_after"]))
    )
    return {
        "looked_after": looked_after,
        "with_plan": na.figure(num(p["with_plan"]), PERMANENCE_RULE),
        "without_plan_past_due": na.figure(num(p["without_plan_past_due"]), PERMANENCE_RULE),
        "plan_na": plan_why,
        "reviews_na": reviews_why,
        "iro_na": na.of(IRO_RULE),
    }


def _completeness(agg: Mapping[str, Any]) -> dict[str, Any] | None:
    run = agg.get("run")
    if not run or "completeness" not in run:
        return None
    c = dict(run["completeness"])
    c["partial_pct"] = pct(c["partial_history_share"], 1) if c["findings"] else "–"
    return c


# the breach list's first page without the script: as the script sorts it (most days late
# first, the unmet visits, which have no days late, last)
_DAYS = BREACH_COLUMNS.index("days_late")


def _first_page(rows: Iterable[list[Any]]) -> list[list[Any]]:
    return heapq.nsmallest(
        FIRST_PAGE,
        rows,
        key=lambda r: (r[_DAYS] is None, -(r[_DAYS] or 0)),
    )


def _tracker_first_page(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return heapq.nsmallest(
        FIRST_PAGE, rows, key=lambda p: (p.get("due") is None, p.get("due") or "")
    )


def _json(value: Any) -> Markup:
    """JSON safe inside a <script> element (no '<' can close it)."""
    return Markup(orjson.dumps(value).decode().replace("<", "\\u003c"))  # noqa: S704


@cache
def _asset(name: str) -> str:
    return resources.files("timescales.reporters.templates").joinpath(name).read_text("utf-8")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("timescales.reporters", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )


def script_hash() -> str:
    digest = hashlib.sha256(_asset("report.js").encode()).digest()
    return base64.b64encode(digest).decode()


def csp() -> str:
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash()}'; base-uri 'none'; form-action 'none'"
    )


def _replayable(rows: Iterable[Any]) -> Iterable[Any]:
    """Rows that can be read twice (a spool can; a one-shot iterator is kept in a list)."""
    return list(rows) if isinstance(rows, Iterator) else rows


def render(
    agg: Mapping[str, Any],
    out: IO[str],
    *,
    breaches: Iterable[list[Any]],
    cites: Mapping[str, int],
    cite_titles: Mapping[str, str],
    permanence: Iterable[Mapping[str, Any]],
    title: str = "Statutory timescales: performance report",
    unreliable: str | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write the report. ``agg`` is Aggregator.to_dict() (with the run's summary for the
    data-completeness banner); breaches are rows from breach_row() (their citations indexed
    by ``cites``), permanence rows PermanenceRow.to_dict(); either may be read twice (a
    one-shot iterator is kept in memory). ``unreliable`` says why the figures are not
    reliable (rejects above --max-rejects): the page says so in red, at the top.
    ``overrides`` (override_info()): the council overrides whose breaches show the local
    standard's title and citation."""
    breaches = _replayable(breaches)
    permanence = _replayable(permanence)
    na = NotAssessable(agg.get("not_assessable") or {})
    rules = _rules(agg)
    rule_order = [r["rule"] for r in rules["rows"]]
    by_rule = {r["rule"]: r for r in agg["rules"]}
    overrides = overrides or {}
    cite_rows = _cite_rows(cites, by_rule, cite_titles, overrides)
    rule_titles = {r["rule"]: f"{r['rule']} {r['title'] or r['name']}" for r in agg["rules"]}
    row_titles = _row_titles(rule_titles, overrides)
    teams = _teams(agg, rule_order)
    first = _first_page(breaches)
    tracker_first = _tracker_first_page(permanence)
    perm = _permanence(agg, na)
    unassessed = agg.get("not_assessable_rules") or [
        {"rule": rule, "title": "", "why": why}
        for rule, why in (agg.get("not_assessable") or {}).items()
    ]
    banner_na, banner_inactive = _banner_rules(agg, unassessed)
    context = {
        "title": title,
        "version": __version__,
        "as_of": agg["as_of"],
        "period": agg["period"],
        "council": agg.get("la") or "national rules only (no council selected)",
        "csp": csp(),
        "style": Markup(_asset("report.css")),  # noqa: S704 (our own file)
        "script": Markup(_asset("report.js")),  # noqa: S704 (our own file)
        "unreliable": unreliable,
        "completeness": _completeness(agg),
        "not_assessable": banner_na,
        "inactive": banner_inactive,
        "not_checked": [r["rule"] for r in unassessed if r["why"] == NOT_CHECKED],
        "tiles": _headlines(agg, na),
        "rules": rules,
        "trend": _trend(agg),
        "teams": teams,
        "targets": _targets(agg),
        "counts": _counts(agg, na),
        "caseloads": _caseloads(agg, na),
        "workforce": _workforce(agg),
        "timeliness_headers": TIMELINESS_HEADERS,
        "permanence": perm,
        "breach_total": breach_count(agg["overall"]),
        "filters": _filters(agg, na, rule_order, rule_titles),
        "first_breaches": [_static_breach(row, cite_rows, row_titles) for row in first],
        "first_tracker": [_static_tracker(p, perm) for p in tracker_first],
        "data_breaches": _breach_island(breaches, row_titles, cite_rows),
        "data_permanence": _tracker_island(permanence, perm),
        "rules_inactive": sorted((agg.get("run") or {}).get("inactive", {}).items()),
    }
    for chunk in _environment().get_template("report.html").generate(**context):
        out.write(chunk)


def _banner_rules(
    agg: Mapping[str, Any], unassessed: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The banner's rules not assessable and rules inactive, as the run's tally and the console
    give them (the workbook's "Data completeness" sheet too): not assessable, the inputs do not
    carry their events (``run.completeness.not_assessable``); inactive, they cannot run in this
    rule set (``run.inactive``: no school term dates, a council setting unset). Made from
    aggregates alone (no run), every rule whose figures are n/a, as before."""
    run = agg.get("run") or {}
    tally = (run.get("completeness") or {}).get("not_assessable")
    if tally is None:
        return [dict(r) for r in unassessed if r["why"] != NOT_CHECKED], []
    titles = {r["rule"]: r.get("title") or "" for r in unassessed}

    def listed(whys: Mapping[str, str]) -> list[dict[str, Any]]:
        return [
            {"rule": rule, "title": titles.get(rule, ""), "why": why}
            for rule, why in sorted(whys.items())
        ]

    return listed(tally), listed(run.get("inactive") or {})


def _cite_rows(
    cites: Mapping[str, int],
    by_rule: Mapping[str, Any],
    cite_titles: Mapping[str, str],
    overrides: Mapping[str, Mapping[str, str]],
) -> list[list[Any]]:
    """The citations the breaches point at, in their index order: (href, label, title). A
    breach under a council override cites the override's own reference, the national
    provision it stands in for in its title."""
    rows = []
    for key, _ in sorted(cites.items(), key=lambda kv: kv[1]):
        rule, _, rest = key.partition("\x1f")
        href, _, override = rest.partition("\x1f")
        if not href:  # a bare link (older callers)
            rule, href = "", key
        full = (
            (by_rule.get(rule) or {}).get("provision")
            or _own_reference(by_rule.get(rule), href)
            or cite_titles.get(href, href)
        )
        local = overrides.get(override) if override else None
        if local is not None:
            instead = f"local standard {override}, in place of {rule}: {full}"
            rows.append(
                [
                    local["href"],
                    short_citation(local["reference"]),
                    f"{local['reference']} ({instead})",
                ]
            )
            continue
        rows.append([href, _cite_label(by_rule.get(rule), href, cite_titles), full])
    return rows


def override_info(ruleset: RuleSet) -> dict[str, dict[str, str]]:
    """The council overrides in force, by name: the rule each stands in for, its title, and its
    first reference (link and title), for the breaches it set the due date of."""
    return {
        active.override.name: {
            "rule": active.override.rule,
            "title": active.override.title,
            "href": active.override.references[0].href,
            "reference": active.override.references[0].title,
        }
        for active in ruleset.overrides.values()
    }


def _row_titles(
    rule_titles: Mapping[str, str], overrides: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """The breach rows' rule titles: each rule's, and, keyed "RULE\x1foverride", the local
    standard's for the rows a council override set the due date of (so "due Saturday" is not
    read against the national "1 working day")."""
    out = dict(rule_titles)
    for name, local in overrides.items():
        out[f"{local['rule']}\x1f{name}"] = f"{local['rule']} Local standard: {local['title']}"
    return out


def _filters(
    agg: Mapping[str, Any],
    na: NotAssessable,
    rule_order: Sequence[str],
    rule_titles: Mapping[str, str],
) -> dict[str, Any]:
    """The breach list's filters: the rules, teams and workers with breaches, the statuses."""
    by_rule = {r["rule"]: r for r in agg["rules"]}
    statuses = [("late", "late"), ("overdue", "overdue")]
    if not na.of(*UNMET_RULES):
        statuses.append(("unmet", "unmet (visits that did not meet the requirement)"))
    worker_team = agg.get("worker_teams") or {}
    workers_by_team: dict[str, list[str]] = {}
    for r in agg["by_worker"]:
        if r["rule"] == "*" and breach_count(r):
            team = worker_team.get(r["worker"]) or "(no team)"
            workers_by_team.setdefault(team, []).append(r["worker"])
    return {
        "rules": [(r, rule_titles.get(r, r)) for r in rule_order if breach_count(by_rule[r])],
        "teams": sorted(r["team"] for r in agg["by_team"] if r["rule"] == "*" and breach_count(r)),
        "workers": sorted(workers_by_team.items()),
        "statuses": statuses,
    }


def _static_breach(
    row: Sequence[Any], cites: Sequence[Sequence[str]], titles: Mapping[str, str]
) -> dict[str, Any]:
    r = dict(zip(BREACH_COLUMNS, row, strict=True))
    href, label, full = cites[r["cite"]]
    title = titles.get(f"{r['rule']}\x1f{r['override']}") if r["override"] else None
    return {**r, "title": title or titles.get(r["rule"], ""), "href": href, "label": label,
            "full": full}  # fmt: skip


def _static_tracker(p: Mapping[str, Any], perm: Mapping[str, Any]) -> dict[str, Any]:
    return {**p, "plan_text": _plan_text(p, perm)}


def _plan_text(p: Mapping[str, Any], perm: Mapping[str, Any]) -> str:
    if perm["plan_na"]:
        return "n/a"
    return "yes" if p.get("plan") else "no"


def _breach_island(
    rows: Iterable[list[Any]], titles: Mapping[str, str], cites: Sequence[Sequence[str]]
) -> Iterator[Markup]:
    """The breach list as JSON, streamed: {"columns", "titles", "cites", "rows"}."""
    yield Markup('{"columns":')
    yield _json(list(BREACH_COLUMNS))
    yield Markup(',"titles":')
    yield _json(titles)
    yield Markup(',"cites":')
    yield _json([list(c) for c in cites])
    yield Markup(',"rows":[')
    first = True
    for row in rows:
        if not first:
            yield Markup(",\n")
        yield _json(row)
        first = False
    yield Markup("]}")


def _tracker_island(rows: Iterable[Mapping[str, Any]], perm: Mapping[str, Any]) -> Iterator[Markup]:
    """The permanence tracker as JSON, streamed: {"columns", "na", "rows"}."""
    columns = [*PERMANENCE_COLUMNS, "plan_text"]
    yield Markup('{"columns":')
    yield _json(columns)
    yield Markup(',"na":')
    yield _json({"plan": perm["plan_na"], "reviews": perm["reviews_na"], "iro": perm["iro_na"]})
    yield Markup(',"rows":[')
    first = True
    for p in rows:
        values = [p.get(c) for c in PERMANENCE_COLUMNS] + [_plan_text(p, perm)]
        if not first:
            yield Markup(",\n")
        yield _json(values)
        first = False
    yield Markup("]}")


def write_report(
    pairs: Iterable[tuple[ChildRecord, ChildResult]],
    out: IO[str],
    *,
    ruleset: RuleSet,
    as_of: dt.date,
    summary: Summary,
    since: dt.date | None = None,
    iro_list: Mapping[str, float] | None = None,
    max_rejects: str | None = None,
    workers: Iterable[WorkerRecord] = (),
) -> Aggregator:
    """Aggregate the pipeline's ``(record, result)`` pairs in one pass (breaches and the
    tracker spooled to disk), and write the report. Returns the aggregator (its to_dict() is
    what the report shows). ``workers``: the worker records, read once the pairs are consumed
    (``Pipeline.workers``, which the same pass fills), for the workforce section.
    ``max_rejects`` (N or N%): above it the report says in red that its figures are not
    reliable (``Summary.rejects_over``)."""
    from ..aggregates.summary import Aggregator, Spool

    cite_titles: dict[str, str] = {}
    for rule in ruleset.rules:
        for ref in rule.references:
            cite_titles.setdefault(ref.href, ref.title)
    cites: dict[str, int] = {}
    with Spool() as breaches, Spool() as tracker:
        aggregator = Aggregator(
            ruleset,
            as_of,
            since=since,
            iro_list=iro_list,
            on_permanence=lambda row: tracker.add(row.to_dict()),
        )
        for finding in aggregator.stream(pairs):
            if finding.is_breach:
                breaches.add(breach_row(finding, cites))
        for worker in workers:
            aggregator.add_worker(worker)
        render(
            aggregator.to_dict(summary),
            out,
            breaches=breaches,
            cites=cites,
            cite_titles=cite_titles,
            permanence=tracker,
            unreliable=summary.rejects_over(max_rejects),
            overrides=override_info(ruleset),
        )
    return aggregator
