"""Stopping: Ctrl-C and a host that closes stdout end the server at once and quietly."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import anyio
import pytest

from anam_fake import FakeAnam, Fault

from .helpers import SERVER_COMMAND, server_env, until_requested
from .raw_client import PROTOCOL, RawServer, start

pytestmark = pytest.mark.weight(3)


async def stderr_of(server: RawServer) -> str:
    """All the exited server wrote to stderr; closes its streams."""
    assert server.process.stderr is not None
    chunks = []
    try:
        while True:
            chunks.append(await server.process.stderr.receive())
    except (anyio.EndOfStream, anyio.ClosedResourceError):
        pass
    await server.process.aclose()
    return b"".join(chunks).decode()


async def seconds_until_exit(server: RawServer, limit: float = 10) -> float:
    started = time.monotonic()
    with anyio.fail_after(limit):
        await server.process.wait()
    return time.monotonic() - started


@pytest.mark.anyio
async def test_sigint_stops_a_serving_server_within_a_second_without_a_traceback(
    fake: FakeAnam, tmp_path: Path
) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()  # serving, and stdin stays open with nothing more to read
    server.process.send_signal(signal.SIGINT)
    assert await seconds_until_exit(server) < 1
    assert server.process.returncode == 130
    stderr = await stderr_of(server)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


@pytest.mark.anyio
async def test_sigint_during_a_hanging_call_stops_the_server_within_a_second(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/voices", Fault(kind="hang", seconds=5))
    server = await start(fake, tmp_path, ANAM_READ_TIMEOUT_SECONDS="10")
    await server.initialize()
    await server.send(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "search_voices", "arguments": {}}}
    )
    await until_requested(fake, "/v1/voices")  # the call now hangs there
    server.process.send_signal(signal.SIGINT)
    assert await seconds_until_exit(server) < 1
    assert "Traceback" not in await stderr_of(server)


def serve_then_close_stdout(fake: FakeAnam, tmp_path: Path, then_send: bytes = b"") -> tuple[float, int, str]:
    """Start the server, initialize, close the read end of its stdout (and write `then_send` to its stdin).

    Returns the seconds until it exited, its exit status and its stderr. subprocess, not anyio, because
    closing an anyio process's stdout stream leaves the pipe itself open.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    process = subprocess.Popen(
        [SERVER_COMMAND],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean | server_env(fake),
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    try:
        initialize = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
        process.stdin.write(
            json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": initialize}).encode()
        )
        process.stdin.write(b"\n")
        process.stdin.flush()
        assert select.select([process.stdout], [], [], 20)[0], "no answer to initialize"
        assert b'"id":0' in process.stdout.readline()
        process.stdout.close()  # the host stops reading, but keeps stdin open
        process.stdin.write(then_send)
        process.stdin.flush()
        started = time.monotonic()
        code = process.wait(timeout=10)
        return time.monotonic() - started, code, process.stderr.read().decode()
    finally:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stderr.close()


def test_a_closed_stdout_ends_the_server_promptly_and_quietly(fake: FakeAnam, tmp_path: Path) -> None:
    seconds, code, stderr = serve_then_close_stdout(fake, tmp_path)
    assert seconds < 2
    assert code == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert "The client closed stdout: stopping" in stderr


def test_an_answer_to_a_closed_stdout_ends_the_server_promptly_and_quietly(fake: FakeAnam, tmp_path: Path) -> None:
    ping = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}\n'  # its answer has nowhere to go
    seconds, code, stderr = serve_then_close_stdout(fake, tmp_path, then_send=ping)
    assert seconds < 2
    assert code == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
