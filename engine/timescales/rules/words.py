"""Rules in words: selectors, conditions, limits and ordinals as ``rules show``, the docs and
``explain`` write them (one wording for every kind)."""

from __future__ import annotations

import datetime as dt

from .model import Condition, Limit, Selector

# the worked examples' clock: a Friday before Easter, so bank holidays show in the count
EXAMPLE_ANCHOR = dt.date(2023, 3, 31)


def long_day(d: dt.date) -> str:
    """A date as ``explain`` says it: "Fri 31 Mar 2023"."""
    return f"{d:%a} {d.day} {d:%b %Y}"


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


def describe_selector(selector: Selector) -> str:
    """A selector as ``rules show`` writes it: the type in code quotes."""
    return plain_selector(selector, quote=True)


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


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def case_text(opens: list[str], closes: list[str]) -> tuple[str, str]:
    return (
        ", ".join(f"`{t}`" for t in opens),
        ", ".join(f"`{t}`" for t in closes) or "nothing recorded",
    )


def plain_selector(selector: Selector, *, quote: bool = False) -> str:
    """A selector in words: its type (in code quotes for ``rules show``), with the details it
    must and must not have."""
    text = f"`{selector.type}`" if quote else selector.type
    if selector.where:
        text += " with " + ", ".join(f"{k} {v}" for k, v in selector.where.items())
    if selector.unless:
        text += " unless " + ", ".join(f"{k} {v}" for k, v in selector.unless.items())
    return text
