"""What every tool call shares for the server's lifetime, and how a handler reaches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context

from ..catalog import Background, Catalogs
from ..client import AnamClient
from ..config import Settings

__all__ = ["AppContext", "app_of"]


@dataclass(frozen=True, slots=True)
class AppContext:
    """The settings, the Anam client, its catalogues and the background task group they load in."""

    settings: Settings
    client: AnamClient
    catalogs: Catalogs
    background: Background


def app_of(ctx: Context[Any]) -> AppContext:
    app: AppContext = ctx.request_context.lifespan_context
    return app
