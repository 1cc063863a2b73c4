"""Arguments in, results out: what a model sends wrong gets a readable refusal, and results say what matters.

Through the SDK's in-memory client over `build_server`, against the fake Anam API.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from anam_fake import GPT4O_LLM_ID, GPT4O_MINI_LLM_ID, LIV_AVATAR_ID, FakeAnam, make_llms
from anam_mcp.server import build_server

from .helpers import call, make_settings, text

pytestmark = pytest.mark.anyio

TOOLS = ("search_avatars", "search_voices", "search_personas", "list_llms", "create_session_token")


# -- unknown and mistyped arguments ----------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "named"),
    [
        (
            "create_session_token",
            {"personaId": "30fa96d0-26c4-4e55-94a0-517025942e18"},
            "personaId (did you mean persona_id?)",
        ),
        (
            "create_session_token",
            {"avatarId": "30fa96d0-26c4-4e55-94a0-517025942e18"},
            "avatarId (did you mean avatar_id?)",
        ),
        ("search_voices", {"queri": "calm"}, "queri (did you mean query?)"),
        ("search_avatars", {"stockOnly": True}, "stockOnly (did you mean stock_only?)"),
        ("list_llms", {"zzz": 1}, "zzz (the arguments are query, refresh)"),
    ],
)
async def test_unknown_arguments_are_refused_by_name_with_the_nearest_valid_one(
    client: Client, fake: FakeAnam, tool: str, arguments: dict[str, Any], named: str
) -> None:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert f"unknown argument {named}" in text(result)
    assert fake.requests == []


async def test_every_input_schema_forbids_unknown_arguments(client: Client) -> None:
    for tool in (await client.list_tools()).tools:
        assert tool.input_schema.get("additionalProperties") is False, tool.name


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("create_session_token", {"avatar_id": "not-a-uuid"}, "avatar_id must be a UUID (get one from search_avatars)"),
        ("create_session_token", {"llm_id": "gpt-4o"}, "llm_id must be an LLM id (a UUID) or CUSTOMER_CLIENT_V1"),
        ("create_session_token", {"max_session_length_seconds": 0}, "must be a number from 1 to 86400"),
        ("create_session_token", {"language_code": "english"}, "two-letter ISO 639-1 language code"),
        ("search_voices", {"limit": 500}, "limit must be a number from 1 to 100"),
        ("search_voices", {"gender": "robot"}, "gender must be one of MALE, FEMALE or NEUTRAL"),
        ("search_voices", {"country": "GBR"}, "two-letter ISO 3166-1 country code"),
        ("search_avatars", {"limit": "ten"}, "limit must be a whole number from 1 to 100"),
    ],
)
async def test_argument_errors_say_what_is_wrong_and_what_is_allowed_in_plain_words(
    client: Client, fake: FakeAnam, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    result = await client.call_tool(tool, arguments)
    message = text(result)
    assert result.is_error
    assert expected in message
    for internal in ("validation error", "Arguments", "pydantic", "https://", "type=", "^("):
        assert internal not in message
    assert fake.requests == []


async def test_numeric_bounds_are_json_schema_minimum_and_maximum(client: Client) -> None:
    numbers = 0
    for tool in (await client.list_tools()).tools:
        for name, spec in tool.input_schema["properties"].items():
            for variant in spec.get("anyOf", [spec]):
                assert not {"ge", "le", "gt", "lt"} & set(variant), f"{tool.name}.{name}: {variant}"
                if variant.get("type") == "integer":
                    numbers += 1
                    assert {"minimum", "maximum"} <= set(variant), f"{tool.name}.{name}: {variant}"
    assert numbers >= 4


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [("create_session_token", {"max_session_length_seconds": True}), ("search_voices", {"limit": True})],
)
async def test_a_boolean_is_not_a_number(client: Client, fake: FakeAnam, tool: str, arguments: dict[str, Any]) -> None:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert "must be a number, not true or false" in text(result)
    assert fake.requests == []


async def test_language_code_case_is_normalised(client: Client, fake: FakeAnam) -> None:
    made = await call(client, "create_session_token", {"language_code": "EN"})
    assert made["persona_config"]["language_code"] == "en"
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body["personaConfig"]["languageCode"] == "en"


# -- the default LLM ----------------------------------------------------------------------------


async def test_left_out_llm_is_the_accounts_gpt_4o_mini_and_the_result_says_why(client: Client, fake: FakeAnam) -> None:
    made = await call(client, "create_session_token", {})
    assert made["default_llm"] == {
        "id": GPT4O_MINI_LLM_ID,
        "display_name": "GPT-4o mini",
        "reason": "the usual default",
    }
    assert made["persona_config"]["llm_id"] == GPT4O_MINI_LLM_ID
    listed = await call(client, "list_llms", {})
    assert [m["id"] for m in listed["items"] if m["is_used_by_default"]] == [GPT4O_MINI_LLM_ID]
    summary = text(await client.call_tool("list_llms", {}))
    assert "Without llm_id, a persona gets GPT-4o mini (the usual default)." in summary


@pytest.mark.parametrize("tool", ["create_session_token", "save_persona"])
async def test_a_summary_names_the_default_llm_once_and_only_when_it_was_applied(client: Client, tool: str) -> None:
    arguments = {"name": "Guide"} if tool == "save_persona" else {}
    defaulted = (await client.call_tool(tool, arguments)).content[0]
    assert isinstance(defaulted, TextContent)
    assert "avatar_id, voice_id, llm_id (GPT-4o mini)" in defaulted.text
    assert defaulted.text.count("GPT-4o") == 1 and "Without llm_id" not in defaulted.text
    chosen = (await client.call_tool(tool, arguments | {"llm_id": GPT4O_LLM_ID})).content[0]
    assert isinstance(chosen, TextContent)
    assert "GPT-4o" not in chosen.text and "llm_id" not in chosen.text


async def test_the_default_llm_id_setting_wins_over_the_lookup(fake: FakeAnam) -> None:
    async with Client(build_server(make_settings(fake, default_llm_id=GPT4O_LLM_ID))) as client:
        made = await call(client, "create_session_token", {})
        saved = text(await client.call_tool("save_persona", {"name": "A"}))
        listed = await call(client, "list_llms", {})
    assert made["default_llm"]["id"] == GPT4O_LLM_ID
    assert "ANAM_DEFAULT_LLM_ID" in made["default_llm"]["reason"]
    assert "llm_id (GPT-4o, set by ANAM_DEFAULT_LLM_ID)" in saved
    assert [m["id"] for m in listed["items"] if m["is_used_by_default"]] == [GPT4O_LLM_ID]


async def test_without_gpt_4o_mini_the_llm_anam_marks_default_is_used(fake: FakeAnam) -> None:
    fake.catalogues["/v1/llms"] = [m for m in make_llms() if m["id"] != GPT4O_MINI_LLM_ID]
    async with Client(build_server(make_settings(fake))) as client:
        made = await call(client, "create_session_token", {})
    assert made["default_llm"]["id"] == GPT4O_LLM_ID
    assert made["default_llm"]["reason"] == "marked as default by Anam"


async def test_without_any_candidate_llm_id_is_left_for_anam_to_choose(fake: FakeAnam) -> None:
    fake.catalogues["/v1/llms"] = [{**m, "isDefault": False} for m in make_llms() if m["id"] != GPT4O_MINI_LLM_ID]
    async with Client(build_server(make_settings(fake))) as client:
        made = await call(client, "create_session_token", {})
    assert made["default_llm"]["id"] is None
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert "llmId" not in sent.body["personaConfig"]


async def test_list_llms_names_built_in_llms_clearly(client: Client) -> None:
    listed = await call(client, "list_llms", {})
    own = next(m for m in listed["items"] if m["display_name"] == "My Azure GPT")
    assert own["is_built_in"] is False
    assert "is_default" not in own
    assert listed["default_llm"]["id"] == GPT4O_MINI_LLM_ID


# -- results that say what matters ---------------------------------------------------------------


async def test_voice_summaries_tell_same_named_voices_apart(client: Client, fake: FakeAnam) -> None:
    base = fake.catalogues["/v1/voices"][0]
    twins: list[dict[str, Any]] = [
        {"country": "GB", "gender": "FEMALE"},
        {"country": "US", "gender": "MALE", "sampleUrl": None},
    ]
    fake.catalogues["/v1/voices"] = [
        {**base, "id": f"00000000-0000-4000-8000-00000000000{i}", "displayName": "Twin - Calm", **twin}
        for i, twin in enumerate(twins)
    ]
    summary = text(await client.call_tool("search_voices", {"query": "twin"}))
    assert "Twin - Calm (GB, female)" in summary
    assert "Twin - Calm (US, male, no sample)" in summary


async def test_an_unsupported_avatar_model_is_refused_before_anything_is_sent(client: Client, fake: FakeAnam) -> None:
    liv = next(a for a in fake.catalogues["/v1/avatars"] if a["id"] == LIV_AVATAR_ID)
    liv["availableVersions"] = ["cara-3"]
    await call(client, "search_avatars", {"query": "liv"})  # the avatar catalogue is now loaded
    result = await client.call_tool("create_session_token", {"avatar_id": LIV_AVATAR_ID, "avatar_model": "cara-4"})
    assert result.is_error
    assert "avatar_model cara-4 is not supported by the avatar Liv" in text(result)
    assert "it supports only cara-3: use that" in text(result)
    assert fake.requests_to("/v1/auth/session-token") == []


async def test_a_default_avatar_model_the_avatar_lacks_is_replaced_by_one_it_has(
    client: Client, fake: FakeAnam
) -> None:
    liv = next(a for a in fake.catalogues["/v1/avatars"] if a["id"] == LIV_AVATAR_ID)
    liv["availableVersions"] = ["cara-4"]
    await call(client, "search_avatars", {"query": "liv"})
    made = await call(client, "create_session_token", {"avatar_id": LIV_AVATAR_ID})
    assert made["persona_config"]["avatar_model"] == "cara-4"
    assert "avatar_model" in made["defaults_applied"]


async def test_an_empty_search_suggests_the_fix(client: Client) -> None:
    found = await call(client, "search_voices", {"country": "UK"})
    assert found["total"] == 0
    assert "UK is not an ISO 3166-1 country code: use country=GB" in found["note"]
    summary = text(await client.call_tool("search_voices", {"country": "UK"}))
    assert "use country=GB" in summary


async def test_an_empty_search_says_which_filter_to_drop(client: Client) -> None:
    found = await call(client, "search_voices", {"query": "lucy", "gender": "MALE"})
    assert found["total"] == 0
    assert "without gender 'MALE', 1 voice matches" in found["note"]
    assert "without query 'lucy', 133 voices match;" in found["note"]


async def test_skip_greeting_is_reported_as_sent_and_inherit_is_no_language(client: Client) -> None:
    made = await call(client, "create_session_token", {})
    assert made["persona_config"]["skip_greeting"] is False
    personas = await call(client, "search_personas", {"limit": 100})
    assert "inherit" not in {p["language_code"] for p in personas["items"]}
    assert None in {p["language_code"] for p in personas["items"]}
