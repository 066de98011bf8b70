"""The performance picture, measured on demand (never in the test suite):

    python benchmarks/report.py [--children 10000] [--repeat 3] [--la example-borough]

Generates synthetic children, then times, each in a fresh process and best of --repeat:
  1. `timescales check --format jsonl` (the baseline: checking and writing the findings);
  2. `timescales check --format jsonl --aggregates FILE` (the cost of the aggregates);
  3. `timescales report` (the self-contained HTML report), with its size;
  4. `timescales check --format xlsx --aggregates FILE` (the workbook), with its size;
  5. `timescales worklist --within 14`.
Prints seconds and peak memory (max RSS of the child process), and the file sizes.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2024-03-31"


def timed(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of the CLI in a child process
    (CPU time is the steadier figure on a shared machine)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, sys; from timescales.cli import main; code = main(sys.argv[1:]); "
            "u = resource.getrusage(resource.RUSAGE_SELF); "
            "print(u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr); sys.exit(code)",
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env={**os.environ, "CI": "true"},  # no progress bar
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"timescales {' '.join(args)} failed:\n{proc.stderr}")
    for line in reversed(proc.stderr.splitlines()):
        if re.fullmatch(r"\d+ \d+(\.\d+)?", line.strip()):
            peak_kib, cpu = line.split()
            return seconds, float(cpu), int(peak_kib) // 1024
    raise SystemExit(f"no usage figures from timescales {' '.join(args)}:\n{proc.stderr}")


def best(args: list[str], repeat: int) -> tuple[float, float, int]:
    runs = [timed(args) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--la", default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "children.jsonl"
        generate = ["generate", "--children", str(opts.children), "-o", str(data)]
        subprocess.run([sys.executable, "-m", "timescales", *generate], check=True)
        council = ["--la", opts.la] if opts.la else []
        common = [str(data), "--as-of", AS_OF, *council, "-q"]
        html, book = work / "report.html", work / "report.xlsx"
        runs = {
            "check --format jsonl": ["check", *common, "--format", "jsonl", "-o", "/dev/null"],
            "check --format jsonl --aggregates": [
                "check",
                *common,
                "--format",
                "jsonl",
                "-o",
                "/dev/null",
                "--aggregates",
                str(work / "agg.json"),
            ],
            "report (HTML)": ["report", *common, "-o", str(html)],
            "check --format xlsx --aggregates": [
                "check",
                *common,
                "--format",
                "xlsx",
                "-o",
                str(book),
                "--aggregates",
                str(work / "agg2.json"),
            ],
            "worklist --within 14": ["worklist", *common, "-o", "/dev/null"],
        }
        print(f"{opts.children:,} generated children, as of {AS_OF}, best of {opts.repeat}")
        for name, args in runs.items():
            seconds, cpu, peak = best(args, opts.repeat)
            print(f"  {name:<36} {seconds:6.2f} s wall {cpu:6.2f} s CPU  peak RSS {peak:4d} MiB")
        size = html.stat().st_size
        packed = len(gzip.compress(html.read_bytes()))
        print(f"  report.html: {size / 1e6:.2f} MB ({packed / 1e6:.2f} MB gzipped)")
        print(f"  report.xlsx: {book.stat().st_size / 1e6:.2f} MB")
        print(f"  aggregates JSON: {(work / 'agg.json').stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
