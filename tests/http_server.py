"""`anam-mcp --http` as a subprocess on 127.0.0.1 (a free port; see bench/http_server.py), its environment for
tests, and MCP clients of it over streamable HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from anam_fake import FakeAnam
from bench.http_server import HttpServer, http_server

__all__ = ["HttpServer", "Mode", "http_env", "http_server", "mcp_client"]

Mode = Literal["legacy", "auto", "2026-07-28"]


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
        "ANAM_CONNECT_TIMEOUT_SECONDS": "5",
    }
    env |= extra
    return {k: v for k, v in env.items() if v != ""}


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
