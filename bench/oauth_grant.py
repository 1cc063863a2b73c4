"""Signing in to `anam-mcp --http` without a browser: a public client registered by DCR, the sign-in page
submitted with raw HTTP (GET, its hidden fields, POST), and the code exchanged with PKCE. The HTTP load
benchmark gets its access token this way; the OAuth tests (tests/oauth_kit.py) build on it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2

__all__ = [
    "Pkce",
    "answer_of",
    "authorize_url",
    "exchange",
    "free_port",
    "grant",
    "hidden_fields",
    "register",
    "sign_in_over_http",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).decode().rstrip("=")


def authorize_url(base: str, client_id: str, redirect_uri: str, pkce: Pkce, **extra: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "state": "state-" + secrets.token_hex(4),
        "resource": f"{base}/mcp",
    } | extra
    return f"{base}/authorize?{urlencode(query)}"


def hidden_fields(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page)}


async def sign_in_over_http(http: httpx2.AsyncClient, url: str, key: str) -> httpx2.Response:
    """Follow `url` (an /authorize URL) to the sign-in page and submit `key`: the page's answer (not followed)."""
    authorized = await http.get(url)
    assert authorized.status_code == 302, authorized.text
    page = await http.get(authorized.headers["location"])
    assert page.status_code == 200, page.text
    return await http.post(
        page.url.copy_with(query=None), data={**hidden_fields(page.text), "key": key, "action": "allow"}
    )


def answer_of(response: httpx2.Response) -> dict[str, str]:
    """The fields of the redirect a sign-in ends with (code, state, iss; or error)."""
    assert response.status_code == 303, response.text
    return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


async def register(http: httpx2.AsyncClient, base: str, redirect_uri: str, **metadata: Any) -> dict[str, Any]:
    """A client registered by DCR (a public one unless `metadata` says otherwise)."""
    body = {"redirect_uris": [redirect_uri], "client_name": "Refusal tests", "token_endpoint_auth_method": "none"}
    registered = await http.post(f"{base}/register", json=body | metadata)
    assert registered.status_code == 201, registered.text
    client: dict[str, Any] = registered.json()
    return client


async def exchange(
    http: httpx2.AsyncClient, base: str, client_id: str, code: str, redirect_uri: str, pkce: Pkce, **extra: str
) -> httpx2.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": pkce.verifier,
    }
    return await http.post(f"{base}/token", data=form | extra)


async def grant(http: httpx2.AsyncClient, base: str, key: str, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """A public client registered, signed in with `key` and its code exchanged: (client_id, the token response)."""
    client_id = (await register(http, base, redirect_uri))["client_id"]
    pkce = Pkce()
    code = answer_of(await sign_in_over_http(http, authorize_url(base, client_id, redirect_uri, pkce), key))["code"]
    issued = await exchange(http, base, client_id, code, redirect_uri, pkce)
    assert issued.status_code == 200, issued.text
    tokens: dict[str, Any] = issued.json()
    return client_id, tokens
