"""Middleware around every request the server answers: a log line per tool call and resource read, and the
demo's notice on every tool result."""

from __future__ import annotations

import logging
import time
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

__all__ = ["demo_notice", "log_tool_calls"]

logger = logging.getLogger(__name__)


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
