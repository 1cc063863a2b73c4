"""The Redis store: one Redis (7.0 or later) shared by every worker on every machine of a deployment.

Each row is a hash that Redis expires itself; a family is a set of its rows' keys. Everything that must
happen at once (keep a row unless its family is revoked, take a row for single use, revoke a family) is
one Lua script, so two machines racing over the same refresh token see one winner.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis

from .store import Consumed, Kind

__all__ = ["RedisStore"]

_PREFIX = "anam-mcp:oauth:"

# KEYS: the row, its family's set, the family's revocation marker. ARGV: data, family, expiry (Unix ms).
_PUT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'family', ARGV[2], 'uses', 0)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) end
return 1
"""
# KEYS: the row. Returns nil, or {uses after this one, data, family}.
_CONSUME = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local uses = redis.call('HINCRBY', KEYS[1], 'uses', 1)
local row = redis.call('HMGET', KEYS[1], 'data', 'family')
return {uses, row[1], row[2]}
"""
# KEYS: the family's set, its revocation marker. ARGV: until (Unix ms).
_REVOKE = """
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PXAT', ARGV[1])
return 1
"""


def _bytes(value: bytes | str | None) -> bytes | None:
    """A value as read (bytes: the client does not decode), typed as such."""
    return value.encode() if isinstance(value, str) else value


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class RedisStore:
    """The `Store` in the Redis at `url` (redis:// or rediss://, with a database number if wanted)."""

    def __init__(self, url: str) -> None:
        self._redis: redis.Redis = redis.from_url(url)
        self._put = self._redis.register_script(_PUT)
        self._consume = self._redis.register_script(_CONSUME)
        self._revoke = self._redis.register_script(_REVOKE)

    @staticmethod
    def _row(kind: Kind, digest: bytes) -> str:
        return f"{_PREFIX}{kind}:{digest.hex()}"

    async def put(self, kind: Kind, digest: bytes, family: str, data: bytes, expires_at: float) -> bool:
        keys = [self._row(kind, digest), f"{_PREFIX}family:{family}", f"{_PREFIX}revoked:{family}"]
        kept: Any = await self._put(keys=keys, args=[data, family, _ms(expires_at)])
        return bool(kept)

    async def get(self, kind: Kind, digest: bytes) -> bytes | None:
        return _bytes(await self._redis.hget(self._row(kind, digest), "data"))

    async def drop(self, kind: Kind, digest: bytes) -> None:
        await self._redis.delete(self._row(kind, digest))

    async def consume(self, kind: Kind, digest: bytes) -> Consumed | None:
        row: Any = await self._consume(keys=[self._row(kind, digest)])
        if row is None:
            return None
        uses, data, family = row
        return Consumed(bytes(data), bytes(family).decode(), first=int(uses) == 1)

    async def revoke_family(self, family: str, until: float) -> None:
        await self._revoke(keys=[f"{_PREFIX}family:{family}", f"{_PREFIX}revoked:{family}"], args=[_ms(until)])

    async def put_client(self, client_id: str, data: bytes, expires_at: float) -> None:
        await self._redis.set(f"{_PREFIX}client:{client_id}", data, pxat=_ms(expires_at))

    async def get_client(self, client_id: str) -> bytes | None:
        return _bytes(await self._redis.get(f"{_PREFIX}client:{client_id}"))

    async def failures(self, key: bytes) -> int:
        return int(await self._redis.get(f"{_PREFIX}failures:{key.hex()}") or 0)

    async def count_failure(self, key: bytes, window_seconds: float) -> int:
        name = f"{_PREFIX}failures:{key.hex()}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.pexpire(name, _ms(window_seconds), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def aclose(self) -> None:
        await self._redis.aclose()
