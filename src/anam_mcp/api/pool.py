"""SharedConnections: one connection pool shared by several clients (one per API key), each kept to its share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio

from .errors import PoolBusyError

__all__ = ["SharedConnections"]


class SharedConnections:
    """The connections of a pool that several clients share, each client kept to its share.

    A client's first request in flight gets a connection whenever one is free; its further requests only while
    more than `reserve` are free, so busy clients never take the last ones from the others. A request that
    cannot have one within `wait_seconds` fails with PoolBusyError (nothing was sent).
    """

    def __init__(self, size: int, reserve: int, wait_seconds: float) -> None:
        self.size = size
        self._reserve = reserve
        self._wait_seconds = wait_seconds
        self._free = size
        # Made when someone waits: an anyio.Event needs a running event loop.
        self._freed: anyio.Event | None = None

    @contextlib.asynccontextmanager
    async def connection(self, holding: int) -> AsyncIterator[None]:
        """A connection for a client that has `holding` requests in flight (or waiting) already."""
        needed = 1 if holding == 0 else self._reserve + 1
        with anyio.move_on_after(self._wait_seconds) as waiting:
            while self._free < needed:
                if self._freed is None:
                    self._freed = anyio.Event()
                await self._freed.wait()
        if waiting.cancelled_caught:
            raise PoolBusyError(self._wait_seconds)
        self._free -= 1
        try:
            yield
        finally:
            self._free += 1
            if self._freed is not None:
                self._freed.set()
                self._freed = None
