"""FakeAnam: the first account, served over real HTTP on 127.0.0.1 together with any others added to it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from .account import Account
from .data.catalogue import make_avatars, make_llms, make_voices
from .data.people import make_sessions, seeded_people
from .handler import RecordedRequest, handler_for
from .ids import DEFAULT_KEY
from .media import point_media_at


class FakeAnam(Account):
    """The fake API. Use as a context manager; `url` is its base URL once started.

    Without arguments it serves the seeded catalogue (130 avatars, 450 voices, 5 LLMs), 25 personas and 12
    sessions; pass lists to serve others. Every request is kept in `requests`; `latency` (seconds) delays
    every answer; `script` queues faults. `serve_media` makes the avatars' images and voices' samples point
    at this fake, which serves them. The list pages of a fake with `cache_pages` are encoded once, for
    benchmarks whose catalogues never change.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_KEY,
        latency: float = 0.0,
        avatars: list[dict[str, Any]] | None = None,
        voices: list[dict[str, Any]] | None = None,
        llms: list[dict[str, Any]] | None = None,
        personas: list[dict[str, Any]] | None = None,
        port: int = 0,
        entitled_to_latest: bool = False,
        cache_pages: bool = False,
        serve_media: bool = False,
    ) -> None:
        if personas is None:
            personas, sessions, transcripts = seeded_people()
        else:
            sessions, transcripts = make_sessions(personas, datetime.now(UTC))
        catalogues = {
            "/v1/avatars": avatars if avatars is not None else make_avatars(),
            "/v1/voices": voices if voices is not None else make_voices(),
            "/v1/llms": llms if llms is not None else make_llms(),
            "/v1/personas": personas,
            "/v1/sessions": sessions,
        }
        super().__init__(
            api_key, catalogues, transcripts, entitled_to_latest=entitled_to_latest, cache_pages=cache_pages
        )
        self.latency = latency
        self.serve_media = serve_media
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0
        # Other Anam accounts served here, by key (see add_account).
        self.accounts: dict[str, Account] = {}
        # Set by stop(): scripted hangs and waits end early.
        self.stopping = threading.Event()
        self._in_flight = 0
        self._requests_lock = threading.Lock()
        self._port = port
        self._server: _Server | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeAnam:
        self._server = _Server(("127.0.0.1", self._port), handler_for(self))
        # Kept after stop(): a request still being answered then may need the address (its media links, say).
        self._port = int(self._server.server_address[1])
        self._server.daemon_threads = True
        # stop() waits up to one poll interval for the loop to notice: keep it short, tests start hundreds of fakes.
        threading.Thread(target=self._server.serve_forever, args=(0.01,), name="fake-anam", daemon=True).start()
        if self.serve_media:
            point_media_at(self.url, self.catalogues["/v1/avatars"], self.catalogues["/v1/voices"])
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAnam:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._port, "start() the fake first"
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- other accounts --------------------------------------------------------------------------

    def add_account(self, api_key: str, seed: int = 1) -> Account:
        """Another Anam account, reached with its own key: the same stock avatars and voices, but custom ones,
        personas and sessions of its own (from `seed`). It is served here; script faults on it directly."""
        avatars = [a for a in self.catalogues["/v1/avatars"] if a["createdByOrganizationId"] is None]
        voices = [v for v in self.catalogues["/v1/voices"] if v["createdByOrganizationId"] is None]
        custom_avatars = [a for a in make_avatars(40, seed=seed + 100) if a["createdByOrganizationId"]]
        custom_voices = [v for v in make_voices(60, seed=seed + 200) if v["createdByOrganizationId"]]
        personas, sessions, transcripts = seeded_people(10, seed + 300, seed + 400, f" ({api_key[:6]})")
        catalogues = {
            "/v1/avatars": avatars + custom_avatars,
            "/v1/voices": voices + custom_voices,
            "/v1/llms": make_llms(),
            "/v1/personas": personas,
            "/v1/sessions": sessions,
        }
        account = Account(api_key, catalogues, transcripts, entitled_to_latest=self.entitled_to_latest)
        with self.lock:
            self.accounts[api_key] = account
        return account

    def account_for(self, authorization: str | None) -> Account | None:
        """The account an Authorization header opens: this one, one added with add_account, or none."""
        if authorization == f"Bearer {self.api_key}":
            return self
        return next((a for key, a in self.accounts.items() if authorization == f"Bearer {key}"), None)

    # -- inspection ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def serving(self, request: RecordedRequest) -> Iterator[None]:
        """Record `request` and count it in flight while it is answered."""
        with self._requests_lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._requests_lock:
                self._in_flight -= 1

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._requests_lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def clear(self) -> None:
        """Forget the requests received and the faults still queued, and start counting max_in_flight anew."""
        with self._requests_lock:
            self.requests.clear()
            self.max_in_flight = 0
        self.clear_faults()


class _Server(ThreadingHTTPServer):
    # A hundred clients connecting at once (tests of the shared connection pool) queue, rather than have their
    # connection attempts dropped and retried a second later.
    request_queue_size = 256
