"""The report's chart module (timescales.reporters.charts): inline SVG, each chart labelled by
its own title and description, red/amber/green as colour AND shape AND word, text never smaller
than 13 units, nothing unescaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from timescales.reporters import charts
from timescales.reporters.charts import (
    AMBER_AT,
    GREEN_AT,
    RAG,
    Bar,
    Cell,
    caseload_chart,
    heatmap,
    line_chart,
    nice_max,
    rag,
    rate_bars,
    stacked_columns,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed on its own (inline SVG in the page)."""
    return ET.fromstring(svg)


def shown(el: ET.Element) -> str:
    """The text an element shows (its hover <title> left out)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != f"{SVG}title":
            parts.append(shown(child))
        parts.append(child.tail or "")
    return "".join(parts)


def texts(root: ET.Element) -> list[str]:
    return [shown(t) for t in root.iter(f"{SVG}text")]


def assert_labelled(root: ET.Element, ident: str) -> None:
    """role=img, labelled by its own title and description (the text alternative)."""
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{ident}-t {ident}-d"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == f"{ident}-t" and title.text
    assert desc is not None and desc.get("id") == f"{ident}-d" and desc.text


def test_rag_national_thresholds() -> None:
    assert (GREEN_AT, AMBER_AT) == (0.90, 0.75)
    assert rag(None) is None
    assert rag(1.0) == rag(0.90) == "green"
    assert rag(0.8999) == rag(0.75) == "amber"
    assert rag(0.7499) == rag(0.0) == "red"


def test_rag_against_a_council_target() -> None:
    """With a target: green at or above it, amber up to 15 points below, red further below."""
    assert rag(0.95, target=0.95) == "green"
    assert rag(0.91, target=0.95) == "amber"  # green nationally, short of the council's aim
    assert rag(0.80, target=0.95) == "amber"
    assert rag(0.79, target=0.95) == "red"
    assert rag(0.70, target=0.70) == "green"  # a lower local aim


def test_rag_is_shape_and_word_as_well_as_colour() -> None:
    shapes = {shape for _, shape in RAG.values()}
    colours = {colour for colour, _ in RAG.values()}
    assert len(shapes) == 3 and len(colours) == 3
    assert charts.rag_mark("red") == "■ red" and charts.rag_mark(None) == ""


def test_axis_maximum_is_round() -> None:
    assert nice_max(0) == (1.0, 1.0)
    assert nice_max(104) == (125.0, 25.0)
    assert nice_max(4_160) == (5_000.0, 1_000.0)


def test_rate_bars_label_due_mark_stub_and_target() -> None:
    bars = [
        Bar("First looked-after review within 20 working days", 0.0, 12, "LA005", "red", 0.9),
        Bar("Visits <every> 6 weeks & more", 0.5, 1_234, "LA003", "red"),
        Bar("Nothing due yet here", None, 0, "LA008"),
    ]
    svg = rate_bars("chart-x", bars, title="Rates", desc="A <desc> & more")
    root = parse(svg)
    assert_labelled(root, "chart-x")
    words = texts(root)
    # the plain title with the ID beside it, escaped
    assert "LA005 First looked-after review within 20 working days" in words
    assert "LA003 Visits <every> 6 weeks & more" in words
    assert "<every>" not in svg and "&lt;every&gt;" in svg
    # the rate, its shape and word, and the number due beside each bar
    assert any(w.startswith("■ 0%") and "red" in w and "12 due" in w for w in words)
    assert any(w.startswith("■ 50%") and "1,234 due" in w for w in words)
    assert any("nothing due yet" in w for w in words)
    # a 0% bar is a visible stub, not a hairline
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill")]
    assert float(rects[0].get("width", "0")) >= 4
    assert rects[0].get("fill") == RAG["red"][0]
    # the council target is a tick with its own text
    target = [t for t in root.iter(f"{SVG}line") if t.get("class") == "target"]
    assert len(target) == 1
    assert "council target 90%" in "".join(target[0].itertext())


def test_line_chart_counts_per_month_and_gaps() -> None:
    points = [("2024-01", 0.5, 10), ("2024-02", None, 0), ("2024-03", 1.0, 3)]
    root = parse(line_chart("chart-l", points, title="T", desc="D"))
    assert_labelled(root, "chart-l")
    words = texts(root)
    assert {"Jan 24", "Feb 24", "Mar 24"} <= set(words)
    assert {"10", "0", "3"} <= set(words)  # the number due under each month
    assert len(list(root.iter(f"{SVG}polyline"))) == 2  # a gap where nothing was due
    assert len(list(root.iter(f"{SVG}circle"))) == 2


def test_line_chart_labels_fit_with_many_months() -> None:
    months = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
    root = parse(line_chart("chart-l", [(m, 0.5, 1) for m in months], title="T", desc="D"))
    labels = [w for w in texts(root) if re.fullmatch(r"[A-Z][a-z]{2} \d\d", w)]
    assert 6 <= len(labels) <= 14 and labels[-1] == "Dec 23"  # the latest month always


def test_stacked_columns_write_every_months_number_due_over_two_years() -> None:
    """24 months: the month names are thinned to fit, but each month's number due is written
    above its column (the docs promise it; "0" over an empty month)."""
    months = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
    due = [(i * 7) % 13 for i in range(24)]
    root = parse(stacked_columns("s", months, {"met": due}, title="t", desc="d"))
    totals = [t.text for t in root.iter(f"{SVG}text") if "value" in (t.get("class") or "")]
    assert totals == [str(d) for d in due]
    axis = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "axis"]
    names = [text for text in axis if " " in text]  # "Jan 22": the ticks are bare numbers
    assert 1 < len(names) < 24  # the names are thinned


def test_stacked_columns_total_and_legend() -> None:
    root = parse(
        stacked_columns(
            "chart-s",
            ["2024-01", "2024-02"],
            {"met": [3, 1], "late": [1, 0], "overdue": [0, 2], "unmet": [1, 0]},
            title="T",
            desc="D",
        )
    )
    assert_labelled(root, "chart-s")
    words = texts(root)
    assert {"met", "late", "overdue", "unmet"} <= set(words)
    assert {"5", "3"} <= set(words)  # the total above each column
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert charts.PURPLE in fills and charts.VERMILLION in fills


def test_heatmap_cells_carry_rate_count_and_mark() -> None:
    cells = {
        ("LA005", "North"): Cell(0.5, 10, "red"),
        ("LA005", "South"): Cell(0.95, 40, "green"),
        ("LA006", "North"): Cell(0.8, 5, "amber"),
    }
    svg = heatmap(
        "chart-h",
        [("LA005", "First review"), ("LA006", "Second review")],
        ["North", "South"],
        cells,
        title="T",
        desc="D",
    )
    root = parse(svg)
    assert_labelled(root, "chart-h")
    words = texts(root)
    assert "■ 50%" in words and "● 95%" in words and "▲ 80%" in words
    assert "10 due" in words and "40 due" in words
    # drawn at its natural size: its text never shrinks (its box scrolls instead)
    assert re.search(r'style="width:\d+px"', svg)
    empty = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "empty"]
    assert len(empty) == 1  # LA006 in South: nothing due


@pytest.mark.parametrize("key", ["LA005", "LANC001", "EXB0001X"])
def test_heatmap_row_labels_fit_their_rule_ids(key: str) -> None:
    """A rule id is drawn whole: right-aligned before the cells, with room for every character
    at the widest a 13px bold character is drawn (a council's LANC001 lost its L at 72px)."""
    svg = heatmap(
        "h", [(key, "t")], ["T"], {(key, "T"): Cell(1.0, 1, "green")}, title="t", desc="d"
    )
    (label,) = [t for t in parse(svg).iter(f"{SVG}text") if t.get("class") == "label key"]
    assert float(label.get("x", "0")) >= charts.KEY_CHAR * len(key) + 4


def test_caseload_chart_band_and_hatching() -> None:
    root = parse(
        caseload_chart(
            "chart-c",
            [("IRO A", 80.0, "above"), ("IRO B", 60.0, "within"), ("IRO C", 20.0, "below")],
            low=50,
            high=70,
            title="T",
            desc="D",
        )
    )
    assert_labelled(root, "chart-c")
    assert any(r.get("fill") == "url(#hatch)" for r in root.iter(f"{SVG}rect"))
    assert any(r.get("class") == "band" for r in root.iter(f"{SVG}rect"))


@pytest.mark.parametrize(
    "svg",
    [
        rate_bars("a", [Bar("x", 0.5, 1, "R1", "red")], title="t", desc="d"),
        line_chart("b", [("2024-01", 0.5, 1)], title="t", desc="d"),
        stacked_columns("c", ["2024-01"], {"met": [1]}, title="t", desc="d"),
        heatmap(
            "d", [("R1", "x")], ["T"], {("R1", "T"): Cell(1.0, 1, "green")}, title="t", desc="d"
        ),
        caseload_chart("e", [("A", 1.0, None)], low=None, high=None, title="t", desc="d"),
    ],
)
def test_no_chart_text_below_13_units_and_none_wider_than_900(svg: str) -> None:
    """The page's CSS gives every class of chart text 13px; no chart sets a smaller size of its
    own, and none is wider than 900 units (so at 760 px of page, text is at least 11 px)."""
    root = parse(svg)
    assert not re.search(r'font-size="(\d+)', svg)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    assert width <= charts.WIDTH or 'style="width:' in svg
    assert charts.FONT * 760 / charts.WIDTH >= 10.9
