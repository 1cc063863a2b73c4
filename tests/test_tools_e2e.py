"""Every tool, resource and prompt through the `mcp` SDK's client, with the server in memory, against the fake API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitRequestParams, Tool

from anam_fake import CARA_AVATAR_ID, CARA_VOICE_ID, GPT4O_MINI_LLM_ID, LUCY_VOICE_ID, FakeAnam, Fault

from .helpers import TOOLS, answering, call, in_memory, server_params, text

pytestmark = pytest.mark.anyio

# (read-only, destructive, idempotent) of the tools that change something.
CHANGES = {
    "create_session_token": (False, False, False),
    "save_persona": (False, False, False),
    "create_share_link": (False, False, False),
    "invite_persona_to_meeting": (False, False, False),
    "update_persona": (False, True, True),
    "delete_persona": (False, True, True),
    "create_avatar": (False, False, False),
    "clone_voice": (False, False, False),
    "delete_avatar": (False, True, True),
    "delete_voice": (False, True, True),
    "revoke_share_link": (False, True, True),
    "cancel_meeting_invite": (False, True, True),
    "teach_persona": (False, False, True),
    "create_knowledge_base": (False, False, False),
    "add_knowledge_document": (False, False, False),
    "delete_knowledge_document": (False, True, True),
    "delete_knowledge_base": (False, True, True),
    "create_webhook_tool": (False, False, False),
    "create_knowledge_tool": (False, False, False),
    "create_client_tool": (False, False, False),
    "create_system_tool": (False, False, True),
    "delete_persona_tool": (False, True, True),
}


async def tools_by_name(client: Client) -> dict[str, Tool]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


# -- tools/list ------------------------------------------------------------------------------


async def test_every_tool_is_described_annotated_and_schema_safe(client: Client) -> None:
    tools = await tools_by_name(client)
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.title and tool.description and len(tool.description) > 80
        assert tool.annotations is not None and tool.annotations.open_world_hint is True
        assert tool.output_schema is not None
        schema = tool.input_schema
        assert not {"anyOf", "oneOf", "allOf"} & set(schema), f"{tool.name}: top-level union"
        for arg, spec in schema.get("properties", {}).items():
            assert spec.get("description"), f"{tool.name}.{arg} has no description"
    for name in TOOLS - set(CHANGES):
        assert tools[name].annotations.read_only_hint is True  # type: ignore[union-attr]
    for name, hints in CHANGES.items():
        annotations = tools[name].annotations
        assert annotations is not None
        assert (annotations.read_only_hint, annotations.destructive_hint, annotations.idempotent_hint) == hints


async def test_token_tool_schema_carries_the_contract(client: Client) -> None:
    schema = (await tools_by_name(client))["create_session_token"].input_schema
    props = schema["properties"]
    assert list(props) == [
        "name",
        "avatar_id",
        "voice_id",
        "system_prompt",
        "llm_id",
        "avatar_model",
        "skip_greeting",
        "language_code",
        "max_session_length_seconds",
        "persona_id",
        "client_label",
    ]
    assert props["avatar_model"]["default"] == "cara-3"
    assert props["avatar_model"]["enum"] == ["cara-3", "cara-4", "cara-4-latest"]
    assert schema.get("required", []) == []


async def test_tools_list_works_without_a_key(fake: FakeAnam) -> None:
    async with in_memory(fake, api_key=None) as client:
        assert set(await tools_by_name(client)) == TOOLS
        result = await client.call_tool("search_voices", {"query": "lucy"})
    assert result.is_error
    assert "ANAM_API_KEY is not set" in text(result)
    assert fake.requests == []


# -- search_avatars ---------------------------------------------------------------------------


async def test_search_avatars_is_accent_insensitive_and_ranked(client: Client) -> None:
    found = await call(client, "search_avatars", {"query": "zoe", "limit": 2})
    assert found["total"] >= 3 and found["returned"] == 2
    assert {item["display_name"] for item in found["items"]} == {"Zoë"}
    item = found["items"][0]
    assert set(item) >= {"id", "display_name", "variant_name", "is_stock", "image_url"}


async def test_search_avatars_spans_every_page(client: Client, fake: FakeAnam) -> None:
    last = fake.catalogues["/v1/avatars"][-1]
    last["displayName"] = "Quetzalcoatl"
    found = await call(client, "search_avatars", {"query": "quetzal"})
    assert [i["id"] for i in found["items"]] == [last["id"]]
    assert sorted(int(r.query["page"]) for r in fake.requests_to("/v1/avatars")) == [1, 2]


async def test_search_avatars_stock_only(client: Client) -> None:
    found = await call(client, "search_avatars", {"stock_only": True, "limit": 100})
    assert found["items"] and all(i["is_stock"] for i in found["items"])
    everything = await call(client, "search_avatars", {"limit": 100})
    assert everything["total"] == 130 > found["total"]


# -- search_voices ------------------------------------------------------------------------------


async def test_search_voices_ranks_names_and_matches_descriptions(client: Client) -> None:
    found = await call(client, "search_voices", {"query": "Lucy"})
    assert found["items"][0]["id"] == LUCY_VOICE_ID
    british = await call(client, "search_voices", {"query": "british", "limit": 100})
    assert british["total"] > 0
    assert all("british" in (i["description"] or "").lower() for i in british["items"])


async def test_search_voices_filters_case_insensitively(client: Client, fake: FakeAnam) -> None:
    found = await call(client, "search_voices", {"gender": "male", "country": "us", "provider": "cartesia"})
    wanted = ("MALE", "US", "CARTESIA")
    expected = [v for v in fake.catalogues["/v1/voices"] if (v["gender"], v["country"], v["provider"]) == wanted]
    assert found["total"] == len(expected) > 0
    assert all((i["gender"], i["country"], i["provider"]) == ("MALE", "US", "CARTESIA") for i in found["items"])


@pytest.mark.parametrize(
    "arguments",
    [{"gender": "robot"}, {"country": "Britain"}, {"provider": "acme"}, {"limit": 0}, {"limit": 101}, {"limit": "x"}],
)
async def test_search_voices_rejects_bad_filters_without_a_request(
    client: Client, fake: FakeAnam, arguments: dict[str, Any]
) -> None:
    result = await client.call_tool("search_voices", arguments)
    assert result.is_error
    assert next(iter(arguments)) in text(result)
    assert fake.requests == []


async def test_a_warm_search_makes_no_request(client: Client, fake: FakeAnam) -> None:
    await call(client, "search_voices", {"query": "calm"})
    fake.clear()
    await call(client, "search_voices", {"query": "warm", "gender": "FEMALE"})
    await call(client, "search_voices", {})
    assert fake.requests == []
    await call(client, "search_voices", {"refresh": True})
    assert len(fake.requests_to("/v1/voices")) == 5


async def test_cold_search_reports_progress(client: Client) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    result = await client.call_tool("search_voices", {"query": "x"}, progress_callback=progress)
    assert not result.is_error
    assert [(d, t) for d, t, _ in seen] == [(i, 5) for i in range(1, 6)]
    assert seen[-1][2] == "Loading voices: page 5 of 5"


# -- discovery ---------------------------------------------------------------------------------


async def test_list_llms_marks_the_default_llm(client: Client, fake: FakeAnam) -> None:
    found = await call(client, "list_llms", {})
    assert found["total"] == len(fake.catalogues["/v1/llms"])
    defaults = [i for i in found["items"] if i["is_used_by_default"]]
    assert [d["id"] for d in defaults] == [GPT4O_MINI_LLM_ID]
    assert fake.requests_to("/v1/llms")[0].query["includeDefaults"] == "true"


async def test_search_personas_finds_saved_personas(client: Client, fake: FakeAnam) -> None:
    persona = fake.catalogues["/v1/personas"][3]
    found = await call(client, "search_personas", {"query": persona["name"]})
    assert found["items"][0]["id"] == persona["id"]
    assert found["items"][0]["avatar_name"] == "Cara"


# -- create_session_token ------------------------------------------------------------------------


async def test_ephemeral_token_uses_and_reports_defaults(client: Client, fake: FakeAnam) -> None:
    made = await call(client, "create_session_token", {"system_prompt": "Be brief.", "name": "Cara"})
    assert made["mode"] == "ephemeral"
    assert made["session_token"].count(".") == 2
    assert made["expires_in_seconds"] == 3600
    assert made["defaults_applied"] == ["avatar_id", "voice_id", "llm_id"]
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body == {
        "personaConfig": {
            "name": "Cara",
            "avatarId": CARA_AVATAR_ID,
            "avatarModel": "cara-3",
            "voiceId": CARA_VOICE_ID,
            "llmId": GPT4O_MINI_LLM_ID,
            "systemPrompt": "Be brief.",
            "skipGreeting": False,
        }
    }
    assert made["persona_config"]["system_prompt"] == "Be brief."
    assert made["persona_id"] is None


async def test_ephemeral_token_sends_every_field_in_camel_case(client: Client, fake: FakeAnam) -> None:
    made = await call(
        client,
        "create_session_token",
        {
            "avatar_id": CARA_AVATAR_ID,
            "voice_id": LUCY_VOICE_ID,
            "llm_id": "CUSTOMER_CLIENT_V1",
            "avatar_model": "cara-4",
            "max_session_length_seconds": 300,
            "skip_greeting": True,
            "language_code": "fr",
            "client_label": "docs-demo",
        },
    )
    assert made["defaults_applied"] == []
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body == {
        "personaConfig": {
            "avatarId": CARA_AVATAR_ID,
            "avatarModel": "cara-4",
            "voiceId": LUCY_VOICE_ID,
            "llmId": "CUSTOMER_CLIENT_V1",
            "maxSessionLengthSeconds": 300,
            "skipGreeting": True,
            "languageCode": "fr",
        },
        "clientLabel": "docs-demo",
    }


async def test_persona_token_sends_only_the_persona(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    made = await call(client, "create_session_token", {"persona_id": persona_id})
    assert made["mode"] == "persona"
    assert made["defaults_applied"] == []
    assert made["persona_id"] == persona_id
    assert made["persona_config"] is None
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body == {"personaConfig": {"personaId": persona_id}}


async def test_mixing_modes_is_an_error_naming_the_arguments_and_sends_nothing(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool(
        "create_session_token",
        {"persona_id": CARA_AVATAR_ID, "voice_id": CARA_VOICE_ID, "system_prompt": "hi"},
    )
    assert result.is_error
    assert "persona_id cannot be combined with voice_id, system_prompt" in text(result)
    assert fake.requests == []


async def test_unknown_persona_suggests_the_search_tool(client: Client) -> None:
    result = await client.call_tool("create_session_token", {"persona_id": "11111111-2222-4333-8444-555555555555"})
    assert result.is_error
    assert "404" in text(result) and "search_personas" in text(result)


async def test_gated_model_is_a_permission_error(client: Client) -> None:
    result = await client.call_tool("create_session_token", {"avatar_model": "cara-4-latest"})
    assert result.is_error
    assert "403" in text(result) and "plan" in text(result)


async def test_wrong_key_is_an_error_result_and_the_server_keeps_serving(fake: FakeAnam) -> None:
    async with in_memory(fake, api_key="sk-wrong-secret") as client:
        result = await client.call_tool("create_session_token", {})
        assert result.is_error
        assert "Check ANAM_API_KEY" in text(result)
        assert "sk-wrong-secret" not in text(result)
        again = await client.call_tool("search_avatars", {"query": "cara"})
        assert again.is_error
        assert set(await tools_by_name(client)) == TOOLS


async def test_background_warm_up_fills_the_cache(fake: FakeAnam) -> None:
    async with in_memory(fake, prefetch=True) as client:
        with anyio.fail_after(10):  # every page is fetched before any tool is called
            # The fake records requests on its own threads: poll, there is no event to await.
            while len(fake.requests_to("/v1/avatars")) < 2 or len(fake.requests_to("/v1/voices")) < 5:  # noqa: ASYNC110
                await anyio.sleep(0.05)
        await call(client, "search_avatars", {"query": "cara"})
        await call(client, "search_voices", {"query": "cara"})
    assert len(fake.requests_to("/v1/avatars")) == 2  # the searches used the warmed copy
    assert len(fake.requests_to("/v1/voices")) == 5


async def test_anams_older_value_forms_come_out_normalised(client: Client, fake: FakeAnam) -> None:
    avatar, voice = fake.catalogues["/v1/avatars"][0], fake.catalogues["/v1/voices"][0]
    avatar |= {"displayName": "Quorra", "availableVersions": ["v2", "cara-4-3"], "activeVersion": "v2"}
    voice |= {"displayName": "Quill", "gender": "female", "country": "gb", "provider": "elevenlabs"}
    found = await call(client, "search_avatars", {"query": "quorra"})
    assert found["items"][0]["available_models"] == ["cara-3", "cara-4-latest"]
    voices = await call(client, "search_voices", {"query": "quill", "gender": "FEMALE", "country": "GB"})
    assert [(v["gender"], v["country"], v["provider"]) for v in voices["items"]] == [("FEMALE", "GB", "ELEVENLABS")]


async def test_warm_up_without_a_key_or_api_never_blocks_or_crashes(fake: FakeAnam) -> None:
    async with in_memory(fake, prefetch=True, api_key=None) as client:
        assert set(await tools_by_name(client)) == TOOLS
    unreachable = in_memory(fake, prefetch=True)
    fake.stop()  # nothing listens there now
    async with unreachable as client:
        assert set(await tools_by_name(client)) == TOOLS
        result = await client.call_tool("search_avatars", {})
        assert result.is_error and "Could not connect" in text(result)


# -- resources and prompt ----------------------------------------------------------------------


async def test_catalogue_resources_serve_json_from_the_shared_cache(client: Client, fake: FakeAnam) -> None:
    resources = (await client.list_resources()).resources
    listed = {str(r.uri): r for r in resources if not str(r.uri).startswith("ui://")}  # views: test_views.py
    assert set(listed) == {"anam://avatars", "anam://voices", "anam://llms"}
    assert all(r.mime_type == "application/json" for r in listed.values())
    read = await client.read_resource("anam://voices")
    voices = json.loads(read.contents[0].text)  # type: ignore[union-attr]
    assert len(voices) == 450
    assert {"id", "display_name", "gender", "country"} <= set(voices[0])
    fake.clear()
    await call(client, "search_voices", {"query": "lucy"})
    assert fake.requests == []  # the tool used the copy the resource loaded
    llms = json.loads((await client.read_resource("anam://llms")).contents[0].text)  # type: ignore[union-attr]
    assert any(m["is_used_by_default"] for m in llms)


async def test_resource_errors_are_protocol_errors_with_a_reason(fake: FakeAnam) -> None:
    async with in_memory(fake, api_key=None) as client:
        with pytest.raises(Exception, match="ANAM_API_KEY is not set"):
            await client.read_resource("anam://avatars")
        assert set(await tools_by_name(client)) == TOOLS


async def test_setup_prompt_walks_through_the_flow(client: Client) -> None:
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"set_up_persona_session", "improve_persona", "add_knowledge_to_persona"}
    got = await client.get_prompt("set_up_persona_session", {"persona": "a calm museum guide"})
    body = got.messages[0].content.text  # type: ignore[union-attr]
    assert "a calm museum guide" in body
    for step in ("search_avatars", "search_voices", "list_llms", "create_session_token", "createClient"):
        assert step in body


async def test_warm_up_against_a_hanging_api_does_not_delay_serving(fake: FakeAnam) -> None:
    fake.script("/v1/avatars", Fault(kind="hang", seconds=20))
    fake.script("/v1/voices", Fault(kind="hang", seconds=20))
    with anyio.fail_after(8):  # far below the 20 s hang: start-up does not wait for the warm-up
        async with in_memory(fake, prefetch=True, read_timeout_seconds=30) as c:
            assert set(await tools_by_name(c)) == TOOLS
            llms = await c.call_tool("list_llms", {})
            assert not llms.is_error


# -- the persona lifecycle over stdio --------------------------------------------------------------


async def test_delete_asks_over_stdio_and_a_no_deletes_nothing(fake: FakeAnam, tmp_path: Path) -> None:
    persona = fake.catalogues["/v1/personas"][7]
    asked: list[ElicitRequestParams] = []
    decline = answering("decline", None, asked)
    async with Client(server_params(fake, tmp_path), elicitation_callback=decline) as client:
        schema = (await tools_by_name(client))["delete_persona"].input_schema
        assert list(schema["properties"]) == ["persona_id"]  # the confirmation is asked, never an argument
        result = await client.call_tool("delete_persona", {"persona_id": persona["id"]})
    assert not result.is_error, text(result)
    assert result.structured_content == {"persona_id": persona["id"], "deleted": False}
    assert len(asked) == 1 and persona["name"] in asked[0].message
    assert fake.requests_to(f"/v1/personas/{persona['id']}", "DELETE") == []
