"""The HTTP server as a module-level ASGI app, built from ANAM_* variables and .env when imported.

For ASGI servers that take an `module:attribute` path, e.g. `uvicorn anam_mcp.server.asgi:app`. Each
worker process imports it and builds its own app. With a factory instead:
`uvicorn --factory anam_mcp.server.http:create_app`.
"""

from __future__ import annotations

from .http import create_app

__all__ = ["app"]

app = create_app()
