"""The HTTP side: each request is recorded, checked for a key, given its scripted fault or routed to its area."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .areas.media import UPLOADS, receive_upload
from .faults import act_out
from .forms import MAX_FORM_BYTES, is_form, parse_form
from .media import media
from .routes import error
from .wire import drain, send, send_json

if TYPE_CHECKING:
    from .server import FakeAnam


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the fake received it; `body` is the decoded JSON, a `forms.Form` for a multipart body, or the
    text when it was neither (None for a presigned upload, which is streamed: see `Account.uploads`)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class Handler(BaseHTTPRequestHandler):
    """Answers for `fake`, in a subclass made for each fake (see handler_for)."""

    fake: FakeAnam
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    # Headers and body go out in separate writes: with Nagle on, the body would wait for a
    # delayed ACK (40 ms on Linux) and the fake would add latency of its own.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read stderr of the server, not of the fake

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        content_type = self.headers.get("Content-Type")
        if method == "PUT" and split.path.startswith(UPLOADS):
            # A clip for the presigned flow: streamed, never held whole (it may be 50 MB).
            with self.fake.serving(RecordedRequest(method, split.path, query, dict(self.headers.items()), None)):
                receive_upload(self, self.fake, split.path, query, length)
            return
        if is_form(content_type) and length > MAX_FORM_BYTES and split.path in _SIZE_LIMITED:
            drain(self, length)
            with self.fake.serving(RecordedRequest(method, split.path, query, dict(self.headers.items()), None)):
                send_json(self, 413, error("Payload Too Large", "Request body exceeds the 4.5 MB limit"))
            return
        raw = self.rfile.read(length)
        body: Any
        if is_form(content_type):
            body = parse_form(str(content_type), raw) or "not a well-formed multipart body"
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
        with self.fake.serving(RecordedRequest(method, split.path, query, dict(self.headers.items()), body)):
            if self.fake.latency:
                time.sleep(self.fake.latency)
            self._answer(method, split.path, query, body)

    def _answer(self, method: str, path: str, query: dict[str, str], body: Any) -> None:
        served = media(path) if self.fake.serve_media and method == "GET" else None
        if served is not None:
            send(self, 200, served[0], served[1], {})
            return
        account = self.fake.account_for(self.headers.get("Authorization"))
        if account is None:
            send_json(self, 401, error("Unauthorized", "Invalid or missing API key"))
            return
        if method in ("POST", "PUT") and isinstance(body, str):
            send_json(self, 400, error("Invalid request body", "body is not JSON"))
            return
        fault = account.next_fault(path)
        if fault is not None and fault.kind == "lost":
            account.handle(method, path, query, body)
            send_json(self, fault.status, error("Gateway Timeout", "the upstream answer was lost"))
            return
        if fault is not None and act_out(self, fault, self.fake.stopping):
            return
        cache = account.page_cache if method == "GET" else None
        key = (path, tuple(sorted(query.items())))
        if cache is not None and key in cache:
            send(self, 200, cache[key], "application/json", {})
            return
        status, payload, headers = account.handle(method, path, query, body, self.fake.url)
        if cache is not None and status == 200:
            cache[key] = json.dumps(payload).encode()
        if status == 204:
            send(self, status, b"", "application/json", headers)
            return
        send_json(self, status, payload, headers)


# Where Anam takes a multipart body of at most about 4.5 MB (knowledge documents may be up to 50 MB).
_SIZE_LIMITED = ("/v1/avatars", "/v1/voices")


def handler_for(fake: FakeAnam) -> type[Handler]:
    class FakesHandler(Handler):
        pass

    FakesHandler.fake = fake
    return FakesHandler
