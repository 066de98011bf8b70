"""Benchmarks, run on demand (never in the test suite): python benchmarks/run.py [options]

Generates synthetic children with the project's generator, then measures, in one run:
  1. start-up: `timescales --version`, `rules list` and a small `check` (the 15 example
     children), each the median of 5 whole processes after one warm-up run (the cache of
     `rules list` and of the parsed rule files filled by it), and `rules list` with a cold cache;
  2. parse-only floor: decoding every input line (orjson, no validation), plus encoding the
     findings the full run produced (the unavoidable I/O, decisions.md);
  3. the full national pack with the per-child engine, `--jobs 1` (one process) and
     `--jobs N` (default 2): the speed-up, and the output compared byte for byte; the batch
     (columnar) engine of issue 20 is not built, and the run says so rather than give a number;
  4. the durable-rules engine (`--engine durable`, in one worker process) against the Python
     engine on a smaller sample (--durable-sample, default 10,000 children) because it is slower;
  5. peak memory (max RSS of the checking process) at 10k and 100k children, and at 1M with
     --million (a few minutes: generating and checking a million children).
Prints ratios, because absolute times vary between machines (and with what else is running:
the load average is printed too, and how many cores two busy processes get; --repeat N keeps
the fastest of N runs of each check; --autogroup-nice -15 keeps other sessions from holding a
core on a shared Linux machine).

The child processes may write bytecode (`PYTHONDONTWRITEBYTECODE` is dropped from their
environment unless --no-bytecode is given), as an installed package has its .pyc files; each
run uses a cache directory of its own (TIMESCALES_CACHE_DIR in a temporary directory).
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

AS_OF = "2024-03-31"


CPU: list[float] = [0.0]  # CPU seconds (user + system) of the last run, workers included


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


ENV: dict[str, str] = dict(os.environ)  # the child processes' environment (see main)


def timescales(*args: str, python: tuple[str, ...] = ("-m", "timescales")) -> float:
    """Run the CLI in a child process; returns wall seconds (CPU seconds go to CPU[0])."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *python, *args],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    seconds = time.perf_counter() - start
    CPU[0] = _cpu() - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(f"timescales {' '.join(args)} failed:\n{proc.stderr}")
    return seconds


def peak_rss_of(*args: str) -> int:
    """Peak RSS (MiB) of one CLI run (the largest process: the parent, or one worker), measured
    in a fresh wrapper process."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'timescales', *sys.argv[1:]],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=ENV
    )
    return int(out.stdout.strip())


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def free_cores(jobs: int) -> float:
    """How many cores ``jobs`` busy processes actually get right now (other work on the machine
    takes the rest): the time of one busy loop over the time of ``jobs`` of them side by side."""
    import multiprocessing

    n = 20_000_000
    start = time.perf_counter()
    _burn(n)
    one = time.perf_counter() - start
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_burn, args=(n,)) for _ in range(jobs)]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return jobs * one / (time.perf_counter() - start)


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


ONE_WORKER = """
import contextlib, datetime as dt, sys
from pathlib import Path
from timescales import parallel
from timescales.backends.pool import Pool
from timescales.ruleset.pack import build_ruleset, load_council
from timescales.pipeline import Pipeline
# `--jobs 1` checks in this process (backends.pool.run_here); here the same tasks go to one
# worker process, as `--jobs N` sends them, to measure what the worker path costs
workers = contextlib.ExitStack()
parallel.run_here = lambda setup, tasks: workers.enter_context(Pool(setup, 1)).run(tasks)
_, council = load_council()
run = Pipeline(build_ruleset(council), dt.date.fromisoformat(sys.argv[3]))
with workers, open(sys.argv[2], "w") as out:
    parallel.check_and_write(run, [Path(sys.argv[1])], "auto", None, out, fmt="jsonl", jobs=1)
"""


def check_one_worker(path: Path, out: Path) -> float:
    """The --jobs path with a single worker process (the CLI runs --jobs 1 in-process)."""
    return best(lambda: timescales(str(path), str(out), AS_OF, python=("-c", ONE_WORKER)))


REPEAT = [1]  # timed runs per measure; the fastest counts (other load only slows a run down)


def best(run: Callable[[], float]) -> float:
    """The fastest of REPEAT runs (CPU[0] is kept from that run)."""
    results = []
    for _ in range(REPEAT[0]):
        results.append((run(), CPU[0]))
    wall, CPU[0] = min(results)
    return wall


def check(path: Path, out: Path, *extra: str) -> float:
    return best(lambda: timescales("check", str(path), "--as-of", AS_OF, "--format", "jsonl",
                                   "-o", str(out), "-q", *extra))  # fmt: skip


def median_of(runs: int, *args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``runs`` whole CLI processes, after one
    warm-up run that is not counted (``env`` updates the environment of each, e.g. a fresh
    cache directory per run)."""
    saved = dict(ENV)
    walls, cpus = [], []
    try:
        for n in range(runs + 1):
            if env is not None:
                ENV.update({k: v.format(n=n) for k, v in env.items()})
            wall = timescales(*args)
            if n:
                walls.append(wall)
                cpus.append(CPU[0])
    finally:
        ENV.clear()
        ENV.update(saved)
    return statistics.median(walls), statistics.median(cpus)


def head(path: Path, n: int, out: Path) -> Path:
    with path.open("rb") as src, out.open("wb") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--durable-sample", type=int, default=10_000)
    parser.add_argument("--million", action="store_true", help="also peak memory at 1,000,000")
    parser.add_argument("--skip-durable", action="store_true")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for the child processes (each start compiles the "
        "package's modules again, as on a machine that sets it)",
    )
    parser.add_argument("--startup-runs", type=int, default=5, help="runs per start-up measure")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each check N times, keep the fastest"
    )
    parser.add_argument(
        "--autogroup-nice",
        type=int,
        default=None,
        metavar="N",
        help="Linux, shared machine: run in a session of its own whose scheduler group has this "
        "nice value (e.g. -15, as root), so that other sessions' work does not hold a core",
    )
    args = parser.parse_args()
    REPEAT[0] = max(1, args.repeat)
    if args.autogroup_nice is not None:
        with contextlib.suppress(OSError):
            os.setsid()
        Path("/proc/self/autogroup").write_text(str(args.autogroup_nice))
    rows: list[tuple[str, str]] = []

    def row(label: str, value: str) -> None:
        rows.append((label, value))
        print(f"  {label:<40} {value}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        if not args.no_bytecode:
            ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["TIMESCALES_CACHE_DIR"] = str(tmpdir / "cache")
        row("load average (1 min) at start", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        startup(row, args.startup_runs, tmpdir, bytecode=not args.no_bytecode)
        sizes = sorted({args.small, args.children, *([1_000_000] if args.million else [])})
        files = {}
        for n in sizes:
            files[n] = tmpdir / f"children-{n}.jsonl"
            gen_s = timescales("generate", "--children", str(n), "--seed", "7", "-o", str(files[n]))
            print(f"generated {n:>9,} children in {gen_s:6.2f} s", flush=True)
        big = files[args.children]
        events = sum(len(orjson.loads(line)["events"]) for line in big.open("rb"))
        row("children", f"{args.children:,}")
        row("events", f"{events:,}")
        out1 = tmpdir / "findings-1.jsonl"
        check_s = check(big, out1)
        check_cpu = CPU[0]
        findings = sum(1 for _ in out1.open("rb"))
        decode_s, encode_s = parse_floor(big, out1)
        floor = decode_s + encode_s
        row("findings", f"{findings:,}")
        row("decode input (orjson)", f"{decode_s:.2f} s")
        row("encode findings (orjson)", f"{encode_s:.2f} s")
        row("parse-only floor", f"{floor:.2f} s")
        row(
            "batch engine (columnar)",
            "not built (issue 20): no figure; its building blocks: benchmarks/columnar_probe.py",
        )
        row(
            "per-child engine, --jobs 1 (1 process)",
            f"{check_s:.2f} s  ({check_s / floor:.1f}x floor; CPU {check_cpu:.1f} s = "
            f"{args.children / check_cpu:,.0f} children per CPU-second)",
        )
        outw = tmpdir / "findings-w.jsonl"
        worker_s = check_one_worker(big, outw)
        worker_cpu = CPU[0]
        same = filecmp.cmp(out1, outw, shallow=False)
        row(
            "per-child engine, 1 worker (the --jobs path)",
            f"{worker_s:.2f} s  ({worker_s / floor:.1f}x floor; CPU {worker_cpu:.1f} s; "
            f"output {'identical' if same else 'DIFFERENT'})",
        )
        cores = free_cores(args.jobs)
        outn = tmpdir / f"findings-{args.jobs}.jsonl"
        jobs_s = check(big, outn, "--jobs", str(args.jobs))
        cores = (cores + free_cores(args.jobs)) / 2
        jobs_cpu = CPU[0]
        same = filecmp.cmp(out1, outn, shallow=False)
        row(
            f"per-child engine, --jobs {args.jobs}",
            f"{jobs_s:.2f} s  ({jobs_s / floor:.1f}x floor; CPU {jobs_cpu:.1f} s; "
            f"output {'identical' if same else 'DIFFERENT'})",
        )
        row(
            f"speed-up of --jobs {args.jobs}",
            f"{check_s / jobs_s:.2f}x over 1 process, {worker_s / jobs_s:.2f}x over 1 worker; "
            f"{args.jobs} busy processes got {cores:.2f} cores at the time (load average now "
            f"{os.getloadavg()[0]:.2f})",
        )
        if not args.skip_durable:
            sample = head(big, args.durable_sample, tmpdir / "sample.jsonl")
            py_s = check(sample, tmpdir / "py-sample.jsonl")
            py_cpu = CPU[0]
            dr_s = check(sample, tmpdir / "dr-sample.jsonl", "--engine", "durable")
            dr_cpu = CPU[0]
            same = filecmp.cmp(tmpdir / "py-sample.jsonl", tmpdir / "dr-sample.jsonl", False)
            row(
                f"durable vs python, {args.durable_sample:,} children",
                f"{dr_s:.2f} s vs {py_s:.2f} s = {dr_s / py_s:.2f}x (CPU {dr_cpu:.1f} vs "
                f"{py_cpu:.1f} s = {dr_cpu / py_cpu:.2f}x; 1 worker; output "
                f"{'identical' if same else 'DIFFERENT'})",
            )
        peaks = {}
        for n, f in files.items():
            peaks[n] = peak_rss_of(
                "check", str(f), "--as-of", AS_OF, "--format", "jsonl", "-o",
                str(tmpdir / "x.jsonl"), "-q",
            )  # fmt: skip
            row(f"peak RSS at {n:,} children", f"{peaks[n]} MiB")
        sizes_run = sorted(peaks)
        for before, n in itertools.pairwise(sizes_run):
            row(
                f"peak RSS {n:,} / {before:,} children",
                f"{peaks[n] / peaks[before]:.2f}x",
            )
    print()
    print("| measure | value |")
    print("| --- | --- |")
    for label, value in rows:
        print(f"| {label} | {value} |")
    runner = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\n(max RSS of this runner: {runner} MiB)")


SMALL = Path(__file__).resolve().parent.parent / "examples" / "children.jsonl"


def startup(row: Callable[[str, str], None], runs: int, tmpdir: Path, bytecode: bool) -> None:
    """Start-up: whole processes, median of ``runs`` after a warm-up run."""
    note = "" if bytecode else " (no bytecode written)"
    version_s, version_cpu = median_of(runs, "--version")
    row(f"start-up: --version, median of {runs}", f"{version_s:.3f} s (CPU {version_cpu:.3f} s)")
    list_s, list_cpu = median_of(runs, "rules", "list")
    row(
        f"start-up: rules list, median of {runs}",
        f"{list_s:.3f} s (CPU {list_cpu:.3f} s; target 0.25 s: "
        f"{'met' if list_s <= 0.25 else 'not met'}){note}",
    )
    cold_s, cold_cpu = median_of(
        runs, "rules", "list", env={"TIMESCALES_CACHE_DIR": str(tmpdir / "cold-{n}")}
    )
    row(
        f"start-up: rules list, cold cache, median of {runs}",
        f"{cold_s:.3f} s (CPU {cold_cpu:.3f} s; {cold_s / list_s:.1f}x the warm start)",
    )
    check_s, check_cpu = median_of(
        runs, "check", str(SMALL), "--as-of", AS_OF, "--format", "jsonl", "-o",
        str(tmpdir / "small.jsonl"), "-q",
    )  # fmt: skip
    row(
        f"start-up: check of the 15 example children, median of {runs}",
        f"{check_s:.3f} s (CPU {check_cpu:.3f} s){note}",
    )


if __name__ == "__main__":
    main()
