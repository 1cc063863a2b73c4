"""The sessions toolset: mint the short-lived token a web page hands to Anam's JS SDK to start a conversation.

How the conversations went is the history toolset's (history.py). `PersonaChoice`, a saved persona or an
ephemeral one, is shared with the meeting invites.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ...api import sessions as api
from ...api.errors import InvalidRequestError, NotFoundError
from ...constants import TOKEN_LIFETIME_SECONDS
from ..arguments import Supplier, not_boolean
from ..context import AppContext, app_of
from ..persona_config import LlmChoice, PersonaConfig, as_output, complete, defaults_text
from ..toolkit import CREATES, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from ..views import LIVE_URI, ui_meta

__all__ = ["TOOLSET", "EphemeralPersona", "PersonaChoice", "SentPersona"]


class EphemeralPersona(PersonaConfig):
    """A persona defined for one session only: the persona configuration plus a session time limit."""

    max_session_length_seconds: Annotated[
        int | None,
        Field(ge=1, le=86_400, description="End the conversation after this many seconds."),
        BeforeValidator(not_boolean),
    ] = None


class PersonaChoice(EphemeralPersona):
    """Who takes part: a saved persona (persona_id alone), or an ephemeral one described by the other fields."""

    persona_id: Annotated[
        UUID | None,
        Field(description="A saved persona, from search_personas; no persona fields with it."),
        Supplier("search_personas"),
    ] = None

    @model_validator(mode="after")
    def _one_mode_only(self) -> Self:
        if self.persona_id is not None:
            fields = EphemeralPersona.model_fields
            conflicts = [name for name, field in fields.items() if getattr(self, name) != field.default]
            if conflicts:
                raise ValueError(
                    f"persona_id cannot be combined with {', '.join(conflicts)}: a saved persona already defines "
                    "them. Either pass persona_id without them, or leave it out and describe the persona with "
                    "those arguments."
                )
        return self

    @property
    def mode(self) -> Literal["persona", "ephemeral"]:
        return "persona" if self.persona_id is not None else "ephemeral"

    def persona(self) -> EphemeralPersona:
        """The ephemeral persona these arguments describe."""
        given = set(EphemeralPersona.model_fields) & self.model_fields_set  # what the caller chose stays "chosen"
        return EphemeralPersona.model_validate(self.model_dump(include=given))


class SessionTokenArgs(PersonaChoice):
    """create_session_token's arguments: persona_id alone, or the ephemeral persona's fields."""

    client_label: Annotated[
        str | None, Field(min_length=1, max_length=100, description="Label stored with the session.")
    ] = None

    def token_body(self, persona: EphemeralPersona | None) -> dict[str, Any]:
        """The JSON body for POST /v1/auth/session-token: the saved persona's id, or `persona` as sent."""
        config = {"personaId": str(self.persona_id)} if persona is None else persona.body()
        body: dict[str, Any] = {"personaConfig": config}
        if self.client_label is not None:
            body["clientLabel"] = self.client_label
        return body


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


_TOKEN_HINTS: Hints = {
    NotFoundError: "Check persona_id, avatar_id, voice_id and llm_id: get valid ones from search_personas, "
    "search_avatars, search_voices and list_llms.",
    InvalidRequestError: "Check the arguments against the tool's description (avatar_model must be one the "
    "avatar supports: see available_models in search_avatars).",
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


TOOLSET = Toolset(
    "sessions",
    "Mint session tokens for a web page.",
    "create_session_token mints a one-hour token for a web page, which passes it to Anam's JS SDK: "
    "createClient(sessionToken).streamToVideoElement('video-id').",
    lambda: [model_tool(create_session_token, "Create an Anam session token", CREATES, meta=ui_meta(LIVE_URI))],
)
