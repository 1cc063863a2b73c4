"""What the client takes as a streamed request body (an `Upload`), and the extra time its size earns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ["Upload", "upload_seconds"]

# The slowest upload speed given time to finish (2 Mbit/s): a request with a body gets the time its size needs
# at this speed on top of every limit. A stalled upload still fails at the write timeout.
_SLOWEST_UPLOAD_BYTES_PER_SECOND = 256 * 1024


class Upload(Protocol):
    """A request body streamed from its source (a file on disk, say), that can be sent again on a retry."""

    def headers(self) -> dict[str, str]: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


def upload_seconds(size: int) -> float:
    """The time `size` bytes of a request body may take to send, on top of the usual limits."""
    return size / _SLOWEST_UPLOAD_BYTES_PER_SECOND
