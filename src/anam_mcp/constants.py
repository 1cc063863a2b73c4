"""Facts about Anam's API that several modules share: id formats, stock defaults and fixed lifetimes."""

from __future__ import annotations

from typing import Final, Literal
from uuid import UUID

__all__ = [
    "DEFAULT_AVATAR_ID",
    "DEFAULT_AVATAR_MODEL",
    "DEFAULT_VOICE_ID",
    "LLM_ID_PATTERN",
    "MAX_SYSTEM_PROMPT_CHARS",
    "TOKEN_LIFETIME_SECONDS",
    "AvatarModel",
]

# Anam's documented stock "Cara" avatar and the voice every Anam quickstart pairs with it.
DEFAULT_AVATAR_ID: Final = UUID("30fa96d0-26c4-4e55-94a0-517025942e18")
DEFAULT_VOICE_ID: Final = UUID("6bfbe25a-979d-40f3-a92b-5394170af54b")

AvatarModel = Literal["cara-3", "cara-4", "cara-4-latest"]
DEFAULT_AVATAR_MODEL: Final[AvatarModel] = "cara-3"

# A UUID, or one of Anam's legacy literals such as CUSTOMER_CLIENT_V1 (which turns Anam's LLM off).
LLM_ID_PATTERN: Final = (
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Z][A-Z0-9_]{2,63})$"
)
MAX_SYSTEM_PROMPT_CHARS: Final = 32_000

# Anam issues session tokens valid for one hour.
TOKEN_LIFETIME_SECONDS: Final = 3600
