"""Share links through the server (in memory, against the fake): listed with their uses, and revoked after
asking."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import answering, call, text

pytestmark = pytest.mark.anyio


async def made(client: Client, fake: FakeAnam, persona: int, **limits: int) -> str:
    """A share link to the fake's persona number `persona`; its share_link_id."""
    persona_id = fake.catalogues["/v1/personas"][persona]["id"]
    link = await call(client, "create_share_link", {"persona_id": persona_id, **limits})
    return str(link["share_link_id"])


async def test_share_links_are_listed_with_their_url_persona_expiry_and_uses(client: Client, fake: FakeAnam) -> None:
    first = await made(client, fake, 0, usage_limit=5)
    second = await made(client, fake, 1)
    fake.share_links[0]["usageCount"] = 3  # three conversations through the first link
    listed = await call(client, "list_share_links", {})
    items = {item["share_link_id"]: item for item in listed["items"]}
    assert set(items) == {first, second} and listed["total"] == 2
    one = items[first]
    persona = fake.catalogues["/v1/personas"][0]
    assert (one["persona_id"], one["persona_name"]) == (persona["id"], persona["name"])
    assert (one["usage_count"], one["usage_limit"], one["enabled"]) == (3, 5, True)
    assert one["url"] == f"https://lab.anam.ai/share/{fake.share_links[0]['token']}"
    assert one["expires_at"] == fake.share_links[0]["expiresAt"]
    summary = text(await client.call_tool("list_share_links", {})).splitlines()[0]
    assert f"2 share links: {persona['name']} (3 of 5 uses, until " in summary
    only = await call(client, "list_share_links", {"persona_id": persona["id"]})
    assert [item["share_link_id"] for item in only["items"]] == [first]
    assert fake.requests_to("/v1/share-links", "GET")[-1].query["personaId"] == persona["id"]


@pytest.mark.parametrize(("mode", "era"), [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
async def test_revoke_asks_naming_the_link_then_it_is_gone(
    settings: Settings, fake: FakeAnam, mode: str, era: str
) -> None:
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), mode=mode, elicitation_callback=answering("accept", True, asked)) as c:
        assert c.protocol_version == era
        link_id = await made(c, fake, 0)
        token = fake.share_links[0]["token"]
        revoked = await call(c, "revoke_share_link", {"share_link_id": link_id})
        listed = await call(c, "list_share_links", {})
        persona = await call(c, "get_persona", {"persona_id": fake.catalogues["/v1/personas"][0]["id"]})
    assert revoked == {"share_link_id": link_id, "revoked": True}
    (question,) = asked
    assert fake.catalogues["/v1/personas"][0]["name"] in question.message and token in question.message
    assert listed["items"] == [] and fake.share_links == []
    assert persona["share_links"] == []


@pytest.mark.parametrize(("action", "confirm"), [("accept", False), ("decline", None), ("cancel", None)])
async def test_revoke_declined_keeps_the_link(
    settings: Settings, fake: FakeAnam, action: str, confirm: bool | None
) -> None:
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), elicitation_callback=answering(action, confirm, asked)) as c:
        link_id = await made(c, fake, 0)
        result = await c.call_tool("revoke_share_link", {"share_link_id": link_id})
    assert not result.is_error, text(result)
    assert result.structured_content == {"share_link_id": link_id, "revoked": False}
    assert "Nothing was revoked" in text(result) and len(asked) == 1
    assert fake.requests_to(f"/v1/share-links/{link_id}", "DELETE") == []
    assert len(fake.share_links) == 1


async def test_revoking_without_a_way_to_ask_proceeds_and_again_says_it_is_already_revoked(
    client: Client, fake: FakeAnam
) -> None:
    link_id = await made(client, fake, 0)
    fake.clear()
    assert (await call(client, "revoke_share_link", {"share_link_id": link_id}))["revoked"] is True
    assert [r.method for r in fake.requests] == ["DELETE"]  # nothing asked, nothing fetched to ask with
    again = await client.call_tool("revoke_share_link", {"share_link_id": link_id})
    assert not again.is_error and again.structured_content == {"share_link_id": link_id, "revoked": False}
    assert "already revoked" in text(again) and "list_share_links" in text(again)
    bad = await client.call_tool("revoke_share_link", {"share_link_id": "sh_2kL9"})
    assert bad.is_error and "share_link_id must be a UUID (get one from list_share_links)" in text(bad)


async def test_null_for_every_unused_argument_means_its_default(client: Client, fake: FakeAnam) -> None:
    await made(client, fake, 0)
    listed = await client.call_tool("list_share_links", {"persona_id": None})
    assert not listed.is_error and listed.structured_content is not None
    assert listed.structured_content["total"] == 1
