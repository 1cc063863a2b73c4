"""Settings for anam-mcp, read from `ANAM_*` environment variables and a `.env` file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, field_validator

from .constants import LLM_ID_PATTERN

__all__ = ["DEFAULT_API_URL", "LogLevel", "Settings"]

DEFAULT_API_URL = "https://api.anam.ai"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Hosts such as Claude Desktop sometimes pass `${user_config.x}` through unsubstituted.
_TEMPLATE = re.compile(r"^\$\{[^}]*\}$")


_PREFIX = "ANAM_"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def _unset(value: str) -> bool:
    """Empty values and unsubstituted templates mean "not set", so defaults apply."""
    return not value.strip() or bool(_TEMPLATE.match(value.strip()))


class Settings(BaseModel):
    """Everything the server can be told from outside. Built once, in `main()` or by a test."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    api_key: SecretStr | None = Field(
        default=None, description="Anam API key (Anam Lab > API keys). Secret: never logged or returned."
    )
    api_url: HttpUrl = Field(default=HttpUrl(DEFAULT_API_URL), description="Base URL of the Anam REST API.")
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
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
    prefetch: bool = Field(default=True, description="Load the avatar and voice catalogues in the background at start.")
    default_llm_id: str = Field(
        default="0934d97d-0c3a-4f33-91b0-5e136a0ef466",
        pattern=LLM_ID_PATTERN,
        description="llmId sent for ephemeral personas when the caller gives none (Anam's GPT-4o-mini class model).",
    )
    log_level: LogLevel = "INFO"

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Settings from `ANAM_*` variables; a `.env` file fills in what the environment leaves unset."""
        file_values = dotenv_values(env_file) if env_file is not None and env_file.is_file() else {}
        merged = {**file_values, **(os.environ if environ is None else environ)}
        return cls.model_validate(
            {
                key[len(_PREFIX) :].lower(): value.strip()
                for key, value in merged.items()
                if key.startswith(_PREFIX) and value is not None and not _unset(value)
            }
        )

    @field_validator("api_url")
    @classmethod
    def _https_unless_loopback(cls, url: HttpUrl) -> HttpUrl:
        # The key travels in a header: plain HTTP is only acceptable to this machine (a local fake or proxy).
        if url.scheme != "https" and url.host not in _LOOPBACK_HOSTS:
            raise ValueError("must use https:// (plain http:// is only allowed for localhost)")
        return url

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def base_url(self) -> str:
        return str(self.api_url).rstrip("/")
