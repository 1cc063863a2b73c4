"""How a tool is declared and answers: one argument model, a structured result with a summary, clear errors.

A tool is `async def name(ctx: Context[AppContext], args: SomeArguments) -> Annotated[CallToolResult, Result]`
whose docstring is its description (a question for the user first is one more parameter: see asking.py).
`model_tool` registers it so that `SomeArguments` *is* the input schema: unknown arguments are refused, and a
bad argument comes back as an error result in our words. Both schemas are published compact (schemas.py).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast, get_args, get_type_hints

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from ..api.errors import AnamError
from ..api.transport import ProgressCallback
from ..api.uploads import upload_seconds
from ..config import ConfigurationError
from .arguments import arguments_text
from .context import AppContext
from .schemas import arguments_schema, result_schema

__all__ = [
    "CREATES",
    "DESTRUCTIVE",
    "ENSURES",
    "READ_ONLY",
    "Hints",
    "guarded",
    "model_tool",
    "progress",
    "result",
    "usable",
]

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)
# Each call creates something new (a token, a persona, a share link): not idempotent, but nothing is destroyed.
CREATES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
# Overwrites or removes what exists; calling again with the same arguments changes nothing more.
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)
# Makes sure something exists (made, or found from before): calling again with the same arguments adds nothing.
ENSURES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

_T = TypeVar("_T")

# What to check when Anam rejects a request, by error type; one table per kind of request.
Hints = Mapping[type[AnamError], str]


class _ModelTool(Tool):
    """A tool whose function takes one argument model as `args`: the client sends that model's fields."""

    async def run(self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False) -> Any:
        model = _argument_model(self.fn)
        try:
            # Validated here, as sent. The SDK would first decode text that looks like JSON ('null', '{"a": 1}'),
            # turning a system prompt or a name into something else; and it would answer in pydantic's words.
            args = model.model_validate(arguments)
        except ValidationError as exc:
            raise ToolError(f"Error executing tool {self.name}: {arguments_text(exc, model.model_fields)}") from exc
        except Exception as exc:
            # A validator that crashes: like the SDK, keep its text off the wire (the server logs the cause).
            raise UnexpectedToolError(f"Error executing tool {self.name}") from exc
        # The SDK's own checks see `fn`'s signature, one `args` parameter, which takes the model as it is.
        return await super().run({"args": args}, context, convert_result)

    @functools.cached_property
    def output_schema(self) -> dict[str, Any] | None:
        return result_schema(_result_model(self.fn))


def model_tool(
    fn: Callable[..., Awaitable[CallToolResult]],
    title: str,
    annotations: ToolAnnotations,
    meta: dict[str, Any] | None = None,
) -> Tool:
    """A tool whose arguments are the model annotated on `fn`'s `args` parameter, and whose result is the model
    in its return annotation, `Annotated[CallToolResult, Result]`; both published as compact JSON schemas."""
    # The models' schemas take pydantic most of a server's build time: they are made once per tool function,
    # however many servers one process builds (the tests build hundreds).
    return _built(fn).model_copy(update={"title": title, "annotations": annotations, "meta": meta})


@functools.cache
def _built(fn: Callable[..., Awaitable[CallToolResult]]) -> Tool:
    tool = _ModelTool.from_function(fn, description=inspect.cleandoc(fn.__doc__ or ""))
    return tool.model_copy(update={"parameters": arguments_schema(_argument_model(fn))})


def _argument_model(fn: Callable[..., Any]) -> type[BaseModel]:
    model: type[BaseModel] = _hints(fn)["args"]
    return model


def _result_model(fn: Callable[..., Any]) -> type[BaseModel]:
    _, model = get_args(_hints(fn)["return"])
    return cast("type[BaseModel]", model)


@functools.cache
def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    return get_type_hints(fn, include_extras=True)


def result(model: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, plus a one-line summary and the same data as JSON text for models."""
    # pydantic writes the same compact JSON as json.dumps(data, ensure_ascii=False), several times faster.
    return CallToolResult(
        content=[TextContent(type="text", text=summary), TextContent(type="text", text=model.model_dump_json())],
        structured_content=model.model_dump(mode="json"),
    )


async def guarded(app: AppContext, work: Awaitable[_T], hints: Hints | None = None, *, uploading: int = 0) -> _T:
    """Await `work` within the per-call deadline, turning every anticipated failure into a ToolError.

    `hints` add what to check for this kind of request, by error type. `uploading`: the bytes `work` sends,
    which earn it the time they take on a slow link. With invalid settings nothing is awaited: the call
    answers with what to fix instead.
    """
    limit = app.settings.tool_timeout_seconds + upload_seconds(uploading)
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


def usable(app: AppContext) -> None:
    """Refuse the call, saying what to fix, when the settings are invalid: for a tool with work of its own
    (reading a file, a download) to do before it asks Anam anything through `guarded`."""
    if app.settings.problems:
        raise ToolError(str(ConfigurationError(app.settings.problems)))


def progress(ctx: Context[AppContext], what: str) -> ProgressCallback:
    """Progress notifications for a catalogue load, page by page."""

    async def report(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Loading {what}: page {done} of {total}")

    return report
