"""The durable-rules backend: the same YAML rules compiled into durable-rules rulesets.

What runs where (docs/scaling.md has the long form):

- **durable-rules** decides, from a child's events streamed in date order as facts: which events
  a rule's selectors pick (type, ``where``, ``unless``, attribute tests); which events are tied
  together (``match``: same ref, else same case, else any); which event answers which clock
  (the first ``met_by`` on or after it; the first ``closed_by``; any ``void_by``; the
  ``met_by`` dated before the clock, for DATA001 and ``met_before_clock``; the extensions
  recorded for it); the cases of a scope (the state machine of openings and closings: one case
  open at a time, a closing on the day, a new opening closing the old case, DATA005); the
  occurrences of a schedule's event in each case, in order (the sequence a chain walks); the
  end of each rolling spell and the orders tied to it. Each decision is a durable-rules rule
  whose action records a link (and retracts or asserts state facts, e.g. an answered clock).
- **Python** (the project's own code, shared with the default evaluator) prepares the timeline
  (events after as_of ignored, duplicates counted once: DATA003/DATA004), does the calendar
  arithmetic (due dates, working days, birthdays, anniversaries, terms, rolling-window day
  counts), picks the limit or follower whose ``when`` holds for an anchor, applies the
  extension caps against the due date, and builds the findings from the links.

durable-rules 2.0.28 keeps its state module-global and is not thread-safe, so a
``DurableRuleSet`` creates its rulesets in the process that uses it (the CLI runs it in worker
processes, timescales.engines.pool). It never calls ``delete_state``: it uses one session id,
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
from ..evaluation.attribute import attribute_finding
from ..evaluation.context import BEFORE_KNOWN, Context
from ..evaluation.deadline import counts_from, deadline_finding
from ..evaluation.milestone import check_milestone
from ..evaluation.rolling import Spell, count_spells
from ..evaluation.ruleset import (
    ChildResult,
    RuleSet,
    judged_as_of,
    known_entries,
    out_of_range,
    partial,
)
from ..evaluation.schedule import Chain, case_from, cases_of, check_schedule, end_age
from ..evaluation.timeline import (
    DISPUTED,
    Case,
    Ev,
    Timeline,
    earliest_plausible,
    related,
)
from ..findings import DataQualityFinding, Finding
from ..records import ChildRecord
from ..rules.model import (
    AttributeRule,
    AttrTest,
    DeadlineRule,
    Match,
    MilestoneRule,
    RollingRule,
    Rule,
    ScheduleRule,
    Scope,
    Selector,
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


def _test(test: AttrTest) -> Cond:
    if test.present is not None:
        return {f"p_{test.attr}": int(test.present)}
    return {f"a_{test.attr}": _key(test.equals)}


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

    def scope(self, sc: str, scope: Scope, match: Match, seq: Selector | None) -> None:
        """The cases of a scope as a state machine over one ``$cur`` fact per scope instance,
        and (for a schedule) the sequence of its event's dates in each case."""
        self.types.update(scope.opens)
        self.types.update(scope.closes)
        if scope.closes:
            # a closing event becomes a candidate closer of this scope for its day
            for t in scope.closes:
                self.add([("x", [{"t": t}])], "xc", sc)
            for flags, join in _related(match, "k"):
                cur: list[Cond] = [{"t": "$cur"}, {"sc": sc}, {"open": 1}, *_flags(flags)]
                # step 1: a case opened before the day closes on the first related closer
                self.add(
                    [
                        ("k", cur),
                        ("x", [{"t": "$xc"}, {"sc": sc}, {"$gt": {"d": {"k": "od"}}}, *join]),
                    ],
                    "close",
                    sc,
                )
                # step 3, at the day's end: a case opened that day, on a closer not used
                self.add(
                    [
                        ("z", [{"t": "$eod"}]),
                        ("k", cur),
                        ("x", [{"t": "$xc"}, {"sc": sc}, {"d": {"z": "d"}}, *join]),
                    ],
                    "close",
                    sc,
                )
        # an opening event becomes this scope's pending opening (consumed when it opens)
        for t in scope.opens:
            self.add([("o", [{"t": t}])], "xo", sc)
        cur_open: list[Cond] = [{"t": "$cur"}, {"sc": sc}, {"open": 1}]
        pending: list[Cond] = [{"t": "$xo"}, {"sc": sc}]
        # an opening while a case is open closes it that day (DATA005 for the same type, unless
        # the scope is successive), then opens its own case
        note = "reopen_note" if not scope.successive else "reopen"
        self.add([("k", cur_open), ("o", [*pending, {"ot": {"k": "ot"}}])], note, sc)
        self.add([("k", cur_open), ("o", [*pending, {"$neq": {"ot": {"k": "ot"}}}])], "reopen", sc)
        self.add([("k", [{"t": "$cur"}, {"sc": sc}, {"open": 0}]), ("o", pending)], "open", sc)
        for conds in self.use(seq) if seq is not None else []:
            for flags, join in _related(match, "s"):
                self.add(
                    [
                        ("s", [{"t": "$seq"}, {"sc": sc}, *_flags(flags)]),
                        (
                            "e",
                            [
                                *conds,
                                {"$gt": {"d": {"s": "last"}}},
                                {"$lte": {"d": {"s": "lim"}}},
                                *join,
                            ],
                        ),
                    ],
                    "seq",
                    sc,
                )


@dataclass(frozen=True)
class _ScopeUse:
    sc: str
    scope: Scope
    match: Match
    rule_id: str  # the rule its DATA005 notes name
    sequenced: bool
    head: ScheduleRule | None = None  # the schedule head whose events are sequenced


class _Links:
    """What one child's durable-rules run decided."""

    def __init__(self) -> None:
        self.selected: dict[str, set[int]] = {}
        self.first: dict[str, dict[int, int]] = {}
        self.pairs: dict[str, dict[int, list[int]]] = {}
        self.cases: dict[str, list[tuple[int, int | None]]] = {}  # sc -> [(opener, close)]
        self.notes: dict[str, list[int]] = {}  # sc -> openers that found a case open
        self.seq: dict[str, dict[int, list[int]]] = {}  # sc -> opener -> event dates


class _Session:
    """One durable-rules ruleset with one reused session id, fed one child at a time."""

    def __init__(self, builder: _Builder, owner: DurableRuleSet) -> None:
        # the C module itself: no durable.lang host, so no background timer threads
        self.engine = importlib.import_module("durable_rules_engine")
        self.actions = builder.actions
        self.owner = owner
        name = f"timescales_{next(_names)}"
        self.handle = self.engine.create_ruleset(name, orjson.dumps(builder.rules).decode())
        self.facts: dict[str, dict[str, Any]] = {}
        self.links = _Links()
        self.events: list[Ev] = []
        self.dob: dt.date | None = None
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
            wait = {
                "id": f"w{rel}|{e['n']}",
                "t": "$w",
                "rel": rel,
                "k": e["n"],
                "d": e["d"],
                "hr": e["hr"],
                "r": e["r"],
                "hc": e["hc"],
                "c": e["c"],
            }
            self.assert_fact(wait)
        elif kind == "hit":
            w = m["w"]
            if w["id"] in self.facts:
                links.first.setdefault(rel, {}).setdefault(w["k"], m["b"]["n"])
                self.retract(w)
        elif kind == "pair":
            links.pairs.setdefault(rel, {}).setdefault(m["a"]["n"], []).append(m["b"]["n"])
        elif kind == "xo":
            o = m["o"]
            self.assert_fact({**o, "id": f"o{rel}|{o['n']}", "t": "$xo", "sc": rel, "ot": o["t"]})
        elif kind == "xc":
            x = m["x"]
            self.assert_fact({**x, "id": f"x{rel}|{x['n']}", "t": "$xc", "sc": rel})
        elif kind == "close":
            k, x = m["k"], m["x"]
            if k["id"] in self.facts and x["id"] in self.facts:
                self._close(rel, k, x["d"])
                self.retract(x)
        elif kind in ("reopen", "reopen_note"):
            k, o = m["k"], m["o"]
            if k["id"] in self.facts and o["id"] in self.facts:
                if kind == "reopen_note":
                    links.notes.setdefault(rel, []).append(o["n"])
                self.retract(o)
                self._close(rel, k, o["d"])
                self._open(rel, o)
        elif kind == "open":
            k, o = m["k"], m["o"]
            if k["id"] in self.facts and o["id"] in self.facts:
                self.retract(o)
                self.retract(k)
                self._open(rel, o)
        elif kind == "seq":
            s, e = m["s"], m["e"]
            if s["id"] in self.facts:
                links.seq.setdefault(rel, {}).setdefault(s["k"], []).append(e["d"])
                if not s.get("pre"):
                    self.retract(s)
                    self.assert_fact({**s, "last": e["d"], "id": f"{s['id']}+"})

    def _close(self, sc: str, cur: dict[str, Any], day: int) -> None:
        self.links.cases.setdefault(sc, []).append((cur["n"], day))
        self.retract(cur)
        seq = next(
            (
                f
                for f in self.facts.values()
                if f["t"] == "$seq" and f["sc"] == sc and f["k"] == cur["n"] and not f.get("pre")
            ),
            None,
        )
        if seq is not None:
            self.retract(seq)
            self.assert_fact({**seq, "lim": min(seq["lim"], day), "id": seq["id"] + "c"})
        self.assert_fact(self.owner.closed_cur(sc))

    def _open(self, sc: str, o: dict[str, Any]) -> None:
        use = self.owner.scopes[sc]
        cur = {
            "id": f"c{sc}|{o['n']}",
            "t": "$cur",
            "sc": sc,
            "open": 1,
            "n": o["n"],
            "od": o["d"],
            "ot": o["ot"],
            "hr": o["hr"],
            "r": o["r"],
            "hc": o["hc"],
            "c": o["c"],
        }
        self.assert_fact(cur)
        if use.sequenced:
            opened = self.events[o["n"]]
            cap = _cap(use.scope, opened, self.dob)
            # the sequence starts at the opening, or earlier where the head allows (reg 7)
            start = (
                o["d"]
                if use.head is None
                else case_from(use.head, Case(opened, None), self.dob).toordinal()
            )
            seq = {
                **cur,
                "id": f"s{sc}|{o['n']}",
                "t": "$seq",
                "k": o["n"],
                "last": o["d"] - 1,
                "lim": cap.toordinal() if cap is not None else NEVER,
            }
            self.assert_fact(seq)
            if start < o["d"]:
                # events before the opening (fed already) may meet the head's first step: one
                # more fact collects each of them, in no particular order (``pre``: it never
                # moves on), and the case's dates are sorted when they are read
                early = {**seq, "id": f"{seq['id']}<", "last": start - 1, "lim": o["d"] - 1}
                self.assert_fact({**early, "pre": 1})


def _cap(scope: Scope, opened: Ev, dob: dt.date | None) -> dt.date | None:
    """The birthday that ends a scope's case (care leavers: 21, or 25 in education)."""
    age = end_age(scope, opened)
    if age is None or dob is None:
        return None
    return calendar.add_years(dob, age)


class DurableRuleSet:
    """A RuleSet's rules compiled into durable-rules; ``check`` gives the same ChildResult as
    ``RuleSet.check``. Create it in the process that will use it (a worker)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        active = [r for r in ruleset.rules if r.id not in ruleset.inactive]
        self.chains = ruleset.chains
        self.active: list[Rule] = [
            r
            for r in active
            if not isinstance(r, ScheduleRule | MilestoneRule)
            or (isinstance(r, ScheduleRule) and r.follows is None)
            or (isinstance(r, MilestoneRule) and r.schedule in self.chains)
        ]
        self.scopes: dict[str, _ScopeUse] = {}
        main, late = _Builder(), _Builder()
        for rule in self.active:
            self._compile(rule, main, late)
        main.attrs.update(late.attrs)
        main.present.update(late.present)
        self.attrs = sorted(main.attrs)
        self.present = sorted(main.present)
        self.types = frozenset(main.types)
        self.late_types = frozenset(late.types)
        self.opener_types = {t for u in self.scopes.values() for t in u.scope.opens}
        self.closer_types = {t for u in self.scopes.values() for t in u.scope.closes}
        self.late_links = _Links()
        self.late_pool: list[Ev] = []
        self.main = _Session(main, self)
        self.late = _Session(late, self) if late.rules else None

    def closed_cur(self, sc: str) -> dict[str, Any]:
        return {"id": f"c{sc}|-{next(_names)}", "t": "$cur", "sc": sc, "open": 0}

    # compile -------------------------------------------------------------------------------

    def _compile(self, rule: Rule, main: _Builder, late: _Builder) -> None:
        rid = rule.id
        if isinstance(rule, DeadlineRule):
            b = late if rule.during is not None else main
            if rule.during is not None:
                self.scopes[rid] = _ScopeUse(rid, rule.during, rule.match, rid, False)
                main.scope(rid, rule.during, rule.match, None)
                clock: Alts = [[{"t": f"$clock:{rid}"}]]
                if rule.clock is not None:
                    main.select(f"clk:{rid}", main.use(rule.clock))
            else:
                assert rule.clock is not None
                clock = b.use(rule.clock)
                b.select(f"clk:{rid}", clock)
            met = b.use(rule.met_by)
            b.first(f"done:{rid}", clock, met, rule.match)
            if rule.met_before_clock:
                b.pairs(f"before:{rid}", clock, met, rule.match, "lt")
            elif rule.match == "auto":
                b.same_ref_before(f"early:{rid}", clock, met)
            if rule.void_by is not None:
                b.pairs(f"void:{rid}", clock, b.use(rule.void_by), rule.match, None)
            if rule.closed_by:
                # closers tie to the clock by case, never by ref (as the Python evaluator)
                closers = [alt for s in rule.closed_by for alt in b.use(s)]
                b.first(f"close:{rid}", clock, closers, "case")
            if rule.extension is not None:
                ext = b.use(Selector(type=rule.extension.type))
                b.pairs(f"ext:{rid}", clock, ext, rule.match, "ge")
                b.attrs.add(rule.extension.attr)
            for sel in rule.requires_any:
                main.select(f"req:{rid}", main.use(sel))
        elif isinstance(rule, ScheduleRule):
            assert rule.scope is not None and rule.event is not None
            self.scopes[rid] = _ScopeUse(rid, rule.scope, rule.match, rid, True, rule)
            main.scope(rid, rule.scope, rule.match, rule.event)
            main.attrs.add("in_education")
            main.attrs.add("permanent")
        elif isinstance(rule, MilestoneRule):
            head = self.chains[rule.schedule].head
            assert head.scope is not None
            opens: Alts = [[{"t": t}] for t in head.scope.opens]
            main.first(f"plan:{rid}", opens, main.use(rule.met_by), rule.match)
        elif isinstance(rule, AttributeRule):
            event = main.use(rule.event)
            main.select(f"inst:{rid}", event)
            for test in rule.satisfied_if_any:
                main.select(f"ok:{rid}", [[*alt, _test(test)] for alt in event])
                (main.present if test.present is not None else main.attrs).add(test.attr)
        elif isinstance(rule, RollingRule):
            starts = main.use(rule.spell.starts)
            main.select(f"spell:{rid}", starts)
            main.first(f"end:{rid}", starts, main.use(rule.spell.ends), rule.match)
            if rule.met_by is not None:
                main.pairs(f"order:{rid}", starts, main.use(rule.met_by), rule.match, None)

    # check ---------------------------------------------------------------------------------

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
        """Assert events in date order: per day the closers, then the openers, then the day's
        end (a case opened that day may close on that day's closers), then everything else."""
        rows: list[tuple[int, int, int, dict[str, Any]]] = []
        for n, ev in evs:
            phase = 0 if ev.type in self.closer_types else 1 if ev.type in self.opener_types else 3
            rows.append((ev.date.toordinal(), phase, n, self._fact(n, ev)))
        rows.extend((f["d"], 3, f["n"], f) for f in extra)
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        for day, group in itertools.groupby(rows, key=lambda row: row[0]):
            scoped = ended = False
            for _, phase, _, fact in group:
                if phase == 3 and scoped and not ended:
                    self._end_of_day(session, day)
                    ended = True
                scoped = scoped or phase < 3
                session.assert_fact(fact)
            if scoped and not ended:
                self._end_of_day(session, day)

    def _end_of_day(self, session: _Session, day: int) -> None:
        marker = {"id": f"z{day}", "t": "$eod", "d": day}
        session.assert_fact(marker)
        session.retract(marker)
        for fact in [f for f in session.facts.values() if f["t"] == "$xc" and f["d"] == day]:
            session.retract(fact)

    def _evaluate(self, ctx: Context, tl: Timeline) -> list[Finding]:
        # every event, in the timeline's own order (date first; same-day ties as it breaks
        # them), so that an event's index ranks it as the Python evaluator would
        events: list[Ev] = tl.of_types(list(tl.by_type))
        session = self.main
        session.links = _Links()
        session.events = events
        session.dob = tl.dob
        session.budget = 1000 + 200 * len(events)
        for sc in self.scopes:
            session.assert_fact(self.closed_cur(sc))
        wanted = [(n, ev) for n, ev in enumerate(events) if ev.type in self.types]
        self._feed(session, wanted, ())
        links = session.links
        # cases still open at the end
        for fact in list(session.facts.values()):
            if fact.get("t") == "$cur" and fact.get("open") == 1:
                links.cases.setdefault(fact["sc"], []).append((fact["n"], None))
        late = self._late(ctx, tl, events, links)
        out: list[Finding] = []
        for rule in self.active:
            if isinstance(rule, DeadlineRule):
                out.extend(self._deadline(rule, ctx, tl, events, links, late))
            elif isinstance(rule, ScheduleRule):
                out.extend(self._schedule(self.chains[rule.id], ctx, events, links))
            elif isinstance(rule, MilestoneRule):
                out.extend(self._milestone(rule, ctx, events, links))
            elif isinstance(rule, AttributeRule):
                out.extend(self._attribute(rule, ctx, events, links))
            elif isinstance(rule, RollingRule):
                out.extend(self._rolling(rule, ctx, events, links))
        return out

    # cases ---------------------------------------------------------------------------------

    def _cases(self, sc: str, ctx: Context, events: list[Ev], links: _Links) -> list[Case]:
        """The scope's cases, opened and closed as the Python engine opens and closes them
        (``schedule.cases_of``: overlapping cases told apart by their refs each stay open, a
        second opening closes one it cannot be told apart from, with its data-quality note each
        time a rule asks), so that both engines hold one meaning of a case."""
        use = self.scopes[sc]
        return cases_of(ctx.timeline, use.scope, use.match, use.rule_id)

    def _late(
        self, ctx: Context, tl: Timeline, events: list[Ev], links: _Links
    ) -> dict[str, list[tuple[int, Ev, dt.date | None]]]:
        """Deadlines that count only inside a case (``during``): their clocks are placed in the
        cases durable-rules found, then matched in a second ruleset fed in date order."""
        clocks: dict[str, list[tuple[int, Ev, dt.date | None]]] = {}
        pool = list(events)
        extra: list[dict[str, Any]] = []
        for rule in self.active:
            if not isinstance(rule, DeadlineRule) or rule.during is None:
                continue
            found: list[tuple[Ev, dt.date | None]] = []
            clocks[rule.id] = []
            if rule.requires_any and not links.selected.get(f"req:{rule.id}"):
                continue
            if rule.clock_at_age is not None:
                if tl.dob is not None:
                    spans = self._cases(rule.id, ctx, events, links)
                    birthday = calendar.add_years(tl.dob, rule.clock_at_age)
                    for case in spans:
                        inside = case.opened.date <= birthday and (
                            case.close is None or birthday <= case.close
                        )
                        if inside and birthday <= ctx.as_of:
                            clock = Ev(f"birthday_{rule.clock_at_age}", birthday, case.opened.ref)
                            found = [(clock, case.close)]
                            break
            else:
                # a clock event inside a case (no national rule has one): placed here in Python
                spans = self._cases(rule.id, ctx, events, links)
                picked = links.selected.get(f"clk:{rule.id}", set())
                for n in sorted(picked, key=lambda i: (events[i].date, i)):
                    clock = events[n]
                    for case in spans:
                        inside = case.opened.date <= clock.date and (
                            case.close is None or clock.date <= case.close
                        )
                        if inside and related(case.opened, clock, rule.match):
                            found.append((clock, case.close))
                            break
            placed = []
            for clock, end in found:
                n = len(pool)
                pool.append(clock)
                fact = self._fact(n, clock)
                fact["t"] = f"$clock:{rule.id}"
                extra.append(fact)
                placed.append((n, clock, end))
            clocks[rule.id] = placed
        self.late_pool = pool
        self.late_links = _Links()
        if self.late is None or not extra:
            return clocks
        session = self.late
        session.links = _Links()
        session.events = pool
        session.dob = tl.dob
        session.budget = 1000 + 200 * len(pool)
        wanted = [(n, ev) for n, ev in enumerate(events) if ev.type in self.late_types]
        self._feed(session, wanted, extra)
        self.late_links = session.links
        return clocks

    # rule kinds ----------------------------------------------------------------------------

    def _deadline(
        self,
        rule: DeadlineRule,
        ctx: Context,
        tl: Timeline,
        events: list[Ev],
        links: _Links,
        late: dict[str, list[tuple[int, Ev, dt.date | None]]],
    ) -> Iterable[Finding]:
        rid = rule.id
        if rule.requires_any and not links.selected.get(f"req:{rid}"):
            return
        clocks: list[tuple[int, Ev, dt.date | None]]
        if rule.during is not None:
            lk, pool, clocks = self.late_links, self.late_pool, late.get(rid, [])
        else:
            lk, pool = links, events
            picked = links.selected.get(f"clk:{rid}", set())
            clocks = [
                (n, events[n], None) for n in sorted(picked, key=lambda i: (events[i].date, i))
            ]
        if not clocks:
            return
        voided = lk.pairs.get(f"void:{rid}", {})
        closes = lk.first.get(f"close:{rid}", {})
        dones = lk.first.get(f"done:{rid}", {})
        before = lk.pairs.get(f"before:{rid}", {})
        early = lk.pairs.get(f"early:{rid}", {})
        exts = lk.pairs.get(f"ext:{rid}", {})
        previous: dt.date | None = None
        unsettled = False  # an earlier instance's end is not known (history the data lack)
        for n, clock, case_end in clocks:
            floor, previous = previous, clock.date
            if unsettled and rule.met_before_clock:
                ctx.not_assessed(rule, BEFORE_KNOWN)
                continue
            since = (
                counts_from(rule, clock, floor, ctx.timeline.dob) if ctx.timeline.known else None
            )
            if not ctx.applies(rule, clock.date, Case(clock, case_end), since=since):
                unsettled = unsettled or ctx.unknown
                continue
            if n in voided:
                continue
            close = pool[closes[n]].date if n in closes else None
            if case_end is not None:
                close = case_end if close is None else min(close, case_end)
            done: dt.date | None = None
            chosen = False
            if rule.met_before_clock:
                plausible = earliest_plausible(ctx.timeline.dob)
                for d in sorted(pool[i].date for i in before.get(n, [])):
                    if (floor is None or d > floor) and d >= plausible:
                        done, chosen = d, True
                        break
            else:
                for i in sorted(set(early.get(n, [])), key=lambda i: (pool[i].date, i)):
                    cand = pool[i]
                    ctx.note(
                        DataQualityFinding(
                            "DATA001",
                            ctx.child,
                            f"{cand.type} dated before its {clock.type}; it does not count",
                            rule=rid,
                            ref=clock.ref,
                            date=cand.date,
                        )
                    )
            if not chosen and n in dones:
                answer = pool[dones[n]].date
                done = answer if close is None or answer <= close else None
            previous = max(d for d in (clock.date, close, done) if d is not None)
            tied = [pool[i] for i in sorted(set(exts.get(n, [])), key=lambda i: (pool[i].date, i))]
            finding = deadline_finding(rule, ctx, clock, close, done, tied)
            if finding is not None:
                yield finding

    def _schedule(
        self, chain: Chain, ctx: Context, events: list[Ev], links: _Links
    ) -> Iterable[Finding]:
        """A schedule over the shared cases and chain walk (``schedule.check_schedule``): which
        events belong to which of several overlapping cases is one meaning in both engines."""
        return check_schedule(chain, ctx)

    def _milestone(
        self, rule: MilestoneRule, ctx: Context, events: list[Ev], links: _Links
    ) -> Iterable[Finding]:
        """A milestone over the same cases and chain (``milestone.check_milestone``)."""
        return check_milestone(rule, self.chains[rule.schedule], ctx)

    def _attribute(
        self, rule: AttributeRule, ctx: Context, events: list[Ev], links: _Links
    ) -> Iterable[Finding]:
        ok = links.selected.get(f"ok:{rule.id}", set())
        picked = links.selected.get(f"inst:{rule.id}", set())
        for n in sorted(picked, key=lambda i: (events[i].date, i)):
            finding = attribute_finding(rule, ctx, events[n], n in ok)
            if finding is not None:
                yield finding

    def _rolling(
        self, rule: RollingRule, ctx: Context, events: list[Ev], links: _Links
    ) -> Iterable[Finding]:
        ends = links.first.get(f"end:{rule.id}", {})
        orders = links.pairs.get(f"order:{rule.id}", {})
        picked = links.selected.get(f"spell:{rule.id}", set())
        spells: list[Spell] = [
            (
                events[n],
                events[ends[n]].date if n in ends else None,
                [
                    events[i]
                    for i in sorted(set(orders.get(n, [])), key=lambda i: (events[i].date, i))
                ],
            )
            for n in sorted(picked, key=lambda i: (events[i].date, i))
        ]
        return count_spells(rule, ctx, spells)


def _index(events: list[Ev], ev: Ev) -> int:
    for n, candidate in enumerate(events):
        if candidate is ev:
            return n
    raise LookupError("event not in the timeline")


Check = Callable[[ChildRecord, dt.date, Location | None], ChildResult]
