"""What a breach says beside its figures: its own rule's citation (several Lancashire rules cite
one Ofsted report, one link, each its own paragraph)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from timescales.cli import main
from timescales.reporters.html import short_citation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*argv: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    assert code in (0, 1), err.getvalue()
    return err.getvalue()


def island(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="data-breaches">(.*?)</script>', page, re.S
    )
    assert found
    data: dict[str, Any] = json.loads(found.group(1).replace("\\u003c", "<"))
    return data


def rows_by(data: dict[str, Any], **where: str) -> list[dict[str, Any]]:
    out = []
    for row in data["rows"]:
        r = dict(zip(data["columns"], row, strict=True))
        if all(r[k] == v for k, v in where.items()):
            out.append(r)
    return out


def static_rows(page: str) -> list[str]:
    body = re.search(r'<section id="breaches".*?</section>', page, re.S)
    assert body
    return re.findall(r'<tr>\s*<td class="rule".*?</tr>', body.group(0), re.S)


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("lanc") / "lanc.html"
    run(
        "report", str(EXAMPLES / "lancashire.jsonl"), "--la", "lancashire",
        "--settings", str(EXAMPLES / "lancashire-settings.yaml"), "--as-of", "2024-03-31",
        "-o", str(out),
    )  # fmt: skip
    return out.read_text(encoding="utf-8")


# -- 1. each breach cites its own rule's provision ---------------------------------------------


def test_lancashire_breaches_cite_their_own_paragraph(lancashire: str) -> None:
    """LANC001 (¶52) and LANC002 (¶29) cite the same link, each its own paragraph: the hover
    text and the visible label both say which."""
    data = island(lancashire)
    cites = data["cites"]
    (lanc1,) = rows_by(data, rule="LANC001")
    (lanc2,) = rows_by(data, rule="LANC002")
    href1, label1, full1 = cites[lanc1["cite"]]
    href2, label2, full2 = cites[lanc2["cite"]]
    assert href1 == href2 == "https://reports.ofsted.gov.uk/"
    assert full1.endswith("(2015), paragraph 52") and full2.endswith("(2015), paragraph 29")
    assert "52" in label1 and "29" in label2 and "52" not in label2
    assert len(label1) <= 44 and len(label2) <= 44
    # the first page, written as HTML, the same
    rows = static_rows(lancashire)
    (row2,) = [r for r in rows if "<strong>LANC002</strong>" in r]
    assert "paragraph 29" in row2 and "paragraph 52" not in row2


def test_short_citation_keeps_the_paragraph() -> None:
    """A long title cut to fit keeps what tells its paragraphs apart; short ones are as they
    were."""
    title = (
        "Ofsted, inspection of services for children in need of help and protection, children "
        "looked after and care leavers: Lancashire County Council (2015), paragraph 29"
    )
    short = short_citation(title)
    assert short.endswith("(2015), paragraph 29") and len(short) <= 44, short
    assert short_citation("Working Together to Safeguard Children, chapter 1 (core groups)") == (
        "Working Together, chapter 1"
    )
