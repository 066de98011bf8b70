"""Where the benchmarks keep what they install once (the peer tools' and libraries' virtual
environments): ``$TIMESCALES_BENCH_CACHE``, else ``$XDG_CACHE_HOME/timescales-bench``, else
``~/.cache/timescales-bench``. Never inside the project, never read by it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    given = os.environ.get("TIMESCALES_BENCH_CACHE", "").strip()
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "timescales-bench"
