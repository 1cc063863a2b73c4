"""What every tool call shares for the server's lifetime, and how a handler reaches it and the caller's account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import Context
from pydantic import SecretStr

from ..accounts import Account, Accounts
from ..config import Settings
from .auth import Access

__all__ = ["AppContext", "app_of", "caller_key"]


@dataclass(frozen=True, slots=True)
class AppContext:
    """The settings, the accounts (an Anam client and catalogues per key), and whether tools may read files.

    `local_files`: the server runs on the user's own machine (stdio), so a tool may read a file the user names
    by path. Over HTTP the server's disk is not the user's: paths are refused and URLs are the way in.
    """

    settings: Settings
    accounts: Accounts
    local_files: bool = True

    def account(self) -> Account:
        """The account this request acts for."""
        return self.accounts.get(caller_key(self.settings))


def app_of(ctx: Context[Any]) -> AppContext:
    app: AppContext = ctx.request_context.lifespan_context
    return app


def caller_key(settings: Settings) -> SecretStr | None:
    """The Anam key this request acts with: the server's own (ANAM_API_KEY) if it has one, else the key the
    caller signed in with (OAuth) or sent as its bearer token over HTTP, else none (each call then says how to
    provide one).

    The one place a key is chosen.
    """
    if settings.api_key is not None:
        return settings.api_key
    token = get_access_token()
    if isinstance(token, Access):
        return token.anam_key
    return SecretStr(token.token) if token is not None else None
