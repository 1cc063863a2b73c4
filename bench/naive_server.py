"""The baseline: how a typical MCP wrapper searches a paginated catalogue.

Every search re-downloads every page, one page after the other, each on a new HTTP client (a new
connection), with no cache. Same fake API, same MCP SDK, same stdio transport as anam-mcp.
"""

import os
from typing import Any

import httpx2
from mcp.server.mcpserver import MCPServer

server = MCPServer("naive", log_level="WARNING")
BASE = os.environ["ANAM_API_URL"]
HEADERS = {"Authorization": f"Bearer {os.environ['ANAM_API_KEY']}"}


async def _all(path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page, last = 1, 1
    while page <= last:
        async with httpx2.AsyncClient(base_url=BASE, headers=HEADERS, timeout=30) as client:
            body = (await client.get(path, params={"page": page, "perPage": 100})).json()
        items += body["data"]
        last = body["meta"]["lastPage"]
        page += 1
    return items


@server.tool()
async def search_voices(query: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Search voices by name (naively)."""
    q = (query or "").lower()
    return [v for v in await _all("/v1/voices") if q in v["displayName"].lower()][:limit]


@server.tool()
async def search_avatars(query: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Search avatars by name (naively)."""
    q = (query or "").lower()
    return [a for a in await _all("/v1/avatars") if q in a["displayName"].lower()][:limit]


if __name__ == "__main__":
    server.run("stdio")
