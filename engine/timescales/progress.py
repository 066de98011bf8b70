"""A progress bar for long runs, on a terminal only.

Shown on stderr when stderr is a terminal, ``CI`` is not ``true``, ``TERM`` is not ``dumb`` and
``TIMESCALES_PROGRESS`` is not ``0``; never when the output is piped or captured, so logs and
files stay clean. It redraws at most a few times a second and erases itself when done.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")
WIDTH = 28
LINE_COUNT_LIMIT = 2 << 30  # count lines for a total only in inputs up to 2 GiB together
JSON_LINES = (".jsonl", ".ndjson")


def wanted(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return False
    if os.environ.get("TIMESCALES_PROGRESS", "").strip() == "0":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def count_records(paths: Sequence[Path]) -> int | None:
    """How many records the inputs hold, when that is cheap to know (JSON Lines: one child a
    line); None otherwise."""
    try:
        if not paths or any(p.suffix.lower() not in JSON_LINES for p in paths):
            return None
        if sum(p.stat().st_size for p in paths) > LINE_COUNT_LIMIT:
            return None
        total = 0
        for path in paths:
            with path.open("rb") as fh:
                last = b"\n"
                while chunk := fh.read(1 << 20):
                    total += chunk.count(b"\n")
                    last = chunk[-1:]
                if last != b"\n":
                    total += 1
        return total
    except OSError:
        return None


class Bar:
    def __init__(
        self,
        total: int | None,
        *,
        label: str = "checking",
        unit: str = "children",
        stream: IO[str] | None = None,
        interval: float = 0.2,
    ) -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.count = 0
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, count: int) -> None:
        self.count = count
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self.draw(now)

    def draw(self, now: float | None = None) -> None:
        elapsed = (now or time.monotonic()) - self.start
        rate = self.count / elapsed if elapsed > 0 else 0.0
        if self.total:
            done = min(1.0, self.count / self.total)
            filled = int(WIDTH * done)
            bar = "█" * filled + "░" * (WIDTH - filled)
            left = (self.total - self.count) / rate if rate > 0 else 0.0
            text = (
                f"{self.label} {bar} {done:4.0%} {self.count:,}/{self.total:,} {self.unit}"
                f"  {rate:,.0f}/s  {_clock(left)} left"
            )
        else:
            text = f"{self.label} {self.count:,} {self.unit}  {rate:,.0f}/s  {_clock(elapsed)}"
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def track(
    items: Iterable[T],
    *,
    total: int | None = None,
    label: str = "checking",
    unit: str = "children",
    stream: IO[str] | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Pass the items through, drawing a bar while they go when ``enabled`` (default: when
    :func:`wanted`)."""
    if not (wanted(stream) if enabled is None else enabled):
        yield from items
        return
    bar = Bar(total, label=label, unit=unit, stream=stream)
    count = 0
    try:
        for item in items:
            count += 1
            if count % 64 == 0:
                bar.update(count)
            yield item
    finally:
        bar.close()


def track_paths(items: Iterable[T], paths: Sequence[Path], *, quiet: bool = False) -> Iterator[T]:
    """The CLI's hook: a bar over a run's input items, with a total for JSON Lines inputs."""
    if quiet or not wanted():
        return iter(items)
    return track(items, total=count_records(paths), enabled=True)


@contextlib.contextmanager
def counting(
    paths: Sequence[Path], *, quiet: bool = False
) -> Iterator[Callable[[int], None] | None]:
    """The CLI's hook where items are counted in batches: a function to tell how many items
    are done so far (None when no bar is shown), the bar erased at the end."""
    if quiet or not wanted():
        yield None
        return
    bar = Bar(count_records(paths))
    try:
        yield bar.update
    finally:
        bar.close()
