"""Load test of the HTTP service, run on demand (never in the test suite):

    python benchmarks/service_load.py [--requests 100000] [--threads 4] [--max-seconds 900]

Starts `timescales serve` on 127.0.0.1 (a free port; loopback only), sends a fixed number of
single-child POST /check requests over keep-alive connections from a few client threads, and
stops by itself after that many requests or --max-seconds, whichever comes first. Prints
requests per second and latency percentiles (p50, p99) for the requests after the warm-up,
and the service's resident memory (RSS) after the first 1,000 requests and at the end: it must
not grow. The access log stays on (written to a temporary file), as in production.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: never point this at another machine
AS_OF = "2024-03-31"
WARM_UP = 1_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def bodies() -> list[bytes]:
    """One request body per example child: single-child checks of realistic records."""
    out = []
    with (ROOT / "examples" / "children.jsonl").open() as fh:
        for line in fh:
            record = json.loads(line)
            out.append(json.dumps({"as_of": AS_OF, "record": record}).encode())
    return out


def wait_ready(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the service exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the service did not start in time")


class Load:
    """Client threads sharing one request counter; each keeps its own connection."""

    def __init__(self, port: int, total: int, deadline: float, payloads: list[bytes]) -> None:
        self.port = port
        self.total = total
        self.deadline = deadline
        self.payloads = payloads
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.latencies: list[tuple[int, float]] = []  # (request number, seconds)
        self.errors = 0
        self.warm = threading.Event()
        self.warm_done_at = 0.0

    def worker(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"content-type": "application/json"}
        mine: list[tuple[int, float]] = []
        errors = 0
        while True:
            n = next(self.counter)
            if n >= self.total or time.monotonic() > self.deadline:
                break
            body = self.payloads[n % len(self.payloads)]
            start = time.perf_counter()
            try:
                conn.request("POST", "/check", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            mine.append((n, time.perf_counter() - start))
            if not ok:
                errors += 1
            if n == WARM_UP - 1:
                self.warm_done_at = time.perf_counter()
                self.warm.set()
        conn.close()
        with self.lock:
            self.latencies.extend(mine)
            self.errors += errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args()
    if args.requests <= WARM_UP:
        raise SystemExit(f"--requests must be more than the {WARM_UP} warm-up requests")
    port = free_port()
    command = [sys.executable, "-m", "timescales", "serve", "--host", HOST, "--port", str(port)]
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "access.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
            try:
                wait_ready(port, proc)
                load = Load(port, args.requests, time.monotonic() + args.max_seconds, bodies())
                threads = [threading.Thread(target=load.worker) for _ in range(args.threads)]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                load.warm.wait(timeout=args.max_seconds)
                rss_warm = rss_mib(proc.pid)
                for thread in threads:
                    thread.join()
                ended = time.perf_counter()
                rss_end = rss_mib(proc.pid)
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        with log_path.open() as fh:
            access_lines = sum(1 for line in fh if line.startswith("{"))
    done = len(load.latencies)
    measured = sorted(t for n, t in load.latencies if n >= WARM_UP)
    seconds = ended - (load.warm_done_at or started)
    quantiles = statistics.quantiles(measured, n=100) if len(measured) > 1 else [0.0] * 99
    print(f"requests sent            {done} ({load.errors} not 200) with {args.threads} threads")
    print(f"after warm-up            {len(measured)} requests in {seconds:.1f} s")
    print(f"requests/s               {len(measured) / seconds:.0f}")
    print(f"latency p50              {quantiles[49] * 1000:.2f} ms")
    print(f"latency p99              {quantiles[98] * 1000:.2f} ms")
    print(f"service RSS after {WARM_UP:,}  {rss_warm:.1f} MiB")
    print(f"service RSS after {done:,} {rss_end:.1f} MiB ({rss_end - rss_warm:+.1f} MiB)")
    print(f"access log lines         {access_lines}")
    return 0 if load.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
