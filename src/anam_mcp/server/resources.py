"""Resources: the cached catalogues as JSON, read from the same cache the tools search (the caller's)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resources import FunctionResource, Resource

from ..catalog import Matches
from ..persona import choose_default_llm
from ..results import AvatarSearchResult, LlmListResult, SearchResult, VoiceSearchResult
from .context import AppContext
from .toolkit import guarded

__all__ = ["catalogue_resources"]

_Read = Callable[[AppContext], Awaitable[SearchResult[Any]]]


async def _avatars(app: AppContext) -> SearchResult[Any]:
    found = await app.account().catalogs.search_avatars(None, stock_only=False, refresh=False)
    return AvatarSearchResult.of(found.items, len(found.items), found.note)


async def _voices(app: AppContext) -> SearchResult[Any]:
    found = await app.account().catalogs.search_voices(None, gender=None, country=None, provider=None, refresh=False)
    return VoiceSearchResult.of(found.items, len(found.items), found.note)


async def _llms(app: AppContext) -> SearchResult[Any]:
    found: Matches[Any] = await app.account().catalogs.list_llms(None, refresh=False)
    choice = choose_default_llm(found.items, app.settings.default_llm_id)
    return LlmListResult.of(found.items, len(found.items), found.note).with_default(choice)


_CATALOGUES: tuple[tuple[str, str, str, _Read], ...] = (
    ("anam://avatars", "Anam avatars", "Every avatar in your Anam catalogue (stock and your own), as JSON.", _avatars),
    ("anam://voices", "Anam voices", "Every voice in your Anam catalogue, as JSON.", _voices),
    ("anam://llms", "Anam LLMs", "The LLMs available to your Anam account, as JSON.", _llms),
)


def _reader(app: AppContext, read: _Read) -> Callable[[], Awaitable[str]]:
    # Static resources get no Context, so the handler holds the server's state itself.
    async def handler() -> str:
        try:
            found = await guarded(app, read(app))
        except ToolError as exc:
            raise ResourceError(str(exc)) from exc
        return json.dumps([item.model_dump(mode="json") for item in found.items], ensure_ascii=False)

    return handler


def catalogue_resources(app: AppContext) -> list[Resource]:
    return [
        FunctionResource.from_function(
            _reader(app, read),
            uri=uri,
            name=uri.removeprefix("anam://"),
            title=title,
            description=description,
            mime_type="application/json",
        )
        for uri, title, description, read in _CATALOGUES
    ]
