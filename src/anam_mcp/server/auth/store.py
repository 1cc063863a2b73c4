"""Where sign-ins are kept, shared by every worker (and machine) of one deployment: the `Store` interface.

Two stores: a SQLite file (the default, for one machine and any number of workers) and Redis (for several
machines), chosen by ANAM_OAUTH_STORE. Both hold the same rows, and only what they are given: digests of
tokens and codes, never the tokens themselves, and the records the provider made (an Anam key in them is
sealed). Rows expire; an expired row is never returned, and is purged.

A grant's rows (its code, access and refresh tokens) share a family: revoking the family deletes them all
and keeps any new row from joining it, which is how a reused code or refresh token ends the whole grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = ["DEFAULT_SQLITE_PATH", "Consumed", "Kind", "Store", "open_store"]

# The default store: a file in the user's state directory (XDG), one per machine.
DEFAULT_SQLITE_PATH = Path("~/.local/state/anam-mcp/oauth.sqlite3")

Kind = Literal["code", "access", "refresh"]


@dataclass(frozen=True, slots=True)
class Consumed:
    """A row taken for single use: its data and family, and whether this was the first use."""

    data: bytes
    family: str
    first: bool


class Store(Protocol):
    async def put(self, kind: Kind, digest: bytes, family: str, data: bytes, expires_at: float) -> bool:
        """Keep a row until `expires_at` (Unix time); False, keeping nothing, if its family was revoked."""
        ...

    async def get(self, kind: Kind, digest: bytes) -> bytes | None:
        """A row's data, unless it is unknown or expired."""
        ...

    async def drop(self, kind: Kind, digest: bytes) -> None:
        """Delete a row, if there is one."""
        ...

    async def consume(self, kind: Kind, digest: bytes) -> Consumed | None:
        """Mark a row used and return it, saying whether it was unused until now (atomically, across processes)."""
        ...

    async def revoke_family(self, family: str, until: float) -> None:
        """Delete every row of `family`, and refuse new ones until `until`."""
        ...

    async def put_client(self, client_id: str, data: bytes, expires_at: float) -> None:
        """Keep (or replace) a registered client until `expires_at`."""
        ...

    async def get_client(self, client_id: str) -> bytes | None:
        """A registered client's data, unless unknown or expired."""
        ...

    async def failures(self, key: bytes) -> int:
        """How many failures `count_failure` has counted under `key` in its current window."""
        ...

    async def count_failure(self, key: bytes, window_seconds: float) -> int:
        """Count one failure under `key`, in a window of `window_seconds` from the first: the count so far."""
        ...

    async def aclose(self) -> None: ...


def open_store(location: str | None) -> Store:
    """The store ANAM_OAUTH_STORE names: redis:// or rediss:// for Redis, else a SQLite file (None: the default).

    Nothing is opened yet: the first use connects, on the event loop that serves requests.
    """
    if location is not None and location.startswith(("redis://", "rediss://")):
        from .redis_store import RedisStore

        return RedisStore(location)
    from .sqlite_store import SqliteStore

    return SqliteStore(Path(location).expanduser() if location else DEFAULT_SQLITE_PATH.expanduser())
