"""The persona-tools area: functions a persona calls during a conversation (Anam's /v1/tools), called
"persona tools" here so that they are never confused with MCP tools.

Four kinds: a webhook Anam calls, a knowledge search (RAG) over knowledge bases, an event for the client's
page, and a system action (end the call, interrupt). A persona lists the ones it may call in `toolIds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from uuid import UUID

from pydantic import field_validator

from .decoding import parse_one
from .pages import Listed, Listing, list_all
from .records import Record
from .transport import AnamClient

__all__ = ["KINDS", "PersonaTool", "ToolKind", "create", "delete", "get", "list_tools"]

_TOOLS = "/v1/tools"
# Formatted with a UUID only, so nothing a caller passes can change the path.
_TOOL = "/v1/tools/{id}"

ToolKind = Literal["webhook", "knowledge", "client", "system"]
# Anam's type for each kind of persona tool, in the words the tools use.
KINDS: dict[ToolKind, str] = {
    "webhook": "SERVER_WEBHOOK",
    "knowledge": "SERVER_RAG",
    "client": "CLIENT",
    "system": "SYSTEM",
}
_KIND_OF = {anam: kind for kind, anam in KINDS.items()}


class PersonaTool(Record):
    """A persona tool, as /v1/tools lists it and a persona's `tools` holds it."""

    name: str = ""
    description: str | None = None
    type: str | None = None
    config: dict[str, Any] | None = None
    usage_count: int | None = None

    @field_validator("type", mode="after")
    @classmethod
    def _upper(cls, kind: str | None) -> str | None:
        return kind.upper() if kind else kind  # the session-token spec writes its inline tools in lower case

    @property
    def kind(self) -> str:
        """webhook, knowledge, client or system; Anam's own word for a type this server does not know."""
        return _KIND_OF.get(self.type or "", (self.type or "unknown").lower())

    @property
    def knowledge_base_ids(self) -> list[str]:
        """The knowledge bases a knowledge tool searches (none for the other kinds)."""
        ids = (self.config or {}).get("documentFolderIds") if self.kind == "knowledge" else None
        return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


_LISTING = Listing(_TOOLS, PersonaTool)


async def list_tools(client: AnamClient) -> Listed[PersonaTool]:
    """Every persona tool of the account (all pages)."""
    return await list_all(client, _LISTING)


async def create(client: AnamClient, body: Mapping[str, Any]) -> PersonaTool:
    """POST /v1/tools. Not retried once it may have reached Anam."""
    raw = await client.request("POST", _TOOLS, json_body=body, idempotent=False)
    return parse_one(PersonaTool, raw, "the new persona tool")


async def get(client: AnamClient, tool_id: UUID) -> PersonaTool:
    raw = await client.request("GET", _TOOL.format(id=tool_id), idempotent=True)
    return parse_one(PersonaTool, raw, "the persona tool")


async def delete(client: AnamClient, tool_id: UUID) -> bool:
    """False when Anam has no such persona tool (already deleted)."""
    return await client.delete(_TOOL.format(id=tool_id))
