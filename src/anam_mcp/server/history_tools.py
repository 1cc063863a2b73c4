"""How conversations went: list the sessions with your personas and read what was said in one."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult

from ..arguments import SessionList, TranscriptRequest
from ..results import SessionItem, SessionListResult, TranscriptResult
from ..texts import NO_SESSIONS, SESSION_HINTS, search_summary, transcript_note, transcript_summary
from .context import AppContext, app_of
from .toolkit import READ_ONLY, guarded, model_tool, result

__all__ = ["history_tools"]


async def list_sessions(ctx: Context[AppContext], args: SessionList) -> Annotated[CallToolResult, SessionListResult]:
    """List conversations (sessions) with your personas, newest first: when each started and ended, how long
    it lasted and how it ended, with the session id to pass to get_session_transcript.

    Pass persona_id (from search_personas or save_persona) for one persona's sessions only. total counts
    every matching session; items holds the newest, up to limit.
    """
    app = app_of(ctx)
    account = app.account()
    page = await guarded(app, account.client.list_sessions(args.persona_id, args.limit))
    items = [SessionItem.of(session) for session in page.data]
    total = page.meta.total if page.meta.total is not None else len(items)
    listed = SessionListResult(total=total, items=items)
    note = NO_SESSIONS if not total and args.persona_id else None
    return result(listed, search_summary("session", total, [item.label for item in items], None, note))


async def get_session_transcript(
    ctx: Context[AppContext], args: TranscriptRequest
) -> Annotated[CallToolResult, TranscriptResult]:
    """Read what was said in one session (one conversation with a persona): each message's role (user or
    persona), text and time, in order.

    session_id comes from list_sessions. A long conversation is cut to max_messages, and note says so;
    note also says when transcripts were turned off for the session. Read a few before improving a
    persona's system_prompt with update_persona.
    """
    app = app_of(ctx)
    account = app.account()
    transcript = await guarded(app, account.client.get_transcript(args.session_id), SESSION_HINTS)
    said = len(transcript.messages)
    shown = min(said, args.max_messages)
    note = transcript_note(transcript.transcripts_enabled, shown, said)
    read = TranscriptResult.of(transcript, str(args.session_id), args.max_messages, note)
    return result(read, transcript_summary(read.persona_name, shown, read.total_messages, note))


def history_tools() -> list[Tool]:
    return [
        model_tool(list_sessions, "List Anam sessions", READ_ONLY),
        model_tool(get_session_transcript, "Read an Anam session transcript", READ_ONLY),
    ]
