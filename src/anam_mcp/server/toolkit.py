"""How a tool is declared and answers: one argument model, a structured result with a summary, clear errors.

A tool is `async def name(ctx: Context[AppContext], args: SomeArguments) -> Annotated[CallToolResult, Result]`
whose docstring is its description; a question for the user comes in as one more parameter,
`answer: Annotated[ElicitationResult[X], Resolve(ask)]`. `model_tool` registers it so that `SomeArguments`
*is* the input schema: unknown arguments are refused, and a bad argument comes back as an error result in
our words. Both schemas are published compact: no titles, no null noise.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast, get_args, get_type_hints

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from mcp.types.version import is_version_at_least
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ..api.errors import AnamError
from ..api.transport import ProgressCallback
from ..config import ConfigurationError
from .arguments import arguments_text
from .context import AppContext

__all__ = [
    "CREATES",
    "DESTRUCTIVE",
    "ENSURES",
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
        return _output_schema(_result_model(self.fn))


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
    return tool.model_copy(update={"parameters": _input_schema(_argument_model(fn))})


def _argument_model(fn: Callable[..., Any]) -> type[BaseModel]:
    model: type[BaseModel] = _hints(fn)["args"]
    return model


def _result_model(fn: Callable[..., Any]) -> type[BaseModel]:
    _, model = get_args(_hints(fn)["return"])
    return cast("type[BaseModel]", model)


@functools.cache
def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    return get_type_hints(fn, include_extras=True)


class _CompactSchema(GenerateJsonSchema):
    """pydantic's JSON schema without its noise: no titles, a nullable field as `"type": [X, "null"]`, no
    `"default": null`. Descriptions, constraints and `required` stay as they are."""

    def field_title_should_be_set(self, schema: object) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return _untitled(super().model_schema(schema))

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        return _untitled(super().enum_schema(schema))

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        kind = inner.get("type")
        if not isinstance(kind, str) or kind == "null" or "const" in inner:
            return self.get_union_of_schemas([inner, {"type": "null"}])
        # Every other keyword (bounds, pattern, format) applies to its own type only, so null passes them.
        merged = {**inner, "type": [kind, "null"]}
        if "enum" in inner:
            merged["enum"] = [*inner["enum"], None]
        return merged

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


class _InputSchema(_CompactSchema):
    """A compact schema for arguments: a field whose default is null is simply optional, without null."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default", ...) is not None:
            return super().default_schema(schema)
        # Sending null and leaving the argument out are the same: one way to say it is enough.
        return _without_null(super().default_schema(schema))


def _untitled(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    json_schema.pop("title", None)
    return json_schema


def _without_null(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    kind = json_schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [k for k in kind if k != "null"]
        json_schema["type"] = rest[0] if len(rest) == 1 else rest
        if "enum" in json_schema:
            json_schema["enum"] = [value for value in json_schema["enum"] if value is not None]
    elif "anyOf" in json_schema:
        options = [option for option in json_schema.pop("anyOf") if option != {"type": "null"}]
        json_schema = {**options[0], **json_schema} if len(options) == 1 else {"anyOf": options, **json_schema}
    return json_schema


@functools.cache
def _input_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=_InputSchema)
    # The model's docstring is for the code's readers; the tool's description speaks to the model.
    schema.pop("description", None)
    return schema


@functools.cache
def _output_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(schema_generator=_CompactSchema)


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
