"""Benchmark, run on demand (never in the test suite): does memory stay flat on a piped stream?

    python benchmarks/pipe_memory.py [--gigabytes 1.0] [--output-format jsonl] [--sample-every 1.0]

A producer process (this script with ``--produce BYTES``) writes generated children as JSON Lines
(the project's generator, one unique child id each) to a pipe until it has written that many
bytes; the consumer reads the pipe:

    timescales check - --as-of 2024-03-31 --format jsonl        (stdout drained, discarded)

Every --sample-every seconds the consumer's resident memory (VmRSS, and VmHWM, the peak) is read
from /proc/<pid>/status, against the bytes the producer has pushed into the pipe by then. It
prints bytes and children fed, wall time, MB/s and children/s, RSS at 10/25/50/75/100% of the
stream, the peak RSS, RSS(end)/RSS(10%), and a least-squares slope of RSS against bytes fed after
the first 10% (the warm-up), in KiB of RSS per 100 MB of input (and per child). Nothing is
asserted about time or memory: the numbers depend on the machine and on what else runs on it
(the load average is printed).

The consumer's findings go to a second pipe that this script drains and counts (the bytes are
discarded). Not ``-o /dev/null``: ``-o`` writes a temporary file beside its target and renames it
over the target when done, which on /dev/null (as root) replaces the device by a regular file;
and not /dev/null at all, so that a /dev/null broken that way by something else cannot turn the
findings into a file in memory under the benchmark. The consumer runs without
--quiet, with stderr captured to a file (not a terminal, so no progress bar is drawn), so that
its summary line can be reconciled with what was fed: children read = checked + rejected = fed.
Exits 1 if the consumer fails (exit 2) or the counts do not reconcile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

AS_OF = "2024-03-31"
CHUNK = 1_000  # children generated per call of the generator
REPORT_EVERY = 256  # children between the producer's progress reports (after a flush)
MARKS = (0.10, 0.25, 0.50, 0.75, 1.00)
WARM_UP = 0.10


# -- producer --------------------------------------------------------------------------------


def produce(limit: int, seed: int) -> int:
    """Write generated children as JSON Lines to stdout until ``limit`` bytes are written.

    Progress goes to stderr as ``BYTES CHILDREN`` lines, each after a flush, so it counts bytes
    already in the pipe; the last line is ``done BYTES CHILDREN``. Child ids are unique: one
    seed, the child number counting up across generator calls."""
    import orjson

    from timescales.generate import generate

    as_of = dt.date.fromisoformat(AS_OF)
    out = sys.stdout.buffer
    err = sys.stderr
    written = children = 0
    start = 0
    try:
        while written < limit:
            for record in generate(CHUNK, seed=seed, as_of=as_of, start=start):
                line = orjson.dumps(record) + b"\n"
                out.write(line)
                written += len(line)
                children += 1
                if children % REPORT_EVERY == 0:
                    out.flush()
                    err.write(f"{written} {children}\n")
                    err.flush()
                if written >= limit:
                    break
            start += CHUNK
        out.flush()
    except BrokenPipeError:
        # the consumer went away: report what got through and stop
        err.write(f"broken {written} {children}\n")
        err.flush()
        return 1
    err.write(f"done {written} {children}\n")
    err.flush()
    return 0


# -- consumer and sampling -------------------------------------------------------------------


@dataclass
class Progress:
    """What the producer has pushed into the pipe so far (updated from its stderr)."""

    bytes: int = 0
    children: int = 0
    done: bool = False
    broken: bool = False


@dataclass(frozen=True)
class Sample:
    seconds: float
    bytes: int
    children: int
    rss_kib: int
    hwm_kib: int


def _drain(stream, counted: list[int]) -> None:
    """Read the consumer's findings and throw them away, counting the bytes."""
    while chunk := stream.read1(1 << 20):
        counted[0] += len(chunk)


def _follow(stream, progress: Progress, done: threading.Event) -> None:
    for raw in stream:
        parts = raw.decode(errors="replace").split()
        try:
            if parts and parts[0] in ("done", "broken"):
                progress.bytes, progress.children = int(parts[1]), int(parts[2])
                progress.done = parts[0] == "done"
                progress.broken = parts[0] == "broken"
                done.set()
            elif len(parts) == 2:
                progress.bytes, progress.children = int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            continue
    done.set()


def _status(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB, or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.MULTILINE))
    if "VmRSS" not in values:
        return None  # a zombie has no memory lines
    return int(values["VmRSS"]), int(values.get("VmHWM", values["VmRSS"]))


def consumer_command(output_format: str) -> list[str]:
    script = Path(sys.executable).with_name("timescales")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "timescales"]
    return [*base, "check", "-", "--as-of", AS_OF, "--format", output_format]


@dataclass
class Outcome:
    samples: list[Sample]
    progress: Progress
    seconds: float
    exit_code: int
    max_rss_kib: int  # from wait4: the consumer's true peak, even after the last sample
    output_bytes: int  # what the consumer wrote to stdout (the findings)
    stderr: str
    command: list[str]


def run(total: int, output_format: str, sample_every: float, seed: int) -> Outcome:
    env = dict(os.environ, TIMESCALES_PROGRESS="0")
    command = consumer_command(output_format)
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        producer = subprocess.Popen(
            [sys.executable, __file__, "--produce", str(total), "--seed", str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        consumer = subprocess.Popen(
            command,
            stdin=producer.stdout,
            stdout=subprocess.PIPE,
            stderr=errfile,
            env=env,
        )
        assert producer.stdout is not None and producer.stderr is not None
        assert consumer.stdout is not None
        producer.stdout.close()  # the consumer holds the read end now; EOF when the producer ends
        progress = Progress()
        finished = threading.Event()
        follower = threading.Thread(
            target=_follow, args=(producer.stderr, progress, finished), daemon=True
        )
        follower.start()
        output_bytes = [0]
        drainer = threading.Thread(target=_drain, args=(consumer.stdout, output_bytes), daemon=True)
        drainer.start()

        samples: list[Sample] = []

        def sample() -> None:
            status = _status(consumer.pid)
            if status is not None:
                fed, children = progress.bytes, progress.children
                elapsed = time.perf_counter() - start
                samples.append(Sample(elapsed, fed, children, status[0], status[1]))

        next_at = start + sample_every
        marked_end = False
        while True:
            pid, wait_status, usage = os.wait4(consumer.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if finished.is_set() and not marked_end:
                marked_end = True  # the whole stream is in the pipe: the 100% sample
                sample()
            elif now >= next_at:
                sample()
                next_at += sample_every * (1 + int((now - next_at) // sample_every))
            time.sleep(min(0.05, max(0.0, next_at - time.perf_counter())))
        seconds = time.perf_counter() - start
        consumer.returncode = os.waitstatus_to_exitcode(wait_status)
        producer.wait()
        follower.join(timeout=5)
        drainer.join(timeout=5)
        consumer.stdout.close()
        errfile.seek(0)
        stderr = errfile.read().decode(errors="replace")
    return Outcome(
        samples=samples,
        progress=progress,
        seconds=seconds,
        exit_code=consumer.returncode,
        max_rss_kib=usage.ru_maxrss,
        stderr=stderr,
        output_bytes=output_bytes[0],
        command=command,
    )


# -- report ----------------------------------------------------------------------------------


def at_mark(samples: list[Sample], total: int, mark: float) -> Sample | None:
    """The first sample taken once ``mark`` of the stream had been fed."""
    for s in samples:
        if s.bytes >= mark * total:
            return s
    return None


def slope(samples: list[Sample]) -> float | None:
    """Least squares of RSS (KiB) against bytes fed (in units of 100 MB)."""
    points = [(s.bytes / 1e8, float(s.rss_kib)) for s in samples]
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


SUMMARY = re.compile(r"children read (\d+), checked (\d+), rejected (\d+)")


def mib(kib: float) -> str:
    return f"{kib / 1024:,.1f} MiB"


def report(
    outcome: Outcome, total: int, argv: list[str], load: tuple[float, ...], every: float
) -> int:
    progress = outcome.progress
    samples = outcome.samples
    fed, children = progress.bytes, progress.children
    problems: list[str] = []

    print(f"command: python benchmarks/pipe_memory.py {shlex.join(argv)}")
    consumer = " ".join(
        ["timescales", *outcome.command[outcome.command.index("check") :], "| <drained>"]
    )
    print(f"consumer: <producer> | {consumer}")
    print(f"cores: {os.cpu_count()}; nice: {os.nice(0)}")
    print(
        "load average (1/5/15 min): before "
        + "/".join(f"{x:.2f}" for x in load)
        + ", after "
        + "/".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print()

    rows: list[tuple[str, str]] = [
        ("bytes fed", f"{fed:,} ({fed / 1e9:.3f} GB)"),
        ("children fed", f"{children:,} ({fed / max(children, 1):,.0f} bytes each)"),
        ("wall time", f"{outcome.seconds:,.1f} s"),
        ("throughput", f"{fed / 1e6 / outcome.seconds:,.2f} MB/s"),
        ("children/s", f"{children / outcome.seconds:,.0f}"),
        ("findings written (stdout)", f"{outcome.output_bytes:,} bytes"),
    ]
    for mark in MARKS:
        s = at_mark(samples, total, mark)
        label = f"RSS at {mark:.0%} of the stream"
        if s is None:
            rows.append((label, "n/a (no sample)"))
        else:
            where = f"{s.bytes / 1e6:,.0f} MB, {s.children:,} children, {s.seconds:,.0f} s"
            rows.append((label, f"{mib(s.rss_kib)} (at {where})"))
    hwm = max((s.hwm_kib for s in samples), default=0)
    rows.append(("peak RSS (VmHWM, last sample)", mib(hwm) if samples else "n/a"))
    rows.append(("peak RSS (wait4 ru_maxrss)", mib(outcome.max_rss_kib)))
    first = at_mark(samples, total, WARM_UP)
    end = samples[-1] if samples else None
    if first is not None and end is not None:
        rows.append(("RSS(end) / RSS(10%)", f"{end.rss_kib / first.rss_kib:.3f}"))
    else:
        rows.append(("RSS(end) / RSS(10%)", "n/a"))
    after = [s for s in samples if s.bytes >= WARM_UP * total]
    k = slope(after)
    if k is None:
        rows.append(("RSS slope after 10%", "n/a (fewer than 3 samples)"))
    else:
        per_child = ""
        if children:
            children_per_100mb = children / (fed / 1e8)
            per_child = f" = {k * 1024 / children_per_100mb:,.1f} bytes per child"
        rows.append(("RSS slope after 10%", f"{k:,.1f} KiB per 100 MB of input{per_child}"))
    rows.append(("samples", f"{len(samples)} (every {every:g} s)"))
    rows.append(("consumer exit status", str(outcome.exit_code)))

    found = SUMMARY.findall(outcome.stderr)
    if found:
        read, checked, rejected = (int(x) for x in found[-1])
        rows.append(
            ("consumer summary", f"read {read:,}, checked {checked:,}, rejected {rejected:,}")
        )
        if read != checked + rejected:
            problems.append(f"children read {read} != checked {checked} + rejected {rejected}")
        if read != children:
            problems.append(f"children read {read} != children fed {children}")
    else:
        problems.append("no summary line on the consumer's stderr")
    if outcome.exit_code not in (0, 1):
        problems.append(f"consumer exited {outcome.exit_code} (2 = error)")
    if not progress.done:
        problems.append("the producer did not finish its stream")

    print("| measure | value |")
    print("| --- | --- |")
    for label, value in rows:
        print(f"| {label} | {value} |")
    if problems:
        print()
        for problem in problems:
            print(f"problem: {problem}")
        tail = outcome.stderr.strip().splitlines()[-10:]
        if tail:
            print("consumer stderr (last lines):")
            for line in tail:
                print(f"  {line}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gigabytes", type=float, default=1.0, help="stream size in GB (1e9 bytes)")
    p.add_argument("--output-format", default="jsonl", help="the consumer's --format (jsonl)")
    p.add_argument("--sample-every", type=float, default=1.0, help="seconds between samples")
    p.add_argument("--seed", type=int, default=7, help="generator seed")
    p.add_argument("--produce", type=int, metavar="BYTES", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.produce is not None:
        return produce(args.produce, args.seed)
    if args.gigabytes <= 0 or args.sample_every <= 0:
        p.error("--gigabytes and --sample-every must be positive")
    if not Path("/proc/self/status").exists():
        p.error("needs Linux /proc to read the consumer's memory")
    total = int(args.gigabytes * 1e9)
    load = os.getloadavg()
    outcome = run(total, args.output_format, args.sample_every, args.seed)
    return report(outcome, total, argv, load, args.sample_every)


if __name__ == "__main__":
    sys.exit(main())
