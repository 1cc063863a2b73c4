"""Fixtures: the fake Anam API, settings pointing at it, and the server over real stdio."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from anam_mcp.config import Settings

from .fake_anam import DEFAULT_KEY, FakeAnam

SERVER_COMMAND = str(Path(sys.executable).with_name("anam-mcp"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as server:
        yield server


@pytest.fixture
def settings(fake: FakeAnam) -> Settings:
    return make_settings(fake)


def make_settings(fake: FakeAnam, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "api_key": fake.api_key,
        "api_url": fake.url,
        "prefetch": False,
        "retry_budget_seconds": 5,
        "read_timeout_seconds": 2,
        "connect_timeout_seconds": 1,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def server_env(fake: FakeAnam | None, **extra: str) -> dict[str, str]:
    """Environment for the server subprocess. The SDK's stdio client passes only a few variables on."""
    env = {
        "ANAM_API_URL": fake.url if fake else "http://127.0.0.1:9",
        "ANAM_API_KEY": fake.api_key if fake else DEFAULT_KEY,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "INFO",
        "ANAM_RETRY_BUDGET_SECONDS": "5",
        "ANAM_READ_TIMEOUT_SECONDS": "2",
        "ANAM_CONNECT_TIMEOUT_SECONDS": "1",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def network_env() -> dict[str, str]:
    """The machine's proxy and CA settings, which uvx needs to reach the package index from a stripped env."""
    names = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy")
    return {k: v for k, v in os.environ.items() if k in names or k.startswith("UV_")}


def server_params(fake: FakeAnam | None, cwd: Path, **extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=SERVER_COMMAND, args=[], env=server_env(fake, **extra), cwd=str(cwd))


@pytest.fixture
async def client(fake: FakeAnam, tmp_path: Path) -> AsyncIterator[Client]:
    """An MCP client session with `anam-mcp` running as a subprocess, over stdio, against the fake."""
    async with Client(server_params(fake, tmp_path)) as session:
        yield session
