"""The persona configuration, defined once: what an ephemeral session token carries and a saved persona stores.

Field names are the tools' argument names; `body()` gives the camelCase object Anam expects, with absent
fields left out (Anam wants a field omitted rather than null).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

from pydantic import BaseModel, Field, create_model, model_validator
from pydantic.fields import FieldInfo

from .arguments import (
    Arguments,
    AvatarIdArg,
    AvatarModelArg,
    DescriptionArg,
    LanguageCodeArg,
    LlmIdArg,
    NameArg,
    PersonaNameArg,
    SavedPersonaIdArg,
    SkipGreetingArg,
    SystemPromptArg,
    VoiceIdArg,
)
from .constants import DEFAULT_AVATAR_ID, DEFAULT_AVATAR_MODEL, DEFAULT_VOICE_ID
from .models import Avatar, Llm

__all__ = [
    "LlmChoice",
    "PersonaConfig",
    "PersonaUpdate",
    "SavedPersona",
    "UnsupportedAvatarModelError",
    "all_optional",
    "choose_default_llm",
]

ArgumentsT = TypeVar("ArgumentsT", bound=Arguments)

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
        refused (UnsupportedAvatarModelError) when the caller chose it, and replaced when it was the default.
        """
        defaults: dict[str, Any] = {"avatar_id": DEFAULT_AVATAR_ID, "voice_id": DEFAULT_VOICE_ID, "llm_id": llm_id}
        missing = [name for name in _DEFAULTED if getattr(self, name) is None and defaults[name] is not None]
        update = {name: defaults[name] for name in missing}
        if avatar is not None and not avatar.supports(self.avatar_model):
            if "avatar_model" in self.model_fields_set:
                raise UnsupportedAvatarModelError(avatar, self.avatar_model)
            update["avatar_model"] = avatar.available_models[0]
            missing.append("avatar_model")
        return self.model_copy(update=update), missing

    def body(self) -> dict[str, Any]:
        """The camelCase object Anam expects, without the fields that are not set."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


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


class SavedPersona(PersonaConfig):
    """A persona kept in the account (save_persona's arguments): the configuration, a name and a description."""

    name: PersonaNameArg
    description: DescriptionArg = None


if TYPE_CHECKING:  # a type checker cannot follow a class built at run time: it sees the fields' own types
    _PersonaChanges = SavedPersona
else:
    _PersonaChanges = all_optional(
        SavedPersona, "PersonaChanges", "A saved persona's fields, each optional: left out means unchanged."
    )


class PersonaUpdate(_PersonaChanges):
    """update_persona's arguments: which persona, and only the fields to change."""

    persona_id: SavedPersonaIdArg

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.changed():
            fields = ", ".join(SavedPersona.model_fields)
            raise ValueError(f"nothing to change: pass persona_id and at least one of {fields}")
        return self

    def changed(self) -> list[str]:
        """The fields this update sets, in declaration order."""
        return [name for name in SavedPersona.model_fields if getattr(self, name) is not None]

    def body(self) -> dict[str, Any]:
        """The JSON body for PUT /v1/personas/{id}: only the fields to change, camelCase, no nulls."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"persona_id"})


class UnsupportedAvatarModelError(ValueError):
    """The caller asked for an avatar_model the chosen avatar does not support."""

    def __init__(self, avatar: Avatar, model: str) -> None:
        super().__init__(
            f"avatar_model {model} is not supported by the avatar {avatar.display_name} ({avatar.id}): it supports "
            f"{', '.join(avatar.available_models)}. Pass one of those, or pick another avatar with search_avatars."
        )


class LlmChoice(BaseModel):
    """Which LLM a persona gets when llm_id is left out, and why."""

    id: str | None = Field(description="The llm_id used; null when Anam chooses.")
    display_name: str | None
    reason: str = Field(description="Why this one.")


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
            return LlmChoice(id=llm.id, display_name=llm.display_name, reason="GPT-4o-mini, the usual default")
    marked = next((m for m in llms if m.is_built_in), None)
    if marked is not None:
        return LlmChoice(id=marked.id, display_name=marked.display_name, reason="marked as default by Anam")
    return LlmChoice(id=None, display_name=None, reason="no GPT-4o-mini or default LLM found, so Anam chooses")
