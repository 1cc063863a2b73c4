"""AnamClient: the one HTTP client that talks to the Anam REST API.

It owns a single keep-alive `httpx2.AsyncClient`, bounds how many requests are in flight, retries
what is safe to retry, caps response sizes and turns every failure into an `AnamError`. Its typed
methods are the only way the rest of the server reaches Anam: nothing above it knows a URL.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx2
from pydantic import TypeAdapter, ValidationError

from . import __version__
from .config import Settings
from .endpoints import AVATARS, LLMS, PERSONAS, SESSION_TOKEN, VOICES, Listing
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
from .models import Avatar, Llm, Page, PageMeta, Persona, Record, Voice

__all__ = ["PER_PAGE_MAX", "AnamClient", "ProgressCallback"]

logger = logging.getLogger(__name__)

PER_PAGE_MAX = 100
# A runaway `lastPage` must not turn one search into thousands of requests.
_MAX_PAGES = 100
# Longer than this and it is better to tell the model to come back later than to wait.
_MAX_RETRY_AFTER_SECONDS = 10.0
_DETAIL_MAX_CHARS = 300
_RETRYABLE_STATUS = frozenset({502, 503, 504})

RecordT = TypeVar("RecordT", bound=Record)
ProgressCallback = Callable[[int, int], Awaitable[None]]


class AnamClient:
    """Async client for the parts of the Anam API this server uses. Use as an async context manager."""

    def __init__(self, settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._base_url = settings.base_url
        self._api_key = settings.api_key
        self._transport = transport
        self._http: httpx2.AsyncClient | None = None
        self._http_ready = anyio.Lock()
        self._in_flight = anyio.Semaphore(settings.max_concurrent_requests)

    def __repr__(self) -> str:
        return f"AnamClient(base_url={self._base_url!r}, api_key={'set' if self.has_key else 'unset'})"

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
        if self._http is not None:
            await self._http.aclose()

    async def warm_up(self) -> None:
        """Build the HTTP client and load the retry library ahead of the first call; sends nothing.

        Best effort: whatever fails here fails again, and is reported, on the first real request.
        """
        try:
            await self._client()
            await anyio.to_thread.run_sync(_prepare_parsing)
        except Exception:
            logger.debug("HTTP warm-up failed", exc_info=True)

    async def _client(self) -> httpx2.AsyncClient:
        """The shared HTTP client, built on first use.

        Building it loads the TLS trust store (tens of ms), so it happens in a worker thread on the
        first request rather than in the lifespan, where it would delay the answer to `initialize`.
        """
        if self._http is None:
            async with self._http_ready:
                if self._http is None:
                    self._http = await anyio.to_thread.run_sync(self._new_client)
        return self._http

    def _new_client(self) -> httpx2.AsyncClient:
        s = self._settings
        return httpx2.AsyncClient(
            base_url=self._base_url,
            timeout=httpx2.Timeout(
                connect=s.connect_timeout_seconds,
                read=s.read_timeout_seconds,
                write=s.read_timeout_seconds,
                pool=s.read_timeout_seconds,
            ),
            headers={"User-Agent": f"anam-mcp/{__version__}", "Accept": "application/json"},
            transport=self._transport,
        )

    # -- endpoints ---------------------------------------------------------------------------

    async def list_avatars(self, on_progress: ProgressCallback | None = None) -> list[Avatar]:
        return await self._list_all(AVATARS, on_progress)

    async def list_voices(self, on_progress: ProgressCallback | None = None) -> list[Voice]:
        return await self._list_all(VOICES, on_progress)

    async def list_llms(self, on_progress: ProgressCallback | None = None) -> list[Llm]:
        return await self._list_all(LLMS, on_progress)

    async def list_personas(self, on_progress: ProgressCallback | None = None) -> list[Persona]:
        return await self._list_all(PERSONAS, on_progress)

    async def count_avatars(self) -> int | None:
        """How many avatars the account sees, from one small page (None if Anam does not say)."""
        return (await self._get_page(AVATARS, page=1, per_page=1)).meta.total

    async def count_voices(self) -> int | None:
        """How many voices the account sees, from one small page (None if Anam does not say)."""
        return (await self._get_page(VOICES, page=1, per_page=1)).meta.total

    async def create_session_token(self, body: Mapping[str, Any]) -> str:
        """POST /v1/auth/session-token. Retried only when the request certainly never reached Anam."""
        payload = await self._request("POST", SESSION_TOKEN, json_body=body, idempotent=False)
        token = payload.get("sessionToken") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise UnreadableResponseError("no sessionToken in the answer")
        return token

    # -- pagination --------------------------------------------------------------------------

    async def _get_page(self, listing: Listing[RecordT], *, page: int, per_page: int = PER_PAGE_MAX) -> Page[RecordT]:
        """One page of a list endpoint. Items that do not parse are skipped, not fatal."""
        query = {**listing.query, "page": str(page), "perPage": str(per_page)}
        payload = await self._request("GET", listing.path, params=query, idempotent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            raise UnreadableResponseError(f"{listing.path} did not return a list")
        items = _parse_items(listing.model, payload["data"], listing.path)
        try:
            meta = PageMeta.model_validate(payload.get("meta") or {})
        except ValidationError:
            meta = PageMeta()
        return Page(items, meta)

    async def _list_all(self, listing: Listing[RecordT], on_progress: ProgressCallback | None) -> list[RecordT]:
        """Every item of a list endpoint: page 1 first (to learn `lastPage`), then the rest concurrently."""
        first = await self._get_page(listing, page=1)
        last = _last_page(first.meta, len(first.data))
        pages: dict[int, list[RecordT]] = {1: first.data}
        done = 1
        if on_progress:
            await on_progress(done, last)

        async def fetch(number: int) -> None:
            nonlocal done
            pages[number] = (await self._get_page(listing, page=number)).data
            done += 1
            if on_progress:
                await on_progress(done, last)

        if last > 1:
            # The semaphore in _send_once bounds concurrency; the task group just fans out.
            async with anyio.create_task_group() as group:
                for number in range(2, last + 1):
                    group.start_soon(fetch, number)

        seen: set[str] = set()
        merged: list[RecordT] = []
        for number in sorted(pages):
            for item in pages[number]:
                if item.id not in seen:  # a list that shifted between pages may repeat an item
                    seen.add(item.id)
                    merged.append(item)
        return merged

    # -- transport ---------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        idempotent: bool,
    ) -> Any:
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
                        budget_clock = within_budget if budget else None
                        return await self._send_once(method, path, params, json_body, budget_clock)
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
        budget: anyio.CancelScope | None,
    ) -> Any:
        assert self._api_key is not None
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}
        s = self._settings
        # read_timeout bounds each socket read; this bounds a body that trickles in forever.
        deadline = s.connect_timeout_seconds + 2 * s.read_timeout_seconds
        http = await self._client()
        async with self._in_flight:
            if budget is not None and budget.deadline == math.inf:
                budget.deadline = anyio.current_time() + s.retry_budget_seconds
            try:
                with anyio.fail_after(deadline):
                    async with http.stream(method, path, params=params, json=json_body, headers=headers) as r:
                        body = await self._read_capped(r)
                        status, response_headers = r.status_code, r.headers
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
        try:
            return json.loads(body)
        except ValueError as exc:
            raise UnreadableResponseError("not JSON") from exc

    async def _read_capped(self, response: httpx2.Response) -> bytes:
        cap = self._settings.max_response_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise UnreadableResponseError(f"larger than the {cap // 1024} KiB limit")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise UnreadableResponseError(f"larger than the {cap // 1024} KiB limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _status_error(self, status: int, body: bytes, headers: httpx2.Headers) -> AnamError:
        detail = self._detail(body)
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

    def _detail(self, body: bytes) -> str | None:
        """Anam's own message from an error body, cleaned; None for HTML or other non-JSON bodies."""
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict):
            return None
        parts = [payload.get(k) for k in ("message", "error", "summary")]
        text = next((p for p in parts if isinstance(p, str) and p.strip()), None)
        if text is None and isinstance(payload.get("message"), list):  # some frameworks send a list
            text = "; ".join(str(m) for m in payload["message"])
        if text is None:
            return None
        text = re.sub(r"\s+", " ", "".join(ch for ch in text if ch.isprintable() or ch.isspace())).strip()
        if self._api_key is not None and (secret := self._api_key.get_secret_value()):
            text = text.replace(secret, "[redacted]")
        return text[:_DETAIL_MAX_CHARS] or None


def _prepare_parsing() -> None:
    """Load the retry library and build the record validators (deferred at import to start faster)."""
    importlib.import_module("stamina")
    for model in (Avatar, Voice, Llm, Persona):
        _list_of(model)
    PageMeta.model_rebuild()


@functools.cache
def _list_of(model: type[RecordT]) -> TypeAdapter[list[RecordT]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _parse_items(model: type[RecordT], raw: list[Any], path: str) -> list[RecordT]:
    """All items in one validation call; item by item, skipping bad ones, only if that fails."""
    try:
        return _list_of(model).validate_python(raw)
    except ValidationError:
        pass
    items: list[RecordT] = []
    for entry in raw:
        try:
            items.append(model.model_validate(entry))
        except ValidationError:
            logger.warning("Skipped an unreadable %s entry from %s", model.__name__, path)
    return items


def _retry_policy(idempotent: bool) -> Callable[[Exception], bool | float]:
    def should_retry(exc: Exception) -> bool | float:
        if not idempotent:
            # A POST may have minted a token even if we never saw the answer: retry only when
            # the connection itself failed.
            return isinstance(exc, UnreachableError)
        if isinstance(exc, RateLimitedError | AnamUnavailableError):
            if isinstance(exc, AnamUnavailableError) and exc.status not in _RETRYABLE_STATUS:
                return False
            if exc.retry_after is None:
                return True
            return exc.retry_after if exc.retry_after <= _MAX_RETRY_AFTER_SECONDS else False
        return isinstance(exc, UpstreamTimeoutError | UnreachableError | ConnectionDroppedError)

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


def _last_page(meta: PageMeta, first_page_size: int) -> int:
    if meta.last_page is not None:
        last = meta.last_page
    elif meta.total is not None:
        last = math.ceil(meta.total / PER_PAGE_MAX)
    else:
        last = 1
    if first_page_size == 0:
        last = 1
    return max(1, min(last, _MAX_PAGES))
