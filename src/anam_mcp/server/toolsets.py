"""Toolsets: each API area's tools (and resources) as one unit that a deployment can serve or leave out.

Every conversation pays for tools/list in model context, so a connector that needs only a few areas can
ask for those: ANAM_TOOLSETS picks what the server serves, and over HTTP a connector URL may narrow it
further per request with `?toolsets=a,b` (the gate checks the names, `asking` and `narrowed` serve them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver.resources import Resource
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ListToolsResult, TextContent

if TYPE_CHECKING:
    from .context import AppContext

__all__ = [
    "ALL",
    "QUERY_PARAMETER",
    "Toolset",
    "UnknownToolsetError",
    "asking",
    "input_bytes",
    "narrowed",
    "parse",
    "select",
]

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

    def input_bytes(self) -> int:
        """What this toolset adds to every conversation's context: see `input_bytes`."""
        return sum(input_bytes(tool) for tool in self.tools())


def input_bytes(tool: Tool) -> int:
    """The bytes a model reads for `tool` in tools/list: its name, description and compact JSON input schema."""
    schema = json.dumps(tool.parameters, separators=(",", ":"), ensure_ascii=False)
    return sum(len(text.encode()) for text in (tool.name, tool.description or "", schema))


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


# The toolsets the HTTP request being served asked for (?toolsets=), set by the gate; None: every one served.
_ASKED: ContextVar[frozenset[str] | None] = ContextVar("asked_toolsets", default=None)


@contextmanager
def asking(names: Iterable[str] | None) -> Iterator[None]:
    """Serve only the toolsets `names` (already checked with `select`) to the request handled in this context."""
    token = _ASKED.set(None if names is None else frozenset(names))
    try:
        yield
    finally:
        _ASKED.reset(token)


def narrowed(toolsets: Sequence[Toolset]) -> ServerMiddleware[Any]:
    """Middleware that serves only the toolsets an HTTP request asks for with ?toolsets= (see `asking`).

    tools/list leaves the others out, and tools/call refuses their tools as unknown.
    """
    owner = {tool.name: toolset.name for toolset in toolsets for tool in toolset.tools()}

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        wanted = _ASKED.get()
        if wanted is None or ctx.method not in ("tools/list", "tools/call"):
            return await call_next(ctx)
        if ctx.method == "tools/call":
            name = ctx.params.get("name") if isinstance(ctx.params, dict) else None
            if owner.get(str(name)) not in wanted:
                refusal = f"Unknown tool: {name} (this connector serves the toolsets {', '.join(sorted(wanted))})"
                return CallToolResult(content=[TextContent(type="text", text=refusal)], is_error=True)
            return await call_next(ctx)
        listed = await call_next(ctx)
        # The chain hands results on as the wire's dict (or as the model, if a handler returned one).
        if isinstance(listed, ListToolsResult):
            return listed.model_copy(update={"tools": [t for t in listed.tools if owner.get(t.name) in wanted]})
        if isinstance(listed, dict) and isinstance(listed.get("tools"), list):
            return {**listed, "tools": [t for t in listed["tools"] if owner.get(t.get("name")) in wanted]}
        return listed

    return middleware
