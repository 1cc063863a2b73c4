"""Concurrency and time bounds against a slow Anam (issue #12: 5, 12c, 12g).

Waits are real here: the timing is the behaviour under test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from anam_fake import FakeAnam, Fault
from anam_mcp.api.catalogue import VOICES
from anam_mcp.api.pages import list_all
from anam_mcp.api.transport import AnamClient, BackgroundLoad
from anam_mcp.catalog import Background, Catalogs

from .helpers import make_settings, server_params, until_requested
from .upstream_helpers import call, text, until

pytestmark = [pytest.mark.anyio, pytest.mark.weight(5)]


# -- 5. background prefetch never delays the user's call ---------------------------------------


async def test_a_token_request_never_waits_behind_a_slow_background_prefetch(fake: FakeAnam, tmp_path: Path) -> None:
    for path in ("/v1/avatars", "/v1/voices"):
        fake.script(path, *[Fault(kind="slow", seconds=8)] * 10)  # catalogues that trickle in
    # A read timeout longer than the trickle: the prefetch holds its slots for the whole 8 s.
    env = {"ANAM_PREFETCH": "true", "ANAM_MAX_CONCURRENT_REQUESTS": "2", "ANAM_READ_TIMEOUT_SECONDS": "10"}
    async with Client(server_params(fake, tmp_path, **env)) as client:
        await until(lambda: fake.requests_to("/v1/avatars") or fake.requests_to("/v1/voices"))
        await anyio.sleep(0.3)  # let the prefetch take every slot it is allowed
        started = time.perf_counter()
        minted = await call(client, "create_session_token", {})
        took = time.perf_counter() - started
    assert not minted.is_error, text(minted)
    assert took < 3, f"the token waited {took:.1f} s behind the prefetch"


async def test_background_loads_leave_request_slots_for_the_user(fake: FakeAnam) -> None:
    fake.latency = 0.1
    async with AnamClient(make_settings(fake, max_concurrent_requests=8)) as client:
        await list_all(client, VOICES.listing, background=BackgroundLoad())
        background_peak = fake.max_in_flight
        fake.clear()
        await list_all(client, VOICES.listing)
        user_peak = fake.max_in_flight
    assert background_peak == 2
    assert user_peak == 4  # pages 2-5 at once


async def test_a_search_that_joins_a_prefetch_lifts_it_to_full_concurrency(fake: FakeAnam) -> None:
    fake.latency = 0.3
    async with AnamClient(make_settings(fake, max_concurrent_requests=8)) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        catalogs.prefetch()  # avatars and voices, sharing the two background slots
        await until_requested(fake, "/v1/voices", 2)  # page 1 is in, the other pages queue for a slot
        assert fake.max_in_flight == 2
        found = await catalogs.search(VOICES, "cara")
    assert found.items
    assert len(fake.requests_to("/v1/voices")) == 5  # the search joined the prefetch
    assert fake.max_in_flight >= 4  # the queued voice pages went at once, not two at a time


# -- 12c. a resource read is bounded like a tool call ------------------------------------------


async def test_a_resource_read_ends_within_the_tool_timeout_against_a_hanging_api(
    fake: FakeAnam, tmp_path: Path
) -> None:
    fake.script("/v1/voices", *[Fault(kind="hang", seconds=20)] * 5)
    env = {"ANAM_TOOL_TIMEOUT_SECONDS": "1", "ANAM_READ_TIMEOUT_SECONDS": "10"}
    async with Client(server_params(fake, tmp_path, **env)) as client:
        started = time.perf_counter()
        with anyio.fail_after(30), pytest.raises(Exception, match="did not finish within 1 s") as caught:
            await client.read_resource("anam://voices")
        assert time.perf_counter() - started < 3
        assert "Error reading resource" not in str(caught.value)


# -- 12g. progress for every caller of a shared load -------------------------------------------


async def test_a_caller_that_joins_a_load_in_flight_gets_progress(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/voices", *[Fault(kind="slow", seconds=0.6)] * 5)
    first: list[tuple[float, float | None]] = []
    joined: list[tuple[float, float | None]] = []

    def recorder(seen: list[tuple[float, float | None]]) -> Any:
        async def progress(done: float, total: float | None, message: str | None) -> None:
            seen.append((done, total))

        return progress

    async with Client(server_params(fake, tmp_path)) as client, anyio.create_task_group() as group:

        async def search(seen: list[tuple[float, float | None]]) -> None:
            result = await call(client, "search_voices", {"query": "lucy"}, progress_callback=recorder(seen))
            assert not result.is_error

        group.start_soon(search, first)
        await until_requested(fake, "/v1/voices")
        group.start_soon(search, joined)
    assert len(fake.requests_to("/v1/voices")) == 5  # one shared load
    assert first == [(i, 5) for i in range(1, 6)]
    assert joined and joined[-1] == (5, 5)
