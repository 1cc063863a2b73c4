"""What `anam-mcp --http` takes from uvicorn beyond its documented options, each with the gap that forces it.

pyproject pins uvicorn to one minor version for these. Raising the pin runs these tests first: a failure here
names what moved, where otherwise the server would fail at start or stop closing stalled connections.
"""

from __future__ import annotations

import inspect

from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle
from uvicorn.server import Server
from uvicorn.supervisors import Multiprocess


def test_the_guarded_protocol_hooks_into_h11_where_uvicorn_offers_no_header_timeout() -> None:
    """Gap: uvicorn's h11 protocol waits for a request's headers for ever and has no per-address limit.
    server/connections.py subclasses `H11Protocol` and hooks `connection_made`, `data_received`,
    `on_response_complete` and `connection_lost`, reading `conn.their_state`, `cycle.response_complete` and
    `transport`."""
    for hook in ("connection_made", "data_received", "on_response_complete", "connection_lost"):
        assert hook in vars(H11Protocol), hook
    made = list(inspect.signature(H11Protocol.__init__).parameters)
    assert made[:5] == ["self", "config", "server_state", "app_state", "_loop"]
    assert "response_complete" in inspect.getsource(RequestResponseCycle.__init__)
    assert "self.conn = h11.Connection" in inspect.getsource(H11Protocol.__init__)


def test_serve_http_binds_its_own_socket_to_know_the_port_it_prints() -> None:
    """Gap: uvicorn.run has no way to report the port it bound (`--port 0`), which the start-up banner with the
    generated access token must print. server/http.py binds with `Config.bind_socket` and runs
    `Server.run(sockets=)`, or `Multiprocess(config, sockets=)` for several workers."""
    assert "bind_socket" in vars(Config)
    assert "sockets" in inspect.signature(Server.run).parameters
    assert list(inspect.signature(Multiprocess.__init__).parameters) == ["self", "config", "sockets"]
