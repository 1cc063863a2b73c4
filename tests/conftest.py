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

from anam_fake import FakeAnam
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import (
    make_settings,
    server_params,
    start_benchmark,
    start_http_benchmark,
)

_BENCHMARKS = pytest.StashKey[dict[str, tuple[subprocess.Popen[bytes], Path]]]()
# The benchmarks' tests, and how each starts its run (with the smallest counts).
_STARTS = {"test_bench.py": start_benchmark, "test_bench_http.py": start_http_benchmark}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto` (addopts): three for the whole suite, one more than this machine's two cores, as
    much of it waits on subprocesses, browsers and the fake's timed answers; none when the command names the
    tests to run, as starting workers (each collects every test) costs a few files more than it saves."""
    return 3 if config.args_source is pytest.Config.ArgsSource.TESTPATHS else 0


def _distributed() -> bool:
    """True in an xdist worker: every worker collects every test, but runs only those it is sent."""
    return "PYTEST_XDIST_WORKER" in os.environ


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _distributed():
        # Files go to the workers in this order, each file to one worker: the heaviest first, so that no worker is
        # left with a long one at the end while the others have nothing to do. A file states its weight itself
        # (`pytestmark = pytest.mark.weight(seconds)`); unmarked files follow in collection order.
        weights: dict[Path, float] = {}
        for item in items:
            marker = item.get_closest_marker("weight")
            weights[item.path] = max(weights.get(item.path, 0.0), float(marker.args[0]) if marker else 0.0)
        items.sort(key=lambda item: -weights[item.path])
    else:
        # The benchmark tests come last, so that the runs they check have had the whole suite's time to finish.
        items.sort(key=lambda item: item.path.name in _STARTS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """In one process, start each benchmark run as soon as a test is known to want it.

    They spend their ~10 s starting servers in subprocesses: begun now, that overlaps the in-process tests
    on the second core instead of adding to the suite's time. (Under xdist each one's test starts it.)
    """
    if session.config.option.collectonly or _distributed():
        return
    for name in sorted({item.path.name for item in session.items} & set(_STARTS)):
        _start(session.config, name)


def _start(config: pytest.Config, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    output = Path(tempfile.mkdtemp(prefix="anam-bench-")) / "results.json"
    process = _STARTS[name](output)

    def clean_up() -> None:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(output.parent)

    config.add_cleanup(clean_up)
    run = config.stash.setdefault(_BENCHMARKS, {})[name] = (process, output)
    return run


def _finished(request: pytest.FixtureRequest, name: str) -> tuple[int, Path]:
    runs = request.config.stash.setdefault(_BENCHMARKS, {})
    process, output = runs.get(name) or _start(request.config, name)
    return process.wait(timeout=300), output


@pytest.fixture
def benchmark(request: pytest.FixtureRequest) -> tuple[int, Path]:
    """The benchmark run, finished: its exit status, and the results file it wrote."""
    return _finished(request, "test_bench.py")


@pytest.fixture
def http_benchmark(request: pytest.FixtureRequest) -> tuple[int, Path]:
    """The HTTP load benchmark run, finished: its exit status and results file."""
    return _finished(request, "test_bench_http.py")


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
    # In this process, as a client on the user's machine would be: files named by path may be read.
    async with Client(build_server(settings, local_files=True)) as session:
        yield session


@pytest.fixture
async def stdio_client(fake: FakeAnam, tmp_path: Path) -> AsyncIterator[Client]:
    """An MCP client session with `anam-mcp` running as a subprocess, over stdio, against the fake."""
    async with Client(server_params(fake, tmp_path)) as session:
        yield session
