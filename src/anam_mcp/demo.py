"""`anam-mcp --demo`: the server against the fake Anam API that ships beside it (the `anam_fake` package), with
its sample catalogues, personas and conversations, so that everything can be tried without an Anam account.

Nothing reaches Anam: the fake runs in this process, on 127.0.0.1, and replaces ANAM_API_URL and ANAM_API_KEY.
Every tool result, the server's instructions and its start-up line say that it is a demo.
"""

from __future__ import annotations

import logging
import os

__all__ = ["INSTRUCTIONS", "NOTICE", "serve_fake_anam"]

NOTICE = "(Demo: sample data from a fake Anam API; its session tokens and share links do not work with Anam.)"
INSTRUCTIONS = (
    "This is a demo (anam-mcp --demo): every result comes from a fake Anam API with sample data, and its session "
    "tokens and share links do not work with Anam. Say so whenever you show one."
)

logger = logging.getLogger(__name__)


def serve_fake_anam() -> None:
    """Start the fake Anam API for the life of the process and point this process's environment at it (HTTP
    workers, which build their server from the environment, inherit it)."""
    from anam_fake import FakeAnam

    # It serves the avatars' pictures and the voices' samples too, so the views show and play them.
    fake = FakeAnam(serve_media=True).start()
    os.environ.update(ANAM_DEMO="true", ANAM_API_URL=fake.url, ANAM_API_KEY=fake.api_key)
    logger.warning(
        "Demo: serving sample data from a fake Anam API at %s (ANAM_API_URL and ANAM_API_KEY are ignored); its "
        "session tokens and share links do not work with Anam",
        fake.url,
    )
