"""Scripted misbehaviour: error statuses, broken or endless bodies, hangs, for the fault tests."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from .routes import error
from .wire import send, send_json


@dataclass
class Fault:
    """One scripted misbehaviour, consumed by the next matching request.

    kind: "status" (status + JSON body), "html", "invalid_json", "truncated", "huge", "hang", "drip",
    "ok" (answer normally: lets a script say "fail twice, then succeed"), "slow" (wait `seconds`, then
    answer normally), "raw" (status + `body` as the exact bytes sent), "lost" (do the request's work, then
    answer `status` instead, as a gateway that lost Anam's answer does).
    """

    kind: str = "status"
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class FaultScript:
    """Faults queued by path prefix, each taken by the next request under that prefix."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()

    def add(self, path: str, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._queues.setdefault(path, deque()).extend(faults)

    def next_for(self, path: str) -> Fault | None:
        with self._lock:
            for prefix, queue in self._queues.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
        return None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()


def act_out(handler: BaseHTTPRequestHandler, fault: Fault, stopping: threading.Event) -> bool:
    """Misbehave as `fault` says: True when that was the answer, False when the request is to be answered
    normally now ("ok", or "slow" after its wait). Waits end early once `stopping` is set."""
    if fault.kind == "ok":
        return False
    if fault.kind == "slow":
        stopping.wait(fault.seconds)
        return False
    if fault.kind == "status":
        send_json(
            handler, fault.status, fault.body if fault.body is not None else error("Error", "fault"), fault.headers
        )
    elif fault.kind == "html":
        page = b"<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>"
        send(handler, fault.status, page, "text/html", fault.headers)
    elif fault.kind == "invalid_json":
        send(handler, 200, b'{"data": [ {"id": "x"', "application/json", fault.headers)
    elif fault.kind == "raw":
        send(handler, fault.status, fault.body, "application/json", fault.headers)
    elif fault.kind == "truncated":
        _promise(handler, 5000)
        handler.wfile.write(b'{"data": [')
        handler.wfile.flush()
    elif fault.kind == "huge":
        size = int(fault.seconds or 64 * 1024 * 1024)
        _promise(handler, size)
        chunk = b" " * 65536
        try:
            for _ in range(size // len(chunk)):
                handler.wfile.write(chunk)
        except OSError:
            pass
    elif fault.kind == "hang":
        stopping.wait(fault.seconds or 60)
    elif fault.kind == "drip":
        # A body that trickles in byte by byte: each read is quick, the whole never ends in time.
        _promise(handler, 100000)
        deadline = time.monotonic() + (fault.seconds or 60)
        try:
            while time.monotonic() < deadline and not stopping.is_set():
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass
    if fault.kind in ("truncated", "huge", "hang", "drip"):
        handler.close_connection = True
    return True


def _promise(handler: BaseHTTPRequestHandler, length: int) -> None:
    """Headers of a JSON answer of `length` bytes, which the fault then fails to deliver in full."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(length))
    handler.end_headers()
