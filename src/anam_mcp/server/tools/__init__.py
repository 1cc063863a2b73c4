"""The tools, one module per API area; each module's TOOLSET is registered here, once, in serving order."""

from __future__ import annotations

from ..toolsets import Toolset
from . import catalogue, history, knowledge, media, meetings, persona_tools, personas, sessions, share_links

__all__ = ["TOOLSETS"]

TOOLSETS: tuple[Toolset, ...] = (
    catalogue.TOOLSET,
    personas.TOOLSET,
    sessions.TOOLSET,
    history.TOOLSET,
    share_links.TOOLSET,
    knowledge.TOOLSET,
    persona_tools.TOOLSET,
    media.TOOLSET,
    meetings.TOOLSET,
)
