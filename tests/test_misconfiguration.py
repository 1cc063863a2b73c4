"""A bad setting: the server still starts and lists its tools, and every call says what to fix, in words.

Each bad setting is tried on a server in this process and on `run_check`; the case with several goes through
a stdio server and the `--check` command line as well.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from anam_fake import FakeAnam
from anam_mcp.check import run_check
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import SERVER_COMMAND, server_env, text
from .raw_client import assert_only_json_rpc, start

# Any request that escaped the refusal would hit this dead proxy, never the internet.
NO_WAY_OUT = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}

BAD_SETTINGS = {
    "plain http to another host": (
        {"ANAM_API_URL": "http://example.com"},
        ["ANAM_API_URL must use https://", "only allowed for localhost"],
    ),
    "malformed default LLM id": (
        {"ANAM_DEFAULT_LLM_ID": "gpt-4o-mini"},
        ["ANAM_DEFAULT_LLM_ID must be an LLM id", "list_llms", "a UUID such as"],
    ),
    "several at once": (
        {"ANAM_LOG_LEVEL": "loud", "ANAM_CATALOG_TTL_SECONDS": "-1", "ANAM_PREFETCH": "maybe"},
        [
            "ANAM_LOG_LEVEL must be one of 'DEBUG', 'INFO'",
            "ANAM_CATALOG_TTL_SECONDS must be at least 0",
            "ANAM_PREFETCH must be true or false",
        ],
    ),
}

PERSONA = "11111111-2222-4333-8444-555555555555"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("search_avatars", {"query": "cara"}),
    ("search_voices", {}),
    ("search_personas", {}),
    ("list_llms", {}),
    ("create_session_token", {}),
    ("save_persona", {"name": "Guide"}),
    ("get_persona", {"persona_id": PERSONA}),
    ("update_persona", {"persona_id": PERSONA, "name": "Guide"}),
    ("delete_persona", {"persona_id": PERSONA}),
    ("create_share_link", {"persona_id": PERSONA}),
    ("list_sessions", {}),
    ("get_session_transcript", {"session_id": PERSONA}),
    ("create_avatar", {"display_name": "Guide", "image_url": "https://example.com/face.png"}),
    ("clone_voice", {"name": "Guide", "audio_url": "https://example.com/voice.wav"}),
    ("delete_avatar", {"avatar_id": PERSONA}),
    ("delete_voice", {"voice_id": PERSONA}),
    ("get_session_analytics", {"session_id": PERSONA}),
    ("get_session_recording", {"session_id": PERSONA}),
    ("list_share_links", {}),
    ("revoke_share_link", {"share_link_id": PERSONA}),
    ("invite_persona_to_meeting", {"meeting_url": "https://meet.google.com/abc-defg-hij"}),
    ("list_meeting_invites", {}),
    ("cancel_meeting_invite", {"invite_id": PERSONA}),
    ("teach_persona", {"persona_id": PERSONA, "sources": [{"text": "Tickets cost ten euros."}]}),
    ("list_knowledge_bases", {}),
    ("create_knowledge_base", {"name": "FAQ"}),
    ("add_knowledge_document", {"knowledge_base_id": PERSONA, "text": "Tickets cost ten euros."}),
    ("list_knowledge_documents", {"knowledge_base_id": PERSONA}),
    ("search_knowledge_base", {"knowledge_base_id": PERSONA, "query": "tickets"}),
    ("delete_knowledge_document", {"document_id": PERSONA}),
    ("delete_knowledge_base", {"knowledge_base_id": PERSONA}),
    ("list_persona_tools", {}),
    ("create_webhook_tool", {"name": "book", "description": "Book.", "url": "https://example.com/book"}),
    ("create_knowledge_tool", {"name": "faq", "description": "FAQ.", "knowledge_base_ids": [PERSONA]}),
    ("create_client_tool", {"name": "show_map", "description": "Show the map."}),
    ("create_system_tool", {"action": "end_call"}),
    ("delete_persona_tool", {"tool_id": PERSONA}),
]


def no_regex(text: str) -> None:
    assert "^(?:" not in text and "[0-9a-fA-F]" not in text and "pattern" not in text


@pytest.mark.anyio
@pytest.mark.parametrize(("env", "says"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
async def test_a_bad_setting_still_serves_and_every_call_says_what_to_fix(
    env: dict[str, str], says: list[str], fake: FakeAnam, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in NO_WAY_OUT.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_environment(
        {"ANAM_API_KEY": fake.api_key, "ANAM_API_URL": fake.url, "ANAM_PREFETCH": "true"} | env, env_file=None
    )
    async with Client(build_server(settings)) as client:
        assert len((await client.list_tools()).tools) == len(CALLS)
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)
            assert result.is_error, name
            said = text(result)
            assert "misconfigured" in said, (name, said)
            for words in says:
                assert words in said, (name, said)
            no_regex(said)
        with pytest.raises(MCPError) as refused:
            await client.read_resource("anam://llms")
        assert says[0] in str(refused.value)
    assert fake.requests == []


@pytest.mark.anyio
async def test_over_stdio_bad_settings_are_logged_at_start_and_every_call_says_what_to_fix(
    fake: FakeAnam, tmp_path: Path
) -> None:
    env, says = BAD_SETTINGS["several at once"]
    server = await start(fake, tmp_path, **({"ANAM_PREFETCH": "true"} | env | NO_WAY_OUT))
    await server.initialize()
    listed = await server.request(1, "tools/list")
    assert len(listed["result"]["tools"]) == len(CALLS)
    for number, (name, arguments) in enumerate(CALLS, start=2):
        answer = await server.request(number, "tools/call", {"name": name, "arguments": arguments})
        assert answer["result"]["isError"] is True, (name, answer)
        text = answer["result"]["content"][0]["text"]
        assert "misconfigured" in text, (name, text)
        for words in says:
            assert words in text, (name, text)
        no_regex(text)
    resource = await server.request(100, "resources/read", {"uri": "anam://llms"})
    assert says[0] in resource["error"]["message"]
    code, stderr = await server.finish()
    assert code == 0
    assert fake.requests == []
    for words in says:
        assert words in stderr  # and in the host's log, from the start
    assert "Traceback" not in stderr
    assert_only_json_rpc(server.lines)


@pytest.mark.anyio
@pytest.mark.parametrize(("env", "says"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
async def test_check_reports_a_bad_setting_in_words_and_exits_1(
    env: dict[str, str], says: list[str], fake: FakeAnam, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": fake.api_key, "ANAM_API_URL": fake.url} | env, env_file=None)
    assert await run_check(settings) == 1
    written = capsys.readouterr()
    for words in says:
        assert words in written.err
    assert written.err.count("  FAIL  ANAM_") == len(env)  # one line per bad setting
    assert "https://api.anam.ai" not in written.err  # the default stands in, but is not the configured API
    no_regex(written.err)
    assert written.out == ""
    assert fake.requests == []


def test_the_command_line_check_reports_bad_settings_in_words_and_exits_1(fake: FakeAnam, tmp_path: Path) -> None:
    env, says = BAD_SETTINGS["several at once"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=clean | server_env(fake, **env) | NO_WAY_OUT,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    for words in says:
        assert words in done.stderr
    assert done.stderr.count("  FAIL  ANAM_") == len(env)  # one line per bad setting
    assert "https://api.anam.ai" not in done.stderr
    no_regex(done.stderr)
    assert done.stdout == ""
    assert fake.requests == []


@pytest.mark.parametrize("userinfo", ["user:s3cret-pw@", "s3cret-pw@", ":s3cret-pw@"])
def test_an_api_url_with_a_user_or_password_is_refused_and_never_shown_or_used(
    userinfo: str, fake: FakeAnam, tmp_path: Path
) -> None:
    # The credentials would be printed by --check and sent as Basic auth in place of the key.
    url = fake.url.replace("http://", f"http://{userinfo}")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=clean | server_env(fake, ANAM_API_URL=url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "FAIL  ANAM_API_URL must not contain a user name or password" in done.stderr
    assert "s3cret" not in done.stderr
    assert "Traceback" not in done.stderr
    assert fake.requests == []


# Proxy settings the HTTP library cannot use: a SOCKS proxy without its optional package, a URL cut short, a
# scheme it does not know. The fake is reached over http://, so HTTP_PROXY (or ALL_PROXY) applies to it.
UNUSABLE_PROXIES = {
    "SOCKS without socksio": ("HTTP_PROXY", "socks5://127.0.0.1:9", "names a SOCKS proxy"),
    "an unclosed IPv6 address": ("http_proxy", "http://[::1", "is not a proxy URL"),
    "an unknown scheme": ("ALL_PROXY", "ftp://127.0.0.1:9", "is not a proxy URL"),
}


def without_proxies() -> dict[str, str]:
    """This process's environment without ANAM_* settings and proxy variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ANAM_") and not k.lower().endswith("_proxy")}


@pytest.mark.parametrize(("variable", "value", "says"), UNUSABLE_PROXIES.values(), ids=UNUSABLE_PROXIES.keys())
def test_check_names_a_proxy_variable_the_http_library_cannot_use_without_a_traceback(
    variable: str, value: str, says: str, fake: FakeAnam, tmp_path: Path
) -> None:
    if variable == "HTTP_PROXY" and importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed here, so a SOCKS proxy is usable")
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=without_proxies() | server_env(fake) | {variable: value},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"  FAIL  {variable} {says}" in done.stderr
    assert "Traceback" not in done.stderr
    assert value not in done.stderr  # a proxy URL may carry a password
    assert fake.requests == []


@pytest.mark.anyio
async def test_over_stdio_every_call_names_an_unusable_proxy_variable_in_words(
    fake: FakeAnam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed here, so a SOCKS proxy is usable")
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    server = await start(fake, tmp_path, ANAM_PREFETCH="true", ALL_PROXY="socks5h://127.0.0.1:9")
    await server.initialize()
    for number, (name, arguments) in enumerate(CALLS, start=1):
        answer = await server.request(number, "tools/call", {"name": name, "arguments": arguments})
        assert answer["result"]["isError"] is True, (name, answer)
        said = answer["result"]["content"][0]["text"]
        assert "misconfigured" in said and "ALL_PROXY names a SOCKS proxy" in said, (name, said)
    code, stderr = await server.finish()
    assert code == 0
    assert "ALL_PROXY names a SOCKS proxy" in stderr
    assert "Traceback" not in stderr
    assert fake.requests == []


def test_a_proxy_variable_for_another_scheme_is_not_used_and_not_a_problem(fake: FakeAnam, tmp_path: Path) -> None:
    # The API is reached over http:// here: what HTTPS_PROXY says does not matter to it, nor to --check.
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=without_proxies() | server_env(fake) | {"HTTPS_PROXY": "socks5://127.0.0.1:9"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ok    API key accepted" in done.stderr


@pytest.mark.anyio
async def test_the_start_up_line_shows_no_refused_setting_as_if_in_use(fake: FakeAnam, tmp_path: Path) -> None:
    env = {"ANAM_API_URL": "http://example.com", "ANAM_API_KEY": "sk-flawed key-0123456789"}
    server = await start(fake, tmp_path, **env)
    await server.initialize()
    code, stderr = await server.finish()
    assert code == 0
    (line,) = [line for line in stderr.splitlines() if "serving on stdio" in line]
    assert "https://api.anam.ai" not in line and "NOT set" not in line, line
    assert "API none (ANAM_API_URL is invalid)" in line and "; key refused (ANAM_API_KEY is invalid)" in line, line
