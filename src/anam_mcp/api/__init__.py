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

__all__ = ["prepare_requests", "warm_up"]

logger = logging.getLogger(__name__)


def prepare_requests() -> None:
    """Load the retry library, which every request needs (it is imported on first use, so that `--version`
    starts faster). Best effort: what fails here fails again on the first request."""
    try:
        importlib.import_module("stamina")
    except Exception:
        logger.debug("Loading the retry library failed", exc_info=True)


async def warm_up() -> None:
    """Build the record validators (deferred at import to start faster) in a worker thread, ahead of the first
    answer to parse. Best effort: what fails here fails again on the first answer."""
    try:
        await anyio.to_thread.run_sync(prepare_parsing)
    except Exception:
        logger.debug("Warm-up failed", exc_info=True)
