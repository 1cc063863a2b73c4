"""The settings every transport uses: the Anam API and the requests sent to it, catalogues, logs, views, toolsets
and downloads. `config.Settings` adds them to the HTTP ones; each validator here refuses a value in words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import Field, FilePath, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings

from .constants import ANAM_JS_SDK_URL, ANAM_MEDIA_ORIGINS, LLM_ID_PATTERN
from .net import is_loopback, key_flaw

__all__ = ["DEFAULT_API_URL", "DEFAULT_SHARE_BASE_URL", "CoreSettings", "LogLevel", "split_list"]

DEFAULT_API_URL = "https://api.anam.ai"
DEFAULT_SHARE_BASE_URL = "https://lab.anam.ai/share/"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# A CSP source: an https origin (a leading "*." allowed), or an http one on this machine. Nothing else
# can reach the policy, so a value cannot smuggle in a directive.
_CSP_ORIGIN = re.compile(
    r"(?:https://(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|http://(?:localhost|127\.0\.0\.1|\[::1\]))(?::\d{1,5})?"
)
_TOOLSET = re.compile(r"[a-z0-9_-]+")


def split_list(value: Any) -> Any:
    """A list setting as written, `a, b c`, split into its items (a value that is not text is left as it is)."""
    return tuple(value.replace(",", " ").split()) if isinstance(value, str) else value


class CoreSettings(BaseSettings):
    """The settings of the server whatever it serves over; `config.Settings` holds them with the HTTP ones."""

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

    @field_validator("view_media_domains", "toolsets", "download_allowed_private", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        # Named apart from HttpSettings' own: pydantic keeps one validator per name across the bases.
        return split_list(value)

    @field_validator("toolsets")
    @classmethod
    def _toolset_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(name.lower() for name in names)
        if not names or not all(_TOOLSET.fullmatch(name) for name in names):
            raise ValueError("must be toolset names (letters, digits, _ and -) separated by commas, or all")
        return names

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
