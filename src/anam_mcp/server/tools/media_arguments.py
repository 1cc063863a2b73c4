"""What the media tools take and return: one source (a path or a URL) for a photo or a clip, the ids of what
is deleted, the results, and the user's consent to clone a voice."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ...constants import AvatarModel
from ..arguments import Arguments, Format, Supplier, lower
from ..asking import YesNo

_WHERE = Field(min_length=1, max_length=4096)  # a path or a URL


class _OneSource(Arguments):
    """Arguments that name one file, by path or by URL (`_SOURCE` names the two arguments)."""

    _SOURCE: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _exactly_one_source(self) -> Self:
        path, url = self._SOURCE
        if (getattr(self, path) is None) == (getattr(self, url) is None):
            raise ValueError(f"give exactly one of {path} and {url}")
        return self


class AvatarCreation(_OneSource):
    _SOURCE = ("image_path", "image_url")

    display_name: Annotated[str, Field(min_length=3, max_length=50, description="The avatar's name, 3-50 characters.")]
    image_path: Annotated[str | None, _WHERE, Field(description="A photo file on this computer (stdio only).")] = None
    image_url: Annotated[str | None, _WHERE, Field(description="A public https URL of the photo.")] = None
    avatar_model: Annotated[AvatarModel | None, Field(description="Model to make it for. Default: Anam's.")] = None


class VoiceCloning(_OneSource):
    _SOURCE = ("audio_path", "audio_url")

    name: Annotated[str, Field(min_length=1, max_length=100, description="The voice's name.")]
    audio_path: Annotated[str | None, _WHERE, Field(description="A clip on this computer (stdio only).")] = None
    audio_url: Annotated[str | None, _WHERE, Field(description="A public https URL of the clip.")] = None
    description: Annotated[str | None, Field(min_length=1, max_length=1000, description="A note on the voice.")] = None
    language: Annotated[
        str,
        BeforeValidator(lower),
        Field(pattern=r"^[a-z]{2}$", description="Language spoken in the clip (ISO 639-1)."),
        Format("a two-letter ISO 639-1 language code such as en or fr"),
    ] = "en"
    enhance: Annotated[bool, Field(description="Let Anam clean up the recording.")] = True


class AvatarRef(Arguments):
    avatar_id: Annotated[
        UUID, Field(description="An avatar you made, from search_avatars."), Supplier("search_avatars")
    ]


class VoiceRef(Arguments):
    voice_id: Annotated[UUID, Field(description="A voice you made, from search_voices."), Supplier("search_voices")]


class CreatedAvatar(BaseModel):
    avatar_id: str = Field(description="For create_session_token and save_persona.")
    display_name: str
    image_url: str | None
    available_models: list[str] = Field(description="avatar_model values it supports.")


class ClonedVoice(BaseModel):
    voice_id: str = Field(description="For create_session_token and save_persona.")
    display_name: str
    sent: Literal["inline", "presigned"] = Field(description="Inline, or through Anam's upload URL (large clips).")


class DeletedAvatar(BaseModel):
    avatar_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")


class DeletedVoice(BaseModel):
    voice_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")


class VoiceConsent(YesNo):
    """The user's word that the voice may be cloned, before anything is sent."""

    confirm: bool = Field(
        title="I have the right to clone this voice",
        description="Yes if the speaker agreed to have their voice cloned, or it is your own.",
    )
