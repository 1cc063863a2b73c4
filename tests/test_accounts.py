"""Accounts: one Anam client and set of catalogues per key, found by a salted hash, a bounded number kept,
one connection pool shared by all, each with its own bound on requests in flight."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from pydantic import HttpUrl, SecretStr

from anam_fake import FakeAnam, Fault
from anam_mcp.accounts import Account, Accounts, SharedPool
from anam_mcp.api import catalogue
from anam_mcp.api.catalogue import AVATARS, VOICES
from anam_mcp.api.errors import MissingApiKeyError, PoolBusyError, UnreachableError
from anam_mcp.api.personas import PERSONAS
from anam_mcp.api.transport import AnamClient
from anam_mcp.catalog import Background

from .helpers import make_settings, until_requested

pytestmark = pytest.mark.anyio

OTHER_KEY = "other-account-key-9876543210"


OpenAccounts = Callable[..., Accounts]


def account_key(account: Account) -> str:
    key = account.client.settings.api_key
    assert key is not None
    return key.get_secret_value()


@pytest.fixture
async def accounts_for(fake: FakeAnam) -> AsyncIterator[OpenAccounts]:
    """Accounts against the fake (`limit`, and settings overrides), closed at the end of the test."""
    opened: list[Accounts] = []
    async with Background() as background:

        def open_accounts(limit: int = 10, **overrides: object) -> Accounts:
            opened.append(Accounts(make_settings(fake, api_key=None, **overrides), background, limit))
            return opened[-1]

        yield open_accounts
        for accounts in opened:
            await accounts.aclose()


async def test_each_key_has_its_own_account_and_the_same_key_finds_it_again(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    accounts = accounts_for()
    mine = accounts.get(SecretStr(fake.api_key))
    assert accounts.get(SecretStr(fake.api_key)) is mine
    assert accounts.get(SecretStr(OTHER_KEY)) is not mine
    assert mine.catalogs is not accounts.get(SecretStr(OTHER_KEY)).catalogs


async def test_a_call_without_a_key_gets_the_keyless_account_which_says_to_set_one(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    accounts = accounts_for()
    keyless = accounts.get(None)
    assert accounts.get(SecretStr("")) is keyless
    assert len(accounts) == 0
    with pytest.raises(MissingApiKeyError):
        await catalogue.count(keyless.client, VOICES)
    assert fake.requests == []


async def test_accounts_are_found_by_a_salted_hash_never_by_the_key(fake: FakeAnam, accounts_for: OpenAccounts) -> None:
    first, second = accounts_for(), accounts_for()
    first.get(SecretStr(fake.api_key))
    second.get(SecretStr(fake.api_key))
    [(digest, account)] = first._by_hash.items()
    assert fake.api_key.encode() not in digest
    assert digest != next(iter(second._by_hash))  # another salt, another hash
    assert fake.api_key not in repr(account) + repr(account.client)


async def test_only_the_most_recently_used_accounts_are_kept(fake: FakeAnam, accounts_for: OpenAccounts) -> None:
    accounts = accounts_for(limit=2)
    a, b = accounts.get(SecretStr("key-a-0123456789")), accounts.get(SecretStr("key-b-0123456789"))
    assert accounts.get(SecretStr("key-a-0123456789")) is a  # a is now the most recent
    accounts.get(SecretStr("key-c-0123456789"))
    assert len(accounts) == 2
    assert accounts.get(SecretStr("key-a-0123456789")) is a
    assert accounts.get(SecretStr("key-b-0123456789")) is not b  # b was dropped: a new account


async def test_one_key_sees_its_own_personas_and_custom_avatars_only(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    other = fake.add_account(OTHER_KEY)
    accounts = accounts_for()
    mine, theirs = accounts.get(SecretStr(fake.api_key)), accounts.get(SecretStr(OTHER_KEY))

    async def ids(account: Account, what: str) -> set[str]:
        if what == "personas":
            return {p.id for p in (await account.catalogs.search(PERSONAS, None)).items}
        return {a.id for a in (await account.catalogs.search(AVATARS, None)).items}

    assert await ids(mine, "personas") == {p["id"] for p in fake.catalogues["/v1/personas"]}
    assert await ids(theirs, "personas") == {p["id"] for p in other.catalogues["/v1/personas"]}
    custom = {a["id"] for a in other.catalogues["/v1/avatars"] if a["createdByOrganizationId"]}
    assert custom <= await ids(theirs, "avatars")
    assert not custom & await ids(mine, "avatars")


async def test_a_dropped_account_finishes_its_call_and_the_shared_pool_stays_open(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    accounts = accounts_for(limit=1)
    first = accounts.get(SecretStr(fake.api_key))
    fake.latency = 0.3
    async with anyio.create_task_group() as group:
        counted: list[int | None] = []

        async def count() -> None:
            counted.append(await catalogue.count(first.client, VOICES))

        group.start_soon(count)
        await until_requested(fake, "/v1/voices")
        second = accounts.get(SecretStr(fake.add_account(OTHER_KEY).api_key))  # drops the first
    assert counted == [450]
    fake.latency = 0
    assert accounts.get(SecretStr(fake.api_key)) is not first
    assert await catalogue.count(second.client, VOICES) == 416
    assert await catalogue.count(first.client, VOICES) == 450  # its client still works: the pool was not closed


async def test_one_account_at_its_limit_of_requests_does_not_hold_up_another(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    fake.add_account(OTHER_KEY)
    accounts = accounts_for(max_concurrent_requests=1)
    busy, other = accounts.get(SecretStr(fake.api_key)), accounts.get(SecretStr(OTHER_KEY))
    fake.script("/v1/voices", Fault("hang", seconds=1.5))
    async with anyio.create_task_group() as group:
        group.start_soon(catalogue.count, busy.client, VOICES)  # holds its only slot for 1.5 s
        await until_requested(fake, "/v1/voices")
        with anyio.fail_after(1):
            assert await catalogue.count(other.client, AVATARS) == 111
        group.cancel_scope.cancel()


async def test_tenants_busy_on_a_slow_upstream_leave_room_in_the_shared_pool_for_another(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    """Thirteen keys with eight slow calls each would fill the 100-connection pool; a share of it is kept free."""
    accounts = accounts_for(limit=20, read_timeout_seconds=30, retry_budget_seconds=0)
    busy = [accounts.get(SecretStr(fake.add_account(f"busy-tenant-{n:02d}-0123456789").api_key)) for n in range(13)]
    for account in busy:
        fake.accounts[account_key(account)].script("/v1/voices", *[Fault("slow", seconds=30)] * 8)
    other = accounts.get(SecretStr(fake.add_account(OTHER_KEY).api_key))
    async with anyio.create_task_group() as group:
        for account in busy:
            for _ in range(8):
                group.start_soon(catalogue.count, account.client, VOICES)
        with anyio.fail_after(20):
            # Every busy call holds a connection, or waits for one.
            await anyio.wait_all_tasks_blocked()
        with anyio.fail_after(3):
            assert await catalogue.count(other.client, AVATARS) == 111
        group.cancel_scope.cancel()


async def test_a_tenant_over_its_share_waits_at_most_the_pool_timeout_and_says_so(
    fake: FakeAnam, accounts_for: OpenAccounts
) -> None:
    accounts = accounts_for(read_timeout_seconds=30, retry_budget_seconds=0, pool_timeout_seconds=0.5)
    keys = [fake.add_account(f"busy-tenant-{n:02d}-0123456789").api_key for n in range(13)]
    busy = [accounts.get(SecretStr(key)) for key in keys]
    for key in keys:
        fake.accounts[key].script("/v1/voices", *[Fault("slow", seconds=30)] * 8)
    failures: list[Exception] = []

    async def count(account: Account) -> None:
        try:
            await catalogue.count(account.client, VOICES)
        except PoolBusyError as exc:
            failures.append(exc)

    with anyio.fail_after(20):
        async with anyio.create_task_group() as group:
            for account in busy:
                for _ in range(8):
                    group.start_soon(count, account)
            while not failures:  # noqa: ASYNC110
                await anyio.sleep(0.01)
            group.cancel_scope.cancel()
    assert "ANAM_POOL_TIMEOUT_SECONDS" in str(failures[0]) and "busy" in str(failures[0])
    assert fake.max_in_flight <= 100 - 20 + 13


async def test_the_shared_pool_goes_through_the_proxy_the_environment_names(
    fake: FakeAnam, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake answers a proxy's absolute-form requests too, so it stands in for the proxy here.
    settings = make_settings(fake).model_copy(update={"api_url": HttpUrl("http://anam.invalid")})
    monkeypatch.setenv("HTTP_PROXY", fake.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    pool = SharedPool()
    async with AnamClient(settings, transport=pool) as client:
        assert await catalogue.count(client, VOICES) == 450
        monkeypatch.setenv("NO_PROXY", "anam.invalid")
        with pytest.raises(UnreachableError):
            await catalogue.count(client, VOICES)
    await pool.close()


async def test_a_plain_http_api_is_reached_without_loading_the_trust_store(
    fake: FakeAnam, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading the trust store is tens of ms of CPU, on the first search's path: only TLS needs it.
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    pool = SharedPool()
    try:
        async with AnamClient(make_settings(fake), transport=pool) as client:
            assert await catalogue.count(client, VOICES) == 450
        assert loads == []
        pool.prepare("https")  # the TLS pool, for an https API
        assert loads
    finally:
        await pool.close()
