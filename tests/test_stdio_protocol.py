"""The raw stdio stream: only JSON-RPC on stdout, no secrets anywhere, and no crash on protocol abuse.

The SDK's client silently skips junk lines on stdout, so these tests read the server's stdout themselves.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream

from .conftest import SERVER_COMMAND, server_env
from .fake_anam import FakeAnam, Fault

pytestmark = pytest.mark.anyio

PROTOCOL = "2025-11-25"


class RawServer:
    """anam-mcp as a subprocess, spoken to line by line."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._buffer = ""
        assert process.stdout is not None
        self._stdout = TextReceiveStream(process.stdout)

    async def send(self, message: dict[str, Any] | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.process.stdin is not None
        await self.process.stdin.send((line + "\n").encode())

    async def _next_line(self) -> str:
        while "\n" not in self._buffer:
            self._buffer += await self._stdout.receive()
        line, self._buffer = self._buffer.split("\n", 1)
        self.lines.append(line)
        return line

    async def response(self, request_id: int) -> dict[str, Any]:
        with anyio.fail_after(20):
            while True:
                message = json.loads(await self._next_line())
                if message.get("id") == request_id and ("result" in message or "error" in message):
                    return message  # type: ignore[no-any-return]

    async def request(self, request_id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        return await self.response(request_id)

    async def initialize(self) -> None:
        answer = await self.request(
            0,
            "initialize",
            {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        )
        assert answer["result"]["serverInfo"]["name"] == "anam"
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def finish(self) -> tuple[int, str]:
        """Close stdin, drain stdout, and return the exit status and all of stderr."""
        assert self.process.stdin is not None
        await self.process.stdin.aclose()
        with anyio.fail_after(15):
            try:
                while True:
                    self._buffer += await self._stdout.receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                pass
            code = await self.process.wait()
        self.lines.extend(line for line in self._buffer.split("\n") if line)
        assert self.process.stderr is not None
        stderr = b""
        try:
            while chunk := await self.process.stderr.receive():
                stderr += chunk
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            pass
        return code, stderr.decode()


async def start(fake: FakeAnam | None, tmp_path: Path, **env: str) -> RawServer:
    full_env = {**os.environ, **server_env(fake, **env)}
    full_env = {k: v for k, v in full_env.items() if not (k.startswith("ANAM_") and k not in server_env(fake, **env))}
    process = await anyio.open_process([SERVER_COMMAND], env=full_env, cwd=tmp_path)
    return RawServer(process)


def assert_only_json_rpc(lines: list[str]) -> None:
    assert lines, "the server wrote nothing"
    for line in lines:
        message = json.loads(line)  # raises on anything that is not JSON
        assert message.get("jsonrpc") == "2.0", line


async def test_stdout_carries_only_json_rpc_and_the_key_appears_nowhere(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path, ANAM_LOG_LEVEL="DEBUG", ANAM_PREFETCH="true")
    await server.initialize()
    listed = await server.request(1, "tools/list")
    assert len(listed["result"]["tools"]) == 5
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
    unknown_tool = await server.request(7, "tools/call", {"name": "nope", "arguments": {}})
    assert unknown_tool.get("result", {}).get("isError") is True or "error" in unknown_tool
    wrong_types = await server.request(8, "tools/call", {"name": "search_voices", "arguments": {"limit": "many"}})
    assert wrong_types["result"]["isError"] is True
    not_an_object = await server.request(9, "tools/call", {"name": "search_voices", "arguments": [1, 2]})
    assert "error" in not_an_object or not_an_object["result"]["isError"] is True
    still_fine = await server.request(10, "tools/call", {"name": "search_avatars", "arguments": {"query": "liv"}})
    assert still_fine["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def test_a_call_cancelled_mid_flight_leaves_the_server_serving(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/voices", Fault(kind="hang", seconds=5))
    server = await start(fake, tmp_path, ANAM_READ_TIMEOUT_SECONDS="10")
    await server.initialize()
    await server.send(
        {"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": {"name": "search_voices", "arguments": {}}}
    )
    await anyio.sleep(0.3)
    await server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 20}})
    answer = await server.request(21, "tools/call", {"name": "search_avatars", "arguments": {"query": "cara"}})
    assert answer["result"]["isError"] is False
    code, _ = await server.finish()
    assert code == 0
    assert_only_json_rpc(server.lines)


async def test_stdin_closed_mid_call_exits_cleanly_with_no_children(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/voices", Fault(kind="hang", seconds=3))
    server = await start(fake, tmp_path, ANAM_READ_TIMEOUT_SECONDS="10")
    await server.initialize()
    await server.send(
        {"jsonrpc": "2.0", "id": 30, "method": "tools/call", "params": {"name": "search_voices", "arguments": {}}}
    )
    await anyio.sleep(0.3)
    pid = server.process.pid
    code, stderr = await server.finish()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert not list(_children(pid))
    assert_only_json_rpc(server.lines)


def _children(pid: int) -> Iterator[int]:
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().split()
        except OSError:
            continue
        if fields[3] == str(pid):
            yield int(fields[0])


def test_sigterm_stops_the_server_quietly(fake: FakeAnam, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [SERVER_COMMAND],
        env={**os.environ, **server_env(fake)},
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert out == b""
