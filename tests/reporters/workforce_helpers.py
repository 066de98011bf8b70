"""A hand-built ``agg["workforce"]`` (the aggregates' workforce part, as docs and issue 21 give
its shape) for the report, workbook and worklist tests: six IROs and seven social workers in
two teams over the twelve month ends to 31 March 2024, one IRO above the range throughout, a
newly qualified social worker judged against the lower range until their ASYE year ends, one
who left, one who joined, n/a figures, supervision and induction on time per team, the
recruitment targets (one with its figures unknown) and a rule not assessed."""

from __future__ import annotations

import datetime as dt
from typing import Any

AS_OF = dt.date(2024, 3, 31)
SNAPSHOTS = [
    "2023-04-30",
    "2023-05-31",
    "2023-06-30",
    "2023-07-31",
    "2023-08-31",
    "2023-09-30",
    "2023-10-31",
    "2023-11-30",
    "2023-12-31",
    "2024-01-31",
    "2024-02-29",
    "2024-03-31",
]
IRO_RANGE = (50, 70)
SW_RANGE = (15, 20)
NQ_RANGE = (10, 15)
NO_ALLOCATIONS = "the inputs hold no allocations before 1 August 2023 for this worker"
NO_ADOPTERS = "the inputs carry no adopter approvals or de-registrations"
NOT_SET = "setting asye_supervision_weeks is not set (check --settings FILE)"


def against(value: float, low: float, high: float) -> str:
    return "above" if value > high else "below" if value < low else "within"


def values(
    children: list[int | None],
    fte: float,
    *,
    nq_until: int = 0,
    start: int = 0,
    why: str | None = None,
    low_high: tuple[int, int] = SW_RANGE,
) -> list[dict[str, Any]]:
    """A worker's figures at SNAPSHOTS[start:] (dates before ``start``: not in post, so no
    entry); newly qualified at the first ``nq_until`` of them; None children: n/a, ``why``."""
    out = []
    for k, n in enumerate(children):
        date = SNAPSHOTS[start + k]
        nq = start + k < nq_until
        low, high = NQ_RANGE if nq else low_high
        per = None if n is None else round(n / fte, 2)
        value: dict[str, Any] = {
            "date": date,
            "children": n,
            "per_fte": per,
            "newly_qualified": nq,
            "status": None if per is None else against(per, low, high),
        }
        if per is None and why:
            value["why"] = why
        out.append(value)
    return out


def row(
    worker: str, team: str | None, fte: float, fte_from: str, vals: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"worker": worker, "team": team, "fte": fte, "fte_from": fte_from, "values": vals}


def at_as_of(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {"above": 0, "within": 0, "below": 0}
    for r in rows:
        last = r["values"][-1]
        if last["date"] == SNAPSHOTS[-1] and last["status"]:
            out[last["status"]] += 1
    return out


def iro_rows(extra: int = 0) -> list[dict[str, Any]]:
    iro = {"low_high": IRO_RANGE}
    rows = [
        row("IRO01", "IRO service", 1.0, "list", values(list(range(74, 86)), 1.0, **iro)),
        row(
            "IRO02",
            "IRO service",
            1.0,
            "list",
            values([55, 58, 60, 62, 61, 63, 65, 66, 68, 64, 62, 60], 1.0, **iro),
        ),
        row(
            "IRO03",
            "IRO service",
            1.0,
            "list",
            values([40, 41, 43, 44, 46, 45, 47, 48, 46, 45, 44, 42], 1.0, **iro),
        ),
        row(
            "IRO04",
            "IRO service",
            1.0,
            "list",
            values([20, 35, 48, 55, 60, 66], 1.0, start=6, **iro),
        ),
        row(
            "IRO05",
            "IRO service",
            0.5,
            "list",
            values(
                [None, None, None, 30, 31, 33, 34, 36, 35, 37, 36, 34],
                0.5,
                why=NO_ALLOCATIONS,
                **iro,
            ),
        ),
        row(
            "IRO06",
            "IRO service",
            1.0,
            "default",
            values([52, 53, None, 55, 56, 57, 58, 59, 60, 61, 62, 63], 1.0, **iro),
        ),
    ]
    for k in range(extra):  # more IROs, for the grid at scale
        rows.append(
            row(
                f"IRO{7 + k:02d}",
                "IRO service",
                1.0,
                "list",
                values([40 + (k * 7 + m * 3) % 45 for m in range(12)], 1.0, **iro),
            )
        )
    return rows


def sw_rows() -> list[dict[str, Any]]:
    return [
        row(
            "SW01",
            "North",
            1.0,
            "record",
            values([16, 17, 18, 19, 18, 17, 16, 17, 18, 19, 18, 17], 1.0),
        ),
        row(
            "SW02",
            "North",
            1.0,
            "record",
            values([21, 22, 23, 24, 25, 26, 25, 24, 23, 22, 23, 24], 1.0),
        ),
        # newly qualified until the end of December 2023: 17 children is above their range then
        row(
            "SW03",
            "North",
            1.0,
            "record",
            values([8, 10, 12, 13, 14, 15, 16, 17, 17, 17, 18, 18], 1.0, nq_until=9),
        ),
        row(
            "SW04",
            "South",
            1.0,
            "record",
            values([8, 9, 10, 11, 12, 12, 11, 10, 9, 10, 11, 12], 1.0),
        ),
        row(
            "SW05",
            "South",
            0.8,
            "record",
            values([14, 15, 15, 16, 15, 14, 15, 16, 15, 14, 15, 15], 0.8),
        ),
        # SW06 left in December
        row("SW06", "South", 1.0, "record", values([18, 19, 20, 21, 20, 19, 18, 17, 16], 1.0)),
        row("SW07", None, 1.0, "default", values([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 1.0)),
    ]


def timeliness(
    rule: str, name: str, teams: dict[str | None, tuple[int, int, int, int]]
) -> list[dict[str, Any]]:
    out = []
    totals = [0, 0, 0, 0]
    for team, counts in teams.items():
        met, late, overdue, pending = counts
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        due = met + late + overdue
        out.append(
            {
                "rule": rule,
                "name": name,
                "team": team,
                "met": met,
                "late": late,
                "overdue": overdue,
                "pending": pending,
                "on_time": round(met / due, 4) if due else None,
            }
        )
    met, late, overdue, pending = totals
    due = met + late + overdue
    out.append(
        {
            "rule": rule,
            "name": name,
            "team": None,
            "met": met,
            "late": late,
            "overdue": overdue,
            "pending": pending,
            "on_time": round(met / due, 4) if due else None,
        }
    )
    return out


IRO_HANDBOOK = "https://www.gov.uk/government/publications/independent-reviewing-officers-handbook"
LANCS = "https://files.ofsted.gov.uk/v1/file/50001234"


def workforce(extra_iros: int = 0) -> dict[str, Any]:
    """agg["workforce"] as the aggregates give it."""
    iros, sws = iro_rows(extra_iros), sw_rows()
    return {
        "workers": len(iros) + len(sws),
        "rules": [
            {
                "rule": "IR001",
                "name": "iro-caseload",
                "kind": "worker_caseload",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC018",
                "name": "social-worker-caseload",
                "kind": "worker_caseload",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC016",
                "name": "supervision",
                "kind": "worker_interval",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC028",
                "name": "induction",
                "kind": "worker_deadline",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC027",
                "name": "training-evaluated",
                "kind": "worker_deadline",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC011",
                "name": "foster-carer-recruitment",
                "kind": "workforce_target",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "LANC012",
                "name": "adopter-recruitment",
                "kind": "workforce_target",
                "assessed": True,
                "why": None,
            },
            {
                "rule": "WF001",
                "name": "asye-supervision",
                "kind": "worker_interval",
                "assessed": False,
                "why": NOT_SET,
            },
        ],
        "timeliness": [
            *timeliness("LANC016", "supervision", {"North": (30, 2, 1, 3), "South": (20, 8, 3, 2)}),
            # North: one induction pending, nothing due yet: n/a, never 0%
            *timeliness("LANC028", "induction", {"North": (0, 0, 0, 1), "South": (1, 1, 0, 0)}),
            *timeliness(
                "LANC027", "training-evaluated", {"North": (3, 1, 0, 0), "South": (0, 0, 2, 1)}
            ),
        ],
        "caseloads": [
            {
                "rule": "IR001",
                "name": "iro-caseload",
                "role": "IRO",
                "low": IRO_RANGE[0],
                "high": IRO_RANGE[1],
                "newly_qualified": None,
                "citation": IRO_HANDBOOK,
                "source": "workers",
                "snapshots": SNAPSHOTS,
                "rows": iros,
                "at_as_of": at_as_of(iros),
            },
            {
                "rule": "LANC018",
                "name": "social-worker-caseload",
                "role": "social worker",
                "low": SW_RANGE[0],
                "high": SW_RANGE[1],
                "newly_qualified": {"low": NQ_RANGE[0], "high": NQ_RANGE[1]},
                "citation": LANCS,
                "source": "workers",
                "snapshots": SNAPSHOTS,
                "rows": sws,
                "at_as_of": at_as_of(sws),
            },
        ],
        "targets": [
            {
                "rule": "LANC011",
                "name": "foster-carer-recruitment",
                "role": "foster carer",
                "from": "2023-04-01",
                "to": "2024-03-31",
                "target": 75,
                "recruited": 61,
                "left": 40,
                "net": 21,
                "status": "below",
                "why": None,
                "citation": LANCS,
            },
            {
                "rule": "LANC012",
                "name": "adopter-recruitment",
                "role": "adopter",
                "from": "2023-04-01",
                "to": "2024-03-31",
                "target": 75,
                "recruited": None,
                "left": None,
                "net": None,
                "status": None,
                "why": NO_ADOPTERS,
                "citation": LANCS,
            },
        ],
        "supervision_due": [
            {
                "worker": "SW02",
                "team": "North",
                "rule": "LANC016",
                "last": "2024-01-10",
                "due": "2024-02-07",
                "status": "overdue",
            },
            {
                "worker": "IRO04",
                "team": "IRO service",
                "rule": "LANC016",
                "last": None,
                "due": "2023-11-01",
                "status": "overdue",
            },
            {
                "worker": "SW05",
                "team": "South",
                "rule": "LANC016",
                "last": "2024-03-08",
                "due": "2024-04-05",
                "status": "pending",
            },
            {
                "worker": "SW01",
                "team": "North",
                "rule": "LANC016",
                "last": "2024-03-25",
                "due": "2024-04-22",
                "status": "pending",
            },
        ],
    }
