"""Settings for anam-mcp: `Settings.from_environment` reads `ANAM_*` variables and a `.env` file, and never fails.

Settings built in code (`Settings(...)`, `model_validate`, `model_copy`) hold what they are given and nothing else.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import Field, FilePath, HttpUrl, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from . import environment
from .constants import ANAM_JS_SDK_URL, ANAM_MEDIA_ORIGINS, LLM_ID_PATTERN
from .net import is_loopback, key_flaw, proxy_problem

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_REDIRECT_HOSTS",
    "DEFAULT_SHARE_BASE_URL",
    "ConfigurationError",
    "LogLevel",
    "Settings",
]

DEFAULT_API_URL = "https://api.anam.ai"
DEFAULT_SHARE_BASE_URL = "https://lab.anam.ai/share/"
# Where Claude (claude.ai, claude.com) and ChatGPT send a user back after signing in.
DEFAULT_REDIRECT_HOSTS = ("claude.ai", "claude.com", "chatgpt.com")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

_PREFIX = "ANAM_"
# A CSP source: an https origin (a leading "*." allowed), or an http one on this machine. Nothing else
# can reach the policy, so a value cannot smuggle in a directive.
_CSP_ORIGIN = re.compile(
    r"(?:https://(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|http://(?:localhost|127\.0\.0\.1|\[::1\]))(?::\d{1,5})?"
)
# A Host header the HTTP server may answer: a name or an IP, with an optional port or `*` for any port.
_HOST = re.compile(r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?")
# A browser origin for CORS: scheme, host and optional port, nothing else.
_ORIGIN = re.compile(r"https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?")
# An access token travels in a URL path (/mcp/t/<token>) too: URL-safe characters only, and long enough to guess never.
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,256}")
_TOOLSET = re.compile(r"[a-z0-9_-]+")
# A host name an OAuth client may return to: no port (https, default port), no wildcard.
_REDIRECT_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
# The test-only CIMD origin: https on this machine, with a port.
_LOOPBACK_HTTPS_ORIGIN = re.compile(r"https://(?:localhost|127\.0\.0\.1|\[::1\]):\d{1,5}")
_HOW_TO_MAKE_ONE = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class ConfigurationError(Exception):
    """Settings were invalid at start-up, so nothing is sent to Anam until they are fixed.

    Not an Anam error: nothing was asked of Anam, and the fix is in the server's environment.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(
            f"The anam-mcp server is misconfigured, so it sends nothing to Anam: {'; '.join(problems)}. Fix this "
            'in the MCP server\'s environment (the "env" block of your client config, or a .env file), then '
            "restart the server."
        )


class Settings(BaseSettings):
    """Everything the server can be told from outside. Built once, in `main()` or by a test."""

    model_config = SettingsConfigDict(
        env_prefix=_PREFIX,
        # Lists are written `a, b c`, never as JSON: the validators split them.
        enable_decoding=False,
        extra="ignore",
        frozen=True,
        validate_default=False,
    )

    api_key: SecretStr | None = Field(
        default=None, description="Anam API key (Anam Lab > API keys). Secret: never logged or returned."
    )
    api_url: HttpUrl = Field(default=HttpUrl(DEFAULT_API_URL), description="Base URL of the Anam REST API.")
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
    pool_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        default=3.0, description="Most seconds a request waits for a connection to Anam while others use them all."
    )
    read_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 15.0
    retry_budget_seconds: Annotated[float, Field(ge=0, le=120)] = 25.0
    # Hosts commonly give up on a tool call after 60 s; answer well before that.
    tool_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 45.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 3
    max_concurrent_requests: Annotated[int, Field(ge=1, le=64)] = 8
    max_response_bytes: Annotated[int, Field(ge=1024)] = 8 * 1024 * 1024
    # Bounds one catalogue's memory and requests, whatever its pages' metadata claims.
    max_catalog_items: Annotated[int, Field(ge=1)] = 20_000
    max_catalog_bytes: Annotated[int, Field(ge=1024)] = 32 * 1024 * 1024
    catalog_ttl_seconds: Annotated[float, Field(ge=0)] = 300.0
    prefetch: bool = Field(
        default=True,
        description="Load the avatar and voice catalogues in the background: at start for the server's key, after "
        "its first success for a caller's.",
    )
    default_llm_id: str | None = Field(
        default=None,
        description="llmId for personas made without one. Unset: the account's GPT-4o-mini, else Anam's default.",
    )
    log_level: LogLevel = "INFO"
    log_http: bool = Field(default=False, description="Also log the HTTP and MCP libraries' own debug output.")
    js_sdk_url: HttpUrl = Field(
        default=HttpUrl(ANAM_JS_SDK_URL), description="Anam's JS SDK (UMD build) that the live persona view loads."
    )
    view_media_domains: tuple[str, ...] = Field(
        default=ANAM_MEDIA_ORIGINS,
        description="Origins the avatar and voice views may load images and audio from (their CSP).",
    )
    share_base_url: HttpUrl = Field(
        default=HttpUrl(DEFAULT_SHARE_BASE_URL),
        description="Where a share link opens: this URL followed by the link's token.",
    )
    # Only the spelling is checked here: the server knows which toolsets exist.
    toolsets: tuple[str, ...] = Field(
        default=("all",), description="Which toolsets (API areas) to serve; `all` for every one."
    )
    demo: bool = Field(
        default=False,
        description="Serve against the built-in fake Anam API with sample data (anam-mcp --demo); results say so.",
    )
    # Documents a user names by URL are fetched from the public internet only; these two admit a test's own server.
    download_allowed_private: tuple[str, ...] = Field(
        default=(), description="Testing only: host:port pairs downloads may reach on private or local addresses."
    )
    download_ca_file: FilePath | None = Field(
        default=None, description="Testing only: a CA bundle downloads trust besides the system's."
    )
    # Serving over HTTP (anam-mcp --http).
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

    _problems: tuple[str, ...] = PrivateAttr(default=())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Settings built in code hold exactly what they are given: only `from_environment` looks outside.
        return (init_settings,)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Settings from `ANAM_*` variables (`environ`, else the process's); `env_file` fills in the ones not set.

        Never fails: an invalid value keeps its default and is described in `problems`, so the server
        can still start and tell the user what to fix. A proxy variable (HTTPS_PROXY ...) that applies to the
        API but cannot be used is one of those problems too.
        """
        values = environment.read(cls, environ, env_file)
        try:
            settings = cls.model_validate(values)
            problems: list[str] = []
        except ValidationError as exc:
            errors = exc.errors()
            invalid = {str(error["loc"][0]) for error in errors if error["loc"]}
            settings = cls.model_validate({name: value for name, value in values.items() if name not in invalid})
            problems = list(dict.fromkeys(environment.problem(error, _PREFIX) for error in errors))
        # Not an ANAM_ setting, but the same kind of mistake: found now, it is reported like one.
        if proxy := proxy_problem(settings.base_url, environ):
            problems.append(proxy)
        settings._problems = tuple(problems)
        return settings

    @property
    def problems(self) -> tuple[str, ...]:
        """Settings that were invalid in the environment, each naming its variable and what is allowed."""
        return self._problems

    @field_validator("api_key", mode="before")
    @classmethod
    def _usable_key(cls, value: Any) -> Any:
        key = value.get_secret_value() if isinstance(value, SecretStr) else value
        # An HTTP header cannot carry these; say so now rather than fail obscurely on every call.
        if isinstance(key, str) and (flaw := key_flaw(key)):
            raise ValueError(
                f"contains {flaw}, which an API key never has. Copy the key again from Anam Lab (API keys) "
                "and paste it as plain text"
            )
        return value

    @field_validator("api_url", "js_sdk_url")
    @classmethod
    def _https_unless_loopback(cls, url: HttpUrl) -> HttpUrl:
        # The key travels in a header, the SDK is code a view runs: plain HTTP only to this machine.
        if url.scheme != "https" and not is_loopback(url.host):
            raise ValueError("must use https:// (plain http:// is only allowed for localhost)")
        return url

    @field_validator("api_url")
    @classmethod
    def _no_userinfo(cls, url: HttpUrl) -> HttpUrl:
        # The HTTP library would send them as Basic auth in place of the key, and the URL is printed.
        if url.username is not None or url.password is not None:
            raise ValueError(
                "must not contain a user name or password (user:password@): Anam takes only the API key, "
                "from ANAM_API_KEY"
            )
        return url

    @field_validator("default_llm_id")
    @classmethod
    def _llm_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(LLM_ID_PATTERN, value):
            raise ValueError(
                "must be an LLM id as list_llms shows it: a UUID such as 0934d97d-0c3a-4f33-91b0-5e136a0ef466, "
                "or a name in capitals such as CUSTOMER_CLIENT_V1"
            )
        return value

    @field_validator("view_media_domains")
    @classmethod
    def _only_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        origins = tuple(origin.lower() for origin in origins)
        for origin in origins:
            if not _CSP_ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin such as https://media.example.com or https://*.example.com"
                )
        return origins

    @field_validator(
        "view_media_domains",
        "mcp_tokens",
        "http_allowed_hosts",
        "http_cors_origins",
        "http_forwarded_allow_ips",
        "toolsets",
        "download_allowed_private",
        "oauth_redirect_hosts",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        return tuple(value.replace(",", " ").split()) if isinstance(value, str) else value

    @field_validator("mcp_tokens")
    @classmethod
    def _usable_tokens(cls, tokens: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        if not all(_TOKEN.fullmatch(token.get_secret_value()) for token in tokens):
            raise ValueError(
                "must be tokens of 16 to 256 letters, digits and . _ ~ - (they can appear in a URL), separated by "
                "commas; make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return tokens

    @field_validator("toolsets")
    @classmethod
    def _toolset_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(name.lower() for name in names)
        if not names or not all(_TOOLSET.fullmatch(name) for name in names):
            raise ValueError("must be toolset names (letters, digits, _ and -) separated by commas, or all")
        return names

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

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def api_is_local(self) -> bool:
        """True when the API is on this machine (a local fake or proxy)."""
        return is_loopback(self.api_url.host)

    @property
    def base_url(self) -> str:
        return str(self.api_url).rstrip("/")

    def share_url(self, token: str) -> str:
        """The address of a share link: ANAM_SHARE_BASE_URL, a slash if it has none at the end, then the token."""
        return f"{str(self.share_base_url).rstrip('/')}/{quote(token, safe='')}"
