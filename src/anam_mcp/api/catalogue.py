"""The catalogue area: the avatars, voices and LLMs an account can use, and the registry of catalogue kinds.

A `Kind` is one row of the registry: it names the listing endpoint, which text of a record is searched, and
whether the server warms the list up at start and serves it as a resource. The cache (catalog.py), the
warm-up and the resources are all driven by these rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, Field, field_validator

from .pages import Listing, get_page
from .records import Record
from .transport import AnamClient

__all__ = [
    "AVATARS",
    "AVATARS_PATH",
    "KINDS",
    "LLMS",
    "VOICES",
    "VOICES_PATH",
    "Avatar",
    "Kind",
    "Llm",
    "Voice",
    "count",
]

T = TypeVar("T", bound=Record)

# The avatars and voices are listed here; the media area (media.py) makes and deletes them at the same paths.
AVATARS_PATH = "/v1/avatars"
VOICES_PATH = "/v1/voices"


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


@dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    """A catalogue: its listing, the names it is searched by (ranked) and its secondary text (matched only)."""

    name: str
    listing: Listing[T]
    names: Callable[[T], Sequence[str | None]]
    secondary: Callable[[T], str | None]
    prefetch: bool = False  # loaded in the background as soon as an account is known
    resource: str | None = None  # served as anam://<name>, with this description


AVATARS: Kind[Avatar] = Kind(
    "avatars",
    Listing(AVATARS_PATH, Avatar),
    lambda a: (a.display_name, a.variant_name),
    lambda a: a.description,
    prefetch=True,
    resource="Every avatar in your Anam catalogue (stock and your own), as JSON.",
)
VOICES: Kind[Voice] = Kind(
    "voices",
    Listing(VOICES_PATH, Voice),
    lambda v: (v.display_name,),
    lambda v: v.description,
    prefetch=True,
    resource="Every voice in your Anam catalogue, as JSON.",
)
LLMS: Kind[Llm] = Kind(
    "LLMs",
    # Without includeDefaults Anam lists only the organisation's own LLMs, not the built-in ones.
    Listing("/v1/llms", Llm, {"includeDefaults": "true"}),
    lambda m: (m.display_name, m.model_name),
    lambda m: m.description,
    resource="The LLMs available to your Anam account, as JSON.",
)
KINDS: tuple[Kind[Any], ...] = (AVATARS, VOICES, LLMS)


async def count(client: AnamClient, kind: Kind[T]) -> int | None:
    """How many entries the account sees in `kind`, from one small page (None if Anam does not say)."""
    return (await get_page(client, kind.listing, page=1, per_page=1)).meta.total
