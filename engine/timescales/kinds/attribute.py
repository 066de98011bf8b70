"""Rule kind ``attribute``: each event must itself record something (PF004: seen alone).

One finding per event: anchor = the event's date, due = anchor plus the limit (0 days: the same
visit); done = the event's date when any test holds. Not a deadline: the finding is ``met`` when
a test holds and ``unmet`` otherwise (the event happened, but not as the law requires), never
pending or overdue, and an unmet finding has no days late.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from ..evaluation.context import Context
from ..evaluation.timeline import DISPUTED, Case, Ev
from ..findings import Finding
from ..rules.model import Limit, Limits, RuleBase, Selector, Strict
from ..rules.registry import Heads, Kind
from ..rules.words import EXAMPLE_ANCHOR, describe_selector, plain_selector
from .schedule import pick_limit


class AttrTest(Strict):
    attr: str
    equals: str | bool | int | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AttrTest:
        if (self.equals is None) == (self.present is None):
            raise ValueError("an attribute test takes exactly one of 'equals' and 'present'")
        return self


class AttributeRule(RuleBase):
    """Each ``event`` must itself record something (PF004: the child seen alone, or why not).
    One finding per event: anchor = the event's date; done = that date when any test holds."""

    kind: Literal["attribute"]
    event: Selector
    satisfied_if_any: list[AttrTest] = Field(min_length=1)
    limit: Limits

    def selectors(self) -> list[Selector]:
        return [self.event]

    def starting(self) -> list[Selector]:
        return [self.event]

    def limits(self) -> list[Limit]:
        return list(self.limit)


def _passes(test: AttrTest, ev: Ev) -> bool:
    value = ev.attrs.get(test.attr)
    if value is DISPUTED:  # two copies of the visit disagree: not shown either way
        return False
    if test.present is not None:
        given = value is not None and value != ""
        return given == test.present
    return value == test.equals


def attribute_finding(rule: AttributeRule, ctx: Context, ev: Ev, ok: bool) -> Finding | None:
    """The finding for one event the rule selects, ``ok`` when one of its tests holds (each
    engine finds that its own way); None when the rule does not apply on the event's date."""
    case = Case(ev, None)
    if not ctx.applies(rule, ev.date, case):
        return None
    limit = pick_limit(rule.limit, ev.date, case, ctx.timeline)
    if limit is None:
        return None
    return ctx.finding(
        rule,
        ref=ev.ref,
        anchor=ev.date,
        due=ctx.due(ev.date, limit, rule),
        done=ev.date if ok else None,
        close=None,
        limit=limit,
        attribute=True,
    )


def check_attribute(rule: AttributeRule, ctx: Context) -> Iterator[Finding]:
    for ev in ctx.timeline.select(rule.event):
        ok = any(_passes(test, ev) for test in rule.satisfied_if_any)
        finding = attribute_finding(rule, ctx, ev, ok)
        if finding is not None:
            yield finding


def _tests(rule: AttributeRule) -> str:
    return " or ".join(
        f"`{t.attr}` " + ("given" if t.present else f"= {t.equals}") for t in rule.satisfied_if_any
    )


class AttributeKind(Kind[AttributeRule]):
    name = "attribute"
    model = AttributeRule

    def needs(self, rule: AttributeRule, heads: Heads) -> set[str]:
        return {rule.event.type}

    def checker(self, rule: AttributeRule, chains: Mapping[str, Any]) -> Any:
        return lambda ctx: check_attribute(rule, ctx)

    def counting(self, rule: AttributeRule, heads: Heads) -> list[str]:
        return [
            f"Each {describe_selector(rule.event)} must record {_tests(rule)}.",
            "One finding per event; anchor and due are the event's own date.",
        ]

    def on_time_text(self, rule: AttributeRule) -> str | None:
        return (
            "Met when the event records it; otherwise unmet: a breach with no days late (the "
            "event happened, but not as required). Never pending or overdue."
        )

    def example(self, rule: AttributeRule) -> list[str] | None:
        return [
            f"A {describe_selector(rule.event)} on {EXAMPLE_ANCHOR:%a %d %b %Y} recording "
            f"{_tests(rule)}: met.",
            f"One that does not: unmet on {EXAMPLE_ANCHOR:%d %b %Y}, with no days late, whatever "
            "the date it is checked as of.",
        ]

    def anchor_is(self, rule: AttributeRule, heads: Heads) -> str:
        return f"each {plain_selector(rule.event)}"

    def explained_limits(self, rule: AttributeRule) -> list[Limit]:
        return rule.limits()[-1:]

    def durable_compile(self, rule: AttributeRule, backend: Any) -> None:
        main = backend.main_builder
        event = main.use(rule.event)
        main.select(f"inst:{rule.id}", event)
        for test in rule.satisfied_if_any:
            main.select(f"ok:{rule.id}", main.tested(event, test.attr, test.present, test.equals))

    def durable_findings(self, rule: AttributeRule, backend: Any, run: Any) -> Any:
        ok = run.links.selected.get(f"ok:{rule.id}", set())
        for n in run.order(run.links.selected.get(f"inst:{rule.id}", set())):
            finding = attribute_finding(rule, run.ctx, run.events[n], n in ok)
            if finding is not None:
                yield finding


KIND = AttributeKind()
