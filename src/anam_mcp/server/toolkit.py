"""How a tool is declared and answers: one argument model, a structured result with a summary, clear errors.

A tool is `async def name(ctx: Context[AppContext], args: SomeArguments) -> Annotated[CallToolResult, Result]`
whose docstring is its description; a question for the user comes in as one more parameter,
`answer: Annotated[ElicitationResult[X], Resolve(ask)]`, where `ask` returns `ask_first(...)` and the tool
goes ahead only if `agreed(answer)`. `model_tool` registers it so that `SomeArguments`
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
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from mcp.types.version import is_version_at_least
from pydantic import BaseModel, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ..api.errors import AnamError
from ..api.transport import ProgressCallback
from ..api.uploads import upload_seconds
from ..config import ConfigurationError
from .arguments import arguments_text
from .context import AppContext

__all__ = [
    "CREATES",
    "DESTRUCTIVE",
    "ENSURES",
    "READ_ONLY",
    "Confirmation",
    "DeleteConfirmation",
    "Hints",
    "YesNo",
    "agreed",
    "ask_first",
    "asking_to_delete",
    "can_elicit",
    "demo_notice",
    "guarded",
    "log_tool_calls",
    "model_tool",
    "progress",
    "result",
    "usable",
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
_YesNoT = TypeVar("_YesNoT", bound="YesNo")

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


class Confirmation(YesNo):
    """The user's answer before something is ended for good (the question names it)."""

    confirm: bool = Field(title="Go ahead", description="Yes to go ahead; it cannot be undone.")


class DeleteConfirmation(YesNo):
    """The user's answer before something is deleted for good (the question names it)."""

    confirm: bool = Field(title="Delete it", description="Yes to delete it for good.")


async def ask_first(
    ctx: Context[AppContext], answer: type[_YesNoT], question: str | Callable[[], Awaitable[str | None]]
) -> Elicit[_YesNoT] | _YesNoT:
    """What a `Resolve` resolver returns to ask the user `question` first, where the client can ask.

    Where it cannot, the answer is yes: the tool is marked destructive (so the host asks), or its description
    tells the model to ask. `question` may be a coroutine function: it runs only when the question is asked
    (naming what is at stake may take a request), and None from it means there is nothing to ask about (the
    thing is gone already: the tool then says so).
    """
    if not can_elicit(ctx):
        return answer(confirm=True)
    asked = question if isinstance(question, str) else await question()
    return answer(confirm=True) if asked is None else Elicit(asked, answer)


def asking_to_delete(describe: Callable[[Context[AppContext], Any], Awaitable[str]]) -> Resolve:
    """A resolver for a delete tool's `answer` parameter: "Delete <what>? This cannot be undone.", `what` being
    `describe(ctx, args)`, the thing by name (read from Anam only when there is someone to ask)."""

    async def confirm(ctx: Context[AppContext], args: Any) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
        async def question() -> str:
            return f"Delete {await describe(ctx, args)}? This cannot be undone."

        return await ask_first(ctx, DeleteConfirmation, question)

    return Resolve(confirm)


def agreed(answer: ElicitationResult[Any]) -> bool:
    """Whether the user said yes to the question `ask_first` asked (declined, cancelled or no: nothing happens)."""
    return isinstance(answer, AcceptedElicitation) and isinstance(answer.data, YesNo) and answer.data.confirm


def progress(ctx: Context[AppContext], what: str) -> ProgressCallback:
    """Progress notifications for a catalogue load, page by page."""

    async def report(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Loading {what}: page {done} of {total}")

    return report


async def log_tool_calls(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """One log line per tool call and resource read: what, the outcome, the duration, and for a failure our
    message (which never echoes arguments). Never arguments or results (they may hold tokens).

    The SDK's own line for each failure is left out (see logs.py), so each failure is logged once, here.
    """
    params = ctx.params if isinstance(ctx.params, dict) else {}
    if ctx.method == "tools/call":
        what = f"tool {params.get('name')}"
    elif ctx.method == "resources/read":
        what = f"resource {params.get('uri')}"
    else:
        return await call_next(ctx)
    started = time.perf_counter()
    try:
        outcome = await call_next(ctx)
    except MCPError as exc:
        logger.info("%s: error in %.1f ms: %s", what, _elapsed_ms(started), _one_line(exc.error.message))
        raise
    except BaseException:
        logger.info("%s: protocol error after %.1f ms", what, _elapsed_ms(started))
        raise
    data = outcome.model_dump(by_alias=True) if isinstance(outcome, BaseModel) else outcome
    if isinstance(data, dict) and data.get("isError"):
        content = data.get("content") or [{}]
        said = str(content[0].get("text", "")).removeprefix(f"Error executing {what}: ")
        logger.info("%s: error in %.1f ms: %s", what, _elapsed_ms(started), _one_line(said))
    else:
        logger.info("%s: ok in %.1f ms", what, _elapsed_ms(started))
    return outcome


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _one_line(text: str) -> str:
    return " ".join(text.split())


def demo_notice(notice: str) -> ServerMiddleware[Any]:
    """Middleware that ends every tool result's summary (its first text block), errors included, with `notice`."""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        outcome = await call_next(ctx)
        # Innermost in the chain, it sees the tool's result as the wire's dict.
        if ctx.method != "tools/call" or not isinstance(outcome, dict):
            return outcome
        content = outcome.get("content")
        if not (isinstance(content, list) and content and content[0].get("type") == "text"):
            return outcome
        return {**outcome, "content": [{**content[0], "text": f"{content[0]['text']} {notice}"}, *content[1:]]}

    return middleware
