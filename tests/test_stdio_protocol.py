"""The raw stdio stream: only JSON-RPC on stdout, no secrets anywhere, and no crash on protocol abuse.

The SDK's client silently skips junk lines on stdout, so these tests read the server's stdout themselves.
"""

from __future__ import annotations

import signal
from pathlib import Path

import anyio
import pytest
from mcp import Client

from anam_fake import FakeAnam, Fault

from .helpers import TOOLS, text, until_requested
from .raw_client import RawServer, assert_only_json_rpc, start

pytestmark = [pytest.mark.anyio, pytest.mark.weight(4)]


async def test_stdout_carries_only_json_rpc_and_the_key_appears_nowhere(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path, ANAM_LOG_LEVEL="DEBUG", ANAM_PREFETCH="true")
    await server.initialize()
    listed = await server.request(1, "tools/list")
    assert len(listed["result"]["tools"]) == len(TOOLS)
    found = await server.request(2, "tools/call", {"name": "search_voices", "arguments": {"query": "lucy"}})
    assert found["result"]["isError"] is False
    token = await server.request(3, "tools/call", {"name": "create_session_token", "arguments": {}})
    assert token["result"]["isError"] is False
    session_token = token["result"]["structuredContent"]["session_token"]
    code, stderr = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)
    assert fake.api_key not in "\n".join(server.lines)
    assert fake.api_key not in stderr
    assert session_token not in stderr  # tokens are returned, never logged
    assert "tool search_voices: ok in" in stderr  # one log line per call, on stderr


async def test_protocol_abuse_gets_answers_not_crashes(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()
    await server.send("this is not json")
    await server.send('{"jsonrpc": "2.0", "id": 5, "method": ')
    unknown_method = await server.request(6, "no/such/method")
    assert unknown_method["error"]["code"] == -32601
    # The spec's example answers an unknown tool with a protocol error (-32602); the SDK's MCPServer answers
    # with an error result, which the model reads and can act on. Pinned, so that a change is noticed.
    unknown_tool = await server.request(7, "tools/call", {"name": "nope", "arguments": {}})
    assert unknown_tool["result"]["isError"] is True
    assert unknown_tool["result"]["content"][0]["text"] == "Unknown tool: nope"
    # Arguments of the wrong type are the model's to correct: an error result that names the argument.
    wrong_types = await server.request(8, "tools/call", {"name": "search_voices", "arguments": {"limit": "many"}})
    assert wrong_types["result"]["isError"] is True
    assert "limit" in wrong_types["result"]["content"][0]["text"]
    # A request that is not a CallToolRequest at all is the client's bug: a protocol error.
    not_an_object = await server.request(9, "tools/call", {"name": "search_voices", "arguments": [1, 2]})
    assert not_an_object["error"]["code"] == -32602
    assert "result" not in not_an_object
    still_fine = await server.request(10, "tools/call", {"name": "search_avatars", "arguments": {"query": "liv"}})
    assert still_fine["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def start_with_a_hanging_call(fake: FakeAnam, tmp_path: Path, request_id: int) -> RawServer:
    """A served session whose search_voices call `request_id` is waiting on an API that does not answer."""
    fake.script("/v1/voices", Fault(kind="hang", seconds=5))
    server = await start(fake, tmp_path, ANAM_READ_TIMEOUT_SECONDS="10")
    await server.initialize()
    call = {"name": "search_voices", "arguments": {}}
    await server.send({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": call})
    await until_requested(fake, "/v1/voices")  # the call now hangs there
    return server


async def test_a_call_cancelled_mid_flight_leaves_the_server_serving(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start_with_a_hanging_call(fake, tmp_path, request_id=20)
    await server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 20}})
    answer = await server.request(21, "tools/call", {"name": "search_avatars", "arguments": {"query": "cara"}})
    assert answer["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def test_stdin_closed_mid_call_exits_cleanly_and_leaves_nothing_running(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start_with_a_hanging_call(fake, tmp_path, request_id=30)
    group = server.process.pid  # the server leads its own process group
    code, stderr = await server.finish()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert _members_of_process_group(group) == []
    assert_only_json_rpc(server.lines)


def _members_of_process_group(group: int) -> list[int]:
    """Live processes in `group`; orphans keep their group even after being handed to init."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[2] == str(group) and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


async def test_sigterm_stops_a_serving_server_quietly(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()  # serving for certain, not still starting
    server.process.send_signal(signal.SIGTERM)
    with anyio.fail_after(10):
        code = await server.process.wait()
    assert code == -signal.SIGTERM
    code, stderr = await server.finish()
    assert "Traceback" not in stderr
    assert_only_json_rpc(server.lines)


async def test_the_sdk_client_over_stdio_gets_tools_progress_and_a_token(stdio_client: Client) -> None:
    assert {tool.name for tool in (await stdio_client.list_tools()).tools} == TOOLS
    seen: list[float] = []

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    found = await stdio_client.call_tool("search_voices", {"query": "lucy"}, progress_callback=progress)
    assert not found.is_error, text(found)
    assert seen == [1, 2, 3, 4, 5]  # one notification per page, framed on the real stream
    made = await stdio_client.call_tool("create_session_token", {})
    assert not made.is_error, text(made)
