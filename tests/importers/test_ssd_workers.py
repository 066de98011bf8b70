"""Worker records from an SSD extract (issue 21): ``ssd_professionals`` (+ ``ssd_department``)
and ``ssd_involvements`` give one WorkerRecord per professional, with an ``allocation`` event per
involvement of a mapped role; every row is used or rejected; the professional's name is never
read, so it reaches no output; the child records are what they were."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ssd_extract import D, write_table

from conftest import ROOT
from timescales.importers import ImportContext, Item
from timescales.importers.ssd import SsdImporter
from timescales.importers.ssd_roles import JOB_TITLES_ENV, ROLES_ENV
from timescales.records import WorkerRecord

EXTRACT = ROOT / "examples" / "samples" / "ssd" / "extract"
AS_OF = dt.date(2025, 3, 31)
FAKE = "FAKE-NAME"  # every name in the sample's ssd_professionals starts so


def read(path: Path, **kw: Any) -> tuple[list[Item], ImportContext]:
    context = ImportContext(as_of=AS_OF)
    return list(SsdImporter(**kw).read(path, context)), context


def by_id(items: list[Item]) -> dict[str, WorkerRecord]:
    return {i.worker.worker: i.worker for i in items if i.worker is not None}


def stats(context: ImportContext, table: str) -> tuple[int, int, int]:
    (s,) = [s for s in context.stats if Path(s.source).name == f"{table}.csv"]
    assert s.reconciles()
    return s.rows_read, s.rows_used, s.rows_rejected


def allocations(worker: WorkerRecord) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (e.child or "", e.date.isoformat(), e.end.isoformat() if e.end else None, e.role)
        for e in worker.events
    ]


def test_the_samples_worker_records() -> None:
    items, _ = read(EXTRACT)
    workers = by_id(items)
    # TM01 has no involvement and no job title map: no role, no record; PA01's only
    # involvement is a 16PLUS the role map ignores
    assert sorted(workers) == ["AG01", "IRO01", "SW01", "SW02"]
    sw01, sw02, iro, ag = (workers[k] for k in ("SW01", "SW02", "IRO01", "AG01"))
    assert (sw01.role, sw01.team, sw01.fte) == ("social_worker", "Children in Care North", 1.0)
    assert (sw02.role, sw02.team, sw02.fte) == ("social_worker", "Safeguarding South", 0.8)
    assert (iro.role, iro.team, iro.fte) == ("iro", "Independent Reviewing Service", 1.0)
    # AG01's professionals row was rejected (its FTE is words): from its involvement alone
    assert (ag.role, ag.team, ag.fte) == ("social_worker", "Safeguarding South", None)
    assert allocations(sw01) == [
        ("1004", "2024-07-01", None, "social_worker"),
        ("1001", "2024-09-02", None, "social_worker"),
    ]
    assert allocations(sw02) == [
        ("1002", "2025-01-06", None, "social_worker"),
        ("1003", "2025-02-03", None, "social_worker"),
        ("1005", "2025-02-03", None, "social_worker"),
    ]
    assert allocations(iro) == [
        ("1004", "2024-05-01", None, "iro"),
        ("1001", "2024-09-04", None, "iro"),
    ]
    assert allocations(ag) == [("1003", "2025-01-10", "2025-02-02", "social_worker")]
    assert [e.ref for e in sw02.events] == ["INV05", "INV07", "INV08"]
    assert all(e.type == "allocation" for w in workers.values() for e in w.events)


def test_every_row_of_the_worker_tables_is_used_or_rejected() -> None:
    items, context = read(EXTRACT)
    assert stats(context, "ssd_professionals") == (5, 4, 1)
    assert stats(context, "ssd_involvements") == (9, 9, 0)
    assert stats(context, "ssd_department") == (3, 3, 0)
    (bad,) = [i for i in items if i.error is not None and "ssd_professionals" in str(i.error)]
    error = bad.error
    assert error is not None and bad.row and error.code == "E310"
    assert error.location is not None
    assert (Path(error.location.source).name, error.location.line) == ("ssd_professionals.csv", 6)
    assert error.field == "prof_full_time_equivalency"
    assert "prof_full_time_equivalency is not a full-time equivalence" in str(error)
    assert "full time" not in str(error) and error.value_class == "text (9 chars)"
    notes = [n for i in items for n in i.quality if n.child == "(file)"]
    said = {n.code: n.message for n in notes if n.code in ("DATA045", "DATA048")}
    assert "professionals with no role" in said["DATA048"]
    # AG01's row is in the table (rejected, said at its line): not "not in ssd_professionals"
    assert "DATA045" not in said


def test_the_child_records_are_what_they_were_without_the_professionals(tmp_path: Path) -> None:
    without = tmp_path / "without"
    shutil.copytree(EXTRACT, without)
    (without / "ssd_professionals.csv").unlink()
    items, _ = read(EXTRACT)
    others, _ = read(without)
    assert [i.record for i in items if i.record] == [i.record for i in others if i.record]
    # the records still carry the allocated social worker and the IROs
    recs = {i.record.child: i.record for i in items if i.record}
    assert (recs["1003"].worker, recs["1003"].team) == ("SW02", "Safeguarding South")
    iro = [e for e in recs["1001"].events if e.type == "iro_assigned"]
    assert [(e.date, e.attrs["iro"]) for e in iro] == [(dt.date(2024, 9, 4), "IRO01")]
    # without the table the workers come from the involvements, with no FTE, and a note says so
    workers = by_id(others)
    assert workers["SW02"].fte is None and workers["SW02"].team == "Safeguarding South"
    absent = [n.message for i in others for n in i.quality if n.code == "DATA043"]
    assert any(m.startswith("no ssd_professionals table: worker records come from") for m in absent)


def _extract(tmp_path: Path, profs: list[dict[str, Any]], invos: list[dict[str, Any]]) -> Path:
    directory = tmp_path / "ssd"
    write_table(directory, "ssd_person", [{"pers_person_id": "7"}, {"pers_person_id": "8"}])
    write_table(directory, "ssd_professionals", profs)
    write_table(directory, "ssd_involvements", invos)
    return directory


def _prof(
    pid: str, fte: str | None = "1", title: str = "Practitioner", **kw: Any
) -> dict[str, Any]:
    return {"prof_professional_id": pid, "prof_full_time_equivalency": fte,
            "prof_professional_job_title": title, "prof_professional_name": f"{FAKE} {pid}",
            **kw}  # fmt: skip


def _invo(
    iid: str, prof: str, role: str, person: str, start: str, end: str | None = None
) -> dict[str, Any]:
    return {"invo_involvements_id": iid, "invo_professional_id": prof,
            "invo_professional_role_id": role, "invo_person_id": person,
            "invo_involvement_start_date": D(start),
            "invo_involvement_end_date": D(end) if end else None}  # fmt: skip


@pytest.mark.parametrize(
    ("fte", "ok"),
    [("0.5", 0.5), ("1.00", 1.0), ("0,8", 0.8), ("2", 2.0), ("0", None), ("3", None),
     ("#N/A", None), ("half", None), (None, "blank")],
)  # fmt: skip
def test_fte_values(tmp_path: Path, fte: str | None, ok: float | str | None) -> None:
    path = _extract(tmp_path, [_prof("P1", fte)], [_invo("I1", "P1", "CW", "7", "2024-01-01")])
    items, context = read(path)
    worker = by_id(items)["P1"]
    errors = [i.error for i in items if i.error is not None]
    if ok == "blank":
        assert worker.fte is None and not errors
        assert stats(context, "ssd_professionals") == (1, 1, 0)
    elif ok is None:
        (error,) = errors
        assert error.code == "E310" and error.field == "prof_full_time_equivalency"
        assert error.location is not None and error.location.line == 2
        assert worker.fte is None  # from the involvement alone
        assert stats(context, "ssd_professionals") == (1, 0, 1)
    else:
        assert worker.fte == ok and not errors


def test_a_repeated_professional_is_counted_once_or_rejected(tmp_path: Path) -> None:
    profs = [_prof("P1"), _prof("P1"), _prof("P1", "0.5")]
    path = _extract(tmp_path, profs, [_invo("I1", "P1", "IRO", "7", "2024-01-01")])
    items, context = read(path)
    assert stats(context, "ssd_professionals") == (3, 2, 1)
    (error,) = [i.error for i in items if i.error is not None]
    assert error.code == "E313" and error.location is not None and error.location.line == 4
    dup = [n for i in items for n in i.quality if n.code == "DATA042" and n.ref == "P1"]
    assert len(dup) == 1 and "counted once" in dup[0].message
    assert by_id(items)["P1"].fte == 1.0


def test_role_from_most_involvements_or_the_mapped_job_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invos = [
        _invo("I1", "P1", "CW", "7", "2024-01-01"),
        _invo("I2", "P1", "CW", "8", "2024-02-01"),
        _invo("I3", "P1", "IRO", "8", "2024-03-01"),
        _invo("I4", "P2", "IRO", "7", "2024-01-01"),
        _invo("I5", "P2", "CW", "8", "2024-03-01"),
    ]
    profs = [_prof("P1"), _prof("P2"), _prof("P3", title="Team Manager")]
    path = _extract(tmp_path, profs, invos)
    items, _ = read(path)
    workers = by_id(items)
    assert workers["P1"].role == "social_worker"  # two of three
    assert workers["P2"].role == "social_worker"  # a tie: the later involvement's
    assert [e.role for e in workers["P1"].events] == ["social_worker", "social_worker", "iro"]
    assert "P3" not in workers
    monkeypatch.setenv(JOB_TITLES_ENV, "team manager=team_manager;Practitioner=iro")
    workers = by_id(read(path)[0])
    assert workers["P3"].role == "team_manager" and workers["P3"].events == []
    assert workers["P1"].role == "iro"  # the council's job title map wins
    workers = by_id(read(path, job_titles={"TEAM MANAGER": "team_manager"})[0])
    assert workers["P3"].role == "team_manager" and workers["P1"].role == "social_worker"


def test_a_role_map_with_worker_roles_gives_allocations_and_nothing_on_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invos = [
        _invo("I1", "F1", "FSW", "7", "2024-01-01"),
        _invo("I2", "C1", "CW", "7", "2024-01-01"),
    ]
    path = _extract(tmp_path, [], invos)
    monkeypatch.setenv(ROLES_ENV, "FSW=family_support_worker;CW=social_worker")
    items, _ = read(path)
    workers = by_id(items)
    assert workers["F1"].role == "family_support_worker"
    assert [e.role for e in workers["F1"].events] == ["family_support_worker"]
    (rec,) = [i.record for i in items if i.record and i.record.child == "7"]
    assert rec.worker == "C1" and not rec.events
    monkeypatch.setenv(ROLES_ENV, "FSW=ignore;CW=social_worker")
    assert "F1" not in by_id(read(path)[0])


def test_the_history_window_is_the_workers_known_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _extract(tmp_path, [_prof("P1")], [_invo("I1", "P1", "CW", "7", "2024-01-01")])
    monkeypatch.setenv("TIMESCALES_SSD_HISTORY_FROM", "2019-04-01")
    assert by_id(read(path)[0])["P1"].known_from == dt.date(2019, 4, 1)


# -- no name reaches any output ------------------------------------------------------------------


def test_no_professional_name_reaches_any_output(cli: Any, tmp_path: Path) -> None:
    names = [
        line.split(",")[2]
        for line in (EXTRACT / "ssd_professionals.csv").read_text("utf-8-sig").splitlines()[1:]
        if line.count(",") > 3
    ]
    assert len(names) == 5 and all(n.startswith(FAKE) for n in names)
    said: list[str] = []
    items, _ = read(EXTRACT)
    said += [repr(i) for i in items]
    out = tmp_path / "o"
    out.mkdir()
    res = cli(
        "check", str(EXTRACT), "--as-of", "2025-03-31", "--format", "jsonl",
        "--rejects", str(out / "r.jsonl"), "--data-quality", str(out / "dq.jsonl"),
        "--aggregates", str(out / "agg.json"),
    )  # fmt: skip
    said += [res.out, res.err]
    res = cli(
        "convert", str(EXTRACT), "-o", str(out / "c.jsonl"), "--workers", str(out / "w.jsonl")
    )
    said.append(res.err)
    said += [p.read_text() for p in out.iterdir()]
    # convert writes the SSD's worker records to their own file, the children to theirs
    written = [json.loads(x) for x in (out / "w.jsonl").read_text().splitlines()]
    assert [w["worker"] for w in written] == ["AG01", "IRO01", "SW01", "SW02"]
    assert [WorkerRecord.model_validate(w) for w in written] == list(by_id(items).values())
    children = [json.loads(x)["child"] for x in (out / "c.jsonl").read_text().splitlines()]
    assert children == ["1001", "1002", "1003", "1004", "1005"]
    assert "worker records read 4, written to" in res.err
    text = "\n".join(said)
    assert "SW01" in text  # the ids are there; the names never
    assert FAKE not in text and FAKE.lower() not in text.lower()


def test_a_name_in_a_broken_professionals_row_is_not_echoed(tmp_path: Path) -> None:
    directory = tmp_path / "ssd"
    write_table(directory, "ssd_person", [{"pers_person_id": "7"}])
    path = write_table(directory, "ssd_professionals", [_prof("P1", "lots")])
    path.write_text(path.read_text("utf-8-sig") + f"P2,S2,{FAKE} P2,extra,fields,here,x,y,z,w\n")
    items, context = read(directory)
    errors = [str(i.error) for i in items if i.error is not None]
    assert len(errors) == 2 and stats(context, "ssd_professionals") == (2, 0, 2)
    assert not any(FAKE in e or "lots" in e for e in errors)
