"""A bad setting: the server still starts and lists its tools, and every call says what to fix, in words."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import SERVER_COMMAND, server_env
from .fake_anam import FakeAnam
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
CALLS = [
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
]


def no_regex(text: str) -> None:
    assert "^(?:" not in text and "[0-9a-fA-F]" not in text and "pattern" not in text


@pytest.mark.anyio
@pytest.mark.parametrize(("env", "says"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
async def test_a_bad_setting_still_serves_and_every_call_says_what_to_fix(
    env: dict[str, str], says: list[str], fake: FakeAnam, tmp_path: Path
) -> None:
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
    resource = await server.request(10, "resources/read", {"uri": "anam://llms"})
    assert says[0] in resource["error"]["message"]
    code, stderr = await server.finish()
    assert code == 0
    assert fake.requests == []
    assert says[0] in stderr  # and in the host's log, from the start
    assert "Traceback" not in stderr
    assert_only_json_rpc(server.lines)


@pytest.mark.parametrize(("env", "says"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_check_reports_a_bad_setting_in_words_and_exits_1(
    env: dict[str, str], says: list[str], fake: FakeAnam, tmp_path: Path
) -> None:
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
    assert "https://api.anam.ai" not in done.stderr  # the default stands in, but is not the configured API
    no_regex(done.stderr)
    assert done.stdout == ""
    assert fake.requests == []
