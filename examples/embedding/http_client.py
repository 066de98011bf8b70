"""Call the HTTP service from another program (standard library only).

    timescales serve --host 127.0.0.1 --port 8000 &
    python examples/embedding/http_client.py [URL]   (default: http://127.0.0.1:8000)

Sends one child to POST /check with ``explain``, prints the findings and the counting steps of
the first late one, then sends examples/children.jsonl to POST /check/stream and prints the
summary line. Set TIMESCALES_API_TOKEN if the service requires a token.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent


def post(url: str, body: bytes, content_type: str) -> bytes:
    headers = {"content-type": content_type}
    token = os.environ.get("TIMESCALES_API_TOKEN")
    if token:
        headers["authorization"] = f"Bearer {token}"
    # main() allows only http(s) URLs
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        data: bytes = response.read()
        return data


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    if not base.startswith(("http://", "https://")):
        raise SystemExit("URL must start with http:// or https://")
    record = {
        "child": "C-0001",
        "events": [
            {"type": "referral", "date": "2023-12-01", "ref": "R1"},
            {"type": "referral_decision", "date": "2023-12-04", "ref": "R1"},
        ],
    }
    body = json.dumps({"as_of": "2024-03-31", "record": record, "explain": True}).encode()
    answer: dict[str, Any] = json.loads(post(f"{base}/check", body, "application/json"))
    for finding in answer["findings"]:
        print(f"{finding['rule']} {finding['status']:<8} due {finding['due']}")
    late = [f for f in answer["findings"] if f["status"] in ("late", "overdue", "unmet")]
    if late:
        print("\n".join(late[0]["explanation"]["steps"]))

    lines = (EXAMPLES / "children.jsonl").read_bytes()
    streamed = post(f"{base}/check/stream?as_of=2024-03-31", lines, "application/x-ndjson")
    print(streamed.decode().splitlines()[-1])


if __name__ == "__main__":
    main()
