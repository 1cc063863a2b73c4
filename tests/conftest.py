"""Fixtures: the fake Anam API, settings pointing at it, and the server, in memory or over real stdio."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import stamina
from mcp import Client

from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .fake_anam import FakeAnam
from .helpers import SERVER_COMMAND, make_settings, network_env, server_env, server_params

# Test modules written before helpers.py import these from here.
__all__ = ["SERVER_COMMAND", "make_settings", "network_env", "server_env", "server_params"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    """Retries in this process happen as often as configured, but without waiting between attempts.

    A test of the waits themselves turns this off with `with stamina.set_testing(False):`.
    """
    # cap: each call keeps its own attempt count (below this bound) instead of a fixed one.
    with stamina.set_testing(True, attempts=1_000, cap=True):
        yield


@pytest.fixture
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as server:
        yield server


@pytest.fixture
def settings(fake: FakeAnam) -> Settings:
    return make_settings(fake)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[Client]:
    """An MCP client session with the server in this process (lifespan included), against the fake."""
    async with Client(build_server(settings)) as session:
        yield session


@pytest.fixture
async def stdio_client(fake: FakeAnam, tmp_path: Path) -> AsyncIterator[Client]:
    """An MCP client session with `anam-mcp` running as a subprocess, over stdio, against the fake."""
    async with Client(server_params(fake, tmp_path)) as session:
        yield session
