"""The MCP server: the only package that imports the `mcp` SDK.

`build_server` wires the accounts (an Anam client and its catalogues per key), the tools, resources,
prompts and views (MCP Apps) into an `MCPServer`; the lifespan only starts and stops what was built.
Tools are thin: they validate (their argument model), call the caller's catalogues or client, and shape
a structured result.
Every anticipated failure becomes a `ToolError`, which the client receives as an error result with
our message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.request_state import RequestStateSecurity
from pydantic import AnyHttpUrl

from .. import __version__
from ..accounts import Accounts
from ..catalog import Background
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


def build_server(
    settings: Settings,
    *,
    token_verifier: TokenVerifier | None = None,
    request_state_security: RequestStateSecurity | None = None,
) -> MCPServer[AppContext]:
    """An MCPServer wired to the Anam API described by `settings`. Nothing runs until it is served.

    Over HTTP, `token_verifier` decides who may call (the SDK then answers 401 to anyone else, and
    `caller_key` reads the caller's token), and `request_state_security` is the key every worker shares
    for multi-round calls.
    """
    background = Background()
    app = AppContext(settings, Accounts(settings, background, settings.max_accounts))
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
                # Background work, so the answer to `initialize` is not delayed. The server's own account
                # (if it has a key) is made here, so its catalogues prefetch if that is on.
                background.start_soon(app.accounts.warm_up, name="warm-up")
                app.account()
                yield app
        finally:
            await app.accounts.aclose()

    mcp = MCPServer[AppContext](
        "anam",
        title="Anam AI",
        instructions=INSTRUCTIONS,
        version=__version__,
        website_url="https://anam.ai",
        lifespan=lifespan,
        token_verifier=token_verifier,
        auth=auth,
        request_state_security=request_state_security,
        log_level=settings.log_level,
        middleware=[log_tool_calls],
        tools=[*search_tools(), *session_tools(), *persona_tools(), *history_tools()],
        resources=catalogue_resources(app),
        extensions=[views(settings)],
    )
    for prompt in prompts():
        mcp.add_prompt(prompt)
    return mcp
