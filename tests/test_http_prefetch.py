"""`anam-mcp --http` with prefetch on, each caller bringing their own key: only a key that has worked is warmed.

A key's catalogues (avatars and voices) are prefetched after its first successful request, once: a key Anam
rejects costs only its own call, and a key dropped from the accounts (ANAM_MAX_ACCOUNTS) and brought back is
not warmed again. Each test ends by warming a sentinel key: its first catalogue requests come after anything the
earlier calls would have started, so what is absent by then was never asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest

from anam_fake import FakeAnam

from .http_server import HttpServer, http_env, http_server

pytestmark = pytest.mark.anyio

SENTINELS = ("sentinel-account-key-0000000001", "sentinel-account-key-0000000002")
CATALOGUES = ("/v1/avatars", "/v1/voices")
# The pages of the default fake's catalogues (111 avatars, 450 voices, 100 a page).
PAGES = {"/v1/avatars": 2, "/v1/voices": 5}
JSON_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        for key in SENTINELS:
            running.add_account(key)
        yield running


@pytest.fixture(scope="module")
def server(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake, ANAM_PREFETCH="true", ANAM_MAX_ACCOUNTS="2")) as running:
        yield running


def sent_with(fake: FakeAnam, path: str, key: str) -> int:
    """How many requests for `path` the fake received with `key`."""
    return sum(r.headers.get("Authorization") == f"Bearer {key}" for r in fake.requests_to(path))


async def search_personas(http: httpx2.AsyncClient, server: HttpServer, key: str) -> dict[str, Any]:
    call = {"name": "search_personas", "arguments": {}}
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call}
    answer = await http.post(server.mcp, json=message, headers=JSON_HEADERS | {"authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["result"]
    return result


async def until_sent(fake: FakeAnam, key: str, pages: dict[str, int]) -> None:
    """Return once `fake` has received, with `key`, at least this many requests for each path, within 20 s."""
    with anyio.fail_after(20):
        # The fake records requests on its own thread: poll.
        while any(sent_with(fake, path, key) < count for path, count in pages.items()):  # noqa: ASYNC110
            await anyio.sleep(0.01)


async def test_keys_anam_rejects_cost_one_request_each_and_are_never_warmed(server: HttpServer, fake: FakeAnam) -> None:
    rejected = [f"never-an-account-{n:03d}-abcdefgh" for n in range(40)]
    async with httpx2.AsyncClient(timeout=30) as http:
        for key in rejected:
            result = await search_personas(http, server, key)
            assert result["isError"] is True and "rejected the API key" in result["content"][0]["text"]
        warmed = await search_personas(http, server, SENTINELS[0])
        assert warmed["isError"] is False
        await until_sent(fake, SENTINELS[0], dict.fromkeys(CATALOGUES, 1))
    for key in rejected:
        assert [r.path for r in fake.requests if r.headers.get("Authorization") == f"Bearer {key}"] == [
            "/v1/personas"
        ], key


async def test_a_key_that_worked_is_warmed_once_even_when_dropped_and_brought_back(
    server: HttpServer, fake: FakeAnam
) -> None:
    key = fake.api_key
    async with httpx2.AsyncClient(timeout=30) as http:
        assert (await search_personas(http, server, key))["isError"] is False
        await until_sent(fake, key, PAGES)  # warmed after its first success: every page of both catalogues
        for other in ("dropping-it-0001-abcdefgh", "dropping-it-0002-abcdefgh"):  # two more keys: its account goes
            await search_personas(http, server, other)
        assert (await search_personas(http, server, key))["isError"] is False  # a new account for the same key
        assert (await search_personas(http, server, SENTINELS[1]))["isError"] is False
        await until_sent(fake, SENTINELS[1], dict.fromkeys(CATALOGUES, 1))
    assert {path: sent_with(fake, path, key) for path in CATALOGUES} == PAGES
    assert sent_with(fake, "/v1/personas", key) == 2
