"""What the tools return: compact, typed records with snake_case fields.

Every optional field is nullable (`X | None`), because the SDK emits unset fields as null and
strict clients check structuredContent against the output schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .models import Avatar, Llm, Persona, Voice
from .session import CONFIG_KEYS

__all__ = [
    "AvatarItem",
    "AvatarSearchResult",
    "LlmItem",
    "LlmListResult",
    "PersonaItem",
    "PersonaSearchResult",
    "SentPersonaConfig",
    "SessionTokenResult",
    "VoiceItem",
    "VoiceSearchResult",
]


def _compact_nullables(schema: dict[str, Any]) -> None:
    """Write `X | None` scalars as `"type": [X, "null"]` instead of an `anyOf`.

    Same meaning, but far cheaper for clients that check every result against the output schema.
    """
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if (
            isinstance(options, list)
            and len(options) == 2
            and {"type": "null"} in options
            and all(set(o) == {"type"} and isinstance(o["type"], str) for o in options)
        ):
            prop.pop("anyOf")
            prop["type"] = [o["type"] for o in options if o["type"] != "null"] + ["null"]


class _Result(BaseModel):
    model_config = ConfigDict(json_schema_extra=_compact_nullables)


class AvatarItem(_Result):
    id: str = Field(description="Pass as avatar_id to create_session_token.")
    display_name: str
    variant_name: str | None = Field(description="Lighting or pose variant, e.g. 'home'.")
    is_stock: bool = Field(description="True for Anam's stock avatars, false for your organisation's own.")
    image_url: str | None
    available_models: list[str] = Field(description="Avatar models (avatar_model values) this avatar supports.")

    @classmethod
    def of(cls, avatar: Avatar) -> AvatarItem:
        return cls(
            id=avatar.id,
            display_name=avatar.display_name,
            variant_name=avatar.variant_name,
            is_stock=avatar.is_stock,
            image_url=avatar.image_url,
            available_models=list(avatar.available_versions),
        )


class VoiceItem(_Result):
    id: str = Field(description="Pass as voice_id to create_session_token.")
    display_name: str
    gender: str | None = Field(description="MALE, FEMALE or NEUTRAL.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 country of the accent, e.g. GB.")
    provider: str | None = Field(description="Speech provider, e.g. ELEVENLABS or CARTESIA.")
    description: str | None
    sample_url: str | None = Field(description="Short audio preview.")
    is_stock: bool

    @classmethod
    def of(cls, voice: Voice) -> VoiceItem:
        return cls(
            id=voice.id,
            display_name=voice.display_name,
            gender=voice.gender,
            country=voice.country,
            provider=voice.provider,
            description=voice.description,
            sample_url=voice.sample_url,
            is_stock=voice.is_stock,
        )


class LlmItem(_Result):
    id: str = Field(description="Pass as llm_id to create_session_token.")
    display_name: str
    description: str | None
    model_name: str | None
    is_default: bool = Field(description="Built into Anam and available to every organisation.")
    is_server_default: bool = Field(description="The LLM create_session_token uses when llm_id is left out.")

    @classmethod
    def of(cls, llm: Llm, server_default_id: str) -> LlmItem:
        return cls(
            id=llm.id,
            display_name=llm.display_name,
            description=llm.description,
            model_name=llm.model_name,
            is_default=llm.is_default,
            is_server_default=llm.id == server_default_id,
        )


class PersonaItem(_Result):
    id: str = Field(description="Pass as persona_id to create_session_token.")
    name: str
    description: str | None
    avatar_name: str | None
    voice_name: str | None
    language_code: str | None
    updated_at: str | None

    @classmethod
    def of(cls, persona: Persona) -> PersonaItem:
        return cls(
            id=persona.id,
            name=persona.name,
            description=persona.description or None,
            avatar_name=persona.avatar.display_name if persona.avatar else None,
            voice_name=persona.voice.display_name if persona.voice else None,
            language_code=persona.language_code,
            updated_at=persona.updated_at,
        )


class _SearchResult(_Result):
    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # Inline the item schema: a `$ref` is resolved again for every item a client validates.
        schema = handler.resolve_ref_schema(handler(core_schema))
        items = schema["properties"]["items"]
        if "$ref" in items.get("items", {}):
            items["items"] = dict(handler.resolve_ref_schema(items["items"]))
        return schema

    total: int = Field(description="How many entries matched in the whole catalogue.")
    returned: int = Field(description="How many are in items (at most limit).")
    note: str | None = Field(default=None, description="Set when the catalogue could not be refreshed.")


class AvatarSearchResult(_SearchResult):
    items: list[AvatarItem]


class VoiceSearchResult(_SearchResult):
    items: list[VoiceItem]


class PersonaSearchResult(_SearchResult):
    items: list[PersonaItem]


class LlmListResult(_SearchResult):
    items: list[LlmItem]


class SentPersonaConfig(_Result):
    """The personaConfig sent to Anam, in the tool's argument names. Unset fields are null."""

    persona_id: str | None = None
    name: str | None = None
    avatar_id: str | None = None
    avatar_model: str | None = None
    voice_id: str | None = None
    llm_id: str | None = None
    system_prompt: str | None = None
    max_session_length_seconds: int | None = None
    skip_greeting: bool | None = None
    language_code: str | None = None

    @classmethod
    def of(cls, persona_config: dict[str, Any]) -> SentPersonaConfig:
        return cls(**{arg: persona_config[key] for arg, key in CONFIG_KEYS.items() if key in persona_config})


class SessionTokenResult(_Result):
    session_token: str = Field(
        description="Short-lived token for Anam's client SDK: createClient(sessionToken) in the browser. "
        "Single session; never a substitute for the API key."
    )
    mode: Literal["persona", "ephemeral"]
    expires_in_seconds: int = Field(description="Seconds until the token expires (Anam issues one-hour tokens).")
    persona_config: SentPersonaConfig
    client_label: str | None
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")
