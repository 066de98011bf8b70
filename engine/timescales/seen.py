"""Which child ids a run has seen, to note a child given twice (DATA002), in bounded memory.

The first ``limit`` distinct ids are kept in a set, and a repeat among them is known at once.
Past that, ids are gathered in chunks of ``limit``, each written sorted to a temporary file; the
repeats among them (and against the first ids) are found when the run ends, by merging the
files. So memory stays flat however many children stream through (``check -`` over a pipe),
and every repeat is still reported, exactly once per extra copy.
"""

from __future__ import annotations

import heapq
import itertools
import os
import tempfile
from collections.abc import Iterator
from typing import IO

import orjson

DEFAULT_LIMIT = 50_000  # ids held in memory (a few MB)


class SeenIds:
    """``add(id)`` says whether the id is a known repeat now; ``repeats()`` gives, at the end,
    each id once per copy that ``add`` could not yet tell was a repeat."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._ids: set[str] = set()
        self._spilling = False
        self._chunk: list[str] = []
        self._runs: list[IO[bytes]] = []

    def add(self, child: str) -> bool:
        """Record ``child``; True when it is known now to have been seen before."""
        if not self._spilling:
            if child in self._ids:
                return True
            self._ids.add(child)
            if len(self._ids) >= self.limit:
                self._spilling = True
                self._write(sorted(self._ids))
                self._ids = set()
            return False
        self._chunk.append(child)
        if len(self._chunk) >= self.limit:
            self._write(sorted(self._chunk))
            self._chunk = []
        return False

    def __contains__(self, child: str) -> bool:  # for callers that only ask
        return child in self._ids

    def repeats(self) -> Iterator[str]:
        """The ids written to disk that occur more than once, each once per extra copy (the
        first ``limit`` distinct ids were already checked as they came)."""
        if not self._spilling:
            return
        if self._chunk:
            self._write(sorted(self._chunk))
            self._chunk = []
        streams = [self._lines(fh) for fh in self._runs]
        try:
            for child, group in itertools.groupby(heapq.merge(*streams)):
                extra = sum(1 for _ in group) - 1
                for _ in range(extra):
                    yield child
        finally:
            self.close()

    def close(self) -> None:
        for fh in self._runs:
            fh.close()
        self._runs = []

    def _write(self, ids: list[str]) -> None:
        # deleted when closed; open until repeats() merges it
        fh = tempfile.TemporaryFile(prefix="timescales-ids-")  # noqa: SIM115
        for child in ids:
            fh.write(orjson.dumps(child) + b"\n")
        fh.flush()
        self._runs.append(fh)

    @staticmethod
    def _lines(fh: IO[bytes]) -> Iterator[str]:
        fh.seek(0, os.SEEK_SET)
        for line in fh:
            child: str = orjson.loads(line)
            yield child
