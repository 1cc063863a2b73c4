"""Logging: everything to stderr, secrets redacted in every form, and the libraries kept quiet.

Redacted: the secrets the server holds, the API key and the HTTP server's access tokens (a token made for
the run included), the token in any /mcp/t/<token> path, and, while a tool call runs, the secrets it was given
to pass on (a webhook's header values: see `redacting`). A caller's own key is never logged, so nothing is
redacted by what a caller sends as its credential: it could erase any text from the log. ANAM_LOG_LEVEL sets our
own loggers (`anam_mcp.*`). Other libraries log at INFO at most, and the HTTP stack and the MCP SDK's
per-request lines only from WARNING, unless ANAM_LOG_HTTP asks for their debug output too.
"""

from __future__ import annotations

import ast
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

from .config import Settings

__all__ = ["configure_logging", "redacting"]

_OURS = "anam_mcp"
# Per-request chatter, useful only when debugging the HTTP stack or the protocol itself ("Terminating
# session: None" after every stateless HTTP request, for one).
_CHATTY = (
    "httpx2",
    "httpcore",
    "httpcore2",
    "mcp.server.lowlevel.server",
    # Its INFO lines repeat each failed tool call and resource read, which ours already say (server/middleware.py).
    "mcp.server.mcpserver.server",
    "mcp.server.streamable_http",
    "sse_starlette",
)
_UNESCAPED = re.compile(r"[A-Za-z0-9._~-]+")
_SECRET_PATH = re.compile(r"/mcp/t/[^/?#\s\"']+")
_HIDDEN_PATH = "/mcp/t/[redacted]"
_ACCESS_ARGUMENTS = 5

# Secrets a tool call was given to pass on (a webhook's header values), in the forms they may take in text.
_REQUEST_SECRETS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("request_secrets", default=())

_SHORTEST_REDACTED = 8

_RETRY_MESSAGE = "stamina.retry_scheduled"
# Retries are the transport's doing: their lines carry its logger's name, not the retry library's.
_RETRY_LOGGER = "anam_mcp.api.transport"
_QUOTED_REPR = re.compile(r"\w+\((?P<text>'.*'|\".*\")\)", re.DOTALL)


def _forms(secret: str) -> list[str]:
    """`secret` as it may appear in text: itself, escaped by repr() or JSON (as str or bytes), URL-quoted."""
    if _UNESCAPED.fullmatch(secret):
        return [secret]  # nothing escapes or quotes these characters: every form is the secret itself
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        quote(secret, safe=""),
        quote_plus(secret),
    }
    # Longest first, so a form that contains another is replaced whole.
    return sorted((form for form in forms if form), key=len, reverse=True)


@contextmanager
def redacting(*secrets: str | None) -> Iterator[None]:
    """Redact `secrets` (values the server was given to pass on, never a caller's credential) from every line
    logged in this context, besides those redacted already.

    Values shorter than `_SHORTEST_REDACTED` are left alone: the caller chose them, and a "secret" such as "200"
    or "POST" would erase facts from every line. The tools keep such values out of what they log anyway."""
    forms = {form for secret in secrets if secret and len(secret) >= _SHORTEST_REDACTED for form in _forms(secret)}
    if not forms:
        yield
        return
    token = _REQUEST_SECRETS.set(tuple(sorted(forms | set(_REQUEST_SECRETS.get()), key=len, reverse=True)))
    try:
        yield
    finally:
        _REQUEST_SECRETS.reset(token)


class _RedactingFormatter(logging.Formatter):
    """Formats like any formatter, then removes every secret wherever it appears, tracebacks included."""

    def __init__(self, secrets: Iterable[SecretStr | None]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        forms = {form for secret in secrets if secret for form in _forms(secret.get_secret_value())}
        self._forms = sorted(forms, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = _SECRET_PATH.sub(_HIDDEN_PATH, super().format(record))
        for form in (*_REQUEST_SECRETS.get(), *self._forms):
            text = text.replace(form, "[redacted]")
        return text


class _HiddenSecretPaths(logging.Filter):
    """The access log's path without its query string (a caller may put a key there) and without the token of
    a /mcp/t/<token> URL, whichever handler writes it.

    uvicorn's access records carry (client, method, path with query, http version, status) as their arguments.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == _ACCESS_ARGUMENTS:
            client, method, path, *rest = record.args
            if isinstance(path, str):
                path = _SECRET_PATH.sub(_HIDDEN_PATH, path.partition("?")[0])
            record.args = (client, method, path, *rest)
        return True


class _ReadableRetries(logging.Filter):
    """Each scheduled retry as one INFO line a person can read, from the transport's logger, shown only when
    INFO is on for it.

    stamina logs it as a bare WARNING "stamina.retry_scheduled", with the details in extra fields.
    """

    def __init__(self, retries: int) -> None:
        super().__init__()
        self._retries = retries

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "stamina" or record.msg != _RETRY_MESSAGE:
            return True
        if not logging.getLogger(_RETRY_LOGGER).isEnabledFor(logging.INFO):
            return False
        details = record.__dict__
        record.name = _RETRY_LOGGER
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.msg = "Request to Anam failed; retry %s of %s in %.1f s. %s"
        record.args = (
            details.get("stamina.retry_num"),
            self._retries,
            details.get("stamina.wait_for", 0.0),
            _message_of(str(details.get("stamina.caused_by", ""))),
        )
        return True


def _message_of(exception_repr: str) -> str:
    """`'text'` from `SomeError('text')`, as stamina gives only the repr; anything else unchanged."""
    match = _QUOTED_REPR.fullmatch(exception_repr)
    if match is None:
        return exception_repr
    try:
        return str(ast.literal_eval(match["text"]))
    except (ValueError, SyntaxError):
        return exception_repr


def configure_logging(settings: Settings) -> None:
    """Send all logging to stderr with the key redacted, at the configured levels. Replaces any earlier setup."""
    level = logging.getLevelNamesMapping()[settings.log_level]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter((settings.api_key, *settings.mcp_tokens)))
    handler.addFilter(_ReadableRetries(settings.max_retries))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if settings.log_http else max(level, logging.INFO))
    logging.getLogger(_OURS).setLevel(level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if settings.log_http else max(level, logging.WARNING))
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _HiddenSecretPaths) for f in access.filters):
        access.addFilter(_HiddenSecretPaths())
