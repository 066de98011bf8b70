"""The durable-rules backend: the same YAML rules compiled into durable-rules rulesets.

What runs where (docs/scaling.md has the long form):

- **durable-rules** decides, from a child's events streamed in date order as facts: which events
  a rule's selectors pick (type, ``where``, ``unless``, attribute tests); which events are tied
  together (``match``: same ref, else same case, else any); which event answers which clock
  (the first ``met_by`` on or after it; the first ``closed_by``; any ``void_by``; the
  ``met_by`` dated before the clock, for DATA001 and ``met_before_clock``; the extensions
  recorded for it); the end of each rolling spell and the orders tied to it. Each decision is
  a durable-rules rule whose action records a link (and retracts an answered clock's fact).
  Each kind says which relations it needs (``Kind.durable_compile``) and reads its findings
  from the links (``Kind.durable_findings``).
- **Python** (the project's own code, shared with the default evaluator) prepares the timeline
  (events after as_of ignored, duplicates counted once: DATA003/DATA004), opens and closes the
  cases of a scope and walks a schedule's chain (schedules and milestones run their own
  checkers here: one meaning of a case in both backends), places a ``during`` deadline's clocks
  in its cases, does the calendar arithmetic (due dates, working days, birthdays,
  anniversaries, terms, rolling-window day counts), picks the limit or follower whose ``when``
  holds for an anchor, applies the extension caps against the due date, and builds the findings
  from the links.

durable-rules 2.0.28 keeps its state module-global and is not thread-safe, so a
``DurableRuleSet`` creates its rulesets in the process that uses it (the CLI runs it in worker
processes, timescales.backends.pool). It never calls ``delete_state``: it uses one session id,
tracks every fact it asserts and retracts them all after each child. It talks to the C module
directly (no ``durable.lang`` host, so no background timer threads). Two quirks are designed
around: an ``$or`` that mixes a join with plain tests does not match when the join branch is
false, so "related" is compiled into disjoint rules, one per combination of ref/case presence;
and ``$not`` is never used (answered clocks are retracted instead).
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from .. import calendar
from ..errors import Location
from ..evaluation.context import Context
from ..evaluation.timeline import DISPUTED, Ev, Timeline
from ..findings import Finding
from ..kinds import REGISTRY
from ..records import ChildRecord
from ..rules.model import Match, Rule, Selector
from ..ruleset.ruleset import (
    ChildResult,
    RuleSet,
    judged_as_of,
    known_entries,
    out_of_range,
    partial,
)

SID = "0"
NEVER = 10**7  # an ordinal after any real date
_names = itertools.count()

Cond = dict[str, Any]
Alts = list[list[Cond]]  # alternatives (disjoint), each a list of conditions all to hold


DISPUTED_KEY = "x:disputed"  # no rule value has this key: a disputed detail matches nothing


def _key(value: Any) -> str:
    """Attribute values as durable-rules sees them, equal exactly when Python's == says so."""
    if value is None:
        return "~"
    if value is DISPUTED:
        return DISPUTED_KEY
    if isinstance(value, bool):
        return f"n:{int(value)}"
    if isinstance(value, float) and value.is_integer():
        return f"n:{int(value)}"
    if isinstance(value, int | float):
        return f"n:{value!r}"
    return f"s:{value}"


def _selector(sel: Selector) -> Alts:
    """A selector as disjoint alternatives, one per combination of listed ``where`` values (an
    ``$or`` inside an ``$and`` that also joins loses the join in durable-rules 2.0.28)."""
    base: list[Cond] = [{"t": sel.type}]
    for name, wanted in sel.unless.items():
        options = wanted if isinstance(wanted, list) else [wanted]
        base.extend({"$neq": {f"a_{name}": _key(v)}} for v in options)
        base.append({"$neq": {f"a_{name}": DISPUTED_KEY}})  # a disputed detail: excluded
    choices = [
        [{f"a_{name}": _key(v)} for v in (wanted if isinstance(wanted, list) else [wanted])]
        for name, wanted in sel.where.items()
    ]
    return [[*base, *combo] for combo in itertools.product(*choices)]


def _related(match: Match, alias: str) -> list[tuple[Cond, list[Cond]]]:
    """``related(alias, this)`` as disjoint (alias's flags, this fact's conditions) pairs:
    same ref if both have one; else same case if both have one; else any. (A disjunction
    mixing a join with plain tests misbehaves in durable-rules 2.0.28, so none is used.)"""
    ref: list[Cond] = [{"hr": 1}, {"r": {alias: "r"}}]
    case: list[Cond] = [{"hc": 1}, {"c": {alias: "c"}}]
    if match == "case":
        return [({"hc": 1}, case), ({"hc": 1}, [{"hc": 0}]), ({"hc": 0}, [])]
    return [
        ({"hr": 1, "hc": 1}, ref),
        ({"hr": 1, "hc": 1}, [{"hr": 0}, *case]),
        ({"hr": 1, "hc": 1}, [{"hr": 0}, {"hc": 0}]),
        ({"hr": 1, "hc": 0}, ref),
        ({"hr": 1, "hc": 0}, [{"hr": 0}]),
        ({"hr": 0, "hc": 1}, case),
        ({"hr": 0, "hc": 1}, [{"hc": 0}]),
        ({"hr": 0, "hc": 0}, []),
    ]


def _and(conds: Sequence[Cond]) -> Cond:
    return conds[0] if len(conds) == 1 else {"$and": list(conds)}


def _flags(flags: Cond) -> list[Cond]:
    return [{k: v} for k, v in flags.items()]


@dataclass
class _Builder:
    """Collects durable-rules rules (JSON) and what each rule's action does."""

    rules: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, tuple[str, str]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)  # event types worth asserting
    attrs: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)

    def add(self, patterns: list[tuple[str, list[Cond]]], action: str, rel: str) -> None:
        name = f"r{len(self.rules)}"
        self.rules[name] = {"all": [{alias: _and(conds)} for alias, conds in patterns]}
        self.actions[name] = (action, rel)

    def tested(self, alts: Alts, attr: str, present: bool | None, equals: Any) -> Alts:
        """``alts`` narrowed to events whose ``attr`` is given (``present``) or equal to
        ``equals`` (an attribute rule's test)."""
        if present is not None:
            self.present.add(attr)
            return [[*alt, {f"p_{attr}": int(present)}] for alt in alts]
        self.attrs.add(attr)
        return [[*alt, {f"a_{attr}": _key(equals)}] for alt in alts]

    def use(self, sel: Selector) -> Alts:
        self.types.add(sel.type)
        self.attrs.update(sel.where)
        self.attrs.update(sel.unless)
        return _selector(sel)

    # the relation patterns ------------------------------------------------------------------

    def select(self, rel: str, alts: Alts) -> None:
        """Every event matching one of ``alts`` is linked under ``rel``."""
        for conds in alts:
            self.add([("e", conds)], "sel", rel)

    def first(self, rel: str, anchors: Alts, answers: Alts, match: Match) -> None:
        """For each anchor, the first related answer dated on or after it: an await fact is
        asserted for the anchor and retracted by the first answer that meets it (events arrive
        in date order, so the first to meet it is the earliest)."""
        for anchor in anchors:
            self.add([("e", anchor)], "arm", rel)
        for conds in answers:
            for flags, join in _related(match, "w"):
                waiting = [{"t": "$w"}, {"rel": rel}, *_flags(flags)]
                self.add(
                    [("w", waiting), ("b", [*conds, {"$gte": {"d": {"w": "d"}}}, *join])],
                    "hit",
                    rel,
                )

    def pairs(self, rel: str, anchors: Alts, others: Alts, match: Match, when: str | None) -> None:
        """Every related (anchor, other) pair, ``other`` dated ``when`` the anchor ("lt": before,
        "ge": on or after, None: any day)."""
        dated: list[Cond] = []
        if when == "lt":
            dated = [{"$lt": {"d": {"a": "d"}}}]
        elif when == "ge":
            dated = [{"$gte": {"d": {"a": "d"}}}]
        for anchor, other in itertools.product(anchors, others):
            for flags, join in _related(match, "a"):
                self.add(
                    [("a", [*anchor, *_flags(flags)]), ("b", [*other, *dated, *join])],
                    "pair",
                    rel,
                )

    def same_ref_before(self, rel: str, anchors: Alts, others: Alts) -> None:
        """``other`` events with the anchor's own ref dated before it (DATA001)."""
        for anchor, other in itertools.product(anchors, others):
            self.add(
                [
                    ("a", [*anchor, {"hr": 1}]),
                    ("b", [*other, {"hr": 1}, {"r": {"a": "r"}}, {"$lt": {"d": {"a": "d"}}}]),
                ],
                "pair",
                rel,
            )


class _Links:
    """What one child's durable-rules run decided."""

    def __init__(self) -> None:
        self.selected: dict[str, set[int]] = {}
        self.first: dict[str, dict[int, int]] = {}
        self.pairs: dict[str, dict[int, list[int]]] = {}


class _Session:
    """One durable-rules ruleset with one reused session id, fed one child at a time."""

    def __init__(self, builder: _Builder) -> None:
        # the C module itself: no durable.lang host, so no background timer threads
        self.engine = importlib.import_module("durable_rules_engine")
        self.actions = builder.actions
        name = f"timescales_{next(_names)}"
        self.handle = self.engine.create_ruleset(name, orjson.dumps(builder.rules).decode())
        self.facts: dict[str, dict[str, Any]] = {}
        self.links = _Links()
        self.budget = 0

    def assert_fact(self, fact: dict[str, Any]) -> None:
        fact["sid"] = SID
        self.facts[fact["id"]] = fact
        result = self.engine.assert_fact(self.handle, orjson.dumps(fact).decode())
        self._actions(result[1])

    def retract(self, fact: dict[str, Any]) -> None:
        if self.facts.pop(fact["id"], None) is not None:
            self.engine.retract_fact(self.handle, orjson.dumps(fact).decode())

    def _actions(self, state: int) -> None:
        engine = self.engine
        pending = engine.start_action_for_state(self.handle, state)
        while pending:
            self.budget -= 1
            if self.budget < 0:
                raise RuntimeError("durable-rules: too many rule firings for one child")
            message = orjson.loads(pending[1])
            for name, matched in message.items():
                self._act(self.actions[name], matched)
            nxt = engine.complete_and_start_action(self.handle, state)
            pending = (None, nxt) if nxt else None

    def clear(self) -> None:
        """Retract every fact still asserted (never delete_state: it can segfault)."""
        for fact in list(self.facts.values()):
            self.engine.retract_fact(self.handle, orjson.dumps(fact).decode())
        self.facts.clear()

    # actions -----------------------------------------------------------------------------

    def _act(self, action: tuple[str, str], m: dict[str, Any]) -> None:
        kind, rel = action
        links = self.links
        if kind == "sel":
            links.selected.setdefault(rel, set()).add(m["e"]["n"])
        elif kind == "arm":
            e = m["e"]
            wait = {"id": f"w{rel}|{e['n']}", "t": "$w", "rel": rel, "k": e["n"]}
            self.assert_fact({**wait, **{key: e[key] for key in ("d", "hr", "r", "hc", "c")}})
        elif kind == "hit":
            w = m["w"]
            if w["id"] in self.facts:
                links.first.setdefault(rel, {}).setdefault(w["k"], m["b"]["n"])
                self.retract(w)
        elif kind == "pair":
            links.pairs.setdefault(rel, {}).setdefault(m["a"]["n"], []).append(m["b"]["n"])


@dataclass
class _Run:
    """One child's run: the context, its events (a fact's ``n`` is its index), what the main
    ruleset linked, and the ``during`` deadlines' clocks with what the late ruleset linked
    (their clocks are appended to ``late_pool`` after the child's events)."""

    ctx: Context
    events: list[Ev]
    links: _Links
    late: dict[str, list[tuple[int, Ev, dt.date | None]]] = field(default_factory=dict)
    late_links: _Links = field(default_factory=lambda: _Links())
    late_pool: list[Ev] = field(default_factory=list)

    def order(self, picked: Iterable[int]) -> list[int]:
        """Event indexes in date order (ties by index)."""
        return sorted(picked, key=lambda i: (self.events[i].date, i))

    def ordered(self, picked: Iterable[int]) -> list[Ev]:
        return [self.events[i] for i in self.order(picked)]


class DurableRuleSet:
    """A RuleSet's rules compiled into durable-rules; ``check`` gives the same ChildResult as
    ``RuleSet.check``. Create it in the process that will use it (a worker). Each kind adds its
    relations (``Kind.durable_compile``) and reads its findings from the links
    (``Kind.durable_findings``); a kind with no durable hooks (schedule, milestone: cases and
    chains are one meaning in both backends) runs its shared Python checker."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.active: list[Rule] = ruleset.checked()
        self.checkers = dict(ruleset.checkers())
        self.main_builder, self.late_builder = _Builder(), _Builder()
        for rule in self.active:
            REGISTRY.of(rule).durable_compile(rule, self)
        main, late = self.main_builder, self.late_builder
        main.attrs.update(late.attrs)
        main.present.update(late.present)
        self.attrs = sorted(main.attrs)
        self.present = sorted(main.present)
        self.types = frozenset(main.types)
        self.late_types = frozenset(late.types)
        self.main = _Session(main)
        self.late = _Session(late) if late.rules else None

    def check(
        self, record: ChildRecord, as_of: dt.date, location: Location | None = None
    ) -> ChildResult:
        if not isinstance(as_of, dt.date):
            raise TypeError("as_of must be a datetime.date")
        rs = self.ruleset
        as_of = judged_as_of(record, as_of)
        events = [Ev(e.type, e.date, e.ref, e.case, e.attrs) for e in record.events]
        timeline = Timeline(
            record.child, record.dob, events, as_of, rs.apart, known_entries(record)
        )
        ctx = rs.context(timeline, as_of, record.team, record.worker)
        try:
            findings = self._evaluate(ctx, timeline)
        except (calendar.CalendarRangeError, OverflowError) as exc:
            raise out_of_range(exc, location) from None
        finally:
            self.main.clear()
            if self.late is not None:
                self.late.clear()
        result = rs.result(record.child, findings, timeline, as_of)
        return partial(result) if record.partial_history else result

    def _fact(self, n: int, ev: Ev) -> dict[str, Any]:
        fact: dict[str, Any] = {
            "id": f"e{n}",
            "n": n,
            "t": ev.type,
            "d": ev.date.toordinal(),
            "hr": int(ev.ref is not None),
            "r": ev.ref or "",
            "hc": int(ev.case is not None),
            "c": ev.case or "",
        }
        attrs = ev.attrs
        for name in self.attrs:
            fact[f"a_{name}"] = _key(attrs.get(name))
        for name in self.present:
            value = attrs.get(name)
            # 2 for a disputed detail: neither present (1) nor absent (0), so no test passes
            present = int(value is not None and value != "")
            fact[f"p_{name}"] = 2 if value is DISPUTED else present
        return fact

    def _feed(
        self, session: _Session, evs: list[tuple[int, Ev]], extra: Sequence[dict[str, Any]]
    ) -> None:
        """Assert events in date order (same-day ties by index)."""
        rows = [(ev.date.toordinal(), n, self._fact(n, ev)) for n, ev in evs]
        rows.extend((f["d"], f["n"], f) for f in extra)
        rows.sort(key=lambda row: (row[0], row[1]))
        for _, _, fact in rows:
            session.assert_fact(fact)

    def _evaluate(self, ctx: Context, tl: Timeline) -> list[Finding]:
        # every event, in the timeline's own order (date first; same-day ties as it breaks
        # them), so that an event's index ranks it as the Python evaluator would
        events: list[Ev] = tl.of_types(list(tl.by_type))
        session = self.main
        session.links = _Links()
        session.budget = 1000 + 200 * len(events)
        self._feed(session, [(n, ev) for n, ev in enumerate(events) if ev.type in self.types], ())
        run = _Run(ctx, events, session.links)
        self._late(run)
        out: list[Finding] = []
        for rule in self.active:
            found = REGISTRY.of(rule).durable_findings(rule, self, run)
            out.extend(self.checkers[rule.id](ctx) if found is None else found)
        return out

    def _late(self, run: _Run) -> None:
        """Deadlines that count only inside a case (``during``): their clocks are placed in the
        cases in Python (shared with the evaluator), then matched in a second ruleset fed in
        date order."""
        pool = list(run.events)
        extra: list[dict[str, Any]] = []
        for rule in self.active:
            placed = run.late.setdefault(rule.id, [])
            for clock, end in REGISTRY.of(rule).durable_late_clocks(rule, run):
                fact = self._fact(len(pool), clock)
                fact["t"] = f"$clock:{rule.id}"
                extra.append(fact)
                placed.append((len(pool), clock, end))
                pool.append(clock)
        run.late_pool = pool
        if self.late is None or not extra:
            return
        session = self.late
        session.links = _Links()
        session.budget = 1000 + 200 * len(pool)
        wanted = [(n, ev) for n, ev in enumerate(run.events) if ev.type in self.late_types]
        self._feed(session, wanted, extra)
        run.late_links = session.links


Check = Callable[[ChildRecord, dt.date, Location | None], ChildResult]
