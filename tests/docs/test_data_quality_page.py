"""Every data-quality code the engine or an importer can emit is documented."""

from __future__ import annotations

import importlib

from conftest import ROOT
from timescales.findings import DATA_QUALITY_CODES


def test_every_code_is_on_the_page() -> None:
    page = (ROOT / "docs" / "data-quality.md").read_text()
    codes = dict(DATA_QUALITY_CODES)
    for name in ("ssda903", "cin_census", "annex_a", "ssd"):
        codes.update(importlib.import_module(f"timescales.importers.{name}").QUALITY_CODES)
    missing = [code for code in codes if f"| {code} |" not in page]
    assert not missing, missing
    assert len(set(codes)) == len(codes)
