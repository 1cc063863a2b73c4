"""What every tool call shares for the server's lifetime, and how a handler reaches it and the caller's account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import SecretStr

from ..accounts import Account, Accounts
from ..config import Settings
from .auth import Access

__all__ = ["AppContext", "app_of", "caller_key"]


@dataclass(frozen=True, slots=True)
class AppContext:
    """The settings, the accounts (an Anam client and catalogues per key), and whether files on this machine
    may be read by path.

    `local_files` is true over stdio, where the client runs on this machine and a path names the user's own
    file; false over HTTP, where a path would name a file of the server's, never the caller's.
    """

    settings: Settings
    accounts: Accounts
    local_files: bool = False

    def account(self) -> Account:
        """The account this request acts for."""
        return self.accounts.get(caller_key(self.settings))

    def local_file(self, path: str, argument: str, instead: str) -> Path:
        """The regular file `path` names (`~` expanded), for a tool's `argument`; a ToolError when files cannot
        be read here (saying to give `instead`), when the path is relative, or when there is no such file."""
        if not self.local_files:
            raise ToolError(
                f"{argument} works only when the server runs on your machine (stdio): this server is reached over "
                f"HTTP and cannot read your files. Pass {instead} instead."
            )
        try:
            file = Path(path).expanduser()
        except RuntimeError:  # ~name of a user this machine does not know
            raise ToolError(f"{argument}: {path} names a home folder this machine does not have.") from None
        if not file.is_absolute():
            raise ToolError(f"{argument} must be an absolute path (the server's working folder is not yours).")
        if not file.is_file():
            raise ToolError(f"{argument}: there is no file at {file}. Check the path.")
        return file


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
