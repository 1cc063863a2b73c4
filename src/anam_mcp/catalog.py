"""In-memory catalogues (each catalogue kind of the API areas: avatars, voices, LLMs, personas), shared by every
tool call.

A catalogue is loaded once (all pages, concurrently), kept for a freshness window, and searched
in memory. Concurrent callers share one load; a failed refresh keeps serving the last good copy.
Loads run in the server's background task group, so a caller that gives up does not abort a load
that others are waiting for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import anyio
from anyio.abc import TaskGroup

from .api.catalogue import KINDS, Kind
from .api.errors import AnamError, UnreadableResponseError
from .api.pages import Listed, list_all
from .api.records import Record
from .api.transport import AnamClient, BackgroundLoad, ProgressCallback
from .query_words import Meaning, Reading, read_query
from .search import Indexed, index, mentioned_in, rank

__all__ = ["Background", "Catalog", "Catalogs", "Matches"]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Record)


class Background:
    """Work that outlives the call that started it (catalogue loads, warm-up); cancelled at shutdown."""

    def __init__(self) -> None:
        self._group: TaskGroup | None = None

    async def __aenter__(self) -> Self:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._group is not None
        self._group.cancel_scope.cancel()
        await self._group.__aexit__(exc_type, exc, tb)
        self._group = None

    def start_soon(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        if self._group is None:
            raise RuntimeError("background work needs a running server")
        self._group.start_soon(work, name=name)


@dataclass(frozen=True, slots=True)
class Matches(Generic[T]):
    """Search hits, best first, a note when they come from a stale or incomplete copy, and how the query was read."""

    items: list[T]
    note: str | None
    reading: Reading


@dataclass(frozen=True, slots=True)
class _Snapshot(Generic[T]):
    entries: list[Indexed[T]]
    loaded_at: float
    note: str | None = None  # what the list lacks: unreadable entries, or the part past a limit


@dataclass(eq=False, slots=True)
class _Load(Generic[T]):
    """One load in progress: everyone who needs the catalogue waits for `done`, and hears its progress."""

    background: BackgroundLoad | None  # set for a prefetch, until someone waits for it
    done: anyio.Event = field(default_factory=anyio.Event)
    listeners: list[ProgressCallback] = field(default_factory=list)
    waiting: int = 0  # callers waiting for it: each reports (and logs) a failure itself
    snapshot: _Snapshot[T] | None = None
    error: AnamError | None = None

    async def progress(self, done: int, total: int) -> None:
        for listener in list(self.listeners):
            try:
                await listener(done, total)
            except Exception:  # progress is a courtesy: a client that went away must not fail the load
                logger.debug("Progress report dropped", exc_info=True)


class Catalog(Generic[T]):
    """One cached list, loaded with `kind.load` and indexed by its names and secondary text."""

    def __init__(
        self,
        kind: Kind[T],
        client: AnamClient,
        background: Background,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = kind.name
        self._kind = kind
        self._client = client
        self._background = background
        self._ttl = ttl_seconds
        self._clock = clock
        self._snapshot: _Snapshot[T] | None = None
        self._load: _Load[T] | None = None

    def _fresh(self, not_before: float | None) -> _Snapshot[T] | None:
        snapshot = self._snapshot
        if snapshot is None:
            return None
        if not_before is not None:
            return snapshot if snapshot.loaded_at >= not_before else None
        return snapshot if self._clock() - snapshot.loaded_at < self._ttl else None

    async def entries(
        self, *, refresh: bool = False, on_progress: ProgressCallback | None = None
    ) -> tuple[list[Indexed[T]], str | None]:
        """The indexed entries, loading them if missing, expired or `refresh` is asked for.

        Returns the entries and a note, set when the list is incomplete or a refresh failed and an older
        copy is served.
        """
        fresh = self._fresh(self._clock() if refresh else None)
        if fresh is not None:
            return fresh.entries, fresh.note
        load = self._load or self._start(background=False)
        if load.background is not None:
            load.background.promote()  # a caller waits for it now: it goes at full speed
        if on_progress is not None:
            load.listeners.append(on_progress)
        load.waiting += 1
        try:
            await load.done.wait()
        finally:
            load.waiting -= 1
            if on_progress is not None:
                load.listeners.remove(on_progress)
        if load.snapshot is not None:
            return load.snapshot.entries, load.snapshot.note
        assert load.error is not None
        stale = self._snapshot
        if stale is None:
            raise load.error
        age = self._clock() - stale.loaded_at
        logger.warning("Serving the %s catalogue from %.0f s ago: refresh failed: %s", self.name, age, load.error)
        note = f"Could not refresh the {self.name} list ({load.error}); showing the copy from {age:.0f} s ago."
        return stale.entries, f"{note} {stale.note}" if stale.note else note

    def cached(self, record_id: str) -> T | None:
        """The record with this id if the catalogue is loaded already; never starts a load."""
        snapshot = self._snapshot
        return next((e.item for e in snapshot.entries if e.item.id == record_id), None) if snapshot else None

    def invalidate(self) -> None:
        """Forget the cached list, and any load in flight: after a change, the next search loads it afresh."""
        self._snapshot = None
        self._load = None

    def prefetch(self) -> None:
        """Start a load in the background if none is running; failures are only logged."""
        if self._load is None and self._snapshot is None:
            self._start(background=True)

    def _start(self, *, background: bool) -> _Load[T]:
        load: _Load[T] = _Load(BackgroundLoad() if background else None)
        self._load = load
        self._background.start_soon(lambda: self._run(load), name=f"load-{self.name}")
        return load

    async def _run(self, load: _Load[T]) -> None:
        started = self._clock()
        try:
            listed = await list_all(self._client, self._kind.listing, load.progress, load.background)
            entries = index(listed.items, self._kind.names, self._kind.secondary)
            load.snapshot = _Snapshot(entries, started, self._incomplete(listed))
            if self._load is load:  # not invalidated while loading: the list is current
                self._snapshot = load.snapshot
            logger.info("Loaded %d %s in %.0f ms", len(entries), self.name, (self._clock() - started) * 1000)
        except AnamError as exc:
            load.error = exc
            # A caller waiting for the load reports the failure in its own log line: say it once.
            level = logging.DEBUG if load.waiting else logging.INFO
            logger.log(level, "Loading the %s catalogue failed: %s", self.name, exc)
        except Exception:
            # Whatever Anam sent, the server keeps serving: an unforeseen failure fails this load only.
            logger.exception("Loading the %s catalogue failed unexpectedly", self.name)
            load.error = UnreadableResponseError(f"the {self.name} list could not be processed")
        finally:
            if self._load is load:
                self._load = None
            load.done.set()

    def _incomplete(self, listed: Listed[T]) -> str | None:
        """A note for what a loaded list lacks, or None when it is whole."""
        parts = []
        if listed.limit:
            parts.append(
                f"Only {len(listed.items)} {self.name} were loaded: the list reached the limit "
                f"{listed.limit}; results cover only those."
            )
        if listed.skipped:
            parts.append(
                f"{listed.skipped} of the entries Anam sent for the {self.name} list had no usable id and are left out."
            )
        return " ".join(parts) or None


class Catalogs:
    """The cached catalogues of one account, one per kind, made on first use."""

    def __init__(
        self,
        client: AnamClient,
        background: Background,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._background = background
        self._ttl = ttl_seconds
        self._clock = clock
        self._catalogs: dict[str, Catalog[Any]] = {}

    def of(self, kind: Kind[T]) -> Catalog[T]:
        catalog = self._catalogs.get(kind.name)
        if catalog is None:
            catalog = self._catalogs[kind.name] = Catalog(kind, self._client, self._background, self._ttl, self._clock)
        return catalog

    def prefetch(self) -> None:
        """Warm the catalogues marked for it (the two big public ones) without waiting for them."""
        for kind in KINDS:
            if kind.prefetch:
                self.of(kind).prefetch()

    async def search(
        self,
        kind: Kind[T],
        query: str | None,
        *,
        keep: Callable[[T], bool] | None = None,
        filters: Mapping[str, str | None] | None = None,
        words: Mapping[str, Meaning] | None = None,
        refresh: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Matches[T]:
        """The entries of `kind` that match `query`, pass `keep` and hold every value of `filters` (by attribute:
        equal to it, or for a list, in it), best first. With `words`, the words of `query` that name a filter act
        as that filter (see query_words.read_query); the filters given win."""
        entries, note = await self.of(kind).entries(refresh=refresh, on_progress=on_progress)
        given = filters or {}
        reading = read_query(query, words or {}, mentioned_in(entries), given)
        wanted = {**reading.filters, **{name: value for name, value in given.items() if value}}
        return Matches(rank(entries, reading.query, _keeping(keep, wanted)), note, reading)


def _keeping(keep: Callable[[T], bool] | None, filters: Mapping[str, str]) -> Callable[[T], bool] | None:
    """`keep`, and that a record holds every filter's value: its attribute equals it or, for a list, contains it."""
    if not filters:
        return keep

    def kept(record: T) -> bool:
        if keep is not None and not keep(record):
            return False
        for name, value in filters.items():
            held = getattr(record, name)
            if not (value in held if isinstance(held, list) else held == value):
                return False
        return True

    return kept
