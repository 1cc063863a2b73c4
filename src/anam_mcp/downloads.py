"""Downloads of documents a user names by URL (a knowledge document, a photo, a voice clip), guarded so that a
URL can never make the server reach what only it can reach (SSRF).

Only https. The host is resolved here and every address it resolves to must be public (no private, loopback,
link-local, multicast or reserved address); the request then goes to the address that was checked, with the
host name kept for TLS (SNI and certificate), so a second DNS answer cannot swap in another address. Each
redirect is checked the same way, up to a few. The body streams to a temporary file, refused past a size cap
or a time limit. Proxy variables are not used: a proxy would reach addresses that were never checked.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import anyio
import httpx2

from . import __version__
from .net import is_public_address

__all__ = ["DownloadError", "Downloaded", "download"]

_MAX_REDIRECTS = 3
_CHUNK = 256 * 1024


class DownloadError(Exception):
    """The URL could not be downloaded; the message says why, in words a person can act on."""


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A downloaded document: where it is on disk (the caller deletes it), its name and type as served."""

    path: Path
    size: int
    filename: str
    content_type: str | None


async def download(
    url: str,
    *,
    max_bytes: int,
    timeout_seconds: float,
    allowed_private: Collection[str] = (),
    ca_file: Path | None = None,
) -> Downloaded:
    """Fetch `url` to a temporary file. `allowed_private`: host:port pairs exempt from the address check, for
    tests that serve documents on this machine only; `ca_file`: a CA bundle trusted besides the system's."""
    # Loading the trust store takes tens of milliseconds: off the event loop.
    verify = await anyio.to_thread.run_sync(_trust, ca_file)
    try:
        with anyio.fail_after(timeout_seconds):
            async with httpx2.AsyncClient(
                verify=verify,
                trust_env=False,
                follow_redirects=False,
                timeout=timeout_seconds,
                headers={"User-Agent": f"anam-mcp/{__version__}"},
            ) as http:
                for _ in range(_MAX_REDIRECTS + 1):
                    request = await _checked_request(http, url, allowed_private)
                    response = await http.send(request, stream=True)
                    try:
                        if response.is_redirect and (location := response.headers.get("location")):
                            url = urljoin(url, location)
                            continue
                        if response.status_code >= 400:
                            raise DownloadError(f"{_shown(url)} answered {response.status_code}")
                        return await _saved(response, url, max_bytes)
                    finally:
                        await response.aclose()
                raise DownloadError(f"{_shown(url)} redirects more than {_MAX_REDIRECTS} times")
    except TimeoutError:
        raise DownloadError(f"{_shown(url)} did not finish downloading within {timeout_seconds:g} s") from None
    except httpx2.HTTPError as exc:
        raise DownloadError(f"{_shown(url)} could not be downloaded ({type(exc).__name__})") from exc
    except (ValueError, httpx2.InvalidURL) as exc:
        # A port out of range, an unclosed IPv6 address: in the URL given, or in a redirect.
        raise DownloadError(f"{_shown(url)} is not a valid URL") from exc


def _trust(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(ca_file)
    return context


async def _checked_request(http: httpx2.AsyncClient, url: str, allowed_private: Collection[str]) -> httpx2.Request:
    """A GET for `url`, sent to an address of its host that was checked to be public."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise DownloadError(f"{_shown(url)} is not an https:// URL: only https documents are downloaded")
    if parts.username or parts.password:
        raise DownloadError("a URL with a user name or password is not downloaded: give a public https URL")
    host, port = parts.hostname, parts.port or 443
    try:
        found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise DownloadError(f"{host} could not be found (DNS)") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    exempt = f"{host}:{port}" in allowed_private
    if not addresses or (not exempt and not all(is_public_address(address) for address in addresses)):
        raise DownloadError(
            f"{host} resolves to a private or local address: only documents on the public internet are downloaded"
        )
    pinned = addresses[0]
    authority = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    target = httpx2.URL(url).copy_with(host=authority)
    return http.build_request("GET", target, headers={"Host": parts.netloc}, extensions={"sni_hostname": host})


async def _saved(response: httpx2.Response, url: str, max_bytes: int) -> Downloaded:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise DownloadError(f"{_shown(url)} is larger than the {max_bytes / (1024 * 1024):g} MB limit")
    handle, name = tempfile.mkstemp(prefix="anam-mcp-download-")
    path = Path(name)
    size = 0
    try:
        async with await anyio.open_file(handle, "wb", closefd=True) as out:
            async for chunk in response.aiter_bytes(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(f"{_shown(url)} is larger than the {max_bytes / (1024 * 1024):g} MB limit")
                await out.write(chunk)
    except BaseException:
        await anyio.Path(path).unlink(missing_ok=True)
        raise
    filename = Path(urlsplit(url).path).name or "download"
    content_type = response.headers.get("content-type", "").split(";")[0].strip() or None
    return Downloaded(path, size, filename, content_type)


def _shown(url: str) -> str:
    """The URL as an error message may show it: without a query string, which may carry a secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the URL"
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
