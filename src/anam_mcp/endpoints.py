"""Every Anam endpoint this server calls: its path, the record it returns and its fixed query.

Only the client reads this module; everything above the client calls its typed methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .models import Avatar, Llm, Persona, Record, Session, Voice

__all__ = [
    "AVATARS",
    "LLMS",
    "PERSONA",
    "PERSONAS",
    "SESSIONS",
    "SESSION_TOKEN",
    "SHARE_LINKS",
    "TRANSCRIPT",
    "VOICES",
    "Listing",
]

RecordT = TypeVar("RecordT", bound=Record)


@dataclass(frozen=True, slots=True)
class Listing(Generic[RecordT]):
    """A paginated list: GET `path`?page=&perPage=, plus `query`; each item is a `model`."""

    path: str
    model: type[RecordT]
    query: Mapping[str, str] = field(default_factory=dict)


AVATARS = Listing("/v1/avatars", Avatar)
VOICES = Listing("/v1/voices", Voice)
# Without includeDefaults Anam lists only the organisation's own LLMs, not the built-in ones.
LLMS = Listing("/v1/llms", Llm, {"includeDefaults": "true"})
PERSONAS = Listing("/v1/personas", Persona)
SESSIONS = Listing("/v1/sessions", Session)

SESSION_TOKEN = "/v1/auth/session-token"  # noqa: S105 (a path, not a secret)
SHARE_LINKS = "/v1/share-links"
# Paths with an id: formatted with a UUID only, so nothing a caller passes can change the path.
PERSONA = "/v1/personas/{id}"
TRANSCRIPT = "/v1/sessions/{id}/transcript"
