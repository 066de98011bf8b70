"""Caseloads as ``agg["caseloads"]`` gives them: IR001 (open looked-after children per
full-time IRO) and social workers' live caseloads; and the IRO list.

IRO caseloads are IR001's figures at as_of, counted once by the workforce caseloads
(``timescales.workforce.caseloads``). An optional IRO list (CSV with columns ``iro`` and
``fte``) gives each IRO's full-time equivalence: the caseload compared with IR001's range
(50-70) is children / FTE, and listed IROs holding no child show as 0. An IRO met in the
records but missing from the list counts as its worker record's FTE, else 1.0, and is marked
``listed: false``.

Worker caseloads count the children each worker holds (the record's ``worker``) that have live
statutory work at as_of: a finding pending, or overdue on a case still open. A council's plugin
can set a threshold with a ``worker_caseload`` rule counting ``allocated`` children (its
``range``, per FTE); the verdict is that rule's one verdict at as_of, from the workforce
caseloads (children allocated per FTE), never a second one on the live count.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..kinds.workforce import WorkerCaseloadRule, caseload_rules
from ..workforce.caseloads import IRO, iro_rows

if TYPE_CHECKING:
    from ..ruleset.ruleset import RuleSet


def read_iro_list(path: Path) -> dict[str, float]:
    """IRO -> full-time equivalence, from a CSV with a header naming ``iro`` and (optionally)
    ``fte``; a blank FTE is 1.0."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the IRO list: {exc.strerror}") from None
    rows = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in rows.fieldnames or []]
    if "iro" not in fields:
        raise UsageError(f"{path}: the IRO list needs a header with an 'iro' column (and 'fte')")
    out: dict[str, float] = {}
    for number, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        name = row.get("iro", "")
        if not name:
            continue
        fte_text = row.get("fte", "")
        try:
            fte = float(fte_text) if fte_text else 1.0
        except ValueError:
            raise UsageError(f"{path}, line {number}: FTE {fte_text!r} is not a number") from None
        if not 0 < fte <= 2:
            raise UsageError(f"{path}, line {number}: FTE {fte} is outside (0, 2]")
        out[name] = fte
    return out


def _verdict(rule: str, source: str, found: Mapping[str, Any], count: int) -> dict[str, Any]:
    """A worker row's fields from the caseload rule's workforce row at as_of (its last value):
    the verdict per FTE, and why there is none, or why the worker records allocate fewer
    children than the ``count`` whose records name this worker."""
    last = found["values"][-1]
    why = None
    if last["status"] is None:
        why = last.get("why") or f"no {rule} verdict at {last['date']}"
    elif source == "workers" and (last["children"] or 0) < count:
        why = (
            f"{rule} counts the allocations in the worker records: {last['children']} at "
            f"{last['date']}, while the records of {count} "
            f"{'child' if count == 1 else 'children'} with live work name this worker"
        )
    return {
        "status": last["status"],
        "allocated": last["children"],
        "fte": found["fte"],
        "per_fte": last["per_fte"],
        "why": why,
    }


class Caseloads:
    """``agg["caseloads"]``: the IRO rows at as_of (IR001, from the workforce caseloads) and
    the social workers' live caseloads (children with a finding pending, or overdue on an open
    case), against a caseload rule's range (``count: allocated``) when the rule set has one."""

    def __init__(self, ruleset: RuleSet, iro_list: Mapping[str, float] | None = None) -> None:
        self.iro_list = dict(iro_list or {})
        caseloads = caseload_rules(ruleset.workforce)
        self.iro_rule = next((r for r in caseloads if IRO in r.roles), None)
        self.worker_rule = next((r for r in caseloads if r.count == "allocated"), None)
        self.worker: Counter[str] = Counter()

    def add(self, *, worker: str | None, live: bool) -> None:
        if worker and live:
            self.worker[worker] += 1

    def worker_rows(self, section: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """A row per worker with live work: ``children`` (with live work, by the children's
        records), and the caseload rule's one verdict at as_of, that of its workforce section
        (``section``): ``allocated`` children as the rule counts them, ``fte``, ``per_fte`` and
        ``status`` against the range per FTE; ``why`` says why there is no verdict, or why the
        worker records allocate fewer children than the children's records name."""
        rule = self.worker_rule
        judged = {r["worker"]: r for r in section["rows"]} if section else {}
        rows = []
        for name, count in sorted(self.worker.items()):
            row: dict[str, Any] = {
                "worker": name,
                "children": count,
                "status": None,
                "allocated": None,
                "fte": None,
                "per_fte": None,
                "why": None,
            }
            found = judged.get(name)
            if rule is not None and section is not None:  # a caseload rule gives the verdict
                if found is None:
                    row["why"] = (
                        f"{rule.id} counts the allocations in the worker records; none gives "
                        "this worker any"
                    )
                else:
                    row.update(_verdict(rule.id, section["source"], found, count))
            rows.append(row)
        return rows

    def to_dict(self, sections: list[dict[str, Any]]) -> dict[str, Any]:
        """Today's shape; ``sections``: the workforce caseload sections (IR001's among them, and
        the social workers' rule's, whose verdicts the worker rows take)."""
        rule = self.iro_rule
        section = next((s for s in sections if rule is not None and s["rule"] == rule.id), None)
        iro = iro_rows(section, self.iro_list)
        worker_rule = self.worker_rule
        worker_section = next(
            (s for s in sections if worker_rule is not None and s["rule"] == worker_rule.id), None
        )
        worker_rows = self.worker_rows(worker_section)
        return {
            "iro": {
                **_rule_dict(self.iro_rule),
                "fte_from_list": bool(self.iro_list),
                "rows": iro,
                **_tally(iro),
            },
            "worker": {**_rule_dict(self.worker_rule), "rows": worker_rows, **_tally(worker_rows)},
        }


def _rule_dict(rule: WorkerCaseloadRule | None) -> dict[str, Any]:
    if rule is None:
        return {"rule": None, "low": None, "high": None, "citation": None}
    return {
        "rule": rule.id,
        "name": rule.name,
        "low": rule.range.low,
        "high": rule.range.high,
        "citation": rule.references[0].href,
    }


def _tally(rows: list[dict[str, Any]]) -> dict[str, int]:
    statuses = Counter(row["status"] for row in rows)
    return {"above": statuses["above"], "within": statuses["within"], "below": statuses["below"]}
