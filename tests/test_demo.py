"""`anam-mcp --demo`: the README's demo commands, started as written, serve sample data from the built-in fake Anam
API, say so on stderr, in the instructions and in every tool result, and never contact the API they were given."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent

from anam_fake import FakeAnam
from anam_mcp import demo

from .helpers import ROOT, SERVER_COMMAND, TOOLS, in_memory, network_env, text
from .http_server import http_env, http_server, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.weight(6)]

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What stands for the real Anam API: a fake with a key of its own, to which nothing may be sent.
ELSEWHERE_KEY = "real-account-key-0123456789"


def readme_block(marker: str, language: str) -> str:
    block = re.search(rf"<!-- {marker} -->\s*```{language}\n(.*?)```", README, re.S)
    assert block, f"the README lost its {marker} block"
    return block.group(1)


def first_screen_command() -> list[str]:
    """The first screen's demo command as the installed `anam-mcp` (what `uv run anam-mcp` runs), with its options."""
    *_, last = readme_block("demo-command", "bash").strip().splitlines()
    setup, run = last.split(" && ")
    assert setup == "python3 -m pip install uv"
    program, *options = run.removeprefix("uv run ").split()
    assert program == "anam-mcp"
    assert README.index("<!-- demo-command -->") < README.index("## Quick start")  # on the first screen
    return [SERVER_COMMAND, *options]


def desktop_demo_command() -> list[str]:
    """The README's Claude Desktop demo entry as written, with `which uvx` and this checkout for its placeholders."""
    entry: dict[str, Any] = json.loads(readme_block("claude-desktop-demo", "json"))["mcpServers"]["anam-demo"]
    assert set(entry) == {"command", "args"}  # no key, no URL: nothing to fill in
    assert entry["command"] == "/ABSOLUTE/PATH/TO/uvx"
    uvx = shutil.which("uvx")
    assert uvx is not None
    return [uvx, *(str(arg).replace("/ABSOLUTE/PATH/TO/anam-mcp", str(ROOT)) for arg in entry["args"])]


def says_demo(result: CallToolResult) -> bool:
    """Whether the result's summary, its first text block, ends with the demo notice."""
    first = result.content[0]
    return isinstance(first, TextContent) and first.text.endswith(demo.NOTICE)


@pytest.fixture
def elsewhere() -> Iterator[FakeAnam]:
    with FakeAnam(api_key=ELSEWHERE_KEY) as running:
        yield running


async def test_every_tool_result_and_the_instructions_say_it_is_a_demo(fake: FakeAnam) -> None:
    async with in_memory(fake, demo=True) as client:
        assert demo.INSTRUCTIONS in (client.instructions or "")
        saved = await client.call_tool("save_persona", {"name": "Demo guide"})
        assert saved.structured_content is not None
        persona = {"persona_id": saved.structured_content["persona_id"]}
        results = [
            saved,
            await client.call_tool("search_avatars", {"query": "liv"}),
            await client.call_tool("search_voices", {"query": "nothing like this"}),
            await client.call_tool("list_llms", {}),
            await client.call_tool("create_session_token", {}),
            await client.call_tool("get_persona", persona),
            await client.call_tool("create_share_link", persona),
            await client.call_tool("list_sessions", {"limit": 1}),
            await client.call_tool("get_persona", {"persona_id": "not-an-id"}),
        ]
    assert results[-1].is_error
    for result in results:
        assert says_demo(result), text(result)
        # The structured result and its JSON copy are the tool's own: the notice goes in the summary only.
        last = result.content[-1]
        assert result.is_error or (isinstance(last, TextContent) and json.loads(last.text) == result.structured_content)
    async with in_memory(fake) as client:
        assert not says_demo(await client.call_tool("list_llms", {}))
        assert demo.INSTRUCTIONS not in (client.instructions or "")


@pytest.mark.parametrize("started", [first_screen_command, desktop_demo_command], ids=["first screen", "desktop"])
async def test_the_readme_demo_serves_sample_data_and_never_the_api_it_was_given(
    started: Callable[[], list[str]], elsewhere: FakeAnam, tmp_path: Path
) -> None:
    command, *args = started()
    # Set as a user's shell or a .env file might have them: the demo must ignore both.
    env = {"ANAM_API_URL": elsewhere.url, "ANAM_API_KEY": ELSEWHERE_KEY} | network_env()
    (tmp_path / ".env").write_text(f"ANAM_API_URL={elsewhere.url}\nANAM_API_KEY={ELSEWHERE_KEY}\n", encoding="utf-8")
    params = StdioServerParameters(command=command, args=args, env=env, cwd=str(tmp_path))
    with (tmp_path / "stderr.log").open("w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=240) as client:
            listed = await client.list_tools()
            found = await client.call_tool("search_voices", {"query": "lucy"})
            minted = await client.call_tool("create_session_token", {})
            instructions = client.instructions or ""
    assert {tool.name for tool in listed.tools} == TOOLS
    assert found.structured_content is not None and minted.structured_content is not None
    assert found.structured_content["items"][0]["display_name"] == "Lucy - Fresh & Casual"
    assert minted.structured_content["session_token"]
    assert says_demo(found) and says_demo(minted)
    assert demo.INSTRUCTIONS in instructions
    logged = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert "Demo: serving sample data from a fake Anam API" in logged
    assert "do not work with Anam" in logged
    assert elsewhere.requests == []


async def test_the_demo_over_http_says_so_and_never_contacts_the_api(elsewhere: FakeAnam) -> None:
    env = http_env(elsewhere, ANAM_API_KEY=ELSEWHERE_KEY)
    with http_server(env, "--demo") as server:
        # The demo's key is a server key: as for any, the server made an access token and printed its URL.
        (url,) = re.findall(r"http://\S+/mcp/t/\S+", server.log())
        async with mcp_client(url) as client:
            found = await client.call_tool("search_avatars", {"query": "liv"})
            instructions = client.instructions or ""
        logged = server.log()
    assert not found.is_error, text(found)
    assert says_demo(found)
    assert demo.INSTRUCTIONS in instructions
    assert "Demo: serving sample data from a fake Anam API" in logged
    assert elsewhere.requests == []


def test_anam_demo_true_is_the_same_as_the_flag(elsewhere: FakeAnam, tmp_path: Path) -> None:
    env = {"ANAM_DEMO": "true", "ANAM_API_URL": elsewhere.url, "ANAM_API_KEY": ELSEWHERE_KEY}
    done = subprocess.run(
        [SERVER_COMMAND, "--check"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Demo: serving sample data from a fake Anam API" in done.stderr
    assert "API key accepted" in done.stderr
    assert "130 avatars, 450 voices, 5 LLMs" in done.stderr
    assert elsewhere.requests == []


def test_anam_demo_under_an_asgi_server_of_ones_own_serves_the_fake(elsewhere: FakeAnam, tmp_path: Path) -> None:
    """`uvicorn anam_mcp.server.asgi:app` with ANAM_DEMO=true: the app starts the fake itself, never the real API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")} | {
        "ANAM_DEMO": "true",
        "ANAM_API_URL": elsewhere.url.replace("127.0.0.1", "api.example.com"),
    }
    script = (
        "import anyio, httpx2\n"
        "from anam_mcp.server.asgi import app\n"
        "async def main():\n"
        "    transport = httpx2.ASGITransport(app=app)\n"
        "    async with httpx2.AsyncClient(transport=transport, base_url='http://127.0.0.1') as http:\n"
        "        print((await http.get('/healthz')).status_code)\n"
        "anyio.run(main)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Demo: serving sample data from a fake Anam API at http://127.0.0.1:" in done.stderr
    assert elsewhere.requests == []
