"""Writing an answer on the connection: status, headers, body."""

from __future__ import annotations

import contextlib
import json
from http.server import BaseHTTPRequestHandler
from typing import Any


def send(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    with contextlib.suppress(OSError):  # the client may have given up already
        handler.wfile.write(data)


def send_json(
    handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None
) -> None:
    # A 204 has no body at all.
    data = b"" if status == 204 else json.dumps(payload).encode()
    send(handler, status, data, "application/json", headers or {})


def drain(handler: BaseHTTPRequestHandler, length: int, chunk: int = 256 * 1024) -> None:
    """Read and drop a request body of `length` bytes, a chunk at a time, so the connection can answer."""
    while length > 0:
        got = handler.rfile.read(min(chunk, length))
        if not got:
            return
        length -= len(got)
