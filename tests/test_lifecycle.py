"""The persona lifecycle through the server: save, find, share, read its conversations, improve, delete.

Through the SDK's in-memory client over `build_server`, against the fake Anam API, which keeps what the
tools create.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import CARA_AVATAR_ID, CARA_VOICE_ID, GPT4O_MINI_LLM_ID, LIV_AVATAR_ID, LUCY_VOICE_ID, FakeAnam, Fault
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import answering, call, make_settings, text

pytestmark = pytest.mark.anyio

UNKNOWN = "11111111-2222-4333-8444-555555555555"
HUGE = "x" * 40_000


def persona_in_fake(fake: FakeAnam, persona_id: str) -> bool:
    return any(p["id"] == persona_id for p in fake.catalogues["/v1/personas"])


# -- the whole loop ------------------------------------------------------------------------------


async def test_the_whole_loop_save_find_share_talk_read_improve_delete(client: Client, fake: FakeAnam) -> None:
    saved = await call(
        client, "save_persona", {"name": "Calm museum guide", "system_prompt": "You guide visitors calmly."}
    )
    persona_id = saved["persona_id"]
    found = await call(client, "search_personas", {"query": "museum guide"})
    assert [p["id"] for p in found["items"]] == [persona_id]

    link = await call(client, "create_share_link", {"persona_id": persona_id})
    (made,) = fake.share_links
    assert link["url"] == "https://lab.anam.ai/share/" + made["token"]
    assert (link["share_link_id"], link["usage_limit"]) == (made["id"], 10)

    # The user opens the link and talks to the persona.
    said = [("persona", "Welcome! Where shall we start?"), ("user", "The mummies, please."), ("persona", "Follow me.")]
    session_id = fake.record_conversation(persona_id, said)
    sessions = await call(client, "list_sessions", {"persona_id": persona_id})
    assert sessions["total"] == 1
    assert [s["id"] for s in sessions["items"]] == [session_id]
    assert sessions["items"][0]["persona_id"] == persona_id
    transcript = await call(client, "get_session_transcript", {"session_id": session_id})
    assert [(m["role"], m["text"]) for m in transcript["messages"]] == said
    assert (transcript["persona_name"], transcript["total_messages"], transcript["note"]) == (
        "Calm museum guide",
        3,
        None,
    )

    better = "You guide visitors calmly. Offer the mummies room first."
    updated = await call(client, "update_persona", {"persona_id": persona_id, "system_prompt": better})
    assert updated["changed"] == ["system_prompt"]
    assert updated["persona"]["system_prompt"] == better
    shown = await call(client, "get_persona", {"persona_id": persona_id})
    assert shown["system_prompt"] == better
    assert shown["name"] == "Calm museum guide"
    assert shown["share_links"] == [
        {"url": link["url"], "expires_at": link["expires_at"], "usage": {"used": 0, "limit": 10}}
    ]

    deleted = await call(client, "delete_persona", {"persona_id": persona_id})
    assert deleted == {"persona_id": persona_id, "deleted": True}
    gone = await call(client, "search_personas", {"query": "museum guide"})
    assert gone["total"] == 0
    assert not persona_in_fake(fake, persona_id)


# -- save_persona ---------------------------------------------------------------------------------


async def test_save_applies_and_reports_the_same_defaults_as_a_token(client: Client, fake: FakeAnam) -> None:
    saved = await call(client, "save_persona", {"name": "Ada", "description": "Tutor for the docs"})
    assert saved["defaults_applied"] == ["avatar_id", "voice_id", "llm_id"]
    assert saved["default_llm"]["id"] == GPT4O_MINI_LLM_ID
    (sent,) = fake.requests_to("/v1/personas", "POST")
    assert sent.body == {
        "name": "Ada",
        "avatarId": CARA_AVATAR_ID,
        "avatarModel": "cara-3",
        "voiceId": CARA_VOICE_ID,
        "llmId": GPT4O_MINI_LLM_ID,
        "skipGreeting": False,
        "description": "Tutor for the docs",
    }
    config = saved["persona_config"]
    assert (config["avatar_id"], config["voice_id"], config["description"]) == (
        CARA_AVATAR_ID,
        CARA_VOICE_ID,
        "Tutor for the docs",
    )
    assert saved["name"] == "Ada"
    assert persona_in_fake(fake, saved["persona_id"])


async def test_save_sends_every_field_given_in_camel_case(client: Client, fake: FakeAnam) -> None:
    arguments = {
        "name": "Liv",
        "avatar_id": LIV_AVATAR_ID,
        "voice_id": LUCY_VOICE_ID,
        "llm_id": "CUSTOMER_CLIENT_V1",
        "system_prompt": "Hi",
        "skip_greeting": True,
        "language_code": "FR",
    }
    saved = await call(client, "save_persona", arguments)
    assert saved["defaults_applied"] == []
    assert saved["default_llm"] is None
    (sent,) = fake.requests_to("/v1/personas", "POST")
    assert sent.body == {
        "name": "Liv",
        "avatarId": LIV_AVATAR_ID,
        "avatarModel": "cara-3",
        "voiceId": LUCY_VOICE_ID,
        "llmId": "CUSTOMER_CLIENT_V1",
        "systemPrompt": "Hi",
        "skipGreeting": True,
        "languageCode": "fr",
    }
    shown = await call(client, "get_persona", {"persona_id": saved["persona_id"]})
    assert (shown["avatar"]["display_name"], shown["voice"]["id"], shown["language_code"]) == (
        "Liv",
        LUCY_VOICE_ID,
        "fr",
    )
    assert (shown["llm_id"], shown["skip_greeting"], shown["system_prompt"]) == ("CUSTOMER_CLIENT_V1", True, "Hi")


async def test_save_refuses_a_model_the_avatar_lacks_before_anything_is_sent(client: Client, fake: FakeAnam) -> None:
    liv = next(a for a in fake.catalogues["/v1/avatars"] if a["id"] == LIV_AVATAR_ID)
    liv["availableVersions"] = ["cara-3"]
    await call(client, "search_avatars", {"query": "liv"})  # the avatar catalogue is now loaded
    result = await client.call_tool(
        "save_persona", {"name": "Liv", "avatar_id": LIV_AVATAR_ID, "avatar_model": "cara-4"}
    )
    assert result.is_error
    assert "avatar_model cara-4 is not supported by the avatar Liv" in text(result)
    assert fake.requests_to("/v1/personas", "POST") == []


async def test_an_unknown_avatar_in_a_save_names_the_tools_that_list_valid_ids(client: Client) -> None:
    result = await client.call_tool("save_persona", {"name": "X", "avatar_id": UNKNOWN})
    assert result.is_error
    assert "400" in text(result) and "search_avatars" in text(result)


# -- get_persona and update_persona ------------------------------------------------------------


async def test_get_persona_gives_every_field_null_when_anam_leaves_it_out(client: Client, fake: FakeAnam) -> None:
    seeded = fake.catalogues["/v1/personas"][0]
    shown = await call(client, "get_persona", {"persona_id": seeded["id"]})
    assert set(shown) == {
        "id",
        "name",
        "description",
        "system_prompt",
        "avatar",
        "voice",
        "llm_id",
        "avatar_model",
        "skip_greeting",
        "language_code",
        "share_links",
        "tools",
    }
    assert shown["name"] == seeded["name"]
    assert shown["avatar"] == {"id": CARA_AVATAR_ID, "display_name": "Cara", "image_url": None}
    assert shown["share_links"] is None  # Anam sends null until a link is made
    assert shown["tools"] == []


async def test_update_sends_only_the_fields_given(client: Client, fake: FakeAnam) -> None:
    persona = fake.catalogues["/v1/personas"][1]
    updated = await call(
        client,
        "update_persona",
        {"persona_id": persona["id"], "name": "Renamed", "skip_greeting": False, "voice_id": None},
    )
    assert updated["changed"] == ["name", "skip_greeting"]
    (sent,) = fake.requests_to(f"/v1/personas/{persona['id']}", "PUT")
    assert sent.body == {"name": "Renamed", "skipGreeting": False}
    assert updated["persona"]["name"] == "Renamed"
    assert updated["persona"]["voice"]["id"] == CARA_VOICE_ID  # unchanged


async def test_a_changed_name_is_found_by_search_at_once(client: Client, fake: FakeAnam) -> None:
    persona = fake.catalogues["/v1/personas"][2]
    await call(client, "search_personas", {})  # the persona list is cached now
    await call(client, "update_persona", {"persona_id": persona["id"], "name": "Quetzal docent"})
    found = await call(client, "search_personas", {"query": "quetzal"})
    assert [p["id"] for p in found["items"]] == [persona["id"]]


async def test_a_saved_persona_is_found_by_search_at_once_without_refresh(client: Client, fake: FakeAnam) -> None:
    await call(client, "search_personas", {"query": "zebra"})  # the persona list is cached now
    saved = await call(client, "save_persona", {"name": "Zebra keeper"})
    found = await call(client, "search_personas", {"query": "zebra"})
    assert [p["id"] for p in found["items"]] == [saved["persona_id"]]
    assert len(fake.requests_to("/v1/personas", "GET")) == 2  # reloaded once, after the change


async def test_update_refuses_a_model_the_new_avatar_lacks_before_anything_is_sent(
    client: Client, fake: FakeAnam
) -> None:
    liv = next(a for a in fake.catalogues["/v1/avatars"] if a["id"] == LIV_AVATAR_ID)
    liv["availableVersions"] = ["cara-3"]
    await call(client, "search_avatars", {"query": "liv"})
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    result = await client.call_tool(
        "update_persona", {"persona_id": persona_id, "avatar_id": LIV_AVATAR_ID, "avatar_model": "cara-4"}
    )
    assert result.is_error
    assert "it supports only cara-3: use that" in text(result)
    assert fake.requests_to(f"/v1/personas/{persona_id}", "PUT") == []


@pytest.mark.parametrize("arguments", [{}, {"name": None, "system_prompt": None}])
async def test_an_update_with_nothing_to_change_is_an_error_and_sends_nothing(
    client: Client, fake: FakeAnam, arguments: dict[str, Any]
) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    result = await client.call_tool("update_persona", {"persona_id": persona_id, **arguments})
    assert result.is_error
    assert "nothing to change" in text(result)
    assert fake.requests == []


# -- create_share_link --------------------------------------------------------------------------


async def test_share_link_url_follows_the_configured_base_and_sends_the_limits(fake: FakeAnam) -> None:
    settings = make_settings(fake, share_base_url="https://share.example.test/talk")
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    async with Client(build_server(settings)) as client:
        link = await call(
            client, "create_share_link", {"persona_id": persona_id, "expires_in_hours": 2, "usage_limit": 3}
        )
    (made,) = fake.share_links
    assert link["url"] == f"https://share.example.test/talk/{made['token']}"
    assert link["usage_limit"] == 3
    (sent,) = fake.requests_to("/v1/share-links")
    assert sent.body == {"personaId": persona_id, "expiresInHours": 2, "usageLimit": 3}


async def test_share_link_defaults_are_a_week_and_ten_uses(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    await call(client, "create_share_link", {"persona_id": persona_id})
    (sent,) = fake.requests_to("/v1/share-links")
    assert sent.body == {"personaId": persona_id, "expiresInHours": 168, "usageLimit": 10}


# -- list_sessions and get_session_transcript -----------------------------------------------------


async def test_sessions_come_newest_first_up_to_limit_with_the_total(client: Client, fake: FakeAnam) -> None:
    listed = await call(client, "list_sessions", {"limit": 4})
    everything = fake.catalogues["/v1/sessions"]
    assert listed["total"] == len(everything) > 4
    started = [s["started_at"] for s in listed["items"]]
    assert started == sorted(started, reverse=True) and len(started) == 4
    assert [s["id"] for s in listed["items"]] == [s["id"] for s in everything[:4]]
    (sent,) = fake.requests_to("/v1/sessions")
    assert (sent.query["perPage"], sent.query["page"], "personaId" in sent.query) == ("4", "1", False)
    ephemeral = next(s for s in listed["items"] if s["persona_id"] is None)
    assert ephemeral["duration_seconds"] is not None


async def test_sessions_filter_by_persona(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    listed = await call(client, "list_sessions", {"persona_id": persona_id})
    expected = [s["id"] for s in fake.catalogues["/v1/sessions"] if s["personaId"] == persona_id]
    assert [s["id"] for s in listed["items"]] == expected and expected
    assert fake.requests_to("/v1/sessions")[0].query["personaId"] == persona_id


async def test_a_persona_without_sessions_is_pointed_to_a_share_link(client: Client, fake: FakeAnam) -> None:
    saved = await call(client, "save_persona", {"name": "New"})
    result = await client.call_tool("list_sessions", {"persona_id": saved["persona_id"]})
    assert result.structured_content == {"total": 0, "items": [], "next_cursor": None}
    assert "create_share_link" in text(result)


async def test_a_long_transcript_is_cut_to_max_messages_with_a_note(client: Client, fake: FakeAnam) -> None:
    session_id = next(s for s, t in fake.transcripts.items() if len(t["messages"]) == 250)
    read = await call(client, "get_session_transcript", {"session_id": session_id, "max_messages": 30})
    assert len(read["messages"]) == 30
    assert read["total_messages"] == 250
    assert "Showing messages 1-30 of 250. For later ones: offset=30." in read["note"]
    assert read["messages"][0]["text"] == fake.transcripts[session_id]["messages"][0]["message"]
    whole = await call(client, "get_session_transcript", {"session_id": session_id})
    assert len(whole["messages"]) == 200  # the default


async def test_a_transcript_cut_at_the_most_max_messages_allows_does_not_suggest_a_larger_one(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    session_id = fake.record_conversation(persona_id, [("user", f"line {n}") for n in range(1200)])
    read = await call(client, "get_session_transcript", {"session_id": session_id, "max_messages": 1000})
    assert len(read["messages"]) == 1000
    assert read["note"] == "Showing messages 1-1000 of 1200. For later ones: offset=1000."
    rest = await call(client, "get_session_transcript", {"session_id": session_id, "offset": 1000})
    assert [m["text"] for m in rest["messages"]] == [f"line {n}" for n in range(1000, 1200)]


async def test_a_transcript_over_the_response_limit_says_what_to_do_not_to_try_again(
    client: Client, fake: FakeAnam
) -> None:
    # A permanent condition: the same transcript is as large next time.
    session_id = next(iter(fake.transcripts))
    fake.script(f"/v1/sessions/{session_id}/transcript", Fault("huge", seconds=9 * 1024 * 1024))
    result = await client.call_tool("get_session_transcript", {"session_id": session_id})
    assert result.is_error
    said = text(result)
    assert "larger than the 8 MiB limit" in said
    assert "try again" not in said.lower()
    assert "raise ANAM_MAX_RESPONSE_BYTES" in said
    assert len(fake.requests_to(f"/v1/sessions/{session_id}/transcript")) == 1


async def test_a_session_without_transcripts_says_so(client: Client, fake: FakeAnam) -> None:
    session_id = next(s for s, t in fake.transcripts.items() if t["transcriptsEnabled"] is False)
    read = await call(client, "get_session_transcript", {"session_id": session_id})
    assert read["messages"] == []
    assert "turned off" in read["note"]


@pytest.mark.parametrize("key", ["content", "text"])
async def test_message_text_is_read_from_content_or_text_too(client: Client, fake: FakeAnam, key: str) -> None:
    session_id, transcript = next(
        (s, t) for s, t in fake.transcripts.items() if t["messages"] and key in t["messages"][0]
    )
    read = await call(client, "get_session_transcript", {"session_id": session_id})
    assert [m["text"] for m in read["messages"]] == [m[key] for m in transcript["messages"]]
    assert all(m["text"] for m in read["messages"])
    assert read["messages"][0]["role"] == "persona"


# -- not found ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "lists_ids"),
    [
        ("get_persona", {"persona_id": UNKNOWN}, "search_personas"),
        ("update_persona", {"persona_id": UNKNOWN, "name": "x"}, "search_personas"),
        ("create_share_link", {"persona_id": UNKNOWN}, "search_personas"),
        ("get_session_transcript", {"session_id": UNKNOWN}, "list_sessions"),
    ],
)
async def test_an_unknown_id_is_a_404_that_names_the_tool_listing_valid_ids(
    client: Client, tool: str, arguments: dict[str, Any], lists_ids: str
) -> None:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert "(404)" in text(result)
    assert lists_ids in text(result)


# -- bad input never reaches Anam ------------------------------------------------------------------

P = "30fa96d0-26c4-4e55-94a0-517025942e18"  # a well-formed id

BAD: dict[str, list[tuple[dict[str, Any], str]]] = {
    "save_persona": [
        ({}, "name is required"),
        ({"name": ""}, "name must not be empty"),
        ({"name": "n" * 101}, "name must be at most 100"),
        ({"name": "A", "avatar_id": "Cara"}, "avatar_id must be a UUID (get one from search_avatars)"),
        ({"name": "A", "voice_id": "../v1/voices"}, "voice_id must be a UUID"),
        ({"name": "A", "llm_id": "gpt-4o"}, "llm_id must be an LLM id"),
        ({"name": "A", "avatar_model": "cara-9"}, "avatar_model must be one of"),
        ({"name": "A", "system_prompt": ""}, "system_prompt must not be empty"),
        ({"name": "A", "system_prompt": HUGE}, "system_prompt must be at most 32000"),
        ({"name": "A", "description": ""}, "description must not be empty"),
        ({"name": "A", "description": "d" * 1001}, "description must be at most 1000"),
        ({"name": "A", "skip_greeting": "sometimes"}, "skip_greeting must be true or false"),
        ({"name": "A", "language_code": "english"}, "language_code must be a two-letter"),
        ({"name": "A", "persona_id": P}, "unknown argument persona_id"),
        ({"name": "A", "max_session_length_seconds": 60}, "unknown argument max_session_length_seconds"),
        ({"name": 7}, "name must be text"),
    ],
    "get_persona": [
        ({}, "persona_id is required"),
        ({"persona_id": "not-a-uuid"}, "persona_id must be a UUID (get one from search_personas)"),
        ({"persona_id": "../../v1/avatars"}, "persona_id must be a UUID"),
        ({"persona_id": ""}, "persona_id must be a UUID"),
        ({"persona_id": 12}, "persona_id must be a UUID"),
        ({"persona_id": P, "name": "x"}, "unknown argument name"),
    ],
    "update_persona": [
        ({"name": "x"}, "persona_id is required"),
        ({"persona_id": "x", "name": "y"}, "persona_id must be a UUID"),
        ({"persona_id": P}, "nothing to change"),
        ({"persona_id": P, "name": ""}, "name must not be empty"),
        ({"persona_id": P, "avatar_id": "x"}, "avatar_id must be a UUID"),
        ({"persona_id": P, "avatar_model": "cara-9"}, "avatar_model must be one of"),
        ({"persona_id": P, "system_prompt": HUGE}, "system_prompt must be at most 32000"),
        ({"persona_id": P, "skip_greeting": "no thanks"}, "skip_greeting must be true or false"),
        ({"persona_id": P, "language_code": "klingon"}, "language_code must be a two-letter"),
        ({"persona_id": P, "client_label": "x"}, "unknown argument client_label"),
        ({"persona_id": P, "systemPrompt": "x"}, "did you mean system_prompt?"),
    ],
    "delete_persona": [
        ({}, "persona_id is required"),
        ({"persona_id": "Cara Support"}, "persona_id must be a UUID"),
        ({"persona_id": P, "force": True}, "unknown argument force"),
    ],
    "create_share_link": [
        ({}, "persona_id is required"),
        ({"persona_id": "x"}, "persona_id must be a UUID"),
        ({"persona_id": P, "expires_in_hours": 0}, "expires_in_hours must be a number from 1 to 8760"),
        ({"persona_id": P, "expires_in_hours": 8761}, "expires_in_hours must be a number from 1 to 8760"),
        ({"persona_id": P, "expires_in_hours": 1.5}, "expires_in_hours must be a whole number"),
        ({"persona_id": P, "expires_in_hours": True}, "must be a number, not true or false"),
        ({"persona_id": P, "usage_limit": 0}, "usage_limit must be a number from 1 to 10000"),
        ({"persona_id": P, "usage_limit": 10_001}, "usage_limit must be a number from 1 to 10000"),
        ({"persona_id": P, "usage_limit": "ten"}, "usage_limit must be a whole number"),
    ],
    "list_sessions": [
        ({"persona_id": "x"}, "persona_id must be a UUID"),
        ({"limit": 0}, "limit must be a number from 1 to 100"),
        ({"limit": 101}, "limit must be a number from 1 to 100"),
        ({"limit": False}, "must be a number, not true or false"),
        ({"session_id": P}, "unknown argument session_id"),
    ],
    "get_session_transcript": [
        ({}, "session_id is required"),
        ({"session_id": "x"}, "session_id must be a UUID (get one from list_sessions)"),
        ({"session_id": "../../v1/personas"}, "session_id must be a UUID"),
        ({"session_id": P, "max_messages": 0}, "max_messages must be a number from 1 to 1000"),
        ({"session_id": P, "max_messages": 1001}, "max_messages must be a number from 1 to 1000"),
        ({"session_id": P, "max_messages": "all"}, "max_messages must be a whole number"),
    ],
}


@pytest.mark.parametrize("tool", sorted(BAD))
async def test_bad_arguments_are_refused_in_plain_words_without_a_request(
    client: Client, fake: FakeAnam, tool: str
) -> None:
    for arguments, says in BAD[tool]:
        result = await client.call_tool(tool, arguments)
        shown = {k: (v if v is not HUGE else "<40 kB>") for k, v in arguments.items()}
        assert result.is_error, f"{tool}{shown} was accepted"
        assert says in text(result), f"{tool}{shown}: {text(result)}"
        assert len(text(result)) < 2000, f"{tool}{shown}: the error echoes the input"
        assert fake.requests == [], f"{tool}{shown} reached Anam"


# -- delete_persona asks the user first, when the client can ask ------------------------------------


ERAS = [("legacy", "2025-11-25"), ("auto", "2026-07-28")]


@pytest.mark.parametrize(("mode", "era"), ERAS)
async def test_delete_asks_by_name_and_deletes_when_the_user_confirms(
    settings: Settings, fake: FakeAnam, mode: str, era: str
) -> None:
    persona = fake.catalogues["/v1/personas"][4]
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), mode=mode, elicitation_callback=answering("accept", True, asked)) as c:
        assert c.protocol_version == era
        deleted = await call(c, "delete_persona", {"persona_id": persona["id"]})
    assert deleted == {"persona_id": persona["id"], "deleted": True}
    (question,) = asked
    assert persona["name"] in question.message and persona["id"] in question.message
    assert question.requested_schema["properties"]["confirm"]["type"] == "boolean"  # type: ignore[union-attr]
    assert len(fake.requests_to(f"/v1/personas/{persona['id']}", "DELETE")) == 1
    assert not persona_in_fake(fake, persona["id"])


@pytest.mark.parametrize(("mode", "era"), ERAS)
@pytest.mark.parametrize(("action", "confirm"), [("accept", False), ("decline", None), ("cancel", None)])
async def test_delete_declined_deletes_nothing_and_is_not_an_error(
    settings: Settings, fake: FakeAnam, mode: str, era: str, action: str, confirm: bool | None
) -> None:
    persona = fake.catalogues["/v1/personas"][5]
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), mode=mode, elicitation_callback=answering(action, confirm, asked)) as c:
        assert c.protocol_version == era
        result = await c.call_tool("delete_persona", {"persona_id": persona["id"]})
    assert not result.is_error, text(result)
    assert result.structured_content == {"persona_id": persona["id"], "deleted": False}
    assert "Nothing was deleted" in text(result)
    assert len(asked) == 1
    assert fake.requests_to(f"/v1/personas/{persona['id']}", "DELETE") == []
    assert persona_in_fake(fake, persona["id"])


@pytest.mark.parametrize(("mode", "era"), ERAS)
async def test_delete_without_elicitation_proceeds(settings: Settings, fake: FakeAnam, mode: str, era: str) -> None:
    persona = fake.catalogues["/v1/personas"][6]
    async with Client(build_server(settings), mode=mode) as c:
        assert c.protocol_version == era
        deleted = await call(c, "delete_persona", {"persona_id": persona["id"]})
    assert deleted["deleted"] is True
    assert [r.method for r in fake.requests] == ["DELETE"]  # nothing asked, nothing fetched to ask with


@pytest.mark.parametrize("can_ask", [False, True])
async def test_deleting_a_persona_that_is_gone_is_not_an_error_and_says_so(
    settings: Settings, fake: FakeAnam, can_ask: bool
) -> None:
    # The tool is idempotent: a second delete (or one of an id Anam does not know) leaves the same state.
    asked: list[ElicitRequestParams] = []
    ask = answering("accept", True, asked) if can_ask else None
    async with Client(build_server(settings), elicitation_callback=ask) as c:
        result = await c.call_tool("delete_persona", {"persona_id": UNKNOWN})
    assert not result.is_error, text(result)
    assert result.structured_content == {"persona_id": UNKNOWN, "deleted": False}
    assert "already deleted" in text(result) and "search_personas" in text(result)
    assert asked == []  # nothing to ask about


async def test_deleting_the_same_persona_twice_deletes_it_once_then_says_it_is_already_deleted(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = fake.catalogues["/v1/personas"][3]["id"]
    assert await call(client, "delete_persona", {"persona_id": persona_id}) == {
        "persona_id": persona_id,
        "deleted": True,
    }
    again = await call(client, "delete_persona", {"persona_id": persona_id})
    assert again == {"persona_id": persona_id, "deleted": False}
    assert len(fake.requests_to(f"/v1/personas/{persona_id}", "DELETE")) == 2


async def test_a_deletion_whose_answer_a_gateway_lost_is_reported_as_done(client: Client, fake: FakeAnam) -> None:
    # Anam deletes, the gateway answers 504, the retry finds nothing left to delete (404): that is success.
    persona_id = fake.catalogues["/v1/personas"][2]["id"]
    fake.script(f"/v1/personas/{persona_id}", Fault("lost", status=504))
    result = await client.call_tool("delete_persona", {"persona_id": persona_id})
    assert not result.is_error, text(result)
    assert result.structured_content == {"persona_id": persona_id, "deleted": True}
    assert f"Deleted the persona {persona_id}" in text(result)
    assert len(fake.requests_to(f"/v1/personas/{persona_id}", "DELETE")) == 2
    assert not persona_in_fake(fake, persona_id)


# -- the improve_persona prompt --------------------------------------------------------------------


async def test_improve_prompt_walks_from_transcripts_to_an_agreed_update(client: Client) -> None:
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    (argument,) = prompts["improve_persona"].arguments or []
    assert (argument.name, argument.required) == ("persona_id", True)
    got = await client.get_prompt("improve_persona", {"persona_id": P})
    body = got.messages[0].content.text  # type: ignore[union-attr]
    steps = [
        "get_persona",
        "list_sessions",
        "get_session_transcript",
        "get_session_analytics",
        "diff",
        "agree",
        "update_persona",
    ]
    positions = [body.index(step) for step in steps]
    assert positions == sorted(positions)
    assert f"persona_id={P}" in body


async def test_null_for_every_unused_argument_means_its_default(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    session_id = fake.catalogues["/v1/sessions"][0]["id"]
    schema = {t.name: t.input_schema for t in (await client.list_tools()).tools}
    for tool, chosen in (
        ("save_persona", {"name": "Nulls"}),
        ("get_persona", {"persona_id": persona_id}),
        ("update_persona", {"persona_id": persona_id, "description": "Only this"}),
        ("create_share_link", {"persona_id": persona_id}),
        ("list_sessions", {}),
        ("get_session_transcript", {"session_id": session_id}),
        ("delete_persona", {"persona_id": persona_id}),
    ):
        arguments = dict.fromkeys(schema[tool]["properties"]) | chosen
        result = await client.call_tool(tool, arguments)
        assert not result.is_error, f"{tool}: {text(result)}"
    (update,) = fake.requests_to(f"/v1/personas/{persona_id}", "PUT")
    assert update.body == {"description": "Only this"}
    (link,) = fake.requests_to("/v1/share-links")
    assert link.body == {"personaId": persona_id, "expiresInHours": 168, "usageLimit": 10}


async def test_an_unknown_voice_in_an_update_names_the_tools_that_list_valid_ids(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    result = await client.call_tool("update_persona", {"persona_id": persona_id, "voice_id": UNKNOWN})
    assert result.is_error
    assert "(400)" in text(result) and "search_voices" in text(result)
