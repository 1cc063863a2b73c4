"""`anam-mcp --http`, each caller bringing their own Anam key, through the SDK's streamable HTTP client.

One server for the module, against a fake that serves two accounts. Every tool, resource and prompt
answers in both protocol eras (2025-11-25 and 2026-07-28); two keys calling at once each see only their
own account; and neither key appears in the server's log, even with every library's debug output on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import anyio
import httpx2
import pytest
from mcp.server.apps import APP_MIME_TYPE
from mcp.types import ElicitRequestParams, TextResourceContents

from anam_fake import LIV_AVATAR_ID, LUCY_VOICE_ID, FakeAnam

from .helpers import ROOT, TOOLS, answering, call, text, until_requested
from .http_server import HttpServer, Mode, http_env, http_server, mcp_client

pytestmark = pytest.mark.anyio

OTHER_KEY = "second-account-key-0123456789"
WRONG_KEY = "not-an-anam-key-0123456789"
ERAS: dict[str, Mode] = {"2025-11-25": "legacy", "2026-07-28": "auto"}
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def accounts() -> Iterator[FakeAnam]:
    """The fake with a second account, reached with OTHER_KEY."""
    with FakeAnam() as fake:
        fake.add_account(OTHER_KEY)
        yield fake


@pytest.fixture(scope="module")
def server(accounts: FakeAnam) -> Iterator[HttpServer]:
    # Every library's debug output on: the keys must stay out of the log even so.
    with http_server(http_env(accounts, ANAM_LOG_LEVEL="DEBUG", ANAM_LOG_HTTP="true")) as running:
        yield running


@pytest.mark.parametrize("era", ERAS)
async def test_every_tool_resource_and_prompt_answers_in_both_protocol_eras(
    server: HttpServer, accounts: FakeAnam, era: str
) -> None:
    asked: list[ElicitRequestParams] = []
    async with mcp_client(
        server.mcp, accounts.api_key, mode=ERAS[era], elicitation_callback=answering("accept", True, asked)
    ) as c:
        assert c.protocol_version == era
        listed = (await c.list_tools()).tools
        assert {tool.name for tool in listed} == TOOLS
        # The views reach remote hosts (claude.ai shows them for connectors): bound, readable, keyless.
        bound = {tool.name: tool.meta["ui"]["resourceUri"] for tool in listed if tool.meta and "ui" in tool.meta}
        assert set(bound) == {"search_avatars", "search_voices", "create_session_token", "create_avatar"}
        for uri in bound.values():
            (view,) = (await c.read_resource(uri)).contents
            assert isinstance(view, TextResourceContents) and view.mime_type == APP_MIME_TYPE
            assert "<html" in view.text and accounts.api_key not in view.text
        assert (await call(c, "search_avatars", {"query": "liv", "limit": 3}))["items"][0]["id"] == LIV_AVATAR_ID
        assert (await call(c, "search_voices", {"query": "lucy", "gender": "female"}))["items"][0]["country"] == "GB"
        assert (await call(c, "list_llms", {}))["total"] == 5
        assert (await call(c, "search_personas", {"query": "support"}))["total"] >= 1
        token = await call(c, "create_session_token", {"avatar_id": LIV_AVATAR_ID, "voice_id": LUCY_VOICE_ID})
        assert token["session_token"].count(".") == 2

        saved = await call(c, "save_persona", {"name": f"HTTP guide {era}", "system_prompt": "Guide calmly."})
        persona_id = saved["persona_id"]
        assert (await call(c, "get_persona", {"persona_id": persona_id}))["system_prompt"] == "Guide calmly."
        updated = await call(c, "update_persona", {"persona_id": persona_id, "system_prompt": "Guide briskly."})
        assert updated["changed"] == ["system_prompt"]
        link = await call(c, "create_share_link", {"persona_id": persona_id, "usage_limit": 3})
        assert link["url"].endswith(accounts.share_links[-1]["token"])
        session_id = accounts.record_conversation(persona_id, [("persona", "Welcome!"), ("user", "Too slow.")])
        assert [s["id"] for s in (await call(c, "list_sessions", {"persona_id": persona_id}))["items"]] == [session_id]
        transcript = await call(c, "get_session_transcript", {"session_id": session_id})
        assert [m["text"] for m in transcript["messages"]] == ["Welcome!", "Too slow."]
        assert (await call(c, "get_session_analytics", {"session_id": session_id}))["turns"]
        assert (await call(c, "get_session_recording", {"session_id": session_id}))["recording_url"]
        links = await call(c, "list_share_links", {"persona_id": persona_id})
        assert [item["share_link_id"] for item in links["items"]] == [link["share_link_id"]]
        revoked = await call(c, "revoke_share_link", {"share_link_id": link["share_link_id"]})
        assert revoked["revoked"] is True
        invite = await call(
            c, "invite_persona_to_meeting", {"meeting_url": "meet.google.com/abc-defg-hij", "persona_id": persona_id}
        )
        assert (await call(c, "list_meeting_invites", {}))["items"][0]["invite_id"] == invite["invite_id"]
        assert (await call(c, "cancel_meeting_invite", {"invite_id": invite["invite_id"]}))["cancelled"] is True
        assert await call(c, "delete_persona", {"persona_id": persona_id}) == {
            "persona_id": persona_id,
            "deleted": True,
        }

        voices = await c.read_resource("anam://voices")
        assert isinstance(voices.contents[0], TextResourceContents)
        assert len(json.loads(voices.contents[0].text)) == 450
        assert {p.name for p in (await c.list_prompts()).prompts} == {
            "set_up_persona_session",
            "improve_persona",
            "add_knowledge_to_persona",
        }
    # 2026-07-28 asks in the result (input_required); a stateless 2025-11-25 call has no way to ask, so the
    # host's own confirmation of a destructive tool stands in.
    assert len(asked) == (3 if era == "2026-07-28" else 0)  # revoke, cancel, delete


async def test_two_keys_calling_at_once_each_see_only_their_own_account(server: HttpServer, accounts: FakeAnam) -> None:
    other = accounts.accounts[OTHER_KEY]
    found: dict[str, dict[str, set[str]]] = {}

    async def survey(key: str, mode: Mode) -> None:
        async with mcp_client(server.mcp, key, mode=mode) as client:
            saved = await call(client, "save_persona", {"name": f"Private persona {key[:6]}"})
            personas = await call(client, "search_personas", {"query": "private persona", "limit": 50})
            sessions = await call(client, "list_sessions", {"limit": 100})
            avatars = await client.read_resource("anam://avatars")
            assert isinstance(avatars.contents[0], TextResourceContents)
            found[key] = {
                "saved": {saved["persona_id"]},
                "personas": {p["id"] for p in personas["items"]},
                "sessions": {s["id"] for s in sessions["items"]},
                "avatars": {a["id"] for a in json.loads(avatars.contents[0].text)},
            }

    async with anyio.create_task_group() as group:
        group.start_soon(survey, accounts.api_key, "legacy")
        group.start_soon(survey, OTHER_KEY, "auto")
    mine, theirs = found[accounts.api_key], found[OTHER_KEY]
    assert mine["personas"] == mine["saved"] and theirs["personas"] == theirs["saved"]
    assert mine["sessions"] == {s["id"] for s in accounts.catalogues["/v1/sessions"][:100]}
    assert theirs["sessions"] == {s["id"] for s in other.catalogues["/v1/sessions"]}
    assert mine["avatars"] == {a["id"] for a in accounts.catalogues["/v1/avatars"]}
    assert theirs["avatars"] == {a["id"] for a in other.catalogues["/v1/avatars"]}
    assert not mine["sessions"] & theirs["sessions"]
    custom = {a["id"] for a in other.catalogues["/v1/avatars"] if a["createdByOrganizationId"]}
    assert custom and not custom & mine["avatars"]


async def test_a_wrong_key_is_anams_401_in_words_and_no_key_reaches_the_log(
    server: HttpServer, accounts: FakeAnam
) -> None:
    async with mcp_client(server.mcp, WRONG_KEY) as client:
        result = await client.call_tool("list_llms", {})
    assert result.is_error
    assert "rejected the API key" in text(result) and WRONG_KEY not in text(result)
    # The caller sent the key: the fix is in its Authorization header, not in the server's ANAM_API_KEY.
    assert "Authorization" in text(result) and "ANAM_API_KEY" not in text(result)
    async with mcp_client(server.mcp, accounts.api_key) as client, mcp_client(server.mcp, OTHER_KEY) as other:
        await call(client, "search_voices", {"query": "calm"})
        await call(other, "list_llms", {})
    log = server.log()
    assert " DEBUG httpcore" in log and " DEBUG mcp." in log  # the libraries' debug output is really there
    for key in (accounts.api_key, OTHER_KEY, WRONG_KEY):
        assert key not in log


async def test_a_connector_url_narrows_the_toolsets_and_unknown_names_get_a_400(
    server: HttpServer, accounts: FakeAnam
) -> None:
    async with mcp_client(f"{server.mcp}?toolsets=catalogue", accounts.api_key) as c:
        assert {tool.name for tool in (await c.list_tools()).tools} == {"search_avatars", "search_voices", "list_llms"}
        assert (await c.call_tool("search_voices", {"query": "lucy"})).is_error is False
        refused = await c.call_tool("get_persona", {"persona_id": accounts.catalogues["/v1/personas"][0]["id"]})
    assert refused.is_error and "Unknown tool: get_persona" in text(refused)
    async with httpx2.AsyncClient() as http:
        answer = await http.post(
            f"{server.mcp}?toolsets=catalogue,nope",
            headers={"Authorization": f"Bearer {accounts.api_key}", "Accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    assert answer.status_code == 400
    assert "nope" in answer.json()["error_description"] and "catalogue, personas" in answer.json()["error_description"]


@pytest.mark.parametrize("bearer", ["127.0.0.1", "POST", "200", "1", "key:with-a-colon-0123", "key,with,commas0123"])
def test_a_bearer_no_anam_key_can_be_gets_401_and_the_log_keeps_every_fact_of_the_request(
    server: HttpServer, accounts: FakeAnam, bearer: str
) -> None:
    """Shorter than 10 characters, or a character outside letters, digits and - _ . ~ + / =: refused first."""
    start = len(server.log())
    before = len(accounts.requests)
    answer = httpx2.post(
        server.mcp,
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_llms", "arguments": {}}},
        headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json, text/event-stream"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="anam-mcp", error="invalid_token"'
    assert "Anam API key" in answer.json()["error_description"]
    assert len(accounts.requests) == before
    log = server.log()[start:]
    assert re.search(r'uvicorn\.access: 127\.0\.0\.1:\d+ - "POST /mcp HTTP/1\.1" 401', log), log
    assert "[redacted]" not in log


async def test_a_callers_key_is_never_logged_so_nothing_is_redacted_by_it(server: HttpServer) -> None:
    # A well-formed key that is also text of the log: were the log redacted by the caller's key, this line
    # would lose its logger's name.
    key = "anam_mcp.server.middleware"
    start = len(server.log())
    async with mcp_client(server.mcp, key) as client:
        result = await client.call_tool("list_llms", {})
    assert result.is_error and "rejected the API key" in text(result)
    log = server.log()[start:]
    assert "anam_mcp.server.middleware: tool list_llms: error" in log
    assert "[redacted]" not in log


async def test_keys_anam_has_not_accepted_share_one_cap_per_client_address(accounts: FakeAnam) -> None:
    """Distinct made-up keys do not each get a caller's cap: until Anam accepts a key, its requests count
    with every other such key's from the same address."""
    list_llms = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_llms", "arguments": {}}}
    headers = {"Accept": "application/json, text/event-stream"}
    with http_server(http_env(accounts, ANAM_HTTP_MAX_CALLS_PER_CALLER="2")) as server:
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:

            async def post(key: str) -> httpx2.Response:
                return await http.post(server.mcp, json=list_llms, headers={"Authorization": f"Bearer {key}"})

            assert (await post(accounts.api_key)).json()["result"]["isError"] is False  # now a proven key
            before = len(accounts.requests_to("/v1/llms"))
            accounts.latency = 1.0
            try:
                async with anyio.create_task_group() as group:
                    for n in range(2):
                        group.start_soon(post, f"made-up-key-{n}-0123456789")
                    await until_requested(accounts, "/v1/llms", before + 2)
                    third = await post("made-up-key-2-0123456789")
                    proven = await post(accounts.api_key)
            finally:
                accounts.latency = 0
    assert third.status_code == 429
    assert "ANAM_HTTP_MAX_CALLS_PER_CALLER" in third.json()["error_description"]
    assert proven.status_code == 200


@pytest.mark.parametrize("era", ERAS)
async def test_delete_persona_asks_where_the_protocol_lets_it_and_says_which_clients_those_are(
    server: HttpServer, accounts: FakeAnam, era: str
) -> None:
    """Over stateless HTTP only 2026-07-28 can ask (the question travels in the result); a 2025-11-25 request
    carries no capabilities and has no channel for a question. The description and the README say exactly that."""
    asked: list[ElicitRequestParams] = []
    async with mcp_client(
        server.mcp, accounts.api_key, mode=ERAS[era], elicitation_callback=answering("accept", True, asked)
    ) as c:
        saved = await call(c, "save_persona", {"name": f"Asked or not {era}"})
        deleted = await call(c, "delete_persona", {"persona_id": saved["persona_id"]})
        (tool,) = [tool for tool in (await c.list_tools()).tools if tool.name == "delete_persona"]
    assert deleted["deleted"] is True
    assert len(asked) == (1 if era == "2026-07-28" else 0)
    described = " ".join((tool.description or "").split())
    assert "MCP 2026-07-28, or 2025-11-25 over stdio" in described
    assert "2025-11-25 over HTTP" in described and "host's confirmation of destructive tools" in described
    (row,) = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| `delete_persona(")]
    assert "2026-07-28, or 2025-11-25 over stdio" in row and "2025-11-25 over HTTP" in row, row
