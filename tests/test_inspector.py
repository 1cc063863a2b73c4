"""The MCP Inspector CLI (a real, independent MCP client from npm) driving anam-mcp against the fake.

Each tools/call run of the Inspector lists the tools first and checks the result's structuredContent
against the tool's outputSchema with its own validator, so a successful call covers both. One run starts the
README's way over stdio (npx, then the server with uvx from this checkout); the persona lifecycle runs over
streamable HTTP (the README's hosted way), each call a new Inspector process against one `anam-mcp --http`,
and ends with an error result. Every tool is also called, its output checked against its schema, by the SDK's
clients (tests/test_tools_e2e.py in memory, tests/test_http_e2e.py over HTTP).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from anam_fake import FakeAnam

from .helpers import ROOT, installed, network_env, npx_env, require_npm
from .http_server import HttpServer, http_env, http_server

INSPECTOR = "@modelcontextprotocol/inspector@0.22.0"


def inspector(fake: FakeAnam, server: list[str], tool: str, arguments: dict[str, str]) -> list[str]:
    """The README's shape over stdio: npx, --cli and -e variables, then --, the server command, then the
    --method options."""
    variables = {"ANAM_API_URL": fake.url, "ANAM_API_KEY": fake.api_key, "ANAM_PREFETCH": "false"} | network_env()
    return [
        "npx", "-y", INSPECTOR, "--cli",
        *[arg for name, value in variables.items() for arg in ("-e", f"{name}={value}")],
        "--", *server, *tool_call(tool, arguments),
    ]  # fmt: skip


def inspector_over_http(server: HttpServer, key: str, tool: str, arguments: dict[str, str]) -> list[str]:
    """The README's shape over HTTP: the URL, the transport and the key's header, then the --method options. The
    Inspector starts directly from where npx installed it, sparing each run npm's own start-up."""
    options = ["--cli", server.mcp, "--transport", "http", "--header", f"Authorization: Bearer {key}"]
    return [installed(INSPECTOR, "mcp-inspector"), *options, *tool_call(tool, arguments)]


def tool_call(tool: str, arguments: dict[str, str]) -> list[str]:
    arguments_given = [arg for name, value in arguments.items() for arg in ("--tool-arg", f"{name}={value}")]
    return ["--method", "tools/call", "--tool-name", tool, *arguments_given]


Answer = tuple[int, dict[str, Any], str]


def run(command: list[str]) -> Answer:
    """Exit status, the JSON answer printed on stdout, and everything printed."""
    done = subprocess.run(command, env=npx_env(), capture_output=True, text=True, timeout=120, check=False)
    printed = done.stdout + done.stderr
    assert "{" in done.stdout, printed
    return done.returncode, json.loads(done.stdout[done.stdout.index("{") :]), printed


def test_inspector_started_the_readme_way_calls_a_tool() -> None:
    """npx starts the Inspector, which starts the server with uvx from this checkout, as the README says."""
    require_npm(INSPECTOR)
    uvx = shutil.which("uvx")
    assert uvx is not None, "uvx is part of the test command's setup (pip install uv)"
    with FakeAnam() as fake:
        server = [uvx, "--from", str(ROOT), "anam-mcp"]
        code, result, printed = run(inspector(fake, server, "search_voices", {"query": "lucy", "gender": "female"}))
    assert code == 0, printed
    assert result["isError"] is False, result
    assert result["structuredContent"]["items"][0]["country"] == "GB"


def test_inspector_runs_the_persona_lifecycle_and_shows_an_error_result() -> None:
    """Each call is a new Inspector process; the fake keeps what the calls made, so the loop carries over.

    Calls that only need what the step before made run together; each one that reads a change waits for it.
    """
    require_npm(INSPECTOR)
    with FakeAnam() as fake, http_server(http_env(fake)) as server, ThreadPoolExecutor(5) as pool:

        def call(tool: str, arguments: dict[str, str]) -> Answer:
            return run(inspector_over_http(server, fake.api_key, tool, arguments))

        def together(*calls: tuple[str, dict[str, str]]) -> list[Answer]:
            return list(pool.map(lambda tool_and_arguments: call(*tool_and_arguments), calls))

        def ok(answer: Answer) -> dict[str, Any]:
            code, result, printed = answer
            assert code == 0 and result["isError"] is False, printed
            structured: dict[str, Any] = result["structuredContent"]
            return structured

        saved = ok(call("save_persona", {"name": "Inspector museum guide", "system_prompt": "Guide visitors calmly."}))
        persona_id = saved["persona_id"]
        session_id = fake.record_conversation(persona_id, [("persona", "Welcome!"), ("user", "Too slow.")])
        # The update changes only the prompt, which none of the others reads.
        found, link, sessions, transcript, updated = map(
            ok,
            together(
                ("search_personas", {"query": "inspector museum"}),
                ("create_share_link", {"persona_id": persona_id, "usage_limit": "3"}),
                ("list_sessions", {"persona_id": persona_id}),
                ("get_session_transcript", {"session_id": session_id}),
                ("update_persona", {"persona_id": persona_id, "system_prompt": "Guide visitors calmly and briskly."}),
            ),
        )
        assert [p["id"] for p in found["items"]] == [persona_id]
        assert link["url"] == "https://lab.anam.ai/share/" + fake.share_links[-1]["token"]
        assert link["usage_limit"] == 3
        assert [s["id"] for s in sessions["items"]] == [session_id]
        assert [m["text"] for m in transcript["messages"]] == ["Welcome!", "Too slow."]
        assert updated["changed"] == ["system_prompt"]
        assert updated["persona"]["system_prompt"] == "Guide visitors calmly and briskly."

        # The Inspector cannot answer elicitation, so the delete goes ahead (hosts ask: the tool is destructive).
        assert ok(call("delete_persona", {"persona_id": persona_id})) == {"persona_id": persona_id, "deleted": True}
        # An error result: the Inspector 0.22 exits 0 and prints it (2.x exits 5).
        code, missing, printed = call("get_persona", {"persona_id": persona_id})
        assert code == 0, printed
        assert missing["isError"] is True and '"isError": true' in printed
        assert "(404)" in missing["content"][0]["text"] and "search_personas" in missing["content"][0]["text"]
