"""The command line: a thin layer over the library API; an error is one message, no traceback.

Exit codes (``ExitCode``): 0 no breach; 1 at least one late, overdue or unmet finding; 2 usage
error, or nothing could be checked (unreadable input, every record rejected, rejects above
--max-rejects).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import orjson

from .dates import DateError, parse_iso, suggest_iso
from .errors import InputError, RecordError, TimescalesError, UsageError
from .reporters import FORMATS as OUTPUT_FORMATS
from .reporters import stdout_is_tty, write_findings, write_quality
from .version import __version__

# The rule engine, the pipeline and the importers are imported by the commands that use them,
# not here: `--version`, `rules list` and `rules show` start without them (docs/scaling.md).
if TYPE_CHECKING:
    from .findings import DataQualityFinding, Finding
    from .importers import Item
    from .pipeline import Pipeline, Summary
    from .records import ChildRecord, WorkerRecord
    from .ruleset.ruleset import RuleSet


class ExitCode(enum.IntEnum):
    OK = 0
    BREACHES = 1
    ERROR = 2


class _InputFormats(Sequence[str]):
    """``--input-format``'s choices: the importers' registry, read when argparse first asks
    (an option given, or help), so that building the parser imports no importer."""

    def _names(self) -> tuple[str, ...]:
        from .importers import FORMATS

        return FORMATS

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


INPUT_FORMATS: Sequence[str] = _InputFormats()


PSEUDONYM_KEY = "TIMESCALES_PSEUDONYM_KEY"


def _pseudonym_key() -> bytes:
    key = os.environ.get(PSEUDONYM_KEY, "")
    if len(key) < 16:
        raise UsageError(
            f"--pseudonymise needs a secret of 16 or more characters in ${PSEUDONYM_KEY}"
        )
    return key.encode()


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """A keyed hash of child ids (HMAC-SHA256, 16 hex digits): stable for one key, so reports
    shared outside the council still link findings of one child, and irreversible without it."""

    def hide(child: str) -> str:
        return "P-" + hmac.new(key, child.encode(), hashlib.sha256).hexdigest()[:16]

    return hide


def _council_options(parser: argparse.ArgumentParser, settings: bool = True) -> None:
    parser.add_argument(
        "--la", help="the local authority whose plugin applies (see 'plugins list')"
    )
    parser.add_argument(
        "-p",
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="load this plugin module too (repeatable); TIMESCALES_DISABLE_PLUGIN_AUTOLOAD=1 "
        "turns off installed plugins",
    )
    if not settings:  # the service reads its council from its environment (docs/service.md)
        return
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="the council's values for rules whose numbers no source gives (YAML: name: value; "
        "a rule whose setting is missing is not assessed, and says so)",
    )


def _date_option(option: str) -> Callable[[str], dt.date]:
    """An option's date: ISO YYYY-MM-DD only, as records are read (``dates.parse_iso``).
    Anything else is one line naming the option and, when the text can be read as a date, the
    ISO form to type instead: a UsageError raised through argparse (exit 2, no usage text)."""

    def parse(text: str) -> dt.date:
        with contextlib.suppress(DateError):
            return parse_iso(text)
        wants = f"{option} takes an ISO date YYYY-MM-DD"
        try:
            parse_iso(text.strip())
        except DateError as exc:
            if exc.fault == "calendar":
                raise UsageError(f"{wants}: {text.strip()} is not a calendar date") from None
        suggestion = suggest_iso(text)
        if suggestion is not None:
            raise UsageError(f"{wants}: use {suggestion.isoformat()}")
        raise UsageError(f"{wants}, e.g. 2024-03-31")

    return parse


def _rule_ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="timescales",
        description="Check children's social care case records against statutory timescales.",
    )
    p.add_argument("--version", action="version", version=f"timescales {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _check_parser(sub)
    _rules_parser(sub)
    _plugins_parser(sub)
    errors = sub.add_parser("errors", help="list the stable error codes (docs/errors.md)")
    errors.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    schema = sub.add_parser("schema", help="print the JSON Schema of a canonical record")
    schema.add_argument("-o", "--output", type=Path)
    schema.add_argument(
        "--workers",
        action="store_true",
        help="the schema of a canonical worker record (docs/importers/workers.md)",
    )
    _generate_parser(sub)
    convert = sub.add_parser("convert", help="write any supported input as canonical JSON Lines")
    _run_options(convert, council=False, rules=False, quiet=False)
    convert.add_argument("-o", "--output", type=Path)
    convert.add_argument(
        "--workers",
        type=Path,
        metavar="FILE",
        help="write the worker records read (a workers file, an SSD extract's professionals) "
        "here, as canonical JSON Lines: worker records go in a file of their own",
    )
    _report_parser(sub)
    _worklist_parser(sub)
    _serve_parser(sub)
    return p


# the subcommands of the parser
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _run_options(
    cmd: argparse.ArgumentParser,
    *,
    as_of: str | None = None,
    paths: str | None = None,
    council: bool = True,
    rules: bool = True,
    quiet: bool = True,
) -> None:
    """The options of the commands that run the pipeline (check, report, worklist, convert):
    the inputs and how to read them, the council, the as-of date and the rules."""
    cmd.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=paths)
    if council:
        _council_options(cmd)
    if as_of is not None:
        cmd.add_argument("--as-of", required=True, type=_date_option("--as-of"), help=as_of)
    if rules:
        cmd.add_argument("--rules", type=_rule_ids, help="only these rule IDs, comma-separated")
    # the choices are set after the option is added: argparse lists them when adding it (to
    # check a metavar), and that would import every importer for any command
    cmd.add_argument("--input-format", default="auto").choices = INPUT_FORMATS
    cmd.add_argument(
        "--collection-year",
        type=_collection_year,
        metavar="YYYY-YY",
        help="the collection year of a return whose file names do not say it (2023-24): its "
        "reviews and other in-year tables are known from 1 April of that year",
    )
    if quiet:
        cmd.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")


def _check_parser(sub: Subparsers) -> None:
    check = sub.add_parser("check", help="check case records and report findings")
    _run_options(
        check,
        as_of="the date to check as of, YYYY-MM-DD (required)",
        paths="case-record files or directories; - reads JSON Lines from standard input",
    )
    check.add_argument(
        "--format",
        default="table",
        help=f"{', '.join(OUTPUT_FORMATS)}, xlsx (with -o) or a plugin's format",
    )
    check.add_argument("-o", "--output", type=Path, help="write findings here (default stdout)")
    check.add_argument("--data-quality", type=Path, help="write data-quality notes (JSON Lines)")
    check.add_argument(
        "--rejects",
        type=Path,
        help="write every rejected record or row, with code, place, field and value class, as "
        "CSV (or JSON Lines for a .jsonl path)",
    )
    check.add_argument(
        "--max-rejects",
        default=None,
        help="exit 2 if more than N records (children and rows) are rejected, or more than N%% "
        "of the children or of the rows read",
    )
    check.add_argument(
        "--aggregates", type=Path, metavar="FILE", help="write the aggregates here (JSON)"
    )
    check.add_argument("--iros", type=Path, metavar="FILE", help="IRO list CSV (iro,fte)")
    check.add_argument(
        "--workforce",
        type=Path,
        metavar="FILE",
        help="write the worker findings (supervision, induction, training) here (JSON Lines)",
    )
    check.add_argument(
        "--engine",
        choices=("python", "durable"),
        default="python",
        help="evaluator: python (default) or durable (durable-rules, in worker processes)",
    )
    check.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="check in N worker processes (0: one per core); output as with 1",
    )
    check.add_argument(
        "--max-events", type=int, default=100_000, help="reject a child with more events"
    )
    check.add_argument(
        "--max-record-bytes",
        type=_byte_size,
        default=16 * 1024 * 1024,
        metavar="SIZE",
        help="reject unread a record (JSON Lines line) longer than this (default 16M; "
        "K, M and G suffixes are binary)",
    )
    check.add_argument(
        "--pseudonymise",
        action="store_true",
        help=f"replace child ids in every output by a keyed hash (key from ${PSEUDONYM_KEY})",
    )


def _rules_parser(sub: Subparsers) -> None:
    rules = sub.add_parser("rules", help="list the rules or explain one")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listing = rules_sub.add_parser("list", help="list loaded rules with their citations")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    _council_options(listing)
    show = rules_sub.add_parser("show", help="explain one rule: what, why, counting, example")
    show.add_argument("rule_id")
    _council_options(show)
    docs = rules_sub.add_parser("docs", help="write a Markdown page per rule and a catalogue")
    docs.add_argument("directory", type=Path)
    _council_options(docs)


def _plugins_parser(sub: Subparsers) -> None:
    plugins = sub.add_parser("plugins", help="installed councils: rules, overrides, targets")
    plugins_sub = plugins.add_subparsers(dest="plugins_command", required=True, metavar="ACTION")
    plugins_list = plugins_sub.add_parser("list", help="list installed council plugins")
    plugins_list.add_argument("--format", choices=("table", "json"), default="table")
    plugins_list.add_argument("-p", "--plugin", action="append", default=[], metavar="MODULE")


def _generate_parser(sub: Subparsers) -> None:
    gen = sub.add_parser("generate", help="write synthetic case records (canonical JSON Lines)")
    gen.add_argument("--children", type=int, required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument(
        "--lateness",
        type=float,
        default=None,
        help="chance every timescale is missed (default: each its own rate; docs/testing-kit.md)",
    )
    gen.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="NAME=P",
        help="one rate, e.g. pf_first_visit=0.28 or lac_seen_alone=0.5 (repeatable; an unknown "
        "name lists the known ones)",
    )
    gen.add_argument(
        "--as-of", type=_date_option("--as-of"), default=None, help="no event after this date"
    )
    gen.add_argument("--format", choices=("jsonl",), default="jsonl")
    gen.add_argument("-o", "--output", type=Path)


def _report_parser(sub: Subparsers) -> None:
    report = sub.add_parser("report", help="write the performance report (one HTML file)")
    _run_options(report, as_of="the date to report as of")
    report.add_argument("-o", "--output", required=True, type=Path, help="the HTML file")
    report.add_argument("--iros", type=Path, metavar="FILE", help="IRO list CSV (iro,fte)")
    report.add_argument(
        "--since",
        type=_date_option("--since"),
        help="start of the period for counts (default: 12 months to as-of)",
    )
    report.add_argument(
        "--max-rejects",
        default="5%",
        help="above this many rejected records (N, or N%% of the children or rows read; default "
        "5%%) the report says in red that its figures are not reliable, and the exit code is 2",
    )


def _worklist_parser(sub: Subparsers) -> None:
    work = sub.add_parser(
        "worklist", help="what is overdue or falls due soon, and unmet visits, per team/worker"
    )
    _run_options(work, as_of="the date to list as of")
    work.add_argument("--within", type=int, default=14, metavar="DAYS", help="days ahead (14)")
    work.add_argument("--format", choices=("table", "csv", "html"), default="table")
    work.add_argument("-o", "--output", type=Path, help="write the list here (default stdout)")
    work.add_argument("--team", action="append", default=[], help="only this team (repeatable)")
    work.add_argument("--worker", action="append", default=[], help="only this worker (repeatable)")


def _serve_parser(sub: Subparsers) -> None:
    serve = sub.add_parser(
        "serve", help="run the HTTP service (needs the 'service' extra); see docs/embedding.md"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    _council_options(serve, settings=False)
    serve.add_argument("--max-body-bytes", type=int, help="largest /check body (10 MiB)")
    serve.add_argument("--max-records", type=int, help="most children per /check (1000)")
    serve.add_argument("--timeout", type=float, help="seconds to read and check a /check (30)")
    serve.add_argument("--no-access-log", action="store_true", help="no JSON access log")


@contextlib.contextmanager
def output(path: Path | None) -> Iterator[IO[str]]:
    """Stdout, or a file written to a temporary name and renamed only when complete (so Ctrl-C
    or an error never leaves a partial report behind)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if path.exists() and not path.is_file():
        # a device or a pipe (-o /dev/null, -o /dev/stdout, a FIFO): written straight to, never
        # replaced by a regular file (renaming over /dev/null as root would destroy the device)
        if path.is_dir():
            raise UsageError(f"-o {path}: is a directory")
        with path.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        # mkstemp makes the file owner-only; give it the permissions any new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _byte_size(text: str) -> int:
    """A size for an option: 4096, 512K, 16M, 1G (binary multiples)."""
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().removesuffix("B").removesuffix("I"), 1
    if number[-1:] in scale:
        number, unit = number[:-1], scale[number[-1]]
    try:
        size = int(number) * unit
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4096, 512K, 16M)") from None
    if size < 1:
        raise argparse.ArgumentTypeError("a size must be at least 1 byte")
    return size


def _reject_limit(limit: str | None) -> str | None:
    """``--max-rejects`` checked before the run: N or N% (N a number, 0 to 100 for N%)."""
    if limit is None:
        return None
    from .pipeline import Summary

    try:
        Summary().rejects_over(limit)
    except ValueError:
        raise UsageError(f"--max-rejects takes N or N%, not {limit!r}") from None
    return limit


# --rejects CSV columns; value_class (the kind of value at fault, never the value) came last so
# that readers of the older six columns keep working. A .jsonl path gets JSON Lines instead.
REJECT_COLUMNS = ["source", "line", "pointer", "code", "field", "reason", "value_class"]


def _reject_row(err: TimescalesError) -> list[object]:
    loc = err.location
    return [
        loc.source if loc else "",
        loc.line if loc and loc.line is not None else "",
        loc.pointer if loc and loc.pointer else "",
        err.code,
        err.field or "",
        err.message,
        err.value_class or "",
    ]


def _reject_writer(fh: IO[str], path: Path) -> Callable[[TimescalesError], None]:
    """Write each rejection to ``fh``: CSV (REJECT_COLUMNS), or JSON Lines for a .jsonl path."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):

        def write_json(err: TimescalesError) -> None:
            fh.write(orjson.dumps(err.as_dict()).decode() + "\n")

        return write_json
    writer = csv.writer(fh)
    writer.writerow(REJECT_COLUMNS)
    return lambda err: writer.writerow(_reject_row(err)) and None


def _collection_year(text: str) -> int:
    """``--collection-year``: 2023-24 (or 2024, the year it ends): the year ending 31 March."""
    match = re.fullmatch(r"(\d{4})(?:[-/](\d{2}|\d{4}))?", text.strip())
    if match is None:
        raise argparse.ArgumentTypeError("give the collection year as 2023-24 (or 2024)")
    first = int(match.group(1))
    return first + 1 if match.group(2) else first


def _counting_run(ruleset: RuleSet, args: argparse.Namespace) -> Pipeline:
    """A run for the report and the worklist: rejects and notes are counted, not kept; an
    unreadable input is said at once."""
    from .pipeline import Pipeline

    return Pipeline(
        ruleset,
        args.as_of,
        on_reject=lambda err: None,
        on_quality=lambda note: None,
        on_input_error=_say_input_error,
        collection_year=args.collection_year,
    )


NOTHING_CHECKED = "error: nothing could be checked"


def _read(run: Pipeline, args: argparse.Namespace, extra: Any = None) -> Iterator[Item] | None:
    """The run's items from the inputs (planned now), or None when no input could be read
    (each said why)."""
    items = run.items(args.paths, args.input_format, extra)
    if not run.planned:
        print(NOTHING_CHECKED, file=sys.stderr)
        return None
    return items


def _outcome(summary: Summary, limit: str | None, after: str = "") -> ExitCode | None:
    """Exit 2 when nothing could be checked (no child and no worker record) or the rejections
    exceed ``--max-rejects``."""
    if summary.checked == 0 and summary.workers == 0:
        print(NOTHING_CHECKED, file=sys.stderr)
        return ExitCode.ERROR
    over = summary.rejects_over(limit)
    if over:
        print(f"error: rejected records exceed --max-rejects: {over}{after}", file=sys.stderr)
        return ExitCode.ERROR
    return None


def _say_input_error(err: InputError) -> None:
    """A whole input that cannot be read: said at once; the run goes on with the others."""
    print(f"error: {describe(err)}", file=sys.stderr)


def said_rejected(err: TimescalesError) -> str:
    """A rejection on the console: a file skipped (E407), or a record or row rejected."""
    label = "skipped" if err.code == "E407" else "rejected"
    return f"{label}: {describe(err)}"


def describe(err: TimescalesError) -> str:
    """One line for people: code, place, message, and the kind of value found (never the value)."""
    text = f"{err.code} {err}"
    if err.value_class:
        text += f" [value: {err.value_class}]"
    return text


class _CheckSinks:
    """Where ``check`` sends rejections (the first 20 said, all to ``--rejects``), unreadable
    inputs and data-quality notes (``--data-quality``), pseudonymised if asked."""

    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
        self.shown: list[RecordError] = []  # the first 20 (children, rows, files, tables)
        self.rejections = 0
        self.writer = None
        if args.rejects:
            self.writer = _reject_writer(stack.enter_context(output(args.rejects)), args.rejects)
        self.quality_file = (
            stack.enter_context(output(args.data_quality)) if args.data_quality else None
        )
        self.hide = pseudonymiser(_pseudonym_key()) if args.pseudonymise else None

    def on_reject(self, err: RecordError) -> None:
        self.rejections += 1
        if len(self.shown) < 20:
            self.shown.append(err)
        if self.writer is not None:
            self.writer(err)

    def on_input_error(self, err: InputError) -> None:
        # a whole input that cannot be read: said at once, written with the rejects, and
        # the run goes on with the other inputs
        print(f"error: {describe(err)}", file=sys.stderr)
        if self.writer is not None:
            self.writer(err)

    def on_quality(self, note: DataQualityFinding) -> None:
        if self.quality_file is None:
            return
        if self.hide is not None:
            note = dataclasses.replace(note, child=self.hide(note.child))
        write_quality([note], self.quality_file)

    def said(self) -> None:
        for err in self.shown:
            print(said_rejected(err), file=sys.stderr)
        if self.rejections > len(self.shown):
            more = self.rejections - len(self.shown)
            print(f"… and {more} more (see --rejects)", file=sys.stderr)


def _check_usage(args: argparse.Namespace, council: Any) -> Any:
    """Refuse what ``check`` cannot do before anything is read; the plugin's writer of
    ``--format``, if it is one."""
    writer = council.reporters.get(args.format)
    if writer is None and args.format not in (*OUTPUT_FORMATS, "xlsx"):
        known = ", ".join([*OUTPUT_FORMATS, "xlsx", *council.reporters])
        raise UsageError(f"unknown --format {args.format!r} (known: {known})")
    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    aggregated = args.format == "xlsx" or args.aggregates is not None
    if aggregated and (args.jobs != 1 or args.engine != "python"):
        raise UsageError("--format xlsx and --aggregates run with --jobs 1 and --engine python")
    _stdin_once(args.paths)
    _reject_limit(args.max_rejects)
    if args.jobs != 1 and any(str(p) == "-" for p in args.paths):
        raise UsageError("standard input (-) is read by one process: drop --jobs")
    return writer


def cmd_check(args: argparse.Namespace) -> ExitCode:
    from .pipeline import Pipeline
    from .ruleset.pack import build_ruleset, load_council

    _, council = load_council(args.la, args.plugin)
    ruleset = build_ruleset(council, rules=args.rules, settings=args.settings)
    writer = _check_usage(args, council)
    aggregator = None
    with contextlib.ExitStack() as stack:
        sinks = _CheckSinks(args, stack)
        run = Pipeline(
            ruleset,
            args.as_of,
            on_reject=sinks.on_reject,
            on_quality=sinks.on_quality,
            max_events=args.max_events,
            max_record_bytes=args.max_record_bytes,
            on_input_error=sinks.on_input_error,
            collection_year=args.collection_year,
        )
        items = _read(run, args, council.importers)
        if items is None:  # no output at all
            return ExitCode.ERROR
        out = stack.enter_context(output(None if args.format == "xlsx" else args.output))
        colour = args.output is None and args.format == "table" and stdout_is_tty()
        if args.format == "xlsx" or args.aggregates is not None:
            aggregator = _check_aggregated(args, run, items, out, writer, colour, sinks.hide)
        elif args.jobs != 1 or args.engine != "python" or _by_range(run):
            # JSON Lines files in one process are read and checked as a worker does (faster)
            from .parallel import check_and_write
            from .progress import counting

            with counting(args.paths, quiet=args.quiet) as progress:
                check_and_write(
                    run,
                    args.paths,
                    args.input_format,
                    council.importers,
                    out,
                    fmt=args.format,
                    writer=writer,
                    colour=colour,
                    jobs=args.jobs,
                    engine=args.engine,
                    notice=None if args.quiet else sys.stderr,
                    hide=sinks.hide,
                    progress=progress,
                )
        else:
            from .progress import track_paths

            found = run.findings(track_paths(items, args.paths, quiet=args.quiet))
            if sinks.hide is not None:
                found = _hidden(found, sinks.hide)
            if writer is not None:
                writer(found, out)
            else:
                write_findings(found, args.format, out, colour)
    summary = run.summary
    if args.workforce is not None:
        _write_workforce(args.workforce, run, aggregator, sinks.hide)
    if args.aggregates is not None and aggregator is not None:
        with output(args.aggregates) as fh:
            data = aggregator.to_dict(summary)
            fh.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    if not args.quiet:
        _say_check(args, run, ruleset, sinks)
    failed = _outcome(summary, args.max_rejects)
    if failed is not None:
        return failed
    return ExitCode.BREACHES if summary.breaches else ExitCode.OK


def _by_range(run: Pipeline) -> bool:
    """Every input of the run is a JSON Lines file read by byte range (``parallel.by_range``)."""
    from .parallel import by_range

    return by_range(run.planned)


def _write_workforce(
    path: Path, run: Pipeline, aggregator: Any, hide: Callable[[str], str] | None
) -> None:
    """``check --workforce FILE``: the worker findings, one JSON object a line (by worker,
    rule, anchor); never in the main output, and not part of the exit code."""
    if aggregator is not None:
        found = aggregator.worker_findings()
    else:
        from .workforce import evaluate

        found = evaluate(run.ruleset, run.workers, run.as_of)
    with output(path) as fh:
        for finding in found:
            if hide is not None:
                finding = dataclasses.replace(finding, worker=hide(finding.worker))
            fh.write(orjson.dumps(finding.to_dict()).decode() + "\n")


def _hidden(found: Iterable[Finding], hide: Callable[[str], str]) -> Iterator[Finding]:
    """The findings with their child ids pseudonymised."""
    for finding in found:
        yield dataclasses.replace(finding, child=hide(finding.child))


def _check_aggregated(
    args: argparse.Namespace,
    run: Pipeline,
    items: Iterator[Item],
    out: IO[str],
    writer: Any,
    colour: bool,
    hide: Callable[[str], str] | None,
) -> Any:
    """``check --format xlsx`` or ``--aggregates``: the findings aggregated as they pass."""
    from .aggregates.summary import Aggregator
    from .aggregates.workload import read_iro_list
    from .progress import track_paths

    iros = read_iro_list(args.iros) if args.iros else None
    aggregator = Aggregator(run.ruleset, args.as_of, iro_list=iros)
    run.on_worker = aggregator.add_worker
    stream = aggregator.stream(run.checked(track_paths(items, args.paths, quiet=args.quiet)))
    if hide is not None:
        stream = _hidden(stream, hide)
    if args.format == "xlsx":
        from .reporters.xlsx import write_run_xlsx

        write_run_xlsx(
            stream,
            aggregator,
            args.output,
            summary=run.summary,
            hide=hide,
            max_rejects=args.max_rejects,
        )
    elif writer is not None:
        writer(stream, out)
    else:
        write_findings(stream, args.format, out, colour)
    return aggregator


def _say_check(
    args: argparse.Namespace, run: Pipeline, ruleset: RuleSet, sinks: _CheckSinks
) -> None:
    """What ``check`` says on stderr: inputs, notices, rejections, rules set aside, targets,
    then the summary line."""
    summary = run.summary
    if args.input_format == "auto":
        for path, name in summary.formats.items():
            print(f"input: {path} read as {name}", file=sys.stderr)
    for notice in run.notices:
        print(f"notice: {notice}", file=sys.stderr)
    sinks.said()
    for rule_id, why in sorted(ruleset.inactive.items()):
        print(f"inactive: {rule_id}: {why}", file=sys.stderr)
    for rule_id, why in sorted(summary.not_assessable.items()):
        print(f"not assessable: {rule_id}: {why}", file=sys.stderr)
    for line in summary.not_assessed_lines():
        print(f"not assessed: {line}", file=sys.stderr)
    for target in ruleset.targets:
        rate, total = summary.on_time_rate(target.rules)
        if rate is None:
            print(f"target {target.name}: no findings to measure", file=sys.stderr)
            continue
        verdict = "met" if rate >= target.target else "missed"
        print(
            f"target {target.name}: {rate:.0%} on time of {total} against {target.target:.0%}"
            f" ({verdict})",
            file=sys.stderr,
        )
    print(summary.line(), file=sys.stderr)


def cmd_rules(args: argparse.Namespace) -> ExitCode:
    from . import rulecache

    cache_key = entry = None
    if args.rules_command in ("list", "show") and args.settings is None:
        # what these print, from the cache while the rule files, the plugin set and the
        # package are unchanged (``rulecache``); otherwise loaded below and cached again
        # (not with --settings: the council's values change what is printed)
        cache_key = rulecache.key(args.la, args.plugin)
        entry = rulecache.lookup(cache_key) if cache_key is not None else None
        if entry is not None and _rules_cached(args, entry):
            return ExitCode.OK
    from .docs import render
    from .ruleset.pack import build_ruleset, load_council

    _, council = load_council(args.la, args.plugin)
    sources = [str(path) for _, path in (*council.packs, *council.overrides, *council.targets)]
    digest = rulecache.sources_digest(sources) if cache_key is not None else ""
    ruleset = build_ruleset(council, settings=args.settings)
    if args.rules_command == "docs":
        from .docs import pages

        args.directory.mkdir(parents=True, exist_ok=True)
        written = pages(list(ruleset.rules))
        for name, text in written.items():
            with output(args.directory / name) as fh:
                fh.write(text)
        print(f"wrote {len(written)} pages to {args.directory}", file=sys.stderr)
        return ExitCode.OK
    shown_id, page = None, ""
    if args.rules_command == "show":
        rule = ruleset.by_id.get(args.rule_id.upper())
        unsettled = {u.id: u for u in ruleset.unsettled}.get(args.rule_id.upper())
        if unsettled is not None:
            shown_id = unsettled.id
            page = (
                f"# {unsettled.id} {unsettled.name}\n\n{unsettled.title}\n\n"
                f"Not assessed in this run: {unsettled.why}.\n\nRule file: {unsettled.source}\n"
            )
        elif rule is None:
            raise UsageError(_unknown_rule(args.rule_id))
        else:
            shown_id = rule.id
            page = render(rule, list(ruleset.rules), ruleset.overrides, ruleset.local_rules)
    from .api import rule_rows

    rows = rule_rows(ruleset)
    if cache_key is not None:
        shown = entry.shown if entry is not None and entry.digest == digest else {}
        if shown_id is not None:
            shown[shown_id] = page
        # the rows as JSON gives them back, so a cached listing prints what this one does
        rows = orjson.loads(orjson.dumps(rows))
        shown[UNSETTLED_LINES] = _unsettled_lines(ruleset)
        rulecache.save(cache_key, rulecache.Entry(ruleset.la, rows, sources, digest, shown))
    if shown_id is not None:
        sys.stdout.write(page)
        return ExitCode.OK
    _print_rule_rows(args, rows, ruleset.la, _unsettled_lines(ruleset))
    return ExitCode.OK


# the cache entry's key for the lines ``rules list`` prints after its table (never a rule id)
UNSETTLED_LINES = ""


def _unsettled_lines(ruleset: RuleSet) -> str:
    """What ``rules list`` says after its table of the rules waiting for a council setting."""
    return "".join(
        f"not assessed: {u.id} {u.name}: the council's setting "
        f"{', '.join(u.missing)} is not given (--settings FILE)\n"
        for u in ruleset.unsettled
    )


def _unknown_rule(rule_id: str) -> str:
    return f"unknown rule id {rule_id!r}; see 'timescales rules list'"


def _print_rule_rows(
    args: argparse.Namespace, rows: list[dict[str, Any]], la: str | None, after: str = ""
) -> None:
    if args.format == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(_rules_table(rows, la) + after)


def _rules_cached(args: argparse.Namespace, entry: Any) -> bool:
    """``rules list`` or ``rules show`` printed from a cache entry; False when the entry does
    not hold the page asked for (a rule not shown since the entry was written)."""
    if args.rules_command == "list":
        _print_rule_rows(args, entry.rows, entry.la, entry.shown.get(UNSETTLED_LINES, ""))
        return True
    page = entry.shown.get(args.rule_id.upper()) if args.rule_id.strip() else None
    if page is None:
        return False  # loaded below (an unknown id is said there)
    sys.stdout.write(page)
    return True


def _rules_table(rows: Sequence[dict[str, Any]], la: str | None) -> str:
    """``rules list`` as a table with a header row; with a council, its limit beside the
    national one where an override replaces it ("local rule" for its own rules)."""
    heads = ["id", "name", "limit"]
    if la is not None:
        heads.append(f"{la} limit")
    heads.append("citation")
    table = []
    for row in rows:
        cells = [row["id"], row["name"], row["limit"]]
        if la is not None:
            if "council_limit" in row:
                cells.append(f"{row['council_limit']} ({row['override']})")
            else:
                cells.append("local rule" if row.get("local") else "same")
        cells.append(row["citation"])
        table.append(cells)
    # columns as wide as their widest cell, up to a cap: a longer cell pushes its row along
    caps = [8, 34, 26, 34, 0][: len(heads) - 1]
    widths = [
        min(cap, max(len(h), *(len(r[k]) for r in table)))
        for k, (h, cap) in enumerate(zip(heads, caps, strict=False))
    ]
    lines = []
    for cells in [heads, *table]:
        text = "".join(f"{c:<{w}}  " for c, w in zip(cells, widths, strict=False))
        lines.append((text + cells[-1]).rstrip())
    return "\n".join(lines) + "\n"


def cmd_errors(args: argparse.Namespace) -> ExitCode:
    from .docs import errors_markdown
    from .errors import CODES

    if args.format == "json":
        rows = [{"code": code, "meaning": meaning} for code, meaning in CODES.items()]
        print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
    elif args.format == "markdown":
        sys.stdout.write(errors_markdown())
    else:
        for code, meaning in CODES.items():
            print(f"{code}  {meaning}")
    return ExitCode.OK


def cmd_schema(args: argparse.Namespace) -> ExitCode:
    from .records import json_schema, worker_json_schema

    schema = worker_json_schema() if args.workers else json_schema()
    with output(args.output) as out:
        out.write(orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode() + "\n")
    return ExitCode.OK


def cmd_convert(args: argparse.Namespace) -> ExitCode:
    """Any supported input as canonical JSON Lines: the pipeline's reading and guard, no
    evaluation."""
    from .pipeline import Pipeline

    # nothing is checked, but importers ask the national rules for due dates (Annex A's gates)
    run = Pipeline(
        load_rules(),
        dt.date.max,
        on_input_error=_say_input_error,
        on_reject=lambda err: print(said_rejected(err), file=sys.stderr),
        on_row_reject=lambda err: print(f"rejected row: {describe(err)}", file=sys.stderr),
        on_quality=lambda note: None,
        collection_year=args.collection_year,
        max_events=sys.maxsize,  # nothing is evaluated
    )
    workers: list[WorkerRecord] = []

    def children(items: Iterable[Item]) -> Iterator[Item]:
        # worker records go to a file of their own (--workers), never among the children
        for item in items:
            if item.worker is not None:
                workers.append(item.worker)
            else:
                yield item

    with output(args.output) as out:
        items = children(run.items(args.paths, args.input_format))
        for record in run.records(items):
            out.write(_canonical_line(record))
    if args.workers is not None:
        with output(args.workers) as out:
            for worker in workers:
                out.write(_canonical_line(worker))
    summary = run.summary
    read, rejected = summary.read, summary.rejected
    rows = f"; rows rejected {summary.rows_rejected}" if summary.rows_rejected else ""
    print(
        f"records read {read}, written {read - rejected}, rejected {rejected}{rows}",
        file=sys.stderr,
    )
    if workers:
        said = (
            f"written to {args.workers}"
            if args.workers is not None
            else "not written: give --workers FILE (worker records go in a file of their own)"
        )
        print(f"worker records read {len(workers)}, {said}", file=sys.stderr)
    return ExitCode.OK if read > rejected or workers else ExitCode.ERROR


def _canonical_line(record: ChildRecord | WorkerRecord) -> str:
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)
    return orjson.dumps(data).decode() + "\n"


def load_rules(**options: Any) -> RuleSet:
    """``timescales.load_rules``, imported when first called (the rule engine is not imported
    with the command line)."""
    from .ruleset.pack import load_rules as load

    return load(**options)


def cmd_generate(args: argparse.Namespace) -> ExitCode:
    from .generate import DEFAULT_AS_OF, generate

    if args.children < 0:
        raise UsageError("--children must be 0 or more")
    rates: dict[str, float] = {}
    for item in args.rate:
        name, _, value = item.partition("=")
        try:
            rates[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--rate takes WHAT=P, not {item!r}") from None
    try:
        records = generate(
            args.children,
            seed=args.seed,
            lateness=args.lateness,
            rates=rates,
            as_of=args.as_of or DEFAULT_AS_OF,
        )
        with output(args.output) as out:
            for record in records:
                out.write(orjson.dumps(record).decode() + "\n")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return ExitCode.OK


def _plugin_rows(plugins: list[str]) -> list[dict[str, Any]]:
    """Each installed council: its rules, overrides, targets, calendars, importers, events."""
    from .docs import describe_limits
    from .ruleset.pack import build_ruleset, load_council

    loaded, _ = load_council(None, plugins)
    rows: list[dict[str, Any]] = []
    for plugin, authority in loaded.authorities():
        _, council = load_council(authority.name, plugins)
        ruleset = build_ruleset(council)
        rows.append(
            {
                "name": authority.name,
                "title": authority.title,
                "plugin": plugin,
                "distribution": loaded.distributions.get(plugin),
                "rules": sorted(
                    [
                        {
                            "id": r.id,
                            "name": r.name,
                            "title": r.title,
                            "citation": r.references[0].href,
                        }
                        for r in ruleset.rules
                        if r.id in ruleset.local_rules
                    ]
                    + [
                        {
                            "id": u.id,
                            "name": u.name,
                            "title": u.title,
                            "citation": u.citation,
                            "needs_settings": list(u.missing),
                        }
                        for u in ruleset.unsettled
                    ],
                    key=lambda row: str(row["id"]),
                ),
                "overrides": [
                    {
                        "name": active.override.name,
                        "rule": rule_id,
                        "limit": describe_limits(list(active.local)),
                        "national": describe_limits(list(active.national)),
                        "relaxes": active.override.relaxes,
                        "citation": active.override.references[0].href,
                    }
                    for rule_id, active in sorted(ruleset.overrides.items())
                ],
                "targets": [
                    {
                        "name": t.name,
                        "rules": t.rules,
                        "target": t.target,
                        "citation": t.references[0].href,
                    }
                    for t in ruleset.targets
                ],
                "closure_days": len(council.closure_days),
                "terms": len(council.terms),
                "importers": sorted(
                    name for name, owner in council.importer_plugins.items() if owner == plugin
                ),
                "event_types": sorted(council.event_types),
            }
        )
    return rows


def cmd_plugins(args: argparse.Namespace) -> ExitCode:
    rows = _plugin_rows(args.plugin)
    if args.format == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return ExitCode.OK
    if not rows:
        print("no council plugins installed")
    for row in rows:
        dist = f" ({row['distribution']})" if row["distribution"] else ""
        print(f"{row['name']}: {row['title']}{dist}")
        for rule in row["rules"]:
            needs = rule.get("needs_settings")
            note = f"  (needs the council's setting {', '.join(needs)})" if needs else ""
            print(f"  rule     {rule['id']}  {rule['name']:<34} {rule['citation']}{note}")
        for ov in row["overrides"]:
            relax = " RELAXES" if ov["relaxes"] else ""
            print(
                f"  override {ov['rule']}  {ov['limit']} (national {ov['national']}){relax}  "
                f"{ov['citation']}"
            )
        for tg in row["targets"]:
            print(
                f"  target   {','.join(tg['rules'])}  {tg['target']:.0%} on time  {tg['citation']}"
            )
        extras = []
        if row["closure_days"]:
            extras.append(f"{row['closure_days']} closure days")
        if row["terms"]:
            extras.append(f"{row['terms']} school terms")
        if row["importers"]:
            extras.append("importers: " + ", ".join(row["importers"]))
        if row["event_types"]:
            extras.append("event types: " + ", ".join(row["event_types"]))
        if extras:
            print("  " + "; ".join(extras))
    return ExitCode.OK


def cmd_serve(args: argparse.Namespace) -> ExitCode:
    """The HTTP service; the bearer token comes from TIMESCALES_API_TOKEN, never argv."""
    try:
        from .service.runner import serve
    except ModuleNotFoundError as exc:
        if exc.name not in ("fastapi", "uvicorn", "starlette"):
            raise
        raise UsageError(
            "the HTTP service needs the 'service' extra: pip install 'timescales[service]'"
        ) from None
    return ExitCode(serve(args))


def _stdin_once(paths: Sequence[Path]) -> None:
    """``-`` (standard input, JSON Lines) may be given once. An input that does not exist is
    not a usage error: the run says so (E101) and checks the others (``Pipeline.plan``)."""
    if sum(str(p) == "-" for p in paths) > 1:
        raise UsageError("standard input (-) can be read only once")


def cmd_report(args: argparse.Namespace) -> ExitCode:
    """The performance report: one self-contained HTML file (docs/reports.md)."""
    from .aggregates.workload import read_iro_list
    from .progress import track_paths
    from .reporters.html import write_report
    from .ruleset.pack import build_ruleset, load_council

    _, council = load_council(args.la, args.plugin)
    ruleset = build_ruleset(council, rules=args.rules, settings=args.settings)
    _stdin_once(args.paths)
    if args.since is not None and args.since > args.as_of:
        raise UsageError("--since must be on or before --as-of")
    iros = read_iro_list(args.iros) if args.iros else None
    limit = _reject_limit(args.max_rejects)
    run = _counting_run(ruleset, args)
    items = _read(run, args, council.importers)
    if items is None:  # no report
        return ExitCode.ERROR
    with output(args.output) as out:
        write_report(
            run.checked(track_paths(items, args.paths, quiet=args.quiet)),
            out,
            ruleset=run.ruleset,
            as_of=run.as_of,
            summary=run.summary,
            since=args.since,
            iro_list=iros,
            max_rejects=limit,
            workers=run.workers,
        )
    # the same Summary the report's banner was made from
    if not args.quiet:
        print(run.summary.line(), file=sys.stderr)
        print(f"report written to {args.output}", file=sys.stderr)
    failed = _outcome(run.summary, limit, "; the report says its figures are not reliable")
    return ExitCode.OK if failed is None else failed


def cmd_worklist(args: argparse.Namespace) -> ExitCode:
    """What is overdue and what falls due in the next --within days, per team and worker."""
    from . import worklist
    from .progress import track_paths
    from .ruleset.pack import build_ruleset, load_council

    _, council = load_council(args.la, args.plugin)
    ruleset = build_ruleset(council, rules=args.rules, settings=args.settings)
    _stdin_once(args.paths)
    if args.within < 0:
        raise UsageError("--within takes 0 or more days")
    run = _counting_run(ruleset, args)
    items = _read(run, args, council.importers)
    if items is None:  # no list
        return ExitCode.ERROR

    def supervision_due() -> Iterator[dict[str, Any]]:
        """The workers' supervision due, from the worker records the same pass read (the
        worklist reads this after the children's findings)."""
        from .aggregates.summary import default_since
        from .workforce import Workforce

        workforce = Workforce(run.ruleset, run.as_of, default_since(run.as_of))
        for record in run.workers:
            workforce.add_worker(record)
        yield from workforce.supervision_due()

    work = worklist.build(
        run.findings(track_paths(items, args.paths, quiet=args.quiet)),
        args.as_of,
        args.within,
        teams=args.team,
        workers=args.worker,
        supervision=supervision_due(),
    )
    for unmatched in work.unmatched:
        print(f"warning: {unmatched.message()}", file=sys.stderr)
    if not args.quiet:
        print(run.summary.line(), file=sys.stderr)
    failed = _outcome(run.summary, None)
    if failed is not None:
        return failed
    if work.nothing_matches:
        options = " and ".join(work.unmatched_options)
        message = f"{options} matched nothing in the input: no worklist written"
        print(f"error: E100 {message}", file=sys.stderr)
        return ExitCode.ERROR
    with output(args.output) as out:
        worklist.write(work, args.format, out)
    return ExitCode.OK


COMMANDS = {
    "check": cmd_check,
    "report": cmd_report,
    "worklist": cmd_worklist,
    "rules": cmd_rules,
    "schema": cmd_schema,
    "errors": cmd_errors,
    "convert": cmd_convert,
    "generate": cmd_generate,
    "plugins": cmd_plugins,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # an option's own check (a date that is not ISO) raises UsageError: one line, exit 2
        args = parser().parse_args(argv)
        return int(COMMANDS[args.command](args))
    except TimescalesError as exc:
        print(f"error: {describe(exc)}", file=sys.stderr)
        return int(ExitCode.ERROR)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error of ours
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
