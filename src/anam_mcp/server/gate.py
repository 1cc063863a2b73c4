"""The door in front of the SDK's HTTP app: who is calling, and a clear answer for whoever may not.

Pure ASGI (a `BaseHTTPMiddleware` would buffer responses), acting only on /mcp and /mcp/t/<token>:
everything else (/healthz, unknown paths, the lifespan) passes through untouched. A token in the path
becomes the request's bearer token, and the path becomes /mcp in place, so the access log never shows
it. The caller's credential is redacted from every log line written while its request runs, and each
caller has at most ANAM_HTTP_MAX_CALLS_PER_CALLER requests in progress, so one cannot starve the others.
A body that is not one JSON-RPC message gets a JSON-RPC error in words here, as a junk line does over stdio.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import redacting
from ..net import Fingerprints, is_loopback
from .auth.verifier import Bearers
from .credentials import Credentials, Mode
from .jsonrpc import rejection
from .toolsets import QUERY_PARAMETER, Toolset, UnknownToolsetError, asking, parse, select

__all__ = ["MCP_PATH", "Gate"]

MCP_PATH = "/mcp"
_SECRET_PATH = re.compile(r"/mcp/t/([^/]+)/?")
_FORWARDED = (b"forwarded", b"x-forwarded-for", b"x-real-ip")


class Gate:
    def __init__(
        self,
        app: ASGIApp,
        credentials: Credentials,
        exposure: str,
        calls_per_caller: int,
        max_body_bytes: int,
        toolsets: Sequence[Toolset],
        oauth: Bearers | None = None,
    ) -> None:
        """`exposure`: what to answer a remote caller when the server key may only be used on this machine;
        `toolsets`: those served, which a connector URL's ?toolsets= may narrow; `oauth`: the bearer check when
        the server signs people in (ANAM_PUBLIC_URL)."""
        self._oauth = oauth
        self._app = app
        self._toolsets = toolsets
        self._credentials = credentials
        self._exposure = exposure
        self._in_progress = _InProgress(calls_per_caller)
        self._max_body_bytes = max_body_bytes

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
        if self._credentials.mode is Mode.OPEN and not _from_this_machine(scope):
            await _answer(send, 403, "forbidden", self._exposure)
            return
        refusal = await self._oauth.refusal(credential) if self._oauth else self._credentials.refusal(credential)
        if refusal:
            challenge = b'Bearer realm="anam-mcp"' + (b', error="invalid_token"' if credential else b"")
            challenge += self._oauth.challenge if self._oauth else b""
            await _answer(send, 401, "invalid_token", refusal, [(b"www-authenticate", challenge)])
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
        if credential is not None and self._credentials.required:
            # The SDK's bearer check reads the header: give it the credential, however it came.
            headers = [(name, value) for name, value in scope["headers"] if name != b"authorization"]
            scope["headers"] = [*headers, (b"authorization", b"Bearer " + credential.encode("latin-1"))]
        with self._in_progress.admit(credential) as admitted, redacting(credential), asking(asked):
            if admitted:
                await self._serve(scope, receive, send)
            else:
                busy = (
                    f"This caller already has {self._in_progress.limit} requests in progress "
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
        body, receive = await _buffered(receive, self._max_body_bytes)
        error = rejection(body.decode("utf-8", "replace")) if body is not None else None
        if error is None:
            # Over the cap (the SDK answers 413), or a message the SDK serves.
            await self._app(scope, receive, send)
        else:
            await _respond(send, 400, error.model_dump_json(by_alias=True, exclude_unset=True).encode())


class _InProgress:
    """Requests in progress per caller (per key, or per access token), under a fingerprint of the credential.

    One worker serves its requests on one event loop, so plain counts need no lock; a caller with nothing in
    progress leaves no entry behind.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._fingerprints = Fingerprints()
        self._counts: dict[bytes, int] = {}

    @contextmanager
    def admit(self, credential: str | None) -> Iterator[bool]:
        """Yields whether the caller may go ahead; if so, it counts as in progress until the block ends."""
        caller = self._fingerprints.digest(credential or "")
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


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def _from_this_machine(scope: Scope) -> bool:
    """Reached on a loopback address, and not through a proxy (which could be forwarding anyone)."""
    server = scope.get("server")
    host = server[0] if server else None
    return is_loopback(host) and not any(name in _FORWARDED for name, _ in scope["headers"])


async def _buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The request's whole body, or None once it passes `limit` bytes; and a `receive` that replays what was read."""
    read: list[Message] = []
    size = 0
    while True:
        message = await receive()
        read.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > limit or not message.get("more_body", False):
            break
    last = read[-1]
    whole = last["type"] == "http.request" and not last.get("more_body", False) and size <= limit
    body = b"".join(message.get("body", b"") for message in read) if whole else None

    async def replay() -> Message:
        return read.pop(0) if read else await receive()

    return body, replay


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
