"""Reading one session's transcript: from the start, or its last messages, a window at a time."""

from __future__ import annotations

from typing import Annotated, Self

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, BeforeValidator, Field

from ...api import sessions as api
from ...api.errors import NotFoundError
from ...api.sessions import Transcript
from ..arguments import Arguments, not_boolean
from ..context import AppContext, app_of
from ..toolkit import Hints, guarded, result
from .analytics import SessionIdArg

__all__ = ["get_session_transcript", "seconds"]


class TranscriptRequest(Arguments):
    session_id: SessionIdArg
    max_messages: Annotated[
        int, Field(ge=1, le=1000, description="Most messages to return."), BeforeValidator(not_boolean)
    ] = 200
    from_end: Annotated[bool, Field(description="Take them from the end: the last messages.")] = False
    offset: Annotated[
        int,
        Field(ge=0, le=100_000, description="Messages to skip first (from the end with from_end)."),
        BeforeValidator(not_boolean),
    ] = 0

    def window(self, said: int) -> tuple[int, int]:
        """The messages to show of `said`, as [start, end) positions."""
        if self.from_end:
            end = max(said - self.offset, 0)
            return max(end - self.max_messages, 0), end
        start = min(self.offset, said)
        return start, min(start + self.max_messages, said)


def seconds(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else round(milliseconds / 1000, 1)


class MessageItem(BaseModel):
    role: str | None = Field(description="Who spoke: user or persona.")
    text: str | None
    at: str | None = Field(description="When it was said.")


class TranscriptResult(BaseModel):
    session_id: str
    persona_name: str | None
    started_at: str | None
    duration_seconds: float | None
    total_messages: int = Field(description="Messages in the whole conversation.")
    first_index: int = Field(description="Position of the first message shown; 0 is the conversation's first.")
    messages: list[MessageItem] = Field(description="In the order they were said.")
    note: str | None = Field(
        description="Set when only part is shown (and how to get the rest) or transcripts are off."
    )

    @classmethod
    def of(cls, transcript: Transcript, session_id: str, start: int, end: int, note: str | None) -> Self:
        return cls(
            session_id=transcript.session_id or session_id,
            persona_name=transcript.persona_name,
            started_at=transcript.start_time,
            duration_seconds=seconds(transcript.duration_ms),
            total_messages=max(transcript.total_messages or 0, len(transcript.messages)),
            first_index=start,
            messages=[MessageItem(role=m.role, text=m.text, at=m.timestamp) for m in transcript.messages[start:end]],
            note=note,
        )


_TRANSCRIPT_HINTS: Hints = {
    NotFoundError: "No session with this session_id has a transcript: list_sessions lists sessions and their ids.",
}


def _transcript_note(args: TranscriptRequest, start: int, end: int, said: int) -> str | None:
    """What part of the conversation is shown, and the offsets that give the rest."""
    if start == 0 and end == said:
        return None
    shown = f"Showing messages {start + 1}-{end} of {said}." if end > start else f"No messages there: it has {said}."
    mode = ", from_end=true" if args.from_end else ""
    earlier = (said - start) if args.from_end else max(start - args.max_messages, 0)
    later = max(args.offset - args.max_messages, 0) if args.from_end else end
    ways = [
        f"earlier ones: offset={earlier}{mode}" if start > 0 else "",
        f"later ones: offset={later}{mode}" if end < said else "",
    ]
    return f"{shown} For {'; '.join(way for way in ways if way)}."


async def get_session_transcript(
    ctx: Context[AppContext], args: TranscriptRequest
) -> Annotated[CallToolResult, TranscriptResult]:
    """Read what was said in one session, in order: from the start, or the last messages with from_end. When
    only part fits in max_messages, the note gives the offset for the rest. Read a few before update_persona."""
    app = app_of(ctx)
    transcript = await guarded(app, api.get_transcript(app.account().client, args.session_id), _TRANSCRIPT_HINTS)
    said = len(transcript.messages)
    start, end = args.window(said)
    if transcript.transcripts_enabled is False:
        note: str | None = "Transcripts were turned off for this session, so Anam kept no messages."
    else:
        note = _transcript_note(args, start, end, said)
    read = TranscriptResult.of(transcript, str(args.session_id), start, end, note)
    who = f" with {read.persona_name!r}" if read.persona_name else ""
    shown = end - start
    of = f" (of {read.total_messages})" if read.total_messages > shown else ""
    after = f" {note}" if note else ""
    return result(read, f"{shown} message{'' if shown == 1 else 's'}{of} in the conversation{who}.{after}")
