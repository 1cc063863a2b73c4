"""Client ID metadata documents: a `client_id` that is an https URL names a JSON document describing the client.

Fetching a URL a stranger chose is a server-side request forgery risk, so a document is fetched only over
https, from an address that is public after DNS resolution (never private, loopback, link-local, shared
or reserved; every address the name resolves to is checked, and the connection goes to a checked one, so
a second lookup cannot swap in another), with no redirects, a short deadline and a small size cap. A
document must name itself (`client_id` equal to its URL) and list `redirect_uris`; such a client is public
(no secret). Documents are cached for a few minutes. The one exception to the address rule is the
test-only origin the settings may name, on this machine, with the CA that signs its certificate.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import anyio
import httpx2
from mcp.shared.auth import OAuthClientInformationFull
from pydantic import ValidationError

from ...net import is_public_address

__all__ = ["DocumentError", "MetadataDocuments", "is_document_url"]

_TIMEOUT_SECONDS = 5.0
_MAX_BYTES = 16 * 1024
_CACHE_SECONDS = 300.0
_CACHE_ENTRIES = 256
# What a document may say about its client; anything else (a secret, above all) is ignored.
_FIELDS = ("redirect_uris", "client_name", "client_uri", "logo_uri", "grant_types", "response_types", "scope")


class DocumentError(Exception):
    """A client's metadata document cannot be used; the message says why, for the person signing in."""


def is_document_url(client_id: str) -> bool:
    return client_id.startswith("https://")


class MetadataDocuments:
    """Fetches, checks and caches client metadata documents."""

    def __init__(self, test_origin: str | None = None, test_ca_file: Path | None = None) -> None:
        """`test_origin` (tests only): an https origin on this machine exempt from the address rule, whose
        certificate `test_ca_file` signs."""
        self._test_origin = test_origin
        self._test_ca_file = test_ca_file
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._cache: OrderedDict[str, tuple[float, OAuthClientInformationFull]] = OrderedDict()

    async def client(self, url: str) -> OAuthClientInformationFull:
        """The client the document at `url` describes (from the cache if fetched lately); DocumentError if none."""
        cached = self._cache.get(url)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        parts = _checked(url)
        testing = self._test_origin is not None and f"{parts.scheme}://{parts.netloc}" == self._test_origin
        try:
            with anyio.fail_after(_TIMEOUT_SECONDS):
                address = await _resolved(parts, exempt=testing)
                body = await self._fetch(parts, address, testing)
        except TimeoutError:
            raise DocumentError(f"{url} did not answer within {_TIMEOUT_SECONDS:g} seconds") from None
        except (httpx2.HTTPError, httpx2.InvalidURL, OSError) as exc:  # OSError includes ssl.SSLError
            raise DocumentError(f"{url} could not be fetched ({_reason(exc)})") from None
        client = _client(url, body)
        self._cache[url] = (time.monotonic() + _CACHE_SECONDS, client)
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return client

    async def _context(self, testing: bool) -> ssl.SSLContext:
        """The TLS trust to verify with, built off the event loop once (loading a trust store takes a while)."""
        if testing not in self._contexts:
            ca_file = self._test_ca_file if testing else None
            self._contexts[testing] = await anyio.to_thread.run_sync(
                lambda: ssl.create_default_context(cafile=ca_file) if ca_file else httpx2.create_ssl_context()
            )
        return self._contexts[testing]

    async def _fetch(self, parts: SplitResult, address: str, testing: bool) -> bytes:
        """GET the document from `address`, as the URL's host (Host header, SNI and certificate name)."""
        host = parts.hostname or ""
        literal = f"[{address}]" if ":" in address else address
        target = f"https://{literal}:{parts.port or 443}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": parts.netloc, "Accept": "application/json"}
        verify = await self._context(testing)
        async with (
            httpx2.AsyncClient(
                verify=verify, trust_env=False, follow_redirects=False, timeout=_TIMEOUT_SECONDS
            ) as http,
            http.stream("GET", target, headers=headers, extensions={"sni_hostname": host}) as response,
        ):
            if response.is_redirect:
                raise DocumentError(f"{parts.geturl()} redirects, and client metadata documents are not followed")
            if response.status_code != 200:
                raise DocumentError(f"{parts.geturl()} answered {response.status_code}, not the document")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > _MAX_BYTES:
                    raise DocumentError(f"{parts.geturl()} is larger than {_MAX_BYTES // 1024} KiB")
        return body


def _checked(url: str) -> SplitResult:
    """`url` split, if it may name a document: https, a host, a valid port if any, a path, and no credentials,
    fragment or dot segments."""
    refusal = DocumentError(
        f"the client_id {url} is not a client metadata document URL (https, with a path, a port from 1 to 65535 "
        "if any, and no user name, fragment or dot segments)"
    )
    try:
        parts = urlsplit(url)
        port = parts.port  # reading it checks it: a ValueError when it is not a number up to 65535
    except ValueError:  # also an unclosed [ of an IPv6 host
        raise refusal from None
    segments = parts.path.split("/")
    if (
        parts.scheme != "https"
        or not parts.hostname
        or port == 0
        or parts.path in ("", "/")
        or parts.username is not None
        or parts.fragment
        or "." in segments
        or ".." in segments
    ):
        raise refusal
    return parts


async def _resolved(parts: SplitResult, *, exempt: bool) -> str:
    """The address to connect to: the first the host resolves to, once every one has been found public."""
    host = parts.hostname or ""
    try:
        found = await anyio.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, ValueError):  # ValueError: a name IDNA cannot encode
        raise DocumentError(f"the host of {parts.geturl()} does not resolve") from None
    addresses = [str(sockaddr[0]) for *_, sockaddr in found]
    refused = [address for address in addresses if not is_public_address(address)]
    if refused and not exempt:
        raise DocumentError(
            f"{parts.geturl()} resolves to {refused[0]}, which is not a public address: client metadata documents "
            "are fetched from the public internet only"
        )
    return addresses[0]


def _reason(exc: Exception) -> str:
    """What went wrong with a fetch, in a few words (an exception's text, else its type's name)."""
    return str(exc).strip() or type(exc).__name__


def _client(url: str, body: bytes) -> OAuthClientInformationFull:
    """The client a document describes, once it is found to name itself and list where to return to."""
    try:
        document = json.loads(body)
    except ValueError:
        raise DocumentError(f"{url} is not JSON") from None
    if not isinstance(document, dict):
        raise DocumentError(f"{url} is not a JSON object")
    if document.get("client_id") != url:
        raise DocumentError(f"the document at {url} names another client_id: it must name its own URL")
    redirects = document.get("redirect_uris")
    if not isinstance(redirects, list) or not redirects:
        raise DocumentError(f"the document at {url} lists no redirect_uris")
    if document.get("token_endpoint_auth_method", "none") != "none":
        raise DocumentError(
            f"the document at {url} asks for token_endpoint_auth_method "
            f"{document['token_endpoint_auth_method']!r}: a client named by a URL holds no secret, so it must be none"
        )
    fields = {name: document[name] for name in _FIELDS if name in document}
    try:
        return OAuthClientInformationFull.model_validate(
            {**fields, "client_id": url, "token_endpoint_auth_method": "none"}
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise DocumentError(f"the document at {url} is not valid client metadata ({problems})") from None
