"""`anam-mcp --http` against clients that never finish sending: bounded time, bounded numbers, raw sockets.

Two servers: one with ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS=1, where half a header block, a stalled body and
a body no one reads are each cut off within seconds; and one with a long timeout, where connections from
one address that are still sending their request are capped, the oldest closed first.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from anam_fake import FakeAnam
from anam_mcp.server.connections import BURST_SECONDS, PER_ADDRESS

from .http_server import HttpServer, http_env, http_server

RECEIVE_SECONDS = 1
# How long a connection may stay open past the timeout before the test calls it held for ever.
SLACK_SECONDS = 4
KEY = "slow-client-key-0123456789"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def server(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake, ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS=str(RECEIVE_SECONDS))) as running:
        yield running


@pytest.fixture
def opened() -> Iterator[list[socket.socket]]:
    """Every connection a test opens with `connect`, closed when it ends, whatever happened."""
    sockets: list[socket.socket] = []
    yield sockets
    for client in sockets:
        client.close()


def connect(opened: list[socket.socket], server: HttpServer, sent: bytes = b"") -> socket.socket:
    client = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    opened.append(client)
    client.sendall(sent)
    return client


def head(server: HttpServer, method: str, path: str, length: int) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {KEY}\r\n"
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def closed_by_server(client: socket.socket, deadline: float) -> tuple[bool, bytes]:
    """Whether the server closed the connection before `deadline` (time.monotonic()), and what it sent first."""
    received = b""
    while (left := deadline - time.monotonic()) > 0:
        client.settimeout(left)
        try:
            chunk = client.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return True, received
        if not chunk:
            return True, received
        received += chunk
    return False, received


def still_open(client: socket.socket) -> bool:
    """Whether the server has not closed the connection (without waiting)."""
    client.setblocking(False)
    try:
        return client.recv(65536) != b""
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False
    finally:
        client.setblocking(True)


def test_headers_that_never_complete_are_cut_off(server: HttpServer, opened: list[socket.socket]) -> None:
    started = time.monotonic()
    silent = [connect(opened, server) for _ in range(5)]
    halves = [connect(opened, server, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le") for _ in range(20)]
    for client in silent + halves:
        closed, _ = closed_by_server(client, started + RECEIVE_SECONDS + SLACK_SECONDS)
        assert closed, "a connection that never sent its whole header block was kept open"


def test_a_stalled_body_is_answered_408_and_the_connection_closed(
    server: HttpServer, fake: FakeAnam, opened: list[socket.socket]
) -> None:
    started = time.monotonic()
    # Twenty ~1 MB bodies, each stopped 100 kB short.
    stalled = [connect(opened, server, head(server, "POST", "/mcp", 1_000_000) + b"x" * 900_000) for _ in range(20)]
    for client in stalled:
        closed, answer = closed_by_server(client, started + RECEIVE_SECONDS + SLACK_SECONDS)
        assert closed and answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert b"ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS" in answer
    assert fake.requests == []
    assert "Traceback" not in server.log()


def test_a_body_no_one_reads_is_cut_off_after_the_answer(server: HttpServer, opened: list[socket.socket]) -> None:
    started = time.monotonic()
    client = connect(opened, server, head(server, "GET", "/healthz", 1000) + b"x" * 10)
    closed, answer = closed_by_server(client, started + RECEIVE_SECONDS + SLACK_SECONDS)
    assert closed and answer.startswith(b"HTTP/1.1 200 "), answer[:200]


@pytest.fixture(scope="module")
def patient(fake: FakeAnam) -> Iterator[HttpServer]:
    """A server that waits long for a request, so connections stay in progress for the whole test."""
    with http_server(http_env(fake, ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS="60")) as running:
        yield running


def test_connections_in_progress_from_one_address_are_capped_oldest_closed_first(
    patient: HttpServer, opened: list[socket.socket]
) -> None:
    half = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    # A burst over the cap is let in: a burst of prompt clients must not be cut off.
    for _ in range(PER_ADDRESS + 8):
        connect(opened, patient, half)
    assert all(still_open(client) for client in opened)
    # Once the burst has been in progress for a while, each new connection closes the oldest ones.
    deadline = time.monotonic() + BURST_SECONDS + 10
    while still_open(opened[0]) and time.monotonic() < deadline:
        connect(opened, patient, half)
        time.sleep(0.1)
    deadline = time.monotonic() + 10
    while sum(map(still_open, opened)) > PER_ADDRESS and time.monotonic() < deadline:
        time.sleep(0.05)
    states = [still_open(client) for client in opened]
    assert sum(states) == PER_ADDRESS
    assert states == sorted(states), "a newer connection was closed before an older one"
    # A prompt request from the same address still gets in.
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}'
    prompt = connect(opened, patient, head(patient, "POST", "/mcp", len(body)) + body)
    prompt.settimeout(10)
    assert prompt.recv(65536).startswith(b"HTTP/1.1 200 ")
