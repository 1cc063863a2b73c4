"""Paginated lists: one page, or every page (page 1 first, then the rest concurrently), within a budget.

A listing's metadata is a hint, not a promise: a list goes on while pages come back full and ends at a
short page. It stops early, and says so, at ANAM_MAX_CATALOG_ITEMS or ANAM_MAX_CATALOG_BYTES.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

import anyio
from anyio.abc import TaskGroup

from .decoding import off_the_loop_if_large, parse_json
from .errors import AnamError, UnreadableResponseError
from .records import Record, listed, parse_records
from .transport import AnamClient, BackgroundLoad, ProgressCallback

__all__ = ["PER_PAGE_MAX", "Listed", "Listing", "Page", "PageMeta", "get_page", "list_all"]

logger = logging.getLogger(__name__)

PER_PAGE_MAX = 100

RecordT = TypeVar("RecordT", bound=Record)


@dataclass(frozen=True, slots=True)
class Listing(Generic[RecordT]):
    """A paginated list: GET `path`?page=&perPage=, plus `query`; each item is a `model`."""

    path: str
    model: type[RecordT]
    query: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        listed(self.model)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a list page says about the whole list; a count that is not a non-negative integer is unknown."""

    total: int | None = None
    last_page: int | None = None

    @classmethod
    def read(cls, raw: object) -> PageMeta:
        if not isinstance(raw, dict):
            return cls()
        return cls(_count(raw.get("total")), _count(raw.get("lastPage")))


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    """One page of a list endpoint: its readable items, how many entries it held, and its metadata."""

    data: list[RecordT]
    meta: PageMeta
    entries: int = 0  # entries Anam sent, readable or not: a full page means more may follow
    skipped: int = 0  # entries dropped because their id was unusable
    size: int = 0  # bytes of the response


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


async def get_page(
    client: AnamClient,
    listing: Listing[RecordT],
    *,
    page: int,
    per_page: int = PER_PAGE_MAX,
    items_left: int | None = None,
    background: BackgroundLoad | None = None,
) -> Page[RecordT]:
    """One page of a list endpoint, its entries beyond `items_left` ignored. Unreadable entries are skipped."""
    query = {**listing.query, "page": str(page), "perPage": str(per_page)}
    raw = await client.request("GET", listing.path, params=query, idempotent=True, background=background)
    return await off_the_loop_if_large(len(raw), functools.partial(_read_page, listing, raw, items_left))


async def list_all(
    client: AnamClient,
    listing: Listing[RecordT],
    on_progress: ProgressCallback | None = None,
    background: BackgroundLoad | None = None,
) -> Listed[RecordT]:
    """Every item of a list endpoint: page 1 first, to learn how many pages there are, then the rest concurrently."""
    s = client.settings
    pages: _Pages[RecordT] = _Pages(s.max_catalog_items, s.max_catalog_bytes)
    room = pages.claim(s.max_catalog_items)
    first = await get_page(client, listing, page=1, items_left=room, background=background)
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
                page = await get_page(client, listing, page=number, items_left=room, background=background)
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


def _read_page(listing: Listing[RecordT], raw: bytes, items_left: int | None) -> Page[RecordT]:
    payload = parse_json(raw)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise UnreadableResponseError(f"{listing.path} did not return a list")
    entries: list[Any] = payload["data"]
    kept = entries if items_left is None else entries[: max(items_left, 0)]
    items, skipped = parse_records(listing.model, kept)
    if skipped:
        logger.warning("Skipped %d unreadable entries from %s", skipped, listing.path)
    return Page(items, PageMeta.read(payload.get("meta")), len(entries), skipped, len(raw))


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
