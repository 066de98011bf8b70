"""Fuzz the Annex A reader: CSV exports and xlsx workbooks.

Input: the first byte picks the form (its value mod 4):

* ``0``: the rest is one CSV file;
* ``1``: the rest is one .xlsx file as raw bytes (mostly a broken zip: the guard and openpyxl's
  refusals);
* ``2``: the rest is the members of a workbook, each starting with a line ``>>> member name``
  (``>>> xl/worksheets/sheet1.xml``), zipped (stored, valid checksums) into an .xlsx: this is
  how mutations reach the sheet XML and the cells;
* ``3``: the rest is a directory of files, each starting with ``>>> name`` (.csv, .tsv or
  .xlsx, the last as raw bytes).

    .venv/bin/python fuzz/fuzz_annex_a.py fuzz/corpus/annex_a -max_total_time=600
"""

from __future__ import annotations

import _harness

SUFFIXES = (".csv", ".tsv", ".xlsx")


@_harness.guarded("annex_a")
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0] % 4, data[1:]
    if mode == 0:
        _harness.check_file("annex-a", body, "list.csv")
    elif mode in (1, 2):
        raw = body if mode == 1 else _harness.build_zip(_harness.split_files(body))
        _harness.check_file("annex-a", raw, "annex-a.xlsx")
    else:
        _harness.check_tree("annex-a", body, lambda i: f"list{i}.csv", SUFFIXES)


if __name__ == "__main__":
    _harness.main(TestOneInput)
