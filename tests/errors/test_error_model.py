"""One error model: every error has a stable code from errors.CODES, a place, a field and the
class of the value at fault, never the value. Checked statically (every raise site in the
engine and the bundled plugins names a known code) and by behaviour (each layer's errors)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timescales import RuleError
from timescales.docs import errors_markdown
from timescales.errors import CODES, Location, RecordError, value_class
from timescales.rules.loader import load_rule_dir, parse_rule, validate_pack

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [*(ROOT / "engine" / "timescales").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]
)
ERRORS = {"RecordError", "InputError", "RuleError", "UsageError", "_Bad", "TimescalesError"}
MUST_NAME_A_CODE = {"RecordError", "InputError", "RuleError"}


def error_calls() -> list[tuple[Path, ast.Call, str]]:
    out = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(node, ast.Call) and isinstance(called, ast.Name) and called.id in ERRORS:
                out.append((path, node, called.id))
    return out


def test_codes_are_well_formed_and_grouped() -> None:
    assert all(re.fullmatch(r"E[1-6]\d\d", code) for code in CODES)
    assert list(CODES) == sorted(CODES), "keep the catalogue in order"
    for hundred in "123456":
        assert f"E{hundred}00" in CODES, f"E{hundred}00 is the catch-all of its hundred"


def test_every_code_used_in_the_source_is_in_the_catalogue() -> None:
    used = set()
    for path in SOURCES:
        text = path.read_text()
        used |= set(re.findall(r"""code\s*=\s*["'](E\d{3})["']""", text))
        used |= set(re.findall(r"""["'](E\d{3})["']""", text)) & set(re.findall(r"E\d{3}", text))
    used.discard("E000")  # the abstract base class's placeholder: never raised as such
    unknown = sorted(code for code in used if code not in CODES)
    assert not unknown, f"codes used but not in errors.CODES: {unknown}"
    # and the catalogue has no dead entries (each code is raised somewhere, or is a catch-all)
    dead = sorted(c for c in CODES if c not in used and not c.endswith("00"))
    assert not dead, f"codes in the catalogue that nothing raises: {dead}"


def test_every_record_input_and_rule_error_names_its_code() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node, name in error_calls()
        if name in MUST_NAME_A_CODE and not any(k.arg == "code" for k in node.keywords)
        and path.name != "errors.py"
    ]  # fmt: skip
    assert not missing, f"errors raised without a specific code: {missing}"


def test_an_unknown_code_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="unknown error code"):
        RecordError("x", code="E999")


def test_the_errors_page_is_generated_from_the_catalogue(cli) -> None:
    page = (ROOT / "docs" / "errors.md").read_text()
    assert page == errors_markdown(), "regenerate: timescales errors --format markdown"
    listed = json.loads(cli("errors", "--format", "json").out)
    assert [row["code"] for row in listed] == list(CODES)


# value classes: a closed grammar, so nothing of the value can come through but its length
VALUE_CLASS = re.compile(
    r"null|boolean|integer|integer \(\d+ digits\)|number|number \(not finite\)|date|date-time"
    r"|bytes \(\d+\)|object \(\d+ keys?\)|list \(\d+ items?\)|empty|blank|date-time text"
    r"|date YYYY-MM-DD|date DD/MM/YYYY|date DD/MM/YY|number text|number text \(\d+ digits\)"
    r"|text with control characters \(\d+ chars\)|text \(\d+ chars\)"
)


@given(
    st.one_of(
        st.text(),
        st.integers(-(10**40), 10**40),
        st.floats(),
        st.none(),
        st.booleans(),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=10),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        st.dates().map(lambda d: d.isoformat()),
    )
)
def test_a_value_class_never_carries_the_value(value: object) -> None:
    assert VALUE_CLASS.fullmatch(value_class(value)), value_class(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Smith", "text (10 chars)"),
        ("12/04/2015", "date DD/MM/YYYY"),
        ("12/04/15", "date DD/MM/YY"),
        ("2015-04-12", "date YYYY-MM-DD"),
        ("2015-04-12T10:00:00", "date-time text"),
        ("", "empty"),
        ("   ", "blank"),
        ("123", "number text"),
        (10**30, "integer (31 digits)"),
        (dt.date(2015, 4, 12), "date"),
        ([1], "list (1 item)"),
        ({"a": 1, "b": 2}, "object (2 keys)"),
    ],
)
def test_value_classes(value: object, expected: str) -> None:
    assert value_class(value) == expected


GOOD = (ROOT / "rules" / "england" / "private-fostering" / "PF001.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (GOOD.replace("kind: schedule", "kind: [schedule"), "E201"),
        (GOOD.replace("kind: schedule", "kind: schedule\nkind: deadline"), "E203"),
        (GOOD.replace("event: pf_visit", "event: pf_visit\nevnt: x"), "E202"),
        (GOOD.replace("limit: {working_days: 7}\n", ""), "E204"),
        (GOOD.replace("limit: {working_days: 7}", "limit: {working_days: seven}"), "E205"),
        (GOOD.replace("event: pf_visit", "event: pf_vist"), "E206"),
        # a condition naming an event type or a placement attribute that does not exist
        (GOOD + "excluded_when: {anchor_before_first: lac_reviw}\n", "E206"),
        (GOOD + "excluded_when: {placement: {placement_tpye: P1}}\n", "E206"),
    ],
)
def test_rule_file_errors_have_their_codes(tmp_path: Path, text: str, code: str) -> None:
    (tmp_path / "PF001.yaml").write_text(text)
    with pytest.raises(RuleError) as info:
        validate_pack(load_rule_dir(tmp_path))
    assert info.value.code == code, str(info.value)
    assert info.value.location is not None and info.value.location.source.endswith("PF001.yaml")


def test_rule_file_that_is_not_utf8_is_e201_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "PF001.yaml").write_bytes(GOOD.encode("utf-16"))
    with pytest.raises(RuleError) as info:
        load_rule_dir(tmp_path)
    assert info.value.code == "E201" and "UTF-8" in info.value.message


def test_two_rules_with_one_id_is_e207(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "PF001.yaml").write_text(GOOD)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "PF001.yaml").write_text(GOOD.replace("pf-initial-visit", "other-name"))
    with pytest.raises(RuleError) as info:
        validate_pack(load_rule_dir(tmp_path))
    assert info.value.code == "E207"


def test_parse_rule_is_strict_about_the_top_level() -> None:
    with pytest.raises(RuleError) as info:
        parse_rule("- a list\n", "X.yaml")
    assert info.value.code == "E205"


@pytest.mark.parametrize(
    ("line", "code", "field", "value"),
    [
        ("{nope", "E301", None, None),
        ("[1, 2]", "E302", None, "list (2 items)"),
        ('{"child": "A", "events": [], "colour": "red"}', "E306", "colour", None),
        ('{"events": []}', "E305", "child", None),
        (
            '{"child": "A", "events": [{"type": "referral", "date": "12/04/2015"}]}',
            "E307",
            "date",
            "date DD/MM/YYYY",
        ),
        ('{"child": "A", "events": [{"type": "x_y", "date": "2020-01-01"}]}', "E308", "type", None),
    ],
)
def test_record_errors_through_the_cli(
    cli, tmp_path: Path, line: str, code: str, field: str | None, value: str | None
) -> None:
    data = tmp_path / "in.jsonl"
    good = '{"child": "OK", "events": []}'
    data.write_text(f"{good}\n{line}\n")
    rejects = tmp_path / "rejects.jsonl"
    res = cli("check", str(data), "--as-of", "2024-03-31", "--rejects", str(rejects))
    assert res.code == 0, res.err  # one child checked: the bad line alone is rejected
    (row,) = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert (row["code"], row["line"], row["field"]) == (code, 2, field)
    if value is not None:
        assert row["value_class"] == value
    assert f"rejected: {code} {data}:2" in res.err
    assert "12/04/2015" not in res.err + rejects.read_text()


def test_rejects_csv_has_the_value_class_column(cli, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    # an event's date is required (an optional field such as dob holding "Jane" would be left
    # out with a DATA050 note, the record used)
    data.write_text('{"child": "A", "events": [{"type": "referral", "date": "Jane"}]}\n')
    rejects = tmp_path / "rejects.csv"
    res = cli("check", str(data), "--as-of", "2024-03-31", "--rejects", str(rejects))
    assert res.code == 2  # nothing could be checked
    header, row = rejects.read_text().splitlines()
    assert header == "source,line,pointer,code,field,reason,value_class"
    assert row.endswith(",E307,date,/events/0/date: not a date YYYY-MM-DD,text (4 chars)"), row
    assert "Jane" not in rejects.read_text() + res.err


def test_whole_input_errors_have_codes(cli, tmp_path: Path) -> None:
    missing = cli("check", str(tmp_path / "none.jsonl"), "--as-of", "2024-03-31")
    assert missing.code == 2 and "error: E101 " in missing.err
    unknown = tmp_path / "mystery.bin"
    unknown.write_bytes(b"\x00\x01garbage")
    res = cli("check", str(unknown), "--as-of", "2024-03-31")
    assert res.code == 2 and "error: E402 " in res.err
    xml = tmp_path / "cin.xml"
    xml.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<Message/>\n')
    res = cli("check", str(xml), "--as-of", "2024-03-31", "--input-format", "cin-census")
    assert res.code == 2 and "error: E403 " in res.err, res.err


def test_as_dict_is_what_rejects_and_the_service_carry() -> None:
    err = RecordError(
        "DOB is not a date", Location("f.csv", 3, "DOB"), "DOB", code="E310", value_class="empty"
    )
    assert err.as_dict() == {
        "code": "E310",
        "source": "f.csv",
        "line": 3,
        "pointer": "DOB",
        "field": "DOB",
        "value_class": "empty",
        "message": "DOB is not a date",
    }
