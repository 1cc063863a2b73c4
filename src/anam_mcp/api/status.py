"""A failed answer from Anam as the AnamError it means, with the wait Anam asks for before another try
(`Retry-After`, and its rate-limit windows' headers)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx2

from .decoding import error_detail
from .errors import (
    AnamError,
    AnamUnavailableError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)

__all__ = ["status_error"]


def status_error(
    status: int, body: bytes, headers: httpx2.Headers, *, api_key: str | None, key_source: str
) -> AnamError:
    """The error a 4xx or 5xx answer means. `api_key` is kept out of the detail quoted from `body`; `key_source`
    says where the key came from, for the error that says Anam rejected it."""
    detail = error_detail(body, api_key)
    if status == 401:
        return AuthenticationError(status, key_source)
    if status == 403:
        return PermissionDeniedError(detail)
    if status == 404:
        return NotFoundError(detail)
    if status == 429:
        return _rate_limited(headers)
    if status >= 500:
        return AnamUnavailableError(status, detail, _retry_after(headers))
    return InvalidRequestError(status, detail)


# Anam's rate-limit windows, as its meeting-invite answers send them: the headers of each window's limit,
# what is left of it and the seconds until it resets, and the limit in words.
_WINDOWS = (
    ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "{} a minute for each requester"),
    (
        "x-ratelimit-org-hour-limit",
        "x-ratelimit-org-hour-remaining",
        "x-ratelimit-org-hour-reset",
        "{} an hour for the organisation",
    ),
)


def _rate_limited(headers: httpx2.Headers) -> RateLimitedError:
    """A 429, waiting until every window that is used up has reset, and naming the longest of them."""
    spent: list[tuple[float, str]] = []
    for limit, remaining, reset, words in _WINDOWS:
        seconds = _seconds(headers.get(reset))
        if headers.get(remaining, "").strip() == "0" and seconds is not None:
            spent.append((seconds, words.format(headers.get(limit, "").strip() or "requests")))
    wait = _retry_after(headers)
    if not spent:
        return RateLimitedError(wait)
    seconds, words = max(spent)
    return RateLimitedError(max(seconds, wait or 0.0), words)


def _seconds(value: str | None) -> float | None:
    """A count of seconds from a header; None for anything else."""
    try:
        seconds = float(value.strip()) if value else math.nan
    except ValueError:
        return None
    return None if math.isnan(seconds) else max(0.0, seconds)


def _retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or `RateLimit-Reset`."""
    for name in ("retry-after", "ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        seconds = _seconds(value)
        if seconds is not None:
            return seconds
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None
