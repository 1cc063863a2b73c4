"""What the upstream-hardening tests share: bounded calls through the SDK's client, and polling the fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult

from .helpers import text

__all__ = ["CALL_LIMIT_SECONDS", "call", "text", "until"]

# Long enough for any call here; short enough that a server that died or hangs fails the test, not the run.
CALL_LIMIT_SECONDS = 30


async def call(client: Client, name: str, arguments: dict[str, Any], **kwargs: Any) -> CallToolResult:
    with anyio.fail_after(CALL_LIMIT_SECONDS):
        return await client.call_tool(name, arguments, **kwargs)


async def until(condition: Callable[[], object], seconds: float = 10) -> None:
    """Wait until `condition()` holds: it reads the fake, which runs in other threads, so it is polled."""
    with anyio.fail_after(seconds):
        while not condition():  # noqa: ASYNC110
            await anyio.sleep(0.01)
