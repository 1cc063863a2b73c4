"""The persona configuration, defined once: what an ephemeral session token carries and a saved persona stores.

Field names are the tools' argument names; `body()` gives the camelCase object Anam expects, with absent
fields left out (Anam wants a field omitted rather than null).
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from pydantic import create_model
from pydantic.fields import FieldInfo

from .arguments import (
    Arguments,
    AvatarIdArg,
    AvatarModelArg,
    LanguageCodeArg,
    LlmIdArg,
    NameArg,
    SkipGreetingArg,
    SystemPromptArg,
    VoiceIdArg,
)
from .constants import DEFAULT_AVATAR_ID, DEFAULT_AVATAR_MODEL, DEFAULT_VOICE_ID

__all__ = ["PersonaConfig", "all_optional"]

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

    def with_defaults(self, llm_id: str | None) -> tuple[Self, list[str]]:
        """A copy with the stock avatar and voice, and `llm_id`, where these were left out; and which were."""
        defaults = {"avatar_id": DEFAULT_AVATAR_ID, "voice_id": DEFAULT_VOICE_ID, "llm_id": llm_id}
        missing = [name for name in _DEFAULTED if getattr(self, name) is None and defaults[name] is not None]
        return self.model_copy(update={name: defaults[name] for name in missing}), missing

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
