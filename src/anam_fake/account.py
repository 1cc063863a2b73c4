"""One Anam account: the records its key opens, the faults scripted for it, and its answers to requests."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .areas import ROUTES
from .areas.meetings import InviteLimits
from .data.people import make_session, make_transcript
from .faults import Fault, FaultScript
from .formats import iso, parse_iso
from .routes import Answer, route

# A list page already encoded, by path and query (see `cache_pages`).
PageCache = dict[tuple[str, tuple[tuple[str, str], ...]], bytes]


class Account:
    """An account's records, which tests may read and change directly between requests.

    `catalogues` maps each list path (/v1/avatars, /v1/voices, /v1/llms, /v1/personas, /v1/sessions, and once
    used /v1/tools, /v1/knowledge/groups, /v1/knowledge/documents) to its records; `transcripts` holds each
    session's transcript by session id; `persona_details` what a persona's full record adds to its list entry;
    `share_links` every link made, with its personaId; `uploads` each voice clip's presigned upload, by audioKey;
    `meeting_invites` the invites made, newest first, and `invite_limits` how many may be made a minute and an hour.
    """

    def __init__(
        self,
        api_key: str,
        catalogues: dict[str, list[dict[str, Any]]],
        transcripts: dict[str, dict[str, Any]],
        *,
        entitled_to_latest: bool = False,
        cache_pages: bool = False,
    ) -> None:
        self.api_key = api_key
        self.catalogues = catalogues
        self.transcripts = transcripts
        self.entitled_to_latest = entitled_to_latest
        self.persona_details: dict[str, dict[str, Any]] = {}
        self.share_links: list[dict[str, Any]] = []
        # Voice clips by audioKey: where the presigned flow is for each (see areas/media.py).
        self.uploads: dict[str, dict[str, Any]] = {}
        self.meeting_invites: list[dict[str, Any]] = []
        self.invite_limits = InviteLimits()
        self.tokens_issued = 0
        # Knowledge documents: how long each stays PROCESSING before it is READY or FAILED (a test may set it),
        # and the text read from each, which searches match.
        self.document_processing_seconds = 0.2
        self.document_texts: dict[str, str] = {}
        # Per list path: what a page's real `meta` is turned into before it is sent (to fake a lying API).
        self.meta_for: dict[str, Callable[[dict[str, Any]], Any]] = {}
        # For benchmarks: encode each list page once, so the fake adds only its injected latency.
        # Only for catalogues nobody changes after start.
        self.page_cache: PageCache | None = {} if cache_pages else None
        # Held while the server's threads change the records.
        self.lock = threading.Lock()
        self._faults = FaultScript()

    def script(self, path: str, *faults: Fault) -> None:
        """Queue misbehaviours for requests whose path starts with `path` (e.g. "/v1/voices")."""
        self._faults.add(path, faults)

    def next_fault(self, path: str) -> Fault | None:
        """The scripted fault a request to `path` meets now, taken off its queue; None to answer normally."""
        return self._faults.next_for(path)

    def clear_faults(self) -> None:
        self._faults.clear()

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, origin: str = "") -> Answer:
        """The API's answer to a well-formed request (reached at `origin`): status, JSON body, extra headers."""
        return route(ROUTES, self, method, path, query, body, origin)

    def record_conversation(
        self, persona_id: str, lines: list[tuple[str, str]], label: str | None = "share-link", *, ongoing: bool = False
    ) -> str:
        """Someone talked to the persona (through a share link, say): a new newest session with this transcript.

        `lines` are (role, text) pairs, role "persona" or "user". An `ongoing` session has not ended yet (see
        end_session). Returns the session id."""
        persona = next(p for p in self.catalogues["/v1/personas"] if p["id"] == persona_id)
        session = make_session(str(uuid.uuid4()), persona, datetime.now(UTC), 2.0 * len(lines) + 5, label)
        if ongoing:
            session.update(endTime=None, sessionLengthMs=None, exitStatus=None, updatedAt=None)
        with self.lock:
            self.catalogues["/v1/sessions"].insert(0, session)
            self.transcripts[session["id"]] = make_transcript(session, persona["name"], lines)
        return str(session["id"])

    def end_session(self, session_id: str) -> None:
        """An ongoing session ends now: its analytics and recording become available."""
        with self.lock:
            session = next(s for s in self.catalogues["/v1/sessions"] if s["id"] == session_id)
            ended = datetime.now(UTC)
            length = ended - parse_iso(session["startTime"])
            session.update(
                endTime=iso(ended), sessionLengthMs=int(length.total_seconds() * 1000), exitStatus="NORMAL_EXIT"
            )
            session["updatedAt"] = session["endTime"]
