"""The key the fake accepts by default and the ids of the entries every seeded catalogue holds."""

from __future__ import annotations

DEFAULT_KEY = "test-key-0123456789"

CARA_AVATAR_ID = "30fa96d0-26c4-4e55-94a0-517025942e18"
LIV_AVATAR_ID = "071b0286-4cce-4808-bee2-e642f1062de3"
CARA_VOICE_ID = "6bfbe25a-979d-40f3-a92b-5394170af54b"
LUCY_VOICE_ID = "de23e340-1416-4dd8-977d-065a7ca11697"
GPT4O_MINI_LLM_ID = "0934d97d-0c3a-4f33-91b0-5e136a0ef466"
GPT4O_LLM_ID = "a7cf662c-2ace-4de1-a21e-ef0fbf144bb7"

# The avatar models Anam knows; the newest needs an entitlement (see FakeAnam's entitled_to_latest).
AVATAR_MODELS = ("cara-3", "cara-4", "cara-4-latest")
