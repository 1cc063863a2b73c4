"""What can go wrong when talking to Anam, as exceptions whose messages a person can act on.

Three families, as in httpx: `StatusError` (Anam answered with an error status), `TransportError` (no
usable answer arrived) and `UnreadableResponseError` (an answer arrived that cannot be read). Each class
knows whether trying again may help (`retryable`); the transport decides how often. The tool layer turns
every `AnamError` into an MCP error result; nothing here knows about MCP. Messages never contain the API
key or the Authorization header.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

__all__ = [
    "AnamError",
    "AnamUnavailableError",
    "AuthenticationError",
    "ConnectionDroppedError",
    "InvalidRequestError",
    "MissingApiKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "PoolBusyError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "StatusError",
    "TransportError",
    "UnreachableError",
    "UnreadableResponseError",
    "UploadRejectedError",
    "UpstreamTimeoutError",
    "found",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")

# Gateway failures: the request may not have reached Anam's application, so a repeat may succeed.
_RETRYABLE_STATUS = frozenset({502, 503, 504})


class AnamError(Exception):
    """Base class: a call to the Anam API did not produce a usable answer."""

    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed if sent again (for a request that may be repeated)."""
        return False


class MissingApiKeyError(AnamError):
    def __init__(self) -> None:
        super().__init__(
            "ANAM_API_KEY is not set. Create a key in Anam Lab (https://lab.anam.ai, API keys) and set it in the "
            'MCP server\'s environment (the "env" block of your client config, or a .env file), then restart '
            "the server."
        )


class StatusError(AnamError):
    """Anam answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def _why(detail: str | None) -> str:
    return f": {detail}" if detail else ""


class AuthenticationError(StatusError):
    def __init__(self, status: int = 401, key_source: str = "ANAM_API_KEY") -> None:
        """`key_source`: where the key came from, in words, which is where to fix it."""
        super().__init__(
            status,
            f"Anam rejected the API key ({status}). Check {key_source}: it may be mistyped, revoked or for "
            "another environment.",
        )


class PermissionDeniedError(StatusError):
    def __init__(self, detail: str | None) -> None:
        super().__init__(
            403,
            f"Anam refused this request (403){_why(detail)}. The key lacks permission, or your plan does not "
            "include this option (for example a gated avatar model such as cara-4-latest).",
        )


class NotFoundError(StatusError):
    def __init__(self, detail: str | None) -> None:
        super().__init__(404, f"Anam could not find it (404){_why(detail)}.")


class InvalidRequestError(StatusError):
    def __init__(self, status: int, detail: str | None) -> None:
        super().__init__(status, f"Anam rejected the request as invalid ({status}){_why(detail)}.")


class RateLimitedError(StatusError):
    """429. `limit` names the limit that was used up, when Anam says which (e.g. "10 a minute for each requester")."""

    def __init__(self, retry_after: float | None, limit: str | None = None) -> None:
        self.retry_after = retry_after
        used_up = f": the limit of {limit} is used up" if limit else ""
        super().__init__(429, f"Anam is rate limiting requests (429){used_up}. Try again {_when(retry_after)}.")

    @property
    def retryable(self) -> bool:
        return True


class AnamUnavailableError(StatusError):
    def __init__(self, status: int, detail: str | None = None, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(status, f"Anam is unavailable or failed ({status}){_why(detail)}. Try again later.")

    @property
    def retryable(self) -> bool:
        return self.status in _RETRYABLE_STATUS


class UploadRejectedError(StatusError):
    """The storage Anam gave an upload URL for refused the file sent there (its answers are not Anam's)."""

    def __init__(self, status: int) -> None:
        super().__init__(
            status,
            f"Anam's file storage refused the upload ({status}). Try again; if it fails again, the file's type "
            "or size is not accepted.",
        )


def _when(seconds: float | None) -> str:
    """A wait as a person would say it: "in about 3 s", "in about 5 min", or "later" past an hour."""
    if seconds is None:
        return "in a few seconds"
    if not math.isfinite(seconds) or seconds > 3600:
        return "later"
    if seconds < 120:
        return f"in about {max(1, math.ceil(seconds))} s"
    return f"in about {math.ceil(seconds / 60)} min"


class TransportError(AnamError):
    """No usable answer arrived: the connection failed, broke or was too slow. Worth another try."""

    @property
    def retryable(self) -> bool:
        return True


class UnreachableError(TransportError):
    """The connection could not be made, so the request certainly never reached Anam."""

    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"Could not connect to the Anam API at {base_url}. Check the network, a proxy (HTTPS_PROXY) or "
            "ANAM_API_URL."
        )


class UpstreamTimeoutError(TransportError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"Anam did not answer within {seconds:g} s. Try again later.")


class ConnectionDroppedError(TransportError):
    def __init__(self) -> None:
        super().__init__("The connection to Anam broke before the response was complete. Try again.")


class PoolBusyError(AnamError):
    """Every connection to Anam that this server may give the caller is busy with other requests: nothing was
    sent. Not retried: the wait was the retry."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"This server's connections to Anam stayed busy with other requests for {seconds:g} s "
            "(ANAM_POOL_TIMEOUT_SECONDS), so nothing was sent. Try again in a few seconds."
        )


class UnreadableResponseError(AnamError):
    def __init__(self, reason: str, advice: str = "Try again later.") -> None:
        super().__init__(f"Anam sent a response that could not be read ({reason}). {advice}")


class ResponseTooLargeError(UnreadableResponseError):
    """An answer over ANAM_MAX_RESPONSE_BYTES: asking again gets the same answer, so the advice is the setting."""

    def __init__(self, limit: int) -> None:
        size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit / 2**10:g} KiB"
        super().__init__(
            f"larger than the {size} limit",
            "It will be as large next time: to read it, raise ANAM_MAX_RESPONSE_BYTES in the MCP server's environment.",
        )


async def found(read: Callable[_P, Awaitable[_T]], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
    """What `read(*args, **kwargs)` (a read of one thing) returns, or None when Anam has no such thing (it is
    gone). The read starts only when this is awaited, so an unawaited `found(...)` leaves nothing pending."""
    try:
        return await read(*args, **kwargs)
    except NotFoundError:
        return None
