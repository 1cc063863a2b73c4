"""AnamClient: the one HTTP client that talks to the Anam REST API, sending requests and retrying them.

It owns a keep-alive `httpx2.AsyncClient`, bounds how many requests are in flight, retries what is safe to
retry within a time budget, and turns every failure into an `AnamError`. The area modules (catalogue.py,
personas.py, ...) call `request`; nothing above them knows a URL.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self

import anyio
import httpx2

from .. import __version__
from ..config import Settings
from ..net import proxy_for
from .decoding import read_capped
from .errors import (
    AnamError,
    ConnectionDroppedError,
    MissingApiKeyError,
    NotFoundError,
    PoolBusyError,
    UnreachableError,
    UnreadableResponseError,
    UpstreamTimeoutError,
)
from .pool import SharedConnections
from .status import status_error
from .uploads import Upload, upload_seconds

__all__ = ["AnamClient", "BackgroundLoad", "ProgressCallback"]

# Background loads (prefetch) use at most this many request slots: a user's call never waits behind them.
_BACKGROUND_SLOTS = 2
# Longer than this and it is better to tell the model to come back later than to wait.
_MAX_RETRY_AFTER_SECONDS = 10.0

ProgressCallback = Callable[[int, int], Awaitable[None]]


class BackgroundLoad:
    """The requests of a load that nobody waits for yet (a prefetch): they queue for a couple of request slots, so
    that a user's call never waits behind them. Once someone waits for the load, `promote` lets them use every slot:
    a user who joins a prefetch must not wait at background pace."""

    def __init__(self) -> None:
        self._promoted = anyio.Event()

    @property
    def promoted(self) -> bool:
        return self._promoted.is_set()

    def promote(self) -> None:
        self._promoted.set()

    async def wait_promoted(self) -> None:
        await self._promoted.wait()


class AnamClient:
    """Sends requests to one Anam account (one API key). Use as an async context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        connections: SharedConnections | None = None,
        key_source: str = "ANAM_API_KEY",
        on_first_success: Callable[[], None] | None = None,
    ) -> None:
        """`connections`: the share of `transport`'s pool this client may use, when other clients use it too;
        `key_source`: where the key comes from, in words, for the error that says Anam rejected it;
        `on_first_success`: called once, when a request first gets a successful answer (the key works)."""
        self._settings = settings
        self._connections = connections
        self._active = 0
        self._worked = False
        self._key_source = key_source
        self._on_first_success = on_first_success
        self._base_url = settings.base_url
        self._api_key = settings.api_key
        if transport is None:
            # A one-off client (--check, tests): loading the TLS trust store takes a while, and the server's clients
            # share the accounts' pool instead, built off the event loop (accounts.py). Its proxy is the one the
            # pool would take, never the HTTP library's own choice (which also builds every other scheme's).
            proxy = proxy_for(self._base_url)
            transport = httpx2.AsyncHTTPTransport(proxy=proxy.url if proxy else None)
        self._http = httpx2.AsyncClient(
            base_url=self._base_url,
            timeout=httpx2.Timeout(
                connect=settings.connect_timeout_seconds,
                read=settings.read_timeout_seconds,
                write=settings.read_timeout_seconds,
                pool=settings.pool_timeout_seconds,
            ),
            headers={"User-Agent": f"anam-mcp/{__version__}", "Accept": "application/json"},
            transport=transport,
        )
        self._in_flight = anyio.Semaphore(settings.max_concurrent_requests)
        # At least one slot is left for the user's own calls whenever there are two or more.
        background_slots = max(1, min(_BACKGROUND_SLOTS, settings.max_concurrent_requests - 1))
        self._background_slots = anyio.Semaphore(background_slots)

    def __repr__(self) -> str:
        return f"AnamClient(base_url={self._base_url!r}, api_key={'set' if self.has_key else 'unset'})"

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def has_worked(self) -> bool:
        """Whether Anam has answered one of this client's requests with success, so its key is a real one."""
        return self._worked

    @property
    def has_key(self) -> bool:
        return self._api_key is not None and bool(self._api_key.get_secret_value())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def delete(self, path: str) -> bool:
        """DELETE `path`: True once deleted, False when Anam has no such thing (it is already gone). A retry that
        meets 404 counts as deleted: the first attempt did it."""
        try:
            await self.request("DELETE", path, idempotent=True)
        except NotFoundError:
            return False
        return True

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        upload: Upload | None = None,
        idempotent: bool,
        background: BackgroundLoad | None = None,
        send_key: bool = True,
    ) -> bytes:
        """The body of a 2xx answer, after the retries the budget allows; every failure is an AnamError.

        `idempotent`: whether sending the request twice leaves the same state as once (GET, PUT, DELETE). A
        request that is not (a POST that creates something) is retried only when it certainly never reached
        Anam. A DELETE whose retry finds nothing (404) succeeded: the thing is gone either way. `send_key=False`
        is for a whole URL Anam handed out (a presigned upload URL, on its storage's host): such a URL is its own
        credential, and the API key never goes anywhere but Anam's API. `background`:
        the request belongs to a load nobody waits for yet (see BackgroundLoad).
        """
        if not self.has_key:
            raise MissingApiKeyError()
        # Imported here: the retry library (and tenacity under it) is not needed to start serving.
        import stamina

        budget = self._settings.retry_budget_seconds
        last_failure: AnamError | None = None
        # The budget bounds the whole request, attempts included, not only the waits between them. Its clock
        # starts when the first attempt gets a request slot (see _send_once): queueing behind others is not retrying.
        with anyio.CancelScope() as within_budget:
            async for attempt in stamina.retry_context(
                on=_retry_policy(idempotent),
                attempts=self._settings.max_retries + 1 if budget else 1,
                timeout=None,
                wait_initial=0.2,
                wait_max=4.0,
                wait_jitter=0.3,
            ):
                with attempt:
                    last_failure = None  # so a budget that ends during an attempt reports a timeout
                    try:
                        clock = within_budget if budget else None
                        return await self._send_once(
                            method, path, params, json_body, upload, background, clock, send_key
                        )
                    except AnamError as exc:
                        if method == "DELETE" and attempt.num > 1 and isinstance(exc, NotFoundError):
                            # An earlier attempt did delete it: only the answer was lost (a gateway's 504, say).
                            return b""
                        last_failure = exc
                        raise
        if within_budget.cancelled_caught:
            raise last_failure or UpstreamTimeoutError(budget)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Mapping[str, Any] | None,
        upload: Upload | None,
        background: BackgroundLoad | None,
        budget: anyio.CancelScope | None,
        send_key: bool,
    ) -> bytes:
        assert self._api_key is not None
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"} if send_key else {}
        content = None
        sending = 0.0
        if upload is not None:
            headers.update(upload.headers())
            content = upload.chunks()
            sending = upload_seconds(int(headers.get("Content-Length") or 0))
        s = self._settings
        # read_timeout bounds each socket read; this bounds a body that trickles in forever.
        deadline = s.connect_timeout_seconds + 2 * s.read_timeout_seconds + sending
        async with self._lane(background), self._in_flight:
            if budget is not None and budget.deadline == math.inf:
                budget.deadline = anyio.current_time() + s.retry_budget_seconds + sending
            try:
                async with self._connection():
                    with anyio.fail_after(deadline):
                        async with self._http.stream(
                            method, path, params=params, json=json_body, content=content, headers=headers
                        ) as response:
                            body = await read_capped(response, s.max_response_bytes)
                            status, response_headers = response.status_code, response.headers
            except TimeoutError as exc:
                raise UpstreamTimeoutError(deadline) from exc
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                # A presigned URL's query is its signature: only its origin may be shown.
                where = self._base_url if send_key else str(httpx2.URL(path).copy_with(path="/", query=None))
                raise UnreachableError(where) from exc
            except httpx2.PoolTimeout as exc:
                raise PoolBusyError(s.pool_timeout_seconds) from exc
            except httpx2.TimeoutException as exc:
                raise UpstreamTimeoutError(s.read_timeout_seconds) from exc
            except httpx2.TransportError as exc:
                raise ConnectionDroppedError() from exc
        if status >= 400:
            api_key = self._api_key.get_secret_value() if self._api_key else None
            raise status_error(status, body, response_headers, api_key=api_key, key_source=self._key_source)
        if status >= 300:
            raise UnreadableResponseError(f"unexpected redirect {status}")
        self._worked = True
        if self._on_first_success is not None:
            worked, self._on_first_success = self._on_first_success, None
            worked()
        return body

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[None]:
        """A connection of the shared pool, within this client's share; nothing to wait for without one."""
        if self._connections is None:
            yield
            return
        holding = self._active
        self._active += 1
        try:
            async with self._connections.connection(holding):
                yield
        finally:
            self._active -= 1

    @contextlib.asynccontextmanager
    async def _lane(self, background: BackgroundLoad | None) -> AsyncIterator[None]:
        """Background requests queue for a couple of slots first, so they never hold all of them; a request whose
        load is promoted while it queues stops queueing."""
        taken = False
        try:
            if background is not None and not background.promoted:
                async with anyio.create_task_group() as race:

                    async def take_slot() -> None:
                        nonlocal taken
                        await self._background_slots.acquire()
                        taken = True
                        race.cancel_scope.cancel()

                    race.start_soon(take_slot)
                    await background.wait_promoted()
                    race.cancel_scope.cancel()
            yield
        finally:
            if taken:
                self._background_slots.release()


def _retry_policy(idempotent: bool) -> Callable[[Exception], bool | float]:
    def should_retry(exc: Exception) -> bool | float:
        if not isinstance(exc, AnamError) or not exc.retryable:
            return False
        if not idempotent:
            # A POST may have created something even if we never saw the answer: retry only when the
            # connection itself failed.
            return isinstance(exc, UnreachableError)
        if exc.retry_after is None:
            return True
        return exc.retry_after if exc.retry_after <= _MAX_RETRY_AFTER_SECONDS else False

    return should_retry
