"""Helpers for the performance-picture tests: findings and child results made by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from timescales.findings import Finding, Status
from timescales.ruleset.ruleset import ChildResult

AS_OF = dt.date(2024, 3, 31)


def finding(
    rule: str,
    status: str,
    *,
    child: str = "C1",
    due: dt.date = dt.date(2024, 1, 15),
    days_late: int | None = None,
    team: str | None = "North",
    worker: str | None = "SW1",
    ref: str | None = None,
    as_of: dt.date = AS_OF,
    live: bool = True,
) -> Finding:
    """A finding with its days late worked out as the engine would: met 0, pending and unmet
    None, overdue to as_of (``live``) or to an earlier close."""
    st = Status(status)
    done = None
    if st is Status.MET:
        days, done = 0, due
    elif st in (Status.PENDING, Status.UNMET):
        days = None
    elif st is Status.LATE:
        days = days_late if days_late is not None else 1
        done = due + dt.timedelta(days=days)
    else:
        days = (as_of - due).days if live else (days_late if days_late is not None else 1)
    return Finding(
        rule=rule,
        name=f"{rule.lower()}-name",
        child=child,
        ref=ref,
        anchor=due - dt.timedelta(days=10),
        due=due,
        done=done,
        status=st,
        days_late=days,
        working_days_late=days,
        citation="https://www.legislation.gov.uk/uksi/2010/959/regulation/28",
        team=team,
        worker=worker,
    )


def result(child: str, findings: list[Finding], iro: str | None = None) -> ChildResult:
    return ChildResult(child, tuple(findings), (), 0, iro)


def synthetic_children(n: int, start: int = 0) -> Iterator[ChildResult]:
    """n children over a fixed set of groups: 3 rules, 5 teams, 20 workers, 4 IROs, due dates in
    the 12 months of 2023, days late 0..29 — however large n, the same groups."""
    rules = ("AA001", "AA002", "AA003")
    statuses = ("met", "late", "overdue", "pending")
    for i in range(start, start + n):
        team = f"T{i % 5}"
        worker = f"W{i % 20}"
        iro = f"I{i % 4}" if i % 3 == 0 else None
        findings = []
        for k, rule in enumerate(rules):
            status = statuses[(i + k) % 4]
            due = dt.date(2023, 1 + (i + k) % 12, 1 + (i * 7 + k) % 28)
            findings.append(
                finding(
                    rule,
                    status,
                    child=f"C{i}",
                    due=due,
                    days_late=(i + k) % 30,
                    team=team,
                    worker=worker,
                    live=False,
                )
            )
        yield result(f"C{i}", findings, iro)
