"""Benchmarks, run on demand (never in the test suite): python benchmarks/run.py [--children N]

Generates synthetic children with the project's generator, then measures:
  1. parse-only floor: decoding every input line (orjson, no validation), plus encoding the
     findings the full run produced (the unavoidable I/O, decisions.md);
  2. the full national pack with the Python engine on one process (`timescales check`);
  3. peak memory (max RSS) of `timescales check` at 10k and at N children, to show it is flat.
Prints ratios, because absolute times vary between machines.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

AS_OF = "2024-03-31"


def timescales(*args: str) -> tuple[float, int]:
    """Run the CLI in a child process; returns (seconds, peak RSS in MiB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "timescales", *args],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024


def peak_rss_of(*args: str) -> int:
    """Peak RSS (MiB) of one CLI run, measured in a fresh wrapper process."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'timescales', *sys.argv[1:]],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    return int(out.stdout.strip())


def parse_floor(data: Path, findings: Path) -> tuple[float, float]:
    """(seconds to decode every input line, seconds to encode every finding); the findings are
    read back untimed first, so only the encoding is measured."""
    start = time.perf_counter()
    with data.open("rb") as fh:
        for line in fh:
            orjson.loads(line)
    decode = time.perf_counter() - start
    rows = [orjson.loads(line) for line in findings.open("rb")]
    start = time.perf_counter()
    for row in rows:
        orjson.dumps(row)
    return decode, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sizes = sorted({args.small, args.children})
        files = {}
        for n in sizes:
            files[n] = tmpdir / f"children-{n}.jsonl"
            gen_s, _ = timescales(
                "generate", "--children", str(n), "--seed", "7", "-o", str(files[n])
            )
            print(f"generated {n:>9,} children in {gen_s:6.2f} s")
        big = files[args.children]
        events = sum(len(orjson.loads(line)["events"]) for line in big.open("rb"))
        out = tmpdir / "findings.jsonl"
        check_s, _ = timescales(
            "check", str(big), "--as-of", AS_OF, "--format", "jsonl", "-o", str(out), "-q"
        )
        findings = sum(1 for _ in out.open("rb"))
        decode_s, encode_s = parse_floor(big, out)
        floor = decode_s + encode_s
        peaks = {
            n: peak_rss_of(
                "check",
                str(f),
                "--as-of",
                AS_OF,
                "--format",
                "jsonl",
                "-o",
                str(tmpdir / "x.jsonl"),
                "-q",
            )
            for n, f in files.items()
        }
    print()
    print(f"children                 {args.children:>12,}")
    print(f"events                   {events:>12,}")
    print(f"findings                 {findings:>12,}")
    print(f"decode input (orjson)    {decode_s:>12.2f} s")
    print(f"encode findings (orjson) {encode_s:>12.2f} s")
    print(f"parse-only floor         {floor:>12.2f} s")
    print(
        f"check, python, 1 process {check_s:>12.2f} s   ({args.children / check_s:,.0f} children/s)"
    )
    print(f"ratio check / floor      {check_s / floor:>12.1f} x")
    for n, mib in peaks.items():
        print(f"peak RSS at {n:>9,}     {mib:>12} MiB")
    if len(peaks) == 2:
        small, large = (peaks[n] for n in sizes)
        print(f"peak RSS ratio {sizes[1] // sizes[0]}x children {large / small:>9.2f} x")


if __name__ == "__main__":
    main()
