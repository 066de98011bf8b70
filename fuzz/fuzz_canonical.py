"""Fuzz the canonical readers: JSON Lines, JSON and YAML records.

Input: the first byte picks the format (its value mod 3: ``0`` JSON Lines, ``1`` JSON, ``2``
YAML, so a seed file starts with the digit), the rest is the file. Allowed outcomes: see
_harness.check_import.

    .venv/bin/python fuzz/fuzz_canonical.py fuzz/corpus/canonical -max_total_time=600
"""

from __future__ import annotations

import _harness

FORMATS = (("jsonl", ".jsonl"), ("json", ".json"), ("yaml", ".yaml"))


@_harness.guarded("canonical")
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    fmt, suffix = FORMATS[data[0] % len(FORMATS)]
    _harness.check_file(fmt, data[1:], f"input{suffix}")


if __name__ == "__main__":
    _harness.main(TestOneInput)
