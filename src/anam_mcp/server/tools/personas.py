"""The personas toolset: find, save, read, change and delete the personas kept in the account.

A saved, changed or deleted persona is dropped from the cached personas list at once, so search_personas
shows the change on its next call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import ElicitationResult
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, model_validator

from ...api import personas as api
from ...api.catalogue import AVATARS
from ...api.errors import InvalidRequestError, NotFoundError, found
from ..arguments import Arguments, LimitArg, PersonaIdArg, QueryArg, RefreshArg, Supplier
from ..asking import DeleteConfirmation, asking_to_delete, carried_out
from ..context import AppContext, app_of
from ..persona_config import (
    LlmChoice,
    PersonaConfig,
    PersonaNameArg,
    all_optional,
    as_output,
    check_avatar_model,
    complete,
    defaults_text,
)
from ..search_results import Item, SearchResult, search_result
from ..toolkit import CREATES, DESTRUCTIVE, READ_ONLY, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from .persona_view import PersonaView

__all__ = ["TOOLSET"]


class PersonaSearch(Arguments):
    query: QueryArg = None
    limit: LimitArg = 20
    refresh: RefreshArg = False


class PersonaRef(Arguments):
    persona_id: PersonaIdArg


class SavedPersona(PersonaConfig):
    """A persona kept in the account (save_persona's arguments): the configuration, a name, a description and
    the persona tools it may call.

    tool_ids is here rather than in PersonaConfig, although an ephemeral session takes toolIds too: persona
    tools are a saved persona's business in these tools, and create_session_token stays within its budget.
    """

    name: PersonaNameArg
    description: Annotated[
        str | None,
        Field(min_length=1, max_length=1000, description="A note for people on what it is for; not the prompt."),
    ] = None
    tool_ids: Annotated[
        list[UUID] | None,
        Field(max_length=100, description="Persona tools it may call, from list_persona_tools: the whole list."),
        Supplier("list_persona_tools"),
    ] = None


if TYPE_CHECKING:  # a type checker cannot follow a class built at run time: it sees the fields' own types
    _PersonaChanges = SavedPersona
else:
    _PersonaChanges = all_optional(SavedPersona, "PersonaChanges", "A saved persona's fields, each optional.")


class PersonaUpdate(_PersonaChanges):
    """update_persona's arguments: which persona, and only the fields to change."""

    persona_id: PersonaIdArg

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.changed():
            fields = ", ".join(SavedPersona.model_fields)
            raise ValueError(f"nothing to change: pass persona_id and at least one of {fields}")
        return self

    def changed(self) -> list[str]:
        """The fields this update sets, in declaration order."""
        return [name for name in SavedPersona.model_fields if getattr(self, name) is not None]

    def body(self) -> dict[str, object]:
        """The JSON body for PUT /v1/personas/{id}: only the fields to change, camelCase, no nulls."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"persona_id"})


class PersonaItem(Item):
    id: str
    name: str
    description: str | None
    avatar_name: str | None
    voice_name: str | None
    language_code: str | None = Field(description="Speech language; null follows the organisation.")
    updated_at: str | None

    @property
    def label(self) -> str:
        return self.name


class PersonaSearchResult(SearchResult[PersonaItem]):
    kind = "persona"


SavedPersonaConfig = as_output(SavedPersona, "SavedPersonaConfig")


class SavePersonaResult(BaseModel):
    persona_id: str = Field(description="For create_share_link, create_session_token, get_persona, update_persona.")
    name: str
    persona_config: SavedPersonaConfig = Field(description="What was saved, defaults filled in.")  # type: ignore[valid-type]
    default_llm: LlmChoice | None = Field(description="The LLM chosen because llm_id was left out, and why.")
    defaults_applied: list[str] = Field(description="Arguments left out and filled with a default.")


class UpdatePersonaResult(BaseModel):
    persona_id: str
    changed: list[str] = Field(description="The fields this update set; the others kept their values.")
    persona: PersonaView = Field(description="The persona as Anam holds it now.")


class DeletePersonaResult(BaseModel):
    persona_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")


_CHECK_PERSONA = (
    "Check avatar_id, voice_id, llm_id and tool_ids (valid ones come from search_avatars, search_voices, list_llms "
    "and list_persona_tools), and that avatar_model is one the avatar supports (available_models in search_avatars)."
)
_SAVE_HINTS: Hints = {NotFoundError: _CHECK_PERSONA, InvalidRequestError: _CHECK_PERSONA}
PERSONA_HINTS: Hints = {
    NotFoundError: "No saved persona has this persona_id (it may have been deleted): search_personas lists "
    "your saved personas and their ids.",
}
_UPDATE_HINTS: Hints = {
    NotFoundError: "Check persona_id (search_personas lists your saved personas) and any avatar_id, voice_id, "
    "llm_id or tool_ids given (from search_avatars, search_voices, list_llms and list_persona_tools).",
    InvalidRequestError: _CHECK_PERSONA,
}


async def search_personas(
    ctx: Context[AppContext], args: PersonaSearch
) -> Annotated[CallToolResult, PersonaSearchResult]:
    """Find personas saved in your Anam account by name; gives persona_id for create_session_token,
    get_persona, update_persona and create_share_link."""
    app = app_of(ctx)
    found = await guarded(app, app.account().catalogs.search(api.PERSONAS, args.query, refresh=args.refresh))
    return search_result(PersonaSearchResult.of(found.items, args.limit, found.note), args.query)


async def save_persona(ctx: Context[AppContext], args: SavedPersona) -> Annotated[CallToolResult, SavePersonaResult]:
    """Save a new persona in your account: create_session_token's persona fields plus a name and a description.
    Left-out avatar, voice and LLM get defaults (defaults_applied). Share it with create_share_link."""
    app = app_of(ctx)
    account = app.account()
    persona, choice, defaults = await complete(app, account, args)
    saved = await guarded(app, api.create(account.client, persona.body()), _SAVE_HINTS)
    account.catalogs.of(api.PERSONAS).invalidate()
    made = SavePersonaResult(
        persona_id=saved.id,
        name=saved.name or persona.name,
        persona_config=SavedPersonaConfig.model_validate(dict(persona)),
        default_llm=choice,
        defaults_applied=defaults,
    )
    filled = f" Defaults used for {defaults_text(defaults, choice)}." if defaults else ""
    return result(
        made,
        f"Saved the persona {made.name!r} (persona_id {made.persona_id}).{filled} To talk to it in a browser, "
        "call create_share_link with this persona_id.",
    )


async def get_persona(ctx: Context[AppContext], args: PersonaRef) -> Annotated[CallToolResult, PersonaView]:
    """Read a saved persona in full, share links included. Call it before update_persona to see the current
    system_prompt."""
    app = app_of(ctx)
    persona = await guarded(app, api.get(app.account().client, args.persona_id), PERSONA_HINTS)
    view = PersonaView.of(persona, app.settings.share_url)
    return result(view, view.summary(persona))


async def update_persona(
    ctx: Context[AppContext], args: PersonaUpdate
) -> Annotated[CallToolResult, UpdatePersonaResult]:
    """Change a saved persona: pass persona_id and only the fields to change; a field given replaces its
    value (read it with get_persona first to edit rather than replace)."""
    app = app_of(ctx)
    account = app.account()
    if args.avatar_id and args.avatar_model is not None:
        check_avatar_model(account.catalogs.of(AVATARS).cached(str(args.avatar_id)), args.avatar_model, chosen=True)
    updated = await guarded(app, api.update(account.client, args.persona_id, args.body()), _UPDATE_HINTS)
    account.catalogs.of(api.PERSONAS).invalidate()
    view = PersonaView.of(updated, app.settings.share_url)
    changed = args.changed()
    made = UpdatePersonaResult(persona_id=str(args.persona_id), changed=changed, persona=view)
    return result(made, f"Updated {', '.join(changed)} of the persona {view.name or '(unnamed)'!r}.")


async def _persona_named(ctx: Context[AppContext], args: PersonaRef) -> str | None:
    app = app_of(ctx)
    persona = await guarded(app, found(api.get, app.account().client, args.persona_id), PERSONA_HINTS)
    return None if persona is None else f"the Anam persona {persona.name or '(unnamed)'!r} ({args.persona_id})"


async def delete_persona(
    ctx: Context[AppContext],
    args: PersonaRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], asking_to_delete(_persona_named)],
) -> Annotated[CallToolResult, DeletePersonaResult]:
    """Delete a saved persona for good. Clients that support elicitation on MCP 2026-07-28, or 2025-11-25 over
    stdio, ask the user first; others (2025-11-25 over HTTP) rely on the host's confirmation of destructive tools.
    If the user declines, deleted is false: do not call again unless they ask."""
    app = app_of(ctx)
    account = app.account()
    persona_id = str(args.persona_id)

    async def deleting() -> bool:
        deleted = await guarded(app, api.delete(account.client, args.persona_id), PERSONA_HINTS)
        account.catalogs.of(api.PERSONAS).invalidate()
        return deleted

    listing = "search_personas lists your saved personas"
    deleted, summary = await carried_out(answer, deleting, f"persona {persona_id}", listing)
    return result(DeletePersonaResult(persona_id=persona_id, deleted=deleted), summary)


TOOLSET = Toolset(
    "personas",
    "Save, read, change and delete personas.",
    "save_persona keeps a persona; search_personas finds saved ones, get_persona shows one, update_persona "
    "improves it and delete_persona removes it.",
    lambda: [
        model_tool(search_personas, "Search saved Anam personas", READ_ONLY),
        model_tool(save_persona, "Save an Anam persona", CREATES),
        model_tool(get_persona, "Get a saved Anam persona", READ_ONLY),
        model_tool(update_persona, "Update a saved Anam persona", DESTRUCTIVE),
        model_tool(delete_persona, "Delete a saved Anam persona", DESTRUCTIVE),
    ],
)
