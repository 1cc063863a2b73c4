"""How a tool is declared and answers: one argument model, a structured result with a summary, clear errors.

A tool is `async def name(ctx: Context[AppContext], args: SomeArguments) -> Annotated[CallToolResult, Result]`
whose docstring is its description. `model_tool` registers it so that `SomeArguments` *is* the input
schema: unknown arguments are refused, and a bad argument comes back as an error result in our words.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, get_type_hints

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from mcp.types.version import is_version_at_least
from pydantic import BaseModel, ValidationError

from ..api.errors import AnamError
from ..api.transport import ProgressCallback
from ..config import ConfigurationError
from .arguments import arguments_text
from .context import AppContext

__all__ = [
    "CREATES",
    "DESTRUCTIVE",
    "READ_ONLY",
    "Hints",
    "can_elicit",
    "guarded",
    "log_tool_calls",
    "model_tool",
    "progress",
    "result",
]

logger = logging.getLogger(__name__)

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)
# Each call creates something new (a token, a persona, a share link): not idempotent, but nothing is destroyed.
CREATES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
# Overwrites or removes what exists; calling again with the same arguments changes nothing more.
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)

_T = TypeVar("_T")

# What to check when Anam rejects a request, by error type; one table per kind of request.
Hints = Mapping[type[AnamError], str]


class _ArgumentModel(ArgModelBase):
    """Mixed into a tool's argument model: the tool function receives the validated model as `args`."""

    def model_dump_one_level(self) -> dict[str, Any]:
        return {"args": self}


class _Metadata(FuncMetadata):
    def pre_parse_json(self, data: dict[str, Any]) -> dict[str, Any]:
        # The SDK would decode text that looks like JSON ('null', '{"a": 1}') before validation, turning a
        # system prompt or a name into something else. Every argument here is a scalar: text stays text.
        return data


class _ModelTool(Tool):
    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        try:
            return await super().run(arguments, context, convert_result)
        except ToolError as exc:
            # Only the SDK's own ToolError carries the arguments' ValidationError: a failure inside the
            # tool is an UnexpectedToolError. Say what is wrong in the project's words, not pydantic's.
            if type(exc) is ToolError and isinstance(exc.__cause__, ValidationError):
                problem = arguments_text(exc.__cause__, self.fn_metadata.arg_model.model_fields)
                raise ToolError(f"Error executing tool {self.name}: {problem}") from exc.__cause__
            raise


def model_tool(
    fn: Callable[..., Awaitable[CallToolResult]],
    title: str,
    annotations: ToolAnnotations,
    meta: dict[str, Any] | None = None,
) -> Tool:
    """A tool whose arguments are the model annotated on `fn`'s `args` parameter."""
    # The argument model and the schemas take pydantic most of a server's build time: they are made once per
    # tool function, however many servers one process builds (the tests build hundreds).
    return _built(fn).model_copy(update={"title": title, "annotations": annotations, "meta": meta})


@functools.cache
def _built(fn: Callable[..., Awaitable[CallToolResult]]) -> Tool:
    tool = _ModelTool.from_function(fn, description=inspect.cleandoc(fn.__doc__ or ""))
    model: type[BaseModel] = get_type_hints(fn)["args"]
    arguments: type[ArgModelBase] = type(
        f"{tool.name}Arguments", (model, _ArgumentModel), {"__module__": model.__module__}
    )
    built = tool.fn_metadata
    tool.fn_metadata = _Metadata(
        arg_model=arguments,
        output_schema=built.output_schema,
        output_model=built.output_model,
        wrap_output=built.wrap_output,
    )
    tool.parameters = arguments.model_json_schema()
    return tool


def result(model: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, plus a one-line summary and the same data as JSON text for models."""
    # pydantic writes the same compact JSON as json.dumps(data, ensure_ascii=False), several times faster.
    return CallToolResult(
        content=[TextContent(type="text", text=summary), TextContent(type="text", text=model.model_dump_json())],
        structured_content=model.model_dump(mode="json"),
    )


async def guarded(app: AppContext, work: Awaitable[_T], hints: Hints | None = None) -> _T:
    """Await `work` within the per-call deadline, turning every anticipated failure into a ToolError.

    `hints` add what to check for this kind of request, by error type. With invalid settings
    nothing is awaited: the call answers with what to fix instead.
    """
    limit = app.settings.tool_timeout_seconds
    try:
        if app.settings.problems:
            if inspect.iscoroutine(work):
                work.close()  # never started: closing it spares a "never awaited" warning
            raise ConfigurationError(app.settings.problems)
        with anyio.fail_after(limit):
            return await work
    except (AnamError, ConfigurationError) as exc:
        hint = hints.get(type(exc)) if hints and isinstance(exc, AnamError) else None
        raise ToolError(f"{exc} {hint}" if hint else str(exc)) from exc
    except TimeoutError as exc:
        raise ToolError(f"The call did not finish within {limit:g} s: Anam is slow or unreachable. Try again.") from exc


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


def progress(ctx: Context[AppContext], what: str) -> ProgressCallback:
    """Progress notifications for a catalogue load, page by page."""

    async def report(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Loading {what}: page {done} of {total}")

    return report


async def log_tool_calls(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """One log line per tool call: name, outcome, duration. Never arguments or results (they may hold tokens)."""
    if ctx.method != "tools/call":
        return await call_next(ctx)
    name = ctx.params.get("name") if isinstance(ctx.params, dict) else None
    started = time.perf_counter()
    try:
        outcome = await call_next(ctx)
    except BaseException:
        logger.info("tool %s: protocol error after %.1f ms", name, (time.perf_counter() - started) * 1000)
        raise
    failed = getattr(outcome, "is_error", None) or (isinstance(outcome, dict) and outcome.get("isError"))
    logger.info("tool %s: %s in %.1f ms", name, "error" if failed else "ok", (time.perf_counter() - started) * 1000)
    return outcome
