"""A saved persona as the personas toolset shows it (get_persona, update_persona): what Anam holds, with its
share links as addresses a person can open and its persona tools by name and type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from pydantic import BaseModel, Field

from ...api.personas import PersonaDetail, ShareLink

__all__ = ["PersonaView"]


class AvatarSummary(BaseModel):
    id: str | None
    display_name: str | None
    image_url: str | None


class VoiceSummary(BaseModel):
    id: str | None
    display_name: str | None


class PersonaToolSummary(BaseModel):
    id: str
    name: str
    type: str = Field(description="webhook, knowledge, client or system.")


class ShareLinkUsage(BaseModel):
    used: int | None = Field(description="Conversations started through the link so far.")
    limit: int | None = Field(description="Conversations the link allows; null for no limit.")


class ShareLinkItem(BaseModel):
    url: str | None = Field(description="Open in a browser to talk to the persona.")
    expires_at: str | None = Field(description="When the link stops working; null if it never does.")
    usage: ShareLinkUsage

    @classmethod
    def of(cls, link: ShareLink, share_url: Callable[[str], str]) -> Self:
        return cls(
            url=share_url(link.token) if link.token else None,
            expires_at=link.expires_at,
            usage=ShareLinkUsage(used=link.usage_count, limit=link.usage_limit),
        )


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
    language_code: str | None = Field(description="Speech language; null follows the organisation.")
    share_links: list[ShareLinkItem] | None
    tools: list[PersonaToolSummary] | None = Field(description="The persona tools it may call.")

    @classmethod
    def of(cls, persona: PersonaDetail, share_url: Callable[[str], str]) -> Self:
        """The view of `persona`; `share_url` turns a share link's token into its address."""
        avatar, voice, links = persona.avatar, persona.voice, persona.share_links
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
            share_links=None if links is None else [ShareLinkItem.of(link, share_url) for link in links],
            tools=None
            if persona.tools is None
            else [PersonaToolSummary(id=t.id, name=t.name, type=t.kind) for t in persona.tools],
        )

    def summary(self, persona: PersonaDetail) -> str:
        """One line: the persona's name, avatar, voice, how many share links it has and its persona tools."""
        parts = [f"avatar {persona.avatar_name}" if persona.avatar_name else None]
        parts.append(f"voice {persona.voice_name}" if persona.voice_name else None)
        count = len(self.share_links or [])
        parts.append(f"{count} share link{'' if count == 1 else 's'}")
        if self.tools:
            parts.append("persona tools " + ", ".join(f"{tool.name} ({tool.type})" for tool in self.tools))
        return f"Persona {self.name or '(unnamed)'!r}: {', '.join(p for p in parts if p)}."
