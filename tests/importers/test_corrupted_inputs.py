"""The corrupted-input suite: every importer, fed a valid sample spoiled in each way real exports
get spoiled (truncated, empty, binary garbage, NUL bytes, UTF-16 and UTF-8 BOMs, Windows line
endings, cp1252 text, mixed date formats, 10,000 columns), must:

- never crash: no traceback, exit code 0, 1 or 2; exit 2 only with an ``error: E...`` line or
  "nothing could be checked";
- reconcile: children read = checked + rejected, rows read = used + rejected for every source,
  and every rejection is written to ``--rejects`` (one line each, with a known error code);
- never put the planted personal data (a date of birth) in any output.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from annex_workbooks import HEADERS, Sheet, write_workbook
from annex_workbooks import write_csv as write_annex_csv
from cin_xml import assessment, census, child, cin, plan, pretty
from ssd_extract import full_extract, write_extract
from test_ssda903 import EPISODES, HEADER, REVIEWS, write_return, xml_return

from timescales import load_rules
from timescales.errors import CODES, InputError
from timescales.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-06-30"
RULES = load_rules()


# --- valid samples: (format, input path, the file in it to spoil) --------------------------------


def _jsonl(tmp: Path) -> tuple[Path, Path]:
    path = tmp / "children.jsonl"
    shutil.copy(ROOT / "examples" / "children.jsonl", path)
    return path, path


def _json(tmp: Path) -> tuple[Path, Path]:
    lines = (ROOT / "examples" / "children.jsonl").read_text().splitlines()[:6]
    path = tmp / "children.json"
    path.write_text(json.dumps([json.loads(x) for x in lines], indent=1))
    return path, path


def _yaml(tmp: Path) -> tuple[Path, Path]:
    import yaml

    lines = (ROOT / "examples" / "children.jsonl").read_text().splitlines()[:6]
    path = tmp / "children.yaml"
    path.write_text(yaml.safe_dump([json.loads(x) for x in lines], sort_keys=False))
    return path, path


def _ssda903_csv(tmp: Path) -> tuple[Path, Path]:
    tables = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
    directory = write_return(tmp / "903", tables)
    return directory, directory / "episodes.csv"


def _ssda903_xml(tmp: Path) -> tuple[Path, Path]:
    tables = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
    path = tmp / "903.xml"
    path.write_text(pretty(xml_return(tables)))
    return path, path


def _cin(tmp: Path) -> tuple[Path, Path]:
    kids = [
        child(
            f"C{i}",
            cin(
                "2024-01-05",
                assessments=[assessment("2024-01-08", "2024-02-20")],
                plans=[plan("2024-02-01", None, ["2024-02-20", "2024-05-10"])],
            ),
        )
        for i in range(1, 6)
    ]
    path = tmp / "cin.xml"
    path.write_text(pretty(census(kids)))
    return path, path


def _annex_sheet() -> Sheet:
    names = HEADERS[4]
    child_id = names[0]
    start = next(h for h in names if "start" in h.lower())
    authorised = next(h for h in names if "author" in h.lower())
    rows = [
        {child_id: f"A{i}", start: dt.date(2024, 1, 8 + i), authorised: dt.date(2024, 2, 20)}
        for i in range(1, 6)
    ]
    return Sheet("Assessments", 4, rows)


def _annex_csv(tmp: Path) -> tuple[Path, Path]:
    path = write_annex_csv(tmp / "list4.csv", _annex_sheet())
    return path, path


def _annex_xlsx(tmp: Path) -> tuple[Path, Path]:
    path = write_workbook(tmp / "annex.xlsx", [_annex_sheet()])
    return path, path


def _workers(tmp: Path) -> tuple[Path, Path]:
    path = tmp / "workers.jsonl"
    lines = [
        {"worker": f"W{n}", "role": "social_worker", "team": "North", "fte": 1.0,
         "started": "2023-04-03", "asye": {"from": "2023-04-03"},
         "events": [
             {"type": "induction_completed", "date": "2023-04-14"},
             {"type": "supervision", "date": "2023-05-02"},
             {"type": "allocation", "date": "2023-06-01", "child": f"C{n}", "end": "2023-09-30"},
         ]}
        for n in range(1, 6)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path, path


def _ssd(tmp: Path) -> tuple[Path, Path]:
    directory = write_extract(tmp / "ssd", full_extract())
    biggest = max(directory.iterdir(), key=lambda p: p.stat().st_size)
    return directory, biggest


SAMPLES: dict[str, tuple[str, Callable[[Path], tuple[Path, Path]], bool]] = {
    # name: (input format, writer, is the spoiled file text)
    "jsonl": ("jsonl", _jsonl, True),
    "json": ("json", _json, True),
    "yaml": ("yaml", _yaml, True),
    "ssda903-csv": ("ssda903", _ssda903_csv, True),
    "ssda903-xml": ("ssda903", _ssda903_xml, True),
    "cin-census": ("cin-census", _cin, True),
    "annex-a-csv": ("annex-a", _annex_csv, True),
    "annex-a-xlsx": ("annex-a", _annex_xlsx, False),
    "ssd": ("ssd", _ssd, True),
    "workers": ("workers", _workers, True),
}


# --- the ways files get spoiled ---------------------------------------------------------------


def truncated(raw: bytes) -> bytes:
    return raw[: len(raw) * 3 // 5]


def empty(raw: bytes) -> bytes:
    return b""


def garbage(raw: bytes) -> bytes:
    return random.Random(len(raw)).randbytes(4096)


def nul_bytes(raw: bytes) -> bytes:
    step = max(len(raw) // 7, 1)
    return b"\x00".join(raw[i : i + step] for i in range(0, len(raw), step))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8-sig")


def utf16_bom(raw: bytes) -> bytes:
    """UTF-16 with a BOM (Excel's "Unicode text"); an XML file says so in its declaration."""
    declared = re.compile(r"encoding=([\"'])utf-8\1", re.I)
    text = declared.sub('encoding="UTF-16"', _text(raw), count=1)
    return text.encode("utf-16")


def utf8_bom(raw: bytes) -> bytes:
    return b"\xef\xbb\xbf" + raw.removeprefix(b"\xef\xbb\xbf")


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def cp1252(raw: bytes) -> bytes:
    """Excel's "CSV" on an English Windows machine: accented letters in cp1252, not UTF-8."""
    text = _text(raw)
    return re.sub(r"(?m)^(.{3})", lambda m: m.group(1) + "é", text, count=3).encode("cp1252")


DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{2})/(\d{2})/(\d{4})\b")


def mixed_dates(raw: bytes) -> bytes:
    """Every other date written another way: ISO, dd/mm/yyyy, d Month yyyy, yyyymmdd, d-m-yy."""
    forms = ["%d/%m/%Y", "%Y-%m-%d", "%-d %B %Y", "%Y%m%d", "%-d-%-m-%y"]
    count = [0]

    def swap(m: re.Match[str]) -> str:
        count[0] += 1
        if count[0] % 2:
            return m.group(0)
        ymd = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(6, 5, 4)
        try:
            day = dt.date(*(int(x) for x in ymd))
        except ValueError:  # the sample's own impossible dates stay as they are
            return m.group(0)
        return day.strftime(forms[count[0] % len(forms)])

    return DATE.sub(swap, _text(raw)).encode("utf-8")


def wide(raw: bytes) -> bytes:
    """10,000 extra columns (CSV), attributes (XML) or keys (JSON and YAML)."""
    text = _text(raw)
    lines = text.splitlines(keepends=True)
    if text.lstrip().startswith("<"):
        extra = "".join(f' x{i}="{i}"' for i in range(10_000))
        root = re.compile(r"<([A-Za-z][\w:.-]*)")  # the first element (the root)
        return root.sub(lambda m: f"<{m.group(1)}{extra}", text, count=1).encode()
    if text.lstrip().startswith(("{", "[")):
        data = json.loads(lines[0]) if text.lstrip().startswith("{") else None
        if isinstance(data, dict):
            data.update({f"x{i}": i for i in range(10_000)})
            return (json.dumps(data) + "\n" + "".join(lines[1:])).encode()
        items = json.loads(text)
        items[0].update({f"x{i}": i for i in range(10_000)})
        return json.dumps(items).encode()
    if text.lstrip().startswith("-"):  # YAML list
        return (text + "".join(f"  x{i}: {i}\n" for i in range(10_000))).encode()
    header = ",".join(f"extra_{i}" for i in range(10_000))
    out = []
    for n, line in enumerate(lines):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        out.append(body + "," + (header if n == 0 else ",".join("v" * 1 for _ in range(10_000))))
        out.append(end or "\n")
    return "".join(out).encode()


SOME_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{8}\b")

BINARY_SPOILERS = [truncated, empty, garbage, nul_bytes]
TEXT_SPOILERS = [utf16_bom, utf8_bom, crlf, cp1252, mixed_dates, wide]
CASES = [
    pytest.param(sample, spoil, id=f"{sample}-{spoil.__name__}")
    for sample, (_, _, is_text) in SAMPLES.items()
    for spoil in (BINARY_SPOILERS + (TEXT_SPOILERS if is_text else []))
]


@pytest.mark.parametrize(("sample", "spoil"), CASES)
def test_spoiled_input_never_crashes_and_reconciles(
    cli, tmp_path: Path, sample: str, spoil: Callable[[bytes], bytes]
) -> None:
    fmt, write, _ = SAMPLES[sample]
    path, target = write(tmp_path)
    target.write_bytes(spoil(target.read_bytes()))
    source = str(path)

    # the API: exact accounting of every record and row
    run = Pipeline(RULES, dt.date.fromisoformat(AS_OF))
    list(run.findings(run.items([path], fmt)))
    for exc in run.input_errors:  # a whole input that cannot be read: said once, with its place
        assert isinstance(exc, InputError) and exc.code in CODES and exc.location is not None
        assert exc.location.source.startswith(source), str(exc)
    whole = bool(run.input_errors)
    summary = run.summary
    assert summary.unreadable == len(run.input_errors) <= 1
    assert summary.read == summary.checked + summary.rejected
    for stats in summary.context.stats:
        assert stats.reconciles(), stats
    # a file skipped (E407) or a table rejected whole (E408) is one --rejects row each
    said_once = summary.files_skipped + summary.tables_rejected
    assert len(run.rejects) == summary.rejected + summary.rows_rejected + said_once
    for error in run.rejects:
        assert error.code in CODES and error.location is not None, error
        assert error.location.source.startswith(source), error

    # the CLI: no traceback, every rejection written, the exit code the counts call for
    rejects = tmp_path / "rejects.jsonl"
    res = cli(
        "check", source, "--input-format", fmt, "--as-of", AS_OF,
        "--format", "jsonl", "-o", str(tmp_path / "findings.jsonl"), "--rejects", str(rejects),
    )  # fmt: skip
    assert "Traceback" not in res.err
    assert res.code in (0, 1, 2), res.err
    written = rejects.read_text().splitlines() if rejects.exists() else []
    assert len(written) == summary.rejected + summary.rows_rejected + summary.unreadable + said_once
    if whole:
        assert re.search(r"^error: E4\d\d ", res.err, re.M), res.err
        assert json.loads(written[-1])["code"].startswith("E4")
    # no value from the input in any message: dates (of birth, too) are named, never repeated
    said = "\n".join(json.loads(line)["message"] for line in written) + "\n".join(
        line for line in res.err.splitlines() if line.startswith(("rejected:", "error:"))
    )
    assert not SOME_DATE.search(said), SOME_DATE.search(said)
    assert all(json.loads(line)["code"] in CODES for line in written)
    found = re.search(r"children read (\d+), checked (\d+), rejected (\d+)", res.err)
    assert found, res.err
    read, checked, rejected = (int(x) for x in found.groups())
    assert (read, checked, rejected) == (summary.read, summary.checked, summary.rejected)
    rows = re.search(r"rows read (\d+), used (\d+), rejected (\d+)", res.err)
    if rows:
        assert int(rows[1]) == int(rows[2]) + int(rows[3])
    workers = re.search(r"worker records (\d+)", res.err)
    judged = checked + (int(workers[1]) if workers else 0)  # children and worker records
    assert (res.code == 2) == (judged == 0)
    if res.code == 2:
        assert "nothing could be checked" in res.err


def outcome(path: Path, fmt: str) -> tuple[int, int, int, int, int]:
    """(children checked, rejected, rows rejected, findings, rows used) of one input, through
    the API (a workers file's records are rows used: no child is checked)."""
    run = Pipeline(RULES, dt.date.fromisoformat(AS_OF))
    findings = sum(1 for _ in run.findings(run.items([path], fmt)))
    s = run.summary
    used = sum(stats.rows_used for stats in s.context.stats)
    return s.checked, s.rejected, s.rows_rejected, findings, used


HARMLESS = [utf8_bom, crlf, utf16_bom]


@pytest.mark.parametrize(
    ("sample", "spoil"),
    [
        pytest.param(sample, spoil, id=f"{sample}-{spoil.__name__}")
        for sample, (_, _, is_text) in SAMPLES.items()
        if is_text
        for spoil in HARMLESS
    ],
)
def test_boms_utf16_and_windows_line_endings_change_nothing(
    tmp_path: Path, sample: str, spoil: Callable[[bytes], bytes]
) -> None:
    """Excel's "Unicode text" (UTF-16 with BOM), "CSV UTF-8" (a BOM) and CRLF line endings are
    how councils' files really arrive: each is read exactly as the plain file is."""
    fmt, write, _ = SAMPLES[sample]
    (tmp_path / "plain").mkdir()
    (tmp_path / "spoiled").mkdir()
    path, target = write(tmp_path / "plain")
    plain = outcome(path, fmt)
    assert plain[0] > 0 or (fmt == "workers" and plain[4] > 0), "the sample must have records"
    path, target = write(tmp_path / "spoiled")
    target.write_bytes(spoil(target.read_bytes()))
    assert outcome(path, fmt) == plain


def test_the_suite_covers_every_importer() -> None:
    from timescales.importers import REGISTRY

    covered = {fmt for fmt, _, _ in SAMPLES.values()}
    assert covered == set(REGISTRY) - {"auto"}, set(REGISTRY) - covered
