"""What this project takes from the `mcp` SDK beyond its documented use, each with the gap that forces it.

pyproject pins mcp to one minor version for these. Raising the pin runs these tests first: a failure here names
what moved, where otherwise a server would fail at run time.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenHandler
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from starlette.applications import Starlette

from anam_mcp.config import Settings
from anam_mcp.server import build_server


def test_stdio_drives_the_private_lowlevel_server_as_run_stdio_async_takes_no_streams() -> None:
    """Gap: `MCPServer.run_stdio_async` reads the process's stdin itself, in a thread that cannot be cancelled,
    and drops a line that is not a JSON-RPC message without a word. server/stdio.py feeds the SDK's
    `stdio_server` its own stdin and answers such lines on the write stream, so it must run the server on given
    streams: only the lowlevel `Server.run` does, and MCPServer keeps that server as `_lowlevel_server`."""
    taken = list(inspect.signature(MCPServer.run_stdio_async).parameters)
    assert taken == ["self"], "run_stdio_async takes streams now: use it in server/stdio.py, without _lowlevel_server"
    lowlevel = build_server(Settings(prefetch=False))._lowlevel_server
    assert isinstance(lowlevel, Server)
    run = list(inspect.signature(Server.run).parameters)
    assert run[:4] == ["self", "read_stream", "write_stream", "initialization_options"]


def test_model_tools_override_the_tool_class_where_mcpserver_offers_no_option() -> None:
    """Gap: a function tool's input schema and argument checks are derived from its signature, with no option to
    give a model of our own, to refuse unknown arguments, or to keep the SDK from decoding text that looks like
    JSON. server/toolkit.py builds its tools with the exported `Tool.from_function`, sets the `parameters` that
    tools/list publishes, and overrides `run` (validating the arguments as sent) and `output_schema`."""
    assert {"parameters", "fn"} <= set(Tool.model_fields)
    assert isinstance(inspect.getattr_static(Tool, "output_schema"), functools.cached_property)
    run = list(inspect.signature(Tool.run).parameters)
    assert run == ["self", "arguments", "context", "convert_result"]
    assert "description" in inspect.signature(Tool.from_function).parameters


def test_the_sdk_logs_failed_calls_on_the_logger_that_logs_py_quiets() -> None:
    """Gap: MCPServer logs each failed tool call and resource read at INFO on its module's logger, repeating the
    line server/middleware.py's log_tool_calls writes with our message. logs.py raises that logger, by name, to
    WARNING, so each failure is logged once (tests/test_log_output.py shows it through the process)."""
    from mcp.server.mcpserver import server

    assert server.logger.name == "mcp.server.mcpserver.server"
    source = inspect.getsource(server.MCPServer)
    assert 'logger.info("Tool %r failed: %r"' in source and 'logger.info("Resource %r failed: %r"' in source


def test_oauth_builds_its_routes_from_the_sdks_handlers_which_create_auth_routes_cannot_configure() -> None:
    """Gap: `create_auth_routes` advertises client_secret_* only and no client ID metadata documents (Claude then
    never uses them), and has no hook before /authorize (a document's error in words, before any redirect) or
    /token (RFC 8707 `invalid_target`). server/auth/routes.py builds the routes from the handlers, and
    server/auth/oauth.py adds them, and the store's closing, to the Starlette app `streamable_http_app` returns."""
    assert [f.name for f in dataclasses.fields(AuthorizationHandler)] == ["provider"]
    assert [f.name for f in dataclasses.fields(RegistrationHandler)] == ["provider", "options"]
    assert [f.name for f in dataclasses.fields(TokenHandler)][:2] == ["provider", "client_authenticator"]
    for handler in (AuthorizationHandler, RegistrationHandler, TokenHandler):
        assert list(inspect.signature(handler.handle).parameters) == ["self", "request"]
    assert list(inspect.signature(ClientAuthenticator.authenticate_request).parameters) == ["self", "request"]
    assert "message" in vars(AuthenticationError("x"))
    app = build_server(Settings(prefetch=False)).streamable_http_app(stateless_http=True)
    assert isinstance(app, Starlette)
    assert isinstance(app.router.routes, list) and callable(app.router.lifespan_context)
