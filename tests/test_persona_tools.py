"""Persona tools through the MCP client, with the server in memory, against the fake: the four kinds, attached to
a persona without losing its others, checked before anything is sent, webhook header values never shown or
logged, the persona's tool_ids on save and update, and a delete that asks first."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam, Fault
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import answering, call, logging_to_string, text

pytestmark = pytest.mark.anyio

SECRET = "Bearer whk-SeCrEt-0123456789"
TOOLS = "/v1/tools"

KINDS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "webhook": (
        "create_webhook_tool",
        {"name": "book_visit", "description": "Book a visit.", "url": "https://example.com/book", "method": "PUT",
         "body_template": '{"day": "{{day}}"}'},
        {"type": "SERVER_WEBHOOK",
         "config": {"url": "https://example.com/book", "method": "PUT", "bodyTemplate": '{"day": "{{day}}"}'}},
    ),
    "client": (
        "create_client_tool",
        {"name": "show_map", "description": "Show the map.", "await_result": True, "timeout_seconds": 20,
         "parameters": {"type": "object", "properties": {"room": {"type": "string"}}, "required": ["room"]}},
        {"type": "CLIENT", "config": {"awaitResult": True, "toolTimeoutSeconds": 20,
         "parameters": {"type": "object", "properties": {"room": {"type": "string"}}, "required": ["room"]}}},
    ),
    "system": (
        "create_system_tool",
        {"action": "end_call"},
        {"type": "SYSTEM", "name": "end_call", "config": {"action": "end_call"}},
    ),
}  # fmt: skip


def persona_of(fake: FakeAnam, index: int = 0) -> dict[str, Any]:
    return fake.catalogues["/v1/personas"][index]


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_each_kind_is_created_as_anam_documents_it(client: Client, fake: FakeAnam, kind: str) -> None:
    tool, arguments, sent = KINDS[kind]
    made = await call(client, tool, arguments)
    assert (made["type"], made["created"], made["attached_to_persona_id"]) == (kind, True, None)
    (request,) = fake.requests_to(TOOLS, "POST")
    assert {key: request.body[key] for key in sent} == sent
    listed = await call(client, "list_persona_tools", {})
    assert [(t["id"], t["type"], t["used_by_personas"]) for t in listed["items"]] == [(made["tool_id"], kind, 0)]


async def test_a_knowledge_tool_searches_the_knowledge_bases_named(client: Client, fake: FakeAnam) -> None:
    base = await call(client, "create_knowledge_base", {"name": "FAQ"})
    made = await call(
        client,
        "create_knowledge_tool",
        {
            "name": "search_faq",
            "description": "Answer from the FAQ.",
            "knowledge_base_ids": [base["knowledge_base_id"]],
        },
    )
    assert made["type"] == "knowledge"
    assert fake.requests_to(TOOLS, "POST")[0].body["config"] == {"documentFolderIds": [base["knowledge_base_id"]]}
    unknown = await client.call_tool(
        "create_knowledge_tool",
        {"name": "search_gone", "description": "Gone.", "knowledge_base_ids": [str(uuid.uuid4())]},
    )
    assert unknown.is_error and "list_knowledge_bases" in text(unknown)


async def test_attaching_keeps_the_personas_tools_and_counts_who_uses_each(client: Client, fake: FakeAnam) -> None:
    persona_id = persona_of(fake)["id"]
    first = await call(client, "create_system_tool", {"action": "end_call", "attach_to_persona_id": persona_id})
    second = await client.call_tool(
        "create_client_tool", {"name": "show_map", "description": "Show the map.", "attach_to_persona_id": persona_id}
    )
    assert "gave it to the persona" in text(second) and "now has 2 persona tools" in text(second)
    shown = await call(client, "get_persona", {"persona_id": persona_id})
    assert [(t["name"], t["type"]) for t in shown["tools"]] == [("end_call", "system"), ("show_map", "client")]
    listed = await call(client, "list_persona_tools", {"query": "map"})
    assert [(t["name"], t["used_by_personas"]) for t in listed["items"]] == [("show_map", 1)]
    assert first["attached_to_persona_id"] == persona_id


async def test_an_unknown_persona_to_attach_to_leaves_nothing_behind(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool(
        "create_system_tool", {"action": "interrupt", "attach_to_persona_id": str(uuid.uuid4())}
    )
    assert result.is_error and "search_personas" in text(result)
    assert fake.requests_to(TOOLS, "POST") == []


async def test_a_system_tool_is_kept_once_per_action(client: Client, fake: FakeAnam) -> None:
    first = await call(client, "create_system_tool", {"action": "interrupt"})
    again = await call(
        client, "create_system_tool", {"action": "interrupt", "attach_to_persona_id": persona_of(fake)["id"]}
    )
    assert (again["tool_id"], again["created"]) == (first["tool_id"], False)
    assert len(fake.requests_to(TOOLS, "POST")) == 1


async def test_a_name_in_use_is_refused_with_where_to_look(client: Client) -> None:
    await call(client, "create_client_tool", {"name": "show_map", "description": "Show the map."})
    again = await client.call_tool("create_client_tool", {"name": "show_map", "description": "Another."})
    assert again.is_error and "already exists" in text(again) and "list_persona_tools" in text(again)


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("create_client_tool", {"name": "show the map"}, "name must be 1 to 64 letters, digits, _ . or - (no spaces)"),
        ("create_client_tool", {"name": "x" * 65}, "name must be 1 to 64 letters"),
        ("create_webhook_tool", {"url": "http://example.com/hook"}, "url must be an https:// URL"),
        ("create_webhook_tool", {"headers": {"Bad Header": "x"}}, "'Bad Header' is not a header name"),
        ("create_webhook_tool", {"headers": {"X-Key": "a\r\nInjected: 1"}}, "the value of X-Key must be one line"),
        ("create_client_tool", {"parameters": {"type": "string"}}, "parameters must be a JSON Schema of an object"),
        (
            "create_client_tool",
            {"parameters": {"type": "object", "properties": {"room": {"type": "nope"}}}},
            "parameters is not a valid JSON Schema",
        ),
        ("create_client_tool", {"timeout_seconds": 5}, "timeout_seconds applies only with await_result true"),
        (
            "create_knowledge_tool",
            {"knowledge_base_ids": ["nope"]},
            "knowledge_base_ids[0] must be a UUID (get one from list_knowledge_bases)",
        ),
        ("create_knowledge_tool", {"knowledge_base_ids": []}, "knowledge_base_ids"),
        ("create_system_tool", {"action": "hang_up"}, "action must be one of end_call or interrupt"),
    ],
)
async def test_bad_arguments_are_refused_in_words_with_nothing_sent(
    client: Client, fake: FakeAnam, tool: str, arguments: dict[str, Any], says: str
) -> None:
    base: dict[str, Any] = {"name": "ok_name", "description": "Fine."} if tool != "create_system_tool" else {}
    if tool == "create_webhook_tool":
        base["url"] = "https://example.com/hook"
    if tool == "create_knowledge_tool":
        base["knowledge_base_ids"] = [str(uuid.uuid4())]
    result = await client.call_tool(tool, {**base, **arguments})
    assert result.is_error and says in text(result), text(result)
    assert "Injected" not in text(result)
    assert fake.requests == []


async def test_webhook_header_values_are_never_in_results_errors_or_logs(settings: Settings, fake: FakeAnam) -> None:
    headers = {"Authorization": SECRET, "X-Team": "museum-ops-42"}
    # Anam echoes the value in its error: the message still must not carry it.
    fake.script(TOOLS, Fault("status", 400, body={"message": f"header Authorization={SECRET} is not allowed"}))
    with logging_to_string({"ANAM_LOG_LEVEL": "DEBUG", "ANAM_LOG_HTTP": "true"}) as log:
        async with Client(build_server(settings)) as client:
            refused = await client.call_tool(
                "create_webhook_tool",
                {"name": "book", "description": "Book.", "url": "https://example.com/h", "headers": headers},
            )
            made = await client.call_tool(
                "create_webhook_tool",
                {"name": "book", "description": "Book.", "url": "https://example.com/h", "headers": headers,
                 "attach_to_persona_id": persona_of(fake)["id"]},
            )  # fmt: skip
            listed = await client.call_tool("list_persona_tools", {})
            shown = await client.call_tool("get_persona", {"persona_id": persona_of(fake)["id"]})
    assert refused.is_error and "header Authorization=*** is not allowed" in text(refused)
    assert not made.is_error and made.structured_content is not None
    assert made.structured_content["headers"] == {"Authorization": "***", "X-Team": "***"}
    assert fake.requests_to(TOOLS, "POST")[-1].body["config"]["headers"] == headers  # Anam gets them
    for shown_text in (text(refused), text(made), text(listed), text(shown), log.getvalue()):
        assert "SeCrEt" not in shown_text and "museum-ops-42" not in shown_text
    assert "tool create_webhook_tool: ok" in log.getvalue()  # the log was written, without them


async def test_save_and_update_persona_set_the_whole_list_of_tool_ids(client: Client, fake: FakeAnam) -> None:
    ending = await call(client, "create_system_tool", {"action": "end_call"})
    mapping = await call(client, "create_client_tool", {"name": "show_map", "description": "Show the map."})
    saved = await call(client, "save_persona", {"name": "Guide with tools", "tool_ids": [ending["tool_id"]]})
    assert fake.requests_to("/v1/personas", "POST")[0].body["toolIds"] == [ending["tool_id"]]
    updated = await call(
        client,
        "update_persona",
        {"persona_id": saved["persona_id"], "tool_ids": [mapping["tool_id"], ending["tool_id"]]},
    )
    assert updated["changed"] == ["tool_ids"]
    assert [t["name"] for t in updated["persona"]["tools"]] == ["show_map", "end_call"]
    cleared = await call(client, "update_persona", {"persona_id": saved["persona_id"], "tool_ids": []})
    assert cleared["persona"]["tools"] == []
    unknown = await client.call_tool(
        "update_persona", {"persona_id": saved["persona_id"], "tool_ids": [str(uuid.uuid4())]}
    )
    assert unknown.is_error and "list_persona_tools" in text(unknown)
    bad = await client.call_tool("save_persona", {"name": "X", "tool_ids": ["end_call"]})
    assert bad.is_error and "tool_ids[0] must be a UUID (get one from list_persona_tools)" in text(bad)


@pytest.mark.parametrize(("action", "confirm"), [("accept", True), ("accept", False), ("cancel", None)])
async def test_delete_persona_tool_asks_first_and_personas_lose_it(
    settings: Settings, fake: FakeAnam, action: str, confirm: bool | None
) -> None:
    persona_id = persona_of(fake)["id"]
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), elicitation_callback=answering(action, confirm, asked)) as c:
        made = await call(c, "create_system_tool", {"action": "end_call", "attach_to_persona_id": persona_id})
        done = await call(c, "delete_persona_tool", {"tool_id": made["tool_id"]})
        shown = await call(c, "get_persona", {"persona_id": persona_id})
    (question,) = asked
    assert "the system persona tool 'end_call'" in question.message and "1 persona(s) use" in question.message
    assert done == {"tool_id": made["tool_id"], "deleted": confirm is True}
    assert [t["name"] for t in shown["tools"]] == ([] if confirm else ["end_call"])
