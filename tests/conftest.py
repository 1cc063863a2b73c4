"""Fixtures: the fake Anam API, settings pointing at it, and the server, in memory or over real stdio."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import stamina
from mcp import Client

from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .fake_anam import FakeAnam
from .helpers import SERVER_COMMAND, make_settings, network_env, server_env, server_params, start_benchmark

# Test modules written before helpers.py import these from here.
__all__ = ["SERVER_COMMAND", "make_settings", "network_env", "server_env", "server_params"]

_BENCHMARK = pytest.StashKey[tuple[subprocess.Popen[bytes], Path]]()

# With xdist (see addopts), files go to the workers in this order, each file to one worker: the longest first, so
# that no worker is left with a long one at the end while the other has nothing to do.
_LONGEST_FIRST = (
    "test_bench.py",
    "test_inspector.py",
    "test_views.py",
    "test_mcpb.py",
    "test_claude_code.py",
    "test_packaging.py",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto` (addopts): two for the whole suite; none when the command names the tests to run,
    as starting workers (each collects every test) costs a few files more than it saves."""
    return 2 if config.args_source is pytest.Config.ArgsSource.TESTPATHS else 0


def _distributed() -> bool:
    """True in an xdist worker: every worker collects every test, but runs only those it is sent."""
    return "PYTEST_XDIST_WORKER" in os.environ


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _distributed():
        # The benchmark first of all: its worker starts the run and waits on it while the other worker goes on.
        rank = {name: place for place, name in enumerate(_LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
    else:
        # The benchmark test comes last, so that the run it checks has had the whole suite's time to finish.
        items.sort(key=lambda item: item.path.name == "test_bench.py")


def pytest_collection_finish(session: pytest.Session) -> None:
    """In one process, start the benchmark run as soon as a test is known to want it.

    It spends its ~10 s starting servers in subprocesses: begun now, that overlaps the in-process tests
    on the second core instead of adding to the suite's time. (Under xdist its test starts it.)
    """
    if session.config.option.collectonly or _distributed():
        return
    if any(item.path.name == "test_bench.py" for item in session.items):
        session.config.stash[_BENCHMARK] = _start_benchmark(session.config)


def _start_benchmark(config: pytest.Config) -> tuple[subprocess.Popen[bytes], Path]:
    output = Path(tempfile.mkdtemp(prefix="anam-bench-")) / "results.json"
    process = start_benchmark(output)

    def clean_up() -> None:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(output.parent)

    config.add_cleanup(clean_up)
    return process, output


@pytest.fixture
def benchmark(request: pytest.FixtureRequest) -> tuple[int, Path]:
    """The benchmark run, finished: its exit status, and the results file it wrote."""
    if _BENCHMARK not in request.config.stash:
        request.config.stash[_BENCHMARK] = _start_benchmark(request.config)
    process, output = request.config.stash[_BENCHMARK]
    return process.wait(timeout=300), output


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
