"""The Anam side of the server: no MCP here.

`transport` sends requests (retries, budgets), `pages` reads paginated lists, `decoding` reads answers,
`multipart` streams uploads, `errors` says what went wrong. Each API area has one module holding its
endpoint paths, its records and its calls: `catalogue`, `personas`, `sessions`, `share_links`.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable

import anyio

from .records import prepare_parsing

__all__ = ["prepare_requests", "warm_up"]

logger = logging.getLogger(__name__)


async def prepare_requests() -> None:
    """Load the retry library, which every request needs (it is imported on first use, so that `--version`
    starts faster), in a worker thread."""
    await _best_effort(functools.partial(importlib.import_module, "stamina"))


async def warm_up() -> None:
    """Build the record validators (deferred at import to start faster) in a worker thread, ahead of the first
    answer to parse."""
    await _best_effort(prepare_parsing)


async def _best_effort(work: Callable[[], object]) -> None:
    """Run `work` in a worker thread; what fails here fails again, and is reported, where it is needed."""
    try:
        await anyio.to_thread.run_sync(work)
    except Exception:
        logger.debug("Warm-up failed", exc_info=True)
