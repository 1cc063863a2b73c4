"""The door in front of the SDK's HTTP app: who is calling, and a clear answer for whoever may not.

Pure ASGI (a `BaseHTTPMiddleware` would buffer responses), acting only on /mcp and /mcp/t/<token>:
everything else (/healthz, unknown paths, the lifespan) passes through untouched. A token in the path
becomes the request's bearer token, and the path becomes /mcp in place, so the access log never shows
it. A bearer that cannot be an Anam key is refused first, and a caller's credential is never logged (so
nothing needs redacting by it: a caller cannot pick a "key" that erases facts from the log). Then the
Host and Origin headers (hosts.py). Each caller has at most ANAM_HTTP_MAX_CALLS_PER_CALLER requests in
progress, so one cannot starve the others; keys Anam has not accepted yet count together per client address.
A body must arrive within ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS (408), and one that is not one JSON-RPC message
gets a JSON-RPC error in words here, as a junk line does over stdio.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..net import Fingerprints
from .auth.provider import ACCESS_PREFIX
from .auth.verifier import Bearers
from .credentials import Credentials, Mode
from .hosts import HostCheck
from .jsonrpc import screened
from .toolsets import QUERY_PARAMETER, Toolset, UnknownToolsetError, asking, parse, select

__all__ = ["MCP_PATH", "Gate"]

MCP_PATH = "/mcp"
_SECRET_PATH = re.compile(r"/mcp/t/([^/]+)/?")

logger = logging.getLogger(__name__)
# Marks an address as a caller (for keys Anam has not accepted yet): no credential contains this character.
_ADDRESS = "\0"


class Gate:
    def __init__(
        self,
        app: ASGIApp,
        credentials: Credentials,
        hosts: HostCheck,
        calls_per_caller: int,
        has_worked: Callable[[str], bool],
        max_body_bytes: int,
        receive_seconds: float,
        toolsets: Sequence[Toolset],
        oauth: Bearers | None = None,
    ) -> None:
        """`has_worked`: whether Anam has accepted a caller's key; `receive_seconds`: how long a request body
        may take to arrive; `toolsets`: those served, which a connector URL's ?toolsets= may narrow; `oauth`:
        the bearer check when the server signs people in (ANAM_PUBLIC_URL)."""
        self._oauth = oauth
        self._app = app
        self._toolsets = toolsets
        self._credentials = credentials
        self._hosts = hosts
        self._in_progress = _InProgress(calls_per_caller)
        self._has_worked = has_worked
        self._max_body_bytes = max_body_bytes
        self._receive_seconds = receive_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        secret = _SECRET_PATH.fullmatch(path)
        if not (path in (MCP_PATH, MCP_PATH + "/") or secret):
            await self._app(scope, receive, send)
            return
        if secret:
            # In place, not a copy: the server logs the path it finds in this scope once the request ends.
            scope["path"], scope["raw_path"] = MCP_PATH, MCP_PATH.encode()
            if not self._credentials.accepts_secret_path:
                await _answer(send, 404, "not_found", "This server has no access tokens: use /mcp.")
                return
            credential: str | None = secret.group(1)
        else:
            credential = _bearer(scope["headers"])
        refusal = await self._oauth.refusal(credential) if self._oauth else self._credentials.refusal(credential)
        if refusal:
            challenge = b'Bearer realm="anam-mcp"' + (b', error="invalid_token"' if credential else b"")
            challenge += self._oauth.challenge if self._oauth else b""
            await _answer(send, 401, "invalid_token", refusal, [(b"www-authenticate", challenge)])
            return
        if misdirected := self._hosts.refusal(_header(scope, b"host"), _header(scope, b"origin")):
            status, error, description = misdirected
            logger.warning("Refused a request (%d): %s", status, description)
            await _answer(send, status, error, description)
            return
        try:
            asked = self._asked_toolsets(scope)
        except UnknownToolsetError as exc:
            await _answer(send, 400, "invalid_request", f"The connector URL asks for an {exc} (served here).")
            return
        if scope["method"] == "GET":
            # Stateless: there is no stream to resume. The SDK would hold a legacy GET open forever.
            await _answer(send, 405, "method_not_allowed", "Send MCP requests with POST.", [(b"allow", b"POST")])
            return
        if credential is not None:
            # The SDK's bearer check reads the header: give it the credential, however it came.
            headers = [(name, value) for name, value in scope["headers"] if name != b"authorization"]
            scope["headers"] = [*headers, (b"authorization", b"Bearer " + credential.encode("latin-1"))]
        # Until Anam accepts a caller's key, its requests count with those of every other such key from the
        # same address: made-up keys cannot each have a caller's share.
        # A sign-in (an OAuth access token) was proven on the sign-in page.
        signed_in = self._oauth is not None and (credential or "").startswith(ACCESS_PREFIX)
        unproven = (
            self._credentials.mode is Mode.BRING_YOUR_OWN_KEY
            and not signed_in
            and not self._has_worked(credential or "")
        )
        caller = _ADDRESS + _address(scope) if unproven else credential or ""
        with self._in_progress.admit(caller) as admitted, asking(asked):
            if admitted:
                await self._serve(scope, receive, send)
            else:
                who = "Keys Anam has not accepted yet, from this address, have" if unproven else "This caller has"
                busy = (
                    f"{who} {self._in_progress.limit} requests in progress already "
                    "(ANAM_HTTP_MAX_CALLS_PER_CALLER): retry when one has finished."
                )
                await _answer(send, 429, "too_many_requests", busy, [(b"retry-after", b"1")])

    def _asked_toolsets(self, scope: Scope) -> list[str] | None:
        """The toolsets the URL's ?toolsets= asks for, None without it; UnknownToolsetError for one not served."""
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(QUERY_PARAMETER)
        if not asked:
            return None
        return [toolset.name for toolset in select(self._toolsets, parse(",".join(asked)))]

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        try:
            with anyio.fail_after(self._receive_seconds):
                body, replay = await _buffered(receive, self._max_body_bytes)
        except TimeoutError:
            # Whatever arrived is dropped with the connection: a stalled client holds no memory.
            late = (
                f"The request body did not arrive within {self._receive_seconds:g} s "
                "(ANAM_HTTP_RECEIVE_TIMEOUT_SECONDS)."
            )
            logger.info("%s: %s", _client(scope), late)
            await _answer(send, 408, "request_timeout", late, [(b"connection", b"close")])
            return
        except _HungUp as exc:
            # Nobody is left to answer, and nothing went wrong here: one line, not a traceback from the SDK.
            logger.info("%s hung up before its request body arrived (%d bytes of it read)", _client(scope), exc.size)
            return
        if body is None:  # over the cap: the SDK answers 413
            await self._app(scope, replay, send)
            return
        message = screened(body.decode("utf-8", "replace"))
        if not isinstance(message, str):
            await _respond(send, 400, message.model_dump_json(by_alias=True, exclude_unset=True).encode())
            return
        if (forwarded := message.encode()) != body:
            # The message as read here (invalid UTF-8 and lone surrogates as U+FFFD), as over stdio.
            scope["headers"] = [
                *((name, value) for name, value in scope["headers"] if name != b"content-length"),
                (b"content-length", str(len(forwarded)).encode()),
            ]
            replay = _replaying(forwarded, receive)
        await self._app(scope, replay, send)


class _InProgress:
    """Requests in progress per caller (a key Anam has accepted, an access token, or the address of keys not yet
    accepted), under a fingerprint.

    One worker serves its requests on one event loop, so plain counts need no lock; a caller with nothing in
    progress leaves no entry behind.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._fingerprints = Fingerprints()
        self._counts: dict[bytes, int] = {}

    @contextmanager
    def admit(self, who: str) -> Iterator[bool]:
        """Yields whether the caller `who` (a credential, or an address) may go ahead; if so, it counts as in
        progress until the block ends."""
        caller = self._fingerprints.digest(who)
        count = self._counts.get(caller, 0)
        if count >= self.limit:
            yield False
            return
        self._counts[caller] = count + 1
        try:
            yield True
        finally:
            if self._counts[caller] == 1:
                del self._counts[caller]
            else:
                self._counts[caller] -= 1


def _client(scope: Scope) -> str:
    """The client's address and port, as the access log shows them."""
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "a client"


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _header(scope: Scope, name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class _HungUp(Exception):
    """The client went away before its request body was complete."""

    def __init__(self, size: int) -> None:
        self.size = size


async def _buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The request's whole body, or None once it passes `limit` bytes; and a `receive` that replays what was read.
    _HungUp if the client disconnects first."""
    read: list[Message] = []
    size = 0
    more = True
    while more and size <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _HungUp(size)
        read.append(message)
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(message.get("body", b"") for message in read) if size <= limit else None

    async def replay() -> Message:
        return read.pop(0) if read else await receive()

    return body, replay


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` as the whole request body, then what `receive` gives after the body (the
    client's disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer(
    send: Send, status: int, error: str, description: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"error": error, "error_description": description}).encode()
    await _respond(send, status, body, headers)


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    fixed = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": [*fixed, *(headers or [])]}
    await send(start)
    await send({"type": "http.response.body", "body": body})
