"""The MCP server: the only package that imports the `mcp` SDK.

`build_server` wires the accounts (an Anam client and its catalogues per key), the tools, resources,
prompts and views (MCP Apps) into an `MCPServer`; the lifespan only starts and stops what was built.
The tools come in toolsets, one per API area (tools/); ANAM_TOOLSETS picks which are served. Tools are
thin: they validate (their argument model), call the caller's catalogues or the area's API, and shape a
structured result.
Every anticipated failure becomes a `ToolError`, which the client receives as an error result with
our message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import ServerMiddleware
from mcp.server.mcpserver import MCPServer
from mcp.server.request_state import RequestStateSecurity
from pydantic import AnyHttpUrl

from .. import __version__, demo
from ..accounts import Accounts
from ..catalog import Background
from ..config import Settings
from .context import AppContext
from .middleware import demo_notice, log_tool_calls
from .prompts import prompts
from .stdio import serve_stdio
from .tools import TOOLSETS
from .toolsets import Toolset, narrowed, select
from .views import views

__all__ = ["AppContext", "build_server", "serve_stdio", "served_toolsets"]

_INSTRUCTIONS = """\
Anam renders real-time, talking digital personas in a web page. To start one, a page needs a short-lived
session token."""


def served_toolsets(settings: Settings) -> list[Toolset]:
    """The toolsets ANAM_TOOLSETS names; UnknownToolsetError (with the valid names) for a name that is none."""
    return select(TOOLSETS, settings.toolsets)


def build_server(
    settings: Settings,
    *,
    token_verifier: TokenVerifier | None = None,
    request_state_security: RequestStateSecurity | None = None,
    accounts: Accounts | None = None,
    local_files: bool = False,
) -> MCPServer[AppContext]:
    """An MCPServer wired to the Anam API described by `settings`. Nothing runs until it is served.

    `local_files`: whether tools may read files on this machine by path (true over stdio only; see AppContext).

    Over HTTP, `token_verifier` decides who may call (the SDK then answers 401 to anyone else, and
    `caller_key` reads the caller's token), `request_state_security` is the key every worker shares
    for multi-round calls, and `accounts` are those the HTTP layer asks about callers' keys.
    """
    toolsets = served_toolsets(settings)
    if accounts is None:
        accounts = Accounts(settings, Background(), settings.max_accounts)
    background = accounts.background
    app = AppContext(settings, accounts, local_files)
    # Checked by the HTTP layer only; nothing here is an OAuth issuer, so the URL is never published.
    auth = (
        AuthSettings(issuer_url=AnyHttpUrl("https://anam-mcp.invalid"), resource_server_url=None)
        if token_verifier
        else None
    )

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        try:
            async with background:
                # What every request needs is made first; the rest warms up in the background, so as not to
                # delay the answer to `initialize`. The server's own key is warmed at once if prefetch is on; a
                # caller's key only once it has worked.
                app.accounts.prepare()
                background.start_soon(app.accounts.warm_up, name="warm-up")
                if settings.api_key is not None:
                    app.accounts.warm(settings.api_key)
                yield app
        finally:
            await app.accounts.aclose()

    instructions = [_INSTRUCTIONS, *(toolset.instructions for toolset in toolsets)]
    middleware: list[ServerMiddleware[Any]] = [log_tool_calls, narrowed(toolsets)]
    if settings.demo:
        # anam-mcp --demo: the instructions and every tool result say that nothing here comes from Anam.
        instructions.append(demo.INSTRUCTIONS)
        middleware.append(demo_notice(demo.NOTICE))

    mcp = MCPServer[AppContext](
        "anam",
        title="Anam AI",
        instructions="\n".join(instructions),
        version=__version__,
        website_url="https://anam.ai",
        lifespan=lifespan,
        token_verifier=token_verifier,
        auth=auth,
        request_state_security=request_state_security,
        log_level=settings.log_level,
        middleware=middleware,
        tools=[tool for toolset in toolsets for tool in toolset.tools()],
        resources=[resource for toolset in toolsets for resource in toolset.resources(app)],
        extensions=[views(settings)],
    )
    for prompt in prompts():
        mcp.add_prompt(prompt)
    return mcp
