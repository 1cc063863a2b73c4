"""The sessions area: session tokens that start a conversation, and the conversations (sessions) held."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from pydantic import AliasChoices, Field, ValidationError, field_validator

from .decoding import off_the_loop_if_large, parse_json, parse_one
from .errors import UnreadableResponseError
from .pages import Listing, Page, get_page
from .records import AnamModel, Record
from .transport import AnamClient

__all__ = ["Session", "Transcript", "TranscriptMessage", "create_token", "get_transcript", "list_sessions"]

_SESSION_TOKEN = "/v1/auth/session-token"  # noqa: S105 (a path, not a secret)
_TRANSCRIPT = "/v1/sessions/{id}/transcript"


class Session(Record):
    """One conversation between someone and a persona."""

    persona_id: str | None = None
    client_label: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    session_length_ms: float | None = None
    exit_status: str | None = None


_SESSIONS = Listing("/v1/sessions", Session)


class TranscriptMessage(AnamModel):
    role: str | None = None
    # The spec says "message"; older answers and other Anam endpoints use "content" or "text".
    text: str | None = Field(default=None, validation_alias=AliasChoices("message", "content", "text"))
    timestamp: str | None = None


class Transcript(AnamModel):
    """What was said in one session."""

    session_id: str | None = None
    persona_name: str | None = None
    start_time: str | None = None
    duration_ms: float | None = None
    total_messages: int | None = None
    transcripts_enabled: bool | None = None
    messages: list[TranscriptMessage] = Field(default_factory=list)

    @field_validator("messages", mode="before")
    @classmethod
    def _readable_messages(cls, messages: Any) -> list[TranscriptMessage]:
        """The messages that can be read; one odd entry must not hide the rest of the conversation."""
        readable: list[TranscriptMessage] = []
        for entry in messages if isinstance(messages, list) else []:
            try:
                readable.append(TranscriptMessage.model_validate(entry))
            except ValidationError:
                continue
        return readable


async def create_token(client: AnamClient, body: Mapping[str, Any]) -> str:
    """POST /v1/auth/session-token. Retried only when the request certainly never reached Anam."""
    raw = await client.request("POST", _SESSION_TOKEN, json_body=body, idempotent=False)
    return await off_the_loop_if_large(len(raw), functools.partial(_read_token, raw))


def _read_token(raw: bytes) -> str:
    payload = parse_json(raw)
    token = payload.get("sessionToken") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise UnreadableResponseError("no sessionToken in the answer")
    if not token.isascii() or not token.isprintable():  # a JWT is printable ASCII; anything else cannot work
        raise UnreadableResponseError("the sessionToken is malformed")
    return token


async def list_sessions(client: AnamClient, persona_id: UUID | None, limit: int) -> Page[Session]:
    """The newest `limit` sessions, of one persona if `persona_id` is given: one page of GET /v1/sessions."""
    listing = _SESSIONS if persona_id is None else replace(_SESSIONS, query={"personaId": str(persona_id)})
    page = await get_page(client, listing, page=1, per_page=limit)
    newest_first = sorted(page.data, key=lambda session: session.start_time or "", reverse=True)
    return Page(newest_first, page.meta)


async def get_transcript(client: AnamClient, session_id: UUID) -> Transcript:
    raw = await client.request("GET", _TRANSCRIPT.format(id=session_id), idempotent=True)
    return await off_the_loop_if_large(len(raw), functools.partial(parse_one, Transcript, raw, "the transcript"))
