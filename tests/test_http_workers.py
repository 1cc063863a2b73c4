"""`anam-mcp --http --workers 2`: any worker answers any request, in both protocol eras.

The client opens a new connection for every request, so the two workers take turns. Each worker keeps its
own cache, so the fake seeing the voice catalogue loaded twice proves that both answered. A question a tool
asks (delete_persona's confirmation, 2026-07-28) is answered in a second request that may land on the other
worker: it works because the command line gives both the same request-state key.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx2
import pytest
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam

from .helpers import answering, text
from .http_server import HttpServer, Mode, http_env, http_server, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.weight(3)]

CALLS = 30


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def server(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake, ANAM_HTTP_FORWARDED_ALLOW_IPS="127.0.0.1"), "--workers", "2") as running:
        deadline = time.monotonic() + 30
        while running.log().count("Application startup complete") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        yield running


def worker_pids(server: HttpServer) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", server.log()))


async def test_two_workers_answer_interleaved_requests_from_one_client_in_both_eras(
    server: HttpServer, fake: FakeAnam
) -> None:
    modes: tuple[Mode, ...] = ("legacy", "auto")
    for mode in modes:
        async with mcp_client(server.mcp, fake.api_key, mode=mode, keep_alive=False) as client:
            for _ in range(CALLS):
                result = await client.call_tool("search_voices", {"query": "calm"})
                assert not result.is_error, text(result)
    assert len(worker_pids(server)) == 2
    first_pages = [r for r in fake.requests_to("/v1/voices") if r.query == {"page": "1", "perPage": "100"}]
    assert len(first_pages) == 2  # each worker loaded the catalogue on its first call, then used its cache


async def test_a_question_asked_by_one_worker_is_answered_on_either(server: HttpServer, fake: FakeAnam) -> None:
    asked: list[ElicitRequestParams] = []
    decline = answering("accept", False, asked)
    persona = fake.catalogues["/v1/personas"][0]
    async with mcp_client(server.mcp, fake.api_key, mode="auto", keep_alive=False, elicitation_callback=decline) as c:
        for _ in range(12):
            result = await c.call_tool("delete_persona", {"persona_id": persona["id"]})
            assert not result.is_error, text(result)
            assert result.structured_content == {"persona_id": persona["id"], "deleted": False}
    assert len(asked) == 12
    assert fake.requests_to(f"/v1/personas/{persona['id']}", "DELETE") == []


def test_forwarded_headers_count_from_a_configured_proxy(server: HttpServer) -> None:
    httpx2.get(server.url + "/healthz", headers={"x-forwarded-for": "203.0.113.9"}, timeout=10)
    assert re.search(r'uvicorn\.access: 203\.0\.113\.9:\d+ - "GET /healthz', server.log())
