"""The in-memory catalogue: loads once, shares loads, honours its freshness window, survives failures."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from anam_fake import FakeAnam, Fault
from anam_mcp.api.catalogue import AVATARS, VOICES
from anam_mcp.api.personas import PERSONAS
from anam_mcp.api.transport import AnamClient
from anam_mcp.catalog import Background, Catalogs
from anam_mcp.config import Settings

from .helpers import call, make_settings

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def search(catalogs: Catalogs, query: str | None = "cara", refresh: bool = False) -> int:
    found = await catalogs.search(VOICES, query, refresh=refresh)
    return len(found.items)


async def test_cold_search_makes_one_request_per_page_and_warm_search_none(settings: Settings, fake: FakeAnam) -> None:
    async with AnamClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        await search(catalogs)
        assert len(fake.requests) == 5  # 450 voices, 100 a page
        fake.clear()
        for query in ("lucy", "calm", None, "zoe"):
            await search(catalogs, query)
        assert fake.requests == []


async def test_concurrent_cold_searches_share_one_load(settings: Settings, fake: FakeAnam) -> None:
    fake.latency = 0.05
    async with AnamClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        results: list[int] = []

        async def one() -> None:
            results.append(await search(catalogs))

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(one)
    assert len(set(results)) == 1 and len(results) == 20
    assert len(fake.requests_to("/v1/voices")) == 5


async def test_refresh_reloads(settings: Settings, fake: FakeAnam) -> None:
    async with AnamClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        await search(catalogs)
        new_voice = {**fake.catalogues["/v1/voices"][0], "id": "ffffffff-0000-4000-8000-000000000000"}
        fake.catalogues["/v1/voices"].append(new_voice)
        assert await search(catalogs, None) == 450
        assert await search(catalogs, None, refresh=True) == 451
    assert len(fake.requests_to("/v1/voices")) == 10


async def test_expiry_reloads_after_the_freshness_window(settings: Settings, fake: FakeAnam) -> None:
    clock = Clock()
    async with AnamClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=60, clock=clock)
        await search(catalogs)
        clock.now += 59
        await search(catalogs)
        assert len(fake.requests_to("/v1/voices")) == 5
        clock.now += 2
        await search(catalogs)
        assert len(fake.requests_to("/v1/voices")) == 10


async def test_failed_refresh_serves_the_stale_list_with_a_note(fake: FakeAnam) -> None:
    clock = Clock()
    async with AnamClient(make_settings(fake, max_retries=0)) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=60, clock=clock)
        await search(catalogs)
        clock.now += 120
        fake.script("/v1/voices", Fault(status=500))
        found = await catalogs.search(VOICES, "lucy", refresh=False)
    assert [v.display_name for v in found.items] == ["Lucy - Fresh & Casual"]
    assert found.note is not None and "Could not refresh the voices list" in found.note and "120 s ago" in found.note


async def test_failed_first_load_is_an_error_and_the_next_call_tries_again(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake, max_retries=0)) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=60)
        fake.script("/v1/voices", Fault(status=500))
        with pytest.raises(Exception, match="500"):
            await search(catalogs)
        assert await search(catalogs, None) == 450


async def test_filters_are_exact_and_case_insensitive(client: Client, fake: FakeAnam) -> None:
    arguments = {"gender": "female", "country": "gb", "provider": "elevenlabs", "limit": 100}
    found = await call(client, "search_voices", arguments)
    expected = [
        v
        for v in fake.catalogues["/v1/voices"]
        if (v["gender"], v["country"], v["provider"]) == ("FEMALE", "GB", "ELEVENLABS")
    ]
    assert {v["id"] for v in found["items"]} == {v["id"] for v in expected}
    assert len(expected) >= 2


async def test_stock_only_excludes_custom_avatars(settings: Settings, fake: FakeAnam) -> None:
    async with AnamClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        everything = await catalogs.search(AVATARS, None)
        stock = await catalogs.search(AVATARS, None, keep=lambda avatar: avatar.is_stock)
    assert all(a.is_stock for a in stock.items)
    assert 0 < len(stock.items) < len(everything.items) == 130


class HeldClient(AnamClient):
    """Holds the first answer it gets until released, so that load ends after a later one."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.holding = anyio.Event()
        self.release = anyio.Event()

    async def request(self, *args: Any, **kwargs: Any) -> bytes:
        body = await super().request(*args, **kwargs)
        if not self.holding.is_set():
            self.holding.set()
            await self.release.wait()
        return body


async def test_a_list_loaded_before_a_change_is_not_kept_after_invalidate(settings: Settings, fake: FakeAnam) -> None:
    newcomer = {**fake.catalogues["/v1/personas"][0], "id": "ffffffff-0000-4000-8000-000000000000", "name": "Newcomer"}
    async with HeldClient(settings) as client, Background() as background:
        catalogs = Catalogs(client, background, ttl_seconds=300)
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: catalogs.search(PERSONAS, None))
            await client.holding.wait()  # that load has read the list as it was before the change
            fake.catalogues["/v1/personas"].append(newcomer)
            catalogs.of(PERSONAS).invalidate()
            fresh = await catalogs.search(PERSONAS, "newcomer")
            assert len(fresh.items) == 1  # a new load, not the one in flight
            client.release.set()
        # The old load has ended now; its list, older than the change, must not replace the new one.
        again = await catalogs.search(PERSONAS, "newcomer")
        assert len(again.items) == 1
    assert len(fake.requests_to("/v1/personas")) == 2
