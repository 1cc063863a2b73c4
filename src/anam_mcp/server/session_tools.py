"""The session-token tool: mint the short-lived token a web page hands to Anam's JS SDK."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult

from ..constants import TOKEN_LIFETIME_SECONDS
from ..results import SessionTokenResult
from ..session import EphemeralPersona, SessionTokenArgs
from ..texts import token_summary
from .context import AppContext, app_of
from .toolkit import MINTS, guarded, model_tool, result

__all__ = ["session_tools"]


async def create_session_token(
    ctx: Context[AppContext], args: SessionTokenArgs
) -> Annotated[CallToolResult, SessionTokenResult]:
    """Create a short-lived session token that starts one real-time conversation with an Anam persona.

    Two modes, never both:
    - saved persona: pass persona_id alone (from search_personas).
    - ephemeral persona: describe it with avatar_id (from search_avatars), voice_id (from search_voices),
      llm_id (from list_llms), system_prompt, name, avatar_model and the other options. Left-out
      avatar_id, voice_id and llm_id default to Anam's stock Cara avatar, Cara voice and GPT-4o-mini.
    The token is valid for one hour and for one session. Give it to the web page, which calls Anam's
    JS SDK: createClient(sessionToken). Never put the API key in a page; the token is made for that.
    """
    app = app_of(ctx)
    persona: EphemeralPersona | None = None
    defaults: list[str] = []
    if args.mode == "ephemeral":
        persona, defaults = args.persona().with_defaults(app.settings.default_llm_id)
    token = await guarded(app, app.client.create_session_token(args.token_body(persona)), token_request=True)
    minted = SessionTokenResult(
        session_token=token,
        mode=args.mode,
        expires_in_seconds=TOKEN_LIFETIME_SECONDS,
        persona_id=str(args.persona_id) if args.persona_id else None,
        persona_config=persona,
        client_label=args.client_label,
        defaults_applied=defaults,
    )
    return result(minted, token_summary(minted.mode, minted.defaults_applied))


def session_tools() -> list[Tool]:
    return [model_tool(create_session_token, "Create an Anam session token", MINTS)]
