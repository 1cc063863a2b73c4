"""Lines that are not JSON-RPC messages get a JSON-RPC error, not silence, and the server keeps serving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from anam_fake import FakeAnam

from .raw_client import RawServer, assert_only_json_rpc, start

pytestmark = pytest.mark.anyio

PARSE_ERROR = -32700
INVALID_REQUEST = -32600

# case -> (line sent, code and id of the error it must get)
JUNK: dict[str, tuple[str, int, int | str | None]] = {
    "not JSON": ("this is not json", PARSE_ERROR, None),
    "cut-off JSON": ('{"jsonrpc": "2.0", "id": 5, "method": ', PARSE_ERROR, None),
    "a batch": ('[{"jsonrpc": "2.0", "id": 5, "method": "ping"}]', INVALID_REQUEST, None),
    "a bare number": ("42", INVALID_REQUEST, None),
    "an object id": ('{"jsonrpc": "2.0", "id": {"n": 5}, "method": "ping"}', INVALID_REQUEST, None),
    "a boolean id": ('{"jsonrpc": "2.0", "id": true, "method": "ping"}', INVALID_REQUEST, None),
    "a fractional id": ('{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', INVALID_REQUEST, None),
    "a null id": ('{"jsonrpc": "2.0", "id": null, "method": "ping"}', INVALID_REQUEST, None),
    "params not an object": ('{"jsonrpc": "2.0", "id": 5, "method": "ping", "params": 7}', INVALID_REQUEST, 5),
    "wrong jsonrpc version": ('{"jsonrpc": "1.0", "id": "five", "method": "ping"}', INVALID_REQUEST, "five"),
}
# case -> line sent, which must get no answer at all
SILENT = {
    "an empty line": "",
    "only blanks and a carriage return": "   \r",
    "a notification": json.dumps(
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}}
    ),
}


async def answers_to(server: RawServer, line: str) -> list[dict[str, Any]]:
    """Everything the server writes after `line`, up to its answer to a ping sent behind it."""
    await server.send(line)
    before = len(server.lines)
    await server.request(99, "ping")
    return [json.loads(written) for written in server.lines[before:-1]]


async def test_junk_lines_get_a_json_rpc_error_blank_lines_and_notifications_none_and_the_server_keeps_serving(
    fake: FakeAnam, tmp_path: Path
) -> None:
    """One server takes every line in turn; a ping behind each shows what that line alone got."""
    server = await start(fake, tmp_path)
    await server.initialize()
    lines = {case: line for case, (line, _, _) in JUNK.items()} | SILENT
    answered = {
        case: [(answer.get("id"), answer.get("error", {}).get("code")) for answer in await answers_to(server, line)]
        for case, line in lines.items()
    }
    # By case, so that a failure names the line that got the wrong answer.
    expected = {case: [(request_id, code)] for case, (_, code, request_id) in JUNK.items()} | {
        case: [] for case in SILENT
    }
    assert answered == expected
    still_fine = await server.request(2, "tools/call", {"name": "search_avatars", "arguments": {"query": "liv"}})
    assert still_fine["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def test_junk_before_initialize_is_answered_too(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path)
    await server.send("garbage")
    await server.initialize()
    code, _ = await server.finish()
    assert code == 0
    errors = [json.loads(line) for line in server.lines if '"error"' in line]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, PARSE_ERROR)]


async def test_a_junk_line_is_logged_at_debug_level_only(fake: FakeAnam, tmp_path: Path) -> None:
    logged: dict[str, bool] = {}

    async def junk_at(level: str) -> None:
        server = await start(fake, tmp_path, ANAM_LOG_LEVEL=level)
        await server.initialize()
        await answers_to(server, "not json")
        _, stderr = await server.finish()
        logged[level] = "Answered a line that is not a JSON-RPC message: Parse error" in stderr

    async with anyio.create_task_group() as servers:  # two processes: side by side
        for level in ("DEBUG", "INFO"):
            servers.start_soon(junk_at, level)
    assert logged == {"DEBUG": True, "INFO": False}


async def test_a_lone_surrogate_escape_is_read_as_u_fffd_and_the_request_answered_under_its_own_id(
    fake: FakeAnam, tmp_path: Path
) -> None:
    # Python's JSON reader takes "\ud800", the SDK's does not: the caller would get "id": null and never its answer.
    server = await start(fake, tmp_path)
    await server.initialize()
    ping = await server.request(5, "ping", {"_meta": {"note": "a\ud800b"}})
    assert ping == {"jsonrpc": "2.0", "id": 5, "result": {}}
    call = {"name": "save_persona", "arguments": {"name": "Bad \udc00 name", "description": "\ud83d"}}
    saved = await server.request(6, "tools/call", call)
    assert saved["result"]["isError"] is False, saved
    assert saved["result"]["structuredContent"]["name"] == "Bad \ufffd name"
    [sent] = fake.requests_to("/v1/personas", "POST")
    assert sent.body["name"] == "Bad \ufffd name" and sent.body["description"] == "\ufffd"
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)
