"""The MCP server: the only package that imports the `mcp` SDK.

`build_server` wires the Anam client, its catalogues, the tools, resources, prompts and views (MCP
Apps) into an `MCPServer`; the lifespan only starts and stops what was built. Tools are thin: they
validate (their argument model), call the catalogue or the client, and shape a structured result.
Every anticipated failure becomes a `ToolError`, which the client receives as an error result with
our message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.mcpserver import MCPServer

from .. import __version__
from ..catalog import Background, Catalogs
from ..client import AnamClient
from ..config import Settings
from ..texts import INSTRUCTIONS
from .context import AppContext
from .history_tools import history_tools
from .persona_tools import persona_tools
from .prompts import prompts
from .resources import catalogue_resources
from .search_tools import search_tools
from .session_tools import session_tools
from .stdio import serve_stdio
from .toolkit import log_tool_calls
from .views import views

__all__ = ["AppContext", "build_server", "serve_stdio"]


def build_server(settings: Settings) -> MCPServer[AppContext]:
    """An MCPServer wired to the Anam API described by `settings`. Nothing runs until it is served."""
    client = AnamClient(settings)
    background = Background()
    app = AppContext(settings, client, Catalogs(client, background, settings.catalog_ttl_seconds), background)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        async with client, background:
            # Background work, so the answer to `initialize` is not delayed.
            background.start_soon(client.warm_up, name="warm-up-http")
            if settings.prefetch and client.has_key and not settings.problems:
                app.catalogs.prefetch()
            yield app

    mcp = MCPServer[AppContext](
        "anam",
        title="Anam AI",
        instructions=INSTRUCTIONS,
        version=__version__,
        website_url="https://anam.ai",
        lifespan=lifespan,
        log_level=settings.log_level,
        middleware=[log_tool_calls],
        tools=[*search_tools(), *session_tools(), *persona_tools(), *history_tools()],
        resources=catalogue_resources(app),
        extensions=[views(settings)],
    )
    for prompt in prompts():
        mcp.add_prompt(prompt)
    return mcp
