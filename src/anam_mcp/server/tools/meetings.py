"""The meetings toolset: send a persona into a Google Meet, Zoom or Microsoft Teams call, now or at a time up
to 7 days ahead; see how the invites went; call one off (after asking).

The persona is chosen as for a session token (`PersonaChoice`): a saved one, or one described by the same
fields, with the same defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, ElicitationResult, Resolve
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import meetings as api
from ...api.errors import InvalidRequestError, NotFoundError, PermissionDeniedError, RateLimitedError, found
from ...api.meetings import MeetingInvite
from ..arguments import Arguments, LimitArg, Supplier
from ..asking import Confirmation, ask_first, carried_out
from ..context import AppContext, app_of
from ..persona_config import LlmChoice, complete
from ..search_results import listed_summary
from ..times import moment, parse_time, span
from ..toolkit import CREATES, DESTRUCTIVE, READ_ONLY, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from .meeting_arguments import MEETING_MODELS, PROVIDERS, MeetingInviteArgs
from .sessions import EphemeralPersona, SentPersona

__all__ = ["TOOLSET"]

# Anam: at least this far ahead, the persona's place in the call is reserved; closer, it joins on spare capacity.
_RESERVED_AHEAD = timedelta(minutes=10)


class InviteList(Arguments):
    status: Annotated[
        Literal["pending", "active", "cancelled", "ended", "failed"] | None,
        Field(description="Only invites in this state."),
    ] = None
    limit: LimitArg = 20


class InviteRef(Arguments):
    invite_id: Annotated[
        UUID, Field(description="An invite, from list_meeting_invites."), Supplier("list_meeting_invites")
    ]


class InviteItem(BaseModel):
    invite_id: str = Field(description="For cancel_meeting_invite.")
    provider: str | None = Field(description="google_meet, zoom or microsoft_teams.")
    status: str | None = Field(description="pending until it joins, then active; or cancelled, ended, failed.")
    join_at: str | None = Field(description="When it joins; null: at once.")
    display_name: str | None = Field(description="Its name in the call, with Anam's AI label.")
    meeting_url: str | None
    group_call: bool | None
    region: str | None
    join_state: str | None = Field(description="How joining goes, e.g. waiting_room, in_call, left.")
    status_reason: str | None = Field(description="Why it ended, e.g. not_admitted, meeting_ended.")
    session_id: str | None = Field(description="Its session once in the call, for get_session_transcript.")

    @classmethod
    def of(cls, invite: MeetingInvite) -> Self:
        return cls(
            invite_id=invite.id, **{name: getattr(invite, name) for name in cls.model_fields if name != "invite_id"}
        )

    @property
    def where(self) -> str:
        return f"the {PROVIDERS.get(self.provider or '', 'online')} meeting {self.meeting_url or ''}".rstrip()

    @property
    def state(self) -> str:
        """E.g. "pending, joins 2 Dec 14:05 UTC" or "ended (not_admitted)"."""
        when = f", joins {moment(self.join_at)}" if self.status == "pending" and self.join_at else ""
        why = f" ({self.status_reason})" if self.status_reason else ""
        return f"{self.status or 'status unknown'}{why}{when}"

    @property
    def label(self) -> str:
        provider = PROVIDERS.get(self.provider or "", "unknown provider")
        return f"{self.display_name or 'a persona'!r}, {self.state}, {provider}"


class InviteResult(InviteItem):
    persona_id: str | None = Field(description="The saved persona sent, if one was.")
    persona_config: SentPersona | None = Field(  # type: ignore[valid-type]
        description="The persona sent, defaults filled in (without persona_id)."
    )
    default_llm: LlmChoice | None = Field(description="The LLM chosen because llm_id was left out, and why.")
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")


class InviteListResult(BaseModel):
    total: int = Field(description="Invites that match in all; items holds the newest, up to limit.")
    items: list[InviteItem] = Field(description="Newest first.")


class CancelResult(BaseModel):
    invite_id: str
    cancelled: bool = Field(description="False when the user declined (the invite stands) or it was gone.")


_PERSONA_IDS = "search_personas, search_avatars, search_voices and list_llms list valid ids"
_INVITE_HINTS: Hints = {
    NotFoundError: f"Check persona_id, avatar_id, voice_id and llm_id: {_PERSONA_IDS}.",
    PermissionDeniedError: "The saved persona may belong to another organisation (search_personas lists yours), "
    "or meeting invites are not enabled for it.",
    InvalidRequestError: "Check that the meeting exists and lets guests in, and the persona's fields.",
    RateLimitedError: "No invite was made.",
}
_KNOWN_INVITE: Hints = {
    NotFoundError: "No meeting invite has this invite_id: list_meeting_invites lists them and their ids.",
}


def _invite_summary(invite: InviteResult, now: datetime) -> str:
    name = invite.display_name or "The persona"
    joins = parse_time(invite.join_at)
    ahead = joins - now if joins else None
    when = f"at {moment(joins)} (in about {span(ahead.total_seconds())})" if ahead else "now"
    soon = (
        " Less than 10 minutes ahead, it joins on spare capacity, which a busy moment can refuse; 10 minutes or "
        "more reserves its place."
        if ahead and ahead < _RESERVED_AHEAD
        else ""
    )
    manner = (
        f"In a group call it stays quiet and answers when someone addresses it by name ({name!r})."
        if invite.group_call is not False
        else "It greets everyone as it joins and answers everything it hears (a 1:1 call)."
    )
    return (
        f"Invited {name!r} to {invite.where}: it joins {when}. {manner}{soon} To call it off: "
        f"cancel_meeting_invite with invite_id {invite.invite_id}."
    )


async def invite_persona_to_meeting(
    ctx: Context[AppContext], args: MeetingInviteArgs
) -> Annotated[CallToolResult, InviteResult]:
    """Send a persona into a Google Meet, Zoom or Teams call, now or at join_at: persona_id, or
    create_session_token's persona fields."""
    app = app_of(ctx)
    account = app.account()
    persona: EphemeralPersona | None = None
    choice: LlmChoice | None = None
    defaults: list[str] = []
    if args.mode == "ephemeral":
        persona, choice, defaults = await complete(app, account, args.persona())
        if persona.avatar_model not in MEETING_MODELS:  # the only model the avatar supports is not offered here
            raise ToolError(
                f"The avatar {persona.avatar_id} supports only {persona.avatar_model}, which meetings do not offer "
                "(cara-3, cara-4-latest): pick another avatar with search_avatars."
            )
    invite = await guarded(app, api.create(account.client, args.invite_body(persona)), _INVITE_HINTS)
    made = InviteResult(
        **InviteItem.of(invite).model_dump(),
        persona_id=str(args.persona_id) if args.persona_id else None,
        persona_config=SentPersona.model_validate(dict(persona)) if persona else None,
        default_llm=choice,
        defaults_applied=defaults,
    )
    return result(made, _invite_summary(made, datetime.now(UTC)))


async def list_meeting_invites(
    ctx: Context[AppContext], args: InviteList
) -> Annotated[CallToolResult, InviteListResult]:
    """List meeting invites, newest first, with how each went (status, join_state, status_reason), and the
    invite_id for cancel_meeting_invite."""
    app = app_of(ctx)
    page = await guarded(app, api.list_invites(app.account().client, args.status, args.limit))
    items = [InviteItem.of(invite) for invite in page.data]
    total = page.meta.total if page.meta.total is not None else len(items)
    listed = InviteListResult(total=total, items=items)
    return result(listed, listed_summary("meeting invite", total, [item.label for item in items], args.status))


async def _confirm_cancelling(ctx: Context[AppContext], args: InviteRef) -> Elicit[Confirmation] | Confirmation:
    async def question() -> str | None:
        app = app_of(ctx)
        read = await guarded(app, found(api.get, app.account().client, args.invite_id), _KNOWN_INVITE)
        if read is None:
            return None
        invite = InviteItem.of(read)
        name = invite.display_name or "the persona"
        return f"Cancel the invite of {name!r} to {invite.where} ({invite.state})? The persona will not join."

    return await ask_first(ctx, Confirmation, question)


async def cancel_meeting_invite(
    ctx: Context[AppContext],
    args: InviteRef,
    answer: Annotated[ElicitationResult[Confirmation], Resolve(_confirm_cancelling)],
) -> Annotated[CallToolResult, CancelResult]:
    """Call off a meeting invite so the persona does not join. The user is asked first where the client can
    ask; if they decline, cancelled is false: do not call again unless they ask."""
    app = app_of(ctx)
    invite_id = str(args.invite_id)
    cancelled, summary = await carried_out(
        answer,
        lambda: guarded(app, api.cancel(app.account().client, args.invite_id), _KNOWN_INVITE),
        f"meeting invite {invite_id}",
        "list_meeting_invites lists them",
        "cancel",
    )
    return result(CancelResult(invite_id=invite_id, cancelled=cancelled), summary)


TOOLSET = Toolset(
    "meetings",
    "Send a persona into a Google Meet, Zoom or Teams meeting.",
    "invite_persona_to_meeting sends a saved or described persona into a Google Meet, Zoom or Microsoft Teams "
    "meeting, now or up to 7 days ahead; list_meeting_invites shows how invites went; cancel_meeting_invite "
    "calls one off.",
    lambda: [
        model_tool(invite_persona_to_meeting, "Invite an Anam persona to a meeting", CREATES),
        model_tool(list_meeting_invites, "List Anam meeting invites", READ_ONLY),
        model_tool(cancel_meeting_invite, "Cancel an Anam meeting invite", DESTRUCTIVE),
    ],
)
