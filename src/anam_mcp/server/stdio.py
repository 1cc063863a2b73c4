"""Serving over stdio: the SDK's transport, fed by a stdin reader that can stop at once.

The SDK reads stdin with a blocking readline in a worker thread, and a thread cannot be cancelled:
Ctrl-C, or a host that closed stdout, left the server waiting for one more line of input. Here the
event loop waits for stdin itself and hands the SDK whole lines; stdout stays the SDK's. A line the SDK
would drop without a word (not JSON, a batch, an unreadable id) is answered with a JSON-RPC error.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Protocol, cast

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCError

from .jsonrpc import screened

__all__ = ["serve_stdio"]

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024


class _Replies(Protocol):
    async def send(self, item: SessionMessage, /) -> None: ...


def serve_stdio(server: MCPServer[Any]) -> None:
    """Serve until stdin ends or the client closes stdout. Ctrl-C stops it in order, then raises KeyboardInterrupt."""
    if anyio.run(_serve, server):
        raise KeyboardInterrupt


async def _serve(server: MCPServer[Any]) -> bool:
    """Serve; True if stopped by Ctrl-C."""
    interrupted = anyio.Event()
    with _private_stdin() as stdin, _stdout_watch() as watch:
        lines = _Lines(stdin)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(_stop_on_interrupt, group.cancel_scope, interrupted)
                if watch is not None:
                    group.start_soon(_stop_when_closed, watch, group.cancel_scope)
                # The transport only iterates `stdin`, which is what _Lines offers.
                async with stdio_server(stdin=cast("anyio.AsyncFile[str]", lines)) as (read_stream, write_stream):
                    lines.answer_on(write_stream)
                    # The one SDK internal used here: MCPServer.run_stdio_async takes no streams of our choosing,
                    # and only its private lowlevel Server runs on given ones (the SDK's in-memory Client reaches
                    # it the same way). mcp is pinned to a minor version; tests/test_sdk_contract.py names this.
                    lowlevel = server._lowlevel_server
                    await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
                group.cancel_scope.cancel()
        except* BrokenPipeError:
            logger.info("The client closed stdout: stopping")
    return interrupted.is_set()


class _Lines:
    """The lines on stdin that are JSON-RPC messages; the others are answered here with an error."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pollable = _pollable(fd)
        self._replies: _Replies | None = None
        self._ready = anyio.Event()

    def answer_on(self, replies: _Replies) -> None:
        """Where to write answers: the transport's write stream, known only once it has started."""
        self._replies = replies
        self._ready.set()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[str]:
        async for line in self._lines():
            if not line.strip():
                continue
            message = screened(line)
            if isinstance(message, str):
                yield message
            else:
                await self._answer(message)

    async def _lines(self) -> AsyncIterator[str]:
        pending = bytearray()
        while chunk := await self._read():
            pending += chunk
            if b"\n" not in chunk:
                continue
            *complete, rest = pending.split(b"\n")
            pending = bytearray(rest)
            for line in complete:
                yield line.decode("utf-8", "replace")
        yield pending.decode("utf-8", "replace")

    async def _read(self) -> bytes:
        """The next bytes on stdin, b"" at its end. Waiting on a pipe is cancellable; a thread is not."""
        try:
            if self._pollable:
                await anyio.wait_readable(self._fd)
                return os.read(self._fd, _CHUNK)
            # A regular file never blocks; elsewhere (Windows) this is the SDK's own way.
            return await anyio.to_thread.run_sync(os.read, self._fd, _CHUNK)
        except OSError:
            logger.info("stdin could not be read: stopping", exc_info=True)
            return b""

    async def _answer(self, error: JSONRPCError) -> None:
        await self._ready.wait()
        assert self._replies is not None
        logger.debug("Answered a line that is not a JSON-RPC message: %s", error.error.message)
        # If the server is stopping, nobody is left to answer.
        with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await self._replies.send(SessionMessage(error))


def _pollable(fd: int) -> bool:
    """Whether the event loop can wait on `fd`: pipes, sockets and terminals, on POSIX."""
    if sys.platform == "win32":
        return False
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)


@contextmanager
def _private_stdin() -> Iterator[int]:
    """stdin on a descriptor of our own, with fd 0 on the null device while serving (as the SDK does).

    Nothing else in the process, nor a child, can then take bytes of the protocol stream.
    """
    private = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        os.close(null)
    try:
        yield private
    finally:
        os.dup2(private, 0)
        os.close(private)


@contextmanager
def _stdout_watch() -> Iterator[int | None]:
    """A second descriptor on stdout's pipe, to notice when the client closes it (POSIX pipes only)."""
    if sys.platform == "win32" or not stat.S_ISFIFO(os.fstat(1).st_mode):
        yield None
        return
    watch = os.dup(1)
    try:
        yield watch
    finally:
        os.close(watch)


async def _stop_on_interrupt(scope: anyio.CancelScope, interrupted: anyio.Event) -> None:
    # Cancel every task at once. asyncio's own Ctrl-C handling cancels only the main task, which then
    # closes the server's streams while the transport may still be handing it a message.
    if sys.platform == "win32":
        return  # no signal handlers in the event loop there: KeyboardInterrupt as usual
    with anyio.open_signal_receiver(signal.SIGINT) as signals:
        async for _ in signals:
            logger.info("Interrupted: stopping")
            interrupted.set()
            scope.cancel()
            return


async def _stop_when_closed(watch: int, scope: anyio.CancelScope) -> None:
    # The write end of a pipe never turns readable; poll() reports an error on it once the reader is gone.
    await anyio.wait_readable(watch)
    logger.info("The client closed stdout: stopping")
    scope.cancel()
