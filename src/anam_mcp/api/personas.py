"""The personas area: personas saved in the account (an avatar, a voice, an LLM and a prompt, kept by id)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from pydantic import AliasChoices, AliasPath, Field, field_validator

from .catalogue import Kind
from .decoding import parse_one
from .errors import UnreadableResponseError
from .pages import Listing
from .persona_tools import PersonaTool
from .records import AnamModel, Record, parse_records
from .transport import AnamClient

__all__ = [
    "PERSONAS",
    "Persona",
    "PersonaDetail",
    "PersonaPart",
    "ShareLink",
    "add_tool",
    "create",
    "delete",
    "get",
    "update",
]

_PERSONAS = "/v1/personas"
# Formatted with a UUID only, so nothing a caller passes can change the path.
_PERSONA = "/v1/personas/{id}"


class PersonaPart(AnamModel):
    """The avatar or voice summary nested in a persona."""

    id: str | None = None
    display_name: str | None = None
    image_url: str | None = None


class Persona(Record):
    name: str = ""
    description: str | None = None
    avatar: PersonaPart | None = None
    voice: PersonaPart | None = None
    language_code: str | None = None
    updated_at: str | None = None

    @field_validator("description", mode="after")
    @classmethod
    def _empty_is_none(cls, text: str | None) -> str | None:
        return text or None

    @field_validator("language_code", mode="after")
    @classmethod
    def _inherit_is_none(cls, code: str | None) -> str | None:
        return None if code == "inherit" else code  # Anam's word for "the organisation's setting"

    @property
    def avatar_name(self) -> str | None:
        return self.avatar.display_name if self.avatar else None

    @property
    def voice_name(self) -> str | None:
        return self.voice.display_name if self.voice else None


class ShareLink(AnamModel):
    """A link where anyone can talk to a saved persona in a browser, as a persona lists it."""

    id: str | None = None
    token: str | None = None
    expires_at: str | None = None
    usage_limit: int | None = None
    usage_count: int | None = None


class PersonaDetail(Persona):
    """A saved persona in full, as GET, POST and PUT /v1/personas answer (the list gives less)."""

    avatar_model: str | None = None
    llm_id: str | None = None
    # Anam keeps the prompt in the persona's "brain"; a top-level one is read too, in case that changes.
    system_prompt: str | None = Field(
        default=None, validation_alias=AliasChoices(AliasPath("brain", "systemPrompt"), "systemPrompt")
    )
    skip_greeting: bool | None = None
    share_links: list[ShareLink] | None = None
    # The persona tools it may call (what `toolIds` set); None when Anam does not say.
    tools: list[PersonaTool] | None = None

    @field_validator("share_links", mode="before")
    @classmethod
    def _objects_only(cls, links: Any) -> Any:
        return [link for link in links if isinstance(link, dict)] if isinstance(links, list) else links

    @field_validator("tools", mode="before")
    @classmethod
    def _tools_with_ids(cls, tools: Any) -> Any:
        # Leniently, as a list is read: one odd tool must not make the whole persona unreadable.
        return parse_records(PersonaTool, tools)[0] if isinstance(tools, list) else tools


PERSONAS: Kind[Persona] = Kind("personas", Listing(_PERSONAS, Persona), lambda p: (p.name,), lambda p: p.description)


async def create(client: AnamClient, body: Mapping[str, Any]) -> PersonaDetail:
    """POST /v1/personas: save a persona; Anam answers with the persona as saved."""
    raw = await client.request("POST", _PERSONAS, json_body=body, idempotent=False)
    return parse_one(PersonaDetail, raw, "the saved persona")


async def get(client: AnamClient, persona_id: UUID) -> PersonaDetail:
    raw = await client.request("GET", _PERSONA.format(id=persona_id), idempotent=True)
    return parse_one(PersonaDetail, raw, "the persona")


async def update(client: AnamClient, persona_id: UUID, body: Mapping[str, Any]) -> PersonaDetail:
    """PUT /v1/personas/{id}: Anam changes only the fields in `body` and answers with the whole persona."""
    raw = await client.request("PUT", _PERSONA.format(id=persona_id), json_body=body, idempotent=True)
    return parse_one(PersonaDetail, raw, "the updated persona")


async def delete(client: AnamClient, persona_id: UUID) -> bool:
    """DELETE /v1/personas/{id}: True once deleted, False when Anam has no such persona (already deleted)."""
    return await client.delete(_PERSONA.format(id=persona_id))


async def add_tool(client: AnamClient, persona_id: UUID, persona: PersonaDetail, tool_id: str) -> PersonaDetail:
    """Add a persona tool to the persona (`persona`, as just read), keeping the ones it has: Anam replaces the
    whole `toolIds` list. Returns the persona as it is now (unchanged if it had the tool already)."""
    if persona.tools is None:
        raise UnreadableResponseError("the persona does not list its tools, so one cannot be added without losing them")
    ids = [tool.id for tool in persona.tools]
    if tool_id in ids:
        return persona
    return await update(client, persona_id, {"toolIds": [*ids, tool_id]})
