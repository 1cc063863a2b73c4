"""The test helpers that decide whether a test runs at all."""

from __future__ import annotations

import shutil
import time

import pytest

from . import helpers


def test_the_npm_check_gives_up_quickly_when_the_registry_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Unbounded, npm retries a refused registry for over a minute.
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed: there is no registry check to time")
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9")
    monkeypatch.setattr(helpers, "_NPM_CHECK_SECONDS", 0.5)
    started = time.monotonic()
    reason = helpers.npm_unavailable.__wrapped__("@modelcontextprotocol/inspector@0.22.0")
    assert time.monotonic() - started < 3
    assert reason is not None
    assert "npm registry" in reason
