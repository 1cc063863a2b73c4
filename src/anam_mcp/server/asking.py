"""Asking the user first: a tool's `answer: Annotated[ElicitationResult[X], Resolve(ask)]` parameter, where
`ask` returns `ask_first(...)` (or is `asking_to_delete(...)`), and the tool goes ahead only if `agreed(answer)`.
Where the client cannot ask, the answer is yes and the host's own confirmation (or the model) stands in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.types.version import is_version_at_least
from pydantic import BaseModel, Field, PrivateAttr

from .context import AppContext

__all__ = [
    "Confirmation",
    "DeleteConfirmation",
    "YesNo",
    "agreed",
    "ask_first",
    "asking_to_delete",
    "can_elicit",
    "carried_out",
]

_YesNoT = TypeVar("_YesNoT", bound="YesNo")


def can_elicit(ctx: Context[AppContext]) -> bool:
    """Whether this call can ask the user a question (an `Elicit` from a `Resolve` resolver) and get an answer.

    The client must declare form elicitation. From protocol 2026-07-28 the question travels in the result
    (input_required), on any transport; before that it needs a channel for server requests, which stateless
    HTTP lacks. Where this is false, a resolver answers for the user instead of failing the call.
    """
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    if is_version_at_least(ctx.protocol_version or "", "2026-07-28"):
        return True
    return ctx.request_context.session.can_send_request


class YesNo(BaseModel):
    """A question the user answers yes or no before a tool acts; a subclass words `confirm` for its question."""

    confirm: bool
    _gone: bool = PrivateAttr(default=False)  # set by ask_first: nothing was there to ask about


class Confirmation(YesNo):
    """The user's answer before something is ended for good (the question names it)."""

    confirm: bool = Field(title="Go ahead", description="Yes to go ahead; it cannot be undone.")


class DeleteConfirmation(YesNo):
    """The user's answer before something is deleted for good (the question names it)."""

    confirm: bool = Field(title="Delete it", description="Yes to delete it for good.")


async def ask_first(
    ctx: Context[AppContext], answer: type[_YesNoT], question: str | Callable[[], Awaitable[str | None]] | None
) -> Elicit[_YesNoT] | _YesNoT:
    """What a `Resolve` resolver returns to ask the user `question` first, where the client can ask.

    Where it cannot, the answer is yes: the tool is marked destructive (so the host asks), or its description
    tells the model to ask. `question` may be a coroutine function: it runs only when the question is asked
    (naming what is at stake may take a request). None (as `question`, or from it) means there is nothing to
    ask about: the thing is gone already, which `carried_out` then says without asking Anam again.
    """
    if question is None:
        return _nothing_there(answer)
    if not can_elicit(ctx):
        return answer(confirm=True)
    asked = question if isinstance(question, str) else await question()
    return _nothing_there(answer) if asked is None else Elicit(asked, answer)


def _nothing_there(answer: type[_YesNoT]) -> _YesNoT:
    """A yes that records that the lookup found nothing to act on (not shown in the question's form)."""
    yes = answer(confirm=True)
    yes._gone = True
    return yes


def asking_to_delete(describe: Callable[[Context[AppContext], Any], Awaitable[str | None]]) -> Resolve:
    """A resolver for a delete tool's `answer` parameter: "Delete <what>? This cannot be undone.", `what` being
    `describe(ctx, args)`, the thing by name (read from Anam only when there is someone to ask), or None when
    Anam has no such thing (then nothing is asked)."""

    async def confirm(ctx: Context[AppContext], args: Any) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
        async def question() -> str | None:
            what = await describe(ctx, args)
            return None if what is None else f"Delete {what}? This cannot be undone."

        return await ask_first(ctx, DeleteConfirmation, question)

    return Resolve(confirm)


def agreed(answer: ElicitationResult[Any]) -> bool:
    """Whether the user said yes to the question `ask_first` asked (declined, cancelled or no: nothing happens)."""
    return isinstance(answer, AcceptedElicitation) and isinstance(answer.data, YesNo) and answer.data.confirm


_FORMS = {"delete": ("deleted", "deleting"), "revoke": ("revoked", "revoking"), "cancel": ("cancelled", "cancelling")}


async def carried_out(
    answer: ElicitationResult[Any],
    act: Callable[[], Awaitable[bool]],
    what: str,
    listing: str,
    verb: Literal["delete", "revoke", "cancel"] = "delete",
) -> tuple[bool, str]:
    """Whether a deletion (or revocation, cancellation) of `what` ("persona tool <id>") was done, and a summary.

    `act` runs only if the user agreed and the question's lookup did not find the thing gone already; it
    returns False when Anam has no such thing. Gone is not an error (the tool is idempotent): the summary says
    so, pointing to `listing` in case the id is wrong.
    """
    past, doing = _FORMS[verb]
    if not agreed(answer):
        return False, f"Nothing was {past}: the user did not confirm {doing} the {what}."
    gone = isinstance(answer, AcceptedElicitation) and isinstance(answer.data, YesNo) and answer.data._gone
    if gone or not await act():
        return False, f"Nothing to {verb}: Anam has no {what}, so it is already {past} (or the id is wrong: {listing})."
    return True, f"{past.capitalize()} the {what}."
