"""Command line: serve MCP over stdio (the default), or `--check` the setup, `--version`, `--help`.

Only MCP messages may go to stdout while serving, so everything here writes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Sequence

from pydantic import SecretStr

from . import __version__
from .config import Settings

__all__ = ["configure_logging", "main"]

# What a shell reports for a process stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130

_QUIET_LIBRARIES = ("httpx2", "httpcore", "httpcore2", "mcp.server.lowlevel.server", "sse_starlette")


class _RedactingFormatter(logging.Formatter):
    """Formats like any formatter, then removes the API key wherever it appears, tracebacks included."""

    def __init__(self, secret: SecretStr | None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._secret = secret.get_secret_value() if secret else ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self._secret, "[redacted]") if self._secret else text


def configure_logging(settings: Settings) -> None:
    """Send all logging to stderr at ANAM_LOG_LEVEL, with the key redacted. Replaces any earlier setup."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(settings.api_key))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Per-request chatter from the HTTP stack is only useful when debugging.
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)


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
