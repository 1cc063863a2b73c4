"""Starting the HTTP server: the command line's refusals, the modes' doors, and the importable ASGI app.

The gate's answers that need no MCP are checked in this process, through the app itself (httpx2's ASGI
transport, with the address a request arrived on set as a server would); the rest against servers
started the three documented ways: `anam-mcp --http`, `uvicorn --factory ...http:create_app` and
`uvicorn ...asgi:app`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx2
import pytest

from anam_fake import FakeAnam
from anam_mcp.server.http import create_app

from .helpers import ROOT, SERVER_COMMAND, make_settings, text
from .http_server import http_env, http_server, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.weight(5)]

TOKEN = "team-token-abcdefghijklmnop"
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def refused_start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SERVER_COMMAND, "--http", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_token_setting_that_was_refused_stops_a_server_key_from_being_served(fake: FakeAnam) -> None:
    env = http_env(fake, ANAM_API_KEY=fake.api_key, ANAM_MCP_TOKENS="short")
    done = refused_start(env, "--host", "10.1.2.3")
    assert done.returncode == 2
    assert "ANAM_MCP_TOKENS must be tokens of 16 to 256" in done.stderr
    assert "short" not in done.stderr.split("ANAM_MCP_TOKENS must")[0]
    assert "Uvicorn running" not in done.stderr


def test_the_start_up_line_shows_neither_a_refused_api_url_nor_a_refused_key_as_in_use(fake: FakeAnam) -> None:
    env = http_env(fake, ANAM_API_URL="http://example.com", ANAM_API_KEY="sk-flawed key-0123456789")
    with http_server(env) as server:
        (line,) = [line for line in server.log().splitlines() if "serving MCP over HTTP" in line]
    assert "https://api.anam.ai" not in line and "bring your own key" not in line, line
    assert "(key refused (ANAM_API_KEY is invalid), 1 worker)" in line, line
    assert "API none (ANAM_API_URL is invalid)" in line, line


def test_help_names_the_http_options() -> None:
    done = subprocess.run([SERVER_COMMAND, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert all(option in done.stdout for option in ("--http", "--host", "--port", "--workers", "ANAM_MCP_TOKENS"))


def test_http_options_need_http() -> None:
    done = subprocess.run([SERVER_COMMAND, "--port", "9000"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "--port only apply with --http" in done.stderr


@pytest.fixture
async def byok(fake: FakeAnam) -> AsyncIterator[httpx2.AsyncClient]:
    """The app without a server key (callers bring theirs), called in this process as if from this machine."""
    app = create_app(make_settings(fake, api_key=None))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
        yield http


@pytest.mark.parametrize(
    ("authorization", "says"),
    [
        (None, "send yours as 'Authorization: Bearer <your Anam API key>'"),
        ("Bearer ", "send yours as"),
        ("Basic dXNlcjpwYXNz", "send yours as"),
        ("Bearer key with spaces", "contains a space"),
        ("Bearer sk-caf\u00e9-0123456789", "non-ASCII"),
        ("Bearer " + "k" * 2000, "far too long"),
    ],
)
async def test_without_a_server_key_a_missing_or_malformed_key_gets_401_saying_what_to_send(
    byok: httpx2.AsyncClient, fake: FakeAnam, authorization: str | None, says: str
) -> None:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    answer = await byok.post("/mcp", json=LIST_TOOLS, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith('Bearer realm="anam-mcp"')
    assert answer.json()["error"] == "invalid_token"
    assert says in answer.json()["error_description"]
    assert fake.requests == []


async def test_without_access_tokens_there_is_no_secret_path(byok: httpx2.AsyncClient, fake: FakeAnam) -> None:
    # An Anam key is never taken from a URL, where proxies and browsers keep it.
    answer = await byok.post(f"/mcp/t/{fake.api_key}", json=LIST_TOOLS)
    assert answer.status_code == 404
    assert fake.api_key not in answer.text


async def test_cors_is_off_unless_origins_are_configured(byok: httpx2.AsyncClient) -> None:
    preflight = await byok.options(
        "/mcp", headers={"origin": "https://app.example.com", "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 401
    assert not any(name.startswith("access-control-") for name in preflight.headers)


@pytest.mark.parametrize(
    ("base_url", "headers"),
    [
        ("http://10.0.0.5:8000", {}),
        ("http://127.0.0.1:8000", {}),
        ("http://127.0.0.1:8000", {"x-forwarded-for": "1.2.3.4"}),
    ],
)
async def test_a_server_key_without_tokens_is_served_to_no_one(
    fake: FakeAnam, base_url: str, headers: dict[str, str]
) -> None:
    """As served by someone else's ASGI server (nothing made a token): from any address, forwarded or not."""
    app = create_app(make_settings(fake))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=base_url) as http:
        answer = await http.post("/mcp", json=LIST_TOOLS, headers=headers)
        secret_path = await http.post("/mcp/t/a-guess-that-is-long-enough", json=LIST_TOOLS)
    assert answer.status_code == 401
    assert "no ANAM_MCP_TOKENS" in answer.json()["error_description"]
    assert secret_path.status_code == 401
    assert fake.requests == []


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_a_server_key_without_tokens_makes_a_token_and_prints_its_url_once(fake: FakeAnam, workers: str) -> None:
    with http_server(http_env(fake, ANAM_API_KEY=fake.api_key), "--workers", workers) as server:
        found = re.search(rf"{re.escape(server.mcp)}/t/([A-Za-z0-9_-]{{43}})\b", server.log())
        assert found, server.log()
        token = found[1]
        assert f"Authorization: Bearer {token}" in server.log()
        # As socat, ssh -R, kubectl port-forward or a default nginx relay it: from 127.0.0.1, with Host
        # rewritten to this server and no X-Forwarded-For. The server's key is never served without a credential.
        relayed = httpx2.post(server.mcp, json=LIST_TOOLS, headers={"host": f"127.0.0.1:{server.port}"}, timeout=10)
        assert relayed.status_code == 401
        assert fake.requests == []
        # The token works both ways, on every worker (each request on a new connection).
        async with mcp_client(found[0], keep_alive=False) as client:
            for _ in range(6):
                result = await client.call_tool("list_llms", {})
                assert not result.is_error, text(result)
        async with mcp_client(server.mcp, token, keep_alive=False) as client:
            assert not (await client.call_tool("list_llms", {})).is_error
        log = server.log()
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {fake.api_key}"
    assert log.count(token) == 2, log  # the URL and the bearer form, once; never in a log line
    assert fake.api_key not in log


@pytest.mark.parametrize(
    "target",
    [["--factory", "anam_mcp.server.http:create_app"], ["anam_mcp.server.asgi:app"]],
    ids=["factory", "module-app"],
)
async def test_the_app_runs_under_uvicorn_as_the_readme_shows(fake: FakeAnam, target: list[str]) -> None:
    shown = " ".join(["uv run uvicorn", *target, "--host 127.0.0.1 --port 8000"])
    assert shown in (ROOT / "README.md").read_text(encoding="utf-8")
    command = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", "0"]
    env = http_env(fake, ANAM_API_KEY=fake.api_key, ANAM_MCP_TOKENS=TOKEN)
    with http_server(env, command=command) as server:
        assert httpx2.get(server.url + "/healthz", timeout=10).json()["status"] == "ok"
        async with mcp_client(f"{server.url}/mcp/t/{TOKEN}") as client:
            result = await client.call_tool("search_voices", {"query": "lucy"})
        assert httpx2.post(server.mcp, json=LIST_TOOLS, timeout=10).status_code == 401
    assert not result.is_error, text(result)
