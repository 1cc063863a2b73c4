"""AnamClient: the one HTTP client that talks to the Anam REST API, sending requests and retrying them.

It owns a keep-alive `httpx2.AsyncClient`, bounds how many requests are in flight, retries what is safe to
retry within a time budget, and turns every failure into an `AnamError`. The area modules (catalogue.py,
personas.py, ...) call `request`; nothing above them knows a URL.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Protocol, Self

import anyio
import httpx2

from .. import __version__
from ..config import Settings
from .decoding import error_detail, read_capped
from .errors import (
    AnamError,
    AnamUnavailableError,
    AuthenticationError,
    ConnectionDroppedError,
    InvalidRequestError,
    MissingApiKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnreachableError,
    UnreadableResponseError,
    UpstreamTimeoutError,
)

__all__ = ["AnamClient", "BackgroundLoad", "ProgressCallback", "Upload"]

# Background loads (prefetch) use at most this many request slots: a user's call never waits behind them.
_BACKGROUND_SLOTS = 2
# Longer than this and it is better to tell the model to come back later than to wait.
_MAX_RETRY_AFTER_SECONDS = 10.0

ProgressCallback = Callable[[int, int], Awaitable[None]]


class Upload(Protocol):
    """A request body streamed from its source (a file on disk, say), that can be sent again on a retry."""

    def headers(self) -> dict[str, str]: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


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

    def __init__(self, settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._base_url = settings.base_url
        self._api_key = settings.api_key
        # Without a `transport` (a one-off client: --check, tests) this loads the TLS trust store; the server's
        # clients share the accounts' pool, which is built off the event loop (see accounts.py).
        self._http = httpx2.AsyncClient(
            base_url=self._base_url,
            timeout=httpx2.Timeout(
                connect=settings.connect_timeout_seconds,
                read=settings.read_timeout_seconds,
                write=settings.read_timeout_seconds,
                pool=settings.read_timeout_seconds,
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
    ) -> bytes:
        """The body of a 2xx answer, after the retries the budget allows; every failure is an AnamError.

        `idempotent`: whether sending the request twice leaves the same state as once (GET, PUT, DELETE). A
        request that is not (a POST that creates something) is retried only when it certainly never reached
        Anam. `background`: the request belongs to a load nobody waits for yet (see BackgroundLoad).
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
                        return await self._send_once(method, path, params, json_body, upload, background, clock)
                    except AnamError as exc:
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
    ) -> bytes:
        assert self._api_key is not None
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}
        content = None
        if upload is not None:
            headers.update(upload.headers())
            content = upload.chunks()
        s = self._settings
        # read_timeout bounds each socket read; this bounds a body that trickles in forever.
        deadline = s.connect_timeout_seconds + 2 * s.read_timeout_seconds
        async with self._lane(background), self._in_flight:
            if budget is not None and budget.deadline == math.inf:
                budget.deadline = anyio.current_time() + s.retry_budget_seconds
            try:
                with anyio.fail_after(deadline):
                    async with self._http.stream(
                        method, path, params=params, json=json_body, content=content, headers=headers
                    ) as response:
                        body = await read_capped(response, s.max_response_bytes)
                        status, response_headers = response.status_code, response.headers
            except TimeoutError as exc:
                raise UpstreamTimeoutError(deadline) from exc
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                raise UnreachableError(self._base_url) from exc
            except httpx2.TimeoutException as exc:
                raise UpstreamTimeoutError(s.read_timeout_seconds) from exc
            except httpx2.TransportError as exc:
                raise ConnectionDroppedError() from exc
        if status >= 400:
            raise self._status_error(status, body, response_headers)
        if status >= 300:
            raise UnreadableResponseError(f"unexpected redirect {status}")
        return body

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

    def _status_error(self, status: int, body: bytes, headers: httpx2.Headers) -> AnamError:
        detail = error_detail(body, self._api_key.get_secret_value() if self._api_key else None)
        if status == 401:
            return AuthenticationError(status)
        if status == 403:
            return PermissionDeniedError(detail)
        if status == 404:
            return NotFoundError(detail)
        if status == 429:
            return RateLimitedError(_retry_after(headers))
        if status >= 500:
            return AnamUnavailableError(status, detail, _retry_after(headers))
        return InvalidRequestError(status, detail)


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


def _retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or `RateLimit-Reset`."""
    for name in ("retry-after", "ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:
            return None if math.isnan(seconds) else max(0.0, seconds)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None
