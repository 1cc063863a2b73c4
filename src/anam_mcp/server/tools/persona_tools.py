"""The persona-tools toolset: functions a persona calls during a conversation (a webhook, a knowledge search,
an event for the page, a system action), called "persona tools" so they are never confused with MCP tools.

A new persona tool can be given at once to a saved persona (`attach_to_persona_id`), which keeps the persona
tools it had. A webhook's header values go to Anam and nowhere else: results show them as "***", and error
messages and log lines never carry them.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import ElicitationResult
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import persona_tools as api
from ...api.errors import InvalidRequestError, NotFoundError, found
from ...api.persona_tools import PersonaTool
from ...api.personas import PersonaDetail, add_tool
from ...api.personas import get as get_persona
from ...logs import redacting
from ...search import index, rank
from ..arguments import Arguments, QueryArg, Supplier
from ..asking import DeleteConfirmation, asking_to_delete, carried_out
from ..context import AppContext, app_of
from ..search_results import Item, SearchResult, search_result
from ..toolkit import CREATES, DESTRUCTIVE, ENSURES, READ_ONLY, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from .persona_tool_kinds import ClientToolArgs, KnowledgeToolArgs, NewPersonaTool, SystemToolArgs, WebhookToolArgs
from .personas import PERSONA_HINTS

__all__ = ["TOOLSET"]

_HIDDEN = "***"
_TOOL_HINTS: Hints = {
    InvalidRequestError: "Check name (unique in your account: list_persona_tools shows the names in use) and the "
    "other fields.",
    NotFoundError: "Check attach_to_persona_id (search_personas) and any knowledge_base_ids (list_knowledge_bases).",
}
_DELETE_HINTS: Hints = {NotFoundError: "No persona tool has this tool_id: list_persona_tools lists them."}


class PersonaToolSearch(Arguments):
    query: QueryArg = None


class PersonaToolRef(Arguments):
    tool_id: Annotated[UUID, Field(description="From list_persona_tools."), Supplier("list_persona_tools")]


class PersonaToolItem(Item):
    id: str
    name: str
    type: str = Field(description="webhook, knowledge, client or system.")
    description: str | None
    used_by_personas: int | None = Field(description="How many personas have it.")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.type})"

    @classmethod
    def of(cls, tool: PersonaTool) -> PersonaToolItem:
        return cls(
            id=tool.id, name=tool.name, type=tool.kind, description=tool.description, used_by_personas=tool.usage_count
        )


class PersonaToolList(SearchResult[PersonaToolItem]):
    kind = "persona tool"


class CreatedPersonaTool(BaseModel):
    tool_id: str
    name: str
    type: str
    created: bool = Field(description="False: an existing one was reused.")
    attached_to_persona_id: str | None
    headers: dict[str, str] | None = Field(default=None, description='Header names; values shown as "***".')


class DeletedPersonaTool(BaseModel):
    tool_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")


async def list_persona_tools(
    ctx: Context[AppContext], args: PersonaToolSearch
) -> Annotated[CallToolResult, PersonaToolList]:
    """List the persona tools in your account (webhook, knowledge, client, system), with how many personas use
    each; tool_id for save_persona/update_persona tool_ids."""
    app = app_of(ctx)
    tools = await guarded(app, api.list_tools(app.account().client))
    found = rank(index(tools, lambda t: (t.name,), lambda t: t.description), args.query)
    return search_result(PersonaToolList.of([PersonaToolItem.of(t) for t in found], 100, None), args.query)


async def _created(
    app: AppContext, args: NewPersonaTool | SystemToolArgs, persona_id: UUID | None, reuse: PersonaTool | None = None
) -> tuple[CreatedPersonaTool, PersonaDetail | None]:
    """Create the persona tool `args` describes (or take `reuse`), and give it to the persona `persona_id` if
    given, which is read first, so an unknown persona leaves nothing behind."""
    client = app.account().client
    persona = await guarded(app, get_persona(client, persona_id), PERSONA_HINTS) if persona_id else None
    tool = reuse if reuse is not None else await guarded(app, api.create(client, args.body()), _TOOL_HINTS)
    if persona_id is not None and persona is not None:
        try:
            persona = await guarded(app, add_tool(client, persona_id, persona, tool.id), PERSONA_HINTS)
        except ToolError as exc:
            what = f"the persona tool {tool.name!r} ({tool.id})"
            raise ToolError(
                f"{'Created' if reuse is None else 'Found'} {what}, but could not give it to the persona: {exc}"
            ) from exc
    made = CreatedPersonaTool(
        tool_id=tool.id,
        name=tool.name,
        type=tool.kind,
        created=reuse is None,
        attached_to_persona_id=str(persona_id) if persona_id else None,
    )
    return made, persona


def _summary(made: CreatedPersonaTool, persona: PersonaDetail | None) -> str:
    done = "Created" if made.created else "Reused"
    text = f"{done} the {made.type} persona tool {made.name!r} (tool_id {made.tool_id})"
    if persona is not None:
        count = len(persona.tools or [])
        plural = "" if count == 1 else "s"
        text += f" and gave it to the persona {persona.name!r}, which now has {count} persona tool{plural}"
    return text + "."


async def create_webhook_tool(
    ctx: Context[AppContext], args: WebhookToolArgs
) -> Annotated[CallToolResult, CreatedPersonaTool]:
    """Create a persona tool that calls your https webhook during a conversation (book a meeting, look up an
    order); the persona's LLM fills the call from the description."""
    app = app_of(ctx)
    secrets = list((args.headers or {}).values())
    with redacting(*secrets):
        try:
            made, persona = await _created(app, args, args.attach_to_persona_id)
        except ToolError as exc:
            raise ToolError(_hidden(str(exc), secrets)) from None
    made = made.model_copy(update={"headers": dict.fromkeys(args.headers, _HIDDEN) if args.headers else None})
    return result(made, _summary(made, persona))


def _hidden(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, _HIDDEN)
    return text


async def create_knowledge_tool(
    ctx: Context[AppContext], args: KnowledgeToolArgs
) -> Annotated[CallToolResult, CreatedPersonaTool]:
    """Create a persona tool that searches knowledge bases during a conversation (RAG), so the persona answers
    from your documents."""
    made, persona = await _created(app_of(ctx), args, args.attach_to_persona_id)
    return result(made, _summary(made, persona))


async def create_client_tool(
    ctx: Context[AppContext], args: ClientToolArgs
) -> Annotated[CallToolResult, CreatedPersonaTool]:
    """Create a persona tool that sends an event to the web page running the persona (open a form, show a
    product); the page's JS SDK handles it."""
    made, persona = await _created(app_of(ctx), args, args.attach_to_persona_id)
    return result(made, _summary(made, persona))


async def create_system_tool(
    ctx: Context[AppContext], args: SystemToolArgs
) -> Annotated[CallToolResult, CreatedPersonaTool]:
    """Let a persona end the call or stop when interrupted. One per action is kept and reused."""
    app = app_of(ctx)
    tools = await guarded(app, api.list_tools(app.account().client))
    existing = next((t for t in tools if t.kind == "system" and (t.config or {}).get("action") == args.action), None)
    made, persona = await _created(app, args, args.attach_to_persona_id, existing)
    return result(made, _summary(made, persona))


async def _tool_named(ctx: Context[AppContext], args: PersonaToolRef) -> str | None:
    app = app_of(ctx)
    tool = await guarded(app, found(api.get, app.account().client, args.tool_id), _DELETE_HINTS)
    if tool is None:
        return None
    users = f", which {tool.usage_count} persona(s) use" if tool.usage_count else ""
    return f"the {tool.kind} persona tool {tool.name!r} ({args.tool_id}){users}"


async def delete_persona_tool(
    ctx: Context[AppContext],
    args: PersonaToolRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], asking_to_delete(_tool_named)],
) -> Annotated[CallToolResult, DeletedPersonaTool]:
    """Delete a persona tool for good; personas that had it lose it (asks first where the client can; if the
    user declines, deleted is false)."""
    app = app_of(ctx)
    tool_id = str(args.tool_id)
    deleted, summary = await carried_out(
        answer,
        lambda: guarded(app, api.delete(app.account().client, args.tool_id), _DELETE_HINTS),
        f"persona tool {tool_id}",
        "list_persona_tools lists them",
    )
    return result(DeletedPersonaTool(tool_id=tool_id, deleted=deleted), summary)


TOOLSET = Toolset(
    "persona_tools",
    "Persona tools: webhooks, knowledge search, page events, end call.",
    "Persona tools are functions a persona calls in a conversation; create_*_tool makes one and can attach it to "
    "a saved persona; update_persona tool_ids sets the whole list.",
    lambda: [
        model_tool(list_persona_tools, "List Anam persona tools", READ_ONLY),
        model_tool(create_webhook_tool, "Create a webhook persona tool", CREATES),
        model_tool(create_knowledge_tool, "Create a knowledge persona tool", CREATES),
        model_tool(create_client_tool, "Create a client persona tool", CREATES),
        model_tool(create_system_tool, "Create a system persona tool", ENSURES),
        model_tool(delete_persona_tool, "Delete an Anam persona tool", DESTRUCTIVE),
    ],
)
