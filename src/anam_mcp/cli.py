"""Command line: serve MCP over stdio (the default) or `--http`, against Anam or a `--demo` fake; or `--check` the
setup, `--version`, `--help`.

Only MCP messages may go to stdout while serving, so everything here writes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import secrets
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .config import Settings
from .demo import serve_fake_anam
from .logs import configure_logging
from .net import is_loopback

__all__ = ["configure_logging", "main"]

# What a shell reports for a process stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130
_REFUSED = 2
_NOT_STARTED = 3
_KEY_REFUSED = "refused (ANAM_API_KEY is invalid)"
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
        "--demo",
        action="store_true",
        help="try everything without an Anam account: serve against a built-in fake Anam API with sample data "
        "(its tokens and share links do not work with Anam); ANAM_API_URL and ANAM_API_KEY are ignored",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the configuration and the API key against Anam, print a verdict to stderr and exit (0 = ok)",
    )
    http = parser.add_argument_group(
        "streamable HTTP (hosted and team use)",
        "Without ANAM_API_KEY each caller sends their own Anam key as a bearer token; with it, callers present "
        "one of ANAM_MCP_TOKENS, or the token made and printed at start when that is unset (see the README, "
        "'Hosted / team use').",
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
    if args.demo:
        os.environ["ANAM_DEMO"] = "true"
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


def _settings() -> Settings:
    """The settings from the environment, with logging set up; under --demo (ANAM_DEMO), aimed at the fake Anam API."""
    settings = Settings.from_environment()
    configure_logging(settings)
    if settings.demo:
        serve_fake_anam()
        settings = Settings.from_environment()
    return settings


def _serve_http(host: str, port: int, workers: int) -> int:
    settings = _settings()
    from .server.auth import oauth_problem
    from .server.credentials import Credentials
    from .server.http import serve_http

    log = logging.getLogger("anam_mcp")
    if problem := _tokens_problem(settings) or _toolsets_problem(settings) or oauth_problem(settings):
        log.error(problem)
        return _REFUSED
    for problem in settings.problems:
        log.warning("Invalid setting, every tool call will report it: %s", problem)
    if not is_loopback(host) and not settings.http_allowed_hosts and not settings.public_url:
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
    made = None
    if settings.api_key is not None and not settings.mcp_tokens:
        # The server's key is never served without a credential, whatever address or forwarder a request
        # comes through: as Jupyter does, make a token for this run. The workers read it from the environment.
        made = os.environ["ANAM_MCP_TOKENS"] = secrets.token_urlsafe(32)
    log.info(
        "anam-mcp %s serving MCP over HTTP at /mcp (%s%s, %d worker%s); API %s",
        __version__,
        f"key {_KEY_REFUSED}" if _refused(settings, "ANAM_API_KEY") else Credentials(settings).mode.value,
        f"; OAuth sign-in at {settings.public_url}" if settings.public_url else "",
        workers,
        "" if workers == 1 else "s",
        _api_shown(settings),
    )
    return 0 if serve_http(settings, host, port, workers, lambda url: _announce(url, made)) else _NOT_STARTED


def _refused(settings: Settings, variable: str) -> bool:
    """Whether `variable` was set to a value that was refused (so its default, or nothing, is in use)."""
    return any(problem.split(" ", 1)[0] == variable for problem in settings.problems)


def _api_shown(settings: Settings) -> str:
    """The API for the start-up line: a refused ANAM_API_URL is not shown as the default it falls back to,
    since nothing is sent anywhere until it is fixed."""
    return "none (ANAM_API_URL is invalid)" if _refused(settings, "ANAM_API_URL") else settings.base_url


def _tokens_problem(settings: Settings) -> str | None:
    """Why a server key cannot be served: ANAM_MCP_TOKENS was given but refused, so no one could get in."""
    refused = [problem for problem in settings.problems if problem.startswith("ANAM_MCP_TOKENS")]
    if settings.api_key is None or not refused:
        return None
    return f"Refusing to serve ANAM_API_KEY: {refused[0]}"


def _announce(url: str, token: str | None) -> None:
    """Tell the person who started the server how to reach it with the token made for this run, if one was.

    Written straight to stderr, once: every log line hides the token.
    """
    if token is None:
        return
    sys.stderr.write(
        "\nANAM_API_KEY is set and ANAM_MCP_TOKENS is not, so callers need this access token, made for this run:\n"
        f"    {url}/mcp/t/{token}\n"
        f"    or send 'Authorization: Bearer {token}' to {url}/mcp\n"
        "Set ANAM_MCP_TOKENS to keep tokens across restarts.\n\n"
    )
    sys.stderr.flush()


def _run(*, check: bool) -> int:
    settings = _settings()
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
        _api_shown(settings),
        _KEY_REFUSED if _refused(settings, "ANAM_API_KEY") else "set" if settings.api_key else "NOT set",
    )
    for problem in settings.problems:
        # The server still starts, so the client can show this in every tool call's answer.
        log.warning("Invalid setting, every tool call will report it: %s", problem)
    # Over stdio the client runs on this machine: a path it names is the user's own file.
    server = build_server(settings, local_files=True)
    # Everything allocated so far (SDK, pydantic schemas) lives as long as the process: take it out of
    # the collector's view, so full collections stay short instead of pausing a call for tens of ms.
    gc.freeze()
    gc.enable()
    serve_stdio(server)
    return 0
