"""The session-token request: which persona mode, which defaults apply, and the exact JSON body sent."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "AVATAR_MODELS",
    "CONFIG_KEYS",
    "DEFAULT_AVATAR_ID",
    "DEFAULT_AVATAR_MODEL",
    "DEFAULT_VOICE_ID",
    "LLM_ID_PATTERN",
    "MAX_SYSTEM_PROMPT_CHARS",
    "AvatarIdArg",
    "AvatarModel",
    "AvatarModelArg",
    "ClientLabelArg",
    "ConflictingArgumentsError",
    "LanguageCodeArg",
    "LlmIdArg",
    "MaxSessionLengthArg",
    "NameArg",
    "PersonaIdArg",
    "SessionRequest",
    "SkipGreetingArg",
    "SystemPromptArg",
    "VoiceIdArg",
    "null_means",
]

# Anam's documented stock "Cara" avatar and the voice every Anam quickstart pairs with it.
DEFAULT_AVATAR_ID = UUID("30fa96d0-26c4-4e55-94a0-517025942e18")
DEFAULT_VOICE_ID = UUID("6bfbe25a-979d-40f3-a92b-5394170af54b")

AvatarModel = Literal["cara-3", "cara-4", "cara-4-latest"]
AVATAR_MODELS: tuple[str, ...] = ("cara-3", "cara-4", "cara-4-latest")
DEFAULT_AVATAR_MODEL: AvatarModel = "cara-3"

# A UUID, or one of Anam's legacy literals such as CUSTOMER_CLIENT_V1 (which turns Anam's LLM off).
LLM_ID_PATTERN = (
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Z][A-Z0-9_]{2,63})$"
)
MAX_SYSTEM_PROMPT_CHARS = 32_000

# Tool argument name -> personaConfig key, for the ephemeral fields.
_EPHEMERAL_KEYS = {
    "name": "name",
    "avatar_id": "avatarId",
    "avatar_model": "avatarModel",
    "voice_id": "voiceId",
    "llm_id": "llmId",
    "system_prompt": "systemPrompt",
    "max_session_length_seconds": "maxSessionLengthSeconds",
    "skip_greeting": "skipGreeting",
    "language_code": "languageCode",
}

# Every personaConfig key this server sends, by tool argument name.
CONFIG_KEYS = {"persona_id": "personaId", **_EPHEMERAL_KEYS}


class ConflictingArgumentsError(ValueError):
    """persona_id was combined with fields that only make sense for an ephemeral persona."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"persona_id cannot be combined with {', '.join(names)}: a saved persona already defines them. "
            "Either pass persona_id alone, or leave it out and describe the persona with the other arguments."
        )


PersonaIdArg = Annotated[
    UUID | None,
    Field(
        description="ID of a saved persona (from search_personas, or Anam Lab). Use alone: it cannot be combined "
        "with the ephemeral fields below.",
    ),
]
NameArg = Annotated[
    str | None, Field(min_length=1, max_length=100, description="Ephemeral mode: display name of the persona.")
]
AvatarIdArg = Annotated[
    UUID | None,
    Field(description="Ephemeral mode: avatar (face) ID from search_avatars. Default: the stock 'Cara' avatar."),
]


def null_means(default: object) -> BeforeValidator:
    """Accept an explicit null as "use the default": some clients send null for every unused argument."""
    return BeforeValidator(lambda value: default if value is None else value)


AvatarModelArg = Annotated[
    AvatarModel,
    null_means(DEFAULT_AVATAR_MODEL),
    Field(
        description="Ephemeral mode: avatar rendering model. cara-3 and cara-4 are generally available "
        "(cara-4 has higher resolution); cara-4-latest is invite only.",
    ),
]
VoiceIdArg = Annotated[
    UUID | None,
    Field(description="Ephemeral mode: voice ID from search_voices. Default: the stock 'Cara' voice."),
]
LlmIdArg = Annotated[
    str | None,
    Field(
        pattern=LLM_ID_PATTERN,
        description="Ephemeral mode: LLM ID from list_llms (a UUID), or CUSTOMER_CLIENT_V1 to turn Anam's LLM off. "
        "Default: GPT-4o-mini.",
    ),
]
SystemPromptArg = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=MAX_SYSTEM_PROMPT_CHARS,
        description="Ephemeral mode: personality and instructions for the persona's LLM.",
    ),
]
MaxSessionLengthArg = Annotated[
    int | None,
    Field(
        ge=1,
        le=86_400,
        description="Ephemeral mode: end the conversation after this many seconds. Default: your plan's limit.",
    ),
]
SkipGreetingArg = Annotated[
    bool, null_means(False), Field(description="Ephemeral mode: start without the persona's opening greeting.")
]
LanguageCodeArg = Annotated[
    str | None,
    Field(
        pattern=r"^[a-z]{2}$",
        description="Ephemeral mode: ISO 639-1 speech-recognition language, e.g. 'en' or 'fr'. Default: multilingual.",
    ),
]
ClientLabelArg = Annotated[
    str | None,
    Field(min_length=1, max_length=100, description="Optional label stored with the session, for your own analytics."),
]


class SessionRequest(BaseModel):
    """One create_session_token call, validated. Field names are the MCP tool's argument names."""

    # defer_build: built on the first token request, not while the server starts.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    persona_id: PersonaIdArg = None
    name: NameArg = None
    avatar_id: AvatarIdArg = None
    avatar_model: AvatarModelArg = DEFAULT_AVATAR_MODEL
    voice_id: VoiceIdArg = None
    llm_id: LlmIdArg = None
    system_prompt: SystemPromptArg = None
    max_session_length_seconds: MaxSessionLengthArg = None
    skip_greeting: SkipGreetingArg = False
    language_code: LanguageCodeArg = None
    client_label: ClientLabelArg = None

    @model_validator(mode="after")
    def _one_mode_only(self) -> SessionRequest:
        if self.persona_id is not None:
            conflicts = [arg for arg in _EPHEMERAL_KEYS if self._is_set(arg)]
            if conflicts:
                raise ConflictingArgumentsError(conflicts)
        return self

    def _is_set(self, arg: str) -> bool:
        value: object = getattr(self, arg)
        if arg == "avatar_model":
            return value != DEFAULT_AVATAR_MODEL
        if arg == "skip_greeting":
            return bool(value)
        return value is not None

    @property
    def mode(self) -> Literal["persona", "ephemeral"]:
        return "persona" if self.persona_id is not None else "ephemeral"

    def defaults_applied(self) -> list[str]:
        """The ephemeral arguments the caller left out and we filled in."""
        if self.mode == "persona":
            return []
        return [arg for arg in ("avatar_id", "voice_id", "llm_id") if getattr(self, arg) is None]

    def persona_config(self, default_llm_id: str) -> dict[str, Any]:
        """The `personaConfig` object, camelCase, with absent fields left out (never null)."""
        if self.persona_id is not None:
            return {"personaId": str(self.persona_id)}
        values: dict[str, Any] = {
            "name": self.name,
            "avatarId": str(self.avatar_id or DEFAULT_AVATAR_ID),
            "avatarModel": self.avatar_model,
            "voiceId": str(self.voice_id or DEFAULT_VOICE_ID),
            "llmId": self.llm_id or default_llm_id,
            "systemPrompt": self.system_prompt,
            "maxSessionLengthSeconds": self.max_session_length_seconds,
            "skipGreeting": True if self.skip_greeting else None,
            "languageCode": self.language_code,
        }
        return {key: value for key, value in values.items() if value is not None}

    def body(self, default_llm_id: str) -> dict[str, Any]:
        """The JSON body for POST /v1/auth/session-token."""
        body: dict[str, Any] = {"personaConfig": self.persona_config(default_llm_id)}
        if self.client_label is not None:
            body["clientLabel"] = self.client_label
        return body
