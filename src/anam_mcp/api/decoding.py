"""Reading Anam's answers: size caps, JSON decoding, text cleaning, and parsing big bodies off the event loop.

Everything Anam sends passes through here before anything else reads it, so invalid UTF-8, lone surrogates
and control characters never reach a result, a log line or the stdio writer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import httpx2
from pydantic import BaseModel, ValidationError

from .errors import ResponseTooLargeError, UnreadableResponseError

__all__ = ["error_detail", "off_the_loop_if_large", "parse_json", "parse_one", "read_capped"]

# Bodies at least this large are parsed in a worker thread, so the server keeps answering meanwhile.
_THREAD_PARSE_BYTES = 256 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
_DETAIL_MAX_CHARS = 300

ModelT = TypeVar("ModelT", bound=BaseModel)
_R = TypeVar("_R")


async def read_capped(response: httpx2.Response, cap: int) -> bytes:
    """The whole body, refused once it passes `cap` bytes (declared or actually sent)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise ResponseTooLargeError(cap)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise ResponseTooLargeError(cap)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """Anam's JSON as Python values whose text is all valid Unicode; UnreadableResponseError if it is not JSON.

    Invalid UTF-8 and lone UTF-16 surrogates (`"\\ud83d"`, which json.loads accepts) become U+FFFD here, at the
    boundary: a surrogate that reached a result would make the stdio writer fail and stop the server.
    """
    text = body.decode("utf-8-sig", errors="replace")
    try:
        payload = json.loads(text)
        # Only a \u escape can produce a surrogate: most bodies have none and are not walked.
        return _valid_text(payload) if "\\ud" in text or "\\uD" in text else payload
    except RecursionError as exc:
        raise UnreadableResponseError("nested too deeply") from exc
    except ValueError as exc:
        raise UnreadableResponseError("not JSON") from exc


def _valid_text(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    return value


def parse_one(model: type[ModelT], raw: bytes, what: str) -> ModelT:
    """`raw` as one `model`, or UnreadableResponseError naming `what` was expected."""
    try:
        return model.model_validate(parse_json(raw))
    except ValidationError as exc:
        raise UnreadableResponseError(f"{what} is not in the expected shape") from exc


def error_detail(body: bytes, secret: str | None) -> str | None:
    """Anam's own message from an error body, cleaned and short; None for HTML or other non-JSON bodies."""
    try:
        payload = parse_json(body)
    except UnreadableResponseError:
        return None
    if not isinstance(payload, dict):
        return None
    parts = [payload.get(k) for k in ("message", "error", "summary")]
    text = next((p for p in parts if isinstance(p, str) and p.strip()), None)
    if text is None and isinstance(payload.get("message"), list):  # some frameworks send a list
        text = "; ".join(str(m) for m in payload["message"])
    if text is None:
        return None
    text = re.sub(r"\s+", " ", "".join(ch for ch in text if ch.isprintable() or ch.isspace())).strip()
    if secret:
        text = text.replace(secret, "[redacted]")
    return text[:_DETAIL_MAX_CHARS] or None


async def off_the_loop_if_large(size: int, work: Callable[[], _R]) -> _R:
    """Run `work` (parsing a body of `size` bytes) in a worker thread when it is large enough to stall the loop."""
    if size < _THREAD_PARSE_BYTES:
        return work()
    return await anyio.to_thread.run_sync(work)
