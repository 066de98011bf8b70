"""The worklist: what falls due in the next N days and what is overdue, per team and worker,
sorted by due date (``timescales worklist``) — the list a team manager works from on Monday.

An item is a finding that is
- ``overdue`` on a case still open at as_of (its days late run to as_of; an overdue finding on a
  case that has since closed cannot be acted on, so it is counted but not listed), or
- ``pending`` with its due date within ``as_of`` .. ``as_of + within`` days (both inclusive), or
- ``unmet``: a visit that did not meet the requirement (an attribute rule, e.g. LA020: the child
  not seen alone and no reason recorded). Not a deadline: listed in a group of its own after
  the deadlines, by the visit's date, with no days figure (never "overdue N days"). Only what
  can still be acted on: the child's latest visit of its kind (a later one supersedes it), made
  within ``UNMET_DAYS`` of as_of (six months, the longest interval between statutory visits);
  earlier ones are counted in the heading, not listed (the report and ``check`` have them all).

Items are grouped by team and, under each team, by worker (records without one sort last, as
"(none)"), and sorted by due date, then rule and child, within each worker (the unmet visits
after the deadlines). The list is held in memory to sort it: it is bounded by the live work and
the unmet visits, not by every finding.

Workers whose own supervision is overdue, or falls due in the window, are listed apart, after
the children's items (a team manager's other list): the aggregates' ``workforce.supervision_due``
rows (the workforce rules: worker records and the council's supervision policy), passed as
``build(..., supervision=...)``. Without them the list is the children's alone, as it always was.
In the CSV they are rows of the same columns with no child: the worker's last supervision is
their ``anchor``.

``--team`` and ``--worker`` ignore case. A value that matches no team (worker) in the input is
reported with the closest names there (``Worklist.unmatched``); when no value of an option
matches, nothing can be listed (``Worklist.nothing_matches``): the CLI says so and exits 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import html
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .findings import Finding, Status
from .version import __version__

NONE = "(none)"
FORMATS = ("table", "csv", "html")
CSV_COLUMNS = (
    "team",
    "worker",
    "due",
    "state",
    "days",
    "rule",
    "name",
    "child",
    "ref",
    "anchor",
    "id",
    "citation",
)


UNMET_GROUP = "visits that did not meet the requirement"
# an unmet visit older than this is not listed: the case has moved on (LA025: visits up to six
# months apart, the longest interval of any visiting rule)
UNMET_DAYS = 183


@dataclass(frozen=True, slots=True)
class Item:
    team: str
    worker: str
    due: dt.date  # for an unmet visit: the visit's date
    state: str  # "overdue", "due" or "unmet"
    days: int | None  # days overdue, or days until due (0 = due today); None when unmet
    rule: str
    name: str
    child: str
    ref: str | None
    anchor: dt.date
    id: str
    citation: str

    def sort_key(self) -> tuple[bool, str, bool, str, bool, dt.date, str, str, str]:
        return (
            self.team == NONE,
            self.team,
            self.worker == NONE,
            self.worker,
            self.state == "unmet",  # the deadlines first, then the unmet visits
            self.due,
            self.rule,
            self.child,
            self.ref or "",
        )


SUPERVISION_GROUP = "workers' supervision due"


@dataclass(frozen=True, slots=True)
class Supervision:
    """A worker whose supervision is overdue, or due within the window (a supervision rule:
    LANC016, WF001)."""

    team: str
    worker: str
    due: dt.date
    state: str  # "overdue" or "due"
    days: int  # days overdue, or days until due (0 = due today)
    rule: str
    last: dt.date | None  # the last supervision (None: none recorded)

    def sort_key(self) -> tuple[bool, str, bool, dt.date, str, str]:
        return (self.team == NONE, self.team, self.state != "overdue", self.due, self.worker,
                self.rule)  # fmt: skip


def _day(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def _supervision(
    rows: Iterable[Mapping[str, Any]], as_of: dt.date, until: dt.date
) -> Iterable[tuple[Mapping[str, Any], Supervision | None]]:
    """Each ``supervision_due`` row with its place on the list (None: due after the window)."""
    for n, row in enumerate(rows, start=1):
        where = f"supervision_due row {n}"
        missing = [k for k in ("worker", "rule", "due", "status") if row.get(k) in (None, "")]
        if missing:
            raise ValueError(f"{where}: no {', '.join(missing)}")
        if row["status"] not in ("pending", "overdue"):
            raise ValueError(f"{where}: status {row['status']!r} is not pending or overdue")
        due = _day(row["due"], f"{where} due")
        last = _day(row["last"], f"{where} last") if row.get("last") else None
        # past its due date and not done is overdue, whatever the row says
        overdue = row["status"] == "overdue" or due < as_of
        if not overdue and due > until:
            yield row, None
            continue
        yield (
            row,
            Supervision(
                team=str(row.get("team") or NONE),
                worker=str(row["worker"]),
                due=due,
                state="overdue" if overdue else "due",
                days=abs((as_of - due).days),
                rule=str(row["rule"]),
                last=last,
            ),
        )


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A --team or --worker value that matches no name in the input, and the closest names."""

    option: str  # "--team" or "--worker"
    value: str
    closest: tuple[str, ...]
    known: tuple[str, ...]  # every such name in the input, sorted

    def message(self) -> str:
        what = self.option.removeprefix("--")
        text = f"{self.option} {self.value!r} matches no {what} in the input"
        if self.closest:
            return f"{text}; closest: {', '.join(self.closest)}"
        if not self.known:
            return f"{text} (it names no {what}s)"
        shown = ", ".join(self.known[:10]) + (", ..." if len(self.known) > 10 else "")
        return f"{text} ({len(self.known)} {what}s: {shown})"


def closest_names(value: str, names: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """The names most like ``value``, ignoring case (difflib), best first."""
    by_key: dict[str, str] = {}
    for name in sorted(names):
        by_key.setdefault(name.casefold(), name)
    found = difflib.get_close_matches(value.casefold(), list(by_key), n=n, cutoff=0.6)
    return tuple(by_key[key] for key in found)


@dataclass(slots=True)
class Worklist:
    as_of: dt.date
    within: int
    items: list[Item]
    closed_overdue: int = 0  # overdue on cases since closed: not listed
    unmatched: list[Unmatched] = field(default_factory=list)
    # unmet visits superseded by a later visit of the child's, or older than UNMET_DAYS
    earlier_unmet: int = 0
    # the options whose every value matched nothing: the list is empty because of them
    unmatched_options: tuple[str, ...] = ()
    # workers whose supervision is overdue or due in the window (none: no worker records)
    supervision: list[Supervision] = field(default_factory=list)

    @property
    def nothing_matches(self) -> bool:
        return bool(self.unmatched_options)

    @property
    def unmet(self) -> int:
        return sum(1 for i in self.items if i.state == "unmet")

    @property
    def until(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.within)

    def groups(self) -> Iterable[tuple[tuple[str, str], list[Item]]]:
        for key, items in itertools.groupby(self.items, key=lambda i: (i.team, i.worker)):
            yield key, list(items)

    def teams(self) -> Iterable[tuple[str, list[tuple[str, list[Item]]]]]:
        """Each team with its workers (in the list's order), each with their items."""
        for team, items in itertools.groupby(self.items, key=lambda i: i.team):
            workers = [(w, list(its)) for w, its in itertools.groupby(items, lambda i: i.worker)]
            yield team, workers


def _unmatched(
    option: str, wanted: Sequence[str], seen: Mapping[str, str], matched: set[str]
) -> list[Unmatched]:
    known = tuple(sorted(seen.values()))
    return [
        Unmatched(option, value, closest_names(value, known), known)
        for value in wanted
        if value.casefold() not in matched
    ]


def build(
    findings: Iterable[Finding],
    as_of: dt.date,
    within: int,
    *,
    teams: Sequence[str] = (),
    workers: Sequence[str] = (),
    unmet_days: int = UNMET_DAYS,
    supervision: Iterable[Mapping[str, Any]] = (),
) -> Worklist:
    """The worklist from a run's findings (a child's findings come together, as a run yields
    them: that is how a later visit is seen to supersede an unmet one), and the workers whose
    supervision is due from ``supervision`` (the aggregates' ``workforce.supervision_due``
    rows; a row that lacks a field or has a bad date is a ValueError naming it)."""
    if within < 0:
        raise ValueError("--within is 0 or more days")
    until = as_of + dt.timedelta(days=within)
    items: list[Item] = []
    closed = 0
    want_teams = {t.casefold() for t in teams}
    want_workers = {w.casefold() for w in workers}
    # every team and worker name in the input (by its case-folded form), and the wanted ones
    # that matched: to say which filter matched nothing, and what was meant
    seen_teams: dict[str, str] = {}
    seen_workers: dict[str, str] = {}
    earlier = 0
    for f, latest in _with_latest(findings):
        team = f.team.casefold() if f.team is not None else None
        worker = f.worker.casefold() if f.worker is not None else None
        if team is not None and f.team is not None:
            seen_teams.setdefault(team, f.team)
        if worker is not None and f.worker is not None:
            seen_workers.setdefault(worker, f.worker)
        if want_teams and team not in want_teams:
            continue
        if want_workers and worker not in want_workers:
            continue
        state, days = _state(f, latest, as_of, until, unmet_days)
        if state == "earlier":
            earlier += 1
        elif state == "closed":
            closed += 1
        elif state:
            items.append(_item(f, state, days))
    items.sort(key=Item.sort_key)
    supervised: list[Supervision] = []
    for row, sup in _supervision(supervision, as_of, until):
        team = str(row["team"]) if row.get("team") else None
        worker = str(row["worker"])
        if team is not None:
            seen_teams.setdefault(team.casefold(), team)
        seen_workers.setdefault(worker.casefold(), worker)
        if want_teams and (team is None or team.casefold() not in want_teams):
            continue
        if want_workers and worker.casefold() not in want_workers:
            continue
        if sup is not None:
            supervised.append(sup)
    supervised.sort(key=Supervision.sort_key)
    unmatched, options = _filters_unmatched(teams, workers, seen_teams, seen_workers)
    return Worklist(
        as_of,
        within,
        items,
        closed_overdue=closed,
        unmatched=unmatched,
        unmatched_options=options,
        earlier_unmet=earlier,
        supervision=supervised,
    )


def _state(
    f: Finding, latest: dt.date, as_of: dt.date, until: dt.date, unmet_days: int
) -> tuple[str, int | None]:
    """A finding's state on the list ("unmet", "overdue", "due") and its days, or why it is
    not on it ("earlier": an unmet visit superseded or too old; "closed": overdue on a closed
    case; "": nothing to do)."""
    if f.status is Status.UNMET:
        if f.due < latest or (as_of - f.due).days > unmet_days:
            return "earlier", None
        return "unmet", None
    if f.status is Status.OVERDUE:
        if f.days_late != (as_of - f.due).days:
            return "closed", None
        return "overdue", (as_of - f.due).days
    if f.status is Status.PENDING and as_of <= f.due <= until:
        return "due", (f.due - as_of).days
    return "", None


# the fields a worklist row takes from its finding as they are
FROM_FINDING = ("rule", "name", "child", "ref", "anchor", "id", "citation")


def _item(f: Finding, state: str, days: int | None) -> Item:
    """The finding's row on the list."""
    same = {name: getattr(f, name) for name in FROM_FINDING}
    return Item(
        team=f.team or NONE, worker=f.worker or NONE, due=f.due, state=state, days=days, **same
    )


def _filters_unmatched(
    teams: Sequence[str],
    workers: Sequence[str],
    seen_teams: dict[str, str],
    seen_workers: dict[str, str],
) -> tuple[list[Unmatched], tuple[str, ...]]:
    """The --team and --worker values that matched nothing, and the options none of whose
    values matched."""
    unmatched = [
        *_unmatched("--team", teams, seen_teams, set(seen_teams)),
        *_unmatched("--worker", workers, seen_workers, set(seen_workers)),
    ]
    options = tuple(
        option
        for option, wanted in (("--team", teams), ("--worker", workers))
        if wanted and sum(u.option == option for u in unmatched) == len(wanted)
    )
    return unmatched, options


def _with_latest(findings: Iterable[Finding]) -> Iterable[tuple[Finding, dt.date]]:
    """Each finding with the latest due date among its child's findings of the same rule and ref
    (for an attribute rule's finding, due is the visit's date: the child's latest visit of that
    kind)."""
    for _, group in itertools.groupby(findings, key=lambda f: f.child):
        mine = list(group)
        latest: dict[tuple[str, str | None], dt.date] = {}
        for f in mine:
            key = (f.rule, f.ref)
            if key not in latest or f.due > latest[key]:
                latest[key] = f.due
        for f in mine:
            yield f, latest[(f.rule, f.ref)]


def _when(item: Item) -> str:
    if item.state == "unmet":
        return "did not meet the requirement"
    if item.state == "overdue":
        return f"overdue {item.days} day{'s' if item.days != 1 else ''}"
    if item.days == 0:
        return "due today"
    return f"due in {item.days} day{'s' if item.days != 1 else ''}"


def write(worklist: Worklist, fmt: str, out: IO[str]) -> int:
    if fmt == "csv":
        return _csv(worklist, out)
    if fmt == "html":
        return _html(worklist, out)
    if fmt == "table":
        return _table(worklist, out)
    raise ValueError(f"unknown worklist format {fmt!r}")


def _counts(items: Sequence[Item]) -> tuple[int, int, int]:
    """(overdue, due, unmet) among ``items``."""
    overdue = sum(1 for i in items if i.state == "overdue")
    unmet = sum(1 for i in items if i.state == "unmet")
    return overdue, len(items) - overdue - unmet, unmet


def _unmet_text(n: int) -> str:
    return f"{n} visit{'s' if n != 1 else ''} that did not meet the requirement (unmet)"


def _headline(worklist: Worklist) -> str:
    overdue, due, unmet = _counts(worklist.items)
    text = (
        f"Worklist as of {worklist.as_of.isoformat()}: {overdue} overdue, {due} due by "
        f"{worklist.until.isoformat()} (next {worklist.within} days)"
    )
    if unmet:
        text += f"; {_unmet_text(unmet)}"
    if worklist.closed_overdue:
        text += f"; {worklist.closed_overdue} overdue on cases since closed, not listed"
    if worklist.earlier_unmet:
        n = worklist.earlier_unmet
        text += (
            f"; {n} earlier visit{'s' if n != 1 else ''} that did not meet it not listed (a "
            f"later visit followed, or over {UNMET_DAYS} days ago)"
        )
    if worklist.supervision:
        text += f"; {SUPERVISION_GROUP}: {_supervision_count(worklist.supervision)}"
    return text


def _supervision_count(rows: Sequence[Supervision]) -> str:
    overdue = sum(1 for r in rows if r.state == "overdue")
    return f"{overdue} overdue, {len(rows) - overdue} due"


def _supervision_when(row: Supervision) -> str:
    if row.state == "overdue":
        return f"overdue {row.days} day{'s' if row.days != 1 else ''}"
    if row.days == 0:
        return "due today"
    return f"due in {row.days} day{'s' if row.days != 1 else ''}"


def _supervision_teams(rows: Sequence[Supervision]) -> Iterable[tuple[str, list[Supervision]]]:
    for team, group in itertools.groupby(rows, key=lambda r: r.team):
        yield team, list(group)


def _count_text(items: Sequence[Item]) -> str:
    overdue, due, unmet = _counts(items)
    return f"{overdue} overdue, {due} due" + (f", {unmet} unmet" if unmet else "")


def _table(worklist: Worklist, out: IO[str]) -> int:
    """Each team, then its workers indented under it, each with their deadlines and (in a
    group of their own) the visits that did not meet the requirement."""
    out.write(_headline(worklist) + "\n")
    if not worklist.items:
        out.write("\nnothing overdue or due in the window\n")
    for team, workers in worklist.teams():
        team_items = [i for _, items in workers for i in items]
        out.write(f"\n{team}  ({_count_text(team_items)})\n")
        for worker, items in workers:
            out.write(f"  {worker}  ({_count_text(items)})\n")
            deadlines = [i for i in items if i.state != "unmet"]
            if deadlines:
                _rows(
                    out,
                    ("due", "when", "rule", "name", "child", "ref"),
                    [
                        (i.due.isoformat(), _when(i), i.rule, i.name, i.child, i.ref or "-")
                        for i in deadlines
                    ],
                )
            visits = [i for i in items if i.state == "unmet"]
            if visits:
                out.write(f"    {UNMET_GROUP}:\n")
                _rows(
                    out,
                    ("date", "rule", "name", "child", "ref"),
                    [(i.due.isoformat(), i.rule, i.name, i.child, i.ref or "-") for i in visits],
                )
    if worklist.supervision:
        out.write(f"\n{SUPERVISION_GROUP.capitalize()}  "
                  f"({_supervision_count(worklist.supervision)})\n")  # fmt: skip
        for team, rows in _supervision_teams(worklist.supervision):
            out.write(f"  {team}  ({_supervision_count(rows)})\n")
            _rows(
                out,
                ("due", "when", "worker", "rule", "last supervision"),
                [
                    (r.due.isoformat(), _supervision_when(r), r.worker, r.rule,
                     r.last.isoformat() if r.last else "none recorded")
                    for r in rows
                ],
            )  # fmt: skip
    return len(worklist.items) + len(worklist.supervision)


def _rows(out: IO[str], heads: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(heads)]
    pad = "    "
    out.write(pad + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip())
    out.write("\n")
    for row in rows:
        cells = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        out.write(pad + cells.rstrip() + "\n")


def _csv(worklist: Worklist, out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i in worklist.items:
        writer.writerow(
            [
                i.team,
                i.worker,
                i.due.isoformat(),
                i.state,
                "" if i.days is None else i.days,
                i.rule,
                i.name,
                i.child,
                i.ref or "",
                i.anchor.isoformat(),
                i.id,
                i.citation,
            ]
        )
    for r in worklist.supervision:
        writer.writerow(
            [
                r.team,
                r.worker,
                r.due.isoformat(),
                r.state,
                r.days,
                r.rule,
                "supervision",
                "",
                "",
                r.last.isoformat() if r.last else "",
                "",
                "",
            ]
        )
    return len(worklist.items) + len(worklist.supervision)


STYLE = """
body{margin:0 auto;max-width:1100px;padding:0 20px 40px;font:15px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:1.6em;border-top:2px solid #0b0c0c;
padding-top:.5em}h3{font-size:1.05rem;margin:1.2em 0 .3em}h4{font-size:.95rem;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #d0d4d6;padding:4px 6px;text-align:left;white-space:nowrap}
th{background:#f3f5f6}.overdue{color:#b04a00;font-weight:700}.due{color:#0072B2}
.unmet{color:#8a3a6a;font-weight:700}
td.n{text-align:right}a{color:#005a8c}
@media print{h2{break-before:auto}tr{break-inside:avoid}}
"""


def _html(worklist: Worklist, out: IO[str]) -> int:
    e = html.escape
    out.write(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Worklist as of {worklist.as_of.isoformat()}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Worklist as of {worklist.as_of.isoformat()}</h1><p>{e(_headline(worklist))}.</p>"
    )
    if not worklist.items:
        out.write("<p>Nothing overdue or due in the window.</p>")
    for team, workers in worklist.teams():
        team_items = [i for _, items in workers for i in items]
        out.write(f"<section><h2>{e(team)} <small>({_count_text(team_items)})</small></h2>")
        for worker, items in workers:
            _html_worker(out, worker, items)
        out.write("</section>")
    if worklist.supervision:
        _html_supervision(out, worklist.supervision)
    out.write(f"<p><small>timescales {e(__version__)}</small></p></body></html>\n")
    return len(worklist.items) + len(worklist.supervision)


def _html_supervision(out: IO[str], rows: Sequence[Supervision]) -> None:
    e = html.escape
    out.write(
        f'<section id="supervision"><h2>{e(SUPERVISION_GROUP.capitalize())} '
        f"<small>({_supervision_count(rows)})</small></h2>"
    )
    for team, group in _supervision_teams(rows):
        out.write(
            f"<h3>{e(team)} <small>({_supervision_count(group)})</small></h3>"
            '<table><thead><tr><th scope="col">Due</th><th scope="col">When</th>'
            '<th scope="col">Worker</th><th scope="col">Rule</th>'
            '<th scope="col">Last supervision</th></tr></thead><tbody>'
        )
        for r in group:
            out.write(
                f"<tr><td>{r.due.isoformat()}</td><td class={r.state}>{e(_supervision_when(r))}"
                f"</td><td>{e(r.worker)}</td><td>{e(r.rule)}</td>"
                f"<td>{r.last.isoformat() if r.last else 'none recorded'}</td></tr>"
            )
        out.write("</tbody></table>")
    out.write("</section>")


def _html_worker(out: IO[str], worker: str, items: Sequence[Item]) -> None:
    e = html.escape
    out.write(f"<h3>{e(worker)} <small>({_count_text(items)})</small></h3>")
    deadlines = [i for i in items if i.state != "unmet"]
    if deadlines:
        out.write(
            '<table><thead><tr><th scope="col">Due</th><th scope="col">When</th>'
            '<th scope="col">Rule</th><th scope="col">What</th><th scope="col">Child</th>'
            '<th scope="col">Ref</th><th scope="col">Source</th></tr></thead><tbody>'
        )
        for i in deadlines:
            out.write(
                f"<tr><td>{i.due.isoformat()}</td><td class={i.state}>{e(_when(i))}</td>"
                f"<td>{e(i.rule)}</td><td>{e(i.name)}</td><td>{e(i.child)}</td>"
                f"<td>{e(i.ref or '')}</td>"
                f'<td><a href="{e(i.citation)}" rel="noopener noreferrer">source</a></td></tr>'
            )
        out.write("</tbody></table>")
    visits = [i for i in items if i.state == "unmet"]
    if visits:
        out.write(
            f'<h4 class="unmet">{e(UNMET_GROUP.capitalize())}</h4><table><thead><tr>'
            '<th scope="col">Visit</th><th scope="col">Rule</th><th scope="col">What</th>'
            '<th scope="col">Child</th><th scope="col">Ref</th><th scope="col">Source</th>'
            "</tr></thead><tbody>"
        )
        for i in visits:
            out.write(
                f"<tr><td>{i.due.isoformat()}</td><td>{e(i.rule)}</td><td>{e(i.name)}</td>"
                f"<td>{e(i.child)}</td><td>{e(i.ref or '')}</td>"
                f'<td><a href="{e(i.citation)}" rel="noopener noreferrer">source</a></td></tr>'
            )
        out.write("</tbody></table>")
