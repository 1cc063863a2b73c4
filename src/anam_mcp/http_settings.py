"""The settings of serving over HTTP (anam-mcp --http): who may call, the Host and Origin headers answered,
limits per request and caller, and signing in with OAuth (with ANAM_PUBLIC_URL).

`config.Settings` adds them to the settings every transport uses; each validator here refuses a value in words.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings

from .core_settings import split_list
from .net import is_loopback, key_flaw

__all__ = ["DEFAULT_REDIRECT_HOSTS", "HttpSettings"]

# Where Claude (claude.ai, claude.com) and ChatGPT send a user back after signing in.
DEFAULT_REDIRECT_HOSTS = ("claude.ai", "claude.com", "chatgpt.com")

# A Host header the HTTP server may answer: a name or an IP, with an optional port or `*` for any port.
_HOST = re.compile(r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?")
# A browser origin for CORS: scheme, host and optional port, nothing else.
_ORIGIN = re.compile(r"https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?")
# An access token travels in a URL path (/mcp/t/<token>) too: URL-safe characters only, and long enough to guess never.
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,256}")
# A host name an OAuth client may return to: no port (https, default port), no wildcard.
_REDIRECT_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
# The test-only CIMD origin: https on this machine, with a port.
_LOOPBACK_HTTPS_ORIGIN = re.compile(r"https://(?:localhost|127\.0\.0\.1|\[::1\]):\d{1,5}")
_HOW_TO_MAKE_ONE = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class HttpSettings(BaseSettings):
    """The settings that apply only when serving over HTTP; `config.Settings` holds them with the others."""

    mcp_tokens: tuple[SecretStr, ...] = Field(
        default=(),
        description="With ANAM_API_KEY: the bearer tokens (comma-separated) callers must present. Secret.",
    )
    max_accounts: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=100, description="Without ANAM_API_KEY: most callers' keys whose catalogues stay cached at once."
    )
    http_allowed_hosts: tuple[str, ...] = Field(
        default=(), description="Host headers answered besides localhost, 127.0.0.1 and [::1] (DNS rebinding)."
    )
    http_cors_origins: tuple[str, ...] = Field(
        default=(), description="Browser origins allowed to call the server (CORS); none by default."
    )
    http_max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    http_receive_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="Seconds a request's headers, and then its body, may take to arrive."
    )
    http_max_calls_per_caller: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=32, description="Requests one caller (key or access token) may have in progress per worker."
    )
    http_forwarded_allow_ips: tuple[str, ...] = Field(
        default=(), description="Proxies whose X-Forwarded-For/-Proto are believed; none by default."
    )
    request_state_key: SecretStr | None = Field(
        default=None, description="Seals multi-round tool state; the same on every worker. Secret."
    )
    # Signing in with OAuth (anam-mcp --http with ANAM_PUBLIC_URL).
    public_url: HttpUrl | None = Field(
        default=None,
        description="The server's address as clients see it (https://mcp.example.com): turns on OAuth sign-in.",
    )
    oauth_secret: SecretStr | None = Field(
        default=None, description="Encrypts stored keys and signs sign-in requests; the same everywhere. Secret."
    )
    oauth_store: str | None = Field(
        default=None, description="Where sign-ins are kept: a SQLite file (the default path) or redis://host:port/db."
    )
    oauth_redirect_hosts: tuple[str, ...] = Field(
        default=DEFAULT_REDIRECT_HOSTS,
        description="Hosts an OAuth client may be sent back to over https, besides this machine (any port).",
    )
    # Tests only: one https origin on this machine whose client ID metadata documents may be fetched, and the CA
    # file that signs its certificate. The address guard stays as it is for every other origin.
    oauth_test_cimd_origin: str | None = None
    oauth_test_cimd_ca_file: Path | None = None

    @field_validator(
        "mcp_tokens",
        "http_allowed_hosts",
        "http_cors_origins",
        "http_forwarded_allow_ips",
        "oauth_redirect_hosts",
        mode="before",
    )
    @classmethod
    def _split_http_lists(cls, value: Any) -> Any:
        return split_list(value)

    @field_validator("mcp_tokens")
    @classmethod
    def _usable_tokens(cls, tokens: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        if not all(_TOKEN.fullmatch(token.get_secret_value()) for token in tokens):
            raise ValueError(
                "must be tokens of 16 to 256 letters, digits and . _ ~ - (they can appear in a URL), separated by "
                f"commas; {_HOW_TO_MAKE_ONE}"
            )
        return tokens

    @field_validator("http_allowed_hosts")
    @classmethod
    def _hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        hosts = tuple(host.lower() for host in hosts)
        for host in hosts:
            if not _HOST.fullmatch(host):
                raise ValueError(f"{host!r} is not a host such as mcp.example.com, mcp.example.com:8443 or 10.0.0.5:*")
        return hosts

    @field_validator("http_cors_origins")
    @classmethod
    def _origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        origins = tuple(origin.lower().rstrip("/") for origin in origins)
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin such as https://app.example.com")
        return origins

    @field_validator("http_forwarded_allow_ips")
    @classmethod
    def _networks(cls, addresses: tuple[str, ...]) -> tuple[str, ...]:
        for address in addresses:
            if address != "*":
                try:
                    ipaddress.ip_network(address, strict=False)
                except ValueError:
                    raise ValueError(f"{address!r} is not an IP address or network such as 10.0.0.0/8") from None
        return addresses

    @field_validator("request_state_key")
    @classmethod
    def _long_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and (len(key.get_secret_value()) < 32 or key_flaw(key.get_secret_value())):
            raise ValueError(
                "must be at least 32 characters with no spaces; make one with: "
                "python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return key

    @field_validator("public_url")
    @classmethod
    def _public_origin(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is None:
            return None
        # It becomes the OAuth issuer, and a sign-in carries a key: plain HTTP only on this machine.
        if url.scheme != "https" and not is_loopback(url.host):
            raise ValueError("must use https:// (plain http:// is only allowed for localhost); TLS ends at your proxy")
        if url.path not in (None, "", "/") or url.query or url.fragment or url.username or url.password:
            raise ValueError("must be the server's origin only, such as https://mcp.example.com (no path)")
        return url

    @field_validator("oauth_secret")
    @classmethod
    def _long_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and (len(secret.get_secret_value()) < 32 or key_flaw(secret.get_secret_value())):
            raise ValueError(f"must be at least 32 characters with no spaces; {_HOW_TO_MAKE_ONE}")
        return secret

    @field_validator("oauth_store")
    @classmethod
    def _store(cls, location: str | None) -> str | None:
        if location is not None and "://" in location and not location.startswith(("redis://", "rediss://")):
            raise ValueError("must be a file path (SQLite) or a redis:// or rediss:// URL")
        return location

    @field_validator("oauth_redirect_hosts")
    @classmethod
    def _redirect_hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        hosts = tuple(host.lower() for host in hosts)
        for host in hosts:
            if not _REDIRECT_HOST.fullmatch(host):
                raise ValueError(f"{host!r} is not a host name such as claude.ai (no scheme, port or path)")
        return hosts

    @field_validator("oauth_test_cimd_origin")
    @classmethod
    def _loopback_https(cls, origin: str | None) -> str | None:
        if origin is not None and not _LOOPBACK_HTTPS_ORIGIN.fullmatch(origin):
            raise ValueError("must be an https origin on this machine with a port, such as https://127.0.0.1:8443")
        return origin
