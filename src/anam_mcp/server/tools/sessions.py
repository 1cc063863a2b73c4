"""The sessions toolset: mint the short-lived token a web page hands to Anam's JS SDK, then see how the
conversations (sessions) went: list them, and read what was said in one."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ...api import sessions as api
from ...api.errors import InvalidRequestError, NotFoundError
from ...api.sessions import Session, Transcript
from ...constants import TOKEN_LIFETIME_SECONDS
from ..arguments import Arguments, LimitArg, Supplier, not_boolean
from ..context import AppContext, app_of
from ..persona_config import LlmChoice, PersonaConfig, as_output, complete, defaults_text
from ..search_results import listed_summary
from ..toolkit import CREATES, READ_ONLY, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from ..views import LIVE_URI, ui_meta

__all__ = ["TOOLSET"]


class EphemeralPersona(PersonaConfig):
    """A persona defined for one session only: the persona configuration plus a session time limit."""

    max_session_length_seconds: Annotated[
        int | None,
        Field(ge=1, le=86_400, description="End the conversation after this many seconds."),
        BeforeValidator(not_boolean),
    ] = None


class SessionTokenArgs(EphemeralPersona):
    """create_session_token's arguments: persona_id alone, or the ephemeral persona's fields."""

    persona_id: Annotated[
        UUID | None,
        Field(description="A saved persona, from search_personas; alone, without the other fields."),
        Supplier("search_personas"),
    ] = None
    client_label: Annotated[
        str | None, Field(min_length=1, max_length=100, description="Label stored with the session.")
    ] = None

    @model_validator(mode="after")
    def _one_mode_only(self) -> Self:
        if self.persona_id is not None:
            fields = EphemeralPersona.model_fields
            conflicts = [name for name, field in fields.items() if getattr(self, name) != field.default]
            if conflicts:
                raise ValueError(
                    f"persona_id cannot be combined with {', '.join(conflicts)}: a saved persona already defines "
                    "them. Either pass persona_id alone, or leave it out and describe the persona with the other "
                    "arguments."
                )
        return self

    @property
    def mode(self) -> Literal["persona", "ephemeral"]:
        return "persona" if self.persona_id is not None else "ephemeral"

    def persona(self) -> EphemeralPersona:
        """The ephemeral persona these arguments describe."""
        given = set(EphemeralPersona.model_fields) & self.model_fields_set  # what the caller chose stays "chosen"
        return EphemeralPersona.model_validate(self.model_dump(include=given))

    def token_body(self, persona: EphemeralPersona | None) -> dict[str, Any]:
        """The JSON body for POST /v1/auth/session-token: the saved persona's id, or `persona` as sent."""
        config = {"personaId": str(self.persona_id)} if persona is None else persona.body()
        body: dict[str, Any] = {"personaConfig": config}
        if self.client_label is not None:
            body["clientLabel"] = self.client_label
        return body


class SessionList(Arguments):
    persona_id: Annotated[
        UUID | None,
        Field(description="Only this persona's sessions, from search_personas."),
        Supplier("search_personas"),
    ] = None
    limit: LimitArg = 20


# The most messages one get_session_transcript call returns.
_MAX_MESSAGES = 1000


class TranscriptRequest(Arguments):
    session_id: Annotated[UUID, Field(description="A session, from list_sessions."), Supplier("list_sessions")]
    max_messages: Annotated[
        int,
        Field(ge=1, le=_MAX_MESSAGES, description="Most messages to return, from the start."),
        BeforeValidator(not_boolean),
    ] = 200


SentPersona = as_output(EphemeralPersona, "SentPersona")


class SessionTokenResult(BaseModel):
    session_token: str = Field(
        description="For Anam's JS SDK: createClient(sessionToken) in the browser. One session; never the API key."
    )
    mode: Literal["persona", "ephemeral"]
    expires_in_seconds: int = Field(description="Seconds until the token expires.")
    persona_id: str | None = Field(description="The saved persona (persona mode).")
    persona_config: SentPersona | None = Field(  # type: ignore[valid-type]
        description="The persona sent, defaults filled in (ephemeral mode)."
    )
    default_llm: LlmChoice | None = Field(description="The LLM chosen because llm_id was left out, and why.")
    client_label: str | None
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")


def _seconds(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else round(milliseconds / 1000, 1)


class SessionItem(BaseModel):
    id: str = Field(description="For get_session_transcript.")
    persona_id: str | None = Field(description="The saved persona; null for an ephemeral one.")
    client_label: str | None
    started_at: str | None
    ended_at: str | None = Field(description="Null while the session is still going.")
    duration_seconds: float | None
    exit_status: str | None = Field(description="How it ended, e.g. NORMAL_EXIT or ERROR.")

    @classmethod
    def of(cls, session: Session) -> Self:
        return cls(
            id=session.id,
            persona_id=session.persona_id,
            client_label=session.client_label,
            started_at=session.start_time,
            ended_at=session.end_time,
            duration_seconds=_seconds(session.session_length_ms),
            exit_status=session.exit_status,
        )

    @property
    def label(self) -> str:
        """How a summary line names this session: when it started, and for how long."""
        length = f" ({self.duration_seconds:g} s)" if self.duration_seconds is not None else ""
        return f"{self.started_at or 'start unknown'}{length}"


class SessionListResult(BaseModel):
    total: int = Field(description="How many sessions match in all; items holds the newest, up to limit.")
    items: list[SessionItem] = Field(description="Newest first.")


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
    messages: list[MessageItem] = Field(description="In the order they were said, from the start.")
    note: str | None = Field(description="Set when the messages were cut to max_messages or transcripts are off.")

    @classmethod
    def of(cls, transcript: Transcript, session_id: str, max_messages: int, note: str | None) -> Self:
        """The first `max_messages` messages of `transcript`, with `note` about them."""
        return cls(
            session_id=transcript.session_id or session_id,
            persona_name=transcript.persona_name,
            started_at=transcript.start_time,
            duration_seconds=_seconds(transcript.duration_ms),
            total_messages=max(transcript.total_messages or 0, len(transcript.messages)),
            messages=[
                MessageItem(role=m.role, text=m.text, at=m.timestamp) for m in transcript.messages[:max_messages]
            ],
            note=note,
        )


_TOKEN_HINTS: Hints = {
    NotFoundError: "Check persona_id, avatar_id, voice_id and llm_id: get valid ones from search_personas, "
    "search_avatars, search_voices and list_llms.",
    InvalidRequestError: "Check the arguments against the tool's description (avatar_model must be one the "
    "avatar supports: see available_models in search_avatars).",
}
_SESSION_HINTS: Hints = {
    NotFoundError: "No session with this session_id has a transcript: list_sessions lists sessions and their ids.",
}


async def create_session_token(
    ctx: Context[AppContext], args: SessionTokenArgs
) -> Annotated[CallToolResult, SessionTokenResult]:
    """Mint a one-hour token that starts one real-time conversation, for a web page to pass to Anam's JS SDK
    (createClient(sessionToken)). Pass persona_id alone (a saved persona), or describe an ephemeral persona
    with the other fields; left-out avatar, voice and LLM get defaults (defaults_applied)."""
    app = app_of(ctx)
    account = app.account()
    persona: EphemeralPersona | None = None
    choice: LlmChoice | None = None
    defaults: list[str] = []
    if args.mode == "ephemeral":
        persona, choice, defaults = await complete(app, account, args.persona())
    token = await guarded(app, api.create_token(account.client, args.token_body(persona)), _TOKEN_HINTS)
    minted = SessionTokenResult(
        session_token=token,
        mode=args.mode,
        expires_in_seconds=TOKEN_LIFETIME_SECONDS,
        persona_id=str(args.persona_id) if args.persona_id else None,
        persona_config=SentPersona.model_validate(dict(persona)) if persona else None,
        default_llm=choice,
        client_label=args.client_label,
        defaults_applied=defaults,
    )
    what = "a saved persona" if minted.mode == "persona" else "an ephemeral persona"
    filled = f"; defaults used for {defaults_text(defaults, choice)}" if defaults else ""
    summary = (
        f"Created a session token for {what}{filled}. It is valid for one session within 1 hour: "
        "pass it to createClient(sessionToken) in Anam's JS SDK."
    )
    return result(minted, summary)


async def list_sessions(ctx: Context[AppContext], args: SessionList) -> Annotated[CallToolResult, SessionListResult]:
    """List conversations (sessions) with your personas, newest first, with the session_id for
    get_session_transcript."""
    app = app_of(ctx)
    page = await guarded(app, api.list_sessions(app.account().client, args.persona_id, args.limit))
    items = [SessionItem.of(session) for session in page.data]
    total = page.meta.total if page.meta.total is not None else len(items)
    note = (
        "create_share_link gives a URL where the user can talk to the persona."
        if not total and args.persona_id
        else None
    )
    listed = SessionListResult(total=total, items=items)
    return result(listed, listed_summary("session", total, [item.label for item in items], None, note))


async def get_session_transcript(
    ctx: Context[AppContext], args: TranscriptRequest
) -> Annotated[CallToolResult, TranscriptResult]:
    """Read what was said in one session, in order. A long conversation is cut to max_messages, and the
    note says so. Read a few before improving a persona with update_persona."""
    app = app_of(ctx)
    transcript = await guarded(app, api.get_transcript(app.account().client, args.session_id), _SESSION_HINTS)
    said = len(transcript.messages)
    shown = min(said, args.max_messages)
    note = None
    if transcript.transcripts_enabled is False:
        note = "Transcripts were turned off for this session, so Anam kept no messages."
    elif shown < said and args.max_messages < _MAX_MESSAGES:
        note = (
            f"Showing the first {shown} of {said} messages: call again with a larger max_messages (up to "
            f"{_MAX_MESSAGES}) to read more."
        )
    elif shown < said:
        note = f"Showing the first {shown} of {said} messages, the most this tool returns."
    read = TranscriptResult.of(transcript, str(args.session_id), args.max_messages, note)
    who = f" with {read.persona_name!r}" if read.persona_name else ""
    of = f" (of {read.total_messages})" if read.total_messages > shown else ""
    after = f" {note}" if note else ""
    return result(read, f"{shown} message{'' if shown == 1 else 's'}{of} in the conversation{who}.{after}")


TOOLSET = Toolset(
    "sessions",
    "Mint session tokens; list sessions and read transcripts.",
    "create_session_token mints a one-hour token for a web page, which passes it to Anam's JS SDK: "
    "createClient(sessionToken).streamToVideoElement('video-id'). list_sessions and get_session_transcript show "
    "how conversations went.",
    lambda: [
        model_tool(create_session_token, "Create an Anam session token", CREATES, meta=ui_meta(LIVE_URI)),
        model_tool(list_sessions, "List Anam sessions", READ_ONLY),
        model_tool(get_session_transcript, "Read an Anam session transcript", READ_ONLY),
    ],
)
