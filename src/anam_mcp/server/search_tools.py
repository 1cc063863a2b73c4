"""The catalogue tools: search avatars, voices and saved personas, and list the LLMs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult

from ..arguments import AvatarSearch, LlmSearch, PersonaSearch, VoiceSearch
from ..catalog import Matches
from ..persona import choose_default_llm
from ..results import AvatarSearchResult, LlmListResult, PersonaSearchResult, SearchResult, VoiceSearchResult
from ..texts import COUNTRY_FIXES, default_llm_text, no_match_text
from .context import AppContext, app_of
from .toolkit import READ_ONLY, guarded, model_tool, progress, search_result
from .views import GALLERY_URI, VOICES_URI, ui_meta

__all__ = ["search_tools"]

_Search = Callable[..., Awaitable[Matches[Any]]]
_ResultT = TypeVar("_ResultT", bound=SearchResult[Any])


async def search_avatars(ctx: Context[AppContext], args: AvatarSearch) -> Annotated[CallToolResult, AvatarSearchResult]:
    """Find avatars (the face of a persona) by name or variant, across the whole catalogue.

    Use it to get an avatar_id for create_session_token. Every word of `query` must match, in any
    order, ignoring case and accents ("zoe" finds "Zoë"); best matches come first (exact name, name
    prefix, word prefix, anywhere in the name, then the description). Returns total (all matches) and up
    to `limit` items with id, display_name, variant_name, is_stock, image_url and the avatar models
    (avatar_model values) each supports.
    """
    app = app_of(ctx)
    account = app.account()

    search = account.catalogs.search_avatars(
        args.query, stock_only=args.stock_only, refresh=args.refresh, on_progress=progress(ctx, "avatars")
    )
    found = await guarded(app, search)
    result = AvatarSearchResult.of(found.items, args.limit, found.note)
    criteria = {"query": args.query, "stock_only": args.stock_only}
    warm = partial(account.catalogs.search_avatars, refresh=False)
    return search_result(await _explained(result, criteria, warm), args.query)


async def search_voices(ctx: Context[AppContext], args: VoiceSearch) -> Annotated[CallToolResult, VoiceSearchResult]:
    """Find voices for a persona across Anam's whole voice catalogue (hundreds of voices).

    Use it to get a voice_id for create_session_token. Every word of `query` must match the name or the
    description, in any order (names rank first: exact, prefix, word, anywhere); gender, country and
    provider filter exactly. Returns total (all matches) and up to `limit` items with id, display_name,
    gender, country, provider, description and sample_url (an audio preview). When nothing matches, the
    note says which filter to drop or fix.
    """
    app = app_of(ctx)
    account = app.account()

    criteria = {"query": args.query, "gender": args.gender, "country": args.country, "provider": args.provider}
    search = account.catalogs.search_voices(refresh=args.refresh, on_progress=progress(ctx, "voices"), **criteria)
    found = await guarded(app, search)
    result = VoiceSearchResult.of(found.items, args.limit, found.note)
    fix = COUNTRY_FIXES.get(args.country or "")
    fixes = [f"{args.country} is not an ISO 3166-1 country code: use country={fix}"] if fix else []
    warm = partial(account.catalogs.search_voices, refresh=False)
    return search_result(await _explained(result, criteria, warm, fixes), args.query)


async def search_personas(
    ctx: Context[AppContext], args: PersonaSearch
) -> Annotated[CallToolResult, PersonaSearchResult]:
    """Find personas saved in your Anam account (built in Anam Lab or through the API) by name or description.

    A saved persona already has its avatar, voice, LLM and prompt; pass its id as persona_id to
    create_session_token. This is the setup Anam recommends for production.
    """
    app = app_of(ctx)
    account = app.account()

    found = await guarded(app, account.catalogs.search_personas(args.query, refresh=args.refresh))
    result = PersonaSearchResult.of(found.items, args.limit, found.note)
    warm = partial(account.catalogs.search_personas, refresh=False)
    return search_result(await _explained(result, {"query": args.query}, warm), args.query)


async def list_llms(ctx: Context[AppContext], args: LlmSearch) -> Annotated[CallToolResult, LlmListResult]:
    """List the LLMs (the persona's brain) available to your account: Anam's built-in ones and your own.

    Pass an id as llm_id to create_session_token. is_used_by_default marks the LLM a persona gets when
    llm_id is left out, and default_llm says why (ANAM_DEFAULT_LLM_ID, else GPT-4o-mini, else Anam's
    default).
    """
    app = app_of(ctx)
    account = app.account()
    found = await guarded(app, account.catalogs.list_llms(args.query, refresh=args.refresh))
    everything = found if not args.query else await guarded(app, account.catalogs.list_llms(None, refresh=False))
    choice = choose_default_llm(everything.items, app.settings.default_llm_id)
    listed = LlmListResult.of(found.items, len(found.items), found.note).with_default(choice)
    return search_result(listed, args.query, default_llm_text(choice))


async def _explained(
    result: _ResultT, criteria: Mapping[str, Any], search: _Search, fixes: Sequence[str] = ()
) -> _ResultT:
    """`result`, with a note on what would match when nothing did: `search` runs on the warm catalogue (no
    requests) with each criterion of `criteria` dropped in turn, then with none."""
    if result.total:
        return result

    async def count(criteria: Mapping[str, Any]) -> int:
        return len((await search(**criteria)).items)

    given = {name: value for name, value in criteria.items() if value}
    relaxed = [(f"{name} {value!r}", await count({**criteria, name: None})) for name, value in given.items()]
    everything = await count(dict.fromkeys(criteria))
    why = no_match_text(result.kind, fixes, relaxed, everything)
    return result.model_copy(update={"note": f"{result.note} {why}" if result.note else why})


def search_tools() -> list[Tool]:
    return [
        model_tool(search_avatars, "Search Anam avatars", READ_ONLY, meta=ui_meta(GALLERY_URI)),
        model_tool(search_voices, "Search Anam voices", READ_ONLY, meta=ui_meta(VOICES_URI)),
        model_tool(search_personas, "Search saved Anam personas", READ_ONLY),
        model_tool(list_llms, "List Anam LLMs", READ_ONLY),
    ]
