"""Toolsets: ANAM_TOOLSETS picks the API areas served, over stdio and HTTP; an unknown name is refused with the
valid list; --check shows what each costs in context."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from mcp import Client

from anam_fake import FakeAnam
from anam_mcp.server import build_server
from anam_mcp.server.tools import TOOLSETS

from .helpers import ROOT, SERVER_COMMAND, make_settings, server_env, text

pytestmark = pytest.mark.anyio

NAMES = [
    "catalogue",
    "personas",
    "sessions",
    "history",
    "share_links",
    "knowledge",
    "persona_tools",
    "media",
    "meetings",
]


def test_every_area_is_one_toolset_and_every_tool_is_in_exactly_one() -> None:
    assert [toolset.name for toolset in TOOLSETS] == NAMES
    names = [tool.name for toolset in TOOLSETS for tool in toolset.tools()]
    assert len(names) == len(set(names)) == 37


async def test_anam_toolsets_serves_only_the_areas_named(fake: FakeAnam) -> None:
    async with Client(build_server(make_settings(fake, toolsets=("catalogue", "share_links")))) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        resources = {str(resource.uri) for resource in (await client.list_resources()).resources}
        instructions = client.instructions or ""
        refused = await client.call_tool("save_persona", {"name": "Nope"})
    assert tools == {
        "search_avatars",
        "search_voices",
        "list_llms",
        "create_share_link",
        "list_share_links",
        "revoke_share_link",
    }
    assert {"anam://avatars", "anam://voices", "anam://llms"} <= resources
    assert "create_share_link" in instructions and "save_persona" not in instructions
    assert refused.is_error and "save_persona" in text(refused)
    assert fake.requests == []


def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    return subprocess.run(
        [SERVER_COMMAND, *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("args", [(), ("--http", "--port", "0"), ("--check",)])
def test_an_unknown_toolset_is_refused_with_the_valid_names(
    fake: FakeAnam, tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run(server_env(fake, ANAM_TOOLSETS="catalogue, knowledgez"), *args, cwd=tmp_path)
    assert done.returncode != 0
    assert "knowledgez" in done.stderr
    valid = "all, catalogue, personas, sessions, history, share_links, knowledge, persona_tools, media, meetings"
    assert f"the toolsets are {valid}" in done.stderr
    assert done.stdout == ""


def test_check_lists_each_toolset_with_its_tools_and_bytes(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(server_env(fake, ANAM_TOOLSETS="catalogue,sessions"), "--check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    catalogue = next(line for line in done.stderr.splitlines() if "toolset catalogue" in line)
    assert "search_avatars, search_voices, list_llms" in catalogue and "bytes of context" in catalogue
    assert "toolset sessions" in done.stderr and "toolset personas" not in done.stderr


def test_the_readme_lists_every_toolset_with_its_tools_and_about_its_cost() -> None:
    """The README's toolset table names each toolset's tools, and its byte figures are within 10% of today's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- toolsets -->\n", 1)[1].split("\n\n", 1)[0]
    rows = {row.split("|")[1].strip(" `"): row for row in table.splitlines()[2:]}
    assert list(rows) == NAMES
    for toolset in TOOLSETS:
        row = rows[toolset.name]
        assert all(f"`{tool.name}`" in row for tool in toolset.tools()), row
        written = int(row.rsplit("|", 2)[1].strip().replace(",", ""))
        assert abs(written - toolset.input_bytes()) <= toolset.input_bytes() / 10, (toolset.name, toolset.input_bytes())
