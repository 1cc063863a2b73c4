"""What the tools return: compact, typed records with snake_case fields.

Every optional field is nullable (`X | None`), because the SDK emits unset fields as null and
strict clients check structuredContent against the output schema. Items are read from the API
records by attribute name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Generic, Literal, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

from .models import PersonaDetail, Session, ShareLink, Transcript
from .persona import LlmChoice, SavedPersona
from .session import EphemeralPersona

__all__ = [
    "AvatarItem",
    "AvatarSearchResult",
    "DeletePersonaResult",
    "LlmItem",
    "LlmListResult",
    "PersonaItem",
    "PersonaSearchResult",
    "PersonaView",
    "SavePersonaResult",
    "SearchResult",
    "SessionItem",
    "SessionListResult",
    "SessionTokenResult",
    "ShareLinkResult",
    "TranscriptResult",
    "UpdatePersonaResult",
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


class SavePersonaResult(BaseModel):
    persona_id: str = Field(
        description="The new persona's id: pass it to create_share_link, create_session_token, get_persona, "
        "update_persona or list_sessions."
    )
    name: str
    persona_config: SavedPersona = Field(description="What was saved, defaults filled in.")
    default_llm: LlmChoice | None = Field(description="The LLM chosen because llm_id was left out, and why.")
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")


class AvatarSummary(BaseModel):
    id: str | None
    display_name: str | None
    image_url: str | None


class VoiceSummary(BaseModel):
    id: str | None
    display_name: str | None


class ShareLinkUsage(BaseModel):
    used: int | None = Field(description="Conversations started through the link so far.")
    limit: int | None = Field(description="Conversations the link allows; null for no limit.")


class ShareLinkItem(BaseModel):
    url: str | None = Field(description="Open in a browser to talk to the persona.")
    expires_at: str | None = Field(description="When the link stops working; null if it never does.")
    usage: ShareLinkUsage


class PersonaView(BaseModel):
    """A saved persona as Anam holds it; each field is null when Anam leaves it out."""

    id: str
    name: str | None
    description: str | None
    system_prompt: str | None
    avatar: AvatarSummary | None
    voice: VoiceSummary | None
    llm_id: str | None
    avatar_model: str | None
    skip_greeting: bool | None
    language_code: str | None = Field(description="Speech-recognition language; null follows the organisation.")
    share_links: list[ShareLinkItem] | None

    @classmethod
    def of(cls, persona: PersonaDetail, share_url: Callable[[str], str]) -> Self:
        """The view of `persona`; `share_url` turns a share link's token into its address."""
        avatar, voice = persona.avatar, persona.voice
        links = persona.share_links
        return cls(
            id=persona.id,
            name=persona.name or None,
            description=persona.description,
            system_prompt=persona.system_prompt,
            avatar=AvatarSummary(id=avatar.id, display_name=avatar.display_name, image_url=avatar.image_url)
            if avatar
            else None,
            voice=VoiceSummary(id=voice.id, display_name=voice.display_name) if voice else None,
            llm_id=persona.llm_id,
            avatar_model=persona.avatar_model,
            skip_greeting=persona.skip_greeting,
            language_code=persona.language_code,
            share_links=None if links is None else [_share_link_item(link, share_url) for link in links],
        )


def _share_link_item(link: ShareLink, share_url: Callable[[str], str]) -> ShareLinkItem:
    return ShareLinkItem(
        url=share_url(link.token) if link.token else None,
        expires_at=link.expires_at,
        usage=ShareLinkUsage(used=link.usage_count, limit=link.usage_limit),
    )


class UpdatePersonaResult(BaseModel):
    persona_id: str
    changed: list[str] = Field(description="The fields this update set; the others kept their values.")
    persona: PersonaView = Field(description="The persona as Anam holds it now.")


class DeletePersonaResult(BaseModel):
    persona_id: str
    deleted: bool = Field(description="False when the user declined: then nothing was deleted.")


class ShareLinkResult(BaseModel):
    url: str = Field(description="Give this to the user: opened in a browser, it starts a conversation.")
    share_link_id: str | None
    expires_at: str | None = Field(description="When the link stops working; null if it never does.")
    usage_limit: int | None = Field(description="How many conversations the link allows; null for no limit.")


def _seconds(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else round(milliseconds / 1000, 1)


class SessionItem(BaseModel):
    id: str = Field(description="Pass as session_id to get_session_transcript.")
    persona_id: str | None = Field(description="The saved persona talked to; null for an ephemeral persona.")
    client_label: str | None
    started_at: str | None
    ended_at: str | None = Field(description="Null while the session is still going.")
    duration_seconds: float | None
    exit_status: str | None = Field(description="How it ended, e.g. NORMAL_EXIT or ERROR.")

    @classmethod
    def of(cls, session: Session) -> Self:
        return cls(
            id=session.id,
            persona_id=session.persona_id,
            client_label=session.client_label,
            started_at=session.start_time,
            ended_at=session.end_time,
            duration_seconds=_seconds(session.session_length_ms),
            exit_status=session.exit_status,
        )

    @property
    def label(self) -> str:
        """How a summary line names this session: when it started, and for how long."""
        length = f" ({self.duration_seconds:g} s)" if self.duration_seconds is not None else ""
        return f"{self.started_at or 'start unknown'}{length}"


class SessionListResult(BaseModel):
    total: int = Field(description="How many sessions match in all; items holds the newest, up to limit.")
    items: list[SessionItem] = Field(description="Newest first.")


class MessageItem(BaseModel):
    role: str | None = Field(description="Who spoke: user or persona.")
    text: str | None
    at: str | None = Field(description="When it was said.")


class TranscriptResult(BaseModel):
    session_id: str
    persona_name: str | None
    started_at: str | None
    duration_seconds: float | None
    total_messages: int = Field(description="Messages in the whole conversation.")
    messages: list[MessageItem] = Field(description="In the order they were said, from the start.")
    note: str | None = Field(description="Set when the messages were cut to max_messages or transcripts are off.")

    @classmethod
    def of(cls, transcript: Transcript, session_id: str, max_messages: int, note: str | None) -> Self:
        """The first `max_messages` messages of `transcript`, with `note` about them."""
        return cls(
            session_id=transcript.session_id or session_id,
            persona_name=transcript.persona_name,
            started_at=transcript.start_time,
            duration_seconds=_seconds(transcript.duration_ms),
            total_messages=max(transcript.total_messages or 0, len(transcript.messages)),
            messages=[
                MessageItem(role=m.role, text=m.text, at=m.timestamp) for m in transcript.messages[:max_messages]
            ],
            note=note,
        )
