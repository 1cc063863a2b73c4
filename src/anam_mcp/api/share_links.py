"""The share-links area: links where anyone can talk to a saved persona in a browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from .decoding import parse_one
from .personas import ShareLink
from .transport import AnamClient

__all__ = ["CreatedShareLink", "create"]

_SHARE_LINKS = "/v1/share-links"


class CreatedShareLink(ShareLink):
    """A share link just created: without its token there is no link to give."""

    token: str = Field(min_length=1)


async def create(client: AnamClient, body: Mapping[str, Any]) -> CreatedShareLink:
    """POST /v1/share-links: a new link to a saved persona. Not retried once it may have reached Anam."""
    raw = await client.request("POST", _SHARE_LINKS, json_body=body, idempotent=False)
    return parse_one(CreatedShareLink, raw, "the share link")
