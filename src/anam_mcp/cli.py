"""Command line: serve MCP over stdio (the default), or `--check` the setup, `--version`, `--help`.

Only MCP messages may go to stdout while serving, so everything here writes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
from collections.abc import Sequence

from . import __version__
from .config import Settings
from .logs import configure_logging

__all__ = ["configure_logging", "main"]

# What a shell reports for a process stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anam-mcp",
        description="MCP server for the Anam AI API. Without options it serves MCP over stdio, "
        "for Claude Desktop, the MCP Inspector or any MCP client.",
        epilog="Configuration comes from ANAM_* environment variables or a .env file: ANAM_API_KEY (required "
        "for tool calls), ANAM_API_URL, ANAM_LOG_LEVEL, ANAM_CATALOG_TTL_SECONDS ... (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"anam-mcp {__version__}")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the configuration and the API key against Anam, print a verdict to stderr and exit (0 = ok)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(check=args.check)
    except KeyboardInterrupt:
        return _INTERRUPTED


def _run(*, check: bool) -> int:
    settings = Settings.from_environment()
    configure_logging(settings)
    if check:
        from .check import run_check

        return asyncio.run(run_check(settings))

    from .server import build_server, serve_stdio

    log = logging.getLogger("anam_mcp")
    log.info(
        "anam-mcp %s serving on stdio; API %s; key %s",
        __version__,
        settings.base_url,
        "set" if settings.api_key else "NOT set",
    )
    for problem in settings.problems:
        # The server still starts, so the client can show this in every tool call's answer.
        log.warning("Invalid setting, every tool call will report it: %s", problem)
    server = build_server(settings)
    # Everything allocated so far (SDK, pydantic schemas) lives as long as the process: take it out of
    # the collector's view, so full collections stay short instead of pausing a call for tens of ms.
    gc.freeze()
    serve_stdio(server)
    return 0
