"""Whatever text Anam sends, the server reads what it can and keeps serving (issue #12: 1, 6, 7, 9).

Through the real server over stdio where what is sent matters (text that cannot be encoded as it came, a
ping answered while a huge page is parsed), in memory where only the server's reading does; record parsing is
also tested directly, where it is a pure function.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from anam_fake import CARA_VOICE_ID, GPT4O_MINI_LLM_ID, FakeAnam, Fault
from anam_mcp.api.catalogue import Avatar, Llm, Voice
from anam_mcp.api.pages import PageMeta
from anam_mcp.api.personas import Persona
from anam_mcp.api.records import parse_records

from .helpers import in_memory, server_params, until_requested
from .upstream_helpers import call, text

pytestmark = pytest.mark.anyio

LONE_SURROGATE = "Bad \ud83d name"


# -- 1. lone surrogates ------------------------------------------------------------------------


async def test_a_lone_surrogate_in_a_voice_name_is_replaced_and_the_server_keeps_serving(
    fake: FakeAnam, tmp_path: Path
) -> None:
    fake.catalogues["/v1/voices"][0]["displayName"] = LONE_SURROGATE  # sent as the escape \ud83d
    async with Client(server_params(fake, tmp_path)) as client:
        found = await call(client, "search_voices", {"query": "bad"})
        assert not found.is_error, text(found)
        assert found.structured_content is not None
        assert [v["display_name"] for v in found.structured_content["items"]] == ["Bad \ufffd name"]
        again = await call(client, "search_voices", {"query": "bad"})
        assert not again.is_error


async def test_a_lone_surrogate_in_the_session_token_is_an_error_not_a_crash(fake: FakeAnam, tmp_path: Path) -> None:
    fake.script("/v1/auth/session-token", Fault(status=200, body={"sessionToken": f"eyJ{LONE_SURROGATE}"}))
    async with Client(server_params(fake, tmp_path)) as client:
        minted = await call(client, "create_session_token", {})
        assert minted.is_error
        assert "could not be read (the sessionToken is malformed)" in text(minted)
        assert not (await call(client, "create_session_token", {})).is_error


# -- 9. nesting --------------------------------------------------------------------------------


async def test_deeply_nested_json_is_an_unreadable_response(fake: FakeAnam) -> None:
    depth = 100_000
    fake.script("/v1/voices", Fault(kind="raw", status=200, body=b'{"data": ' + b"[" * depth + b"]" * depth + b"}"))
    async with in_memory(fake, max_retries=0) as client:
        found = await call(client, "search_voices", {})
        assert found.is_error
        assert "Anam sent a response that could not be read (nested too deeply)" in text(found)
        assert not (await call(client, "search_voices", {})).is_error


# -- 7. null or mistyped optional fields -------------------------------------------------------


def test_a_null_or_mistyped_optional_field_counts_as_absent() -> None:
    avatars, dropped = parse_records(
        Avatar,
        [
            {"id": "a", "displayName": "Liv", "availableVersions": None, "variantName": 7, "displayTags": None},
            {"id": "b", "displayName": None, "description": ["not", "text"], "availableVersions": ["cara-3", 4]},
        ],
    )
    assert dropped == 0
    assert [(a.id, a.display_name, a.variant_name, a.available_models) for a in avatars] == [
        ("a", "Liv", None, []),
        ("b", "", None, []),
    ]
    (llm,), _ = parse_records(Llm, [{"id": "m", "displayName": "GPT-4o mini", "isDefault": None, "modelName": 4}])
    assert (llm.display_name, llm.is_built_in, llm.model_name) == ("GPT-4o mini", False, None)
    (voice,), _ = parse_records(Voice, [{"id": "v", "displayName": None, "name": "Older name", "gender": 1}])
    assert (voice.display_name, voice.gender) == ("Older name", None)
    (persona,), _ = parse_records(Persona, [{"id": "p", "name": "Tutor", "avatar": {"id": 5}, "voice": "Cara"}])
    assert (persona.name, persona.avatar, persona.voice) == ("Tutor", None, None)


def test_only_a_record_without_a_usable_id_is_dropped_and_counted() -> None:
    voices, dropped = parse_records(
        Voice, [{"id": "v1"}, {"id": None}, {"id": ""}, {"id": 7}, {"displayName": "no id"}, "junk", {"id": "v2"}]
    )
    assert [v.id for v in voices] == ["v1", "v2"]
    assert dropped == 5


def test_page_meta_counts_that_are_not_non_negative_integers_are_unknown() -> None:
    assert PageMeta.read({"total": 450, "lastPage": 5}) == PageMeta(450, 5)
    assert PageMeta.read({"total": "450", "lastPage": 5.0}) == PageMeta(450, 5)
    for junk in ("abc", 2.5, -1, None, True, [5], float("inf")):
        assert PageMeta.read({"total": junk, "lastPage": junk}) == PageMeta(None, None)
    assert PageMeta.read("meta") == PageMeta()


async def test_the_default_llm_with_a_null_field_is_still_listed(fake: FakeAnam) -> None:
    llms = fake.catalogues["/v1/llms"]
    llms[0].update(isDefault=None, displayTags=None)
    llms.append({"id": None, "displayName": "Broken"})
    async with in_memory(fake) as client:
        listed = await call(client, "list_llms", {})
    assert not listed.is_error, text(listed)
    content = listed.structured_content
    assert content is not None
    assert GPT4O_MINI_LLM_ID in [m["id"] for m in content["items"]]
    assert content["total"] == 5
    assert "1 of the entries Anam sent for the LLMs list had no usable id" in content["note"]


async def test_a_voice_with_a_mistyped_field_is_found(fake: FakeAnam) -> None:
    cara = next(v for v in fake.catalogues["/v1/voices"] if v["id"] == CARA_VOICE_ID)
    cara.update(displayTags=None, gender=7, country=None)
    async with in_memory(fake) as client:
        found = await call(client, "search_voices", {"query": "cara"})
    assert found.structured_content is not None
    assert CARA_VOICE_ID in [v["id"] for v in found.structured_content["items"]]
    assert found.structured_content["note"] is None


# -- 6. a huge page does not stall the server --------------------------------------------------


# The SDK's client warns that ping is deprecated in the newest protocol; the server still answers it.
@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")
async def test_ping_is_answered_while_a_huge_page_is_parsed(fake: FakeAnam, tmp_path: Path) -> None:
    tiny = [{"id": str(i)} for i in range(450_000)]
    body = json.dumps({"data": tiny, "meta": {"total": len(tiny), "lastPage": 1}}).encode()
    assert 7 * 1024 * 1024 < len(body) < 8 * 1024 * 1024  # just under ANAM_MAX_RESPONSE_BYTES
    fake.script("/v1/voices", Fault(kind="raw", status=200, body=body))
    # ping is a legacy-protocol request in this SDK: the server answers it either way.
    async with Client(server_params(fake, tmp_path), mode="legacy") as client:
        await client.send_ping()
        pings: list[float] = []
        results: list[CallToolResult] = []

        async def search() -> None:
            results.append(await call(client, "search_voices", {"limit": 1}))

        async with anyio.create_task_group() as group:
            group.start_soon(search)
            await until_requested(fake, "/v1/voices")
            while not results:
                started = time.perf_counter()
                await client.send_ping()
                pings.append(time.perf_counter() - started)
                await anyio.sleep(0.02)
    assert pings and max(pings) < 1.5, pings
    (found,) = results
    assert found.structured_content is not None, text(found)
    assert found.structured_content["total"] == 20_000
    assert "ANAM_MAX_CATALOG_ITEMS (20000 items)" in found.structured_content["note"]
