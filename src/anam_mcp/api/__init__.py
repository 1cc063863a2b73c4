"""The Anam side of the server: no MCP here.

`transport` sends requests (retries, budgets), `pages` reads paginated lists, `decoding` reads answers,
`multipart` streams uploads, `errors` says what went wrong. Each API area has one module holding its
endpoint paths, its records and its calls: `catalogue`, `personas`, `sessions`, `share_links`, `knowledge`,
`persona_tools`.
"""

from __future__ import annotations

import importlib
import logging

import anyio

from .records import prepare_parsing

__all__ = ["warm_up"]

logger = logging.getLogger(__name__)


async def warm_up() -> None:
    """Load the retry library and build the record validators (deferred at import to start faster), in a
    worker thread, ahead of the first call. Best effort: what fails here fails again on the first request."""
    try:
        await anyio.to_thread.run_sync(_prepare)
    except Exception:
        logger.debug("Warm-up failed", exc_info=True)


def _prepare() -> None:
    importlib.import_module("stamina")
    prepare_parsing()
