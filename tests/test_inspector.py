"""The MCP Inspector CLI (a real, independent MCP client from npm) driving anam-mcp against the fake."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SERVER_COMMAND, network_env
from .fake_anam import FakeAnam

INSPECTOR = "@modelcontextprotocol/inspector@0.22.0"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not installed")


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeAnam]:
    with FakeAnam() as fake:
        yield fake


def inspector(fake: FakeAnam, *args: str, key: str | None = None) -> dict[str, Any]:
    command = [
        "npx", "-y", INSPECTOR, "--cli", SERVER_COMMAND,
        "-e", f"ANAM_API_URL={fake.url}",
        "-e", f"ANAM_API_KEY={key or fake.api_key}",
        "-e", "ANAM_PREFETCH=false",
        *args,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode in (0, 5), done.stderr  # 5: newer Inspectors exit 5 on a tool error
    return json.loads(done.stdout[done.stdout.index("{") :])  # type: ignore[no-any-return]


def call(fake: FakeAnam, tool: str, arguments: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    args = ["--method", "tools/call", "--tool-name", tool]
    for name, value in arguments.items():
        args += ["--tool-arg", f"{name}={value}"]
    return inspector(fake, *args, key=key)


def test_inspector_lists_the_tools(module_fake: FakeAnam) -> None:
    listed = inspector(module_fake, "--method", "tools/list")
    names = {tool["name"] for tool in listed["tools"]}
    assert {"create_session_token", "search_avatars", "save_persona", "list_sessions"} <= names
    assert len(names) == 12
    assert all(tool.get("outputSchema") for tool in listed["tools"])


@pytest.mark.parametrize(
    ("tool", "arguments", "check"),
    [
        ("search_avatars", {"query": "liv", "limit": 3}, lambda s: s["items"][0]["display_name"] == "Liv"),
        ("search_voices", {"query": "lucy", "gender": "female"}, lambda s: s["items"][0]["country"] == "GB"),
        ("list_llms", {}, lambda s: s["total"] == 5),
        ("search_personas", {"query": "support"}, lambda s: s["total"] >= 1),
        ("create_session_token", {"system_prompt": "Hello"}, lambda s: s["session_token"].count(".") == 2),
    ],
)
def test_inspector_calls_each_tool(module_fake: FakeAnam, tool: str, arguments: dict[str, Any], check: Any) -> None:
    result = call(module_fake, tool, arguments)
    assert result["isError"] is False, result
    assert check(result["structuredContent"])


def test_inspector_sees_an_error_result_for_a_bad_key(module_fake: FakeAnam) -> None:
    result = call(module_fake, "create_session_token", {}, key="not-the-key")
    assert result["isError"] is True
    assert "ANAM_API_KEY" in result["content"][0]["text"]


def test_inspector_runs_a_server_command_with_flags_as_the_readme_shows(module_fake: FakeAnam) -> None:
    uvx = shutil.which("uvx")
    assert uvx is not None
    command = [
        "npx", "-y", INSPECTOR, "--cli",
        "-e", f"ANAM_API_URL={module_fake.url}", "-e", f"ANAM_API_KEY={module_fake.api_key}",
        *[arg for k, v in network_env().items() for arg in ("-e", f"{k}={v}")],
        "--", uvx, "--from", str(ROOT), "anam-mcp",
        "--method", "tools/call", "--tool-name", "search_voices", "--tool-arg", "query=calm",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout[done.stdout.index("{") :])
    assert result["isError"] is False
    assert result["structuredContent"]["total"] > 0


def test_inspector_runs_the_persona_lifecycle(module_fake: FakeAnam) -> None:
    """Each call is a new server process; the fake keeps what the calls made, so the loop carries over."""

    def ok(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = call(module_fake, tool, arguments)
        assert result["isError"] is False, result
        structured: dict[str, Any] = result["structuredContent"]
        return structured

    persona_id = ok("save_persona", {"name": "Inspector museum guide", "system_prompt": "Guide visitors calmly."})[
        "persona_id"
    ]
    found = ok("search_personas", {"query": "inspector museum"})
    assert [p["id"] for p in found["items"]] == [persona_id]
    link = ok("create_share_link", {"persona_id": persona_id, "usage_limit": 3})
    assert link["url"] == "https://lab.anam.ai/share/" + module_fake.share_links[-1]["token"]
    assert link["usage_limit"] == 3

    session_id = module_fake.record_conversation(persona_id, [("persona", "Welcome!"), ("user", "Too slow.")])
    sessions = ok("list_sessions", {"persona_id": persona_id})
    assert [s["id"] for s in sessions["items"]] == [session_id]
    transcript = ok("get_session_transcript", {"session_id": session_id})
    assert [m["text"] for m in transcript["messages"]] == ["Welcome!", "Too slow."]

    ok("update_persona", {"persona_id": persona_id, "system_prompt": "Guide visitors calmly and briskly."})
    assert ok("get_persona", {"persona_id": persona_id})["system_prompt"] == "Guide visitors calmly and briskly."
    # The Inspector cannot answer elicitation, so the delete goes ahead (hosts ask: the tool is destructive).
    assert ok("delete_persona", {"persona_id": persona_id}) == {"persona_id": persona_id, "deleted": True}
    assert ok("search_personas", {"query": "inspector museum"})["total"] == 0
    missing = call(module_fake, "get_persona", {"persona_id": persona_id})
    assert missing["isError"] is True
    assert "(404)" in missing["content"][0]["text"] and "search_personas" in missing["content"][0]["text"]
