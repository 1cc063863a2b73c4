"""The catalogue toolset: search the avatars and voices, and list the LLMs, that a persona is made of.

Searches run on the account's in-memory catalogues (catalog.py), loaded once and shared by every call.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resources import FunctionResource, Resource
from mcp.types import CallToolResult
from pydantic import BeforeValidator, Field

from ...api.catalogue import AVATARS, KINDS, LLMS, VOICES, Avatar, Kind
from ...query_words import AVATAR_WORDS, VOICE_WORDS
from ..arguments import Arguments, Format, LimitArg, QueryArg, RefreshArg, upper
from ..context import AppContext, app_of
from ..persona_config import LlmChoice, choose_default_llm
from ..search_results import Item, SearchResult, explained, search_result
from ..toolkit import READ_ONLY, guarded, model_tool, progress
from ..toolsets import Toolset
from ..views import GALLERY_URI, VOICES_URI, ui_meta

__all__ = ["TOOLSET"]

# Codes people often use that are not ISO 3166-1 (the accent country of a voice).
_COUNTRY_FIXES = {"UK": "GB", "EN": "GB", "USA": "US"}


class AvatarSearch(Arguments):
    query: QueryArg = None
    stock_only: Annotated[bool, Field(description="Only Anam's stock avatars, not your own.")] = False
    limit: LimitArg = 20
    refresh: RefreshArg = False


class VoiceSearch(Arguments):
    query: Annotated[
        str | None,
        Field(
            max_length=200, description="Words to find, e.g. 'calm british female' (gender and accent words filter)."
        ),
    ] = None
    gender: Annotated[
        Literal["MALE", "FEMALE", "NEUTRAL"] | None, BeforeValidator(upper), Field(description="Only this gender.")
    ] = None
    country: Annotated[
        Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None,
        BeforeValidator(upper),
        Field(description="Accent country, ISO 3166-1 alpha-2, e.g. GB."),
        Format("a two-letter ISO 3166-1 country code such as GB or US"),
    ] = None
    provider: Annotated[
        Literal["CARTESIA", "ELEVENLABS", "OPENAI_ADVANCED_VOICE", "FISH_AUDIO"] | None,
        BeforeValidator(upper),
        Field(description="Only this speech provider."),
    ] = None
    limit: LimitArg = 20
    refresh: RefreshArg = False


class LlmSearch(Arguments):
    query: QueryArg = None
    refresh: RefreshArg = False


class AvatarItem(Item):
    id: str
    display_name: str
    variant_name: str | None = Field(description="Lighting or pose variant, e.g. 'home'.")
    is_stock: bool = Field(description="Anam's stock avatar, not your organisation's own.")
    image_url: str | None
    available_models: list[str] = Field(description="avatar_model values it supports.")

    @property
    def label(self) -> str:
        details = [d for d in (self.variant_name, None if self.is_stock else "custom") if d]
        return f"{self.display_name} ({', '.join(details)})" if details else self.display_name


class VoiceItem(Item):
    id: str
    display_name: str
    gender: str | None
    country: str | None = Field(description="ISO 3166-1 country of the accent.")
    provider: str | None
    description: str | None
    sample_url: str | None = Field(description="Short audio preview.")
    is_stock: bool

    @property
    def label(self) -> str:
        # Many voices share a name ("Cara - Calm"): say what tells them apart.
        details = [self.country, self.gender.lower() if self.gender else None, None if self.sample_url else "no sample"]
        shown = [d for d in details if d]
        return f"{self.display_name} ({', '.join(shown)})" if shown else self.display_name


class LlmItem(Item):
    id: str
    display_name: str
    description: str | None
    model_name: str | None
    is_built_in: bool = Field(description="Built into Anam, available to every organisation.")
    is_used_by_default: bool = Field(default=False, description="What a persona gets when llm_id is left out.")

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.model_name})" if self.model_name else self.display_name


class AvatarSearchResult(SearchResult[AvatarItem]):
    kind = "avatar"


class VoiceSearchResult(SearchResult[VoiceItem]):
    kind = "voice"


class LlmListResult(SearchResult[LlmItem]):
    kind = "LLM"

    default_llm: LlmChoice | None = Field(default=None, description="The LLM used when llm_id is left out, and why.")

    def with_default(self, choice: LlmChoice) -> LlmListResult:
        """The same list with `choice` marked as the LLM personas get when llm_id is left out."""
        items = [item.model_copy(update={"is_used_by_default": item.id == choice.id}) for item in self.items]
        return self.model_copy(update={"items": items, "default_llm": choice})


def _avatar_filter(stock_only: bool) -> Callable[[Avatar], bool] | None:
    return (lambda avatar: avatar.is_stock) if stock_only else None


def _noted(*notes: str | None) -> str | None:
    return " ".join(note for note in notes if note) or None


async def search_avatars(ctx: Context[AppContext], args: AvatarSearch) -> Annotated[CallToolResult, AvatarSearchResult]:
    """Find avatars (a persona's face) by name or variant; gives avatar_id for create_session_token and
    save_persona, and the avatar_model values each supports. Query words match in any order; an avatar_model such
    as cara-4 filters by it."""
    app = app_of(ctx)
    catalogs = app.account().catalogs
    search = catalogs.search(
        AVATARS,
        args.query,
        keep=_avatar_filter(args.stock_only),
        words=AVATAR_WORDS,
        refresh=args.refresh,
        on_progress=progress(ctx, "avatars"),
    )
    found = await guarded(app, search)
    reading = found.reading
    listed = AvatarSearchResult.of(found.items, args.limit, _noted(reading.note, found.note))
    criteria = {"query": reading.query, "stock_only": args.stock_only, **reading.filters}

    async def count(criteria: Mapping[str, Any]) -> int:
        keep, models = _avatar_filter(criteria["stock_only"]), criteria.get("available_models")
        found = await catalogs.search(AVATARS, criteria["query"], keep=keep, filters={"available_models": models})
        return len(found.items)

    return search_result(await explained(listed, criteria, count), reading.query)


async def search_voices(ctx: Context[AppContext], args: VoiceSearch) -> Annotated[CallToolResult, VoiceSearchResult]:
    """Find voices by name or description; gives voice_id for create_session_token and save_persona, and a
    sample_url to hear each. If nothing matches, the note says which filter to drop or fix."""
    app = app_of(ctx)
    catalogs = app.account().catalogs
    given = {"gender": args.gender, "country": args.country, "provider": args.provider}
    search = catalogs.search(
        VOICES,
        args.query,
        filters=given,
        words=VOICE_WORDS,
        refresh=args.refresh,
        on_progress=progress(ctx, "voices"),
    )
    found = await guarded(app, search)
    reading = found.reading
    listed = VoiceSearchResult.of(found.items, args.limit, _noted(reading.note, found.note))
    criteria = {"query": reading.query, **given, **reading.filters}
    fix = _COUNTRY_FIXES.get(args.country or "")
    fixes = [f"{args.country} is not an ISO 3166-1 country code: use country={fix}"] if fix else []

    async def count(criteria: Mapping[str, Any]) -> int:
        filters = {name: value for name, value in criteria.items() if name != "query"}
        return len((await catalogs.search(VOICES, criteria["query"], filters=filters)).items)

    return search_result(await explained(listed, criteria, count, fixes), reading.query)


async def list_llms(ctx: Context[AppContext], args: LlmSearch) -> Annotated[CallToolResult, LlmListResult]:
    """List the LLMs (a persona's brain) your account can use; gives llm_id for create_session_token and
    save_persona. is_used_by_default marks the one used when llm_id is left out."""
    app = app_of(ctx)
    catalogs = app.account().catalogs
    found = await guarded(app, catalogs.search(LLMS, args.query, refresh=args.refresh))
    everything = found if not args.query else await guarded(app, catalogs.search(LLMS, None))
    choice = choose_default_llm(everything.items, app.settings.default_llm_id)
    listed = LlmListResult.of(found.items, len(found.items), found.note).with_default(choice)
    return search_result(listed, args.query, choice.text())


async def _everything(app: AppContext, kind: Kind[Any]) -> str:
    """Every entry of `kind`, as the searches return them, as JSON."""
    found = await app.account().catalogs.search(kind, None)
    if kind is LLMS:
        choice = choose_default_llm(found.items, app.settings.default_llm_id)
        items: list[Item] = list(LlmListResult.of(found.items, len(found.items), None).with_default(choice).items)
    else:
        item_type = AvatarItem if kind is AVATARS else VoiceItem
        items = [item_type.model_validate(entry) for entry in found.items]
    return json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False)


def _reader(app: AppContext, kind: Kind[Any]) -> Callable[[], Awaitable[str]]:
    # Static resources get no Context, so the handler holds the server's state itself.
    async def read() -> str:
        try:
            return await guarded(app, _everything(app, kind))
        except ToolError as exc:
            raise ResourceError(str(exc)) from exc

    return read


def _resources(app: AppContext) -> list[Resource]:
    """anam://avatars, anam://voices and anam://llms: each catalogue kind served as a resource, from the cache."""
    return [
        FunctionResource.from_function(
            _reader(app, kind),
            uri=f"anam://{kind.name.lower()}",
            name=kind.name.lower(),
            title=f"Anam {kind.name}",
            description=kind.resource,
            mime_type="application/json",
        )
        for kind in KINDS
        if kind.resource
    ]


TOOLSET = Toolset(
    "catalogue",
    "Find avatars, voices and LLMs.",
    "search_avatars (a face), search_voices (a voice) and list_llms (the brain) give the ids a persona is made of.",
    lambda: [
        model_tool(search_avatars, "Search Anam avatars", READ_ONLY, meta=ui_meta(GALLERY_URI)),
        model_tool(search_voices, "Search Anam voices", READ_ONLY, meta=ui_meta(VOICES_URI)),
        model_tool(list_llms, "List Anam LLMs", READ_ONLY),
    ],
    _resources,
)
