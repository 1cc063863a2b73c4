"""Where one session's time went, turn by turn (transcription, LLM, TTS, first audio), and the link to its
recording: the history toolset's tools for a session that has ended."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, Self
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import sessions as api
from ...api.errors import NotFoundError
from ...api.sessions import Analytics, AnalyticsTurn
from ...api.transport import AnamClient
from ..arguments import Arguments, Supplier
from ..context import AppContext, app_of
from ..times import moment, span
from ..toolkit import Hints, guarded, result

__all__ = ["SessionIdArg", "get_session_analytics", "get_session_recording"]

SessionIdArg = Annotated[UUID, Field(description="A session, from list_sessions."), Supplier("list_sessions")]
Stage = Literal["transcription", "llm", "tts"]
_STAGE_NAMES: dict[Stage, str] = {"transcription": "transcription", "llm": "LLM", "tts": "TTS"}
# Anam's presigned recording links last an hour; a link that says nothing of its own expiry is given that.
_RECORDING_LIFETIME = timedelta(hours=1)


class SessionRef(Arguments):
    session_id: SessionIdArg


class TurnLatency(BaseModel):
    turn: int
    transcription_seconds: float | None = Field(description="The user stops speaking to the final transcript.")
    llm_seconds: float | None = Field(description="The transcript to the LLM's first output.")
    tts_seconds: float | None = Field(description="Speech synthesis start to the first audio.")
    first_audio_seconds: float | None = Field(description="The user stops speaking to the persona's first sound.")
    interrupted: bool

    @classmethod
    def of(cls, position: int, turn: AnalyticsTurn) -> Self:
        return cls(
            turn=turn.turn_index if turn.turn_index is not None else position,
            transcription_seconds=turn.transcription_latency_seconds,
            llm_seconds=turn.llm_time_to_first_output_seconds,
            tts_seconds=turn.tts_time_to_first_audio_seconds,
            first_audio_seconds=turn.first_audio_latency_seconds,
            interrupted=bool(turn.was_interrupted),
        )


class StageMedians(BaseModel):
    transcription: float | None
    llm: float | None
    tts: float | None

    def by_stage(self) -> dict[Stage, float | None]:
        return {"transcription": self.transcription, "llm": self.llm, "tts": self.tts}


class AnalyticsResult(BaseModel):
    session_id: str
    persona_name: str | None
    duration_seconds: float | None
    turns: list[TurnLatency] = Field(description="In order; the greeting has no user side.")
    median_first_audio_seconds: float | None
    worst_turn: TurnLatency | None = Field(description="The turn with the longest first_audio_seconds.")
    stage_medians: StageMedians
    slowest_stage: Stage | None = Field(description="The stage with the longest median.")

    @classmethod
    def of(cls, analytics: Analytics, session_id: str) -> Self:
        turns = [TurnLatency.of(position, turn) for position, turn in enumerate(analytics.turns)]
        timed = [turn for turn in turns if turn.first_audio_seconds is not None]
        medians = StageMedians(
            transcription=_median(turn.transcription_seconds for turn in turns),
            llm=_median(turn.llm_seconds for turn in turns),
            tts=_median(turn.tts_seconds for turn in turns),
        )
        stages = [(v, k) for k, v in medians.by_stage().items() if v is not None]
        return cls(
            session_id=analytics.session_id or session_id,
            persona_name=analytics.persona_name,
            duration_seconds=analytics.duration_seconds,
            turns=turns,
            median_first_audio_seconds=_median(turn.first_audio_seconds for turn in turns),
            worst_turn=max(timed, key=lambda turn: turn.first_audio_seconds or 0.0) if timed else None,
            stage_medians=medians,
            slowest_stage=max(stages)[1] if stages else None,
        )

    def summary(self) -> str:
        """E.g. "14 turns with 'Guide': first audio median 1.24 s, worst 2.90 s (turn 5); slowest stage: LLM..."."""
        who = f" with {self.persona_name!r}" if self.persona_name else ""
        count = f"{len(self.turns)} turn{'' if len(self.turns) == 1 else 's'}{who}"
        worst = self.worst_turn
        if self.median_first_audio_seconds is None or worst is None:
            return f"{count}; none has a timed answer, so there is no latency to report."
        medians = self.stage_medians.by_stage()
        stages = ", ".join(f"{_STAGE_NAMES[k]} {_s(v)}" for k, v in medians.items() if v is not None)
        slowest = f"; slowest stage: {_STAGE_NAMES[self.slowest_stage]}" if self.slowest_stage else ""
        interrupted = sum(turn.interrupted for turn in self.turns)
        cut = f" {interrupted} interrupted." if interrupted else ""
        return (
            f"{count}: first audio median {_s(self.median_first_audio_seconds)}, worst {_s(worst.first_audio_seconds)} "
            f"(turn {worst.turn}){slowest} (stage medians: {stages}).{cut}"
        )


class RecordingResult(BaseModel):
    session_id: str
    recording_url: str = Field(description="A presigned download link for the user; it expires.")
    expires_at: str = Field(description="When the link stops working (UTC).")


def _median(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 3) if known else None


def _s(seconds: float | None) -> str:
    return f"{seconds:.2f} s" if seconds is not None else "unknown"


_SESSION_HINTS: Hints = {NotFoundError: "No session has this session_id: list_sessions lists sessions and their ids."}
_RECORDING_HINTS: Hints = {
    NotFoundError: "Anam has no recording of this session: it keeps one once a session ends, when session replay "
    "was on (the default). list_sessions lists sessions and their ids.",
}
_NOT_YET = "analytics arrive after the session ends; try again in a minute"


async def _analytics_if_ready(client: AnamClient, session_id: UUID) -> Analytics | None:
    """The analytics, or None while Anam answers 404 (the session is going on, or its report is on its way)."""
    try:
        return await api.get_analytics(client, session_id)
    except NotFoundError:
        return None


async def get_session_analytics(
    ctx: Context[AppContext], args: SessionRef
) -> Annotated[CallToolResult, AnalyticsResult]:
    """Where one ended session's time went, turn by turn: transcription, LLM, TTS and the user's wait for the
    first audio; with the median and worst turn and the slowest stage. Use it when a persona feels slow."""
    app = app_of(ctx)
    client = app.account().client
    analytics = await guarded(app, _analytics_if_ready(client, args.session_id))
    if analytics is None:
        session = await guarded(app, api.get_session(client, args.session_id), _SESSION_HINTS)
        if session.end_time is None:
            raise ToolError(f"The session is still going: {_NOT_YET} after it ends.")
        raise ToolError(
            f"Anam has no analytics for this session yet: {_NOT_YET}. (Sessions run through LiveKit or with audio "
            "passthrough never have them.)"
        )
    timed = AnalyticsResult.of(analytics, str(args.session_id))
    return result(timed, timed.summary())


def _expiry(url: str, now: datetime) -> datetime:
    """When a presigned URL stops working, from its signature (S3's or Google's date and lifetime, or an Expires
    timestamp); otherwise an hour from `now`, as Anam documents."""
    query = {name.lower(): values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    for vendor in ("x-amz-", "x-goog-"):
        signed, lifetime = query.get(vendor + "date"), query.get(vendor + "expires")
        if signed and lifetime and lifetime.isdigit():
            try:
                return datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) + timedelta(
                    seconds=int(lifetime)
                )
            except ValueError:
                break
    expires = query.get("expires", "")
    if expires.isdigit() and len(expires) <= 12:
        return datetime.fromtimestamp(int(expires), UTC)
    return now + _RECORDING_LIFETIME


async def get_session_recording(
    ctx: Context[AppContext], args: SessionRef
) -> Annotated[CallToolResult, RecordingResult]:
    """The link to download one session's video recording, and when the link expires; the server never
    downloads it. Give the link to the user."""
    app = app_of(ctx)
    url = await guarded(app, api.get_recording_url(app.account().client, args.session_id), _RECORDING_HINTS)
    now = datetime.now(UTC)
    until = _expiry(url, now)
    found = RecordingResult(session_id=str(args.session_id), recording_url=url, expires_at=until.isoformat())
    left = (until - now).total_seconds()
    lasts = f"until {moment(until)} (about {span(left)})" if left > 0 else "no longer: it has expired, call again"
    return result(found, f"Recording of the session: {url} - the link works {lasts}. Download it before then.")
