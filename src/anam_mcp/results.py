"""What the tools return: compact, typed records with snake_case fields.

Every optional field is nullable (`X | None`), because the SDK emits unset fields as null and
strict clients check structuredContent against the output schema. Items are read from the API
records by attribute name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, Literal, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .persona import LlmChoice
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
        details = [d for d in (self.variant_name, None if self.is_stock else "custom") if d]
        return f"{self.display_name} ({', '.join(details)})" if details else self.display_name


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
        # Many voices share a name ("Cara - Calm"): say what tells them apart.
        details = [self.country, self.gender.lower() if self.gender else None, None if self.sample_url else "no sample"]
        shown = [d for d in details if d]
        return f"{self.display_name} ({', '.join(shown)})" if shown else self.display_name


class LlmItem(_Item):
    id: str = Field(description="Pass as llm_id to create_session_token.")
    display_name: str
    description: str | None
    model_name: str | None
    is_built_in: bool = Field(description="Built into Anam and available to every organisation.")
    is_used_by_default: bool = Field(
        default=False, description="The LLM a persona gets when llm_id is left out (see default_llm)."
    )

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.model_name})" if self.model_name else self.display_name


class PersonaItem(_Item):
    id: str = Field(description="Pass as persona_id to create_session_token.")
    name: str
    description: str | None
    avatar_name: str | None
    voice_name: str | None
    language_code: str | None = Field(description="Speech-recognition language; null follows the organisation.")
    updated_at: str | None

    @field_validator("language_code")
    @classmethod
    def _inherit_is_none(cls, code: str | None) -> str | None:
        return None if code == "inherit" else code  # Anam's word for "the organisation's setting"

    @property
    def label(self) -> str:
        return self.name


ItemT = TypeVar("ItemT", bound=_Item)


class SearchResult(BaseModel, Generic[ItemT]):
    kind: ClassVar[str]

    total: int = Field(description="How many entries matched in the whole catalogue.")
    returned: int = Field(description="How many are in items (at most limit).")
    items: list[ItemT]
    note: str | None = Field(
        default=None,
        description="What to know about these results: an older copy served, a limit hit, or what would match.",
    )

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

    default_llm: LlmChoice | None = Field(default=None, description="The LLM used when llm_id is left out, and why.")

    def with_default(self, choice: LlmChoice) -> LlmListResult:
        """The same list with `choice` marked as the LLM personas get when llm_id is left out."""
        items = [item.model_copy(update={"is_used_by_default": item.id == choice.id}) for item in self.items]
        return self.model_copy(update={"items": items, "default_llm": choice})


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
    default_llm: LlmChoice | None = Field(description="The LLM chosen because llm_id was left out, and why.")
    client_label: str | None
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")
