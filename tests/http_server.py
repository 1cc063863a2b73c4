"""`anam-mcp --http` as a subprocess on 127.0.0.1 (a free port), and MCP clients of it over streamable HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from .fake_anam import FakeAnam
from .helpers import SERVER_COMMAND

Mode = Literal["legacy", "auto", "2026-07-28"]
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
_START_SECONDS = 60


class HttpServer:
    """A running server: its base URL, its MCP endpoint and everything it has logged."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.mcp = f"{self.url}/mcp"
        self._log = log

    def log(self) -> str:
        """Everything the server wrote to stderr so far (its stdout is checked to stay empty)."""
        return self._log.read_text(encoding="utf-8", errors="replace")


def http_env(fake: FakeAnam, **extra: str) -> dict[str, str]:
    """The server's environment: this machine's (PATH, proxies), no ANAM_* but these; an empty value unsets.

    Without ANAM_API_KEY, callers bring their own key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    env |= {
        "ANAM_API_URL": fake.url,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "INFO",
        "ANAM_RETRY_BUDGET_SECONDS": "5",
        "ANAM_READ_TIMEOUT_SECONDS": "2",
        "ANAM_CONNECT_TIMEOUT_SECONDS": "1",
    }
    env |= extra
    return {k: v for k, v in env.items() if v != ""}


@contextmanager
def http_server(env: Mapping[str, str], *args: str, command: list[str] | None = None) -> Iterator[HttpServer]:
    """`anam-mcp --http --port 0 *args` (or `command`, which must listen on a free port of 127.0.0.1) with
    `env`, until the block ends; then Ctrl-C, as a person would."""
    with tempfile.TemporaryDirectory(prefix="anam-http-") as folder:
        log, out = Path(folder) / "stderr.log", Path(folder) / "stdout.log"
        ours = command is None
        command = command or [SERVER_COMMAND, "--http", "--port", "0", *args]
        with log.open("wb") as stderr, out.open("wb") as stdout:
            process = subprocess.Popen(command, env=dict(env), cwd=folder, stdout=stdout, stderr=stderr)
        try:
            server = HttpServer(process, log, _wait_for_port(process, log))
            yield server
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # uvicorn's own logging setup writes its access log to stdout; ours keeps stdout empty.
        assert not ours or out.read_bytes() == b"", "anam-mcp --http wrote to stdout"


def _wait_for_port(process: subprocess.Popen[bytes], log: Path) -> int:
    """The port, once /healthz answers there (with workers, the port is bound before they listen)."""
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if (found := _LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))) and _healthy(found[1]):
            return int(found.group(1))
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}): {log.read_text()[-3000:]}")
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"the server did not start within {_START_SECONDS} s: {log.read_text()[-3000:]}")


def _healthy(port: str) -> bool:
    try:
        return httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    except httpx2.TransportError:
        return False


@asynccontextmanager
async def mcp_client(
    url: str,
    token: str | None = None,
    *,
    mode: Mode = "legacy",
    keep_alive: bool = True,
    **options: Any,
) -> AsyncIterator[Client]:
    """The SDK's client over streamable HTTP, sending `token` as its bearer token if given.

    mode "legacy" speaks 2025-11-25 (initialize first); "auto" finds and speaks 2026-07-28. Without
    keep-alive every request opens a new connection, so several workers take turns answering.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx2.Limits() if keep_alive else httpx2.Limits(max_keepalive_connections=0)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=60.0), limits=limits) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode, **options) as client,
    ):
        yield client
