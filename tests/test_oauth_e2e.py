"""Signing in from an MCP client, end to end: the SDK's OAuth client (`OAuthClientProvider`) against a real
`anam-mcp --http` with ANAM_PUBLIC_URL, and headless Chromium filling in the real sign-in page.

Once with dynamic client registration and once with a client ID metadata document (served over https on
127.0.0.1 with a certificate made here; the server is told to trust that one origin), the client signs in,
then in both protocol eras lists the tools, searches voices and runs a persona's life; it refreshes, revokes
and is refused afterwards. On the page, a wrong key is an error and issues no code, and Cancel returns an
error to the app. Two people signed in at once each see only their own personas.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
import pytest
from mcp.client.auth import OAuthClientProvider
from mcp.types import ElicitRequestParams
from playwright.async_api import Browser, expect

from anam_fake import FakeAnam
from bench.oauth_grant import Pkce, answer_of, authorize_url, exchange, free_port, register, sign_in_over_http

from .helpers import TOOLS, answering, call
from .http_server import HttpServer, Mode, http_server, mcp_client
from .oauth_kit import (
    CimdHost,
    MemoryStorage,
    Person,
    chromium,
    cimd_host,
    oauth_client,
    oauth_env,
    sdk_auth,
    tools_list,
)

pytestmark = pytest.mark.anyio

OTHER_KEY = "second-account-key-0123456789"
ERAS: dict[str, Mode] = {"2025-11-25": "legacy", "2026-07-28": "auto"}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        running.add_account(OTHER_KEY)
        yield running


@pytest.fixture(scope="module")
def callback() -> str:
    """The app's redirect URI: the browser answers it itself (see oauth_kit.Person)."""
    return f"http://127.0.0.1:{free_port()}/callback"


@pytest.fixture(scope="module")
def cimd(callback: str) -> Iterator[CimdHost]:
    with cimd_host([callback]) as host:
        yield host


@pytest.fixture(scope="module")
def server(fake: FakeAnam, cimd: CimdHost, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    port = free_port()
    store = tmp_path_factory.mktemp("oauth") / "oauth.sqlite3"
    trust = {"ANAM_OAUTH_TEST_CIMD_ORIGIN": cimd.origin, "ANAM_OAUTH_TEST_CIMD_CA_FILE": str(cimd.ca_file)}
    with http_server(oauth_env(fake, port, str(store), **trust), "--port", str(port)) as running:
        yield running


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the sign-in page's screenshot goes: $ANAM_MCP_SCREENSHOTS, else a pytest temporary directory."""
    chosen = os.environ.get("ANAM_MCP_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("sign-in-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def use_in_both_eras(server: HttpServer, auth: OAuthClientProvider) -> None:
    """Tools, a voice search and a persona's whole life, in each protocol era, with the signed-in client."""
    for era, mode in ERAS.items():
        asked: list[ElicitRequestParams] = []
        async with oauth_client(server.mcp, auth, mode, elicitation_callback=answering("accept", True, asked)) as c:
            assert c.protocol_version == era
            assert {tool.name for tool in (await c.list_tools()).tools} == TOOLS
            voices = await call(c, "search_voices", {"query": "lucy", "gender": "female"})
            assert voices["items"][0]["country"] == "GB"
            saved = await call(c, "save_persona", {"name": f"Signed-in guide {era}", "system_prompt": "Guide calmly."})
            persona = {"persona_id": saved["persona_id"]}
            assert (await call(c, "get_persona", persona))["system_prompt"] == "Guide calmly."
            changed = await call(c, "update_persona", persona | {"system_prompt": "Guide briskly."})
            assert changed["changed"] == ["system_prompt"]
            assert await call(c, "delete_persona", persona) == persona | {"deleted": True}


async def refresh_revoke_and_refuse(server: HttpServer, auth: OAuthClientProvider, storage: MemoryStorage) -> None:
    """Refresh through the SDK client (its token made to look expired), then revoke with RFC 7009: every
    token of the sign-in is refused afterwards."""
    assert storage.tokens is not None and storage.client is not None
    first = storage.tokens
    auth.context.token_expiry_time = time.time() - 1
    async with oauth_client(server.mcp, auth, "legacy") as client:
        await client.list_tools()
    renewed = storage.tokens
    assert renewed.access_token != first.access_token and renewed.refresh_token != first.refresh_token
    async with httpx2.AsyncClient() as http:
        assert (await tools_list(http, server.url, first.access_token)).status_code == 401
        assert (await tools_list(http, server.url, renewed.access_token)).status_code == 200
        credentials = {"client_id": storage.client.client_id} | (
            {"client_secret": storage.client.client_secret} if storage.client.client_secret else {}
        )
        revoked = await http.post(f"{server.url}/revoke", data={"token": renewed.refresh_token} | credentials)
        assert revoked.status_code == 200
        refused = await tools_list(http, server.url, renewed.access_token)
        assert refused.status_code == 401
        assert (
            f'resource_metadata="{server.url}/.well-known/oauth-protected-resource/mcp"'
            in (refused.headers["www-authenticate"])
        )
        again = await http.post(
            f"{server.url}/token",
            data={"grant_type": "refresh_token", "refresh_token": renewed.refresh_token} | credentials,
        )
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_the_sdk_client_signs_in_by_registering_then_uses_refreshes_and_revokes(
    server: HttpServer, fake: FakeAnam, browser: Browser, callback: str, screenshots: Path
) -> None:
    person = Person(browser, fake.api_key, callback, screenshot=screenshots / "sign-in.png")
    storage = MemoryStorage()
    auth = sdk_auth(server.mcp, person, storage)
    await use_in_both_eras(server, auth)
    assert storage.client is not None and not storage.client.client_id.startswith("https://")  # registered
    assert storage.tokens is not None and storage.tokens.access_token.startswith("anam_at_")
    # The calls acted with the person's own key, which the client never held.
    assert {r.headers.get("Authorization") for r in fake.requests_to("/v1/personas")} == {f"Bearer {fake.api_key}"}
    await refresh_revoke_and_refuse(server, auth, storage)
    assert fake.api_key not in server.log()


async def test_the_sdk_client_signs_in_with_a_client_metadata_document(
    server: HttpServer, fake: FakeAnam, browser: Browser, callback: str, cimd: CimdHost
) -> None:
    person = Person(browser, fake.api_key, callback)
    storage = MemoryStorage()
    auth = sdk_auth(server.mcp, person, storage, cimd_url=cimd.url("/client.json"))
    await use_in_both_eras(server, auth)
    assert storage.client is not None and storage.client.client_id == cimd.url("/client.json")
    await refresh_revoke_and_refuse(server, auth, storage)


async def test_a_wrong_key_is_an_error_on_the_page_and_issues_no_code(
    server: HttpServer, browser: Browser, callback: str
) -> None:
    async with httpx2.AsyncClient() as http:
        client = await register(http, server.url, callback)
    person = Person(browser, "wrong-key-0123456789", callback)
    page, arrivals = await person.open(authorize_url(server.url, client["client_id"], callback, Pkce()))
    try:
        returns_to = urlsplit(callback).netloc
        await expect(page.locator("main")).to_contain_text(
            f"Refusal tests ({returns_to}) wants to use your Anam account"
        )
        await page.fill("#key", person.key)
        await page.click("button[value=allow]")
        await expect(page.locator(".error")).to_have_text(
            "Anam did not accept this key. Check that you copied all of it, from Anam Lab → API keys."
        )
        assert await page.input_value("#key") == ""  # never echoed back
        assert person.key not in await page.content()
        await page.click("button[value=deny]")
        with anyio.fail_after(10):
            while not arrivals:  # noqa: ASYNC110
                await anyio.sleep(0.02)
    finally:
        await page.context.close()
    assert "code=" not in arrivals[0] and "error=access_denied" in arrivals[0]
    assert f"iss=http%3A%2F%2F127.0.0.1%3A{server.port}" in arrivals[0]


async def test_two_people_signed_in_at_once_each_see_only_their_own_personas(
    server: HttpServer, fake: FakeAnam, callback: str
) -> None:
    async def tokens_for(key: str) -> dict[str, Any]:
        async with httpx2.AsyncClient() as http:
            client = await register(http, server.url, callback)
            pkce = Pkce()
            url = authorize_url(server.url, client["client_id"], callback, pkce)
            code = answer_of(await sign_in_over_http(http, url, key))["code"]
            issued = await exchange(http, server.url, client["client_id"], code, callback, pkce)
            assert issued.status_code == 200, issued.text
            tokens: dict[str, Any] = issued.json()
            return tokens

    found: dict[str, tuple[str, set[str]]] = {}

    async def survey(key: str, mode: Mode) -> None:
        token = (await tokens_for(key))["access_token"]
        async with mcp_client(server.mcp, token, mode=mode) as client:
            saved = await call(client, "save_persona", {"name": f"Tenant persona {key[:6]}"})
            listed = await call(client, "search_personas", {"query": "tenant persona", "limit": 50})
            found[key] = saved["persona_id"], {p["id"] for p in listed["items"]}

    async with anyio.create_task_group() as group:
        group.start_soon(survey, fake.api_key, "legacy")
        group.start_soon(survey, OTHER_KEY, "auto")
    (mine, my_list), (theirs, their_list) = found[fake.api_key], found[OTHER_KEY]
    assert my_list == {mine} and their_list == {theirs}
