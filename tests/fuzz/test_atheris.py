"""The atheris fuzz harnesses under fuzz/: every seed-corpus and regression input replayed
in-process (no atheris needed), the harnesses' own checks shown to fail when the target
misbehaves, and a short, seeded, bounded atheris run of each harness in a subprocess (skipped
only when atheris is not installed). fuzz/README.md says how to run the real campaigns."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from timescales import InputError, RecordError
from timescales.errors import Location

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "fuzz"
if str(FUZZ) not in sys.path:
    sys.path.insert(0, str(FUZZ))

import _harness  # noqa: E402 (needs fuzz/ on the path)

TARGETS = _harness.TARGETS
HAVE_ATHERIS = _harness.atheris is not None

# Crashes the fuzzing found that are reported and not fixed yet: their reproducers must still
# crash (strict xfail), so the fix flips them. When fixing one, delete its entry here and its
# signature in _harness.KNOWN. None open: all found so far are fixed (fuzz/README.md).
OPEN_BUGS: dict[str, str] = {}


def saved_inputs() -> list[object]:
    params: list[object] = []
    for kind, base in (("corpus", _harness.CORPUS), ("regressions", _harness.REGRESSIONS)):
        for target in TARGETS:
            folder = base / target
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                key = f"{target}/{path.name}"
                marks = []
                if kind == "regressions" and key in OPEN_BUGS:
                    marks.append(
                        pytest.mark.xfail(
                            strict=True, raises=_harness.BadOutcome, reason=OPEN_BUGS[key]
                        )
                    )
                params.append(pytest.param(target, path, id=f"{kind}/{key}", marks=marks))
    return params


@pytest.mark.parametrize(("target", "path"), saved_inputs())
def test_saved_input_replays_cleanly(target: str, path: Path) -> None:
    _harness.replay(target, path)


def test_every_target_has_a_harness_and_seeds() -> None:
    for target in TARGETS:
        module = _harness.harness(target)
        assert callable(module.TestOneInput), target
        seeds = list((_harness.CORPUS / target).iterdir())
        assert seeds, f"no seed corpus for {target}"
    assert not [k for k in OPEN_BUGS if not (_harness.REGRESSIONS / k).is_file()]
    total = sum(p.stat().st_size for p in _harness.CORPUS.rglob("*") if p.is_file())
    assert total < 1024 * 1024, f"the seed corpus is {total} bytes: keep it under 1 MiB"


# -- the checks can fail ------------------------------------------------------------------------

SEED = _harness.CORPUS / "canonical" / "0-example-01.jsonl"


def test_replay_raises_when_the_reader_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("Jane Doe 2015-03-27")  # a value that must never be shown

    monkeypatch.setattr("timescales.importers.canonical.read_jsonl", broken)
    with pytest.raises(_harness.BadOutcome) as info:
        _harness.replay("canonical", SEED)
    message = str(info.value)
    assert "KeyError" in message and "test_atheris.py" in message
    assert "Jane" not in message and "2015" not in message


def test_replay_raises_on_an_engine_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        def check(self, *args: object, **kwargs: object) -> None:
            error = RecordError("internal error in rule XX001 (ZeroDivisionError)")
            error.code = "E399"
            raise error

    monkeypatch.setattr(_harness, "rules", lambda: Failing())
    with pytest.raises(_harness.BadOutcome, match="E399"):
        _harness.replay("canonical", SEED)


def test_replay_raises_on_an_error_that_names_another_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def elsewhere(*args: object, **kwargs: object) -> None:
        raise InputError("cannot read", Location("/somewhere/else.jsonl"))

    monkeypatch.setattr("timescales.importers.canonical.read_jsonl", elsewhere)
    with pytest.raises(_harness.BadOutcome, match="not naming the input"):
        _harness.replay("canonical", SEED)


def test_known_bugs_are_tolerated_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("timescales.importers.canonical.read_jsonl", broken)
    known = {("canonical", "KeyError", "canonical.read", "broken")}
    monkeypatch.setattr(_harness, "KNOWN", frozenset(known))
    monkeypatch.delenv("TIMESCALES_FUZZ_TOLERATE_KNOWN", raising=False)
    with pytest.raises(_harness.BadOutcome):
        _harness.replay("canonical", SEED)
    monkeypatch.setenv("TIMESCALES_FUZZ_TOLERATE_KNOWN", "1")
    _harness.replay("canonical", SEED)  # tolerated: a reported bug
    monkeypatch.setattr(_harness, "KNOWN", frozenset({("canonical", "KeyError", "x.y", "z")}))
    with pytest.raises(_harness.BadOutcome):  # another crash of the same type is not
        _harness.replay("canonical", SEED)


def test_fuzzed_file_names_stay_inside_the_input_directory(tmp_path: Path) -> None:
    raw = b">>> ../../escape.csv\nx\n>>> /etc/passwd\ny\n>>> a/b/c/d.csv\nz\n>>> ..\nw\n"
    files = [
        (_harness.safe_name(name, f"f{i}.csv", (".csv",), depth=2), content)
        for i, (name, content) in enumerate(_harness.split_files(raw))
    ]
    with _harness.temp_tree(files) as root:
        written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        assert all(not p.startswith("..") for p in written)
        assert len(written) == 4
    assert not (tmp_path.parent / "escape.csv").exists()


# -- a short bounded atheris run per harness ----------------------------------------------------

RUNS = 1500
DONE = re.compile(r"^Done (\d+) runs in", re.M)
INITED = re.compile(r"INITED cov: (\d+)")
needs_atheris = pytest.mark.skipif(
    not HAVE_ATHERIS,
    reason="atheris is not installed (pip install atheris): the bounded fuzz runs need it; "
    "the corpus and regression replays above ran without it",
)


def run_atheris(
    script: Path, corpus: Path, tmp_path: Path, *, instrument: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        # reported bugs (OPEN_BUGS, strict-xfail above) must not fail this smoke run
        "TIMESCALES_FUZZ_TOLERATE_KNOWN": "1",
    }
    env.pop("TIMESCALES_FUZZ_RAW", None)
    env.pop("TIMESCALES_FUZZ_INSTRUMENT", None)
    if instrument:  # a script outside fuzz/: ask for the instrumentation explicitly
        env["TIMESCALES_FUZZ_INSTRUMENT"] = "1"
    return subprocess.run(
        [
            sys.executable,
            str(script),
            str(corpus),
            f"-runs={RUNS}",
            "-max_total_time=25",
            "-seed=1",
            "-timeout=20",
            "-max_len=8192",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@needs_atheris
@pytest.mark.parametrize("target", TARGETS)
def test_bounded_atheris_run(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(_harness.CORPUS / target, corpus)  # the fuzzer adds to it: not the repo's
    proc = run_atheris(FUZZ / f"fuzz_{target}.py", corpus, tmp_path)
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, f"fuzz_{target} crashed or failed:\n{tail}"
    assert not list(tmp_path.glob("crash-*")), tail
    inited = INITED.search(proc.stderr)
    assert inited and int(inited.group(1)) > 0, f"no coverage: not instrumented?\n{tail}"
    done = DONE.search(proc.stderr)
    assert done, f"no 'Done N runs' line:\n{tail}"
    seeds = len(list((_harness.CORPUS / target).iterdir()))
    assert int(done.group(1)) >= seeds, f"only {done.group(1)} inputs run:\n{tail}"


@needs_atheris
def test_bounded_run_of_a_crashing_harness_fails(tmp_path: Path) -> None:
    # a harness whose reader always crashes, instrumented like the real ones
    script = tmp_path / "fuzz_selftest.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(FUZZ)!r})\n"
        "import _harness\n"
        "@_harness.guarded('canonical')\n"
        "def TestOneInput(data):\n"
        "    if len(data) > 3:\n"
        "        raise ValueError('deliberate: Jane Doe')\n"
        "if __name__ == '__main__':\n"
        "    _harness.main(TestOneInput)\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    shutil.copytree(_harness.CORPUS / "canonical", corpus)
    proc = run_atheris(script, corpus, tmp_path, instrument=True)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "BadOutcome: canonical: unexpected ValueError" in output, output[-3000:]
    assert "Jane Doe" not in output  # exception messages are never shown
    assert list(tmp_path.glob("crash-*")), "the crashing input is saved"
