"""What lands on stderr: one readable line per retry, and our own debug lines without the libraries' flood."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest

from anam_fake import FakeAnam, Fault
from anam_mcp.config import Settings
from anam_mcp.logs import configure_logging

from .helpers import SERVER_COMMAND, server_env
from .raw_client import start


def check(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    return subprocess.run(
        [SERVER_COMMAND, "--check"], env=clean | env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """`--check` against an unreachable API, at INFO and at WARNING, run side by side: they mostly wait to retry."""
    # Port 9 (discard) on this machine: the connection is refused at once, every time.
    envs = {
        "INFO": server_env(None, ANAM_MAX_RETRIES="2", ANAM_RETRY_BUDGET_SECONDS="10"),
        "WARNING": server_env(None, ANAM_MAX_RETRIES="2", ANAM_LOG_LEVEL="WARNING"),
    }
    cwd = tmp_path_factory.mktemp("check")
    with ThreadPoolExecutor(len(envs)) as pool:
        return dict(zip(envs, pool.map(lambda env: check(env, cwd), envs.values()), strict=True))


def test_check_against_an_unreachable_api_logs_one_readable_line_per_retry(
    unreachable: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    done = unreachable["INFO"]
    assert done.returncode == 1
    assert "retry_scheduled" not in done.stderr and "stamina" not in done.stderr  # labelled as our own
    assert "WARNING" not in done.stderr
    retries = [line for line in done.stderr.splitlines() if "retry" in line]
    assert len(retries) == 2, done.stderr
    for number, line in enumerate(retries, start=1):
        assert re.search(
            rf" INFO anam_mcp\.api\.transport: Request to Anam failed; retry {number} of 2 in [0-9.]+ s\. "
            r"Could not connect to the Anam API at http://127\.0\.0\.1:9\.",
            line,
        ), line
    assert "FAIL  Could not connect to the Anam API" in done.stderr


def test_retries_are_not_logged_above_info(unreachable: dict[str, subprocess.CompletedProcess[str]]) -> None:
    done = unreachable["WARNING"]
    assert done.returncode == 1
    assert "retry" not in done.stderr


@pytest.mark.anyio
async def test_debug_level_leaves_out_the_http_library_unless_asked(fake: FakeAnam, tmp_path: Path) -> None:
    stderr: dict[str, str] = {}

    async def serve(log_http: str) -> None:
        server = await start(fake, tmp_path, ANAM_LOG_LEVEL="DEBUG", ANAM_LOG_HTTP=log_http)
        await server.initialize()
        await server.send("not json")  # one of our own debug lines
        answer = await server.request(1, "tools/call", {"name": "list_llms", "arguments": {}})
        assert answer["result"]["isError"] is False, log_http
        code, stderr[log_http] = await server.finish()
        assert code == 0, log_http

    async with anyio.create_task_group() as servers:  # two processes: side by side
        for log_http in ("false", "true"):
            servers.start_soon(serve, log_http)
    for log_http, written in stderr.items():
        assert "DEBUG anam_mcp.server.stdio: Answered a line that is not a JSON-RPC message" in written, log_http
        assert "INFO anam_mcp.server.middleware: tool list_llms: ok" in written, log_http
    # ANAM_LOG_HTTP -> whether the HTTP and MCP libraries' debug lines show
    assert {log_http: "DEBUG httpcore2" in written for log_http, written in stderr.items()} == {
        "false": False,
        "true": True,
    }
    assert {log_http: "DEBUG mcp." in written for log_http, written in stderr.items()} == {
        "false": False,
        "true": True,
    }


@pytest.mark.anyio
async def test_each_failed_call_or_read_is_one_line_from_the_server_with_the_reason(
    fake: FakeAnam, tmp_path: Path
) -> None:
    server = await start(fake, tmp_path)
    await server.initialize()
    unknown = {"persona_id": "11111111-2222-4333-8444-555555555555"}
    calls = [("get_persona", unknown), ("get_persona", {"persona_id": "not-an-id"}), ("list_llms", {})]
    for number, (name, arguments) in enumerate(calls, start=1):
        await server.request(number, "tools/call", {"name": name, "arguments": arguments})
    fake.script("/v1/voices", Fault("status", status=403))
    assert "error" in await server.request(9, "resources/read", {"uri": "anam://voices"})
    code, stderr = await server.finish()
    assert code == 0
    lines = [line for line in stderr.splitlines() if re.search(r"\b(tool|resource)\b", line, re.IGNORECASE)]
    assert len(lines) == len(calls) + 1, stderr
    not_found, invalid, fine, refused = lines
    assert re.search(
        r" INFO anam_mcp\.server\.middleware: tool get_persona: error in [0-9.]+ ms: Anam could not find it", not_found
    )
    assert "Error executing tool" not in not_found
    assert re.search(r"tool get_persona: error in [0-9.]+ ms: Invalid arguments: persona_id must be a UUID", invalid)
    assert "not-an-id" not in invalid  # rejected values are the caller's data
    assert re.search(r"tool list_llms: ok in [0-9.]+ ms$", fine)
    assert re.search(
        r"middleware: resource anam://voices: error in [0-9.]+ ms: Anam refused this request \(403\)", refused
    )
    assert len([line for line in stderr.splitlines() if "(403)" in line]) == 1  # not the catalogue load's too


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """A stream to point the configured handler at; the earlier logging setup is restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in ("anam_mcp", "httpx2")}
    stream = io.StringIO()
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    ("level", "log_http", "shown"),
    [
        ("DEBUG", "false", {"ours debug", "library info", "http warning"}),
        ("DEBUG", "true", {"ours debug", "library debug", "library info", "http debug", "http info", "http warning"}),
        ("INFO", "false", {"library info", "http warning"}),
        ("ERROR", "false", set()),
    ],
)
def test_log_levels_for_our_code_and_for_the_libraries(
    level: str, log_http: str, shown: set[str], log_stream: io.StringIO
) -> None:
    configure_logging(Settings.from_environment({"ANAM_LOG_LEVEL": level, "ANAM_LOG_HTTP": log_http}, env_file=None))
    logging.getLogger().handlers[0].setStream(log_stream)  # type: ignore[attr-defined]
    logging.getLogger("anam_mcp.catalog").debug("ours debug")
    logging.getLogger("some.library").debug("library debug")
    logging.getLogger("some.library").info("library info")
    logging.getLogger("httpx2").debug("http debug")
    logging.getLogger("httpx2").info("http info")
    logging.getLogger("httpx2").warning("http warning")
    written = {line.split(": ", 1)[1] for line in log_stream.getvalue().splitlines()}
    assert written == shown
