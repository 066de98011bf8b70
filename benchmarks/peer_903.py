"""Side by side, run on demand (never in the test suite): python benchmarks/peer_903.py [options]

The DfE-format SSDA903 validator (the ``csc-validator-be-903`` package, module ``lac_validator``)
and ``timescales check`` on the same 903 return (``examples/samples/ssda903/2025-26``), each as
a whole process, alternating, N runs each (default 5); prints the median wall time and the peak
resident memory (max RSS, from ``resource.getrusage(RUSAGE_CHILDREN)`` in a small wrapper
process, as benchmarks/run.py measures it) of each, and the ratios.

The validator is never a dependency of this project: it is installed into a virtual environment
of its own in a cache directory (``$TIMESCALES_BENCH_CACHE``, else
``$XDG_CACHE_HOME/timescales-bench``, else ``~/.cache/timescales-bench``), once, with pip; the
benchmark then runs that environment's Python.

The same files for both. The validator reads a return's tables by their columns, and its
SWEpisodes table has a DOB column that the sample's SWEpisodes.csv (as a case system exported
it) lacks; without it the validator refuses the whole upload. So both tools are given a copy of
the return in which SWEpisodes carries each child's DOB from the header table; the benchmark
checks that ``timescales check`` gives the same findings on the copy as on the sample itself.

What each does: the validator runs every rule of its ruleset for the year (``lac2025_26``: the
DfE's data validation rules, about 300) over the tables and builds its error report
(``lac_validator.report.Report``), as its own ``run`` command does; ``timescales check`` reads
the return, checks every rule of the national pack and writes the findings (JSON Lines). They
answer different questions (is the return valid; is each child's timescale met) on the same
input; what is compared is the cost of a whole run of each, start-up included, as a council
would run it.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from bench_cache import cache_dir

ROOT = Path(__file__).resolve().parent.parent
RETURN = ROOT / "examples" / "samples" / "ssda903" / "2025-26"
AS_OF = "2026-03-31"  # the end of the 2025-26 collection year
PACKAGE = "csc-validator-be-903"

# The validator's whole process: read the return's tables, run the year's rules, build the
# report. Its own CLI (`python -m lac_validator run`) imports pytest and takes two named files
# only, so this runs what that command runs, over every table of the return.
VALIDATE = """
import glob, importlib, logging, sys
logging.disable(logging.CRITICAL)
import warnings
warnings.simplefilter("ignore")
from lac_validator import lac_validator
from lac_validator.report import Report
from lac_validator.utils import process_uploaded_files
folder, ruleset, year = sys.argv[1:4]
files = process_uploaded_files({"This year": sorted(glob.glob(folder + "/*.csv"))})
registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
run = lac_validator.LacValidator(
    metadata={"collectionYear": year, "localAuthority": "E09000027"},
    files=files, registry=registry, selected_rules=None,
)
report = Report(run.ds_results, registry)
print(f"rules {len(registry)}: run {len(run.dones)}, skipped {len(run.skips)} (tables absent), "
      f"failed {len(run.fails)}; error rows {len(report.report)}")
"""

# Times one command as a whole process and measures its peak RSS: the wrapper's own start-up is
# not counted, the child's is.
WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
sys.stdout.write(f"{wall!r} {usage.ru_maxrss} {proc.returncode} {cpu!r}\\n")
sys.stdout.buffer.write(proc.stdout[-2000:])
sys.stderr.buffer.write(proc.stderr[-4000:])
"""


def validator_python(version: str | None) -> Path:
    """The Python of the validator's own virtual environment, made (and the package installed
    into it) on first use."""
    spec = f"{PACKAGE}=={version}" if version else PACKAGE
    venv = cache_dir() / ("peer-903-" + (version or "latest"))
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if not marker.exists():
        print(f"installing {spec} into {venv} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", spec], check=True)
        marker.write_text(spec + "\n")
    return python


def installed_version(python: Path) -> str:
    code = f"from importlib.metadata import version; print(version({PACKAGE!r}))"
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def prepare(source: Path, target: Path) -> Path:
    """A copy of the return with each SWEpisodes row given the child's DOB (see the module's
    docstring); every other file byte for byte."""
    target.mkdir(parents=True)
    dobs: dict[str, str] = {}
    for path in sorted(source.iterdir()):
        data = path.read_bytes()
        (target / path.name).write_bytes(data)
        if path.name.lower() == "header.csv":
            rows = csv.DictReader(data.decode("utf-8-sig").splitlines())
            dobs = {row["CHILD"]: row["DOB"] for row in rows}
    for path in sorted(target.iterdir()):
        if path.name.lower() != "swepisodes.csv":
            continue
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        head, body = rows[0], rows[1:]
        if "DOB" in head:
            continue
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow([head[0], "DOB", *head[1:]])
            for row in body:
                out.writerow([row[0], dobs.get(row[0], ""), *row[1:]])
    return target


ENV: dict[str, str] = dict(os.environ)  # the measured processes' environment (see main)


class Run(NamedTuple):
    wall: float  # seconds
    rss: float  # peak resident memory, MiB
    cpu: float  # user + system seconds
    code: int
    out: str
    err: str


def measure(command: list[str]) -> Run:
    """One whole run of ``command``: wall and CPU time, peak RSS, exit code, the tail of its
    stdout and stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    first, _, rest = proc.stdout.partition("\n")
    wall, peak, code, cpu = first.split()
    return Run(float(wall), int(peak) / 1024, float(cpu), int(code), rest, proc.stderr)


def timescales_check(folder: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "timescales", "check", str(folder), "--as-of", AS_OF,
        "--format", "jsonl", "-o", str(out), "-q",
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (median); 5")
    parser.add_argument("--return", dest="folder", type=Path, default=RETURN)
    parser.add_argument("--ruleset", default="lac2025_26", help="the validator's ruleset")
    parser.add_argument("--collection-year", default="2026", help="the year the return ends")
    parser.add_argument("--validator-version", default=None, help="pin the package's version")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for timescales (each start compiles its modules "
        "again; the validator's are compiled when pip installs it)",
    )
    args = parser.parse_args()
    if not args.no_bytecode:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)

    python = validator_python(args.validator_version)
    print(f"validator: {PACKAGE} {installed_version(python)} ({python})")
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ENV["TIMESCALES_CACHE_DIR"] = str(work / "cache")  # filled by the warm-up run
        folder = prepare(args.folder, work / "return")
        # the copy is the same return to timescales: the same findings as the sample itself
        for name, source in (("copy", folder), ("sample", args.folder)):
            subprocess.run(
                timescales_check(source, work / f"{name}.jsonl"),
                check=False,
                capture_output=True,
                env=ENV,
            )
        same = (work / "copy.jsonl").read_bytes() == (work / "sample.jsonl").read_bytes()
        print(f"return: {args.folder} ({len(list(folder.iterdir()))} files; timescales' findings "
              f"on the copy {'identical to' if same else 'DIFFER from'} the sample's)")  # fmt: skip
        peer_cmd = [str(python), "-c", VALIDATE, str(folder), args.ruleset, args.collection_year]
        ours_cmd = timescales_check(folder, work / "findings.jsonl")
        # one warm-up run of each (file caches, .pyc files), not counted
        measure(peer_cmd)
        measure(ours_cmd)
        peer: list[Run] = []
        ours: list[Run] = []
        for _ in range(args.runs):
            run = measure(peer_cmd)
            if run.code != 0:
                raise SystemExit(f"the validator failed (exit {run.code}):\n{run.err}")
            peer.append(run)
            run = measure(ours_cmd)
            if run.code not in (0, 1):
                raise SystemExit(f"timescales check failed (exit {run.code}):\n{run.err}")
            ours.append(run)
        said = peer[-1].out.strip().splitlines()[-1] if peer[-1].out.strip() else ""
        findings = sum(1 for _ in (work / "findings.jsonl").open("rb"))
    peer_wall = statistics.median(r.wall for r in peer)
    ours_wall = statistics.median(r.wall for r in ours)
    peer_cpu = statistics.median(r.cpu for r in peer)
    ours_cpu = statistics.median(r.cpu for r in ours)
    peer_rss = max(r.rss for r in peer)
    ours_rss = max(r.rss for r in ours)
    print(f"validator run: {said}")
    print(f"timescales run: {findings} findings")
    print()
    print("| measure | DfE-format validator | timescales check | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| whole process, median of {args.runs} | {peer_wall:.2f} s | {ours_wall:.2f} s | "
        f"{peer_wall / ours_wall:.1f}x faster |"
    )
    print(
        f"| CPU (user + system), median of {args.runs} | {peer_cpu:.2f} s | {ours_cpu:.2f} s | "
        f"{peer_cpu / ours_cpu:.1f}x less |"
    )
    print(
        f"| peak RSS (largest of {args.runs}) | {peer_rss:.0f} MiB | {ours_rss:.0f} MiB | "
        f"{peer_rss / ours_rss:.1f}x less |"
    )
    print()
    print("runs (wall s): validator " + ", ".join(f"{r.wall:.2f}" for r in peer))
    print("runs (wall s): timescales " + ", ".join(f"{r.wall:.2f}" for r in ours))
    print(f"bytecode written: {'no' if args.no_bytecode else 'yes'}")
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    print(f"(measured {started} UTC)")


if __name__ == "__main__":
    main()
