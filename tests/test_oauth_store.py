"""The sign-in stores, SQLite and a real Redis (Debian's redis-server, started here), held to the same contract:
rows expire and are purged, single use is atomic under a race, a revoked family takes its rows and refuses
new ones, wrong attempts are counted in a window; and what the provider stores holds no token, code or key
in the clear. Plus the pieces under the store: sealing, the address guard of metadata documents, the
redirect host policy and the OAuth settings.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest
import redis.asyncio as redis
from mcp.server.auth.provider import AuthorizationParams
from mcp.shared.auth import OAuthClientInformationFull

from anam_mcp.config import Settings
from anam_mcp.server.auth.cimd import MetadataDocuments
from anam_mcp.server.auth.clients import Clients, RedirectPolicy
from anam_mcp.server.auth.issuer import Issuer
from anam_mcp.server.auth.provider import Provider
from anam_mcp.server.auth.redis_store import RedisStore
from anam_mcp.server.auth.sealing import Sealer
from anam_mcp.server.auth.sqlite_store import SqliteStore
from anam_mcp.server.auth.store import Kind, Store

from .oauth_kit import SECRET, redis_server

pytestmark = pytest.mark.anyio

LATER = time.time() + 3600
ANAM_KEY = "anam-key-held-only-sealed-0123456789"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore(tmp_path / "state" / "oauth.sqlite3")
    else:
        url = request.getfixturevalue("redis_url")
        async with redis.from_url(url) as flushing:
            await flushing.flushdb()
        opened = RedisStore(url)
    try:
        yield opened
    finally:
        await opened.aclose()


async def test_a_row_is_kept_until_it_expires(store: Store) -> None:
    assert await store.put("access", b"a" * 32, "family", b"data", LATER)
    assert await store.get("access", b"a" * 32) == b"data"
    assert await store.get("refresh", b"a" * 32) is None  # another kind
    assert await store.put("access", b"b" * 32, "family", b"gone", time.time() - 1)
    assert await store.get("access", b"b" * 32) is None
    await store.drop("access", b"a" * 32)
    assert await store.get("access", b"a" * 32) is None


async def test_single_use_has_one_winner_under_a_race(store: Store) -> None:
    assert await store.put("refresh", b"r" * 32, "family", b"data", LATER)
    firsts: list[bool] = []

    async def use() -> None:
        consumed = await store.consume("refresh", b"r" * 32)
        assert consumed is not None and consumed.family == "family" and consumed.data == b"data"
        firsts.append(consumed.first)

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(use)
    assert sorted(firsts) == [False] * 7 + [True]
    assert await store.consume("code", b"r" * 32) is None


async def test_a_revoked_family_loses_its_rows_and_takes_no_new_ones(store: Store) -> None:
    kinds: list[Kind] = ["code", "access", "refresh"]
    for kind in kinds:
        assert await store.put(kind, kind.encode() * 8, "doomed", b"data", LATER)
    assert await store.put("access", b"k" * 32, "kept", b"data", LATER)
    await store.revoke_family("doomed", until=LATER)
    for kind in kinds:
        assert await store.get(kind, kind.encode() * 8) is None
    assert not await store.put("access", b"n" * 32, "doomed", b"data", LATER)
    assert await store.get("access", b"n" * 32) is None
    assert await store.get("access", b"k" * 32) == b"data"


async def test_clients_are_kept_until_they_expire(store: Store) -> None:
    await store.put_client("client-1", b"{}", LATER)
    await store.put_client("client-2", b"{}", time.time() - 1)
    assert await store.get_client("client-1") == b"{}"
    assert await store.get_client("client-2") is None


async def test_failures_are_counted_in_a_window(store: Store) -> None:
    assert await store.failures(b"ip") == 0
    assert [await store.count_failure(b"ip", 600) for _ in range(3)] == [1, 2, 3]
    assert await store.failures(b"ip") == 3
    assert await store.failures(b"another ip") == 0
    await store.count_failure(b"short", 0)  # a window already over
    assert await store.failures(b"short") == 0


async def test_sqlite_purges_expired_rows_and_is_shared_by_workers(tmp_path: Path) -> None:
    path = tmp_path / "oauth.sqlite3"
    one, two = SqliteStore(path), SqliteStore(path)
    try:
        assert await one.put("access", b"x" * 32, "family", b"stale", time.time() - 1)
        assert await one.put("access", b"y" * 32, "family", b"fresh", LATER)
        assert await two.get("access", b"y" * 32) == b"fresh"  # another worker's write
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM rows").fetchone() == (1,)  # the stale row is gone
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        await one.aclose()
        await two.aclose()


async def test_redis_rows_expire_by_themselves(redis_url: str) -> None:
    store = RedisStore(redis_url)
    try:
        async with redis.from_url(redis_url) as raw:
            await raw.flushdb()
            assert await store.put("access", b"e" * 32, "family-e", b"data", time.time() + 60)
            ttls = [await raw.pttl(key) async for key in raw.scan_iter("anam-mcp:oauth:*")]
        assert len(ttls) == 2 and all(0 < ttl <= 60_000 for ttl in ttls)  # the row and its family
    finally:
        await store.aclose()


async def test_the_store_holds_no_token_code_or_key_in_the_clear(store: Store, tmp_path: Path) -> None:
    settings = Settings(public_url="http://127.0.0.1:8000", oauth_secret=SECRET)  # type: ignore[arg-type]
    issuer = Issuer.of(settings)
    assert issuer is not None
    sealer = Sealer(SECRET)
    clients = Clients(store, sealer, MetadataDocuments(), RedirectPolicy(["claude.ai"]))
    provider = Provider(issuer, store, sealer, clients)
    callback = "https://claude.ai/api/mcp/auth_callback"
    client = OAuthClientInformationFull(
        client_id="client-x",
        client_secret="client-secret-in-the-clear",
        redirect_uris=[callback],  # type: ignore[list-item]
    )
    await provider.register_client(client)
    params = AuthorizationParams(
        state="s",
        scopes=[],
        code_challenge="c" * 43,
        redirect_uri=callback,  # type: ignore[arg-type]
        redirect_uri_provided_explicitly=True,
        resource=issuer.resource,
    )
    sealed = (await provider.authorize(client, params)).split("request=")[1]
    request = provider.open_request(sealed)
    assert request is not None
    code = (await provider.issue_code(request, ANAM_KEY)).split("code=")[1].split("&")[0]
    loaded = await provider.load_authorization_code(client, code)
    assert loaded is not None
    tokens = await provider.exchange_authorization_code(client, loaded)
    access = await provider.load_access_token(tokens.access_token)
    assert access is not None and access.anam_key.get_secret_value() == ANAM_KEY
    assert (await provider.get_client("client-x")) == client
    secrets = [ANAM_KEY, code, tokens.access_token, tokens.refresh_token or "", "client-secret-in-the-clear"]
    everything = await _everything(store)
    for secret in secrets:
        assert secret.encode() not in everything


async def _everything(store: Store) -> bytes:
    """Every byte the store keeps: the SQLite file with its write-ahead log, or every Redis key and value."""
    if isinstance(store, SqliteStore):
        return b"".join(path.read_bytes() for path in store.path.parent.glob(store.path.name + "*"))
    assert isinstance(store, RedisStore)
    kept = b""
    raw = store._redis
    async for key in raw.scan_iter("*"):
        kind = await raw.type(key)
        value = await (raw.hgetall(key) if kind == b"hash" else raw.smembers(key) if kind == b"set" else raw.get(key))
        kept += key + repr(value).encode()
    return kept


# -- the pieces under the store ----------------------------------------------------------------------


def test_sealing_binds_to_its_context_and_secret() -> None:
    sealed = Sealer(SECRET).seal(b"key", b"family-1")
    assert Sealer(SECRET).open(sealed, b"family-1") == b"key"
    assert Sealer(SECRET).open(sealed, b"family-2") is None
    assert Sealer(SECRET + "x").open(sealed, b"family-1") is None
    assert Sealer(SECRET).open_text("not base64 at all!", b"family-1") is None
    assert Sealer(SECRET).digest("token") == Sealer(SECRET).digest("token") != Sealer(SECRET + "x").digest("token")


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("https://claude.ai/api/mcp/auth_callback", True),
        ("https://chatgpt.com/connector_platform_oauth_redirect", True),
        ("http://localhost:6274/oauth/callback", True),
        ("http://127.0.0.1:33418/", True),
        ("http://[::1]:8080/cb", True),
        ("http://claude.ai/api/mcp/auth_callback", False),  # not https
        ("https://claude.ai.evil.example/cb", False),
        ("https://evil.example/cb", False),
        ("https://user@claude.ai/cb", False),
        ("https://claude.ai/cb#fragment", False),
        ("javascript:alert(1)", False),
        ("http://10.0.0.5/cb", False),
    ],
)
def test_redirect_hosts(uri: str, allowed: bool) -> None:
    assert RedirectPolicy(["claude.ai", "claude.com", "chatgpt.com"]).allows(uri) is allowed


def test_the_oauth_settings_are_checked() -> None:
    def problems(**variables: str) -> tuple[str, ...]:
        return Settings.from_environment(variables, env_file=None).problems

    assert not problems(ANAM_PUBLIC_URL="https://mcp.example.com", ANAM_OAUTH_SECRET="s" * 32)
    assert not problems(ANAM_PUBLIC_URL="http://127.0.0.1:8000", ANAM_OAUTH_STORE="redis://cache:6379/2")
    assert problems(ANAM_OAUTH_REDIRECT_HOSTS="https://claude.ai")[0].startswith("ANAM_OAUTH_REDIRECT_HOSTS")
    assert problems(ANAM_OAUTH_TEST_CIMD_ORIGIN="https://example.com:8443")[0].startswith(
        "ANAM_OAUTH_TEST_CIMD_ORIGIN must be an https origin on this machine"
    )
    settings = Settings.from_environment({"ANAM_PUBLIC_URL": "https://MCP.example.com:443/"}, env_file=None)
    issuer = Issuer.of(settings)
    assert issuer is not None and issuer.url == "https://mcp.example.com" and issuer.resource == issuer.url + "/mcp"
    assert issuer.allowed_hosts == ["mcp.example.com", "mcp.example.com:*"]
