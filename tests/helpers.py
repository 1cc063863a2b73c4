"""Test helpers: where things are, settings and environments for the server under test, reading results."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from mcp import Client, StdioServerParameters
from mcp.client.context import ClientRequestContext
from mcp.client.session import ClientSession, ElicitationFnT
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent, Tool

from anam_fake import DEFAULT_KEY, FakeAnam
from anam_mcp.config import Settings
from anam_mcp.logs import configure_logging
from anam_mcp.server import build_server

ROOT = Path(__file__).resolve().parents[1]
SERVER_COMMAND = str(Path(sys.executable).with_name("anam-mcp"))
SNAPSHOTS = ROOT / "tests" / "snapshots"
# The tools the server serves: one committed snapshot each (test_tool_schemas checks that they match).
TOOLS = frozenset(path.stem for path in SNAPSHOTS.glob("*.json"))

# How long `npm view` may take to say whether the registry answers, before npx tests are skipped.
# Generous: a busy machine can take a while to start npm, and a skipped real-client test is coverage lost.
_NPM_CHECK_SECONDS = 60


def make_settings(fake: FakeAnam, **overrides: object) -> Settings:
    """Settings for an in-process server against `fake`: no warm-up, short timeouts."""
    values: dict[str, object] = {
        "api_key": fake.api_key,
        "api_url": fake.url,
        "prefetch": False,
        "retry_budget_seconds": 5,
        "read_timeout_seconds": 2,
        # Generous: a connection on this machine is quick, but a test run under load may be descheduled a while.
        "connect_timeout_seconds": 5,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def in_memory(fake: FakeAnam, **overrides: object) -> Client:
    """A client of the server built in this process from `make_settings(fake, **overrides)`: enter it to serve."""
    return Client(build_server(make_settings(fake, **overrides), local_files=True))


def server_env(fake: FakeAnam | None, **extra: str) -> dict[str, str]:
    """Environment for the server subprocess (an empty value unsets). The SDK's stdio client passes few on."""
    env = {
        "ANAM_API_URL": fake.url if fake else "http://127.0.0.1:9",
        "ANAM_API_KEY": fake.api_key if fake else DEFAULT_KEY,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "INFO",
        "ANAM_RETRY_BUDGET_SECONDS": "5",
        "ANAM_READ_TIMEOUT_SECONDS": "2",
        "ANAM_CONNECT_TIMEOUT_SECONDS": "5",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def network_env() -> dict[str, str]:
    """The machine's proxy and CA settings, which uvx needs to reach the package index from a stripped env."""
    names = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy")
    return {k: v for k, v in os.environ.items() if k in names or k.startswith("UV_")}


def server_params(fake: FakeAnam | None, cwd: Path, **extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=SERVER_COMMAND, args=[], env=server_env(fake, **extra), cwd=str(cwd))


@contextlib.contextmanager
def logging_to_string(environment: dict[str, str]) -> Iterator[io.StringIO]:
    """Logging configured as the server does from `environment`, written to the string yielded; the earlier
    setup (root handlers and level, the access log's filters) is restored afterwards."""
    root, access = logging.getLogger(), logging.getLogger("uvicorn.access")
    saved = root.handlers[:], root.level, access.filters[:]
    try:
        configure_logging(Settings.from_environment(environment, env_file=None))
        stream = io.StringIO()
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        yield stream
    finally:
        root.handlers[:], access.filters[:] = saved[0], saved[2]
        root.setLevel(saved[1])


async def until_requested(fake: FakeAnam, path: str, count: int = 1) -> None:
    """Return once `fake` has received `count` requests for `path` (calls now in flight there), within 20 s."""
    with anyio.fail_after(20):
        # The fake records requests on its own thread, which cannot set an anyio.Event: poll.
        while len(fake.requests_to(path)) < count:  # noqa: ASYNC110
            await anyio.sleep(0.01)


def text(result: CallToolResult) -> str:
    """The text blocks of a tool result, one per line."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def answering(action: str, confirm: bool | None, asked: list[ElicitRequestParams]) -> ElicitationFnT:
    """A client's answer to every question a tool asks (elicitation): `action`, with {"confirm": confirm} unless
    None; each question is kept in `asked`."""

    async def on_elicit(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params)
        return ElicitResult(action=action, content=None if confirm is None else {"confirm": confirm})  # type: ignore[arg-type]

    return on_elicit


async def call(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call a tool, require success, and check structuredContent against the advertised outputSchema."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, text(result)
    schema = (await _output_schemas(client))[name]
    assert schema is not None
    error = best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(result.structured_content))
    if error is not None:
        raise error
    # The last text block is the same result as JSON, for clients that read only text.
    last = result.content[-1]
    assert isinstance(last, TextContent) and json.loads(last.text) == result.structured_content
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


def input_bytes(tool: Tool) -> int:
    """What a tool costs every conversation's context on the input side, as the schema budget counts it:
    the UTF-8 bytes of name, description and json.dumps(inputSchema, separators=(",", ":")), as --check
    counts them (anam_mcp.server.toolsets.input_bytes) but from what the client received."""
    schema = json.dumps(tool.input_schema, separators=(",", ":"), ensure_ascii=False)
    return sum(len(text.encode()) for text in (tool.name, tool.description or "", schema))


# The output schemas each client session was given, by tool name: a session's tools/list does not change.
_SCHEMAS: weakref.WeakKeyDictionary[ClientSession, dict[str, dict[str, Any] | None]] = weakref.WeakKeyDictionary()


async def _output_schemas(client: Client) -> dict[str, dict[str, Any] | None]:
    schemas = _SCHEMAS.get(client.session)
    if schemas is None:
        schemas = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}
        _SCHEMAS[client.session] = schemas
    return schemas


@functools.cache
def _validator(schema: str) -> Validator:
    """A validator of the JSON schema `schema`, itself checked first (as jsonschema.validate does), built once."""
    loaded = json.loads(schema)
    cls = validator_for(loaded)
    cls.check_schema(loaded)
    return cls(loaded)


def start_benchmark(output: Path) -> subprocess.Popen[bytes]:
    """bench/run.py with the smallest counts, writing results to `output`, its stdout and stderr beside it."""
    small = ["--latency-ms", "5", "--warm-calls", "3", "--naive-calls", "1", "--cold-runs", "1", "--startup-runs", "1"]
    command = [sys.executable, str(ROOT / "bench" / "run.py"), *small, "--token-calls", "2", "--output", str(output)]
    with output.with_suffix(".stdout").open("wb") as stdout, output.with_suffix(".stderr").open("wb") as stderr:
        return subprocess.Popen(command, stdout=stdout, stderr=stderr)


def start_http_benchmark(output: Path) -> subprocess.Popen[bytes]:
    """bench/http_load.py with the smallest counts, writing results to `output`, its stdout and stderr beside it."""
    small = ["--calls", "20", "--concurrency", "4", "--rounds", "2"]
    command = [sys.executable, str(ROOT / "bench" / "http_load.py"), *small, "--output", str(output)]
    with output.with_suffix(".stdout").open("wb") as stdout, output.with_suffix(".stderr").open("wb") as stderr:
        return subprocess.Popen(command, stdout=stdout, stderr=stderr)


_INSTALLING = threading.Lock()


def installed(package: str, command: str) -> str:
    """`command` from the pinned npm `package` (its bin), installed by npx if it is not yet: starting it directly
    spares each run npm's own start-up (about 0.5 s of CPU). Jobs on several threads ask at once: one installs."""
    with _INSTALLING:
        return _installed(package, command)


@functools.cache
def _installed(package: str, command: str) -> str:
    done = subprocess.run(
        ["npx", "-y", f"--package={package}", "-c", f"command -v {command}"],
        env=npx_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = done.stdout.strip()
    assert done.returncode == 0 and Path(found).is_file(), done.stdout + done.stderr
    return found


def npx_env() -> dict[str, str]:
    """This process's environment for npx: for a pinned version, the cached package needs no registry round trip."""
    return {**os.environ, "npm_config_prefer_offline": "true", "npm_config_update_notifier": "false"}


@functools.cache
def npm_unavailable(package: str) -> str | None:
    """Why `npx <package>` cannot run here, or None when it can. Asked once per test session."""
    if shutil.which("npx") is None:
        return "npx (Node.js) is not installed"
    try:
        done = subprocess.run(
            ["npm", "view", package, "version"],
            capture_output=True,
            text=True,
            timeout=_NPM_CHECK_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"the npm registry did not answer `npm view {package}` within {_NPM_CHECK_SECONDS} s"
    if done.returncode != 0:
        return f"the npm registry cannot be reached: `npm view {package}` failed ({done.stderr.strip()[-200:]})"
    return None


def require_npm(package: str) -> None:
    """Skip the calling test, with the reason, unless `npx <package>` can run here."""
    if reason := npm_unavailable(package):
        pytest.skip(reason)
