"""The sessions area: session tokens that start a conversation, and the conversations (sessions) held: listed,
read back as transcripts, timed turn by turn (analytics), and recorded."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID

from pydantic import AliasChoices, AliasPath, Field, ValidationError, field_validator

from .decoding import off_the_loop_if_large, parse_json, parse_one
from .errors import UnreadableResponseError
from .pages import Listing, get_page
from .records import AnamModel, Record
from .transport import AnamClient

__all__ = [
    "Analytics",
    "AnalyticsTurn",
    "Session",
    "SessionSlice",
    "Transcript",
    "TranscriptMessage",
    "create_token",
    "get_analytics",
    "get_recording_url",
    "get_session",
    "get_transcript",
    "list_sessions",
]

_SESSION_TOKEN = "/v1/auth/session-token"  # noqa: S105 (a path, not a secret)
# Formatted with a UUID only, so nothing a caller passes can change the path.
_SESSION = "/v1/sessions/{id}"
_TRANSCRIPT = "/v1/sessions/{id}/transcript"
_ANALYTICS = "/v1/sessions/{id}/analytics"
_RECORDING = "/v1/sessions/{id}/recording"


class Session(Record):
    """One conversation between someone and a persona."""

    persona_id: str | None = None
    client_label: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    session_length_ms: float | None = None
    exit_status: str | None = None
    # The persona's name as the session started: the only name an ephemeral persona has.
    started_as: str | None = Field(default=None, validation_alias=AliasPath("personaConfig", "name"))


_SESSIONS = Listing("/v1/sessions", Session)
ModelT = TypeVar("ModelT", bound=AnamModel)


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
        return _readable(TranscriptMessage, messages)


def _readable(model: type[ModelT], entries: Any) -> list[ModelT]:
    """The entries that read as `model`: one odd entry must not hide the rest of a conversation."""
    readable: list[ModelT] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            readable.append(model.model_validate(entry))
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


@dataclass(frozen=True, slots=True)
class SessionSlice:
    """Sessions from one position of the newest-first list, and whether more follow them."""

    sessions: list[Session]
    total: int | None
    more: bool


async def list_sessions(client: AnamClient, persona_id: UUID | None, offset: int, limit: int) -> SessionSlice:
    """`limit` sessions from position `offset` of the newest-first list (of one persona with `persona_id`).

    Pages are `limit` long, so a position that is a multiple of `limit` (every position the tool hands out
    while the limit stays the same) takes one request, and any other two.
    """
    listing = _SESSIONS if persona_id is None else replace(_SESSIONS, query={"personaId": str(persona_id)})
    number, skip = divmod(offset, limit)
    pages = [await get_page(client, listing, page=number + 1, per_page=limit)]
    if skip and pages[0].entries >= limit:
        pages.append(await get_page(client, listing, page=number + 2, per_page=limit))
    # Newest first within each page, should Anam order a page otherwise; the pages themselves come in order.
    merged = [s for page in pages for s in sorted(page.data, key=lambda s: s.start_time or "", reverse=True)]
    sessions = merged[skip : skip + limit]
    total = pages[0].meta.total
    end = offset + len(sessions)
    more = end < total if total is not None else len(merged) > skip + len(sessions) or pages[-1].entries >= limit
    return SessionSlice(sessions, total, more)


async def get_session(client: AnamClient, session_id: UUID) -> Session:
    raw = await client.request("GET", _SESSION.format(id=session_id), idempotent=True)
    return parse_one(Session, raw, "the session")


async def get_transcript(client: AnamClient, session_id: UUID) -> Transcript:
    raw = await client.request("GET", _TRANSCRIPT.format(id=session_id), idempotent=True)
    return await off_the_loop_if_large(len(raw), functools.partial(parse_one, Transcript, raw, "the transcript"))


class AnalyticsTurn(AnamModel):
    """One turn's timings: the user stops speaking, the transcript is final, the LLM answers, the voice starts."""

    turn_index: int | None = None
    transcription_latency_seconds: float | None = None
    llm_time_to_first_output_seconds: float | None = None
    tts_time_to_first_audio_seconds: float | None = None
    first_audio_latency_seconds: float | None = None
    was_interrupted: bool | None = None


class Analytics(AnamModel):
    """Per-turn latency of one session, which Anam has once the session ended and its report arrived."""

    session_id: str | None = None
    duration_seconds: float | None = None
    persona_name: str | None = Field(default=None, validation_alias=AliasPath("config", "personaName"))
    turns: list[AnalyticsTurn] = Field(default_factory=list)

    @field_validator("turns", mode="before")
    @classmethod
    def _readable_turns(cls, turns: Any) -> list[AnalyticsTurn]:
        return _readable(AnalyticsTurn, turns)


async def get_analytics(client: AnamClient, session_id: UUID) -> Analytics:
    """GET /v1/sessions/{id}/analytics: a NotFoundError until the session has ended and its report arrived."""
    raw = await client.request("GET", _ANALYTICS.format(id=session_id), idempotent=True)
    return await off_the_loop_if_large(len(raw), functools.partial(parse_one, Analytics, raw, "the analytics"))


class _Recording(AnamModel):
    recording_url: str = Field(min_length=1)


async def get_recording_url(client: AnamClient, session_id: UUID) -> str:
    """A presigned URL to download the session's recording (Anam: valid for an hour); the bytes stay there."""
    raw = await client.request("GET", _RECORDING.format(id=session_id), idempotent=True)
    return parse_one(_Recording, raw, "the recording").recording_url
