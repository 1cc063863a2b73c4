"""Lines that are not JSON-RPC messages get a JSON-RPC error, not silence, and the server keeps serving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .fake_anam import FakeAnam
from .raw_client import RawServer, assert_only_json_rpc, start

pytestmark = pytest.mark.anyio

PARSE_ERROR = -32700
INVALID_REQUEST = -32600

# line sent -> (code, id) of the error it must get
JUNK: dict[str, tuple[str, int, int | str | None]] = {
    "not JSON": ("this is not json", PARSE_ERROR, None),
    "cut-off JSON": ('{"jsonrpc": "2.0", "id": 5, "method": ', PARSE_ERROR, None),
    "a lone surrogate": (
        '{"jsonrpc": "2.0", "id": 5, "method": "ping", "params": {"x": "\\ud800"}}',
        PARSE_ERROR,
        None,
    ),
    "a batch": ('[{"jsonrpc": "2.0", "id": 5, "method": "ping"}]', INVALID_REQUEST, None),
    "a bare number": ("42", INVALID_REQUEST, None),
    "an object id": ('{"jsonrpc": "2.0", "id": {"n": 5}, "method": "ping"}', INVALID_REQUEST, None),
    "a boolean id": ('{"jsonrpc": "2.0", "id": true, "method": "ping"}', INVALID_REQUEST, None),
    "a fractional id": ('{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', INVALID_REQUEST, None),
    "a null id": ('{"jsonrpc": "2.0", "id": null, "method": "ping"}', INVALID_REQUEST, None),
    "params not an object": ('{"jsonrpc": "2.0", "id": 5, "method": "ping", "params": 7}', INVALID_REQUEST, 5),
    "wrong jsonrpc version": ('{"jsonrpc": "1.0", "id": "five", "method": "ping"}', INVALID_REQUEST, "five"),
}


async def answers_to(server: RawServer, line: str) -> list[dict[str, Any]]:
    """Everything the server writes after `line`, up to its answer to a ping sent behind it."""
    await server.send(line)
    before = len(server.lines)
    await server.request(99, "ping")
    return [json.loads(written) for written in server.lines[before:-1]]


@pytest.mark.parametrize(("line", "code", "request_id"), JUNK.values(), ids=JUNK.keys())
async def test_a_junk_line_gets_a_json_rpc_error_and_the_server_keeps_serving(
    line: str, code: int, request_id: int | str | None, fake: FakeAnam, tmp_path: Path
) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()
    answers = await answers_to(server, line)
    assert len(answers) == 1, answers
    assert answers[0]["id"] == request_id
    assert answers[0]["error"]["code"] == code
    still_fine = await server.request(2, "tools/call", {"name": "search_avatars", "arguments": {"query": "liv"}})
    assert still_fine["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def test_blank_lines_and_notifications_get_no_answer(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()
    assert await answers_to(server, "") == []
    assert await answers_to(server, "   \r") == []
    progress = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}}
    assert await answers_to(server, json.dumps(progress)) == []
    code, _ = await server.finish()
    assert code == 0


async def test_junk_before_initialize_is_answered_too(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path)
    await server.send("garbage")
    await server.initialize()
    code, _ = await server.finish()
    assert code == 0
    errors = [json.loads(line) for line in server.lines if '"error"' in line]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, PARSE_ERROR)]


async def test_a_junk_line_is_logged_at_debug_level_only(fake: FakeAnam, tmp_path: Path) -> None:
    for level, shown in (("DEBUG", True), ("INFO", False)):
        server = await start(fake, tmp_path, ANAM_LOG_LEVEL=level)
        await server.initialize()
        await answers_to(server, "not json")
        _, stderr = await server.finish()
        assert ("Answered a line that is not a JSON-RPC message: Parse error" in stderr) is shown
