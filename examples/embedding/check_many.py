"""Check a night's batch from several threads against one rule set, and stream a file lazily.

    python examples/embedding/check_many.py [PATH]   (default: examples/children.jsonl)

The rule set is compiled once and is immutable, so worker threads share it without locks.
``check_stream`` reads lazily and reports each record that cannot be read or checked instead of
stopping, as the CLI does.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import timescales
from timescales.api import check_stream, parse_record

AS_OF = dt.date(2024, 3, 31)
DEFAULT = Path(__file__).resolve().parent.parent / "children.jsonl"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    ruleset = timescales.load_rules()

    # 1. many threads, one rule set
    records = [parse_record(line, ruleset=ruleset) for line in path.read_text().splitlines()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda r: ruleset.check(r, as_of=AS_OF), records))
    statuses = Counter(f.status.value for result in results for f in result.findings)
    print(f"threads: {len(results)} children, findings {dict(sorted(statuses.items()))}")

    # 2. a stream: one record at a time, rejections reported and skipped
    checked = rejected = 0
    with path.open() as fh:
        for item in check_stream(fh, ruleset=ruleset, as_of=AS_OF, source=str(path)):
            if item.error is not None:
                rejected += 1
                print(f"rejected {item.error.location}: {item.error.message}")
            else:
                checked += 1
    print(f"stream: checked {checked}, rejected {rejected}")


if __name__ == "__main__":
    main()
