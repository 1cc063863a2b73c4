"""In-memory catalogues of avatars, voices, LLMs and personas, shared by every tool call.

A catalogue is loaded once (all pages, concurrently), kept for a freshness window, and searched
in memory. Concurrent callers share one load; a failed refresh keeps serving the last good copy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .api import AnamClient, ProgressCallback
from .errors import AnamError
from .models import Avatar, Llm, Persona, Record, Voice
from .search import Indexed, index, rank

__all__ = ["Catalog", "Catalogs", "Matches"]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Record)


@dataclass(frozen=True, slots=True)
class Matches(Generic[T]):
    """Search hits, best first, and a note when they come from a stale copy."""

    items: list[T]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Snapshot(Generic[T]):
    entries: list[Indexed[T]]
    loaded_at: float


class Catalog(Generic[T]):
    """One cached list, loaded by `load` and indexed by `build_index`."""

    def __init__(
        self,
        name: str,
        load: Callable[[ProgressCallback | None], Awaitable[list[T]]],
        build_index: Callable[[list[T]], list[Indexed[T]]],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._load = load
        self._build_index = build_index
        self._ttl = ttl_seconds
        self._clock = clock
        self._snapshot: _Snapshot[T] | None = None
        self._inflight: asyncio.Task[_Snapshot[T]] | None = None

    def _fresh(self, snapshot: _Snapshot[T] | None, not_before: float | None) -> bool:
        if snapshot is None:
            return False
        if not_before is not None:
            return snapshot.loaded_at >= not_before
        return self._clock() - snapshot.loaded_at < self._ttl

    async def entries(
        self, *, refresh: bool = False, on_progress: ProgressCallback | None = None
    ) -> tuple[list[Indexed[T]], str | None]:
        """The indexed entries, loading them if missing, expired or `refresh` is asked for.

        Returns the entries and a note; the note is set when a refresh failed and an older copy is served.
        """
        asked_at = self._clock() if refresh else None
        if self._fresh(self._snapshot, asked_at):
            assert self._snapshot is not None
            return self._snapshot.entries, None
        try:
            snapshot = await self._shared_load(on_progress)
        except AnamError as exc:
            stale = self._snapshot
            if stale is None:
                raise
            age = self._clock() - stale.loaded_at
            logger.warning("Serving the %s catalogue from %.0f s ago: refresh failed: %s", self.name, age, exc)
            return (
                stale.entries,
                f"Could not refresh the {self.name} list ({exc}); showing the copy from {age:.0f} s ago.",
            )
        return snapshot.entries, None

    def prefetch(self) -> None:
        """Start a load in the background if none is running; failures are only logged."""
        if self._inflight is None and self._snapshot is None:
            self._start()

    def cancel(self) -> None:
        """Stop a load in progress (at shutdown)."""
        if self._inflight is not None:
            self._inflight.cancel()

    def _start(self, on_progress: ProgressCallback | None = None) -> asyncio.Task[_Snapshot[T]]:
        task = asyncio.create_task(self._load_snapshot(on_progress), name=f"load-{self.name}")
        self._inflight = task
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[_Snapshot[T]]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.info("Loading the %s catalogue failed: %s", self.name, exc)

    async def _shared_load(self, on_progress: ProgressCallback | None) -> _Snapshot[T]:
        # Every concurrent caller awaits the same task; shield it so one caller's
        # cancellation does not abort the load the others are waiting for.
        task = self._inflight or self._start(on_progress)
        return await asyncio.shield(task)

    async def _load_snapshot(self, on_progress: ProgressCallback | None) -> _Snapshot[T]:
        started = self._clock()
        items = await self._load(_quiet(on_progress))
        snapshot = _Snapshot(self._build_index(items), started)
        self._snapshot = snapshot
        logger.info("Loaded %d %s in %.0f ms", len(items), self.name, (self._clock() - started) * 1000)
        return snapshot


def _quiet(on_progress: ProgressCallback | None) -> ProgressCallback | None:
    """Progress is a courtesy: a client that went away must not fail the load others wait for."""
    if on_progress is None:
        return None

    async def report(done: int, total: int) -> None:
        try:
            await on_progress(done, total)
        except Exception:
            logger.debug("Progress report dropped", exc_info=True)

    return report


class Catalogs:
    """The four catalogues the tools search, over one AnamClient."""

    def __init__(self, client: AnamClient, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        def loader(path: str, model: type[T], **params: str) -> Callable[[ProgressCallback | None], Awaitable[list[T]]]:
            async def load(on_progress: ProgressCallback | None) -> list[T]:
                return await client.list_all(path, model, params=params, on_progress=on_progress)

            return load

        self.avatars: Catalog[Avatar] = Catalog(
            "avatars",
            loader("/v1/avatars", Avatar),
            lambda items: index(items, lambda a: (a.display_name, a.variant_name), lambda a: a.description),
            ttl_seconds,
            clock,
        )
        self.voices: Catalog[Voice] = Catalog(
            "voices",
            loader("/v1/voices", Voice),
            lambda items: index(items, lambda v: (v.display_name,), lambda v: v.description),
            ttl_seconds,
            clock,
        )
        self.llms: Catalog[Llm] = Catalog(
            "LLMs",
            loader("/v1/llms", Llm, includeDefaults="true"),
            lambda items: index(items, lambda m: (m.display_name, m.model_name), lambda m: m.description),
            ttl_seconds,
            clock,
        )
        self.personas: Catalog[Persona] = Catalog(
            "personas",
            loader("/v1/personas", Persona),
            lambda items: index(items, lambda p: (p.name,), lambda p: p.description),
            ttl_seconds,
            clock,
        )

    def prefetch(self) -> None:
        """Warm the two big public catalogues without waiting for them."""
        self.avatars.prefetch()
        self.voices.prefetch()

    def cancel(self) -> None:
        """Stop every load in progress (at shutdown)."""
        for catalog in (self.avatars, self.voices, self.llms, self.personas):
            catalog.cancel()

    async def search_avatars(
        self, query: str | None, *, stock_only: bool, refresh: bool, on_progress: ProgressCallback | None = None
    ) -> Matches[Avatar]:
        entries, note = await self.avatars.entries(refresh=refresh, on_progress=on_progress)
        return Matches(rank(entries, query, (lambda a: a.is_stock) if stock_only else None), note)

    async def search_voices(
        self,
        query: str | None,
        *,
        gender: str | None,
        country: str | None,
        provider: str | None,
        refresh: bool,
        on_progress: ProgressCallback | None = None,
    ) -> Matches[Voice]:
        entries, note = await self.voices.entries(refresh=refresh, on_progress=on_progress)
        # Codes such as FEMALE, GB or ELEVENLABS, which Voice already holds in upper case.
        filters = (("gender", gender), ("country", country), ("provider", provider))
        wanted = [(attr, value.upper()) for attr, value in filters if value]

        def keep(voice: Voice) -> bool:
            return all(getattr(voice, attr) == want for attr, want in wanted)

        return Matches(rank(entries, query, keep if wanted else None), note)

    async def search_personas(self, query: str | None, *, refresh: bool) -> Matches[Persona]:
        entries, note = await self.personas.entries(refresh=refresh)
        return Matches(rank(entries, query), note)

    async def list_llms(self, query: str | None, *, refresh: bool) -> Matches[Llm]:
        entries, note = await self.llms.entries(refresh=refresh)
        return Matches(rank(entries, query), note)
