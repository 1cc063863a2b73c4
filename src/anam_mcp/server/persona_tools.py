"""The persona lifecycle: save a persona, read it, change it, delete it, and share a link to talk to it.

A saved, changed or deleted persona is dropped from the cached personas list at once, so search_personas
shows the change on its next call.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import AcceptedElicitation, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ..arguments import PersonaRef, ShareLinkRequest
from ..persona import PersonaUpdate, SavedPersona, UnsupportedAvatarModelError
from ..results import DeletePersonaResult, PersonaView, SavePersonaResult, ShareLinkResult, UpdatePersonaResult
from ..texts import (
    PERSONA_HINTS,
    SAVE_HINTS,
    UPDATE_HINTS,
    default_llm_text,
    delete_question,
    deleted_summary,
    persona_summary,
    saved_summary,
    share_link_summary,
    updated_summary,
)
from .context import AppContext, app_of
from .session_tools import complete
from .toolkit import CREATES, DESTRUCTIVE, READ_ONLY, can_elicit, guarded, model_tool, result

__all__ = ["persona_tools"]


async def save_persona(ctx: Context[AppContext], args: SavedPersona) -> Annotated[CallToolResult, SavePersonaResult]:
    """Save a persona in your Anam account, to keep it, share it and improve it later.

    Takes the fields of an ephemeral persona in create_session_token, plus a required name and an optional
    description: avatar_id (from search_avatars), voice_id (from search_voices), llm_id (from list_llms),
    system_prompt, avatar_model, skip_greeting, language_code. Left-out avatar_id and voice_id default to
    Anam's stock Cara avatar and voice, a left-out llm_id to the account's GPT-4o-mini; defaults_applied
    says which were used. Returns persona_id: pass it to create_share_link (a URL to talk to the persona in
    a browser), create_session_token, get_persona or update_persona. Each call creates a new persona: to
    change one, use update_persona.
    """
    app = app_of(ctx)
    account = app.account()
    persona, choice, defaults = await complete(app, account, args)
    saved = await guarded(app, account.client.create_persona(persona.body()), SAVE_HINTS)
    account.catalogs.personas.invalidate()
    made = SavePersonaResult(
        persona_id=saved.id,
        name=saved.name or persona.name,
        persona_config=SavedPersona.model_validate(dict(persona)),
        default_llm=choice,
        defaults_applied=defaults,
    )
    llm = default_llm_text(choice)
    return result(made, saved_summary(made.name, made.persona_id, defaults, llm))


async def get_persona(ctx: Context[AppContext], args: PersonaRef) -> Annotated[CallToolResult, PersonaView]:
    """Read a saved persona in full: name, description, system_prompt, avatar, voice, llm_id, avatar_model,
    skip_greeting, language_code, and its share links (url, expires_at, usage).

    persona_id comes from search_personas or save_persona. Call it before update_persona to see the current
    system prompt, or to find a share link already made.
    """
    app = app_of(ctx)
    account = app.account()
    persona = await guarded(app, account.client.get_persona(args.persona_id), PERSONA_HINTS)
    view = PersonaView.of(persona, app.settings.share_url)
    links = len(view.share_links or [])
    return result(view, persona_summary(view.name, persona.avatar_name, persona.voice_name, links))


async def update_persona(
    ctx: Context[AppContext], args: PersonaUpdate
) -> Annotated[CallToolResult, UpdatePersonaResult]:
    """Change a saved persona: pass persona_id (from search_personas or save_persona) and only the fields to
    change; every field left out keeps its value. At least one field to change is required.

    The fields given overwrite the old values: read them first with get_persona when they matter (e.g. to
    edit a system_prompt rather than replace it). Ids come from search_avatars (avatar_id), search_voices
    (voice_id) and list_llms (llm_id). Returns the fields changed and the persona as Anam now holds it.
    """
    app = app_of(ctx)
    account = app.account()
    avatar = account.catalogs.avatars.cached(str(args.avatar_id)) if args.avatar_id else None
    if avatar is not None and args.avatar_model is not None and not avatar.supports(args.avatar_model):
        raise ToolError(str(UnsupportedAvatarModelError(avatar, args.avatar_model)))
    updated = await guarded(app, account.client.update_persona(args.persona_id, args.body()), UPDATE_HINTS)
    account.catalogs.personas.invalidate()
    view = PersonaView.of(updated, app.settings.share_url)
    changed = args.changed()
    made = UpdatePersonaResult(persona_id=str(args.persona_id), changed=changed, persona=view)
    return result(made, updated_summary(view.name, changed))


class DeleteConfirmation(BaseModel):
    """The user's answer before a persona is deleted."""

    confirm: bool = Field(title="Delete it", description="Yes to delete the persona for good.")


async def _confirm_deletion(
    ctx: Context[AppContext], args: PersonaRef
) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
    """Ask the user to confirm, naming the persona. A client that cannot ask gets a yes: the tool is marked
    destructive, so the host asks instead."""
    if not can_elicit(ctx):
        return DeleteConfirmation(confirm=True)
    app = app_of(ctx)
    account = app.account()
    persona = await guarded(app, account.client.get_persona(args.persona_id), PERSONA_HINTS)
    return Elicit(delete_question(persona.name, str(args.persona_id)), DeleteConfirmation)


async def delete_persona(
    ctx: Context[AppContext],
    args: PersonaRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_confirm_deletion)],
) -> Annotated[CallToolResult, DeletePersonaResult]:
    """Delete a saved persona from your Anam account for good. It cannot be undone.

    persona_id comes from search_personas or save_persona. When the client supports it, the user is asked
    to confirm first, by the persona's name; if they say no, nothing is deleted and deleted is false (not
    an error: do not call again unless they ask).
    """
    app = app_of(ctx)
    account = app.account()
    persona_id = str(args.persona_id)
    if not (isinstance(answer, AcceptedElicitation) and answer.data.confirm):
        return result(DeletePersonaResult(persona_id=persona_id, deleted=False), deleted_summary(persona_id, False))
    await guarded(app, account.client.delete_persona(args.persona_id), PERSONA_HINTS)
    account.catalogs.personas.invalidate()
    return result(DeletePersonaResult(persona_id=persona_id, deleted=True), deleted_summary(persona_id, True))


async def create_share_link(
    ctx: Context[AppContext], args: ShareLinkRequest
) -> Annotated[CallToolResult, ShareLinkResult]:
    """Create a link where anyone can talk to a saved persona in a web browser: the fastest way for the user
    to try a persona, with no code. Give the user the url to open.

    persona_id comes from save_persona or search_personas. The link works for expires_in_hours (default
    168, one week) and for usage_limit conversations (default 10). Afterwards, list_sessions and
    get_session_transcript show how the conversations went.
    """
    app = app_of(ctx)
    account = app.account()
    link = await guarded(app, account.client.create_share_link(args.body()), PERSONA_HINTS)
    made = ShareLinkResult(
        url=app.settings.share_url(link.token),
        share_link_id=link.id,
        expires_at=link.expires_at,
        usage_limit=link.usage_limit,
    )
    return result(made, share_link_summary(made.url, made.expires_at, made.usage_limit))


def persona_tools() -> list[Tool]:
    return [
        model_tool(save_persona, "Save an Anam persona", CREATES),
        model_tool(get_persona, "Get a saved Anam persona", READ_ONLY),
        model_tool(update_persona, "Update a saved Anam persona", DESTRUCTIVE),
        model_tool(delete_persona, "Delete a saved Anam persona", DESTRUCTIVE),
        model_tool(create_share_link, "Create an Anam share link", CREATES),
    ]
