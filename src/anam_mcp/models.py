"""Records of the Anam REST API, parsed leniently: unknown fields are ignored, and an optional field that is
null or of the wrong type counts as absent. Only a record without a usable id is dropped.

Only the fields the server reads are declared.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "Avatar",
    "CreatedShareLink",
    "Llm",
    "Page",
    "PageMeta",
    "Persona",
    "PersonaDetail",
    "PersonaPart",
    "Record",
    "Session",
    "ShareLink",
    "Transcript",
    "TranscriptMessage",
    "Voice",
    "parse_records",
    "prepare_parsing",
]


class _AnamModel(BaseModel):
    # defer_build: validators are built on first use (the first API answer), not while the server starts.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True, defer_build=True
    )


class Record(_AnamModel):
    """Anything listed by the API: it has an id."""

    id: str = Field(min_length=1)


class Avatar(Record):
    display_name: str = ""
    variant_name: str | None = None
    image_url: str | None = None
    description: str | None = None
    created_by_organization_id: str | None = None
    available_models: list[str] = Field(default_factory=list, validation_alias="availableVersions")

    @field_validator("available_models", mode="after")
    @classmethod
    def _public_model_names(cls, versions: list[str]) -> list[str]:
        names = [_public_model_name(v) for v in versions]
        return list(dict.fromkeys(names))  # keep order, drop duplicates

    @property
    def is_stock(self) -> bool:
        return self.created_by_organization_id is None

    def supports(self, avatar_model: str) -> bool:
        """Whether this avatar renders with `avatar_model` (unknown when Anam lists no models: then yes)."""
        return not self.available_models or avatar_model in self.available_models


def _public_model_name(version: str) -> str:
    """One page of Anam's docs lists internal version ids; map them to the names avatarModel accepts."""
    if version == "v1":
        return "cara-2"
    if version == "v2":
        return "cara-3"
    if version.startswith("cara-4-") and version != "cara-4-latest":
        return "cara-4-latest"
    return version


class Voice(Record):
    display_name: str = Field(default="", validation_alias=AliasChoices("displayName", "name", "display_name"))
    provider: str | None = None
    gender: str | None = None
    country: str | None = None
    description: str | None = None
    sample_url: str | None = Field(
        default=None, validation_alias=AliasChoices("sampleUrl", "previewSampleUrl", "sample_url")
    )
    created_by_organization_id: str | None = None

    @field_validator("gender", "country", "provider", mode="after")
    @classmethod
    def _upper_codes(cls, code: str | None) -> str | None:
        return code.upper() if code else code  # an older spec had lowercase genders

    @property
    def is_stock(self) -> bool:
        return self.created_by_organization_id is None


class Llm(Record):
    display_name: str = ""
    description: str | None = None
    model_name: str | None = None
    # Anam's isDefault marks its built-in LLMs, available to every organisation.
    is_built_in: bool = Field(default=False, validation_alias="isDefault")


class PersonaPart(_AnamModel):
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


class ShareLink(_AnamModel):
    """A link where anyone can talk to a saved persona in a browser."""

    id: str | None = None
    token: str | None = None
    expires_at: str | None = None
    usage_limit: int | None = None
    usage_count: int | None = None


class CreatedShareLink(ShareLink):
    """A share link just created: without its token there is no link to give."""

    token: str = Field(min_length=1)


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

    @field_validator("share_links", mode="before")
    @classmethod
    def _objects_only(cls, links: Any) -> Any:
        return [link for link in links if isinstance(link, dict)] if isinstance(links, list) else links


class Session(Record):
    """One conversation between someone and a persona."""

    persona_id: str | None = None
    client_label: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    session_length_ms: float | None = None
    exit_status: str | None = None


class TranscriptMessage(_AnamModel):
    role: str | None = None
    # The spec says "message"; older answers and other Anam endpoints use "content" or "text".
    text: str | None = Field(default=None, validation_alias=AliasChoices("message", "content", "text"))
    timestamp: str | None = None


class Transcript(_AnamModel):
    """What was said in one session."""

    session_id: str | None = None
    persona_name: str | None = None
    start_time: str | None = None
    duration_ms: float | None = None
    total_messages: int | None = None
    transcripts_enabled: bool | None = None
    messages: list[TranscriptMessage] = Field(default_factory=list)

    @field_validator("messages", mode="before")
    @classmethod
    def _readable_messages(cls, messages: Any) -> list[TranscriptMessage]:
        """The messages that can be read; one odd entry must not hide the rest of the conversation."""
        readable: list[TranscriptMessage] = []
        for entry in messages if isinstance(messages, list) else []:
            try:
                readable.append(TranscriptMessage.model_validate(entry))
            except ValidationError:
                continue
        return readable


RecordT = TypeVar("RecordT", bound=Record)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a list page says about the whole list; a count that is not a non-negative integer is unknown."""

    total: int | None = None
    last_page: int | None = None

    @classmethod
    def read(cls, raw: object) -> PageMeta:
        if not isinstance(raw, dict):
            return cls()
        return cls(_count(raw.get("total")), _count(raw.get("lastPage")))


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    """One page of a list endpoint: its readable items, how many entries it held, and its metadata."""

    data: list[RecordT]
    meta: PageMeta
    entries: int = 0  # entries Anam sent, readable or not: a full page means more may follow
    skipped: int = 0  # entries dropped because their id was unusable
    size: int = 0  # bytes of the response


def prepare_parsing() -> None:
    """Build the record validators now (they are deferred at import, so the server starts faster)."""
    for model in (Avatar, Voice, Llm, Persona):
        _list_of(model)


@functools.cache
def _list_of(model: type[RecordT]) -> TypeAdapter[list[RecordT]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def parse_records(model: type[RecordT], raw: list[Any]) -> tuple[list[RecordT], int]:
    """The records in `raw` and how many were dropped. One validation call when all is well (the usual case)."""
    try:
        return _list_of(model).validate_python(raw), 0
    except ValidationError:
        pass
    records = [record for entry in raw if (record := _lenient(model, entry)) is not None]
    return records, len(raw) - len(records)


def _lenient(model: type[RecordT], entry: Any) -> RecordT | None:
    """`entry` as a record, with every unreadable field left out (so it takes its default); None if the id is bad."""
    while isinstance(entry, dict):
        try:
            return model.model_validate(entry)
        except ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if not bad or "id" in bad or not bad & entry.keys():
                return None
            entry = {key: value for key, value in entry.items() if key not in bad}
    return None
