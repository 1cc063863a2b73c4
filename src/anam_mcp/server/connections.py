"""Connections still sending their request: closed in bounded time, and only so many per client address.

uvicorn (0.54, h11) waits for a request's headers for ever, and reads a body that no one reads for as long
as it trickles in. `GuardedH11Protocol` is its HTTP/1.1 protocol with a deadline for each: a request's
headers must arrive within `receive_seconds` of the connection opening (or of its first byte, on a kept-alive
connection), and a body the answer did not wait for within `receive_seconds` of the answer. A body the app
reads is timed by the app (gate.py answers 408). Closing a connection drops what it had sent.

A connection counts as in progress from then until its request has fully arrived. When an address has
`PER_ADDRESS` in progress, a new connection from it closes the oldest of them that have been in progress
for `BURST_SECONDS` or more: a burst of prompt clients is let in, a crowd of stalled ones is not kept.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

__all__ = ["BURST_SECONDS", "PER_ADDRESS", "ConnectionLimits", "GuardedH11Protocol"]

PER_ADDRESS = 32
BURST_SECONDS = 1.0

logger = logging.getLogger(__name__)


class ConnectionLimits:
    """The deadline for a request to arrive, and the connections in progress, by client address (per worker)."""

    def __init__(self, receive_seconds: float) -> None:
        self.receive_seconds = receive_seconds
        # Oldest first: dicts keep insertion order.
        self._in_progress: dict[str, dict[GuardedH11Protocol, float]] = {}

    def begin(self, connection: GuardedH11Protocol, address: str, now: float) -> None:
        """`connection` starts sending a request; the oldest of the address's connections may make room for it."""
        connections = self._in_progress.setdefault(address, {})
        while len(connections) >= PER_ADDRESS:
            oldest, since = next(iter(connections.items()))
            if now - since < BURST_SECONDS:
                break
            oldest.drop(f"{len(connections)} connections from its address were sending requests")
        # Dropping the last one may have removed the address's entry: put it back.
        self._in_progress.setdefault(address, connections)[connection] = now

    def end(self, connection: GuardedH11Protocol, address: str) -> None:
        connections = self._in_progress.get(address, {})
        connections.pop(connection, None)
        if not connections:
            self._in_progress.pop(address, None)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with deadlines for a request to arrive and a cap on connections sending one.

    Give uvicorn `functools.partial(GuardedH11Protocol, limits=ConnectionLimits(...))` as its `http` protocol.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: ConnectionLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = limits
        self._receiving = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._begin()

    def data_received(self, data: bytes) -> None:
        if not self._receiving:
            self._begin()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()
        super().connection_lost(exc)

    def drop(self, why: str) -> None:
        """Close the connection, dropping what it sent; `why` goes to the debug log."""
        logger.debug("Closed the connection from %s: %s", self._address(), why)
        self._end()
        self.transport.close()

    def _begin(self) -> None:
        self._receiving = True
        self._limits.begin(self, self._address(), self.loop.time())
        self._arm("its request headers did not arrive")

    def _follow(self) -> None:
        """After new events: stop the clock once the request has arrived; time a body the answer did not wait for."""
        if not self._receiving:
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self.cycle is not None and self.cycle.response_complete:
                if self._deadline is None:
                    self._arm("the rest of a request body no one reads did not arrive")
            elif self._deadline is not None:
                # The app reads the body and times it.
                self._deadline.cancel()
                self._deadline = None
        elif state is not h11.IDLE:
            self._end()

    def _arm(self, why: str) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        seconds = self._limits.receive_seconds
        self._deadline = self.loop.call_later(seconds, self.drop, f"{why} within {seconds:g} s")

    def _end(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._receiving:
            self._receiving = False
            self._limits.end(self, self._address())

    def _address(self) -> str:
        return self.client[0] if self.client else ""
