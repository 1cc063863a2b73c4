"""`anam-mcp --http` with a server key: only holders of an access token get in, and the exposure hygiene.

One server for the module: ANAM_API_KEY and two ANAM_MCP_TOKENS, CORS for one origin, a small body cap.
Raw HTTP requests show each refusal exactly (status, headers, body); the SDK's client shows the secret
path working in both protocol eras; and the log never shows a token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import anyio
import httpx2
import pytest

from anam_fake import FakeAnam, Fault

from .helpers import TOOLS, text, until_requested
from .http_server import HttpServer, Mode, http_env, http_server, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.weight(4)]

TOKEN = "team-token-abcdefghijklmnop"
SECOND_TOKEN = "other-token-qrstuvwxyz0123"
APP_ORIGIN = "https://app.example.com"
BODY_CAP = 4096
CALLS_PER_CALLER = 2
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
JSON_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def server(fake: FakeAnam) -> Iterator[HttpServer]:
    env = http_env(
        fake,
        ANAM_API_KEY=fake.api_key,
        ANAM_MCP_TOKENS=f"{TOKEN},{SECOND_TOKEN}",
        ANAM_HTTP_CORS_ORIGINS=APP_ORIGIN,
        ANAM_HTTP_ALLOWED_HOSTS="mcp.example.com",
        ANAM_HTTP_MAX_BODY_BYTES=str(BODY_CAP),
        ANAM_HTTP_MAX_CALLS_PER_CALLER=str(CALLS_PER_CALLER),
    )
    with http_server(env) as running:
        yield running


def post(server: HttpServer, path: str = "/mcp", body: object = LIST_TOOLS, **headers: str) -> httpx2.Response:
    merged = JSON_HEADERS | {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx2.post(server.url + path, content=json.dumps(body), headers=merged, timeout=10)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_no_credential_gets_401_with_a_bearer_challenge_and_what_to_send(server: HttpServer) -> None:
    answer = post(server)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="anam-mcp"'
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == "invalid_token"
    assert "Authorization: Bearer <token>" in answer.json()["error_description"]
    assert "/mcp/t/<token>" in answer.json()["error_description"]


@pytest.mark.parametrize("credential", ["wrong-token-abcdefghijklmnop", TOKEN + "x", "the server key itself"])
def test_anything_but_an_access_token_gets_401(server: HttpServer, fake: FakeAnam, credential: str) -> None:
    # The server's own Anam key is not a way in: callers act with it, they never hold it.
    sent = fake.api_key if credential == "the server key itself" else credential
    answer = post(server, **bearer(sent))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="anam-mcp", error="invalid_token"'
    answer = post(server, path=f"/mcp/t/{sent.replace(' ', '-')}")
    assert answer.status_code == 401


@pytest.mark.parametrize("token", [TOKEN, SECOND_TOKEN])
def test_each_access_token_opens_the_server(server: HttpServer, token: str) -> None:
    answer = post(server, **bearer(token))
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["result"]["tools"]) == len(TOOLS)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_secret_path_serves_the_sdk_client_in_both_eras(
    server: HttpServer, fake: FakeAnam, mode: Mode
) -> None:
    async with mcp_client(f"{server.url}/mcp/t/{TOKEN}", mode=mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        result = await client.call_tool("search_voices", {"query": "lucy"})
    assert not result.is_error, text(result)
    assert result.structured_content is not None and result.structured_content["total"] == 1
    # Through the token, calls act with the server's key.
    assert fake.requests and fake.requests[-1].headers["Authorization"] == f"Bearer {fake.api_key}"


def test_health_needs_no_token_and_calls_nothing(server: HttpServer, fake: FakeAnam) -> None:
    before = len(fake.requests)
    answer = httpx2.get(server.url + "/healthz", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert len(fake.requests) == before


def test_get_on_mcp_is_405_not_a_stream_left_open(server: HttpServer) -> None:
    answer = httpx2.get(server.mcp, headers={"accept": "text/event-stream", **bearer(TOKEN)}, timeout=10)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize(
    "path", ["/", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server"]
)
def test_other_paths_are_404_so_clients_do_not_start_oauth(server: HttpServer, path: str) -> None:
    assert httpx2.get(server.url + path, timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "evil.example"}, 421),
        ({"host": "127.0.0.1"}, 421),  # loopback without a port: not a host this server was asked to answer
        ({"host": "mcp.example.com"}, 200),  # ANAM_HTTP_ALLOWED_HOSTS, as a reverse proxy forwards it
        ({"host": "mcp.example.com:8443"}, 421),  # that name, but only without a port
        ({"origin": "http://evil.example"}, 403),
        ({"origin": "https://other.example.com"}, 403),
        ({"origin": APP_ORIGIN}, 200),
        ({"origin": "http://localhost:6274"}, 200),  # e.g. the Inspector's web UI on this machine
    ],
)
def test_host_and_origin_are_checked_against_dns_rebinding(
    server: HttpServer, headers: dict[str, str], status: int
) -> None:
    assert post(server, **bearer(TOKEN), **headers).status_code == status


def test_a_body_over_the_cap_is_413(server: HttpServer) -> None:
    big = {**LIST_TOOLS, "params": {"_meta": {"padding": "x" * BODY_CAP}}}
    assert post(server, body=big, **bearer(TOKEN)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap counts what arrives
        yield json.dumps(big).encode()

    answer = httpx2.post(server.mcp, content=chunks(), headers=JSON_HEADERS | bearer(TOKEN), timeout=10)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("body", "answer_id", "says"),
    [
        (b"{not json", None, "Parse error: the message is not valid JSON"),
        (b"\xff\xfe", None, "Parse error: the message is not valid JSON"),
        (b"", None, "Parse error: the message is not valid JSON"),
        (b"[]", None, "Invalid Request: batches are not supported"),
        (b"42", None, "Invalid Request: a message needs"),
        (b'{"jsonrpc": "2.0", "id": 1}', None, "Invalid Request: a message needs"),
        (b'{"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": []}', 7, "Invalid Request: a message needs"),
        # The SDK would take this for a notification and answer nothing.
        (b'{"jsonrpc": "2.0", "id": true, "method": "tools/list"}', None, "the id must be a string or an integer"),
    ],
)
def test_a_body_that_is_not_a_message_gets_a_json_rpc_error_in_words_and_the_server_keeps_serving(
    server: HttpServer, body: bytes, answer_id: int | None, says: str
) -> None:
    answer = httpx2.post(server.mcp, content=body, headers=JSON_HEADERS | bearer(TOKEN), timeout=10)
    assert answer.status_code == 400
    error = answer.json()
    assert error["jsonrpc"] == "2.0" and error["id"] == answer_id
    assert error["error"]["code"] == (-32700 if "Parse error" in says else -32600)
    assert says in error["error"]["message"]
    assert "pydantic" not in answer.text
    assert post(server, **bearer(TOKEN)).status_code == 200


def test_unknown_arguments_get_the_same_error_result_as_over_stdio(server: HttpServer, fake: FakeAnam) -> None:
    before = len(fake.requests)
    call = {"name": "search_voices", "arguments": {"queri": "calm"}}
    answer = post(server, body={**LIST_TOOLS, "method": "tools/call", "params": call}, **bearer(TOKEN))
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["isError"] is True
    assert "unknown argument queri (did you mean query?)" in result["content"][0]["text"]
    assert len(fake.requests) == before


async def test_a_caller_with_too_many_requests_in_progress_gets_429_and_others_go_on(
    server: HttpServer, fake: FakeAnam
) -> None:
    list_sessions = {**LIST_TOOLS, "method": "tools/call", "params": {"name": "list_sessions", "arguments": {}}}
    fake.script("/v1/sessions", *[Fault("slow", seconds=2)] * CALLS_PER_CALLER)
    answers: list[httpx2.Response] = []
    async with httpx2.AsyncClient(headers=JSON_HEADERS, timeout=10) as http:

        async def slow_call() -> None:
            answers.append(await http.post(server.mcp, json=list_sessions, headers=bearer(TOKEN)))

        async with anyio.create_task_group() as group:
            for _ in range(CALLS_PER_CALLER):
                group.start_soon(slow_call)
            await until_requested(fake, "/v1/sessions", CALLS_PER_CALLER)
            busy = await http.post(server.mcp, json=LIST_TOOLS, headers=bearer(TOKEN))
            other = await http.post(server.mcp, json=LIST_TOOLS, headers=bearer(SECOND_TOKEN))
        after = await http.post(server.mcp, json=LIST_TOOLS, headers=bearer(TOKEN))
    assert busy.status_code == 429
    assert busy.headers["retry-after"] == "1"
    assert "ANAM_HTTP_MAX_CALLS_PER_CALLER" in busy.json()["error_description"]
    assert other.status_code == 200
    assert [answer.status_code for answer in answers] == [200] * CALLS_PER_CALLER
    assert all(not answer.json()["result"]["isError"] for answer in answers)
    assert after.status_code == 200


def test_cors_lets_the_configured_origin_in_and_exposes_the_session_header(server: HttpServer) -> None:
    preflight = httpx2.options(
        server.mcp,
        headers={
            "origin": APP_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, mcp-protocol-version",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    answer = post(server, origin=APP_ORIGIN, **bearer(TOKEN))
    assert answer.status_code == 200
    assert "Mcp-Session-Id" in answer.headers["access-control-expose-headers"]


def test_cors_refuses_another_origin(server: HttpServer) -> None:
    preflight = httpx2.options(
        server.mcp,
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        timeout=10,
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


def test_tokens_and_secret_paths_never_reach_the_log(server: HttpServer) -> None:
    start = len(server.log())
    post(server, path=f"/mcp/t/{TOKEN}")
    post(server, path=f"/mcp/t/{SECOND_TOKEN}/extra")  # no such path: 404, logged as asked
    post(server, path="/mcp/t/a-guess-that-is-long-enough")
    post(server, **bearer(SECOND_TOKEN))
    log = server.log()
    assert '"POST /mcp HTTP/1.1" 200' in log[start:]
    assert '"POST /mcp/t/[redacted]/extra HTTP/1.1" 404' in log[start:]
    for secret in (TOKEN, SECOND_TOKEN, "a-guess-that-is-long-enough"):
        assert secret not in log
    assert "Terminating session" not in log


def test_forwarded_headers_are_ignored_unless_a_proxy_is_configured(server: HttpServer) -> None:
    httpx2.get(server.url + "/healthz?probe=forwarded", headers={"x-forwarded-for": "203.0.113.9"}, timeout=10)
    assert re.search(r'uvicorn\.access: 127\.0\.0\.1:\d+ - "GET /healthz\?probe=forwarded', server.log())
    assert "203.0.113.9" not in server.log()
