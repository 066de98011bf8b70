"""The rule-kind registry: what a kind of rule must provide, and the table of kinds by name.

A kind (``kinds/deadline.py`` ...) is one module: its pydantic model, its checker, the event
types it needs, its words for ``rules show``, docs and ``explain``, and its hooks for the
durable backend. Everything that treats rules by kind asks the registry (``REGISTRY.of(rule)``)
instead of testing a rule's class. The registry holds no kind itself: ``timescales.kinds``
registers the built-in ones; a new kind is one module and one ``REGISTRY.register`` line.

Hooks that return engine-level values (a checker, a case) are typed ``Any`` here: this module
sits below the engine and names nothing above it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import Field, TypeAdapter

from .model import Limit, RuleBase

R = TypeVar("R", bound=RuleBase)
Heads = Mapping[str, RuleBase]  # the rules other rules depend on (schedule heads), by id
# what a due date is counted under: the governing rule, its limits, the case, and whether the
# case's opening is known (``ruleset.oracle``)
Answerable = tuple[RuleBase, Sequence[Limit], Any, bool]


@dataclass(frozen=True, slots=True)
class DueAsked:
    """A due-date question (``RuleOracle.due``): the clock, which event of its case (a
    schedule's), the case opening and date of birth if known, and the rule set's chains."""

    anchor: dt.date
    occurrence: int
    opened: dt.date | None
    dob: dt.date | None
    chains: Mapping[str, Any]


class Kind(Generic[R]):
    """One kind of rule. Subclasses set ``name`` and ``model`` and override the hooks their
    kind needs; the defaults describe a kind with no clock of its own."""

    name: ClassVar[str]
    model: ClassVar[type[RuleBase]]
    # whether it is judged child by child (an aggregate is measured over all children)
    per_child: ClassVar[bool] = True

    # loading and selection ------------------------------------------------------------------

    def validate(self, rule: R, by_id: Mapping[str, RuleBase]) -> str | None:
        """A problem across files (a milestone naming no schedule head), or None."""
        return None

    def leads(self, rule: R) -> bool:
        """Whether other rules hang on this one (a schedule head)."""
        return False

    def follows(self, rule: R) -> str | None:
        """The head of the chain this rule is one step of (a schedule follower)."""
        return None

    def depends_on(self, rule: R) -> str | None:
        """The rule this one cannot run without (a follower's or a milestone's head)."""
        return self.follows(rule)

    def needs(self, rule: R, heads: Heads) -> set[str]:
        """Event types without which the rule can never be started or met."""
        return set()

    # checking ------------------------------------------------------------------------------

    def checker(self, rule: R, chains: Mapping[str, Any]) -> Any:
        """A function of a ``Context`` giving the rule's findings; a string saying why the
        rule cannot run in this set; or None when another rule's checker covers it."""
        return None

    def oracle(self, rule: R, asked: DueAsked) -> Answerable | None:
        """What a due date of this rule is asked of (the governing rule, its limits, the case
        and whether its opening is known), or None when the kind has no due date of its own."""
        if asked.occurrence != 1:
            raise ValueError(
                f"{rule.id} is not a schedule: it has no occurrence {asked.occurrence}"
            )
        return None

    # the test kit ----------------------------------------------------------------------------

    def mutations(self, rule: R) -> list[tuple[int, int]] | None:
        """(index, delta) changes of what the kind counts other than its limits, that a
        rule's fixtures must notice (``testing.fixtures``); None: its limits, one unit each
        way."""
        return None

    def mutate(self, rule: R, index: int, delta: int) -> R | None:
        """The rule with one of ``mutations`` applied (None: a limit is moved)."""
        return None

    # words ---------------------------------------------------------------------------------

    def limit_text(self, rule: R) -> str | None:
        """The limit in one line (``rules list``), or None for the plain list of limits."""
        return None

    def counting(self, rule: R, heads: Heads) -> list[str]:
        """How an instance is counted (``rules show``: How it is counted)."""
        return []

    def hours_text(self, rule: R) -> str:
        return "Hours on date-only data count as whole days, rounded up (72 hours = 3 days)."

    def on_time_text(self, rule: R) -> str | None:
        return "On time when done on or before the due date (the last compliant day)."

    def example(self, rule: R) -> list[str] | None:
        """A worked example of its own, or None for the usual one from its last limit."""
        return None

    def options(self, rule: R) -> list[str] | None:
        """What a council may change, or None for the usual limit override."""
        return None

    def anchor_is(self, rule: R, heads: Heads) -> str:
        """What the clock of an instance is (``explain``)."""
        return "the clock"

    def explained_limits(self, rule: R) -> list[Limit] | None:
        """The limits ``explain`` counts a due date again from (None: not counted so)."""
        return None

    def governs_step(self, rule: R, heads: Heads) -> str | None:
        """``explain``'s step saying which rule of a chain governs the instance, if any."""
        return None

    def due_step(self, rule: R, heads: Heads, anchor: dt.date, due: dt.date) -> str | None:
        """``explain``'s step for a due date not counted from a limit (a milestone's, a
        rolling total's), or None."""
        return None

    def extension_step(self, rule: R, amount: int) -> dt.timedelta | None:
        """How far a recorded extension of ``amount`` moved the due date (None: the kind has
        no extensions)."""
        return None

    # durable backend -----------------------------------------------------------------------

    def durable_compile(self, rule: R, backend: Any) -> None:
        """Add the rule's durable-rules rules (``backends.durable``)."""

    def durable_late_clocks(self, rule: R, run: Any) -> list[tuple[Any, dt.date | None]]:
        """Clocks placed in Python (inside a case) for the second durable-rules ruleset, each
        with its case's close."""
        return []

    def durable_findings(self, rule: R, backend: Any, run: Any) -> Any:
        """The rule's findings from one child's durable-rules links, or None to run the
        rule's own Python checker (the kind has no durable-rules relations)."""
        return None


class Registry:
    """The kinds of rule, by name and by model class, in registration order."""

    def __init__(self) -> None:
        self._by_name: dict[str, Kind[Any]] = {}
        self._by_model: dict[type[RuleBase], Kind[Any]] = {}
        self._adapter: TypeAdapter[Any] | None = None

    def register(self, kind: Kind[Any]) -> Kind[Any]:
        if kind.name in self._by_name:
            raise ValueError(f"rule kind {kind.name!r} is already registered")
        self._by_name[kind.name] = kind
        self._by_model[kind.model] = kind
        self._adapter = None
        return kind

    def unregister(self, name: str) -> None:
        kind = self._by_name.pop(name)
        del self._by_model[kind.model]
        self._adapter = None

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def __iter__(self) -> Iterator[Kind[Any]]:
        return iter(tuple(self._by_name.values()))

    def __getitem__(self, name: str) -> Kind[Any]:
        return self._by_name[name]

    def of(self, rule: RuleBase) -> Kind[Any]:
        """The kind of a rule (by its model class, or the nearest registered base class)."""
        for cls in type(rule).__mro__:
            kind = self._by_model.get(cls)
            if kind is not None:
                return kind
        raise LookupError(f"rule {rule.id}: no registered kind for {type(rule).__name__}")

    def adapter(self) -> TypeAdapter[Any]:
        """Validates a rule file's mapping into the model its ``kind`` names."""
        if self._adapter is None:
            models = tuple(kind.model for kind in self._by_name.values())
            if not models:
                raise LookupError("no rule kinds registered (import timescales.kinds)")
            union: Any = models[0] if len(models) == 1 else _union(models)
            self._adapter = TypeAdapter(Annotated[union, Field(discriminator="kind")])
        return self._adapter


def _union(models: tuple[type[RuleBase], ...]) -> Any:
    out: Any = models[0]
    for model in models[1:]:
        out = out | model
    return out


REGISTRY = Registry()
