"""Check one child's record, as a case-management system would when the record is saved.

    python examples/embedding/check_one.py

Loads the rules once, checks a record given as a plain dict (as it might come from a database),
prints each finding and, for the breaches, the counting steps a social worker can read.
"""

from __future__ import annotations

import datetime as dt

import timescales
from timescales.api import parse_record

RECORD = {
    "child": "C-0001",
    "team": "North",
    "worker": "SW001",
    "events": [
        {"type": "pf_notified", "date": "2023-12-20", "ref": "F1"},
        {"type": "pf_visit", "date": "2024-01-05", "ref": "F1", "attrs": {"seen_alone": True}},
    ],
}


def main() -> None:
    ruleset = timescales.load_rules()  # once per process; share it between threads
    try:
        record = parse_record(RECORD, ruleset=ruleset)
    except timescales.RecordError as exc:  # carries location, field and a stable code
        print(f"rejected ({exc.code}) at {exc.location}: {exc.message}")
        return
    result = ruleset.check(record, as_of=dt.date(2024, 3, 31))
    for finding in result.findings:
        print(f"{finding.rule} {finding.status.value:<8} due {finding.due} done {finding.done}")
        if finding.is_breach:
            print(timescales.explain(finding, ruleset).text())


if __name__ == "__main__":
    main()
