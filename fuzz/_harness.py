"""Shared by the atheris fuzz harnesses: the allowed outcomes, inputs written to disk, running.

Every harness turns the fuzzer's bytes into one input (a file, or a directory of files), reads it
the way the CLI would, and accepts only the outcomes the tool promises:

* importers: records (each then checked with the national rules, where an internal engine error,
  ``RecordError`` code E399, is a crash), ``RecordError`` rejections whose location names the
  input, quality notes about the whole input, or one ``InputError`` naming the input; the
  format sniffer (``detect``) may only pick an importer or raise such an ``InputError``;
* the rule loader: rules, or a ``RuleError`` naming a rule file of the input.

Anything else raises ``BadOutcome``, which atheris reports as a crash (and saves the input).
Its message gives the exception's type, error code, location and the frames it came from, never
the exception's own message or any input value (inputs may be real records with names and dates
of birth). Set ``TIMESCALES_FUZZ_RAW=1`` to get the original exception and traceback instead.

Coverage instrumentation: when a ``fuzz/fuzz_*.py`` script is the program being run and atheris
is installed, the ``timescales`` package is imported inside ``atheris.instrument_imports()``
(only it: its dependencies are not instrumented). Imported any other way (the replay tests),
nothing is instrumented and atheris is not needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import os
import re
import shlex
import sys
import tempfile
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

try:
    import atheris
except ImportError:  # replay and the tests work without it
    atheris = None

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REGRESSIONS = HERE / "regressions"
TARGETS = ("canonical", "ssda903", "cin_census", "annex_a", "ssd", "rule_loader")


def _fuzzing() -> bool:
    """True when one of our harness scripts is the program being run (and atheris is there)."""
    forced = os.environ.get("TIMESCALES_FUZZ_INSTRUMENT")
    if forced is not None:
        return forced == "1" and atheris is not None
    main_file = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    script = Path(main_file).resolve() if main_file else None
    return (
        atheris is not None
        and script is not None
        and script.parent == HERE
        and script.name.startswith("fuzz_")
    )


INSTRUMENTED = _fuzzing()

# everything the harnesses reach, imported here so that it is instrumented when fuzzing (the
# importers are otherwise imported lazily, after instrumentation would have ended)
_instrumenting: Any = (
    atheris.instrument_imports(include=["timescales"]) if INSTRUMENTED else contextlib.nullcontext()
)
_ALREADY_IMPORTED = "timescales" in sys.modules  # then instrumentation cannot reach it
with _instrumenting:
    import timescales
    import timescales.importers.annex_a
    import timescales.importers.canonical
    import timescales.importers.cin_census
    import timescales.importers.ssd
    import timescales.importers.ssda903
    import timescales.rules.loader
    from timescales import InputError, RecordError, RuleError
    from timescales.errors import TimescalesError
    from timescales.importers import ImportContext, detect, get

AS_OF = dt.date(2024, 3, 31)
_RULES: Any = None


def rules() -> Any:
    """The national rule set, loaded once per process."""
    global _RULES
    if _RULES is None:
        _RULES = timescales.load_rules(autoload=False)
    return _RULES


# ----------------------------------------------------------------------------- outcomes


class BadOutcome(AssertionError):
    """An outcome the tool does not allow: atheris reports it as a crash."""


_STDLIB = os.path.dirname(os.__file__)


def _short(filename: str) -> str:
    """A frame's file without the machine's directories: ``importers/ssd.py``, ``stdlib/csv.py``."""
    name = Path(filename).as_posix()
    if name.startswith(_STDLIB):
        return "stdlib/" + name[len(_STDLIB) :].lstrip("/")
    for marker in ("/timescales/", "/site-packages/", "/fuzz/"):
        if marker in name:
            return name.split(marker, 1)[1]
    return name


def _frames(exc: BaseException, limit: int = 12) -> str:
    """Where an exception came from, innermost first: its last four frames and every frame in
    timescales, as file:line (function); no values."""
    found = traceback.extract_tb(exc.__traceback__)
    keep = [
        f
        for i, f in enumerate(found)
        if i >= len(found) - 4 or "/timescales/" in Path(f.filename).as_posix()
    ][-limit:]
    out = [f"{_short(f.filename)}:{f.lineno} ({f.name})" for f in reversed(keep)]
    return " <- ".join(out) or "(no frames)"


def _origins(exc: BaseException) -> set[str]:
    """The timescales functions an exception passed through, as ``module.function``."""
    return {
        f"{Path(f.filename).stem}.{f.name}"
        for f in traceback.extract_tb(exc.__traceback__)
        if "/timescales/" in Path(f.filename).as_posix()
    }


def describe(exc: BaseException) -> str:
    """An exception as type, code, location and frames: never its message (it may quote input)."""
    text = type(exc).__name__
    if isinstance(exc, TimescalesError):
        text += f" {exc.code} at {_where(exc)}"
    text += f" from {_frames(exc)}"
    cause = exc.__cause__
    if cause is None and not exc.__suppress_context__:
        cause = exc.__context__
    if cause is not None:
        text += f"; caused by {describe(cause)}"
    return text


def _where(exc: TimescalesError) -> str:
    loc = exc.location
    if loc is None:
        return "(no location)"
    return f"{Path(loc.source).name}:{loc.line if loc.line is not None else '-'}"


def _names(exc: TimescalesError, root: Path) -> bool:
    """The error's location names the input (the file, the directory, or a file inside it)."""
    return exc.location is not None and exc.location.source.startswith(str(root))


def check_import(fmt: str, path: Path, *, sniff: bool = True) -> int:
    """Read ``path`` as ``fmt`` (and sniff it); raise BadOutcome on anything not allowed.
    Returns the number of records read and checked."""
    if sniff:
        try:
            detect(path)
        except InputError as exc:
            if not _names(exc, path):
                raise BadOutcome(
                    f"detect: InputError not naming the input: {describe(exc)}"
                ) from None
    checked = 0
    try:
        for item in get(fmt).read(path, ImportContext(as_of=AS_OF)):
            if item.error is not None:
                if not isinstance(item.error, RecordError):
                    raise BadOutcome(f"{fmt}: item error of type {type(item.error).__name__}")
                if not _names(item.error, path):
                    raise BadOutcome(
                        f"{fmt}: rejection not naming the input: {describe(item.error)}"
                    )
                continue
            if item.record is None:
                continue  # notes about the whole input (per file or per table)
            try:
                rules().check(item.record, as_of=AS_OF, location=item.location)
            except RecordError as exc:
                if exc.code == "E399":
                    if exc.__cause__ is not None and _known("engine", exc.__cause__):
                        continue
                    raise BadOutcome(
                        f"{fmt}: the engine failed on a record: {describe(exc)}"
                    ) from None
            checked += 1
    except InputError as exc:
        if not _names(exc, path):
            raise BadOutcome(f"{fmt}: InputError not naming the input: {describe(exc)}") from None
    return checked


def check_rule_error(exc: RuleError, root: Path) -> None:
    """A RuleError must name a rule file of the input, at a real line if it gives one."""
    if not _names(exc, root):
        raise BadOutcome(f"RuleError not naming the input: {describe(exc)}")
    if exc.location is not None and exc.location.line is not None and exc.location.line < 1:
        raise BadOutcome(f"RuleError at line {exc.location.line}")
    if not exc.message:
        raise BadOutcome("RuleError without a message")


# Crashes already reported, tolerated only when TIMESCALES_FUZZ_TOLERATE_KNOWN=1 (so that a long
# campaign can look for other bugs); replay and the tests are always strict. Each entry: (target,
# exception type, a timescales function it passed through, the innermost function), so that
# any other crash, even of the same type, still stops the fuzzer. Each has a reproducer in
# fuzz/regressions/ (a strict xfail in tests/fuzz/test_atheris.py until fixed).
KNOWN: frozenset[tuple[str, str, str, str]] = frozenset(
    # None open. Those found so far (fuzz/README.md) are fixed and kept as regressions. An entry
    # looks like ("cin_census", "LookupError", "cin_census._stream", "feed"); target "engine"
    # matches the cause of an E399 from any reader.
)


def _known(target: str, exc: BaseException) -> bool:
    if os.environ.get("TIMESCALES_FUZZ_TOLERATE_KNOWN") != "1":
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    innermost = frames[-1].name if frames else ""
    kind = type(exc).__name__
    for who in (target, "engine"):
        for origin in _origins(exc):
            signature = (who, kind, origin, innermost)
            if signature in KNOWN:
                if signature not in _TOLERATED:  # say once per process that it was reached
                    print(f"known bug tolerated: {signature}", file=sys.stderr)
                _TOLERATED.add(signature)
                return True
    return False


_TOLERATED: set[tuple[str, str, str, str]] = set()


def guarded(target: str) -> Callable[[Callable[[bytes], None]], Callable[[bytes], None]]:
    """Wrap a harness body: any exception other than BadOutcome becomes a BadOutcome that
    describes it without its message (unless TIMESCALES_FUZZ_RAW=1)."""

    def wrap(body: Callable[[bytes], None]) -> Callable[[bytes], None]:
        def test_one_input(data: bytes) -> None:
            try:
                body(data)
            except BadOutcome:
                raise
            except Exception as exc:
                if _known(target, exc):
                    return
                if os.environ.get("TIMESCALES_FUZZ_RAW") == "1":
                    raise
                raise BadOutcome(f"{target}: unexpected {describe(exc)}") from None

        test_one_input.__name__ = body.__name__
        test_one_input.__doc__ = body.__doc__
        return test_one_input

    return wrap


# ----------------------------------------------------------------------------- inputs on disk

MARK = re.compile(rb"(?m)^>>> ")
MAX_FILES = 8


def split_files(data: bytes) -> list[tuple[bytes | None, bytes]]:
    """Several files in one input: each starts with a line ``>>> name``; text before the first
    such line is a file without a name. Returns (raw name or None, content), at most MAX_FILES."""
    pieces = MARK.split(data)
    out: list[tuple[bytes | None, bytes]] = []
    if pieces[0] or len(pieces) == 1:
        out.append((None, pieces[0]))
    for piece in pieces[1:]:
        name, _, content = piece.partition(b"\n")
        out.append((name.rstrip(b"\r"), content))
    return out[:MAX_FILES]


_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def safe_name(raw: bytes | None, default: str, suffixes: Sequence[str], *, depth: int = 1) -> str:
    """A relative path from a fuzzed name: at most ``depth`` parts of [A-Za-z0-9_.-], no ``.``
    or ``..``, ending in one of ``suffixes`` (the first is added if it does not)."""
    if raw is None:
        return default
    text = raw.decode("ascii", "ignore")
    parts = [p for p in text.split("/") if p not in ("", ".", "..")][-depth:]
    parts = [_UNSAFE.sub("_", p)[:60] for p in parts]
    parts = [p if p not in (".", "..") else "_" for p in parts]
    name = "/".join(parts) or default
    if not name.lower().endswith(tuple(suffixes)):
        name += suffixes[0]
    return name


@contextlib.contextmanager
def temp_file(data: bytes, name: str) -> Iterator[Path]:
    """``data`` written to a fresh temporary file called ``name``."""
    with tempfile.TemporaryDirectory(prefix="timescales-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        yield path


@contextlib.contextmanager
def temp_tree(files: Sequence[tuple[str, bytes]]) -> Iterator[Path]:
    """A fresh temporary directory holding ``files`` (relative path, content); a file whose path
    clashes with one already written (the same name, or a directory of that name) is dropped."""
    with tempfile.TemporaryDirectory(prefix="timescales-fuzz-") as tmp:
        root = Path(tmp) / "input"
        root.mkdir()
        for rel, content in files:
            path = root / rel
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("xb") as fh:
                    fh.write(content)
            except OSError:
                continue
        yield root


def check_file(fmt: str, data: bytes, name: str) -> None:
    """``data`` written to a fresh file called ``name`` and read as ``fmt``."""
    with temp_file(data, name) as path:
        check_import(fmt, path)


def check_tree(
    fmt: str,
    data: bytes,
    default: Callable[[int], str],
    suffixes: Sequence[str],
    *,
    depth: int = 1,
) -> None:
    """The files of ``data`` (see ``split_files``), given safe names (``default(i)`` for the
    ``i``-th file when it has none), written to a fresh directory and read as ``fmt``."""
    files = [
        (safe_name(name, default(i), suffixes, depth=depth), content)
        for i, (name, content) in enumerate(split_files(data))
    ]
    with temp_tree(files) as root:
        check_import(fmt, root)


def build_zip(members: Sequence[tuple[bytes | None, bytes]]) -> bytes:
    """A stored (uncompressed) zip of the members, so that mutations of the XML inside a
    workbook reach the parser with valid checksums. Unnamed or repeated members are dropped."""
    buf = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for raw, content in members:
            if raw is None:
                continue
            # no NULs or control characters: zipfile cuts a name at a NUL (an empty name then
            # fails inside zipfile itself, a harness error, not the importer's)
            text = raw.decode("utf-8", "replace")
            name = "".join(c for c in text if c >= " ").strip()[:200]
            if not name or name in seen:
                continue
            seen.add(name)
            zf.writestr(name, content)
    return buf.getvalue()


# ----------------------------------------------------------------------------- running


def main(test_one_input: Callable[[bytes], None]) -> None:
    """Run a harness under atheris/libFuzzer with the command line's libFuzzer flags."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install atheris (fuzz/README.md)")
    if not INSTRUMENTED or _ALREADY_IMPORTED:
        print(
            "warning: timescales is not instrumented (run a fuzz/fuzz_*.py script itself, and "
            "import _harness before timescales)",
            file=sys.stderr,
        )
    rules()  # load once before fuzzing, so the first inputs are not timed with it
    # libFuzzer re-runs argv[0] through the shell for -merge, -minimize_crash and -fork: make
    # it the interpreter and the script, not the script alone (which is not executable)
    argv = [f"{shlex.quote(sys.executable)} {shlex.quote(sys.argv[0])}", *sys.argv[1:]]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def harness(target: str) -> ModuleType:
    """The harness module for a target (``canonical``, ``ssda903``...), imported by name."""
    if target not in TARGETS:
        raise ValueError(f"unknown fuzz target {target!r} (known: {', '.join(TARGETS)})")
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(f"fuzz_{target}")


def replay(target: str, path: Path | str) -> None:
    """Run one saved input (a corpus file or a crash) through a target's harness, in-process,
    without atheris; raises what the harness raises (BadOutcome for a crash)."""
    harness(target).TestOneInput(Path(path).read_bytes())


if __name__ == "__main__":
    # python fuzz/_harness.py TARGET FILE...: replay saved inputs, say which ones crash
    if len(sys.argv) < 3:
        sys.exit("usage: python fuzz/_harness.py TARGET FILE...")
    # the harnesses import this file as ``_harness``: use that module, not ``__main__``
    sys.path.insert(0, str(HERE))
    shared = importlib.import_module("_harness")
    failed = 0
    for name in sys.argv[2:]:
        try:
            shared.replay(sys.argv[1], name)
            print(f"ok    {name}")
        except shared.BadOutcome as exc:
            failed += 1
            print(f"CRASH {name}: {exc}")
    sys.exit(1 if failed else 0)
