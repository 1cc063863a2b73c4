"""The persona configuration, defined once: what an ephemeral session token carries, a saved persona stores,
and (later) a meeting invite sends. Also the LLM a persona gets when llm_id is left out.

Field names are the tools' argument names; `body()` gives the camelCase object Anam expects, with absent
fields left out (Anam wants a field omitted rather than null).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Self, TypeVar
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, create_model
from pydantic.fields import FieldInfo

from ..accounts import Account
from ..api.catalogue import AVATARS, LLMS, Avatar, Llm
from ..constants import (
    DEFAULT_AVATAR_ID,
    DEFAULT_AVATAR_MODEL,
    DEFAULT_VOICE_ID,
    LLM_ID_PATTERN,
    MAX_SYSTEM_PROMPT_CHARS,
    AvatarModel,
)
from .arguments import Arguments, Format, Supplier, lower
from .context import AppContext
from .toolkit import guarded

__all__ = [
    "LlmChoice",
    "PersonaConfig",
    "all_optional",
    "as_output",
    "check_avatar_model",
    "choose_default_llm",
    "complete",
    "defaults_text",
]

ArgumentsT = TypeVar("ArgumentsT", bound=Arguments)

_PERSONA_NAME = Field(min_length=1, max_length=100, description="The persona's name.")
NameArg = Annotated[str | None, _PERSONA_NAME]
PersonaNameArg = Annotated[str, _PERSONA_NAME]
AvatarIdArg = Annotated[
    UUID | None,
    Field(description="Avatar (face), from search_avatars. Default: stock Cara."),
    Supplier("search_avatars"),
]
VoiceIdArg = Annotated[
    UUID | None, Field(description="Voice, from search_voices. Default: stock Cara."), Supplier("search_voices")
]


def _llm_id(value: str) -> str:
    # Checked here rather than as a schema pattern: the regex would cost every conversation 120 bytes of context.
    if not re.fullmatch(LLM_ID_PATTERN, value):
        raise ValueError("must be an LLM id (a UUID) or CUSTOMER_CLIENT_V1 (get one from list_llms)")
    return value


LlmIdArg = Annotated[
    str | None,
    Field(description="LLM, from list_llms; CUSTOMER_CLIENT_V1 turns Anam's LLM off. Default: GPT-4o-mini."),
    AfterValidator(_llm_id),
]
SystemPromptArg = Annotated[
    str | None, Field(min_length=1, max_length=MAX_SYSTEM_PROMPT_CHARS, description="Personality and instructions.")
]
AvatarModelArg = Annotated[
    AvatarModel,
    Field(description="One the avatar supports (available_models). cara-4: sharper; cara-4-latest: invite only."),
]
SkipGreetingArg = Annotated[bool, Field(description="Start without the opening greeting.")]
LanguageCodeArg = Annotated[
    str | None,
    BeforeValidator(lower),
    Field(pattern=r"^[a-z]{2}$", description="Speech language (ISO 639-1), e.g. en. Default: multilingual."),
    Format("a two-letter ISO 639-1 language code such as en or fr"),
]

# The fields a new persona gets a stock value for when they are left out, in the order they are reported.
_DEFAULTED = ("avatar_id", "voice_id", "llm_id")


class PersonaConfig(Arguments):
    """How a persona looks, sounds and thinks."""

    name: NameArg = None
    avatar_id: AvatarIdArg = None
    voice_id: VoiceIdArg = None
    system_prompt: SystemPromptArg = None
    llm_id: LlmIdArg = None
    avatar_model: AvatarModelArg = DEFAULT_AVATAR_MODEL
    skip_greeting: SkipGreetingArg = False
    language_code: LanguageCodeArg = None

    def with_defaults(self, llm_id: str | None, avatar: Avatar | None = None) -> tuple[Self, list[str]]:
        """A copy with the stock avatar and voice, and `llm_id`, where these were left out; and which were.

        `avatar` is the chosen avatar's record when it is known: an avatar_model it does not support is
        refused when the caller chose it, and replaced when it was the default.
        """
        defaults: dict[str, Any] = {"avatar_id": DEFAULT_AVATAR_ID, "voice_id": DEFAULT_VOICE_ID, "llm_id": llm_id}
        missing = [name for name in _DEFAULTED if getattr(self, name) is None and defaults[name] is not None]
        update = {name: defaults[name] for name in missing}
        chosen = "avatar_model" in self.model_fields_set
        model = check_avatar_model(avatar, self.avatar_model, chosen=chosen)
        if model != self.avatar_model:
            update["avatar_model"] = model
            missing.append("avatar_model")
        return self.model_copy(update=update), missing

    def body(self) -> dict[str, Any]:
        """The camelCase object Anam expects, without the fields that are not set."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def check_avatar_model(avatar: Avatar | None, model: str, *, chosen: bool) -> str:
    """The avatar model to use with `avatar` (None: not known, so `model` stands).

    A model the avatar does not support is refused when the caller chose it (a ToolError that says which it
    supports), and replaced by the avatar's first when it was only the default.
    """
    if avatar is None or avatar.supports(model):
        return model
    if chosen:
        supported = avatar.available_models
        which = f"only {supported[0]}: use that" if len(supported) == 1 else f"{_either(supported)}: use one of those"
        raise ToolError(
            f"avatar_model {model} is not supported by the avatar {avatar.display_name} ({avatar.id}): it "
            f"supports {which}, or pick another avatar with search_avatars."
        )
    return avatar.available_models[0]


def _either(names: Sequence[str]) -> str:
    """ "a and b", "a, b and c"."""
    return f"{', '.join(names[:-1])} and {names[-1]}"


def all_optional(model: type[ArgumentsT], name: str, doc: str) -> type[ArgumentsT]:
    """`model` with every field optional and absent by default, for an update where absent means unchanged.

    Types, constraints and descriptions are the model's own; a description's "Default: ..." sentence is
    dropped, since a left-out field keeps its current value instead.
    """
    fields: dict[str, Any] = {}
    for field_name, field in model.model_fields.items():
        description = (field.description or "").split(" Default:")[0]
        optional = FieldInfo.merge_field_infos(field, default=None, description=description)
        annotation: Any = field.annotation
        fields[field_name] = (annotation | None, optional)
    return create_model(name, __base__=model, __doc__=doc, __module__=model.__module__, **fields)


def as_output(model: type[BaseModel], name: str) -> type[BaseModel]:
    """A result model with `model`'s fields and types but none of its input rules (no closed object, no
    constraints, no descriptions): what a tool reports back, not what it accepts."""
    fields: dict[str, Any] = {
        field_name: (field.annotation, None if field.is_required() else field.default)
        for field_name, field in model.model_fields.items()
    }
    return create_model(name, __doc__=model.__doc__, __module__=model.__module__, **fields)


_USUAL_DEFAULT = "the usual default"


class LlmChoice(BaseModel):
    """Which LLM a persona gets when llm_id is left out, and why."""

    id: str | None = Field(description="The llm_id used; null when Anam chooses.")
    display_name: str | None
    reason: str = Field(description="Why this one.")

    def text(self) -> str:
        """The choice in a sentence, for list_llms' summary."""
        return f"Without llm_id, a persona gets {self.display_name or 'the LLM Anam chooses'} ({self.reason})."

    def label(self) -> str:
        """How a summary's defaults name this LLM: "GPT-4o mini", with the reason unless it is the usual one."""
        name = self.display_name or self.id or "chosen by Anam"
        return name if self.reason == _USUAL_DEFAULT else f"{name}, {self.reason}"


def defaults_text(defaults: Sequence[str], choice: LlmChoice | None) -> str:
    """The arguments filled with a default, the LLM named once: "avatar_id, voice_id, llm_id (GPT-4o mini)"."""
    return ", ".join(f"llm_id ({choice.label()})" if name == "llm_id" and choice else name for name in defaults)


def _squash(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def choose_default_llm(llms: Sequence[Llm], configured: str | None) -> LlmChoice:
    """The LLM for a persona without llm_id, from the account's LLMs.

    In order: ANAM_DEFAULT_LLM_ID when set; else GPT-4o-mini (the card's default, matched loosely by name or
    model); else the LLM Anam marks as default; else none, and Anam chooses.
    """
    if configured is not None:
        named = next((m.display_name for m in llms if m.id == configured), None)
        return LlmChoice(id=configured, display_name=named, reason="set by ANAM_DEFAULT_LLM_ID")
    for llm in llms:
        if any(_squash(name).startswith("gpt4omini") for name in (llm.display_name, llm.model_name)):
            return LlmChoice(id=llm.id, display_name=llm.display_name, reason=_USUAL_DEFAULT)
    marked = next((m for m in llms if m.is_built_in), None)
    if marked is not None:
        return LlmChoice(id=marked.id, display_name=marked.display_name, reason="marked as default by Anam")
    return LlmChoice(id=None, display_name=None, reason="no GPT-4o-mini or default LLM found, so Anam chooses")


PersonaT = TypeVar("PersonaT", bound=PersonaConfig)


async def complete(
    app: AppContext, account: Account, persona: PersonaT
) -> tuple[PersonaT, LlmChoice | None, list[str]]:
    """`persona` with the defaults filled in, the LLM chosen for it (if llm_id was left out), and which were.

    An avatar_model the avatar does not support is refused before anything is sent, when the avatar is in
    the loaded catalogue.
    """
    choice = None
    if persona.llm_id is None:
        llms = await guarded(app, account.catalogs.search(LLMS, None))
        choice = choose_default_llm(llms.items, app.settings.default_llm_id)
    avatar = account.catalogs.of(AVATARS).cached(str(persona.avatar_id)) if persona.avatar_id else None
    completed, defaults = persona.with_defaults(choice.id if choice else None, avatar)
    return completed, choice, defaults
