"""`timescales worklist`: overdue and due within N days, per team and worker, by due date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from reports_helpers import AS_OF, finding

from timescales import worklist


def day(n: int) -> dt.date:
    return AS_OF + dt.timedelta(days=n)


FINDINGS = [
    finding("LA003", "pending", child="C1", due=day(3), team="North", worker="SW2"),
    finding("LA003", "overdue", child="C2", due=day(-20), team="North", worker="SW2"),
    finding("LA005", "pending", child="C3", due=day(0), team="North", worker="SW1"),  # today
    finding("LA006", "pending", child="C4", due=day(14), team="North", worker="SW1"),  # last day
    finding("LA007", "pending", child="C5", due=day(15), team="North", worker="SW1"),  # too far
    finding("PF002", "overdue", child="C6", due=day(-2), team="East", worker="SW9"),
    finding("PF002", "overdue", child="C7", due=day(-40), team="East", worker="SW9", live=False),
    finding("AS002", "met", child="C8", due=day(-5), team="East", worker="SW9"),
    finding("AS002", "late", child="C9", due=day(-5), team="East", worker="SW9"),
    finding("CL003", "pending", child="C10", due=day(1), team=None, worker=None),
    finding("LA003", "pending", child="C11", due=day(2), team="North", worker="SW2"),
]


def test_ordering_by_team_then_worker_then_due_date() -> None:
    work = worklist.build(FINDINGS, AS_OF, 14)
    order = [(i.team, i.worker, i.due, i.child) for i in work.items]
    assert order == [
        ("East", "SW9", day(-2), "C6"),
        ("North", "SW1", day(0), "C3"),
        ("North", "SW1", day(14), "C4"),
        ("North", "SW2", day(-20), "C2"),  # overdue first: it was due earliest
        ("North", "SW2", day(2), "C11"),
        ("North", "SW2", day(3), "C1"),
        ("(none)", "(none)", day(1), "C10"),  # records without a team come last
    ]
    states = {i.child: (i.state, i.days) for i in work.items}
    assert states["C2"] == ("overdue", 20) and states["C3"] == ("due", 0)
    assert states["C4"] == ("due", 14)


def test_within_window_is_inclusive_and_excludes_met_late_and_closed() -> None:
    work = worklist.build(FINDINGS, AS_OF, 14)
    children = {i.child for i in work.items}
    assert "C4" in children  # due on as_of + 14
    assert "C5" not in children  # due on as_of + 15
    assert not children & {"C8", "C9"}  # met and late: nothing left to do
    assert "C7" not in children and work.closed_overdue == 1  # overdue on a case since closed
    narrow = worklist.build(FINDINGS, AS_OF, 0)
    assert {i.child for i in narrow.items if i.state == "due"} == {"C3"}  # only due today
    assert {i.child for i in narrow.items if i.state == "overdue"} == {"C2", "C6"}
    with pytest.raises(ValueError):
        worklist.build(FINDINGS, AS_OF, -1)


def test_team_and_worker_filters() -> None:
    work = worklist.build(FINDINGS, AS_OF, 14, teams=["North"], workers=["SW2"])
    assert [i.child for i in work.items] == ["C2", "C11", "C1"]


def test_formats() -> None:
    work = worklist.build(FINDINGS, AS_OF, 14)
    out = io.StringIO()
    assert worklist.write(work, "csv", out) == 7
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["child"] for r in rows] == ["C6", "C3", "C4", "C2", "C11", "C1", "C10"]
    assert rows[0]["state"] == "overdue" and rows[0]["days"] == "2"
    assert rows[0]["citation"].startswith("https://")

    out = io.StringIO()
    worklist.write(work, "table", out)
    text = out.getvalue()
    assert "2 overdue, 5 due by 2024-04-14 (next 14 days)" in text
    assert "1 overdue on cases since closed, not listed" in text
    # workers under their teams: the team's line, then its workers indented beneath it
    assert text.index("\nEast  (") < text.index("\n  SW9  (") < text.index("\nNorth  (")
    assert text.index("\nNorth  (") < text.index("\n  SW1  (") < text.index("\n  SW2  (")
    assert "overdue 20 days" in text and "due today" in text and "due in 14 days" in text

    out = io.StringIO()
    worklist.write(work, "html", out)
    page = out.getvalue()
    assert page.startswith("<!doctype html>") and "default-src 'none'" in page
    assert page.count("<section>") == 3 and "<script" not in page  # East, North, (none)
    assert page.count("<h3>") == 4  # SW9; SW1, SW2; (none)


def test_cli_worklist_on_records(cli, tmp_path: Path) -> None:
    records = [
        {  # first review due 20 working days after 2024-03-11: 2024-04-10 (Easter in between)
            "child": "C1",
            "team": "North",
            "worker": "SW1",
            "events": [{"type": "became_looked_after", "date": "2024-03-11", "ref": "P1"}],
        },
        {  # first PF visit was due on 2024-03-19: overdue
            "child": "C2",
            "team": "East",
            "worker": "SW2",
            "events": [{"type": "pf_notified", "date": "2024-03-08", "ref": "F1"}],
        },
    ]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    res = cli(
        "worklist", str(data), "--as-of", "2024-03-31", "--within", "10", "--format", "csv",
        "--rules", "LA005,PF001",
    )  # fmt: skip
    assert res.code == 0, res.err
    rows = list(csv.DictReader(io.StringIO(res.out)))
    assert [(r["team"], r["rule"], r["state"], r["due"]) for r in rows] == [
        ("East", "PF001", "overdue", "2024-03-19"),
        ("North", "LA005", "due", "2024-04-10"),
    ]
    res = cli(
        "worklist", str(data), "--as-of", "2024-03-31", "--within", "9", "--format", "csv",
        "--rules", "LA005,PF001",
    )  # fmt: skip
    assert [r["rule"] for r in csv.DictReader(io.StringIO(res.out))] == ["PF001"]
    out = tmp_path / "list.html"
    res = cli("worklist", str(data), "--as-of", "2024-03-31", "--format", "html", "-o", str(out))
    assert res.code == 0 and "<table>" in out.read_text(encoding="utf-8")
    assert cli("worklist", str(data), "--as-of", "2024-03-31", "--within", "-1").code == 2


def test_unmet_visits_are_their_own_group_with_no_days_figure() -> None:
    """An unmet finding (LA020: the child not seen alone, no reason recorded) is not a deadline:
    never listed as overdue, never "overdue N days"; its own group, after the deadlines."""
    findings = [
        *FINDINGS,
        finding("LA020", "unmet", child="C12", due=day(-150), team="North", worker="SW2"),
        finding("PF004", "unmet", child="C13", due=day(-3), team="East", worker="SW9"),
    ]
    work = worklist.build(findings, AS_OF, 14)
    assert work.unmet == 2 and work.closed_overdue == 1  # an unmet visit is not "closed overdue"
    unmet = [i for i in work.items if i.state == "unmet"]
    assert [(i.child, i.due, i.days) for i in unmet] == [
        ("C13", day(-3), None),
        ("C12", day(-150), None),
    ]
    sw2 = [i.child for i in work.items if i.worker == "SW2"]
    assert sw2 == ["C2", "C11", "C1", "C12"]  # the deadlines by due date, then the unmet visit

    out = io.StringIO()
    assert worklist.write(work, "csv", out) == 9
    rows = {r["child"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (rows["C12"]["state"], rows["C12"]["days"], rows["C12"]["due"]) == (
        "unmet",
        "",
        day(-150).isoformat(),
    )
    assert rows["C2"]["state"] == "overdue" and rows["C2"]["days"] == "20"

    out = io.StringIO()
    worklist.write(work, "table", out)
    text = out.getvalue()
    assert "2 overdue, 5 due by 2024-04-14 (next 14 days); 2 visits that did not meet the" in text
    assert "\nNorth  (1 overdue, 4 due, 1 unmet)\n" in text
    assert "\n  SW2  (1 overdue, 2 due, 1 unmet)\n" in text
    assert "visits that did not meet the requirement:" in text
    assert "overdue 150 days" not in text and "overdue 3 days" not in text
    block = text[text.index("  SW2  (") :]
    assert (
        block.index("overdue 20 days")
        < block.index("visits that did not meet")
        < block.index("C12")
    )

    out = io.StringIO()
    worklist.write(work, "html", out)
    page = out.getvalue()
    assert page.count("<section>") == 3
    assert page.count("Visits that did not meet the requirement</h4>") == 2
    assert "overdue 150 days" not in page and "(1 overdue, 2 due, 1 unmet)" in page


def test_only_unmet_visits_still_make_a_worklist() -> None:
    work = worklist.build([finding("LA020", "unmet", child="C1", due=day(-1))], AS_OF, 14)
    out = io.StringIO()
    assert worklist.write(work, "table", out) == 1
    text = out.getvalue()
    assert "0 overdue, 0 due by" in text and "1 visit that did not meet" in text
    assert "due  when" not in text  # no deadline table, only the group of unmet visits


def test_workers_are_grouped_under_their_teams() -> None:
    """Each team once, with its totals, and each of its workers under it (never "team /
    worker" lines that repeat the team), in the table and the HTML."""
    work = worklist.build(FINDINGS, AS_OF, 14)
    assert [(team, [w for w, _ in workers]) for team, workers in work.teams()] == [
        ("East", ["SW9"]),
        ("North", ["SW1", "SW2"]),
        ("(none)", ["(none)"]),
    ]
    out = io.StringIO()
    worklist.write(work, "table", out)
    lines = out.getvalue().splitlines()
    heads = [line for line in lines if line and not line.startswith(" ") and "(" in line]
    assert heads[1:] == ["East  (1 overdue, 0 due)", "North  (1 overdue, 4 due)",
                         "(none)  (0 overdue, 1 due)"]  # fmt: skip
    assert "  SW1  (0 overdue, 2 due)" in lines and "  SW2  (1 overdue, 2 due)" in lines
    assert not any(" / " in line for line in lines)

    out = io.StringIO()
    worklist.write(work, "html", out)
    page = out.getvalue()
    north = page[page.index("<h2>North") : page.index("</section>", page.index("<h2>North"))]
    assert north.index("<h3>SW1") < north.index("<h3>SW2") and "<h3>SW9" not in north


def test_team_and_worker_filters_ignore_case() -> None:
    exact = worklist.build(FINDINGS, AS_OF, 14, teams=["North"], workers=["SW2"])
    loose = worklist.build(FINDINGS, AS_OF, 14, teams=["NORTH"], workers=["sw2"])
    assert loose.items == exact.items and not loose.unmatched and not loose.nothing_matches


def test_a_filter_that_matches_nothing_names_the_closest() -> None:
    work = worklist.build(FINDINGS, AS_OF, 14, teams=["Nroth"])
    assert work.items == [] and work.nothing_matches and work.unmatched_options == ("--team",)
    (miss,) = work.unmatched
    assert miss.closest[0] == "North"
    assert miss.message().startswith("--team 'Nroth' matches no team in the input; closest: North")
    # one value of two matches: a warning for the other, and the list is still made
    work = worklist.build(FINDINGS, AS_OF, 14, teams=["Nroth", "north"], workers=["SW99"])
    assert [u.value for u in work.unmatched] == ["Nroth", "SW99"]
    assert work.unmatched_options == ("--worker",) and work.nothing_matches
    work = worklist.build(FINDINGS, AS_OF, 14, teams=["Nroth", "north"])
    assert not work.nothing_matches and {i.team for i in work.items} == {"North"}
    # nothing like it: the names there are listed instead
    (miss,) = worklist.build(FINDINGS, AS_OF, 14, workers=["zzz"]).unmatched
    assert miss.closest == () and "(3 workers: SW1, SW2, SW9)" in miss.message()


def test_only_unmet_visits_that_can_still_be_acted_on_are_listed() -> None:
    """A child's latest visit of its kind, within six months: a later visit (seen alone or not)
    supersedes an unmet one, and one from years ago belongs to a case that has moved on. Both
    are counted in the heading, never listed (the report has every finding)."""
    findings = [
        # C1: not seen alone, then seen alone at the next visit: nothing left to act on
        finding("LA020", "unmet", child="C1", due=day(-60), ref="P1"),
        finding("LA020", "met", child="C1", due=day(-20), ref="P1"),
        # C2: two unmet visits: the latest is listed
        finding("LA020", "unmet", child="C2", due=day(-50), ref="P1"),
        finding("LA020", "unmet", child="C2", due=day(-10), ref="P1"),
        # C3: the latest visit, but in 2019: the case has moved on
        finding("LA020", "unmet", child="C3", due=dt.date(2019, 11, 5), ref="P1"),
        # C4: within six months, and a PF004 of another ref does not supersede it
        finding("LA020", "unmet", child="C4", due=day(-183), ref="P1"),
        finding("PF004", "met", child="C4", due=day(-1), ref="F1"),
    ]
    work = worklist.build(findings, AS_OF, 14)
    assert [(i.child, i.due) for i in work.items] == [("C4", day(-183)), ("C2", day(-10))]
    assert work.earlier_unmet == 3
    out = io.StringIO()
    worklist.write(work, "table", out)
    assert (
        "3 earlier visits that did not meet it not listed (a later visit followed, or over 183 "
        "days ago)" in out.getvalue()
    )
    assert worklist.build(findings, AS_OF, 14, unmet_days=10_000).earlier_unmet == 2


# -- workers whose supervision is due (the aggregates' workforce.supervision_due) ----------------


def supervision_rows() -> list[dict[str, object]]:
    from workforce_helpers import workforce

    rows: list[dict[str, object]] = workforce()["supervision_due"]
    return rows


def test_supervision_due_is_listed_apart_and_the_children_s_list_is_unchanged() -> None:
    plain = worklist.build(FINDINGS, AS_OF, 14)
    work = worklist.build(FINDINGS, AS_OF, 14, supervision=supervision_rows())
    assert work.items == plain.items and work.closed_overdue == plain.closed_overdue
    # overdue always; pending within the window (SW01's, due in 22 days, is not listed)
    assert [(s.team, s.worker, s.state, s.days, s.last) for s in work.supervision] == [
        ("IRO service", "IRO04", "overdue", 151, None),
        ("North", "SW02", "overdue", 53, dt.date(2024, 1, 10)),
        ("South", "SW05", "due", 5, dt.date(2024, 3, 8)),
    ]
    wider = worklist.build([], AS_OF, 30, supervision=supervision_rows())
    assert {s.worker for s in wider.supervision} == {"IRO04", "SW02", "SW05", "SW01"}

    out = io.StringIO()
    assert worklist.write(work, "table", out) == 7 + 3
    text = out.getvalue()
    assert text.splitlines()[0].endswith("; workers' supervision due: 2 overdue, 1 due")
    block = text[text.index("\nWorkers' supervision due  (2 overdue, 1 due)\n") :]
    assert "  North  (1 overdue, 0 due)" in block
    assert "2024-02-07  overdue 53 days  SW02    LANC016  2024-01-10" in block
    assert "none recorded" in block and "due in 5 days" in block
    # the children's list above it is the list without it
    out_plain = io.StringIO()
    worklist.write(plain, "table", out_plain)
    first = out_plain.getvalue().splitlines()
    assert text.splitlines()[1 : len(first)] == first[1:]

    out = io.StringIO()
    assert worklist.write(work, "csv", out) == 10
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["child"] for r in rows[:7]] == ["C6", "C3", "C4", "C2", "C11", "C1", "C10"]
    sw02 = rows[8]
    assert (sw02["team"], sw02["worker"], sw02["due"], sw02["state"], sw02["days"]) == (
        "North", "SW02", "2024-02-07", "overdue", "53",
    )  # fmt: skip
    assert (sw02["rule"], sw02["name"], sw02["child"], sw02["anchor"]) == (
        "LANC016", "supervision", "", "2024-01-10",
    )  # fmt: skip

    out = io.StringIO()
    worklist.write(work, "html", out)
    page = out.getvalue()
    assert page.count("<section>") == 3  # the children's teams, as before
    section = page[page.index('<section id="supervision">') :]
    assert "<h2>Workers&#x27; supervision due <small>(2 overdue, 1 due)</small></h2>" in section
    assert "<td class=overdue>overdue 151 days</td><td>IRO04</td>" in section


def test_supervision_alone_makes_a_worklist_and_the_filters_reach_it() -> None:
    work = worklist.build([], AS_OF, 14, supervision=supervision_rows())
    out = io.StringIO()
    assert worklist.write(work, "table", out) == 3
    assert "nothing overdue or due in the window" in out.getvalue()  # for the children
    assert "Workers' supervision due  (2 overdue, 1 due)" in out.getvalue()
    north = worklist.build(FINDINGS, AS_OF, 14, teams=["north"], supervision=supervision_rows())
    assert [s.worker for s in north.supervision] == ["SW02"]
    only = worklist.build(FINDINGS, AS_OF, 14, workers=["iro04"], supervision=supervision_rows())
    assert not only.nothing_matches and only.items == []
    assert [s.worker for s in only.supervision] == ["IRO04"]


def test_supervision_past_its_due_date_is_overdue() -> None:
    row = {"worker": "SW9", "team": "East", "rule": "LANC016", "last": None,
           "due": day(-3).isoformat(), "status": "pending"}  # fmt: skip
    (sup,) = worklist.build([], AS_OF, 14, supervision=[row]).supervision
    assert (sup.state, sup.days) == ("overdue", 3)


def test_a_bad_supervision_row_is_named() -> None:
    rows = supervision_rows()
    rows[1] = {**rows[1], "due": "2024-13-01"}
    with pytest.raises(ValueError, match="supervision_due row 2 due: '2024-13-01' is not a date"):
        worklist.build([], AS_OF, 14, supervision=rows)
    with pytest.raises(ValueError, match="supervision_due row 1: no worker"):
        worklist.build([], AS_OF, 14, supervision=[{"rule": "X", "due": "2024-01-01",
                                                    "status": "overdue"}])  # fmt: skip
    with pytest.raises(ValueError, match="status 'met' is not pending or overdue"):
        worklist.build([], AS_OF, 14, supervision=[{**rows[0], "status": "met"}])
