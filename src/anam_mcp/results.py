"""What the tools return: compact, typed records with snake_case fields.

Every optional field is nullable (`X | None`), because the SDK emits unset fields as null and
strict clients check structuredContent against the output schema. Items are read from the API
records by attribute name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, Literal, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

from .session import EphemeralPersona

__all__ = [
    "AvatarItem",
    "AvatarSearchResult",
    "LlmItem",
    "LlmListResult",
    "PersonaItem",
    "PersonaSearchResult",
    "SearchResult",
    "SessionTokenResult",
    "VoiceItem",
    "VoiceSearchResult",
]


class _Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @property
    def label(self) -> str:
        """How a summary line names this item."""
        raise NotImplementedError


class AvatarItem(_Item):
    id: str = Field(description="Pass as avatar_id to create_session_token.")
    display_name: str
    variant_name: str | None = Field(description="Lighting or pose variant, e.g. 'home'.")
    is_stock: bool = Field(description="True for Anam's stock avatars, false for your organisation's own.")
    image_url: str | None
    available_models: list[str] = Field(description="Avatar models (avatar_model values) this avatar supports.")

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.variant_name})" if self.variant_name else self.display_name


class VoiceItem(_Item):
    id: str = Field(description="Pass as voice_id to create_session_token.")
    display_name: str
    gender: str | None = Field(description="MALE, FEMALE or NEUTRAL.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 country of the accent, e.g. GB.")
    provider: str | None = Field(description="Speech provider, e.g. ELEVENLABS or CARTESIA.")
    description: str | None
    sample_url: str | None = Field(description="Short audio preview.")
    is_stock: bool

    @property
    def label(self) -> str:
        return self.display_name


class LlmItem(_Item):
    id: str = Field(description="Pass as llm_id to create_session_token.")
    display_name: str
    description: str | None
    model_name: str | None
    is_default: bool = Field(description="Built into Anam and available to every organisation.")
    is_server_default: bool = Field(
        default=False, description="The LLM create_session_token uses when llm_id is left out."
    )

    @property
    def label(self) -> str:
        return self.display_name


class PersonaItem(_Item):
    id: str = Field(description="Pass as persona_id to create_session_token.")
    name: str
    description: str | None
    avatar_name: str | None
    voice_name: str | None
    language_code: str | None
    updated_at: str | None

    @property
    def label(self) -> str:
        return self.name


ItemT = TypeVar("ItemT", bound=_Item)


class SearchResult(BaseModel, Generic[ItemT]):
    kind: ClassVar[str]

    total: int = Field(description="How many entries matched in the whole catalogue.")
    returned: int = Field(description="How many are in items (at most limit).")
    items: list[ItemT]
    note: str | None = Field(default=None, description="Set when the catalogue could not be refreshed.")

    @classmethod
    def of(cls, matches: Sequence[object], limit: int, note: str | None) -> Self:
        """The first `limit` of `matches` (API records, best first) as items, and how many matched in all."""
        (item_type,) = get_args(cls.model_fields["items"].annotation)
        items = [item_type.model_validate(match) for match in matches[:limit]]
        return cls(total=len(matches), returned=len(items), items=items, note=note)


class AvatarSearchResult(SearchResult[AvatarItem]):
    kind = "avatar"


class VoiceSearchResult(SearchResult[VoiceItem]):
    kind = "voice"


class PersonaSearchResult(SearchResult[PersonaItem]):
    kind = "persona"


class LlmListResult(SearchResult[LlmItem]):
    kind = "LLM"

    def marking_default(self, llm_id: str) -> LlmListResult:
        """The same list with `llm_id` marked as the one create_session_token uses by default."""
        items = [item.model_copy(update={"is_server_default": item.id == llm_id}) for item in self.items]
        return self.model_copy(update={"items": items})


class SessionTokenResult(BaseModel):
    session_token: str = Field(
        description="Short-lived token for Anam's client SDK: createClient(sessionToken) in the browser. "
        "Single session; never a substitute for the API key."
    )
    mode: Literal["persona", "ephemeral"]
    expires_in_seconds: int = Field(description="Seconds until the token expires (Anam issues one-hour tokens).")
    persona_id: str | None = Field(description="The saved persona the token is for (persona mode).")
    persona_config: EphemeralPersona | None = Field(
        description="The ephemeral persona sent to Anam, defaults filled in (ephemeral mode)."
    )
    client_label: str | None
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")
