"""Serving MCP over streamable HTTP: the ASGI app, and `anam-mcp --http` running it with uvicorn.

Stateless, with JSON responses: any worker, on any machine behind a load balancer, can answer any
request, and nothing about a client is kept between requests except caches. MCP is at /mcp (and
/mcp/t/<token> when the server has access tokens); GET /healthz answers 200 without a key and without
calling Anam.

Outside in: CORS (only when origins are configured, so a preflight never meets the 401), the gate (who
is calling: see gate.py and credentials.py; and Host and Origin against DNS rebinding, see hosts.py), then
the SDK's app, which caps the body size and serves MCP in both protocol eras. With ANAM_PUBLIC_URL, the SDK's
app also serves the OAuth sign-in beside /mcp (server/auth/).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import Callable
from typing import cast

from mcp.server.request_state import RequestStateSecurity
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from .. import __version__
from ..accounts import Accounts
from ..catalog import Background
from ..config import Settings
from ..demo import serve_fake_anam
from ..logs import configure_logging
from . import build_server, served_toolsets
from .auth import OAuth
from .credentials import Credentials
from .gate import Gate
from .hosts import HostCheck

__all__ = ["create_app", "serve_http"]

# What browsers may send and read across origins, when CORS is on (2026-07-28 clients add Mcp-Method/-Name).
_CORS_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "mcp-protocol-version",
    "mcp-session-id",
    "last-event-id",
    "mcp-method",
    "mcp-name",
)
_CORS_RESPONSE_HEADERS = ("Mcp-Session-Id", "WWW-Authenticate")
# How long a kept-alive connection may sit idle between requests (uvicorn's default, relied on here).
_KEEP_ALIVE_SECONDS = 5
# Allocations between two collections of the youngest generation (Python's default is 700).
_YOUNG_OBJECTS = 10_000


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The HTTP server as one ASGI app, from `settings`, or else from ANAM_* variables and .env: then it is the
    process's app, and sets up logging and the garbage collector too. An ASGI server calls it in each worker:
    `uvicorn --factory anam_mcp.server.http:create_app`.
    """
    own_process = settings is None
    if settings is None:
        settings = Settings.from_environment()
        configure_logging(settings)
        if settings.demo and not settings.api_is_local:
            # ANAM_DEMO under an ASGI server of one's own: nothing has started the fake yet (anam-mcp --demo has,
            # for its workers too, and they find it on this machine).
            serve_fake_anam()
            settings = Settings.from_environment()
    credentials = Credentials(settings)
    oauth = OAuth.from_settings(settings, credentials)
    if settings.api_key is not None and not settings.mcp_tokens:
        logging.getLogger(__name__).warning(
            "ANAM_API_KEY is set but ANAM_MCP_TOKENS is not: every request is refused (401) until it is set"
        )
    shared = settings.request_state_key
    accounts = Accounts(settings, Background(), settings.max_accounts)
    mcp = build_server(
        settings,
        accounts=accounts,
        token_verifier=oauth.bearers if oauth else credentials,
        request_state_security=RequestStateSecurity(keys=[shared.get_secret_value()]) if shared else None,
        local_files=False,  # the server's disk is not the caller's
    )

    mcp.custom_route("/healthz", methods=["GET"])(_healthz)
    # The gate checks Host and Origin exactly: the SDK's check takes any header that starts with an allowed one.
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    sdk_app = mcp.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=security,
        max_request_body_size=settings.http_max_body_bytes,
    )
    if oauth:
        oauth.mount(sdk_app)
    app: ASGIApp = Gate(
        sdk_app,
        credentials,
        HostCheck(
            [*settings.http_allowed_hosts, *(oauth.issuer.allowed_hosts if oauth else [])], settings.http_cors_origins
        ),
        settings.http_max_calls_per_caller,
        accounts.has_worked,
        settings.http_max_body_bytes,
        settings.http_receive_timeout_seconds,
        served_toolsets(settings),
        oauth.bearers if oauth else None,
    )
    if settings.http_cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=list(settings.http_cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=list(_CORS_REQUEST_HEADERS),
            expose_headers=list(_CORS_RESPONSE_HEADERS),
            max_age=600,
        )
    if own_process:
        # Everything built so far (SDK, pydantic schemas) lives as long as the worker: out of the collector's
        # view, full collections stay short. Stateless requests allocate many short-lived objects: a larger
        # young generation lets them die before a collection, instead of promoting them to be scanned again
        # (measured: the collector's time per legacy call falls from ~0.2 ms to ~0.02 ms).
        gc.freeze()
        gc.set_threshold(_YOUNG_OBJECTS, *gc.get_threshold()[1:])
    return app


async def _healthz(_: Request) -> Response:
    """For load balancers and probes: up, and which version. Needs no key and calls nothing."""
    return JSONResponse({"status": "ok", "version": __version__})


def serve_http(settings: Settings, host: str, port: int, workers: int, listening: Callable[[str], None]) -> bool:
    """Run the app with uvicorn until interrupted; each of `workers` processes builds its own from the environment.
    `listening` is told the base URL (with the port chosen, for port 0) once the socket is bound, before any
    worker starts. False when the server could not start.

    Logging stays ours (stderr, secrets redacted): uvicorn's loggers pass their lines to it.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .connections import ConnectionLimits, GuardedH11Protocol

    trusted = ",".join(settings.http_forwarded_allow_ips)
    config = uvicorn.Config(
        f"{__name__}:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        lifespan="on",
        # X-Forwarded-For/-Proto count only from proxies named in ANAM_HTTP_FORWARDED_ALLOW_IPS.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        server_header=False,
        # Slow clients: deadlines for a request to arrive, and a cap per address (connections.py); an idle
        # kept-alive connection is closed after this many seconds.
        http=cast(
            "type[asyncio.Protocol]",
            functools.partial(GuardedH11Protocol, limits=ConnectionLimits(settings.http_receive_timeout_seconds)),
        ),
        timeout_keep_alive=_KEEP_ALIVE_SECONDS,
    )
    # Bound here, as uvicorn.run would, so that the port is known before anything is served.
    sock = config.bind_socket()
    name = f"[{host}]" if ":" in host else host
    listening(f"http://{name}:{sock.getsockname()[1]}")
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
            return True
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        return server.started
    except KeyboardInterrupt:
        return True
    finally:
        sock.close()
