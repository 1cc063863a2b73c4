"""The Anam accounts the server acts for: one client and one set of catalogues per API key.

Over stdio, or over HTTP with a server key, there is one account. Over HTTP without one, every caller
brings a key, and each key gets an account of its own, so one caller's custom avatars, personas and
sessions can never show up for another. Accounts are found by a salted hash of the key, never the key
itself, and only the most recently used `limit` are kept. They share one connection pool, but each
account's client bounds its own requests in flight, so one busy caller cannot starve the others.

With prefetch on, a caller's key has its catalogues warmed once it has worked (its first successful request),
and only once: a made-up key costs Anam nothing beyond its own call, and a key whose account was dropped is
not warmed again when it comes back. The server's own key is warmed at start.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections import OrderedDict
from dataclasses import dataclass

import anyio
import httpx2
from pydantic import SecretStr

from . import api
from .api.pool import SharedConnections
from .api.transport import AnamClient
from .catalog import Background, Catalogs
from .config import Settings
from .net import Fingerprints, proxy_for

__all__ = ["Account", "Accounts", "SharedPool"]

# The shared pool's connections (httpx's default), and how many of them busy accounts leave to the others:
# each account's first request in flight always finds one.
_CONNECTIONS = 100
_KEPT_FOR_OTHERS = 20
_LIMITS = httpx2.Limits(max_connections=_CONNECTIONS, max_keepalive_connections=20)

# Where a key comes from when callers bring their own: the fix for a rejected one is on their side.
_CALLERS_KEY = "the Anam key your MCP client sends in its Authorization header"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, repr=False)
class Account:
    """One Anam API key's client and cached catalogues."""

    client: AnamClient
    catalogs: Catalogs

    def __repr__(self) -> str:
        return f"Account({self.client!r})"


class Accounts:
    """Accounts by key, the least recently used dropped beyond `limit`; keyless calls share one account."""

    def __init__(self, settings: Settings, background: Background, limit: int) -> None:
        """`background`: where prefetches run (the server enters it for its lifetime)."""
        self._settings = settings
        self.background = background
        self._limit = limit
        self._fingerprints = Fingerprints()
        self._by_hash: OrderedDict[bytes, Account] = OrderedDict()
        self._prefetching = settings.prefetch and not settings.problems
        # The keys (by digest) whose catalogues were warmed, the most recent 10 x `limit`. Only keys that worked
        # get in, so made-up keys cannot crowd the others out.
        self._warmed: OrderedDict[bytes, None] = OrderedDict()
        self.pool = SharedPool()
        self._connections = SharedConnections(_CONNECTIONS, _KEPT_FOR_OTHERS, settings.pool_timeout_seconds)
        # Calls without a key still get an answer: the client says how to provide one.
        self._keyless = self._open(None)

    def __len__(self) -> int:
        return len(self._by_hash)

    def get(self, key: SecretStr | None) -> Account:
        """The account for `key`, made on first use (and warmed in the background once the key has worked)."""
        if key is None or not key.get_secret_value():
            return self._keyless
        digest = self._fingerprints.digest(key.get_secret_value())
        account = self._by_hash.get(digest)
        if account is not None:
            self._by_hash.move_to_end(digest)
            return account
        account = self._open(key, digest)
        self._by_hash[digest] = account
        if len(self._by_hash) > self._limit:
            # Nothing to close: the dropped client's connections belong to the shared pool, and a call
            # still using it finishes normally.
            self._by_hash.popitem(last=False)
        return account

    def warm(self, key: SecretStr) -> None:
        """Warm `key`'s catalogues now, if prefetch is on, without waiting for it to work: the server's own key."""
        digest = self._fingerprints.digest(key.get_secret_value())
        self._prefetch(digest, self.get(key))

    def has_worked(self, key: str) -> bool:
        """Whether Anam has accepted `key` (answered a request made with it with success) since its account
        was made; a key whose account was dropped counts as new."""
        account = self._by_hash.get(self._fingerprints.digest(key))
        return account is not None and account.client.has_worked

    def _open(self, key: SecretStr | None, digest: bytes | None = None) -> Account:
        worked = None
        if digest is not None and self._prefetching and digest not in self._warmed:
            worked = functools.partial(self._worked, digest)
        client = AnamClient(
            self._settings.model_copy(update={"api_key": key}),
            transport=self.pool,
            connections=self._connections,
            key_source="ANAM_API_KEY" if self._settings.api_key is not None else _CALLERS_KEY,
            on_first_success=worked,
        )
        return Account(client, Catalogs(client, self.background, self._settings.catalog_ttl_seconds))

    def _worked(self, digest: bytes) -> None:
        """A key's first successful request: warm its account's catalogues, if it still has one."""
        account = self._by_hash.get(digest)
        if account is not None:
            self._prefetch(digest, account)

    def _prefetch(self, digest: bytes, account: Account) -> None:
        """Start loading `account`'s catalogues in the background, unless prefetch is off or its key was warmed."""
        if not self._prefetching or digest in self._warmed:
            return
        self._warmed[digest] = None
        if len(self._warmed) > 10 * self._limit:
            self._warmed.popitem(last=False)
        account.catalogs.prefetch()

    def prepare(self) -> None:
        """Make what every request needs, before serving: the connection pool for the API's URL and the retry
        library (about 25 ms of CPU, and tens more for an https URL's trust store). Made after `initialize`, they
        would delay a first call sent at once. Made on this thread: nothing is served yet, and a worker thread
        would only add its wake-up time on a busy machine."""
        try:
            self.pool.prepare(self._settings.api_url.scheme)
        except Exception:  # the first request fails the same way, and says why
            logger.debug("Building the connection pool failed", exc_info=True)
        api.prepare_requests()

    async def warm_up(self) -> None:
        """Build the parsers in the background, before the first answer comes back."""
        await api.warm_up()

    async def aclose(self) -> None:
        self._by_hash.clear()
        await self.pool.close()


class SharedPool(httpx2.AsyncBaseTransport):
    """One keep-alive connection pool for every account's client, honouring HTTPS_PROXY and NO_PROXY.

    A client closes its transport when it is closed; this one ignores that, so a dropped account cannot
    close connections other accounts use. `close()` ends it, once, at shutdown. A client given a
    transport no longer reads the proxy variables itself, so the pool routes through them here.
    """

    def __init__(self) -> None:
        # By route (see _route), built in a worker thread on first use unless `prepare` built it.
        self._transports: dict[tuple[str | None, bool], httpx2.AsyncHTTPTransport] = {}
        self._building = anyio.Lock()

    def prepare(self, scheme: str) -> None:
        """Build the direct pool for URLs of `scheme` now, on this thread, ahead of the first request."""
        route = _route(None, scheme)
        if route not in self._transports:
            self._transports[route] = _build(*route)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        proxy = proxy_for(str(request.url))
        transport = await self._transport(proxy.url if proxy else None, request.url.scheme)
        return await transport.handle_async_request(request)

    async def _transport(self, proxy: str | None, scheme: str) -> httpx2.AsyncHTTPTransport:
        route = _route(proxy, scheme)
        transport = self._transports.get(route)
        if transport is None:
            async with self._building:
                transport = self._transports.get(route)
                if transport is None:
                    transport = await anyio.to_thread.run_sync(functools.partial(_build, *route))
                    self._transports[route] = transport
        return transport

    async def aclose(self) -> None:
        """Ignored: the pool outlives every client that uses it."""

    async def close(self) -> None:
        transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            await transport.aclose()


def _route(proxy: str | None, scheme: str) -> tuple[str | None, bool]:
    """Which pool serves a URL: its proxy (None: direct), and whether it is plain HTTP all the way."""
    return proxy, proxy is None and scheme == "http"


def _build(proxy: str | None, plain: bool) -> httpx2.AsyncHTTPTransport:
    """A pool. For TLS it loads the trust store, tens of ms of CPU. Plain HTTP all the way (a local API, such as
    the fake one) never uses TLS, so its context skips that and trusts no one: TLS through it could only fail."""
    if plain:
        return httpx2.AsyncHTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), limits=_LIMITS)
    return httpx2.AsyncHTTPTransport(proxy=proxy, limits=_LIMITS)
