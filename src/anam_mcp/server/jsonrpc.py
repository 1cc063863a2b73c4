"""Messages the SDK would drop without a word, or answer with a library's dump, answered in JSON-RPC's words.

The SDK drops a line that is not JSON, a batch, or a message with an unreadable id over stdio, and over HTTP
answers a message of the wrong shape with a pydantic dump; both transports check each message here first.
A lone UTF-16 surrogate escape ("\\ud800"), which the SDK's JSON reader refuses, is read as U+FFFD instead,
as an invalid UTF-8 byte is, so the request is answered under its own id.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import (
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCNotification,
    RequestId,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError

__all__ = ["screened"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def screened(line: str) -> str | JSONRPCError:
    """`line` (one message) as the SDK may take it, or the error to answer it with instead.

    The line comes back unchanged unless it holds a lone surrogate escape, which is read as U+FFFD.
    """
    try:
        message = jsonrpc_message_adapter.validate_json(line, by_name=False)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            repaired = _without_lone_surrogates(line)
            if repaired is None:
                return _error(None, PARSE_ERROR, "Parse error: the message is not valid JSON")
            return screened(repaired)
        return _invalid(_parsed(line))
    # An id that is not a string or an integer makes the SDK read a request as a notification,
    # which is never answered.
    if isinstance(message, JSONRPCNotification) and '"id"' in line:
        data = _parsed(line)
        if isinstance(data, dict) and "id" in data:
            return _error(None, INVALID_REQUEST, "Invalid Request: the id must be a string or an integer")
    return line


def _without_lone_surrogates(line: str) -> str | None:
    """`line` with each lone surrogate read as U+FFFD, if it is JSON with one; None otherwise.

    Python's JSON reader accepts a lone surrogate escape (and joins a valid pair), so any surrogate left in
    what it read is a lone one.
    """
    data = _parsed(line)
    if data is None or not _SURROGATE.search(text := json.dumps(data, ensure_ascii=False, separators=(",", ":"))):
        return None
    return _SURROGATE.sub("\ufffd", text)


def _parsed(line: str) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _invalid(data: Any) -> JSONRPCError:
    if isinstance(data, list):
        return _error(None, INVALID_REQUEST, "Invalid Request: batches are not supported, send one message at a time")
    # Answer a request by its id when it can be read; never answer what looks like a response.
    request_id = data.get("id") if isinstance(data, dict) and "method" in data else None
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        request_id = None
    return _error(
        request_id,
        INVALID_REQUEST,
        'Invalid Request: a message needs "jsonrpc": "2.0", a string method, an id that is a string or an '
        "integer (for a request) and params that are an object",
    )


def _error(request_id: RequestId | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))
