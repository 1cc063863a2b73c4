"""Listing a whole catalogue, page by page, when Anam's pages fail or lie (issue #12: 2, 3, 6).

Failures after page 1 reach the user as the specific error (or the stale copy); the pages' metadata is
a hint; every limit that cuts a list short says so in the result's note.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import anyio
import pytest
import stamina

from anam_fake import FakeAnam, Fault, make_voices
from anam_mcp.api.catalogue import VOICES
from anam_mcp.api.errors import AnamUnavailableError
from anam_mcp.api.pages import list_all
from anam_mcp.api.transport import AnamClient

from .helpers import in_memory, make_settings
from .upstream_helpers import call, text

pytestmark = pytest.mark.anyio


# -- 2. a failure on page 2 or later -----------------------------------------------------------

LATER_PAGE_FAILURES = [
    pytest.param(Fault(status=401), "Anam rejected the API key (401). Check ANAM_API_KEY", id="401"),
    pytest.param(
        Fault(status=429, headers={"Retry-After": "90"}), "rate limiting requests (429). Try again in about", id="429"
    ),
    pytest.param(Fault(status=503), "Anam is unavailable or failed (503)", id="503"),
]


@pytest.mark.parametrize(("fault", "says"), LATER_PAGE_FAILURES)
async def test_a_failure_on_a_later_page_gives_its_specific_message(fault: Fault, says: str, fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault("ok"), fault)  # page 1 answers; the next page fails
    async with in_memory(fake, max_retries=0) as client:
        found = await call(client, "search_voices", {"query": "lucy"})
        assert found.is_error
        assert says in text(found)
        assert not (await call(client, "search_voices", {"query": "lucy"})).is_error


async def test_a_failure_on_a_later_page_raises_the_anam_error_itself(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault("ok"), *[Fault(status=503)] * 10)
    with stamina.set_testing(True, attempts=3):
        async with AnamClient(make_settings(fake)) as client:
            with pytest.raises(AnamUnavailableError, match="503"):
                await list_all(client, VOICES.listing)
    # Page 1, then a failing page tried 3 times (no real waits in testing mode) before the listing gives up.
    assert len([r for r in fake.requests_to("/v1/voices") if r.query["page"] != "1"]) >= 3


async def test_a_failed_refresh_on_a_later_page_serves_the_stale_copy(fake: FakeAnam) -> None:
    async with in_memory(fake, max_retries=0) as client:
        assert not (await call(client, "search_voices", {"query": "lucy"})).is_error
        fake.script("/v1/voices", Fault("ok"), Fault(status=500))
        stale = await call(client, "search_voices", {"query": "lucy", "refresh": True})
    assert not stale.is_error, text(stale)
    assert stale.structured_content is not None
    assert stale.structured_content["total"] == 1
    assert "Could not refresh the voices list (Anam is unavailable or failed (500)" in stale.structured_content["note"]


async def test_a_resource_read_failing_on_a_later_page_gives_its_specific_message(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault("ok"), Fault(status=401))
    async with in_memory(fake, max_retries=0) as client:
        with anyio.fail_after(30), pytest.raises(Exception, match=r"Anam rejected the API key \(401\)") as caught:
            await client.read_resource("anam://voices")
        assert "Error reading resource" not in str(caught.value)


# -- 3. metadata that lies, and no silent cap --------------------------------------------------

LYING_META: list[Any] = [
    pytest.param(lambda m: {**m, "lastPage": "five"}, id="lastPage a word"),
    pytest.param(lambda m: {**m, "lastPage": 2.5}, id="lastPage a fraction"),
    pytest.param(lambda m: {**m, "lastPage": -1}, id="lastPage negative"),
    pytest.param(lambda m: {k: v for k, v in m.items() if k != "lastPage"}, id="lastPage absent"),
    pytest.param(lambda m: {**m, "lastPage": 1}, id="lastPage below total"),
    pytest.param(lambda m: {**m, "lastPage": 40}, id="lastPage above total"),
    pytest.param(lambda m: {"currentPage": m["currentPage"]}, id="no total, no lastPage"),
    pytest.param(lambda m: None, id="meta null"),
    pytest.param(lambda m: {"total": 10**9}, id="total far too high"),
]


@pytest.mark.parametrize("meta", LYING_META)
async def test_every_voice_is_listed_whatever_the_page_metadata_says(
    meta: Callable[[dict[str, Any]], Any], fake: FakeAnam
) -> None:
    fake.meta_for["/v1/voices"] = meta
    async with in_memory(fake) as client:
        found = await call(client, "search_voices", {"limit": 1})
    assert found.structured_content is not None, text(found)
    assert found.structured_content["total"] == 450
    assert found.structured_content["note"] is None
    # Pages 1-5 hold the list; metadata that overstates it costs at most one round of concurrent requests more.
    assert len(fake.requests_to("/v1/voices")) <= 5 + 8


async def test_a_catalogue_of_more_than_ten_thousand_entries_is_listed_whole() -> None:
    with FakeAnam(voices=make_voices(10_050)) as fake:
        async with in_memory(fake) as client:
            found = await call(client, "search_voices", {"limit": 1})
        assert found.structured_content is not None, text(found)
        assert found.structured_content["total"] == 10_050
        assert found.structured_content["note"] is None
        assert len(fake.requests_to("/v1/voices")) == math.ceil(10_050 / 100)


async def test_the_item_limit_shows_in_the_note_and_stops_requests(fake: FakeAnam) -> None:
    async with in_memory(fake, max_catalog_items=250) as client:
        found = await call(client, "search_voices", {})
    assert found.structured_content is not None, text(found)
    assert found.structured_content["total"] == 250
    note = found.structured_content["note"]
    assert "Only 250 voices were loaded" in note
    assert "ANAM_MAX_CATALOG_ITEMS (250 items)" in note
    assert len(fake.requests_to("/v1/voices")) == 3


async def test_the_byte_limit_shows_in_the_note_and_stops_requests(fake: FakeAnam) -> None:
    async with in_memory(fake, max_catalog_bytes=1024) as client:
        found = await call(client, "search_voices", {})
    assert found.structured_content is not None, text(found)
    assert found.structured_content["total"] == 100  # page 1 alone is over the limit
    assert "ANAM_MAX_CATALOG_BYTES (1 KiB)" in found.structured_content["note"]
    assert len(fake.requests_to("/v1/voices")) == 1


async def test_a_whole_catalogue_has_no_note(fake: FakeAnam) -> None:
    async with in_memory(fake, max_catalog_items=450) as client:
        found = await call(client, "search_voices", {"limit": 1})
    assert found.structured_content is not None, text(found)
    assert (found.structured_content["total"], found.structured_content["note"]) == (450, None)
