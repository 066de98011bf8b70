"""Fuzz the CIN census reader: one XML file (the whole input).

Allowed outcomes: see _harness.check_import.

    .venv/bin/python fuzz/fuzz_cin_census.py fuzz/corpus/cin_census -max_total_time=600
"""

from __future__ import annotations

import _harness


@_harness.guarded("cin_census")
def TestOneInput(data: bytes) -> None:
    _harness.check_file("cin-census", data, "census.xml")


if __name__ == "__main__":
    _harness.main(TestOneInput)
