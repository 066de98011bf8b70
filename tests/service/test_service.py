"""The HTTP service against a real uvicorn server on 127.0.0.1: the CLI's findings, limits
with clear 413/422 answers, timeouts, auth on and off, and an access log without records."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from servicekit import AS_OF, EXAMPLES, ROOT, children, expected, live, ruleset

import timescales
from conftest import run_module
from timescales.service import Settings, create_app
from timescales.service.middleware import ACCESS_LOGGER

TOKEN = "a-long-enough-test-token-0123456789"


@pytest.fixture(scope="module")
def server():
    with live() as running:
        yield running


def jsonl(records) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_check_returns_the_cli_findings(server) -> None:
    response = server.client.post("/check", json={"as_of": AS_OF, "records": children()})
    assert response.status_code == 200
    body = response.json()
    assert body["findings"] == expected()
    assert body["summary"] == {
        "read": 15,
        "checked": 15,
        "rejected": 0,
        "met": 230,  # examples/expected-findings.jsonl, as the CLI gives them (EX13's EPO
        "late": 16,  # counted from police protection; EX15's breaks recorded as V3)
        "overdue": 9,
        "pending": 9,
        "unmet": 2,  # LA020 and PF004: a visit that did not record the child seen alone
    }
    unmet = [f for f in body["findings"] if f["status"] == "unmet"]
    assert {f["rule"] for f in unmet} == {"LA020", "PF004"}
    assert all(f["days_late"] is None and f["working_days_late"] is None for f in unmet)
    assert body["rejected"] == [] and body["as_of"] == AS_OF


def test_check_returns_unmet_for_a_visit_not_seen_alone(server) -> None:
    record = {
        "child": "C1",
        "events": [
            {"type": "became_looked_after", "date": "2023-03-31", "ref": "P1"},
            {
                "type": "lac_visit",
                "date": "2023-04-05",
                "ref": "P1",
                "attrs": {"seen_alone": False},
            },
        ],
    }
    body = server.client.post(
        "/check", json={"as_of": AS_OF, "record": record, "rules": ["LA020"], "explain": True}
    ).json()
    (finding,) = body["findings"]
    assert finding["status"] == "unmet" and finding["done"] is None
    assert finding["days_late"] is None and finding["working_days_late"] is None
    assert finding["anchor"] == finding["due"] == "2023-04-05"
    assert any("unmet" in step for step in finding["explanation"]["steps"])
    assert body["summary"]["unmet"] == 1 and body["summary"]["overdue"] == 0
    streamed = server.client.post(
        f"/check/stream?as_of={AS_OF}&rules=LA020", content=jsonl([record])
    ).text.splitlines()
    assert json.loads(streamed[0])["findings"][0]["status"] == "unmet"
    assert json.loads(streamed[-1])["summary"]["unmet"] == 1


def test_check_one_record_and_rule_filter_and_explain(server) -> None:
    child = children()[0]
    one = server.client.post("/check", json={"as_of": AS_OF, "record": child}).json()
    assert one["findings"] == [f for f in expected() if f["child"] == child["child"]]
    only = server.client.post(
        "/check", json={"as_of": AS_OF, "record": child, "rules": ["pf001"], "explain": True}
    ).json()
    assert [f["rule"] for f in only["findings"]] == ["PF001"]
    steps = only["findings"][0]["explanation"]["steps"]
    assert any("Christmas Day" in step for step in steps)
    unknown = server.client.post(
        "/check", json={"as_of": AS_OF, "record": child, "rules": ["XX999"]}
    )
    assert unknown.status_code == 422 and "XX999" in unknown.json()["detail"]


def test_stream_returns_the_cli_findings_line_by_line(server) -> None:
    response = server.client.post(
        f"/check/stream?as_of={AS_OF}",
        content=(EXAMPLES / "children.jsonl").read_bytes(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["line"] for line in lines[:-1]] == list(range(1, 16))
    assert [f for line in lines[:-1] for f in line["findings"]] == expected()
    assert lines[-1]["summary"]["checked"] == 15


def test_stream_sent_in_small_chunks_rejects_bad_lines_and_goes_on(server) -> None:
    records = children()[:3]
    body = (
        jsonl(records[:1])
        + b"{not json\n"
        + b"\n"
        + json.dumps({"child": "X", "dob": "31/12/2015"}).encode()
        + b"\n"
        + jsonl(records[1:])
    )

    def chunks():
        for i in range(0, len(body), 7):  # lines split across many chunks
            yield body[i : i + 7]

    response = server.client.post(f"/check/stream?as_of={AS_OF}", content=chunks())
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [sorted(k for k in line if k != "line") for line in lines[:-1]] == [
        ["child", "findings", "quality"],
        ["rejected"],
        ["rejected"],
        ["child", "findings", "quality"],
        ["child", "findings", "quality"],
    ]
    assert lines[1]["rejected"]["message"].startswith("not valid JSON")
    assert lines[2]["line"] == 4 and lines[2]["rejected"]["field"] == "dob"
    # the tool-wide error codes, and the kind of value at fault (never the value)
    assert lines[1]["rejected"]["code"] == "E301"
    assert lines[2]["rejected"]["code"] == "E307"
    assert lines[2]["rejected"]["value_class"] == "date DD/MM/YYYY"
    assert "31/12/2015" not in response.text
    assert lines[-1]["summary"] == {
        "read": 5,
        "checked": 3,
        "rejected": 2,
        **{s: lines[-1]["summary"][s] for s in ("met", "late", "overdue", "pending", "unmet")},
    }


def test_rules_listing_and_pages_are_the_cli_ones(server) -> None:
    listed = server.client.get("/rules").json()
    cli_rows = json.loads(run_module(["rules", "list", "--format", "json"]).out)
    assert listed == cli_rows  # one listing (api.rule_rows), local and overridden included
    page = server.client.get("/rules/pf001").json()
    assert page["id"] == "PF001"
    assert page["page"] == run_module(["rules", "show", "PF001"]).out
    missing = server.client.get("/rules/ZZ999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_no_file_system_paths_are_accepted(server) -> None:
    for path in ("/rules/..%2F..%2Fetc%2Fpasswd", "/rules/%2Fetc%2Fpasswd", "/rules/../../etc"):
        response = server.client.get(path)
        assert response.status_code in (404, 422)
        assert "root:" not in response.text
    schema = server.client.get("/openapi.json").json()
    text = json.dumps(schema).lower()
    for word in ('"path"', '"file"', '"filename"', '"dir"'):
        assert f"{word}:" not in text.replace(" ", "")
    params = [
        p["name"]
        for ops in schema["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
    ]
    assert sorted(params) == ["as_of", "explain", "rule_id", "rules"]


def test_health(server) -> None:
    assert server.client.get("/health").json() == {
        "status": "ok",
        "version": timescales.__version__,
        "la": None,
        "rules": len(ruleset()),
    }


def test_many_concurrent_requests_give_identical_answers(server) -> None:
    records = children()
    wanted = {r["child"]: [f for f in expected() if f["child"] == r["child"]] for r in records}

    def one(record):
        response = httpx.post(
            f"{server.url}/check", json={"as_of": AS_OF, "record": record}, timeout=60
        )
        return record["child"], response.json()["findings"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(one, records * 8))
    for child, findings in answers:
        assert findings == wanted[child]


def test_openapi_comes_from_the_models() -> None:
    schema = create_app(Settings()).openapi()
    components = schema["components"]["schemas"]
    for name in (
        "CheckRequest",
        "CheckResponse",
        "ChildRecord",
        "Event",
        "FindingModel",
        "Explanation",
        "ErrorResponse",
        "RuleDetail",
        "StreamResult",
    ):
        assert name in components, name
    assert "pf_notified" in components["Event"]["properties"]["type"]["enum"]
    finding = components["FindingModel"]["properties"]
    assert {"id", "rule", "child", "anchor", "due", "done", "status"} <= set(finding)
    # the statuses, unmet included, are the library's own enum
    assert finding["status"] == {"$ref": "#/components/schemas/Status"}
    assert components["Status"]["enum"] == ["met", "late", "overdue", "pending", "unmet"]
    assert "unmet" in components["CheckSummary"]["required"]
    body = schema["paths"]["/check"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/CheckRequest"}
    assert "security" not in schema["paths"]["/check"]["post"]


# -- limits -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tight():
    settings = Settings(
        max_body_bytes=3000,
        max_records=3,
        max_stream_bytes=30_000,
        max_stream_records=4,
        max_line_bytes=3000,
        max_events=40,
    )
    with live(settings) as running:
        yield running


def test_body_over_the_limit_is_413_by_content_length(tight) -> None:
    records = children()[5:8]
    response = tight.client.post("/check", json={"as_of": AS_OF, "records": records})
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "body_too_large" and body["error_code"] == "E604"
    assert "larger than the limit of 3000 bytes" in body["detail"]


def test_body_over_the_limit_is_413_when_chunked(tight) -> None:
    payload = json.dumps({"as_of": AS_OF, "records": children()[5:8]}).encode()

    def chunks():
        for i in range(0, len(payload), 1000):
            yield payload[i : i + 1000]

    response = tight.client.post(
        "/check", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_too_many_records_is_422_with_a_clear_message(tight) -> None:
    small = {"child": "C", "events": []}
    response = tight.client.post("/check", json={"as_of": AS_OF, "records": [small] * 4})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "too_many_records"
    assert "at most 3 per request" in body["detail"]
    assert body["problems"] == [{"pointer": "/records", "message": "at most 3 records"}]


def test_invalid_requests_are_422_with_pointers_and_no_values(tight) -> None:
    response = tight.client.post(
        "/check",
        json={
            "as_of": AS_OF,
            "records": [{"child": "C", "dob": "12/04/2015", "name": "Jane Smith", "events": []}],
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert {p["pointer"] for p in body["problems"]} == {"/records/0/dob", "/records/0/name"}
    assert "12/04/2015" not in response.text and "Jane" not in response.text
    missing = tight.client.post("/check", json={"records": []})
    assert missing.status_code == 422
    assert missing.json()["problems"] == [
        {"pointer": "/as_of", "message": "required key is missing"}
    ]
    both = tight.client.post("/check", json={"as_of": AS_OF})
    assert both.status_code == 422 and "exactly one of" in both.text
    broken = tight.client.post(
        "/check", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["code"] == "invalid_json"
    assert broken.json()["error_code"] == "E602" and missing.json()["error_code"] == "E603"
    no_date = tight.client.post("/check/stream", content=b"{}\n")
    assert no_date.status_code == 422 and no_date.json()["problems"][0]["pointer"] == "/query/as_of"


def test_too_many_events_for_one_child_is_rejected_not_checked(tight) -> None:
    record = {"child": "C", "events": [{"type": "referral", "date": "2024-01-02"}] * 41}
    response = tight.client.post("/check", json={"as_of": AS_OF, "record": record})
    assert response.status_code == 200
    assert response.json()["rejected"][0]["message"] == "more than 40 events for one child"


def test_stream_limits_end_the_stream_with_an_error_line(tight) -> None:
    small = {"child": "C", "events": [{"type": "referral", "date": "2024-01-02"}]}
    response = tight.client.post(f"/check/stream?as_of={AS_OF}", content=jsonl([small] * 6))
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["line"] for line in lines[:-1]] == [1, 2, 3, 4]
    assert lines[-1]["error"]["code"] == "too_many_records"
    long_line = json.dumps({"child": "C" * 3500, "events": []}).encode()
    response = tight.client.post(
        f"/check/stream?as_of={AS_OF}", content=jsonl([small]) + long_line + b"\n" + jsonl([small])
    )
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert "line longer than 3000 bytes" in lines[1]["rejected"]["message"]
    assert lines[2]["line"] == 3 and "findings" in lines[2]
    too_big = tight.client.post(f"/check/stream?as_of={AS_OF}", content=b"\n" * 30_001)
    assert too_big.status_code == 413

    def chunks():
        for _ in range(40):
            yield b"\n" * 1000

    streamed = tight.client.post(f"/check/stream?as_of={AS_OF}", content=chunks())
    tail = json.loads(streamed.text.splitlines()[-1])["error"]
    assert tail["code"] == "body_too_large" and tail["error_code"] == "E604"


def test_a_request_over_its_time_limit_is_503() -> None:
    from timescales.service.app import Service, ServiceError

    body = json.dumps({"as_of": AS_OF, "records": children()}).encode()
    service = Service(ruleset(), Settings(request_timeout=2.5))
    with pytest.raises(ServiceError) as info:
        service.check_body(body, deadline=time.monotonic() - 1)  # the budget is spent
    assert (info.value.status, info.value.code) == (503, "timeout")
    assert "longer than 2.5 s" in info.value.detail
    records = [children()[i % 15] for i in range(300)]
    with live(Settings(request_timeout=0.001)) as running:
        response = running.client.post("/check", json={"as_of": AS_OF, "records": records})
    # over HTTP the budget runs out while the body is read (408) or while checking (503)
    assert response.status_code in (408, 503)
    assert response.json()["code"] == "timeout"


def test_a_stream_over_its_time_limit_ends_with_a_timeout_line() -> None:
    small = {"child": "C", "events": [{"type": "referral", "date": "2024-01-02"}]}

    def slow():
        yield jsonl([small])
        time.sleep(3)  # a client that stops sending
        yield jsonl([small])

    with live(Settings(stream_timeout=1.5)) as running:
        response = running.client.post(f"/check/stream?as_of={AS_OF}", content=slow())
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines[0]["line"] == 1 and "findings" in lines[0]
    assert lines[-1]["error"]["code"] == "timeout"


# -- auth ---------------------------------------------------------------------------------


def test_auth_off_by_default(server) -> None:
    assert server.client.get("/rules").status_code == 200


def test_bearer_token_required_when_configured(monkeypatch) -> None:
    monkeypatch.setenv("TIMESCALES_API_TOKEN", TOKEN)
    settings = Settings.from_env()
    assert settings.api_token == TOKEN
    with live(settings) as running:
        client = running.client
        assert client.get("/health").status_code == 200  # liveness stays open
        assert client.get("/openapi.json").status_code == 200
        for call in (
            lambda h: client.get("/rules", headers=h),
            lambda h: client.get("/rules/PF001", headers=h),
            lambda h: client.post(
                "/check", json={"as_of": AS_OF, "record": children()[0]}, headers=h
            ),
            lambda h: client.post(f"/check/stream?as_of={AS_OF}", content=b"", headers=h),
        ):
            none = call({})
            assert none.status_code == 401 and none.json()["code"] == "unauthorized"
            assert none.json()["error_code"] == "E601"
            assert none.headers["www-authenticate"].startswith("Bearer")
            wrong = call({"authorization": "Bearer wrong-token-wrong-token-0000"})
            assert wrong.status_code == 401 and "not valid" in wrong.json()["detail"]
            assert call({"authorization": f"Bearer {TOKEN}"}).status_code == 200
        schema = client.get("/openapi.json").json()
        assert schema["paths"]["/check"]["post"]["security"] == [{"bearer": []}]
        assert "security" not in schema["paths"]["/health"]["get"]


def test_a_short_token_is_refused() -> None:
    from timescales import UsageError

    with pytest.raises(UsageError, match="at least 16"):
        Settings.from_env({"TIMESCALES_API_TOKEN": "short"})
    assert Settings.from_env({"TIMESCALES_API_TOKEN": ""}).api_token is None
    assert Settings.from_env({"TIMESCALES_SERVICE_MAX_RECORDS": "7"}).max_records == 7


# -- access log -----------------------------------------------------------------------------


def test_access_log_is_json_without_record_contents(caplog) -> None:
    secret = {
        "child": "CHILD-ID-7f3a91",
        "dob": "2011-07-13",
        "team": "Team-Name-Q",
        "worker": "Worker-Name-Z",
        "events": [
            {"type": "referral", "date": "2023-12-01", "ref": "REF-XYZ", "case": "CASE-ABC"}
        ],
    }
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    with live() as running:
        running.client.post("/check", json={"as_of": AS_OF, "records": [secret, secret]})
        running.client.post(f"/check/stream?as_of={AS_OF}&rules=RA001", content=jsonl([secret]))
        running.client.post("/check", json={"as_of": AS_OF, "records": [{**secret, "dob": "x"}]})
        running.client.get("/no/such/CHILD-ID-7f3a91")
        running.client.post("/check", content=b"x" * 20_000_000)
    records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    entries = [json.loads(r.getMessage()) for r in records]
    assert [e["route"] for e in entries] == [
        "/check",
        "/check/stream",
        "/check",
        "unmatched",
        "/check",
    ]
    assert [e["status"] for e in entries] == [200, 200, 422, 404, 413]
    assert entries[0]["records"] == 2 and entries[0]["findings"] >= 2
    assert entries[1]["records"] == 1 and entries[1]["rejected"] == 0
    for entry in entries:
        assert {"ts", "method", "status", "ms", "bytes_in", "bytes_out", "request_id"} <= set(entry)
    text = "\n".join(r.getMessage() for r in records)
    for value in (
        "CHILD-ID-7f3a91",
        "2011-07-13",
        "Team-Name-Q",
        "Worker-Name-Z",
        "REF-XYZ",
        "CASE-ABC",
        "2023-12-01",
        "RA001",
        "as_of",
    ):
        assert value not in text


# -- the command line -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_timescales_serve_starts_and_answers(tmp_path) -> None:
    port = _free_port()
    env = {**os.environ, "TIMESCALES_API_TOKEN": ""}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "timescales",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--max-records",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        answer = httpx.post(f"{url}/check", json={"as_of": AS_OF, "records": children()[:1]})
        assert answer.json()["findings"] == [
            f for f in expected() if f["child"] == children()[0]["child"]
        ]
        over = httpx.post(f"{url}/check", json={"as_of": AS_OF, "records": children()[:3]})
        assert over.status_code == 422 and "at most 2" in over.json()["detail"]
        example = subprocess.run(
            [sys.executable, str(EXAMPLES / "embedding" / "http_client.py"), url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )
        assert example.returncode == 0, example.stderr
        assert "RA001" in example.stdout and '"summary"' in example.stdout
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {e["route"] for e in access} >= {"/health", "/check", "/check/stream"}
    assert children()[0]["child"] not in err


def test_serve_without_the_extra_says_how_to_install(monkeypatch, cli) -> None:
    import builtins

    real = builtins.__import__

    def no_uvicorn(name, *args, **kwargs):
        if name == "uvicorn" or name.startswith("uvicorn."):
            raise ModuleNotFoundError("No module named 'uvicorn'", name="uvicorn")
        return real(name, *args, **kwargs)

    for module in [m for m in sys.modules if m.startswith("timescales.service.runner")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(builtins, "__import__", no_uvicorn)
    result = cli("serve", "--port", "0")
    assert result.code == 2
    assert "pip install 'timescales[service]'" in result.err


@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("timescales_lancashire") is None,
    reason="the Lancashire plugin is not installed",
)
def test_a_council_service_takes_its_event_types_and_gives_the_cli_findings() -> None:
    cli = run_module(
        [
            "check",
            str(EXAMPLES / "lancashire.jsonl"),
            "--la",
            "lancashire",
            "--as-of",
            AS_OF,
            "--format",
            "jsonl",
        ]
    )
    wanted = [json.loads(line) for line in cli.out.splitlines()]
    records = [
        json.loads(line) for line in (EXAMPLES / "lancashire.jsonl").read_text().splitlines()
    ]
    rules = timescales.load_rules(la="lancashire")
    with live(Settings(la="lancashire"), rules=rules) as running:
        answer = running.client.post("/check", json={"as_of": AS_OF, "records": records})
        assert answer.status_code == 200, answer.text
        assert answer.json()["findings"] == wanted
        assert answer.json()["la"] == "lancashire"
        schema = running.client.get("/openapi.json").json()
        assert (
            "lancashire.iro_agreement"
            in schema["components"]["schemas"]["Event"]["properties"]["type"]["enum"]
        )
        page = running.client.get("/rules/RA001").json()
        assert page["overridden"] is True and "Local variations" in page["page"]
