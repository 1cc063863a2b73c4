"""Command line: serve MCP over stdio (the default) or `--http`, or `--check` the setup, `--version`, `--help`.

Only MCP messages may go to stdout while serving, so everything here writes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import secrets
from collections.abc import Callable, Sequence

from . import __version__
from .config import Settings
from .logs import configure_logging
from .net import is_loopback

__all__ = ["configure_logging", "main"]

# What a shell reports for a process stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130
_REFUSED = 2
_HTTP_OPTIONS = ("host", "port", "workers")


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
    http = parser.add_argument_group(
        "streamable HTTP (hosted and team use)",
        "Without ANAM_API_KEY each caller sends their own Anam key as a bearer token; with it, callers present "
        "one of ANAM_MCP_TOKENS (see the README, 'Hosted / team use').",
    )
    http.add_argument("--http", action="store_true", help="serve MCP over streamable HTTP at /mcp instead of stdio")
    http.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    http.add_argument("--port", type=_bounded(0, 65535), help="port (default 8000; 0: any free port)")
    http.add_argument("--workers", type=_bounded(1, 64), help="worker processes (default 1)")
    return parser


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    given = [f"--{name}" for name in _HTTP_OPTIONS if getattr(args, name) is not None]
    if given and not args.http:
        parser.error(f"{', '.join(given)} only apply with --http")
    try:
        if args.http:
            port = 8000 if args.port is None else args.port
            return _serve_http(args.host or "127.0.0.1", port, args.workers or 1)
        return _run(check=args.check)
    except KeyboardInterrupt:
        return _INTERRUPTED


def _toolsets_problem(settings: Settings) -> str | None:
    """Why ANAM_TOOLSETS cannot be served (a name that is no toolset, with the valid ones); None if it can."""
    from .server import served_toolsets
    from .server.toolsets import UnknownToolsetError

    try:
        served_toolsets(settings)
    except UnknownToolsetError as exc:
        return f"ANAM_TOOLSETS names an {exc}"
    return None


def _serve_http(host: str, port: int, workers: int) -> int:
    settings = Settings.from_environment()
    configure_logging(settings)
    from .server.credentials import Credentials, exposure_problem
    from .server.http import serve_http

    log = logging.getLogger("anam_mcp")
    if problem := exposure_problem(settings, host) or _toolsets_problem(settings):
        log.error(problem)
        return _REFUSED
    for problem in settings.problems:
        log.warning("Invalid setting, every tool call will report it: %s", problem)
    if not is_loopback(host) and not settings.http_allowed_hosts:
        log.warning(
            "Listening on %s, but only requests whose Host is localhost, 127.0.0.1 or [::1] are answered (others "
            "get 421): set ANAM_HTTP_ALLOWED_HOSTS to the name clients use",
            host,
        )
    refused = any(problem.startswith("ANAM_REQUEST_STATE_KEY") for problem in settings.problems)
    if workers > 1 and settings.request_state_key is None and not refused:
        # Workers know only the environment. A question a tool asks (2026-07-28 clients) may be answered on
        # another worker, so they must share the key that seals it. (A refused key stays refused: every
        # call reports it.)
        os.environ["ANAM_REQUEST_STATE_KEY"] = secrets.token_hex(32)
    log.info(
        "anam-mcp %s serving MCP over HTTP at /mcp (%s, %d worker%s); API %s",
        __version__,
        Credentials(settings).mode.value,
        workers,
        "" if workers == 1 else "s",
        settings.base_url,
    )
    serve_http(settings, host, port, workers)
    return 0


def _run(*, check: bool) -> int:
    settings = Settings.from_environment()
    configure_logging(settings)
    if check:
        from .check import run_check

        return asyncio.run(run_check(settings, _toolsets_problem(settings)))

    # What start-up allocates (SDK, pydantic schemas) nearly all lives as long as the process: collecting as it
    # comes costs a tenth of start-up's CPU for nothing. Collection resumes once the server is built (below).
    gc.disable()
    from .server import build_server, serve_stdio

    log = logging.getLogger("anam_mcp")
    if problem := _toolsets_problem(settings):
        log.error(problem)
        return _REFUSED
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
    gc.enable()
    serve_stdio(server)
    return 0
