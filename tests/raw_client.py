"""A raw JSON-RPC client for anam-mcp over stdio: sees every byte of stdout and stderr.

The SDK's client silently skips junk lines on stdout, so tests that police the stream use this.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream

from anam_fake import FakeAnam

from .helpers import SERVER_COMMAND, server_env

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
    """Start the server with this machine's environment, less any ANAM_* setting but those given.

    It gets a session of its own, so anything it might leave behind is still found by its process group.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    process = await anyio.open_process(
        [SERVER_COMMAND], env=inherited | server_env(fake, **env), cwd=tmp_path, start_new_session=True
    )
    return RawServer(process)


def assert_only_json_rpc(lines: list[str]) -> None:
    assert lines, "the server wrote nothing"
    for line in lines:
        message = json.loads(line)  # raises on anything that is not JSON
        assert message.get("jsonrpc") == "2.0", line
