"""The HTTP floor: an empty MCPServer over the same transport as `anam-mcp --http`, for bench/http_load.py.

Stateless streamable HTTP with JSON responses under uvicorn, access log on (to stderr), one tool that
answers `size` bytes of text: the SDK's own cost of a call whose answer is as big as a real one; and /healthz.

    python bench/empty_http_server.py [--port 0] [--workers 1]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp


def _log_to_stderr() -> None:
    """As anam-mcp logs: INFO and up to stderr (uvicorn's access lines included), no per-request SDK line."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)


def create_app() -> ASGIApp:
    _log_to_stderr()
    server = MCPServer("empty")

    @server.tool()
    def payload(size: int) -> CallToolResult:
        """Answer `size` bytes of text."""
        return CallToolResult(content=[TextContent(type="text", text="x" * size)])

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    server.custom_route("/healthz", methods=["GET"])(healthz)  # how the benchmark sees it is up
    return server.streamable_http_app(stateless_http=True, json_response=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    _log_to_stderr()
    uvicorn.run(
        "empty_http_server:create_app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_config=None,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
