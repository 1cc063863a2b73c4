"""`anam-mcp --check`: one real call with the configured key, and a verdict a person can read."""

from __future__ import annotations

import sys

from .api import AnamClient
from .config import Settings
from .errors import AnamError
from .models import Avatar, Voice

__all__ = ["run_check"]


def _say(line: str) -> None:
    print(line, file=sys.stderr)


async def run_check(settings: Settings) -> int:
    _say(f"anam-mcp check: API {settings.base_url}")
    if settings.api_key is None:
        _say("  FAIL  ANAM_API_KEY is not set (environment or .env). Create a key in Anam Lab and set it.")
        return 1
    async with AnamClient(settings) as client:
        try:
            avatars = await client.get_page("/v1/avatars", Avatar, per_page=1)
            voices = await client.get_page("/v1/voices", Voice, per_page=1)
        except AnamError as exc:
            _say(f"  FAIL  {exc}")
            return 1
    _say("  ok    API key accepted")
    sizes = (page.meta.total if page.meta.total is not None else "an unknown number of" for page in (avatars, voices))
    _say("  ok    catalogue: {} avatars, {} voices".format(*sizes))
    return 0
