"""The user's cache directory: small files that save work at start-up, never needed.

What is kept here is derived from files the package reads anyway (the rule packs, the
``holidays`` tables), under a key that says what it was derived from; whoever reads an entry
checks that key and recomputes on any doubt. Nothing here is ever needed: a missing, corrupt or
stale file is a miss, and a directory that cannot be written only makes the next start slower.

Where: ``$TIMESCALES_CACHE_DIR``, else ``$XDG_CACHE_HOME/timescales``, else
``~/.cache/timescales``; never inside the package. Each file is written to a temporary name and
renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

__all__ = ["CACHE_DIR_ENV", "cache_dir", "prune", "read", "write", "write_bytes"]

CACHE_DIR_ENV = "TIMESCALES_CACHE_DIR"


def cache_dir() -> Path:
    """``$TIMESCALES_CACHE_DIR``, ``$XDG_CACHE_HOME/timescales`` or ``~/.cache/timescales``."""
    given = os.environ.get(CACHE_DIR_ENV, "").strip()
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "timescales"
    return Path.home() / ".cache" / "timescales"


def read(name: str) -> Any:
    """The JSON value in the file ``name``, or None when there is none or it does not parse."""
    try:
        return orjson.loads((cache_dir() / name).read_bytes())
    except (OSError, ValueError):
        return None


def write(name: str, data: Any) -> bool:
    """Write ``data`` as JSON to the file ``name`` (best effort: False when it cannot be)."""
    try:
        blob = orjson.dumps(data)
    except TypeError:
        return False
    return write_bytes(name, blob)


def write_bytes(name: str, blob: bytes) -> bool:
    """Write ``blob`` to the file ``name``, readable and writable by the user only (best
    effort: False when it cannot be)."""
    target = cache_dir() / name
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, target)
        tmp = None
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return True


def prune(prefix: str, keep: int, suffix: str = ".json") -> None:
    """Keep the ``keep`` most recently written files named ``prefix*suffix``."""
    files = []
    for path in cache_dir().glob(f"{prefix}*{suffix}"):
        with contextlib.suppress(OSError):
            files.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(files, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            path.unlink()
