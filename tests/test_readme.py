"""The README's commands and its Claude Desktop entry, so the documentation cannot drift (Claude Code starts the
entry as written: tests/test_real_clients.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .helpers import ROOT

pytestmark = pytest.mark.anyio


def readme_entry() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- claude-desktop-config -->\s*```json\n(.*?)```", text, re.S)
    assert block, "the README lost its Claude Desktop snippet"
    entry: dict[str, Any] = json.loads(block.group(1))["mcpServers"]["anam"]
    return entry


def test_readme_entry_uses_uvx_from_a_path_never_the_pypi_name() -> None:
    entry = readme_entry()
    assert str(entry["command"]).endswith("/uvx")
    assert str(entry["command"]).startswith("/")
    assert entry["args"] == ["--from", "/ABSOLUTE/PATH/TO/anam-mcp", "anam-mcp"]
    assert set(entry["env"]) == {"ANAM_API_KEY"}


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install uv && uv run anam-mcp\n" in readme
    assert "python3 -m pip install uv && uv run pytest\n" in readme
    assert "python3 -m pip install --quiet uv" in ci
    assert ci.rstrip().endswith("uv run pytest")
