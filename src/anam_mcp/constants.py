"""Facts about Anam's API that several modules share: id formats, stock defaults and fixed lifetimes."""

from __future__ import annotations

from typing import Final, Literal
from uuid import UUID

__all__ = [
    "ANAM_JS_SDK_MODULE_URL",
    "ANAM_JS_SDK_URL",
    "ANAM_JS_SDK_VERSION",
    "ANAM_MEDIA_ORIGINS",
    "ANAM_SDK_CONNECT_ORIGINS",
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

# Anam's JS SDK, pinned once for the live view and the snippets given to people.
ANAM_JS_SDK_VERSION: Final = "4.27.0"
# The UMD build the live view loads: one self-contained file that defines the global `anam`.
ANAM_JS_SDK_URL: Final = f"https://unpkg.com/@anam-ai/js-sdk@{ANAM_JS_SDK_VERSION}/dist/umd/anam.js"
# The ES module a web page imports (the set_up_persona_session prompt's snippet).
ANAM_JS_SDK_MODULE_URL: Final = f"https://esm.sh/@anam-ai/js-sdk@{ANAM_JS_SDK_VERSION}"

# Where avatar images (imageUrl) and voice samples (sampleUrl) are served from, per Anam's API reference.
ANAM_MEDIA_ORIGINS: Final = ("https://lab.anam.ai", "https://newgxnc1uqs0jnqm.public.blob.vercel-storage.com")

# What the JS SDK connects to: the REST API, then an engine host (https and wss) chosen at run time.
ANAM_SDK_CONNECT_ORIGINS: Final = ("https://api.anam.ai", "https://*.anam.ai", "wss://*.anam.ai")
