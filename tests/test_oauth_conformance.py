"""The MCP conformance suite's `authorization` command against `anam-mcp --http` with ANAM_PUBLIC_URL, with
headless Chromium playing the person on the sign-in page when the suite asks for the browser step.

The suite registers nothing itself: a public client is registered here (DCR) with the suite's callback on
127.0.0.1, and the suite runs every authorization-server scenario (the metadata endpoint, the authorization
code grant). Each check's status must be the one in the committed baseline,
tests/conformance/authorization-baseline.yml, which says why; a new check or a changed status fails.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from anyio.streams.text import TextReceiveStream
from playwright.async_api import Browser

from anam_fake import FakeAnam
from bench.oauth_grant import free_port, register

from .helpers import ROOT, npm_unavailable, npx_env
from .http_server import HttpServer, http_server
from .oauth_kit import chromium, oauth_env

pytestmark = pytest.mark.anyio

CONFORMANCE = "@modelcontextprotocol/conformance@0.2.0-alpha.12"
BASELINE = ROOT / "tests" / "conformance" / "authorization-baseline.yml"
_SECONDS = 300


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def server(fake: FakeAnam, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    port = free_port()
    store = tmp_path_factory.mktemp("oauth") / "oauth.sqlite3"
    with http_server(oauth_env(fake, port, str(store)), "--port", str(port)) as running:
        yield running


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


def baseline() -> dict[str, str]:
    """The baseline's `check-id: STATUS` lines (comments explain them)."""
    lines = (line.split("#", 1)[0].strip() for line in BASELINE.read_text(encoding="utf-8").splitlines())
    return dict(tuple(part.strip() for part in line.split(":", 1)) for line in lines if line)  # type: ignore[misc]


def saved_checks(folder: Path) -> dict[str, str]:
    """Each check's status, from the results the suite saved (one checks.json per scenario)."""
    return {
        check["id"]: check["status"]
        for path in folder.glob("*/checks.json")
        for check in json.loads(path.read_text(encoding="utf-8"))
    }


async def test_every_authorization_server_check_is_as_the_baseline_says(
    server: HttpServer, fake: FakeAnam, browser: Browser, tmp_path: Path
) -> None:
    if reason := npm_unavailable(CONFORMANCE):
        pytest.skip(reason)
    port = free_port()
    callback = f"http://127.0.0.1:{port}/callback"
    async with httpx2.AsyncClient() as http:
        client_id = (await register(http, server.url, callback))["client_id"]
    command = [
        "npx", "-y", "-p", "node@22", "-p", CONFORMANCE, "--",
        "conformance", "authorization", "--url", server.url, "--client-id", client_id,
        "--resource", server.mcp, "--port", str(port), "-o", str(tmp_path),
    ]  # fmt: skip
    printed, signed_in = "", False
    with anyio.fail_after(_SECONDS):
        async with await anyio.open_process(command, env=npx_env(), stderr=subprocess.STDOUT) as suite:
            assert suite.stdout is not None
            async for chunk in TextReceiveStream(suite.stdout):
                printed += chunk
                asked = re.search(r"^(http://\S+/authorize\?\S+)$", printed, re.MULTILINE)
                if asked and not signed_in:
                    # The suite waits for its callback: the person signs in, and the browser lands there.
                    signed_in = True
                    page = await browser.new_page()
                    await page.goto(asked[1])
                    await page.fill("#key", fake.api_key)
                    await page.click("button[value=allow]")
                    await page.wait_for_url(re.compile(re.escape(callback)))
                    await page.close()
            await suite.wait()
    assert signed_in, printed[-3000:]
    assert saved_checks(tmp_path) == baseline(), printed[-3000:]
