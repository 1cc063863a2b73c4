"""The meetings area: invites that send a persona into a Google Meet, Zoom or Microsoft Teams call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from .decoding import parse_one
from .pages import Listing, Page, get_page
from .records import Record
from .transport import AnamClient

__all__ = ["MeetingInvite", "cancel", "create", "get", "list_invites"]

_INVITES = "/v1/meetings/invites"
# Formatted with a UUID only, so nothing a caller passes can change the path.
_INVITE = "/v1/meetings/invites/{id}"


class MeetingInvite(Record):
    """A persona's invite to one meeting, and how far it got (status, then joinState as it connects)."""

    provider: str | None = None  # google_meet, zoom or microsoft_teams
    meeting_url: str | None = None
    display_name: str | None = None  # with Anam's AI-disclosure suffix
    status: str | None = None  # pending, active, cancelled, ended or failed
    created_at: str | None = None
    join_at: str | None = None  # null: join at once
    group_call: bool | None = None
    session_id: str | None = None
    region: str | None = None
    join_state: str | None = None
    status_reason: str | None = None


_LISTING = Listing(_INVITES, MeetingInvite)


async def create(client: AnamClient, body: Mapping[str, Any]) -> MeetingInvite:
    """POST /v1/meetings/invites. Never retried once it may have reached Anam: a persona must not join twice."""
    raw = await client.request("POST", _INVITES, json_body=body, idempotent=False)
    return parse_one(MeetingInvite, raw, "the meeting invite")


async def list_invites(client: AnamClient, status: str | None, limit: int) -> Page[MeetingInvite]:
    """The newest `limit` invites (Anam lists the most recent first), only those in `status` if given."""
    listing = _LISTING if status is None else replace(_LISTING, query={"status": status})
    return await get_page(client, listing, page=1, per_page=limit)


async def get(client: AnamClient, invite_id: UUID) -> MeetingInvite:
    raw = await client.request("GET", _INVITE.format(id=invite_id), idempotent=True)
    return parse_one(MeetingInvite, raw, "the meeting invite")


async def cancel(client: AnamClient, invite_id: UUID) -> bool:
    """DELETE /v1/meetings/invites/{id}, also for an invite that already ended. False when Anam has no such invite
    (already cancelled)."""
    return await client.delete(_INVITE.format(id=invite_id))
