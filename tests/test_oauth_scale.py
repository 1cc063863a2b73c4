"""Scale-out: two `anam-mcp --http` processes behind one public address share a store and a secret, as two
machines behind a load balancer (Redis) or two workers on one machine (SQLite) do.

Any step of a sign-in may reach either one: the page comes from one and is posted to the other, a token
issued by one is accepted by the other, and a refresh on one ends the old token on both; a reused refresh
token revokes the grant on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import nullcontext

import httpx2
import pytest

from anam_fake import FakeAnam
from bench.oauth_grant import Pkce, answer_of, authorize_url, exchange, free_port, hidden_fields, register

from .http_server import HttpServer, http_server
from .oauth_kit import oauth_env, redis_server, refresh, tools_list

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module", params=["redis", "sqlite"])
def pair(
    request: pytest.FixtureRequest, fake: FakeAnam, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[HttpServer, HttpServer]]:
    """Two servers with one public URL (the first one's address) and one store."""
    sqlite = nullcontext(str(tmp_path_factory.mktemp("oauth") / "oauth.sqlite3"))
    with redis_server() if request.param == "redis" else sqlite as store:
        first_port = free_port()
        env = oauth_env(fake, first_port, store)
        with http_server(env, "--port", str(first_port)) as first, http_server(env) as second:
            yield first, second


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=30) as client:
        yield client


async def test_either_server_serves_any_step_and_a_refresh_ends_the_old_token_on_both(
    pair: tuple[HttpServer, HttpServer], fake: FakeAnam, http: httpx2.AsyncClient
) -> None:
    one, two = pair
    public = one.url  # the address clients know; `two` is the same deployment, reached directly
    callback = f"http://127.0.0.1:{free_port()}/callback"
    client_id = (await register(http, two.url, callback))["client_id"]
    pkce = Pkce()
    authorized = await http.get(authorize_url(public, client_id, callback, pkce))
    page = await http.get(authorized.headers["location"])
    posted = await http.post(
        f"{two.url}/sign-in", data=hidden_fields(page.text) | {"key": fake.api_key, "action": "allow"}
    )
    code = answer_of(posted)["code"]
    issued = await exchange(http, two.url, client_id, code, callback, pkce)
    assert issued.status_code == 200, issued.text
    tokens = issued.json()
    for server in (one, two):
        assert (await tools_list(http, server.url, tokens["access_token"])).status_code == 200

    rotated = await refresh(http, one.url, client_id, tokens["refresh_token"])
    assert rotated.status_code == 200
    renewed = rotated.json()
    for server in (one, two):
        assert (await tools_list(http, server.url, tokens["access_token"])).status_code == 401
        assert (await tools_list(http, server.url, renewed["access_token"])).status_code == 200

    reused = await refresh(http, two.url, client_id, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    for server in (one, two):
        assert (await tools_list(http, server.url, renewed["access_token"])).status_code == 401
