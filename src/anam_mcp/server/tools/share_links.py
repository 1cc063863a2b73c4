"""The share-links toolset: a link where anyone can talk to a saved persona in a browser, with no code."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, BeforeValidator, Field

from ...api import share_links as api
from ..arguments import Arguments, PersonaIdArg, not_boolean
from ..context import AppContext, app_of
from ..toolkit import CREATES, guarded, model_tool, result
from ..toolsets import Toolset
from .personas import PERSONA_HINTS

__all__ = ["TOOLSET"]


class ShareLinkRequest(Arguments):
    persona_id: PersonaIdArg
    expires_in_hours: Annotated[
        int,
        Field(ge=1, le=8760, description="Hours the link works."),
        BeforeValidator(not_boolean),
    ] = 168
    usage_limit: Annotated[
        int, Field(ge=1, le=10_000, description="Conversations it allows."), BeforeValidator(not_boolean)
    ] = 10

    def body(self) -> dict[str, Any]:
        """The JSON body for POST /v1/share-links."""
        return self.model_dump(mode="json", by_alias=True)


class ShareLinkResult(BaseModel):
    url: str = Field(description="Give this to the user: opened in a browser, it starts a conversation.")
    share_link_id: str | None
    expires_at: str | None = Field(description="When the link stops working; null if it never does.")
    usage_limit: int | None = Field(description="How many conversations the link allows; null for no limit.")


async def create_share_link(
    ctx: Context[AppContext], args: ShareLinkRequest
) -> Annotated[CallToolResult, ShareLinkResult]:
    """Create a link where anyone can talk to a saved persona in a browser, no code needed: give the user
    the url. list_sessions and get_session_transcript show the conversations later."""
    app = app_of(ctx)
    link = await guarded(app, api.create(app.account().client, args.body()), PERSONA_HINTS)
    made = ShareLinkResult(
        url=app.settings.share_url(link.token),
        share_link_id=link.id,
        expires_at=link.expires_at,
        usage_limit=link.usage_limit,
    )
    until = f" until {made.expires_at}" if made.expires_at else ""
    uses = (
        f", for up to {made.usage_limit} conversation{'' if made.usage_limit == 1 else 's'}" if made.usage_limit else ""
    )
    summary = (
        f"Share link: {made.url} - open it in a browser to talk to the persona, no code needed. It works{until}"
        f"{uses}. Afterwards, list_sessions and get_session_transcript show how the conversations went."
    )
    return result(made, summary)


TOOLSET = Toolset(
    "share_links",
    "Share a saved persona as a link anyone can open.",
    "create_share_link gives a URL where anyone can talk to a saved persona in a browser, no code needed.",
    lambda: [model_tool(create_share_link, "Create an Anam share link", CREATES)],
)
