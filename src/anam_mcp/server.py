"""The MCP server: lifespan, tools, resources and prompt. The only module that imports the `mcp` SDK.

Tools are thin: the SDK validates arguments against the signature, the tool calls the catalogue or
the client, and shapes a structured result. Every anticipated failure becomes a `ToolError`, which
the client receives as an error result (`isError: true`) with our message.
"""

import asyncio
import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from . import __version__
from .api import AnamClient, ProgressCallback
from .catalog import Catalogs
from .config import Settings
from .errors import AnamError
from .results import (
    AvatarItem,
    AvatarSearchResult,
    LlmItem,
    LlmListResult,
    PersonaItem,
    PersonaSearchResult,
    SentPersonaConfig,
    SessionTokenResult,
    VoiceItem,
    VoiceSearchResult,
)
from .session import (
    AvatarIdArg,
    AvatarModelArg,
    ClientLabelArg,
    LanguageCodeArg,
    LlmIdArg,
    MaxSessionLengthArg,
    NameArg,
    PersonaIdArg,
    SessionRequest,
    SkipGreetingArg,
    SystemPromptArg,
    VoiceIdArg,
    null_means,
)
from .texts import INSTRUCTIONS, SETUP_PROMPT, error_text, search_summary, token_summary, validation_text

__all__ = ["AppContext", "build_server"]

logger = logging.getLogger(__name__)

TOKEN_LIFETIME_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class AppContext:
    """What every tool call shares for the server's lifetime."""

    settings: Settings
    client: AnamClient
    catalogs: Catalogs


def _upper(value: object) -> object:
    return value.upper().strip() if isinstance(value, str) else value


_READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)
# Each call mints a new token: not read-only, not idempotent, but nothing is destroyed.
_MINTS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)

_ToolFn = TypeVar("_ToolFn", bound=Callable[..., Any])
_T = TypeVar("_T")


def _tool(mcp: MCPServer[AppContext], title: str, annotations: ToolAnnotations) -> Callable[[_ToolFn], _ToolFn]:
    """Register a tool whose description is its docstring, dedented for the model that reads it."""

    def register(fn: _ToolFn) -> _ToolFn:
        mcp.add_tool(fn, title=title, description=inspect.cleandoc(fn.__doc__ or ""), annotations=annotations)
        return fn

    return register


QueryArg = Annotated[
    str | None,
    Field(max_length=200, description="Text to look for, case- and accent-insensitive. Omit to list everything."),
]
RefreshArg = Annotated[
    bool,
    null_means(False),
    Field(description="Reload the list from Anam instead of using the copy cached for a few minutes."),
]

LimitArg = Annotated[
    int, Field(ge=1, le=100, description="Maximum number of items to return (1-100, default 20)."), null_means(20)
]


def build_server(settings: Settings) -> MCPServer[AppContext]:
    """An MCPServer wired to the Anam API described by `settings`. Nothing runs until it is served."""

    # Static resources get no Context, so they reach the lifespan's state through this cell.
    running: list[AppContext] = []

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        async with AnamClient(settings) as client:
            catalogs = Catalogs(client, settings.catalog_ttl_seconds)
            # Background work, so the answer to `initialize` is not delayed.
            warm_up = asyncio.create_task(client.warm_up(), name="warm-up-http")
            if settings.prefetch and client.has_key:
                catalogs.prefetch()
            app = AppContext(settings, client, catalogs)
            running.append(app)
            try:
                yield app
            finally:
                running.remove(app)
                warm_up.cancel()
                catalogs.cancel()

    mcp = MCPServer[AppContext](
        "anam",
        title="Anam AI",
        instructions=INSTRUCTIONS,
        version=__version__,
        website_url="https://anam.ai",
        lifespan=lifespan,
        log_level=settings.log_level,
        middleware=[_log_tool_calls],
    )

    @_tool(mcp, "Search Anam avatars", _READ_ONLY)
    async def search_avatars(
        ctx: Context[AppContext],
        query: QueryArg = None,
        stock_only: Annotated[
            bool, null_means(False), Field(description="Only Anam's stock avatars, not your own.")
        ] = False,
        limit: LimitArg = 20,
        refresh: RefreshArg = False,
    ) -> Annotated[CallToolResult, AvatarSearchResult]:
        """Find avatars (the face of a persona) by name or variant, across the whole catalogue.

        Use it to get an avatar_id for create_session_token. Matching ignores case and accents
        ("zoe" finds "Zoë"); best matches come first (exact name, then prefix, then substring).
        Returns total (all matches) and up to `limit` items with id, display_name, variant_name,
        is_stock, image_url and the avatar models each supports.
        """
        app = _app(ctx)
        found = await _guarded(
            app,
            app.catalogs.search_avatars(
                query, stock_only=stock_only, refresh=refresh, on_progress=_progress(ctx, "avatars")
            ),
        )
        items = [AvatarItem.of(a) for a in found.items[:limit]]
        result = AvatarSearchResult(total=len(found.items), returned=len(items), items=items, note=found.note)
        return _result(result, search_summary("avatar", result.total, [_avatar_label(a) for a in items], query))

    @_tool(mcp, "Search Anam voices", _READ_ONLY)
    async def search_voices(
        ctx: Context[AppContext],
        query: Annotated[
            str | None,
            Field(
                max_length=200,
                description="Text to look for in the voice name or description (e.g. 'british', 'calm'); "
                "case- and accent-insensitive. Omit to list everything that passes the filters.",
            ),
        ] = None,
        gender: Annotated[
            Literal["MALE", "FEMALE", "NEUTRAL"] | None,
            BeforeValidator(_upper),
            Field(description="Only voices of this gender: MALE, FEMALE or NEUTRAL (any case)."),
        ] = None,
        country: Annotated[
            Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None,
            BeforeValidator(_upper),
            Field(description="Only voices with this accent country, ISO 3166-1 alpha-2, e.g. GB, US (any case)."),
        ] = None,
        provider: Annotated[
            Literal["CARTESIA", "ELEVENLABS", "OPENAI_ADVANCED_VOICE", "FISH_AUDIO"] | None,
            BeforeValidator(_upper),
            Field(description="Only voices from this speech provider."),
        ] = None,
        limit: LimitArg = 20,
        refresh: RefreshArg = False,
    ) -> Annotated[CallToolResult, VoiceSearchResult]:
        """Find voices for a persona across Anam's whole voice catalogue (hundreds of voices).

        Use it to get a voice_id for create_session_token. `query` matches the name (ranked: exact,
        prefix, word, substring) and also the description; gender, country and provider filter exactly.
        Returns total (all matches) and up to `limit` items with id, display_name, gender, country,
        provider, description and sample_url (an audio preview).
        """
        app = _app(ctx)
        found = await _guarded(
            app,
            app.catalogs.search_voices(
                query,
                gender=gender,
                country=country,
                provider=provider,
                refresh=refresh,
                on_progress=_progress(ctx, "voices"),
            ),
        )
        items = [VoiceItem.of(v) for v in found.items[:limit]]
        result = VoiceSearchResult(total=len(found.items), returned=len(items), items=items, note=found.note)
        return _result(result, search_summary("voice", result.total, [v.display_name for v in items], query))

    @_tool(mcp, "Search saved Anam personas", _READ_ONLY)
    async def search_personas(
        ctx: Context[AppContext],
        query: QueryArg = None,
        limit: LimitArg = 20,
        refresh: RefreshArg = False,
    ) -> Annotated[CallToolResult, PersonaSearchResult]:
        """Find personas saved in your Anam account (built in Anam Lab or through the API) by name or description.

        A saved persona already has its avatar, voice, LLM and prompt; pass its id as persona_id to
        create_session_token. This is the setup Anam recommends for production.
        """
        app = _app(ctx)
        found = await _guarded(app, app.catalogs.search_personas(query, refresh=refresh))
        items = [PersonaItem.of(p) for p in found.items[:limit]]
        result = PersonaSearchResult(total=len(found.items), returned=len(items), items=items, note=found.note)
        return _result(result, search_summary("persona", result.total, [p.name for p in items], query))

    @_tool(mcp, "List Anam LLMs", _READ_ONLY)
    async def list_llms(
        ctx: Context[AppContext],
        query: QueryArg = None,
        refresh: RefreshArg = False,
    ) -> Annotated[CallToolResult, LlmListResult]:
        """List the LLMs (the persona's brain) available to your account: Anam's built-in ones and your own.

        Pass an id as llm_id to create_session_token. is_server_default marks the one used when llm_id is
        left out.
        """
        app = _app(ctx)
        found = await _guarded(app, app.catalogs.list_llms(query, refresh=refresh))
        items = [LlmItem.of(m, app.settings.default_llm_id) for m in found.items]
        result = LlmListResult(total=len(items), returned=len(items), items=items, note=found.note)
        return _result(result, search_summary("LLM", result.total, [m.display_name for m in items], query))

    @_tool(mcp, "Create an Anam session token", _MINTS)
    async def create_session_token(
        ctx: Context[AppContext],
        persona_id: PersonaIdArg = None,
        name: NameArg = None,
        avatar_id: AvatarIdArg = None,
        voice_id: VoiceIdArg = None,
        system_prompt: SystemPromptArg = None,
        llm_id: LlmIdArg = None,
        avatar_model: AvatarModelArg = "cara-3",
        max_session_length_seconds: MaxSessionLengthArg = None,
        skip_greeting: SkipGreetingArg = False,
        language_code: LanguageCodeArg = None,
        client_label: ClientLabelArg = None,
    ) -> Annotated[CallToolResult, SessionTokenResult]:
        """Create a short-lived session token that starts one real-time conversation with an Anam persona.

        Two modes, never both:
        - saved persona: pass persona_id alone (from search_personas).
        - ephemeral persona: describe it with avatar_id (from search_avatars), voice_id (from search_voices),
          llm_id (from list_llms), system_prompt, name, avatar_model and the other options. Left-out
          avatar_id, voice_id and llm_id default to Anam's stock Cara avatar, Cara voice and GPT-4o-mini.
        The token is valid for one hour and for one session. Give it to the web page, which calls Anam's
        JS SDK: createClient(sessionToken). Never put the API key in a page; the token is made for that.
        """
        app = _app(ctx)
        try:
            request = SessionRequest(
                persona_id=persona_id,
                name=name,
                avatar_id=avatar_id,
                voice_id=voice_id,
                system_prompt=system_prompt,
                llm_id=llm_id,
                avatar_model=avatar_model,
                max_session_length_seconds=max_session_length_seconds,
                skip_greeting=skip_greeting,
                language_code=language_code,
                client_label=client_label,
            )
        except ValidationError as exc:
            raise ToolError(validation_text(exc)) from exc
        body = request.body(app.settings.default_llm_id)
        token = await _guarded(app, app.client.create_session_token(body), token_request=True)
        result = SessionTokenResult(
            session_token=token,
            mode=request.mode,
            expires_in_seconds=TOKEN_LIFETIME_SECONDS,
            persona_config=SentPersonaConfig.of(body["personaConfig"]),
            client_label=request.client_label,
            defaults_applied=request.defaults_applied(),
        )
        return _result(result, token_summary(result.mode, result.defaults_applied))

    for uri, title, description, read in _CATALOGUE_RESOURCES:
        mcp.resource(
            uri, name=uri.removeprefix("anam://"), title=title, description=description, mime_type="application/json"
        )(_catalogue_resource(running, read))

    @mcp.prompt(title="Set up an Anam persona session")
    def set_up_persona_session(
        persona: Annotated[
            str, Field(description="What the persona should be like, e.g. 'a calm British museum guide'.")
        ] = "a friendly assistant",
    ) -> str:
        """Walk through choosing an avatar, a voice and an LLM, minting a session token, and using it in a page."""
        return SETUP_PROMPT.format(persona=persona)

    return mcp


def _avatar_label(avatar: AvatarItem) -> str:
    return f"{avatar.display_name} ({avatar.variant_name})" if avatar.variant_name else avatar.display_name


def _app(ctx: Context[AppContext]) -> AppContext:
    return ctx.request_context.lifespan_context


def _progress(ctx: Context[AppContext], what: str) -> ProgressCallback:
    async def report(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Loading {what}: page {done} of {total}")

    return report


def _result(model: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, plus a one-line summary and the same data as JSON text for models."""
    data = model.model_dump(mode="json")
    return CallToolResult(
        content=[
            TextContent(type="text", text=summary),
            TextContent(type="text", text=json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
        ],
        structured_content=data,
    )


async def _guarded(app: AppContext, work: Awaitable[_T], *, token_request: bool = False) -> _T:
    """Await `work` within the per-call deadline, turning every anticipated failure into a ToolError."""
    limit = app.settings.tool_timeout_seconds
    try:
        with anyio.fail_after(limit):
            return await work
    except AnamError as exc:
        raise ToolError(error_text(exc, token_request=token_request)) from exc
    except TimeoutError as exc:
        raise ToolError(f"The call did not finish within {limit:g} s: Anam is slow or unreachable. Try again.") from exc


async def _avatar_items(app: AppContext) -> list[BaseModel]:
    found = await app.catalogs.search_avatars(None, stock_only=False, refresh=False)
    return [AvatarItem.of(a) for a in found.items]


async def _voice_items(app: AppContext) -> list[BaseModel]:
    found = await app.catalogs.search_voices(None, gender=None, country=None, provider=None, refresh=False)
    return [VoiceItem.of(v) for v in found.items]


async def _llm_items(app: AppContext) -> list[BaseModel]:
    found = await app.catalogs.list_llms(None, refresh=False)
    return [LlmItem.of(m, app.settings.default_llm_id) for m in found.items]


_CatalogueReader = Callable[[AppContext], Awaitable[list[BaseModel]]]
_CATALOGUE_RESOURCES: tuple[tuple[str, str, str, _CatalogueReader], ...] = (
    (
        "anam://avatars",
        "Anam avatars",
        "Every avatar in your Anam catalogue (stock and your own), as JSON.",
        _avatar_items,
    ),
    ("anam://voices", "Anam voices", "Every voice in your Anam catalogue, as JSON.", _voice_items),
    ("anam://llms", "Anam LLMs", "The LLMs available to your Anam account, as JSON.", _llm_items),
)


def _catalogue_resource(running: list[AppContext], read: _CatalogueReader) -> Callable[[], Awaitable[str]]:
    """A resource handler serving a catalogue from the same cache the tools use."""

    async def handler() -> str:
        if not running:
            raise ResourceError("The server is not running yet.")
        try:
            items = await read(running[-1])
        except AnamError as exc:
            raise ResourceError(str(exc)) from exc
        return json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False)

    return handler


async def _log_tool_calls(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """One log line per tool call: name, outcome, duration. Never arguments or results (they may hold tokens)."""
    if ctx.method != "tools/call":
        return await call_next(ctx)
    name = ctx.params.get("name") if isinstance(ctx.params, dict) else None
    started = time.perf_counter()
    try:
        result = await call_next(ctx)
    except BaseException:
        logger.info("tool %s: protocol error after %.1f ms", name, (time.perf_counter() - started) * 1000)
        raise
    failed = getattr(result, "is_error", None) or (isinstance(result, dict) and result.get("isError"))
    logger.info("tool %s: %s in %.1f ms", name, "error" if failed else "ok", (time.perf_counter() - started) * 1000)
    return result
