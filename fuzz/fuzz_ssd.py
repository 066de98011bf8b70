"""Fuzz the Standard Safeguarding Dataset reader: a directory of CSV tables.

Input: the files of the directory, each starting with a line ``>>> name`` (``>>>
ssd_cla_episodes.csv``); text before the first such line is ``ssd_person.csv``, and a file
without a name takes the next SSD table name. The importer recognises a table by its columns,
so the names only need the right suffix (.csv or .txt, which is added when missing).

    .venv/bin/python fuzz/fuzz_ssd.py fuzz/corpus/ssd -max_total_time=600
"""

from __future__ import annotations

import _harness

from timescales.importers.ssd import TABLES

NAMES = [f"{t.name}.csv" for t in TABLES]
SUFFIXES = (".csv", ".txt")


@_harness.guarded("ssd")
def TestOneInput(data: bytes) -> None:
    _harness.check_tree("ssd", data, lambda i: NAMES[i % len(NAMES)], SUFFIXES)


if __name__ == "__main__":
    _harness.main(TestOneInput)
