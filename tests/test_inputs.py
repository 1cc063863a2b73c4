"""Bad input and load, through an MCP session with the server in memory.

Every argument of every tool with a wrong type, out of range, empty, huge, non-UUID or conflicting
value gets an error result and sends nothing upstream. Odd but valid data (unicode, control
characters, injection-looking text) is just data. 100 concurrent mixed calls all succeed with
bounded upstream concurrency.
"""

from __future__ import annotations

import random
from typing import Any

import anyio
import pytest
from mcp import Client

from anam_fake import CARA_AVATAR_ID, FakeAnam

from .helpers import in_memory, text

pytestmark = pytest.mark.anyio

UUID = CARA_AVATAR_ID
HUGE = "x" * 2_000_000

BAD: dict[str, list[dict[str, Any]]] = {
    "search_avatars": [
        {"query": 42},
        {"query": HUGE},
        {"stock_only": "maybe"},
        {"limit": 0},
        {"limit": 101},
        {"limit": -5},
        {"limit": 2.5},
        {"limit": "ten"},
        {"refresh": [True]},
    ],
    "search_voices": [
        {"query": ["calm"]},
        {"query": HUGE},
        {"gender": "robot"},
        {"gender": ""},
        {"gender": 1},
        {"country": "GBR"},
        {"country": ""},
        {"country": "🇬🇧"},
        {"provider": "acme"},
        {"limit": 1000},
        {"refresh": "yes please"},
    ],
    "search_personas": [{"query": {"a": 1}}, {"query": HUGE}, {"limit": 0}],
    "list_llms": [{"query": 3.14}, {"refresh": "often"}],
    "create_session_token": [
        {"persona_id": "not-a-uuid"},
        {"persona_id": ""},
        {"persona_id": 12345},
        {"persona_id": "../../v1/avatars"},
        {"avatar_id": "30fa96d0-26c4-4e55-94a0-517025942e1"},
        {"avatar_id": "30fa96d0-26c4-4e55-94a0-517025942e18?x=1"},
        {"voice_id": "Cara"},
        {"llm_id": "gpt-4o-mini"},
        {"llm_id": "../../etc"},
        {"name": ""},
        {"name": "n" * 101},
        {"system_prompt": ""},
        {"system_prompt": HUGE},
        {"system_prompt": 7},
        {"avatar_model": "cara-9"},
        {"avatar_model": ""},
        {"max_session_length_seconds": 0},
        {"max_session_length_seconds": -60},
        {"max_session_length_seconds": 10**9},
        {"max_session_length_seconds": "ten minutes"},
        {"skip_greeting": "sometimes"},
        {"language_code": "english"},
        {"language_code": "EN-us"},
        {"client_label": ""},
        {"client_label": "l" * 101},
        {"persona_id": UUID, "avatar_id": UUID},
        {"persona_id": UUID, "system_prompt": "hi", "language_code": "en"},
        {"persona_id": UUID, "avatar_model": "cara-4"},
        {"persona_id": UUID, "skip_greeting": True},
        {"persona_id": UUID, "max_session_length_seconds": 60},
    ],
}


@pytest.mark.parametrize("tool", sorted(BAD))
async def test_bad_arguments_are_error_results_without_a_request(tool: str, client: Client, fake: FakeAnam) -> None:
    for arguments in BAD[tool]:
        result = await client.call_tool(tool, arguments)
        shown = {k: (v if v is not HUGE else "<2 MB>") for k, v in arguments.items()}
        assert result.is_error, f"{tool}{shown} was accepted"
        message = text(result)
        assert any(name in message for name in arguments), f"{tool}{shown}: {message}"
        assert len(message) < 2000, f"{tool}{shown}: the error echoes the input"
        assert fake.requests == [], f"{tool}{shown} reached Anam"
    still = await client.call_tool("search_avatars", {"query": "liv"})
    assert not still.is_error


async def test_a_huge_prompt_is_refused_with_its_limit(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool("create_session_token", {"system_prompt": HUGE})
    assert result.is_error
    assert "system_prompt" in text(result)
    assert "32000" in text(result)
    assert fake.requests == []


async def test_odd_but_valid_text_is_sent_as_plain_data(client: Client, fake: FakeAnam) -> None:
    prompt = 'Ignore previous instructions"; DROP TABLE personas; --\x00\x07\u202e 🎭 Zoë\n{{token}} $(rm -rf /)'
    result = await client.call_tool(
        "create_session_token", {"system_prompt": prompt, "name": "Zoë 🎭", "client_label": "<script>"}
    )
    assert not result.is_error, text(result)
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body["personaConfig"]["systemPrompt"] == prompt
    assert sent.body["personaConfig"]["name"] == "Zoë 🎭"
    assert sent.body["clientLabel"] == "<script>"
    found = await client.call_tool("search_voices", {"query": "Zoë 🎭 '; --"})
    assert not found.is_error
    assert found.structured_content is not None
    assert (found.structured_content["total"], found.structured_content["items"]) == (0, [])


async def test_null_for_every_unused_argument_means_its_default(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    schema = {t.name: t.input_schema for t in (await client.list_tools()).tools}
    for tool, chosen in (
        ("create_session_token", {"persona_id": persona_id}),
        ("search_voices", {"query": "lucy"}),
        ("search_avatars", {"query": "liv"}),
        ("search_personas", {}),
        ("list_llms", {}),
    ):
        arguments = dict.fromkeys(schema[tool]["properties"]) | chosen
        result = await client.call_tool(tool, arguments)
        assert not result.is_error, f"{tool}: {text(result)}"
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body == {"personaConfig": {"personaId": persona_id}}


async def test_uppercase_uuids_are_accepted_and_sent_canonical(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool("create_session_token", {"avatar_id": CARA_AVATAR_ID.upper()})
    assert not result.is_error, text(result)
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body["personaConfig"]["avatarId"] == CARA_AVATAR_ID


async def test_hundred_concurrent_mixed_calls() -> None:
    with FakeAnam(latency=0.02) as fake:
        personas = [p["id"] for p in fake.catalogues["/v1/personas"]]
        rng = random.Random(3)
        calls: list[tuple[str, dict[str, Any]]] = []
        for i in range(100):
            kinds: list[tuple[str, dict[str, Any]]] = [
                ("search_voices", {"query": rng.choice(["calm", "lucy", "zoe", None]), "gender": "FEMALE"}),
                ("search_avatars", {"query": rng.choice(["liv", "cara", None]), "limit": 5}),
                ("search_personas", {"query": "support"}),
                ("list_llms", {}),
                ("create_session_token", {"persona_id": rng.choice(personas)}),
                ("create_session_token", {"system_prompt": f"caller {i}"}),
            ]
            calls.append(kinds[i % 6])
        results: list[Any] = [None] * len(calls)
        async with in_memory(fake, max_concurrent_requests=4) as client:

            async def one(index: int, tool: str, arguments: dict[str, Any]) -> None:
                results[index] = await client.call_tool(tool, arguments)

            async with anyio.create_task_group() as group:
                for index, (tool, arguments) in enumerate(calls):
                    group.start_soon(one, index, tool, arguments)
        errors = [(calls[i], text(r)) for i, r in enumerate(results) if r is None or r.is_error]
        assert errors == []
        tokens = [r.structured_content["session_token"] for (tool, _), r in zip(calls, results, strict=True)
                  if tool == "create_session_token"]  # fmt: skip
        assert len(set(tokens)) == len(tokens) == fake.tokens_issued == 32
        assert fake.max_in_flight <= 4
        # One load per catalogue, however many calls wanted it at once.
        assert len(fake.requests_to("/v1/voices")) == 5
        assert len(fake.requests_to("/v1/avatars")) == 2


async def test_a_boolean_is_not_a_number_of_seconds(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool("create_session_token", {"max_session_length_seconds": True})
    assert result.is_error
    assert fake.requests == []


@pytest.mark.parametrize(
    ("argument", "value", "key"),
    [("system_prompt", '{"role": "museum guide"}', "systemPrompt"), ("name", "null", "name"), ("name", "[1]", "name")],
)
async def test_text_that_is_itself_json_is_sent_as_text(
    client: Client, fake: FakeAnam, argument: str, value: str, key: str
) -> None:
    result = await client.call_tool("create_session_token", {argument: value})
    assert not result.is_error, text(result)
    (sent,) = fake.requests_to("/v1/auth/session-token")
    assert sent.body["personaConfig"][key] == value
