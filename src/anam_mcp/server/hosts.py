"""Which `Host` and `Origin` headers the HTTP server answers, against DNS rebinding: exact matches only.

A header is split into its parts (scheme, name, port) and each part compared whole, case-insensitively, so
`127.0.0.1:8000.evil.com` or `localhost:8000@evil.com` are no kin of this machine. This machine's names
(localhost, 127.0.0.1, [::1]) are answered with any port or none; ANAM_HTTP_ALLOWED_HOSTS adds names with
a port, `:*` for any port (or none), or no port; ANAM_HTTP_CORS_ORIGINS adds browser origins, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ANY_PORT", "HostCheck"]

ANY_PORT = "*"
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?P<port>\d{1,5}|\*))?")
_ORIGIN = re.compile(r"(?P<scheme>https?)://" + _HOST.pattern)


@dataclass(frozen=True, slots=True)
class _Allowed:
    """One name the server answers to (with its scheme, for an origin) and its port: a number, ANY_PORT
    (any or none), or None (none)."""

    name: str
    port: str | None

    def admits(self, name: str, port: str | None) -> bool:
        return name == self.name and (self.port == ANY_PORT or port == self.port)


class HostCheck:
    """The `Host` and `Origin` headers this server answers; a refusal in words naming the setting to change."""

    def __init__(self, hosts: Iterable[str], origins: Iterable[str]) -> None:
        """`hosts` as ANAM_HTTP_ALLOWED_HOSTS holds them, `origins` as ANAM_HTTP_CORS_ORIGINS (both checked there)."""
        self._hosts = [_Allowed(name, ANY_PORT) for name in _LOOPBACK] + [_parsed(_HOST, host) for host in hosts]
        loopback = [_Allowed(f"http://{name}", ANY_PORT) for name in _LOOPBACK]
        self._origins = loopback + [_parsed(_ORIGIN, origin) for origin in origins]

    def refusal(self, host: str | None, origin: str | None) -> tuple[int, str, str] | None:
        """(status, error, description) for a request with this `Host` and `Origin` (None when absent), or None
        when the server answers it. A browser sends no `Origin` for a same-origin request, so none is fine."""
        if not _matches(_HOST, host, self._hosts):
            return (
                421,
                "misdirected_request",
                f"This server does not answer to the host {host!r}: add it to ANAM_HTTP_ALLOWED_HOSTS if clients "
                "reach the server by that name (a DNS-rebinding guard).",
            )
        if origin is not None and not _matches(_ORIGIN, origin, self._origins):
            return (
                403,
                "forbidden",
                f"Requests from web pages at {origin!r} are refused: add that origin to ANAM_HTTP_CORS_ORIGINS to "
                "let them call the server.",
            )
        return None


def _parsed(pattern: re.Pattern[str], value: str) -> _Allowed:
    found = pattern.fullmatch(value.lower())
    assert found is not None, "the settings admit only hosts and origins this pattern reads"
    return _Allowed(_name(found), found["port"])


def _matches(pattern: re.Pattern[str], value: str | None, allowed: list[_Allowed]) -> bool:
    found = pattern.fullmatch(value.lower()) if value else None
    if found is None or found["port"] == ANY_PORT:
        return False
    return any(entry.admits(_name(found), found["port"]) for entry in allowed)


def _name(found: re.Match[str]) -> str:
    """The host name, with the scheme in front for an origin."""
    scheme = found.groupdict().get("scheme")
    return f"{scheme}://{found['name']}" if scheme else found["name"]
