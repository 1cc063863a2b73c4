"""The fault matrix: every upstream fault, through an MCP session with the server in memory, answered correctly.

For each fault: the tool's result (success after retries, or a specific error result), how many
requests reached the fake, that the server still answers the next call, that nothing was written to
stdout, and that the API key appears in no log record and no output. docs/reliability.md lists the
same matrix for users. Retries do not wait here (see conftest); tests/test_stdio_protocol.py checks
the real process's streams.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from anam_fake import FakeAnam, Fault

from .helpers import TOOLS, in_memory, text

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
    settings: dict[str, Any] = field(default_factory=dict)
    latency: float = 0.0


CASES = [
    Case("latency", "/v1/voices", (), ok=True, requests=5, latency=0.1),
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
         says="larger than the 1024 KiB limit", settings={"max_response_bytes": 1024 * 1024}),
    Case("hang past the timeout", "/v1/voices", (Fault(kind="hang", seconds=10),), says="did not answer within",
         settings={"read_timeout_seconds": 0.5, "max_retries": 0}),
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
         settings={"read_timeout_seconds": 0.5}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault(
    case: Case, fake: FakeAnam, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.latency = case.latency
    fake.script(case.path, *case.faults)
    async with in_memory(fake, **case.settings) as client:
        result = await client.call_tool(case.tool, case.arguments)
        assert result.is_error is (not case.ok), text(result)
        if case.says:
            assert case.says in text(result)
        assert "Traceback" not in text(result)
        assert len(fake.requests_to(case.path)) == case.requests
        if case.tool == "create_session_token":
            assert fake.tokens_issued == 0  # never a token minted behind the user's back

        fake.clear()
        fake.latency = 0
        again = await client.call_tool("search_avatars", {"query": "liv"})
        assert not again.is_error, text(again)

    out, err = capsys.readouterr()
    assert out == ""
    assert fake.api_key not in err + caplog.text
    assert f"tool {case.tool}: {'ok' if case.ok else 'error'} in" in caplog.text  # the call was logged


async def test_connection_refused(fake: FakeAnam) -> None:
    refused = in_memory(fake, max_retries=1)
    fake.stop()  # its port now refuses connections
    async with refused as client:
        result = await client.call_tool("create_session_token", {})
        assert result.is_error
        assert "Could not connect to the Anam API" in text(result)
        listed = await client.list_tools()
    assert len(listed.tools) == len(TOOLS)


async def test_a_stale_catalogue_is_served_when_a_refresh_fails(fake: FakeAnam) -> None:
    async with in_memory(fake, max_retries=0) as client:
        first = await client.call_tool("search_voices", {"query": "lucy"})
        assert first.structured_content is not None
        assert first.structured_content["note"] is None
        fake.script("/v1/voices", Fault(status=500))
        stale = await client.call_tool("search_voices", {"query": "lucy", "refresh": True})
    assert not stale.is_error
    assert stale.structured_content is not None
    assert stale.structured_content["total"] == 1
    assert "Could not refresh the voices list" in stale.structured_content["note"]


async def test_every_call_is_bounded_in_time(fake: FakeAnam) -> None:
    fake.script("/v1/voices", *[Fault(kind="hang", seconds=10)] * 5)
    async with in_memory(fake, tool_timeout_seconds=0.5, read_timeout_seconds=5) as client:
        result = await client.call_tool("search_voices", {})
    assert result.is_error
    assert "did not finish within 0.5 s" in text(result)
