"""The README's Claude Desktop entry, started exactly as it says, so the documentation cannot drift."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from anam_fake import FakeAnam

from .helpers import ROOT, network_env

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


async def test_readme_entry_starts_the_server(fake: FakeAnam, tmp_path: Path) -> None:
    uvx = shutil.which("uvx")
    assert uvx, "uvx is part of the test command's setup (pip install uv)"
    entry = readme_entry()
    args = [str(a).replace("/ABSOLUTE/PATH/TO/anam-mcp", str(ROOT)) for a in entry["args"]]
    env = {k: str(v).replace("your-anam-api-key", fake.api_key) for k, v in entry["env"].items()}
    env |= {"ANAM_API_URL": fake.url, "ANAM_PREFETCH": "false"}  # the fake stands in for api.anam.ai
    env |= network_env()
    params = StdioServerParameters(command=uvx, args=args, env=env, cwd=str(tmp_path))
    async with Client(params, read_timeout_seconds=240) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "create_session_token" in tools
        persona_id = fake.catalogues["/v1/personas"][0]["id"]
        result = await client.call_tool("create_session_token", {"persona_id": persona_id})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["mode"] == "persona"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install uv && uv run anam-mcp\n" in readme
    assert "python3 -m pip install uv && uv run pytest\n" in readme
    assert "python3 -m pip install --quiet uv" in ci
    assert ci.rstrip().endswith("uv run pytest")
