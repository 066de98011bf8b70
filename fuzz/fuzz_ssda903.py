"""Fuzz the SSDA903 reader: one CSV table, one XML return, or a directory of both.

Input: the first byte picks the form (its value mod 3: ``0`` one CSV file, ``1`` one XML file,
``2`` a directory), the rest is the file, or for a directory its files, each starting with a
line ``>>> name`` (``>>> 2023/episodes.csv``: a year folder is allowed, as several years'
returns are read together and the path names the collection year).

    .venv/bin/python fuzz/fuzz_ssda903.py fuzz/corpus/ssda903 -max_total_time=600
"""

from __future__ import annotations

import _harness

SUFFIXES = (".csv", ".xml")


@_harness.guarded("ssda903")
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0] % 3, data[1:]
    if mode == 2:
        _harness.check_tree("ssda903", body, lambda i: f"file{i}.csv", SUFFIXES, depth=2)
    else:
        _harness.check_file("ssda903", body, ("episodes.csv", "ssda903.xml")[mode])


if __name__ == "__main__":
    _harness.main(TestOneInput)
