"""Settings for anam-mcp, read from `ANAM_*` environment variables and a `.env` file."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_API_URL", "LogLevel", "Settings"]

DEFAULT_API_URL = "https://api.anam.ai"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Hosts such as Claude Desktop sometimes pass `${user_config.x}` through unsubstituted.
_TEMPLATE = re.compile(r"^\$\{[^}]*\}$")


class Settings(BaseSettings):
    """Everything the server can be told from outside. Built once, in `main()` or by a test."""

    model_config = SettingsConfigDict(
        env_prefix="ANAM_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    api_key: SecretStr | None = Field(
        default=None, description="Anam API key (Anam Lab > API keys). Secret: never logged or returned."
    )
    api_url: HttpUrl = Field(default=HttpUrl(DEFAULT_API_URL), description="Base URL of the Anam REST API.")
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
    read_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 15.0
    retry_budget_seconds: Annotated[float, Field(ge=0, le=120)] = 25.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 3
    max_concurrent_requests: Annotated[int, Field(ge=1, le=64)] = 8
    max_response_bytes: Annotated[int, Field(ge=1024)] = 8 * 1024 * 1024
    catalog_ttl_seconds: Annotated[float, Field(ge=0)] = 300.0
    prefetch: bool = Field(default=True, description="Load the avatar and voice catalogues in the background at start.")
    default_llm_id: str = Field(
        default="0934d97d-0c3a-4f33-91b0-5e136a0ef466",
        description="llmId sent for ephemeral personas when the caller gives none (Anam's GPT-4o-mini class model).",
    )
    log_level: LogLevel = "INFO"

    @field_validator("*", mode="before")
    @classmethod
    def _blank_and_templates_are_unset(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if _TEMPLATE.match(value):
                return None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def base_url(self) -> str:
        return str(self.api_url).rstrip("/")
