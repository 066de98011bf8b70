"""Building blocks of a columnar batch engine, run on demand (never in the test suite):
python benchmarks/columnar_probe.py [--children N]

Groundwork for choosing the batch engine's library (issue 20: polars is the candidate, "choose
it or another on measurements"). Nothing here is an engine: it measures, on the project's own
generated children (``timescales generate --seed 7``, N children, default 20,000), the pieces
such an engine is made of, each the best of 3 runs (wall seconds; the process's CPU seconds
beside them, as the libraries may use more than one core), and prints them as ratios to the I/O
floor and to the per-child engine's equivalent work (the whole ``timescales check`` is timed
once, as the reference that writes OUT):

  1. I/O floor: orjson decode of every input line + orjson encode of every finding the
     per-child engine wrote (``timescales check ... --format jsonl``), as benchmarks/run.py
     measures it;
  2. input to columns: the JSON Lines into one events table (child, type, date, ref, case and
     the attributes, one column each) with polars (``read_ndjson`` + explode/unnest), duckdb
     (``read_ndjson`` + unnest) and orjson + Python lists into polars; beside them the
     per-child engine's own reading (``api.parse_record``: orjson + validation);
  3. calendar arithmetic over every event date: 7 and 45 working days through a day-index table
     built from the project's calendar (``timescales.calendar.is_working_day`` over its supported
     range: England bank holidays from the ``holidays`` package), and 1 and 6 months with
     end-of-month clamping, with numpy, polars and duckdb, against ``calendar.add_working_days``
     / ``add_months`` called per date; every row is checked equal to the per-call result;
  4. one deadline rule as a join (AS001: clock, met_by and limit read from its YAML): for each
     clock event the first met_by event of the same child and case on or after it, due = clock
     + limit, status as of the as-of date, with polars (``join_asof``) and duckdb (``ASOF
     JOIN``); compared, tuple for tuple, with the per-child engine's findings for the rule
     (which has more semantics: ``closed_by``, ``effective``...), and timed against the
     per-child engine checking that one rule in-process;
  5. findings out as bytes: OUT loaded into a table, written back as JSON Lines (to the null
     device, 20,000 findings at a time) with polars and duckdb (JSON-encoded structs joined as
     strings), polars' ``write_ndjson``, polars rows as dicts through orjson, and orjson over
     Python dicts (the current path), each compared byte for byte with OUT;
  6. a summary: per library, the building blocks added up as a multiple of the I/O floor.

The libraries are never dependencies of this project: they are installed, unpinned, with the
project itself (``pip install -e`` of this checkout), into a virtual environment of their own in
the benchmark cache directory (``$TIMESCALES_BENCH_CACHE``, else
``$XDG_CACHE_HOME/timescales-bench``, else ``~/.cache/timescales-bench``; venv
``columnar-probe``), once (again when the checkout it points at changes); this script then runs
itself in that environment's Python (``--measure``) for the measurements. The versions installed
are printed. Input generation and the reference run use the Python running this script (the
project's own environment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_cache import cache_dir

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2024-03-31"
SEED = "7"
PACKAGES = ("polars", "duckdb", "numpy")
RULE_FILE = ROOT / "rules" / "england" / "assessment" / "AS001.yaml"
WORKING_DAYS = (7, 45)
MONTHS = (1, 6)
CHUNK = 20_000  # findings written at a time from a table (step 5)
REPEAT = 3  # runs of each measure; the fastest counts (--repeat)


def probe_python() -> Path:
    """The Python of the probe's own virtual environment, made (the libraries and this checkout
    installed into it) on first use, and the checkout installed again when it is another."""
    venv = cache_dir() / "columnar-probe"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    want = f"{' '.join(PACKAGES)}\n{ROOT}\n"
    if not marker.exists() or marker.read_text() != want:
        print(f"installing {', '.join(PACKAGES)} and {ROOT} into {venv} (once)", flush=True)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *PACKAGES, "-e", str(ROOT)], check=True)
        marker.write_text(want)
    return python


# --- measurement helpers (run inside the probe's environment) ------------------------------


def best(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall, CPU) seconds of the fastest of REPEAT runs, and what the last run returned."""
    times = []
    result = None
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall_s, cpu_s = min(times)
    return wall_s, cpu_s, result


class Results:
    """The measured rows, handed back to the parent as JSON."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.info: dict[str, Any] = {}

    def add(self, step: str, what: str, lib: str, timed: tuple[float, float, Any], **kw: Any):
        wall, cpu, _ = timed
        self.rows.append({"step": step, "what": what, "lib": lib, "wall": wall, "cpu": cpu, **kw})
        print(f"  {step} {what} [{lib}]: {wall:.3f} s", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)


def io_floor(data: Path, findings: Path, res: Results) -> None:
    import orjson

    def decode() -> None:
        with data.open("rb") as fh:
            for line in fh:
                orjson.loads(line)

    rows = [orjson.loads(line) for line in findings.open("rb")]

    def encode() -> None:
        for row in rows:
            orjson.dumps(row)

    res.add("1", "decode input (orjson)", "floor", best(decode))
    res.add("1", "encode findings (orjson)", "floor", best(encode))


def to_columns(data: Path, res: Results) -> tuple[Any, Any]:
    """Step 2; returns the polars events table and the duckdb connection holding ``events``."""
    import duckdb
    import orjson
    import polars as pl

    def with_polars() -> pl.DataFrame:
        df = pl.read_ndjson(data, infer_schema_length=None)
        events = df.select("child", "events").explode("events").unnest("events")
        return events.with_columns(pl.col("date").str.to_date("%Y-%m-%d")).unnest("attrs")

    timed = best(with_polars)
    events = timed[2]
    res.add("2", "input to events table", "polars", timed, rows=events.height)
    res.info["events_columns"] = events.columns

    con = duckdb.connect()

    def with_duckdb() -> int:
        con.execute(
            "CREATE OR REPLACE TABLE events AS SELECT row_number() OVER () AS rid, * FROM ("
            "SELECT child, unnest(e, recursive := true) FROM (SELECT child, unnest(events) AS e "
            f"FROM read_ndjson({sql_text(data)}, sample_size = -1, "
            "map_inference_threshold = -1)))"
        )
        return con.execute("SELECT count(*) FROM events").fetchone()[0]

    timed = best(with_duckdb)
    res.add("2", "input to events table", "duckdb", timed, rows=timed[2])
    res.info["duckdb_columns"] = [r[0] for r in con.execute("DESCRIBE events").fetchall()]

    def with_lists() -> pl.DataFrame:
        child: list[str] = []
        kind: list[str] = []
        date: list[str] = []
        ref: list[str | None] = []
        case: list[str | None] = []
        attrs: dict[str, list[tuple[int, Any]]] = {}
        with data.open("rb") as fh:
            for line in fh:
                rec = orjson.loads(line)
                name = rec["child"]
                for ev in rec["events"]:
                    child.append(name)
                    kind.append(ev["type"])
                    date.append(ev["date"])
                    ref.append(ev.get("ref"))
                    case.append(ev.get("case"))
                    extra = ev.get("attrs")
                    if extra:
                        at = len(child) - 1
                        for key, value in extra.items():
                            attrs.setdefault(key, []).append((at, value))
        n = len(child)
        columns: dict[str, Any] = {
            "child": child,
            "type": kind,
            "date": pl.Series(date).str.to_date("%Y-%m-%d"),
            "ref": ref,
            "case": case,
        }
        for key, pairs in attrs.items():
            column: list[Any] = [None] * n
            for at, value in pairs:
                column[at] = value
            columns[key] = column
        return pl.DataFrame(columns)

    timed = best(with_lists)
    res.add("2", "input to events table", "orjson+lists", timed, rows=timed[2].height)
    return events, con


def engine_reading(data: Path, res: Results) -> list[Any]:
    """The per-child engine's own reading of the input: a validated record per line."""
    from timescales.api import parse_record

    def read() -> list[Any]:
        with data.open("rb") as fh:
            return [parse_record(line) for line in fh]

    timed = best(read)
    res.add("2", "input to records (api.parse_record)", "per-child", timed, rows=len(timed[2]))
    return timed[2]


def day_tables() -> tuple[Any, Any, int]:
    """(working, cumulative, first): the offsets from SUPPORTED_FIRST of England's working days,
    cumulative[i] = working days with offset < i, and SUPPORTED_FIRST as days since 1970."""
    import numpy as np

    from timescales import calendar

    first = calendar.SUPPORTED_FIRST
    count = (calendar.SUPPORTED_LAST - first).days + 1
    is_working = np.fromiter(
        (calendar.is_working_day(first + dt.timedelta(days=i)) for i in range(count)),
        dtype=bool,
        count=count,
    )
    working = np.flatnonzero(is_working).astype(np.int32)
    cumulative = np.concatenate(([0], np.cumsum(is_working))).astype(np.int32)
    return working, cumulative, (first - dt.date(1970, 1, 1)).days


def calendar_blocks(events: Any, con: Any, res: Results) -> None:
    """Step 3: working days and months over every event date, vectorised and per call."""
    import numpy as np
    import polars as pl

    from timescales import calendar

    timed = best(day_tables)
    res.add("3", "build the day-index table", "numpy", timed)
    working, cumulative, first = timed[2]
    days = len(cumulative) - 1
    dates_py: list[dt.date] = events["date"].to_list()
    epoch = events["date"].cast(pl.Int32).to_numpy().astype(np.int64)

    def per_call_wd() -> dict[int, list[dt.date | None]]:
        out: dict[int, list[dt.date | None]] = {}
        for n in WORKING_DAYS:
            got: list[dt.date | None] = []
            for d in dates_py:
                try:
                    got.append(calendar.add_working_days(d, n))
                except calendar.CalendarRangeError:
                    got.append(None)
            out[n] = got
        return out

    timed = best(per_call_wd)
    expected = timed[2]
    res.add("3", "working days +7, +45 (every event date)", "per-call", timed, rows=2 * len(epoch))
    base = dt.date(1970, 1, 1).toordinal()
    want = {
        n: np.array([-1 if d is None else d.toordinal() - base for d in got], dtype=np.int64)
        for n, got in expected.items()
    }

    def check(got: dict[int, Any]) -> str:
        bad = sum(int((np.asarray(got[n]) != want[n]).sum()) for n in WORKING_DAYS)
        return "identical" if bad == 0 else f"{bad} mismatches"

    def numpy_wd() -> dict[int, Any]:
        out = {}
        off = epoch - first
        inside = (off >= 0) & (off < days)
        safe = np.where(inside, off, 0)
        for n in WORKING_DAYS:
            pos = cumulative[safe + 1].astype(np.int64) + (n - 1)
            ok = inside & (pos < len(working))
            found = working[np.minimum(pos, len(working) - 1)].astype(np.int64) + first
            out[n] = np.where(ok, found, -1)
        return out

    timed = best(numpy_wd)
    res.add("3", "working days +7, +45 (every event date)", "numpy", timed, check=check(timed[2]))

    work_s = pl.Series("working", working, dtype=pl.Int32)
    cum_s = pl.Series("cumulative", cumulative, dtype=pl.Int32)

    def polars_wd() -> dict[int, Any]:
        off = pl.col("date").cast(pl.Int32) - first
        inside = (off >= 0) & (off < days)
        pos = pl.lit(cum_s).gather(pl.when(inside).then(off + 1)) + pl.lit(-1)
        exprs = []
        for n in WORKING_DAYS:
            at = pos + n
            found = pl.lit(work_s).gather(pl.when(at < len(working)).then(at)) + first
            exprs.append(found.fill_null(-1).cast(pl.Int64).alias(str(n)))
        out = events.select(exprs)
        return {n: out[str(n)].to_numpy() for n in WORKING_DAYS}

    timed = best(polars_wd)
    res.add("3", "working days +7, +45 (every event date)", "polars", timed, check=check(timed[2]))

    con.execute(
        "CREATE OR REPLACE TABLE cumt AS SELECT * FROM (SELECT unnest(?) AS c, "
        "generate_subscripts(?, 1) - 1 AS i)",
        [cumulative.tolist()] * 2,
    )
    con.execute(
        "CREATE OR REPLACE TABLE workt AS SELECT * FROM (SELECT unnest(?) AS w, "
        "generate_subscripts(?, 1) - 1 AS pos)",
        [working.tolist()] * 2,
    )
    first_date = calendar.SUPPORTED_FIRST.isoformat()

    def duckdb_wd() -> dict[int, Any]:
        out = {}
        for n in WORKING_DAYS:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE wd AS SELECT e.rid, e.date, "
                f"DATE '{first_date}' + w.w::INTEGER AS due FROM events e "
                f"LEFT JOIN cumt c ON c.i = (e.date - DATE '{first_date}') + 1 "
                f"LEFT JOIN workt w ON w.pos = c.c + {n - 1}"
            )
            out[n] = con.execute("SELECT date, due FROM wd ORDER BY rid").fetchnumpy()
        return out

    timed = best(duckdb_wd)
    # duckdb's table is its own reading of the file: checked against the per-call result of
    # each of its own dates (they are the same dates in the same order as polars')
    got = timed[2]
    same_dates = all(
        np.array_equal(got[n]["date"].astype("datetime64[D]").astype(np.int64), epoch)
        for n in WORKING_DAYS
    )
    as_days = {
        n: np.where(
            np.isnat(got[n]["due"]), -1, got[n]["due"].astype("datetime64[D]").astype(np.int64)
        )
        for n in WORKING_DAYS
    }
    verdict = check(as_days) if same_dates else "dates differ from polars' table"
    res.add("3", "working days +7, +45 (every event date)", "duckdb", timed, check=verdict)

    def per_call_months() -> dict[int, list[dt.date]]:
        return {n: [calendar.add_months(d, n) for d in dates_py] for n in MONTHS}

    timed = best(per_call_months)
    res.add("3", "months +1, +6 (every event date)", "per-call", timed, rows=2 * len(epoch))
    want_m = {
        n: np.array([d.toordinal() - base for d in got], dtype=np.int64)
        for n, got in timed[2].items()
    }

    def check_m(got: dict[int, Any]) -> str:
        bad = sum(int((np.asarray(got[n]) != want_m[n]).sum()) for n in MONTHS)
        return "identical" if bad == 0 else f"{bad} mismatches"

    def numpy_months() -> dict[int, Any]:
        day = epoch.astype("datetime64[D]")
        month = day.astype("datetime64[M]")
        offset = (day - month.astype("datetime64[D]")).astype(np.int64)
        out = {}
        for n in MONTHS:
            target = month + n
            start = target.astype("datetime64[D]")
            length = ((target + 1).astype("datetime64[D]") - start).astype(np.int64)
            out[n] = (start + np.minimum(offset, length - 1)).astype(np.int64)
        return out

    timed = best(numpy_months)
    res.add("3", "months +1, +6 (every event date)", "numpy", timed, check=check_m(timed[2]))

    def polars_months() -> dict[int, Any]:
        exprs = [pl.col("date").dt.offset_by(f"{n}mo").cast(pl.Int64).alias(str(n)) for n in MONTHS]
        out = events.select(exprs)
        return {n: out[str(n)].to_numpy() for n in MONTHS}

    timed = best(polars_months)
    res.add("3", "months +1, +6 (every event date)", "polars", timed, check=check_m(timed[2]))

    def duckdb_months() -> dict[int, Any]:
        cols = ", ".join(f"CAST(date + to_months({n}) AS DATE) AS m{n}" for n in MONTHS)
        con.execute(f"CREATE OR REPLACE TEMP TABLE mo AS SELECT rid, {cols} FROM events")
        got = con.execute("SELECT * FROM mo ORDER BY rid").fetchnumpy()
        return {n: got[f"m{n}"].astype("datetime64[D]").astype(np.int64) for n in MONTHS}

    timed = best(duckdb_months)
    res.add("3", "months +1, +6 (every event date)", "duckdb", timed, check=check_m(timed[2]))


def sql_text(path: Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def rule_spec() -> dict[str, Any]:
    import yaml

    spec = yaml.safe_load(RULE_FILE.read_text(encoding="utf-8"))
    assert spec["kind"] == "deadline" and list(spec["limit"]) == ["working_days"], spec
    return spec


def deadline_join(
    events: Any, con: Any, findings: Path, records: list[Any], as_of: dt.date, res: Results
) -> None:
    """Step 4: the rule's simplest form as a join, against the per-child engine's findings."""
    import orjson
    import polars as pl

    from timescales.ruleset.pack import load_rules

    spec = rule_spec()
    rid, clock, met_by = spec["id"], spec["clock"], spec["met_by"]
    limit = int(spec["limit"]["working_days"])
    working, cumulative, first = day_tables()
    days = len(cumulative) - 1
    work_s = pl.Series("working", working, dtype=pl.Int32)
    cum_s = pl.Series("cumulative", cumulative, dtype=pl.Int32)

    def with_polars() -> pl.DataFrame:
        clocks = events.filter(pl.col("type") == clock).select(
            "child", "ref", "case", anchor=pl.col("date")
        )
        done = events.filter(pl.col("type") == met_by).select("child", "case", done="date")
        with warnings.catch_warnings():  # sorted by date within each (child, case): it is
            warnings.simplefilter("ignore")  # sorted by date overall
            joined = clocks.sort("anchor").join_asof(
                done.sort("done"),
                left_on="anchor",
                right_on="done",
                by=["child", "case"],
                strategy="forward",
            )
        off = pl.col("anchor").cast(pl.Int32) - first
        inside = (off >= 0) & (off < days)
        pos = pl.lit(cum_s).gather(pl.when(inside).then(off + 1)) + (limit - 1)
        due = (pl.lit(work_s).gather(pos) + first).cast(pl.Date)
        status = (
            pl.when(pl.col("done").is_not_null())
            .then(
                pl.when(pl.col("done") <= pl.col("due"))
                .then(pl.lit("met"))
                .otherwise(pl.lit("late"))
            )
            .when(pl.col("due") >= pl.lit(as_of))
            .then(pl.lit("pending"))
            .otherwise(pl.lit("overdue"))
        )
        return joined.with_columns(due=due).with_columns(status=status)

    ours: dict[str, Any] = {}
    timed = best(with_polars)
    ours["polars"] = [
        (r[0], r[1], r[2].isoformat(), r[4].isoformat(), r[3] and r[3].isoformat(), r[5])
        for r in timed[2].select("child", "ref", "anchor", "done", "due", "status").iter_rows()
    ]
    res.add("4", f"{rid} as a join (join_asof)", "polars", timed, rows=timed[2].height)

    first_date = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + first).isoformat()

    def with_duckdb() -> int:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE deadline AS
            WITH clocks AS (
              SELECT child, ref, "case", date AS anchor FROM events WHERE type = '{clock}'),
            met AS (
              SELECT child, "case", date AS done FROM events WHERE type = '{met_by}'),
            joined AS (
              SELECT c.child, c.ref, c.anchor, m.done FROM clocks c ASOF LEFT JOIN met m
              ON c.child = m.child AND c."case" = m."case" AND c.anchor <= m.done),
            dued AS (
              SELECT j.*, DATE '{first_date}' + w.w::INTEGER AS due FROM joined j
              LEFT JOIN cumt t ON t.i = (j.anchor - DATE '{first_date}') + 1
              LEFT JOIN workt w ON w.pos = t.c + {limit - 1})
            SELECT *, CASE WHEN done IS NOT NULL THEN
                (CASE WHEN done <= due THEN 'met' ELSE 'late' END)
              WHEN due >= DATE '{as_of.isoformat()}' THEN 'pending' ELSE 'overdue' END AS status
            FROM dued
            """
        )
        return con.execute("SELECT count(*) FROM deadline").fetchone()[0]

    timed = best(with_duckdb)
    rows = con.execute("SELECT child, ref, anchor, due, done, status FROM deadline").fetchall()
    ours["duckdb"] = [
        (r[0], r[1], r[2].isoformat(), r[3].isoformat(), r[4] and r[4].isoformat(), r[5])
        for r in rows
    ]
    res.add("4", f"{rid} as a join (ASOF JOIN)", "duckdb", timed, rows=timed[2])

    ruleset = load_rules(rules=[rid])

    def per_child() -> int:
        return sum(len(ruleset.check(r, as_of=as_of).findings) for r in records)

    timed = best(per_child)
    res.add("4", f"{rid} alone, every child (RuleSet.check)", "per-child", timed, rows=timed[2])

    theirs = []
    for line in findings.open("rb"):
        row = orjson.loads(line)
        if row["rule"] == rid:
            theirs.append(
                (row["child"], row["ref"], row["anchor"], row["due"], row["done"], row["status"])
            )
    closes = events.filter(pl.col("type").is_in(spec.get("closed_by", [])))
    closed = {(r[0], r[1]): r[2] for r in closes.select("child", "case", "date").iter_rows()}
    case_of = {
        (r[0], r[1]): r[2]
        for r in events.filter(pl.col("type") == clock).select("child", "ref", "case").iter_rows()
    }
    effective = spec.get("effective", {}).get("from")
    res.info["rule"] = {
        "id": rid,
        "clock": clock,
        "met_by": met_by,
        "limit": limit,
        "closed_by": spec.get("closed_by", []),
        "match": spec.get("match"),
        "effective": str(effective),
        "engine": len(theirs),
    }
    for lib, mine in ours.items():
        res.info["rule"][lib] = agreement(mine, theirs, closed, case_of, effective)


def agreement(
    mine: list[tuple], theirs: list[tuple], closed: dict, case_of: dict, effective: Any
) -> dict[str, Any]:
    """Tuples equal and differing, and the likely cause of each difference."""
    a, b = Counter(mine), Counter(theirs)
    equal = sum((a & b).values())
    mine_by = {t[:3]: t for t in (a - b).elements()}
    theirs_by = {t[:3]: t for t in (b - a).elements()}
    causes: Counter[str] = Counter()
    examples: dict[str, list[Any]] = {}
    for key in sorted(set(mine_by) | set(theirs_by), key=str):
        m, t = mine_by.get(key), theirs_by.get(key)
        anchor = dt.date.fromisoformat(key[2])
        close = closed.get((key[0], case_of.get((key[0], key[1]))))
        after = close is not None and close >= anchor
        if effective is not None and anchor < effective:
            cause = f"clock before the rule's effective date ({effective})"
        elif after and (m is None or t is None):
            cause = "closed_by: the case closed on or before the due date (no finding)"
        elif after and m[4] != t[4]:
            cause = "closed_by: a met_by event after the case's close does not count"
        elif after and m[5] != t[5]:
            cause = "closed_by: overdue counted to the close"
        else:
            cause = "other"
        causes[cause] += 1
        examples.setdefault(cause, [])
        if len(examples[cause]) < 2:
            examples[cause].append({"probe": m, "engine": t, "close": close})
    return {
        "equal": equal,
        "differing": len(mine) - equal,
        "engine_not_matched": len(theirs) - equal,
        "causes": dict(causes),
        "examples": examples,
    }


def findings_out(findings: Path, con: Any, res: Results) -> None:
    """Step 5: the findings table back to JSON Lines bytes, written as a run writes them (to
    the null device, CHUNK rows at a time for the tables), and once more into memory to compare
    with OUT."""
    import orjson
    import polars as pl

    original = findings.read_bytes()
    dicts = [orjson.loads(line) for line in original.splitlines()]
    fixed = list(dicts[0])
    extras = extra_order(dicts, fixed)
    res.info["extras"] = extras
    table = pl.read_ndjson(findings, infer_schema_length=None).select([*fixed, *extras])
    chunks = [table.slice(i, CHUNK) for i in range(0, table.height, CHUNK)]

    def add(what: str, lib: str, write: Callable[[Any], None]) -> None:
        with open(os.devnull, "wb") as fh:
            timed = best(lambda: write(fh))
        buf = io.BytesIO()
        write(buf)
        res.add("5", what, lib, timed, check=byte_verdict(buf.getvalue(), original))

    def with_orjson(fh: Any) -> None:
        for d in dicts:
            fh.write(orjson.dumps(d, option=orjson.OPT_APPEND_NEWLINE))

    add("dicts to JSON Lines (orjson)", "orjson", with_orjson)

    def extra_text(key: str) -> pl.Expr:
        encoded = pl.struct(key).struct.json_encode().str.slice(1).str.strip_suffix("}")
        return pl.when(pl.col(key).is_not_null()).then(pl.lit(",") + encoded)

    def with_polars(fh: Any) -> None:
        # the fixed keys as one JSON-encoded struct; the extras encoded only for the rows
        # that have one, then put in place
        base = pl.struct(fixed).struct.json_encode().str.strip_suffix("}").alias("base")
        any_extra = pl.any_horizontal([pl.col(k).is_not_null() for k in extras])
        for chunk in chunks:
            at = chunk.select(pl.arg_where(any_extra)).to_series()
            tail = (
                chunk[at]
                .select(pl.concat_str([extra_text(k) for k in extras], ignore_nulls=True))
                .to_series()
            )
            tails = pl.Series("tail", [None] * chunk.height, dtype=pl.String).scatter(at, tail)
            line = pl.concat_str(["base", "tail", pl.lit("}\n")], ignore_nulls=True)
            text = chunk.select(base).with_columns(tails).select(line.str.join("")).item()
            fh.write(text.encode())

    add("table to JSON Lines (struct.json_encode)", "polars", with_polars)

    def write_ndjson(fh: Any) -> None:
        for chunk in chunks:
            chunk.write_ndjson(fh)

    add("table to JSON Lines (write_ndjson)", "polars", write_ndjson)

    def polars_dicts(fh: Any) -> None:
        for chunk in chunks:
            for row in chunk.iter_rows(named=True):
                for key in extras:
                    if row[key] is None:
                        del row[key]
                fh.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))

    add("table rows to dicts to orjson (iter_rows)", "polars", polars_dicts)

    columns = ", ".join(f'"{k}"' for k in [*fixed, *extras])
    con.execute(
        f"CREATE OR REPLACE TABLE findings AS SELECT row_number() OVER () - 1 AS rn, {columns} "
        f"FROM read_ndjson({sql_text(findings)}, sample_size = -1)"
    )
    struct = ", ".join(f"'{k}': \"{k}\"" for k in fixed)
    tail = "".join(
        f" || (CASE WHEN \"{k}\" IS NULL THEN '' "
        f"ELSE ',' || rtrim(ltrim(to_json({{'{k}': \"{k}\"}}), '{{'), '}}') END)"
        for k in extras
    )
    sql = (
        f"SELECT string_agg(rtrim(to_json({{{struct}}}), '}}'){tail} || '}}' || chr(10), '' "
        "ORDER BY rn) FROM findings WHERE rn >= ? AND rn < ?"
    )

    def with_duckdb(fh: Any) -> None:
        for start in range(0, len(dicts), CHUNK):
            fh.write(con.execute(sql, [start, start + CHUNK]).fetchone()[0].encode())

    add("table to JSON Lines (to_json + string_agg)", "duckdb", with_duckdb)


def byte_verdict(out: bytes, original: bytes) -> str:
    """ "byte-identical", or how many lines differ and where the first one does."""
    if out == original:
        return "byte-identical"
    ours, theirs = out.splitlines(), original.splitlines()
    bad = [i for i, (x, y) in enumerate(zip(ours, theirs, strict=False)) if x != y]
    text = f"DIFFERS: {len(bad):,} of {len(theirs):,} lines"
    if len(ours) != len(theirs):
        text += f" ({len(ours):,} lines written)"
    if bad:
        x, y = ours[bad[0]], theirs[bad[0]]
        at = next(
            (i for i, (a, b) in enumerate(zip(x, y, strict=False)) if a != b), min(len(x), len(y))
        )
        text += (
            f"; line {bad[0] + 1}, from byte {at}: ours {x[max(at - 20, 0) : at + 60]!r}, "
            f"OUT {y[max(at - 20, 0) : at + 60]!r}"
        )
    return text


def extra_order(dicts: list[dict[str, Any]], fixed: list[str]) -> list[str]:
    """The extra keys (those after the fixed ones, present only where they apply) in the one
    order every line agrees with (a topological order of the orders seen)."""
    after: dict[str, set[str]] = {}
    for d in dicts:
        keys = [k for k in d if k not in fixed]
        for i, key in enumerate(keys):
            after.setdefault(key, set()).update(keys[i + 1 :])
    order: list[str] = []
    left = dict(after)
    while left:
        head = next(k for k in sorted(left) if not any(k in v for v in left.values()))
        order.append(head)
        del left[head]
    return order


def measure(data: Path, findings: Path, as_of: str) -> None:
    import duckdb
    import numpy
    import polars as pl

    res = Results()
    res.info["versions"] = {
        "polars": pl.__version__,
        "duckdb": duckdb.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
    }
    res.info["threads"] = {"polars": pl.thread_pool_size()}
    io_floor(data, findings, res)
    events, con = to_columns(data, res)
    res.info["threads"]["duckdb"] = con.execute("SELECT current_setting('threads')").fetchone()[0]
    records = engine_reading(data, res)
    calendar_blocks(events, con, res)
    deadline_join(events, con, findings, records, dt.date.fromisoformat(as_of), res)
    findings_out(findings, con, res)
    print(json.dumps({"rows": res.rows, "info": res.info}, default=str))


# --- the parent: generate, run the reference, measure, print ---------------------------------


def run_cli(*args: str) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "timescales", *args], capture_output=True, text=True, env=env
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"timescales {' '.join(args)} failed:\n{proc.stderr}")
    return seconds


def report(children: int, data: dict[str, Any], check_s: float, findings: int) -> None:
    rows, info = data["rows"], data["info"]
    floor = sum(r["wall"] for r in rows if r["lib"] == "floor")
    by = {(r["step"], r["what"], r["lib"]): r for r in rows}

    def equivalent(r: dict[str, Any]) -> float | None:
        """The per-child engine's equivalent of a row: its reading (2), the per-call loop (3),
        the rule alone (4), orjson over dicts, the current path (5)."""
        step = r["step"]
        if step == "2":
            return by[("2", "input to records (api.parse_record)", "per-child")]["wall"]
        if step == "3" and r["what"] != "build the day-index table":
            return by[("3", r["what"], "per-call")]["wall"]
        if step == "4":
            return next(x["wall"] for x in rows if x["step"] == "4" and x["lib"] == "per-child")
        if step == "5":
            return by[("5", "dicts to JSON Lines (orjson)", "orjson")]["wall"]
        return None

    print()
    print(
        f"children {children:,}; events {rows[2].get('rows', 0):,}; findings {findings:,}; "
        f"as of {AS_OF}; each figure the best of {REPEAT} runs"
    )
    print(
        f"per-child engine, whole `timescales check` (one run, start-up included): "
        f"{check_s:.2f} s = {check_s / floor:.1f}x the I/O floor"
    )
    print()
    print(
        "| step | what | library | rows | wall s | CPU s | x floor | x per-child equiv. | check |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        eq = equivalent(r)
        ratio = (
            "" if eq is None or r["lib"] in ("per-call", "per-child") else f"{r['wall'] / eq:.2f}"
        )
        rows_n = f"{r['rows']:,}" if "rows" in r else ""
        print(
            f"| {r['step']} | {r['what']} | {r['lib']} | {rows_n} | {r['wall']:.3f} | "
            f"{r['cpu']:.3f} | {r['wall'] / floor:.2f} | {ratio} | {r.get('check', '')} |"
        )
    print(f"| 1 | I/O floor (decode + encode) | floor | | {floor:.3f} | | 1.00 | | |")
    print()
    print(
        "x per-child equiv.: the row's wall time over the per-child engine's doing the same: "
        "2 its reading of the input (api.parse_record: orjson + validation into records), "
        "3 the per-call loop, 4 the per-child engine checking that one rule for every child "
        "(records already read), 5 orjson over dicts (the current path). rows: the table's "
        "rows (2), the dates computed (3), the instances found (4: the engine's findings)."
    )

    rule = info["rule"]
    print()
    print(
        f"step 4 rule {rule['id']}: clock {rule['clock']}, met_by {rule['met_by']}, "
        f"{rule['limit']} working days, match {rule['match']}, closed_by {rule['closed_by']}, "
        f"effective from {rule['effective']}; the engine's findings for it: {rule['engine']:,}"
    )
    for lib in ("polars", "duckdb"):
        agree = rule[lib]
        print(
            f"  {lib}: {agree['equal']:,} tuples equal, {agree['differing']:,} differing "
            f"(of ours), {agree['engine_not_matched']:,} of the engine's not matched"
        )
        for cause, count in agree["causes"].items():
            print(f"    {count:,}: {cause}")
            for ex in agree["examples"][cause]:
                print(
                    f"      e.g. probe {ex['probe']} / engine {ex['engine']} / close {ex['close']}"
                )

    def fastest(step: str, libs: tuple[str, ...]) -> tuple[float, str]:
        """The fastest row of a step among these libraries whose check passed (if it has one)."""
        found = [
            (r["wall"], f"{r['what']} [{r['lib']}]")
            for r in rows
            if r["step"] == step
            and r["lib"] in libs
            and r.get("check", "identical") in ("identical", "byte-identical")
            and "day-index" not in r["what"]
        ]
        return min(found) if found else (float("nan"), "none")

    def calendar_s(lib: str) -> float:
        return sum(r["wall"] for r in rows if r["step"] == "3" and r["lib"] == lib)

    rules_in_pack = info.get("rules_in_pack", 0)
    print()
    print(
        "summary: the building blocks added up (2 input to columns, 3 working days and months "
        "over every event date, 4 one deadline rule, 5 findings out as bytes), as a multiple "
        "of the I/O floor; for each step the fastest variant of the library that passed its "
        "check (named below the table)"
    )
    print(
        f"'pack estimate': the one rule's time taken {rules_in_pack} times (the rules with "
        "findings in OUT), a rough figure: most rules are more than one join"
    )
    print()
    print(
        "| library | 2 in | 3 calendar | 4 one rule | 5 out | sum s | x floor | pack est. x floor |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    plans = {
        "polars": (
            fastest("2", ("polars", "orjson+lists")),
            calendar_s("polars"),
            fastest("4", ("polars",)),
            fastest("5", ("polars",)),
        ),
        "duckdb": (
            fastest("2", ("duckdb",)),
            calendar_s("duckdb"),
            fastest("4", ("duckdb",)),
            fastest("5", ("duckdb",)),
        ),
        "per-child (current)": (
            fastest("2", ("per-child",)),
            calendar_s("per-call"),
            fastest("4", ("per-child",)),
            fastest("5", ("orjson",)),
        ),
    }
    chosen = []
    for lib, ((a, how_a), b, (c, how_c), (d, how_d)) in plans.items():
        total = a + b + c + d
        pack = f"{(a + b + c * rules_in_pack + d) / floor:.1f}"
        if lib.startswith("per-child"):  # its one rule carries the per-child overhead
            pack = f"{check_s / floor:.1f} (the whole run, measured)"
        print(
            f"| {lib} | {a:.3f} | {b:.3f} | {c:.3f} | {d:.3f} | {total:.3f} | "
            f"{total / floor:.2f} | {pack} |"
        )
        chosen.append(f"  {lib}: 2 {how_a}; 4 {how_c}; 5 {how_d}")
    print("\n".join(chosen))
    print()
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    print(
        f"versions: {versions}; threads: polars {info['threads']['polars']}, duckdb "
        f"{info['threads']['duckdb']} ({os.cpu_count()} cores)"
    )
    print(f"events table columns (polars): {', '.join(info['events_columns'])}")
    print(f"findings' extra keys, in their order: {', '.join(info['extras'])}")


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--children", type=int, default=20_000, help="children; 20,000")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs of each (fastest); 3")
    parser.add_argument(
        "--measure", nargs=3, metavar=("INPUT", "FINDINGS", "AS_OF"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    REPEAT = args.repeat
    if args.measure:
        data, findings, as_of = args.measure
        measure(Path(data), Path(findings), as_of)
        return

    python = probe_python()
    print(f"probe environment: {python}")
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data, out = work / "children.jsonl", work / "findings.jsonl"
        run_cli(
            "generate",
            "--children",
            str(args.children),
            "--seed",
            SEED,
            "--as-of",
            AS_OF,
            "-o",
            str(data),
        )
        check_s = run_cli(
            "check", str(data), "--as-of", AS_OF, "--format", "jsonl", "-o", str(out), "-q"
        )
        rule_ids = {json.loads(line)["rule"] for line in out.open("rb")}
        findings = sum(1 for _ in out.open("rb"))
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["TIMESCALES_CACHE_DIR"] = str(work / "cache")
        proc = subprocess.run(
            [
                str(python),
                str(Path(__file__).resolve()),
                "--measure",
                str(data),
                str(out),
                AS_OF,
                "--repeat",
                str(REPEAT),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        if proc.returncode != 0:
            raise SystemExit(f"the measurements failed (exit {proc.returncode})")
    data_out = json.loads(proc.stdout.strip().splitlines()[-1])
    data_out["info"]["rules_in_pack"] = len(rule_ids)
    report(args.children, data_out, check_s, findings)
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")
    print(f"(measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)")


if __name__ == "__main__":
    main()
