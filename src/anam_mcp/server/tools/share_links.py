"""The share-links toolset: links where anyone can talk to a saved persona in a browser, with no code: made,
listed with how much each was used, and revoked (after asking)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, ElicitationResult, Resolve
from mcp.types import CallToolResult
from pydantic import BaseModel, BeforeValidator, Field

from ...api import share_links as api
from ...api.errors import NotFoundError, found
from ...api.share_links import ListedShareLink
from ..arguments import Arguments, PersonaIdArg, Supplier, not_boolean
from ..asking import Confirmation, ask_first, carried_out
from ..context import AppContext, app_of
from ..search_results import listed_summary
from ..times import moment
from ..toolkit import CREATES, DESTRUCTIVE, READ_ONLY, Hints, guarded, model_tool, result
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


class ShareLinkList(Arguments):
    persona_id: Annotated[
        UUID | None, Field(description="Only this persona's links, from search_personas."), Supplier("search_personas")
    ] = None


class ShareLinkRef(Arguments):
    share_link_id: Annotated[
        UUID, Field(description="A share link, from list_share_links."), Supplier("list_share_links")
    ]


class ShareLinkResult(BaseModel):
    url: str = Field(description="Give this to the user: opened in a browser, it starts a conversation.")
    share_link_id: str | None
    expires_at: str | None = Field(description="When the link stops working; null if it never does.")
    usage_limit: int | None = Field(description="How many conversations the link allows; null for no limit.")


class ShareLinkItem(BaseModel):
    share_link_id: str = Field(description="For revoke_share_link.")
    url: str | None = Field(description="Where the link opens; null if Anam sent no token.")
    persona_id: str | None
    persona_name: str | None
    expires_at: str | None = Field(description="When it stops working; null if it never does.")
    usage_count: int | None = Field(description="Conversations started with it so far.")
    usage_limit: int | None = Field(description="Conversations it allows; null for no limit.")
    enabled: bool | None

    @classmethod
    def of(cls, link: ListedShareLink, share_url: Callable[[str], str]) -> Self:
        return cls(
            share_link_id=link.id,
            url=share_url(link.token) if link.token else None,
            persona_id=link.persona_id,
            persona_name=link.persona_name,
            expires_at=link.expires_at,
            usage_count=link.usage_count,
            usage_limit=link.usage_limit,
            enabled=link.enabled,
        )

    @property
    def label(self) -> str:
        """E.g. "Museum guide (3 of 10 uses, until 9 Dec 14:05 UTC)"."""
        limit = f" of {self.usage_limit}" if self.usage_limit is not None else ""
        until = f", until {moment(self.expires_at)}" if self.expires_at else ""
        return f"{self.persona_name or 'a persona'} ({self.usage_count or 0}{limit} uses{until})"


class ShareLinkListResult(BaseModel):
    total: int
    items: list[ShareLinkItem]
    note: str | None = Field(description="Set when the list is incomplete.")


class RevokeResult(BaseModel):
    share_link_id: str
    revoked: bool = Field(description="False when the user declined (the link still works) or it was gone.")


_LINK_HINTS: Hints = {
    NotFoundError: "No share link has this share_link_id (it may be revoked already): list_share_links lists them.",
}


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


async def list_share_links(
    ctx: Context[AppContext], args: ShareLinkList
) -> Annotated[CallToolResult, ShareLinkListResult]:
    """List the share links of your personas (or of one): url, persona, expiry, and uses so far of the limit.
    Gives share_link_id for revoke_share_link."""
    app = app_of(ctx)
    links = await guarded(app, api.list_links(app.account().client, args.persona_id), PERSONA_HINTS)
    items = [ShareLinkItem.of(link, app.settings.share_url) for link in links]
    note = f"Only the first {len(items)} are listed ({links.limit} reached)." if links.limit else None
    listed = ShareLinkListResult(total=len(items), items=items, note=note)
    return result(listed, listed_summary("share link", len(items), [item.label for item in items], None, note))


async def _confirm_revoking(ctx: Context[AppContext], args: ShareLinkRef) -> Elicit[Confirmation] | Confirmation:
    async def question() -> str | None:
        app = app_of(ctx)
        link = await guarded(app, found(api.get, app.account().client, args.share_link_id), _LINK_HINTS)
        if link is None:
            return None
        url = app.settings.share_url(link.token) if link.token else str(args.share_link_id)
        return (
            f"Revoke the share link to {link.persona_name or 'the persona'!r} ({url})? Nobody will be able to open "
            "it again. This cannot be undone."
        )

    return await ask_first(ctx, Confirmation, question)


async def revoke_share_link(
    ctx: Context[AppContext],
    args: ShareLinkRef,
    answer: Annotated[ElicitationResult[Confirmation], Resolve(_confirm_revoking)],
) -> Annotated[CallToolResult, RevokeResult]:
    """Revoke a share link so it no longer opens. The user is asked first where the client can ask; if they
    decline, revoked is false: do not call again unless they ask."""
    app = app_of(ctx)
    link_id = str(args.share_link_id)
    revoked, summary = await carried_out(
        answer,
        lambda: guarded(app, api.delete(app.account().client, args.share_link_id), _LINK_HINTS),
        f"share link {link_id}",
        "list_share_links lists them",
        "revoke",
    )
    return result(RevokeResult(share_link_id=link_id, revoked=revoked), summary)


TOOLSET = Toolset(
    "share_links",
    "Share a saved persona as a link anyone can open; list and revoke links.",
    "create_share_link gives a URL where anyone can talk to a saved persona in a browser, no code needed; "
    "list_share_links shows each link's uses, revoke_share_link turns one off.",
    lambda: [
        model_tool(create_share_link, "Create an Anam share link", CREATES),
        model_tool(list_share_links, "List Anam share links", READ_ONLY),
        model_tool(revoke_share_link, "Revoke an Anam share link", DESTRUCTIVE),
    ],
)
