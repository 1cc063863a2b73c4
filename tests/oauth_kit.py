"""The OAuth tests' kit: a server that signs people in, a browser person, the SDK's OAuth client, Redis, a CIMD host.

- `oauth_env`: `anam-mcp --http` on a port chosen first (ANAM_PUBLIC_URL must name it before it starts).
- `Person`: headless Chromium (Debian's) playing the person on the real sign-in page; it is also the SDK
  `OAuthClientProvider`'s redirect and callback handlers. The client's callback address is answered by the
  browser itself (nothing listens there): arriving there, with the code, is the end of the sign-in.
- `sign_in_over_http`: the same page driven with raw HTTP (GET, the hidden fields, POST), for the many
  refusal tests that need a code but not a browser.
- `redis_server`: Debian's redis-server on a free 127.0.0.1 port, nothing saved.
- `cimd_host`: an https server on 127.0.0.1, with a certificate made here, serving client metadata documents.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from playwright.async_api import Browser, Page, Route, async_playwright

from anam_fake import FakeAnam
from bench.oauth_grant import (
    free_port,
)

from .http_server import Mode, http_env

SECRET = "oauth-test-secret-0123456789-abcdefghij"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing resolves off this machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
_DEADLINE_SECONDS = 30


def require(program: str, why: str) -> str:
    """The path of `program`. Without it the test is skipped, except under CI=true, where it fails."""
    found = shutil.which(program)
    if found:
        return found
    reason = f"{program} not found: {why}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must have it (.ci/run installs it)")
    pytest.skip(reason)


def oauth_env(fake: FakeAnam, port: int, store: str, **extra: str) -> dict[str, str]:
    """The environment of a server that signs people in at http://127.0.0.1:`port` (callers bring their key)."""
    return http_env(
        fake,
        ANAM_PUBLIC_URL=f"http://127.0.0.1:{port}",
        ANAM_OAUTH_SECRET=SECRET,
        ANAM_OAUTH_STORE=store,
        **extra,
    )


async def refresh(http: httpx2.AsyncClient, base: str, client_id: str, token: str, **extra: str) -> httpx2.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id}
    return await http.post(f"{base}/token", data=form | extra)


async def tools_list(http: httpx2.AsyncClient, base: str, token: str, host: str | None = None) -> httpx2.Response:
    """One stateless 2025-11-25 tools/list with `token` as the bearer (and `host` as the Host header, if given)."""
    headers = {"authorization": f"Bearer {token}", "accept": "application/json, text/event-stream"}
    headers |= {"host": host} if host else {}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    return await http.post(f"{base}/mcp", json=body, headers=headers | {"mcp-protocol-version": "2025-11-25"})


# -- the person, in a browser ------------------------------------------------------------------------


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = require("chromium", "the sign-in tests need Debian's chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Person:
    """Someone at a browser who signs in with `key` when an app sends them to a sign-in page."""

    browser: Browser
    key: str
    callback: str  # the app's redirect URI: where the browser ends up, with the code
    screenshot: Path | None = None
    _pending: str | None = None

    async def open(self, url: str) -> tuple[Page, list[str]]:
        """A new page at `url`, and the list that collects every arrival at the callback."""
        context = await self.browser.new_context()
        page = await context.new_page()
        arrivals: list[str] = []

        async def arrive(route: Route) -> None:
            arrivals.append(route.request.url)
            await route.fulfill(body="Signed in: you can close this page.", content_type="text/plain")

        await page.route(re.compile("^" + re.escape(self.callback)), arrive)
        await page.goto(url)
        return page, arrivals

    async def sign_in(self, url: str) -> str:
        """Open `url`, type the key, Allow: the callback URL the browser arrived at."""
        page, arrivals = await self.open(url)
        try:
            await page.fill("#key", self.key)
            if self.screenshot is not None:
                await page.set_viewport_size({"width": 560, "height": 640})
                await page.screenshot(path=str(self.screenshot))
            await page.click("button[value=allow]")
            with anyio.move_on_after(_DEADLINE_SECONDS):
                while not arrivals:  # noqa: ASYNC110  (the route handler appends from Playwright's side)
                    await anyio.sleep(0.02)
            assert arrivals, (
                f"the sign-in never returned to the app; the page at {page.url} says: {await page.content()}"
            )
            return arrivals[0]
        finally:
            await page.context.close()

    # The SDK's OAuthClientProvider hands the person the URL, then waits for the code.
    async def redirect_handler(self, url: str) -> None:
        self._pending = url

    async def callback_handler(self) -> AuthorizationCodeResult:
        assert self._pending is not None, "the SDK asked for the code before sending anyone to sign in"
        arrived = await self.sign_in(self._pending)
        fields = {name: values[0] for name, values in parse_qs(urlsplit(arrived).query).items()}
        return AuthorizationCodeResult(code=fields["code"], state=fields.get("state"), iss=fields.get("iss"))


class MemoryStorage:
    """The SDK client's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def sdk_auth(mcp_url: str, person: Person, storage: MemoryStorage, cimd_url: str | None = None) -> OAuthClientProvider:
    """The SDK's OAuth client for `mcp_url`: DCR, or the metadata document at `cimd_url` when the server takes it."""
    metadata = OAuthClientMetadata(redirect_uris=[person.callback], client_name="SDK test client")  # type: ignore[list-item]
    return OAuthClientProvider(
        mcp_url,
        metadata,
        storage,
        redirect_handler=person.redirect_handler,
        callback_handler=person.callback_handler,
        client_metadata_url=cimd_url,
    )


@asynccontextmanager
async def oauth_client(mcp_url: str, auth: OAuthClientProvider, mode: Mode, **options: Any) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(auth=auth, timeout=httpx2.Timeout(30.0, read=60.0)) as http,
        Client(streamable_http_client(mcp_url, http_client=http), mode=mode, **options) as client,
    ):
        yield client


# -- Redis ------------------------------------------------------------------------------------------------


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of its own on a free 127.0.0.1 port, saving nothing: its redis:// URL."""
    program = require("redis-server", "the store tests need Debian's redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="anam-redis-") as folder:
        process = subprocess.Popen(
            [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + _DEADLINE_SECONDS
            while not _pong(port):
                assert process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# -- a host of client metadata documents ----------------------------------------------------------------


@dataclass(frozen=True)
class CimdHost:
    """https://127.0.0.1:<port>, with the CA file that signs its certificate."""

    origin: str
    ca_file: Path

    def url(self, path: str) -> str:
        return self.origin + path


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate it signs for 127.0.0.1 and localhost: (ca.pem, cert.pem, key.pem)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "anam-mcp test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@contextmanager
def cimd_host(redirect_uris: list[str]) -> Iterator[CimdHost]:
    """Serve, over https on 127.0.0.1: /client.json (a valid document, listing `redirect_uris`),
    /redirect.json (a 302 to /client.json), /other.json (a document naming another client_id) and
    /elsewhere.json (a valid document whose only redirect URI is https://evil.example/cb)."""
    with tempfile.TemporaryDirectory(prefix="anam-cimd-") as folder:
        ca_file, cert_file, key_file = _certificates(Path(folder))
        origin = ""  # known once the server is bound (below)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/redirect.json":
                    self.send_response(302)
                    self.send_header("Location", f"{origin}/client.json")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                names = {
                    "/client.json": origin + "/client.json",
                    "/other.json": origin + "/client.json",
                    "/elsewhere.json": origin + "/elsewhere.json",
                }
                if self.path not in names:
                    self.send_error(404)
                    return
                document = {
                    "client_id": names[self.path],
                    "client_name": "CIMD test client",
                    "redirect_uris": ["https://evil.example/cb"] if self.path == "/elsewhere.json" else redirect_uris,
                }
                body = json.dumps(document | {"token_endpoint_auth_method": "none"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        origin = f"https://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="cimd-host", daemon=True)
        thread.start()
        try:
            yield CimdHost(origin, ca_file)
        finally:
            server.shutdown()
            server.server_close()
