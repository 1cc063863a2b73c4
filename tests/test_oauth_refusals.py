"""Every refusal of the OAuth sign-in, over raw HTTP against real `anam-mcp --http` processes.

Two servers share one SQLite store and one secret: "here" signs people in with their own Anam key at
http://127.0.0.1:<port>; "team" is a server-key deployment at http://localhost:<port> whose sign-in asks for
one of its access tokens, and whose resource is another one. Discovery, PKCE, codes, redirect URIs and hosts,
expiry (rows aged in the store itself), refresh-token reuse, tokens for another resource, cross-site posts,
client metadata documents that resolve to this machine or redirect, the rate limit on attempts, and the
refusals to start.
"""

from __future__ import annotations

import html
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest

from anam_fake import FakeAnam
from anam_mcp.server.auth.sealing import Sealer
from bench.oauth_grant import (
    Pkce,
    answer_of,
    authorize_url,
    exchange,
    free_port,
    grant,
    hidden_fields,
    register,
    sign_in_over_http,
)

from .helpers import SERVER_COMMAND
from .http_server import HttpServer, http_env, http_server
from .oauth_kit import SECRET, CimdHost, cimd_host, oauth_env, refresh, tools_list

pytestmark = pytest.mark.anyio

TEAM_TOKEN = "team-token-0123456789abcdef"
# A host the team server returns to (ANAM_OAUTH_REDIRECT_HOSTS) and the other does not.
ELSEWHERE = "https://evil.example/cb"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def callback() -> str:
    return f"http://127.0.0.1:{free_port()}/callback"


@pytest.fixture(scope="module")
def cimd(callback: str) -> Iterator[CimdHost]:
    with cimd_host([callback]) as host:
        yield host


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oauth") / "oauth.sqlite3"


@pytest.fixture(scope="module")
def here(fake: FakeAnam, cimd: CimdHost, store: Path) -> Iterator[HttpServer]:
    port = free_port()
    env = oauth_env(
        fake,
        port,
        str(store),
        ANAM_OAUTH_TEST_CIMD_ORIGIN=cimd.origin,
        ANAM_OAUTH_TEST_CIMD_CA_FILE=str(cimd.ca_file),
        ANAM_HTTP_FORWARDED_ALLOW_IPS="127.0.0.1",  # the rate-limit test sends X-Forwarded-For
    )
    with http_server(env, "--port", str(port)) as running:
        yield running


@pytest.fixture(scope="module")
def team(fake: FakeAnam, store: Path) -> Iterator[HttpServer]:
    port = free_port()
    env = oauth_env(
        fake,
        port,
        str(store),
        ANAM_API_KEY=fake.api_key,
        ANAM_MCP_TOKENS=TEAM_TOKEN,
        ANAM_OAUTH_REDIRECT_HOSTS="evil.example",
    )
    env["ANAM_PUBLIC_URL"] = f"http://localhost:{port}"
    with http_server(env, "--port", str(port)) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=30) as client:
        yield client


def aged(store: Path, token: str, kind: str) -> None:
    """Make a row of the store expire now, as an hour (or a minute) passing would."""
    with sqlite3.connect(store) as db:
        changed = db.execute(
            "UPDATE rows SET expires_at = ? WHERE kind = ? AND digest = ?",
            (time.time() - 1, kind, Sealer(SECRET).digest(token)),
        ).rowcount
    assert changed == 1


# -- discovery --------------------------------------------------------------------------------------


async def test_discovery_documents_say_what_the_server_accepts(here: HttpServer, http: httpx2.AsyncClient) -> None:
    server = (await http.get(f"{here.url}/.well-known/oauth-authorization-server")).json()
    assert server["issuer"] == here.url
    assert server["registration_endpoint"] == f"{here.url}/register"
    assert server["revocation_endpoint"] == f"{here.url}/revoke"
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert server["client_id_metadata_document_supported"] is True
    assert "none" in server["token_endpoint_auth_methods_supported"]
    assert server["authorization_response_iss_parameter_supported"] is True
    for path in ("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"):
        resource = (await http.get(here.url + path)).json()
        assert resource == {
            "resource": f"{here.url}/mcp",
            "authorization_servers": [here.url],
            "bearer_methods_supported": ["header"],
            "resource_name": "Anam AI",
        }


async def test_a_request_without_a_token_is_told_where_to_sign_in(here: HttpServer, http: httpx2.AsyncClient) -> None:
    answered = await http.post(f"{here.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert answered.status_code == 401
    assert answered.headers["www-authenticate"] == (
        f'Bearer realm="anam-mcp", resource_metadata="{here.url}/.well-known/oauth-protected-resource/mcp"'
    )
    assert answered.json()["error_description"].startswith("Sign in: this server offers OAuth")


async def test_a_raw_anam_key_as_the_bearer_keeps_working(
    here: HttpServer, fake: FakeAnam, http: httpx2.AsyncClient
) -> None:
    assert (await tools_list(http, here.url, fake.api_key)).status_code == 200


# -- PKCE and codes -----------------------------------------------------------------------------------


async def test_pkce_s256_is_required_and_a_wrong_verifier_is_refused(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id = (await register(http, here.url, callback))["client_id"]
    plain = await http.get(authorize_url(here.url, client_id, callback, Pkce(), code_challenge_method="plain"))
    assert plain.status_code == 302 and "error=invalid_request" in plain.headers["location"]
    pkce = Pkce()
    code = answer_of(await sign_in_over_http(http, authorize_url(here.url, client_id, callback, pkce), fake.api_key))
    wrong = await exchange(http, here.url, client_id, code["code"], callback, Pkce())
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "incorrect code_verifier"}


async def test_a_code_is_single_use_and_its_reuse_revokes_what_it_gave(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id = (await register(http, here.url, callback))["client_id"]
    pkce = Pkce()
    code = answer_of(await sign_in_over_http(http, authorize_url(here.url, client_id, callback, pkce), fake.api_key))
    first = await exchange(http, here.url, client_id, code["code"], callback, pkce)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert (await tools_list(http, here.url, first.json()["access_token"])).status_code == 200
    again = await exchange(http, here.url, client_id, code["code"], callback, pkce)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "already used" in again.json()["error_description"]
    assert (await tools_list(http, here.url, first.json()["access_token"])).status_code == 401


async def test_a_code_lives_a_minute(
    here: HttpServer, fake: FakeAnam, callback: str, store: Path, http: httpx2.AsyncClient
) -> None:
    client_id = (await register(http, here.url, callback))["client_id"]
    pkce = Pkce()
    code = answer_of(await sign_in_over_http(http, authorize_url(here.url, client_id, callback, pkce), fake.api_key))
    aged(store, code["code"], "code")
    late = await exchange(http, here.url, client_id, code["code"], callback, pkce)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


async def test_the_redirect_carries_state_and_the_issuer(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id = (await register(http, here.url, callback))["client_id"]
    url = authorize_url(here.url, client_id, callback, Pkce(), state="my-state")
    answered = await sign_in_over_http(http, url, fake.api_key)
    assert answered.headers["location"].startswith(callback + "?")
    fields = answer_of(answered)
    assert fields["state"] == "my-state" and fields["iss"] == here.url and fields["code"].startswith("anam_ac_")


# -- redirect URIs ---------------------------------------------------------------------------------


async def test_a_redirect_uri_must_match_a_registered_one_exactly(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id = (await register(http, here.url, callback))["client_id"]
    other = callback.replace("/callback", "/elsewhere")
    refused = await http.get(authorize_url(here.url, client_id, other, Pkce()))
    assert refused.status_code == 400 and "location" not in refused.headers
    assert refused.json()["error"] == "invalid_request" and "not registered" in refused.json()["error_description"]
    pkce = Pkce()
    code = answer_of(await sign_in_over_http(http, authorize_url(here.url, client_id, callback, pkce), fake.api_key))
    switched = await exchange(http, here.url, client_id, code["code"], other, pkce)
    assert switched.status_code == 400 and "redirect_uri did not match" in switched.json()["error_description"]


@pytest.mark.parametrize("uri", ["https://evil.example/callback", "http://claude.ai/callback", "http://10.0.0.5/cb"])
async def test_a_redirect_host_not_allowed_is_refused_at_registration(
    here: HttpServer, uri: str, http: httpx2.AsyncClient
) -> None:
    refused = await http.post(
        f"{here.url}/register", json={"redirect_uris": [uri], "token_endpoint_auth_method": "none"}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_redirect_uri"
    assert "ANAM_OAUTH_REDIRECT_HOSTS (claude.ai, claude.com, chatgpt.com)" in refused.json()["error_description"]


def authorize_url_without_redirect_uri(base: str, client_id: str) -> str:
    """An /authorize URL that leaves the redirect URI out, so the client's only registered one is used."""
    query = {"response_type": "code", "client_id": client_id, "code_challenge": Pkce().challenge, "state": "s"}
    return f"{base}/authorize?{urlencode(query)}"


async def test_a_registered_redirect_uri_this_server_does_not_return_to_is_refused_when_left_out(
    here: HttpServer, team: HttpServer, http: httpx2.AsyncClient
) -> None:
    # Registered where evil.example is allowed (a shared store; or this server before its host list narrowed).
    team_base = f"http://localhost:{team.port}"
    client_id = (await register(http, team_base, ELSEWHERE))["client_id"]
    allowed = await http.get(authorize_url_without_redirect_uri(team_base, client_id))
    assert allowed.status_code == 302 and allowed.headers["location"].startswith(f"{team_base}/sign-in?")
    refused = await http.get(authorize_url_without_redirect_uri(here.url, client_id))
    assert refused.status_code == 400 and "location" not in refused.headers
    assert refused.json() == {
        "error": "invalid_request",
        "error_description": "This server does not send people back to https://evil.example/cb: redirect URIs must "
        "be https on one of the hosts in ANAM_OAUTH_REDIRECT_HOSTS (claude.ai, claude.com, chatgpt.com), or http on "
        "this machine (localhost, 127.0.0.1).",
    }


async def test_a_sign_in_begun_where_the_redirect_host_was_allowed_issues_no_code_here(
    here: HttpServer, team: HttpServer, fake: FakeAnam, http: httpx2.AsyncClient
) -> None:
    team_base = f"http://localhost:{team.port}"
    client_id = (await register(http, team_base, ELSEWHERE))["client_id"]
    authorized = await http.get(authorize_url_without_redirect_uri(team_base, client_id))
    # The same sealed request, brought to the other server (one secret): its sign-in must not return there.
    sealed = httpx2.URL(authorized.headers["location"]).params["request"]
    page = await http.get(f"{here.url}/sign-in", params={"request": sealed})
    assert page.status_code == 200
    for action in ("allow", "deny"):
        fields = hidden_fields(page.text) | {"key": fake.api_key, "action": action}
        answered = await http.post(f"{here.url}/sign-in", data=fields)
        assert answered.status_code == 400 and "location" not in answered.headers
        assert "does not send people back to https://evil.example/cb" in html.unescape(answered.text)


async def test_claudes_callback_may_be_registered(here: HttpServer, http: httpx2.AsyncClient) -> None:
    assert (await register(http, here.url, "https://claude.ai/api/mcp/auth_callback"))["client_id"]


# -- tokens --------------------------------------------------------------------------------------


async def test_an_expired_access_token_is_refused(
    here: HttpServer, fake: FakeAnam, callback: str, store: Path, http: httpx2.AsyncClient
) -> None:
    _, tokens = await grant(http, here.url, fake.api_key, callback)
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "Bearer"
    aged(store, tokens["access_token"], "access")
    refused = await tools_list(http, here.url, tokens["access_token"])
    assert refused.status_code == 401 and "expired or was revoked" in refused.json()["error_description"]
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]


async def test_a_reused_refresh_token_revokes_the_grant_successor_included(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id, tokens = await grant(http, here.url, fake.api_key, callback)
    rotated = await refresh(http, here.url, client_id, tokens["refresh_token"])
    assert rotated.status_code == 200
    successor = rotated.json()
    assert successor["refresh_token"] != tokens["refresh_token"]
    assert (await tools_list(http, here.url, tokens["access_token"])).status_code == 401  # rotated out
    assert (await tools_list(http, here.url, successor["access_token"])).status_code == 200
    reused = await refresh(http, here.url, client_id, tokens["refresh_token"])
    assert reused.status_code == 400 and "already used once" in reused.json()["error_description"]
    assert (await tools_list(http, here.url, successor["access_token"])).status_code == 401
    assert (await refresh(http, here.url, client_id, successor["refresh_token"])).status_code == 400


async def test_another_clients_refresh_token_is_unknown(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    _, tokens = await grant(http, here.url, fake.api_key, callback)
    stranger = (await register(http, here.url, callback))["client_id"]
    assert (await refresh(http, here.url, stranger, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_a_token_is_bound_to_this_servers_resource(
    here: HttpServer, team: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id, tokens = await grant(http, here.url, fake.api_key, callback)
    # Another deployment sharing the store and the secret: the token was not issued for it.
    elsewhere = await tools_list(http, team.url, tokens["access_token"])
    assert elsewhere.status_code == 401
    assert f"issued for {here.url}/mcp, not for this server" in elsewhere.json()["error_description"]
    other = {"resource": "https://other.example/mcp"}
    asked = await refresh(http, here.url, client_id, tokens["refresh_token"], **other)
    assert asked.status_code == 400 and asked.json()["error"] == "invalid_target"
    authorize = await http.get(authorize_url(here.url, client_id, callback, Pkce(), **other))
    assert authorize.status_code == 302 and "error=invalid_target" in authorize.headers["location"]


async def test_revoking_a_token_revokes_its_grant(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    client_id, tokens = await grant(http, here.url, fake.api_key, callback)
    revoked = await http.post(f"{here.url}/revoke", data={"token": tokens["access_token"], "client_id": client_id})
    assert revoked.status_code == 200
    assert (await tools_list(http, here.url, tokens["access_token"])).status_code == 401
    assert (await refresh(http, here.url, client_id, tokens["refresh_token"])).status_code == 400
    unknown = await http.post(f"{here.url}/revoke", data={"token": "anam_at_unknown", "client_id": client_id})
    assert unknown.status_code == 200


# -- the sign-in page ------------------------------------------------------------------------------


async def page_for(http: httpx2.AsyncClient, here: HttpServer, callback: str) -> httpx2.Response:
    client_id = (await register(http, here.url, callback))["client_id"]
    authorized = await http.get(authorize_url(here.url, client_id, callback, Pkce()))
    return await http.get(authorized.headers["location"])


async def test_the_page_cannot_be_framed_and_loads_nothing_from_elsewhere(
    here: HttpServer, callback: str, http: httpx2.AsyncClient
) -> None:
    page = await page_for(http, here, callback)
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "script" not in policy
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and 'name="viewport"' in page.text and "prefers-color-scheme:dark" in page.text
    assert "samesite=strict" in page.headers["set-cookie"].lower() and "httponly" in page.headers["set-cookie"].lower()


async def test_a_post_without_its_csrf_cookie_or_from_another_site_is_refused(
    here: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    page = await page_for(http, here, callback)
    fields = hidden_fields(page.text) | {"key": fake.api_key, "action": "allow"}
    async with httpx2.AsyncClient() as cookieless:
        forged = await cookieless.post(f"{here.url}/sign-in", data=fields)
    assert forged.status_code == 403 and "could not be checked" in forged.text
    missing = await http.post(f"{here.url}/sign-in", data={name: v for name, v in fields.items() if name != "csrf"})
    assert missing.status_code == 403
    foreign = await http.post(f"{here.url}/sign-in", data=fields, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "location" not in forged.headers and "location" not in foreign.headers


async def test_a_wrong_key_is_refused_on_the_page_without_a_code(
    here: HttpServer, callback: str, http: httpx2.AsyncClient
) -> None:
    page = await page_for(http, here, callback)
    wrong = "not-the-key-0123456789"
    answered = await http.post(f"{here.url}/sign-in", data=hidden_fields(page.text) | {"key": wrong, "action": "allow"})
    assert answered.status_code == 401 and "location" not in answered.headers
    assert "Anam did not accept this key" in answered.text and wrong not in answered.text
    assert wrong not in here.log()


async def test_wrong_keys_are_limited_per_client_ip(here: HttpServer, callback: str, http: httpx2.AsyncClient) -> None:
    page = await page_for(http, here, callback)
    fields = hidden_fields(page.text) | {"key": "not-the-key-0123456789", "action": "allow"}
    statuses = [
        (await http.post(f"{here.url}/sign-in", data=fields, headers={"x-forwarded-for": "203.0.113.9"})).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    other_ip = await http.post(f"{here.url}/sign-in", data=fields, headers={"x-forwarded-for": "203.0.113.10"})
    assert other_ip.status_code == 401


async def test_an_altered_or_stale_sign_in_request_is_refused(
    here: HttpServer, callback: str, http: httpx2.AsyncClient
) -> None:
    page = await page_for(http, here, callback)
    fields = hidden_fields(page.text)
    altered = fields | {"request": fields["request"][:-4] + "AAAA", "key": "x", "action": "allow"}
    answered = await http.post(f"{here.url}/sign-in", data=altered)
    assert answered.status_code == 400 and "expired" in answered.text


async def test_a_team_server_asks_for_one_of_its_tokens(
    team: HttpServer, fake: FakeAnam, callback: str, http: httpx2.AsyncClient
) -> None:
    base = f"http://localhost:{team.port}"  # its public URL
    client_id = (await register(http, base, callback))["client_id"]
    url = authorize_url(base, client_id, callback, Pkce())
    refused = await sign_in_over_http(http, url, fake.api_key)  # an Anam key is not one of the team's tokens
    assert refused.status_code == 401 and "not one of this server's access tokens" in html.unescape(refused.text)
    _, tokens = await grant(http, base, TEAM_TOKEN, callback)
    assert (await tools_list(http, base, tokens["access_token"])).status_code == 200
    assert (await tools_list(http, base, TEAM_TOKEN)).status_code == 200  # the token itself still works


# -- client metadata documents --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "host", "reason"),
    [
        ("/client.json", "localhost", "resolves to 127.0.0.1, which is not a public address"),
        ("/redirect.json", "127.0.0.1", "redirects, and client metadata documents are not followed"),
        ("/other.json", "127.0.0.1", "names another client_id"),
        ("/missing.json", "127.0.0.1", "answered 404"),
    ],
)
async def test_a_client_metadata_document_that_cannot_be_used_is_refused(
    here: HttpServer, cimd: CimdHost, callback: str, path: str, host: str, reason: str, http: httpx2.AsyncClient
) -> None:
    client_id = cimd.url(path).replace("127.0.0.1", host)
    refused = await http.get(authorize_url(here.url, client_id, callback, Pkce()))
    assert refused.status_code == 400 and "location" not in refused.headers
    assert refused.json()["error"] == "invalid_request" and reason in refused.json()["error_description"]


async def test_a_documents_redirect_uri_must_be_one_the_server_returns_to(
    here: HttpServer, cimd: CimdHost, http: httpx2.AsyncClient
) -> None:
    refused = await http.get(authorize_url(here.url, cimd.url("/client.json"), "https://evil.example/cb", Pkce()))
    assert refused.status_code == 400 and "does not send people back to" in refused.json()["error_description"]


async def test_a_document_whose_only_redirect_uri_is_not_returned_to_is_refused(
    here: HttpServer, cimd: CimdHost, http: httpx2.AsyncClient
) -> None:
    client_id = cimd.url("/elsewhere.json")
    refused = await http.get(authorize_url_without_redirect_uri(here.url, client_id))
    assert refused.status_code == 400 and "location" not in refused.headers
    assert refused.json()["error"] == "invalid_request"
    assert refused.json()["error_description"].startswith(
        f"The client's metadata document cannot be used: the document at {client_id} lists https://evil.example/cb, "
        "where this server does not send people back: redirect URIs must be https on one of the hosts in "
        "ANAM_OAUTH_REDIRECT_HOSTS"
    )


@pytest.mark.parametrize("client_id", ["https://example.com:99999/c.json", "https://[::1/c.json"])
@pytest.mark.parametrize(
    ("endpoint", "status", "error"),
    [("/authorize", 400, "invalid_request"), ("/token", 401, "invalid_client"), ("/revoke", 401, "invalid_client")],
)
async def test_a_malformed_client_id_is_the_rfcs_error_and_one_log_line(
    here: HttpServer, callback: str, client_id: str, endpoint: str, status: int, error: str, http: httpx2.AsyncClient
) -> None:
    if endpoint == "/authorize":
        answered = await http.get(authorize_url(here.url, client_id, callback, Pkce()))
    else:
        form = {"grant_type": "authorization_code", "code": "anam_ac_x", "token": "anam_at_x", "client_id": client_id}
        answered = await http.post(here.url + endpoint, data=form)
    assert answered.status_code == status and "location" not in answered.headers
    assert answered.json() == {
        "error": error,
        "error_description": f"The client's metadata document cannot be used: the client_id {client_id} is not a "
        "client metadata document URL (https, with a path, a port from 1 to 65535 if any, and no user name, "
        "fragment or dot segments).",
    }
    assert here.log().count(f"Refused the client {client_id!r} at {endpoint}:") == 1
    assert "Traceback" not in here.log()


# -- starting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"ANAM_PUBLIC_URL": "http://mcp.example.com"}, "ANAM_PUBLIC_URL must use https://"),
        ({"ANAM_PUBLIC_URL": "https://mcp.example.com/anam"}, "origin only"),
        ({"ANAM_OAUTH_SECRET": ""}, "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"),
        ({"ANAM_OAUTH_SECRET": "too-short"}, "ANAM_OAUTH_SECRET must be at least 32 characters"),
        ({"ANAM_API_KEY": "server-key-0123456789"}, "the sign-in page would have nothing to ask for"),
        ({"ANAM_OAUTH_STORE": "postgres://db/oauth"}, "ANAM_OAUTH_STORE must be a file path"),
    ],
)
def test_the_server_refuses_to_start_misconfigured_for_oauth(
    fake: FakeAnam, settings: dict[str, str], said: str, tmp_path: Path
) -> None:
    env = oauth_env(fake, 8000, str(tmp_path / "oauth.sqlite3")) | settings
    done = subprocess.run(
        [SERVER_COMMAND, "--http", "--port", "0"],
        env={k: v for k, v in env.items() if v},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Refusing to start" in done.stderr
    assert done.stdout == ""


async def test_without_a_public_url_nothing_of_oauth_is_served(fake: FakeAnam, http: httpx2.AsyncClient) -> None:
    with http_server(http_env(fake)) as plain:
        assert (await http.get(f"{plain.url}/.well-known/oauth-authorization-server")).status_code == 404
        assert (await http.get(f"{plain.url}/authorize")).status_code == 404
        answered = await http.post(f"{plain.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert answered.headers["www-authenticate"] == 'Bearer realm="anam-mcp"'


async def test_the_public_host_is_answered_without_further_settings(
    fake: FakeAnam, store: Path, http: httpx2.AsyncClient
) -> None:
    env = oauth_env(fake, 0, str(store)) | {"ANAM_PUBLIC_URL": "https://mcp.example.com"}
    with http_server(env) as behind_a_proxy:
        public = await tools_list(http, behind_a_proxy.url, fake.api_key, host="mcp.example.com")
        other = await tools_list(http, behind_a_proxy.url, fake.api_key, host="other.example.com")
        metadata = await http.get(f"{behind_a_proxy.url}/.well-known/oauth-protected-resource/mcp")
    assert public.status_code == 200 and other.status_code == 421
    assert metadata.json()["resource"] == "https://mcp.example.com/mcp"
