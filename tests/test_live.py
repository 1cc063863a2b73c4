"""Against the real Anam API. Skipped unless ANAM_API_KEY is set and ANAM_LIVE_TESTS=1.

These only confirm what the fake-based tests already prove, on the real service.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from mcp import Client, StdioServerParameters

from .helpers import SERVER_COMMAND, network_env

pytestmark = [
    pytest.mark.live,
    pytest.mark.anyio,
    pytest.mark.skipif(
        not (os.environ.get("ANAM_API_KEY") and os.environ.get("ANAM_LIVE_TESTS") == "1"),
        reason="live tests need ANAM_API_KEY and ANAM_LIVE_TESTS=1",
    ),
]


async def test_live_search_and_token(tmp_path: Path) -> None:
    env = {"ANAM_API_KEY": os.environ.get("ANAM_API_KEY", ""), "ANAM_PREFETCH": "false"} | network_env()
    async with Client(StdioServerParameters(command=SERVER_COMMAND, env=env, cwd=str(tmp_path))) as client:
        avatars = await client.call_tool("search_avatars", {"stock_only": True, "limit": 1})
        assert not avatars.is_error
        assert avatars.structured_content is not None
        voices = await client.call_tool("search_voices", {"limit": 1})
        assert not voices.is_error
        assert voices.structured_content is not None
        token = await client.call_tool(
            "create_session_token",
            {
                "avatar_id": avatars.structured_content["items"][0]["id"],
                "voice_id": voices.structured_content["items"][0]["id"],
                "max_session_length_seconds": 60,
            },
        )
        assert not token.is_error


async def test_live_media_hosts_are_in_the_views_csp(tmp_path: Path) -> None:
    """Where Anam really serves avatar images and voice samples: the gallery and voice views may load it."""
    env = {"ANAM_API_KEY": os.environ.get("ANAM_API_KEY", ""), "ANAM_PREFETCH": "false"} | network_env()
    async with Client(StdioServerParameters(command=SERVER_COMMAND, env=env, cwd=str(tmp_path))) as client:
        avatars = await client.call_tool("search_avatars", {"limit": 100})
        voices = await client.call_tool("search_voices", {"limit": 100})
        (gallery,) = (await client.read_resource("ui://anam/avatar-gallery.html")).contents
    allowed: list[str] = (gallery.meta or {})["ui"]["csp"]["resourceDomains"]
    urls = [item["image_url"] for item in _items(avatars.structured_content)]
    urls += [item["sample_url"] for item in _items(voices.structured_content)]
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, filter(None, urls))}
    assert origins
    assert {o for o in origins if not any(_covers(source, o) for source in allowed)} == set()


def _items(structured: dict[str, Any] | None) -> list[dict[str, Any]]:
    assert structured is not None
    items: list[dict[str, Any]] = structured["items"]
    return items


def _covers(source: str, origin: str) -> bool:
    """Whether the CSP source `source` (an origin, perhaps https://*.host) matches `origin`."""
    if "://*." not in source:
        return source == origin
    scheme, suffix = source.split("://*", 1)
    return origin.startswith(f"{scheme}://") and origin.endswith(suffix)
