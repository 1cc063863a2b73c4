"""AnamClient: the one HTTP client that talks to the Anam REST API.

It owns a single keep-alive `httpx2.AsyncClient`, bounds how many requests are in flight, retries
what is safe to retry, caps response sizes and turns every failure into an `AnamError`. Its typed
methods are the only way the rest of the server reaches Anam: nothing above it knows a URL.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload
from uuid import UUID

import anyio
import httpx2
from anyio.abc import TaskGroup
from pydantic import BaseModel, ValidationError

from . import __version__
from .config import Settings
from .endpoints import (
    AVATARS,
    LLMS,
    PERSONA,
    PERSONAS,
    SESSION_TOKEN,
    SESSIONS,
    SHARE_LINKS,
    TRANSCRIPT,
    VOICES,
    Listing,
)
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
from .models import (
    Avatar,
    CreatedShareLink,
    Llm,
    Page,
    PageMeta,
    Persona,
    PersonaDetail,
    Record,
    Session,
    Transcript,
    Voice,
    parse_records,
    prepare_parsing,
)

__all__ = ["PER_PAGE_MAX", "AnamClient", "Listed", "ProgressCallback", "warm_up_parsing"]

logger = logging.getLogger(__name__)

PER_PAGE_MAX = 100
# Bodies at least this large are parsed in a worker thread, so the server keeps answering meanwhile.
_THREAD_PARSE_BYTES = 256 * 1024
# Background loads (prefetch) use at most this many request slots: a user's call never waits behind them.
_BACKGROUND_SLOTS = 2
_SURROGATE = re.compile("[\ud800-\udfff]")
# Longer than this and it is better to tell the model to come back later than to wait.
_MAX_RETRY_AFTER_SECONDS = 10.0
_DETAIL_MAX_CHARS = 300
_RETRYABLE_STATUS = frozenset({502, 503, 504})

RecordT = TypeVar("RecordT", bound=Record)
ModelT = TypeVar("ModelT", bound=BaseModel)
_R = TypeVar("_R")
ProgressCallback = Callable[[int, int], Awaitable[None]]


class AnamClient:
    """Async client for the parts of the Anam API this server uses. Use as an async context manager."""

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

    # -- endpoints ---------------------------------------------------------------------------

    async def list_avatars(
        self, on_progress: ProgressCallback | None = None, background: bool = False
    ) -> Listed[Avatar]:
        return await self._list_all(AVATARS, on_progress, background)

    async def list_voices(self, on_progress: ProgressCallback | None = None, background: bool = False) -> Listed[Voice]:
        return await self._list_all(VOICES, on_progress, background)

    async def list_llms(self, on_progress: ProgressCallback | None = None, background: bool = False) -> Listed[Llm]:
        return await self._list_all(LLMS, on_progress, background)

    async def list_personas(
        self, on_progress: ProgressCallback | None = None, background: bool = False
    ) -> Listed[Persona]:
        return await self._list_all(PERSONAS, on_progress, background)

    async def count_avatars(self) -> int | None:
        """How many avatars the account sees, from one small page (None if Anam does not say)."""
        return (await self._get_page(AVATARS, page=1, per_page=1)).meta.total

    async def count_voices(self) -> int | None:
        """How many voices the account sees, from one small page (None if Anam does not say)."""
        return (await self._get_page(VOICES, page=1, per_page=1)).meta.total

    async def create_session_token(self, body: Mapping[str, Any]) -> str:
        """POST /v1/auth/session-token. Retried only when the request certainly never reached Anam."""
        raw = await self._request("POST", SESSION_TOKEN, json_body=body, idempotent=False)
        return await _off_the_loop_if_large(len(raw), functools.partial(_read_token, raw))

    # A POST that creates something is, like a token request, retried only when it certainly never reached
    # Anam; PUT and DELETE leave the same state however often they are sent, so they are retried like reads.

    async def create_persona(self, body: Mapping[str, Any]) -> PersonaDetail:
        """POST /v1/personas: save a persona; Anam answers with the persona as saved."""
        raw = await self._request("POST", PERSONAS.path, json_body=body, idempotent=False)
        return _parse_one(PersonaDetail, raw, "the saved persona")

    async def get_persona(self, persona_id: UUID) -> PersonaDetail:
        raw = await self._request("GET", PERSONA.format(id=persona_id), idempotent=True)
        return _parse_one(PersonaDetail, raw, "the persona")

    async def update_persona(self, persona_id: UUID, body: Mapping[str, Any]) -> PersonaDetail:
        """PUT /v1/personas/{id}: Anam changes only the fields in `body` and answers with the whole persona."""
        raw = await self._request("PUT", PERSONA.format(id=persona_id), json_body=body, idempotent=True)
        return _parse_one(PersonaDetail, raw, "the updated persona")

    async def delete_persona(self, persona_id: UUID) -> None:
        await self._request("DELETE", PERSONA.format(id=persona_id), idempotent=True)

    async def create_share_link(self, body: Mapping[str, Any]) -> CreatedShareLink:
        raw = await self._request("POST", SHARE_LINKS, json_body=body, idempotent=False)
        return _parse_one(CreatedShareLink, raw, "the share link")

    async def list_sessions(self, persona_id: UUID | None, limit: int) -> Page[Session]:
        """The newest `limit` sessions, of one persona if `persona_id` is given: one page of GET /v1/sessions."""
        listing = SESSIONS if persona_id is None else replace(SESSIONS, query={"personaId": str(persona_id)})
        page = await self._get_page(listing, page=1, per_page=limit)
        newest_first = sorted(page.data, key=lambda session: session.start_time or "", reverse=True)
        return Page(newest_first, page.meta)

    async def get_transcript(self, session_id: UUID) -> Transcript:
        raw = await self._request("GET", TRANSCRIPT.format(id=session_id), idempotent=True)
        return await _off_the_loop_if_large(len(raw), functools.partial(_parse_one, Transcript, raw, "the transcript"))

    # -- pagination --------------------------------------------------------------------------

    async def _get_page(
        self,
        listing: Listing[RecordT],
        *,
        page: int,
        per_page: int = PER_PAGE_MAX,
        items_left: int | None = None,
        background: bool = False,
    ) -> Page[RecordT]:
        """One page of a list endpoint, its entries beyond `items_left` ignored. Unreadable entries are skipped."""
        query = {**listing.query, "page": str(page), "perPage": str(per_page)}
        raw = await self._request("GET", listing.path, params=query, idempotent=True, background=background)
        read = functools.partial(_read_page, listing, raw, items_left)
        return await _off_the_loop_if_large(len(raw), read)

    async def _list_all(
        self, listing: Listing[RecordT], on_progress: ProgressCallback | None, background: bool
    ) -> Listed[RecordT]:
        """Every item of a list endpoint: page 1 first, to learn how many pages there are, then the rest concurrently.

        The pages' metadata is a hint, not a promise: the listing goes on while pages come back full and
        ends at a short page. It stops early, and says so, at ANAM_MAX_CATALOG_ITEMS or ANAM_MAX_CATALOG_BYTES.
        """
        s = self._settings
        pages: _Pages[RecordT] = _Pages(s.max_catalog_items, s.max_catalog_bytes)
        room = pages.claim(s.max_catalog_items)
        first = await self._get_page(listing, page=1, items_left=room, background=background)
        pages.add(1, first, room)
        full = max(first.entries, 1)  # the page size Anam actually uses
        total = first.meta.total
        last = _planned_last_page(first.meta, first.entries)
        next_page, done = 2, 1
        failure: AnamError | None = None
        if on_progress:
            await on_progress(done, last)

        async def fetch_pages(group: TaskGroup) -> None:
            nonlocal next_page, last, done, failure
            while next_page <= last and failure is None and (room := pages.claim(full)):
                number, next_page = next_page, next_page + 1
                try:
                    page = await self._get_page(listing, page=number, items_left=room, background=background)
                except AnamError as exc:
                    # Kept, not raised: a task group would wrap it in an ExceptionGroup that no caller expects.
                    failure = failure or exc
                    group.cancel_scope.cancel()
                    return
                pages.add(number, page, room)
                if page.entries < full:
                    last = min(last, number)  # a short page ends the list
                elif number == last and (total is None or total > number * full):
                    last += 1  # a full last page: keep going while pages come back full
                done += 1
                if on_progress:
                    await on_progress(done, last)

        if last > 1:
            async with anyio.create_task_group() as group:
                for _ in range(s.max_concurrent_requests):
                    group.start_soon(fetch_pages, group)
        if failure is not None:
            raise failure
        if next_page <= last:
            pages.stopped_early()
        return Listed(pages.merged(), pages.skipped, pages.limit)

    # -- transport ---------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        idempotent: bool,
        background: bool = False,
    ) -> bytes:
        """The body of a 2xx answer, after the retries the budget allows; every failure is an AnamError."""
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
                        return await self._send_once(method, path, params, json_body, background, budget_clock)
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
        background: bool,
        budget: anyio.CancelScope | None,
    ) -> bytes:
        assert self._api_key is not None
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}
        s = self._settings
        # read_timeout bounds each socket read; this bounds a body that trickles in forever.
        deadline = s.connect_timeout_seconds + 2 * s.read_timeout_seconds
        http = self._http
        # Background loads queue for a couple of slots first, so they never hold all of them.
        lane = self._background_slots if background else contextlib.nullcontext()
        async with lane, self._in_flight:
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
        return body

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
            payload = _parse_json(body)
        except UnreadableResponseError:
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


async def warm_up_parsing() -> None:
    """Load the retry library and build the record validators (deferred at import to start faster), in a
    worker thread, ahead of the first call. Best effort: what fails here fails again on the first request."""
    try:
        await anyio.to_thread.run_sync(_prepare_parsing)
    except Exception:
        logger.debug("Warm-up failed", exc_info=True)


def _prepare_parsing() -> None:
    importlib.import_module("stamina")
    prepare_parsing()


def _parse_one(model: type[ModelT], raw: bytes, what: str) -> ModelT:
    try:
        return model.model_validate(_parse_json(raw))
    except ValidationError as exc:
        raise UnreadableResponseError(f"{what} is not in the expected shape") from exc


def _parse_json(body: bytes) -> Any:
    """Anam's JSON as Python values whose text is all valid Unicode; UnreadableResponseError if it is not JSON.

    Invalid UTF-8 and lone UTF-16 surrogates (`"\\ud83d"`, which json.loads accepts) become U+FFFD here, at the
    boundary: a surrogate that reached a result would make the stdio writer fail and stop the server.
    """
    text = body.decode("utf-8-sig", errors="replace")
    try:
        payload = json.loads(text)
        # Only a \u escape can produce a surrogate: most bodies have none and are not walked.
        return _valid_text(payload) if "\\ud" in text or "\\uD" in text else payload
    except RecursionError as exc:
        raise UnreadableResponseError("nested too deeply") from exc
    except ValueError as exc:
        raise UnreadableResponseError("not JSON") from exc


def _valid_text(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    return value


async def _off_the_loop_if_large(size: int, work: Callable[[], _R]) -> _R:
    """Run `work` (parsing a body of `size` bytes) in a worker thread when it is large enough to stall the loop."""
    if size < _THREAD_PARSE_BYTES:
        return work()
    return await anyio.to_thread.run_sync(work)


def _read_token(raw: bytes) -> str:
    payload = _parse_json(raw)
    token = payload.get("sessionToken") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise UnreadableResponseError("no sessionToken in the answer")
    if not token.isascii() or not token.isprintable():  # a JWT is printable ASCII; anything else cannot work
        raise UnreadableResponseError("the sessionToken is malformed")
    return token


def _read_page(listing: Listing[RecordT], raw: bytes, items_left: int | None) -> Page[RecordT]:
    payload = _parse_json(raw)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise UnreadableResponseError(f"{listing.path} did not return a list")
    entries: list[Any] = payload["data"]
    kept = entries if items_left is None else entries[: max(items_left, 0)]
    items, skipped = parse_records(listing.model, kept)
    if skipped:
        logger.warning("Skipped %d unreadable entries from %s", skipped, listing.path)
    return Page(items, PageMeta.read(payload.get("meta")), len(entries), skipped, len(raw))


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


def _planned_last_page(meta: PageMeta, entries: int) -> int:
    """The last page, from page 1: `lastPage` if it agrees with `total`, else what `total` implies."""
    if entries == 0:
        return 1
    from_total = math.ceil(meta.total / entries) if meta.total is not None else None
    if meta.last_page and (from_total is None or meta.last_page == from_total):
        return meta.last_page
    if from_total is not None:
        return max(from_total, 1)
    return 2 if entries >= PER_PAGE_MAX else 1  # nothing to go by: one more if this page is full


@dataclass(frozen=True, slots=True)
class Listed(Sequence[RecordT]):
    """A whole list (a sequence of its items), how many entries were unreadable, and the limit that cut it
    short, if one did."""

    items: list[RecordT]
    skipped: int = 0
    limit: str | None = None

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> RecordT: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordT]: ...
    def __getitem__(self, index: int | slice) -> RecordT | list[RecordT]:
        return self.items[index]


class _Pages(Generic[RecordT]):
    """The pages of one listing as they arrive, within its item and byte budget.

    A page's room is claimed before it is requested, so concurrent requests cannot overrun the item budget.
    """

    def __init__(self, max_items: int, max_bytes: int) -> None:
        self._max_items, self._max_bytes = max_items, max_bytes
        self._pages: dict[int, list[RecordT]] = {}
        self._items_left, self._bytes_left = max_items, max_bytes
        self.skipped = 0
        self.limit: str | None = None  # the setting whose limit left entries out

    def claim(self, entries: int) -> int:
        """How many entries the next page may keep (`entries` at most); 0 once the budget is spent."""
        room = min(entries, self._items_left) if self._bytes_left > 0 else 0
        self._items_left -= room
        return room

    def add(self, number: int, page: Page[RecordT], room: int) -> None:
        if self._bytes_left <= 0:  # spent while this page was on its way: it is left out
            self._left_out(True)
            return
        self._pages[number] = page.data
        used = len(page.data) + page.skipped
        self._items_left += room - used
        self._bytes_left -= page.size
        self.skipped += page.skipped
        if used < page.entries:
            self._left_out(False)

    def stopped_early(self) -> None:
        """Pages that exist were not requested: the budget was spent."""
        self._left_out(self._bytes_left <= 0)

    def _left_out(self, by_bytes: bool) -> None:
        if self.limit is None:
            self.limit = (
                f"ANAM_MAX_CATALOG_BYTES ({self._max_bytes // 1024} KiB)"
                if by_bytes
                else f"ANAM_MAX_CATALOG_ITEMS ({self._max_items} items)"
            )

    def merged(self) -> list[RecordT]:
        seen: set[str] = set()
        merged: list[RecordT] = []
        for number in sorted(self._pages):
            for item in self._pages[number]:
                if item.id not in seen:  # a list that shifted between pages may repeat an item
                    seen.add(item.id)
                    merged.append(item)
        return merged
