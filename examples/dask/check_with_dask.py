"""Check children's records with Dask: a dask.bag over JSON Lines partitions, same API as the CLI.

Checking is per child, so any partition of the children can be checked anywhere: here each
partition is a byte block of the input files (split at line ends by ``dask.bag.read_text``),
checked by ``RuleSet.check`` in whichever Dask worker gets it. The same script runs locally
(processes on this machine) or on a cluster (pass ``--scheduler`` the address of a
``dask.distributed`` scheduler; the workers need ``timescales`` installed).

    pip install 'timescales[dask]'
    timescales generate --children 20000 -o children.jsonl
    python examples/dask/check_with_dask.py children.jsonl --as-of 2024-03-31 -o findings.jsonl

Output: findings as JSON Lines, in input order (Dask keeps partition order), byte for byte what
``timescales check --format jsonl`` writes for the same valid records; the counts on stderr.
Rejected records are counted, not written (a real deployment would write them as the CLI does).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from timescales import RecordError, RuleSet, load_rules
from timescales.api import parse_record
from timescales.dates import parse_iso
from timescales.errors import Location


@cache
def _ruleset(la: str | None) -> RuleSet:
    """Compiled once per worker process (the bag's function is shipped, the rule set is not)."""
    return load_rules(la=la)


def check_partition(
    lines: Iterable[str], as_of: str, la: str | None = None, source: str = "<dask>"
) -> list[dict[str, Any]]:
    """One partition: validate each line as a canonical record and check it. Returns each
    finding as a JSON-ready dict, then one ``{"_counts": ...}`` row for the summary."""
    return list(_check(lines, as_of, la, source))


def _check(
    lines: Iterable[str], as_of: str, la: str | None, source: str
) -> Iterator[dict[str, Any]]:
    ruleset = _ruleset(la)
    day = parse_iso(as_of)
    counts: Counter[str] = Counter()
    for line in lines:
        if not line.strip():
            continue
        counts["read"] += 1
        try:
            record = parse_record(line, location=Location(source))
            result = ruleset.check(record, as_of=day)
        except RecordError:
            counts["rejected"] += 1
            continue
        counts["checked"] += 1
        for finding in result.findings:
            counts[finding.status.value] += 1
            yield finding.to_dict()
    yield {"_counts": dict(counts)}


def run(
    paths: list[str],
    as_of: str,
    out: Path,
    la: str | None = None,
    scheduler: str = "processes",
    blocksize: str = "16MiB",
    window: int = 8,
) -> Counter[str]:
    import dask
    import dask.bag as db

    bag = db.read_text(paths, blocksize=blocksize)
    rows = bag.map_partitions(check_partition, as_of, la)
    totals: Counter[str] = Counter()
    if "://" in scheduler or scheduler.count(":") == 1:
        from dask.distributed import Client

        client = Client(scheduler)
        context: Any = dask.config.set(scheduler=client)
    else:
        context = dask.config.set(scheduler=scheduler)
    parts = rows.to_delayed()
    with context, out.open("wb") as fh:
        # a window of partitions at a time: computed in parallel, written in input order, so
        # memory holds only the window
        for start in range(0, len(parts), window):
            for part in dask.compute(*parts[start : start + window]):
                for row in part:
                    if "_counts" in row:
                        totals.update(row["_counts"])
                    else:
                        fh.write(orjson.dumps(row) + b"\n")
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--la", default=None)
    parser.add_argument(
        "--scheduler",
        default="processes",
        help="processes (default), threads, synchronous, or a dask.distributed address",
    )
    parser.add_argument("--blocksize", default="16MiB", help="bytes per partition")
    args = parser.parse_args(argv)
    totals = run(args.paths, args.as_of, args.output, args.la, args.scheduler, args.blocksize)
    print(
        f"children read {totals['read']}, checked {totals['checked']}, rejected "
        f"{totals['rejected']}; findings: "
        + ", ".join(f"{totals[s]} {s}" for s in ("met", "late", "overdue", "pending", "unmet")),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
