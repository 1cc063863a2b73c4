"""`anam-mcp --http` (or another server) as a subprocess listening on a free port of 127.0.0.1.

Started, waited on until it answers /healthz, and stopped with Ctrl-C as a person would. The load benchmark
uses it, and so do the tests of the HTTP transport.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx2

ANAM_MCP = str(Path(sys.executable).with_name("anam-mcp"))
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


@contextmanager
def http_server(env: Mapping[str, str], *args: str, command: list[str] | None = None) -> Iterator[HttpServer]:
    """`anam-mcp --http --port 0 *args` (or `command`, which must listen on a free port of 127.0.0.1) with
    `env`, until the block ends; then Ctrl-C, as a person would."""
    with tempfile.TemporaryDirectory(prefix="anam-http-") as folder:
        log, out = Path(folder) / "stderr.log", Path(folder) / "stdout.log"
        ours = command is None
        command = command or [ANAM_MCP, "--http", "--port", "0", *args]
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
