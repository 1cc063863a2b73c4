"""The share-links area: links where anyone can talk to a saved persona in a browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from pydantic import Field

from .decoding import parse_one
from .pages import Listed, Listing, list_all
from .personas import ShareLink
from .records import Record
from .transport import AnamClient

__all__ = ["CreatedShareLink", "ListedShareLink", "create", "delete", "get", "list_links"]

_SHARE_LINKS = "/v1/share-links"
# Formatted with a UUID only, so nothing a caller passes can change the path.
_SHARE_LINK = "/v1/share-links/{id}"


class CreatedShareLink(ShareLink):
    """A share link just created: without its token there is no link to give."""

    token: str = Field(min_length=1)


# Record's id (required) narrows ShareLink's (optional, as a persona nests it): a listed link always has one.
class ListedShareLink(Record, ShareLink):  # type: ignore[misc]
    """A share link as the list and GET /v1/share-links/{id} give it: with the persona it opens."""

    persona_id: str | None = None
    persona_name: str | None = None
    enabled: bool | None = None


_LINKS = Listing(_SHARE_LINKS, ListedShareLink)


async def create(client: AnamClient, body: Mapping[str, Any]) -> CreatedShareLink:
    """POST /v1/share-links: a new link to a saved persona. Not retried once it may have reached Anam."""
    raw = await client.request("POST", _SHARE_LINKS, json_body=body, idempotent=False)
    return parse_one(CreatedShareLink, raw, "the share link")


async def list_links(client: AnamClient, persona_id: UUID | None) -> Listed[ListedShareLink]:
    """Every share link of the organisation, or of one persona with `persona_id`."""
    listing = _LINKS if persona_id is None else replace(_LINKS, query={"personaId": str(persona_id)})
    return await list_all(client, listing)


async def get(client: AnamClient, share_link_id: UUID) -> ListedShareLink:
    raw = await client.request("GET", _SHARE_LINK.format(id=share_link_id), idempotent=True)
    return parse_one(ListedShareLink, raw, "the share link")


async def delete(client: AnamClient, share_link_id: UUID) -> bool:
    """DELETE /v1/share-links/{id}: the link stops working at once. False when Anam has no such link (already
    revoked)."""
    return await client.delete(_SHARE_LINK.format(id=share_link_id))
