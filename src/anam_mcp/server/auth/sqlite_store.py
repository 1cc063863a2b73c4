"""The SQLite store: one file (WAL mode) shared by every worker on one machine.

Reads are a primary-key lookup that never waits for a writer in WAL mode, so they run on the event loop:
cheaper than a hop to a thread on every request. Writes may wait for another process's write lock, so
they run in a worker thread, one at a time, each in its own `BEGIN IMMEDIATE` transaction. Expired rows
are purged by a write at most once a minute. The file is created readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio

from .store import Consumed, Kind

__all__ = ["SqliteStore"]

T = TypeVar("T")

_PURGE_EVERY_SECONDS = 60.0
_BUSY_MILLISECONDS = 5000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    kind TEXT NOT NULL, digest BLOB NOT NULL, family TEXT NOT NULL, data BLOB NOT NULL,
    expires_at REAL NOT NULL, uses INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, digest)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rows_by_family ON rows (family);
CREATE INDEX IF NOT EXISTS rows_by_expiry ON rows (expires_at);
CREATE TABLE IF NOT EXISTS revoked (family TEXT PRIMARY KEY, expires_at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, data BLOB NOT NULL, expires_at REAL NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attempts (key BLOB PRIMARY KEY, count INTEGER NOT NULL, window_ends REAL NOT NULL)
    WITHOUT ROWID;
"""
_EXPIRED = [
    "DELETE FROM rows WHERE expires_at <= ?",
    "DELETE FROM revoked WHERE expires_at <= ?",
    "DELETE FROM clients WHERE expires_at <= ?",
    "DELETE FROM attempts WHERE window_ends <= ?",
]


class SqliteStore:
    """The `Store` in a SQLite file at `path`, created (with its folder) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._opening = threading.Lock()
        self._writing = threading.Lock()
        self._purged_at = 0.0

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_MILLISECONDS}")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def _open(self) -> sqlite3.Connection:
        with self._opening:
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
                writer = self._connect()
                writer.execute("PRAGMA journal_mode = WAL")
                writer.executescript(_SCHEMA)
                self._reader, self._writer = self._connect(), writer
            return self._writer

    async def _read(self, sql: str, *params: Any) -> tuple[Any, ...] | None:
        if self._reader is None:
            await anyio.to_thread.run_sync(self._open)
        assert self._reader is not None
        row: tuple[Any, ...] | None = self._reader.execute(sql, params).fetchone()
        return row

    async def _write(self, work: Callable[[sqlite3.Connection, float], T]) -> T:
        return await anyio.to_thread.run_sync(self._transaction, work)

    def _transaction(self, work: Callable[[sqlite3.Connection, float], T]) -> T:
        writer = self._open()
        with self._writing:
            now = time.time()
            writer.execute("BEGIN IMMEDIATE")
            try:
                result = work(writer, now)
                if now - self._purged_at > _PURGE_EVERY_SECONDS:
                    for statement in _EXPIRED:
                        writer.execute(statement, (now,))
                    self._purged_at = now
                writer.execute("COMMIT")
            except BaseException:
                writer.execute("ROLLBACK")
                raise
            return result

    async def put(self, kind: Kind, digest: bytes, family: str, data: bytes, expires_at: float) -> bool:
        def put(db: sqlite3.Connection, now: float) -> bool:
            if db.execute("SELECT 1 FROM revoked WHERE family = ? AND expires_at > ?", (family, now)).fetchone():
                return False
            db.execute(
                "INSERT OR REPLACE INTO rows (kind, digest, family, data, expires_at) VALUES (?, ?, ?, ?, ?)",
                (kind, digest, family, data, expires_at),
            )
            return True

        return await self._write(put)

    async def get(self, kind: Kind, digest: bytes) -> bytes | None:
        row = await self._read(
            "SELECT data FROM rows WHERE kind = ? AND digest = ? AND expires_at > ?", kind, digest, time.time()
        )
        return bytes(row[0]) if row else None

    async def drop(self, kind: Kind, digest: bytes) -> None:
        def drop(db: sqlite3.Connection, now: float) -> None:
            db.execute("DELETE FROM rows WHERE kind = ? AND digest = ?", (kind, digest))

        await self._write(drop)

    async def consume(self, kind: Kind, digest: bytes) -> Consumed | None:
        def consume(db: sqlite3.Connection, now: float) -> Consumed | None:
            row = db.execute(
                "UPDATE rows SET uses = uses + 1 WHERE kind = ? AND digest = ? AND expires_at > ? "
                "RETURNING data, family, uses",
                (kind, digest, now),
            ).fetchone()
            return Consumed(bytes(row[0]), row[1], first=row[2] == 1) if row else None

        return await self._write(consume)

    async def revoke_family(self, family: str, until: float) -> None:
        def revoke(db: sqlite3.Connection, now: float) -> None:
            db.execute("DELETE FROM rows WHERE family = ?", (family,))
            db.execute("INSERT OR REPLACE INTO revoked (family, expires_at) VALUES (?, ?)", (family, until))

        await self._write(revoke)

    async def put_client(self, client_id: str, data: bytes, expires_at: float) -> None:
        def put(db: sqlite3.Connection, now: float) -> None:
            db.execute(
                "INSERT OR REPLACE INTO clients (client_id, data, expires_at) VALUES (?, ?, ?)",
                (client_id, data, expires_at),
            )

        await self._write(put)

    async def get_client(self, client_id: str) -> bytes | None:
        row = await self._read(
            "SELECT data FROM clients WHERE client_id = ? AND expires_at > ?", client_id, time.time()
        )
        return bytes(row[0]) if row else None

    async def failures(self, key: bytes) -> int:
        row = await self._read("SELECT count FROM attempts WHERE key = ? AND window_ends > ?", key, time.time())
        return int(row[0]) if row else 0

    async def count_failure(self, key: bytes, window_seconds: float) -> int:
        def count(db: sqlite3.Connection, now: float) -> int:
            row = db.execute(
                "INSERT INTO attempts (key, count, window_ends) VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
                "count = CASE WHEN window_ends <= ?3 THEN 1 ELSE count + 1 END, "
                "window_ends = CASE WHEN window_ends <= ?3 THEN ?2 ELSE window_ends END RETURNING count",
                (key, now + window_seconds, now),
            ).fetchone()
            return int(row[0])

        return await self._write(count)

    async def aclose(self) -> None:
        with self._opening:
            for connection in (self._reader, self._writer):
                if connection is not None:
                    connection.close()
            self._reader = self._writer = None
