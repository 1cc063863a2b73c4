"""The catalogue tools: search avatars, voices and saved personas, and list the LLMs."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult

from ..arguments import AvatarSearch, LlmSearch, PersonaSearch, VoiceSearch
from ..results import AvatarSearchResult, LlmListResult, PersonaSearchResult, VoiceSearchResult
from .context import AppContext, app_of
from .toolkit import READ_ONLY, guarded, model_tool, progress, search_result

__all__ = ["search_tools"]


async def search_avatars(ctx: Context[AppContext], args: AvatarSearch) -> Annotated[CallToolResult, AvatarSearchResult]:
    """Find avatars (the face of a persona) by name or variant, across the whole catalogue.

    Use it to get an avatar_id for create_session_token. Matching ignores case and accents
    ("zoe" finds "Zoë"); best matches come first (exact name, then prefix, then substring).
    Returns total (all matches) and up to `limit` items with id, display_name, variant_name,
    is_stock, image_url and the avatar models each supports.
    """
    app = app_of(ctx)
    search = app.catalogs.search_avatars(
        args.query, stock_only=args.stock_only, refresh=args.refresh, on_progress=progress(ctx, "avatars")
    )
    found = await guarded(app, search)
    return search_result(AvatarSearchResult.of(found.items, args.limit, found.note), args.query)


async def search_voices(ctx: Context[AppContext], args: VoiceSearch) -> Annotated[CallToolResult, VoiceSearchResult]:
    """Find voices for a persona across Anam's whole voice catalogue (hundreds of voices).

    Use it to get a voice_id for create_session_token. `query` matches the name (ranked: exact,
    prefix, word, substring) and also the description; gender, country and provider filter exactly.
    Returns total (all matches) and up to `limit` items with id, display_name, gender, country,
    provider, description and sample_url (an audio preview).
    """
    app = app_of(ctx)
    search = app.catalogs.search_voices(
        args.query,
        gender=args.gender,
        country=args.country,
        provider=args.provider,
        refresh=args.refresh,
        on_progress=progress(ctx, "voices"),
    )
    found = await guarded(app, search)
    return search_result(VoiceSearchResult.of(found.items, args.limit, found.note), args.query)


async def search_personas(
    ctx: Context[AppContext], args: PersonaSearch
) -> Annotated[CallToolResult, PersonaSearchResult]:
    """Find personas saved in your Anam account (built in Anam Lab or through the API) by name or description.

    A saved persona already has its avatar, voice, LLM and prompt; pass its id as persona_id to
    create_session_token. This is the setup Anam recommends for production.
    """
    app = app_of(ctx)
    found = await guarded(app, app.catalogs.search_personas(args.query, refresh=args.refresh))
    return search_result(PersonaSearchResult.of(found.items, args.limit, found.note), args.query)


async def list_llms(ctx: Context[AppContext], args: LlmSearch) -> Annotated[CallToolResult, LlmListResult]:
    """List the LLMs (the persona's brain) available to your account: Anam's built-in ones and your own.

    Pass an id as llm_id to create_session_token. is_server_default marks the one used when llm_id is
    left out.
    """
    app = app_of(ctx)
    found = await guarded(app, app.catalogs.list_llms(args.query, refresh=args.refresh))
    listed = LlmListResult.of(found.items, len(found.items), found.note).marking_default(app.settings.default_llm_id)
    return search_result(listed, args.query)


def search_tools() -> list[Tool]:
    return [
        model_tool(search_avatars, "Search Anam avatars", READ_ONLY),
        model_tool(search_voices, "Search Anam voices", READ_ONLY),
        model_tool(search_personas, "Search saved Anam personas", READ_ONLY),
        model_tool(list_llms, "List Anam LLMs", READ_ONLY),
    ]
