"""What can go wrong when talking to Anam, as exceptions whose messages a person can act on.

The tool layer turns every `AnamError` into an MCP error result; nothing here knows about MCP.
Messages never contain the API key or the Authorization header.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "AnamError",
    "AnamUnavailableError",
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionDroppedError",
    "InvalidRequestError",
    "MissingApiKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "UnreachableError",
    "UnreadableResponseError",
    "UpstreamTimeoutError",
]


class AnamError(Exception):
    """Base class: a call to the Anam API did not produce a usable answer."""


class MissingApiKeyError(AnamError):
    def __init__(self) -> None:
        super().__init__(
            "ANAM_API_KEY is not set. Create a key in Anam Lab (https://lab.anam.ai, API keys) and set it in the "
            'MCP server\'s environment (the "env" block of your client config, or a .env file), then restart '
            "the server."
        )


class ConfigurationError(AnamError):
    """Settings were invalid at start-up, so nothing is sent to Anam until they are fixed."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(
            f"The anam-mcp server is misconfigured, so it sends nothing to Anam: {'; '.join(problems)}. Fix this "
            'in the MCP server\'s environment (the "env" block of your client config, or a .env file), then '
            "restart the server."
        )


class AuthenticationError(AnamError):
    def __init__(self, status: int = 401) -> None:
        super().__init__(
            f"Anam rejected the API key ({status}). Check ANAM_API_KEY: it may be mistyped, revoked or for "
            "another environment."
        )


class PermissionDeniedError(AnamError):
    def __init__(self, detail: str | None) -> None:
        why = f": {detail}" if detail else ""
        super().__init__(
            f"Anam refused this request (403){why}. The key lacks permission, or your plan does not include "
            "this option (for example a gated avatar model such as cara-4-latest)."
        )


class NotFoundError(AnamError):
    def __init__(self, detail: str | None) -> None:
        why = f": {detail}" if detail else ""
        super().__init__(f"Anam could not find it (404){why}.")


class InvalidRequestError(AnamError):
    def __init__(self, status: int, detail: str | None) -> None:
        why = f": {detail}" if detail else ""
        super().__init__(f"Anam rejected the request as invalid ({status}){why}.")


class RateLimitedError(AnamError):
    def __init__(self, retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(f"Anam is rate limiting requests (429). Try again {_when(retry_after)}.")


def _when(seconds: float | None) -> str:
    """A wait as a person would say it: "in about 3 s", "in about 5 min", or "later" past an hour."""
    if seconds is None:
        return "in a few seconds"
    if not math.isfinite(seconds) or seconds > 3600:
        return "later"
    if seconds < 120:
        return f"in about {max(1, math.ceil(seconds))} s"
    return f"in about {math.ceil(seconds / 60)} min"


class AnamUnavailableError(AnamError):
    def __init__(self, status: int, detail: str | None = None, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        why = f": {detail}" if detail else ""
        super().__init__(f"Anam is unavailable or failed ({status}){why}. Try again later.")


class UpstreamTimeoutError(AnamError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"Anam did not answer within {seconds:g} s. Try again later.")


class UnreachableError(AnamError):
    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"Could not connect to the Anam API at {base_url}. Check the network, a proxy (HTTPS_PROXY) or "
            "ANAM_API_URL."
        )


class UnreadableResponseError(AnamError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Anam sent a response that could not be read ({reason}). Try again later.")


class ConnectionDroppedError(AnamError):
    def __init__(self) -> None:
        super().__init__("The connection to Anam broke before the response was complete. Try again.")
