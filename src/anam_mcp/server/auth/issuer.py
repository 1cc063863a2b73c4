"""The server as an OAuth issuer, from the settings: its addresses, and why it may not sign anyone in.

ANAM_PUBLIC_URL (`https://mcp.example.com`) turns OAuth on. That origin is the issuer, `<origin>/mcp` the
resource every access token is bound to, and the origin's host is answered by the Host check. Each address
is written once, here, as clients compare them: as exact strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...config import Settings

__all__ = ["Issuer", "oauth_problem"]

_OAUTH_VARIABLES = ("ANAM_PUBLIC_URL", "ANAM_OAUTH_")


@dataclass(frozen=True, slots=True)
class Issuer:
    """The issuer's addresses: `url` is the origin, without a trailing slash (RFC 8414 compares exactly)."""

    url: str
    host: str  # as in a Host header: the name, and the port unless it is the default one
    name: str

    @classmethod
    def of(cls, settings: Settings) -> Issuer | None:
        """The issuer ANAM_PUBLIC_URL names; None when OAuth is off."""
        url = settings.public_url
        if url is None or url.host is None:
            return None
        netloc = url.host if url.port in (None, 443 if url.scheme == "https" else 80) else f"{url.host}:{url.port}"
        return cls(f"{url.scheme}://{netloc}", netloc, url.host)

    def at(self, path: str) -> str:
        """The address of one of the issuer's endpoints."""
        return self.url + path

    @property
    def resource(self) -> str:
        """The protected resource (RFC 8707, RFC 9728): the MCP endpoint."""
        return self.at("/mcp")

    @property
    def resource_metadata(self) -> str:
        """Where the resource's metadata is (RFC 9728 section 3.1): the well-known path plus the resource's."""
        return self.at("/.well-known/oauth-protected-resource/mcp")

    @property
    def challenge(self) -> bytes:
        """What every 401 from /mcp adds to its `WWW-Authenticate: Bearer ...`, so a client finds the sign-in."""
        return f', resource_metadata="{self.resource_metadata}"'.encode()

    @property
    def allowed_hosts(self) -> list[str]:
        """`Host` headers to answer besides this machine's: the public host, with its port or none."""
        return [self.host, f"{self.name}:*"]


def oauth_problem(settings: Settings) -> str | None:
    """Why the server must not start as it is configured for OAuth; None if it may, or if OAuth is off (an
    invalid ANAM_PUBLIC_URL counts as on: it was meant to be)."""
    invalid = [problem for problem in settings.problems if problem.startswith(_OAUTH_VARIABLES)]
    if settings.public_url is None and not any(problem.startswith("ANAM_PUBLIC_URL") for problem in invalid):
        return None
    if invalid:
        return f"Refusing to start: {'; '.join(invalid)}."
    if settings.oauth_secret is None:
        return (
            "Refusing to start: ANAM_PUBLIC_URL turns on OAuth sign-in, which needs ANAM_OAUTH_SECRET (at least 32 "
            "characters, the same on every worker and machine; it encrypts the Anam keys people sign in with). Make "
            "one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if settings.api_key is not None and not settings.mcp_tokens:
        return (
            "Refusing to start: with ANAM_API_KEY set and no ANAM_MCP_TOKENS, the sign-in page would have nothing "
            "to ask for. Set ANAM_MCP_TOKENS (people sign in with one of them), or leave ANAM_API_KEY unset so "
            "that people sign in with their own Anam key."
        )
    return None
