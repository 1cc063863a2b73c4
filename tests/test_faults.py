"""The fault matrix: every upstream fault, through a real stdio session, answered correctly.

For each fault: the tool's result (success after retries, or a specific error result), how many
requests reached the fake, that the server still answers the next call, that stdout carried only
JSON-RPC, and that the API key appears nowhere in stdout or stderr. docs/reliability.md lists the
same matrix for users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .fake_anam import FakeAnam, Fault
from .raw_client import assert_only_json_rpc, start

pytestmark = pytest.mark.anyio

PERSONA = "11111111-2222-4333-8444-555555555555"


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # where the fault is scripted on the fake
    faults: tuple[Fault, ...]
    tool: str = "search_voices"
    arguments: dict[str, Any] = field(default_factory=dict)
    ok: bool = False
    says: str = ""  # text the error result must contain
    requests: int = 1  # requests the fake must have seen for this call
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("latency", "/v1/voices", (), ok=True, requests=5, env={"_LATENCY": "0.3"}),
    Case("429 then ok", "/v1/voices", (Fault(status=429, headers={"Retry-After": "1"}),), ok=True, requests=6),
    Case("429, long Retry-After", "/v1/voices", (Fault(status=429, headers={"Retry-After": "90"}),),
         says="rate limiting requests (429). Try again in about 90 s"),
    Case("500", "/v1/voices", (Fault(status=500),), says="unavailable or failed (500)"),
    Case("502 then ok", "/v1/voices", (Fault(status=502),), ok=True, requests=6),
    Case("503 persists", "/v1/voices", (Fault(status=503),) * 10, says="(503)", requests=4),
    Case("504 then ok", "/v1/voices", (Fault(status=504),), ok=True, requests=6),
    Case("HTML error page", "/v1/voices", (Fault(kind="html", status=502),) * 10, says="(502)", requests=4),
    Case("invalid JSON", "/v1/voices", (Fault(kind="invalid_json"),), says="could not be read (not JSON)"),
    Case("truncated body then ok", "/v1/voices", (Fault(kind="truncated"),), ok=True, requests=6),
    Case("body over the cap", "/v1/voices", (Fault(kind="huge", seconds=4 * 1024 * 1024),),
         says="larger than the 1024 KiB limit", env={"ANAM_MAX_RESPONSE_BYTES": str(1024 * 1024)}),
    Case("hang past the timeout", "/v1/voices", (Fault(kind="hang", seconds=10),), says="did not answer within",
         env={"ANAM_READ_TIMEOUT_SECONDS": "0.5", "ANAM_MAX_RETRIES": "0"}),
    Case("401", "/v1/voices", (Fault(status=401),), says="Check ANAM_API_KEY"),
    Case("403", "/v1/voices", (Fault(status=403, body={"error": "Forbidden", "message": "Plan lacks API"}),),
         says="refused this request (403): Plan lacks API"),
    Case("404 on a token", "/v1/auth/session-token", (), tool="create_session_token",
         arguments={"persona_id": PERSONA}, says="search_personas"),
    Case("400 on a token", "/v1/auth/session-token",
         (Fault(status=400, body={"error": "Invalid request body", "message": "voiceId: bad\n voice"}),),
         tool="create_session_token", says="invalid (400): voiceId: bad voice"),
    Case("503 on a token is not retried", "/v1/auth/session-token", (Fault(status=503), Fault("ok")),
         tool="create_session_token", says="(503)"),
    Case("hang on a token is not retried", "/v1/auth/session-token", (Fault(kind="hang", seconds=10), Fault("ok")),
         tool="create_session_token", says="did not answer",
         env={"ANAM_READ_TIMEOUT_SECONDS": "0.5"}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault(case: Case, fake: FakeAnam, tmp_path: Path) -> None:
    env = dict(case.env)
    fake.latency = float(env.pop("_LATENCY", "0"))
    fake.script(case.path, *case.faults)
    server = await start(fake, tmp_path, **env)
    await server.initialize()

    answer = await server.request(1, "tools/call", {"name": case.tool, "arguments": case.arguments})
    result = answer["result"]
    text = " ".join(block.get("text", "") for block in result["content"])
    assert result["isError"] is (not case.ok), text
    if case.says:
        assert case.says in text
    assert "Traceback" not in text
    assert len(fake.requests_to(case.path)) == case.requests
    if case.tool == "create_session_token":
        assert fake.tokens_issued == 0  # never a token minted behind the user's back

    fake.clear()
    fake.latency = 0
    again = await server.request(2, "tools/call", {"name": "search_avatars", "arguments": {"query": "liv"}})
    assert again["result"]["isError"] is False

    code, stderr = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)
    assert fake.api_key not in "\n".join(server.lines)
    assert fake.api_key not in stderr


async def test_connection_refused(tmp_path: Path) -> None:
    with FakeAnam() as fake:
        url = fake.url  # started and stopped: its port now refuses connections
    server = await start(None, tmp_path, ANAM_API_URL=url, ANAM_API_KEY=fake.api_key, ANAM_MAX_RETRIES="1")
    await server.initialize()
    answer = await server.request(1, "tools/call", {"name": "create_session_token", "arguments": {}})
    assert answer["result"]["isError"] is True
    assert "Could not connect to the Anam API" in answer["result"]["content"][0]["text"]
    listed = await server.request(2, "tools/list")
    assert len(listed["result"]["tools"]) == 5
    code, stderr = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)
    assert fake.api_key not in stderr


async def test_a_stale_catalogue_is_served_when_a_refresh_fails(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path, ANAM_MAX_RETRIES="0")
    await server.initialize()
    first = await server.request(1, "tools/call", {"name": "search_voices", "arguments": {"query": "lucy"}})
    assert first["result"]["structuredContent"]["note"] is None
    fake.script("/v1/voices", Fault(status=500))
    stale = await server.request(
        2, "tools/call", {"name": "search_voices", "arguments": {"query": "lucy", "refresh": True}}
    )
    assert stale["result"]["isError"] is False
    assert stale["result"]["structuredContent"]["total"] == 1
    assert "Could not refresh the voices list" in stale["result"]["structuredContent"]["note"]
    await server.finish()


async def test_every_call_is_bounded_in_time(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/voices", *[Fault(kind="hang", seconds=10)] * 5)
    server = await start(fake, tmp_path, ANAM_TOOL_TIMEOUT_SECONDS="1", ANAM_READ_TIMEOUT_SECONDS="5")
    await server.initialize()
    answer = await server.request(1, "tools/call", {"name": "search_voices", "arguments": {}})
    assert answer["result"]["isError"] is True
    assert "did not finish within 1 s" in answer["result"]["content"][0]["text"]
    await server.finish()
