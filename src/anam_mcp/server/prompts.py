"""Prompts: guided flows an assistant can start from the client's prompt menu."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver.prompts import Prompt
from pydantic import Field

from ..texts import IMPROVE_PROMPT, SETUP_PROMPT

__all__ = ["prompts"]


def set_up_persona_session(
    persona: Annotated[
        str, Field(description="What the persona should be like, e.g. 'a calm British museum guide'.")
    ] = "a friendly assistant",
) -> str:
    """Walk through choosing an avatar, a voice and an LLM, minting a session token, and using it in a page."""
    return SETUP_PROMPT.format(persona=persona)


def improve_persona(
    persona_id: Annotated[UUID, Field(description="ID of the saved persona to improve (from search_personas).")],
) -> str:
    """Read the persona's latest conversations, propose a better system prompt as a diff, apply it once agreed."""
    return IMPROVE_PROMPT.format(persona_id=persona_id)


def prompts() -> list[Prompt]:
    return [
        Prompt.from_function(set_up_persona_session, title="Set up an Anam persona session"),
        Prompt.from_function(improve_persona, title="Improve an Anam persona from its conversations"),
    ]
