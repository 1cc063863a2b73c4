"""What the HTTP server's log can never show: a caller's key, an access token, the token in a secret path."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from .helpers import logging_to_string

TOKEN = "team-token-abcdefghijklmnop"


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """Logging set up as the server does (with an access token configured), written to a string."""
    with logging_to_string({"ANAM_MCP_TOKENS": TOKEN, "ANAM_LOG_LEVEL": "DEBUG"}) as stream:
        yield stream


def test_access_tokens_and_secret_paths_are_redacted_from_every_line(written: io.StringIO) -> None:
    logging.getLogger("anam_mcp.test").warning("token %s", TOKEN)
    logging.getLogger("uvicorn.error").error("Exception in ASGI application for /mcp/t/%s/x", "some-guess-0123456789")
    # uvicorn's access record: (client, method, path, HTTP version, status) as arguments.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", "/mcp/t/another-guess-0123?x=1", "1.1", 404
    )
    text = written.getvalue()
    for secret in (TOKEN, "some-guess-0123456789", "another-guess-0123"):
        assert secret not in text
    assert '"POST /mcp/t/[redacted] HTTP/1.1" 404' in text  # and no query string


def test_the_access_log_hides_secret_paths_whichever_handler_writes_it(written: io.StringIO) -> None:
    """As under someone else's uvicorn logging set-up: its own handler on the access logger."""
    access = logging.getLogger("uvicorn.access")
    theirs = io.StringIO()
    handler = logging.StreamHandler(theirs)
    access.addHandler(handler)
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", f"/mcp/t/{TOKEN}", "1.1", 200)
    finally:
        access.removeHandler(handler)
    assert TOKEN not in theirs.getvalue()
    assert "/mcp/t/[redacted]" in theirs.getvalue()
