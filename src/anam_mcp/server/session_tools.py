"""The session-token tool: mint the short-lived token a web page hands to Anam's JS SDK."""

from __future__ import annotations

from typing import Annotated, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult

from ..accounts import Account
from ..constants import TOKEN_LIFETIME_SECONDS
from ..persona import LlmChoice, PersonaConfig, UnsupportedAvatarModelError, choose_default_llm
from ..results import SessionTokenResult
from ..session import EphemeralPersona, SessionTokenArgs
from ..texts import TOKEN_HINTS, default_llm_text, token_summary
from .context import AppContext, app_of
from .toolkit import CREATES, guarded, model_tool, result
from .views import LIVE_URI, ui_meta

__all__ = ["complete", "session_tools"]

PersonaT = TypeVar("PersonaT", bound=PersonaConfig)


async def create_session_token(
    ctx: Context[AppContext], args: SessionTokenArgs
) -> Annotated[CallToolResult, SessionTokenResult]:
    """Create a short-lived session token that starts one real-time conversation with an Anam persona.

    Two modes, never both:
    - saved persona: pass persona_id alone (from search_personas).
    - ephemeral persona: describe it with avatar_id (from search_avatars), voice_id (from search_voices),
      llm_id (from list_llms), system_prompt, name, avatar_model and the other options. Left-out
      avatar_id and voice_id default to Anam's stock Cara avatar and Cara voice; a left-out llm_id to the
      account's GPT-4o-mini (the result's default_llm says which and why). avatar_model must be one the
      avatar supports (available_models in search_avatars).
    The token is valid for one hour and for one session. Give it to the web page, which calls Anam's
    JS SDK: createClient(sessionToken). Never put the API key in a page; the token is made for that.
    """
    app = app_of(ctx)
    account = app.account()
    persona: EphemeralPersona | None = None
    choice: LlmChoice | None = None
    defaults: list[str] = []
    if args.mode == "ephemeral":
        persona, choice, defaults = await complete(app, account, args.persona())
    token = await guarded(app, account.client.create_session_token(args.token_body(persona)), TOKEN_HINTS)
    minted = SessionTokenResult(
        session_token=token,
        mode=args.mode,
        expires_in_seconds=TOKEN_LIFETIME_SECONDS,
        persona_id=str(args.persona_id) if args.persona_id else None,
        persona_config=persona,
        default_llm=choice,
        client_label=args.client_label,
        defaults_applied=defaults,
    )
    llm = default_llm_text(choice)
    return result(minted, token_summary(minted.mode, minted.defaults_applied, llm))


async def complete(
    app: AppContext, account: Account, persona: PersonaT
) -> tuple[PersonaT, LlmChoice | None, list[str]]:
    """`persona` with the defaults filled in, the LLM chosen for it (if llm_id was left out), and which were.

    An avatar_model the avatar does not support is refused before anything is sent, when the avatar is in
    the loaded catalogue.
    """
    choice = None
    if persona.llm_id is None:
        llms = await guarded(app, account.catalogs.list_llms(None, refresh=False))
        choice = choose_default_llm(llms.items, app.settings.default_llm_id)
    avatar = account.catalogs.avatars.cached(str(persona.avatar_id)) if persona.avatar_id else None
    try:
        completed, defaults = persona.with_defaults(choice.id if choice else None, avatar)
    except UnsupportedAvatarModelError as exc:
        raise ToolError(str(exc)) from exc
    return completed, choice, defaults


def session_tools() -> list[Tool]:
    return [model_tool(create_session_token, "Create an Anam session token", CREATES, meta=ui_meta(LIVE_URI))]
