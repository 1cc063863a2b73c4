"""Asking the user before something is deleted for good, where the client can be asked (elicitation).

A delete tool takes one more parameter, `answer: Annotated[ElicitationResult[DeleteConfirmation],
ask_first(describe)]`, where `describe` names what would be deleted, and goes ahead only if
`confirmed(answer)`. A client that cannot be asked gets a yes: the tool is marked destructive, so the host
asks instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import AcceptedElicitation, Elicit, ElicitationResult, Resolve
from pydantic import BaseModel, Field

from .context import AppContext
from .toolkit import can_elicit

__all__ = ["DeleteConfirmation", "ask_first", "confirmed"]


class DeleteConfirmation(BaseModel):
    """The user's answer before something is deleted."""

    confirm: bool = Field(title="Delete it", description="Yes to delete it for good.")


def ask_first(describe: Callable[[Context[AppContext], Any], Awaitable[str]]) -> Resolve:
    """A resolver that asks "Delete <what>? This cannot be undone.", `what` being `describe(ctx, args)`: the
    thing by name, read from Anam only when there is someone to ask (an unknown id fails the call here)."""

    async def confirm(ctx: Context[AppContext], args: Any) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
        if not can_elicit(ctx):
            return DeleteConfirmation(confirm=True)
        return Elicit(f"Delete {await describe(ctx, args)}? This cannot be undone.", DeleteConfirmation)

    return Resolve(confirm)


def confirmed(answer: ElicitationResult[DeleteConfirmation]) -> bool:
    """Whether the user said yes (or could not be asked)."""
    return isinstance(answer, AcceptedElicitation) and answer.data.confirm
