"""The history toolset: the conversations (sessions) people had with your personas, listed page by page with
each persona's name; and one of them read back: its transcript (transcripts.py), where its time went and its
recording (analytics.py)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import AfterValidator, BaseModel, Field, model_validator

from ...accounts import Account
from ...api import sessions as api
from ...api.errors import AnamError
from ...api.personas import PERSONAS
from ...api.sessions import Session
from ..arguments import Arguments, LimitArg, Supplier
from ..context import AppContext, app_of
from ..times import moment, parse_time, span
from ..toolkit import READ_ONLY, guarded, model_tool, result
from ..toolsets import Toolset
from .analytics import get_session_analytics, get_session_recording
from .transcripts import get_session_transcript, seconds

__all__ = ["TOOLSET"]


def _since(value: str) -> str:
    """`since` as an ISO 8601 time in UTC: a date alone is its midnight, a time without an offset is in UTC."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T14:00:00+01:00") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class _Position:
    """Where a listing of sessions goes on (how many sessions it has passed) and the filters it runs with."""

    offset: int
    persona_id: str | None
    since: str | None

    def cursor(self) -> str:
        return base64.urlsafe_b64encode(json.dumps([self.offset, self.persona_id, self.since]).encode()).decode()

    @classmethod
    def read(cls, cursor: str) -> _Position:
        """The position a cursor holds, every part checked: a cursor is text a model may have altered."""
        try:
            offset, persona_id, since = json.loads(base64.urlsafe_b64decode(cursor.strip().encode()))
            if isinstance(offset, int) and offset >= 0:
                return cls(offset, persona_id and str(UUID(persona_id)), since and _since(since))
        except (ValueError, TypeError, AttributeError, binascii.Error):
            pass
        raise ValueError("is not a next_cursor from list_sessions: pass it as it came, or leave it out to start anew")


def _cursor(value: str) -> str:
    _Position.read(value)
    return value


class SessionList(Arguments):
    persona_id: Annotated[
        UUID | None,
        Field(description="Only this persona's sessions, from search_personas."),
        Supplier("search_personas"),
    ] = None
    limit: LimitArg = 20
    cursor: Annotated[
        str | None,
        Field(max_length=500, description="next_cursor from the last call: the sessions after those."),
        AfterValidator(_cursor),
    ] = None
    since: Annotated[
        str | None,
        Field(max_length=40, description="Only sessions started since this ISO 8601 date or time (default UTC)."),
        AfterValidator(_since),
    ] = None

    @model_validator(mode="after")
    def _cursor_agrees(self) -> Self:
        at = self.position()
        persona_id = str(self.persona_id) if self.persona_id else None
        for name, given, continued in (("persona_id", persona_id, at.persona_id), ("since", self.since, at.since)):
            if name in self.model_fields_set and given != continued:
                raise ValueError(
                    f"cursor continues a list with another {name}: pass the same {name} as before (or none), or "
                    "leave cursor out to start from the newest"
                )
        return self

    def position(self) -> _Position:
        if self.cursor:
            return _Position.read(self.cursor)
        return _Position(0, str(self.persona_id) if self.persona_id else None, self.since)


class SessionItem(BaseModel):
    id: str = Field(description="session_id for get_session_transcript, get_session_analytics, get_session_recording.")
    persona_id: str | None = Field(description="The saved persona; null for an ephemeral one.")
    persona_name: str | None
    client_label: str | None
    started_at: str | None
    ended_at: str | None = Field(description="Null while the session is still going.")
    duration_seconds: float | None
    exit_status: str | None = Field(description="How it ended, e.g. NORMAL_EXIT or ERROR.")

    @classmethod
    def of(cls, session: Session, names: Mapping[str, str]) -> Self:
        return cls(
            id=session.id,
            persona_id=session.persona_id,
            persona_name=names.get(session.persona_id or "") or session.started_as,
            client_label=session.client_label,
            started_at=session.start_time,
            ended_at=session.end_time,
            duration_seconds=seconds(session.session_length_ms),
            exit_status=session.exit_status,
        )

    @property
    def label(self) -> str:
        """How a summary names this session: "Museum guide, 2 Dec 14:05 UTC, 4 min"."""
        still = self.ended_at is None and self.duration_seconds is None
        return f"{self.persona_name or 'an unnamed persona'}, {moment(self.started_at)}, " + (
            "still going" if still else span(self.duration_seconds)
        )


class SessionListResult(BaseModel):
    total: int | None = Field(description="Sessions that match in all; null with since while more follow.")
    items: list[SessionItem] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as cursor for the sessions after these; null at the end.")


async def _persona_names(account: Account, sessions: list[Session]) -> dict[str, str]:
    """The saved personas' names by id, from the cached personas list; none when it cannot be had."""
    if not any(session.persona_id for session in sessions):
        return {}
    try:
        found = await account.catalogs.search(PERSONAS, None)
    except AnamError:
        return {}  # the names are a convenience: the sessions are listed without them
    return {persona.id: persona.name for persona in found.items if persona.name}


def _list_summary(listed: SessionListResult, offset: int, since: str | None, note: str | None) -> str:
    """E.g. "12 sessions; latest: Museum guide, 2 Dec 14:05 UTC, 4 min"."""
    shown, total = len(listed.items), listed.total
    after = f" since {moment(since)}" if since else ""
    if not shown:
        return f"No sessions{after}." + (f" {note}" if note else "")
    count = (
        f"{total} session{'' if total == 1 else 's'}" if total is not None else f"At least {offset + shown} sessions"
    )
    part = "" if offset == 0 and shown == total else f" (showing {offset + 1}-{offset + shown})"
    newest = "latest" if offset == 0 else "newest shown"
    more = " More: pass next_cursor as cursor." if listed.next_cursor else ""
    return f"{count}{after}{part}; {newest}: {listed.items[0].label}.{more}"


async def list_sessions(ctx: Context[AppContext], args: SessionList) -> Annotated[CallToolResult, SessionListResult]:
    """List conversations (sessions) with your personas, newest first, with each persona's name and the
    session_id the other history tools take. next_cursor reaches the older ones."""
    app = app_of(ctx)
    account = app.account()
    at = args.position()
    persona_id = UUID(at.persona_id) if at.persona_id else None
    found = await guarded(app, api.list_sessions(account.client, persona_id, at.offset, args.limit))
    sessions, more, total = found.sessions, found.more, found.total
    if at.since is not None:
        since = datetime.fromisoformat(at.since)
        # Newest first: the first session older than `since` ends the list.
        recent = [s for s in sessions if (started := parse_time(s.start_time)) is None or started >= since]
        more = more and len(recent) == len(sessions)
        total = None if more else at.offset + len(recent)
        sessions = recent
    names = await _persona_names(account, sessions)
    following = _Position(at.offset + len(found.sessions), at.persona_id, at.since)
    listed = SessionListResult(
        total=total,
        items=[SessionItem.of(session, names) for session in sessions],
        next_cursor=following.cursor() if more else None,
    )
    note = (
        "create_share_link gives a URL where the user can talk to the persona." if persona_id and total == 0 else None
    )
    return result(listed, _list_summary(listed, at.offset, at.since, note))


TOOLSET = Toolset(
    "history",
    "Past sessions: list them, read transcripts, latency analytics, recordings.",
    "list_sessions lists conversations with your personas, newest first (next_cursor for older ones); "
    "get_session_transcript, get_session_analytics (where the time went, turn by turn) and get_session_recording "
    "show one of them.",
    lambda: [
        model_tool(list_sessions, "List Anam sessions", READ_ONLY),
        model_tool(get_session_transcript, "Read an Anam session transcript", READ_ONLY),
        model_tool(get_session_analytics, "Get an Anam session's latency analytics", READ_ONLY),
        model_tool(get_session_recording, "Get an Anam session's recording link", READ_ONLY),
    ],
)
