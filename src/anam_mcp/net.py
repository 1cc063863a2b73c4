"""Network and key helpers: is an address this machine or the public internet, which proxy reaches a URL, is a
key usable, and credentials as keyed digests."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import ipaddress
import os
import secrets
import urllib.request
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = ["Fingerprints", "Proxy", "is_loopback", "is_public_address", "key_flaw", "proxy_for", "proxy_problem"]


def is_loopback(host: str | None) -> bool:
    """True for a name or address of this machine (IPv4, IPv6 with or without brackets, or localhost)."""
    if host is None:
        return False
    host = host.removeprefix("[").removesuffix("]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address a packet ends up at (RFC 6052 NAT64, RFC 3056 6to4).
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def is_public_address(ip: IPAddress | str) -> bool:
    """Whether a connection to `ip` leaves this machine and its networks for the public internet.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address it
    reaches, so that a private one cannot pass as public by wearing IPv6. A string may carry a zone (`fe80::1%eth0`).
    """
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    if embedded is not None:
        return bool(embedded) and all(map(is_public_address, embedded))
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses `ip` may lead to, if it is a form that carries one; None if it is plain IPv6."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    packed = ip.packed
    if ip in _NAT64_WELL_KNOWN:
        return [ipaddress.IPv4Address(packed[12:])]
    if ip in _NAT64_LOCAL:
        # A local-use NAT64 prefix may be a /48, /56, /64 or /96 (RFC 6052 2.2; bits 64-71 are skipped below /96):
        # every place an IPv4 address could be must hold a public one.
        skipped = packed[:8] + packed[9:]
        return [ipaddress.IPv4Address(skipped[start : start + 4]) for start in (6, 7, 8)] + [
            ipaddress.IPv4Address(packed[12:])
        ]
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the Teredo server and the client's public address
    return None


class Proxy(NamedTuple):
    """A proxy the environment names: the variable that names it, and its URL."""

    variable: str
    url: str


def proxy_for(url: str, environ: Mapping[str, str] | None = None) -> Proxy | None:
    """The proxy that `environ` (else the process's environment) names for `url`: its scheme's variable
    (HTTPS_PROXY, HTTP_PROXY) or ALL_PROXY, unless NO_PROXY exempts the host; None for a direct connection.

    The variables are read as urllib reads them (either case, the lower-case one winning; HTTP_PROXY ignored in
    a CGI request), and the HTTP library's own reading of them is never used, so every client agrees.
    """
    variables = _proxy_variables(os.environ if environ is None else environ)
    parts = urlsplit(url)
    proxy = variables.get(parts.scheme) or variables.get("all")
    if proxy is None:
        return None
    exempt = variables.get("no")
    # urllib's own NO_PROXY matching (what urllib.request.proxy_bypass does once a proxy variable is set),
    # given these variables; typeshed leaves the function out.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if exempt and bypass(parts.hostname or "", {"no": exempt.url}):
        return None
    return proxy if "://" in proxy.url else Proxy(proxy.variable, f"http://{proxy.url}")


def proxy_problem(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Why the HTTP library cannot use the proxy named for `url` (see `proxy_for`), in words naming its variable
    but never its value (a proxy URL may carry a password); None when it can, or when there is none."""
    proxy = proxy_for(url, environ)
    if proxy is None:
        return None
    # Imported here: settings are read before anything needs the HTTP library.
    import httpx2

    try:
        parsed = httpx2.Proxy(proxy.url).url
    except (ValueError, httpx2.InvalidURL):
        parsed = None
    if parsed is None or not parsed.host:
        return (
            f"{proxy.variable} is not a proxy URL the server can use: give one such as http://proxy.example.com:3128 "
            "(http://, https://, socks5:// or socks5h://)"
        )
    if parsed.scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        return (
            f"{proxy.variable} names a SOCKS proxy, which needs the socksio package: run anam-mcp with it "
            "(uvx --with socksio anam-mcp, or pip install socksio), or name an http:// proxy instead"
        )
    return None


def _proxy_variables(environ: Mapping[str, str]) -> dict[str, Proxy]:
    """The `<scheme>_proxy` variables by scheme, as urllib.request.getproxies_environment reads them."""
    found: dict[str, Proxy] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower().removesuffix("_proxy")] = Proxy(name, value)
    if "REQUEST_METHOD" in environ:
        # In a CGI request a client's "Proxy:" header arrives as HTTP_PROXY (httpoxy): only http_proxy counts.
        found.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):  # the lower-case spelling wins, and an empty one unsets
            scheme = name.lower().removesuffix("_proxy")
            if value:
                found[scheme] = Proxy(name, value)
            else:
                found.pop(scheme, None)
    return found


def key_flaw(key: str) -> str | None:
    """What makes `key` unusable as an API key, in words that do not reveal it; None if nothing."""
    for char in key:
        if char in "\r\n":
            return "a line break"
        if char.isspace():
            return "a space"
        if not char.isascii():
            return "a non-ASCII character (such as a curly quote or a non-breaking space)"
        if not char.isprintable():
            return "a control character"
    return None


class Fingerprints:
    """Salted HMAC-SHA256 digests of credentials (API keys, access tokens), to tell callers apart without keeping
    what they sent.

    `Fingerprints()` draws a random salt, so its digests mean nothing outside this object. Workers that must
    agree on them (one caller, one principal, whichever worker answers) use `Fingerprints.from_secret`.
    """

    def __init__(self, salt: bytes | None = None) -> None:
        """`salt`: None draws a random one (prefer `from_secret` to choosing one)."""
        self._salt = secrets.token_bytes(32) if salt is None else salt

    @classmethod
    def from_secret(cls, secret: str, purpose: str) -> Fingerprints:
        """Fingerprints salted from `secret`: the same digests wherever the same secret and `purpose` are given.

        `purpose` keeps these digests apart from anything else the same secret is used for.
        """
        return cls(hashlib.sha256(f"{purpose}\0{secret}".encode()).digest())

    def digest(self, credential: str) -> bytes:
        """The 32-byte digest of `credential`."""
        # surrogateescape: whatever a transport decoded (a URL path, a header) has a digest, never an error.
        return hmac.new(self._salt, credential.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()

    def hexdigest(self, credential: str) -> str:
        """The digest of `credential` in hexadecimal (64 characters)."""
        return self.digest(credential).hex()
