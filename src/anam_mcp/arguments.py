"""Tool arguments: every argument type once, and the argument models of the tools without a persona config.

A tool's arguments are one pydantic model (a subclass of `Arguments`): the model is the input schema
a client sees, and validating it is all the checking a tool needs before it calls Anam.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AliasGenerator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from .constants import DEFAULT_AVATAR_MODEL, LLM_ID_PATTERN, MAX_SYSTEM_PROMPT_CHARS, AvatarModel

__all__ = [
    "AvatarIdArg",
    "AvatarModelArg",
    "AvatarSearch",
    "ClientLabelArg",
    "CountryArg",
    "DescriptionArg",
    "ExpiresInHoursArg",
    "GenderArg",
    "LanguageCodeArg",
    "LimitArg",
    "LlmIdArg",
    "LlmSearch",
    "MaxMessagesArg",
    "MaxSessionLengthArg",
    "NameArg",
    "PersonaIdArg",
    "PersonaNameArg",
    "PersonaRef",
    "PersonaSearch",
    "ProviderArg",
    "QueryArg",
    "RefreshArg",
    "SavedPersonaIdArg",
    "SessionIdArg",
    "SessionList",
    "ShareLinkRequest",
    "SkipGreetingArg",
    "SystemPromptArg",
    "TranscriptRequest",
    "UsageLimitArg",
    "VoiceIdArg",
    "VoiceSearch",
]


class Arguments(BaseModel):
    """Base of every tool's arguments: unknown names are refused, and an explicit null means the default.

    Field names are the tools' argument names (snake_case); dumping `by_alias` gives Anam's camelCase keys.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=AliasGenerator(serialization_alias=to_camel))

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        # Some clients send null for every argument they leave out.
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _not_boolean(value: object) -> object:
    # JSON true is not a number, though Python would take it as 1. Placed after the Field in Annotated, so
    # that the bounds show in the schema as minimum and maximum.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


QueryArg = Annotated[
    str | None,
    Field(max_length=200, description="Text to look for, case- and accent-insensitive. Omit to list everything."),
]
LimitArg = Annotated[
    int,
    Field(ge=1, le=100, description="Maximum number of items to return (1-100, default 20)."),
    BeforeValidator(_not_boolean),
]
RefreshArg = Annotated[
    bool, Field(description="Reload the list from Anam instead of using the copy cached for a few minutes.")
]
GenderArg = Annotated[
    Literal["MALE", "FEMALE", "NEUTRAL"] | None,
    BeforeValidator(_upper),
    Field(description="Only voices of this gender: MALE, FEMALE or NEUTRAL (any case)."),
]
CountryArg = Annotated[
    Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None,
    BeforeValidator(_upper),
    Field(description="Only voices with this accent country, ISO 3166-1 alpha-2, e.g. GB, US (any case)."),
]
ProviderArg = Annotated[
    Literal["CARTESIA", "ELEVENLABS", "OPENAI_ADVANCED_VOICE", "FISH_AUDIO"] | None,
    BeforeValidator(_upper),
    Field(description="Only voices from this speech provider."),
]

PersonaIdArg = Annotated[
    UUID | None,
    Field(
        description="ID of a saved persona (from search_personas, or Anam Lab). Use alone: it cannot be combined "
        "with the persona fields below.",
    ),
]
SavedPersonaIdArg = Annotated[UUID, Field(description="ID of a saved persona, from search_personas or save_persona.")]
_PERSONA_NAME = Field(min_length=1, max_length=100, description="Display name of the persona.")
NameArg = Annotated[str | None, _PERSONA_NAME]
PersonaNameArg = Annotated[str, _PERSONA_NAME]
DescriptionArg = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=1000,
        description="What the persona is for, as a note for people, e.g. 'Guide for the Egypt room'. "
        "It does not change how the persona behaves: that is system_prompt.",
    ),
]
AvatarIdArg = Annotated[
    UUID | None, Field(description="Avatar (face) ID from search_avatars. Default: the stock 'Cara' avatar.")
]
VoiceIdArg = Annotated[UUID | None, Field(description="Voice ID from search_voices. Default: the stock 'Cara' voice.")]
LlmIdArg = Annotated[
    str | None,
    Field(
        pattern=LLM_ID_PATTERN,
        description="LLM ID from list_llms (a UUID), or CUSTOMER_CLIENT_V1 to turn Anam's LLM off. "
        "Default: GPT-4o-mini.",
    ),
]
SystemPromptArg = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=MAX_SYSTEM_PROMPT_CHARS,
        description="Personality and instructions for the persona's LLM.",
    ),
]
AvatarModelArg = Annotated[
    AvatarModel,
    Field(
        description="Avatar rendering model. cara-3 and cara-4 are generally available (cara-4 has higher "
        f"resolution); cara-4-latest is invite only. Default: {DEFAULT_AVATAR_MODEL}.",
    ),
]
MaxSessionLengthArg = Annotated[
    int | None,
    Field(ge=1, le=86_400, description="End the conversation after this many seconds. Default: your plan's limit."),
    BeforeValidator(_not_boolean),
]
SkipGreetingArg = Annotated[bool, Field(description="Start without the persona's opening greeting.")]
LanguageCodeArg = Annotated[
    str | None,
    BeforeValidator(_lower),
    Field(
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 speech-recognition language, e.g. 'en' or 'fr' (any case). Default: multilingual.",
    ),
]
ClientLabelArg = Annotated[
    str | None,
    Field(min_length=1, max_length=100, description="Optional label stored with the session, for your own analytics."),
]


SessionIdArg = Annotated[UUID, Field(description="ID of a session (one conversation), from list_sessions.")]
ExpiresInHoursArg = Annotated[
    int,
    Field(ge=1, le=8760, description="How many hours the link works (1-8760, default 168: one week)."),
    BeforeValidator(_not_boolean),
]
UsageLimitArg = Annotated[
    int,
    Field(ge=1, le=10_000, description="How many conversations the link allows (1-10000, default 10)."),
    BeforeValidator(_not_boolean),
]
MaxMessagesArg = Annotated[
    int,
    Field(
        ge=1, le=1000, description="Most messages to return, from the start of the conversation (1-1000, default 200)."
    ),
    BeforeValidator(_not_boolean),
]


class PersonaSearch(Arguments):
    query: QueryArg = None
    limit: LimitArg = 20
    refresh: RefreshArg = False


class AvatarSearch(PersonaSearch):
    stock_only: Annotated[bool, Field(description="Only Anam's stock avatars, not your own.")] = False


class VoiceSearch(PersonaSearch):
    query: Annotated[
        str | None,
        Field(
            max_length=200,
            description="Text to look for in the voice name or description (e.g. 'british', 'calm'); "
            "case- and accent-insensitive. Omit to list everything that passes the filters.",
        ),
    ] = None
    gender: GenderArg = None
    country: CountryArg = None
    provider: ProviderArg = None


class LlmSearch(Arguments):
    query: QueryArg = None
    refresh: RefreshArg = False


class PersonaRef(Arguments):
    """A saved persona, by id."""

    persona_id: SavedPersonaIdArg


class ShareLinkRequest(PersonaRef):
    expires_in_hours: ExpiresInHoursArg = 168
    usage_limit: UsageLimitArg = 10

    def body(self) -> dict[str, Any]:
        """The JSON body for POST /v1/share-links."""
        return self.model_dump(mode="json", by_alias=True)


class SessionList(Arguments):
    persona_id: Annotated[
        UUID | None,
        Field(
            description="Only this saved persona's sessions (id from search_personas or save_persona). Omit for all."
        ),
    ] = None
    limit: LimitArg = 20


class TranscriptRequest(Arguments):
    session_id: SessionIdArg
    max_messages: MaxMessagesArg = 200
