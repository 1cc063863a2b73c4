"""Toolsets: each API area's tools (and resources) as one unit that a deployment can serve or leave out.

Every conversation pays for tools/list in model context, so a connector that needs only a few areas can
ask for those: ANAM_TOOLSETS picks what the server serves, and over HTTP a connector URL may narrow it
further per request with `?toolsets=a,b` (see `narrowed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver.resources import Resource
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ListToolsResult, TextContent

if TYPE_CHECKING:
    from .context import AppContext

__all__ = ["ALL", "QUERY_PARAMETER", "Toolset", "UnknownToolsetError", "narrowed", "parse", "select"]

ALL = "all"
QUERY_PARAMETER = "toolsets"


@dataclass(frozen=True, slots=True)
class Toolset:
    """One API area as served: its name, what it is for, its tools, and the resources it adds, if any."""

    name: str
    description: str  # for people choosing toolsets (--check, the README)
    instructions: str  # for the model: how this area's tools fit together
    tools: Callable[[], list[Tool]]
    resources: Callable[[AppContext], list[Resource]] = field(default=lambda _: [])


class UnknownToolsetError(ValueError):
    def __init__(self, unknown: Iterable[str], toolsets: Sequence[Toolset]) -> None:
        valid = ", ".join([ALL, *(toolset.name for toolset in toolsets)])
        super().__init__(f"unknown toolset {', '.join(sorted(unknown))}: the toolsets are {valid}")


def parse(text: str) -> list[str]:
    """Toolset names from a comma- or space-separated list, in lower case."""
    return [name.lower() for name in text.replace(",", " ").split()]


def select(toolsets: Sequence[Toolset], names: Iterable[str]) -> list[Toolset]:
    """The toolsets `names` asks for, in registration order (`all`: every one); UnknownToolsetError for others."""
    wanted = set(names)
    unknown = wanted - {ALL} - {toolset.name for toolset in toolsets}
    if unknown:
        raise UnknownToolsetError(unknown, toolsets)
    return [toolset for toolset in toolsets if ALL in wanted or toolset.name in wanted]


def narrowed(toolsets: Sequence[Toolset]) -> ServerMiddleware[Any]:
    """Middleware that serves only the toolsets an HTTP request asks for with ?toolsets= (all when it does not).

    tools/list leaves the others out, and tools/call refuses their tools as unknown. Unknown names never get
    here: the HTTP gate refuses them first, with the valid list.
    """
    owner = {tool.name: toolset.name for toolset in toolsets for tool in toolset.tools()}

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        request = ctx.request
        asked = getattr(request, "query_params", {}).get(QUERY_PARAMETER) if request is not None else None
        if not asked or ctx.method not in ("tools/list", "tools/call"):
            return await call_next(ctx)
        wanted = {toolset.name for toolset in select(toolsets, parse(asked))}
        if ctx.method == "tools/call":
            name = ctx.params.get("name") if isinstance(ctx.params, dict) else None
            if owner.get(str(name)) not in wanted:
                refusal = f"Unknown tool: {name} (this connector serves the toolsets {', '.join(sorted(wanted))})"
                return CallToolResult(content=[TextContent(type="text", text=refusal)], is_error=True)
            return await call_next(ctx)
        listed = await call_next(ctx)
        if isinstance(listed, ListToolsResult):
            return listed.model_copy(update={"tools": [t for t in listed.tools if owner.get(t.name) in wanted]})
        return listed

    return middleware
