"""The performance report: one self-contained HTML file (``timescales report``).

Everything is inside the file: the charts are inline SVG drawn here (no chart library, no
script needed to see them), the styles are inline, and one small inline script makes the
breach list and the permanence tracker searchable and sortable. A Content-Security-Policy
(``default-src 'none'``) makes sure the page loads nothing from anywhere, even by mistake;
links to legislation are plain links.

Accessibility: each chart is an ``<svg role="img">`` with a title and a description that say
what it shows, and has its numbers in a table beside it; colours are the Okabe-Ito palette
(distinguishable with the common colour-vision deficiencies) and no chart relies on colour
alone (values and states are written as text).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import orjson

from .. import __version__
from ..aggregates.permanence import COLUMNS as PERMANENCE_COLUMNS
from ..findings import Finding
from . import TABLE_COLUMNS

if TYPE_CHECKING:
    from ..aggregates.summary import Aggregator
    from ..importers import Item
    from ..run import Run

# Okabe-Ito: colour-blind-safe categorical palette
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#8C8C8C",
)
STATUS_COLOURS = {
    "met": BLUE,
    "late": ORANGE,
    "overdue": VERMILLION,
    "unmet": PURPLE,
    "pending": GREY,
}
BREACH_STATUSES = ("late", "overdue", "unmet")
TREND_MONTHS = 24  # months shown in the trend charts (all months are in the tables)

# the terminal table's columns, then who holds the case and why it is as it is
BREACH_COLUMNS = (*TABLE_COLUMNS, "team", "worker", "exception", "cite", "override")


def due_count(row: Mapping[str, Any]) -> int:
    """The findings a row's % on time is over: met, late, overdue and unmet (pending left out)."""
    return int(row["met"] + row["late"] + row["overdue"] + row["unmet"])


def breach_count(row: Mapping[str, Any]) -> int:
    return int(row["late"] + row["overdue"] + row["unmet"])


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def num(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def breach_row(finding: Finding, cites: dict[str, int]) -> list[Any]:
    """A breach as the compact row the report embeds (columns: BREACH_COLUMNS)."""
    cite = cites.setdefault(finding.citation, len(cites))
    override = next((v for k, v in finding.extra if k == "override"), None)
    return [
        finding.rule,
        finding.child,
        finding.ref,
        finding.anchor.isoformat(),
        finding.due.isoformat(),
        finding.done.isoformat() if finding.done else None,
        finding.status.value,
        finding.days_late,
        finding.working_days_late,
        finding.team,
        finding.worker,
        finding.exception,
        cite,
        None if override is None else str(override),
    ]


# ----------------------------------------------------------------------------------------------
# SVG charts
# ----------------------------------------------------------------------------------------------


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum at or above ``value`` and the tick step."""
    if value <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        tick = step * magnitude
        if value / tick <= 5:
            return tick * math.ceil(value / tick - 1e-9), tick
    return value, value


def _svg_open(ident: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" id="{ident}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{e(title)}</title><desc id="{ident}-d">{e(desc)}</desc>'
    )


def hbar_chart(
    ident: str,
    rows: Sequence[tuple[str, float | None, str]],
    *,
    title: str,
    desc: str,
    marks: Mapping[str, float] | None = None,
    label_width: int = 230,
) -> str:
    """Horizontal bars of a rate (0-1) per label, with its value and a note written beside it;
    ``marks`` draws a target tick on the rows it names."""
    width, row_h, top = 760, 22, 26
    x0, x1 = label_width, width - 150
    span = x1 - x0
    height = top + row_h * max(1, len(rows)) + 24
    parts = [_svg_open(ident, width, height, title, desc)]
    for tick in (0, 25, 50, 75, 100):
        x = x0 + span * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 20}" class="grid"/>'
            f'<text x="{x:.1f}" y="{top - 10}" class="axis" text-anchor="middle">{tick}%</text>'
        )
    for i, (label, value, note) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{x0 - 8}" y="{y + 15}" class="label" text-anchor="end">{e(label)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{x0 + 4}" y="{y + 15}" class="note">nothing due yet {e(note)}</text>'
            )
            continue
        w = max(span * value, 1.0)
        parts.append(
            f'<rect x="{x0}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{BLUE}">'
            f"<title>{e(label)}: {pct(value, 1)} on time {e(note)}</title></rect>"
            f'<text x="{x1 + 6}" y="{y + 15}" class="value">{pct(value)}'
            f'<tspan class="note"> {e(note)}</tspan></text>'
        )
        if marks and label in marks:
            mx = x0 + span * marks[label]
            parts.append(
                f'<line x1="{mx:.1f}" y1="{y + 1}" x2="{mx:.1f}" y2="{y + row_h - 1}" '
                f'class="target"><title>local target {pct(marks[label])}</title></line>'
            )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    ident: str,
    points: Sequence[tuple[str, float | None, int]],
    *,
    title: str,
    desc: str,
) -> str:
    """A rate (0-1) by month: a line with a marker per month, gaps where nothing was due."""
    width, height = 760, 260
    x0, x1, y0, y1 = 50, width - 36, 20, height - 40
    parts = [_svg_open(ident, width, height, title, desc)]
    for tick in (0, 25, 50, 75, 100):
        y = y1 - (y1 - y0) * tick / 100
        parts.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{tick}%</text>'
        )
    n = len(points)
    step = (x1 - x0) / max(1, n - 1) if n > 1 else 0
    segment: list[str] = []
    segments: list[list[str]] = []
    dots: list[str] = []
    for i, (month, value, due) in enumerate(points):
        x = x0 + step * i if n > 1 else (x0 + x1) / 2
        if _labelled(i, n):
            parts.append(
                f'<text x="{x:.1f}" y="{y1 + 16}" class="axis" text-anchor="middle">'
                f"{e(_month_label(month))}</text>"
            )
        if value is None:
            if segment:
                segments.append(segment)
                segment = []
            continue
        y = y1 - (y1 - y0) * value
        segment.append(f"{x:.1f},{y:.1f}")
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BLUE}">'
            f"<title>{e(_month_label(month))}: {pct(value, 1)} of {due:,} due</title></circle>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        )
    parts.extend(dots)
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    ident: str,
    months: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    desc: str,
) -> str:
    """Counts by month, stacked by status, with a legend written as text."""
    width, height = 760, 280
    x0, x1, y0, y1 = 60, width - 30, 40, height - 40
    totals = [sum(vals[i] for vals in series.values()) for i in range(len(months))]
    top, tick = nice_max(max(totals, default=0))
    if tick < 1:  # counts: whole-number ticks
        top, tick = float(max(1, math.ceil(top))), 1.0
    parts = [_svg_open(ident, width, height, title, desc)]
    t = 0.0
    while t <= top + 1e-9:
        y = y1 - (y1 - y0) * t / top
        parts.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{num(t)}</text>'
        )
        t += tick
    lx = x0
    for name in series:
        parts.append(
            f'<rect x="{lx}" y="8" width="12" height="12" fill="{STATUS_COLOURS.get(name, GREY)}"/>'
            f'<text x="{lx + 16}" y="18" class="label">{e(name)}</text>'
        )
        lx += 24 + 8 * len(name) + 12
    n = max(1, len(months))
    slot = (x1 - x0) / n
    bar = max(2.0, slot * 0.7)
    for i, month in enumerate(months):
        x = x0 + slot * i + (slot - bar) / 2
        base = float(y1)
        tip = [f"{_month_label(month)}:"]
        for name, vals in series.items():
            v = vals[i]
            tip.append(f"{v:,} {name}")
            if not v:
                continue
            h = (y1 - y0) * v / top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{STATUS_COLOURS.get(name, GREY)}"/>'
            )
        parts.append(
            f'<rect x="{x:.1f}" y="{y0}" width="{bar:.1f}" height="{y1 - y0}" fill="transparent">'
            f"<title>{e(' '.join(tip))}</title></rect>"
        )
        if _labelled(i, n):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y1 + 16}" class="axis" text-anchor="middle">'
                f"{e(_month_label(month))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def caseload_chart(
    ident: str,
    rows: Sequence[tuple[str, float, str | None]],
    *,
    low: int | None,
    high: int | None,
    title: str,
    desc: str,
) -> str:
    """Children per full-time holder, one column each, against the recommended range: the
    range is a shaded band, columns above it are vermillion and hatched, below it sky blue."""
    width, height = 760, 310
    x0, x1, y0, y1 = 50, width - 20, 40, height - 60
    peak = max([v for _, v, _ in rows] + [float(high or 0) * 1.15, 1.0])
    top, tick = nice_max(peak)
    parts = [
        _svg_open(ident, width, height, title, desc),
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern></defs>',
    ]

    def y(v: float) -> float:
        return y1 - (y1 - y0) * v / top

    if low is not None and high is not None:
        parts.append(
            f'<rect x="{x0}" y="{y(high):.1f}" width="{x1 - x0}" height="{y(low) - y(high):.1f}" '
            f'class="band"><title>recommended range {low}–{high}</title></rect>'
            f'<line x1="{x0}" y1="{y(high):.1f}" x2="{x1}" y2="{y(high):.1f}" class="limit"/>'
        )
        legend = (
            ("band", f"recommended {low}–{high} (shaded; dashed line at {high})"),
            (VERMILLION, "above the range (hatched)"),
            (BLUE, "within"),
            (SKY, "below"),
        )
        lx = x0
        for colour, text in legend:
            fill = (
                'class="band" stroke="#1b1b1b" stroke-dasharray="3 2"'
                if colour == "band"
                else (f'fill="{colour}"')
            )
            parts.append(
                f'<rect x="{lx}" y="6" width="12" height="12" {fill}/>'
                f'<text x="{lx + 16}" y="16" class="label">{e(text)}</text>'
            )
            if colour == VERMILLION:
                parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="url(#hatch)"/>')
            lx += 36 + int(6.6 * len(text))
    t = 0.0
    while t <= top + 1e-9:
        parts.append(
            f'<line x1="{x0}" y1="{y(t):.1f}" x2="{x1}" y2="{y(t):.1f}" class="grid"/>'
            f'<text x="{x0 - 6}" y="{y(t) + 4:.1f}" class="axis" text-anchor="end">{num(t)}</text>'
        )
        t += tick
    n = max(1, len(rows))
    slot = (x1 - x0) / n
    bar = max(3.0, min(48.0, slot * 0.7))
    for i, (name, value, status) in enumerate(rows):
        x = x0 + slot * i + (slot - bar) / 2
        colour = {"above": VERMILLION, "below": SKY}.get(status or "", BLUE)
        h = y1 - y(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{e(name)}: {num(value)} children per FTE'
            f"{', ' + status + ' the range' if status else ''}</title></rect>"
        )
        if status == "above":
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="url(#hatch)" opacity="0.5"/>'
            )
        if n <= 40:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y(value) - 4:.1f}" class="value" '
                f'text-anchor="middle">{num(value)}</text>'
            )
        parts.append(
            f'<text transform="translate({x + bar / 2:.1f},{y1 + 10}) rotate(40)" '
            f'class="axis">{e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _labelled(i: int, n: int) -> bool:
    """Label at most about 12 ticks, always the last (the latest month)."""
    return (n - 1 - i) % max(1, math.ceil(n / 12)) == 0


def _month_label(month: str) -> str:
    try:
        return dt.date.fromisoformat(month + "-01").strftime("%b %Y")
    except ValueError:
        return month


# ----------------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------------

STYLE = """
:root{--ink:#1b1b1b;--muted:#505a5f;--line:#d0d4d6;--bg:#fff;--panel:#f3f5f6;--blue:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
sans-serif;color:var(--ink);background:var(--bg)}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:18px;border-bottom:4px solid var(--blue)}
h1{font-size:1.7rem;margin:.2em 0}h2{font-size:1.3rem;margin:1.6em 0 .5em;padding-top:.4em;
border-top:1px solid var(--line)}h3{font-size:1.05rem;margin:1.2em 0 .4em}
.meta{color:var(--muted);margin:.2em 0 .8em}
nav ul{list-style:none;padding:0;margin:.5em 0 1em;display:flex;flex-wrap:wrap;gap:.3em 1.1em}
a{color:#005a8c}a:focus,button:focus,input:focus,select:focus{outline:3px solid #ffbf47;
outline-offset:1px}
.tiles{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,
minmax(170px,1fr));gap:12px}
.tile{background:var(--panel);border-left:6px solid var(--blue);padding:10px 12px}
.tile.bad{border-left-color:#D55E00}.tile.good{border-left-color:#009E73}
.tile .v{display:block;font-size:1.7rem;font-weight:700}.tile .l{color:var(--muted)}
figure{margin:0 0 .8em}figcaption{color:var(--muted);font-size:.92rem;margin:.2em 0}
svg.chart{max-width:100%;height:auto;display:block;font-family:inherit}
svg .grid{stroke:#e3e6e8;stroke-width:1}svg .axis{font-size:11px;fill:#505a5f}
svg .label{font-size:12px;fill:#1b1b1b}svg .value{font-size:12px;fill:#1b1b1b;font-weight:600}
svg .note{font-size:11px;fill:#505a5f;font-weight:400}
svg .target{stroke:#000;stroke-width:3}svg .band{fill:#e8f4ee}
svg .limit{stroke:#1b1b1b;stroke-dasharray:5 4}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4em 0 1em}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--panel);position:sticky;top:0}td.n,th.n{text-align:right;
font-variant-numeric:tabular-nums}
th button{all:unset;cursor:pointer;font-weight:700}th[aria-sort] button::after{content:" ↕";
color:#8c8c8c}th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
details{margin:.3em 0 1em}summary{cursor:pointer;color:#005a8c}
.s-met{color:#0072B2}.s-late{color:#8a5a00}.s-overdue{color:#b04a00;font-weight:700}
.s-pending{color:#505a5f}.s-unmet{color:#8a3a6a;font-weight:700}.s-above{color:#b04a00;font-weight:700}.s-below{color:#005a8c}
.flag{font-weight:700}
.controls{display:flex;flex-wrap:wrap;gap:.6em 1em;align-items:end;margin:.4em 0}
.controls label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
.controls input,.controls select{font:inherit;padding:4px 6px;min-width:14em}
.pager{display:flex;gap:.8em;align-items:center;margin:.3em 0}
.pager button{font:inherit;padding:3px 10px}
.scroll{max-height:34em;overflow:auto;border:1px solid var(--line)}
.datatable td{white-space:nowrap}.datatable td.wrap{white-space:normal;min-width:18em}
.datatable td.note{white-space:normal;max-width:14em}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:0 28px}
dl.counts{display:grid;grid-template-columns:max-content auto;gap:.25em 1em}
dl.counts dt{color:var(--muted)}dl.counts dd{margin:0;font-weight:600}
footer{color:var(--muted);font-size:.85rem;margin:2em auto;border-top:1px solid var(--line)}
@media print{.controls,.pager,nav{display:none}.scroll{max-height:none;overflow:visible}}
"""

SCRIPT = r"""
(function(){
"use strict";
function data(id){var el=document.getElementById(id);
  return el?JSON.parse(el.textContent):null;}
function text(v){return v===null||v===undefined?"":String(v);}
function el(tag,attrs,kids){var n=document.createElement(tag);
  if(attrs){for(var k in attrs){
    if(k==="text"){n.textContent=attrs[k];}else{n.setAttribute(k,attrs[k]);}}}
  (kids||[]).forEach(function(c){n.appendChild(c);});return n;}
function table(root,spec){
  var rows=spec.rows,cols=spec.columns,page=0,size=spec.size||100,sortDir=spec.dir||-1,
      sortCol=cols.findIndex(function(c){return c.key===spec.sort;});
  if(sortCol<0){sortCol=null;}
  var hay=rows.map(function(r){return r.map(text).join(" ").toLowerCase();});
  var q=root.querySelector("input[type=search]"),f=root.querySelector("select"),
      body=root.querySelector("tbody"),head=root.querySelector("thead tr"),
      info=root.querySelector(".info"),prev=root.querySelector(".prev"),
      next=root.querySelector(".next");
  var shown=[];
  cols.forEach(function(c,i){
    var b=el("button",{type:"button",text:c.label});
    var th=el("th",{scope:"col","aria-sort":"none"},[b]);if(c.num){th.className="n";}
    b.addEventListener("click",function(){
      if(sortCol===i){sortDir=-sortDir;}else{sortCol=i;sortDir=c.num?-1:1;}
      page=0;apply();});
    head.appendChild(th);});
  function compare(k){return function(a,b){var x=rows[a][k],y=rows[b][k];
    if(x===y){return a-b;}
    if(x===null||x===undefined){return 1;}if(y===null||y===undefined){return -1;}
    return (x<y?-1:1)*sortDir;};}
  function apply(){
    var needle=q?q.value.trim().toLowerCase():"",want=f?f.value:"";
    shown=[];
    for(var i=0;i<rows.length;i++){
      if(want&&rows[i][spec.filter]!==want){continue;}
      if(needle&&hay[i].indexOf(needle)<0){continue;}
      shown.push(i);}
    if(sortCol!==null){shown.sort(compare(cols[sortCol].key));}
    Array.prototype.forEach.call(head.children,function(th,i){
      th.setAttribute("aria-sort",
        i===sortCol?(sortDir>0?"ascending":"descending"):"none");});
    page=Math.min(page,Math.max(0,Math.ceil(shown.length/size)-1));draw();}
  function draw(){
    var frag=document.createDocumentFragment(),start=page*size,
        end=Math.min(shown.length,start+size);
    for(var j=start;j<end;j++){var r=rows[shown[j]],tr=document.createElement("tr");
      cols.forEach(function(c){var td=document.createElement("td");
        if(c.num){td.className="n";}
        if(c.render){c.render(td,r);}else{td.textContent=text(r[c.key]);}
        tr.appendChild(td);});
      frag.appendChild(tr);}
    body.replaceChildren(frag);
    var all=rows.length.toLocaleString();
    info.textContent=shown.length?("Showing "+(start+1).toLocaleString()+"–"+
      end.toLocaleString()+" of "+shown.length.toLocaleString()+
      (shown.length!==rows.length?" matching (of "+all+")":"")):"Nothing matches.";
    prev.disabled=page===0;next.disabled=end>=shown.length;}
  if(q){q.addEventListener("input",function(){page=0;apply();});}
  if(f){f.addEventListener("change",function(){page=0;apply();});}
  prev.addEventListener("click",function(){page=Math.max(0,page-1);draw();});
  next.addEventListener("click",function(){page=page+1;draw();});
  apply();root.setAttribute("data-ready",String(rows.length));}
function status(td,v){td.textContent=text(v);td.className="s-"+text(v);}
function index(names){return names.reduce(function(o,n,i){o[n]=i;return o;},{});}
var b=data("data-breaches");
if(b){var cites=b.cites,C=index(b.columns);
  table(document.getElementById("breach-table"),{
    rows:b.rows,filter:C.status,sort:C.days_late,dir:-1,columns:[
    {label:"Rule",key:C.rule,render:function(td,r){td.textContent=r[C.rule];
      var t=b.titles[r[C.rule]];if(t){td.title=t;}}},
    {label:"Child",key:C.child},{label:"Ref",key:C.ref},
    {label:"Clock started",key:C.anchor},{label:"Due",key:C.due},{label:"Done",key:C.done},
    {label:"Status",key:C.status,render:function(td,r){status(td,r[C.status]);}},
    {label:"Days late",key:C.days_late,num:true},
    {label:"Working days late",key:C.working_days_late,num:true},
    {label:"Team",key:C.team},{label:"Worker",key:C.worker},
    {label:"Note",key:C.exception,render:function(td,r){td.className="note";
      td.textContent=[r[C.exception]?"exception: "+r[C.exception]:"",
        r[C.override]?"local override: "+r[C.override]:""].filter(Boolean).join("; ");}},
    {label:"Citation",key:C.cite,render:function(td,r){var c=cites[r[C.cite]];
      td.className="wrap";
      td.appendChild(el("a",{href:c[0],rel:"noopener noreferrer",text:c[1]}));}}]});}
var p=data("data-permanence");
if(p){var P=index(p.columns);
  table(document.getElementById("permanence-table"),{
    rows:p.rows,filter:P.plan_text,sort:P.due,dir:1,columns:[
    {label:"Child",key:P.child},{label:"Team",key:P.team},{label:"Worker",key:P.worker},
    {label:"IRO",key:P.iro},{label:"Looked after since",key:P.looked_after_since},
    {label:"Reviews",key:P.reviews,num:true},{label:"Last review",key:P.last_review},
    {label:"Next review due",key:P.next_review_due},
    {label:"Permanence plan",key:P.plan_text,render:function(td,r){
      td.textContent=r[P.plan_text]+(r[P.plan_date]?" ("+r[P.plan_date]+")":"");
      if(r[P.plan_text]==="no"){td.className="flag";}}},
    {label:"Due by (2nd review)",key:P.due},
    {label:"LA008",key:P.status,render:function(td,r){status(td,r[P.status]);}}]});}
})();
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


def _json(value: Any) -> str:
    """JSON safe inside a <script> element (no '<' can close it)."""
    return orjson.dumps(value).decode().replace("<", "\\u003c")


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = ()
) -> str:
    nums = set(numeric)
    head = "".join(
        f'<th scope="col"{" class=n" if i in nums else ""}>{e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell if isinstance(cell, Markup) else e(cell)
            cells.append(f"<td{' class=n' if i in nums else ''}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Markup(str):
    """Text already escaped."""


def _stats_cells(row: Mapping[str, Any]) -> list[Any]:
    return [
        num(row["children"]),
        num(row["met"]),
        num(row["late"]),
        num(row["overdue"]),
        num(row["pending"]),
        num(row["unmet"]),
        pct(row["on_time"], 1),
        num(row["median_days_late"]),
        num(row["p90_days_late"]),
    ]


STATS_HEADERS = (
    "Children",
    "Met",
    "Late",
    "Overdue",
    "Pending",
    "Unmet",
    "% on time",
    "Median days late",
    "90th percentile days late",
)


def _status_text(status: str | None) -> Markup:
    if status is None:
        return Markup("–")
    words = {"above": "above the range", "below": "below the range", "within": "within"}
    return Markup(f'<span class="s-{e(status)}">{e(words.get(status, status))}</span>')


def render(
    agg: Mapping[str, Any],
    out: IO[str],
    *,
    breaches: Iterable[list[Any]],
    cites: Mapping[str, int],
    cite_titles: Mapping[str, str],
    permanence: Iterable[Mapping[str, Any]],
    title: str = "Statutory timescales: performance report",
) -> None:
    """Write the report. ``agg`` is Aggregator.to_dict(); breaches are rows from breach_row()
    (their citations indexed by ``cites``); permanence rows are PermanenceRow.to_dict()."""
    w = out.write
    as_of = agg["as_of"]
    period = agg["period"]
    council = agg.get("la") or "national rules only (no council selected)"
    w(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)} — as of {e(as_of)}</title><style>{STYLE}</style></head><body>"
    )
    w(
        f'<header><h1>{e(title)}</h1><p class="meta">As of <strong>{e(as_of)}</strong> · '
        f"council: {e(council)} · period for counts {e(period['from'])} to {e(period['to'])} · "
        f"timescales {e(__version__)}</p>"
        '<nav aria-label="Sections"><ul>'
        + "".join(
            f'<li><a href="#{k}">{v}</a></li>'
            for k, v in (
                ("headlines", "Headlines"),
                ("rules", "By rule"),
                ("trend", "Monthly trend"),
                ("teams", "By team"),
                ("targets", "Local targets"),
                ("counts", "Counts"),
                ("caseloads", "Caseloads"),
                ("permanence", "Permanence tracker"),
                ("breaches", "Breaches"),
                ("about", "How to read this"),
            )
        )
        + "</ul></nav></header><main>"
    )
    w(_headlines(agg))
    w(_rules_section(agg))
    w(_trend_section(agg))
    w(_teams_section(agg))
    w(_targets_section(agg))
    w(_counts_section(agg))
    w(_caseload_section(agg))
    w(_permanence_section(agg))
    w(_breaches_section(agg))
    w(_about(agg))
    w("</main>")
    w(
        f"<footer><p>Made by timescales {e(__version__)} from case records as of {e(as_of)}. "
        "Self-contained: this file loads nothing from the network.</p></footer>"
    )
    # the per-child lists, streamed from their spools
    rule_titles = {r["rule"]: f"{r['rule']} {r['name']}: {r['title']}" for r in agg["rules"]}
    w('<script type="application/json" id="data-breaches">{"columns":')
    w(_json(list(BREACH_COLUMNS)))
    w(',"titles":' + _json(rule_titles))
    ordered = sorted(cites.items(), key=lambda kv: kv[1])
    w(',"cites":' + _json([[href, cite_titles.get(href, href)] for href, _ in ordered]))
    w(',"rows":[')
    first = True
    for row in breaches:
        w(("" if first else ",\n") + _json(row))
        first = False
    w("]}</script>")
    columns = [*PERMANENCE_COLUMNS, "plan_text"]
    w('<script type="application/json" id="data-permanence">{"columns":' + _json(columns))
    w(',"rows":[')
    first = True
    for p in permanence:
        values = [p.get(c) for c in PERMANENCE_COLUMNS] + ["yes" if p.get("plan") else "no"]
        w(("" if first else ",\n") + _json(values))
        first = False
    w("]}</script>")
    w(f"<script>{SCRIPT}</script></body></html>\n")


def _tile(value: str, label: str, tone: str = "") -> str:
    cls = f"tile {tone}".strip()
    return (
        f'<li class="{cls}"><span class="v">{e(value)}</span><span class="l">{e(label)}</span></li>'
    )


def _headlines(agg: Mapping[str, Any]) -> str:
    o = agg["overall"]
    due = due_count(o)
    iro = agg["caseloads"]["iro"]
    counts = agg["counts"]
    tiles = [
        _tile(num(agg["children_checked"]), "children checked"),
        _tile(pct(o["on_time"], 1), f"on time, of {due:,} findings due (all rules)"),
        _tile(num(breach_count(o)), "breaches (late, overdue or unmet)", "bad"),
        _tile(num(agg.get("overdue_open", 0)), "overdue now on open cases", "bad"),
        _tile(num(o["unmet"]), "unmet: visits that did not meet the requirement", "bad"),
        _tile(num(o["median_days_late"]), "median days late (late and overdue)"),
        _tile(num(o["p90_days_late"]), "90th percentile days late (late and overdue)"),
        _tile(num(o["pending"]), "pending (not yet due)"),
    ]
    if iro["rows"]:
        tone = "bad" if iro["above"] else "good"
        high = iro.get("high")
        tiles.append(
            _tile(
                f"{iro['above']} of {len(iro['rows'])}",
                f"IROs above {high} children per FTE" if high else "IROs",
                tone,
            )
        )
    targets = agg["targets"]
    if targets:
        met = sum(1 for t in targets if t["met"])
        tone = "good" if met == len(targets) else "bad"
        tiles.append(_tile(f"{met} of {len(targets)}", "local targets met", tone))
    a = counts["assessments"]
    if a["rule"]:
        tiles.append(
            _tile(
                f"{a['within_45_working_days']:,} of {a['completed_in_period']:,}",
                "assessments completed in the period within 45 working days",
            )
        )
    cl = counts["care_leavers"]
    if cl["current"]:
        tiles.append(_tile(f"{cl['in_touch']:,} of {cl['current']:,}", "care leavers in touch"))
    return (
        '<section id="headlines" aria-labelledby="h-headlines"><h2 id="h-headlines">Headlines'
        f'</h2><ul class="tiles">{"".join(tiles)}</ul>'
        "<p class=meta>% on time = met ÷ (met + late + overdue + unmet); pending findings are "
        "not yet due and are left out. Days late are over late and overdue findings only: an "
        "unmet visit is a breach with no days late.</p></section>"
    )


def _rule_label(row: Mapping[str, Any]) -> str:
    return f"{row['rule']} {row['name']}"


def _rules_section(agg: Mapping[str, Any]) -> str:
    rows = agg["rules"]
    marks: dict[str, float] = {}
    for target in agg["targets"]:
        for rule in target["rules"]:
            for row in rows:
                if row["rule"] == rule:
                    marks[_rule_label(row)] = target["target"]
    bars = [(_rule_label(r), r["on_time"], f"({due_count(r):,} due)") for r in rows]
    worst = sorted((r for r in rows if r["on_time"] is not None), key=lambda r: r["on_time"])
    desc = (
        f"Percentage of findings on time for each of {len(rows)} rules. "
        + (
            "Lowest: "
            + "; ".join(f"{r['rule']} {pct(r['on_time'])}" for r in worst[:3])
            + ". Highest: "
            + "; ".join(f"{r['rule']} {pct(r['on_time'])}" for r in worst[-3:][::-1])
            + "."
            if worst
            else "Nothing was due."
        )
        + (" Black ticks mark local targets." if marks else "")
    )
    chart = hbar_chart(
        "chart-rules", bars, title="% on time by rule", desc=desc, marks=marks, label_width=260
    )
    table = _table(
        ("Rule", "Name", *STATS_HEADERS, "Citation"),
        (
            [
                r["rule"],
                r["name"],
                *_stats_cells(r),
                Markup(f'<a href="{e(r.get("citation", ""))}" rel="noopener noreferrer">source</a>')
                if r.get("citation")
                else "",
            ]
            for r in rows
        ),
        numeric=range(2, 2 + len(STATS_HEADERS)),
    )
    return (
        '<section id="rules" aria-labelledby="h-rules"><h2 id="h-rules">% on time by rule</h2>'
        f"<figure>{chart}<figcaption>{e(desc)}</figcaption></figure>"
        f"<details open><summary>The numbers by rule</summary>{table}</details></section>"
    )


def _trend_section(agg: Mapping[str, Any]) -> str:
    months_all = [r for r in agg["by_month"] if r["rule"] == "*"]
    months_all.sort(key=lambda r: r["month"])
    as_of_month = agg["as_of"][:7]
    due_months = [r for r in months_all if r["month"] <= as_of_month]
    recent = _continuous(due_months, as_of_month)
    points = [(r["month"], r["on_time"], due_count(r)) for r in recent]
    if recent:
        rates = [(r["month"], r["on_time"]) for r in recent if r["on_time"] is not None]
        best = max(rates, key=lambda x: x[1]) if rates else None
        low = min(rates, key=lambda x: x[1]) if rates else None
        desc = (
            f"% of findings on time by month of the due date, {_month_label(recent[0]['month'])}"
            f" to {_month_label(recent[-1]['month'])}, all rules. "
            + (
                f"Latest {pct(rates[-1][1])} ({_month_label(rates[-1][0])}); highest "
                f"{pct(best[1])} ({_month_label(best[0])}); lowest {pct(low[1])} "
                f"({_month_label(low[0])})."
                if rates and best and low
                else ""
            )
        )
    else:
        desc = "Nothing was due in any month up to the as-of date."
    line = line_chart("chart-trend", points, title="% on time by month due", desc=desc)
    stack_months = [r["month"] for r in recent]
    series = {s: [r[s] for r in recent] for s in ("met", *BREACH_STATUSES)}
    breaches = [breach_count(r) for r in recent]
    desc2 = "Findings due each month by status (met, late, overdue, unmet), all rules. " + (
        f"Most breaches: {max(breaches):,} in "
        f"{_month_label(stack_months[breaches.index(max(breaches))])}."
        if breaches
        else ""
    )
    stack = stacked_columns(
        "chart-status", stack_months, series, title="Findings due by month and status", desc=desc2
    )
    table = _table(
        ("Month due", *STATS_HEADERS),
        ([_month_label(r["month"]), *_stats_cells(r)] for r in months_all),
        numeric=range(1, 1 + len(STATS_HEADERS)),
    )
    return (
        '<section id="trend" aria-labelledby="h-trend"><h2 id="h-trend">Monthly trend</h2>'
        f'<div class="cols"><figure>{line}<figcaption>{e(desc)}</figcaption></figure>'
        f"<figure>{stack}<figcaption>{e(desc2)}</figcaption></figure></div>"
        f"<details><summary>The numbers by month due (every month, all rules)</summary>{table}"
        "</details></section>"
    )


def _continuous(rows: Sequence[Mapping[str, Any]], last: str) -> list[Mapping[str, Any]]:
    """The last TREND_MONTHS months up to ``last`` (not before the first with findings), every
    month present: a month with nothing due is an empty row (a gap in the line)."""
    if not rows:
        return []
    have = {r["month"]: r for r in rows}
    year, month = int(last[:4]), int(last[5:7])
    months: list[str] = []
    while len(months) < TREND_MONTHS:
        key = f"{year:04d}-{month:02d}"
        if key < rows[0]["month"]:
            break
        months.append(key)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    empty = dict.fromkeys(("met", "late", "overdue", "pending", "unmet"), 0)
    return [have.get(m) or {"month": m, "on_time": None, **empty} for m in reversed(months)]


def _teams_section(agg: Mapping[str, Any]) -> str:
    teams = [r for r in agg["by_team"] if r["rule"] == "*"]
    bars = [(r["team"], r["on_time"], f"({due_count(r):,} due)") for r in teams]
    rated = [r for r in teams if r["on_time"] is not None]
    desc = f"% of findings on time for each of {len(teams)} teams, all rules. " + "; ".join(
        f"{r['team']} {pct(r['on_time'])}" for r in rated
    )
    if not teams:
        return (
            '<section id="teams" aria-labelledby="h-teams"><h2 id="h-teams">By team</h2>'
            "<p>The records carry no team.</p></section>"
        )
    chart = hbar_chart("chart-teams", bars, title="% on time by team", desc=desc)
    table = _table(
        ("Team", *STATS_HEADERS),
        ([r["team"], *_stats_cells(r)] for r in teams),
        numeric=range(1, 1 + len(STATS_HEADERS)),
    )
    # rules x teams matrix of % on time
    names = [r["team"] for r in teams]
    cell: dict[tuple[str, str], Mapping[str, Any]] = {
        (r["rule"], r["team"]): r for r in agg["by_team"] if r["rule"] != "*"
    }
    matrix_rows = []
    for rule in agg["rules"]:
        row: list[Any] = [rule["rule"]]
        for team in names:
            found = cell.get((rule["rule"], team))
            row.append(pct(found["on_time"]) if found else "–")
        matrix_rows.append(row)
    matrix = _table(("Rule", *names), matrix_rows, numeric=range(1, len(names) + 1))
    workers = [r for r in agg["by_worker"] if r["rule"] == "*"]
    iros = [r for r in agg["by_iro"] if r["rule"] == "*"]
    workers_table = _table(
        ("Worker", *STATS_HEADERS),
        ([r["worker"], *_stats_cells(r)] for r in workers),
        numeric=range(1, 1 + len(STATS_HEADERS)),
    )
    iros_table = _table(
        ("IRO", *STATS_HEADERS),
        ([r["iro"], *_stats_cells(r)] for r in iros),
        numeric=range(1, 1 + len(STATS_HEADERS)),
    )
    return (
        '<section id="teams" aria-labelledby="h-teams"><h2 id="h-teams">By team</h2>'
        f"<figure>{chart}<figcaption>{e(desc)}</figcaption></figure>"
        f"<details open><summary>The numbers by team</summary>{table}</details>"
        f"<details><summary>% on time by rule and team</summary>{matrix}</details>"
        f"<details><summary>By worker ({len(workers)})</summary>"
        f'<div class="scroll">{workers_table}</div></details>'
        f"<details><summary>By IRO, for looked-after children ({len(iros)})</summary>"
        f'<div class="scroll">{iros_table}</div></details></section>'
    )


def _targets_section(agg: Mapping[str, Any]) -> str:
    targets = agg["targets"]
    if not targets:
        body = (
            "<p>No local targets: a council's plugin sets them (e.g. <code>--la NAME</code>).</p>"
        )
    else:
        body = _table(
            ("Target", "Rules", "Target rate", "Measured", "Findings due", "Verdict", "Source"),
            (
                [
                    t["title"],
                    ", ".join(t["rules"]),
                    pct(t["target"]),
                    pct(t["measured"], 1),
                    num(t["due"]),
                    Markup(
                        '<span class="s-met">met</span>'
                        if t["met"]
                        else '<span class="s-overdue">missed</span>'
                        if t["met"] is False
                        else "nothing due"
                    ),
                    Markup(f'<a href="{e(t["citation"])}" rel="noopener noreferrer">source</a>'),
                ]
                for t in targets
            ),
            numeric=(2, 3, 4),
        )
    return (
        '<section id="targets" aria-labelledby="h-targets"><h2 id="h-targets">Local targets'
        f"</h2>{body}</section>"
    )


def _counts_section(agg: Mapping[str, Any]) -> str:
    c = agg["counts"]
    p = c["period"]
    items: list[tuple[str, str]] = []
    a = c["assessments"]
    if a["rule"]:
        items += [
            (f"Assessments completed in the period ({a['rule']})", num(a["completed_in_period"])),
            ("… of which within 45 working days", num(a["within_45_working_days"])),
            ("Assessments open and overdue now", num(a["open_and_overdue"])),
        ]
    cl = c["care_leavers"]
    items += [
        (
            "Care leavers with a personal adviser contact schedule open now (CL003)",
            num(cl["current"]),
        ),
        ("… in touch (the latest contact within 2 months)", num(cl["in_touch"])),
    ]
    labels = {"looked_after": "Looked-after children", "private_fostering": "Privately fostered"}
    for kind, v in c["visits"].items():
        items += [
            (
                f"{labels.get(kind, kind)} with a visit due in the period "
                f"({', '.join(v['rules'])})",
                num(v["children_with_visits_due"]),
            ),
            ("… visited within timescale every time", num(v["visited_within_timescale"])),
        ]
    perm = c["permanence"]
    items += [
        ("Second reviews due in the period (LA008)", num(perm["second_reviews_due_in_period"])),
        ("… with a permanence plan by then", num(perm["plan_by_second_review"])),
    ]
    rows = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)
    return (
        '<section id="counts" aria-labelledby="h-counts"><h2 id="h-counts">Counts a council '
        f"must be able to give</h2><p class=meta>Period {e(p['from'])} to {e(p['to'])}.</p>"
        f'<dl class="counts">{rows}</dl></section>'
    )


def _caseload_section(agg: Mapping[str, Any]) -> str:
    iro = agg["caseloads"]["iro"]
    worker = agg["caseloads"]["worker"]
    parts = [
        '<section id="caseloads" aria-labelledby="h-caseloads"><h2 id="h-caseloads">Caseloads</h2>'
    ]
    if iro["rows"]:
        rows = [(r["iro"], r["per_fte"], r["status"]) for r in iro["rows"]]
        low, high = iro.get("low"), iro.get("high")
        desc = (
            f"Open looked-after children per full-time IRO as of {agg['as_of']}, for "
            f"{len(rows)} IROs"
            + (f", against the recommended {low}–{high}" if high else "")
            + f". {iro['above']} above the range, {iro['within']} within, {iro['below']} below. "
            + "Highest: "
            + "; ".join(f"{n} {num(v)}" for n, v, _ in sorted(rows, key=lambda r: -r[1])[:3])
            + "."
        )
        chart = caseload_chart(
            "chart-caseload", rows, low=low, high=high, title="IRO caseloads (IR001)", desc=desc
        )
        fte_note = (
            "FTE from the IRO list given."
            if iro.get("fte_from_list")
            else "No IRO list given: every IRO counts as 1.0 FTE (report --iros FILE)."
        )
        table = _table(
            ("IRO", "Children", "FTE", "Children per FTE", "Against the range", "In IRO list"),
            (
                [
                    r["iro"],
                    num(r["children"]),
                    f"{r['fte']:g}",
                    num(r["per_fte"]),
                    _status_text(r["status"]),
                    "–" if r["listed"] is None else ("yes" if r["listed"] else "no"),
                ]
                for r in iro["rows"]
            ),
            numeric=(1, 2, 3),
        )
        parts.append(
            f"<h3>Independent reviewing officers</h3><figure>{chart}<figcaption>{e(desc)} "
            f"{e(fte_note)}</figcaption></figure><details><summary>The numbers by IRO</summary>"
            f"{table}</details>"
        )
    else:
        parts.append("<p>No child was looked after with an IRO recorded at the date.</p>")
    if worker["rows"]:
        threshold = (
            f"local range {worker['low']}–{worker['high']} ({worker['rule']})"
            if worker["rule"]
            else "no local threshold set (a council plugin can set one)"
        )
        table = _table(
            ("Worker", "Children with live work", "Against the range"),
            ([r["worker"], num(r["children"]), _status_text(r["status"])] for r in worker["rows"]),
            numeric=(1,),
        )
        parts.append(
            f"<h3>Social workers</h3><p>Children with a timescale pending or overdue on an open "
            f"case, by allocated worker; {e(threshold)}.</p>"
            f"<details><summary>The numbers by worker ({len(worker['rows'])})</summary>"
            f'<div class="scroll">{table}</div></details>'
        )
    parts.append("</section>")
    return "".join(parts)


def _controls(ident: str, label: str, options: Sequence[tuple[str, str]]) -> str:
    opts = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in options)
    return (
        f'<div class="controls"><label for="{ident}-q">Search {e(label)}'
        f'<input type="search" id="{ident}-q" placeholder="child, rule, team, worker…"></label>'
        f'<label for="{ident}-f">Show<select id="{ident}-f">{opts}</select></label></div>'
        '<div class="pager"><button type="button" class="prev">Previous</button>'
        '<button type="button" class="next">Next</button>'
        '<span class="info" role="status" aria-live="polite"></span></div>'
    )


def _permanence_section(agg: Mapping[str, Any]) -> str:
    p = agg["permanence"]
    return (
        '<section id="permanence" aria-labelledby="h-permanence"><h2 id="h-permanence">'
        "Permanence tracker</h2>"
        f"<p>{p['looked_after']:,} children looked after on {e(agg['as_of'])}: "
        f"{p['with_plan']:,} with a permanence plan recorded in the current period; "
        f"<strong>{p['without_plan_past_due']:,}</strong> without one although it was due by "
        "the second review (LA008).</p>"
        '<div id="permanence-table" class="datatable">'
        + _controls(
            "perm", "looked-after children", [("", "all"), ("no", "no plan"), ("yes", "plan")]
        )
        + '<div class="scroll"><table><caption class="meta">Each child looked after at the '
        "date: reviews held in the current period, and the permanence plan due by the second "
        "review.</caption><thead><tr></tr></thead><tbody></tbody></table></div>"
        "<noscript><p>The tracker needs JavaScript to show; the same rows are in the XLSX "
        "output (check --format xlsx).</p></noscript></div></section>"
    )


def _breaches_section(agg: Mapping[str, Any]) -> str:
    o = agg["overall"]
    return (
        '<section id="breaches" aria-labelledby="h-breaches"><h2 id="h-breaches">Breaches</h2>'
        f"<p>{breach_count(o):,} findings late, overdue or unmet, each with the law or "
        "guidance it is checked against. Search by child, rule, team or worker.</p>"
        '<div id="breach-table" class="datatable">'
        + _controls(
            "breach",
            "breaches",
            [
                ("", "late, overdue and unmet"),
                ("overdue", "overdue"),
                ("late", "late"),
                ("unmet", "unmet (visits that did not meet the requirement)"),
            ],
        )
        + '<div class="scroll"><table><caption class="meta">Late, overdue and unmet findings, '
        "longest late first (unmet findings have no days late and come last)."
        "</caption><thead><tr></tr></thead><tbody></tbody></table></div>"
        "<noscript><p>The breach list needs JavaScript to show; the same findings are in "
        "check --format csv or xlsx.</p></noscript></div></section>"
    )


def _about(agg: Mapping[str, Any]) -> str:
    run = agg.get("run") or {}
    notes = []
    for rule, why in (run.get("not_assessable") or {}).items():
        notes.append(f"<li>{e(rule)}: not assessable from these inputs: {e(why)}</li>")
    for rule, why in (run.get("inactive") or {}).items():
        notes.append(f"<li>{e(rule)}: inactive: {e(why)}</li>")
    counts = ""
    if run:
        counts = (
            f"<p>Children read {run['read']:,}, checked {run['checked']:,}, rejected "
            f"{run['rejected']:,}; data-quality notes {run['data_quality_notes']:,}; events "
            f"dated after the as-of date ignored {run['events_after_as_of']:,}.</p>"
        )
    return (
        '<section id="about" aria-labelledby="h-about"><h2 id="h-about">How to read this</h2>'
        f"{counts}<ul>"
        "<li>A finding is one instance of a rule for one child: met (on time), late (done "
        "after the due date), overdue (not done and past due), pending (not yet due), or, for "
        "a rule about what a visit itself must record (LA020, PF004: the child seen alone, or "
        "why not), unmet: the visit happened but not as the law requires. Late, overdue and "
        "unmet are the breaches.</li>"
        "<li>% on time = met ÷ (met + late + overdue + unmet); pending is left out.</li>"
        "<li>Median and 90th percentile days late are over the late and overdue findings; an "
        "overdue finding's days run to the as-of date, or to the case's close. Unmet findings "
        "are not late by a number of days and are left out of them. They are exact "
        "(linear interpolation between ranks, as Excel's MEDIAN and PERCENTILE.INC).</li>"
        "<li>Months are months of the due date. Children are counted once per rule and group "
        "they have a finding in.</li>"
        "<li>IRO caseloads count children looked after at the date under their latest IRO, per "
        "full-time equivalent; above the range is a breach, below it is noted.</li>"
        f"{''.join(notes)}</ul></section>"
    )


def write_report(
    run: Run,
    items: Iterable[Item],
    out: IO[str],
    *,
    since: dt.date | None = None,
    iro_list: Mapping[str, float] | None = None,
) -> Aggregator:
    """Check the items, aggregate in one pass (breaches and the tracker spooled to disk), and
    write the report. Returns the aggregator (its to_dict() is what the report shows)."""
    from ..aggregates.summary import Aggregator, Spool

    cite_titles: dict[str, str] = {}
    for rule in run.ruleset.rules:
        for ref in rule.references:
            cite_titles.setdefault(ref.href, ref.title)
    cites: dict[str, int] = {}
    with Spool() as breaches, Spool() as tracker:
        aggregator = Aggregator(
            run.ruleset,
            run.as_of,
            since=since,
            iro_list=iro_list,
            on_permanence=lambda row: tracker.add(row.to_dict()),
        )
        for finding in aggregator.stream(run, items):
            if finding.is_breach:
                breaches.add(breach_row(finding, cites))
        render(
            aggregator.to_dict(run.summary),
            out,
            breaches=iter(breaches),
            cites=cites,
            cite_titles=cite_titles,
            permanence=iter(tracker),
        )
    return aggregator
